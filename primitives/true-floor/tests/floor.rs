//! The floor state machine: quantile, step bound, smoothing, publishing, and properties.
mod common;

use common::{eth, fresh, sale};
use proptest::prelude::*;
use true_floor::{
	floor::{low_quantile, weighted_low_quantile},
	smoothing::decay_factor,
	Currency, Ema, FloorError, FloorParams, FloorState, RejectReason, Sale, TokenId, Verdict, ONE,
};

const HOUR: u64 = 3_600;

#[test]
fn low_quantile_is_the_lower_nearest_rank() {
	let prices: Vec<u128> = (1..=10).map(|whole| whole * ONE).collect();
	assert_eq!(low_quantile(prices.iter().copied(), ONE / 10), Some(eth("1")));
	assert_eq!(low_quantile(prices.iter().copied(), ONE / 2), Some(eth("5")));
	assert_eq!(low_quantile(prices.iter().copied(), ONE), Some(eth("10")));
	assert_eq!(low_quantile(prices.iter().copied(), 0), Some(eth("1")));
	let fifty: Vec<u128> = (1..=50).rev().map(|whole| whole * ONE).collect();
	// ⌊0.1 · 49⌋ = 4: the fifth lowest.
	assert_eq!(low_quantile(fifty, ONE / 10), Some(eth("5")));
	assert_eq!(low_quantile([], ONE / 10), None);
}

#[test]
fn decay_halves_per_half_life() {
	assert_eq!(decay_factor(0, HOUR), Ok(ONE));
	assert_eq!(decay_factor(HOUR, HOUR), Ok(ONE / 2));
	assert_eq!(decay_factor(HOUR / 2, HOUR), Ok(707_106_781_186_547_524));
	assert_eq!(decay_factor(3 * HOUR / 2, HOUR), Ok(353_553_390_593_273_762));
	assert_eq!(decay_factor(200 * HOUR, HOUR), Ok(0));
	assert_eq!(decay_factor(u64::MAX, 1), Ok(0));
	assert_eq!(decay_factor(1, 0), Err(FloorError::DivisionByZero));
}

#[test]
fn ema_moves_towards_a_new_target_only_as_time_passes() {
	let ema = Ema::new(eth("10"), 0).advance(HOUR, eth("20"), HOUR).unwrap();
	assert_eq!(ema, Ema { value: eth("10"), target: eth("20"), updated: HOUR });
	assert_eq!(ema.value_at(HOUR, HOUR), Ok(eth("10")));
	assert_eq!(ema.value_at(2 * HOUR, HOUR), Ok(eth("15")));
	assert_eq!(ema.value_at(3 * HOUR, HOUR), Ok(eth("17.5")));
	// Out-of-order reads are read at the last update.
	assert_eq!(ema.value_at(0, HOUR), Ok(eth("10")));
	let down = Ema::new(eth("10"), 0).advance(0, eth("8"), HOUR).unwrap();
	assert_eq!(down.value_at(HOUR, HOUR), Ok(eth("9")));
}

/// The defaults without the burst rule and with a window of fifty: these tests follow the
/// quantile, the outlier filters and the step bound sale by sale, a minute apart.
fn per_sale() -> FloorParams {
	FloorParams { burst_window: 0, quantile_window: 50, ..FloorParams::default() }
}

fn state() -> FloorState {
	FloorState::new(per_sale()).unwrap()
}

#[test]
fn invalid_params_are_refused() {
	let bad = FloorParams { min_samples: 51, ..FloorParams::default() };
	assert_eq!(FloorState::new(bad), Err(FloorError::InvalidParam("min_samples")));
	let bad = FloorParams { max_step: ONE, ..FloorParams::default() };
	assert_eq!(FloorState::new(bad), Err(FloorError::InvalidParam("max_step")));
	let bad = FloorParams { extreme_band: ONE, ..FloorParams::default() };
	assert_eq!(FloorState::new(bad), Err(FloorError::InvalidParam("extreme_band")));
	let bad = FloorParams { half_life: 0, ..FloorParams::default() };
	assert_eq!(FloorState::new(bad), Err(FloorError::InvalidParam("half_life")));
	let bad = FloorParams { burst_cap: 0, ..FloorParams::default() };
	assert_eq!(FloorState::new(bad), Err(FloorError::InvalidParam("burst_cap")));
	let bad = FloorParams { burst_tolerance: ONE, ..FloorParams::default() };
	assert_eq!(FloorState::new(bad), Err(FloorError::InvalidParam("burst_tolerance")));
}

/// Five sales at 10..14 ETH, at t = 0, 60, …, 240.
fn warmed_up() -> FloorState {
	let mut floor = state();
	for (n, price) in ["10", "11", "12", "13", "14"].into_iter().enumerate() {
		let n = u8::try_from(n).unwrap();
		assert_eq!(floor.ingest(&fresh(n, eth(price))), Verdict::Accepted);
		let expected = if n < 4 { None } else { Some(eth("10")) };
		assert_eq!(floor.floor(), expected, "after sale {n}");
	}
	floor
}

#[test]
fn the_floor_walks_through_a_small_stream() {
	let mut floor = warmed_up();
	assert_eq!(floor.instant_floor(), Some(eth("10")));
	assert_eq!(
		floor.robust_centre().map(|centre| (centre.median, centre.mad)),
		Some((eth("12"), eth("1")))
	);

	// 9.5 ETH is within 3 MAD of 12: accepted, the 10%-quantile of six prices is 9.5, within
	// one step of 10. The smoothed floor has not moved yet at the sale's own instant.
	let t = 240 + HOUR;
	assert_eq!(floor.ingest(&sale(20, eth("9.5"), 40, 41, t)), Verdict::Accepted);
	assert_eq!(floor.instant_floor(), Some(eth("9.5")));
	assert_eq!(floor.floor(), Some(eth("10")));
	assert_eq!(floor.floor_at(t + HOUR), Some(eth("9.75")));

	// Centre of 10, 11, 12, 13, 14, 9.5 is 11.5 with MAD 1.5: 5 ETH is 6.5 away (> 4.5).
	assert_eq!(
		floor.ingest(&sale(21, eth("5"), 42, 43, t + 60)),
		Verdict::Rejected(RejectReason::ProbableOutlier)
	);
	// The rejected 5 still entered the centre (median 11): 1 ETH is below 11 / 3.
	assert_eq!(
		floor.ingest(&sale(22, eth("1"), 44, 45, t + 120)),
		Verdict::Rejected(RejectReason::ExtremeOutlier)
	);
	assert_eq!(
		floor.ingest(&sale(23, eth("34"), 46, 47, t + 180)),
		Verdict::Rejected(RejectReason::ExtremeOutlier)
	);
	// Rejections leave the floor as it was.
	assert_eq!(floor.instant_floor(), Some(eth("9.5")));
	assert_eq!(floor.floor(), Some(eth("10")));
}

#[test]
fn one_sale_moves_the_floor_by_at_most_one_step() {
	let lenient = FloorParams { extreme_band: 100 * ONE, mad_k: 100 * ONE, ..per_sale() };
	let mut floor = FloorState::new(lenient).unwrap();
	for n in 0..5 {
		assert_eq!(floor.ingest(&fresh(n, eth("10"))), Verdict::Accepted);
	}
	assert_eq!(floor.instant_floor(), Some(eth("10")));
	assert_eq!(floor.ingest(&fresh(5, eth("5"))), Verdict::Accepted);
	assert_eq!(floor.instant_floor(), Some(eth("9")));
	assert_eq!(floor.ingest(&fresh(6, eth("5"))), Verdict::Accepted);
	assert_eq!(floor.instant_floor(), Some(eth("8.1")));
	// Back up: the quantile is 5 again (two lows among eight), the floor follows by one step.
	assert_eq!(floor.ingest(&fresh(7, eth("50"))), Verdict::Accepted);
	assert_eq!(floor.instant_floor(), Some(eth("7.29")));
}

#[test]
fn publish_on_first_value_deviation_or_heartbeat() {
	assert!(!state().should_publish(0, None), "nothing to publish without a floor");
	let floor = warmed_up(); // 10 ETH, flat since t = 240
	assert!(floor.should_publish(300, None));
	assert!(!floor.should_publish(300, Some((eth("10"), 200))));
	assert!(!floor.should_publish(300, Some((eth("9.95"), 200))), "0.5% is below 1%");
	assert!(floor.should_publish(300, Some((eth("9.8"), 200))), "2% is above 1%");
	assert!(floor.should_publish(300, Some((eth("10.2"), 200))));
	assert!(!floor.should_publish(319, Some((eth("10"), 200))));
	assert!(floor.should_publish(320, Some((eth("10"), 200))), "heartbeat");
	assert!(floor.should_publish(300, Some((0, 200))));
}

#[test]
fn weights_count_sales_in_the_quantile() {
	let priced = |pairs: &[(&str, u128)]| -> Vec<(u128, u128)> {
		pairs.iter().map(|(price, weight)| (eth(price), *weight)).collect()
	};
	// Eleven prices of weight one: ⌊0.1 · 10⌋ = 1, the second lowest.
	let ones: Vec<(&str, u128)> = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
		.map(|price| (price, ONE))
		.to_vec();
	assert_eq!(weighted_low_quantile(priced(&ones), ONE / 10), Some(eth("2")));
	// Four sales at 1 weighing one together, then ten prices: one sale (the four) is under the
	// 10 % line of eleven, so the quantile is the next, 5.
	let mut burst: Vec<(&str, u128)> =
		["1", "1.1", "1.2", "1.3"].map(|price| (price, ONE / 4)).to_vec();
	burst.extend(["5", "6", "7", "8", "9", "10", "11", "12", "13", "14"].map(|price| (price, ONE)));
	assert_eq!(weighted_low_quantile(priced(&burst), ONE / 10), Some(eth("5")));
	assert_eq!(weighted_low_quantile(vec![], ONE / 10), None);
	assert_eq!(weighted_low_quantile(priced(&[("3", ONE)]), ONE / 10), Some(eth("3")));
}

/// An honest sale `n` hours in, of a fresh token between fresh parties.
fn hourly(n: u8, price: &str) -> Sale {
	sale(
		u128::from(n),
		eth(price),
		n.wrapping_mul(2),
		n.wrapping_mul(2).wrapping_add(1),
		u64::from(n) * HOUR,
	)
}

/// Forty hours of honest sales cycling through 10, 10.4, 9.6, 10.2 and 9.8 ETH.
fn forty_honest_hours(params: FloorParams) -> FloorState {
	let mut floor = FloorState::new(params).unwrap();
	for n in 0..40u8 {
		let price = ["10", "10.4", "9.6", "10.2", "9.8"][usize::from(n % 5)];
		assert_eq!(floor.ingest(&hourly(n, price)), Verdict::Accepted);
	}
	assert_eq!(floor.instant_floor(), Some(eth("9.6")));
	floor
}

/// Ten sales of fresh tokens between fresh addresses at 8.6 ETH (10 % under), a minute apart,
/// in hour 40: what one actor makes cheaply.
fn sybil_burst(floor: &mut FloorState) -> Vec<Verdict> {
	(0..10u8)
		.map(|k| {
			let at = 40 * HOUR + u64::from(k) * 60;
			floor.ingest(&sale(200 + u128::from(k), eth("8.6"), 100 + 2 * k, 101 + 2 * k, at))
		})
		.collect()
}

#[test]
fn a_sybil_burst_moves_the_floor_only_without_the_burst_rule() {
	let mut per_sale_floor = forty_honest_hours(per_sale());
	assert!(sybil_burst(&mut per_sale_floor).iter().all(|verdict| *verdict == Verdict::Accepted));
	// Ten of fifty prices at 8.6: the 5th lowest is 8.6, reached in two steps.
	assert_eq!(per_sale_floor.instant_floor(), Some(eth("8.6")));

	let mut guarded = forty_honest_hours(FloorParams::default());
	assert!(sybil_burst(&mut guarded).iter().all(|verdict| *verdict == Verdict::Accepted));
	// Under the line (9.6 − 5 %), in one hour: the ten weigh one sale, below the three (0.1 ·
	// 30) honest ones the 10 % quantile of thirty-one sales passes; the floor stays.
	assert_eq!(guarded.instant_floor(), Some(eth("9.6")));
	// Neither did they drag the robust centre: only the first entered it.
	assert_eq!(guarded.robust_centre().map(|centre| centre.median), Some(eth("10")));

	// The same price sustained over hours is a move, and the floor follows it.
	let mut instants = Vec::new();
	for n in 41..51u8 {
		assert_eq!(guarded.ingest(&hourly(n, "8.6")), Verdict::Accepted);
		instants.push(guarded.instant_floor().unwrap());
	}
	assert_eq!(instants[..2], [eth("9.6"); 2], "two hours are not enough");
	assert_eq!(instants[2], eth("8.64"), "the third moves it one step");
	assert_eq!(guarded.instant_floor(), Some(eth("8.6")));
}

/// A sale from small generated parts: few tokens and addresses so the rules interact.
fn arbitrary_sale() -> impl Strategy<Value = (u8, u128, u8, u8, u32, u8, u8)> {
	(0u8..40, 1u128..1_000_000, 0u8..12, 0u8..12, 0u32..7_200, 0u8..10, 0u8..20)
}

fn build(parts: (u8, u128, u8, u8, u32, u8, u8), time: u64) -> Sale {
	let (token, milli_eth, seller, buyer, _, currency, quantity) = parts;
	let mut built = sale(u128::from(token), milli_eth * ONE / 1_000, seller, buyer, time);
	built.currency = if currency == 0 { Currency::Other } else { Currency::Eth };
	built.quantity = if quantity == 0 { 2 } else { 1 };
	built
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(128))]

	#[test]
	fn the_floor_stays_within_accepted_prices(parts in prop::collection::vec(arbitrary_sale(), 1..300)) {
		let mut floor = state();
		let mut time = 0u64;
		let (mut low, mut high) = (u128::MAX, 0u128);
		for part in parts {
			time += u64::from(part.4);
			let sale = build(part, time);
			if floor.ingest(&sale) == Verdict::Accepted {
				low = low.min(sale.price);
				high = high.max(sale.price);
			}
			for value in [floor.floor(), floor.instant_floor(), floor.floor_at(time + 10_000)]
				.into_iter()
				.flatten()
			{
				prop_assert!(low <= value && value <= high, "{value} outside [{low}, {high}]");
			}
		}
	}

	#[test]
	fn unit_weights_are_the_plain_quantile(
		prices in prop::collection::vec(1u128..1_000_000, 1..80),
		q in 0u128..=ONE,
	) {
		let weighted: Vec<(u128, u128)> = prices.iter().map(|price| (*price, ONE)).collect();
		prop_assert_eq!(weighted_low_quantile(weighted, q), low_quantile(prices, q));
	}

	#[test]
	fn the_guarded_floor_stays_within_accepted_prices(parts in prop::collection::vec(arbitrary_sale(), 1..300)) {
		let mut floor = FloorState::new(FloorParams::default()).unwrap();
		let mut time = 0u64;
		let (mut low, mut high) = (u128::MAX, 0u128);
		for part in parts {
			time += u64::from(part.4);
			let sale = build(part, time);
			if floor.ingest(&sale) == Verdict::Accepted {
				low = low.min(sale.price);
				high = high.max(sale.price);
			}
			for value in [floor.floor(), floor.instant_floor()].into_iter().flatten() {
				prop_assert!(low <= value && value <= high, "{value} outside [{low}, {high}]");
			}
		}
	}

	#[test]
	fn ingest_never_panics(
		sales in prop::collection::vec(
			(any::<u128>(), any::<u64>(), any::<u32>(), any::<[u8; 2]>(), any::<u8>(), any::<u32>()),
			1..200,
		),
		now in any::<u64>(),
		published in proptest::option::of((any::<u128>(), any::<u64>())),
	) {
		let mut floor = state();
		for (price, timestamp, quantity, parties, token, log_index) in sales {
			let mut sale = sale(u128::from(token), price, parties[0], parties[1], timestamp);
			sale.quantity = quantity % 3;
			sale.log_index = log_index;
			sale.token_id = TokenId::from_u128(u128::from(token));
			let _ = floor.ingest(&sale);
			let _ = floor.floor_at(now);
			let _ = floor.should_publish(now, published);
		}
	}
}
