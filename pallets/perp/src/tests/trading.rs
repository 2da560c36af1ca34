//! Trading: open, increase, reduce, reverse, close, isolated margin and margin moves.
//!
//! Market 0 is 100 base / 1000 quote (k = 10^41 raw, mark 10). Expected values follow
//! perp-math's documented formulas: a long of quote q gets `x − ⌈k/(y+q)⌉` base, a short
//! owes `⌈k/(y−q)⌉ − x`, closing swaps the base back with the other reserve `⌈k'/x'⌉`.

use crate::{mock::*, pallet::*, types::AccruedFees, MarketParams, PositionInfo};
use perp_math::{Position, Reserves, Side};
use polkadot_sdk::frame_support::{assert_noop, assert_ok};

const FIVE_X: u128 = 5 * UNIT;
/// Base received by a long of 500 on the fresh market: `100 − ⌈10^41 / 1500⌉`.
const LONG_500_SIZE: i128 = 33_333_333_333_333_333_333;
/// Exit value of that long right after it: 5 raw units short of 500 (curve rounding).
const LONG_500_EXIT: u128 = 499_999_999_999_999_999_995;

fn setup() {
	create_market_with(unguarded_params());
	assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
	assert_ok!(Perp::deposit(RuntimeOrigin::signed(BOB), 1_000 * UNIT));
}

fn position(who: AccountId) -> Option<PositionInfo> {
	Positions::<Test>::get(who, 0)
}

fn open(who: AccountId, side: Side, margin: u128, isolated: bool) {
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who),
		0,
		side,
		margin,
		FIVE_X,
		isolated,
		0
	));
}

/// free + held + margin + fees + realised loss = what the account started with.
fn assert_conserved(who: AccountId, fees_paid: u128, realized_loss: u128) {
	let margin = position(who).map_or(0, |info| info.position.margin);
	assert_eq!(free(who) + held(who) + margin + fees_paid + realized_loss, INITIAL_BALANCE);
}

#[test]
fn open_long_cross() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, false);
		// Notional 100 × 5 = 500; fee ⌈500 × 0.3 %⌉ = 1.5 split 0.75 / 0.375 / 0.375, all of
		// it in the vault until funding settles.
		let info = position(ALICE).unwrap();
		assert_eq!(
			info.position,
			Position {
				size: LONG_500_SIZE,
				margin: 100 * UNIT,
				open_notional: 500 * UNIT,
				last_cumulative_premium: 0
			}
		);
		assert!(!info.isolated);
		assert_eq!(held(ALICE), 898_500_000_000_000_000_000);
		assert_eq!(free(ALICE), 9_000 * UNIT);
		assert_eq!(Perp::vault_balance(), 1 + 100 * UNIT + 1_500_000_000_000_000_000);
		assert_eq!(free(TREASURY), 1);
		assert_eq!(free(INSURANCE), 1);
		assert_eq!(insurance_fees_reported(), 0);
		assert_conserved(ALICE, 1_500_000_000_000_000_000, 0);

		let market = Markets::<Test>::get(0).unwrap();
		assert_eq!(market.reserves, Reserves::new(66_666_666_666_666_666_667, 1_500 * UNIT));
		assert_eq!(market.net_size, LONG_500_SIZE);
		assert_eq!(market.open_interest.long_size, LONG_500_SIZE as u128);
		assert_eq!(market.open_interest.long_notional, 500 * UNIT);
		assert_eq!(market.convergence_reserve, 375_000_000_000_000_000);
		assert_eq!(
			market.accrued_fees,
			AccruedFees { insurance: 750_000_000_000_000_000, treasury: 375_000_000_000_000_000 }
		);
		assert_eq!(Traders::<Test>::get(ALICE).positions, 1);
		System::assert_last_event(
			Event::PositionChanged {
				who: ALICE,
				market: 0,
				isolated: false,
				exchanged_size: LONG_500_SIZE,
				exchanged_notional: 500 * UNIT,
				fee: 1_500_000_000_000_000_000,
				realized_pnl: 0,
				funding_payment: 0,
				size: LONG_500_SIZE,
				open_notional: 500 * UNIT,
				margin: 100 * UNIT,
				// 1500 / 66.666…667, rounded down.
				mark_price: 22_499_999_999_999_999_999,
			}
			.into(),
		);
	});
}

#[test]
fn close_long_returns_margin_with_realised_pnl() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, false);
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		// Exit 500 − 5 raw: PnL −5 raw; fee ⌈499.99…995 × 0.3 %⌉ = 1.5.
		assert_eq!(position(ALICE), None);
		assert_eq!(Traders::<Test>::get(ALICE).positions, 0);
		assert_eq!(held(ALICE), 1_000 * UNIT - 3 * UNIT - 5);
		assert_conserved(ALICE, 3 * UNIT, 5);
		let market = Markets::<Test>::get(0).unwrap();
		// The base is back; the quote reserve kept the 5 raw units of rounding.
		assert_eq!(market.reserves, Reserves::new(100 * UNIT, 1_000 * UNIT + 5));
		assert_eq!(market.net_size, 0);
		assert_eq!(market.open_interest, Default::default());
		// The vault keeps both fees (the convergence shares for good, the others until
		// funding settles) and the 5 raw units the trader lost.
		assert_eq!(Perp::vault_balance(), 1 + 3 * UNIT + 5);
		System::assert_last_event(
			Event::PositionChanged {
				who: ALICE,
				market: 0,
				isolated: false,
				exchanged_size: -LONG_500_SIZE,
				exchanged_notional: LONG_500_EXIT,
				fee: 1_500_000_000_000_000_000,
				realized_pnl: -5,
				funding_payment: 0,
				size: 0,
				open_notional: 0,
				margin: 0,
				mark_price: 10 * UNIT,
			}
			.into(),
		);
	});
}

#[test]
fn open_short_and_close_at_cost() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(BOB, Side::Short, 100 * UNIT, false);
		// y' = 500, x' = ⌈10^41 / 500⌉ = 200 exactly: the short owes 100 base.
		let info = position(BOB).unwrap();
		assert_eq!(info.position.size, -100 * UNIT as i128);
		assert_eq!(info.position.open_notional, 500 * UNIT);
		let market = Markets::<Test>::get(0).unwrap();
		assert_eq!(market.reserves, Reserves::new(200 * UNIT, 500 * UNIT));
		assert_eq!(market.open_interest.short_size, 100 * UNIT);
		assert_eq!(market.net_size, -100 * UNIT as i128);
		next_block();
		// Buying 100 back costs exactly 500: no PnL, two fees of 1.5.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 500 * UNIT));
		assert_eq!(held(BOB), 997 * UNIT);
		assert_conserved(BOB, 3 * UNIT, 0);
	});
}

#[test]
fn increase_adds_size_notional_and_margin() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 50 * UNIT, false);
		// 250 buys 100 − 80 = 20 base.
		assert_eq!(position(ALICE).unwrap().position.size, 20 * UNIT as i128);
		next_block();
		open(ALICE, Side::Long, 50 * UNIT, false);
		// The next 250 buys 80 − ⌈10^41 / 1500⌉ = 13.33…333 base.
		let info = position(ALICE).unwrap();
		assert_eq!(info.position.size, LONG_500_SIZE);
		assert_eq!(info.position.open_notional, 500 * UNIT);
		assert_eq!(info.position.margin, 100 * UNIT);
		// Two fees of ⌈250 × 0.3 %⌉ = 0.75.
		assert_eq!(held(ALICE), 898_500_000_000_000_000_000);
		assert_eq!(Traders::<Test>::get(ALICE).positions, 1);
		assert_conserved(ALICE, 1_500_000_000_000_000_000, 0);
	});
}

#[test]
fn reduce_realises_pnl_pro_rata() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, false);
		next_block();
		let half = (LONG_500_SIZE / 2) as u128;
		assert_ok!(Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, half, 0));
		// Selling 16.66…666 base yields 299.99…989 quote. The position's PnL is −5 raw;
		// the closed share ⌊−5 · 16.66…666 / 33.33…333⌋ = −3 is realised into the margin and
		// the open notional becomes 500 − 299.99…989 − 3 raw = 200.00…008.
		let info = position(ALICE).unwrap();
		assert_eq!(info.position.size, 16_666_666_666_666_666_667);
		assert_eq!(info.position.open_notional, 200_000_000_000_000_000_008);
		assert_eq!(info.position.margin, 100 * UNIT - 3);
		// Fees: 1.5 on opening, ⌈299.99…989 × 0.3 %⌉ = 0.9 on the reduction.
		assert_eq!(held(ALICE), 898_500_000_000_000_000_000 - 900_000_000_000_000_000);
		assert_conserved(ALICE, 2_400_000_000_000_000_000, 3);
		let market = Markets::<Test>::get(0).unwrap();
		assert_eq!(
			market.reserves,
			Reserves::new(83_333_333_333_333_333_333, 1_200_000_000_000_000_000_011)
		);
		assert_eq!(market.open_interest.long_notional, 200_000_000_000_000_000_008);
		System::assert_has_event(
			Event::PositionChanged {
				who: ALICE,
				market: 0,
				isolated: false,
				exchanged_size: -16_666_666_666_666_666_666,
				exchanged_notional: 299_999_999_999_999_999_989,
				fee: 900_000_000_000_000_000,
				realized_pnl: -3,
				funding_payment: 0,
				size: 16_666_666_666_666_666_667,
				open_notional: 200_000_000_000_000_000_008,
				margin: 100 * UNIT - 3,
				mark_price: 14_400_000_000_000_000_000,
			}
			.into(),
		);
	});
}

#[test]
fn opposite_order_smaller_than_exit_value_reduces() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, false);
		next_block();
		// A short of 50 × 5 = 250 < exit value 499.99…995: a reduction, no new margin.
		open(ALICE, Side::Short, 50 * UNIT, false);
		let info = position(ALICE).unwrap();
		assert!(info.position.size > 0 && info.position.size < LONG_500_SIZE);
		assert!(info.position.margin <= 100 * UNIT);
	});
}

#[test]
fn reversal_closes_then_opens_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, false);
		next_block();
		// Short 200 × 5 = 1000: closing the long takes 499.99…995, the remaining
		// 500.00…005 opens a short on (100, 1000 + 5 raw) owing 100.00…001 base, with
		// margin ⌈500.00…005 / 5⌉ = 100.00…001. Fee on 1000 traded: 3.
		open(ALICE, Side::Short, 200 * UNIT, false);
		let info = position(ALICE).unwrap();
		assert_eq!(
			info.position,
			Position {
				size: -100_000_000_000_000_000_001,
				margin: 100_000_000_000_000_000_001,
				open_notional: 500_000_000_000_000_000_005,
				last_cumulative_premium: 0
			}
		);
		assert_eq!(held(ALICE), 895_499_999_999_999_999_994);
		assert_conserved(ALICE, 4_500_000_000_000_000_000, 5);
		let market = Markets::<Test>::get(0).unwrap();
		assert_eq!(market.reserves, Reserves::new(200_000_000_000_000_000_001, 500 * UNIT));
		assert_eq!(market.open_interest.long_size, 0);
		assert_eq!(market.open_interest.short_size, 100_000_000_000_000_000_001);
		assert_eq!(market.open_interest.short_notional, 500_000_000_000_000_000_005);
		System::assert_last_event(
			Event::PositionChanged {
				who: ALICE,
				market: 0,
				isolated: false,
				exchanged_size: -133_333_333_333_333_333_334,
				exchanged_notional: 1_000 * UNIT,
				fee: 3 * UNIT,
				realized_pnl: -5,
				funding_payment: 0,
				size: -100_000_000_000_000_000_001,
				open_notional: 500_000_000_000_000_000_005,
				margin: 100_000_000_000_000_000_001,
				mark_price: 2_499_999_999_999_999_999,
			}
			.into(),
		);
	});
}

#[test]
fn winner_is_paid_from_the_losers_margin_in_the_vault() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 20 * UNIT, false);
		open(BOB, Side::Long, 20 * UNIT, false);
		next_block();
		// Alice bought cheaper; closing first she realises a profit (≈ 18) that only Bob's
		// margin in the vault can pay.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		let alice_gain = held(ALICE) + free(ALICE);
		assert!(alice_gain > INITIAL_BALANCE);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
		assert!(held(BOB) + free(BOB) < INITIAL_BALANCE);
		assert_eq!(Markets::<Test>::get(0).unwrap().net_size, 0);
	});
}

#[test]
fn isolated_position_keeps_its_own_margin() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, true);
		let info = position(ALICE).unwrap();
		assert!(info.isolated);
		assert_eq!(info.position.margin, 100 * UNIT);
		assert_eq!(held(ALICE), 898_500_000_000_000_000_000);
		// Everything held is withdrawable: the isolated position does not use it.
		assert_eq!(Perp::withdrawable(&ALICE).ok(), Some(898_500_000_000_000_000_000));
		next_block();
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				0,
				Side::Long,
				UNIT,
				FIVE_X,
				false,
				0
			),
			Error::<Test>::MarginModeMismatch
		);
	});
}

#[test]
fn exactly_max_leverage_is_accepted_and_more_is_not() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				0,
				Side::Long,
				100 * UNIT,
				FIVE_X + 1,
				true,
				0
			),
			Error::<Test>::LeverageTooHigh
		);
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				0,
				Side::Long,
				100 * UNIT,
				0,
				true,
				0
			),
			Error::<Test>::ZeroLeverage
		);
		assert_noop!(
			Perp::open_position(RuntimeOrigin::signed(ALICE), 0, Side::Long, 0, FIVE_X, true, 0),
			Error::<Test>::ZeroAmount
		);
		open(ALICE, Side::Long, 100 * UNIT, true);
	});
}

#[test]
fn margin_and_fee_must_be_held() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		// 1000 held: a margin of 1000 leaves nothing for the fee.
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				0,
				Side::Long,
				1_000 * UNIT,
				UNIT,
				true,
				0
			),
			Error::<Test>::InsufficientCollateral
		);
		assert_noop!(
			Perp::open_position(RuntimeOrigin::signed(CHARLIE), 0, Side::Long, UNIT, UNIT, true, 0),
			Error::<Test>::InsufficientCollateral
		);
	});
}

#[test]
fn unknown_market_and_missing_position() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_noop!(
			Perp::open_position(RuntimeOrigin::signed(ALICE), 1, Side::Long, UNIT, UNIT, false, 0),
			Error::<Test>::UnknownMarket
		);
		assert_noop!(
			Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0),
			Error::<Test>::NoPosition
		);
		assert_noop!(
			Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, UNIT, 0),
			Error::<Test>::NoPosition
		);
		assert_noop!(
			Perp::add_margin(RuntimeOrigin::signed(ALICE), 0, UNIT),
			Error::<Test>::NoPosition
		);
		assert_noop!(
			Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, UNIT),
			Error::<Test>::NoPosition
		);
	});
}

#[test]
fn reduce_checks_its_amount() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, false);
		next_block();
		assert_noop!(
			Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, LONG_500_SIZE as u128 + 1, 0),
			Error::<Test>::ReduceTooLarge
		);
		assert_noop!(
			Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, 0, 0),
			Error::<Test>::ZeroAmount
		);
	});
}

#[test]
fn slippage_limits() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		// A long of 500 receives 33.33…333 base: asking one raw unit more fails.
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				0,
				Side::Long,
				100 * UNIT,
				FIVE_X,
				false,
				LONG_500_SIZE as u128 + 1
			),
			Error::<Test>::SlippageExceeded
		);
		// A short of 500 gives 100 base: a limit of 100 − 1 raw fails.
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(BOB),
				0,
				Side::Short,
				100 * UNIT,
				FIVE_X,
				false,
				100 * UNIT - 1
			),
			Error::<Test>::SlippageExceeded
		);
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(ALICE),
			0,
			Side::Long,
			100 * UNIT,
			FIVE_X,
			false,
			LONG_500_SIZE as u128
		));
		next_block();
		// Closing receives 499.99…995 quote: asking 500 fails, asking exactly it succeeds.
		assert_noop!(
			Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 500 * UNIT),
			Error::<Test>::SlippageExceeded
		);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, LONG_500_EXIT));
	});
}

/// A market of 100 base / 1,000 quote with a fresh index at 10 for each collection.
fn create_markets(collections: core::ops::RangeInclusive<u32>, params: MarketParams) {
	for collection in collections {
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			collection,
			100 * UNIT,
			1_000 * UNIT,
			params
		));
		set_index(collection, 10 * UNIT);
	}
}

#[test]
fn position_count_is_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		create_markets(1..=4, unguarded_params());
		for market in 0..4 {
			assert_ok!(Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				market,
				Side::Long,
				10 * UNIT,
				UNIT,
				false,
				0
			));
		}
		assert_eq!(Traders::<Test>::get(ALICE).positions, 4);
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				4,
				Side::Long,
				10 * UNIT,
				UNIT,
				false,
				0
			),
			Error::<Test>::TooManyPositions
		);
	});
}

#[test]
fn an_account_changes_at_most_max_positions_guarded_markets_per_block() {
	ExtBuilder::default().build_and_execute(|| {
		let guarded = MarketParams { sandwich_guard: true, ..unguarded_params() };
		create_markets(1..=5, guarded);
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
		let open = |market| {
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				market,
				Side::Long,
				UNIT,
				UNIT,
				false,
				0,
			)
		};
		for market in 0..4 {
			assert_ok!(open(market));
		}
		next_block();
		// Four closes and a new position would be five guarded changes in one block.
		for market in 0..4 {
			assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), market, 0));
		}
		assert_noop!(open(4), Error::<Test>::TooManyChangesInBlock);
		next_block();
		assert_ok!(open(4));
		assert_eq!(Traders::<Test>::get(ALICE).positions, 1);
		assert_eq!(BlockChanges::<Test>::get(ALICE).into_inner(), vec![4]);
		// The guard's record goes with the block.
		next_block();
		assert!(!BlockChanges::<Test>::contains_key(ALICE));
	});
}

#[test]
fn add_and_remove_margin_of_an_isolated_position() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, true);
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(ALICE), 0, 50 * UNIT));
		assert_eq!(position(ALICE).unwrap().position.margin, 150 * UNIT);
		assert_eq!(held(ALICE), 848_500_000_000_000_000_000);
		System::assert_last_event(
			Event::MarginAdded { who: ALICE, market: 0, amount: 50 * UNIT, margin: 150 * UNIT }
				.into(),
		);
		assert_noop!(
			Perp::add_margin(RuntimeOrigin::signed(ALICE), 0, 849 * UNIT),
			Error::<Test>::InsufficientCollateral
		);
		// MR ≥ 20 % of the exit value 499.99…995 needs equity ≥ 99.99…999 (exact):
		// margin − 5 raw ≥ 99.99…999 ⇒ margin ≥ 100.00…004, so 49.99…996 may leave.
		assert_noop!(
			Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, 50 * UNIT - 3),
			Error::<Test>::InsufficientMargin
		);
		assert_ok!(Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, 50 * UNIT - 4));
		assert_eq!(position(ALICE).unwrap().position.margin, 100 * UNIT + 4);
		assert_noop!(
			Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, 101 * UNIT),
			Error::<Test>::MarginTooLow
		);
		assert_noop!(
			Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, 0),
			Error::<Test>::ZeroAmount
		);
		assert_conserved(ALICE, 1_500_000_000_000_000_000, 0);
	});
}

/// A cross position's margin may go back to the hold down to what covers its loss: the cross
/// account is far above 20 %, but the fresh long exits 5 raw below its cost, and those 5 raw
/// stay in the vault. Before `MarginBacksLoss` the whole margin could leave, and a winner on
/// the other side was paid out of other traders' money in the vault (runtime fuzz test
/// `margin_removed_from_a_cross_position_during_a_migration`).
#[test]
fn cross_margin_moves_inside_the_pool_except_what_covers_its_loss() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, false);
		assert_noop!(
			Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, 100 * UNIT - 4),
			Error::<Test>::MarginBacksLoss
		);
		assert_ok!(Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, 100 * UNIT - 5));
		assert_eq!(position(ALICE).unwrap().position.margin, 5);
		assert_eq!(held(ALICE), 998_500_000_000_000_000_000 - 5);
		System::assert_last_event(
			Event::MarginRemoved { who: ALICE, market: 0, amount: 100 * UNIT - 5, margin: 5 }
				.into(),
		);
		next_block();
		// Closing: the 5 raw loss comes out of the margin left for it.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		assert_conserved(ALICE, 3 * UNIT, 5);
	});
}

#[test]
fn isolated_position_beyond_its_margin_cannot_be_closed_by_its_owner() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(CHARLIE), 5_000 * UNIT));
		open(ALICE, Side::Long, 100 * UNIT, true);
		// Charlie's short of 1000 drives the mark from 22.5 to 2.5: Alice's 33.3 base now
		// exit at ≈ 71.4, a loss of ≈ 428.6 on a margin of 100.
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(CHARLIE),
			0,
			Side::Short,
			250 * UNIT,
			4 * UNIT,
			true,
			0
		));
		next_block();
		assert_noop!(
			Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0),
			Error::<Test>::PositionUnderwater
		);
	});
}

#[test]
fn fee_beyond_held_collateral_comes_out_of_the_margin() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		// Exactly margin + fee: nothing stays held.
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 101_500_000_000_000_000_000));
		open(ALICE, Side::Long, 100 * UNIT, false);
		assert_eq!(held(ALICE), 0);
		next_block();
		let half = (LONG_500_SIZE / 2) as u128;
		assert_ok!(Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, half, 0));
		// Realised −3 raw and the 0.9 fee both come out of the margin.
		assert_eq!(position(ALICE).unwrap().position.margin, 99_099_999_999_999_999_997);
		assert_eq!(held(ALICE), 0);
		assert_conserved(ALICE, 2_400_000_000_000_000_000, 3);
	});
}

#[test]
fn cross_loss_beyond_margin_is_covered_from_held_collateral() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(CHARLIE), 2_000 * UNIT));
		open(ALICE, Side::Long, 100 * UNIT, false);
		open(BOB, Side::Long, 20 * UNIT, false);
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(CHARLIE),
			0,
			Side::Short,
			250 * UNIT,
			4 * UNIT,
			false,
			0
		));
		next_block();
		// Bob's 4.166…666 base now exit at 14.63…631 against 100 paid: a loss of
		// 85.36…369, 65.36…369 beyond his margin of 20, taken from his held collateral.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
		assert_eq!(held(BOB), 914_290_243_902_439_024_387);
		assert_conserved(
			BOB,
			300_000_000_000_000_000 + 43_902_439_024_390_244,
			85_365_853_658_536_585_369,
		);
		System::assert_last_event(
			Event::PositionChanged {
				who: BOB,
				market: 0,
				isolated: false,
				exchanged_size: -4_166_666_666_666_666_666,
				exchanged_notional: 14_634_146_341_463_414_631,
				fee: 43_902_439_024_390_244,
				realized_pnl: -85_365_853_658_536_585_369,
				funding_payment: 0,
				size: 0,
				open_notional: 0,
				margin: 0,
				mark_price: Markets::<Test>::get(0).unwrap().reserves.mark_price().unwrap(),
			}
			.into(),
		);
	});
}

#[test]
fn opening_needs_the_cross_account_at_initial_margin() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			8,
			100 * UNIT,
			1_000 * UNIT,
			unguarded_params()
		));
		set_index(8, 10 * UNIT);
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 101_500_000_000_000_000_000));
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(BOB), 1_000 * UNIT));
		open(ALICE, Side::Long, 100 * UNIT, false);
		// Bob's short leaves Alice's long 250 under water: her cross equity is negative.
		open(BOB, Side::Short, 100 * UNIT, false);
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 20 * UNIT));
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				1,
				Side::Long,
				10 * UNIT,
				UNIT,
				false,
				0
			),
			Error::<Test>::InsufficientMargin
		);
		// Funding an isolated position draws on the cross pool like a withdrawal would.
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				1,
				Side::Long,
				10 * UNIT,
				UNIT,
				true,
				0
			),
			Error::<Test>::InsufficientMargin
		);
		// With the cross account back above 20 %, the isolated position opens.
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 300 * UNIT));
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(ALICE),
			1,
			Side::Long,
			10 * UNIT,
			UNIT,
			true,
			0
		));
	});
}

#[test]
fn increasing_a_losing_isolated_position_needs_initial_margin() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, true);
		open(BOB, Side::Short, 100 * UNIT, false);
		next_block();
		// Margin 100 + 10 against a loss of 250: far below 20 %.
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(ALICE),
				0,
				Side::Long,
				10 * UNIT,
				UNIT,
				true,
				0
			),
			Error::<Test>::InsufficientMargin
		);
	});
}

#[test]
fn isolated_reversal_keeps_the_mode() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, Side::Long, 100 * UNIT, true);
		next_block();
		open(ALICE, Side::Short, 200 * UNIT, true);
		let info = position(ALICE).unwrap();
		assert!(info.isolated);
		assert_eq!(info.position.size, -100_000_000_000_000_000_001);
		assert_eq!(info.position.margin, 100_000_000_000_000_000_001);
		assert_conserved(ALICE, 4_500_000_000_000_000_000, 5);
	});
}
