//! Test runtime: System, Balances (18 decimals, ED = 1 unit) and Insurance, Root as the
//! insurance admin, 10-block claim periods.

use crate::{self as pallet_insurance};
use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{ConstU128, ConstU64},
		PalletId,
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, sp_io,
	sp_runtime::BuildStorage,
};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type MarketId = u32;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Insurance: pallet_insurance,
	}
);

/// One whole unit (18 decimals).
pub const UNIT: u128 = 1_000_000_000_000_000_000;
/// The existential deposit.
pub const ED: u128 = UNIT;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// Every user account starts with this much.
pub const INITIAL_BALANCE: u128 = 10_000 * UNIT;
/// Blocks per bad-debt claim period.
pub const CLAIM_PERIOD: u64 = 10;
/// Two markets.
pub const MARKET: MarketId = 0;
pub const OTHER_MARKET: MarketId = 1;

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
}

parameter_types! {
	pub const InsurancePalletId: PalletId = PalletId(*b"flr/insr");
}

impl pallet_insurance::Config for Test {
	type Currency = Balances;
	type MarketId = MarketId;
	type PalletId = InsurancePalletId;
	type InsuranceAdmin = EnsureRoot<AccountId>;
	type ClaimPeriod = ConstU64<CLAIM_PERIOD>;
	type WeightInfo = ();
}

/// Builds test externalities: funded users and the fund's genesis (by default 1_000 units,
/// target 500, low watermark 200, default claim cap 100), at block 1.
pub struct ExtBuilder {
	balances: Vec<(AccountId, u128)>,
	insurance: pallet_insurance::GenesisConfig<Test>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			balances: vec![
				(ALICE, INITIAL_BALANCE),
				(BOB, INITIAL_BALANCE),
				(CHARLIE, INITIAL_BALANCE),
			],
			insurance: pallet_insurance::GenesisConfig {
				target_balance: 500 * UNIT,
				low_watermark: 200 * UNIT,
				default_claim_cap: 100 * UNIT,
				initial_funding: 1_000 * UNIT,
				..Default::default()
			},
		}
	}
}

impl ExtBuilder {
	/// Mints `amount` into the fund at genesis.
	pub fn initial_funding(mut self, amount: u128) -> Self {
		self.insurance.initial_funding = amount;
		self
	}

	/// Sets the genesis target balance.
	pub fn target_balance(mut self, amount: u128) -> Self {
		self.insurance.target_balance = amount;
		self
	}

	/// Sets the genesis low watermark.
	pub fn low_watermark(mut self, amount: u128) -> Self {
		self.insurance.low_watermark = amount;
		self
	}

	/// Sets the genesis default claim cap.
	pub fn default_claim_cap(mut self, cap: u128) -> Self {
		self.insurance.default_claim_cap = cap;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig {
				balances: self.balances,
				..Default::default()
			},
			insurance: self.insurance,
		}
		.build_storage()
		.unwrap();
		let mut ext: sp_io::TestExternalities = storage.into();
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks every invariant of the pallet.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Insurance::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// Free balance of `who`.
pub fn free(who: AccountId) -> u128 {
	Balances::free_balance(who)
}

/// The fund account.
pub fn fund() -> AccountId {
	Insurance::account_id()
}

/// The events emitted by the pallet so far.
pub fn insurance_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Insurance(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// The `LowWatermarkCrossed` events emitted so far.
pub fn crossings() -> Vec<crate::Event<Test>> {
	insurance_events()
		.into_iter()
		.filter(|event| matches!(event, crate::Event::LowWatermarkCrossed { .. }))
		.collect()
}
