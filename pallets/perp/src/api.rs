//! Read-only queries behind the `PerpApi` runtime API (docs/README.md#runtime-apis): market state, position
//! and account valuations, and a quote for a prospective order.
//!
//! Nothing here writes storage that survives the call. Each quote runs the real call's path
//! (the market's due funding settlement, then the trade or margin move) inside a storage
//! transaction and rolls it back, so it reports exactly what the call would do (fill, fee,
//! funding, every guard's error) without a second copy of the trading rules. Valuations use
//! the same functions the margin checks use.
//!
//! Units: amounts, prices and ratios are raw 18-decimal integers (`10^18` = 1 unit, 1.0 or
//! 100%); signed values are `i128` (size: positive = long; PnL: positive = gain; funding:
//! positive = owed by the position); times are Unix seconds unless named `_ms`.

use crate::{
	collateral::Valuation,
	pallet::{BlockChanges, Config, Error, MarketOf, Markets, Pallet, Positions},
	trading::TradeReceipt,
	traits::{IndexPrice, PriceProvider},
	types::{AccruedFees, MarketId, MarketParams, OpenInterest, PositionInfo},
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use perp_math::{
	curve, fixed, margin, CumulativePremium, LiquidationPrice, MathError, MathResult, Reserves,
	Rounding, Side,
};
use polkadot_sdk::{
	frame_support::storage::{with_transaction, TransactionOutcome},
	frame_system,
	sp_runtime::DispatchError,
};
use scale_info::TypeInfo;

/// A market's state and parameters, as a trader's screen shows them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct MarketInfo<CollectionKey> {
	/// The NFT collection whose floor is traded (the oracle key).
	pub collection: CollectionKey,
	/// Mark price `quote_reserve / base_reserve`, rounded down.
	pub mark_price: u128,
	/// The latest index price with its observation time (ms), if the oracle has one.
	pub index: Option<IndexPrice>,
	/// Whether that index is fresh enough (`max_oracle_age`) for opening trades.
	pub index_fresh: bool,
	/// The curve's virtual reserves.
	pub reserves: Reserves,
	/// Σ position sizes: the base the AMM owes (positive = traders are net long).
	pub net_size: i128,
	/// Open interest per side: sizes and open notionals.
	pub open_interest: OpenInterest,
	/// Cumulative funding premium per side (quote per unit of size).
	pub cumulative_premium: CumulativePremium,
	/// When funding was last settled.
	pub last_funding_time: u64,
	/// When the next funding settlement is due: `last_funding_time + funding_period`.
	pub next_funding_time: u64,
	/// What settling funding now would do, from the TWAPs so far (`None` before the
	/// first index).
	pub funding_estimate: Option<FundingEstimate>,
	/// Fees set aside for convergence costs, held by the vault.
	pub convergence_reserve: u128,
	/// Convergence gains and migration surpluses not realised yet: they join the convergence
	/// reserve once the market has no open position.
	pub unrealised_gain: u128,
	/// Fee shares held by the vault for the insurance fund and the treasury until the next
	/// funding settlement pays them out.
	pub accrued_fees: AccruedFees,
	/// Since when the mark has stayed beyond `convergence_threshold` of the index.
	pub diverged_since: Option<u64>,
	/// When `converge` becomes callable if the divergence holds.
	pub convergence_due_at: Option<u64>,
	/// Curve depth relative to launch (18-decimal).
	pub depth: u128,
	/// Liquidity migrations so far.
	pub liquidity_version: u32,
	/// Positions not yet remapped to the last migration (validators remap them within one
	/// sweep; convergence and the next migration wait for it).
	pub stale_positions: u32,
	/// A paused market accepts no trades.
	pub paused: bool,
	/// Every governance parameter (docs/parameters.md#market-parameters).
	pub params: MarketParams,
}

/// The funding settlement the TWAPs so far point to.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct FundingEstimate {
	/// Mark TWAP over `twap_window`.
	pub mark_twap: u128,
	/// Index TWAP over `twap_window`.
	pub index_twap: u128,
	/// Quote per unit of size a long pays this period (negative = receives).
	pub long_rate: i128,
	/// Quote per unit of size a short receives this period (negative = pays): a short's
	/// payment is `short_rate × size` with its negative size.
	pub short_rate: i128,
	/// The insurance fund's net result (negative = it pays a subsidy).
	pub insurance: i128,
}

/// A position valued on its market's curve.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct PositionDetails {
	/// The market.
	pub market: MarketId,
	/// Isolated positions are backed by their own margin only.
	pub isolated: bool,
	/// Base size: positive long, negative short. (Not `size`: Polkadot-JS structs are
	/// `Map`s, whose `size` property would hide the field.)
	pub base_size: i128,
	/// Margin assigned to the position (in the vault).
	pub margin: u128,
	/// Cost basis: quote paid (long) or received (short) for the current size.
	pub open_notional: u128,
	/// Average entry price `open_notional / |size|` (long rounded up, short down).
	pub entry_price: u128,
	/// Exit value: quote received (long) or paid (short) closing it now on the curve.
	pub exit_notional: u128,
	/// PnL at that exit value: long `exit − open`, short `open − exit`.
	pub unrealized_pnl: i128,
	/// Funding owed since the last settlement (positive = the position pays).
	pub pending_funding: i128,
	/// The margin ratio on the curve: for an isolated position
	/// `(margin + uPnL − funding) / exit`; for a cross position the account's
	/// `(collateral + Σ margins + Σ uPnL − Σ funding − debt) / Σ exit` over its cross
	/// positions. Rounded down; `None` if the exit value is zero. Liquidation needs it below
	/// maintenance, and also the same ratio at the fair price (the worse of the mark TWAP and
	/// the index), which no single trade can move.
	pub margin_ratio: Option<i128>,
	/// The mark at which `margin_ratio` reaches the market's maintenance ratio as others'
	/// trades move the curve (other cross positions held at their current values): where
	/// liquidation starts once the mark holds there (the fair price is then the mark or
	/// worse).
	pub liquidation_price: LiquidationPrice,
	/// Effective leverage `exit / (margin + uPnL − funding)` of this position alone,
	/// rounded up; `None` when that equity is not positive.
	pub leverage: Option<u128>,
}

/// What `open_position` with the quoted arguments would do if it were the first trade of
/// the next block.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct TradeQuote {
	/// Signed base traded (positive = bought), the size change.
	pub exchanged_size: i128,
	/// Quote traded: `margin × leverage` (the fee base).
	pub exchanged_notional: u128,
	/// Average fill price `exchanged_notional / |exchanged_size|` (buy rounded up, sell down).
	pub fill_price: u128,
	/// Mark before the trade.
	pub mark_before: u128,
	/// Mark after the trade.
	pub mark_after: u128,
	/// `|fill_price − mark_before| / mark_before`, rounded up.
	pub price_impact: u128,
	/// Trading fee, paid from held collateral on top of the margin.
	pub fee: u128,
	/// Margin moved from held collateral into the position (zero when the order reduces).
	pub margin_committed: u128,
	/// PnL the order realises (reductions and reversals).
	pub realized_pnl: i128,
	/// Funding the order settles (positive = paid).
	pub funding_payment: i128,
	/// The position after the trade; `None` when the order closes it exactly.
	pub position_after: Option<PositionDetails>,
	/// `position_after`'s margin ratio, as `position_info` will report it.
	pub margin_ratio_after: Option<i128>,
	/// `position_after`'s liquidation price, as `position_info` will report it.
	pub liquidation_price_after: Option<LiquidationPrice>,
}

/// An account's collateral and positions.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct AccountSummary {
	/// Collateral held for trading and not committed to a position.
	pub collateral: u128,
	/// Σ position margins, cross and isolated.
	pub total_margin: u128,
	/// Σ exit values of all positions.
	pub total_notional: u128,
	/// Σ unrealised PnL of all positions.
	pub unrealized_pnl: i128,
	/// Σ pending funding of all positions (positive = owed).
	pub pending_funding: i128,
	/// A realised cross loss the account still owes the vault (its cross positions'
	/// unrealised profit backs it; repaid from the held collateral when the last cross
	/// position closes).
	pub debt: u128,
	/// Cross-margin account MR `(collateral + Σ margins + Σ uPnL − Σ funding − debt) /
	/// Σ exit` over the cross positions, rounded down; `None` without cross positions.
	pub margin_ratio: Option<i128>,
	/// What `withdraw` accepts now: collateral not needed to keep the cross positions at
	/// the initial margin ratio.
	pub withdrawable: u128,
	/// Every open position, by market id.
	pub positions: Vec<PositionDetails>,
}

impl<T: Config> Pallet<T> {
	/// [`MarketInfo`] of `market_id`, `None` if there is no such market.
	pub fn market_info(
		market_id: MarketId,
	) -> Result<Option<MarketInfo<T::CollectionKey>>, Error<T>> {
		let Some(market) = Markets::<T>::get(market_id) else { return Ok(None) };
		let next_funding_time = Self::next_funding_time(&market);
		let funding_estimate =
			Self::funding_quote(market_id, &market).ok().map(|quote| FundingEstimate {
				mark_twap: quote.mark_twap,
				index_twap: quote.index_twap,
				long_rate: quote.split.long,
				short_rate: quote.split.short,
				insurance: quote.split.insurance,
			});
		let convergence_due_at = market
			.divergence_since
			.map(|since| since.saturating_add(market.params.convergence_after));
		Ok(Some(MarketInfo {
			mark_price: market.reserves.mark_price()?,
			index: T::IndexPrice::index_price(&market.collection),
			index_fresh: Self::fresh_index(&market).is_some(),
			reserves: market.reserves,
			net_size: market.net_size,
			open_interest: market.open_interest,
			cumulative_premium: market.cumulative_premium,
			last_funding_time: market.last_funding_time,
			next_funding_time,
			funding_estimate,
			convergence_reserve: market.convergence_reserve,
			unrealised_gain: market.unrealised_gain,
			accrued_fees: market.accrued_fees,
			diverged_since: market.divergence_since,
			convergence_due_at,
			depth: market.depth,
			liquidity_version: market.liquidity_version,
			stale_positions: market.positions.saturating_sub(market.current_positions),
			paused: market.paused,
			params: market.params,
			collection: market.collection,
		}))
	}

	/// [`PositionDetails`] of `who`'s position in `market_id`, `None` without one.
	pub fn position_details(
		who: &T::AccountId,
		market_id: MarketId,
	) -> Result<Option<PositionDetails>, Error<T>> {
		let Some(stored) = Positions::<T>::get(who, market_id) else { return Ok(None) };
		let market = Self::market(market_id)?;
		let info = Self::current_position(&market, stored)?;
		Self::details_of(who, market_id, &info, &market).map(Some)
	}

	/// [`AccountSummary`] of `who`.
	pub fn account_summary(who: &T::AccountId) -> Result<AccountSummary, Error<T>> {
		let mut positions = Vec::new();
		for (market_id, stored) in Positions::<T>::iter_prefix(who) {
			let market = Self::market(market_id)?;
			let info = Self::current_position(&market, stored)?;
			positions.push(Self::details_of(who, market_id, &info, &market)?);
		}
		// Storage order follows key hashes; a list by market id reads better.
		positions.sort_by_key(|details| details.market);
		let cross = Self::cross_account(who, None, Valuation::Curve)?;
		let margin_ratio = if cross.values.is_empty() {
			None
		} else {
			zero_notional_as_none(margin::margin_ratio(cross.equity()?, cross.total()?.notional))?
		};
		let totals = sum_positions(&positions)?;
		Ok(AccountSummary {
			collateral: Self::held_collateral(who),
			total_margin: totals.margin,
			total_notional: totals.notional,
			unrealized_pnl: totals.unrealized_pnl,
			pending_funding: totals.pending_funding,
			debt: cross.debt,
			margin_ratio,
			withdrawable: Self::withdrawable(who)?,
			positions,
		})
	}

	/// Quotes `open_position(market_id, side, margin, leverage, isolated, limit = 0)` for
	/// `who`: the real call (its due funding settlement first) runs as the first trade of
	/// the next block (the sandwich guard and fluctuation band see a new block, as a
	/// transaction submitted now will) and is rolled back. Fails with exactly the error the
	/// call would fail with.
	pub fn quote_open(
		who: &T::AccountId,
		market_id: MarketId,
		side: Side,
		margin_amount: u128,
		leverage: u128,
		isolated: bool,
	) -> Result<TradeQuote, DispatchError> {
		Self::quote_trade(who, market_id, || {
			Self::open_position_call(who, market_id, side, margin_amount, leverage, isolated, 0)
		})
	}

	/// Quotes `reduce_position(market_id, base, limit = 0)` (`Some(base)`) or
	/// `close_position(market_id, limit = 0)` (`None`) for `who`, as [`Self::quote_open`]
	/// does. `position_after` is `None` when the position closes.
	pub fn quote_reduce(
		who: &T::AccountId,
		market_id: MarketId,
		base: Option<u128>,
	) -> Result<TradeQuote, DispatchError> {
		Self::quote_trade(who, market_id, || Self::reduce_position_call(who, market_id, base, 0))
	}

	/// The position `add_margin(market_id, amount)` (`amount > 0`) or
	/// `remove_margin(market_id, −amount)` (`amount < 0`) would leave `who` with, margin
	/// ratio and liquidation price included; the call's error if it would fail.
	pub fn quote_margin(
		who: &T::AccountId,
		market_id: MarketId,
		amount: i128,
	) -> Result<PositionDetails, DispatchError> {
		with_transaction(|| {
			let moved = if amount >= 0 {
				Self::do_add_margin(who, market_id, amount.unsigned_abs())
			} else {
				Self::do_remove_margin(who, market_id, amount.unsigned_abs())
			};
			let details = moved.and_then(|()| {
				Self::position_details(who, market_id)?.ok_or(Error::<T>::NoPosition.into())
			});
			TransactionOutcome::Rollback(details)
		})
	}

	/// Runs `trade` as the first trade of the next block and reports it with the position it
	/// leaves; everything is rolled back.
	fn quote_trade(
		who: &T::AccountId,
		market_id: MarketId,
		trade: impl FnOnce() -> Result<TradeReceipt, DispatchError>,
	) -> Result<TradeQuote, DispatchError> {
		with_transaction(|| {
			let quote = Self::as_if_next_block(who, market_id)
				.map_err(DispatchError::from)
				.and_then(|()| trade())
				.and_then(|receipt| {
					let position_after = Self::position_details(who, market_id)?;
					Ok(quote_from(&receipt, position_after).map_err(Error::<T>::from)?)
				});
			TransactionOutcome::Rollback(quote)
		})
	}

	/// Makes the coming trade see a new block, as a transaction submitted now will: the
	/// sandwich guard forgets this block's changes, and the fluctuation band starts at the
	/// current mark (the block's closing mark so far). The block number itself stays: only
	/// native test builds may set it.
	fn as_if_next_block(who: &T::AccountId, market_id: MarketId) -> Result<(), Error<T>> {
		BlockChanges::<T>::remove(who);
		let Some(mut market) = Markets::<T>::get(market_id) else { return Ok(()) };
		market.start_band(frame_system::Pallet::<T>::block_number())?;
		Markets::<T>::insert(market_id, market);
		Ok(())
	}

	/// Values a stored position: its curve value, the MR liquidation uses, its liquidation
	/// price and effective leverage.
	fn details_of(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		market: &MarketOf<T>,
	) -> Result<PositionDetails, Error<T>> {
		let position = info.position;
		let risk = Self::position_risk(who, market_id, info, market, Valuation::Curve)?;
		let value = risk.value;
		let own_equity =
			margin::equity(position.margin, value.unrealized_pnl, value.pending_funding)?;
		let equity = fixed::add_signed(risk.base_equity, value.unrealized_pnl)?;
		let notional = fixed::add(value.notional, risk.other_notional)?;
		let margin_ratio = zero_notional_as_none(margin::margin_ratio(equity, notional))?;
		let liquidation_price =
			liquidation_price_of(market, info, risk.base_equity, risk.other_notional)?;
		Ok(PositionDetails {
			market: market_id,
			isolated: info.isolated,
			base_size: position.size,
			margin: position.margin,
			open_notional: position.open_notional,
			entry_price: trade_price(position.open_notional, position.size)?,
			exit_notional: value.notional,
			unrealized_pnl: value.unrealized_pnl,
			pending_funding: value.pending_funding,
			margin_ratio,
			liquidation_price,
			leverage: margin::effective_leverage(value.notional, own_equity)?,
		})
	}
}

/// Sums over an account's positions, cross and isolated.
#[derive(Default)]
struct Totals {
	margin: u128,
	notional: u128,
	unrealized_pnl: i128,
	pending_funding: i128,
}

fn sum_positions(positions: &[PositionDetails]) -> MathResult<Totals> {
	positions.iter().try_fold(Totals::default(), |totals, details| {
		Ok(Totals {
			margin: fixed::add(totals.margin, details.margin)?,
			notional: fixed::add(totals.notional, details.exit_notional)?,
			unrealized_pnl: fixed::add_signed(totals.unrealized_pnl, details.unrealized_pnl)?,
			pending_funding: fixed::add_signed(totals.pending_funding, details.pending_funding)?,
		})
	})
}

/// The liquidation price of `info` on `market`'s curve at its maintenance ratio.
pub(crate) fn liquidation_price_of<T: Config>(
	market: &MarketOf<T>,
	info: &PositionInfo,
	base_equity: i128,
	other_notional: u128,
) -> Result<LiquidationPrice, Error<T>> {
	Ok(margin::liquidation_price(
		market.reserves,
		info.position.size,
		info.position.open_notional,
		base_equity,
		other_notional,
		market.params.maintenance_margin_ratio,
	)?)
}

/// The quote of a trade that ran: its receipt and the position it left.
fn quote_from(
	receipt: &TradeReceipt,
	position_after: Option<PositionDetails>,
) -> MathResult<TradeQuote> {
	let fill_price = trade_price(receipt.exchanged_notional, receipt.exchanged_size)?;
	Ok(TradeQuote {
		exchanged_size: receipt.exchanged_size,
		exchanged_notional: receipt.exchanged_notional,
		fill_price,
		mark_before: receipt.mark_before,
		mark_after: receipt.mark_after,
		price_impact: fixed::relative_difference(fill_price, receipt.mark_before, Rounding::Up)?,
		fee: receipt.fee,
		margin_committed: receipt.required_margin,
		realized_pnl: receipt.realized_pnl,
		funding_payment: receipt.funding_payment,
		margin_ratio_after: position_after.and_then(|details| details.margin_ratio),
		liquidation_price_after: position_after.map(|details| details.liquidation_price),
		position_after,
	})
}

/// Average price of `notional` for `size` base, against the trader: a buy (positive size)
/// rounds up, a sell down. Zero for zero size.
fn trade_price(notional: u128, size: i128) -> MathResult<u128> {
	if size == 0 {
		return Ok(0);
	}
	let rounding = if size > 0 { Rounding::Up } else { Rounding::Down };
	curve::average_price(notional, size.unsigned_abs(), rounding)
}

/// A margin ratio, with "nothing to divide by" reported as `None` rather than an error.
fn zero_notional_as_none(ratio: MathResult<i128>) -> MathResult<Option<i128>> {
	match ratio {
		Ok(ratio) => Ok(Some(ratio)),
		Err(MathError::ZeroNotional) => Ok(None),
		Err(error) => Err(error),
	}
}
