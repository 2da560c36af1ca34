//! Helpers shared by the integration tests.
#![allow(dead_code)]

use perp_math::{
	DynamicKParams, FeeSchedule, FundingMode, FundingParams, LiquidationParams, Reserves, ONE,
};

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

// The parameters the vectors were computed with, written out: a market's defaults live only
// in `pallet_perp::MarketParams::default()`, and these vectors must not move when
// governance's defaults do.

/// 1 h periods, a 0.0125 % cap, `Balanced`, a 1 % subsidy cap.
pub fn funding_params() -> FundingParams {
	FundingParams {
		funding_period: 3_600,
		max_funding_rate: u("0.000125"),
		funding_mode: FundingMode::Balanced,
		max_funding_subsidy: u("0.01"),
	}
}

/// 0.3 %; level 1 above 2.5 %: 1 % / 0.3 % in favour; level 2 above 5 %: 5 % / 0.3 %.
pub fn fee_schedule() -> FeeSchedule {
	FeeSchedule {
		fee_ratio: u("0.003"),
		level1_threshold: u("0.025"),
		level1_ratio: u("0.01"),
		level1_in_favour_ratio: u("0.003"),
		level2_threshold: u("0.05"),
		level2_ratio: u("0.05"),
		level2_in_favour_ratio: u("0.003"),
	}
}

/// Maintenance 12.5 %, full below 10 %, minimal partial portion, 0.5 % buffer, 0.5 units
/// minimum partial notional, 2.5 % penalty.
pub fn liquidation_params() -> LiquidationParams {
	LiquidationParams {
		maintenance_margin_ratio: u("0.125"),
		full_liquidation_ratio: u("0.1"),
		partial_liquidation_ratio: 0,
		liquidation_buffer: u("0.005"),
		min_partial_notional: u("0.5"),
		liquidation_fee_ratio: u("0.025"),
	}
}

/// Expand above 50 % utilisation, shrink below 10 %, 5 % steps, depth 0.25 to 4.
pub fn dynamic_k_params() -> DynamicKParams {
	DynamicKParams {
		k_expand_above: u("0.5"),
		k_shrink_below: u("0.1"),
		k_step: u("0.05"),
		k_min: u("0.25"),
		k_max: u("4"),
	}
}
