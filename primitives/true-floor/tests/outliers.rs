//! Robust centre, outlier classes and the bounded step, with exact values.
mod common;

use common::eth;
use true_floor::{
	outliers::{bounded_step, median},
	FloorParams, RejectReason, RobustCentre, StepBound, ONE,
};

#[test]
fn median_of_odd_and_even_counts() {
	assert_eq!(median(&mut []), None);
	assert_eq!(median(&mut [5]), Some(5));
	assert_eq!(median(&mut [9, 1, 5]), Some(5));
	assert_eq!(median(&mut [4, 1, 3, 2]), Some(2)); // (2 + 3) / 2 rounded down
	assert_eq!(median(&mut [u128::MAX, u128::MAX - 2]), Some(u128::MAX - 1));
}

#[test]
fn centre_and_mad_ignore_a_wild_price() {
	let prices = ["10", "11", "12", "13", "100"].map(eth);
	let centre = RobustCentre::of(prices).unwrap();
	// Deviations 2, 1, 0, 1, 88: the median deviation is 1 ETH.
	assert_eq!(centre, RobustCentre { median: eth("12"), mad: eth("1") });

	let even = RobustCentre::of(["1", "2", "3", "4"].map(eth)).unwrap();
	assert_eq!(even, RobustCentre { median: eth("2.5"), mad: eth("1") });
	assert_eq!(RobustCentre::of([]), None);
}

#[test]
fn extreme_band_and_mad_threshold() {
	let params = FloorParams::default();
	let centre = RobustCentre { median: eth("12"), mad: eth("1") };
	assert_eq!(centre.extreme_bounds(params.extreme_band), Ok((eth("4"), eth("36"))));
	// 3 · max(1, 0.05 · 12) = 3 ETH.
	assert_eq!(centre.probable_threshold(params.mad_k, params.mad_floor), Ok(eth("3")));

	let classify = |price: &str| centre.classify(eth(price), &params);
	assert_eq!(classify("12"), Ok(()));
	assert_eq!(classify("9"), Ok(()));
	assert_eq!(classify("15"), Ok(()));
	assert_eq!(classify("8.99"), Err(RejectReason::ProbableOutlier));
	assert_eq!(classify("15.01"), Err(RejectReason::ProbableOutlier));
	assert_eq!(classify("4"), Err(RejectReason::ProbableOutlier));
	assert_eq!(classify("3.99"), Err(RejectReason::ExtremeOutlier));
	assert_eq!(classify("36.01"), Err(RejectReason::ExtremeOutlier));
}

#[test]
fn the_mad_floor_keeps_identical_prices_from_rejecting_everything() {
	let params = FloorParams::default();
	let centre = RobustCentre::of([eth("10"); 7]).unwrap();
	assert_eq!(centre.mad, 0);
	// 3 · 0.05 · 10 = 1.5 ETH either side.
	assert_eq!(centre.classify(eth("11.5"), &params), Ok(()));
	assert_eq!(centre.classify(eth("8.5"), &params), Ok(()));
	assert_eq!(centre.classify(eth("8.49"), &params), Err(RejectReason::ProbableOutlier));
}

#[test]
fn a_step_moves_at_most_max_step() {
	let step = ONE / 10;
	assert_eq!(
		StepBound::around(eth("10"), step),
		Ok(StepBound { low: eth("9"), high: eth("11") })
	);
	assert_eq!(bounded_step(eth("10"), eth("5"), step), Ok(eth("9")));
	assert_eq!(bounded_step(eth("10"), eth("10.5"), step), Ok(eth("10.5")));
	assert_eq!(bounded_step(eth("10"), eth("20"), step), Ok(eth("11")));
	assert_eq!(bounded_step(u128::MAX, 0, step).map(|floor| floor < u128::MAX), Ok(true));
}
