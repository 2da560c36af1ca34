//! DESIGN §14 invariants, checked by `try_state` (and after every unit test).

use crate::{
	pallet::{Config, Markets, Pallet, Positions, Traders},
	types::MarketId,
};
use alloc::collections::btree_map::BTreeMap;
use perp_math::{convergence, funding, Side};
use polkadot_sdk::{frame_support::ensure, sp_runtime::TryRuntimeError};

/// Per-market sums over the stored positions.
#[derive(Clone, Copy, Default)]
struct Totals {
	net_size: i128,
	long_size: u128,
	short_size: u128,
	long_notional: u128,
	short_notional: u128,
	margins: u128,
	/// Σ pending funding (positive = owed to the vault), including socialised losses, of
	/// the positions as remapped to the current liquidity version.
	funding: i128,
	/// Σ sizes remapped to the current liquidity version: what the AMM really owes.
	current_net_size: i128,
	/// Positions, and those stored at the current liquidity version.
	count: u32,
	current: u32,
}

impl<T: Config> Pallet<T> {
	/// Checks every invariant; the first broken one is the error.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let totals = Self::position_totals()?;
		let mut vault_obligation: u128 = 0;
		for (market_id, market) in Markets::<T>::iter() {
			let sums = totals.get(&market_id).copied().unwrap_or_default();
			ensure!(
				sums.count == market.positions && sums.current == market.current_positions,
				"the market's position counts differ from its positions"
			);
			// 1. Zero-sum exposure.
			ensure!(sums.net_size == market.net_size, "net size differs from Σ position sizes");
			let oi = market.open_interest;
			ensure!(
				sums.long_size == oi.long_size && sums.short_size == oi.short_size,
				"open interest sizes differ from the positions"
			);
			ensure!(
				sums.long_notional == oi.long_notional && sums.short_notional == oi.short_notional,
				"open interest notionals differ from the positions"
			);
			let long = i128::try_from(oi.long_size).map_err(|_| "long OI overflows")?;
			let short = i128::try_from(oi.short_size).map_err(|_| "short OI overflows")?;
			ensure!(long.checked_sub(short) == Some(market.net_size), "long OI − short OI ≠ net");
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
			// 2. Solvency: the vault must cover the margins, the convergence reserve, the
			// accrued fee shares and what the AMM owes the traders when they all close, less
			// the funding they owe (a socialised loss is collected that way).
			let obligation = convergence::amm_obligation(market.reserves, sums.current_net_size)
				.map_err(|_| "obligation undefined")?;
			let owed = i128::try_from(sums.margins)
				.ok()
				.and_then(|margins| margins.checked_add(obligation))
				.and_then(|owed| owed.checked_sub(i128::try_from(sums.long_notional).ok()?))
				.and_then(|owed| owed.checked_add(i128::try_from(sums.short_notional).ok()?))
				.and_then(|owed| owed.checked_sub(sums.funding))
				.ok_or("obligation overflows")?;
			let owed = u128::try_from(owed).unwrap_or(0);
			vault_obligation = vault_obligation
				.checked_add(owed)
				.and_then(|total| total.checked_add(market.convergence_reserve))
				.and_then(|total| total.checked_add(market.accrued_fees.total()?))
				.ok_or("vault obligation overflows")?;
		}
		ensure!(Self::vault_balance() >= vault_obligation, "vault cannot cover its obligations");
		Self::check_position_counts()
	}

	fn position_totals() -> Result<BTreeMap<MarketId, Totals>, TryRuntimeError> {
		let mut totals: BTreeMap<MarketId, Totals> = BTreeMap::new();
		for (_, market_id, info) in Positions::<T>::iter() {
			let position = info.position;
			ensure!(position.size != 0, "an empty position is stored");
			let entry = totals.entry(market_id).or_default();
			entry.net_size = entry.net_size.checked_add(position.size).ok_or("Σ size overflows")?;
			entry.margins =
				entry.margins.checked_add(position.margin).ok_or("Σ margin overflows")?;
			let market = Markets::<T>::get(market_id).ok_or("a position's market is missing")?;
			entry.count = entry.count.saturating_add(1);
			if info.liquidity_version == market.liquidity_version {
				entry.current = entry.current.saturating_add(1);
			}
			let current = Self::current_position(market_id, &market, info)
				.map_err(|_| "a position cannot be remapped")?
				.position;
			entry.current_net_size =
				entry.current_net_size.checked_add(current.size).ok_or("Σ size overflows")?;
			let funding = funding::pending_funding(&current, &market.cumulative_premium)
				.map_err(|_| "pending funding undefined")?;
			entry.funding = entry.funding.checked_add(funding).ok_or("Σ funding overflows")?;
			let size = position.size.unsigned_abs();
			let (side_size, side_notional) = match position.side() {
				Some(Side::Short) => (&mut entry.short_size, &mut entry.short_notional),
				_ => (&mut entry.long_size, &mut entry.long_notional),
			};
			*side_size = side_size.checked_add(size).ok_or("Σ OI overflows")?;
			*side_notional =
				side_notional.checked_add(position.open_notional).ok_or("Σ OI overflows")?;
		}
		Ok(totals)
	}

	fn check_position_counts() -> Result<(), TryRuntimeError> {
		let mut counts: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (who, _, _) in Positions::<T>::iter() {
			let count = counts.entry(who).or_default();
			*count = count.saturating_add(1);
		}
		for (who, trader) in Traders::<T>::iter() {
			ensure!(
				counts.get(&who).copied().unwrap_or(0) == trader.positions,
				"position count is off"
			);
		}
		ensure!(
			counts.iter().all(|(who, count)| Traders::<T>::get(who).positions == *count),
			"position count is missing"
		);
		Ok(())
	}
}
