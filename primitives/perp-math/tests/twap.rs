//! TWAP accumulator and windows.

mod common;

use common::u;
use perp_math::{
	twap::{self, TwapAccumulator, TwapObservation},
	MathError,
};
use proptest::prelude::*;

/// Blocks every 6 s: the price 10 holds for a minute, then trades move it to 12.
fn history() -> (Vec<TwapObservation>, TwapAccumulator) {
	let mut accumulator = TwapAccumulator::new(u("10"), 0);
	let mut observations = vec![accumulator.observation()];
	for block in 1..=10u64 {
		accumulator = accumulator.advance(block * 6).unwrap();
		observations.push(accumulator.observation());
		if block == 10 {
			// Two trades in this block: only the last price will carry weight, from the next
			// block on.
			accumulator = accumulator.record(u("30")).record(u("12"));
		}
	}
	(observations, accumulator)
}

#[test]
fn a_trade_in_the_current_block_has_no_weight() {
	let (observations, accumulator) = history();
	assert_eq!(accumulator.last_timestamp, 60);
	assert_eq!(twap::twap(&observations, &accumulator, 60, 60).unwrap(), u("10"));
}

#[test]
fn the_new_price_weighs_from_the_next_block() {
	let (mut observations, accumulator) = history();
	let accumulator = accumulator.advance(66).unwrap();
	observations.push(accumulator.observation());
	// Window 60 s at t = 66: 54 s at 10 and 6 s at 12.
	assert_eq!(twap::twap(&observations, &accumulator, 66, 60).unwrap(), u("10.2"));
	// Without advancing, the accumulator still extends the last price to `now`.
	assert_eq!(twap::twap(&observations, &accumulator, 72, 12).unwrap(), u("12"));
	// A window starting between observations interpolates: 3 s at 10, 6 s at 12.
	assert_eq!(twap::twap(&observations, &accumulator, 66, 9).unwrap(), 11_333_333_333_333_333_333);
}

#[test]
fn short_history_shortens_the_window() {
	let (observations, accumulator) = history();
	let accumulator = accumulator.advance(120).unwrap();
	// Only 120 s of history for a one-hour window: 60 s at 10, 60 s at 12.
	assert_eq!(twap::twap(&observations, &accumulator, 120, 3_600).unwrap(), u("11"));
	assert_eq!(twap::twap(&[], &TwapAccumulator::new(u("7"), 50), 50, 3_600).unwrap(), u("7"));
	assert_eq!(twap::twap(&observations, &accumulator, 120, 0).unwrap(), u("12"));
}

#[test]
fn time_must_not_go_backwards() {
	let (observations, accumulator) = history();
	assert_eq!(accumulator.advance(59), Err(MathError::InvalidTimestamp));
	assert_eq!(twap::twap(&observations, &accumulator, 59, 10), Err(MathError::InvalidTimestamp));
	let shuffled = [
		TwapObservation { timestamp: 10, cumulative: 0 },
		TwapObservation { timestamp: 5, cumulative: 0 },
	];
	assert_eq!(
		twap::twap(&shuffled, &TwapAccumulator::new(1, 10), 20, 30),
		Err(MathError::InvalidTimestamp)
	);
	let point = TwapObservation { timestamp: 5, cumulative: 0 };
	assert_eq!(twap::twap_between(point, point), Err(MathError::InvalidTimestamp));
}

#[test]
fn the_sum_wraps_without_breaking_averages() {
	let accumulator =
		TwapAccumulator { cumulative: u128::MAX - u("5"), last_price: u("3"), last_timestamp: 0 };
	let later = accumulator.advance(10).unwrap();
	assert!(later.cumulative < accumulator.cumulative);
	assert_eq!(twap::twap_between(accumulator.observation(), later.observation()).unwrap(), u("3"));
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(500))]

	/// The TWAP over any window lies between the lowest and highest prices that carried
	/// weight in it.
	#[test]
	fn twap_stays_within_the_prices(prices in proptest::collection::vec((1u128..10u128.pow(24), 1u64..600), 1..40), window in 1u64..7_200) {
		let mut accumulator = TwapAccumulator::new(prices[0].0, 0);
		let mut observations = vec![accumulator.observation()];
		let mut now = 0u64;
		for (price, gap) in &prices {
			accumulator = accumulator.record(*price);
			now += gap;
			accumulator = accumulator.advance(now).unwrap();
			observations.push(accumulator.observation());
		}
		let average = twap::twap(&observations, &accumulator, now, window).unwrap();
		let low = prices.iter().map(|(price, _)| *price).min().unwrap();
		let high = prices.iter().map(|(price, _)| *price).max().unwrap();
		prop_assert!(average >= low && average <= high);
	}
}
