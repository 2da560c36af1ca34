//! Market maintenance and liquidations run by validators (docs/liquidation.md#validators-offchain-workers).
//!
//! Each run first submits `settle_funding` for every market whose funding is due and
//! `converge` for every market whose convergence is due (authorised general transactions,
//! tagged by market and the state they act on, so copies from many validators collapse),
//! then scans positions: for liquidations, and for positions a liquidity migration left in
//! the previous curve's units, which it submits in `remap_positions` batches (and the
//! batch that settles a migration once none is left), so a migration completes within one
//! sweep of the position set without any owner's help.
//!
//! Every block, a validator's offchain worker examines up to `LiquidationScanLimit`
//! positions: first the positions its watch list ([`crate::watch`]) says the mark has
//! reached, most underwater first, so a price move's liquidations are found in the block
//! that made them liquidatable however many positions are open; then, with what is left of
//! the limit, the linear sweep, resuming after the last position it examined (a cursor in
//! persistent offchain storage; at the end of the map it wraps around) and, on its first
//! run, starting at a random key so validators spread over the position set. The sweep is
//! the backstop that keeps the watch list honest (it re-places what it examines). A storage
//! lock keeps two workers of the same node (forks, slow blocks) from scanning at once. Each
//! liquidatable position becomes a `liquidate(account, market)` *authorised* general
//! transaction, at most `MaxLiquidationsPerBlock` per run.
//!
//! Authorisation runs when the pool validates the transaction and again when a block
//! includes it, and it is a dry run of the dispatch itself (in a storage transaction that
//! is rolled back): a fee-less transaction is admitted only if it would succeed, so no block
//! holds a failed one (a liquidation a fluctuation band, an earlier liquidation or a closed
//! position would refuse stays out). A liquidation is tagged with `(account, market)` so
//! copies from many validators collapse into one, gets `LiquidationPriority`, and is refused
//! with `ExhaustsResources` once the block holds `MaxLiquidationsPerBlock` authorised
//! liquidations (it stays in the pool for the next block, and signed transactions still get
//! in). These transactions carry no signer and pay no fee, which is safe because only work
//! that succeeds passes authorisation, and a liquidation's reward goes to the block author.

use crate::{
	liquidation::Liquidator,
	pallet::{Call, Config, Error, LiquidationsInBlock, MarketOf, Markets, Pallet, Positions},
	types::{MarketId, PositionInfo},
	watch::{OffchainStore, Watch, WatchStore},
};
use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		pallet_prelude::{
			InvalidTransaction, TransactionSource, TransactionValidityWithRefund, ValidTransaction,
			Weight,
		},
		storage::{with_transaction, StoragePrefixedMap, TransactionOutcome},
		traits::Get,
		BoundedVec,
	},
	frame_system::{self, offchain::SubmitTransaction, pallet_prelude::BlockNumberFor},
	sp_io,
	sp_runtime::offchain::{
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
	sp_runtime::DispatchError,
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
/// `InvalidTransaction::Custom` code: the funding settlement or convergence is not due (or
/// would fail).
pub const NOT_DUE: u8 = 2;
/// `InvalidTransaction::Custom` code: the remap batch would do nothing or fail.
pub const NOTHING_TO_REMAP: u8 = 3;

/// What one scan found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScanResult<AccountId> {
	/// Liquidatable positions: the watch list's (most urgent first), then the sweep's in
	/// scan order.
	pub liquidatable: Vec<(AccountId, MarketId)>,
	/// Watch-list candidates assessed (0 without a watch list).
	pub watched: u32,
	/// Positions stored before their market's last liquidity migration, by market.
	pub stale: BTreeMap<MarketId, Vec<AccountId>>,
	/// Positions examined.
	pub scanned: u32,
	/// The positions examined, in scan order (the watch list re-places them).
	pub examined: Vec<(AccountId, MarketId)>,
	/// The raw key the next scan resumes after.
	pub resume_after: Vec<u8>,
}

impl<T: Config> Pallet<T> {
	/// The offchain worker's run for `block` (validators only): its [`Self::duties`] from the
	/// scan cursor, each submitted as an authorised transaction.
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
		let cursor = StorageValueRef::persistent(CURSOR_KEY);
		let start = match cursor.get::<Vec<u8>>() {
			Ok(Some(key)) => key,
			_ => random_start_key::<T>(),
		};
		let mut watch = Watch(OffchainStore);
		let (duties, scan) =
			Self::duties_watched(Some(&mut watch), start, T::LiquidationScanLimit::get());
		cursor.set(&scan.resume_after);
		let submitted = duties
			.into_iter()
			.filter(|call| {
				let transaction = T::create_authorized_transaction(call.clone().into());
				SubmitTransaction::<T, Call<T>>::submit_transaction(transaction).is_ok()
			})
			.count();
		log::debug!(
			target: "runtime::perp",
			"block {:?}: {} watched candidates, scanned {} positions ({} liquidatable), submitted {} transactions",
			block,
			scan.watched,
			scan.scanned,
			scan.liquidatable.len(),
			submitted,
		);
	}

	/// Everything validators' offchain workers submit now, with the scan it came from: for
	/// every market, its due funding settlement, its due convergence and the settlement of a
	/// migration whose positions are all current; then, from a scan of up to `limit`
	/// positions after `start_after`, `remap_positions` batches of the stale positions it
	/// found and liquidations of the liquidatable ones (at most `MaxLiquidationsPerBlock`).
	/// One list for the worker itself and for anything that plays the validators' part in
	/// process (the scenario runner, the invariant fuzzer).
	pub fn duties(start_after: Vec<u8>, limit: u32) -> (Vec<Call<T>>, ScanResult<T::AccountId>) {
		Self::duties_watched::<BTreeMap<Vec<u8>, Vec<u8>>>(None, start_after, limit)
	}

	/// [`Self::duties`] with a validator's watch list ([`crate::watch`]): first it re-places
	/// the positions of every account this block's events name, then it assesses up to half
	/// of `limit` listed positions the mark has reached (most urgent first), and the sweep
	/// examines what is left of `limit` and re-places every position it examines. Liquidations come in that
	/// order: the watch list's, then the sweep's.
	pub fn duties_watched<S: WatchStore>(
		mut watch: Option<&mut Watch<S>>,
		start_after: Vec<u8>,
		limit: u32,
	) -> (Vec<Call<T>>, ScanResult<T::AccountId>) {
		let mut calls = Vec::new();
		for (market_id, market) in Markets::<T>::iter() {
			if Self::funding_due(&market) {
				calls.push(Call::<T>::settle_funding { market: market_id });
			}
			if Self::converge_allowed(market_id, &market) {
				calls.push(Call::<T>::converge { market: market_id });
			}
			// A migration whose positions are all current only needs its settlement.
			if market.migration.is_some() && market.current_positions == market.positions {
				calls.push(Call::<T>::remap_positions {
					market: market_id,
					accounts: BoundedVec::new(),
				});
			}
		}
		// The watch list takes at most half the limit, so candidates that stay healthy (a
		// fair price above the mark, a position resting inside the slack) never stop the
		// sweep, which remaps and catches what the list has not placed.
		let watched = match watch.as_deref_mut() {
			Some(watch) => Self::watched_liquidatable(watch, limit / 2),
			None => (Vec::new(), 0),
		};
		let mut scan = Self::scan_positions(start_after, limit.saturating_sub(watched.1));
		if let Some(watch) = watch {
			for (who, market) in &scan.examined {
				watch.place(who, *market, Self::watch_slot(who, *market));
			}
		}
		let swept = core::mem::replace(&mut scan.liquidatable, watched.0);
		for position in swept {
			if !scan.liquidatable.contains(&position) {
				scan.liquidatable.push(position);
			}
		}
		scan.watched = watched.1;
		let batch = usize::try_from(T::MaxRemapsPerCall::get()).unwrap_or(usize::MAX).max(1);
		for (market, stale) in &scan.stale {
			for accounts in stale.chunks(batch) {
				if let Ok(accounts) = BoundedVec::try_from(accounts.to_vec()) {
					calls.push(Call::<T>::remap_positions { market: *market, accounts });
				}
			}
		}
		let budget = usize::try_from(T::MaxLiquidationsPerBlock::get()).unwrap_or(usize::MAX);
		calls.extend(scan.liquidatable.iter().take(budget).map(|(account, market)| {
			Call::<T>::liquidate { account: account.clone(), market: *market }
		}));
		(calls, scan)
	}

	/// The watch list's part of a run: re-places the accounts this block's events name, then
	/// assesses up to `limit` listed candidates. Returns the liquidatable ones (a cross
	/// candidate is liquidated through its account's largest requirement) and how many
	/// candidates it assessed.
	fn watched_liquidatable<S: WatchStore>(
		watch: &mut Watch<S>,
		limit: u32,
	) -> (Vec<(T::AccountId, MarketId)>, u32) {
		for who in Self::touched_accounts() {
			Self::rewatch(watch, &who);
		}
		let candidates =
			Self::watched_candidates(watch, usize::try_from(limit).unwrap_or(usize::MAX));
		let assessed = u32::try_from(candidates.len()).unwrap_or(u32::MAX);
		let mut liquidatable: Vec<(T::AccountId, MarketId)> = Vec::new();
		let mut largest: Option<(T::AccountId, Option<MarketId>)> = None;
		for (who, market) in candidates {
			let Some(stored) = Positions::<T>::get(&who, market) else {
				watch.place(&who, market, None);
				continue;
			};
			let (target, info) = if stored.isolated {
				(market, stored)
			} else {
				let Some(target) = Self::largest_cached(&who, &mut largest) else { continue };
				let Some(info) = Positions::<T>::get(&who, target) else { continue };
				(target, info)
			};
			let position = (who, target);
			if !liquidatable.contains(&position)
				&& Self::candidate_below_maintenance(&position.0, target, info)
			{
				liquidatable.push(position);
			}
		}
		(liquidatable, assessed)
	}

	/// Whether `converge` of `market` would pass its checks now.
	fn converge_allowed(market_id: MarketId, market: &MarketOf<T>) -> bool {
		Self::fresh_index(market)
			.is_some_and(|index| Self::convergence_due(market_id, market, index).unwrap_or(false))
	}

	/// Runs `dispatch` and rolls back whatever it wrote; `true` if it would succeed. The one
	/// test behind every authorisation: what is admitted for free is exactly what works.
	fn would_succeed<R, E>(dispatch: impl FnOnce() -> Result<R, E>) -> bool {
		with_transaction(|| {
			TransactionOutcome::Rollback(Ok::<bool, DispatchError>(dispatch().is_ok()))
		})
		.unwrap_or(false)
	}

	/// Authorises an unsigned `settle_funding` that would succeed now; one per market and
	/// period.
	pub(crate) fn authorize_settle_funding(
		_source: TransactionSource,
		market: &MarketId,
	) -> TransactionValidityWithRefund {
		let Ok(stored) = Self::market(*market) else {
			return Err(InvalidTransaction::Custom(NOT_DUE).into());
		};
		if !Self::would_succeed(|| Self::do_settle_funding(*market)) {
			return Err(InvalidTransaction::Custom(NOT_DUE).into());
		}
		Self::maintenance_validity("PerpFunding", (market, stored.last_funding_time).encode())
	}

	/// Authorises an unsigned `converge` that would succeed now; one per market and
	/// divergence.
	pub(crate) fn authorize_converge(
		_source: TransactionSource,
		market: &MarketId,
	) -> TransactionValidityWithRefund {
		let Ok(stored) = Self::market(*market) else {
			return Err(InvalidTransaction::Custom(NOT_DUE).into());
		};
		if !Self::would_succeed(|| Self::do_converge(*market, false)) {
			return Err(InvalidTransaction::Custom(NOT_DUE).into());
		}
		Self::maintenance_validity("PerpConvergence", (market, stored.divergence_since).encode())
	}

	/// Authorises an unsigned `remap_positions` that would succeed now: every listed position
	/// is stale (or, with none listed, the migration only awaits its settlement). Tagged by
	/// the batch, so identical batches from several validators collapse.
	pub(crate) fn authorize_remap(
		_source: TransactionSource,
		market: &MarketId,
		accounts: &BoundedVec<T::AccountId, T::MaxRemapsPerCall>,
	) -> TransactionValidityWithRefund {
		let Ok(stored) = Self::market(*market) else {
			return Err(InvalidTransaction::Custom(NOTHING_TO_REMAP).into());
		};
		if !Self::would_succeed(|| Self::do_remap_positions(*market, accounts)) {
			return Err(InvalidTransaction::Custom(NOTHING_TO_REMAP).into());
		}
		Self::maintenance_validity(
			"PerpRemap",
			(market, stored.liquidity_version, accounts).encode(),
		)
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

	/// Examines up to `limit` positions after the raw storage key `start_after` (empty: from
	/// the beginning of the map), wrapping around to the beginning of the map at its end, but
	/// never past `start_after` again.
	///
	/// Only an account's largest cross requirement can be liquidated, and an account's
	/// positions are adjacent in the map, so the scan finds that market once per account and
	/// assesses only it: the cost per position stays flat however many cross positions an
	/// account holds (one valuation of the account, not one per position).
	///
	/// It also collects every scanned position stored before its market's last liquidity
	/// migration, for `remap_positions` (in batches of `MaxRemapsPerCall`), so one sweep of
	/// the map remaps them all.
	pub fn scan_positions(start_after: Vec<u8>, limit: u32) -> ScanResult<T::AccountId> {
		let start_after = if start_after.is_empty() {
			Positions::<T>::final_prefix().to_vec()
		} else {
			start_after
		};
		let mut result = ScanResult {
			liquidatable: Vec::new(),
			watched: 0,
			stale: BTreeMap::new(),
			scanned: 0,
			examined: Vec::new(),
			resume_after: start_after.clone(),
		};
		let mut positions = Positions::<T>::iter_from(start_after.clone());
		let mut wrapped = false;
		let mut largest: Option<(T::AccountId, Option<MarketId>)> = None;
		let mut versions: BTreeMap<MarketId, Option<u32>> = BTreeMap::new();
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
			result.examined.push((who.clone(), market));
			let version = *versions.entry(market).or_insert_with(|| {
				Markets::<T>::get(market).map(|stored| stored.liquidity_version)
			});
			if version.is_some_and(|version| version != info.liquidity_version) {
				result.stale.entry(market).or_default().push(who.clone());
			}
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
		Self::market(market_id)
			.and_then(|market| {
				let info = Self::current_position(&market, stored)?;
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

	/// Authorises an unsigned `liquidate` (see the module docs).
	pub(crate) fn authorize_liquidation(
		_source: TransactionSource,
		account: &T::AccountId,
		market: &MarketId,
	) -> TransactionValidityWithRefund {
		if Self::liquidation_budget_spent() {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		if !Self::would_succeed(|| Self::liquidate_call(account, *market, Liquidator::BlockAuthor))
		{
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
