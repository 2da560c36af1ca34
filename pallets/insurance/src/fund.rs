//! Money movements: the fund's account and balances, donations, protocol inflows, payouts,
//! surplus withdrawals, and the low-watermark check that follows each of them.

use crate::{
	pallet::{BelowLowWatermark, Config, Error, Event, LowWatermark, Pallet, TargetBalance},
	types::OutflowPurpose,
	InflowSource,
};
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::DispatchResult,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::{Fortitude, Preservation},
			Get,
		},
	},
	sp_runtime::{traits::AccountIdConversion, DispatchError},
};

impl<T: Config> Pallet<T> {
	/// The fund's account, derived from `PalletId`.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The fund account's balance.
	pub fn balance() -> u128 {
		T::Currency::balance(&Self::account_id())
	}

	/// What the fund can pay out and stay alive: its balance less the existential deposit
	/// (and less anything frozen).
	pub fn available() -> u128 {
		T::Currency::reducible_balance(
			&Self::account_id(),
			Preservation::Preserve,
			Fortitude::Polite,
		)
	}

	/// What governance may withdraw now: the balance above `max(TargetBalance, ED)`.
	pub fn surplus() -> u128 {
		let floor = TargetBalance::<T>::get().max(T::Currency::minimum_balance());
		Self::balance().saturating_sub(floor).min(Self::available())
	}

	/// Records `amount` that a protocol `source` already transferred into
	/// [`Self::account_id`] (for `market`, if it concerns one). A migration refund gives
	/// the market's current claim period back what it returns.
	///
	/// Events: `Received` (nothing for a zero amount); `LowWatermarkCrossed` if the balance
	/// rose past the low watermark.
	pub fn note_inflow(source: InflowSource, market: Option<T::MarketId>, amount: u128) {
		if amount == 0 {
			return;
		}
		if let (InflowSource::MigrationRefund, Some(market)) = (source, market) {
			Self::record_return(market, amount);
		}
		Self::deposit_event(Event::Received { source, market, amount, balance: Self::balance() });
		Self::check_low_watermark();
	}

	/// Pays up to `amount` to `to` for `purpose`. A payout to a market is capped by what
	/// the market may still draw this period ([`Self::claim_capacity`]) and counted against
	/// it; a payout to no market (`None`) only by [`Self::available`]. Returns what was paid
	/// (less than asked, or 0, when the cap or the balance does not allow more: not an
	/// error; the caller socialises or defers the rest).
	///
	/// Events: `Paid` with `requested` and `amount` (nothing for a zero `amount`);
	/// `LowWatermarkCrossed` if the balance fell below the low watermark.
	///
	/// Errors: the token's error if the transfer fails (e.g. `BelowMinimum` for a small
	/// payment to an account that does not exist), with nothing changed.
	pub fn pay(
		purpose: OutflowPurpose,
		market: Option<T::MarketId>,
		to: &T::AccountId,
		amount: u128,
	) -> Result<u128, DispatchError> {
		let capacity = market.map_or_else(Self::available, Self::claim_capacity);
		let paid = amount.min(capacity);
		Self::pay_out(purpose, market, to, amount, paid)?;
		if let Some(market) = market {
			Self::record_claim(market, paid);
		}
		Ok(paid)
	}

	pub(crate) fn do_contribute(who: &T::AccountId, amount: u128) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let spendable =
			T::Currency::reducible_balance(who, Preservation::Preserve, Fortitude::Polite);
		ensure!(amount <= spendable, Error::<T>::InsufficientBalance);
		T::Currency::transfer(who, &Self::account_id(), amount, Preservation::Preserve)?;
		Self::deposit_event(Event::Contributed {
			who: who.clone(),
			amount,
			balance: Self::balance(),
		});
		Self::check_low_watermark();
		Ok(())
	}

	pub(crate) fn do_withdraw_surplus(to: &T::AccountId, amount: u128) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		ensure!(amount <= Self::surplus(), Error::<T>::ExceedsSurplus);
		T::Currency::transfer(&Self::account_id(), to, amount, Preservation::Preserve)?;
		Self::deposit_event(Event::SurplusWithdrawn {
			to: to.clone(),
			amount,
			balance: Self::balance(),
		});
		Self::check_low_watermark();
		Ok(())
	}

	/// Transfers `paid` (≤ `available()`) of a `requested` payout to `to` and reports it.
	/// Changes nothing if the transfer fails; does nothing for a zero request.
	pub(crate) fn pay_out(
		purpose: OutflowPurpose,
		market: Option<T::MarketId>,
		to: &T::AccountId,
		requested: u128,
		paid: u128,
	) -> DispatchResult {
		if requested == 0 {
			return Ok(());
		}
		if paid > 0 {
			T::Currency::transfer(&Self::account_id(), to, paid, Preservation::Preserve)?;
		}
		Self::deposit_event(Event::Paid {
			purpose,
			market,
			to: to.clone(),
			requested,
			amount: paid,
			balance: Self::balance(),
		});
		Self::check_low_watermark();
		Ok(())
	}

	/// Compares the balance with the low watermark; on a change of side since the last
	/// observation, stores it and emits `LowWatermarkCrossed`.
	pub(crate) fn check_low_watermark() {
		let balance = Self::balance();
		let low_watermark = LowWatermark::<T>::get();
		let below = balance < low_watermark;
		if below != BelowLowWatermark::<T>::get() {
			BelowLowWatermark::<T>::put(below);
			Self::deposit_event(Event::LowWatermarkCrossed { balance, low_watermark, below });
		}
	}
}
