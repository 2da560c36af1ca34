//! OpenGov (docs/parameters.md#governance): token holders decide every market parameter, new market, oracle
//! operator, insurance withdrawal and validator by referendum.
//!
//! - `pallet_preimage` stores the proposed call, `pallet_referenda` runs the referendum on
//!   the track its origin implies ([`tracks`]), `pallet_conviction_voting` tallies the
//!   votes, `pallet_scheduler` enacts the approved call with that origin.
//! - [`origins`] defines the `MarketAdmin`, `OracleAdmin`, `InsuranceAdmin` and
//!   `ValidatorAdmin` origins; the pallets accept Root or the matching track
//!   ([`MarketAdmin`], [`OracleAdmin`], [`InsuranceAdmin`], [`ValidatorAdmin`]).
//! - No whitelist or technical fast-track: the chain has no technical committee, and the
//!   oracle track's 10-minute enactment is the urgent path. Sudo exists on development
//!   presets only as a convenience.

pub mod origins;
pub mod tracks;

use crate::{
	configs::RuntimeBlockWeights, AccountId, Balance, Balances, BlockNumber, OriginCaller,
	Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin,
	Scheduler, System, DAYS, UNIT,
};
use polkadot_sdk::{
	frame_support::{
		parameter_types,
		traits::{
			fungible::HoldConsideration, tokens::currency::ActiveIssuanceOf, ConstU32, EitherOf,
			EqualPrivilegeOnly, LinearStoragePrice,
		},
		weights::Weight,
	},
	frame_system::{EnsureRoot, EnsureSigned},
	pallet_conviction_voting, pallet_preimage, pallet_referenda, pallet_scheduler,
	sp_runtime::Perbill,
};

/// Root or a `market_admin` referendum.
pub type MarketAdmin = EitherOf<EnsureRoot<AccountId>, origins::MarketAdminTrack>;
/// Root or an `oracle_admin` referendum.
pub type OracleAdmin = EitherOf<EnsureRoot<AccountId>, origins::OracleAdminTrack>;
/// Root or an `insurance_admin` referendum.
pub type InsuranceAdmin = EitherOf<EnsureRoot<AccountId>, origins::InsuranceAdminTrack>;
/// Root or a `validator_admin` referendum.
pub type ValidatorAdmin = EitherOf<EnsureRoot<AccountId>, origins::ValidatorAdminTrack>;

impl origins::Config for Runtime {}

parameter_types! {
	/// Scheduled calls may use up to 80 % of a block.
	pub MaximumSchedulerWeight: Weight = Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// A preimage holds 1 FLOOR plus 0.01 FLOOR per byte.
	pub const PreimageBaseDeposit: Balance = UNIT;
	pub const PreimageByteDeposit: Balance = UNIT / 100;
	/// Votes stay locked for a week per conviction doubling.
	pub const VoteLockingPeriod: BlockNumber = 7 * DAYS;
	/// Submitting a referendum holds 100 FLOOR (refunded when it ends).
	pub const SubmissionDeposit: Balance = 100 * UNIT;
	pub const UndecidingTimeout: BlockNumber = 14 * DAYS;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_conviction_voting::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	type MaxTurnout = ActiveIssuanceOf<Balances, AccountId>;
	type MaxVotes = ConstU32<512>;
	type VoteLockingPeriod = VoteLockingPeriod;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	type SubmitOrigin = EnsureSigned<AccountId>;
	type CancelOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Slash = ();
	type Votes = pallet_conviction_voting::VotesOf<Runtime>;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = ConstU32<1>;
	type Tracks = tracks::TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}
