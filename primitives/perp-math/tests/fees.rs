//! Dynamic fee schedule and fee split.

mod common;

use common::u;
use perp_math::{
	fees::{self, FeeSchedule, FeeSplit},
	MathError,
};
use proptest::prelude::*;

fn ratio(before: &str, after: &str) -> u128 {
	fees::dynamic_fee_ratio(&common::fee_schedule(), u("10"), u(before), u(after)).unwrap()
}

#[test]
fn base_fee_inside_the_thresholds() {
	assert_eq!(ratio("10", "10.2"), u("0.003"));
	// Exactly at the 2.5 % threshold is not above it.
	assert_eq!(ratio("10", "10.25"), u("0.003"));
}

#[test]
fn level_one_widening_and_narrowing() {
	assert_eq!(ratio("10.2", "10.3"), u("0.01"));
	assert_eq!(ratio("10.3", "10.28"), u("0.003"));
	// A short pushing the mark below the index is widening too.
	assert_eq!(ratio("9.8", "9.7"), u("0.01"));
	assert_eq!(ratio("10.25", "10.25"), u("0.003"));
}

#[test]
fn level_two_widening_and_narrowing() {
	assert_eq!(ratio("10.2", "10.6"), u("0.05"));
	assert_eq!(ratio("10.8", "10.6"), u("0.003"));
	// Crossing the index to the far side counts by the gap, not the direction.
	assert_eq!(ratio("10.3", "9.4"), u("0.05"));
}

#[test]
fn zero_threshold_disables_a_level() {
	let schedule = FeeSchedule { level2_threshold: 0, ..common::fee_schedule() };
	assert_eq!(
		fees::dynamic_fee_ratio(&schedule, u("10"), u("10.2"), u("10.6")).unwrap(),
		u("0.01")
	);
	let none = FeeSchedule { level1_threshold: 0, level2_threshold: 0, ..common::fee_schedule() };
	assert_eq!(fees::dynamic_fee_ratio(&none, u("10"), u("10.2"), u("19")).unwrap(), u("0.003"));
	let in_favour = FeeSchedule { level1_in_favour_ratio: u("0.001"), ..common::fee_schedule() };
	assert_eq!(
		fees::dynamic_fee_ratio(&in_favour, u("10"), u("10.4"), u("10.3")).unwrap(),
		u("0.001")
	);
	assert_eq!(fees::dynamic_fee_ratio(&none, 0, 1, 1), Err(MathError::ZeroPrice));
}

#[test]
fn fee_amount_rounds_up() {
	assert_eq!(fees::fee_amount(u("600"), u("0.003")).unwrap(), u("1.8"));
	assert_eq!(fees::fee_amount(1, u("0.003")).unwrap(), 1);
	assert_eq!(fees::fee_amount(0, u("0.003")).unwrap(), 0);
}

#[test]
fn fee_split_sums_exactly() {
	assert_eq!(
		fees::split_fee(u("1.8"), u("0.5"), u("0.25")).unwrap(),
		FeeSplit { insurance: u("0.9"), convergence: u("0.45"), treasury: u("0.45") }
	);
	assert_eq!(
		fees::split_fee(7, u("0.5"), u("0.25")).unwrap(),
		FeeSplit { insurance: 3, convergence: 1, treasury: 3 }
	);
	assert_eq!(
		fees::split_fee(7, u("1"), 0).unwrap(),
		FeeSplit { insurance: 7, convergence: 0, treasury: 0 }
	);
	assert_eq!(fees::split_fee(7, u("0.8"), u("0.3")), Err(MathError::InvalidRatio));
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(1_000))]

	#[test]
	fn fee_parts_always_sum_to_the_fee(fee in any::<u128>(), insurance in 0u128..=10u128.pow(18), convergence in 0u128..=10u128.pow(18)) {
		let convergence = convergence.min(10u128.pow(18) - insurance);
		let split = fees::split_fee(fee, insurance, convergence).unwrap();
		prop_assert_eq!(split.insurance + split.convergence + split.treasury, fee);
	}
}
