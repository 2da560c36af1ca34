//! Governance settings (target balance, low watermark, claim caps) and genesis.

use crate::pallet::{
	BelowLowWatermark, ClaimCaps, Config, DefaultClaimCap, Error, Event, LowWatermark, Pallet,
	TargetBalance,
};
use polkadot_sdk::frame_support::{
	ensure, pallet_prelude::DispatchResult, traits::fungible::Mutate,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_target_balance(target_balance: u128) {
		TargetBalance::<T>::put(target_balance);
		Self::deposit_event(Event::TargetBalanceSet { target_balance });
	}

	pub(crate) fn do_set_low_watermark(low_watermark: u128) {
		LowWatermark::<T>::put(low_watermark);
		Self::deposit_event(Event::LowWatermarkSet { low_watermark });
		Self::check_low_watermark();
	}

	pub(crate) fn do_set_claim_cap(market: Option<T::MarketId>, cap: u128) {
		match market {
			Some(id) => ClaimCaps::<T>::insert(id, cap),
			None => DefaultClaimCap::<T>::put(cap),
		}
		Self::deposit_event(Event::ClaimCapSet { market, cap });
	}

	pub(crate) fn do_remove_claim_cap(market: T::MarketId) -> DispatchResult {
		ensure!(ClaimCaps::<T>::contains_key(market), Error::<T>::NoClaimCapOverride);
		ClaimCaps::<T>::remove(market);
		Self::deposit_event(Event::ClaimCapRemoved { market });
		Ok(())
	}

	/// Stores the genesis settings and mints `initial_funding` into the fund account. The
	/// watermark state starts as observed, without an event.
	pub(crate) fn do_build_genesis(
		target_balance: u128,
		low_watermark: u128,
		default_claim_cap: u128,
		initial_funding: u128,
	) -> DispatchResult {
		TargetBalance::<T>::put(target_balance);
		LowWatermark::<T>::put(low_watermark);
		DefaultClaimCap::<T>::put(default_claim_cap);
		if initial_funding > 0 {
			T::Currency::mint_into(&Self::account_id(), initial_funding)?;
		}
		BelowLowWatermark::<T>::put(Self::balance() < low_watermark);
		Ok(())
	}
}
