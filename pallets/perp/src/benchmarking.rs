//! Benchmarks of every call at its worst case: trades and margin moves by an account holding
//! `MaxPositionsPerAccount` cross positions (valued on every risk check), trades that reverse,
//! a partial liquidation of such an account (the restoring portion is searched on the curve)
//! and a bankrupt liquidation whose bad debt goes to the insurance fund and beyond it.

// Set-up arithmetic on known small values; benchmarks never run in a block.
#![allow(clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::{BlockChanges, Markets, NextMarketId, Positions};
use alloc::{vec, vec::Vec};
use perp_math::{Position, Side, ONE};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::{BoundedVec, TransactionSource},
		storage::StoragePrefixedMap,
		traits::{
			fungible::{Inspect, Mutate},
			Authorize, EnsureOrigin, Get, UnixTime,
		},
	},
	frame_system::RawOrigin,
};

const UNIT: u128 = ONE;
const LEVERAGE: u128 = 2 * UNIT;

fn now_ms<T: Config>() -> u64 {
	u64::try_from(T::TimeProvider::now().as_millis()).unwrap_or(u64::MAX)
}

/// Runs `call`'s `#[pallet::authorize]` check as the transaction pool does; it must pass.
fn authorize<T: Config>(call: &Call<T>) -> Result<(), BenchmarkError> {
	call.authorize(TransactionSource::External)
		.ok_or(BenchmarkError::Stop("the call has no authorize logic"))?
		.map(|_| ())
		.map_err(|_| BenchmarkError::Stop("authorize failed"))
}

/// Moves the chain's clock `seconds` forward.
fn advance_time<T: Config>(seconds: u64) {
	T::BenchmarkHelper::set_time(now_ms::<T>() + seconds * 1_000);
}

/// The insurance fund can pay for anything the benchmarks ask of it.
fn rich_insurance<T: Config>() {
	T::Currency::set_balance(&T::InsuranceFund::account(), 1_000_000_000 * UNIT);
}

/// A market with every trade guard off (band, divergence, sandwich), a fund that can pay for
/// anything, and the index at the mark: the setting of the benchmarks that trade freely.
fn unguarded_market<T: Config>() -> Result<MarketId, BenchmarkError> {
	fund_system_accounts::<T>();
	rich_insurance::<T>();
	let id = market::<T>()?;
	let params = MarketParams {
		fluctuation_limit: 0,
		max_mark_index_divergence: 0,
		sandwich_guard: false,
		..MarketParams::default()
	};
	Pallet::<T>::do_set_market_params(id, params)
		.map_err(|_| BenchmarkError::Stop("params failed"))?;
	Ok(id)
}

/// An [`unguarded_market`] with both sides open (a long twice the short, so the net position
/// is long) and a full window of TWAP samples.
fn two_sided_market<T: Config>() -> Result<MarketId, BenchmarkError> {
	let id = unguarded_market::<T>()?;
	let long = trader::<T>()?;
	let short: T::AccountId = account("short", 0, 0);
	T::Currency::set_balance(&short, 1_000_000_000 * UNIT);
	Pallet::<T>::do_deposit(&short, 100_000_000 * UNIT)
		.map_err(|_| BenchmarkError::Stop("deposit failed"))?;
	Pallet::<T>::do_open_position(&long, id, Side::Long, 20_000 * UNIT, 5 * UNIT, false, 0)
		.map_err(|_| BenchmarkError::Stop("long failed"))?;
	Pallet::<T>::do_open_position(&short, id, Side::Short, 10_000 * UNIT, 5 * UNIT, false, 0)
		.map_err(|_| BenchmarkError::Stop("short failed"))?;
	fill_price_history::<T>(id)?;
	Ok(id)
}

/// Two TWAP windows of end-of-block records, one per sampling interval, the index fresh.
fn fill_price_history<T: Config>(id: MarketId) -> Result<(), BenchmarkError> {
	let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
	let interval = market.params.twap_window / crate::funding::SAMPLES_PER_WINDOW;
	for _ in 0..(2 * crate::funding::SAMPLES_PER_WINDOW) {
		advance_time::<T>(interval);
		T::BenchmarkHelper::set_index_price(&market.collection, 10 * UNIT, now_ms::<T>());
		Pallet::<T>::record_prices();
	}
	Ok(())
}

/// Funding of `id` due now, the index fresh.
fn funding_due<T: Config>(id: MarketId) -> Result<(), BenchmarkError> {
	let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
	let due_ms = (market.last_funding_time + market.params.funding_period) * 1_000;
	T::BenchmarkHelper::set_time(due_ms.max(now_ms::<T>()));
	T::BenchmarkHelper::set_index_price(&market.collection, 10 * UNIT, now_ms::<T>());
	Ok(())
}

/// The index a due convergence moves the mark to: about 9 % over the two-sided market's
/// mark, so converging its net long (about 5,000 base) costs about 4,500, far more than the
/// convergence reserve holds (the fund pays the rest, the heavier path) and within a
/// market's daily claim on the fund (10,000 in the runtime's presets; the pallet's mock
/// has no cap).
const CONVERGED_INDEX: u128 = 11 * UNIT;

/// The two-sided market's mark has stayed far from an index that rose to
/// [`CONVERGED_INDEX`] for `convergence_after`.
fn convergence_due<T: Config>() -> Result<MarketId, BenchmarkError> {
	let id = two_sided_market::<T>()?;
	let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
	T::BenchmarkHelper::set_index_price(&market.collection, CONVERGED_INDEX, now_ms::<T>());
	Pallet::<T>::record_prices();
	advance_time::<T>(market.params.convergence_after);
	T::BenchmarkHelper::set_index_price(&market.collection, CONVERGED_INDEX, now_ms::<T>());
	Ok(id)
}

/// A trader with a large deposit.
fn trader<T: Config>() -> Result<T::AccountId, BenchmarkError> {
	funded_trader::<T>(account("trader", 0, 0))
}

/// The signer of a benchmarked trade: whitelisted like `pallet_balances`' transfer caller,
/// because a real transaction's fee payment has already read and written its account.
fn signer<T: Config>() -> Result<T::AccountId, BenchmarkError> {
	funded_trader::<T>(whitelisted_caller())
}

fn funded_trader<T: Config>(who: T::AccountId) -> Result<T::AccountId, BenchmarkError> {
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

/// When the benchmarks' chain starts (2026-01-01, ms).
const START_MS: u64 = 1_767_225_600_000;

/// Starts the clock, as on a running chain. At genesis the timestamp is zero, and every read
/// of it logs an error, whose cost the measured calls would otherwise include.
fn start_clock<T: Config>() {
	T::BenchmarkHelper::set_time(START_MS);
}

/// Creates a market with a fresh index at its mark (10) and returns its id. The first
/// market of a benchmark starts the clock (every benchmark that reads the time creates one
/// before advancing it).
fn market<T: Config>() -> Result<MarketId, BenchmarkError> {
	let id = NextMarketId::<T>::get();
	if id == 0 {
		start_clock::<T>();
	}
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
	cross_account::<T>(who, T::MaxPositionsPerAccount::get())
}

/// `positions` markets, `who` long (cross) in each; returns the last market.
fn cross_account<T: Config>(
	who: &T::AccountId,
	positions: u32,
) -> Result<MarketId, BenchmarkError> {
	fund_system_accounts::<T>();
	let mut last = 0;
	for _ in 0..positions {
		last = market::<T>()?;
		Pallet::<T>::do_open_position(who, last, Side::Long, 1_000 * UNIT, LEVERAGE, false, 0)
			.map_err(|_| BenchmarkError::Stop("open failed"))?;
	}
	// Past the sandwich guard: the block that opened the positions has ended.
	Pallet::<T>::clear_block_changes();
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

/// A market of `n` cross positions, longs and shorts in turn, whose liquidity governance has
/// just halved: every position is stale and the migration's bound is set aside. Returns the
/// market and the positions' owners.
fn migrating_market<T: Config>(n: u32) -> Result<(MarketId, Vec<T::AccountId>), BenchmarkError> {
	let id = unguarded_market::<T>()?;
	let mut owners = Vec::new();
	for i in 0..n {
		let who = funded_trader::<T>(account("remapped", i, 0))?;
		let side = if i % 2 == 0 { Side::Long } else { Side::Short };
		Pallet::<T>::do_open_position(&who, id, side, 1_000 * UNIT, LEVERAGE, false, 0)
			.map_err(|_| BenchmarkError::Stop("open failed"))?;
		owners.push(who);
	}
	Pallet::<T>::do_adjust_liquidity(id, UNIT / 2)
		.map_err(|_| BenchmarkError::Stop("migration failed"))?;
	Ok((id, owners))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_market() -> Result<(), BenchmarkError> {
		start_clock::<T>();
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
		let who = signer::<T>()?;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 1_000 * UNIT);
		assert_eq!(Pallet::<T>::held_collateral(&who), 100_001_000 * UNIT);
		Ok(())
	}

	#[benchmark]
	fn withdraw() -> Result<(), BenchmarkError> {
		let who = signer::<T>()?;
		full_cross_account::<T>(&who)?;
		let before = Pallet::<T>::held_collateral(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 1_000 * UNIT);
		assert_eq!(Pallet::<T>::held_collateral(&who), before - 1_000 * UNIT);
		Ok(())
	}

	/// `c`: the signer's other cross positions, each valued by the margin check.
	#[benchmark]
	fn open_position(
		c: Linear<0, { T::MaxPositionsPerAccount::get() - 1 }>,
	) -> Result<(), BenchmarkError> {
		let who = signer::<T>()?;
		let id = cross_account::<T>(&who, c + 1)?;
		// A reversal: closes the long and opens a short with the rest.
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, Side::Short, 3_000 * UNIT, LEVERAGE, false, 0);
		let size = Positions::<T>::get(&who, id).map(|info| info.position.size);
		assert!(size.is_some_and(|size| size < 0));
		Ok(())
	}

	#[benchmark]
	fn reduce_position() -> Result<(), BenchmarkError> {
		let who = signer::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		let size = Positions::<T>::get(&who, id).map_or(0, |info| info.position.size);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, size.unsigned_abs() / 2, 0);
		assert!(Positions::<T>::contains_key(&who, id));
		Ok(())
	}

	#[benchmark]
	fn close_position() -> Result<(), BenchmarkError> {
		let who = signer::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, 0);
		assert!(!Positions::<T>::contains_key(&who, id));
		Ok(())
	}

	#[benchmark]
	fn add_margin() -> Result<(), BenchmarkError> {
		let who = signer::<T>()?;
		let id = full_cross_account::<T>(&who)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id, 100 * UNIT);
		Ok(())
	}

	#[benchmark]
	fn remove_margin() -> Result<(), BenchmarkError> {
		let who = signer::<T>()?;
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
			authorize::<T>(&call)?;
		}
		Ok(())
	}

	#[benchmark]
	fn settle_funding() -> Result<(), BenchmarkError> {
		// Dynamic k thins the idle curve at this settlement: the worst case also migrates
		// the liquidity and funds the migration bound from the reserve and the fund.
		let id = two_sided_market::<T>()?;
		funding_due::<T>(id)?;
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
		assert_eq!(market.liquidity_version, 1, "dynamic k migrated the curve");
		Ok(())
	}

	#[benchmark]
	fn authorize_settle_funding() -> Result<(), BenchmarkError> {
		let id = two_sided_market::<T>()?;
		funding_due::<T>(id)?;
		let call = Call::<T>::settle_funding { market: id };
		#[block]
		{
			authorize::<T>(&call)?;
		}
		Ok(())
	}

	#[benchmark]
	fn converge() -> Result<(), BenchmarkError> {
		let id = convergence_due::<T>()?;
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
		assert_eq!(market.reserves.mark_price().ok(), Some(CONVERGED_INDEX));
		let fund = T::Currency::balance(&T::InsuranceFund::account());
		assert!(fund < 1_000_000_000 * UNIT, "the fund paid what the reserve could not");
		Ok(())
	}

	#[benchmark]
	fn authorize_converge() -> Result<(), BenchmarkError> {
		let id = convergence_due::<T>()?;
		let call = Call::<T>::converge { market: id };
		#[block]
		{
			authorize::<T>(&call)?;
		}
		Ok(())
	}

	#[benchmark]
	fn adjust_liquidity() -> Result<(), BenchmarkError> {
		// Thinning with both sides open: the migration bound is funded first.
		let id = two_sided_market::<T>()?;
		let origin =
			T::MarketAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, UNIT / 2);
		let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
		assert_eq!(market.depth, UNIT / 2);
		Ok(())
	}

	/// `n` stale positions remapped, the last of the market: the call also settles the
	/// migration and returns what its bound over-provisioned.
	#[benchmark]
	fn remap_positions(n: Linear<1, { T::MaxRemapsPerCall::get() }>) -> Result<(), BenchmarkError> {
		let (id, owners) = migrating_market::<T>(n)?;
		let accounts = BoundedVec::try_from(owners).map_err(|_| BenchmarkError::Weightless)?;
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, accounts);
		let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
		assert!(market.migration.is_none(), "the migration completed");
		Ok(())
	}

	#[benchmark]
	fn authorize_remap_positions(
		n: Linear<1, { T::MaxRemapsPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		let (id, owners) = migrating_market::<T>(n)?;
		let accounts = BoundedVec::try_from(owners).map_err(|_| BenchmarkError::Weightless)?;
		let call = Call::<T>::remap_positions { market: id, accounts };
		#[block]
		{
			authorize::<T>(&call)?;
		}
		Ok(())
	}

	/// The end of a block in which `c` accounts traded in a market with the sandwich guard.
	#[benchmark]
	fn clear_block_changes(c: Linear<0, 1_000>) -> Result<(), BenchmarkError> {
		for i in 0..c {
			let who: T::AccountId = account("trader", i, 0);
			let markets = BoundedVec::try_from(vec![0]).map_err(|_| BenchmarkError::Weightless)?;
			BlockChanges::<T>::insert(&who, markets);
		}
		assert_eq!(BlockChanges::<T>::iter().count(), c as usize);
		#[block]
		{
			Pallet::<T>::clear_block_changes();
		}
		assert_eq!(BlockChanges::<T>::iter().count(), 0);
		Ok(())
	}

	#[benchmark]
	fn record_prices(m: Linear<1, 64>) -> Result<(), BenchmarkError> {
		fund_system_accounts::<T>();
		for _ in 0..m {
			market::<T>()?;
		}
		// Every market starts its index TWAP, then each is due a new sample.
		Pallet::<T>::record_prices();
		advance_time::<T>(3_600);
		for id in 0..m {
			let market = Markets::<T>::get(id).ok_or(BenchmarkError::Stop("market"))?;
			T::BenchmarkHelper::set_index_price(&market.collection, 11 * UNIT, now_ms::<T>());
		}
		#[block]
		{
			Pallet::<T>::record_prices();
		}
		assert_eq!(crate::pallet::PriceHistory::<T>::get(m - 1).len(), 2);
		Ok(())
	}

	/// The offchain worker's liquidation scan of one block (`LiquidationScanLimit`
	/// positions) among `n` stored positions: 4 per account, 3 cross and 1 isolated, all
	/// healthy so every one is assessed in full. Its time per position must not depend on
	/// `n`. `extra` (run with `--extra`, see `scripts/performance.sh`): setting up 100,000
	/// positions is too slow for every weight regeneration, and no call's weight depends on
	/// it, since offchain workers run outside blocks.
	#[benchmark(extra)]
	fn liquidation_scan(n: Linear<10_000, 100_000>) -> Result<(), BenchmarkError> {
		fund_system_accounts::<T>();
		let markets = [market::<T>()?, market::<T>()?, market::<T>()?, market::<T>()?];
		let healthy = PositionInfo {
			position: Position {
				size: 10 * UNIT as i128,
				margin: 50 * UNIT,
				open_notional: 100 * UNIT,
				last_cumulative_premium: 0,
			},
			isolated: false,
			liquidity_version: 0,
		};
		for i in 0..n {
			let who: T::AccountId = account("scanned", i / 4, 0);
			let slot = (i % 4) as usize;
			Positions::<T>::insert(
				&who,
				markets[slot],
				PositionInfo { isolated: slot == 3, ..healthy },
			);
		}
		let limit = T::LiquidationScanLimit::get();
		let start = Positions::<T>::final_prefix().to_vec();
		let scan;
		#[block]
		{
			scan = Pallet::<T>::scan_positions(start, limit);
		}
		assert_eq!(scan.scanned, limit.min(n));
		assert!(scan.liquidatable.is_empty());
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
