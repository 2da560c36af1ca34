//! Per-market outflow caps: each market may draw at most its cap from the fund per claim
//! period, whatever the payout is for (bad-debt cover, funding subsidy, convergence and
//! liquidity-migration costs), so one thin market cannot drain the fund every market shares.
//!
//! A market's period starts with its first draw after the previous period ended and lasts
//! `ClaimPeriod` blocks (`ClaimPeriod = 0` makes every draw a period of its own). The cap is
//! read when a draw is made, so a changed cap applies to the current period at once.

use crate::{
	pallet::{ClaimCaps, ClaimWindowOf, Claims, Config, DefaultClaimCap, Pallet},
	types::ClaimWindow,
};
use polkadot_sdk::{
	frame_support::traits::Get,
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::traits::Saturating,
};

impl<T: Config> Pallet<T> {
	/// What `market` may draw from the fund per period: its override, else the default.
	pub fn claim_cap(market: T::MarketId) -> u128 {
		ClaimCaps::<T>::get(market).unwrap_or_else(DefaultClaimCap::<T>::get)
	}

	/// What `market` may still draw now: its cap less what it drew in the current period,
	/// and no more than [`Self::available`].
	pub fn claim_capacity(market: T::MarketId) -> u128 {
		let window = Self::current_window(market, frame_system::Pallet::<T>::block_number());
		Self::claim_cap(market).saturating_sub(window.claimed).min(Self::available())
	}

	/// Counts `paid` (at most [`Self::claim_capacity`]) against `market`'s current period.
	pub(crate) fn record_claim(market: T::MarketId, paid: u128) {
		if paid == 0 {
			return;
		}
		let window = Self::current_window(market, frame_system::Pallet::<T>::block_number());
		// The caller paid at most `cap − claimed`, so this stays ≤ cap.
		let claimed = window.claimed.saturating_add(paid);
		Claims::<T>::insert(
			market,
			ClaimWindow {
				period_start: window.period_start,
				claimed,
				cap: Self::claim_cap(market),
			},
		);
	}

	/// Takes `returned` off what `market` drew in its current period: a migration
	/// provision the migration did not need comes back to the fund, and counting it as
	/// drawn would leave the market less cover for the rest of the period than its cap.
	/// Never below zero; a period that already ended has nothing to give back.
	pub(crate) fn record_return(market: T::MarketId, returned: u128) {
		let now = frame_system::Pallet::<T>::block_number();
		let Some(window) = Claims::<T>::get(market) else { return };
		if now >= window.period_start.saturating_add(T::ClaimPeriod::get()) {
			return;
		}
		let claimed = window.claimed.saturating_sub(returned);
		Claims::<T>::insert(market, ClaimWindow { claimed, ..window });
	}

	/// `market`'s claim window at block `now`: the stored one while its period lasts, else
	/// a fresh one starting at `now`.
	pub(crate) fn current_window(market: T::MarketId, now: BlockNumberFor<T>) -> ClaimWindowOf<T> {
		match Claims::<T>::get(market) {
			Some(window) if now < window.period_start.saturating_add(T::ClaimPeriod::get()) => {
				window
			},
			_ => ClaimWindow { period_start: now, claimed: 0, cap: Self::claim_cap(market) },
		}
	}
}
