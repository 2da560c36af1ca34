//! Trading: open/increase/reduce/reverse/close and margin moves, built on
//! `perp_math::position` and `perp_math::margin`.
//!
//! Every trade call first settles its market's funding if a period is due; a settlement
//! that fails is reported (`FundingSettlementFailed`) and does not stop the trade, so a
//! broken settlement can never keep traders from closing. The quotes of `PerpApi` run these
//! same entry points and roll them back.
//!
//! A paused market is reduce-only: trades that reduce or close a position (and
//! liquidations) go on; anything that opens risk fails with `MarketPaused`.

use crate::{
	collateral::Valuation,
	guards,
	pallet::{BlockChanges, Config, Error, Event, MarketOf, Markets, Pallet, Positions, Traders},
	traits::{InsuranceFund, InsuranceInflow},
	types::{MarketId, PositionInfo, TraderState},
};
use perp_math::{
	fees, fixed, funding, margin, position, Order, Position, PositionValue, Side, TradeOutcome,
};
use polkadot_sdk::{
	frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get, BoundedVec},
	sp_runtime::DispatchError,
};

/// How a trade's risk check values the traded position: the new fill at its cost, so the
/// trade's own price impact is not counted against it (a fresh position's MR is exactly
/// `1 / leverage`, and the maximum leverage `1 / IMR` is usable).
#[derive(Clone, Copy)]
struct OpeningCheck {
	value: PositionValue,
}

/// What a settled trade did. The dispatchables drop it; `PerpApi`'s quote reports it after
/// running the real trade and rolling it back, so a quote cannot drift from the trade path.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TradeReceipt {
	/// Signed base traded (positive = bought).
	pub exchanged_size: i128,
	/// Quote traded (the fee base).
	pub exchanged_notional: u128,
	/// Fee paid.
	pub fee: u128,
	/// PnL realised by the trade.
	pub realized_pnl: i128,
	/// Funding settled by the trade (positive = paid).
	pub funding_payment: i128,
	/// Margin committed from held collateral (zero for reductions).
	pub required_margin: u128,
	/// Mark price before the trade.
	pub mark_before: u128,
	/// Mark price after the trade.
	pub mark_after: u128,
	/// The account's other cross positions the margin check valued (the weight's component).
	pub valued_positions: u32,
	/// Whether the call settled its market's due funding first (the weight's other part).
	pub settled_funding: bool,
}

/// The markets an account changed in the current block (the sandwich guard).
pub(crate) type ChangesOf<T> = BoundedVec<MarketId, <T as Config>::MaxPositionsPerAccount>;

/// Everything `settle_trade` needs about a trade computed by perp-math.
struct PendingTrade<T: Config> {
	market_id: MarketId,
	trader: TraderState,
	changes: ChangesOf<T>,
	market: MarketOf<T>,
	before: PositionInfo,
	outcome: TradeOutcome,
	index: Option<u128>,
	opening: Option<OpeningCheck>,
}

impl<T: Config> Pallet<T> {
	/// Forgets which markets each account changed in the block that ends (the sandwich
	/// guard's record). The whole record is in the block's overlay, where a prefix removal
	/// counts nothing, so whoever needs the count (the benchmark) reads it first.
	pub(crate) fn clear_block_changes() {
		let _ = BlockChanges::<T>::clear(u32::MAX, None);
	}

	/// `open_position` as the call runs it: the market's due funding settlement, then the
	/// trade.
	pub(crate) fn open_position_call(
		who: &T::AccountId,
		market_id: MarketId,
		side: Side,
		margin_amount: u128,
		leverage: u128,
		isolated: bool,
		limit: u128,
	) -> Result<TradeReceipt, DispatchError> {
		let settled = Self::try_settle_funding(market_id)?;
		let receipt =
			Self::do_open_position(who, market_id, side, margin_amount, leverage, isolated, limit)?;
		Ok(TradeReceipt { settled_funding: settled, ..receipt })
	}

	/// `reduce_position` (`Some(base)`) or `close_position` (`None`) as the calls run them:
	/// the market's due funding settlement, then the trade.
	pub(crate) fn reduce_position_call(
		who: &T::AccountId,
		market_id: MarketId,
		base: Option<u128>,
		limit: u128,
	) -> Result<TradeReceipt, DispatchError> {
		let settled = Self::try_settle_funding(market_id)?;
		let receipt = Self::do_reduce_position(who, market_id, base, limit)?;
		Ok(TradeReceipt { settled_funding: settled, ..receipt })
	}

	pub(crate) fn do_open_position(
		who: &T::AccountId,
		market_id: MarketId,
		side: Side,
		margin_amount: u128,
		leverage: u128,
		isolated: bool,
		limit: u128,
	) -> Result<TradeReceipt, DispatchError> {
		ensure!(margin_amount > 0, Error::<T>::ZeroAmount);
		let mut market = Self::market(market_id)?;
		guards::ensure_leverage::<T>(&market.params, leverage)?;
		let trader = Traders::<T>::get(who);
		let changes = BlockChanges::<T>::get(who);
		guards::ensure_first_change_in_block::<T>(&changes, market_id, &market.params)?;
		let before = Self::position_for_order(who, &trader, market_id, &mut market, isolated)?;
		market
			.refresh_band(polkadot_sdk::frame_system::Pallet::<T>::block_number())
			.map_err(Error::<T>::from)?;
		let index = Self::fresh_index(&market);
		let order = Order { side, margin: margin_amount, leverage };
		let premium = market.cumulative_premium;
		let outcome = position::trade(&before.position, market.reserves, &order, &premium)
			.map_err(Error::<T>::from)?;
		let opens_risk = outcome.required_margin > 0;
		if opens_risk {
			ensure!(!market.paused, Error::<T>::MarketPaused);
			guards::ensure_index_for_opening::<T>(index)?;
		}
		guards::ensure_order_limit::<T>(side, outcome.exchanged_size, limit)?;
		let full_close = outcome.position.size == 0 && !opens_risk;
		guards::ensure_min_trade::<T>(&market.params, outcome.exchanged_notional, full_close)?;
		let opening = if opens_risk {
			Some(opening_check::<T>(&before.position, &market, side, &outcome)?)
		} else {
			None
		};
		Self::settle_trade(
			who,
			PendingTrade { market_id, trader, changes, market, before, outcome, index, opening },
		)
	}

	/// Reduces by `base`, or closes when `base` is `None`.
	pub(crate) fn do_reduce_position(
		who: &T::AccountId,
		market_id: MarketId,
		base: Option<u128>,
		limit: u128,
	) -> Result<TradeReceipt, DispatchError> {
		let mut market = Self::market(market_id)?;
		let stored = Positions::<T>::get(who, market_id).ok_or(Error::<T>::NoPosition)?;
		let before = Self::catch_up_position(&mut market, stored)?;
		if let Some(base) = base {
			ensure!(base > 0, Error::<T>::ZeroAmount);
		}
		let trader = Traders::<T>::get(who);
		let changes = BlockChanges::<T>::get(who);
		guards::ensure_first_change_in_block::<T>(&changes, market_id, &market.params)?;
		market
			.refresh_band(polkadot_sdk::frame_system::Pallet::<T>::block_number())
			.map_err(Error::<T>::from)?;
		let index = Self::fresh_index(&market);
		let premium = market.cumulative_premium;
		let outcome = match base {
			Some(base) => position::reduce(&before.position, market.reserves, base, &premium),
			None => position::close(&before.position, market.reserves, &premium),
		}
		.map_err(Error::<T>::from)?;
		guards::ensure_close_limit::<T>(before.position.size, outcome.exchanged_notional, limit)?;
		let full_close = outcome.position.size == 0;
		guards::ensure_min_trade::<T>(&market.params, outcome.exchanged_notional, full_close)?;
		Self::settle_trade(
			who,
			PendingTrade {
				market_id,
				trader,
				changes,
				market,
				before,
				outcome,
				index,
				opening: None,
			},
		)
	}

	pub(crate) fn do_add_margin(
		who: &T::AccountId,
		market_id: MarketId,
		amount: u128,
	) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let (market, mut info) = Self::touch_position(who, market_id)?;
		ensure!(Self::held_collateral(who) >= amount, Error::<T>::InsufficientCollateral);
		let with_added = fixed::add(info.position.margin, amount).map_err(Error::<T>::from)?;
		info.position = settle_funding_into_margin::<T>(&info.position, &market, with_added)?;
		Self::commit_to_vault(who, amount)?;
		Positions::<T>::insert(who, market_id, info);
		Self::deposit_event(Event::MarginAdded {
			who: who.clone(),
			market: market_id,
			amount,
			margin: info.position.margin,
		});
		Ok(())
	}

	pub(crate) fn do_remove_margin(
		who: &T::AccountId,
		market_id: MarketId,
		amount: u128,
	) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let (market, mut info) = Self::touch_position(who, market_id)?;
		info.position =
			settle_funding_into_margin::<T>(&info.position, &market, info.position.margin)?;
		info.position.margin =
			info.position.margin.checked_sub(amount).ok_or(Error::<T>::MarginTooLow)?;
		let value =
			margin::value_position(&info.position, market.reserves, &market.cumulative_premium)
				.map_err(Error::<T>::from)?;
		let equity =
			margin::equity(info.position.margin, value.unrealized_pnl, value.pending_funding)
				.map_err(Error::<T>::from)?;
		if info.isolated {
			ensure_initial_margin::<T>(equity, value.notional, market.params.initial_margin_ratio)?;
		} else {
			// The margin a cross position's loss has used up is owed to the traders on the other
			// side, who are paid out of the vault: it stays there, even when the account's
			// other collateral would cover the loss (that collateral sits in the account's hold,
			// where the vault cannot spend it).
			ensure!(equity >= 0, Error::<T>::MarginBacksLoss);
		}
		Positions::<T>::insert(who, market_id, info);
		Self::release_from_vault(who, amount)?;
		if !info.isolated {
			// The account as a whole, with the margin back in its hold.
			Self::ensure_cross_margin(who, None)?;
		}
		Self::deposit_event(Event::MarginRemoved {
			who: who.clone(),
			market: market_id,
			amount,
			margin: info.position.margin,
		});
		Ok(())
	}

	/// The market and `who`'s position in it, brought to the market's liquidity version
	/// (the market is stored again if that moved its aggregates).
	fn touch_position(
		who: &T::AccountId,
		market_id: MarketId,
	) -> Result<(MarketOf<T>, PositionInfo), Error<T>> {
		let mut market = Self::market(market_id)?;
		let stored = Positions::<T>::get(who, market_id).ok_or(Error::<T>::NoPosition)?;
		let info = Self::catch_up_position(&mut market, stored)?;
		if info.liquidity_version != stored.liquidity_version {
			Markets::<T>::insert(market_id, &market);
		}
		Ok((market, info))
	}

	/// The existing position (same margin mode required) or an empty one, if the account
	/// may open another.
	fn position_for_order(
		who: &T::AccountId,
		trader: &TraderState,
		market_id: MarketId,
		market: &mut MarketOf<T>,
		isolated: bool,
	) -> Result<PositionInfo, Error<T>> {
		match Positions::<T>::get(who, market_id) {
			Some(info) => {
				ensure!(info.isolated == isolated, Error::<T>::MarginModeMismatch);
				Self::catch_up_position(market, info)
			},
			None => {
				ensure!(
					trader.positions < T::MaxPositionsPerAccount::get(),
					Error::<T>::TooManyPositions
				);
				Ok(PositionInfo {
					isolated,
					liquidity_version: market.liquidity_version,
					..Default::default()
				})
			},
		}
	}

	/// Applies the guards that depend on the curve after the trade, moves the money, writes
	/// the market and the position, and checks the margin requirement of risk-opening trades.
	fn settle_trade(
		who: &T::AccountId,
		trade: PendingTrade<T>,
	) -> Result<TradeReceipt, DispatchError> {
		let PendingTrade {
			market_id,
			mut trader,
			mut changes,
			mut market,
			before,
			outcome,
			index,
			opening,
		} = trade;
		let mark_before = market.reserves.mark_price().map_err(Error::<T>::from)?;
		let mark_after = outcome.reserves.mark_price().map_err(Error::<T>::from)?;
		guards::ensure_within_band::<T>(&mut market, mark_before, mark_after, opening.is_some())?;
		guards::ensure_divergence_allowed::<T>(&market.params, index, mark_before, mark_after)?;
		let fee = trade_fee::<T>(&market, &outcome, index, mark_before, mark_after)?;
		market.book_position_change(&before.position, &outcome).map_err(Error::<T>::from)?;
		if outcome.exchanged_size > 0 && outcome.position.size > 0 {
			// Longs took base out of the curve: the shorts must still be able to buy theirs.
			guards::ensure_shorts_can_exit::<T>(&market)?;
		}
		if opening.is_some() {
			Self::ensure_opening_allowed(who, &market, &outcome, fee)?;
		}

		let mut after = PositionInfo { position: outcome.position, ..before };
		let closes_last_cross =
			!before.isolated && after.position.size == 0 && trader.cross_positions <= 1;
		let debt = if closes_last_cross { trader.debt } else { 0 };
		Self::move_trade_funds(who, before.isolated, &outcome, &mut after.position, fee, debt)?;
		if closes_last_cross {
			trader.debt = 0;
		}
		market.accrue_fee(fee).map_err(Error::<T>::from)?;
		Markets::<T>::insert(market_id, &market);
		let existed = before.position.size != 0;
		Self::store_position(who, &mut trader, market_id, existed, &after)?;
		Self::store_trader(who, &trader);
		if market.params.sandwich_guard {
			changes.try_push(market_id).map_err(|_| Error::<T>::TooManyChangesInBlock)?;
			BlockChanges::<T>::insert(who, changes);
		}

		let valued_positions = match opening {
			Some(check) => Self::ensure_opening_margin(who, market_id, &market, &after, check)?,
			None => 0,
		};
		Self::deposit_event(Event::PositionChanged {
			who: who.clone(),
			market: market_id,
			isolated: after.isolated,
			exchanged_size: outcome.exchanged_size,
			exchanged_notional: outcome.exchanged_notional,
			fee,
			realized_pnl: outcome.realized_pnl,
			funding_payment: outcome.funding_payment,
			size: after.position.size,
			open_notional: after.position.open_notional,
			margin: after.position.margin,
			mark_price: mark_after,
		});
		Ok(TradeReceipt {
			exchanged_size: outcome.exchanged_size,
			exchanged_notional: outcome.exchanged_notional,
			fee,
			realized_pnl: outcome.realized_pnl,
			funding_payment: outcome.funding_payment,
			required_margin: outcome.required_margin,
			mark_before,
			mark_after,
			valued_positions,
			settled_funding: false,
		})
	}

	/// Caps (on the open interest already updated in `market`) and the collateral the new
	/// margin and the fee need.
	fn ensure_opening_allowed(
		who: &T::AccountId,
		market: &MarketOf<T>,
		outcome: &TradeOutcome,
		fee: u128,
	) -> Result<(), Error<T>> {
		let side = outcome.position.side().unwrap_or(Side::Long);
		let side_notional = market.open_interest.notional(side);
		guards::ensure_caps::<T>(&market.params, outcome.position.open_notional, side_notional)?;
		let needed = fixed::add(outcome.required_margin, fee).map_err(Error::<T>::from)?;
		// A reversal's released margin arrives in the hold before the new margin leaves.
		let available = Self::held_collateral(who).saturating_add(outcome.released_margin);
		ensure!(available >= needed, Error::<T>::InsufficientCollateral);
		Ok(())
	}

	/// After a risk-opening trade: an isolated position must meet the initial margin ratio
	/// on its own, and the cross account (which paid the margin and fee) must too. Returns
	/// how many other cross positions were valued.
	fn ensure_opening_margin(
		who: &T::AccountId,
		market_id: MarketId,
		market: &MarketOf<T>,
		after: &PositionInfo,
		check: OpeningCheck,
	) -> Result<u32, Error<T>> {
		let ratio = market.params.initial_margin_ratio;
		if after.isolated {
			let value = check.value;
			let equity =
				margin::equity(after.position.margin, value.unrealized_pnl, value.pending_funding)?;
			ensure_initial_margin::<T>(equity, value.notional, ratio)?;
		}
		let traded =
			(!after.isolated).then_some((market_id, after.position.margin, check.value, ratio));
		Self::ensure_cross_margin(who, traded)
	}

	/// A trade's money in one movement between the trader's hold and the vault: the margin
	/// the trade releases comes back, then the loss of a cross position beyond its margin
	/// (and, when the trade closes the account's last cross position, the account's debt),
	/// the margin it commits and its fee leave (the fee's shortfall, when the hold cannot
	/// pay it all, comes out of the position's margin, which stays in the vault). One
	/// transfer instead of up to five keeps a trade's storage writes down. A voluntary trade
	/// never leaves a loss unpaid: beyond the hold it fails with `PositionUnderwater`
	/// (liquidation draws on the other cross margins and books debt).
	fn move_trade_funds(
		who: &T::AccountId,
		isolated: bool,
		outcome: &TradeOutcome,
		position: &mut Position,
		fee: u128,
		debt: u128,
	) -> Result<(), Error<T>> {
		let held = Self::held_collateral(who);
		if outcome.bad_debt > 0 {
			ensure!(!isolated, Error::<T>::PositionUnderwater);
		}
		let owed = fixed::add(outcome.bad_debt, debt).map_err(Error::<T>::from)?;
		let after_margin = held
			.checked_add(outcome.released_margin)
			.ok_or(Error::<T>::Overflow)?
			.checked_sub(owed)
			.ok_or(Error::<T>::PositionUnderwater)?
			.checked_sub(outcome.required_margin)
			.ok_or(Error::<T>::InsufficientCollateral)?;
		let fee_from_hold = fee.min(after_margin);
		let shortfall = fee.saturating_sub(fee_from_hold);
		position.margin =
			position.margin.checked_sub(shortfall).ok_or(Error::<T>::InsufficientCollateral)?;
		let held_after = after_margin.saturating_sub(fee_from_hold);
		if held_after > held {
			Self::release_from_vault(who, held_after.saturating_sub(held))
		} else {
			Self::commit_to_vault(who, held.saturating_sub(held_after))
		}
	}

	/// Pays the fee shares accrued in `market` out of the vault to the insurance fund and the
	/// treasury. A recipient whose transfer fails (it would stay below the existential
	/// deposit) keeps its share accrued for the next settlement.
	pub(crate) fn pay_out_fees(market_id: MarketId, market: &mut MarketOf<T>) {
		let accrued = market.accrued_fees;
		let insurance = Self::pay_from_vault(&T::InsuranceFund::account(), accrued.insurance)
			.map_or(0, |()| accrued.insurance);
		if insurance > 0 {
			T::InsuranceFund::on_received(market_id, InsuranceInflow::Fee, insurance);
		}
		let treasury = Self::pay_from_vault(&T::Treasury::get(), accrued.treasury)
			.map_or(0, |()| accrued.treasury);
		market.accrued_fees.insurance = accrued.insurance.saturating_sub(insurance);
		market.accrued_fees.treasury = accrued.treasury.saturating_sub(treasury);
		if insurance > 0 || treasury > 0 {
			Self::deposit_event(Event::FeesPaidOut { market: market_id, insurance, treasury });
		}
	}

	/// Stores `info` (removes it once empty) and counts it in `trader`, which the caller
	/// stores.
	pub(crate) fn store_position(
		who: &T::AccountId,
		trader: &mut TraderState,
		market_id: MarketId,
		existed: bool,
		info: &PositionInfo,
	) -> Result<(), Error<T>> {
		let exists = info.position.size != 0;
		if exists {
			Positions::<T>::insert(who, market_id, info);
		} else {
			Positions::<T>::remove(who, market_id);
		}
		let step = |count: u32| match (existed, exists) {
			(false, true) => count.checked_add(1).ok_or(Error::<T>::Overflow),
			(true, false) => count.checked_sub(1).ok_or(Error::<T>::Underflow),
			_ => Ok(count),
		};
		trader.positions = step(trader.positions)?;
		if !info.isolated {
			trader.cross_positions = step(trader.cross_positions)?;
		}
		Ok(())
	}

	/// Stores `trader`, or drops the record once it holds nothing.
	pub(crate) fn store_trader(who: &T::AccountId, trader: &TraderState) {
		if trader.is_empty() {
			Traders::<T>::remove(who);
		} else {
			Traders::<T>::insert(who, trader);
		}
	}

	/// The account's cross positions (with `traded` replacing the stored position of its
	/// market, valued at cost) must be at MR ≥ the initial margin ratio, debt included.
	/// Returns how many stored positions were valued.
	fn ensure_cross_margin(
		who: &T::AccountId,
		traded: Option<(MarketId, u128, PositionValue, u128)>,
	) -> Result<u32, Error<T>> {
		let mut account =
			Self::cross_account(who, traded.map(|(market, ..)| market), Valuation::Curve)?;
		let valued = u32::try_from(account.values.len()).map_err(|_| Error::<T>::Overflow)?;
		if let Some((_, position_margin, value, ratio)) = traded {
			account.collateral =
				fixed::add(account.collateral, position_margin).map_err(Error::<T>::from)?;
			account.values.push(value);
			account.initial_margin_ratio = account.initial_margin_ratio.max(ratio);
		}
		if account.values.is_empty() {
			return Ok(valued);
		}
		ensure_initial_margin::<T>(
			account.equity()?,
			account.total()?.notional,
			account.initial_margin_ratio,
		)?;
		Ok(valued)
	}
}

/// Values the position after a risk-opening trade with the new fill at its cost: an
/// increase keeps the old part's exit value and PnL and adds the traded quote; a reversal's
/// new position is worth its open notional.
fn opening_check<T: Config>(
	before: &Position,
	market: &MarketOf<T>,
	side: Side,
	outcome: &TradeOutcome,
) -> Result<OpeningCheck, Error<T>> {
	let reverses = before.side().is_some_and(|current| current != side);
	let value = if reverses {
		PositionValue {
			notional: outcome.position.open_notional,
			unrealized_pnl: 0,
			pending_funding: 0,
		}
	} else {
		// Funding was settled into the margin by the trade.
		let old = margin::value_position(before, market.reserves, &market.cumulative_premium)
			.map_err(Error::<T>::from)?;
		PositionValue {
			notional: fixed::add(old.notional, outcome.exchanged_notional)
				.map_err(Error::<T>::from)?,
			unrealized_pnl: old.unrealized_pnl,
			pending_funding: 0,
		}
	};
	Ok(OpeningCheck { value })
}

/// The dynamic fee for the post-trade divergence from a fresh index; the base fee without
/// one (a stale index must not drive fees).
fn trade_fee<T: Config>(
	market: &MarketOf<T>,
	outcome: &TradeOutcome,
	index: Option<u128>,
	mark_before: u128,
	mark_after: u128,
) -> Result<u128, Error<T>> {
	let ratio = match index {
		Some(index) => {
			fees::dynamic_fee_ratio(&market.params.fee_schedule(), index, mark_before, mark_after)?
		},
		None => market.params.fee_ratio,
	};
	Ok(fees::fee_amount(outcome.exchanged_notional, ratio)?)
}

/// `equity / notional ≥ ratio`: the one initial-margin test behind both the isolated and the
/// cross checks.
fn ensure_initial_margin<T: Config>(
	equity: i128,
	notional: u128,
	ratio: u128,
) -> Result<(), Error<T>> {
	ensure!(margin::meets_margin_ratio(equity, notional, ratio), Error::<T>::InsufficientMargin);
	Ok(())
}

/// Settles the position's pending funding into `new_margin` and moves its funding entry
/// point to the market's current cumulative premium.
fn settle_funding_into_margin<T: Config>(
	position: &Position,
	market: &MarketOf<T>,
	new_margin: u128,
) -> Result<Position, Error<T>> {
	let side = position.side().ok_or(Error::<T>::NoPosition)?;
	let pending =
		funding::pending_funding(position, &market.cumulative_premium).map_err(Error::<T>::from)?;
	let (margin_after, bad_debt) =
		margin::settle_margin(new_margin, 0, pending).map_err(Error::<T>::from)?;
	ensure!(bad_debt == 0, Error::<T>::PositionUnderwater);
	Ok(Position {
		margin: margin_after,
		last_cumulative_premium: market.cumulative_premium.for_side(side),
		..*position
	})
}
