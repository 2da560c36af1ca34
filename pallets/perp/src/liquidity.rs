//! Convergence events and liquidity migration (DESIGN §7), with the lazy size remap.
//!
//! # Convergence
//! When `|mark − index| / index` has stayed above `convergence_threshold` for
//! `convergence_after` seconds (tracked at the end of each block, see [`crate::funding`]),
//! anyone may call `converge` (validators' offchain workers submit it); governance may force
//! it at any time. The curve is repegged to the index (`y = index · x`); positions keep their
//! sizes, so what the AMM owes the net position changes by the convergence cost. A cost is
//! paid from the market's convergence reserve (already in the vault), the rest by the
//! insurance fund into the vault; if the fund cannot pay it all, nothing happens
//! (`ConvergenceUnfunded`). A gain leaves the vault for the insurance fund.
//!
//! # Liquidity migration
//! `adjust_liquidity` (governance) or dynamic k at a funding settlement scales both reserves
//! by `m`, the price unchanged. The curve before and after is stored as a
//! [`LiquiditySnapshot`] under the market's liquidity version, and the version increments.
//! A position stored under an older version is remapped through every later snapshot when
//! it is next touched (trade, margin move, liquidation), to the size whose exit value on the
//! new curve equals its exit value on the old one; the market's net size, open interest and
//! `k` reference move by the same difference, so Σ sizes = net size at every moment. Views
//! (PerpApi, cross-margin valuation, liquidation checks) value the remapped size without
//! storing it. `m` is refused unless the whole long open interest could still exit.
//!
//! Exit values are not additive, so preserving each one changes what the AMM owes the net
//! position: `exit_new(Σ s'ᵢ) − exit_old(Σ sᵢ)`. Its exact value needs every position, which
//! a lazy remap never visits. Treating each side as one position gives a bound: splitting a
//! side into several positions only shrinks the change (checked numerically over shrinks and
//! expansions of 0.5×–2×; see `tests/liquidity.rs`). Thinning the curve costs up to that
//! bound, which the convergence reserve and then the insurance fund pay into the vault
//! before the migration (`MigrationUnfunded` otherwise; dynamic k then skips the step);
//! deepening it releases a gain, which stays in the vault as a cushion.

use crate::{
	market::refresh_band,
	pallet::{Config, Error, Event, LiquiditySnapshots, MarketOf, Markets, Pallet},
	traits::{InsuranceFund, InsuranceInflow, InsuranceOutflow},
	types::{LiquidityMigration, MarketId, PositionInfo},
};
use perp_math::{
	convergence, dynamic_k, fixed, funding, LiquiditySnapshot, MathResult, Position, Rounding,
	Side, ONE,
};
use polkadot_sdk::{frame_support::ensure, sp_runtime::DispatchError};

/// Who asked for a liquidity migration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Migration {
	/// `adjust_liquidity` by `MarketAdmin`.
	Governance,
	/// Dynamic k at a funding settlement.
	Dynamic,
}

/// What a convergence moved.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
struct ConvergenceFunding {
	from_reserve: u128,
	from_insurance: u128,
	to_insurance: u128,
}

impl<T: Config> Pallet<T> {
	/// `adjust_liquidity`: scales `market_id`'s reserves by `multiplier`.
	pub(crate) fn do_adjust_liquidity(
		market_id: MarketId,
		multiplier: u128,
	) -> Result<(), Error<T>> {
		let mut market = Self::market(market_id)?;
		Self::migrate_liquidity(market_id, &mut market, multiplier, Migration::Governance)?;
		Markets::<T>::insert(market_id, market);
		Ok(())
	}

	/// Scales the curve of `market` (the caller stores it) and records the snapshot.
	pub(crate) fn migrate_liquidity(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		multiplier: u128,
		origin: Migration,
	) -> Result<(), Error<T>> {
		ensure!(multiplier > 0, Error::<T>::InvalidMultiplier);
		refresh_band::<T>(market)?;
		let before = market.reserves;
		let after = convergence::checked_scale_reserves(
			before,
			multiplier,
			market.open_interest.long_size,
		)?;
		let snapshot = LiquiditySnapshot { before, after };
		let cost = migration_cost_bound(&snapshot, market)?;
		let covered = Self::cover_curve_cost(market_id, market, cost)
			.map_err(|_| Error::<T>::MigrationUnfunded)?;
		let version = market.liquidity_version;
		let next_version = version.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let depth = dynamic_k::apply_multiplier(market.depth, multiplier)?;
		let migration =
			LiquidityMigration { snapshot, cumulative_premium: market.cumulative_premium };
		LiquiditySnapshots::<T>::insert(market_id, version, migration);
		market.liquidity_version = next_version;
		market.reserves = after;
		market.depth = depth;
		market.k_reference = after;
		market.k_reference_net_size = market.net_size;
		Self::deposit_event(Event::LiquidityAdjusted {
			market: market_id,
			multiplier,
			base_reserve: after.base,
			quote_reserve: after.quote,
			depth: market.depth,
			version: market.liquidity_version,
			dynamic: origin == Migration::Dynamic,
			from_convergence_reserve: covered.from_reserve,
			from_insurance: covered.from_insurance,
		});
		Ok(())
	}

	/// `info` remapped to `market`'s liquidity version (a view: nothing is stored).
	pub(crate) fn current_position(
		market_id: MarketId,
		market: &MarketOf<T>,
		info: PositionInfo,
	) -> Result<PositionInfo, Error<T>> {
		let mut current = info;
		while current.liquidity_version < market.liquidity_version {
			let migration = LiquiditySnapshots::<T>::get(market_id, current.liquidity_version)
				.ok_or(Error::<T>::MissingLiquiditySnapshot)?;
			current.position = remap_position(&current.position, &migration)?;
			current.liquidity_version =
				current.liquidity_version.checked_add(1).ok_or(Error::<T>::Overflow)?;
		}
		Ok(current)
	}

	/// `info` remapped to `market`'s liquidity version, with the market's net size, open
	/// interest and `k` reference moved by the same difference (the caller stores both).
	pub(crate) fn catch_up_position(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		info: PositionInfo,
	) -> Result<PositionInfo, Error<T>> {
		let current = Self::current_position(market_id, market, info)?;
		let (old, new) = (info.position.size, current.position.size);
		if old == new {
			return Ok(current);
		}
		let delta = fixed::sub_signed(new, old)?;
		market.net_size = fixed::add_signed(market.net_size, delta)?;
		market.k_reference_net_size = fixed::add_signed(market.k_reference_net_size, delta)?;
		let interest = &mut market.open_interest;
		let side = if old > 0 { &mut interest.long_size } else { &mut interest.short_size };
		*side = fixed::add(fixed::sub(*side, old.unsigned_abs())?, new.unsigned_abs())?;
		Ok(current)
	}

	/// `converge` / `force_converge`: repegs `market_id` to its index (module docs).
	pub(crate) fn do_converge(market_id: MarketId, forced: bool) -> Result<(), DispatchError> {
		let mut market = Self::market(market_id)?;
		let index = Self::fresh_index(&market).ok_or(Error::<T>::OracleStale)?;
		if !forced {
			Self::ensure_convergence_due(&market, index)?;
		}
		refresh_band::<T>(&mut market)?;
		let before = market.reserves;
		let mark_before = before.mark_price().map_err(Error::<T>::from)?;
		let after = convergence::repeg_reserves(before, index, market.net_size)
			.map_err(Error::<T>::from)?;
		let cost = convergence::convergence_cost(before, after, market.net_size)
			.map_err(Error::<T>::from)?;
		let funding = Self::fund_convergence(market_id, &mut market, cost)?;
		market.reserves = after;
		market.k_reference = after;
		market.k_reference_net_size = market.net_size;
		market.divergence_since = None;
		Markets::<T>::insert(market_id, &market);
		Self::deposit_event(Event::Converged {
			market: market_id,
			index,
			mark_before,
			mark_after: after.mark_price().map_err(Error::<T>::from)?,
			cost,
			from_convergence_reserve: funding.from_reserve,
			from_insurance: funding.from_insurance,
			to_insurance: funding.to_insurance,
			forced,
		});
		Ok(())
	}

	/// Whether anyone may converge `market` now: the divergence has held for
	/// `convergence_after` and still holds.
	pub(crate) fn convergence_due(market: &MarketOf<T>, index: u128) -> Result<bool, Error<T>> {
		let params = &market.params;
		if params.convergence_threshold == 0 {
			return Ok(false);
		}
		let Some(since) = market.divergence_since else { return Ok(false) };
		if Self::now_seconds() < since.saturating_add(params.convergence_after) {
			return Ok(false);
		}
		let mark = market.reserves.mark_price()?;
		let divergence = fixed::div_ratio(mark.abs_diff(index), index, Rounding::Down)?;
		Ok(divergence > params.convergence_threshold)
	}

	fn ensure_convergence_due(market: &MarketOf<T>, index: u128) -> Result<(), Error<T>> {
		ensure!(Self::convergence_due(market, index)?, Error::<T>::ConvergenceNotDue);
		Ok(())
	}

	/// Pays a convergence cost from the reserve then the fund, or a gain to the fund.
	fn fund_convergence(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		cost: i128,
	) -> Result<ConvergenceFunding, DispatchError> {
		let amount = cost.unsigned_abs();
		if cost > 0 {
			return Self::cover_curve_cost(market_id, market, amount);
		}
		Self::pay_from_vault(&T::InsuranceFund::account(), amount)?;
		if amount > 0 {
			T::InsuranceFund::on_received(market_id, InsuranceInflow::ConvergenceGain, amount);
		}
		Ok(ConvergenceFunding { to_insurance: amount, ..Default::default() })
	}

	/// Makes the vault able to pay `cost` more: the market's convergence reserve (already
	/// in the vault) is released for it first, then the insurance fund pays the rest in.
	/// `ConvergenceUnfunded` (nothing moved) if they cannot.
	fn cover_curve_cost(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		cost: u128,
	) -> Result<ConvergenceFunding, DispatchError> {
		let from_reserve = cost.min(market.convergence_reserve);
		let from_insurance = cost.saturating_sub(from_reserve);
		ensure!(
			T::InsuranceFund::capacity(market_id, InsuranceOutflow::ConvergenceCost)
				>= from_insurance,
			Error::<T>::ConvergenceUnfunded
		);
		if from_insurance > 0 {
			let paid = T::InsuranceFund::pay(
				market_id,
				InsuranceOutflow::ConvergenceCost,
				&Self::vault_account(),
				from_insurance,
			)?;
			ensure!(paid == from_insurance, Error::<T>::ConvergenceUnfunded);
		}
		market.convergence_reserve = market.convergence_reserve.saturating_sub(from_reserve);
		Ok(ConvergenceFunding { from_reserve, from_insurance, to_insurance: 0 })
	}
}

/// `position` on the curve after `migration`: the size with the same exit value, and a
/// funding entry point such that the funding it owed up to the migration (on its old size)
/// is still owed in full (rounded in the protocol's favour) on the new size.
fn remap_position(position: &Position, migration: &LiquidityMigration) -> MathResult<Position> {
	let Some(side) = Side::of_size(position.size) else { return Ok(*position) };
	let size = convergence::remap_size(&migration.snapshot, position.size)?;
	let cumulative = migration.cumulative_premium.for_side(side);
	let owed =
		funding::funding_payment(cumulative, position.last_cumulative_premium, position.size)?;
	// (cumulative − entry) · size ≥ owed: per unit `owed / size`, rounded up for a long and
	// towards −∞ for a short (whose size is negative).
	let (signed_owed, rounding) =
		if size > 0 { (owed, Rounding::Up) } else { (fixed::sub_signed(0, owed)?, Rounding::Down) };
	let per_unit = fixed::signed_product_div(
		signed_owed,
		fixed::to_signed(ONE)?,
		size.unsigned_abs(),
		rounding,
	)?;
	Ok(Position {
		size,
		last_cumulative_premium: fixed::sub_signed(cumulative, per_unit)?,
		..*position
	})
}

/// The most a migration can raise what the AMM owes (0 if it cannot raise it): each side
/// remapped as one position (module docs).
fn migration_cost_bound<CollectionKey, BlockNumber>(
	snapshot: &LiquiditySnapshot,
	market: &crate::types::Market<CollectionKey, BlockNumber>,
) -> MathResult<u128> {
	let interest = market.open_interest;
	let longs = convergence::remap_size(snapshot, fixed::to_signed(interest.long_size)?)?;
	let shorts = convergence::remap_size(
		snapshot,
		fixed::sub_signed(0, fixed::to_signed(interest.short_size)?)?,
	)?;
	let net_before = fixed::sub_signed(
		fixed::to_signed(interest.long_size)?,
		fixed::to_signed(interest.short_size)?,
	)?;
	let after = convergence::amm_obligation(snapshot.after, fixed::add_signed(longs, shorts)?)?;
	let before = convergence::amm_obligation(snapshot.before, net_before)?;
	Ok(u128::try_from(fixed::sub_signed(after, before)?).unwrap_or(0))
}
