//! Market maintenance and liquidations run by validators (DESIGN §6–§8, "OCW engine").
//!
//! Each run first submits `settle_funding` for every market whose funding is due and
//! `converge` for every market whose convergence is due (authorised general transactions,
//! tagged by market and the state they act on, so copies from many validators collapse),
//! then scans positions for liquidations.
//!
//! Every block, a validator's offchain worker examines up to `LiquidationScanLimit`
//! positions, resuming after the last one it examined (a cursor in persistent offchain
//! storage; at the end of the map it wraps around) and, on its first run, starting at a
//! random key so validators spread over the position set. A storage lock keeps two workers of the same node (forks, slow blocks) from
//! scanning at once. Each liquidatable position becomes a `liquidate(account, market)`
//! *authorised* general transaction, at most `MaxLiquidationsPerBlock` per run.
//!
//! Authorisation (`authorize_liquidation`) runs when the pool validates the transaction and
//! again when a block includes it: it re-checks that the position is liquidatable, tags the
//! transaction with `(account, market)` so copies from many validators collapse into one,
//! gives it `LiquidationPriority`, and refuses it once the block holds
//! `MaxLiquidationsPerBlock` authorised liquidations (it stays in the pool for the next).
//! These transactions carry no signer and pay no fee, which is safe because only a
//! liquidation that is due passes authorisation and its reward goes to the block author.

use crate::{
	pallet::{Call, Config, Error, LiquidationsInBlock, MarketOf, Markets, Pallet, Positions},
	types::{MarketId, PositionInfo},
};
use alloc::vec::Vec;
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		pallet_prelude::{
			InvalidTransaction, TransactionSource, TransactionValidityWithRefund, ValidTransaction,
			Weight,
		},
		storage::StoragePrefixedMap,
		traits::Get,
	},
	frame_system::{self, offchain::SubmitTransaction, pallet_prelude::BlockNumberFor},
	sp_io,
	sp_runtime::offchain::{
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
};

/// Offchain storage key of the scan lock.
const LOCK_KEY: &[u8] = b"floorperp::perp::liquidation-scan::lock";
/// Offchain storage key of the raw storage key the last scan stopped after.
pub const CURSOR_KEY: &[u8] = b"floorperp::perp::liquidation-scan::cursor";
/// A stuck worker's lock expires after this long (a block is 6 s).
const LOCK_MILLIS: u64 = 5_000;
/// Blocks a liquidation transaction stays valid in the pool.
const LIQUIDATION_LONGEVITY: u64 = 5;
/// `InvalidTransaction::Custom` code: the position is not liquidatable (anymore).
pub const NOT_LIQUIDATABLE: u8 = 1;
/// `InvalidTransaction::Custom` code: the funding settlement or convergence is not due.
pub const NOT_DUE: u8 = 2;

/// What one scan found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScanResult<AccountId> {
	/// Liquidatable positions, in scan order.
	pub liquidatable: Vec<(AccountId, MarketId)>,
	/// Positions examined.
	pub scanned: u32,
	/// The raw key the next scan resumes after.
	pub resume_after: Vec<u8>,
}

impl<T: Config> Pallet<T> {
	/// The offchain worker's run for `block` (validators only).
	pub(crate) fn run_offchain_worker(block: BlockNumberFor<T>) {
		if !sp_io::offchain::is_validator() {
			return;
		}
		let mut lock =
			StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
				LOCK_KEY,
				1,
				Duration::from_millis(LOCK_MILLIS),
			);
		let Ok(_guard) = lock.try_lock() else { return };
		Self::submit_market_maintenance();
		Self::scan_for_liquidations(block);
	}

	/// Submits `settle_funding` and `converge` for every market where they are due.
	fn submit_market_maintenance() {
		for (market_id, market) in Markets::<T>::iter() {
			let calls = [
				Self::funding_due(&market)
					.then_some(Call::<T>::settle_funding { market: market_id }),
				Self::converge_allowed(&market)
					.then_some(Call::<T>::converge { market: market_id }),
			];
			for call in calls.into_iter().flatten() {
				let transaction = T::create_authorized_transaction(call.into());
				let _ = SubmitTransaction::<T, Call<T>>::submit_transaction(transaction);
			}
		}
	}

	/// Whether `converge` of `market` would pass its checks now.
	fn converge_allowed(market: &MarketOf<T>) -> bool {
		Self::fresh_index(market)
			.is_some_and(|index| Self::convergence_due(market, index).unwrap_or(false))
	}

	/// Authorises an unsigned `settle_funding` while it is due; one per market and period.
	pub(crate) fn authorize_settle_funding(
		_source: TransactionSource,
		market: &MarketId,
	) -> TransactionValidityWithRefund {
		let Ok(stored) = Self::market(*market) else {
			return Err(InvalidTransaction::Custom(NOT_DUE).into());
		};
		if !Self::funding_due(&stored) || Self::funding_quote(*market, &stored).is_err() {
			return Err(InvalidTransaction::Custom(NOT_DUE).into());
		}
		Self::maintenance_validity("PerpFunding", (market, stored.last_funding_time).encode())
	}

	/// Authorises an unsigned `converge` while it is due; one per market and divergence.
	pub(crate) fn authorize_converge(
		_source: TransactionSource,
		market: &MarketId,
	) -> TransactionValidityWithRefund {
		let stored = Self::market(*market).ok().filter(|stored| Self::converge_allowed(stored));
		let Some(stored) = stored else {
			return Err(InvalidTransaction::Custom(NOT_DUE).into());
		};
		Self::maintenance_validity("PerpConvergence", (market, stored.divergence_since).encode())
	}

	fn maintenance_validity(prefix: &'static str, tag: Vec<u8>) -> TransactionValidityWithRefund {
		ValidTransaction::with_tag_prefix(prefix)
			.priority(T::LiquidationPriority::get())
			.and_provides(tag)
			.longevity(LIQUIDATION_LONGEVITY)
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	/// The liquidation pass: scan from the cursor, submit what is liquidatable.
	fn scan_for_liquidations(block: BlockNumberFor<T>) {
		let cursor = StorageValueRef::persistent(CURSOR_KEY);
		let start = match cursor.get::<Vec<u8>>() {
			Ok(Some(key)) => key,
			_ => random_start_key::<T>(),
		};
		let scan = Self::scan_positions(start, T::LiquidationScanLimit::get());
		cursor.set(&scan.resume_after);
		let submitted = scan
			.liquidatable
			.into_iter()
			.take(usize::try_from(T::MaxLiquidationsPerBlock::get()).unwrap_or(usize::MAX))
			.filter(|(who, market)| Self::submit_liquidation(who.clone(), *market).is_ok())
			.count();
		log::debug!(
			target: "runtime::perp",
			"block {:?}: scanned {} positions, submitted {} liquidations",
			block,
			scan.scanned,
			submitted,
		);
	}

	/// Examines up to `limit` positions after the raw storage key `start_after`, wrapping
	/// around to the beginning of the map at its end, but never past `start_after` again.
	///
	/// Only an account's largest cross requirement can be liquidated, and an account's
	/// positions are adjacent in the map, so the scan finds that market once per account and
	/// assesses only it: the cost per position stays flat however many cross positions an
	/// account holds (one valuation of the account, not one per position).
	pub fn scan_positions(start_after: Vec<u8>, limit: u32) -> ScanResult<T::AccountId> {
		let mut result =
			ScanResult { liquidatable: Vec::new(), scanned: 0, resume_after: start_after.clone() };
		let mut positions = Positions::<T>::iter_from(start_after.clone());
		let mut wrapped = false;
		let mut largest: Option<(T::AccountId, Option<MarketId>)> = None;
		while result.scanned < limit {
			let Some((who, market, info)) = positions.next() else {
				if wrapped {
					break;
				}
				wrapped = true;
				positions = Positions::<T>::iter();
				continue;
			};
			let key = Positions::<T>::hashed_key_for(&who, market);
			if wrapped && key > start_after {
				break;
			}
			result.scanned = result.scanned.saturating_add(1);
			result.resume_after = key;
			let candidate =
				info.isolated || Self::largest_cached(&who, &mut largest) == Some(market);
			if candidate && Self::candidate_below_maintenance(&who, market, info) {
				result.liquidatable.push((who, market));
			}
		}
		result
	}

	/// What `liquidatable` checks, less what the scan already knows: the stored position
	/// (read by the iteration) and, for a cross one, that it is the largest requirement.
	fn candidate_below_maintenance(
		who: &T::AccountId,
		market_id: MarketId,
		stored: PositionInfo,
	) -> bool {
		Self::tradable_market(market_id)
			.and_then(|market| {
				let info = Self::current_position(market_id, &market, stored)?;
				Self::below_maintenance(who, market_id, &info, &market)
			})
			.is_ok()
	}

	/// `who`'s largest cross requirement, computed once while the scan is in its positions.
	fn largest_cached(
		who: &T::AccountId,
		cache: &mut Option<(T::AccountId, Option<MarketId>)>,
	) -> Option<MarketId> {
		match cache {
			Some((cached, largest)) if cached == who => *largest,
			_ => {
				let largest = Self::largest_cross_requirement(who).ok().flatten();
				*cache = Some((who.clone(), largest));
				largest
			},
		}
	}

	fn submit_liquidation(account: T::AccountId, market: MarketId) -> Result<(), ()> {
		let call = Call::<T>::liquidate { account, market };
		let transaction = T::create_authorized_transaction(call.into());
		SubmitTransaction::<T, Call<T>>::submit_transaction(transaction)
	}

	/// Authorises an unsigned `liquidate` (see the module docs).
	pub(crate) fn authorize_liquidation(
		_source: TransactionSource,
		account: &T::AccountId,
		market: &MarketId,
	) -> TransactionValidityWithRefund {
		if Self::liquidation_budget_spent() {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		if Self::liquidatable(account, *market).is_err() {
			return Err(InvalidTransaction::Custom(NOT_LIQUIDATABLE).into());
		}
		ValidTransaction::with_tag_prefix("PerpLiquidation")
			.priority(T::LiquidationPriority::get())
			.and_provides((account, market).encode())
			.longevity(LIQUIDATION_LONGEVITY)
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	/// Whether this block already holds `MaxLiquidationsPerBlock` authorised liquidations.
	fn liquidation_budget_spent() -> bool {
		let (block, count) = LiquidationsInBlock::<T>::get();
		block == frame_system::Pallet::<T>::block_number()
			&& count >= T::MaxLiquidationsPerBlock::get()
	}

	/// Counts an authorised liquidation against this block's budget.
	pub(crate) fn note_authorized_liquidation() -> Result<(), Error<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		LiquidationsInBlock::<T>::try_mutate(|(block, count)| {
			if *block != now {
				*block = now;
				*count = 0;
			}
			if *count >= T::MaxLiquidationsPerBlock::get() {
				return Err(Error::<T>::LiquidationBudgetSpent);
			}
			*count = count.saturating_add(1);
			Ok(())
		})
	}
}

/// A random point in the position map: the map's prefix and 16 random bytes, so a fresh
/// validator starts somewhere in the hashed account space rather than at its beginning.
fn random_start_key<T: Config>() -> Vec<u8> {
	let mut key = Positions::<T>::final_prefix().to_vec();
	let seed = sp_io::offchain::random_seed();
	key.extend(seed.iter().take(16));
	key
}
