//! Helpers shared by the integration tests.
#![allow(dead_code)]

use perp_math::{Reserves, ONE};

/// A decimal string in whole units ("37.5", "-0.125") as a raw 18-decimal `u128`.
pub fn u(text: &str) -> u128 {
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	assert!(fraction.len() <= 18, "too many decimals in {text}");
	let padded = format!("{fraction:0<18}");
	whole.parse::<u128>().unwrap() * ONE + padded.parse::<u128>().unwrap()
}

/// A signed decimal string as a raw 18-decimal `i128`.
pub fn s(text: &str) -> i128 {
	match text.strip_prefix('-') {
		Some(rest) => -(u(rest) as i128),
		None => u(text) as i128,
	}
}

/// Reserves from whole-unit decimal strings.
pub fn reserves(base: &str, quote: &str) -> Reserves {
	Reserves::new(u(base), u(quote))
}

/// The Perp v1 test curve: 100 base, 1000 quote (mark 10).
pub fn perp_v1_curve() -> Reserves {
	reserves("100", "1000")
}
