//! Benchmarks of every call at its worst case: trades and margin moves by an account holding
//! `MaxPositionsPerAccount` cross positions (valued on every risk check), trades that reverse,
//! a partial liquidation of such an account (the restoring portion is searched on the curve)
//! and a bankrupt liquidation whose bad debt goes to the insurance fund and beyond it.

// Set-up arithmetic on known small values; benchmarks never run in a block.
#![allow(clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::{Markets, NextMarketId, Positions};
use perp_math::{Side, ONE};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{fungible::Mutate, Authorize, EnsureOrigin, Get, UnixTime},
	},
	frame_system::{self, RawOrigin},
};

const UNIT: u128 = ONE;
const LEVERAGE: u128 = 2 * UNIT;

fn now_ms<T: Config>() -> u64 {
	u64::try_from(T::TimeProvider::now().as_millis()).unwrap_or(u64::MAX)
}

/// A trader with a large deposit.
fn trader<T: Config>() -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account("trader", 0, 0);
	T::Currency::set_balance(&who, 1_000_000_000 * UNIT);
	Pallet::<T>::do_deposit(&who, 100_000_000 * UNIT)
		.map_err(|_| BenchmarkError::Stop("deposit failed"))?;
	Ok(who)
}

/// The vault and fee recipients exist, as at genesis.
fn fund_system_accounts<T: Config>() {
	T::Currency::set_balance(&Pallet::<T>::vault_account(), UNIT);
	T::Currency::set_balance(&T::Treasury::get(), UNIT);
	T::Currency::set_balance(&T::InsuranceFund::account(), UNIT);
}

/// Creates a market with a fresh index at its mark (10) and returns its id.
fn market<T: Config>() -> Result<MarketId, BenchmarkError> {
	let id = NextMarketId::<T>::get();
	let collection = T::BenchmarkHelper::collection(id);
	Pallet::<T>::do_create_market(
		collection.clone(),
		1_000_000 * UNIT,
		10_000_000 * UNIT,
		MarketParams::default(),
	)
	.map_err(|_| BenchmarkError::Stop("market creation failed"))?;
	T::BenchmarkHelper::set_index_price(&collection, 10 * UNIT, now_ms::<T>());
	Ok(id)
}

/// `MaxPositionsPerAccount` markets, `who` long (cross) in each; returns the last market.
fn full_cross_account<T: Config>(who: &T::AccountId) -> Result<MarketId, BenchmarkError> {
	fund_system_accounts::<T>();
	let mut last = 0;
	for _ in 0..T::MaxPositionsPerAccount::get() {
		last = market::<T>()?;
		Pallet::<T>::do_open_position(who, last, Side::Long, 1_000 * UNIT, LEVERAGE, false, 0)
			.map_err(|_| BenchmarkError::Stop("open failed"))?;
	}
	// Past the sandwich guard.
	let next = frame_system::Pallet::<T>::block_number() + 1u32.into();
	frame_system::Pallet::<T>::set_block_number(next);
	Ok(last)
}

/// A trader holding just what `MaxPositionsPerAccount` cross longs of 1000 × 2 need; the
/// last market then raises its maintenance ratio to 51 %, just above the account's MR (≈ 50 %), which
/// makes that position the largest requirement and due for a partial liquidation.
fn liquidatable_cross_account<T: Config>() -> Result<(T::AccountId, MarketId), BenchmarkError> {
	let who: T::AccountId = account("liquidated", 0, 0);
	let positions = u128::from(T::MaxPositionsPerAccount::get());
	T::Currency::set_balance(&who, positions * 1_010 * UNIT);
	Pallet::<T>::do_deposit(&who, positions * 1_007 * UNIT)
		.map_err(|_| BenchmarkError::Stop("deposit failed"))?;
	let id = full_cross_account::<T>(&who)?;
	let params = MarketParams {
		initial_margin_ratio: 900_000_000_000_000_000,
		maintenance_margin_ratio: 510_000_000_000_000_000,
		full_liquidation_ratio: 450_000_000_000_000_000,
		..MarketParams::default()
	};
	Pallet::<T>::do_set_market_params(id, params)
		.map_err(|_| BenchmarkError::Stop("params failed"))?;
	Ok((who, id))
}

/// An isolated long whose loss exceeds its margin after a large short moved the curve (the
/// index follows the mark), in a market where a third trader keeps open interest for the
/// loss to be socialised over.
fn bankrupt_position<T: Config>() -> Result<(T::AccountId, MarketId), BenchmarkError> {
	fund_system_accounts::<T>();
	let id = market::<T>()?;
	let who = trader::<T>()?;
	let mover: T::AccountId = account("mover", 0, 0);
	T::Currency::set_balance(&mover, 1_000_000_000 * UNIT);
	Pallet::<T>::do_deposit(&mover, 100_000_000 * UNIT)
		.map_err(|_| BenchmarkError::Stop("deposit failed"))?;
	let params = MarketParams {
		fluctuation_limit: 0,
		max_mark_index_divergence: 0,
		sandwich_guard: false,
		..MarketParams::default()
	};
	Pallet::<T>::do_set_market_params(id, params)
		.map_err(|_| BenchmarkError::Stop("params failed"))?;
	Pallet::<T>::do_open_position(&who, id, Side::Long, 1_000_000 * UNIT, 5 * UNIT, true, 0)
		.map_err(|_| BenchmarkError::Stop("open failed"))?;
	Pallet::<T>::do_open_position(&mover, id, Side::Short, 1_000_000 * UNIT, 5 * UNIT, false, 0)
		.map_err(|_| BenchmarkError::Stop("short failed"))?;
	let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
	let mark = market.reserves.mark_price().map_err(|_| BenchmarkError::Stop("mark"))?;
	T::BenchmarkHelper::set_index_price(&market.collection, mark, now_ms::<T>());
	Ok((who, id))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_market() -> Result<(), BenchmarkError> {
		let origin =
			T::MarketAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let collection = T::BenchmarkHelper::collection(0);
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			collection,
			1_000 * UNIT,
			10_000 * UNIT,
			MarketParams::default(),
		);
		assert!(Markets::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn set_market_params() -> Result<(), BenchmarkError> {
		let id = market::<T>()?;
		let origin =
			T::MarketAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = MarketParams { fee_ratio: 5_000_000_000_000_000, ..Default::default() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, params);
		assert_eq!(Markets::<T>::get(id).map(|m| m.params), Some(params));
		Ok(())
	}

	#[benchmark]
	fn pause_market() -> Result<(), BenchmarkError> {
		let id = market::<T>()?;
		let origin =
			T::MarketAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(Markets::<T>::get(id).map(|m| m.paused), Some(true));
		Ok(())
	}

	#[benchmark]
	fn unpause_market() -> Result<(), BenchmarkError> {
		let id = market::<T>()?;
		Pallet::<T>::do_set_paused(id, true).map_err(|_| BenchmarkError::Stop("pause"))?;
		let origin =
			T::MarketAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(Markets::<T>::get(id).map(|m| m.paused), Some(false));
		Ok(())
	}

	#[benchmark]
	fn deposit() -> Result<(), BenchmarkError> {
		let who = trader::<T>()?;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 1_000 * UNIT);
		assert_eq!(Pallet::<T>::held_collateral(&who), 100_001_000 * UNIT);
		Ok(())
	}

	#[benchmark]
	fn withdraw() -> Result<(), BenchmarkError> {
		let who = trader::<T>()?;
		full_cross_account::<T>(&who)?;
		let before = Pallet::<T>::held_collateral(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 1_000 * UNIT);
		assert_eq!(Pallet::<T>::held_collateral(&who), before - 1_000 * UNIT);
		Ok(())
	}

	#[benchmark]
	fn open_position() -> Result<(), BenchmarkError> {
		let who = trader::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		// A reversal: closes the long and opens a short with the rest.
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, Side::Short, 3_000 * UNIT, LEVERAGE, false, 0);
		let size = Positions::<T>::get(&who, id).map(|info| info.position.size);
		assert!(size.is_some_and(|size| size < 0));
		Ok(())
	}

	#[benchmark]
	fn reduce_position() -> Result<(), BenchmarkError> {
		let who = trader::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		let size = Positions::<T>::get(&who, id).map_or(0, |info| info.position.size);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, size.unsigned_abs() / 2, 0);
		assert!(Positions::<T>::contains_key(&who, id));
		Ok(())
	}

	#[benchmark]
	fn close_position() -> Result<(), BenchmarkError> {
		let who = trader::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, 0);
		assert!(!Positions::<T>::contains_key(&who, id));
		Ok(())
	}

	#[benchmark]
	fn add_margin() -> Result<(), BenchmarkError> {
		let who = trader::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, 100 * UNIT);
		Ok(())
	}

	#[benchmark]
	fn remove_margin() -> Result<(), BenchmarkError> {
		let who = trader::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, 100 * UNIT);
		Ok(())
	}

	#[benchmark]
	fn liquidate() -> Result<(), BenchmarkError> {
		let (who, id) = liquidatable_cross_account::<T>()?;
		let keeper: T::AccountId = whitelisted_caller();
		let size = Positions::<T>::get(&who, id).map_or(0, |info| info.position.size);
		#[extrinsic_call]
		_(RawOrigin::Signed(keeper), who.clone(), id);
		let after = Positions::<T>::get(&who, id).map_or(0, |info| info.position.size);
		assert!(after > 0 && after < size, "partly liquidated");
		Ok(())
	}

	#[benchmark]
	fn liquidate_bankrupt() -> Result<(), BenchmarkError> {
		let (who, id) = bankrupt_position::<T>()?;
		let keeper: T::AccountId = whitelisted_caller();
		#[block]
		{
			Pallet::<T>::liquidate(RawOrigin::Signed(keeper).into(), who.clone(), id)?;
		}
		assert!(!Positions::<T>::contains_key(&who, id));
		Ok(())
	}

	#[benchmark]
	fn authorize_liquidate() -> Result<(), BenchmarkError> {
		let (who, id) = liquidatable_cross_account::<T>()?;
		let call = Call::<T>::liquidate { account: who, market: id };
		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("liquidate has authorize logic"))?
				.map_err(|_| BenchmarkError::Stop("authorize failed"))?;
		}
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
