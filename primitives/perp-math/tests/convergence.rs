//! Convergence cost, liquidity migration bounds and the exit-value-preserving remap.

mod common;

use common::{perp_v1_curve, reserves, s, u};
use perp_math::{
	convergence::{self, LiquiditySnapshot},
	curve, funding,
	types::{Position, Side},
	CumulativePremium, MathError, Reserves, SideMoments, U256,
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
	// The AMM owes 131.25 less: a gain (realised once the market has no open position).
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

/// A remapped position keeps owing exactly the funding it owed: Alice's 37.5 long entered
/// at premium 0.1 when the side's premium is 0.3 owes 7.5; doubled reserves make her size
/// 59.21…, and its entry point moves so that the same 7.5 is owed on the new size: the
/// entry is rounded by less than one raw unit per unit of size, in the protocol's favour, so
/// she owes 29 raw units more (fewer than her 60 units of size).
#[test]
fn a_remapped_position_owes_the_funding_it_owed() {
	let snapshot =
		LiquiditySnapshot { before: reserves("62.5", "1600"), after: reserves("125", "3200") };
	let premium = CumulativePremium { long: s("0.3"), short: s("-0.3") };
	let alice = Position {
		size: s("37.5"),
		margin: u("120"),
		open_notional: u("600"),
		last_cumulative_premium: s("0.1"),
	};
	let owed =
		funding::funding_payment(premium.long, alice.last_cumulative_premium, alice.size).unwrap();
	assert_eq!(owed, s("7.5"));
	let remapped = convergence::remap_position(&alice, &snapshot, &premium).unwrap();
	assert_eq!(remapped.size, convergence::remap_size(&snapshot, alice.size).unwrap());
	assert_eq!((remapped.margin, remapped.open_notional), (alice.margin, alice.open_notional));
	let still_owed =
		funding::funding_payment(premium.long, remapped.last_cumulative_premium, remapped.size)
			.unwrap();
	assert_eq!(still_owed, 7_500_000_000_000_000_029);
	// A closed position is left as it is.
	let closed = Position::default();
	assert_eq!(convergence::remap_position(&closed, &snapshot, &premium).unwrap(), closed);
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

/// Σ |s| and Σ s² of one side's sizes.
fn moments(sizes: &[u128]) -> SideMoments {
	SideMoments {
		size: sizes.iter().sum(),
		squares: sizes
			.iter()
			.fold(U256::zero(), |total, size| total + U256::from(*size) * U256::from(*size)),
	}
}

/// A curve after `longs` and `shorts` opened on `launch` (longs first), with the sizes.
fn book(launch: Reserves, longs: &[u128], shorts: &[u128]) -> (Reserves, Vec<i128>) {
	let mut curve = launch;
	let mut sizes = Vec::new();
	for (quotes, side) in [(longs, Side::Long), (shorts, Side::Short)] {
		for quote in quotes {
			let fill = curve::trade_quote(curve, side, *quote).unwrap();
			curve = fill.reserves;
			sizes.push(fill.size_change);
		}
	}
	(curve, sizes)
}

/// The exact change of the net position and the exact cost when every size is remapped.
fn exact(snapshot: &LiquiditySnapshot, sizes: &[i128]) -> (i128, i128) {
	let change: i128 =
		sizes.iter().map(|size| convergence::remap_size(snapshot, *size).unwrap() - size).sum();
	let net: i128 = sizes.iter().sum();
	(change, convergence::migration_cost(snapshot, net, change).unwrap())
}

fn side_moments(sizes: &[i128], long: bool) -> SideMoments {
	let side: Vec<u128> =
		sizes.iter().filter(|size| (**size > 0) == long).map(|size| size.unsigned_abs()).collect();
	moments(&side)
}

#[test]
fn a_balanced_book_costs_about_nothing_to_migrate() {
	// Ten longs and ten shorts of 10 quote each (≈ 1 base each) on 1,000 base / 10,000
	// quote (mark 10): 200 of notional.
	let launch = reserves("1000", "10000");
	let quotes = vec![u("10"); 10];
	let (before, sizes) = book(launch, &quotes, &quotes);
	let net: i128 = sizes.iter().sum();
	let (longs, shorts) = (side_moments(&sizes, true), side_moments(&sizes, false));
	// Thinning by 5 % makes every long a little larger and every short a little smaller:
	// the AMM owes ≈ mark · 0.0526 / 1,000 · Σ s² = 0.0103 more (bounded by 0.01032);
	// deepening lowers it by 0.0093 (bounded by 0).
	let cases = [
		("0.95", 10_319_231_754_168_429i128, 10_321_921_825_337_650u128),
		("1.05", -9_336_466_216_427_240, 0),
	];
	for (multiplier, exact_cost, bound) in cases {
		let after = convergence::scale_reserves(before, u(multiplier)).unwrap();
		let snapshot = LiquiditySnapshot { before, after };
		let (_, cost) = exact(&snapshot, &sizes);
		let bounded = convergence::migration_cost_bound(&snapshot, net, longs, shorts).unwrap();
		assert_eq!((cost, bounded), (exact_cost, bound), "m = {multiplier}");
	}
}

#[test]
fn a_one_sided_book_pays_for_what_the_remap_moves() {
	// The same ten longs alone: thinning makes each a little larger on a thinner curve.
	let launch = reserves("1000", "10000");
	let (before, sizes) = book(launch, &[u("10"); 10], &[]);
	let net: i128 = sizes.iter().sum();
	let (longs, shorts) = (side_moments(&sizes, true), side_moments(&sizes, false));
	let mut figures: Vec<(i128, u128)> = Vec::new();
	for multiplier in ["0.95", "1.05"] {
		let after = convergence::scale_reserves(before, u(multiplier)).unwrap();
		let snapshot = LiquiditySnapshot { before, after };
		let (_, cost) = exact(&snapshot, &sizes);
		let bounded = convergence::migration_cost_bound(&snapshot, net, longs, shorts).unwrap();
		assert!(i128::try_from(bounded).unwrap() >= cost);
		figures.push((cost, bounded));
	}
	// Thinning lowers what the AMM owes by 0.0469 (bound 0); deepening raises it by 0.04245,
	// bounded within 0.000002.
	assert_eq!(
		figures,
		vec![(-46_877_271_422_273_991, 0), (42_450_673_621_298_501, 42_452_695_132_483_544)]
	);
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(1_000))]

	/// The netted bound is an upper bound on the exact change of the net position (and so
	/// the cost bound on the exact cost), for random books on both sides and any step.
	#[test]
	fn the_netted_bound_bounds_the_exact_remap(
		base in 10u128.pow(20)..10u128.pow(25), price in 1u128..1_000,
		longs in proptest::collection::vec(1u128..400, 0..8),
		shorts in proptest::collection::vec(1u128..400, 0..8),
		multiplier in 500_000_000_000_000_000u128..2_000_000_000_000_000_000,
	) {
		let launch = Reserves::new(base, base * price);
		let per_mille = |share: &u128| launch.quote / 10_000 * share;
		let longs: Vec<u128> = longs.iter().map(per_mille).collect();
		let shorts: Vec<u128> = shorts.iter().map(per_mille).collect();
		let (before, sizes) = book(launch, &longs, &shorts);
		let (long_moments, short_moments) = (side_moments(&sizes, true), side_moments(&sizes, false));
		let Ok(after) = convergence::checked_scale_reserves(before, multiplier, long_moments.size) else { return Ok(()) };
		let snapshot = LiquiditySnapshot { before, after };
		if sizes.iter().any(|size| convergence::remap_size(&snapshot, *size).is_err()) {
			return Ok(());
		}
		let (change, cost) = exact(&snapshot, &sizes);
		let bound = convergence::remap_net_change_bound(&snapshot, long_moments, short_moments).unwrap();
		prop_assert!(bound >= change, "bound {} < exact {}", bound, change);
		let net: i128 = sizes.iter().sum();
		let cost_bound = convergence::migration_cost_bound(&snapshot, net, long_moments, short_moments).unwrap();
		prop_assert!(i128::try_from(cost_bound).unwrap() >= cost);
		// The shorts' Σ |s'| stays within the magnitude bound.
		{
			let side: Vec<i128> = sizes.iter().copied().filter(|size| *size < 0).collect();
			let remapped: u128 = side.iter().map(|size| convergence::remap_size(&snapshot, *size).unwrap().unsigned_abs()).sum();
			let total: u128 = side.iter().map(|size| size.unsigned_abs()).sum();
			let count = u32::try_from(side.len()).unwrap();
			prop_assert!(remapped <= convergence::remapped_magnitude_bound(&snapshot, total, count).unwrap());
		}
	}
}
