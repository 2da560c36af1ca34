//! The tunable parameters of the floor and their defaults.

use crate::{
	error::{FloorError, FloorResult},
	fixed::ONE,
};

/// One hour in seconds.
const HOUR: u64 = 3_600;
/// One day in seconds.
const DAY: u64 = 86_400;

/// Parameters of eligibility, outlier filtering, the floor quantile, smoothing and
/// publishing. Durations are seconds; ratios are 18-decimal fixed point ([`ONE`] = 1.0).
#[cfg_attr(
	feature = "scale",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FloorParams {
	/// A token resold within this many seconds of its previous sale is ineligible: quick
	/// flips are where wash trading and mispriced relists concentrate. Default 24 h.
	pub token_cooldown: u64,
	/// A sale B→A within this many seconds of a sale A→B is a round trip (wash trade).
	/// Default 7 days.
	pub round_trip_window: u64,
	/// How many recent sales the eligibility checks remember (duplicates, token cooldown,
	/// round trips). Bounds memory; older sales are forgotten. Default 1024.
	pub memory: u32,
	/// N: the robust centre is the median of the last N eligible prices. Default 50.
	pub centre_window: u32,
	/// Sales needed before outliers are filtered and before a floor exists: with fewer the
	/// median says little. Default 5.
	pub min_samples: u32,
	/// A price below `centre / band` or above `centre · band` is an extreme outlier.
	/// Default 3.0.
	pub extreme_band: u128,
	/// k: a price further than `k · MAD` from the centre is a probable outlier. Default 3.0.
	pub mad_k: u128,
	/// The MAD used is at least this fraction of the centre, so a run of identical prices
	/// (MAD 0) does not reject every other price. Default 0.05.
	pub mad_floor: u128,
	/// One accepted sale moves the (unsmoothed) floor by at most this fraction of its
	/// current value. Default 0.10.
	pub max_step: u128,
	/// q: the floor is the q-quantile of the last M accepted prices. Default 0.10.
	pub quantile: u128,
	/// M: how many accepted prices the quantile is taken over. Default 40.
	pub quantile_window: u32,
	/// Sales are grouped in `burst_window`-second buckets (unix time divided by it). A
	/// cluster of sales under the floor in a short time, between fresh addresses, is what one
	/// actor makes cheaply (and what one seller's dump looks like): the sales of a bucket that
	/// are more than `burst_tolerance` under the floor weigh `burst_cap` sales at most in the
	/// quantile, together, and past `burst_cap` stay out of the robust centre. A move under the
	/// floor thus has to show in several buckets, over time, before the floor follows it. 0
	/// turns the rule off. Default 1 h.
	pub burst_window: u64,
	/// How many sales a bucket's sales under the floor weigh at most, together. Default 1.
	pub burst_cap: u32,
	/// How far under the floor (a fraction of it) a sale must be to count towards a burst.
	/// Default 0.05.
	pub burst_tolerance: u128,
	/// Half-life of the time-weighted EMA smoothing the floor. Default 1 h.
	pub half_life: u64,
	/// Publish when the floor moved by more than this fraction since the last published
	/// value. Default 0.01.
	pub publish_deviation: u128,
	/// Publish at least this often (seconds), even if the floor did not move. Default 2 min:
	/// well under the oracle's expiry and the markets' `max_oracle_age` (10 min), so a
	/// collection without sales keeps a fresh index through a missed run or two.
	pub heartbeat: u64,
	/// Prices above this (wei) are refused as unrepresentable; it keeps every product of a
	/// price and a ratio far inside `u128`. Default `10^30` wei (one trillion ETH).
	pub max_price: u128,
}

impl Default for FloorParams {
	fn default() -> Self {
		Self {
			token_cooldown: DAY,
			round_trip_window: DAY.saturating_mul(7),
			memory: 1024,
			centre_window: 50,
			min_samples: 5,
			extreme_band: ONE.saturating_mul(3),
			mad_k: ONE.saturating_mul(3),
			mad_floor: ONE / 20,
			max_step: ONE / 10,
			quantile: ONE / 10,
			quantile_window: 40,
			burst_window: HOUR,
			burst_cap: 1,
			burst_tolerance: ONE / 20,
			half_life: HOUR,
			publish_deviation: ONE / 100,
			heartbeat: 120,
			max_price: 1_000_000_000_000_000_000_000_000_000_000,
		}
	}
}

impl FloorParams {
	/// Checks the parameters are usable: non-empty windows, `min_samples` no larger than
	/// either window, an extreme band above 1, a step below 1, a quantile within [0, 1], a
	/// positive burst cap, a burst tolerance below 1, and positive half-life and heartbeat.
	pub fn validate(&self) -> FloorResult<()> {
		let checks: [(bool, &'static str); 11] = [
			(self.memory > 0, "memory"),
			(self.centre_window > 0, "centre_window"),
			(self.quantile_window > 0, "quantile_window"),
			(
				self.min_samples > 0
					&& self.min_samples <= self.centre_window
					&& self.min_samples <= self.quantile_window,
				"min_samples",
			),
			(self.extreme_band > ONE, "extreme_band"),
			(self.max_step < ONE, "max_step"),
			(self.quantile <= ONE, "quantile"),
			(self.burst_cap > 0, "burst_cap"),
			(self.burst_tolerance < ONE, "burst_tolerance"),
			(self.half_life > 0, "half_life"),
			(self.heartbeat > 0, "heartbeat"),
		];
		match checks.iter().find(|(ok, _)| !ok) {
			Some((_, name)) => Err(FloorError::InvalidParam(name)),
			None => Ok(()),
		}
	}
}
