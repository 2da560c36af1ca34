//! The pallet's boundaries: the index price and the insurance fund, implemented by the
//! runtime (pallet-oracle, pallet-insurance) and by the mock in tests.

use crate::types::MarketId;
use codec::{Decode, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::DispatchError;
use scale_info::TypeInfo;

/// An index price with the time it was observed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct IndexPrice {
	/// 18-decimal price.
	pub price: u128,
	/// Unix time of the observation, milliseconds.
	pub timestamp: u64,
}

/// Where the true floor price of a collection comes from.
pub trait PriceProvider<Key> {
	/// The latest index price of `key`, `None` if there is none.
	fn index_price(key: &Key) -> Option<IndexPrice>;
}

/// Why money arrives in the insurance fund from a market.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InsuranceInflow {
	/// The insurance share of a trading fee.
	Fee,
	/// The insurance half of a liquidation penalty (or the whole penalty when no keeper
	/// can be paid).
	LiquidationPenalty,
	/// What is left of an isolated position's margin after a full liquidation.
	ResidualMargin,
	/// Funding the insurance fund received as the counterparty of an empty side.
	FundingIncome,
	/// What a liquidity migration's provision turned out not to need, back to the fund.
	MigrationRefund,
}

/// Why the insurance fund pays out to a market.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InsuranceOutflow {
	/// A bankrupt account's loss beyond everything that backed it.
	BadDebt,
	/// Funding paid as the counterparty of an empty side.
	FundingSubsidy,
	/// A convergence event increased what the AMM owes beyond the market's reserve.
	ConvergenceCost,
	/// A provision for what a liquidity migration may add to what the AMM owes, beyond the
	/// market's reserve.
	MigrationCost,
}

/// The insurance fund as the perp pallet sees it (the runtime wires pallet-insurance).
pub trait InsuranceFund<AccountId> {
	/// The account the fund holds its balance in.
	fn account() -> AccountId;
	/// Called after `amount` was paid into [`Self::account`] for `inflow`.
	fn on_received(market: MarketId, inflow: InsuranceInflow, amount: u128);
	/// What the fund would pay `market` for `outflow` now: its balance, within what the
	/// market may still draw this period (one cap for every outflow, so a thin market cannot
	/// drain the fund all markets share).
	fn capacity(market: MarketId, outflow: InsuranceOutflow) -> u128;
	/// Pays up to `amount` to `to` for `outflow`, within [`Self::capacity`]; returns what
	/// it paid.
	fn pay(
		market: MarketId,
		outflow: InsuranceOutflow,
		to: &AccountId,
		amount: u128,
	) -> Result<u128, DispatchError>;
}

/// Hooks benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<Key> {
	/// A distinct collection key per `seed`.
	fn collection(seed: u32) -> Key;
	/// Makes `price` the index of `key`, observed at `timestamp` (ms).
	fn set_index_price(key: &Key, price: u128, timestamp: u64);
	/// Sets the chain's time (`TimeProvider::now`) to `timestamp` (ms).
	fn set_time(timestamp: u64);
}
