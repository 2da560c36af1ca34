//! The scenario file (docs/scenarios.md) as typed input.
//!
//! Deserialisation already checks every number (see [`crate::decimal`]) and every market
//! parameter name (see [`crate::params`]); [`Scenario::parse`] then checks what needs the
//! whole file (every trader named in a step has an entry in `accounts`, block steps move
//! time far enough). So a malformed scenario fails before anything runs, with the JSON
//! position or the step number in the message.

use crate::{decimal, params::ParamOverrides};
use serde::{de, Deserialize, Deserializer};
use std::{collections::BTreeMap, fmt};

/// Seconds between blocks on chain (`MILLI_SECS_PER_BLOCK`): `next_block` moves time by
/// this much, and `advance` by at least this much (Aura needs a new slot per block).
pub const BLOCK_SECONDS: u64 = floorperp_runtime::MILLI_SECS_PER_BLOCK / 1_000;

/// A whole scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
	/// The single market (collection 0, market id 0): reserves and parameter overrides.
	pub market: MarketSpec,
	/// Trader name → collateral deposited at the start.
	#[serde(default)]
	pub accounts: BTreeMap<String, Amount>,
	/// Starting balance of the insurance fund's account.
	#[serde(default)]
	pub insurance_fund: Option<Amount>,
	/// What happens, in order.
	pub steps: Vec<Step>,
}

/// The `market` object: virtual reserves plus any market parameter.
#[derive(Clone, Debug)]
pub struct MarketSpec {
	/// Initial base reserve `x`.
	pub base_reserve: u128,
	/// Initial quote reserve `y`.
	pub quote_reserve: u128,
	/// Parameters that differ from the default parameters.
	pub params: ParamOverrides,
}

/// A non-negative amount, price or ratio in raw 18-decimal units. In JSON: a decimal string
/// ("1.5") or, for convenience, a JSON integer (`10`); fractional JSON numbers are rejected
/// because floats cannot carry 18 exact decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Amount(pub u128);

/// Side of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
	/// Buys base.
	Long,
	/// Sells base.
	Short,
}

/// One step: an object with exactly one key naming the action.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
	/// Feeds the oracle (as Root) with this index, timestamped now.
	IndexPrice(Amount),
	/// `Perp::open_position`.
	Open(OpenStep),
	/// `Perp::reduce_position`.
	Reduce(ReduceStep),
	/// `Perp::close_position`.
	Close(CloseStep),
	/// `Perp::add_margin`.
	AddMargin(MarginStep),
	/// `Perp::remove_margin`.
	RemoveMargin(MarginStep),
	/// Liquidation by a keeper (`by`) or through the offchain-worker path.
	Liquidate(LiquidateStep),
	/// `Perp::settle_funding`, as a validator's offchain worker submits it.
	SettleFunding(NoFields),
	/// `Perp::adjust_liquidity` (Root).
	AdjustLiquidity(AdjustLiquidityStep),
	/// `Perp::converge`, as a validator's offchain worker submits it.
	Converge(NoFields),
	/// Everything validators' offchain workers would submit in the current block (due
	/// funding settlements, convergences, remaps of positions a migration left behind,
	/// liquidations), each authorised as the pool and block import do, then dispatched.
	OffchainWorkers(NoFields),
	/// `Perp::set_market_params` (Root) with the current parameters plus these changes.
	SetParams(ParamOverrides),
	/// Ends the block; the next one starts one block time later.
	NextBlock(NoFields),
	/// Ends the block; the next one starts `seconds` later.
	Advance(AdvanceStep),
}

/// `open`: trade `margin × leverage` of notional.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenStep {
	/// Trader.
	pub who: String,
	/// Long or short.
	pub side: Side,
	/// Margin committed.
	pub margin: Amount,
	/// Leverage (notional = margin × leverage).
	pub leverage: Amount,
	/// Isolated margin (default: cross).
	#[serde(default)]
	pub isolated: bool,
	/// Base bound (long: at least, short: at most); 0 = none.
	#[serde(default)]
	pub limit: Amount,
}

/// `reduce`: close `size` base of the position.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReduceStep {
	/// Trader.
	pub who: String,
	/// Base to close (unsigned).
	pub size: Amount,
	/// Quote bound (long: at least, short: at most); 0 = none.
	#[serde(default)]
	pub limit: Amount,
}

/// `close`: close the whole position.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseStep {
	/// Trader.
	pub who: String,
	/// Quote bound as in `reduce`; 0 = none.
	#[serde(default)]
	pub limit: Amount,
}

/// `add_margin` / `remove_margin`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginStep {
	/// Trader.
	pub who: String,
	/// Margin moved.
	pub amount: Amount,
}

/// `liquidate`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidateStep {
	/// The account liquidated.
	pub who: String,
	/// The keeper; omitted = the offchain-worker path.
	#[serde(default)]
	pub by: Option<String>,
}

/// `adjust_liquidity`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustLiquidityStep {
	/// Reserve multiplier.
	pub multiplier: Amount,
}

/// `advance`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceStep {
	/// Seconds until the next block (at least [`BLOCK_SECONDS`]).
	pub seconds: u64,
}

/// The `{}` of steps without arguments.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// A scenario that cannot run.
#[derive(Debug)]
pub enum ScenarioError {
	/// Not valid JSON, or not the shape of docs/scenarios.md#scenario-file (message from the parser, with position).
	Json(serde_json::Error),
	/// The JSON is well-formed but inconsistent.
	Invalid(String),
}

impl fmt::Display for ScenarioError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Json(error) => write!(f, "invalid scenario: {error}"),
			Self::Invalid(message) => write!(f, "invalid scenario: {message}"),
		}
	}
}

impl std::error::Error for ScenarioError {}

impl Scenario {
	/// Parses and checks a scenario.
	pub fn parse(text: &str) -> Result<Self, ScenarioError> {
		let scenario: Scenario = serde_json::from_str(text).map_err(ScenarioError::Json)?;
		scenario.check().map_err(ScenarioError::Invalid)?;
		Ok(scenario)
	}

	/// Cross-field checks the types alone cannot express.
	fn check(&self) -> Result<(), String> {
		for name in self.accounts.keys() {
			check_account_name(name)?;
		}
		for (index, step) in self.steps.iter().enumerate() {
			let number = index.saturating_add(1);
			self.check_step(step).map_err(|message| format!("step {number}: {message}"))?;
		}
		Ok(())
	}

	fn check_step(&self, step: &Step) -> Result<(), String> {
		for name in step.traders() {
			if !self.accounts.contains_key(name) {
				return Err(format!("account {name:?} is not declared in \"accounts\""));
			}
		}
		if let Step::Advance(AdvanceStep { seconds }) = step {
			if *seconds < BLOCK_SECONDS {
				return Err(format!(
					"advance needs at least {BLOCK_SECONDS} seconds (one block); got {seconds}"
				));
			}
		}
		Ok(())
	}
}

impl Step {
	/// The accounts the step names.
	pub fn traders(&self) -> Vec<&str> {
		match self {
			Step::Open(step) => vec![step.who.as_str()],
			Step::Reduce(step) => vec![step.who.as_str()],
			Step::Close(step) => vec![step.who.as_str()],
			Step::AddMargin(step) | Step::RemoveMargin(step) => vec![step.who.as_str()],
			Step::Liquidate(step) => {
				core::iter::once(step.who.as_str()).chain(step.by.as_deref()).collect()
			},
			_ => Vec::new(),
		}
	}
}

/// Account names become `//name` dev keys, so they must be one plain derivation junction.
fn check_account_name(name: &str) -> Result<(), String> {
	let plain = !name.is_empty() && !name.contains('/') && !name.chars().any(char::is_whitespace);
	if plain {
		Ok(())
	} else {
		Err(format!("account name {name:?} must be non-empty, without '/' or spaces"))
	}
}

impl Amount {
	/// Reads an amount from a JSON value: a decimal string or a non-negative JSON integer.
	pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
		match value {
			serde_json::Value::String(text) => decimal::parse_unsigned(text)
				.map(Amount)
				.map_err(|error| format!("{text:?}: {error}")),
			serde_json::Value::Number(number) => match number.as_u64() {
				Some(whole) => u128::from(whole)
					.checked_mul(decimal::ONE)
					.map(Amount)
					.ok_or_else(|| "number too large".to_string()),
				None => Err(format!(
					"{number} is not a whole non-negative JSON number; write amounts as decimal \
					 strings (\"{number}\") to keep them exact"
				)),
			},
			other => Err(format!("expected a decimal string such as \"1.5\", got {other}")),
		}
	}
}

impl<'de> Deserialize<'de> for Amount {
	// Through `Value`, which reads numbers the same way whether or not serde_json's
	// `arbitrary_precision` feature is on somewhere in the dependency graph.
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let value = serde_json::Value::deserialize(deserializer)?;
		Amount::from_json(&value).map_err(de::Error::custom)
	}
}

impl<'de> Deserialize<'de> for MarketSpec {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let mut fields = serde_json::Map::deserialize(deserializer)?;
		let base_reserve = take_reserve::<D::Error>(&mut fields, "base_reserve")?;
		let quote_reserve = take_reserve::<D::Error>(&mut fields, "quote_reserve")?;
		let params = ParamOverrides::from_map(fields).map_err(de::Error::custom)?;
		Ok(MarketSpec { base_reserve, quote_reserve, params })
	}
}

/// Removes and parses a required reserve of the `market` object.
fn take_reserve<E: de::Error>(
	fields: &mut serde_json::Map<String, serde_json::Value>,
	name: &'static str,
) -> Result<u128, E> {
	let value = fields.remove(name).ok_or_else(|| E::missing_field(name))?;
	Amount::from_json(&value)
		.map(|amount| amount.0)
		.map_err(|error| E::custom(format!("market.{name}: {error}")))
}
