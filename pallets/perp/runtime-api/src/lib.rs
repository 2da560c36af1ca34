//! The `PerpApi` runtime API (docs/README.md#runtime-apis): what a trader's wallet or page asks the chain
//! before and after trading, without signing anything.
//!
//! Polkadot-JS calls it as `api.call.perpApi.<method>`; the runtime's metadata (v15+)
//! describes every method and type, so no client-side type definitions are needed.
//!
//! Units: amounts, prices and ratios are raw 18-decimal integers (`10^18` = 1 unit, 1.0 or
//! 100%); sizes are signed (positive = long). The types are documented in
//! [`pallet_perp::api`].
#![cfg_attr(not(feature = "std"), no_std)]
// The API's methods take every order argument separately, as `open_position` does.
#![allow(clippy::too_many_arguments)]
// The macro passes arguments by `&mut` where clippy would not.
#![allow(clippy::unnecessary_mut_passed)]

pub use pallet_perp::{
	AccountSummary, IndexPrice, MarketId, MarketInfo, MarketParams, PositionDetails, TradeQuote,
};
pub use perp_math::{LiquidationPrice, Side};

use codec::Codec;
use polkadot_sdk::sp_runtime::DispatchError;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Read-only views of the perp markets, positions and accounts, and order quotes.
	pub trait PerpApi<AccountId, CollectionKey>
	where
		AccountId: Codec,
		CollectionKey: Codec,
	{
		/// A market's mark, index (with its timestamp and freshness), reserves, net size,
		/// open interest, cumulative funding, funding times, convergence reserve, pause
		/// flag and every parameter; `None` if there is no such market.
		fn market_info(market: MarketId) -> Option<MarketInfo<CollectionKey>>;

		/// `account`'s position in `market` valued on the curve: size, margin, open and
		/// exit notional, unrealised PnL, pending funding, margin ratio, liquidation price,
		/// effective leverage; `None` without a position (or if its valuation is out of
		/// arithmetic range).
		fn position_info(account: AccountId, market: MarketId) -> Option<PositionDetails>;

		/// What `open_position(market, side, margin, leverage, isolated, limit = 0)` signed
		/// by `account` would do as the first trade of the next block: fill and average
		/// price, base size, price impact, fee, mark after, and the position after with its
		/// margin ratio and liquidation price. The error is the one the trade would fail
		/// with (e.g. `Perp::InsufficientCollateral`, `Perp::OracleStale`).
		fn quote_open(
			account: AccountId,
			market: MarketId,
			side: Side,
			margin: u128,
			leverage: u128,
			isolated: bool,
		) -> Result<TradeQuote, DispatchError>;

		/// What `reduce_position(market, base, limit = 0)` (`Some(base)`) or
		/// `close_position(market, limit = 0)` (`None`) signed by `account` would do as the
		/// first trade of the next block, its market's due funding settlement included: the
		/// quote traded, fee, realised PnL, funding, and the position after (`None` when it
		/// closes). The error is the one the call would fail with.
		fn quote_reduce(
			account: AccountId,
			market: MarketId,
			base: Option<u128>,
		) -> Result<TradeQuote, DispatchError>;

		/// The position `add_margin(market, amount)` (`amount > 0`) or
		/// `remove_margin(market, −amount)` (`amount < 0`) signed by `account` would leave,
		/// with its margin ratio and liquidation price; the call's error if it would fail.
		fn quote_margin(
			account: AccountId,
			market: MarketId,
			amount: i128,
		) -> Result<PositionDetails, DispatchError>;

		/// `account`'s held collateral, Σ margins, Σ exit notional, Σ PnL and funding, cross
		/// debt, cross-margin ratio, withdrawable amount and every position. Fails only if a
		/// valuation is out of arithmetic range.
		fn account_summary(account: AccountId) -> Result<AccountSummary, DispatchError>;
	}
}
