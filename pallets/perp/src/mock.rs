//! Test runtime: System, Balances (18 decimals, ED = 1 raw unit), Timestamp and Perp, with
//! a settable index price, an insurance fund that is a plain account with a settable
//! outflow cap (every payout), a settable block author, and authorised transactions for the OCW.

use crate::{
	self as pallet_perp, IndexPrice, InsuranceFund, InsuranceInflow, InsuranceOutflow, MarketId,
	MarketParams, PriceProvider,
};
use core::cell::RefCell;
use perp_math::ONE;
use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::{Fortitude, Preservation},
			ConstU128, ConstU32, ConstU64, OnFinalize,
		},
		PalletId,
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, pallet_timestamp, sp_io,
	sp_runtime::{generic, testing::TestXt, traits::BlakeTwo256, BuildStorage, DispatchError},
};
use std::collections::BTreeMap;

/// Transactions carry `AuthorizeCall`, as in the runtime, so OCW liquidations are authorised.
pub type TxExtension = frame_system::AuthorizeCall<Test>;
pub type Extrinsic = TestXt<RuntimeCall, TxExtension>;
type Block = generic::Block<generic::Header<u64, BlakeTwo256>, Extrinsic>;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Timestamp: pallet_timestamp,
		Perp: pallet_perp,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

/// One whole unit (18 decimals).
pub const UNIT: u128 = ONE;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const TREASURY: AccountId = 900;
pub const INSURANCE: AccountId = 901;
/// Every account starts with this much free balance.
pub const INITIAL_BALANCE: u128 = 10_000 * UNIT;
/// Unix time of block 1, milliseconds.
pub const START_MS: u64 = 1_700_000_000_000;
/// Milliseconds per block.
pub const BLOCK_MS: u64 = 6_000;
/// The collection of the default market.
pub const COLLECTION: u32 = 7;

thread_local! {
	static INDEX: RefCell<BTreeMap<u32, IndexPrice>> = const { RefCell::new(BTreeMap::new()) };
	static INSURANCE_INFLOWS: RefCell<Vec<(InsuranceInflow, u128)>> = const { RefCell::new(Vec::new()) };
	static OUTFLOW_CAP: RefCell<Option<u128>> = const { RefCell::new(None) };
	static OUTFLOW_CLAIMED: RefCell<u128> = const { RefCell::new(0) };
	static INSURANCE_FAILS: RefCell<bool> = const { RefCell::new(false) };
	static AUTHOR: RefCell<Option<AccountId>> = const { RefCell::new(None) };
}

/// Oracle stand-in: whatever the test set.
pub struct MockOracle;
impl PriceProvider<u32> for MockOracle {
	fn index_price(key: &u32) -> Option<IndexPrice> {
		INDEX.with(|index| index.borrow().get(key).copied())
	}
}

/// Sets the index of `collection`, observed at `timestamp` (ms).
pub fn set_index_at(collection: u32, price: u128, timestamp: u64) {
	INDEX.with(|index| index.borrow_mut().insert(collection, IndexPrice { price, timestamp }));
}

/// Sets the index of `collection`, observed now.
pub fn set_index(collection: u32, price: u128) {
	set_index_at(collection, price, Timestamp::get());
}

/// Removes the index of `collection`.
pub fn clear_index(collection: u32) {
	INDEX.with(|index| index.borrow_mut().remove(&collection));
}

/// Insurance stand-in: a plain account that records what it was told it received and pays
/// within a settable cap on everything it pays out, as the runtime's per-market outflow cap
/// (unlimited unless set); it can also be made to fail every payout.
pub struct MockInsurance;
impl InsuranceFund<AccountId> for MockInsurance {
	fn account() -> AccountId {
		INSURANCE
	}
	fn on_received(_market: MarketId, inflow: InsuranceInflow, amount: u128) {
		INSURANCE_INFLOWS.with(|inflows| inflows.borrow_mut().push((inflow, amount)));
	}
	fn capacity(_market: MarketId, _outflow: InsuranceOutflow) -> u128 {
		let available =
			Balances::reducible_balance(&INSURANCE, Preservation::Preserve, Fortitude::Polite);
		let claimed = OUTFLOW_CLAIMED.with(|claimed| *claimed.borrow());
		let cap = OUTFLOW_CAP.with(|cap| *cap.borrow()).unwrap_or(u128::MAX);
		available.min(cap.saturating_sub(claimed))
	}
	fn pay(
		market: MarketId,
		outflow: InsuranceOutflow,
		to: &AccountId,
		amount: u128,
	) -> Result<u128, DispatchError> {
		if INSURANCE_FAILS.with(|fails| *fails.borrow()) {
			return Err(DispatchError::Other("the insurance fund is unavailable"));
		}
		let paid = amount.min(Self::capacity(market, outflow));
		if paid == 0 {
			return Ok(0);
		}
		<Balances as Mutate<AccountId>>::transfer(&INSURANCE, to, paid, Preservation::Preserve)?;
		OUTFLOW_CLAIMED.with(|claimed| *claimed.borrow_mut() += paid);
		Ok(paid)
	}
}

/// What the insurance fund was told it received, in order.
pub fn insurance_inflows() -> Vec<(InsuranceInflow, u128)> {
	INSURANCE_INFLOWS.with(|inflows| inflows.borrow().clone())
}

/// The sum of the insurance fund's inflows of `kind`.
pub fn insurance_received(kind: InsuranceInflow) -> u128 {
	insurance_inflows().iter().filter(|(inflow, _)| *inflow == kind).map(|(_, amount)| amount).sum()
}

/// Fees reported to the insurance fund so far.
pub fn insurance_fees_reported() -> u128 {
	insurance_received(InsuranceInflow::Fee)
}

/// Caps what the fund pays out in total.
pub fn set_outflow_cap(cap: u128) {
	OUTFLOW_CAP.with(|stored| *stored.borrow_mut() = Some(cap));
}

/// Makes every payout of the fund fail (or work again).
pub fn set_insurance_failing(failing: bool) {
	INSURANCE_FAILS.with(|stored| *stored.borrow_mut() = failing);
}

/// Sets (or clears) the current block's author.
pub fn set_block_author(author: Option<AccountId>) {
	AUTHOR.with(|stored| *stored.borrow_mut() = author);
}

/// The block author stand-in.
pub struct MockAuthor;
impl frame_support::traits::Get<Option<AccountId>> for MockAuthor {
	fn get() -> Option<AccountId> {
		AUTHOR.with(|author| *author.borrow())
	}
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> TxExtension {
		TxExtension::new()
	}
}

/// The insurance fund's balance.
pub fn insurance_balance() -> u128 {
	Balances::balance(&INSURANCE)
}

parameter_types! {
	pub const PerpPalletId: PalletId = PalletId(*b"flr/perp");
	pub const TreasuryAccount: AccountId = TREASURY;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u32> for MockBenchmarkHelper {
	fn collection(seed: u32) -> u32 {
		seed
	}
	fn set_index_price(key: &u32, price: u128, timestamp: u64) {
		set_index_at(*key, price, timestamp);
	}
	fn set_time(timestamp: u64) {
		pallet_timestamp::Now::<Test>::put(timestamp);
	}
}

impl pallet_perp::Config for Test {
	type Currency = Balances;
	type CollateralAssetId = ();
	type RuntimeHoldReason = RuntimeHoldReason;
	type CollectionKey = u32;
	type IndexPrice = MockOracle;
	type InsuranceFund = MockInsurance;
	type BlockAuthor = MockAuthor;
	type LiquidationPriority = ConstU64<{ u64::MAX / 2 }>;
	type MaxLiquidationsPerBlock = ConstU32<2>;
	type LiquidationScanLimit = ConstU32<3>;
	type MaxRemapsPerCall = ConstU32<8>;
	type Treasury = TreasuryAccount;
	type PalletId = PerpPalletId;
	type MarketAdmin = EnsureRoot<AccountId>;
	type TimeProvider = Timestamp;
	type MaxMarkets = ConstU32<64>;
	type MaxPriceSamples = ConstU32<40>;
	type MaxPositionsPerAccount = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Builds test externalities: funded traders, existing vault/treasury/insurance accounts,
/// block 1 at `START_MS`.
pub struct ExtBuilder {
	balances: Vec<(AccountId, u128)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			balances: vec![
				(ALICE, INITIAL_BALANCE),
				(BOB, INITIAL_BALANCE),
				(CHARLIE, INITIAL_BALANCE),
				// The fee and vault accounts exist from genesis (ED), as the runtime will do.
				(TREASURY, 1),
				(INSURANCE, 1),
				(Perp::vault_account(), 1),
			],
		}
	}
}

impl ExtBuilder {
	/// Starts the insurance fund with `amount` instead of the existential deposit.
	pub fn insurance(mut self, amount: u128) -> Self {
		for (who, balance) in self.balances.iter_mut() {
			if *who == INSURANCE {
				*balance = amount;
			}
		}
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> { balances: self.balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext: sp_io::TestExternalities = storage.into();
		ext.execute_with(|| {
			INDEX.with(|index| index.borrow_mut().clear());
			INSURANCE_INFLOWS.with(|inflows| inflows.borrow_mut().clear());
			OUTFLOW_CAP.with(|cap| *cap.borrow_mut() = None);
			OUTFLOW_CLAIMED.with(|claimed| *claimed.borrow_mut() = 0);
			INSURANCE_FAILS.with(|fails| *fails.borrow_mut() = false);
			AUTHOR.with(|author| *author.borrow_mut() = None);
			System::set_block_number(1);
			Timestamp::set_timestamp(START_MS);
		});
		ext
	}

	/// Runs `test`, then checks every invariant of the pallet.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Perp::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Ends each block up to `n` (the perp pallet's `on_finalize` records prices) and moves to
/// block `n`, `BLOCK_MS` per block after `START_MS`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		Perp::on_finalize(System::block_number());
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Timestamp::set_timestamp(START_MS + (next - 1) * BLOCK_MS);
	}
}

/// Ends the block and starts the next one `seconds` later (like perp-sim's `advance`).
pub fn advance(seconds: u64) {
	Perp::on_finalize(System::block_number());
	System::set_block_number(System::block_number() + 1);
	Timestamp::set_timestamp(Timestamp::get() + seconds * 1_000);
}

/// The next block.
pub fn next_block() {
	run_to_block(System::block_number() + 1);
}

/// Creates the default market (id 0): 100 base / 1000 quote, mark 10, default parameters, with
/// a fresh index of 10.
pub fn create_default_market() {
	create_market_with(MarketParams::default());
}

/// Creates market 0 on `COLLECTION` with 100 base / 1000 quote and `params`, index 10.
pub fn create_market_with(params: MarketParams) {
	Perp::create_market(RuntimeOrigin::root(), COLLECTION, 100 * UNIT, 1_000 * UNIT, params)
		.unwrap();
	set_index(COLLECTION, 10 * UNIT);
}

/// The default parameters with every trade guard off (fluctuation band, divergence, sandwich).
pub fn unguarded_params() -> MarketParams {
	MarketParams {
		fluctuation_limit: 0,
		max_mark_index_divergence: 0,
		sandwich_guard: false,
		fee_level1_threshold: 0,
		fee_level2_threshold: 0,
		..MarketParams::default()
	}
}

/// Free balance of `who`.
pub fn free(who: AccountId) -> u128 {
	Balances::free_balance(who)
}

/// Held collateral of `who`.
pub fn held(who: AccountId) -> u128 {
	Perp::held_collateral(&who)
}

/// The events emitted by the pallet so far.
pub fn perp_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Perp(event) => Some(event),
			_ => None,
		})
		.collect()
}
