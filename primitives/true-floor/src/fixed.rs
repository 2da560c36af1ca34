//! 18-decimal fixed-point helpers on `u128`, with `U256` intermediates so that a price
//! (up to `10^30` wei) times a ratio (up to `10^20`) cannot overflow.

use crate::error::{FloorError, FloorResult};
use primitive_types::U256;

/// `1.0` in 18-decimal fixed point.
pub const ONE: u128 = 1_000_000_000_000_000_000;

/// `a · b / denominator`, rounded down.
pub fn mul_div(a: u128, b: u128, denominator: u128) -> FloorResult<u128> {
	if denominator == 0 {
		return Err(FloorError::DivisionByZero);
	}
	let product = U256::from(a).checked_mul(U256::from(b)).ok_or(FloorError::Overflow)?;
	let quotient =
		product.checked_div(U256::from(denominator)).ok_or(FloorError::DivisionByZero)?;
	u128::try_from(quotient).map_err(|_| FloorError::Overflow)
}

/// `value · ratio` where `ratio` is 18-decimal fixed point, rounded down.
pub fn mul_ratio(value: u128, ratio: u128) -> FloorResult<u128> {
	mul_div(value, ratio, ONE)
}

/// `value / ratio` where `ratio` is 18-decimal fixed point, rounded down.
pub fn div_ratio(value: u128, ratio: u128) -> FloorResult<u128> {
	mul_div(value, ONE, ratio)
}

/// `|a − b|`.
pub fn abs_diff(a: u128, b: u128) -> u128 {
	a.abs_diff(b)
}

/// `|value − reference| / reference` as an 18-decimal ratio, rounded down.
pub fn relative_difference(value: u128, reference: u128) -> FloorResult<u128> {
	mul_div(abs_diff(value, reference), ONE, reference)
}
