//! Market life cycle (creation, parameters, pause), the lazily refreshed per-block band, and
//! the one place a market's aggregates change: [`Market`]'s booking methods, used by trades,
//! liquidations and remaps alike, so a new aggregate is added in one place.

use crate::{
	pallet::{Config, Error, Event, MarketByCollection, MarketOf, Markets, NextMarketId, Pallet},
	types::{AccruedFees, Market, MarketId, MarketParams, OpenInterest, PriceBand},
};
use perp_math::{
	fees, fixed, fixed::ONE, CumulativePremium, MathError, MathResult, Position, Reserves,
	TradeOutcome, TwapAccumulator,
};
use polkadot_sdk::{
	frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get},
	frame_system,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_create_market(
		collection: T::CollectionKey,
		base_reserve: u128,
		quote_reserve: u128,
		params: MarketParams,
	) -> DispatchResult {
		ensure!(!MarketByCollection::<T>::contains_key(&collection), Error::<T>::MarketExists);
		let id = NextMarketId::<T>::get();
		ensure!(id < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
		validate_params::<T>(&params)?;
		let reserves = Reserves::new(base_reserve, quote_reserve);
		let mark_price = reserves.mark_price().map_err(|_| Error::<T>::InvalidReserves)?;
		ensure!(mark_price > 0, Error::<T>::InvalidReserves);
		// Every later swap builds on `k`; make sure it is representable now.
		reserves.k().map_err(|_| Error::<T>::InvalidReserves)?;
		let market = new_market::<T>(collection.clone(), reserves, mark_price, params);
		Markets::<T>::insert(id, market);
		MarketByCollection::<T>::insert(&collection, id);
		NextMarketId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Self::deposit_event(Event::MarketCreated {
			market: id,
			collection,
			base_reserve,
			quote_reserve,
			mark_price,
		});
		Ok(())
	}

	pub(crate) fn do_set_market_params(market: MarketId, params: MarketParams) -> DispatchResult {
		validate_params::<T>(&params)?;
		Markets::<T>::try_mutate(market, |stored| {
			let stored = stored.as_mut().ok_or(Error::<T>::UnknownMarket)?;
			stored.params = params;
			Ok::<_, Error<T>>(())
		})?;
		Self::deposit_event(Event::MarketParamsSet { market, params });
		Ok(())
	}

	pub(crate) fn do_set_paused(market: MarketId, paused: bool) -> DispatchResult {
		Markets::<T>::try_mutate(market, |stored| {
			let stored = stored.as_mut().ok_or(Error::<T>::UnknownMarket)?;
			match (stored.paused, paused) {
				(true, true) => Err(Error::<T>::MarketPaused),
				(false, false) => Err(Error::<T>::MarketNotPaused),
				_ => {
					stored.paused = paused;
					Ok(())
				},
			}
		})?;
		Self::deposit_event(if paused {
			Event::MarketPaused { market }
		} else {
			Event::MarketUnpaused { market }
		});
		Ok(())
	}

	/// The market, or `UnknownMarket`.
	pub(crate) fn market(market: MarketId) -> Result<MarketOf<T>, Error<T>> {
		Markets::<T>::get(market).ok_or(Error::<T>::UnknownMarket)
	}
}

fn new_market<T: Config>(
	collection: T::CollectionKey,
	reserves: Reserves,
	mark_price: u128,
	params: MarketParams,
) -> MarketOf<T> {
	let now = Pallet::<T>::now_seconds();
	Market {
		collection,
		reserves,
		launch_reserves: reserves,
		k_reference: reserves,
		k_reference_net_size: 0,
		net_size: 0,
		open_interest: OpenInterest::default(),
		cumulative_premium: CumulativePremium::default(),
		// The first period starts at listing; the index TWAP starts with the first index.
		last_funding_time: now,
		mark_twap: TwapAccumulator::new(mark_price, now),
		index_twap: TwapAccumulator::default(),
		convergence_reserve: 0,
		unrealised_gain: 0,
		accrued_fees: AccruedFees::default(),
		divergence_since: None,
		liquidity_version: 0,
		migration: None,
		depth: ONE,
		positions: 0,
		current_positions: 0,
		band: PriceBand {
			block: frame_system::Pallet::<T>::block_number(),
			reference_mark: mark_price,
			breached: false,
		},
		paused: false,
		params,
	}
}

/// Checks the constraints between parameters (docs/parameters.md#validation).
pub(crate) fn validate_params<T: Config>(params: &MarketParams) -> Result<(), Error<T>> {
	ensure!(
		params.initial_margin_ratio > 0 && params.initial_margin_ratio <= ONE,
		Error::<T>::InvalidInitialMarginRatio
	);
	ensure!(
		params.maintenance_margin_ratio > 0
			&& params.maintenance_margin_ratio < params.initial_margin_ratio,
		Error::<T>::MaintenanceNotBelowInitial
	);
	ensure!(
		params.full_liquidation_ratio < params.maintenance_margin_ratio,
		Error::<T>::FullLiquidationNotBelowMaintenance
	);
	let at_most_one = [
		params.partial_liquidation_ratio,
		params.liquidation_buffer,
		params.liquidation_fee_ratio,
		params.fee_ratio,
		params.fee_level1_ratio,
		params.fee_level1_in_favour_ratio,
		params.fee_level2_ratio,
		params.fee_level2_in_favour_ratio,
		params.insurance_share,
		params.convergence_share,
		params.fluctuation_limit,
		params.max_funding_rate,
		params.max_funding_subsidy,
		params.k_step,
	];
	ensure!(at_most_one.iter().all(|ratio| *ratio <= ONE), Error::<T>::RatioAboveOne);
	ensure!(
		params.insurance_share.saturating_add(params.convergence_share) <= ONE,
		Error::<T>::FeeSharesAboveOne
	);
	let both_levels = params.fee_level1_threshold != 0 && params.fee_level2_threshold != 0;
	ensure!(
		!both_levels || params.fee_level1_threshold <= params.fee_level2_threshold,
		Error::<T>::FeeLevelsOutOfOrder
	);
	ensure!(params.funding_period > 0 && params.twap_window > 0, Error::<T>::ZeroDuration);
	// The liquidation TWAP reads the samples kept for one `twap_window`.
	ensure!(
		params.liquidation_twap_window <= params.twap_window,
		Error::<T>::LiquidationWindowTooLong
	);
	// A migration scales the curve by at least `MIN_MULTIPLIER`: a larger shrink step could
	// never be taken, and every settlement that tried would fail.
	ensure!(
		params.k_min <= ONE
			&& params.k_max >= ONE
			&& params.k_shrink_below <= params.k_expand_above
			&& params.k_step <= ONE.saturating_sub(crate::liquidity::MIN_MULTIPLIER),
		Error::<T>::InvalidKBounds
	);
	Ok(())
}

impl<CollectionKey, BlockNumber: PartialEq> Market<CollectionKey, BlockNumber> {
	/// Brings the fluctuation band to block `now`: the first trade of a block sees the
	/// previous block's closing mark as the reference.
	pub(crate) fn refresh_band(&mut self, now: BlockNumber) -> MathResult<()> {
		if self.band.block != now {
			self.start_band(now)?;
		}
		Ok(())
	}

	/// Starts `block`'s band at the current mark, as the block's first trade sees it.
	pub(crate) fn start_band(&mut self, block: BlockNumber) -> MathResult<()> {
		self.band =
			PriceBand { block, reference_mark: self.reserves.mark_price()?, breached: false };
		Ok(())
	}

	/// Books a trade or a liquidation of one position, from `before` to `outcome.position`:
	/// the curve becomes the outcome's, the net size moves by what was exchanged, the open
	/// interest follows the position, and the position counts follow an open or a close.
	pub(crate) fn book_position_change(
		&mut self,
		before: &Position,
		outcome: &TradeOutcome,
	) -> MathResult<()> {
		self.open_interest = self.open_interest.replaced(before, &outcome.position)?;
		self.reserves = outcome.reserves;
		self.net_size = fixed::add_signed(self.net_size, outcome.exchanged_size)?;
		self.count_position_change(before.size != 0, outcome.position.size != 0)?;
		if self.positions == 0 {
			// Every position that owed the gains has closed: they are in the vault now.
			self.convergence_reserve = fixed::add(self.convergence_reserve, self.unrealised_gain)?;
			self.unrealised_gain = 0;
		}
		Ok(())
	}

	/// Books a fall in what the AMM owes (a convergence gain, a migration surplus): realised
	/// once the market has no open position.
	pub(crate) fn book_gain(&mut self, gain: u128) -> MathResult<()> {
		if self.positions == 0 {
			self.convergence_reserve = fixed::add(self.convergence_reserve, gain)?;
		} else {
			self.unrealised_gain = fixed::add(self.unrealised_gain, gain)?;
		}
		Ok(())
	}

	/// Books a stale position remapped from `old` to `new` (same side): the net size, the
	/// `k` reference and the open interest move by the difference, and the position now
	/// counts as current.
	pub(crate) fn book_remap(&mut self, old: i128, new: i128) -> MathResult<()> {
		let delta = fixed::sub_signed(new, old)?;
		// Only stale positions are remapped, and they exist only while their migration is
		// pending.
		if let Some(migration) = self.migration.as_mut() {
			let stale = if old < 0 {
				&mut migration.stale_short_size
			} else {
				&mut migration.stale_long_size
			};
			*stale = fixed::sub(*stale, old.unsigned_abs())?;
			migration.remapped = fixed::add_signed(migration.remapped, delta)?;
		}
		self.net_size = fixed::add_signed(self.net_size, delta)?;
		self.k_reference_net_size = fixed::add_signed(self.k_reference_net_size, delta)?;
		self.open_interest = self.open_interest.resized(old, new)?;
		self.current_positions =
			self.current_positions.checked_add(1).ok_or(MathError::Overflow)?;
		Ok(())
	}

	/// Each side's open interest in the current curve's units that is known exactly: every
	/// size but the ones a pending migration has not remapped yet (a lower bound of each
	/// side's current total).
	pub(crate) fn remapped_open_interest(&self) -> (u128, u128) {
		let interest = self.open_interest;
		match &self.migration {
			None => (interest.long_size, interest.short_size),
			Some(pending) => (
				interest.long_size.saturating_sub(pending.stale_long_size),
				interest.short_size.saturating_sub(pending.stale_short_size),
			),
		}
	}

	/// Splits a fee already in the vault: the convergence share joins the market's reserve,
	/// the insurance and treasury shares accrue until the next funding settlement pays them.
	pub(crate) fn accrue_fee(&mut self, fee: u128) -> MathResult<()> {
		if fee == 0 {
			return Ok(());
		}
		let (insurance_share, convergence_share) =
			(self.params.insurance_share, self.params.convergence_share);
		let split = fees::split_fee(fee, insurance_share, convergence_share)?;
		self.convergence_reserve = fixed::add(self.convergence_reserve, split.convergence)?;
		let accrued = &mut self.accrued_fees;
		accrued.insurance = fixed::add(accrued.insurance, split.insurance)?;
		accrued.treasury = fixed::add(accrued.treasury, split.treasury)?;
		Ok(())
	}

	/// Counts a position opened (`!existed && exists`) or closed (`existed && !exists`),
	/// at the market's current liquidity version.
	fn count_position_change(&mut self, existed: bool, exists: bool) -> MathResult<()> {
		let step = |count: u32, up: bool| {
			if up { count.checked_add(1) } else { count.checked_sub(1) }.ok_or(MathError::Overflow)
		};
		if existed != exists {
			self.positions = step(self.positions, exists)?;
			self.current_positions = step(self.current_positions, exists)?;
		}
		Ok(())
	}
}
