//! # floorperp runtime
//!
//! The state transition function of the floorperp appchain: perpetual futures on NFT
//! collection floor prices. This file is the spine: the runtime's types, its version and the
//! list of pallets. Pallet configuration lives in [`configs`], runtime APIs in [`apis`],
//! genesis presets in [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-style macros expand to deep type nesting.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod collateral;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
pub mod treasury;
pub mod validators;

use alloc::vec::Vec;
pub use collateral::faucet as pallet_faucet;
pub use pallet_perp;
pub use pallet_true_floor_oracle;
use polkadot_sdk::{
	frame_support, frame_system, pallet_assets, pallet_assets_holder, pallet_aura, pallet_balances,
	pallet_grandpa, pallet_membership, pallet_oracle, pallet_session, pallet_sudo,
	pallet_timestamp, pallet_transaction_payment,
	sp_runtime::{
		generic, impl_opaque_keys,
		traits::{BlakeTwo256, IdentifyAccount, Verify},
		MultiAddress, MultiSignature,
	},
	*,
};
use sp_version::RuntimeVersion;
pub use validators::manager as pallet_validator_manager;

/// Opaque types: what the node (which does not know the runtime's call type) sees.
pub mod opaque {
	use super::*;
	use sp_runtime::OpaqueExtrinsic;

	/// An opaque extrinsic.
	pub type UncheckedExtrinsic = OpaqueExtrinsic;
	/// Block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Block type as the node sees it.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Block identifier.
	pub type BlockId = generic::BlockId<Block>;
	/// Block hash.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;

	impl_opaque_keys! {
		/// The session keys of a validator: block authoring, finality and oracle feeds.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
			/// Signs the validator's true-floor feeds; the active validators' `flor` accounts
			/// are the oracle operators (`validators::OracleOperatorKeys`).
			pub oracle: crate::validators::OracleOperatorKeys,
		}
	}
}

/// `spec_version` goes up by one with every runtime change that reaches a network (101: the
/// validator set, sessions and the treasury); `transaction_version` only when an existing
/// call's index or arguments change (docs/operations.md#runtime-upgrades).
#[cfg(not(feature = "upgrade-drill"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("floorperp"),
	impl_name: alloc::borrow::Cow::Borrowed("floorperp-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// This runtime labelled as spec 100, the version before sessions, for the zombienet upgrade
/// drill only (`--features upgrade-drill`): its network starts on this code with a spec-100
/// state and upgrades to the real spec 101 by referendum, running the migration as a live
/// chain would (zombienet/run.sh). `sp_version::runtime_version` wants literals, hence a
/// second constant rather than a computed field.
#[cfg(feature = "upgrade-drill")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("floorperp"),
	impl_name: alloc::borrow::Cow::Borrowed("floorperp-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Block production: one block every 6 seconds.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// Aura's slot duration equals the block time.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks per minute, for durations expressed in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// One unit of an 18-decimal amount: one FLOOR (the native token: fees, deposits, votes) or
/// one ETH (the collateral asset, [`collateral`]: margins, prices, PnL).
pub const UNIT: Balance = 1_000_000_000_000_000_000;
/// A thousandth of a FLOOR.
pub const MILLI_UNIT: Balance = UNIT / 1_000;
/// A millionth of a FLOOR.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
/// The smallest balance an account may hold: keeps dust accounts out of state.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Block number.
pub type BlockNumber = u32;
/// Signature type of transactions.
pub type Signature = MultiSignature;
/// Account id: the public key behind a signature.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balances in 18-decimal base units.
pub type Balance = u128;
/// Transaction index of an account.
pub type Nonce = u32;
/// Block hash.
pub type Hash = sp_core::H256;
/// Milliseconds since the Unix epoch.
pub type Moment = u64;
/// Identifies an NFT collection: the key of its floor price in the oracle and of its market.
pub type CollectionId = u32;
/// An 18-decimal fixed-point price in ETH (wei per unit of base).
pub type Price = u128;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Signed block type.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order. `AuthorizeCall` comes first so calls
/// that authorise themselves (offchain-worker submissions) get their origin before the
/// signed-origin checks run.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	validators::migration::Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	/// Fungible assets: ETH, the collateral of every market ([`collateral`]).
	#[runtime::pallet_index(7)]
	pub type Assets = pallet_assets;

	/// Holds on assets (the perp pallet holds traders' ETH collateral).
	#[runtime::pallet_index(8)]
	pub type AssetsHolder = pallet_assets_holder;

	/// Test ETH on development and test networks (off in production genesis).
	#[runtime::pallet_index(9)]
	pub type Faucet = collateral::faucet;

	/// Operators allowed to feed the oracle: the active validators' `flor` keys, rewritten at
	/// every change of the validator set ([`validators`]).
	#[runtime::pallet_index(10)]
	pub type OracleOperators = pallet_membership<Instance1>;

	/// The floor-price index of every market: median of the operators' fresh feeds.
	#[runtime::pallet_index(11)]
	pub type Oracle = pallet_oracle;

	/// Validators' offchain workers compute each collection's true floor and feed the oracle.
	#[runtime::pallet_index(12)]
	pub type TrueFloor = pallet_true_floor_oracle;

	/// The validator set, changed by `validator_admin` referenda ([`validators`]).
	/// Before Session, whose genesis asks it for the first validators.
	#[runtime::pallet_index(13)]
	pub type ValidatorManager = validators::manager;

	/// Sessions: rotates Aura's, GRANDPA's and the oracle's keys to the planned set.
	#[runtime::pallet_index(14)]
	pub type Session = pallet_session;

	/// Perpetual futures markets: vAMM curves, collateral, positions, liquidations.
	#[runtime::pallet_index(20)]
	pub type Perp = pallet_perp;

	/// The insurance fund: fee shares and penalties in; bad debt, subsidies and curve costs
	/// out, capped per market.
	/// After Balances, whose genesis would overwrite the issuance its funding mints.
	#[runtime::pallet_index(21)]
	pub type Insurance = pallet_insurance;

	/// Enacts approved referenda (and their alarms) at their block.
	#[runtime::pallet_index(30)]
	pub type Scheduler = pallet_scheduler;

	/// Stores proposed calls by hash until a referendum enacts them.
	#[runtime::pallet_index(31)]
	pub type Preimage = pallet_preimage;

	/// Referenda on the `root`, `market_admin`, `oracle_admin`, `insurance_admin` and
	/// `validator_admin` tracks.
	#[runtime::pallet_index(32)]
	pub type Referenda = pallet_referenda;

	/// Conviction-weighted votes on referenda.
	#[runtime::pallet_index(33)]
	pub type ConvictionVoting = pallet_conviction_voting;

	/// The tracks' origins (`MarketAdmin`, `OracleAdmin`, `InsuranceAdmin`,
	/// `ValidatorAdmin`).
	#[runtime::pallet_index(34)]
	pub type Origins = governance::origins;

	/// The chain's funds: trading and transaction fee shares in, spends by referendum out
	/// ([`treasury`]).
	#[runtime::pallet_index(35)]
	pub type Treasury = pallet_treasury;
}
