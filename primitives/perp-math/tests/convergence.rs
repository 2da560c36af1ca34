//! Convergence cost, liquidity migration bounds and the exit-value-preserving remap.

mod common;

use common::{perp_v1_curve, reserves, s, u};
use perp_math::{
	convergence::{self, LiquiditySnapshot},
	curve,
	position::Side,
	MathError, Reserves,
};
use proptest::prelude::*;

#[test]
fn repeg_of_a_net_long_releases_reserve() {
	// Net long 37.5 on 62.5 / 1600 (mark 25.6); the index is 20.
	let before = reserves("62.5", "1600");
	let after = convergence::repeg_reserves(before, u("20"), s("37.5")).unwrap();
	assert_eq!(after, reserves("62.5", "1250"));
	assert_eq!(after.mark_price().unwrap(), u("20"));
	assert_eq!(convergence::amm_obligation(before, s("37.5")).unwrap(), s("600"));
	assert_eq!(convergence::amm_obligation(after, s("37.5")).unwrap(), s("468.75"));
	// The AMM owes 131.25 less: that much goes to the convergence reserve.
	assert_eq!(convergence::convergence_cost(before, after, s("37.5")).unwrap(), s("-131.25"));
	// Repegging upwards instead costs the protocol.
	let up = convergence::repeg_reserves(before, u("30"), s("37.5")).unwrap();
	assert_eq!(convergence::convergence_cost(before, up, s("37.5")).unwrap(), s("103.125"));
}

#[test]
fn repeg_of_a_net_short() {
	// Net short 25 on 125 / 800 (mark 6.4); index 10: shorts owe 312.5 instead of 200.
	let before = reserves("125", "800");
	let after = convergence::repeg_reserves(before, u("10"), s("-25")).unwrap();
	assert_eq!(after, reserves("125", "1250"));
	assert_eq!(convergence::amm_obligation(before, s("-25")).unwrap(), s("-200"));
	assert_eq!(convergence::convergence_cost(before, after, s("-25")).unwrap(), s("-112.5"));
	assert_eq!(convergence::convergence_cost(before, after, 0).unwrap(), 0);
}

#[test]
fn repeg_rounds_against_the_net_position() {
	let curve = Reserves::new(3, 1);
	assert_eq!(convergence::repeg_reserves(curve, u("0.5"), 1).unwrap(), Reserves::new(3, 1));
	assert_eq!(convergence::repeg_reserves(curve, u("0.5"), -1).unwrap(), Reserves::new(3, 2));
	assert_eq!(convergence::repeg_reserves(curve, 0, 1), Err(MathError::ZeroPrice));
	assert_eq!(convergence::repeg_reserves(curve, 1, 1), Err(MathError::ZeroReserve));
}

#[test]
fn scaling_reserves_keeps_the_price() {
	assert_eq!(
		convergence::scale_reserves(reserves("62.5", "1600"), u("2")).unwrap(),
		reserves("125", "3200")
	);
	assert_eq!(
		convergence::scale_reserves(reserves("62.5", "1600"), u("0.5")).unwrap(),
		reserves("31.25", "800")
	);
	assert_eq!(convergence::scale_reserves(perp_v1_curve(), 0), Err(MathError::InvalidMultiplier));
}

#[test]
fn multiplier_must_leave_longs_closable() {
	// The 37.5 long OI exits for 600: the scaled quote reserve must exceed 600.
	let curve = reserves("62.5", "1600");
	assert_eq!(
		convergence::checked_scale_reserves(curve, u("0.375"), u("37.5")),
		Err(MathError::InvalidMultiplier)
	);
	assert_eq!(
		convergence::checked_scale_reserves(curve, u("0.38"), u("37.5")).unwrap(),
		reserves("23.75", "608")
	);
	assert!(convergence::checked_scale_reserves(curve, u("0.01"), 0).is_ok());
}

#[test]
fn remap_preserves_exit_value() {
	// Long 37.5 worth 600 on 62.5 / 1600; reserves doubled: ⌊600 · 125 / (3200 − 600)⌋.
	let doubled =
		LiquiditySnapshot { before: reserves("62.5", "1600"), after: reserves("125", "3200") };
	let long = convergence::remap_size(&doubled, s("37.5")).unwrap();
	assert_eq!(long, 28_846_153_846_153_846_153);
	let value = curve::exit_value(doubled.after, long).unwrap();
	assert!(value <= u("600") && u("600") - value < 30);
	// Short 25 costing 200 on 125 / 800, doubled: ⌈200 · 250 / (1600 + 200)⌉.
	let short_snapshot =
		LiquiditySnapshot { before: reserves("125", "800"), after: reserves("250", "1600") };
	let short = convergence::remap_size(&short_snapshot, s("-25")).unwrap();
	assert_eq!(short, -27_777_777_777_777_777_778);
	assert!(curve::exit_value(short_snapshot.after, short).unwrap() >= u("200"));
	// Deeper curve: the long needs fewer base, the short more, for the same value.
	assert!(long < s("37.5") && short < s("-25"));
	assert_eq!(convergence::remap_size(&doubled, 0).unwrap(), 0);
}

#[test]
fn net_size_is_remapped_position_by_position() {
	// Two longs and a short on 62.5 / 1600 (net long 30), reserves doubled.
	let snapshot =
		LiquiditySnapshot { before: reserves("62.5", "1600"), after: reserves("125", "3200") };
	let sizes = [s("20"), s("17.5"), s("-7.5")];
	let mut net: i128 = sizes.iter().sum();
	let mut long_open_interest: u128 = u("37.5");
	for size in sizes {
		let remapped = convergence::remap_size(&snapshot, size).unwrap();
		net += remapped - size;
		if size > 0 {
			long_open_interest = long_open_interest + remapped.unsigned_abs() - size.unsigned_abs();
		}
	}
	let remapped_sum: i128 =
		sizes.iter().map(|size| convergence::remap_size(&snapshot, *size).unwrap()).sum();
	assert_eq!(net, remapped_sum);
	assert!(long_open_interest < u("37.5"));
	// Remapping the net as one position would not match: exit values are not additive.
	assert_ne!(convergence::remap_size(&snapshot, s("30")).unwrap(), remapped_sum);
}

#[test]
fn remap_through_several_migrations() {
	let first =
		LiquiditySnapshot { before: reserves("62.5", "1600"), after: reserves("125", "3200") };
	let second =
		LiquiditySnapshot { before: reserves("125", "3200"), after: reserves("62.5", "1600") };
	let back = convergence::remap_through(&[first, second], s("37.5")).unwrap();
	// There and back again loses at most rounding, in the protocol's favour.
	assert!(back <= s("37.5") && s("37.5") - back < 1_000);
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(2_000))]

	/// The remapped size's exit value on the new curve brackets the old one tightly:
	/// a long's is at most `V` and one more base unit would reach it; a short's is at least
	/// `V` and one base unit less would not exceed it.
	#[test]
	fn remap_preserves_exit_value_in_the_protocols_favour(
		base in 10u128.pow(19)..10u128.pow(26), price in 1u128..10_000, fraction in 1u128..900,
		long in any::<bool>(), multiplier in 300_000_000_000_000_000u128..5_000_000_000_000_000_000,
	) {
		let before = Reserves::new(base, base * price);
		let side = if long { Side::Long } else { Side::Short };
		let opened = curve::trade_quote(before, side, before.quote / 1_000 * fraction).unwrap();
		let (curve_before, size) = (opened.reserves, opened.size_change);
		let long_open_interest = if long { size.unsigned_abs() } else { 0 };
		let Ok(after) = convergence::checked_scale_reserves(curve_before, multiplier, long_open_interest) else { return Ok(()) };
		let snapshot = LiquiditySnapshot { before: curve_before, after };
		let value = curve::exit_value(curve_before, size).unwrap();
		let remapped = convergence::remap_size(&snapshot, size).unwrap();
		prop_assert_eq!(remapped.signum(), size.signum());
		let new_value = curve::exit_value(after, remapped).unwrap();
		if long {
			prop_assert!(new_value <= value);
			prop_assert!(curve::exit_value(after, remapped + 1).unwrap() >= value);
		} else {
			prop_assert!(new_value >= value);
			prop_assert!(curve::exit_value(after, remapped + 1).unwrap() <= value);
		}
	}
}
