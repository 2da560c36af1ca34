//! A time-weighted exponential moving average with a half-life.
//!
//! Between updates the average decays towards its target as `2^(−Δt / half_life)`, so the
//! result depends on elapsed time, not on how many sales arrived: a burst of sales in one
//! minute moves it no more than a single sale would over that minute.

use crate::{
	error::{FloorError, FloorResult},
	fixed::{mul_ratio, ONE},
};

/// `2^(−2^−i)` for `i = 1..=24`, 18-decimal, rounded to nearest: the factors of the
/// binary expansion of a fractional half-life count.
const HALVING_ROOTS: [u128; 24] = [
	707_106_781_186_547_524,
	840_896_415_253_714_543,
	917_004_043_204_671_232,
	957_603_280_698_573_647,
	978_572_062_087_700_135,
	989_228_013_193_975_484,
	994_599_423_483_633_176,
	997_296_056_085_470_126,
	998_647_112_890_970_174,
	999_323_327_502_650_752,
	999_661_606_496_243_684,
	999_830_788_931_929_063,
	999_915_390_886_613_498,
	999_957_694_548_431_133,
	999_978_847_050_491_930,
	999_989_423_469_314_464,
	999_994_711_720_674_283,
	999_997_355_856_841_395,
	999_998_677_927_546_760,
	999_999_338_963_554_895,
	999_999_669_481_722_826,
	999_999_834_740_847_758,
	999_999_917_370_420_465,
	999_999_958_685_209_379,
];

/// Bits of the fractional half-life count that are honoured (one per [`HALVING_ROOTS`]).
const FRACTION_BITS: u32 = 24;

/// The weight `2^(−elapsed / half_life)` that the old value keeps after `elapsed` seconds,
/// 18-decimal. Exact to about `10^−7` relative (24 fractional bits).
pub fn decay_factor(elapsed: u64, half_life: u64) -> FloorResult<u128> {
	let halvings = elapsed.checked_div(half_life).ok_or(FloorError::DivisionByZero)?;
	let remainder = elapsed.checked_rem(half_life).ok_or(FloorError::DivisionByZero)?;
	// remainder < half_life ≤ 2^64, so remainder · 2^24 fits u128 and the quotient < 2^24.
	let fraction = (u128::from(remainder) << FRACTION_BITS)
		.checked_div(u128::from(half_life))
		.ok_or(FloorError::DivisionByZero)?;
	let mut factor = ONE;
	for (bit, root) in (0..FRACTION_BITS).rev().zip(HALVING_ROOTS) {
		if (fraction >> bit) & 1 == 1 {
			factor = mul_ratio(factor, root)?;
		}
	}
	Ok(u32::try_from(halvings).ok().and_then(|halvings| factor.checked_shr(halvings)).unwrap_or(0))
}

/// The EMA: `value` as of `updated`, decaying towards `target` from then on.
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
pub struct Ema {
	/// The smoothed value at `updated`.
	pub value: u128,
	/// What the value has been moving towards since `updated`.
	pub target: u128,
	/// Unix seconds of the last update.
	pub updated: u64,
}

impl Ema {
	/// An average that starts at `value` at `now`.
	pub const fn new(value: u128, now: u64) -> Self {
		Self { value, target: value, updated: now }
	}

	/// The smoothed value at `now`: `target + (value − target) · 2^(−Δt / half_life)`. The
	/// result always lies between `value` and `target`. A `now` before the last update is
	/// read as the last update (sales from several venues may arrive slightly out of order).
	pub fn value_at(&self, now: u64, half_life: u64) -> FloorResult<u128> {
		let elapsed = now.saturating_sub(self.updated);
		let keep = decay_factor(elapsed, half_life)?;
		if self.value >= self.target {
			let gap = mul_ratio(self.value.saturating_sub(self.target), keep)?;
			self.target.checked_add(gap).ok_or(FloorError::Overflow)
		} else {
			let gap = mul_ratio(self.target.saturating_sub(self.value), keep)?;
			self.target.checked_sub(gap).ok_or(FloorError::Overflow)
		}
	}

	/// Brings the value up to `now` and then starts moving towards `target`: the new target
	/// gains weight only as time passes, so it has none at the instant it is set.
	pub fn advance(self, now: u64, target: u128, half_life: u64) -> FloorResult<Self> {
		let value = self.value_at(now, half_life)?;
		Ok(Self { value, target, updated: self.updated.max(now) })
	}
}
