//! Dynamic k: whether to deepen or thin the curve at a funding settlement.
//!
//! The "k" parameters are about the curve's *depth*, measured as the reserve multiplier
//! relative to launch (the product of every `m` applied by migrations, 18-decimal; `k`
//! itself moves by `m²`). This is the same unit `adjust_liquidity(market, m)` takes, so
//! `k_step = 0.05` means reserves × 1.05 and `k_max = 4` means reserves at most 4× launch.

use crate::{
	error::{MathError, MathResult},
	fixed::{self, Rounding, ONE},
};

/// Dynamic k parameters (named as in `pallet_perp::MarketParams`, whose `Default` is their only default).
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
pub struct DynamicKParams {
	/// Expand when the larger side's OI notional ÷ quote reserve is above this (0 disables).
	pub k_expand_above: u128,
	/// Shrink when it is below this (0 disables).
	pub k_shrink_below: u128,
	/// Relative step per adjustment; 0 disables dynamic k.
	pub k_step: u128,
	/// Lowest depth relative to launch (0: unbounded).
	pub k_min: u128,
	/// Highest depth relative to launch (0: unbounded).
	pub k_max: u128,
}

/// The decision: leave the curve, or scale the reserves by a multiplier.
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
pub enum KAdjustment {
	/// Nothing to do.
	None,
	/// Scale reserves by this multiplier (> 1).
	Expand(u128),
	/// Scale reserves by this multiplier (< 1).
	Shrink(u128),
}

/// Decides the adjustment from each side's open-interest notional and the quote reserve.
///
/// `u = max(long, short) / quote_reserve` (rounded down). If `u > k_expand_above`:
/// `m = 1 + k_step`, lowered to `k_max / depth` (rounded down) so the depth stays within
/// `k_max`. Else if `u < k_shrink_below`: `m = 1 − k_step`, raised to `k_min / depth`
/// (rounded up). `None` when the bound leaves no room. `depth` is the current multiplier
/// relative to launch. The pallet must still check the multiplier keeps positions closable
/// ([`crate::convergence::checked_scale_reserves`]).
pub fn decide_k_adjustment(
	long_open_interest_notional: u128,
	short_open_interest_notional: u128,
	quote_reserve: u128,
	depth: u128,
	params: &DynamicKParams,
) -> MathResult<KAdjustment> {
	if params.k_step == 0 {
		return Ok(KAdjustment::None);
	}
	if quote_reserve == 0 {
		return Err(MathError::ZeroReserve);
	}
	if depth == 0 {
		return Err(MathError::InvalidMultiplier);
	}
	let utilisation = fixed::div_ratio(
		long_open_interest_notional.max(short_open_interest_notional),
		quote_reserve,
		Rounding::Down,
	)?;
	if params.k_expand_above != 0 && utilisation > params.k_expand_above {
		let mut multiplier = fixed::add(ONE, params.k_step)?;
		if params.k_max != 0 {
			multiplier = multiplier.min(fixed::div_ratio(params.k_max, depth, Rounding::Down)?);
		}
		return Ok(if multiplier > ONE {
			KAdjustment::Expand(multiplier)
		} else {
			KAdjustment::None
		});
	}
	if params.k_shrink_below != 0 && utilisation < params.k_shrink_below {
		let mut multiplier =
			ONE.checked_sub(params.k_step).filter(|m| *m > 0).ok_or(MathError::InvalidRatio)?;
		if params.k_min != 0 {
			multiplier = multiplier.max(fixed::div_ratio(params.k_min, depth, Rounding::Up)?);
		}
		return Ok(if multiplier < ONE {
			KAdjustment::Shrink(multiplier)
		} else {
			KAdjustment::None
		});
	}
	Ok(KAdjustment::None)
}

/// The depth after applying `multiplier`: `⌊depth · m⌋`.
pub fn apply_multiplier(depth: u128, multiplier: u128) -> MathResult<u128> {
	fixed::mul_ratio(depth, multiplier, Rounding::Down)
}
