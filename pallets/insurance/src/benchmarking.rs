//! Benchmarks of every call at its worst case: money movements that create the recipient's
//! account and cross the low watermark (the extra write and event).

// Set-up arithmetic on known small values; benchmarks never run in a block.
#![allow(clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::{BelowLowWatermark, ClaimCaps, LowWatermark, TargetBalance};
use codec::Decode;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin,
	},
	frame_system::RawOrigin,
	sp_runtime::traits::{StaticLookup, TrailingZeroInput},
};

/// The existential deposit (at least 1): amounts are multiples of it.
fn ed<T: Config>() -> u128 {
	T::Currency::minimum_balance().max(1)
}

/// Sets the fund's balance and the watermark, with the watermark state as last observed.
fn fund_with<T: Config>(balance: u128, low_watermark: u128) {
	T::Currency::set_balance(&Pallet::<T>::account_id(), balance);
	LowWatermark::<T>::put(low_watermark);
	BelowLowWatermark::<T>::put(balance < low_watermark);
}

/// Some market id (all zero bytes).
fn market<T: Config>() -> Result<T::MarketId, BenchmarkError> {
	T::MarketId::decode(&mut TrailingZeroInput::zeroes())
		.map_err(|_| BenchmarkError::Stop("no market id"))
}

fn admin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::InsuranceAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn contribute() -> Result<(), BenchmarkError> {
		let ed = ed::<T>();
		let donor: T::AccountId = account("donor", 0, 0);
		T::Currency::set_balance(&donor, 1_000 * ed);
		// Below the watermark before, above after.
		fund_with::<T>(10 * ed, 20 * ed);
		#[extrinsic_call]
		_(RawOrigin::Signed(donor), 100 * ed);
		assert_eq!(Pallet::<T>::balance(), 110 * ed);
		assert!(!BelowLowWatermark::<T>::get());
		Ok(())
	}

	#[benchmark]
	fn withdraw_surplus() -> Result<(), BenchmarkError> {
		let ed = ed::<T>();
		// Above the watermark before, below after; the recipient is a new account.
		fund_with::<T>(1_000 * ed, 950 * ed);
		TargetBalance::<T>::put(100 * ed);
		let recipient: T::AccountId = account("recipient", 0, 0);
		let to = T::Lookup::unlookup(recipient.clone());
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, to, 100 * ed);
		assert_eq!(T::Currency::balance(&recipient), 100 * ed);
		assert!(BelowLowWatermark::<T>::get());
		Ok(())
	}

	#[benchmark]
	fn set_target_balance() -> Result<(), BenchmarkError> {
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1_000 * ed::<T>());
		assert_eq!(TargetBalance::<T>::get(), 1_000 * ed::<T>());
		Ok(())
	}

	#[benchmark]
	fn set_low_watermark() -> Result<(), BenchmarkError> {
		let ed = ed::<T>();
		// The new watermark is above the balance: a crossing.
		fund_with::<T>(100 * ed, 50 * ed);
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 200 * ed);
		assert!(BelowLowWatermark::<T>::get());
		Ok(())
	}

	#[benchmark]
	fn set_claim_cap() -> Result<(), BenchmarkError> {
		let market = market::<T>()?;
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(market), 10 * ed::<T>());
		assert_eq!(ClaimCaps::<T>::get(market), Some(10 * ed::<T>()));
		Ok(())
	}

	#[benchmark]
	fn remove_claim_cap() -> Result<(), BenchmarkError> {
		let market = market::<T>()?;
		ClaimCaps::<T>::insert(market, 10 * ed::<T>());
		let origin = admin::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, market);
		assert!(!ClaimCaps::<T>::contains_key(market));
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
