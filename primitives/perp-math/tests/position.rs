//! Positions: increase, reduce with pro-rata realised PnL, close, reverse.

mod common;

use common::{perp_v1_curve, reserves, s, u};
use perp_math::{
	curve, margin,
	position::{self, Order},
	types::{Position, Side},
	CumulativePremium, MathError,
};
use proptest::prelude::*;

const FLAT: CumulativePremium = CumulativePremium { long: 0, short: 0 };

fn order(side: Side, margin: &str, leverage: &str) -> Order {
	Order { side, margin: u(margin), leverage: u(leverage) }
}

/// Alice opens long 120 × 5 on the Perp v1 curve: 37.5 base for 600, curve at 62.5 / 1600.
fn alice_long() -> position::TradeOutcome {
	position::trade(&Position::default(), perp_v1_curve(), &order(Side::Long, "120", "5"), &FLAT)
		.unwrap()
}

#[test]
fn opening_long_and_short() {
	let opened = alice_long();
	assert_eq!(
		opened.position,
		Position {
			size: s("37.5"),
			margin: u("120"),
			open_notional: u("600"),
			last_cumulative_premium: 0
		}
	);
	assert_eq!(opened.reserves, reserves("62.5", "1600"));
	assert_eq!(
		(opened.exchanged_size, opened.exchanged_notional, opened.required_margin),
		(s("37.5"), u("600"), u("120"))
	);

	let short = position::trade(
		&Position::default(),
		perp_v1_curve(),
		&order(Side::Short, "20", "10"),
		&FLAT,
	)
	.unwrap();
	assert_eq!(short.position.size, s("-25"));
	assert_eq!(short.position.open_notional, u("200"));
	assert_eq!(short.reserves, reserves("125", "800"));
}

#[test]
fn increasing_adds_size_notional_and_margin_and_settles_funding() {
	let opened = alice_long();
	// Longs' cumulative premium rose by 0.1 per unit: 37.5 × 0.1 = 3.75 owed, out of margin.
	let premium = CumulativePremium { long: s("0.1"), short: s("0.1") };
	let more = position::increase(
		&opened.position,
		opened.reserves,
		Side::Long,
		u("400"),
		u("80"),
		&premium,
	)
	.unwrap();
	assert_eq!(more.exchanged_size, s("12.5"));
	assert_eq!(more.funding_payment, s("3.75"));
	assert_eq!(
		more.position,
		Position {
			size: s("50"),
			margin: u("196.25"),
			open_notional: u("1000"),
			last_cumulative_premium: s("0.1")
		}
	);
	assert_eq!(
		position::increase(&opened.position, opened.reserves, Side::Short, u("1"), 0, &FLAT),
		Err(MathError::WrongSide)
	);
}

#[test]
fn unrealized_pnl_by_side() {
	assert_eq!(margin::unrealized_pnl(s("1"), u("600"), u("857")).unwrap(), s("257"));
	assert_eq!(margin::unrealized_pnl(s("-1"), u("600"), u("857")).unwrap(), s("-257"));
	assert_eq!(margin::unrealized_pnl(0, 0, 0).unwrap(), 0);
}

#[test]
fn partial_reduce_realises_pro_rata_pnl() {
	let opened = alice_long();
	// Bob longs 400 after Alice: curve at 50 / 2000, mark 40.
	let bob = curve::trade_quote(opened.reserves, Side::Long, u("400")).unwrap();
	assert_eq!(bob.reserves, reserves("50", "2000"));
	let alice = opened.position;
	assert_eq!(curve::exit_value(bob.reserves, alice.size).unwrap(), 857_142_857_142_857_142_857);
	// uPnL 257.142857142857142857; closing a third realises ⌊uPnL / 3⌋.
	let reduced = position::reduce(&alice, bob.reserves, u("12.5"), &FLAT).unwrap();
	assert_eq!(reduced.exchanged_notional, u("400"));
	assert_eq!(reduced.realized_pnl, 85_714_285_714_285_714_285);
	// open' = 600 − 400 + realised.
	assert_eq!(reduced.position.open_notional, 285_714_285_714_285_714_285);
	assert_eq!(reduced.position.size, s("25"));
	assert_eq!(reduced.position.margin, 205_714_285_714_285_714_285);
	assert_eq!(reduced.reserves, reserves("62.5", "1600"));
	// Realised plus what is still unrealised is the uPnL before the reduce.
	let rest = position::position_pnl(&reduced.position, reduced.reserves).unwrap();
	assert_eq!(rest, 171_428_571_428_571_428_572);
	assert_eq!(reduced.realized_pnl + rest, 257_142_857_142_857_142_857);
}

#[test]
fn opposite_order_below_exit_value_reduces() {
	let opened = alice_long();
	// A short order of 40 × 5 = 200 quote takes base off the long (rounded up).
	let reduced =
		position::trade(&opened.position, opened.reserves, &order(Side::Short, "40", "5"), &FLAT)
			.unwrap();
	assert_eq!(reduced.exchanged_notional, u("200"));
	// Curve 62.5/1600 → quote 1400, base ⌈10^5/1400⌉ = 71.428571428571428572.
	assert_eq!(reduced.exchanged_size, -8_928_571_428_571_428_572);
	assert_eq!(reduced.position.size, s("37.5") - 8_928_571_428_571_428_572);
	assert_eq!(reduced.realized_pnl, 0);
	assert_eq!(reduced.position.open_notional, u("400"));
	assert_eq!(reduced.required_margin, 0);
}

#[test]
fn closing_realises_everything_and_releases_margin() {
	let opened = alice_long();
	let bob = curve::trade_quote(opened.reserves, Side::Long, u("400")).unwrap();
	let closed = position::close(&opened.position, bob.reserves, &FLAT).unwrap();
	assert_eq!(closed.realized_pnl, 257_142_857_142_857_142_857);
	assert_eq!(closed.released_margin, 377_142_857_142_857_142_857);
	assert_eq!(closed.position, Position::default());
	assert_eq!(closed.exchanged_size, s("-37.5"));
}

#[test]
fn closing_below_zero_margin_is_bad_debt() {
	let opened = alice_long();
	// Bob shorts 400: Alice's 37.5 is worth 352.941176470588235295 (curve 83.33…/1200).
	let bob = curve::trade_quote(opened.reserves, Side::Short, u("400")).unwrap();
	let exit = curve::exit_value(bob.reserves, opened.position.size).unwrap();
	let closed = position::close(&opened.position, bob.reserves, &FLAT).unwrap();
	assert_eq!(closed.realized_pnl, exit as i128 - s("600"));
	assert_eq!(closed.released_margin, 0);
	assert_eq!(closed.bad_debt, u("600") - exit - u("120"));
}

#[test]
fn opposite_order_beyond_exit_value_reverses() {
	let opened = alice_long();
	let reversed =
		position::trade(&opened.position, opened.reserves, &order(Side::Short, "100", "10"), &FLAT)
			.unwrap();
	// Close 37.5 for 600 (curve back to 100/1000), then short the remaining 400.
	assert_eq!(reversed.released_margin, u("120"));
	assert_eq!(reversed.realized_pnl, 0);
	assert_eq!(reversed.exchanged_notional, u("1000"));
	assert_eq!(reversed.position.size, -66_666_666_666_666_666_667);
	assert_eq!(reversed.position.open_notional, u("400"));
	assert_eq!(reversed.position.margin, u("40"));
	assert_eq!(reversed.required_margin, u("40"));
	assert_eq!(reversed.exchanged_size, s("-37.5") - 66_666_666_666_666_666_667);
	assert_eq!(reversed.reserves, reserves("166.666666666666666667", "600"));
}

#[test]
fn exact_opposite_order_just_closes() {
	let opened = alice_long();
	let closed =
		position::trade(&opened.position, opened.reserves, &order(Side::Short, "60", "10"), &FLAT)
			.unwrap();
	assert_eq!(closed.position, Position::default());
	assert_eq!(closed.released_margin, u("120"));
	assert_eq!(closed.reserves, perp_v1_curve());
}

#[test]
fn reduce_errors() {
	let opened = alice_long();
	assert_eq!(
		position::reduce(&opened.position, opened.reserves, u("38"), &FLAT),
		Err(MathError::ReduceTooLarge)
	);
	assert_eq!(
		position::reduce(&Position::default(), opened.reserves, 1, &FLAT),
		Err(MathError::NoPosition)
	);
	assert_eq!(
		Order { side: Side::Long, margin: 1, leverage: 0 }.notional(),
		Err(MathError::InvalidRatio)
	);
	assert_eq!(
		position::increase(&Position::default(), perp_v1_curve(), Side::Long, 1, 0, &FLAT),
		Err(MathError::TradeTooSmall)
	);
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(1_000))]

	/// Reducing in two steps realises, together with what stays unrealised, the uPnL the
	/// position had (up to a few units of rounding, never in the trader's favour by more
	/// than that), and sizes add up.
	#[test]
	fn reduce_conserves_pnl(
		base in 10u128.pow(20)..10u128.pow(24), price in 1u128..10_000, margin in 1u128..1_000,
		leverage in 1u128..10, long in any::<bool>(), move_by in 1u128..500, fraction in 1u128..1_000,
	) {
		let curve = perp_math::Reserves::new(base, base * price);
		let side = if long { Side::Long } else { Side::Short };
		let margin = margin * 10u128.pow(18);
		let opened = position::trade(&Position::default(), curve, &Order { side, margin, leverage: leverage * 10u128.pow(18) }, &FLAT);
		let Ok(opened) = opened else { return Ok(()) };
		let mover = if move_by % 2 == 0 { Side::Long } else { Side::Short };
		let Ok(moved) = curve::trade_quote(opened.reserves, mover, margin * move_by / 100) else { return Ok(()) };
		let Ok(before) = position::position_pnl(&opened.position, moved.reserves) else { return Ok(()) };
		let closed_base = opened.position.size.unsigned_abs() * fraction / 1_000;
		let reduced = position::reduce(&opened.position, moved.reserves, closed_base, &FLAT).unwrap();
		prop_assert_eq!(reduced.position.size, opened.position.size + reduced.exchanged_size);
		let after = position::position_pnl(&reduced.position, reduced.reserves).unwrap();
		let total = reduced.realized_pnl + after;
		prop_assert!((total - before).abs() <= 3, "before {} after {}", before, total);
	}
}
