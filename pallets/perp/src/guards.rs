//! Trade guards (docs/vamm.md): sandwich guard, oracle staleness, mark/index divergence,
//! per-block fluctuation band, slippage limits and caps. Each returns its specific error.

use crate::{
	pallet::{Config, Error, MarketOf, Pallet},
	trading::ChangesOf,
	traits::PriceProvider,
	types::{MarketId, MarketParams},
};
use perp_math::{convergence, curve, fixed, Rounding, Side};
use polkadot_sdk::frame_support::{ensure, traits::UnixTime};

impl<T: Config> Pallet<T> {
	/// The index price if it exists and is not older than `max_oracle_age` (0 = any age).
	pub(crate) fn fresh_index(market: &MarketOf<T>) -> Option<u128> {
		let index = T::IndexPrice::index_price(&market.collection)?;
		if index.price == 0 {
			return None;
		}
		let max_age_ms = market.params.max_oracle_age.saturating_mul(1_000);
		let now_ms = u64::try_from(T::TimeProvider::now().as_millis()).unwrap_or(u64::MAX);
		let age_ms = now_ms.saturating_sub(index.timestamp);
		(max_age_ms == 0 || age_ms <= max_age_ms).then_some(index.price)
	}
}

/// One position change per (account, market) per block, when the market enables it:
/// `changes` are the markets the account changed in the current block.
pub(crate) fn ensure_first_change_in_block<T: Config>(
	changes: &ChangesOf<T>,
	market: MarketId,
	params: &MarketParams,
) -> Result<(), Error<T>> {
	ensure!(
		!(params.sandwich_guard && changes.contains(&market)),
		Error::<T>::OnePositionChangePerBlock
	);
	Ok(())
}

/// Every short position can still buy its base back: Σ |short sizes| (in the current
/// curve's units) stays below the base reserve. Only trades that leave a long holding more
/// base can break it (the longs may not take the base the shorts added to the curve), and a
/// state that breaks it could not value those shorts: the trade is refused instead. While a
/// migration's remap is pending, the not yet remapped shorts count at their bound in the
/// new units.
pub(crate) fn ensure_shorts_can_exit<T: Config>(market: &MarketOf<T>) -> Result<(), Error<T>> {
	let shorts = market.open_interest.short_size;
	let bound = match &market.migration {
		None => shorts,
		Some(pending) => {
			let stale = pending.stale_short_size;
			let stale_count = market.positions.saturating_sub(market.current_positions);
			let remapped =
				convergence::remapped_magnitude_bound(&pending.snapshot, stale, stale_count)?;
			fixed::add(shorts.saturating_sub(stale), remapped)?
		},
	};
	ensure!(bound < market.reserves.base, Error::<T>::ShortsCannotExit);
	Ok(())
}

/// Opening and increasing need a fresh index.
pub(crate) fn ensure_index_for_opening<T: Config>(index: Option<u128>) -> Result<u128, Error<T>> {
	index.ok_or(Error::<T>::OracleStale)
}

/// Above `max_mark_index_divergence`, a trade may not widen the mark/index gap.
pub(crate) fn ensure_divergence_allowed<T: Config>(
	params: &MarketParams,
	index: Option<u128>,
	mark_before: u128,
	mark_after: u128,
) -> Result<(), Error<T>> {
	let Some(index) = index else { return Ok(()) };
	if params.max_mark_index_divergence == 0 {
		return Ok(());
	}
	let divergence = fixed::relative_difference(mark_after, index, Rounding::Up)?;
	let widens = mark_after.abs_diff(index) > mark_before.abs_diff(index);
	ensure!(
		!(widens && divergence > params.max_mark_index_divergence),
		Error::<T>::MarkIndexDivergence
	);
	Ok(())
}

/// The per-block band around the previous block's closing mark: an opening trade must end
/// inside it; a close may end outside only as the block's first trade to do so, and once
/// the band is breached no trade may move the mark further out.
pub(crate) fn ensure_within_band<T: Config>(
	market: &mut MarketOf<T>,
	mark_before: u128,
	mark_after: u128,
	opening: bool,
) -> Result<(), Error<T>> {
	let limit = market.params.fluctuation_limit;
	let reference = market.band.reference_mark;
	if curve::within_fluctuation_band(mark_after, reference, limit)? {
		return Ok(());
	}
	ensure!(!opening, Error::<T>::FluctuationLimitExceeded);
	let moves_out = mark_after.abs_diff(reference) > mark_before.abs_diff(reference);
	if market.band.breached {
		ensure!(!moves_out, Error::<T>::FluctuationLimitExceeded);
	} else {
		market.band.breached = true;
	}
	Ok(())
}

/// Order slippage: a long receives at least `limit` base, a short gives at most `limit`
/// (0 = no limit).
pub(crate) fn ensure_order_limit<T: Config>(
	side: Side,
	exchanged_size: i128,
	limit: u128,
) -> Result<(), Error<T>> {
	let base = exchanged_size.unsigned_abs();
	let within = match side {
		Side::Long => base >= limit,
		Side::Short => limit == 0 || base <= limit,
	};
	ensure!(within, Error::<T>::SlippageExceeded);
	Ok(())
}

/// Close slippage: closing a long receives at least `limit` quote, closing a short pays at
/// most `limit` (0 = no limit).
pub(crate) fn ensure_close_limit<T: Config>(
	size_before: i128,
	notional: u128,
	limit: u128,
) -> Result<(), Error<T>> {
	let within = if size_before > 0 { notional >= limit } else { limit == 0 || notional <= limit };
	ensure!(within, Error::<T>::SlippageExceeded);
	Ok(())
}

/// `min_trade_notional` (0 = none); a full close is always allowed.
pub(crate) fn ensure_min_trade<T: Config>(
	params: &MarketParams,
	notional: u128,
	full_close: bool,
) -> Result<(), Error<T>> {
	ensure!(
		full_close || params.min_trade_notional == 0 || notional >= params.min_trade_notional,
		Error::<T>::TradeBelowMinimum
	);
	Ok(())
}

/// `max_position_notional` and `max_open_interest` (0 = no cap), checked on trades that
/// open risk.
pub(crate) fn ensure_caps<T: Config>(
	params: &MarketParams,
	position_open_notional: u128,
	side_open_notional: u128,
) -> Result<(), Error<T>> {
	ensure!(
		params.max_position_notional == 0 || position_open_notional <= params.max_position_notional,
		Error::<T>::PositionTooLarge
	);
	ensure!(
		params.max_open_interest == 0 || side_open_notional <= params.max_open_interest,
		Error::<T>::OpenInterestCapExceeded
	);
	Ok(())
}

/// `leverage ≤ 1 / initial_margin_ratio`, exactly: `⌈leverage · IMR⌉ ≤ 1`.
pub(crate) fn ensure_leverage<T: Config>(
	params: &MarketParams,
	leverage: u128,
) -> Result<(), Error<T>> {
	ensure!(leverage > 0, Error::<T>::ZeroLeverage);
	let margin_fraction = fixed::mul_ratio(leverage, params.initial_margin_ratio, Rounding::Up)
		.map_err(|_| Error::<T>::LeverageTooHigh)?;
	ensure!(margin_fraction <= fixed::ONE, Error::<T>::LeverageTooHigh);
	Ok(())
}
