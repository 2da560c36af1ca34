//! The curve: Perp v1 vectors, prices, impact, fluctuation band, and its properties.

mod common;

use common::{perp_v1_curve, reserves, s, u};
use perp_math::{
	curve::{self, Direction},
	types::Side,
	MathError, Reserves,
};
use primitive_types::U256;
use proptest::prelude::*;

fn quote_in(direction: Direction, quote: &str) -> u128 {
	curve::swap_quote(perp_v1_curve(), direction, u(quote)).unwrap().amount
}

fn base_in(direction: Direction, base: &str) -> u128 {
	curve::swap_base(perp_v1_curve(), direction, u(base)).unwrap().amount
}

#[test]
fn perp_v1_input_side_vectors() {
	assert_eq!(quote_in(Direction::AddToAmm, "50"), 4_761_904_761_904_761_904);
	assert_eq!(quote_in(Direction::RemoveFromAmm, "50"), 5_263_157_894_736_842_106);
	assert_eq!(quote_in(Direction::AddToAmm, "600"), u("37.5"));
	assert_eq!(quote_in(Direction::RemoveFromAmm, "600"), u("150"));
}

#[test]
fn perp_v1_output_side_vectors() {
	assert_eq!(base_in(Direction::AddToAmm, "5"), 47_619_047_619_047_619_047);
	assert_eq!(base_in(Direction::RemoveFromAmm, "5"), 52_631_578_947_368_421_053);
	assert_eq!(base_in(Direction::RemoveFromAmm, "37.5"), u("600"));
	assert_eq!(base_in(Direction::RemoveFromAmm, "25"), 333_333_333_333_333_333_334);
	assert_eq!(base_in(Direction::AddToAmm, "25"), u("200"));
}

#[test]
fn swaps_move_reserves_to_the_rounded_up_counter_reserve() {
	let swap = curve::swap_quote(perp_v1_curve(), Direction::AddToAmm, u("50")).unwrap();
	assert_eq!(swap.reserves, Reserves::new(95_238_095_238_095_238_096, u("1050")));
	let swap = curve::swap_base(perp_v1_curve(), Direction::RemoveFromAmm, u("25")).unwrap();
	assert_eq!(swap.reserves, Reserves::new(u("75"), 1_333_333_333_333_333_333_334));
}

#[test]
fn mark_price_and_k() {
	let curve = perp_v1_curve();
	assert_eq!(curve.mark_price().unwrap(), u("10"));
	assert_eq!(curve.k().unwrap(), U256::from(u("100")) * U256::from(u("1000")));
	assert_eq!(reserves("3", "1").mark_price().unwrap(), 333_333_333_333_333_333);
	assert_eq!(Reserves::new(0, 1).mark_price(), Err(MathError::ZeroReserve));
}

#[test]
fn removing_a_whole_reserve_is_insufficient_depth() {
	assert_eq!(
		curve::swap_quote(perp_v1_curve(), Direction::RemoveFromAmm, u("1000")),
		Err(MathError::InsufficientDepth)
	);
	assert_eq!(
		curve::swap_base(perp_v1_curve(), Direction::RemoveFromAmm, u("100")),
		Err(MathError::InsufficientDepth)
	);
	assert_eq!(curve::exit_value(perp_v1_curve(), s("-100")), Err(MathError::InsufficientDepth));
}

#[test]
fn zero_amount_swaps_change_nothing() {
	let swap = curve::swap_quote(perp_v1_curve(), Direction::RemoveFromAmm, 0).unwrap();
	assert_eq!((swap.amount, swap.reserves), (0, perp_v1_curve()));
	assert_eq!(curve::exit_value(perp_v1_curve(), 0).unwrap(), 0);
}

#[test]
fn trades_from_the_traders_side() {
	let long = curve::trade_quote(perp_v1_curve(), Side::Long, u("600")).unwrap();
	assert_eq!((long.size_change, long.notional), (s("37.5"), u("600")));
	assert_eq!(long.reserves, reserves("62.5", "1600"));
	let short = curve::trade_quote(perp_v1_curve(), Side::Short, u("50")).unwrap();
	assert_eq!(short.size_change, -5_263_157_894_736_842_106);
	// Long exit: sell the base back; short exit: buy it back.
	assert_eq!(curve::exit_value(long.reserves, long.size_change).unwrap(), u("600"));
	assert_eq!(curve::exit_value(perp_v1_curve(), s("-25")).unwrap(), 333_333_333_333_333_333_334);
	assert_eq!(curve::exit_value(perp_v1_curve(), s("25")).unwrap(), u("200"));
}

#[test]
fn price_impact_and_post_trade_price() {
	// Long 600 fills 37.5 base at 16 on average against a mark of 10: impact 60 %.
	assert_eq!(curve::price_impact(perp_v1_curve(), Side::Long, u("600")).unwrap(), u("0.6"));
	assert_eq!(curve::post_trade_price(perp_v1_curve(), Side::Long, u("600")).unwrap(), u("25.6"));
	// Short 600 sells 150 base for 600: average 4, impact 60 %; the mark ends at 400/250.
	assert_eq!(curve::price_impact(perp_v1_curve(), Side::Short, u("600")).unwrap(), u("0.6"));
	assert_eq!(curve::post_trade_price(perp_v1_curve(), Side::Short, u("600")).unwrap(), u("1.6"));
	assert_eq!(
		curve::post_close_price(reserves("62.5", "1600"), s("37.5"), u("37.5")).unwrap(),
		u("10")
	);
	assert_eq!(curve::price_impact(perp_v1_curve(), Side::Long, 1), Err(MathError::TradeTooSmall));
}

#[test]
fn fluctuation_band() {
	assert_eq!(curve::fluctuation_band(u("10"), u("0.02")).unwrap(), (u("9.8"), u("10.2")));
	assert!(curve::within_fluctuation_band(u("10.2"), u("10"), u("0.02")).unwrap());
	assert!(!curve::within_fluctuation_band(u("10.2") + 1, u("10"), u("0.02")).unwrap());
	assert!(!curve::within_fluctuation_band(u("9.8") - 1, u("10"), u("0.02")).unwrap());
	assert!(curve::within_fluctuation_band(u("1000"), u("10"), 0).unwrap());
	assert_eq!(curve::fluctuation_band(u("10"), u("1.5")), Err(MathError::InvalidRatio));
}

fn product(reserves: Reserves) -> U256 {
	U256::from(reserves.base) * U256::from(reserves.quote)
}

fn curve_strategy() -> impl Strategy<Value = Reserves> {
	(1_000u128..10u128.pow(30), 1_000u128..10u128.pow(30))
		.prop_map(|(base, quote)| Reserves::new(base, quote))
}

fn direction_strategy() -> impl Strategy<Value = Direction> {
	prop_oneof![Just(Direction::AddToAmm), Just(Direction::RemoveFromAmm)]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(2_000))]

	/// Every swap keeps `k` up to rounding: it never shrinks, and grows by less than the
	/// reserve that was fixed (the other one is `⌈k / fixed⌉`).
	#[test]
	fn k_is_preserved_up_to_rounding(curve in curve_strategy(), direction in direction_strategy(), fraction in 0u128..1_000_000, quote_side in any::<bool>()) {
		let reserve = if quote_side { curve.quote } else { curve.base };
		let amount = reserve / 1_000_000 * fraction;
		let swap = if quote_side { curve::swap_quote(curve, direction, amount) } else { curve::swap_base(curve, direction, amount) };
		let swap = swap.unwrap();
		let (before, after) = (product(curve), product(swap.reserves));
		let fixed = if quote_side { swap.reserves.quote } else { swap.reserves.base };
		prop_assert!(after >= before);
		prop_assert!(after - before < U256::from(fixed));
	}

	/// Buying base and selling it straight back (or the other way round) never returns
	/// more than was put in.
	#[test]
	fn round_trips_never_pay_the_trader(curve in curve_strategy(), fraction in 1u128..1_000_000, long in any::<bool>()) {
		let quote = curve.quote / 1_000_000 * fraction;
		let side = if long { Side::Long } else { Side::Short };
		let open = curve::trade_quote(curve, side, quote).unwrap();
		let close = curve::exit_value(open.reserves, open.size_change).unwrap();
		if long {
			prop_assert!(close <= quote, "long paid {quote}, got back {close}");
		} else {
			prop_assert!(close >= quote, "short received {quote}, pays back {close}");
		}
		// Base side: buy base for quote, sell it back.
		let base = curve.base / 1_000_000 * fraction;
		let bought = curve::trade_base(curve, true, base).unwrap();
		let sold = curve::trade_base(bought.reserves, false, base).unwrap();
		prop_assert!(sold.notional <= bought.notional);
	}

	/// A bigger trade never has a smaller price impact, on either side.
	#[test]
	fn price_impact_grows_with_size(
		curve in (10u128.pow(18)..10u128.pow(27), 10u128.pow(18)..10u128.pow(27)).prop_map(|(b, q)| Reserves::new(b, q)),
		small in 1_000u128..500_000, extra in 0u128..400_000, long in any::<bool>(),
	) {
		let side = if long { Side::Long } else { Side::Short };
		let unit = curve.quote / 1_000_000;
		let first = curve::price_impact(curve, side, unit * small).unwrap();
		let second = curve::price_impact(curve, side, unit * (small + extra)).unwrap();
		prop_assert!(second >= first, "{first} then {second}");
		let after_first = curve::post_trade_price(curve, side, unit * small).unwrap();
		let after_second = curve::post_trade_price(curve, side, unit * (small + extra)).unwrap();
		if long { prop_assert!(after_second >= after_first) } else { prop_assert!(after_second <= after_first) }
	}
}
