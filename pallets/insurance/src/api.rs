//! Read-only queries behind the `InsuranceApi` runtime API (docs/fees-and-insurance.md#the-insurance-fund, docs/README.md#runtime-apis).

use crate::{
	pallet::{BelowLowWatermark, Config, DefaultClaimCap, LowWatermark, Pallet, TargetBalance},
	types::InsuranceState,
};
use polkadot_sdk::{frame_support::traits::Get, sp_runtime::SaturatedConversion};

impl<T: Config> Pallet<T> {
	/// The fund's account, balances, parameters and watermark state.
	pub fn state() -> InsuranceState<T::AccountId> {
		InsuranceState {
			account: Self::account_id(),
			balance: Self::balance(),
			available: Self::available(),
			target_balance: TargetBalance::<T>::get(),
			low_watermark: LowWatermark::<T>::get(),
			surplus: Self::surplus(),
			default_claim_cap: DefaultClaimCap::<T>::get(),
			claim_period: T::ClaimPeriod::get().saturated_into::<u64>(),
			below_low_watermark: BelowLowWatermark::<T>::get(),
		}
	}
}
