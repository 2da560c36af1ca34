//! Funding (docs/funding.md): per-block price accumulators, TWAPs, settlement and dynamic k.
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
//! The same pass tracks convergence: since when `|mark TWAP − index| / index` has stayed
//! above `convergence_threshold`, with the mark TWAP over `twap_window` (a missing or stale
//! index leaves the clock as it is). On a TWAP, a trader cannot stop the clock with a round
//! trip that leaves one block's closing mark near the index.
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
	frame_support::{
		ensure,
		storage::{with_transaction, TransactionOutcome},
		traits::UnixTime,
		BoundedVec,
	},
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
	/// clock is updated. Returns the number of markets visited. A market whose arithmetic
	/// fails keeps its accumulators (nothing of it is written); its funding then refuses to
	/// settle rather than the block failing.
	pub(crate) fn record_prices() -> u32 {
		let now = Self::now_seconds();
		let count = NextMarketId::<T>::get();
		for market_id in 0..count {
			let Some(mut market) = Markets::<T>::get(market_id) else { continue };
			let mut samples = PriceHistory::<T>::get(market_id);
			if let Ok(sampled) = Self::record_market_prices(&mut market, &mut samples, now) {
				Markets::<T>::insert(market_id, market);
				if sampled {
					PriceHistory::<T>::insert(market_id, samples);
				}
			}
		}
		count
	}

	/// Advances `market`'s accumulators to `now` and records the closing mark and latest
	/// index, samples them into `samples` when due and moves the convergence clock. Returns
	/// whether `samples` changed.
	fn record_market_prices(
		market: &mut MarketOf<T>,
		samples: &mut Samples<T>,
		now: u64,
	) -> Result<bool, Error<T>> {
		let mark = market.reserves.mark_price()?;
		let latest_index = T::IndexPrice::index_price(&market.collection)
			.map(|index| index.price)
			.filter(|price| *price > 0);
		market.mark_twap = market.mark_twap.advance(now)?.record(mark);
		let mut sampled = false;
		match latest_index {
			Some(index) if market.index_twap.last_price == 0 => {
				// The first index: both TWAPs start here, so no window averages in a zero index.
				market.index_twap = TwapAccumulator::new(index, now);
				sampled = !samples.is_empty();
				samples.clear();
			},
			Some(index) => market.index_twap = market.index_twap.advance(now)?.record(index),
			None if market.index_twap.last_price != 0 => {
				market.index_twap = market.index_twap.advance(now)?;
			},
			None => {},
		}
		sampled |= Self::sample_prices(market, samples, now);
		Self::track_divergence(market, samples, now)?;
		Ok(sampled)
	}

	/// Appends a sample to `samples` if the last one is `twap_window / 30` old, dropping
	/// samples no window needs any more; `true` if it did.
	fn sample_prices(market: &MarketOf<T>, samples: &mut Samples<T>, now: u64) -> bool {
		if market.index_twap.last_price == 0 {
			return false;
		}
		let window = market.params.twap_window;
		let interval = (window / SAMPLES_PER_WINDOW).max(1);
		if samples.last().is_some_and(|last| now < last.timestamp.saturating_add(interval)) {
			return false;
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
		samples.try_push(sample).is_ok()
	}

	/// Starts, keeps or stops the convergence clock from the mark TWAP over `twap_window`
	/// (this block's closing mark has no weight in it yet) and a fresh index.
	fn track_divergence(
		market: &mut MarketOf<T>,
		samples: &Samples<T>,
		now: u64,
	) -> Result<(), Error<T>> {
		let threshold = market.params.convergence_threshold;
		let Some(index) = Self::fresh_index(market) else { return Ok(()) };
		if threshold == 0 {
			market.divergence_since = None;
			return Ok(());
		}
		let mark_twap = twap::twap(
			&observations(samples, |sample| sample.mark_cumulative),
			&market.mark_twap,
			now,
			market.params.twap_window,
		)?;
		let divergence = fixed::div_ratio(mark_twap.abs_diff(index), index, Rounding::Down)?;
		market.divergence_since = if divergence > threshold {
			Some(market.divergence_since.unwrap_or(now))
		} else {
			None
		};
		Ok(())
	}

	/// The mark TWAP over the `window` seconds before now (the current block's trades have
	/// no weight in it).
	pub(crate) fn mark_twap(
		market_id: MarketId,
		market: &MarketOf<T>,
		window: u64,
	) -> Result<u128, Error<T>> {
		let samples = PriceHistory::<T>::get(market_id);
		Ok(twap::twap(
			&observations(&samples, |sample| sample.mark_cumulative),
			&market.mark_twap,
			Self::now_seconds(),
			window,
		)?)
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
		let mark = twap::twap(
			&observations(&samples, |sample| sample.mark_cumulative),
			&market.mark_twap,
			now,
			window,
		)?;
		let index = twap::twap(
			&observations(&samples, |sample| sample.index_cumulative),
			&market.index_twap,
			now,
			window,
		)?;
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

	/// Whether funding is due now: its period has passed and no liquidity migration is being
	/// remapped (the split is per unit of size, and sizes must all be in one curve's units;
	/// validators finish the remap within one sweep).
	pub(crate) fn funding_due(market: &MarketOf<T>) -> bool {
		market.migration.is_none() && Self::now_seconds() >= Self::next_funding_time(market)
	}

	/// Settles `market_id`'s funding if a period is due; `true` if it was due (the work the
	/// caller's weight must count, settled or not). A settlement that fails changes nothing
	/// and is reported with `FundingSettlementFailed` instead of failing the caller.
	pub(crate) fn try_settle_funding(market_id: MarketId) -> Result<bool, DispatchError> {
		let market = Self::market(market_id)?;
		if !Self::funding_due(&market) {
			return Ok(false);
		}
		let settled = with_transaction(|| match Self::do_settle_funding(market_id) {
			Ok(()) => TransactionOutcome::Commit(Ok(())),
			Err(error) => TransactionOutcome::Rollback(Err(error)),
		});
		if let Err(error) = settled {
			Self::deposit_event(Event::FundingSettlementFailed { market: market_id, error });
		}
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
			// A step that cannot be taken is skipped, not an error: settlement must go on. It
			// runs on a copy inside a storage transaction, so a failed step leaves nothing.
			let stepped = with_transaction(|| {
				let mut copy = market.clone();
				match Self::migrate_liquidity(market_id, &mut copy, multiplier, Migration::Dynamic)
				{
					Ok(()) => TransactionOutcome::Commit(Ok(copy)),
					Err(error) => TransactionOutcome::Rollback(Err(error)),
				}
			});
			match stepped {
				Ok(stepped) => market = stepped,
				Err(reason) => Self::deposit_event(Event::DynamicKSkipped {
					market: market_id,
					multiplier,
					reason,
				}),
			}
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

	/// Dynamic k's multiplier at this settlement, if any (docs/convergence-and-liquidity.md).
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

/// One accumulator's observations out of the samples.
fn observations(
	samples: &[PriceSample],
	cumulative: fn(&PriceSample) -> u128,
) -> Vec<TwapObservation> {
	samples
		.iter()
		.map(|sample| TwapObservation {
			timestamp: sample.timestamp,
			cumulative: cumulative(sample),
		})
		.collect()
}
