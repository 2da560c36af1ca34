//! Configuration of every pallet in the runtime.

use super::*;
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight,
	},
	PalletId,
};
use frame_system::limits::BlockWeights;
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::{AccountIdConversion, One},
	transaction_validity::TransactionPriority,
	Perbill,
};

/// Normal extrinsics may fill 75% of a block; the rest is kept for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// Five MiB per block.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	pub const Version: RuntimeVersion = VERSION;

	/// Two seconds of compute per 6-second block, leaving time for import and propagation.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(MAX_BLOCK_LENGTH)
			.modify_max_length_for_class(DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO * MAX_BLOCK_LENGTH
			})
			.build();
	/// Generic Substrate prefix: addresses start with `5`, as Polkadot-JS shows by default.
	pub const SS58Prefix: u8 = 42;
}

/// The calls the runtime dispatches. Everything but `Oracle.feed_values` for a collection the
/// true-floor oracle is configured for: that index is fed only through
/// `TrueFloor.submit_floors`, whose checks (a genesis-bound operator signature, a recent
/// feed, one per operator per block, a configured collection, a price within its bounds) an
/// operator could otherwise step around. Keys without a true-floor configuration keep
/// `pallet-oracle`'s own path (operator membership, one feed per block); Root, dispatching
/// without the filter, may feed any.
pub struct RuntimeCallFilter;
impl frame_support::traits::Contains<RuntimeCall> for RuntimeCallFilter {
	fn contains(call: &RuntimeCall) -> bool {
		match call {
			RuntimeCall::Oracle(pallet_oracle::Call::feed_values { values }) => {
				!values.iter().any(|(collection, _)| TrueFloor::is_configured(collection))
			},
			_ => true,
		}
	}
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type BaseCallFilter = RuntimeCallFilter;
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = ConstU32<2400>;
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SystemWeightInfo = frame_system::weights::SubstrateWeight<Runtime>;
	type ExtensionsWeightInfo = frame_system::SubstrateExtensionsWeight<Runtime>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = Moment;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	// No staking: equivocations are not slashed, so no nominators and no proofs to keep.
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fee per unit of ref_time: a balance transfer costs roughly 0.0002 FLOOR.
	pub const WeightToFeeMultiplier: Balance = 1_000_000;
	/// Fee per encoded byte of a transaction.
	pub const TransactionByteFee: Balance = MICRO_UNIT;
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// 80 % of each fee to the treasury, 20 % and tips to the block's author.
	type OnChargeTransaction = FungibleAdapter<Balances, crate::treasury::DealWithFees>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = ConstantMultiplier<Balance, WeightToFeeMultiplier>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// Upper bound on oracle operators; each validator runs one.
pub const MAX_ORACLE_OPERATORS: u32 = 32;

impl pallet_membership::Config<pallet_membership::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = crate::governance::OracleAdmin;
	type RemoveOrigin = crate::governance::OracleAdmin;
	type SwapOrigin = crate::governance::OracleAdmin;
	type ResetOrigin = crate::governance::OracleAdmin;
	type PrimeOrigin = crate::governance::OracleAdmin;
	type MembershipInitialized = ();
	// A removed operator's raw feeds are deleted with it.
	type MembershipChanged = Oracle;
	type MaxMembers = ConstU32<MAX_ORACLE_OPERATORS>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const OraclePalletId: PalletId = PalletId(*b"fp/oracl");
	/// Feeds older than ten minutes (in milliseconds) drop out of the quorum.
	pub const OracleExpiresIn: Moment = 10 * 60 * 1000;
}

/// Builds benchmark inputs for the oracle's `feed_values`.
#[cfg(feature = "runtime-benchmarks")]
pub struct OracleBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_oracle::BenchmarkHelper<CollectionId, Price, ConstU32<MAX_ORACLE_OPERATORS>>
	for OracleBenchmarkHelper
{
	fn get_currency_id_value_pairs(
	) -> frame_support::BoundedVec<(CollectionId, Price), ConstU32<MAX_ORACLE_OPERATORS>> {
		(0..MAX_ORACLE_OPERATORS)
			.map(|market| (market, UNIT.saturating_mul(u128::from(market) + 1)))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap_or_default()
	}
}

impl pallet_oracle::Config for Runtime {
	type OnNewData = ();
	/// The median of a quorum of agreeing fresh feeds (`TrueFloor::Quorum`: a majority of the
	/// operators within 10 %, one on a one-operator chain); without a quorum the index is not
	/// updated and goes stale.
	type CombineData = pallet_true_floor_oracle::QuorumMedian<Runtime, OracleExpiresIn>;
	type Time = Timestamp;
	type OracleKey = CollectionId;
	type OracleValue = Price;
	type PalletId = OraclePalletId;
	type Members = OracleOperators;
	type WeightInfo = pallet_oracle::weights::SubstrateWeight<Runtime>;
	type MaxHasDispatchedSize = ConstU32<MAX_ORACLE_OPERATORS>;
	type MaxFeedValues = ConstU32<MAX_ORACLE_OPERATORS>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = OracleBenchmarkHelper;
}

parameter_types! {
	/// Oracle feeds go before liquidations (`LiquidationPriority` is `MAX / 4`), so every
	/// liquidation in a block sees the freshest index.
	pub const FeedPriority: TransactionPriority = TransactionPriority::MAX / 2;
}

/// An oracle operator key's account: its sr25519 public key, as for any sr25519 signer.
pub struct OperatorKeyToAccount;
impl sp_runtime::traits::Convert<pallet_true_floor_oracle::crypto::Public, AccountId>
	for OperatorKeyToAccount
{
	fn convert(key: pallet_true_floor_oracle::crypto::Public) -> AccountId {
		use sp_runtime::traits::IdentifyAccount;
		sp_runtime::MultiSigner::from(sp_core::sr25519::Public::from(key)).into_account()
	}
}

/// Benchmark hooks of the true-floor oracle.
#[cfg(feature = "runtime-benchmarks")]
pub struct TrueFloorBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_true_floor_oracle::BenchmarkHelper<CollectionId, AccountId>
	for TrueFloorBenchmarkHelper
{
	fn collection(seed: u32) -> CollectionId {
		seed
	}

	fn make_operator(who: &AccountId) {
		// Refused only for a member already (what the benchmark asks for) or a full set,
		// which `operator_room` keeps the benchmarks below.
		let _ = OracleOperators::add_member(RuntimeOrigin::root(), who.clone().into());
	}

	fn operator_room() -> u32 {
		let members =
			pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get().len();
		let members = u32::try_from(members).unwrap_or(u32::MAX);
		MAX_ORACLE_OPERATORS.saturating_sub(members)
	}
}

impl pallet_true_floor_oracle::Config for Runtime {
	type CollectionKey = CollectionId;
	type Feeder = Oracle;
	type OperatorId = pallet_true_floor_oracle::crypto::Public;
	type OperatorAccount = OperatorKeyToAccount;
	type Operators = OracleOperators;
	type OracleAdmin = crate::governance::OracleAdmin;
	type TimeProvider = Timestamp;
	type FeedPriority = FeedPriority;
	type FeedLongevity = ConstU32<5>;
	/// Half the oracle's expiry and the markets' default `max_oracle_age` (10 min).
	type MaxHeartbeat = ConstU64<300>;
	type MaxCollections = ConstU32<64>;
	type WeightInfo = pallet_true_floor_oracle::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TrueFloorBenchmarkHelper;
}

parameter_types! {
	/// The perp vault: holds every position's margin and the convergence reserves.
	pub const PerpPalletId: PalletId = PalletId(*b"fp/perp_");
	/// pallet-treasury's account: receives the trading fee share that goes neither to
	/// insurance nor to convergence, and the treasury's share of transaction fees.
	pub const TreasuryPalletId: PalletId = PalletId(*b"fp/trsry");
	/// The insurance fund's account (owned by the insurance pallet).
	pub const InsurancePalletId: PalletId = PalletId(*b"fp/insur");
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
}

/// The accounts the perp pallet pays ETH into; each must exist (hold ETH's minimum balance)
/// from genesis so that the first small fee transfer cannot fail.
pub fn perp_system_accounts() -> [AccountId; 3] {
	[
		PerpPalletId::get().into_account_truncating(),
		TreasuryAccount::get(),
		InsurancePalletId::get().into_account_truncating(),
	]
}

/// The index price of a collection: the oracle's median of fresh operator feeds.
pub struct OracleIndexPrice;
impl pallet_perp::PriceProvider<CollectionId> for OracleIndexPrice {
	fn index_price(collection: &CollectionId) -> Option<pallet_perp::IndexPrice> {
		Oracle::get(collection)
			.map(|feed| pallet_perp::IndexPrice { price: feed.value, timestamp: feed.timestamp })
	}
}

/// The insurance fund as the perp pallet sees it: pallet-insurance, every payout within the
/// market's outflow cap per claim period.
pub struct InsuranceFundAdapter;
impl pallet_perp::InsuranceFund<AccountId> for InsuranceFundAdapter {
	fn account() -> AccountId {
		Insurance::account_id()
	}

	fn on_received(
		market: pallet_perp::MarketId,
		inflow: pallet_perp::InsuranceInflow,
		amount: Balance,
	) {
		use pallet_insurance::InflowSource;
		use pallet_perp::InsuranceInflow;
		let source = match inflow {
			InsuranceInflow::Fee => InflowSource::Fee,
			InsuranceInflow::LiquidationPenalty => InflowSource::LiquidationPenalty,
			InsuranceInflow::ResidualMargin => InflowSource::ResidualMargin,
			InsuranceInflow::FundingIncome => InflowSource::FundingIncome,
			InsuranceInflow::MigrationRefund => InflowSource::MigrationRefund,
		};
		Insurance::note_inflow(source, Some(market), amount);
	}

	fn capacity(market: pallet_perp::MarketId, _outflow: pallet_perp::InsuranceOutflow) -> Balance {
		Insurance::claim_capacity(market)
	}

	fn pay(
		market: pallet_perp::MarketId,
		outflow: pallet_perp::InsuranceOutflow,
		to: &AccountId,
		amount: Balance,
	) -> Result<Balance, sp_runtime::DispatchError> {
		use pallet_insurance::OutflowPurpose;
		use pallet_perp::InsuranceOutflow;
		let purpose = match outflow {
			InsuranceOutflow::BadDebt => OutflowPurpose::BadDebt,
			InsuranceOutflow::FundingSubsidy => OutflowPurpose::FundingSubsidy,
			InsuranceOutflow::ConvergenceCost => OutflowPurpose::ConvergenceCost,
			InsuranceOutflow::MigrationCost => OutflowPurpose::MigrationCost,
		};
		Insurance::pay(purpose, Some(market), to, amount)
	}
}

/// The author of the block being built or imported: the validator whose Aura key claimed the
/// slot (its account, not the rotatable session key), so liquidation rewards land on the
/// validator's own account.
pub struct AuraBlockAuthor;
impl frame_support::traits::Get<Option<AccountId>> for AuraBlockAuthor {
	fn get() -> Option<AccountId> {
		use frame_support::traits::FindAuthor;
		let digest = frame_system::Pallet::<Runtime>::digest();
		let pre_runtime = digest.logs().iter().filter_map(|item| item.as_pre_runtime());
		pallet_session::FindAccountFromAuthorIndex::<Runtime, Aura>::find_author(pre_runtime)
	}
}

parameter_types! {
	/// OCW liquidations outrank user transactions (fee-based priority) by far; oracle feeds
	/// are to outrank them in turn.
	pub const LiquidationPriority: TransactionPriority = TransactionPriority::MAX / 4;
	/// Offchain-worker liquidations one block may include: as many as fill a third of the
	/// normal class at their benchmarked worst-case weight (the call, a due funding
	/// settlement and the authorisation), 139 today. A crash is cleared by the band and the
	/// weight, not by a count picked by hand (docs/PERFORMANCE.md#the-crash-drill: 20 made
	/// a 10,000-position crash wait on the count); two thirds stay for traders, who add
	/// margin and close in a crash too.
	pub MaxLiquidationsPerBlock: u32 = liquidations_per_block();
}

/// The most one offchain-worker liquidation counts against its block: `liquidate`'s
/// declared weight (the worse of a partial and a bankrupt liquidation, with a due funding
/// settlement) and its authorisation.
pub fn liquidation_weight() -> Weight {
	use pallet_perp::WeightInfo as _;
	type Weights = pallet_perp::weights::SubstrateWeight<Runtime>;
	Weights::liquidate()
		.max(Weights::liquidate_bankrupt())
		.saturating_add(Weights::settle_funding())
		.saturating_add(Weights::authorize_liquidate())
}

/// See [`MaxLiquidationsPerBlock`].
fn liquidations_per_block() -> u32 {
	let one = liquidation_weight().ref_time().max(1);
	let normal = RuntimeBlockWeights::get()
		.get(DispatchClass::Normal)
		.max_total
		.unwrap_or(RuntimeBlockWeights::get().max_block)
		.ref_time();
	u32::try_from(normal / 3 / one).unwrap_or(u32::MAX).max(1)
}

/// Transactions built by offchain workers (authorised liquidations, funding settlements,
/// convergences and remaps): general (v5)
/// extrinsics carrying the runtime's extensions, with no signer.
impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// Blocks an offchain worker's authorised transaction lives from its birth (a power of two;
/// the pallets' own longevities, e.g. a liquidation's 5 blocks, are shorter and apply first).
pub const AUTHORIZED_TRANSACTION_PERIOD: u64 = 16;

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	/// `AuthorizeCall` turns the call's `#[pallet::authorize]` check into the origin; the
	/// other extensions act on signed origins only (no nonce, no fee) or check the chain.
	///
	/// Mortal, born at the worker's parent block: without a nonce or a signature, the era is
	/// what makes a worker's call of one block different bytes from the same call a block
	/// later. Immortal, a position liquidated in part and still liquidatable was refused by
	/// the pool (`AlreadyImported`: the included copy stays in the pool's memory until its
	/// block is final) for about three blocks (docs/PERFORMANCE.md#the-crash-drill-on-a-node).
	fn create_extension() -> TxExtension {
		let parent = u64::from(System::block_number().saturating_sub(1));
		(
			frame_system::AuthorizeCall::new(),
			frame_system::CheckNonZeroSender::new(),
			frame_system::CheckSpecVersion::new(),
			frame_system::CheckTxVersion::new(),
			frame_system::CheckGenesis::new(),
			frame_system::CheckEra::from(sp_runtime::generic::Era::mortal(
				AUTHORIZED_TRANSACTION_PERIOD,
				parent,
			)),
			frame_system::CheckNonce::from(0),
			frame_system::CheckWeight::new(),
			pallet_transaction_payment::ChargeTransactionPayment::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::new(false),
			frame_system::WeightReclaim::new(),
		)
	}
}

/// Benchmark set-up for the perp pallet: collections and index prices written straight into
/// the oracle.
#[cfg(feature = "runtime-benchmarks")]
pub struct PerpBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_perp::BenchmarkHelper<CollectionId> for PerpBenchmarkHelper {
	fn collection(seed: u32) -> CollectionId {
		seed
	}

	fn set_index_price(collection: &CollectionId, price: Price, timestamp: Moment) {
		pallet_oracle::Values::<Runtime>::insert(
			collection,
			pallet_oracle::TimestampedValue { value: price, timestamp },
		);
	}

	fn set_time(timestamp: Moment) {
		pallet_timestamp::Now::<Runtime>::put(timestamp);
	}
}

impl pallet_perp::Config for Runtime {
	type Currency = crate::collateral::EthCollateral;
	type CollateralAssetId = crate::collateral::CollateralAssetId;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CollectionKey = CollectionId;
	type IndexPrice = OracleIndexPrice;
	type InsuranceFund = InsuranceFundAdapter;
	type BlockAuthor = AuraBlockAuthor;
	type LiquidationPriority = LiquidationPriority;
	type MaxLiquidationsPerBlock = MaxLiquidationsPerBlock;
	// ≈ 30 µs per position in the offchain worker (docs/PERFORMANCE.md): ≈ 60 ms of one core
	// per block, a full sweep of 100,000 positions in 49 blocks per validator.
	type LiquidationScanLimit = ConstU32<2048>;
	// A remap is one position read, remapped and written: 64 of them stay a small share of a
	// block; a scan's stale positions of one market go in at most 2048 / 64 = 32 batches.
	type MaxRemapsPerCall = ConstU32<64>;
	type Treasury = TreasuryAccount;
	type PalletId = PerpPalletId;
	type MarketAdmin = crate::governance::MarketAdmin;
	type TimeProvider = Timestamp;
	type MaxMarkets = ConstU32<256>;
	type MaxPriceSamples = ConstU32<64>;
	type MaxPositionsPerAccount = ConstU32<16>;
	type WeightInfo = pallet_perp::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = PerpBenchmarkHelper;
}

parameter_types! {
	/// A market's payouts from the insurance fund (every purpose) are capped per day.
	pub const InsuranceClaimPeriod: BlockNumber = DAYS;
}

impl pallet_insurance::Config for Runtime {
	type Currency = crate::collateral::EthCollateral;
	type MarketId = pallet_perp::MarketId;
	type PalletId = InsurancePalletId;
	type InsuranceAdmin = crate::governance::InsuranceAdmin;
	type ClaimPeriod = InsuranceClaimPeriod;
	type WeightInfo = pallet_insurance::weights::SubstrateWeight<Runtime>;
}
