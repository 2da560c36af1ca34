//! Robust price centre, outlier classification and the bounded floor step.
//!
//! The centre is the median of recent eligible prices, and the spread is the median
//! absolute deviation (MAD): both ignore up to half the window being garbage, where a mean
//! and a standard deviation are dragged by a single fat-fingered or wash-traded price.

use crate::{
	eligibility::RejectReason,
	error::{FloorError, FloorResult},
	fixed::{abs_diff, div_ratio, mul_ratio, ONE},
	params::FloorParams,
};
use alloc::vec::Vec;

/// Median and median absolute deviation of a set of prices (wei).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RobustCentre {
	/// The median price.
	pub median: u128,
	/// The median of `|price − median|`.
	pub mad: u128,
}

/// The median of `values` (the mean of the two middle values, rounded down, for an even
/// count); `None` if empty. Sorts `values`.
pub fn median(values: &mut [u128]) -> Option<u128> {
	values.sort_unstable();
	let upper_index = values.len().checked_div(2)?;
	let upper = *values.get(upper_index)?;
	if values.len() % 2 == 1 {
		return Some(upper);
	}
	let lower = *values.get(upper_index.checked_sub(1)?)?;
	// lower ≤ upper, so this is the mean without overflowing.
	Some(lower.saturating_add(upper.saturating_sub(lower) / 2))
}

impl RobustCentre {
	/// Median and MAD of `prices`; `None` if there are none.
	pub fn of(prices: impl IntoIterator<Item = u128>) -> Option<Self> {
		let mut values: Vec<u128> = prices.into_iter().collect();
		let median = median(&mut values)?;
		let mut deviations: Vec<u128> =
			values.iter().map(|price| abs_diff(*price, median)).collect();
		let mad = self::median(&mut deviations)?;
		Some(Self { median, mad })
	}

	/// The band outside which a price is an extreme outlier: `[median / band, median · band]`.
	/// An upper bound beyond `u128` is no bound.
	pub fn extreme_bounds(&self, band: u128) -> FloorResult<(u128, u128)> {
		let low = div_ratio(self.median, band)?;
		let high = match mul_ratio(self.median, band) {
			Err(FloorError::Overflow) => u128::MAX,
			other => other?,
		};
		Ok((low, high))
	}

	/// How far from the median a price may be before it is a probable outlier:
	/// `k · max(MAD, mad_floor · median)`.
	pub fn probable_threshold(&self, k: u128, mad_floor: u128) -> FloorResult<u128> {
		let spread = self.mad.max(mul_ratio(self.median, mad_floor)?);
		match mul_ratio(spread, k) {
			Err(FloorError::Overflow) => Ok(u128::MAX),
			other => other,
		}
	}

	/// Whether `price` is plausible against this centre: `Err(ExtremeOutlier)` outside the
	/// extreme band, `Err(ProbableOutlier)` beyond the MAD threshold. A centre whose bounds
	/// cannot be computed rejects the price as extreme rather than letting it through.
	pub fn classify(&self, price: u128, params: &FloorParams) -> Result<(), RejectReason> {
		let (low, high) =
			self.extreme_bounds(params.extreme_band).map_err(|_| RejectReason::ExtremeOutlier)?;
		if price < low || price > high {
			return Err(RejectReason::ExtremeOutlier);
		}
		let threshold = self
			.probable_threshold(params.mad_k, params.mad_floor)
			.map_err(|_| RejectReason::ProbableOutlier)?;
		if abs_diff(price, self.median) > threshold {
			return Err(RejectReason::ProbableOutlier);
		}
		Ok(())
	}
}

/// The range one accepted sale may move the floor within.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct StepBound {
	/// `previous · (1 − max_step)`, rounded up so the bound never exceeds the step.
	pub low: u128,
	/// `previous · (1 + max_step)`, rounded down.
	pub high: u128,
}

impl StepBound {
	/// The range around `previous` for a step of at most `max_step` (a fraction below 1).
	pub fn around(previous: u128, max_step: u128) -> FloorResult<Self> {
		let step = mul_ratio(previous, max_step.min(ONE))?;
		let low = previous.checked_sub(step).ok_or(FloorError::Overflow)?;
		let high = previous.saturating_add(step);
		Ok(Self { low, high })
	}

	/// `target` clamped into the range.
	pub fn clamp(&self, target: u128) -> u128 {
		target.clamp(self.low, self.high)
	}
}

/// `target`, moved from `previous` by at most `max_step · previous`.
pub fn bounded_step(previous: u128, target: u128, max_step: u128) -> FloorResult<u128> {
	Ok(StepBound::around(previous, max_step)?.clamp(target))
}
