//! Convergence events and liquidity migrations (docs/convergence-and-liquidity.md), with the exit-value-preserving
//! remap of position sizes.
//!
//! # Convergence
//! When the mark TWAP has stayed more than `convergence_threshold` away from the index for
//! `convergence_after` seconds (the clock is kept at the end of each block, see
//! [`crate::funding`]), anyone may call `converge` (validators' offchain workers submit it);
//! governance may force it at any time. The curve is repegged to the index (`y = index·x`);
//! positions keep their sizes, so what the AMM owes the net position changes by the
//! convergence cost. A cost is paid from the market's convergence reserve (already in the
//! vault), the rest by the insurance fund into the vault (within the market's outflow cap);
//! if they cannot pay it all, nothing happens (`ConvergenceUnfunded`). A gain is what the
//! traders will owe when they close, not cash, and a trader past bankruptcy never pays it:
//! paying it out of the vault at once spent other traders' margin, and crediting it to the
//! reserve at once promised cash a bankrupt position would not bring (the invariant fuzzer
//! found both). It is booked as the market's `unrealised_gain` and joins the convergence
//! reserve once the market has no open position, when every trader who owed it has closed
//! (bad debt having been made good by the fund or socialisation).
//!
//! # Liquidity migration
//! `adjust_liquidity` (governance) or dynamic k at a funding settlement scales both reserves
//! by `m ∈ [0.5, 2]`, the price unchanged. Every position is remapped to the size whose exit
//! value on the new curve equals its exit value on the old one. The remap is lazy: a
//! position stored under the previous liquidity version is remapped when it is next touched
//! (trade, margin move, liquidation) or by `remap_positions`, which validators' offchain
//! workers submit for the positions their scan finds stale; the market's net size, open
//! interest and `k` reference move by the same difference, so Σ sizes = net size at every
//! moment. With a full scan every `⌈P / LiquidationScanLimit⌉` blocks per validator (P
//! positions), every position is current within that many blocks of a migration, without
//! its owner.
//!
//! Exit values are not additive, so preserving each one changes what the AMM owes the net
//! position, in either direction. A migration therefore first sets aside an upper bound on
//! that change (convergence reserve, then insurance fund; `MigrationUnfunded` otherwise, and
//! dynamic k then skips the step with a `DynamicKSkipped` event):
//! [`perp_math::convergence::migration_cost_bound`], which nets longs against shorts and is
//! second order in each position's size (a balanced book of small positions costs about
//! nothing). When the last position is remapped the exact cost is known
//! ([`perp_math::convergence::migration_cost`]); `remap_positions` then settles it: what was
//! set aside beyond it goes back to the convergence reserve and the insurance fund it came
//! from, and a fall in what the AMM owes is an unrealised gain, as for convergence. Until then
//! the next migration, convergence and funding settlement wait (`MigrationPending`; funding
//! is simply not due yet): they need every size in one curve's units, since a per-unit
//! amount charged on sizes in mixed units would not add up to what the vault pays out (the
//! invariant fuzzer found a settlement during a remap leaving the vault short). A
//! socialised loss meanwhile is spread over the remapped positions only, which can only
//! over-collect.

use crate::{
	pallet::{Config, Error, Event, MarketOf, Markets, Pallet, Positions},
	traits::{InsuranceFund, InsuranceInflow, InsuranceOutflow},
	types::{CostFunding, MarketId, PendingMigration, PositionInfo},
};
use perp_math::{convergence, dynamic_k, fixed, LiquiditySnapshot, Rounding, Side, ONE};
use polkadot_sdk::{
	frame_support::{ensure, pallet_prelude::DispatchResult},
	sp_runtime::DispatchError,
};

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

impl<T: Config> Pallet<T> {
	/// `adjust_liquidity`: scales `market_id`'s reserves by `multiplier`.
	pub(crate) fn do_adjust_liquidity(
		market_id: MarketId,
		multiplier: u128,
	) -> Result<(), DispatchError> {
		let mut market = Self::market(market_id)?;
		Self::migrate_liquidity(market_id, &mut market, multiplier, Migration::Governance)?;
		Markets::<T>::insert(market_id, market);
		Ok(())
	}

	/// Scales the curve of `market` (the caller stores it), sets aside the bound on its cost
	/// and starts the remap. Moves money only as its last fallible step, so an error leaves
	/// nothing changed.
	pub(crate) fn migrate_liquidity(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		multiplier: u128,
		origin: Migration,
	) -> Result<(), DispatchError> {
		// One step scales the curve by at most 2 either way: larger steps make the remap's
		// rounding coarse (the invariant fuzzer found a 0.1× step leaving the vault short);
		// governance takes several steps instead.
		ensure!(
			(MIN_MULTIPLIER..=MAX_MULTIPLIER).contains(&multiplier),
			Error::<T>::InvalidMultiplier
		);
		// The cost bound needs every size in the current curve's units.
		ensure!(market.migration.is_none(), Error::<T>::MigrationPending);
		let before = market.reserves;
		let interest = market.open_interest;
		let after = convergence::checked_scale_reserves(before, multiplier, interest.long_size)
			.map_err(Error::<T>::from)?;
		let snapshot = LiquiditySnapshot { before, after };
		// Thinning must leave every short able to buy back its remapped size.
		let shorts_after =
			convergence::remapped_magnitude_bound(&snapshot, interest.short_size, market.positions)
				.map_err(Error::<T>::from)?;
		ensure!(shorts_after < after.base, Error::<T>::InvalidMultiplier);
		let bound = convergence::migration_cost_bound(
			&snapshot,
			market.net_size,
			interest.moments(Side::Long),
			interest.moments(Side::Short),
		)
		.map_err(|_| Error::<T>::InvalidMultiplier)?;
		let depth =
			dynamic_k::apply_multiplier(market.depth, multiplier).map_err(Error::<T>::from)?;
		let next_version = market.liquidity_version.checked_add(1).ok_or(Error::<T>::Overflow)?;
		market
			.refresh_band(polkadot_sdk::frame_system::Pallet::<T>::block_number())
			.map_err(Error::<T>::from)?;
		let provision = Self::fund_curve_cost(
			market_id,
			market,
			bound,
			InsuranceOutflow::MigrationCost,
			Error::<T>::MigrationUnfunded,
		)?;
		market.migration = Some(PendingMigration {
			snapshot,
			cumulative_premium: market.cumulative_premium,
			net_size: market.net_size,
			remapped: 0,
			stale_long_size: interest.long_size,
			stale_short_size: interest.short_size,
			provision,
		});
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
			depth,
			version: next_version,
			dynamic: origin == Migration::Dynamic,
			from_convergence_reserve: provision.from_reserve,
			from_insurance: provision.from_insurance,
		});
		if market.positions == 0 {
			Self::complete_migration(market_id, market)?;
		}
		Ok(())
	}

	/// `info` remapped to `market`'s liquidity version (a view: nothing is stored).
	pub(crate) fn current_position(
		market: &MarketOf<T>,
		info: PositionInfo,
	) -> Result<PositionInfo, Error<T>> {
		if info.liquidity_version == market.liquidity_version {
			return Ok(info);
		}
		// A migration waits until every position is current, so a stale position is exactly
		// one version behind and its migration is the pending one.
		let pending = market
			.migration
			.filter(|_| info.liquidity_version.checked_add(1) == Some(market.liquidity_version))
			.ok_or(Error::<T>::MissingLiquiditySnapshot)?;
		Ok(PositionInfo {
			position: convergence::remap_position(
				&info.position,
				&pending.snapshot,
				&pending.cumulative_premium,
			)?,
			liquidity_version: market.liquidity_version,
			..info
		})
	}

	/// `info` remapped to `market`'s liquidity version, with the market's aggregates moved by
	/// the same difference (the caller stores both).
	pub(crate) fn catch_up_position(
		market: &mut MarketOf<T>,
		info: PositionInfo,
	) -> Result<PositionInfo, Error<T>> {
		let current = Self::current_position(market, info)?;
		if current.liquidity_version != info.liquidity_version {
			market.book_remap(info.position.size, current.position.size)?;
		}
		Ok(current)
	}

	/// `remap_positions`: brings `accounts`' stale positions in `market_id` to its liquidity
	/// version and, once none is left, settles the migration's cost. Every listed account
	/// must hold a stale position there (a batch is only ever work done). Returns how many
	/// positions it remapped.
	pub(crate) fn do_remap_positions(
		market_id: MarketId,
		accounts: &[T::AccountId],
	) -> Result<u32, DispatchError> {
		let mut market = Self::market(market_id)?;
		ensure!(market.migration.is_some(), Error::<T>::NoMigrationPending);
		let mut remapped = 0u32;
		for who in accounts {
			let stored = Positions::<T>::get(who, market_id).ok_or(Error::<T>::NoPosition)?;
			ensure!(
				stored.liquidity_version != market.liquidity_version,
				Error::<T>::PositionCurrent
			);
			let current = Self::catch_up_position(&mut market, stored)?;
			Positions::<T>::insert(who, market_id, current);
			remapped = remapped.saturating_add(1);
		}
		if market.current_positions == market.positions {
			Self::complete_migration(market_id, &mut market)?;
		} else {
			ensure!(remapped > 0, Error::<T>::MigrationPending);
		}
		Markets::<T>::insert(market_id, &market);
		Self::deposit_event(Event::PositionsRemapped {
			market: market_id,
			count: remapped,
			stale: market.positions.saturating_sub(market.current_positions),
		});
		Ok(remapped)
	}

	/// Settles a migration whose positions are all current: the exact cost against what was
	/// set aside (see the module docs).
	fn complete_migration(market_id: MarketId, market: &mut MarketOf<T>) -> DispatchResult {
		let pending = market.migration.ok_or(Error::<T>::NoMigrationPending)?;
		let cost =
			convergence::migration_cost(&pending.snapshot, pending.net_size, pending.remapped)
				.map_err(Error::<T>::from)?;
		let provided = pending.provision.total();
		let needed = fixed::positive_part(cost);
		let mut returned = CostFunding::default();
		if needed > provided {
			// The bound is proven (perp-math's property tests), so this is rounding at most;
			// the reserve and the fund make up the difference.
			Self::fund_curve_cost(
				market_id,
				market,
				needed.saturating_sub(provided),
				InsuranceOutflow::MigrationCost,
				Error::<T>::MigrationUnfunded,
			)?;
		} else {
			let excess = provided.saturating_sub(needed);
			returned.from_reserve = excess.min(pending.provision.from_reserve);
			returned.from_insurance = excess.saturating_sub(returned.from_reserve);
			Self::pay_into_insurance(
				market_id,
				InsuranceInflow::MigrationRefund,
				returned.from_insurance,
			)?;
		}
		let surplus = if cost < 0 { cost.unsigned_abs() } else { 0 };
		market.convergence_reserve = fixed::add(market.convergence_reserve, returned.from_reserve)
			.map_err(Error::<T>::from)?;
		market.book_gain(surplus).map_err(Error::<T>::from)?;
		market.migration = None;
		Self::deposit_event(Event::MigrationCompleted {
			market: market_id,
			version: market.liquidity_version,
			cost,
			provided,
			returned_to_convergence_reserve: returned.from_reserve,
			returned_to_insurance: returned.from_insurance,
			surplus,
		});
		Ok(())
	}

	/// `converge` / `force_converge`: repegs `market_id` to its index (module docs).
	pub(crate) fn do_converge(market_id: MarketId, forced: bool) -> Result<(), DispatchError> {
		let mut market = Self::market(market_id)?;
		let index = Self::fresh_index(&market).ok_or(Error::<T>::OracleStale)?;
		// The cost is exact only with every size in the current curve's units.
		ensure!(market.migration.is_none(), Error::<T>::MigrationPending);
		if !forced {
			ensure!(
				Self::convergence_due(market_id, &market, index)?,
				Error::<T>::ConvergenceNotDue
			);
		}
		let before = market.reserves;
		let mark_before = before.mark_price().map_err(Error::<T>::from)?;
		let after = convergence::repeg_reserves(before, index, market.net_size)
			.map_err(Error::<T>::from)?;
		let cost = convergence::convergence_cost(before, after, market.net_size)
			.map_err(Error::<T>::from)?;
		let mark_after = after.mark_price().map_err(Error::<T>::from)?;
		market
			.refresh_band(polkadot_sdk::frame_system::Pallet::<T>::block_number())
			.map_err(Error::<T>::from)?;
		let funding = if cost > 0 {
			Self::fund_curve_cost(
				market_id,
				&mut market,
				cost.unsigned_abs(),
				InsuranceOutflow::ConvergenceCost,
				Error::<T>::ConvergenceUnfunded,
			)?
		} else {
			CostFunding::default()
		};
		let gain = if cost < 0 { cost.unsigned_abs() } else { 0 };
		market.book_gain(gain).map_err(Error::<T>::from)?;
		market.reserves = after;
		market.k_reference = after;
		market.k_reference_net_size = market.net_size;
		market.divergence_since = None;
		Markets::<T>::insert(market_id, &market);
		Self::deposit_event(Event::Converged {
			market: market_id,
			index,
			mark_before,
			mark_after,
			cost,
			from_convergence_reserve: funding.from_reserve,
			from_insurance: funding.from_insurance,
			gain,
			forced,
		});
		Ok(())
	}

	/// Whether anyone may converge `market` now: no migration is being remapped, and the
	/// mark TWAP's divergence from the index has held for `convergence_after` and still holds.
	pub(crate) fn convergence_due(
		market_id: MarketId,
		market: &MarketOf<T>,
		index: u128,
	) -> Result<bool, Error<T>> {
		let params = &market.params;
		if params.convergence_threshold == 0 || market.migration.is_some() {
			return Ok(false);
		}
		let Some(since) = market.divergence_since else { return Ok(false) };
		if Self::now_seconds() < since.saturating_add(params.convergence_after) {
			return Ok(false);
		}
		let mark_twap = Self::mark_twap(market_id, market, params.twap_window)?;
		let divergence = fixed::div_ratio(mark_twap.abs_diff(index), index, Rounding::Down)?;
		Ok(divergence > params.convergence_threshold)
	}

	/// Makes the vault able to pay `cost` more: the market's convergence reserve (already in
	/// the vault) is released for it first, then the insurance fund pays the rest in, within
	/// the market's outflow cap. `unfunded` (nothing moved) if they cannot.
	fn fund_curve_cost(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		cost: u128,
		purpose: InsuranceOutflow,
		unfunded: Error<T>,
	) -> Result<CostFunding, DispatchError> {
		let from_reserve = cost.min(market.convergence_reserve);
		let from_insurance = cost.saturating_sub(from_reserve);
		ensure!(T::InsuranceFund::capacity(market_id, purpose) >= from_insurance, unfunded);
		if from_insurance > 0 {
			let paid =
				T::InsuranceFund::pay(market_id, purpose, &Self::vault_account(), from_insurance)?;
			ensure!(paid == from_insurance, unfunded);
		}
		market.convergence_reserve = market.convergence_reserve.saturating_sub(from_reserve);
		Ok(CostFunding { from_reserve, from_insurance })
	}
}
