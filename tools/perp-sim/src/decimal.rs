//! Exact conversion between decimal strings in whole units ("898.5", "-0.000000000000000005")
//! and the chain's 18-decimal raw integers.
//!
//! Parsing is strict so a typo in a scenario is an error, never a silently different amount:
//! digits with an optional `.` and at least one digit on each side of it, at most 18
//! fractional digits, no exponent, sign (only `-`, only for signed values), spaces or
//! separators. Formatting trims trailing zeros and the point ("10", "22.499999999999999999").

use core::fmt;

/// Fractional digits of every amount, price and ratio on chain.
pub const DECIMALS: usize = 18;
/// One whole unit in raw integer form (`10^18`).
pub const ONE: u128 = 1_000_000_000_000_000_000;

/// Why a decimal string was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecimalError {
	/// The string is empty (or only a sign).
	Empty,
	/// A character other than a digit or a single `.`.
	InvalidCharacter(char),
	/// A `.` without a digit before or after it.
	MisplacedPoint,
	/// More than 18 digits after the point: not representable exactly.
	TooManyFractionalDigits,
	/// The value does not fit the raw integer type.
	Overflow,
	/// A negative value where only non-negative ones make sense.
	Negative,
}

impl fmt::Display for DecimalError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Empty => write!(f, "empty number"),
			Self::InvalidCharacter(c) => write!(f, "invalid character {c:?} in number"),
			Self::MisplacedPoint => write!(f, "a decimal point needs digits on both sides"),
			Self::TooManyFractionalDigits => {
				write!(f, "more than {DECIMALS} fractional digits")
			},
			Self::Overflow => write!(f, "number too large"),
			Self::Negative => write!(f, "negative number not allowed here"),
		}
	}
}

impl std::error::Error for DecimalError {}

/// Parses a non-negative decimal ("1.5") into raw units (`1_500_000_000_000_000_000`).
pub fn parse_unsigned(text: &str) -> Result<u128, DecimalError> {
	if text.starts_with('-') {
		return Err(DecimalError::Negative);
	}
	parse_magnitude(text)
}

/// Parses a decimal with an optional leading `-` into signed raw units.
pub fn parse_signed(text: &str) -> Result<i128, DecimalError> {
	let (negative, magnitude) = match text.strip_prefix('-') {
		Some(rest) => (true, rest),
		None => (false, text),
	};
	let raw = parse_magnitude(magnitude)?;
	// i128::MIN's magnitude is one more than i128::MAX.
	if negative {
		0i128.checked_sub_unsigned(raw).ok_or(DecimalError::Overflow)
	} else {
		i128::try_from(raw).map_err(|_| DecimalError::Overflow)
	}
}

/// Formats raw units as a whole-unit decimal with trailing zeros trimmed.
pub fn format_unsigned(raw: u128) -> String {
	let whole = raw / ONE;
	let fraction = raw % ONE;
	if fraction == 0 {
		return whole.to_string();
	}
	let digits = format!("{fraction:0width$}", width = DECIMALS);
	format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Formats signed raw units ("-0.000000000000000005" for -5).
pub fn format_signed(raw: i128) -> String {
	let magnitude = format_unsigned(raw.unsigned_abs());
	if raw < 0 {
		format!("-{magnitude}")
	} else {
		magnitude
	}
}

/// Parses an unsigned decimal without sign handling.
fn parse_magnitude(text: &str) -> Result<u128, DecimalError> {
	if text.is_empty() {
		return Err(DecimalError::Empty);
	}
	let (whole, fraction) = match text.split_once('.') {
		Some((whole, fraction)) => (whole, Some(fraction)),
		None => (text, None),
	};
	let whole_raw = parse_digits(whole)?;
	let fraction_raw = match fraction {
		Some(fraction) => parse_fraction(fraction)?,
		None => 0,
	};
	whole_raw
		.checked_mul(ONE)
		.and_then(|raw| raw.checked_add(fraction_raw))
		.ok_or(DecimalError::Overflow)
}

/// The digits after the point, scaled to 18 places.
fn parse_fraction(fraction: &str) -> Result<u128, DecimalError> {
	if fraction.len() > DECIMALS && fraction.chars().all(|c| c.is_ascii_digit()) {
		return Err(DecimalError::TooManyFractionalDigits);
	}
	let value = parse_digits(fraction)?;
	let missing = DECIMALS.saturating_sub(fraction.len());
	let scale = 10u128.pow(u32::try_from(missing).map_err(|_| DecimalError::Overflow)?);
	value.checked_mul(scale).ok_or(DecimalError::Overflow)
}

/// A non-empty run of ASCII digits.
fn parse_digits(digits: &str) -> Result<u128, DecimalError> {
	if digits.is_empty() {
		return Err(DecimalError::MisplacedPoint);
	}
	digits.chars().try_fold(0u128, |value, c| {
		let digit = c.to_digit(10).ok_or(DecimalError::InvalidCharacter(c))?;
		value
			.checked_mul(10)
			.and_then(|value| value.checked_add(u128::from(digit)))
			.ok_or(DecimalError::Overflow)
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn parses_whole_and_fractional_units() {
		assert_eq!(parse_unsigned("0"), Ok(0));
		assert_eq!(parse_unsigned("10"), Ok(10 * ONE));
		assert_eq!(parse_unsigned("1.5"), Ok(ONE + ONE / 2));
		assert_eq!(parse_unsigned("0.000000000000000001"), Ok(1));
		assert_eq!(parse_unsigned("007.50"), Ok(7 * ONE + ONE / 2));
	}

	#[test]
	fn rejects_malformed_numbers() {
		assert_eq!(parse_unsigned(""), Err(DecimalError::Empty));
		assert_eq!(parse_unsigned("1."), Err(DecimalError::MisplacedPoint));
		assert_eq!(parse_unsigned(".5"), Err(DecimalError::MisplacedPoint));
		assert_eq!(parse_unsigned("1.2.3"), Err(DecimalError::InvalidCharacter('.')));
		assert_eq!(parse_unsigned("1e18"), Err(DecimalError::InvalidCharacter('e')));
		assert_eq!(parse_unsigned(" 1"), Err(DecimalError::InvalidCharacter(' ')));
		assert_eq!(parse_unsigned("+1"), Err(DecimalError::InvalidCharacter('+')));
		assert_eq!(parse_unsigned("-1"), Err(DecimalError::Negative));
		assert_eq!(
			parse_unsigned("0.0000000000000000001"),
			Err(DecimalError::TooManyFractionalDigits)
		);
		assert_eq!(parse_unsigned("340282366920938463464"), Err(DecimalError::Overflow));
	}

	#[test]
	fn signed_values_cover_the_whole_range() {
		assert_eq!(parse_signed("-0.000000000000000005"), Ok(-5));
		assert_eq!(parse_signed("-0"), Ok(0));
		assert_eq!(parse_signed("-"), Err(DecimalError::Empty));
		let min = format_signed(i128::MIN);
		assert_eq!(parse_signed(&min), Ok(i128::MIN));
		assert_eq!(parse_signed(&format_signed(i128::MAX)), Ok(i128::MAX));
		assert_eq!(parse_signed(&min[1..]), Err(DecimalError::Overflow));
	}

	#[test]
	fn formats_without_trailing_zeros() {
		assert_eq!(format_unsigned(0), "0");
		assert_eq!(format_unsigned(10 * ONE), "10");
		assert_eq!(format_unsigned(898_500_000_000_000_000_000), "898.5");
		assert_eq!(format_unsigned(22_499_999_999_999_999_999), "22.499999999999999999");
		assert_eq!(format_signed(-5), "-0.000000000000000005");
		assert_eq!(format_signed(-33_333_333_333_333_333_333), "-33.333333333333333333");
	}

	#[test]
	fn round_trips_exactly() {
		for raw in [0, 1, ONE - 1, ONE, 123_456_789_012_345_678_901_234, u128::MAX] {
			assert_eq!(parse_unsigned(&format_unsigned(raw)), Ok(raw));
		}
	}
}
