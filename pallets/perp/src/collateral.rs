//! Collateral: deposits and withdrawals, the money movements between a trader's hold, the
//! vault and fee recipients, and the valuation of an account's cross positions.

use crate::{
	pallet::{Config, Error, Event, HoldReason, MarketOf, Markets, Pallet, Positions},
	types::{MarketId, PositionInfo},
};
use alloc::vec::Vec;
use perp_math::{fixed, margin, PositionValue};
use polkadot_sdk::frame_support::{
	ensure,
	pallet_prelude::DispatchResult,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
};

/// An account's cross positions, valued on their curves.
pub(crate) struct CrossAccount {
	/// Held collateral plus the cross positions' margins: what backs them.
	pub collateral: u128,
	/// Each cross position's value.
	pub values: Vec<PositionValue>,
	/// The highest initial margin ratio among the positions' markets (cross positions in
	/// markets with different ratios are held to the strictest).
	pub initial_margin_ratio: u128,
}

/// A position's value with what else backs or burdens it.
#[derive(Clone, Copy)]
pub(crate) struct PositionRisk {
	/// The position on its curve.
	pub value: PositionValue,
	/// Equity without this position's uPnL: its margin less funding (isolated), or the
	/// account's held collateral and cross margins plus the other positions' uPnL, less all
	/// pending funding (cross).
	pub base_equity: i128,
	/// The notional of the account's other cross positions (0 for isolated).
	pub other_notional: u128,
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_deposit(who: &T::AccountId, amount: u128) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
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
		T::Currency::release(&HoldReason::Collateral.into(), who, amount, Precision::Exact)
			.map_err(|_| Error::<T>::InsufficientFreeCollateral)?;
		Self::deposit_event(Event::Withdrawn {
			who: who.clone(),
			amount,
			collateral: Self::held_collateral(who),
		});
		Ok(())
	}

	/// Collateral held for trading on `who`'s account (not committed to any position).
	pub fn held_collateral(who: &T::AccountId) -> u128 {
		T::Currency::balance_on_hold(&HoldReason::Collateral.into(), who)
	}

	/// What `who` may withdraw: held collateral not needed to keep the cross positions at
	/// MR ≥ initial margin ratio.
	pub fn withdrawable(who: &T::AccountId) -> Result<u128, Error<T>> {
		let held = Self::held_collateral(who);
		let account = Self::cross_account(who, None)?;
		if account.values.is_empty() {
			return Ok(held);
		}
		let free = margin::free_collateral(
			account.collateral,
			&account.values,
			account.initial_margin_ratio,
		)?;
		Ok(free.min(held))
	}

	/// Values `who`'s cross positions, leaving out `skip`.
	pub(crate) fn cross_account(
		who: &T::AccountId,
		skip: Option<MarketId>,
	) -> Result<CrossAccount, Error<T>> {
		let mut account = CrossAccount {
			collateral: Self::held_collateral(who),
			values: Vec::new(),
			initial_margin_ratio: 0,
		};
		for (market_id, info) in Positions::<T>::iter_prefix(who) {
			if info.isolated || Some(market_id) == skip {
				continue;
			}
			let market = Markets::<T>::get(market_id).ok_or(Error::<T>::UnknownMarket)?;
			let info = Self::current_position(market_id, &market, info)?;
			let value = margin::value_position(
				&info.position,
				market.reserves,
				&market.cumulative_premium,
			)?;
			account.collateral = perp_math::fixed::add(account.collateral, info.position.margin)?;
			account.values.push(value);
			account.initial_margin_ratio =
				account.initial_margin_ratio.max(market.params.initial_margin_ratio);
		}
		Ok(account)
	}

	/// `info`'s value and backing: an isolated position is backed by its margin alone, a
	/// cross one by the whole cross account.
	pub(crate) fn position_risk(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		market: &MarketOf<T>,
	) -> Result<PositionRisk, Error<T>> {
		let value =
			margin::value_position(&info.position, market.reserves, &market.cumulative_premium)?;
		if info.isolated {
			let base_equity = margin::equity(info.position.margin, 0, value.pending_funding)?;
			return Ok(PositionRisk { value, base_equity, other_notional: 0 });
		}
		let others = Self::cross_account(who, Some(market_id))?;
		let others_total = margin::total_value(&others.values)?;
		let collateral = fixed::add(others.collateral, info.position.margin)?;
		let all_funding = fixed::add_signed(others_total.pending_funding, value.pending_funding)?;
		let base_equity = margin::equity(collateral, others_total.unrealized_pnl, all_funding)?;
		Ok(PositionRisk { value, base_equity, other_notional: others_total.notional })
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
