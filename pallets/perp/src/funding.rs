//! Funding (DESIGN §6): per-block price accumulators, TWAPs, settlement and dynamic k.
//!
//! # Per-block snapshots
//! At the end of every block (`on_finalize`) each market's mark and index accumulators are
//! brought up to the block's timestamp, weighting the prices that held since the previous
//! block, and then record the block's closing mark and the latest index: a trade in the
//! current block has no weight until the next block. Every `twap_window / 30` seconds both
//! accumulators are sampled into [`PriceHistory`]; a TWAP interpolates its window's start
//! between the samples around it (exact while the price was constant between them, which
//! it is to within one sampling interval).
//!
//! The same pass tracks convergence: since when `|mark − index| / index` has stayed above
//! `convergence_threshold` (a missing or stale index leaves the clock as it is).
//!
//! # Settlement
//! Due `funding_period` seconds after the last one; anyone may call `settle_funding`, the
//! first trade after it is due settles it, and validators' offchain workers submit it. The
//! premium fraction comes from the TWAPs over `twap_window`, capped and split by
//! `perp_math::funding::settle_funding` (the insurance fund's subsidy capacity bounds what
//! it may pay); both sides' cumulative premiums move, and positions settle lazily when next
//! touched. The fund's net share moves at once: its income leaves the vault (the payers'
//! pending funding covers it), its subsidy enters the vault. Then dynamic k may scale the
//! curve (`liquidity`).

use crate::{
	liquidity::Migration,
	pallet::{Config, Error, Event, MarketOf, Markets, NextMarketId, Pallet, PriceHistory},
	traits::{InsuranceFund, InsuranceInflow, InsuranceOutflow, PriceProvider},
	types::{MarketId, PriceSample},
};
use alloc::vec::Vec;
use perp_math::{
	dynamic_k, fixed, funding, twap, FundingSplit, KAdjustment, Rounding, TwapAccumulator,
	TwapObservation,
};
use polkadot_sdk::{
	frame_support::{ensure, traits::UnixTime, BoundedVec},
	sp_runtime::DispatchError,
};

/// Samples per TWAP window kept in [`PriceHistory`].
pub const SAMPLES_PER_WINDOW: u64 = 30;

/// The TWAPs and the settlement they would produce now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FundingQuote {
	/// Mark TWAP over `twap_window`.
	pub mark_twap: u128,
	/// Index TWAP over `twap_window`.
	pub index_twap: u128,
	/// What each side's cumulative premium would move by, and the fund's net share.
	pub split: FundingSplit,
}

impl<T: Config> Pallet<T> {
	/// Unix time in seconds.
	pub(crate) fn now_seconds() -> u64 {
		T::TimeProvider::now().as_secs()
	}

	/// End of block: every market's accumulators advance and record, and the convergence
	/// clock is updated. Returns the number of markets visited.
	pub(crate) fn record_prices() -> u32 {
		let now = Self::now_seconds();
		let count = NextMarketId::<T>::get();
		for market_id in 0..count {
			// A market whose arithmetic fails keeps its accumulators; its funding then
			// refuses to settle rather than the block failing.
			let _ = Markets::<T>::try_mutate(market_id, |stored| match stored.as_mut() {
				Some(market) => Self::record_market_prices(market_id, market, now),
				None => Err(Error::<T>::UnknownMarket),
			});
		}
		count
	}

	fn record_market_prices(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		now: u64,
	) -> Result<(), Error<T>> {
		let mark = market.reserves.mark_price()?;
		let latest_index = T::IndexPrice::index_price(&market.collection)
			.map(|index| index.price)
			.filter(|price| *price > 0);
		market.mark_twap = market.mark_twap.advance(now)?.record(mark);
		match latest_index {
			Some(index) if market.index_twap.last_price == 0 => {
				// The first index: both TWAPs start here, so no window averages in a zero index.
				market.index_twap = TwapAccumulator::new(index, now);
				PriceHistory::<T>::remove(market_id);
			},
			Some(index) => market.index_twap = market.index_twap.advance(now)?.record(index),
			None if market.index_twap.last_price != 0 => {
				market.index_twap = market.index_twap.advance(now)?;
			},
			None => {},
		}
		Self::sample_prices(market_id, market, now);
		Self::track_divergence(market, mark, now)
	}

	/// Appends a sample if the last one is `twap_window / 30` old, dropping samples no
	/// window needs any more.
	fn sample_prices(market_id: MarketId, market: &MarketOf<T>, now: u64) {
		if market.index_twap.last_price == 0 {
			return;
		}
		let window = market.params.twap_window;
		let interval = (window / SAMPLES_PER_WINDOW).max(1);
		PriceHistory::<T>::mutate(market_id, |samples| {
			if samples.last().is_some_and(|last| now < last.timestamp.saturating_add(interval)) {
				return;
			}
			let sample = PriceSample {
				timestamp: now,
				mark_cumulative: market.mark_twap.cumulative,
				index_cumulative: market.index_twap.cumulative,
			};
			// Keep exactly one sample at or before the oldest window start still needed.
			let horizon = now.saturating_sub(window);
			while samples.get(1).is_some_and(|second| second.timestamp <= horizon) {
				samples.remove(0);
			}
			if samples.is_full() {
				samples.remove(0);
			}
			let _ = samples.try_push(sample);
		});
	}

	/// Starts, keeps or stops the convergence clock from the current mark and a fresh index.
	fn track_divergence(market: &mut MarketOf<T>, mark: u128, now: u64) -> Result<(), Error<T>> {
		let threshold = market.params.convergence_threshold;
		let Some(index) = Self::fresh_index(market) else { return Ok(()) };
		if threshold == 0 {
			market.divergence_since = None;
			return Ok(());
		}
		let divergence = fixed::div_ratio(mark.abs_diff(index), index, Rounding::Down)?;
		market.divergence_since = if divergence > threshold {
			Some(market.divergence_since.unwrap_or(now))
		} else {
			None
		};
		Ok(())
	}

	/// Mark and index TWAPs over `twap_window` ending now.
	pub(crate) fn twaps(
		market_id: MarketId,
		market: &MarketOf<T>,
	) -> Result<(u128, u128), Error<T>> {
		ensure!(market.index_twap.last_price > 0, Error::<T>::OracleStale);
		let now = Self::now_seconds();
		let window = market.params.twap_window;
		let samples = PriceHistory::<T>::get(market_id);
		let observations = |cumulative: fn(&PriceSample) -> u128| -> Vec<TwapObservation> {
			samples
				.iter()
				.map(|sample| TwapObservation {
					timestamp: sample.timestamp,
					cumulative: cumulative(sample),
				})
				.collect()
		};
		let mark =
			twap::twap(&observations(|s| s.mark_cumulative), &market.mark_twap, now, window)?;
		let index =
			twap::twap(&observations(|s| s.index_cumulative), &market.index_twap, now, window)?;
		Ok((mark, index))
	}

	/// What settling `market` now would do (whether or not it is due).
	pub fn funding_quote(
		market_id: MarketId,
		market: &MarketOf<T>,
	) -> Result<FundingQuote, Error<T>> {
		let (mark_twap, index_twap) = Self::twaps(market_id, market)?;
		let subsidy_capacity =
			T::InsuranceFund::capacity(market_id, InsuranceOutflow::FundingSubsidy);
		let split = funding::settle_funding(
			mark_twap,
			index_twap,
			market.open_interest.long_size,
			market.open_interest.short_size,
			subsidy_capacity,
			&market.params.funding_params(),
		)?;
		Ok(FundingQuote { mark_twap, index_twap, split })
	}

	/// When `market`'s next funding settlement is due (seconds).
	pub(crate) fn next_funding_time(market: &MarketOf<T>) -> u64 {
		market.last_funding_time.saturating_add(market.params.funding_period)
	}

	/// Whether funding is due now.
	pub(crate) fn funding_due(market: &MarketOf<T>) -> bool {
		Self::now_seconds() >= Self::next_funding_time(market)
	}

	/// Settles funding of `market_id` if it is due; `true` if it did.
	pub(crate) fn settle_funding_if_due(market_id: MarketId) -> Result<bool, DispatchError> {
		let market = Self::market(market_id)?;
		if !Self::funding_due(&market) {
			return Ok(false);
		}
		Self::do_settle_funding(market_id)?;
		Ok(true)
	}

	/// Settles one funding period (see the module docs). `FundingNotDue` before
	/// `last_funding_time + funding_period`.
	pub(crate) fn do_settle_funding(market_id: MarketId) -> Result<(), DispatchError> {
		let mut market = Self::market(market_id)?;
		ensure!(Self::funding_due(&market), Error::<T>::FundingNotDue);
		// Before the quote, so the subsidy capacity counts the fund's fee income.
		Self::pay_out_fees(market_id, &mut market);
		let quote = Self::funding_quote(market_id, &market)?;
		market.cumulative_premium =
			market.cumulative_premium.apply(&quote.split).map_err(Error::<T>::from)?;
		market.last_funding_time = Self::now_seconds();
		Self::settle_insurance_share(market_id, quote.split.insurance)?;
		Self::deposit_event(Event::FundingSettled {
			market: market_id,
			mark_twap: quote.mark_twap,
			index_twap: quote.index_twap,
			long_rate: quote.split.long,
			short_rate: quote.split.short,
			insurance: quote.split.insurance,
		});
		if let Some(multiplier) = Self::dynamic_k_multiplier(&market)? {
			// A multiplier the open interest could not close through is skipped, not an error:
			// settlement must go on.
			let _ = Self::migrate_liquidity(market_id, &mut market, multiplier, Migration::Dynamic);
		}
		Markets::<T>::insert(market_id, market);
		Ok(())
	}

	/// Moves the fund's net share of a settlement: income out of the vault, subsidy into it.
	fn settle_insurance_share(market_id: MarketId, share: i128) -> Result<(), DispatchError> {
		let amount = share.unsigned_abs();
		if amount == 0 {
			return Ok(());
		}
		if share > 0 {
			Self::pay_from_vault(&T::InsuranceFund::account(), amount)?;
			T::InsuranceFund::on_received(market_id, InsuranceInflow::FundingIncome, amount);
		} else {
			let paid = T::InsuranceFund::pay(
				market_id,
				InsuranceOutflow::FundingSubsidy,
				&Self::vault_account(),
				amount,
			)?;
			ensure!(paid == amount, Error::<T>::InsuranceUnavailable);
		}
		Ok(())
	}

	/// Dynamic k's multiplier at this settlement, if any (DESIGN §7).
	fn dynamic_k_multiplier(market: &MarketOf<T>) -> Result<Option<u128>, Error<T>> {
		let decision = dynamic_k::decide_k_adjustment(
			market.open_interest.long_notional,
			market.open_interest.short_notional,
			market.reserves.quote,
			market.depth,
			&market.params.dynamic_k_params(),
		)?;
		Ok(match decision {
			KAdjustment::None => None,
			KAdjustment::Expand(multiplier) | KAdjustment::Shrink(multiplier) => Some(multiplier),
		})
	}
}

/// Bounded sample history as stored.
pub type Samples<T> = BoundedVec<PriceSample, <T as Config>::MaxPriceSamples>;
