//! 18-decimal fixed-point helpers: checked arithmetic, `mul_div` with an explicit rounding
//! mode, and the `U256`/`U512` conversions the curve needs.

use crate::error::{MathError, MathResult};
use primitive_types::{U256, U512};

/// One whole unit (of an amount, a price or a ratio): `10^18`.
pub const ONE: u128 = 1_000_000_000_000_000_000;

/// Which way an inexact division goes.
///
/// For signed values `Down` is towards −∞ and `Up` towards +∞, so "a trader pays rounded up,
/// receives rounded down" reads the same whatever the sign of the amount.
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
pub enum Rounding {
	/// Towards −∞ (for unsigned values: truncate).
	Down,
	/// Towards +∞.
	Up,
}

impl Rounding {
	/// The other direction: what the counterparty of a rounded amount sees.
	pub const fn opposite(self) -> Self {
		match self {
			Rounding::Down => Rounding::Up,
			Rounding::Up => Rounding::Down,
		}
	}
}

/// `a + b`, or [`MathError::Overflow`].
pub fn add(a: u128, b: u128) -> MathResult<u128> {
	a.checked_add(b).ok_or(MathError::Overflow)
}

/// `a − b`, or [`MathError::Underflow`] when `b > a`.
pub fn sub(a: u128, b: u128) -> MathResult<u128> {
	a.checked_sub(b).ok_or(MathError::Underflow)
}

/// Signed `a + b`, or [`MathError::Overflow`].
pub fn add_signed(a: i128, b: i128) -> MathResult<i128> {
	a.checked_add(b).ok_or(MathError::Overflow)
}

/// Signed `a − b`, or [`MathError::Overflow`].
pub fn sub_signed(a: i128, b: i128) -> MathResult<i128> {
	a.checked_sub(b).ok_or(MathError::Overflow)
}

/// `value` as `i128`, or [`MathError::Overflow`] above `i128::MAX`.
pub fn to_signed(value: u128) -> MathResult<i128> {
	i128::try_from(value).map_err(|_| MathError::Overflow)
}

/// `−value` as `i128`; `2^127` maps to `i128::MIN`, anything larger is
/// [`MathError::Overflow`].
pub fn negative(value: u128) -> MathResult<i128> {
	0i128.checked_sub_unsigned(value).ok_or(MathError::Overflow)
}

/// The signed number with the given sign and magnitude.
pub fn signed(is_negative: bool, magnitude: u128) -> MathResult<i128> {
	if is_negative {
		negative(magnitude)
	} else {
		to_signed(magnitude)
	}
}

/// `value` if it is positive, else zero.
pub fn positive_part(value: i128) -> u128 {
	u128::try_from(value).unwrap_or(0)
}

/// `value` as `u128`, or [`MathError::Overflow`].
pub fn u256_to_u128(value: U256) -> MathResult<u128> {
	u128::try_from(value).map_err(|_| MathError::Overflow)
}

/// `value` as `U256`, or [`MathError::Overflow`].
pub fn u512_to_u256(value: U512) -> MathResult<U256> {
	U256::try_from(value).map_err(|_| MathError::Overflow)
}

/// `numerator / denominator` rounded as asked.
pub fn div_u256(numerator: U256, denominator: U256, rounding: Rounding) -> MathResult<U256> {
	let quotient = numerator.checked_div(denominator).ok_or(MathError::DivisionByZero)?;
	let remainder = numerator.checked_rem(denominator).ok_or(MathError::DivisionByZero)?;
	if rounding == Rounding::Up && !remainder.is_zero() {
		quotient.checked_add(U256::one()).ok_or(MathError::Overflow)
	} else {
		Ok(quotient)
	}
}

/// `numerator / denominator` in `U512`, rounded as asked.
pub fn div_u512(numerator: U512, denominator: U512, rounding: Rounding) -> MathResult<U512> {
	let quotient = numerator.checked_div(denominator).ok_or(MathError::DivisionByZero)?;
	let remainder = numerator.checked_rem(denominator).ok_or(MathError::DivisionByZero)?;
	if rounding == Rounding::Up && !remainder.is_zero() {
		quotient.checked_add(U512::one()).ok_or(MathError::Overflow)
	} else {
		Ok(quotient)
	}
}

/// `a · b / denominator` with a `U512` intermediate, rounded as asked.
pub fn mul_div_u256(a: U256, b: U256, denominator: U256, rounding: Rounding) -> MathResult<U256> {
	let quotient = div_u512(a.full_mul(b), U512::from(denominator), rounding)?;
	u512_to_u256(quotient)
}

/// `a · b / denominator` with a `U256` intermediate, rounded as asked.
///
/// The workhorse of the crate: the product never overflows, only a quotient above
/// `u128::MAX` does ([`MathError::Overflow`]).
pub fn mul_div(a: u128, b: u128, denominator: u128, rounding: Rounding) -> MathResult<u128> {
	// Two `u128` factors always fit in 256 bits.
	let product = U256::from(a).checked_mul(U256::from(b)).ok_or(MathError::Overflow)?;
	u256_to_u128(div_u256(product, U256::from(denominator), rounding)?)
}

/// `value · ratio / 10^18`: an amount times an 18-decimal ratio or price.
pub fn mul_ratio(value: u128, ratio: u128, rounding: Rounding) -> MathResult<u128> {
	mul_div(value, ratio, ONE, rounding)
}

/// `numerator · 10^18 / denominator`: the 18-decimal ratio of two amounts.
pub fn div_ratio(numerator: u128, denominator: u128, rounding: Rounding) -> MathResult<u128> {
	mul_div(numerator, ONE, denominator, rounding)
}

/// Signed `a · b / denominator`, rounded towards −∞ (`Down`) or +∞ (`Up`).
pub fn signed_mul_div(a: i128, b: u128, denominator: u128, rounding: Rounding) -> MathResult<i128> {
	let is_negative = a < 0;
	// Rounding a negative value towards −∞ rounds its magnitude up, and the other way round.
	let magnitude_rounding = if is_negative { rounding.opposite() } else { rounding };
	let magnitude = mul_div(a.unsigned_abs(), b, denominator, magnitude_rounding)?;
	signed(is_negative, magnitude)
}

/// `⌊√value⌋` (`Down`) or `⌈√value⌉` (`Up`).
pub fn sqrt_u256(value: U256, rounding: Rounding) -> U256 {
	let root = value.integer_sqrt();
	// `root ≤ 2^128`, so its square and its successor cannot overflow.
	let exact = root.checked_mul(root).is_some_and(|square| square == value);
	if rounding == Rounding::Up && !exact {
		root.saturating_add(U256::one())
	} else {
		root
	}
}

/// `|value − reference| / reference` as an 18-decimal ratio, rounded as asked.
///
/// The relative distance used for divergence checks (mark vs index), dynamic fee levels and
/// convergence thresholds. [`MathError::ZeroPrice`] when `reference` is zero.
pub fn relative_difference(value: u128, reference: u128, rounding: Rounding) -> MathResult<u128> {
	if reference == 0 {
		return Err(MathError::ZeroPrice);
	}
	div_ratio(value.abs_diff(reference), reference, rounding)
}

/// Whether `numerator / denominator ≥ ratio` (18-decimal), decided exactly without rounding.
///
/// A negative numerator never qualifies; a zero denominator qualifies whenever the
/// numerator is non-negative (there is nothing to back).
pub fn ratio_at_least(numerator: i128, denominator: u128, ratio: u128) -> bool {
	let Ok(numerator) = u128::try_from(numerator) else {
		return false;
	};
	U256::from(numerator).full_mul(U256::from(ONE))
		>= U256::from(ratio).full_mul(U256::from(denominator))
}

/// Signed 18-decimal ratio `numerator / denominator`, rounded towards −∞ (`Down`) or +∞.
pub fn signed_div_ratio(
	numerator: i128,
	denominator: u128,
	rounding: Rounding,
) -> MathResult<i128> {
	signed_mul_div(numerator, ONE, denominator, rounding)
}

/// Signed `a · b / denominator` for two signed factors, rounded towards −∞ (`Down`) or +∞.
pub fn signed_product_div(
	a: i128,
	b: i128,
	denominator: u128,
	rounding: Rounding,
) -> MathResult<i128> {
	let is_negative = (a < 0) != (b < 0);
	let magnitude_rounding = if is_negative { rounding.opposite() } else { rounding };
	let magnitude = mul_div(a.unsigned_abs(), b.unsigned_abs(), denominator, magnitude_rounding)?;
	if magnitude == 0 {
		return Ok(0);
	}
	signed(is_negative, magnitude)
}

/// Signed difference `a − b` of two `U256` values divided by `denominator`, rounded towards
/// −∞ (`Down`) or +∞ (`Up`), as `i128`.
pub fn signed_difference_div(
	a: U256,
	b: U256,
	denominator: U256,
	rounding: Rounding,
) -> MathResult<i128> {
	if a >= b {
		let difference = a.checked_sub(b).ok_or(MathError::Underflow)?;
		to_signed(u256_to_u128(div_u256(difference, denominator, rounding)?)?)
	} else {
		let difference = b.checked_sub(a).ok_or(MathError::Underflow)?;
		negative(u256_to_u128(div_u256(difference, denominator, rounding.opposite())?)?)
	}
}
