//! The per-step report (docs/scenarios.md) and its JSON-lines form.
//!
//! Reports keep raw 18-decimal integers ([`Units`], [`SignedUnits`]) so tests can compare
//! exactly; they serialise as decimal strings in whole units. Field order follows docs/scenarios.md#report.

use crate::decimal;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// A non-negative raw amount; JSON: decimal string ("898.5").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Units(pub u128);

/// A signed raw amount; JSON: decimal string ("-33.333333333333333333").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct SignedUnits(pub i128);

impl Serialize for Units {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&decimal::format_unsigned(self.0))
	}
}

impl Serialize for SignedUnits {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&decimal::format_signed(self.0))
	}
}

/// What one step did and the state after it.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
	/// 1-based step number.
	pub step: usize,
	/// Whether the step succeeded.
	pub ok: bool,
	/// The pallet error name (`"OracleStale"`), or null.
	pub error: Option<String>,
	/// Events the step emitted, as `"Pallet.Variant"`, in order.
	pub events: Vec<String>,
	/// The market after the step.
	pub market: MarketReport,
	/// Open positions after the step, plus positions the step touched (size 0 if closed).
	pub positions: BTreeMap<String, PositionReport>,
	/// Every scenario account after the step.
	pub accounts: BTreeMap<String, AccountReport>,
	/// What the insurance fund owns: its account's balance plus the fee share the market has
	/// accrued for it (paid out at the next funding settlement).
	pub insurance_fund: Units,
}

/// Curve and funding state of the market.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MarketReport {
	/// Base reserve `x`.
	pub base_reserve: Units,
	/// Quote reserve `y`.
	pub quote_reserve: Units,
	/// `y / x`, rounded down as the pallet does.
	pub mark_price: Units,
	/// Σ position sizes.
	pub net_size: SignedUnits,
	/// Longs' cumulative premium fraction.
	pub cumulative_premium_long: SignedUnits,
	/// Shorts' cumulative premium fraction.
	pub cumulative_premium_short: SignedUnits,
}

/// One account's position in the market: state after the step, and what the step did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PositionReport {
	/// Signed size (short < 0); 0 when the step closed it.
	pub size: SignedUnits,
	/// Entry notional.
	pub open_notional: Units,
	/// Margin assigned to the position.
	pub margin: Units,
	/// Exit value on the curve.
	pub notional: Units,
	/// `notional − open_notional` (long) or the reverse (short).
	pub unrealized_pnl: SignedUnits,
	/// Isolated: the position's MR; cross: the account's MR. Null without notional.
	pub margin_ratio: Option<SignedUnits>,
	/// Base traded by this step (signed, positive = bought).
	pub exchanged_size: SignedUnits,
	/// PnL realised by this step.
	pub realized_pnl: SignedUnits,
	/// Fee paid in this step.
	pub fee: Units,
	/// Funding settled in this step (positive = paid).
	pub funding_payment: SignedUnits,
	/// Bad debt left by this step (a liquidation of a bankrupt position).
	pub bad_debt: Units,
	/// Liquidation penalty of this step.
	pub liquidation_penalty: Units,
	/// What the liquidator received of that penalty (its half, as far as the position
	/// backed it).
	pub liquidator_reward: Units,
}

/// Balances of a scenario account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AccountReport {
	/// Spendable balance.
	pub free: Units,
	/// Collateral held by the perp pallet (not committed to a position).
	pub collateral: Units,
}

impl StepReport {
	/// The report as one line of JSON (no trailing newline).
	pub fn to_json_line(&self) -> Result<String, serde_json::Error> {
		serde_json::to_string(self)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn numbers_serialise_as_trimmed_decimal_strings() {
		let report = AccountReport { free: Units(1_000_000_000_000_000), collateral: Units(0) };
		assert_eq!(serde_json::to_string(&report).unwrap(), r#"{"free":"0.001","collateral":"0"}"#);
		assert_eq!(serde_json::to_string(&SignedUnits(-5)).unwrap(), r#""-0.000000000000000005""#);
		let empty: Option<SignedUnits> = None;
		assert_eq!(serde_json::to_string(&empty).unwrap(), "null");
	}
}
