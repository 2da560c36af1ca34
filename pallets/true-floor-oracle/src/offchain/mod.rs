//! The offchain worker: poll marketplaces, keep each collection's floor, feed the oracle.
//!
//! Offchain storage (persistent, this node only):
//! - [`endpoint_key`]`(source)`: the base URL (raw UTF-8) the operator fetches `source`
//!   from, written by the node's `--oracle-endpoint` flag or `offchain_localStorageSet`;
//! - [`cursor_key`]`(collection, source)`: the latest sale time (unix seconds, SCALE `u64`)
//!   seen from that source; the next poll asks for sales from then on (inclusive: the floor
//!   state drops a sale it has seen, so a repeated second costs nothing);
//! - [`state_key`]`(collection)`: the collection's [`FloorTrack`] (SCALE).
//!
//! Each run (validators with an operator key only, under a storage lock) polls every
//! configured source of every collection (at most [`MAX_PAGES`] pages of up to
//! [`PAGE_LIMIT`] sales, each request with a [`HTTP_TIMEOUT_MS`] deadline), ingests the
//! sales, and publishes the floors that moved or whose heartbeat passed in one signed
//! [`FloorFeed`]. A failed request, a non-200 status or an unparsable body skips that source
//! for this run; the cursor only moves past sales that were ingested.

use crate::{
	pallet::{Call, Collections, Config, FeedOf, Floors, Pallet},
	types::{CollectionConfig, FloorFeed, Source},
};
use alloc::{format, string::String, vec::Vec};
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::traits::Contains,
	frame_system::{self, offchain::SubmitTransaction, pallet_prelude::BlockNumberFor},
	sp_io,
	sp_runtime::{
		offchain::{
			http,
			storage::StorageValueRef,
			storage_lock::{BlockAndTime, StorageLock},
			Duration, StorageKind,
		},
		traits::Convert,
		RuntimeAppPublic,
	},
};
use true_floor::{FloorParams, FloorState, Sale};

/// Sales asked for per request.
pub const PAGE_LIMIT: u32 = 50;
/// Pages followed per source per run.
pub const MAX_PAGES: u32 = 4;
/// Deadline of one HTTP request.
pub const HTTP_TIMEOUT_MS: u64 = 3_000;
/// A stuck worker's lock expires after this long.
const LOCK_MILLIS: u64 = 20_000;
const LOCK_KEY: &[u8] = b"floorperp::true-floor::lock";

/// What the worker remembers of a collection between runs.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct FloorTrack {
	/// The floor algorithm's memory.
	pub state: FloorState,
	/// The last floor this node published, and when (unix seconds).
	pub last_published: Option<(u128, u64)>,
}

impl FloorTrack {
	fn new(params: FloorParams) -> Option<Self> {
		Some(Self { state: FloorState::new(params).ok()?, last_published: None })
	}
}

/// Why a source was skipped this run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FetchError {
	/// The request could not be sent or failed.
	Io,
	/// No response before the deadline.
	Timeout,
	/// A status other than 200.
	Status(u16),
	/// The body did not parse as the source's format.
	Unparsable,
}

/// Offchain key of `source`'s base URL.
pub fn endpoint_key(source: Source) -> Vec<u8> {
	[b"floorperp::true-floor::endpoint::".as_slice(), source.name().as_bytes()].concat()
}

/// Offchain key of the cursor of `collection` at `source`.
pub fn cursor_key<K: Encode>(collection: &K, source: Source) -> Vec<u8> {
	let mut key = b"floorperp::true-floor::cursor::".to_vec();
	key.extend(collection.encode());
	key.extend(source.name().as_bytes());
	key
}

/// Offchain key of `collection`'s [`FloorTrack`].
pub fn state_key<K: Encode>(collection: &K) -> Vec<u8> {
	let mut key = b"floorperp::true-floor::state::".to_vec();
	key.extend(collection.encode());
	key
}

/// The request URL of one page: sales of the collection from `after` (unix seconds) on,
/// oldest first, or the page `cursor` names. The paths and parameters are the marketplaces'
/// own (and `tools/marketplace-replay` serves them).
pub fn page_url(
	base: &str,
	source: Source,
	config: &CollectionConfig,
	after: u64,
	cursor: Option<&str>,
) -> String {
	let base = base.trim_end_matches('/');
	let contract = hex_address(&config.contract);
	let slug = String::from_utf8_lossy(&config.slug);
	let (mut url, cursor_param) = match source {
		Source::OpenSeaV2 => (
			format!(
				"{base}/api/v2/events/collection/{slug}?event_type=sale&after={after}&limit={PAGE_LIMIT}"
			),
			"next",
		),
		Source::OpenSeaV1 => (
			format!(
				"{base}/api/v1/events?asset_contract_address={contract}&event_type=successful&occurred_after={after}&limit={PAGE_LIMIT}"
			),
			"cursor",
		),
		Source::LooksRare => (
			format!(
				"{base}/api/v1/events?collection={contract}&type=SALE&from={after}&pagination%5Bfirst%5D={PAGE_LIMIT}"
			),
			"pagination%5Bcursor%5D",
		),
		Source::X2y2 => (
			format!(
				"{base}/v1/events?contract={contract}&type=sale&created_after={after}&limit={PAGE_LIMIT}"
			),
			"cursor",
		),
		Source::Reservoir => (
			format!(
				"{base}/sales/v6?collection={contract}&startTimestamp={after}&sortDirection=asc&limit={PAGE_LIMIT}"
			),
			"continuation",
		),
	};
	if let Some(cursor) = cursor {
		url.push_str(&format!("&{cursor_param}={}", url_escape(cursor)));
	}
	url
}

fn hex_address(address: &[u8; 20]) -> String {
	let mut text = String::from("0x");
	for byte in address {
		text.push_str(&format!("{byte:02x}"));
	}
	text
}

/// Percent-encodes everything but unreserved characters.
fn url_escape(text: &str) -> String {
	let mut escaped = String::new();
	for byte in text.bytes() {
		if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
			escaped.push(char::from(byte));
		} else {
			escaped.push_str(&format!("%{byte:02X}"));
		}
	}
	escaped
}

impl<T: Config> Pallet<T> {
	/// The offchain worker's run for `block` (see the module docs).
	pub(crate) fn run_offchain_worker(block: BlockNumberFor<T>) {
		if !sp_io::offchain::is_validator() {
			return;
		}
		let Some(operator) = Self::local_operator() else { return };
		let mut lock =
			StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
				LOCK_KEY,
				1,
				Duration::from_millis(LOCK_MILLIS),
			);
		let Ok(_guard) = lock.try_lock() else { return };
		let now = sp_io::offchain::timestamp().unix_millis() / 1_000;
		let mut floors = Vec::new();
		let mut tracks = Vec::new();
		for (collection, config) in Collections::<T>::iter() {
			// Parameters are validated when configured, so a fresh state always exists.
			let Some(mut track) = Self::load_track(&collection, &config.params) else { continue };
			for source in config.sources.iter().copied() {
				if let Err(error) = Self::poll_source(&collection, &config, source, &mut track) {
					log::debug!(target: "runtime::true-floor", "{}: {:?}", source.name(), error);
				}
			}
			if let Some(floor) = track.state.floor_at(now) {
				if track.state.should_publish(now, track.last_published) {
					floors.push((collection, floor));
				}
			}
			tracks.push((collection, track));
		}
		let published = !floors.is_empty() && Self::submit_feed(operator, block, &floors).is_ok();
		for (collection, mut track) in tracks {
			if published {
				if let Some((_, floor)) = floors.iter().find(|(key, _)| *key == collection) {
					track.last_published = Some((*floor, now));
				}
			}
			StorageValueRef::persistent(&state_key(&collection)).set(&track);
		}
	}

	/// The node's first operator key whose account is an oracle operator.
	fn local_operator() -> Option<T::OperatorId> {
		T::OperatorId::all()
			.into_iter()
			.find(|key| T::Operators::contains(&T::OperatorAccount::convert(key.clone())))
	}

	fn load_track(collection: &T::CollectionKey, params: &FloorParams) -> Option<FloorTrack> {
		let stored = StorageValueRef::persistent(&state_key(collection)).get::<FloorTrack>();
		match stored {
			Ok(Some(track)) if track.state.params() == params => Some(track),
			// New collection, changed parameters or unreadable state: start over.
			_ => FloorTrack::new(*params),
		}
	}

	/// Fetches and ingests up to [`MAX_PAGES`] pages of `source`; moves its cursor.
	pub fn poll_source(
		collection: &T::CollectionKey,
		config: &CollectionConfig,
		source: Source,
		track: &mut FloorTrack,
	) -> Result<u32, FetchError> {
		let Some(base) =
			sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &endpoint_key(source))
		else {
			return Ok(0);
		};
		let base = String::from_utf8_lossy(&base).into_owned();
		let cursor_storage_key = cursor_key(collection, source);
		let cursor_ref = StorageValueRef::persistent(&cursor_storage_key);
		let mut after = cursor_ref.get::<u64>().ok().flatten().unwrap_or(0);
		let mut page_cursor: Option<String> = None;
		let mut ingested = 0u32;
		for _ in 0..MAX_PAGES {
			let url = page_url(&base, source, config, after, page_cursor.as_deref());
			let body = fetch(&url)?;
			let page = source.parse(&body).map_err(|_| FetchError::Unparsable)?;
			let count = page.sales.len();
			ingest(&mut track.state, &page.sales, &mut after);
			ingested = ingested.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
			cursor_ref.set(&after);
			match page.cursor {
				Some(next) if count > 0 => page_cursor = Some(next),
				_ => break,
			}
		}
		Ok(ingested)
	}

	fn submit_feed(
		operator: T::OperatorId,
		block: BlockNumberFor<T>,
		floors: &[(T::CollectionKey, u128)],
	) -> Result<(), ()> {
		let floors = Floors::<T>::try_from(floors.to_vec()).map_err(|_| ())?;
		let feed: FeedOf<T> = FloorFeed { operator: operator.clone(), block, floors };
		let signature = operator.sign(&feed.encode()).ok_or(())?;
		let call = Call::<T>::submit_floors { feed, signature };
		let transaction = T::create_authorized_transaction(call.into());
		SubmitTransaction::<T, Call<T>>::submit_transaction(transaction)
	}
}

/// Ingests `sales` in order; `after` becomes the latest sale time seen.
fn ingest(state: &mut FloorState, sales: &[Sale], after: &mut u64) {
	for sale in sales {
		state.ingest(sale);
		*after = (*after).max(sale.timestamp);
	}
}

/// GET `url` with the [`HTTP_TIMEOUT_MS`] deadline; the body of a 200 response.
fn fetch(url: &str) -> Result<Vec<u8>, FetchError> {
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(HTTP_TIMEOUT_MS));
	let pending = http::Request::get(url).deadline(deadline).send().map_err(|_| FetchError::Io)?;
	let response =
		pending.try_wait(deadline).map_err(|_| FetchError::Timeout)?.map_err(|_| FetchError::Io)?;
	if response.code != 200 {
		return Err(FetchError::Status(response.code));
	}
	Ok(response.body().collect())
}
