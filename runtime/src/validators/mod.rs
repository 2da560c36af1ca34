//! The validator set (docs/operations.md): who authors blocks, votes in GRANDPA and feeds the
//! oracle, and how governance changes it.
//!
//! - **Sessions.** `pallet-session` rotates every [`manager::SessionLength`] blocks (an hour
//!   of 6-second blocks by default; development presets use a minute so a change can be
//!   watched). Each validator registers its session keys with `session.setKeys`: Aura
//!   (sr25519), GRANDPA (ed25519) and the oracle operator key `flor` (sr25519), which
//!   `author_rotateKeysWithOwner` generates in the node's keystore together with the
//!   ownership proof the call wants. Registering holds [`KeyDeposit`].
//! - **Governance decides the set.** [`manager`] holds the set; `add_validator` and
//!   `remove_validator` take Root or a `validator_admin` referendum
//!   ([`crate::governance::ValidatorAdmin`]). A dedicated track rather than Root: a
//!   validator change is routine for an appchain and cannot touch balances or code, so it
//!   should not wait behind (or weigh as much as) a runtime upgrade, yet it decides who
//!   finalizes and who sets every index, so it asks more support than a market parameter.
//! - **The delay.** pallet-session plans each session one session ahead, so a change enacted
//!   during session `n` is planned at the start of `n + 1` and active from `n + 2`: between
//!   one and two session lengths (one to two hours in production, one to two minutes on
//!   development networks).
//! - **The oracle follows.** The oracle operators are the active validators' `flor` keys
//!   ([`OracleOperatorKeys`]): whenever the active set or its keys change, the operator set
//!   is rewritten to those keys' accounts, in the same block in which Aura and GRANDPA take
//!   the new authorities. A removed validator's feeds stop counting when it stops authoring;
//!   a new one's count from its first session. `oracle_admin` can still remove an operator
//!   at once (a lying feed should not wait for a session), which holds until the validator
//!   set next changes; to remove it for good, remove the validator.
//! - **Block rewards.** The author of a block is the validator account behind the Aura key
//!   that claimed the slot ([`crate::configs::AuraBlockAuthor`]), so liquidation rewards go
//!   to the validator, not to its (rotatable) session key.

pub mod manager;
pub mod manager_weights;
pub mod migration;

use crate::{
	opaque::SessionKeys, AccountId, Balance, Balances, BlockNumber, OracleOperators, Runtime,
	RuntimeEvent, RuntimeOrigin, ValidatorManager, HOURS, UNIT,
};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{parameter_types, traits::ConstU32},
	pallet_membership, pallet_session,
	sp_runtime::{
		traits::{Convert, ConvertInto, OpaqueKeys},
		BoundToRuntimeAppPublic,
	},
};

/// The most validators (Aura's and GRANDPA's `MaxAuthorities`, the oracle's operator bound).
pub const MAX_VALIDATORS: u32 = crate::configs::MAX_ORACLE_OPERATORS;

parameter_types! {
	/// Registering session keys holds 10 FLOOR: every account may register, and the keys
	/// take storage until purged.
	pub const KeyDeposit: Balance = 10 * UNIT;
	/// An hour of 6-second blocks per session where genesis sets no length.
	pub const DefaultSessionLength: BlockNumber = HOURS;
}

/// Sessions of [`manager::SessionLength`] blocks, the first rotation at that block.
pub type Sessions =
	pallet_session::PeriodicSessions<manager::SessionLengthOf<Runtime>, ConstU32<0>>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	// A validator is its account: no stash/controller split without staking.
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = ValidatorManager;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// No slashing and no disabling: misbehaviour is answered by a removal referendum.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = KeyDeposit;
}

/// Accounts with session keys registered for the next session.
pub struct HasSessionKeys;
impl polkadot_sdk::frame_support::traits::Contains<AccountId> for HasSessionKeys {
	fn contains(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Runtime>::contains_key(who)
	}
}

/// Registers deterministic session keys for benchmark accounts.
#[cfg(feature = "runtime-benchmarks")]
pub struct ManagerBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl manager::BenchmarkHelper<AccountId> for ManagerBenchmarkHelper {
	fn register_keys(who: &AccountId) {
		use polkadot_sdk::sp_core::{ed25519, sr25519};
		let raw: [u8; 32] = *who.as_ref();
		let keys = SessionKeys {
			aura: sr25519::Public::from_raw(raw).into(),
			grandpa: ed25519::Public::from_raw(raw).into(),
			oracle: sr25519::Public::from_raw(raw).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}

impl manager::Config for Runtime {
	type AdminOrigin = crate::governance::ValidatorAdmin;
	type HasSessionKeys = HasSessionKeys;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinValidators = ConstU32<1>;
	type DefaultSessionLength = DefaultSessionLength;
	type WeightInfo = manager_weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ManagerBenchmarkHelper;
}

/// The `flor` session key: the validator's oracle operator key. As a session handler it
/// makes the oracle operators the active validators' `flor` accounts.
pub struct OracleOperatorKeys;

impl BoundToRuntimeAppPublic for OracleOperatorKeys {
	type Public = pallet_true_floor_oracle::crypto::Public;
}

impl OracleOperatorKeys {
	/// Rewrites the operator set to these keys' accounts, if it differs.
	fn follow(keys: impl Iterator<Item = pallet_true_floor_oracle::crypto::Public>) {
		let mut operators: Vec<AccountId> =
			keys.map(crate::configs::OperatorKeyToAccount::convert).collect();
		operators.sort();
		operators.dedup();
		let current = pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get();
		if current.as_slice() == operators.as_slice() {
			return;
		}
		// Root passes `ResetOrigin`; the set fits because validators are bounded by the same
		// number as operators.
		if OracleOperators::reset_members(RuntimeOrigin::root(), operators).is_err() {
			polkadot_sdk::frame_support::defensive!(
				"the oracle operators could not follow the validator set"
			);
		}
	}
}

impl polkadot_sdk::frame_support::traits::OneSessionHandler<AccountId> for OracleOperatorKeys {
	type Key = pallet_true_floor_oracle::crypto::Public;

	fn on_genesis_session<'a, I>(validators: I)
	where
		I: 'a + Iterator<Item = (&'a AccountId, Self::Key)>,
	{
		Self::follow(validators.map(|(_, key)| key));
	}

	fn on_new_session<'a, I>(changed: bool, validators: I, _queued: I)
	where
		I: 'a + Iterator<Item = (&'a AccountId, Self::Key)>,
	{
		if changed {
			Self::follow(validators.map(|(_, key)| key));
		}
	}

	fn on_disabled(_: u32) {}
}
