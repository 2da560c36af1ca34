//! Margin: ratios, free collateral, the fair-price valuation and the liquidation price.

mod common;

use common::{perp_v1_curve, s, u};
use perp_math::{
	curve,
	margin::{self, LiquidationPrice, PositionValue},
	position::{self, Order},
	types::{Position, Side},
	CumulativePremium, MathError, Reserves, ONE,
};
use primitive_types::U256;
use proptest::prelude::*;

const FLAT: CumulativePremium = CumulativePremium { long: 0, short: 0 };

fn alice_long_5x() -> position::TradeOutcome {
	let order = Order { side: Side::Long, margin: u("120"), leverage: u("5") };
	position::trade(&Position::default(), perp_v1_curve(), &order, &FLAT).unwrap()
}

#[test]
fn isolated_margin_ratio() {
	let opened = alice_long_5x();
	let value = margin::value_position(&opened.position, opened.reserves, &FLAT).unwrap();
	assert_eq!(value, PositionValue { notional: u("600"), unrealized_pnl: 0, pending_funding: 0 });
	assert_eq!(margin::isolated_margin_ratio(opened.position.margin, &value).unwrap(), s("0.2"));
	// Bob shorts 100: the long is worth 539.999999999999999998, MR (120 − 60) / 540.
	let bob = curve::trade_quote(opened.reserves, Side::Short, u("100")).unwrap();
	let value = margin::value_position(&opened.position, bob.reserves, &FLAT).unwrap();
	assert_eq!(value.notional, 539_999_999_999_999_999_998);
	assert_eq!(margin::isolated_margin_ratio(u("120"), &value).unwrap(), 111_111_111_111_111_111);
	// Funding owed lowers equity.
	let premium = CumulativePremium { long: s("0.4"), short: 0 };
	let value = margin::value_position(&opened.position, opened.reserves, &premium).unwrap();
	assert_eq!(value.pending_funding, s("15"));
	assert_eq!(margin::isolated_margin_ratio(u("120"), &value).unwrap(), s("0.175"));
}

#[test]
fn margin_ratio_rounds_down_and_needs_notional() {
	assert_eq!(margin::margin_ratio(1, 3).unwrap(), 333_333_333_333_333_333);
	assert_eq!(margin::margin_ratio(-1, 3).unwrap(), -333_333_333_333_333_334);
	assert_eq!(margin::margin_ratio(1, 0), Err(MathError::ZeroNotional));
	assert!(margin::meets_margin_ratio(s("12.5"), u("100"), u("0.125")));
	assert!(!margin::meets_margin_ratio(s("12.5") - 1, u("100"), u("0.125")));
	assert!(!margin::meets_margin_ratio(-1, 0, 0));
}

#[test]
fn cross_margin_ratio_and_free_collateral() {
	let positions = [
		PositionValue { notional: u("600"), unrealized_pnl: s("50"), pending_funding: s("2") },
		PositionValue { notional: u("400"), unrealized_pnl: s("-30"), pending_funding: s("-1") },
	];
	// (200 + 20 − 1) / 1000
	assert_eq!(margin::cross_margin_ratio(u("200"), &positions).unwrap(), s("0.219"));
	// equity 219 − 20 % of 1000 = 19 free.
	assert_eq!(margin::free_collateral(u("200"), &positions, u("0.2")).unwrap(), u("19"));
	// Unrealised profit cannot be withdrawn beyond the collateral itself.
	let winning =
		[PositionValue { notional: u("100"), unrealized_pnl: s("500"), pending_funding: 0 }];
	assert_eq!(margin::free_collateral(u("50"), &winning, u("0.2")).unwrap(), u("50"));
	let losing =
		[PositionValue { notional: u("100"), unrealized_pnl: s("-45"), pending_funding: 0 }];
	assert_eq!(margin::free_collateral(u("50"), &losing, u("0.2")).unwrap(), 0);
	assert_eq!(margin::free_collateral(u("50"), &[], u("0.2")).unwrap(), u("50"));
}

#[test]
fn settle_margin_floors_at_zero_with_bad_debt() {
	assert_eq!(margin::settle_margin(u("100"), s("20"), s("5")).unwrap(), (u("115"), 0));
	assert_eq!(margin::settle_margin(u("100"), s("-120"), s("5")).unwrap(), (0, u("25")));
}

#[test]
fn fair_price_valuation_recentres_the_curve() {
	let curve = Reserves::new(u("100"), u("1000"));
	let long = Position { size: s("10"), open_notional: u("100"), ..Position::default() };
	let short = Position { size: s("-10"), open_notional: u("100"), ..Position::default() };
	let premium = CumulativePremium::default();
	// At the curve's own mark the recentred curve is the curve: same values exactly.
	for position in [long, short] {
		assert_eq!(
			margin::value_position_at(&position, curve, u("10"), &premium).unwrap(),
			margin::value_position(&position, curve, &premium).unwrap()
		);
	}
	// At 8, k = 100,000 is kept: x = √12,500 ≈ 111.8034, y ≈ 894.4272; the long sells 10
	// into it for 894.4272 − 100,000 / 121.8034 ≈ 73.4320 (vs 90.9090 at mark 10).
	let at_8 = margin::value_position_at(&long, curve, u("8"), &premium).unwrap();
	assert!(at_8.notional > u("73.4320") && at_8.notional < u("73.4321"), "{}", at_8.notional);
	assert_eq!(at_8.unrealized_pnl, s("-100") + i128::try_from(at_8.notional).unwrap());
	let recentred = perp_math::curve::reserves_at_price(curve, u("8"), Side::Long).unwrap();
	assert!(recentred.mark_price().unwrap() <= u("8"));
	let shorts_curve = perp_math::curve::reserves_at_price(curve, u("8"), Side::Short).unwrap();
	assert!(shorts_curve.mark_price().unwrap() >= u("8") - 1);
	assert!(perp_math::curve::reserves_at_price(curve, 0, Side::Long).is_err());
}

#[test]
fn effective_leverage_is_notional_over_equity() {
	assert_eq!(margin::effective_leverage(u("600"), s("120")).unwrap(), Some(u("5")));
	assert_eq!(margin::effective_leverage(u("600"), 0).unwrap(), None);
}

#[test]
fn liquidation_price_of_a_5x_long() {
	let opened = alice_long_5x();
	let price = margin::liquidation_price(
		opened.reserves,
		opened.position.size,
		u("600"),
		s("120"),
		0,
		u("0.125"),
	)
	.unwrap();
	// N* = 480 / 0.875, x* = (−s + √(s² + 4ks/N*)) / 2, price k / x*².
	assert_eq!(price, LiquidationPrice::At(22_936_593_537_358_636_318));
	// Bob shorting 80 leaves the mark at 23.104 (MR 13.0 %), shorting 90 at 22.801 (12.07 %).
	assert!(
		curve::trade_quote(opened.reserves, Side::Short, u("80"))
			.unwrap()
			.reserves
			.mark_price()
			.unwrap() > u("22.9366")
	);
	assert!(
		curve::trade_quote(opened.reserves, Side::Short, u("90"))
			.unwrap()
			.reserves
			.mark_price()
			.unwrap() < u("22.9365")
	);
}

#[test]
fn liquidation_price_edge_cases() {
	let curve = perp_v1_curve();
	// A 1x long backed beyond its cost is never liquidatable.
	assert_eq!(
		margin::liquidation_price(curve, s("10"), u("100"), s("100"), 0, u("0.125")).unwrap(),
		LiquidationPrice::Never
	);
	// A short with negative equity beyond its proceeds is liquidatable anywhere.
	assert_eq!(
		margin::liquidation_price(curve, s("-10"), u("100"), s("-100"), 0, u("0.125")).unwrap(),
		LiquidationPrice::Always
	);
	assert_eq!(
		margin::liquidation_price(curve, 0, 0, 0, 0, u("0.125")).unwrap(),
		LiquidationPrice::Never
	);
	assert_eq!(
		margin::liquidation_price(curve, s("1"), u("10"), 0, 0, ONE),
		Err(MathError::InvalidRatio)
	);
	// Short 25 for 200 with 40 margin (5x): liquidated when the mark rises.
	let short = position::trade(
		&Position::default(),
		curve,
		&Order { side: Side::Short, margin: u("40"), leverage: u("5") },
		&FLAT,
	)
	.unwrap();
	let LiquidationPrice::At(price) = margin::liquidation_price(
		short.reserves,
		short.position.size,
		u("200"),
		s("40"),
		0,
		u("0.125"),
	)
	.unwrap() else {
		panic!("expected a price")
	};
	assert!(price > short.reserves.mark_price().unwrap());
	// Other cross positions' notional needs maintenance too: the price moves closer.
	let LiquidationPrice::At(cross) = margin::liquidation_price(
		short.reserves,
		short.position.size,
		u("200"),
		s("40"),
		u("100"),
		u("0.125"),
	)
	.unwrap() else {
		panic!("expected a price")
	};
	assert!(cross < price);
}

/// The curve moved along `x·y = k` to the point where the mark is `price`.
fn curve_at_price(k: U256, price: u128) -> Reserves {
	let base = (k * U256::from(ONE) / U256::from(price)).integer_sqrt();
	let quote = (k + base - 1) / base;
	Reserves::new(base.as_u128(), quote.as_u128())
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(1_000))]

	/// Moving the curve a hair beyond the liquidation price makes the position
	/// liquidatable, a hair before it does not.
	#[test]
	fn liquidation_price_is_where_mr_crosses_maintenance(
		base in 10u128.pow(21)..10u128.pow(24), price in 1u128..1_000, long in any::<bool>(),
		fraction in 1u128..300, leverage in 2u128..8, bump in 0u128..50,
	) {
		let curve = Reserves::new(base, base * price);
		let notional = curve.quote * fraction / 1_000;
		let side = if long { Side::Long } else { Side::Short };
		let order = Order { side, margin: notional / leverage, leverage: leverage * ONE };
		let opened = position::trade(&Position::default(), curve, &order, &FLAT).unwrap();
		let size = opened.position.size;
		let k = opened.reserves.k().unwrap();
		let equity = (opened.position.margin * (100 + bump) / 100) as i128;
		let result = margin::liquidation_price(opened.reserves, size, opened.position.open_notional, equity, 0, u("0.125")).unwrap();
		let LiquidationPrice::At(liquidation) = result else { return Ok(()) };
		let healthy_side = if long { liquidation + liquidation / 10_000 } else { liquidation - liquidation / 10_000 };
		let liquidated_side = if long { liquidation - liquidation / 10_000 } else { liquidation + liquidation / 10_000 };
		let mr_meets = |mark: u128| -> Option<bool> {
			let moved = curve_at_price(k, mark);
			let notional = curve::exit_value(moved, size).ok()?;
			let pnl = margin::unrealized_pnl(size, opened.position.open_notional, notional).ok()?;
			Some(margin::meets_margin_ratio(equity + pnl, notional, u("0.125")))
		};
		if let Some(meets) = mr_meets(healthy_side) { prop_assert!(meets, "healthy side {healthy_side} of {liquidation}") }
		if let Some(meets) = mr_meets(liquidated_side) { prop_assert!(!meets, "liquidated side {liquidated_side} of {liquidation}") }
	}
}
