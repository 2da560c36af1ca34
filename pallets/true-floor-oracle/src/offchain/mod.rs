//! The offchain worker: read every collection's sales, keep its floor, feed the oracle.
//!
//! Offchain storage (persistent, this node only, never on chain):
//! - [`endpoint_key`]`(source)`: the URL (raw UTF-8) the node reads `source` from, written by
//!   the node's `--oracle-endpoint` flag or `offchain_localStorageSet`;
//! - [`api_key_key`]`(source)`: the node's API key for `source` (raw UTF-8, empty for none),
//!   written by `--oracle-api-key`; sent in the source's header, never logged;
//! - [`cursor_key`]`(collection, source)`: where that source stands ([`Cursor`], SCALE);
//! - [`health_key`]`(collection, source)`: the source's last outcome, so the log reports
//!   changes (a source going down or coming back) rather than every run;
//! - [`state_key`]`(collection)`: the collection's [`FloorTrack`] (SCALE).
//!
//! Each run (validators with an operator key only, under a storage lock) builds a [`Task`]
//! per configured source of every collection and runs them together ([`run_tasks`]): every
//! task's requests are in flight at once (identical ones sent once), each task's next
//! request goes out as soon as the previous one is answered, and all share one deadline,
//! [`RUN_BUDGET`] after the run began, well inside a feed's validity (`FeedLongevity`
//! blocks). A source that did not answer in time is skipped for that run; the others are not
//! held up by it. The sales are ingested in time order, and the floors that moved or
//! whose heartbeat passed are evaluated at that moment, after the fetching, and submitted in
//! one signed [`FloorFeed`] dated at the block the worker runs on.

pub mod http;
pub mod sources;

pub use http::{FetchError, HttpRequest, OffchainHttp, Reply, Transport};
pub use sources::{Cursor, Task};

use crate::{
	feed_payload,
	pallet::{Call, Collections, Config, FeedOf, Floors, Pallet},
	types::{CollectionConfig, FloorFeed, Source},
};
use alloc::{string::String, vec::Vec};
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::traits::Contains,
	frame_system::{self, offchain::SubmitTransaction, pallet_prelude::BlockNumberFor},
	sp_io,
	sp_runtime::{
		offchain::{
			storage::StorageValueRef,
			storage_lock::{BlockAndTime, StorageLock},
			Duration, StorageKind,
		},
		traits::Convert,
		RuntimeAppPublic,
	},
};
use true_floor::{FloorParams, FloorState, Sale};

/// The time budget of a run's requests: well inside a feed's validity window
/// (`FeedLongevity` blocks of 6 s), so a hanging endpoint never makes a feed stale.
pub const RUN_BUDGET: Duration = Duration::from_millis(8_000);
/// Requests one task makes per run at most (pages, or head, logs and receipts); the budget
/// binds first on slow endpoints.
pub const MAX_REQUESTS: u32 = 8;
/// A stuck worker's lock expires after this long.
const LOCK_MILLIS: u64 = 20_000;
const LOCK_KEY: &[u8] = b"floorperp::true-floor::lock";
/// The health code of a source that answered.
const HEALTHY: u32 = 0;
/// The health code of a source the node has no endpoint for.
const NO_ENDPOINT: u32 = 7;

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

/// Offchain key under `prefix` for `parts`.
fn key(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
	let mut key = [b"floorperp::true-floor::".as_slice(), prefix].concat();
	for part in parts {
		key.extend_from_slice(part);
	}
	key
}

/// Offchain key of `source`'s URL.
pub fn endpoint_key(source: Source) -> Vec<u8> {
	key(b"endpoint::", &[source.name().as_bytes()])
}

/// Offchain key of the node's API key for `source`.
pub fn api_key_key(source: Source) -> Vec<u8> {
	key(b"api-key::", &[source.name().as_bytes()])
}

/// Offchain key of where `source` stands for `collection`.
pub fn cursor_key<K: Encode>(collection: &K, source: Source) -> Vec<u8> {
	key(b"cursor::", &[&collection.encode(), source.name().as_bytes()])
}

/// Offchain key of `source`'s last outcome for `collection`.
pub fn health_key<K: Encode>(collection: &K, source: Source) -> Vec<u8> {
	key(b"health::", &[&collection.encode(), source.name().as_bytes()])
}

/// Offchain key of `collection`'s [`FloorTrack`].
pub fn state_key<K: Encode>(collection: &K) -> Vec<u8> {
	key(b"state::", &[&collection.encode()])
}

/// A UTF-8 value this node keeps in persistent offchain storage.
fn local_text(key: &[u8]) -> Option<String> {
	let bytes = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, key)?;
	String::from_utf8(bytes).ok()
}

/// Runs `tasks` until each is done, has made [`MAX_REQUESTS`] requests, or `deadline` (unix
/// ms) passes: a task's next request goes out as soon as its previous one is answered, every
/// task's requests are in flight together, and identical requests are sent once. A task
/// whose request is unanswered at the deadline stops with [`FetchError::Timeout`].
pub fn run_tasks<K, Tr: Transport>(tasks: &mut [Task<K>], transport: &mut Tr, deadline: u64) {
	// Each request in flight and the tasks waiting for it.
	let mut in_flight: Vec<(u16, HttpRequest, Vec<usize>)> = Vec::new();
	let mut waiting = alloc::vec![false; tasks.len()];
	loop {
		for (index, task) in tasks.iter_mut().enumerate() {
			let idle = !waiting.get(index).copied().unwrap_or(true);
			let Some(request) = task.request().filter(|_| idle && task.requests < MAX_REQUESTS)
			else {
				continue;
			};
			if let Some((_, _, waiters)) =
				in_flight.iter_mut().find(|(_, known, _)| *known == request)
			{
				waiters.push(index);
			} else {
				match transport.start(&request, deadline) {
					Ok(id) => in_flight.push((id, request, alloc::vec![index])),
					Err(error) => {
						task.answer(Err(error));
						continue;
					},
				}
			}
			if let Some(flag) = waiting.get_mut(index) {
				*flag = true;
			}
		}
		if in_flight.is_empty() || transport.now() >= deadline {
			break;
		}
		let ids: Vec<u16> = in_flight.iter().map(|(id, _, _)| *id).collect();
		for (id, reply) in transport.wait(&ids, deadline) {
			let Some(position) = in_flight.iter().position(|(known, _, _)| *known == id) else {
				continue;
			};
			let (_, _, waiters) = in_flight.swap_remove(position);
			for index in waiters {
				if let Some(task) = tasks.get_mut(index) {
					task.answer(reply.clone());
				}
				if let Some(flag) = waiting.get_mut(index) {
					*flag = false;
				}
			}
		}
	}
	for (_, _, waiters) in in_flight {
		for index in waiters {
			if let Some(task) = tasks.get_mut(index) {
				task.answer(Err(FetchError::Timeout));
			}
		}
	}
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
		Self::run_with(&mut OffchainHttp::default(), operator, block);
	}

	/// One run with `transport`, feeding as `operator` at `block`.
	pub fn run_with<Tr: Transport>(
		transport: &mut Tr,
		operator: T::OperatorId,
		block: BlockNumberFor<T>,
	) {
		let started = transport.now();
		let deadline = http::deadline_after(started, RUN_BUDGET);
		let mut collections: Vec<(T::CollectionKey, FloorTrack)> = Vec::new();
		let mut tasks = Vec::new();
		for (collection, config) in Collections::<T>::iter() {
			// Parameters are validated when configured, so a fresh state always exists.
			let Some(track) = Self::load_track(&collection, &config.params) else { continue };
			tasks.extend(Self::tasks(collection, &config, started / 1_000));
			collections.push((collection, track));
		}
		run_tasks(&mut tasks, transport, deadline);
		for task in &tasks {
			Self::note_health(
				&task.collection,
				task.source,
				task.error.map_or(HEALTHY, FetchError::code),
				task.error,
			);
			StorageValueRef::persistent(&cursor_key(&task.collection, task.source))
				.set(&task.cursor);
		}
		// Dated at submission: the floors as of now, after the fetching.
		let now = transport.now() / 1_000;
		let mut floors = Vec::new();
		for (collection, track) in collections.iter_mut() {
			let mut sales: Vec<Sale> = tasks
				.iter()
				.filter(|task| task.collection == *collection)
				.flat_map(|task| task.sales.iter().copied())
				.collect();
			sales.sort_by_key(|sale| sale.timestamp);
			for sale in &sales {
				track.state.ingest(sale);
			}
			if let Some(floor) = track.state.floor_at(now) {
				if track.state.should_publish(now, track.last_published) {
					floors.push((*collection, floor));
				}
			}
		}
		let published = !floors.is_empty() && Self::submit_feed(operator, block, &floors).is_ok();
		for (collection, mut track) in collections {
			if published {
				if let Some((_, floor)) = floors.iter().find(|(key, _)| *key == collection) {
					track.last_published = Some((*floor, now));
				}
			}
			StorageValueRef::persistent(&state_key(&collection)).set(&track);
		}
		log::debug!(
			target: "runtime::true-floor",
			"run: {} tasks, {} requests, {} sales, {} floors published in {} ms",
			tasks.len(),
			tasks.iter().map(|task| task.requests).sum::<u32>(),
			tasks.iter().map(|task| task.sales.len()).sum::<usize>(),
			if published { floors.len() } else { 0 },
			transport.now().saturating_sub(started),
		);
	}

	/// A task per source of `collection` the node has an endpoint for.
	fn tasks(
		collection: T::CollectionKey,
		config: &CollectionConfig,
		now: u64,
	) -> Vec<Task<T::CollectionKey>> {
		let mut tasks = Vec::new();
		for source in config.sources.iter().copied() {
			let Some(base) = local_text(&endpoint_key(source)).filter(|url| !url.is_empty()) else {
				Self::note_health(&collection, source, NO_ENDPOINT, None);
				continue;
			};
			let cursor_storage_key = cursor_key(&collection, source);
			let cursor =
				StorageValueRef::persistent(&cursor_storage_key).get::<Cursor>().ok().flatten();
			let api_key = local_text(&api_key_key(source));
			tasks.push(Task::new(collection, source, config, base, api_key, cursor, now));
		}
		tasks
	}

	/// Records `source`'s outcome for `collection` and logs it when it changed: a warning
	/// when a source goes down (or has no endpoint), a notice when it is back.
	fn note_health(
		collection: &T::CollectionKey,
		source: Source,
		code: u32,
		error: Option<FetchError>,
	) {
		let health_storage_key = health_key(collection, source);
		let stored = StorageValueRef::persistent(&health_storage_key);
		let previous = stored.get::<u32>().ok().flatten();
		if previous == Some(code) {
			return;
		}
		stored.set(&code);
		let name = source.name();
		match (code, error) {
			(HEALTHY, _) if previous.is_some() => log::info!(
				target: "runtime::true-floor",
				"{name} is answering again (collection {collection:?})"
			),
			(NO_ENDPOINT, _) => log::warn!(
				target: "runtime::true-floor",
				"collection {collection:?} is configured to read {name}, but this node has no endpoint for it (--oracle-endpoint {name}=URL)"
			),
			(_, Some(error)) => log::warn!(
				target: "runtime::true-floor",
				"{name} is down for collection {collection:?}: {} ({error:?}); skipped until it answers",
				error.describe()
			),
			_ => {},
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

	fn submit_feed(
		operator: T::OperatorId,
		block: BlockNumberFor<T>,
		floors: &[(T::CollectionKey, u128)],
	) -> Result<(), ()> {
		let floors = Floors::<T>::try_from(floors.to_vec()).map_err(|_| ())?;
		let feed: FeedOf<T> = FloorFeed { operator: operator.clone(), block, floors };
		let signature = operator.sign(&feed_payload::<T>(&feed)).ok_or(())?;
		let call = Call::<T>::submit_floors { feed, signature };
		let transaction = T::create_authorized_transaction(call.into());
		SubmitTransaction::<T, Call<T>>::submit_transaction(transaction)
	}
}
