//! Trading fees: the dynamic schedule by post-trade mark/index divergence, the amount, and
//! its split between the insurance fund, the convergence reserve and the treasury.

use crate::{
	error::{MathError, MathResult},
	fixed::{self, Rounding, ONE},
};

/// The fee parameters of a market (named as in `pallet_perp::MarketParams`, whose `Default` is their only default). A level whose threshold is 0 is disabled.
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
pub struct FeeSchedule {
	/// `fee_ratio`: the base fee.
	pub fee_ratio: u128,
	/// `fee_level1_threshold`: post-trade `|mark − index| / index` above which level 1 applies.
	pub level1_threshold: u128,
	/// `fee_level1_ratio`: level 1 fee for trades widening the gap.
	pub level1_ratio: u128,
	/// `fee_level1_in_favour_ratio`: level 1 fee for trades narrowing it.
	pub level1_in_favour_ratio: u128,
	/// `fee_level2_threshold`.
	pub level2_threshold: u128,
	/// `fee_level2_ratio`.
	pub level2_ratio: u128,
	/// `fee_level2_in_favour_ratio`.
	pub level2_in_favour_ratio: u128,
}

/// The fee ratio of a trade moving the mark from `mark_before` to `mark_after` while the
/// index is `index`.
///
/// With `d = |mark_after − index| / index` (rounded up): level 2 if enabled and
/// `d > level2_threshold`, else level 1 if enabled and `d > level1_threshold`, else the base
/// fee. Within a level, a trade that narrows the gap (`|after − index| < |before − index|`)
/// pays the in-favour ratio, any other trade the level ratio. Level 2 is checked first.
pub fn dynamic_fee_ratio(
	schedule: &FeeSchedule,
	index: u128,
	mark_before: u128,
	mark_after: u128,
) -> MathResult<u128> {
	let divergence = fixed::relative_difference(mark_after, index, Rounding::Up)?;
	let narrows = mark_after.abs_diff(index) < mark_before.abs_diff(index);
	let levels = [
		(schedule.level2_threshold, schedule.level2_ratio, schedule.level2_in_favour_ratio),
		(schedule.level1_threshold, schedule.level1_ratio, schedule.level1_in_favour_ratio),
	];
	let level =
		levels.into_iter().find(|(threshold, _, _)| *threshold != 0 && divergence > *threshold);
	Ok(match level {
		Some((_, _, in_favour)) if narrows => in_favour,
		Some((_, ratio, _)) => ratio,
		None => schedule.fee_ratio,
	})
}

/// Fee on a traded notional: `⌈notional · ratio⌉` (the trader pays, so rounded up).
pub fn fee_amount(notional: u128, ratio: u128) -> MathResult<u128> {
	fixed::mul_ratio(notional, ratio, Rounding::Up)
}

/// A fee divided between its recipients; the parts sum exactly to the fee.
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
pub struct FeeSplit {
	/// `⌊fee · insurance_share⌋` to the insurance fund.
	pub insurance: u128,
	/// `⌊fee · convergence_share⌋` to the market's convergence reserve.
	pub convergence: u128,
	/// The rest to the treasury, including rounding dust.
	pub treasury: u128,
}

/// Splits `fee` by `insurance_share` and `convergence_share`, the rest to the treasury.
/// [`MathError::InvalidRatio`] if the shares exceed 1 together.
pub fn split_fee(
	fee: u128,
	insurance_share: u128,
	convergence_share: u128,
) -> MathResult<FeeSplit> {
	if fixed::add(insurance_share, convergence_share)? > ONE {
		return Err(MathError::InvalidRatio);
	}
	let insurance = fixed::mul_ratio(fee, insurance_share, Rounding::Down)?;
	let convergence = fixed::mul_ratio(fee, convergence_share, Rounding::Down)?;
	let treasury = fixed::sub(fixed::sub(fee, insurance)?, convergence)?;
	Ok(FeeSplit { insurance, convergence, treasury })
}
