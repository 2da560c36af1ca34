//! Fixed-point helpers: rounding modes, signed rounding, `U256` paths.

use perp_math::{fixed, MathError, Rounding, ONE};
use primitive_types::U256;

#[test]
fn mul_div_rounds_as_asked() {
	assert_eq!(fixed::mul_div(10, 1, 3, Rounding::Down).unwrap(), 3);
	assert_eq!(fixed::mul_div(10, 1, 3, Rounding::Up).unwrap(), 4);
	assert_eq!(fixed::mul_div(9, 1, 3, Rounding::Up).unwrap(), 3);
	// The product overflows `u128` but the quotient does not.
	assert_eq!(fixed::mul_div(u128::MAX, u128::MAX, u128::MAX, Rounding::Down).unwrap(), u128::MAX);
	assert_eq!(fixed::mul_div(u128::MAX, 2, 1, Rounding::Down), Err(MathError::Overflow));
	assert_eq!(fixed::mul_div(1, 1, 0, Rounding::Down), Err(MathError::DivisionByZero));
}

#[test]
fn ratios_use_eighteen_decimals() {
	assert_eq!(ONE, 1_000_000_000_000_000_000);
	assert_eq!(
		fixed::mul_ratio(600 * ONE, 3 * ONE / 1_000, Rounding::Down).unwrap(),
		18 * ONE / 10
	);
	assert_eq!(fixed::div_ratio(1, 3, Rounding::Down).unwrap(), 333_333_333_333_333_333);
	assert_eq!(fixed::div_ratio(1, 3, Rounding::Up).unwrap(), 333_333_333_333_333_334);
}

#[test]
fn signed_rounding_is_towards_infinities() {
	assert_eq!(fixed::signed_mul_div(-10, 1, 3, Rounding::Down).unwrap(), -4);
	assert_eq!(fixed::signed_mul_div(-10, 1, 3, Rounding::Up).unwrap(), -3);
	assert_eq!(fixed::signed_mul_div(10, 1, 3, Rounding::Down).unwrap(), 3);
	assert_eq!(fixed::signed_product_div(-1, -1, 3, Rounding::Up).unwrap(), 1);
	assert_eq!(fixed::signed_product_div(-1, 1, 3, Rounding::Up).unwrap(), 0);
	assert_eq!(
		fixed::signed_difference_div(U256::from(1), U256::from(8), U256::from(3), Rounding::Down)
			.unwrap(),
		-3
	);
	assert_eq!(fixed::negative(1u128 << 127).unwrap(), i128::MIN);
	assert_eq!(fixed::negative((1u128 << 127) + 1), Err(MathError::Overflow));
	assert_eq!(fixed::to_signed(u128::MAX), Err(MathError::Overflow));
}

#[test]
fn square_roots_and_relative_differences() {
	assert_eq!(fixed::sqrt_u256(U256::from(40_000u32), Rounding::Up), U256::from(200u32));
	assert_eq!(fixed::sqrt_u256(U256::from(40_001u32), Rounding::Down), U256::from(200u32));
	assert_eq!(fixed::sqrt_u256(U256::from(40_001u32), Rounding::Up), U256::from(201u32));
	assert_eq!(fixed::sqrt_u256(U256::MAX, Rounding::Up), U256::from(u128::MAX) + 1);
	assert_eq!(fixed::relative_difference(11 * ONE, 10 * ONE, Rounding::Down).unwrap(), ONE / 10);
	assert_eq!(fixed::relative_difference(9 * ONE, 10 * ONE, Rounding::Down).unwrap(), ONE / 10);
	assert_eq!(fixed::relative_difference(1, 0, Rounding::Down), Err(MathError::ZeroPrice));
	assert!(fixed::ratio_at_least(125, 1_000, ONE / 8));
	assert!(!fixed::ratio_at_least(124, 1_000, ONE / 8));
	assert!(fixed::ratio_at_least(0, 0, ONE));
}
