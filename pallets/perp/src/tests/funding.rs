//! Funding (docs/funding.md): TWAPs over per-block snapshots, the premium fraction and its cap,
//! `Balanced` and `Symmetric` splits, the insurance fund as counterparty of an empty side,
//! lazy settlement into positions, and the triggers (anyone, the first trade when due).
//!
//! Market 0 is 100 base / 1000 quote (mark 10), index 10, every trade guard off. Trades
//! happen in block 1 (at `START_MS`); the next block starts one funding period later, so the
//! mark TWAP over the one-hour window is exactly the mark block 1 closed at, and the index
//! TWAP is 10. Expected values are computed here from the formulas of docs/funding.md with plain integers.

use crate::{mock::*, pallet::*, types::AccruedFees, InsuranceInflow, MarketParams};
use perp_math::{FundingMode, Side};
use polkadot_sdk::frame_support::{assert_noop, assert_ok};

const FIVE_X: u128 = 5 * UNIT;
const HOUR: u64 = 3_600;
const DAY: u128 = 86_400;

fn setup(params: MarketParams) {
	create_market_with(params);
	for who in [ALICE, BOB, CHARLIE] {
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
	}
}

fn open(who: AccountId, side: Side, margin_amount: u128) {
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who),
		0,
		side,
		margin_amount,
		FIVE_X,
		false,
		0
	));
}

fn size(who: AccountId) -> u128 {
	Positions::<Test>::get(who, 0).unwrap().position.size.unsigned_abs()
}

fn mark() -> u128 {
	Markets::<Test>::get(0).unwrap().reserves.mark_price().unwrap()
}

/// The premium fraction of one hour at `mark_twap` against index 10, uncapped.
fn uncapped_premium(mark_twap: u128) -> u128 {
	mark_twap.abs_diff(10 * UNIT) * u128::from(HOUR) / DAY
}

fn funding_settled() -> (i128, i128, i128) {
	perp_events()
		.into_iter()
		.rev()
		.find_map(|event| match event {
			Event::FundingSettled { long_rate, short_rate, insurance, .. } => {
				Some((long_rate, short_rate, insurance))
			},
			_ => None,
		})
		.expect("a FundingSettled event")
}

/// The funding the close of `who`'s position settled.
fn close_and_funding(who: AccountId) -> i128 {
	assert_ok!(Perp::close_position(RuntimeOrigin::signed(who), 0, 0));
	perp_events()
		.into_iter()
		.rev()
		.find_map(|event| match event {
			Event::PositionChanged { who: trader, funding_payment, size: 0, .. }
				if trader == who =>
			{
				Some(funding_payment)
			},
			_ => None,
		})
		.expect("the close's PositionChanged event")
}

/// No funding cap, and no dynamic k (its size remap is tested in `liquidity`).
fn accrued_fees() -> AccruedFees {
	Markets::<Test>::get(0).unwrap().accrued_fees
}

fn no_cap(mode: FundingMode) -> MarketParams {
	MarketParams { max_funding_rate: 0, funding_mode: mode, k_step: 0, ..unguarded_params() }
}

#[test]
fn settlement_is_not_due_before_one_period() {
	ExtBuilder::default().build_and_execute(|| {
		setup(no_cap(FundingMode::Balanced));
		open(ALICE, Side::Long, 10 * UNIT);
		advance(HOUR - 1);
		let before = Markets::<Test>::get(0).unwrap();
		assert_noop!(
			Perp::settle_funding(RuntimeOrigin::signed(CHARLIE), 0),
			Error::<Test>::FundingNotDue
		);
		assert_eq!(Markets::<Test>::get(0).unwrap(), before);
		assert_noop!(
			Perp::settle_funding(RuntimeOrigin::signed(CHARLIE), 9),
			Error::<Test>::UnknownMarket
		);
		assert_noop!(
			Perp::settle_funding(RuntimeOrigin::none(), 0),
			polkadot_sdk::sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn balanced_funding_longs_pay_what_shorts_receive() {
	ExtBuilder::default().build_and_execute(|| {
		setup(no_cap(FundingMode::Balanced));
		open(ALICE, Side::Long, 10 * UNIT);
		open(BOB, Side::Short, 5 * UNIT);
		let mark_twap = mark();
		let (long_size, short_size) = (size(ALICE), size(BOB));
		advance(HOUR);
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(CHARLIE), 0));

		// PF = (markTWAP − 10) / 24; G = ⌊√(L·S)⌋; longs pay ⌈PF·G / L⌉, shorts get ⌊PF·G / S⌋.
		let premium = uncapped_premium(mark_twap);
		let transfer = premium * (long_size * short_size).isqrt();
		let pay_rate = transfer.div_ceil(long_size);
		let receive_rate = transfer / short_size;
		let insurance = (pay_rate * long_size - receive_rate * short_size) / UNIT;
		assert_eq!(mark_twap, 10_506_249_999_999_999_999);
		assert_eq!(premium, 21_093_749_999_999_999);
		assert_eq!(funding_settled(), (pay_rate as i128, receive_rate as i128, insurance as i128));
		let market = Markets::<Test>::get(0).unwrap();
		assert_eq!(market.cumulative_premium.long, pay_rate as i128);
		assert_eq!(market.cumulative_premium.short, receive_rate as i128);
		assert_eq!(market.last_funding_time, START_MS / 1_000 + HOUR);

		// Each side settles lazily when touched: Alice pays ⌈rate·L⌉, Bob receives ⌊rate·S⌋.
		let alice_paid = close_and_funding(ALICE);
		let bob_received = -close_and_funding(BOB);
		assert_eq!(alice_paid, (pay_rate * long_size).div_ceil(UNIT) as i128);
		assert_eq!(bob_received, (receive_rate * short_size / UNIT) as i128);
		assert_eq!(alice_paid, 70_154_828_816_140_667);
		assert_eq!(bob_received, 70_154_828_816_140_662);
		// What one side pays the other receives, to the rounding the vault keeps (at most a
		// raw unit per whole unit of size on each side).
		assert_eq!(insurance, 4);
		assert!(alice_paid - bob_received <= ((long_size + short_size) / UNIT + 2) as i128);
	});
}

#[test]
fn symmetric_funding_the_insurance_fund_takes_the_imbalance() {
	ExtBuilder::default().build_and_execute(|| {
		setup(no_cap(FundingMode::Symmetric));
		open(ALICE, Side::Long, 10 * UNIT);
		open(BOB, Side::Short, 5 * UNIT);
		let mark_twap = mark();
		let (long_size, short_size) = (size(ALICE), size(BOB));
		advance(HOUR);
		// Settlement first pays out the fee shares the trades accrued.
		let fund_before = insurance_balance() + accrued_fees().insurance;
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(CHARLIE), 0));

		// Both sides move by PF; the longs' surplus PF·(L − S) goes to the fund now.
		let premium = uncapped_premium(mark_twap);
		let surplus = (premium * long_size - premium * short_size) / UNIT;
		assert_eq!(funding_settled(), (premium as i128, premium as i128, surplus as i128));
		assert_eq!(insurance_balance() - fund_before, surplus);
		assert_eq!(insurance_received(InsuranceInflow::FundingIncome), surplus);
		assert_eq!(close_and_funding(ALICE), (premium * long_size).div_ceil(UNIT) as i128);
		assert_eq!(-close_and_funding(BOB), (premium * short_size / UNIT) as i128);
	});
}

#[test]
fn the_funding_cap_binds_both_sides_rates() {
	ExtBuilder::default().build_and_execute(|| {
		// default cap: |PF| ≤ indexTWAP · 0.000125 = 0.00125 per hour.
		setup(MarketParams { funding_mode: FundingMode::Balanced, ..unguarded_params() });
		open(ALICE, Side::Long, 10 * UNIT);
		open(BOB, Side::Short, 5 * UNIT);
		let (long_size, short_size) = (size(ALICE), size(BOB));
		advance(HOUR);
		assert!(uncapped_premium(mark()) > 1_250_000_000_000_000);
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(CHARLIE), 0));

		// The transfer is capped at cap · min(L, S): the smaller side moves by the cap
		// exactly, the larger by cap · S / L.
		let cap = 1_250_000_000_000_000u128;
		let (long_rate, short_rate, _) = funding_settled();
		assert_eq!(short_rate, cap as i128);
		assert_eq!(long_rate, (cap * short_size).div_ceil(long_size) as i128);
		assert!(long_rate < cap as i128);
	});
}

#[test]
fn an_empty_side_the_insurance_fund_pays_within_its_subsidy() {
	ExtBuilder::default().insurance(10 * UNIT).build_and_execute(|| {
		setup(no_cap(FundingMode::Balanced));
		// The floor is 12: Alice's long leaves the mark below the index, so longs receive
		// and no short pays. The fund may pay 1 % of its 10 per period: 0.1.
		set_index(COLLECTION, 12 * UNIT);
		run_to_block(2);
		open(ALICE, Side::Long, 10 * UNIT);
		let long_size = size(ALICE);
		advance(HOUR);
		set_index(COLLECTION, 12 * UNIT);
		// Settlement first pays out the fee shares the trade accrued.
		let accrued = accrued_fees();
		let fund_before = insurance_balance() + accrued.insurance;
		let vault_before = free(Perp::vault_account()) - accrued.total().unwrap();
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(CHARLIE), 0));

		// 1 % of what the fund can pay (its balance above the existential deposit).
		let subsidy = (fund_before - 1) / 100;
		let receive_rate = subsidy * UNIT / long_size;
		let paid = (receive_rate * long_size).div_ceil(UNIT);
		assert_eq!(funding_settled(), (-(receive_rate as i128), 0, -(paid as i128)));
		assert_eq!(fund_before - insurance_balance(), paid);
		assert_eq!(free(Perp::vault_account()) - vault_before, paid);
		assert!(paid <= subsidy);
		assert_eq!(-close_and_funding(ALICE), (receive_rate * long_size / UNIT) as i128);
	});
}

#[test]
fn the_first_trade_after_the_period_settles_funding_first() {
	ExtBuilder::default().build_and_execute(|| {
		setup(no_cap(FundingMode::Balanced));
		open(ALICE, Side::Long, 10 * UNIT);
		open(BOB, Side::Short, 5 * UNIT);
		advance(HOUR);
		set_index(COLLECTION, 10 * UNIT);
		System::reset_events();
		open(CHARLIE, Side::Long, UNIT);
		let events = perp_events();
		let settled = events.iter().position(|e| matches!(e, Event::FundingSettled { .. }));
		let traded = events.iter().position(|e| matches!(e, Event::PositionChanged { .. }));
		assert!(settled.unwrap() < traded.unwrap());
		// Within the same period a second trade does not settle again.
		System::reset_events();
		open(BOB, Side::Short, UNIT);
		assert!(!perp_events().iter().any(|e| matches!(e, Event::FundingSettled { .. })));
	});
}

#[test]
fn a_trade_in_the_current_block_has_no_weight_in_the_twap() {
	ExtBuilder::default().build_and_execute(|| {
		setup(no_cap(FundingMode::Balanced));
		advance(HOUR / 2);
		set_index(COLLECTION, 10 * UNIT);
		open(ALICE, Side::Long, 10 * UNIT);
		let closing_mark = mark();
		advance(HOUR / 2);
		let estimate = || Perp::market_info(0).unwrap().unwrap().funding_estimate.unwrap();
		let before = estimate();
		// Half an hour at 10, then half an hour at the mark Alice's block closed at.
		assert_eq!(before.mark_twap, (10 * UNIT + closing_mark) / 2);
		assert_eq!(before.index_twap, 10 * UNIT);
		set_index(COLLECTION, 10 * UNIT);
		open(BOB, Side::Short, 50 * UNIT);
		let after = estimate();
		assert_eq!((after.mark_twap, after.index_twap), (before.mark_twap, before.index_twap));
		// From the next block on, Bob's trade counts.
		advance(60);
		assert!(estimate().mark_twap < before.mark_twap);
	});
}

#[test]
fn settlement_pays_out_the_fee_shares_the_trades_accrued() {
	ExtBuilder::default().build_and_execute(|| {
		setup(no_cap(FundingMode::Balanced));
		open(ALICE, Side::Long, 10 * UNIT);
		open(BOB, Side::Short, 10 * UNIT);
		// Two fees of ⌈50 × 0.3 %⌉ = 0.15, each split 0.075 / 0.0375 / 0.0375: the vault
		// holds the insurance and treasury shares until settlement.
		let accrued = accrued_fees();
		assert_eq!(
			accrued,
			AccruedFees { insurance: 150_000_000_000_000_000, treasury: 75_000_000_000_000_000 }
		);
		let (fund, treasury, vault) =
			(insurance_balance(), free(TREASURY), free(Perp::vault_account()));
		advance(HOUR);
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(CHARLIE), 0));

		assert_eq!(accrued_fees(), AccruedFees::default());
		assert_eq!(insurance_balance() - fund, accrued.insurance);
		assert_eq!(free(TREASURY) - treasury, accrued.treasury);
		assert_eq!(insurance_received(InsuranceInflow::Fee), accrued.insurance);
		// Balanced funding with equal sides moves nothing through the vault.
		assert_eq!(vault - free(Perp::vault_account()), accrued.total().unwrap());
		System::assert_has_event(
			Event::FeesPaidOut {
				market: 0,
				insurance: accrued.insurance,
				treasury: accrued.treasury,
			}
			.into(),
		);
	});
}
