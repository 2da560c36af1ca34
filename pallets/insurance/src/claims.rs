//! Bad-debt cover: each market may claim at most its cap per claim period.
//!
//! A market's period starts with its first claim after the previous period ended and lasts
//! `ClaimPeriod` blocks (`ClaimPeriod = 0` makes every claim a period of its own). The cap is
//! read when a claim is made, so a changed cap applies to the current period at once.

use crate::{
	pallet::{ClaimCaps, ClaimWindowOf, Claims, Config, DefaultClaimCap, Pallet},
	types::{ClaimWindow, OutflowPurpose},
};
use polkadot_sdk::{
	frame_support::traits::Get,
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{traits::Saturating, DispatchError},
};

impl<T: Config> Pallet<T> {
	/// The bad-debt cover `market` may claim per period: its override, else the default.
	pub fn claim_cap(market: T::MarketId) -> u128 {
		ClaimCaps::<T>::get(market).unwrap_or_else(DefaultClaimCap::<T>::get)
	}

	/// The bad-debt cover `market` may still claim now: its cap less what it claimed in the
	/// current period, and no more than [`Self::available`].
	pub fn claim_capacity(market: T::MarketId) -> u128 {
		let window = Self::current_window(market, frame_system::Pallet::<T>::block_number());
		Self::claim_cap(market).saturating_sub(window.claimed).min(Self::available())
	}

	/// Pays `to` the part of a bad debt of `amount` in `market` that the market's claim
	/// capacity ([`Self::claim_capacity`]) covers, and records the claim. Returns what was
	/// paid; the rest is the caller's to socialise (0 paid is not an error).
	///
	/// Events: `Paid { purpose: BadDebt, requested: amount, amount: paid }` (nothing for a
	/// zero `amount`); `LowWatermarkCrossed` if the balance fell below the low watermark.
	///
	/// Errors: the token's error if the transfer fails (e.g. `BelowMinimum` for a small
	/// payment to an account that does not exist), with nothing changed.
	pub fn cover_bad_debt(
		market: T::MarketId,
		amount: u128,
		to: &T::AccountId,
	) -> Result<u128, DispatchError> {
		let window = Self::current_window(market, frame_system::Pallet::<T>::block_number());
		let cap = Self::claim_cap(market);
		let paid = amount.min(cap.saturating_sub(window.claimed)).min(Self::available());
		Self::pay_out(OutflowPurpose::BadDebt, Some(market), to, amount, paid)?;
		if paid > 0 {
			// `paid ≤ cap − claimed`, so this stays ≤ cap.
			let claimed = window.claimed.saturating_add(paid);
			Claims::<T>::insert(
				market,
				ClaimWindow { period_start: window.period_start, claimed, cap },
			);
		}
		Ok(paid)
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
