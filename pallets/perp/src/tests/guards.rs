//! Trade guards: oracle staleness, mark/index divergence, fluctuation band, sandwich guard,
//! caps and minimum trade size, dynamic fees. Market 0: 100 base / 1000 quote, mark 10.

use crate::{mock::*, pallet::*, MarketParams};
use perp_math::Side;
use polkadot_sdk::frame_support::{assert_noop, assert_ok};

const FIVE_X: u128 = 5 * UNIT;

fn setup(params: MarketParams) {
	create_market_with(params);
	for who in [ALICE, BOB, CHARLIE] {
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 2_000 * UNIT));
	}
}

fn open(who: AccountId, side: Side, margin: u128) -> polkadot_sdk::sp_runtime::DispatchResult {
	Perp::open_position(RuntimeOrigin::signed(who), 0, side, margin, FIVE_X, false, 0)
		.map(|_| ())
		.map_err(|e| e.error)
}

#[test]
fn stale_or_missing_index_blocks_opening_only() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		// Exactly 600 s old is still fresh; 1 ms more is stale.
		set_index_at(COLLECTION, 10 * UNIT, START_MS - 600_000);
		assert_ok!(open(ALICE, Side::Long, 10 * UNIT));
		set_index_at(COLLECTION, 10 * UNIT, START_MS - 600_001);
		assert_noop!(open(BOB, Side::Long, 10 * UNIT), Error::<Test>::OracleStale);
		// Increasing is opening too.
		assert_noop!(open(ALICE, Side::Long, 10 * UNIT), Error::<Test>::OracleStale);
		clear_index(COLLECTION);
		assert_noop!(open(BOB, Side::Short, 10 * UNIT), Error::<Test>::OracleStale);
		// Reducing, margin moves and closing keep working.
		next_block();
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(ALICE), 0, UNIT));
		assert_ok!(Perp::remove_margin(RuntimeOrigin::signed(ALICE), 0, UNIT));
		assert_ok!(Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, UNIT, 0));
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
	});
}

#[test]
fn zero_max_oracle_age_disables_the_staleness_guard() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { max_oracle_age: 0, ..unguarded_params() });
		set_index_at(COLLECTION, 10 * UNIT, 0);
		assert_ok!(open(ALICE, Side::Long, 10 * UNIT));
	});
}

#[test]
fn divergence_guard_blocks_widening_trades() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { max_mark_index_divergence: UNIT / 10, ..unguarded_params() });
		// Long 500 would take the mark to 22.5: 125 % above the index 10.
		assert_noop!(open(ALICE, Side::Long, 100 * UNIT), Error::<Test>::MarkIndexDivergence);
		// Long 20 ends at 10.404: 4 %, allowed.
		assert_ok!(open(ALICE, Side::Long, 4 * UNIT));
	});
}

#[test]
fn divergence_guard_lets_narrowing_trades_through_and_applies_to_closes() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { max_mark_index_divergence: UNIT / 10, ..unguarded_params() });
		set_index(COLLECTION, 20 * UNIT);
		// Mark 10 → 22.5 against an index of 20: 12.5 % off, but closer than before.
		assert_ok!(open(ALICE, Side::Long, 100 * UNIT));
		next_block();
		// Closing would take it back to 10: 50 % off and wider.
		assert_noop!(
			Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0),
			Error::<Test>::MarkIndexDivergence
		);
		// Without a fresh index there is nothing to diverge from.
		clear_index(COLLECTION);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
	});
}

#[test]
fn opening_must_stay_within_the_fluctuation_band() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { fluctuation_limit: UNIT / 50, ..unguarded_params() });
		// Band around 10: [9.8, 10.2]. Long 10 → 10.201: out. Long 5 → 10.10025: in.
		assert_noop!(open(ALICE, Side::Long, 2 * UNIT), Error::<Test>::FluctuationLimitExceeded);
		assert_ok!(open(ALICE, Side::Long, UNIT));
		// The reference stays the previous block's close within the block: another long
		// of 5 would end at ≈ 10.201, outside.
		assert_noop!(open(BOB, Side::Long, UNIT), Error::<Test>::FluctuationLimitExceeded);
		next_block();
		// The band is refreshed by the block's first trade: around Alice's close, 10.10025.
		assert_ok!(open(BOB, Side::Long, UNIT));
		assert_eq!(
			Markets::<Test>::get(0).unwrap().band.reference_mark,
			10_100_249_999_999_999_999
		);
	});
}

#[test]
fn one_close_per_block_may_breach_the_band() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		assert_ok!(open(ALICE, Side::Long, 20 * UNIT));
		assert_ok!(open(BOB, Side::Long, 2 * UNIT));
		let params = MarketParams { fluctuation_limit: UNIT / 50, ..unguarded_params() };
		assert_ok!(Perp::set_market_params(RuntimeOrigin::root(), 0, params));
		next_block();
		// Reference 12.321; Alice's close takes the mark to ≈ 10.17: allowed, first breach.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		assert!(Markets::<Test>::get(0).unwrap().band.breached);
		// Bob's close would move it further out in the same block.
		assert_noop!(
			Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0),
			Error::<Test>::FluctuationLimitExceeded
		);
		// Opening outside the band is never allowed.
		assert_noop!(
			open(CHARLIE, Side::Short, UNIT / 10),
			Error::<Test>::FluctuationLimitExceeded
		);
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
	});
}

#[test]
fn sandwich_guard_allows_one_position_change_per_block() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { sandwich_guard: true, ..unguarded_params() });
		assert_ok!(open(ALICE, Side::Long, 10 * UNIT));
		assert_noop!(open(ALICE, Side::Long, 10 * UNIT), Error::<Test>::OnePositionChangePerBlock);
		assert_noop!(
			Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0),
			Error::<Test>::OnePositionChangePerBlock
		);
		assert_noop!(
			Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, UNIT, 0),
			Error::<Test>::OnePositionChangePerBlock
		);
		// Margin moves are not position changes; other accounts are unaffected.
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(ALICE), 0, UNIT));
		assert_ok!(open(BOB, Side::Long, 10 * UNIT));
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		// Closed and reopened in one block is two changes.
		assert_noop!(open(ALICE, Side::Long, 10 * UNIT), Error::<Test>::OnePositionChangePerBlock);
	});
}

#[test]
fn position_and_open_interest_caps() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams {
			max_position_notional: 400 * UNIT,
			max_open_interest: 600 * UNIT,
			..unguarded_params()
		});
		assert_noop!(open(ALICE, Side::Long, 80 * UNIT + 1), Error::<Test>::PositionTooLarge);
		assert_ok!(open(ALICE, Side::Long, 80 * UNIT));
		// Longs hold 400: Bob's 250 would make 650.
		assert_noop!(open(BOB, Side::Long, 50 * UNIT), Error::<Test>::OpenInterestCapExceeded);
		assert_ok!(open(BOB, Side::Long, 40 * UNIT));
		// The short side has its own cap.
		assert_ok!(open(CHARLIE, Side::Short, 80 * UNIT));
	});
}

#[test]
fn minimum_trade_notional_spares_full_closes() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { min_trade_notional: 100 * UNIT, ..unguarded_params() });
		assert_noop!(open(ALICE, Side::Long, 20 * UNIT - 1), Error::<Test>::TradeBelowMinimum);
		assert_ok!(open(ALICE, Side::Long, 20 * UNIT));
		next_block();
		assert_noop!(
			Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, UNIT, 0),
			Error::<Test>::TradeBelowMinimum
		);
		// The whole position is worth just under 100 now, and may still be closed.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
	});
}

#[test]
fn dynamic_fee_levels() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { sandwich_guard: false, ..unguarded_params_with_fee_levels() });
		// Long 15: mark 10.30225, 3.02 % above the index: level 1, widening: 1 % = 0.15.
		assert_ok!(open(CHARLIE, Side::Long, 3 * UNIT));
		assert_eq!(last_fee(), 150_000_000_000_000_000);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(CHARLIE), 0, 0));
		// Long 500: mark 22.5, 125 % above: level 2, widening: 5 % = 25.
		assert_ok!(open(ALICE, Side::Long, 100 * UNIT));
		assert_eq!(last_fee(), 25 * UNIT);
		// Short 100 brings it to 19.6, still level 2 but narrowing: 0.3 % = 0.3.
		assert_ok!(open(BOB, Side::Short, 20 * UNIT));
		assert_eq!(last_fee(), 300_000_000_000_000_000);
	});
}

#[test]
fn stale_index_means_base_fee() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params_with_fee_levels());
		assert_ok!(open(ALICE, Side::Long, 100 * UNIT));
		clear_index(COLLECTION);
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		// ⌈499.99…995 × 0.3 %⌉.
		assert_eq!(last_fee(), 1_500_000_000_000_000_000);
	});
}

fn unguarded_params_with_fee_levels() -> MarketParams {
	let defaults = MarketParams::default();
	MarketParams {
		fee_level1_threshold: defaults.fee_level1_threshold,
		fee_level2_threshold: defaults.fee_level2_threshold,
		..unguarded_params()
	}
}

fn last_fee() -> u128 {
	perp_events()
		.into_iter()
		.rev()
		.find_map(|event| match event {
			Event::PositionChanged { fee, .. } => Some(fee),
			_ => None,
		})
		.unwrap()
}
