//! Market life cycle: creation, parameters, pause, and the lazily refreshed per-block band.

use crate::{
	pallet::{Config, Error, Event, MarketByCollection, MarketOf, Markets, NextMarketId, Pallet},
	types::{AccruedFees, Market, MarketId, MarketParams, OpenInterest, PriceBand},
};
use perp_math::{fixed::ONE, CumulativePremium, Reserves, TwapAccumulator};
use polkadot_sdk::{
	frame_support::{ensure, pallet_prelude::DispatchResult, traits::Get},
	frame_system::{self, pallet_prelude::BlockNumberFor},
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
		accrued_fees: AccruedFees::default(),
		divergence_since: None,
		liquidity_version: 0,
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

/// Brings the band to the current block: the first trade of a block sees the previous
/// block's closing mark as the current mark.
pub(crate) fn refresh_band<T: Config>(market: &mut MarketOf<T>) -> Result<(), Error<T>> {
	let now = frame_system::Pallet::<T>::block_number();
	if market.band.block != now {
		start_band::<T>(market, now)?;
	}
	Ok(())
}

/// Starts `block`'s band at the current mark, as the block's first trade sees it.
pub(crate) fn start_band<T: Config>(
	market: &mut MarketOf<T>,
	block: BlockNumberFor<T>,
) -> Result<(), Error<T>> {
	market.band =
		PriceBand { block, reference_mark: market.reserves.mark_price()?, breached: false };
	Ok(())
}

/// Checks the §15 constraints between parameters.
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
	ensure!(
		params.k_min <= ONE
			&& params.k_max >= ONE
			&& params.k_shrink_below <= params.k_expand_above,
		Error::<T>::InvalidKBounds
	);
	Ok(())
}
