//! A `perp-sim` scenario (docs/scenarios.md) that replays a period of true floor prices.
//!
//! The floor computed from the sales is sampled at the end of every hour and fed as the
//! index. The market opens at the first hour's floor (1000 base), with the default parameters
//! except three trade guards a simulation of hourly steps cannot respect (the per-block
//! fluctuation band against hourly floor moves, the divergence guard against a trend
//! trader, the sandwich guard against a close and an open of one trader in one block);
//! dynamic k is on unless asked otherwise.
//! Each hour: advance one hour, feed the index, run the validators' offchain duties (funding
//! settlement when due, convergence when due, liquidations), trade, and in the next block
//! run the duties again (they remap the positions a liquidity change of the settlement left
//! behind, as validators do in the block after it: the idle holder never trades).
//!
//! Traders, all cross margin:
//! - `holder`: a 2x long from the first hour to the last (pays or earns a month of funding);
//! - `arb`: each hour the floor moved more than 0.5 %, trades half of what would move the
//!   mark by as much (`notional ≈ base_reserve · |Δ| / 4`, at 2x), in the floor's direction:
//!   the mark follows the index partly, funding and convergence close the rest;
//! - `trend`: once a day, closes yesterday's position and, if the floor moved more than 2 %
//!   over the day, opens 3x in that direction.

use serde_json::{json, Value};
use true_floor::Sale;

/// Seconds per hour.
const HOUR: u64 = 3_600;
/// 18-decimal fixed point.
const ONE: u128 = 1_000_000_000_000_000_000;
/// Base reserve of the simulated market, in whole units.
const BASE_RESERVE: u128 = 1_000;

/// The floor at the end of each hour from `start` for `hours` hours (wei). Hours before the
/// first floor repeat the first one; `None` if there is no floor in the period at all.
pub fn hourly_floors(
	sales: &[Sale],
	floors: &[Option<u128>],
	start: u64,
	hours: u64,
) -> Option<Vec<u128>> {
	let mut series = Vec::new();
	let mut cursor = 0;
	let mut last = None;
	for hour in 1..=hours {
		let end = start + hour * HOUR;
		while cursor < sales.len() && sales[cursor].timestamp <= end {
			if let Some(floor) = floors[cursor] {
				last = Some(floor);
			}
			cursor += 1;
		}
		series.push(last);
	}
	let first = series.iter().flatten().next().copied()?;
	Some(series.into_iter().map(|floor| floor.unwrap_or(first)).collect())
}

/// The scenario for `floors` (one per hour, wei), with dynamic k at its defaults or off.
pub fn scenario(floors: &[u128], dynamic_k: bool) -> Value {
	let first = floors.first().copied().unwrap_or(ONE);
	let mut steps = vec![json!({ "index_price": units(first) })];
	steps.push(open("holder", true, first * 5, 2));
	let mut trend_open = false;
	for hour in 1..floors.len() {
		let (previous, floor) = (floors[hour - 1], floors[hour]);
		steps.push(json!({ "advance": { "seconds": HOUR } }));
		steps.push(json!({ "index_price": units(floor) }));
		steps.push(json!({ "offchain_workers": {} }));
		if let Some(step) = arbitrage(previous, floor) {
			steps.push(step);
		}
		if hour % 24 == 0 {
			let (day, opened) = trend(floors[hour - 24], floor, trend_open);
			steps.extend(day);
			trend_open = opened;
		}
		steps.push(json!({ "next_block": {} }));
		steps.push(json!({ "offchain_workers": {} }));
	}
	let mut closing = vec!["holder", "arb"];
	if trend_open {
		closing.push("trend");
	}
	for who in closing {
		steps.push(json!({ "close": { "who": who } }));
	}
	let mut market = json!({
		"base_reserve": BASE_RESERVE.to_string(),
		"quote_reserve": units(first * BASE_RESERVE),
		"fluctuation_limit": "0",
		"max_mark_index_divergence": "0",
		"sandwich_guard": false,
	});
	if !dynamic_k {
		market["k_step"] = json!("0");
	}
	json!({
		"market": market,
		"accounts": { "holder": "100000", "arb": "1000000", "trend": "100000" },
		"insurance_fund": "100000",
		"steps": steps,
	})
}

/// The arbitrageur's trade after the floor moved from `previous` to `floor`.
fn arbitrage(previous: u128, floor: u128) -> Option<Value> {
	let moved = previous.abs_diff(floor);
	// Below 0.5 % the arbitrageur waits.
	if moved * 200 <= previous {
		return None;
	}
	// Mark = y / x with x·y = k: moving it by Δ takes ≈ x·Δ/2 quote; half of that (the
	// launch base reserve stands for x), at 2x.
	let notional = BASE_RESERVE * moved / 4;
	Some(open("arb", floor > previous, notional / 2, 2))
}

/// The trend follower's daily trades: close yesterday's position, follow a 2 % move.
/// Returns the steps and whether a position is open after them.
fn trend(day_ago: u128, floor: u128, has_position: bool) -> (Vec<Value>, bool) {
	let mut steps = Vec::new();
	if has_position {
		steps.push(json!({ "close": { "who": "trend" } }));
	}
	let follows = day_ago.abs_diff(floor) * 50 > day_ago;
	if follows {
		steps.push(open("trend", floor > day_ago, floor * 3, 3));
	}
	(steps, follows)
}

fn open(who: &str, long: bool, margin: u128, leverage: u32) -> Value {
	json!({ "open": {
		"who": who,
		"side": if long { "long" } else { "short" },
		"margin": units(margin),
		"leverage": leverage.to_string(),
	} })
}

/// An 18-decimal amount as a decimal string.
fn units(amount: u128) -> String {
	crate::price::format_eth(amount)
}

#[cfg(test)]
mod tests {
	use super::*;
	use true_floor::{types::UNKNOWN_TX, Currency, Marketplace, TokenId};

	fn sale(timestamp: u64) -> Sale {
		Sale {
			marketplace: Marketplace::OpenSea,
			tx_hash: UNKNOWN_TX,
			log_index: 0,
			token_id: TokenId::default(),
			price: ONE,
			currency: Currency::Eth,
			quantity: 1,
			items_in_tx: 1,
			buyer: Default::default(),
			seller: Default::default(),
			timestamp,
		}
	}

	#[test]
	fn hourly_floors_carry_the_last_floor_forward() {
		let sales = [sale(100), sale(HOUR + 10), sale(3 * HOUR + 5)];
		let floors = [None, Some(5 * ONE), Some(6 * ONE)];
		assert_eq!(
			hourly_floors(&sales, &floors, 0, 4),
			Some(vec![5 * ONE, 5 * ONE, 5 * ONE, 6 * ONE])
		);
		assert_eq!(hourly_floors(&sales, &[None, None, None], 0, 4), None);
	}

	#[test]
	fn the_scenario_feeds_every_hour_and_trades_on_moves() {
		let floors = [10 * ONE, 10 * ONE, 11 * ONE];
		let scenario = scenario(&floors, true);
		let steps = scenario["steps"].as_array().unwrap();
		let indexes: Vec<&str> =
			steps.iter().filter_map(|step| step["index_price"].as_str()).collect();
		assert_eq!(indexes, ["10", "10", "11"]);
		// Hour 2: the floor rose by 1: arb buys 1000 · 1 / 4 = 250 notional at 2x.
		let arb: Vec<&Value> = steps.iter().filter(|step| step["open"]["who"] == "arb").collect();
		assert_eq!(arb.len(), 1);
		assert_eq!(arb[0]["open"]["side"], "long");
		assert_eq!(arb[0]["open"]["margin"], "125");
		assert_eq!(scenario["market"]["quote_reserve"], "10000");
		// The validators' duties run twice an hour: after the index, and a block later.
		let duties = steps.iter().filter(|step| step.get("offchain_workers").is_some()).count();
		assert_eq!(duties, 4);
		assert!(scenario["market"].get("k_step").is_none());
		assert_eq!(super::scenario(&floors, false)["market"]["k_step"], "0");
	}
}
