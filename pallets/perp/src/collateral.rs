//! Collateral: deposits and withdrawals, the money movements between a trader's hold, the
//! vault and fee recipients, and the valuation of an account's cross positions.
//!
//! A cross account is one account: its held collateral, every cross position's margin and
//! unrealised PnL, less its pending funding and its debt (see [`crate::types::TraderState`]),
//! back all of its cross positions together. Two valuations exist:
//! - **on the curve** (exit values): what closing each position now would give. Trades,
//!   withdrawals and the views use it;
//! - **at the fair price**: each position valued as if its market's mark stood at the worse
//!   (for the position) of the mark TWAP over `liquidation_twap_window` and a fresh index, on
//!   a curve of the same depth. No single trade can move it; liquidation needs both
//!   valuations below maintenance (see [`crate::liquidation`]).

use crate::{
	pallet::{Config, Error, Event, HoldReason, MarketOf, Markets, Pallet, Positions, Traders},
	types::{MarketId, PositionInfo},
};
use alloc::vec::Vec;
use perp_math::{fixed, margin, PositionValue, Side};
use polkadot_sdk::frame_support::{
	ensure,
	pallet_prelude::DispatchResult,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction, WithdrawConsequence},
	},
};

/// How positions are valued.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Valuation {
	/// At each market's curve: exit values.
	Curve,
	/// At each market's fair price, on a curve of the same depth (module docs).
	Fair,
}

/// An account's cross positions, valued.
pub(crate) struct CrossAccount {
	/// Held collateral plus the cross positions' margins: what backs them in cash.
	pub collateral: u128,
	/// The account's debt (a realised cross loss not yet paid).
	pub debt: u128,
	/// Each cross position's value.
	pub values: Vec<PositionValue>,
	/// The highest initial margin ratio among the positions' markets (cross positions in
	/// markets with different ratios are held to the strictest).
	pub initial_margin_ratio: u128,
}

impl CrossAccount {
	/// Σ of the positions' values.
	pub fn total(&self) -> Result<PositionValue, perp_math::MathError> {
		margin::total_value(&self.values)
	}

	/// `collateral + Σ uPnL − Σ funding − debt`.
	pub fn equity(&self) -> Result<i128, perp_math::MathError> {
		let total = self.total()?;
		let liabilities = fixed::add_signed(total.pending_funding, fixed::to_signed(self.debt)?)?;
		margin::equity(self.collateral, total.unrealized_pnl, liabilities)
	}
}

/// A position's value with what else backs or burdens it.
#[derive(Clone, Copy)]
pub(crate) struct PositionRisk {
	/// The position itself.
	pub value: PositionValue,
	/// Equity without this position's uPnL: its margin less funding (isolated), or the
	/// account's held collateral and cross margins plus the other positions' uPnL, less all
	/// pending funding and the debt (cross).
	pub base_equity: i128,
	/// The notional of the account's other cross positions (0 for isolated).
	pub other_notional: u128,
}

impl PositionRisk {
	/// `(base equity + uPnL) / (notional + other notional)`.
	pub fn margin_ratio(&self) -> Result<i128, perp_math::MathError> {
		let equity = fixed::add_signed(self.base_equity, self.value.unrealized_pnl)?;
		margin::margin_ratio(equity, fixed::add(self.value.notional, self.other_notional)?)
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_deposit(who: &T::AccountId, amount: u128) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		ensure!(!Self::collateral_frozen(who), Error::<T>::CollateralFrozen);
		T::Currency::hold(&HoldReason::Collateral.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Self::deposit_event(Event::Deposited {
			who: who.clone(),
			amount,
			collateral: Self::held_collateral(who),
		});
		Ok(())
	}

	pub(crate) fn do_withdraw(who: &T::AccountId, amount: u128) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		ensure!(amount <= Self::withdrawable(who)?, Error::<T>::InsufficientFreeCollateral);
		ensure!(!Self::collateral_frozen(who), Error::<T>::CollateralFrozen);
		T::Currency::release(&HoldReason::Collateral.into(), who, amount, Precision::Exact)
			.map_err(|_| Error::<T>::InsufficientFreeCollateral)?;
		Self::deposit_event(Event::Withdrawn {
			who: who.clone(),
			amount,
			collateral: Self::held_collateral(who),
		});
		Ok(())
	}

	/// Whether `who`'s collateral token is frozen for it (the asset or the account frozen by
	/// its issuer or governance): it can neither be deposited nor withdrawn.
	fn collateral_frozen(who: &T::AccountId) -> bool {
		matches!(T::Currency::can_withdraw(who, 0), WithdrawConsequence::Frozen)
	}

	/// Collateral held for trading on `who`'s account (not committed to any position).
	pub fn held_collateral(who: &T::AccountId) -> u128 {
		T::Currency::balance_on_hold(&HoldReason::Collateral.into(), who)
	}

	/// What `who` may withdraw: held collateral not needed to keep the cross account (debt
	/// included) at MR ≥ initial margin ratio.
	pub fn withdrawable(who: &T::AccountId) -> Result<u128, Error<T>> {
		let held = Self::held_collateral(who);
		let account = Self::cross_account(who, None, Valuation::Curve)?;
		if account.values.is_empty() {
			return Ok(held);
		}
		let free = margin::free_equity(
			account.equity()?,
			account.total()?.notional,
			account.initial_margin_ratio,
		)?;
		Ok(free.min(held))
	}

	/// Values `who`'s cross positions (leaving out `skip`) the `valuation` way.
	pub(crate) fn cross_account(
		who: &T::AccountId,
		skip: Option<MarketId>,
		valuation: Valuation,
	) -> Result<CrossAccount, Error<T>> {
		let mut account = CrossAccount {
			collateral: Self::held_collateral(who),
			debt: Traders::<T>::get(who).debt,
			values: Vec::new(),
			initial_margin_ratio: 0,
		};
		for (market_id, info) in Positions::<T>::iter_prefix(who) {
			if info.isolated || Some(market_id) == skip {
				continue;
			}
			let market = Markets::<T>::get(market_id).ok_or(Error::<T>::UnknownMarket)?;
			let info = Self::current_position(&market, info)?;
			account.collateral = fixed::add(account.collateral, info.position.margin)?;
			account.values.push(Self::value(market_id, &market, &info, valuation)?);
			account.initial_margin_ratio =
				account.initial_margin_ratio.max(market.params.initial_margin_ratio);
		}
		Ok(account)
	}

	/// One position's value the `valuation` way.
	pub(crate) fn value(
		market_id: MarketId,
		market: &MarketOf<T>,
		info: &PositionInfo,
		valuation: Valuation,
	) -> Result<PositionValue, Error<T>> {
		let premium = &market.cumulative_premium;
		Ok(match (valuation, info.position.side()) {
			(Valuation::Fair, Some(side)) => {
				let price = Self::fair_price(market_id, market, side)?;
				margin::value_position_at(&info.position, market.reserves, price, premium)?
			},
			_ => margin::value_position(&info.position, market.reserves, premium)?,
		})
	}

	/// The price a `side` position of `market` is valued at for liquidation: the mark TWAP
	/// over `liquidation_twap_window`, or a fresh index if that is worse for the position
	/// (lower for a long, higher for a short).
	pub(crate) fn fair_price(
		market_id: MarketId,
		market: &MarketOf<T>,
		side: Side,
	) -> Result<u128, Error<T>> {
		let twap = Self::mark_twap(market_id, market, market.params.liquidation_twap_window)?;
		Ok(match (Self::fresh_index(market), side) {
			(Some(index), Side::Long) => twap.min(index),
			(Some(index), Side::Short) => twap.max(index),
			(None, _) => twap,
		})
	}

	/// `info`'s value and backing the `valuation` way: an isolated position is backed by its
	/// margin alone, a cross one by the whole cross account.
	pub(crate) fn position_risk(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		market: &MarketOf<T>,
		valuation: Valuation,
	) -> Result<PositionRisk, Error<T>> {
		let value = Self::value(market_id, market, info, valuation)?;
		if info.isolated {
			let base_equity = margin::equity(info.position.margin, 0, value.pending_funding)?;
			return Ok(PositionRisk { value, base_equity, other_notional: 0 });
		}
		let others = Self::cross_account(who, Some(market_id), valuation)?;
		let others_total = others.total()?;
		let with_margin = CrossAccount {
			collateral: fixed::add(others.collateral, info.position.margin)?,
			values: alloc::vec![PositionValue { unrealized_pnl: 0, ..value }, others_total],
			..others
		};
		Ok(PositionRisk {
			value,
			base_equity: with_margin.equity()?,
			other_notional: others_total.notional,
		})
	}

	/// Moves `amount` of `who`'s held collateral into the vault (margin committed).
	pub(crate) fn commit_to_vault(who: &T::AccountId, amount: u128) -> Result<(), Error<T>> {
		Self::pay_from_hold(who, &Self::vault_account(), amount)
	}

	/// Moves `amount` from the vault into `who`'s held collateral (margin released).
	pub(crate) fn release_from_vault(who: &T::AccountId, amount: u128) -> Result<(), Error<T>> {
		if amount == 0 {
			return Ok(());
		}
		T::Currency::transfer_and_hold(
			&HoldReason::Collateral.into(),
			&Self::vault_account(),
			who,
			amount,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::VaultInsufficient)?;
		Ok(())
	}

	/// Pays `amount` out of `who`'s held collateral to `dest`'s free balance.
	pub(crate) fn pay_from_hold(
		who: &T::AccountId,
		dest: &T::AccountId,
		amount: u128,
	) -> Result<(), Error<T>> {
		if amount == 0 {
			return Ok(());
		}
		T::Currency::transfer_on_hold(
			&HoldReason::Collateral.into(),
			who,
			dest,
			amount,
			Precision::Exact,
			Restriction::Free,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::InsufficientCollateral)?;
		Ok(())
	}

	/// Pays `amount` out of the vault to `dest`'s free balance (the vault stays alive).
	pub(crate) fn pay_from_vault(dest: &T::AccountId, amount: u128) -> Result<(), Error<T>> {
		if amount == 0 {
			return Ok(());
		}
		T::Currency::transfer(&Self::vault_account(), dest, amount, Preservation::Preserve)
			.map_err(|_| Error::<T>::VaultInsufficient)?;
		Ok(())
	}

	/// The vault's balance.
	pub fn vault_balance() -> u128 {
		T::Currency::balance(&Self::vault_account())
	}
}
