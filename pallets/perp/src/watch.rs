//! The liquidation watch list (docs/liquidation.md#the-watch-list): each validator's offchain
//! worker keeps the open positions ordered by liquidation price, so a price move finds the
//! positions it made liquidatable at once instead of waiting for the sweep to reach them.
//!
//! The list lives in the validator's **persistent offchain storage**, not in chain state: it is
//! a keeper's private index, so traders pay no weight and the chain no storage for it. It is a
//! hint, never trusted: every candidate is assessed against the chain state before it is
//! submitted, and authorisation dry-runs the liquidation again. What keeps it current:
//! - **Every block's events.** Each run re-places every position of each account that a
//!   `Deposited`, `Withdrawn`, `PositionChanged`, `MarginAdded`, `MarginRemoved` or
//!   `PositionLiquidated` event of the block names (a cross account's positions all move when
//!   one of them or its collateral does).
//! - **The sweep.** Every position the linear sweep examines is re-placed, so a position whose
//!   liquidation price drifted without an event (funding, a cross account's other markets, a
//!   liquidity migration, a block whose worker did not run) is corrected within one sweep of
//!   the position set, and a fresh validator's list is complete after its first sweep.
//! - **Slack.** The list is read down to [`SLACK_PERCENT`] beyond the mark, so positions whose
//!   liquidation price drifted towards the mark since they were placed are still found.
//!
//! ## Layout
//! A position's slot is its side and a *rank*: 0 for "liquidatable at any mark", then one rank
//! per [`bucket`] of liquidation price, most urgent first (a long's highest price first, a
//! short's lowest first). A position that no mark on the curve can liquidate (a long backed
//! beyond its cost) is not listed. Per market and side, the store holds the sorted ranks in
//! use (the directory), each rank's accounts, and each listed position's slot, so moving a
//! position reads and writes three small values.

use crate::{
	collateral::Valuation,
	pallet::{Config, Event, Markets, Pallet, Positions},
	types::MarketId,
};
use alloc::{
	collections::{btree_map::BTreeMap, btree_set::BTreeSet},
	vec::Vec,
};
use codec::{Decode, Encode};
use perp_math::LiquidationPrice;
use polkadot_sdk::{frame_system, sp_io, sp_runtime::offchain::StorageKind};

/// How far beyond the mark, in percent of it, the list is read: a long is a candidate while
/// its listed liquidation price is at least `mark · (1 − 2 %)`, a short while its price is at
/// most `mark · (1 + 2 %)`. Funding moves a 5x position's liquidation price by about its
/// funding rate times 5 per period, so 2 % covers several periods of drift between two sweeps.
pub const SLACK_PERCENT: u128 = 2;

/// The highest [`bucket`].
const MAX_BUCKET: u16 = (127 << 8) | 0xff;

/// Prefix of every key of the list in offchain storage.
const PREFIX: &[u8] = b"floorperp::perp::watch::";

/// A price's bucket: its binary exponent and the 8 bits below its leading one, so buckets are
/// monotone in the price and each is 1/256 of an octave (0.27 % to 0.39 % of the price) wide.
pub fn bucket(price: u128) -> u16 {
	let Some(exponent) = price.checked_ilog2() else { return 0 };
	let mantissa = match exponent.checked_sub(8) {
		Some(shift) => price.checked_shr(shift),
		None => price.checked_shl(8u32.saturating_sub(exponent)),
	}
	.unwrap_or(0);
	// exponent ≤ 127, so the shifted exponent and the masked mantissa fit in 15 bits.
	let exponent = u16::try_from(exponent).unwrap_or(127);
	let mantissa = u16::try_from(mantissa & 0xff).unwrap_or(0);
	exponent.checked_shl(8).unwrap_or(0) | mantissa
}

/// Where a position sits on the list.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Slot {
	/// Short positions are listed apart from longs.
	pub short: bool,
	/// 0: liquidatable at any mark; then by liquidation price, most urgent first.
	pub rank: u16,
}

impl Slot {
	/// The slot of a position of this side with this liquidation price; `None` when no mark
	/// makes it liquidatable.
	pub fn of(short: bool, price: LiquidationPrice) -> Option<Self> {
		let rank = match price {
			LiquidationPrice::Never => return None,
			LiquidationPrice::Always => 0,
			LiquidationPrice::At(price) if short => bucket(price).saturating_add(1),
			LiquidationPrice::At(price) => {
				MAX_BUCKET.saturating_sub(bucket(price)).saturating_add(1)
			},
		};
		Some(Self { short, rank })
	}
}

/// The highest rank on `short`'s side that the mark, with the slack, has reached: every
/// position that is liquidatable on the curve at `mark` has a rank at most this.
pub fn reach(short: bool, mark: u128) -> u16 {
	let slack = (mark / 100).saturating_mul(SLACK_PERCENT);
	let widened = if short { mark.saturating_add(slack) } else { mark.saturating_sub(slack) };
	Slot::of(short, LiquidationPrice::At(widened.max(1))).map_or(0, |slot| slot.rank)
}

/// Key-value storage the list is kept in.
pub trait WatchStore {
	/// The value at `key`.
	fn get(&self, key: &[u8]) -> Option<Vec<u8>>;
	/// Sets `key`.
	fn set(&mut self, key: &[u8], value: &[u8]);
	/// Removes `key`.
	fn clear(&mut self, key: &[u8]);
}

/// The validator's persistent offchain storage: local to the node and not fork-aware, which
/// is enough for a hint (see the module docs).
pub struct OffchainStore;

impl WatchStore for OffchainStore {
	fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
		sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, key)
	}
	fn set(&mut self, key: &[u8], value: &[u8]) {
		sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, key, value)
	}
	fn clear(&mut self, key: &[u8]) {
		sp_io::offchain::local_storage_clear(StorageKind::PERSISTENT, key)
	}
}

/// In memory: for whatever plays several validators in one process (measurements, tests).
impl WatchStore for BTreeMap<Vec<u8>, Vec<u8>> {
	fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
		BTreeMap::get(self, key).cloned()
	}
	fn set(&mut self, key: &[u8], value: &[u8]) {
		self.insert(key.to_vec(), value.to_vec());
	}
	fn clear(&mut self, key: &[u8]) {
		self.remove(key);
	}
}

/// The list, over a store.
pub struct Watch<S>(pub S);

/// A list in memory.
pub type MemoryWatch = Watch<BTreeMap<Vec<u8>, Vec<u8>>>;

impl MemoryWatch {
	/// An empty list in memory.
	pub fn in_memory() -> Self {
		Watch(BTreeMap::new())
	}
}

fn key(kind: &[u8], parts: impl Encode) -> Vec<u8> {
	let mut key = [PREFIX, kind].concat();
	parts.encode_to(&mut key);
	key
}

impl<S: WatchStore> Watch<S> {
	fn read<V: Decode>(&self, key: &[u8]) -> Option<V> {
		self.0.get(key).and_then(|bytes| V::decode(&mut &bytes[..]).ok())
	}

	/// Where `who`'s position in `market` is listed.
	pub fn slot<A: Encode>(&self, who: &A, market: MarketId) -> Option<Slot> {
		self.read(&key(b"slot", (who, market)))
	}

	/// Lists `who`'s position in `market` at `slot`, or takes it off with `None`.
	pub fn place<A: Encode + Decode + PartialEq + Clone>(
		&mut self,
		who: &A,
		market: MarketId,
		slot: Option<Slot>,
	) {
		let slot_key = key(b"slot", (who, market));
		let old: Option<Slot> = self.read(&slot_key);
		if old == slot {
			return;
		}
		if let Some(old) = old {
			self.take_out(who, market, old);
		}
		match slot {
			Some(new) => {
				self.put_in(who, market, new);
				self.0.set(&slot_key, &new.encode());
			},
			None => self.0.clear(&slot_key),
		}
	}

	fn take_out<A: Encode + Decode + PartialEq>(&mut self, who: &A, market: MarketId, slot: Slot) {
		let rank_key = key(b"rank", (market, slot.short, slot.rank));
		let mut accounts: Vec<A> = self.read(&rank_key).unwrap_or_default();
		accounts.retain(|account| account != who);
		if !accounts.is_empty() {
			self.0.set(&rank_key, &accounts.encode());
			return;
		}
		self.0.clear(&rank_key);
		let directory_key = key(b"directory", (market, slot.short));
		let mut ranks: Vec<u16> = self.read(&directory_key).unwrap_or_default();
		if let Ok(at) = ranks.binary_search(&slot.rank) {
			ranks.remove(at);
			self.0.set(&directory_key, &ranks.encode());
		}
	}

	fn put_in<A: Encode + Decode + Clone>(&mut self, who: &A, market: MarketId, slot: Slot) {
		let rank_key = key(b"rank", (market, slot.short, slot.rank));
		let mut accounts: Vec<A> = self.read(&rank_key).unwrap_or_default();
		if accounts.is_empty() {
			let directory_key = key(b"directory", (market, slot.short));
			let mut ranks: Vec<u16> = self.read(&directory_key).unwrap_or_default();
			if let Err(at) = ranks.binary_search(&slot.rank) {
				ranks.insert(at, slot.rank);
				self.0.set(&directory_key, &ranks.encode());
			}
		}
		accounts.push(who.clone());
		self.0.set(&rank_key, &accounts.encode());
	}

	/// Up to `limit` accounts listed in `market` on `short`'s side with a rank at most
	/// `reach`, most urgent first.
	pub fn within<A: Decode>(
		&self,
		market: MarketId,
		short: bool,
		reach: u16,
		limit: usize,
	) -> Vec<A> {
		let ranks: Vec<u16> = self.read(&key(b"directory", (market, short))).unwrap_or_default();
		let mut found = Vec::new();
		for rank in ranks.into_iter().take_while(|rank| *rank <= reach) {
			let accounts: Vec<A> =
				self.read(&key(b"rank", (market, short, rank))).unwrap_or_default();
			for account in accounts {
				if found.len() >= limit {
					return found;
				}
				found.push(account);
			}
		}
		found
	}
}

impl<T: Config> Pallet<T> {
	/// Where `who`'s position in `market_id` belongs on the list now, from its liquidation
	/// price on the curve (what `PerpApi` reports); `None` without a position or when no mark
	/// can liquidate it. A position that cannot be valued is listed as liquidatable at any
	/// mark, so the worker assesses it rather than forgetting it.
	pub(crate) fn watch_slot(who: &T::AccountId, market_id: MarketId) -> Option<Slot> {
		let stored = Positions::<T>::get(who, market_id)?;
		let short = stored.position.size < 0;
		let always = Some(Slot { short, rank: 0 });
		let Ok(market) = Self::market(market_id) else { return always };
		let Ok(info) = Self::current_position(&market, stored) else { return always };
		let Ok(risk) = Self::position_risk(who, market_id, &info, &market, Valuation::Curve) else {
			return always;
		};
		match crate::api::liquidation_price_of::<T>(
			&market,
			&info,
			risk.base_equity,
			risk.other_notional,
		) {
			Ok(price) => Slot::of(short, price),
			Err(_) => always,
		}
	}

	/// Re-places every position of `who`, in every market.
	pub(crate) fn rewatch<S: WatchStore>(watch: &mut Watch<S>, who: &T::AccountId) {
		for market_id in Markets::<T>::iter_keys() {
			watch.place(who, market_id, Self::watch_slot(who, market_id));
		}
	}

	/// Accounts whose positions or collateral this block's events changed.
	pub(crate) fn touched_accounts() -> BTreeSet<T::AccountId> {
		frame_system::Pallet::<T>::read_events_for_pallet::<Event<T>>()
			.into_iter()
			.filter_map(|event| match event {
				Event::Deposited { who, .. }
				| Event::Withdrawn { who, .. }
				| Event::PositionChanged { who, .. }
				| Event::MarginAdded { who, .. }
				| Event::MarginRemoved { who, .. }
				| Event::PositionLiquidated { who, .. } => Some(who),
				_ => None,
			})
			.collect()
	}

	/// Up to `limit` listed positions, in every market, that the mark has reached (with the
	/// slack), most urgent first within each market and side.
	pub(crate) fn watched_candidates<S: WatchStore>(
		watch: &Watch<S>,
		limit: usize,
	) -> Vec<(T::AccountId, MarketId)> {
		let mut candidates = Vec::new();
		for (market_id, market) in Markets::<T>::iter() {
			let Ok(mark) = market.reserves.mark_price() else { continue };
			for short in [false, true] {
				let room = limit.saturating_sub(candidates.len());
				let found =
					watch.within::<T::AccountId>(market_id, short, reach(short, mark), room);
				candidates.extend(found.into_iter().map(|who| (who, market_id)));
			}
		}
		candidates
	}
}
