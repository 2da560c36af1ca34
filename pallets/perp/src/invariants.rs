//! The invariants of docs/invariants.md, checked by `try_state` (and after every unit test).

use crate::{
	pallet::{Config, Markets, Pallet, Positions, Traders},
	traits::{InsuranceFund, InsuranceOutflow},
	types::MarketId,
};
use alloc::collections::btree_map::BTreeMap;
use perp_math::{convergence, margin, OpenInterest, Side};
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::Inspect},
	sp_runtime::TryRuntimeError,
};

/// Per-market sums over the stored positions.
#[derive(Clone, Copy, Default)]
struct Totals {
	net_size: i128,
	/// The open interest the stored positions add up to.
	interest: OpenInterest,
	margins: u128,
	/// Σ pending funding (positive = owed to the vault), including socialised losses, of
	/// the positions as remapped to the current liquidity version.
	funding: i128,
	/// Σ sizes remapped to the current liquidity version: what the AMM really owes.
	current_net_size: i128,
	/// Σ |short sizes| remapped to the current liquidity version.
	current_short_size: u128,
	/// What the cross positions that lost more than their margin will take from their
	/// accounts' holds (see [`Pallet::position_totals`]).
	collectible: u128,
	/// Σ losses of isolated positions beyond their margins: bad debt once liquidated.
	isolated_shortfall: u128,
	/// Positions, and those stored at the current liquidity version.
	count: u32,
	current: u32,
}

/// Per-account counts over the stored positions.
#[derive(Clone, Copy, Default)]
struct Held {
	positions: u32,
	cross_positions: u32,
}

impl<T: Config> Pallet<T> {
	/// Checks every invariant; the first broken one is the error.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let totals = Self::position_totals()?;
		let mut vault_obligation: i128 = 0;
		let mut fund = T::Currency::balance(&T::InsuranceFund::account());
		for (market_id, market) in Markets::<T>::iter() {
			let sums = totals.get(&market_id).copied().unwrap_or_default();
			ensure!(
				sums.count == market.positions && sums.current == market.current_positions,
				"the market's position counts differ from its positions"
			);
			ensure!(
				market.migration.is_some() || market.current_positions == market.positions,
				"positions are stale but no migration is pending"
			);
			// 1. Zero-sum exposure.
			ensure!(sums.net_size == market.net_size, "net size differs from Σ position sizes");
			ensure!(sums.interest == market.open_interest, "open interest differs from positions");
			ensure!(
				market.open_interest.net_size().ok() == Some(market.net_size),
				"long OI − short OI ≠ net"
			);
			// 4. The curve: every base the AMM gave out is a position's, and k only grows by
			// rounding (less than one part in 10^9).
			let moved = market.k_reference_net_size.checked_sub(market.net_size);
			let expected_base = moved
				.and_then(|moved| i128::try_from(market.k_reference.base).ok()?.checked_add(moved));
			ensure!(
				expected_base == i128::try_from(market.reserves.base).ok(),
				"base reserve does not match the net size"
			);
			let k = market.reserves.k().map_err(|_| "k undefined")?;
			let k_reference = market.k_reference.k().map_err(|_| "reference k undefined")?;
			ensure!(k >= k_reference, "k shrank");
			let growth = k.saturating_sub(k_reference).saturating_mul(1_000_000_000u64.into());
			ensure!(growth <= k_reference, "k grew beyond rounding");
			// Every position can be valued and closed: the shorts can buy their base back.
			ensure!(
				sums.current_short_size < market.reserves.base,
				"the shorts could not buy their base back"
			);
			// 2. Solvency: the vault (with what the accounts' debts will bring) must cover the
			// margins, the convergence reserve, the accrued fee shares and what the AMM owes the
			// traders when they all close, less the funding they owe (a socialised loss is
			// collected that way). A market whose traders owe more than they are owed brings in
			// at most what its cross losers' holds and the insurance fund will pay.
			let obligation = convergence::amm_obligation(market.reserves, sums.current_net_size)
				.map_err(|_| "obligation undefined")?;
			let interest = sums.interest;
			let owed = i128::try_from(sums.margins)
				.ok()
				.and_then(|margins| margins.checked_add(obligation))
				.and_then(|owed| owed.checked_sub(i128::try_from(interest.long_notional).ok()?))
				.and_then(|owed| owed.checked_add(i128::try_from(interest.short_notional).ok()?))
				.and_then(|owed| owed.checked_sub(sums.funding))
				.ok_or("obligation overflows")?;
			// An isolated position's loss beyond its margin is bad debt the insurance fund pays
			// into the vault when the position is liquidated, as far as the fund can.
			let covered = sums
				.isolated_shortfall
				.min(T::InsuranceFund::capacity(market_id, InsuranceOutflow::BadDebt))
				.min(fund);
			fund = fund.saturating_sub(covered);
			let collectible = sums
				.collectible
				.checked_add(covered)
				.and_then(|total| i128::try_from(total).ok())
				.ok_or("Σ loss overflows")?;
			let owed = owed.max(collectible.saturating_neg());
			vault_obligation = vault_obligation
				.checked_add(owed)
				.and_then(|total| {
					total.checked_add(i128::try_from(market.convergence_reserve).ok()?)
				})
				.and_then(|total| {
					total.checked_add(i128::try_from(market.accrued_fees.total()?).ok()?)
				})
				.ok_or("vault obligation overflows")?;
		}
		let debts = Traders::<T>::iter_values()
			.try_fold(0u128, |total, trader| total.checked_add(trader.debt));
		let assets = Self::vault_balance()
			.checked_add(debts.ok_or("Σ debt overflows")?)
			.and_then(|assets| i128::try_from(assets).ok());
		ensure!(
			assets.ok_or("vault assets overflow")? >= vault_obligation,
			"vault cannot cover its obligations"
		);
		Self::check_traders()
	}

	/// Sums the stored positions by market.
	///
	/// A cross position whose loss (at its exit value, with its funding) exceeds its margin
	/// takes the rest from its account's hold when it closes, and withdrawals cannot touch
	/// that part of the hold (the account's equity already counts the loss). So a market's
	/// `collectible` is the sum of those excesses, each up to what the account holds beyond
	/// its debt (which counts as an asset on its own) and its earlier positions' excesses.
	/// An isolated position's excess is summed apart: the insurance fund pays it.
	fn position_totals() -> Result<BTreeMap<MarketId, Totals>, TryRuntimeError> {
		let mut totals: BTreeMap<MarketId, Totals> = BTreeMap::new();
		let mut holds: BTreeMap<T::AccountId, u128> = BTreeMap::new();
		for (who, market_id, info) in Positions::<T>::iter() {
			let position = info.position;
			ensure!(position.size != 0, "an empty position is stored");
			let entry = totals.entry(market_id).or_default();
			entry.net_size = entry.net_size.checked_add(position.size).ok_or("Σ size overflows")?;
			entry.interest = entry.interest.with(&position).map_err(|_| "Σ OI overflows")?;
			entry.margins =
				entry.margins.checked_add(position.margin).ok_or("Σ margin overflows")?;
			let market = Markets::<T>::get(market_id).ok_or("a position's market is missing")?;
			entry.count = entry.count.saturating_add(1);
			if info.liquidity_version == market.liquidity_version {
				entry.current = entry.current.saturating_add(1);
			}
			let current = Self::current_position(&market, info)
				.map_err(|_| "a position cannot be remapped")?
				.position;
			entry.current_net_size =
				entry.current_net_size.checked_add(current.size).ok_or("Σ size overflows")?;
			if current.side() == Some(Side::Short) {
				entry.current_short_size = entry
					.current_short_size
					.checked_add(current.size.unsigned_abs())
					.ok_or("Σ short overflows")?;
			}
			let value =
				margin::value_position(&current, market.reserves, &market.cumulative_premium)
					.map_err(|_| "a position cannot be valued")?;
			entry.funding =
				entry.funding.checked_add(value.pending_funding).ok_or("Σ funding overflows")?;
			let backed =
				margin::equity(current.margin, value.unrealized_pnl, value.pending_funding)
					.map_err(|_| "a position cannot be valued")?;
			let shortfall = if backed < 0 { backed.unsigned_abs() } else { continue };
			if info.isolated {
				entry.isolated_shortfall =
					entry.isolated_shortfall.checked_add(shortfall).ok_or("Σ loss overflows")?;
			} else {
				let hold = holds.entry(who.clone()).or_insert_with(|| {
					Self::held_collateral(&who).saturating_sub(Traders::<T>::get(&who).debt)
				});
				let taken = shortfall.min(*hold);
				*hold = hold.saturating_sub(taken);
				entry.collectible =
					entry.collectible.checked_add(taken).ok_or("Σ loss overflows")?;
			}
		}
		Ok(totals)
	}

	/// Each trader record counts the account's positions, holds debt only while the account
	/// has cross positions, and is absent when empty.
	fn check_traders() -> Result<(), TryRuntimeError> {
		let mut held: BTreeMap<T::AccountId, Held> = BTreeMap::new();
		for (who, _, info) in Positions::<T>::iter() {
			let entry = held.entry(who).or_default();
			entry.positions = entry.positions.saturating_add(1);
			if !info.isolated {
				entry.cross_positions = entry.cross_positions.saturating_add(1);
			}
		}
		for (who, trader) in Traders::<T>::iter() {
			ensure!(!trader.is_empty(), "an empty trader record is stored");
			let counted = held.get(&who).copied().unwrap_or_default();
			ensure!(
				counted.positions == trader.positions
					&& counted.cross_positions == trader.cross_positions,
				"position count is off"
			);
			ensure!(trader.debt == 0 || trader.cross_positions > 0, "debt without cross positions");
		}
		ensure!(held.keys().all(Traders::<T>::contains_key), "position count is missing");
		Ok(())
	}
}
