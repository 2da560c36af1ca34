//! Market parameters by their names (docs/parameters.md), as the `market` object and `set_params`
//! steps write them.
//!
//! Ratios, prices and amounts are decimals ([`crate::scenario::Amount`]), durations are
//! whole seconds (JSON integer or digit string), `sandwich_guard` is a boolean and
//! `funding_mode` is `"Balanced"` or `"Symmetric"`. Unknown names are errors, so a typo
//! cannot silently leave a default in place.

use crate::scenario::Amount;
use pallet_perp::MarketParams;
use perp_math::FundingMode;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Validated parameter changes, applied in file order on top of a parameter set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamOverrides(Vec<(String, Value)>);

impl ParamOverrides {
	/// Checks every name and value (by applying them to the defaults) and keeps them.
	pub fn from_map(fields: Map<String, Value>) -> Result<Self, String> {
		let overrides = Self(fields.into_iter().collect());
		overrides.apply(&mut MarketParams::default())?;
		Ok(overrides)
	}

	/// Writes the changes into `params`.
	pub fn apply(&self, params: &mut MarketParams) -> Result<(), String> {
		self.0.iter().try_for_each(|(name, value)| set_param(params, name, value))
	}
}

impl<'de> Deserialize<'de> for ParamOverrides {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let fields = Map::deserialize(deserializer)?;
		Self::from_map(fields).map_err(serde::de::Error::custom)
	}
}

/// Generates [`set_param`] and [`PARAM_NAMES`] from one list, so the two cannot drift.
macro_rules! market_params {
	($($parse:ident $field:ident),* $(,)?) => {
		/// Every market parameter name.
		pub const PARAM_NAMES: &[&str] = &[$(stringify!($field)),*];

		/// Sets the parameter `name` of `params` from its JSON value.
		fn set_param(params: &mut MarketParams, name: &str, value: &Value) -> Result<(), String> {
			match name {
				$(stringify!($field) => {
					params.$field = $parse(value).map_err(|error| format!("{name}: {error}"))?
				},)*
				_ => return Err(format!(
					"unknown market parameter {name:?} (known: base_reserve, quote_reserve, {})",
					PARAM_NAMES.join(", ")
				)),
			}
			Ok(())
		}
	};
}

market_params! {
	ratio initial_margin_ratio,
	ratio maintenance_margin_ratio,
	ratio full_liquidation_ratio,
	ratio partial_liquidation_ratio,
	ratio liquidation_buffer,
	ratio min_partial_notional,
	ratio liquidation_fee_ratio,
	ratio fee_ratio,
	ratio fee_level1_threshold,
	ratio fee_level1_ratio,
	ratio fee_level1_in_favour_ratio,
	ratio fee_level2_threshold,
	ratio fee_level2_ratio,
	ratio fee_level2_in_favour_ratio,
	ratio insurance_share,
	ratio convergence_share,
	ratio fluctuation_limit,
	seconds max_oracle_age,
	ratio max_mark_index_divergence,
	seconds liquidation_twap_window,
	seconds funding_period,
	seconds twap_window,
	ratio max_funding_rate,
	funding_mode funding_mode,
	ratio max_funding_subsidy,
	ratio convergence_threshold,
	seconds convergence_after,
	ratio k_expand_above,
	ratio k_shrink_below,
	ratio k_step,
	ratio k_min,
	ratio k_max,
	ratio max_open_interest,
	ratio max_position_notional,
	ratio min_trade_notional,
	flag sandwich_guard,
}

/// A decimal ratio, price or amount.
fn ratio(value: &Value) -> Result<u128, String> {
	Amount::from_json(value).map(|amount| amount.0)
}

/// Whole seconds: a JSON integer or a digit string.
fn seconds(value: &Value) -> Result<u64, String> {
	let parsed = match value {
		Value::Number(number) => number.as_u64(),
		Value::String(text) if text.chars().all(|c| c.is_ascii_digit()) => text.parse().ok(),
		_ => None,
	};
	parsed.ok_or_else(|| format!("expected whole seconds, got {value}"))
}

/// `true` or `false`.
fn flag(value: &Value) -> Result<bool, String> {
	value.as_bool().ok_or_else(|| format!("expected true or false, got {value}"))
}

/// `"Balanced"` or `"Symmetric"`.
fn funding_mode(value: &Value) -> Result<FundingMode, String> {
	match value.as_str() {
		Some("Balanced") => Ok(FundingMode::Balanced),
		Some("Symmetric") => Ok(FundingMode::Symmetric),
		_ => Err(format!("expected \"Balanced\" or \"Symmetric\", got {value}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	fn overrides(value: Value) -> Result<ParamOverrides, String> {
		match value {
			Value::Object(map) => ParamOverrides::from_map(map),
			_ => Err("not an object".into()),
		}
	}

	#[test]
	fn applies_every_kind_of_parameter() {
		let changes = overrides(json!({
			"fee_ratio": "0.001",
			"max_oracle_age": 0,
			"twap_window": "900",
			"sandwich_guard": false,
			"funding_mode": "Symmetric",
			"max_open_interest": 5000
		}))
		.unwrap();
		let mut params = MarketParams::default();
		changes.apply(&mut params).unwrap();
		assert_eq!(params.fee_ratio, 1_000_000_000_000_000);
		assert_eq!(params.max_oracle_age, 0);
		assert_eq!(params.twap_window, 900);
		assert!(!params.sandwich_guard);
		assert_eq!(params.funding_mode, FundingMode::Symmetric);
		assert_eq!(params.max_open_interest, 5_000 * crate::decimal::ONE);
		assert_eq!(params.initial_margin_ratio, MarketParams::default().initial_margin_ratio);
	}

	#[test]
	fn rejects_unknown_names_and_bad_values() {
		assert!(overrides(json!({ "fee_rate": "0.1" })).unwrap_err().contains("unknown"));
		assert!(overrides(json!({ "fee_ratio": 0.1 })).unwrap_err().contains("fee_ratio"));
		assert!(overrides(json!({ "funding_period": -1 })).is_err());
		assert!(overrides(json!({ "sandwich_guard": "no" })).is_err());
		assert!(overrides(json!({ "funding_mode": "balanced" })).is_err());
	}

	#[test]
	fn names_match_the_design_table() {
		assert_eq!(PARAM_NAMES.len(), 36);
		assert!(PARAM_NAMES.contains(&"fee_level2_in_favour_ratio"));
	}
}
