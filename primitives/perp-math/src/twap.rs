//! Time-weighted average prices over per-block snapshots.
//!
//! An accumulator holds `Σ price · seconds`. At the start of each block (before its first
//! trade) the pallet [advances](TwapAccumulator::advance) it to the block's timestamp,
//! weighting the price at the end of the previous block by the time elapsed, and stores the
//! resulting [`TwapObservation`]. Trades in the block only [record](TwapAccumulator::record)
//! the new end-of-block price, which gains weight from the next block on: a trade in the
//! current block has no weight.
//!
//! The cumulative sum wraps around `2^128` (only differences are used), so it never stops
//! the market; a TWAP is exact as long as `price · window < 2^128` (prices below `10^20`
//! whole units for a one-hour window).

use crate::{
	error::{MathError, MathResult},
	fixed::{self, Rounding},
};
use primitive_types::U256;

/// Running `Σ price · seconds` with the price currently accruing.
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
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TwapAccumulator {
	/// `Σ price · seconds` up to `last_timestamp`, wrapping.
	pub cumulative: u128,
	/// The price accruing since `last_timestamp` (the last recorded end-of-block price).
	pub last_price: u128,
	/// When `cumulative` was last brought up to date (seconds).
	pub last_timestamp: u64,
}

/// The cumulative sum at a point in time.
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
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TwapObservation {
	/// Seconds.
	pub timestamp: u64,
	/// `Σ price · seconds` at `timestamp`, wrapping.
	pub cumulative: u128,
}

impl TwapAccumulator {
	/// A fresh accumulator starting at `price` at `now`.
	pub const fn new(price: u128, now: u64) -> Self {
		Self { cumulative: 0, last_price: price, last_timestamp: now }
	}

	/// The cumulative sum at `now`: `cumulative + last_price · (now − last_timestamp)`.
	/// [`MathError::InvalidTimestamp`] if `now` is earlier than the last update;
	/// [`MathError::Overflow`] if one step's increment alone exceeds `2^128`.
	pub fn cumulative_at(&self, now: u64) -> MathResult<u128> {
		let elapsed = now.checked_sub(self.last_timestamp).ok_or(MathError::InvalidTimestamp)?;
		let increment =
			self.last_price.checked_mul(u128::from(elapsed)).ok_or(MathError::Overflow)?;
		Ok(self.cumulative.wrapping_add(increment))
	}

	/// Brings the sum up to `now` (call once per block, before recording its trades).
	pub fn advance(self, now: u64) -> MathResult<Self> {
		Ok(Self { cumulative: self.cumulative_at(now)?, last_timestamp: now, ..self })
	}

	/// Sets the price that accrues from the next advance on (the block's latest price).
	pub const fn record(self, price: u128) -> Self {
		Self { last_price: price, ..self }
	}

	/// The accumulator's state as an observation.
	pub const fn observation(&self) -> TwapObservation {
		TwapObservation { timestamp: self.last_timestamp, cumulative: self.cumulative }
	}
}

/// Average price between two observations: `(cum_end − cum_start) / (t_end − t_start)`,
/// rounded down. [`MathError::InvalidTimestamp`] unless `end` is strictly later.
pub fn twap_between(start: TwapObservation, end: TwapObservation) -> MathResult<u128> {
	let elapsed = end
		.timestamp
		.checked_sub(start.timestamp)
		.filter(|e| *e > 0)
		.ok_or(MathError::InvalidTimestamp)?;
	let sum = end.cumulative.wrapping_sub(start.cumulative);
	sum.checked_div(u128::from(elapsed)).ok_or(MathError::DivisionByZero)
}

/// TWAP over the `window` seconds before `now`.
///
/// `history` holds the stored observations in time order (each taken when the accumulator
/// advanced, so the price is constant between consecutive ones and linear interpolation of
/// the sum is exact); the accumulator supplies the sum at `now`. The sum at `now − window`
/// is interpolated between the observations around it; if the history does not reach that
/// far back, the window starts at the oldest observation. With no elapsed time (or a zero
/// window) the accumulator's last price is returned. Rounded down.
pub fn twap(
	history: &[TwapObservation],
	accumulator: &TwapAccumulator,
	now: u64,
	window: u64,
) -> MathResult<u128> {
	let end = TwapObservation { timestamp: now, cumulative: accumulator.cumulative_at(now)? };
	let target = now.saturating_sub(window);
	let mut before: Option<TwapObservation> = None;
	let mut after: Option<TwapObservation> = None;
	let mut previous: Option<u64> = None;
	for observation in history.iter().copied().chain(core::iter::once(end)) {
		if previous.is_some_and(|timestamp| observation.timestamp < timestamp) {
			return Err(MathError::InvalidTimestamp);
		}
		previous = Some(observation.timestamp);
		if observation.timestamp <= target {
			before = Some(observation);
		} else if after.is_none() {
			after = Some(observation);
		}
	}
	let start = match (before, after) {
		(Some(before), Some(after)) => interpolate(before, after, target)?,
		(None, Some(after)) => after,
		_ => return Ok(accumulator.last_price),
	};
	if start.timestamp >= now {
		return Ok(accumulator.last_price);
	}
	twap_between(start, end)
}

/// The observation at `timestamp` on the straight line between `before` and `after`.
fn interpolate(
	before: TwapObservation,
	after: TwapObservation,
	timestamp: u64,
) -> MathResult<TwapObservation> {
	let span = after.timestamp.checked_sub(before.timestamp).ok_or(MathError::InvalidTimestamp)?;
	let offset = timestamp.checked_sub(before.timestamp).ok_or(MathError::InvalidTimestamp)?;
	if span == 0 {
		return Ok(TwapObservation { timestamp, cumulative: before.cumulative });
	}
	let sum = after.cumulative.wrapping_sub(before.cumulative);
	let part = fixed::u256_to_u128(fixed::div_u256(
		U256::from(sum).checked_mul(U256::from(offset)).ok_or(MathError::Overflow)?,
		U256::from(span),
		Rounding::Down,
	)?)?;
	Ok(TwapObservation { timestamp, cumulative: before.cumulative.wrapping_add(part) })
}
