//! The treasury (docs/operations.md#treasury): the chain's own funds, spent only by referendum.
//!
//! - **What flows in.** The treasury share of every trading fee, in ETH (pallet-perp pays it
//!   to [`TreasuryAccount`], which is this pallet's account), and 80 % of every transaction
//!   fee, in FLOOR ([`DealWithFees`]); the other 20 % and all tips go to the block's author,
//!   the validator's income for including transactions (validators are chosen by
//!   governance, with no staking rewards).
//! - **What flows out.** `treasury.spend` of FLOOR or ETH ([`TreasuryAsset`]) to any
//!   account, with Root: a `root` referendum. The chain has no treasurer track yet: spending
//!   is rare and deserves the root track's two weeks. `payout` then pays it within
//!   [`PayoutPeriod`]. Nothing is burned at spend periods.
//! - **One unit for the spend limit.** pallet-treasury compares a spend with the origin's
//!   limit in FLOOR; ETH is counted one for one ([`UnityAssetBalanceConversion`]). Root's
//!   limit is unbounded, so the conversion decides nothing today; a bounded treasurer track
//!   will need a real ETH/FLOOR rate.

use crate::{
	configs::TreasuryPalletId, AccountId, Assets, Balance, Balances, BlockNumber, Runtime,
	RuntimeEvent, System, DAYS,
};
use polkadot_sdk::{
	frame_support::{
		parameter_types,
		traits::{
			fungible::{Balanced, Credit},
			tokens::{
				fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
				imbalance::OnUnbalanced,
				pay::PayAssetFromAccount,
				UnityAssetBalanceConversion,
			},
			Get, Imbalance,
		},
	},
	frame_system::{EnsureRoot, EnsureRootWithSuccess},
	pallet_treasury,
	sp_runtime::traits::IdentityLookup,
};

pub use crate::configs::TreasuryAccount;

/// What the treasury holds and spends: FLOOR (`Native`) or a `pallet-assets` asset (ETH is
/// `WithId(1)`).
pub type TreasuryAsset = NativeOrWithId<u32>;

/// FLOOR and the assets as one `fungibles`, for paying either from the treasury's account.
pub type NativeAndAssets = UnionOf<Balances, Assets, NativeFromLeft, TreasuryAsset, AccountId>;

parameter_types! {
	/// Approved spends are looked at every six days.
	pub const SpendPeriod: BlockNumber = 6 * DAYS;
	/// A spend must be paid out within 30 days of becoming payable.
	pub const PayoutPeriod: BlockNumber = 30 * DAYS;
	pub const MaxBalance: Balance = Balance::MAX;
}

/// Splits every transaction fee: 80 % to the treasury, 20 % and the whole tip to the author.
/// Without an author (no Aura digest, as in a block built outside consensus) the author's
/// part goes to the treasury too.
pub struct DealWithFees;
impl OnUnbalanced<Credit<AccountId, Balances>> for DealWithFees {
	fn on_unbalanceds(mut fees_then_tips: impl Iterator<Item = Credit<AccountId, Balances>>) {
		let Some(fees) = fees_then_tips.next() else { return };
		let (to_treasury, mut to_author) = fees.ration(80, 20);
		for tip in fees_then_tips {
			to_author = to_author.merge(tip);
		}
		let author = <crate::configs::AuraBlockAuthor as Get<Option<AccountId>>>::get();
		let to_treasury = match author {
			Some(author) => match Balances::resolve(&author, to_author) {
				Ok(()) => to_treasury,
				// An author account below the existential deposit: the treasury takes it.
				Err(refused) => to_treasury.merge(refused),
			},
			None => to_treasury.merge(to_author),
		};
		// The treasury's account exists from genesis; a credit it cannot take is burned.
		let _ = Balances::resolve(&TreasuryAccount::get(), to_treasury);
	}
}

/// Benchmark arguments for pallet-treasury (its upstream weights are used; this only
/// satisfies its configuration under `runtime-benchmarks`).
#[cfg(feature = "runtime-benchmarks")]
pub struct TreasuryArguments;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_treasury::ArgumentsFactory<TreasuryAsset, AccountId> for TreasuryArguments {
	fn create_asset_kind(seed: u32) -> TreasuryAsset {
		NativeOrWithId::WithId(seed)
	}

	fn create_beneficiary(seed: [u8; 32]) -> AccountId {
		AccountId::from(seed)
	}
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EnsureRoot<AccountId>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	type Burn = ();
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = polkadot_sdk::frame_support::traits::ConstU32<100>;
	type SpendOrigin = EnsureRootWithSuccess<AccountId, MaxBalance>;
	type AssetKind = TreasuryAsset;
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayAssetFromAccount<NativeAndAssets, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	type BlockNumberProvider = System;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TreasuryArguments;
}
