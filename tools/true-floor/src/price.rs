//! Exact conversion of CSV price strings to wei.
//!
//! A price column holds a decimal ("63000000000000000000", "0.9800000052364574", "1e-11") in
//! some unit; `--price-scale` is a power of ten giving that unit in ETH (`1e-18` for wei,
//! `1` for ETH). The conversion is exact, truncating below one wei: floats are never used.

/// Wei per ETH, as a power of ten.
const WEI_DECIMALS: i32 = 18;

/// The exponent of a power-of-ten scale: "1e-18" → −18, "1" → 0, "0.001" → −3, "1000" → 3.
pub fn parse_scale(text: &str) -> Result<i32, String> {
	let text = text.trim();
	let (mantissa, exponent) = match text.split_once(['e', 'E']) {
		Some((mantissa, exponent)) => {
			(mantissa, exponent.parse::<i32>().map_err(|_| format!("bad exponent in {text:?}"))?)
		},
		None => (text, 0),
	};
	let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
	let digits = format!("{whole}{fraction}");
	let significant = digits.trim_start_matches('0');
	let trailing_zeros = significant.len() - significant.trim_end_matches('0').len();
	if significant.trim_end_matches('0') != "1" || !digits.bytes().all(|b| b.is_ascii_digit()) {
		return Err(format!(
			"--price-scale must be a power of ten (1e-18, 1, 0.001), got {text:?}"
		));
	}
	// significant = "1" followed by `trailing_zeros` zeros, placed `fraction.len()` digits
	// after the point.
	let power = i32::try_from(trailing_zeros).map_err(|e| e.to_string())?
		- i32::try_from(fraction.len()).map_err(|e| e.to_string())?;
	Ok(power + exponent)
}

/// `text` (a non-negative decimal, optionally with an exponent as float exports write tiny
/// prices: "1.95e-09") times `10^scale_exponent` ETH, in wei, truncated.
pub fn to_wei(text: &str, scale_exponent: i32) -> Result<u128, String> {
	let text = text.trim();
	let (text, scale_exponent) = match text.split_once(['e', 'E']) {
		Some((mantissa, exponent)) => {
			let exponent: i32 =
				exponent.parse().map_err(|_| format!("bad exponent in {text:?}"))?;
			(mantissa, scale_exponent.checked_add(exponent).ok_or("exponent out of range")?)
		},
		None => (text, scale_exponent),
	};
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	if whole.is_empty() && fraction.is_empty()
		|| !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
	{
		return Err(format!("not a plain decimal price: {text:?}"));
	}
	let digits = format!("{whole}{fraction}");
	let digits = digits.trim_start_matches('0');
	let power =
		WEI_DECIMALS + scale_exponent - i32::try_from(fraction.len()).map_err(|e| e.to_string())?;
	let overflow = || format!("price out of range: {text:?}");
	if power >= 0 {
		let value: u128 =
			if digits.is_empty() { 0 } else { digits.parse().map_err(|_| overflow())? };
		let factor = 10u128.checked_pow(power.unsigned_abs()).ok_or_else(overflow)?;
		value.checked_mul(factor).ok_or_else(overflow)
	} else {
		// Drop the digits below one wei.
		let keep = digits
			.len()
			.saturating_sub(usize::try_from(power.unsigned_abs()).map_err(|e| e.to_string())?);
		let kept = &digits[..keep];
		if kept.is_empty() {
			Ok(0)
		} else {
			kept.parse().map_err(|_| overflow())
		}
	}
}

/// Wei as a decimal ETH string with all 18 decimals, trailing zeros trimmed.
pub fn format_eth(wei: u128) -> String {
	let whole = wei / 1_000_000_000_000_000_000;
	let fraction = wei % 1_000_000_000_000_000_000;
	if fraction == 0 {
		return whole.to_string();
	}
	let fraction = format!("{fraction:018}");
	format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// Wei as floating-point ETH, for plots and summary ratios only.
pub fn eth_f64(wei: u128) -> f64 {
	wei as f64 / 1e18
}
