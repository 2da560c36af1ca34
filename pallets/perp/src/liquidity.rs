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
//! (`ConvergenceUnfunded`). A gain stays in the vault: it is owed by traders who have not
//! closed, not cash (DESIGN §7 says to pay it to the fund; that would spend other traders'
//! margin).
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
//! position, `exit_new(Σ s'ᵢ) − exit_old(Σ sᵢ)`, in either direction: deepening a curve
//! with several positions on one side raises it too. Its exact value needs every position,
//! which a lazy remap never visits, so a migration first moves an upper bound on it into the
//! vault (convergence reserve, then insurance fund; `MigrationUnfunded` otherwise, and
//! dynamic k then skips the step): see [`migration_cost_bound`]. The bound needs every size
//! in the current version's units, so a migration waits until every position has been
//! remapped since the previous one (`MigrationPending`). The real invariant-fuzzing run
//! (`runtime/tests/fuzz.rs`) found both cases: an aggregate-per-side estimate is not a bound.

use crate::{
	market::refresh_band,
	pallet::{Config, Error, Event, LiquiditySnapshots, MarketOf, Markets, Pallet},
	traits::{InsuranceFund, InsuranceOutflow},
	types::{LiquidityMigration, MarketId, PositionInfo},
};
use perp_math::{
	convergence, dynamic_k, fixed, funding, LiquiditySnapshot, MathError, MathResult, Position,
	Rounding, Side, ONE,
};
use polkadot_sdk::{frame_support::ensure, sp_runtime::DispatchError};

/// The smallest multiplier of one migration (0.5).
pub const MIN_MULTIPLIER: u128 = ONE / 2;
/// The largest multiplier of one migration (2).
pub const MAX_MULTIPLIER: u128 = 2 * ONE;

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
		// One step scales the curve by at most 2 either way: larger steps make the remap's
		// rounding and the cost bound too coarse (the invariant fuzzer found a 0.1× step
		// leaving the vault short); governance takes several steps instead.
		ensure!(
			(MIN_MULTIPLIER..=MAX_MULTIPLIER).contains(&multiplier),
			Error::<T>::InvalidMultiplier
		);
		refresh_band::<T>(market)?;
		let before = market.reserves;
		let after = convergence::checked_scale_reserves(
			before,
			multiplier,
			market.open_interest.long_size,
		)?;
		// The cost bound needs every size in the current version's units.
		ensure!(market.current_positions == market.positions, Error::<T>::MigrationPending);
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
		market.current_positions = 0;
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
		if current.liquidity_version != info.liquidity_version && info.position.size != 0 {
			market.current_positions =
				market.current_positions.checked_add(1).ok_or(Error::<T>::Overflow)?;
		}
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
		// The cost is exact only with every size in the current curve's units.
		ensure!(market.current_positions == market.positions, Error::<T>::MigrationPending);
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
		if params.convergence_threshold == 0 || market.current_positions != market.positions {
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

	/// Pays a convergence cost from the reserve then the fund. A gain is not paid out: it
	/// is what the traders will owe the AMM when they close, not cash in the vault (the
	/// invariant fuzzer found paying it out of the vault's cash leaving the vault short), so
	/// it stays a cushion in the vault.
	fn fund_convergence(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		cost: i128,
	) -> Result<ConvergenceFunding, DispatchError> {
		if cost > 0 {
			return Self::cover_curve_cost(market_id, market, cost.unsigned_abs());
		}
		Ok(ConvergenceFunding::default())
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

/// Counts a position opened (`!existed && exists`) or closed (`existed && !exists`) at the
/// market's current liquidity version.
pub(crate) fn count_position_change<T: Config>(
	market: &mut MarketOf<T>,
	existed: bool,
	exists: bool,
) -> Result<(), Error<T>> {
	let step = |count: u32, up: bool| {
		if up { count.checked_add(1) } else { count.checked_sub(1) }.ok_or(Error::<T>::Overflow)
	};
	if existed != exists {
		market.positions = step(market.positions, exists)?;
		market.current_positions = step(market.current_positions, exists)?;
	}
	Ok(())
}

/// An upper bound on how much a migration raises what the AMM owes (0 if it cannot).
///
/// With every position at the current version, each long's exit value is at most
/// `mark · size` and each short's buy-back cost at least `mark · |size|`. A long remaps to
/// `V·x'/(y' − V)`, convex in `V` (so the longs' remapped total is at most the remap of
/// their summed value), a short to `V·x'/(y' + V)`, concave (so the shorts' total is at least
/// the remap of theirs). The net position after is therefore at most
/// `remap(mark·L) − remap(mark·S)`, and what the AMM owes grows with the net position.
fn migration_cost_bound<CollectionKey, BlockNumber>(
	snapshot: &LiquiditySnapshot,
	market: &crate::types::Market<CollectionKey, BlockNumber>,
) -> MathResult<u128> {
	let interest = market.open_interest;
	let mark = snapshot.before.mark_price()?;
	let after = snapshot.after;
	let long_value = fixed::mul_ratio(interest.long_size, mark, Rounding::Up)?;
	let longs_at_most = if long_value == 0 {
		0
	} else {
		let room = after.quote.checked_sub(long_value).filter(|room| *room > 0);
		fixed::mul_div(
			long_value,
			after.base,
			room.ok_or(MathError::InsufficientDepth)?,
			Rounding::Up,
		)?
	};
	let short_value = fixed::mul_ratio(interest.short_size, mark, Rounding::Down)?;
	let shorts_at_least = fixed::mul_div(
		short_value,
		after.base,
		fixed::add(after.quote, short_value)?,
		Rounding::Down,
	)?;
	let net_after =
		fixed::sub_signed(fixed::to_signed(longs_at_most)?, fixed::to_signed(shorts_at_least)?)?;
	let net_before = fixed::sub_signed(
		fixed::to_signed(interest.long_size)?,
		fixed::to_signed(interest.short_size)?,
	)?;
	let owed_after = convergence::amm_obligation(after, net_after)?;
	let owed_before = convergence::amm_obligation(snapshot.before, net_before)?;
	Ok(u128::try_from(fixed::sub_signed(owed_after, owed_before)?).unwrap_or(0))
}
