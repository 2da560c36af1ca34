//! `PerpApi` queries: market info, position details, account summaries and order quotes.
//!
//! Market 0 is 100 base / 1000 quote (k = 10^41 raw, mark 10). A 5x long of 100 margin
//! trades 500 quote for `100 − ⌈10^41 / 1500⌉` base (see `tests/trading.rs`); the expected
//! values below were worked out by hand from perp-math's documented formulas and roundings.

use crate::{
	mock::*, pallet::*, AccountSummary, IndexPrice, MarketId, MarketInfo, MarketParams,
	PositionDetails, TradeQuote,
};
use perp_math::{LiquidationPrice, Reserves, Side};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_io,
	sp_runtime::StateVersion,
};

const FIVE_X: u128 = 5 * UNIT;
/// Base received by a long of 500 on the fresh market: `100 − ⌈10^41 / 1500⌉`.
const LONG_500_SIZE: i128 = 33_333_333_333_333_333_333;
/// Exit value of that long right after it: 5 raw units short of 500 (curve rounding).
const LONG_500_EXIT: u128 = 499_999_999_999_999_999_995;
/// Mark after it: `1500 / 66.666…667`, rounded down.
const LONG_500_MARK: u128 = 22_499_999_999_999_999_999;
/// Its average fill `⌈500 / 33.333…333⌉` (and the position's entry price).
const LONG_500_FILL: u128 = 15_000_000_000_000_000_001;
/// `⌈0.3 % × 500⌉`.
const FEE_500: u128 = 1_500_000_000_000_000_000;
/// Effective leverage `⌈exit / (100 − 5 raw)⌉` of a 5x long backed by its 100 margin.
const LONG_500_LEVERAGE: u128 = 5_000_000_000_000_000_001;
/// MR `⌊(100 − 5 raw) / exit⌋` of that long backed by nothing but its margin.
const LONG_500_OWN_MR: i128 = 199_999_999_999_999_999;
/// Liquidation price of that long: `N* = (500 − 100) / (1 − 0.125)` rounded up, then
/// `x* = (−s + √(s² + 4ks/N*)) / 2` (down) and `⌈k / x*²⌉` on the post-trade curve.
const LONG_500_OWN_LIQUIDATION: u128 = 20_213_711_155_675_716_013;

fn setup() {
	create_market_with(unguarded_params());
	assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
	assert_ok!(Perp::deposit(RuntimeOrigin::signed(BOB), 1_000 * UNIT));
}

fn open(who: AccountId, market: MarketId, side: Side, margin: u128, isolated: bool) {
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who),
		market,
		side,
		margin,
		FIVE_X,
		isolated,
		0
	));
}

fn details(who: AccountId, market: MarketId) -> Option<PositionDetails> {
	Perp::position_details(&who, market).unwrap()
}

fn state_root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

/// The 5x long of 100 margin on the fresh market, backed by `margin_ratio`.
fn long_500(isolated: bool, margin_ratio: i128, liquidation: LiquidationPrice) -> PositionDetails {
	PositionDetails {
		market: 0,
		isolated,
		base_size: LONG_500_SIZE,
		margin: 100 * UNIT,
		open_notional: 500 * UNIT,
		entry_price: LONG_500_FILL,
		exit_notional: LONG_500_EXIT,
		unrealized_pnl: -5,
		pending_funding: 0,
		margin_ratio: Some(margin_ratio),
		liquidation_price: liquidation,
		leverage: Some(LONG_500_LEVERAGE),
	}
}

#[test]
fn market_info_reports_state_and_parameters() {
	ExtBuilder::default().build_and_execute(|| {
		create_default_market();
		assert_eq!(
			Perp::market_info(0).unwrap(),
			Some(MarketInfo {
				collection: COLLECTION,
				mark_price: 10 * UNIT,
				index: Some(IndexPrice { price: 10 * UNIT, timestamp: START_MS }),
				index_fresh: true,
				reserves: Reserves::new(100 * UNIT, 1_000 * UNIT),
				net_size: 0,
				open_interest: Default::default(),
				cumulative_premium: Default::default(),
				last_funding_time: START_MS / 1_000,
				next_funding_time: START_MS / 1_000 + 3_600,
				// The first index TWAP starts at the end of the block the index arrives in.
				funding_estimate: None,
				convergence_reserve: 0,
				unrealised_gain: 0,
				accrued_fees: Default::default(),
				diverged_since: None,
				convergence_due_at: None,
				depth: UNIT,
				liquidity_version: 0,
				stale_positions: 0,
				paused: false,
				params: MarketParams::default(),
			})
		);
		assert!(Perp::market_info(1).unwrap().is_none());
	});
}

#[test]
fn market_info_follows_trades_pause_and_oracle_age() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, 0, Side::Long, 100 * UNIT, false);
		let info = Perp::market_info(0).unwrap().unwrap();
		assert_eq!(info.mark_price, LONG_500_MARK);
		assert_eq!(info.reserves, Reserves::new(66_666_666_666_666_666_667, 1_500 * UNIT));
		assert_eq!(info.net_size, LONG_500_SIZE);
		assert_eq!(info.open_interest.long_notional, 500 * UNIT);
		// A quarter of the 1.5 fee; a half and a quarter wait for the funding settlement.
		assert_eq!(info.convergence_reserve, 375_000_000_000_000_000);
		assert_eq!(info.accrued_fees.insurance, 750_000_000_000_000_000);
		assert_eq!(info.accrued_fees.treasury, 375_000_000_000_000_000);

		assert_ok!(Perp::pause_market(RuntimeOrigin::root(), 0));
		// 601 s after the feed: older than `max_oracle_age`, still reported.
		run_to_block(1 + 601_000 / BLOCK_MS + 1);
		let info = Perp::market_info(0).unwrap().unwrap();
		assert!(info.paused);
		assert!(!info.index_fresh);
		assert_eq!(info.index, Some(IndexPrice { price: 10 * UNIT, timestamp: START_MS }));
	});
}

#[test]
fn quote_is_the_trade_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		let root = state_root();
		let quote = Perp::quote_open(&ALICE, 0, Side::Long, 100 * UNIT, FIVE_X, false).unwrap();
		assert_eq!(state_root(), root, "a quote leaves no trace");
		// Cross: the account's 898.5 held + 100 margin − 5 raw over the exit value.
		let after = long_500(false, 1_997_000_000_000_000_000, LiquidationPrice::Never);
		assert_eq!(
			quote,
			TradeQuote {
				exchanged_size: LONG_500_SIZE,
				exchanged_notional: 500 * UNIT,
				fill_price: LONG_500_FILL,
				mark_before: 10 * UNIT,
				mark_after: LONG_500_MARK,
				// (15.000…001 − 10) / 10, rounded up.
				price_impact: 500_000_000_000_000_001,
				fee: FEE_500,
				margin_committed: 100 * UNIT,
				realized_pnl: 0,
				funding_payment: 0,
				position_after: Some(after),
				margin_ratio_after: Some(1_997_000_000_000_000_000),
				liquidation_price_after: Some(LiquidationPrice::Never),
			}
		);

		next_block();
		open(ALICE, 0, Side::Long, 100 * UNIT, false);
		assert_eq!(details(ALICE, 0), Some(after));
		System::assert_last_event(
			Event::PositionChanged {
				who: ALICE,
				market: 0,
				isolated: false,
				exchanged_size: quote.exchanged_size,
				exchanged_notional: quote.exchanged_notional,
				fee: quote.fee,
				realized_pnl: 0,
				funding_payment: 0,
				size: LONG_500_SIZE,
				open_notional: 500 * UNIT,
				margin: 100 * UNIT,
				mark_price: quote.mark_after,
			}
			.into(),
		);
	});
}

#[test]
fn isolated_position_has_its_own_ratio_and_liquidation_price() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		let quote = Perp::quote_open(&ALICE, 0, Side::Long, 100 * UNIT, FIVE_X, true).unwrap();
		let expected =
			long_500(true, LONG_500_OWN_MR, LiquidationPrice::At(LONG_500_OWN_LIQUIDATION));
		assert_eq!(quote.position_after, Some(expected));
		assert_eq!(quote.margin_ratio_after, Some(LONG_500_OWN_MR));
		assert_eq!(
			quote.liquidation_price_after,
			Some(LiquidationPrice::At(LONG_500_OWN_LIQUIDATION))
		);
		open(ALICE, 0, Side::Long, 100 * UNIT, true);
		assert_eq!(details(ALICE, 0), Some(expected));
		assert_eq!(details(BOB, 0), None);
	});
}

#[test]
fn cross_position_backed_by_its_margin_alone_has_the_isolated_liquidation_price() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		// Exactly margin + fee: nothing else backs the cross position.
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(CHARLIE), 100 * UNIT + FEE_500));
		open(CHARLIE, 0, Side::Long, 100 * UNIT, false);
		assert_eq!(held(CHARLIE), 0);
		let expected =
			long_500(false, LONG_500_OWN_MR, LiquidationPrice::At(LONG_500_OWN_LIQUIDATION));
		assert_eq!(details(CHARLIE, 0), Some(expected));

		// 10 more margin: MR (110 − 5 raw) / exit rises, the liquidation price falls.
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(CHARLIE), 10 * UNIT));
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(CHARLIE), 0, 10 * UNIT));
		let after = details(CHARLIE, 0).unwrap();
		assert_eq!(after.margin, 110 * UNIT);
		assert_eq!(after.margin_ratio, Some(219_999_999_999_999_999));
		assert_eq!(after.liquidation_price, LiquidationPrice::At(19_613_591_787_062_033_301));
		// ⌈exit / (110 − 5 raw)⌉.
		assert_eq!(after.leverage, Some(4_545_454_545_454_545_455));
	});
}

#[test]
fn quote_fails_as_the_trade_would() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		let root = state_root();
		let quote = |who, market, leverage| {
			Perp::quote_open(&who, market, Side::Long, 10 * UNIT, leverage, false)
		};
		assert_eq!(quote(ALICE, 1, FIVE_X), Err(Error::<Test>::UnknownMarket.into()));
		assert_eq!(quote(ALICE, 0, 6 * UNIT), Err(Error::<Test>::LeverageTooHigh.into()));
		// Charlie deposited nothing.
		assert_eq!(quote(CHARLIE, 0, FIVE_X), Err(Error::<Test>::InsufficientCollateral.into()));
		clear_index(COLLECTION);
		assert_eq!(quote(ALICE, 0, FIVE_X), Err(Error::<Test>::OracleStale.into()));
		assert_eq!(state_root(), root);
	});
}

#[test]
fn quote_prices_the_next_block() {
	ExtBuilder::default().build_and_execute(|| {
		// default parameters: sandwich guard and 2 % band on.
		create_default_market();
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 100 * UNIT));
		open(ALICE, 0, Side::Long, UNIT, false);
		// Another change in this block is refused, but a transaction sent now lands in a
		// later block, which is what the quote prices: no sandwich guard, and a band around
		// the current mark 10.1 (around this block's reference 10, the mark after, 10.201,
		// would be out of the 2 % band).
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
			Error::<Test>::OnePositionChangePerBlock
		);
		let quote = Perp::quote_open(&ALICE, 0, Side::Long, UNIT, FIVE_X, false).unwrap();
		next_block();
		open(ALICE, 0, Side::Long, UNIT, false);
		assert_eq!(details(ALICE, 0), quote.position_after);
		assert_eq!(Perp::market_info(0).unwrap().unwrap().mark_price, quote.mark_after);
	});
}

#[test]
fn account_summary_adds_up_cross_and_isolated_positions() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			COLLECTION + 1,
			100 * UNIT,
			1_000 * UNIT,
			unguarded_params()
		));
		set_index(COLLECTION + 1, 10 * UNIT);
		assert_eq!(
			Perp::account_summary(&ALICE).unwrap(),
			AccountSummary {
				collateral: 1_000 * UNIT,
				total_margin: 0,
				total_notional: 0,
				unrealized_pnl: 0,
				pending_funding: 0,
				debt: 0,
				margin_ratio: None,
				withdrawable: 1_000 * UNIT,
				positions: vec![],
			}
		);

		open(ALICE, 0, Side::Long, 100 * UNIT, false);
		open(ALICE, 1, Side::Short, 50 * UNIT, true);
		let long = details(ALICE, 0).unwrap();
		let short = details(ALICE, 1).unwrap();
		// Short of 250: owes `⌈10^41 / 750⌉ − 100` base, buys it back for 250 + 5 raw.
		assert_eq!(short.base_size, -33_333_333_333_333_333_334);
		assert_eq!(short.exit_notional, 250_000_000_000_000_000_005);
		assert_eq!(short.unrealized_pnl, -5);
		assert_eq!(short.entry_price, 7_499_999_999_999_999_999);
		assert_eq!(short.margin_ratio, Some(LONG_500_OWN_MR));
		assert_eq!(short.liquidation_price, LiquidationPrice::At(5_944_060_450_444_349_105));

		let summary = Perp::account_summary(&ALICE).unwrap();
		// 1000 − 100 − 1.5 − 50 − 0.75.
		assert_eq!(summary.collateral, 847_750_000_000_000_000_000);
		assert_eq!(summary.total_margin, 150 * UNIT);
		assert_eq!(summary.total_notional, 750 * UNIT);
		assert_eq!(summary.unrealized_pnl, -10);
		assert_eq!(summary.pending_funding, 0);
		// Cross only: (847.75 + 100 − 5 raw) / exit of the long.
		assert_eq!(summary.margin_ratio, Some(1_895_500_000_000_000_000));
		assert_eq!(long.margin_ratio, summary.margin_ratio);
		// 947.75 − 5 raw − ⌈20 % × exit⌉, within the held 847.75.
		assert_eq!(summary.withdrawable, 847_749_999_999_999_999_996);
		assert_eq!(summary.withdrawable, Perp::withdrawable(&ALICE).unwrap());
		assert_eq!(summary.positions, vec![long, short]);
	});
}

#[test]
fn liquidation_price_is_where_the_margin_ratio_meets_maintenance() {
	ExtBuilder::default().build_and_execute(|| {
		setup();
		open(ALICE, 0, Side::Long, 100 * UNIT, true);
		let maintenance = MarketParams::default().maintenance_margin_ratio as i128;
		let mark = || Perp::market_info(0).unwrap().unwrap().mark_price;
		let alice_ratio = || details(ALICE, 0).unwrap().margin_ratio.unwrap();

		// Bob's short of 78 leaves the mark just above Alice's liquidation price…
		next_block();
		open(BOB, 0, Side::Short, 15_600_000_000_000_000_000, false);
		assert_eq!(mark(), 20_220_839_999_999_999_999);
		assert!(mark() > LONG_500_OWN_LIQUIDATION);
		assert_eq!(alice_ratio(), 125_258_891_322_022_230);
		assert!(alice_ratio() >= maintenance);

		// …and 0.5 more takes it below: Alice's MR is under maintenance.
		next_block();
		open(BOB, 0, Side::Short, 100_000_000_000_000_000, false);
		assert_eq!(mark(), 20_206_622_499_999_999_999);
		assert!(mark() < LONG_500_OWN_LIQUIDATION);
		assert_eq!(alice_ratio(), 124_742_395_717_047_715);
		assert!(alice_ratio() < maintenance);
		// The price itself stays put: it depends on Alice's position and the curve's k.
		assert_eq!(
			details(ALICE, 0).unwrap().liquidation_price,
			LiquidationPrice::At(LONG_500_OWN_LIQUIDATION)
		);
	});
}
