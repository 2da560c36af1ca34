//! The offchain worker: with `TestOffchainExt` (the node's HTTP client API), the request it
//! makes (URL and API key header), the floor it computes, the genesis-bound feed it signs, its
//! cursor, and a misbehaving marketplace; with [`MockTransport`] (a simulated network and
//! clock), ten collections whose LooksRare endpoint never answers, and paging across runs.

use crate::{
	feed_payload,
	mock::*,
	offchain::{
		api_key_key, cursor_key, endpoint_key, health_key, state_key, Cursor, FetchError,
		FloorTrack, HttpRequest, RUN_BUDGET,
	},
	pallet::*,
	Source, KEY_TYPE,
};
use codec::Decode;
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		pallet_prelude::TransactionSource,
		traits::{Authorize, Hooks},
	},
	frame_system::RawOrigin,
	sp_core::offchain::{
		testing::{
			OffchainState, PendingRequest, PoolState, TestOffchainExt, TestTransactionPoolExt,
		},
		OffchainDbExt, OffchainWorkerExt, StorageKind, Timestamp, TransactionPoolExt,
	},
	sp_io,
	sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt},
	sp_runtime::{offchain::storage::StorageValueRef, RuntimeAppPublic},
};
use std::sync::Arc;
use true_floor::{parsers, FloorState};

const NOW_MS: u64 = 1_700_000_000_000;
const NOW: u64 = NOW_MS / 1_000;
const OPENSEA: &str = "http://opensea.test";
const LOOKSRARE: &str = "http://looksrare.test";
const KEY: &str = "the-node's-secret";

/// An OpenSea v2 events page of sales `(seconds before now, price in milli-ETH)` (distinct
/// tokens, parties and transactions, numbered from `first`), newest first, with `next`.
fn opensea_page(first: usize, sales: &[(u64, u128)], next: Option<&str>) -> Vec<u8> {
	let mut events: Vec<String> = sales
		.iter()
		.enumerate()
		.map(|(i, (ago, milli))| {
			let n = first + i;
			format!(
				r#"{{"event_type":"sale","chain":"ethereum","closing_date":{ts},"event_timestamp":{ts},"nft":{{"identifier":"{token}","contract":"0x{c}"}},"payment":{{"quantity":"{raw}","token_address":"0x{zero}","decimals":18,"symbol":"ETH"}},"seller":"0x{seller:040x}","buyer":"0x{buyer:040x}","quantity":1,"transaction":"0x{tx:064x}"}}"#,
				c = "11".repeat(20),
				zero = "00".repeat(20),
				token = 100 + n,
				seller = 0xa000 + n,
				buyer = 0xb000 + n,
				tx = 0xc000 + n,
				ts = NOW - ago,
				raw = milli * 10u128.pow(15),
			)
		})
		.collect();
	events.reverse();
	let next = next.map_or("null".to_string(), |next| format!("\"{next}\""));
	format!(r#"{{"asset_events":[{}],"next":{next}}}"#, events.join(",")).into_bytes()
}

struct Worker {
	ext: sp_io::TestExternalities,
	offchain: Arc<parking_lot::RwLock<OffchainState>>,
	pool: Arc<parking_lot::RwLock<PoolState>>,
}

/// A validator node with operator 0's key and `endpoints` (and an OpenSea API key), the
/// collections `collections` configured to read `sources`.
fn node(collections: &[u32], sources: &[Source], endpoints: &[(Source, &str)]) -> Worker {
	let mut ext = new_test_ext();
	let (offchain_ext, offchain) = TestOffchainExt::new();
	let (pool_ext, pool) = TestTransactionPoolExt::new();
	let keystore = MemoryKeystore::new();
	keystore.sr25519_generate_new(KEY_TYPE, Some("//Operator0")).unwrap();
	ext.register_extension(OffchainDbExt::new(offchain_ext.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain_ext));
	ext.register_extension(TransactionPoolExt::new(pool_ext));
	ext.register_extension(KeystoreExt::new(keystore));
	offchain.write().timestamp = Timestamp::from_unix_millis(NOW_MS);
	ext.execute_with(|| {
		for collection in collections {
			// Each collection its own slug and contract, so no two requests are the same.
			let mut config = config(sources);
			config.slug = format!("apes{collection}").into_bytes().try_into().unwrap();
			config.contract = [u8::try_from(*collection).unwrap(); 20];
			assert_ok!(TrueFloor::set_collection(RuntimeOrigin::root(), *collection, config));
		}
		for (source, url) in endpoints {
			let set = |key: &[u8], value: &[u8]| {
				sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, key, value)
			};
			set(&endpoint_key(*source), url.as_bytes());
			set(&api_key_key(*source), KEY.as_bytes());
		}
	});
	Worker { ext, offchain, pool }
}

fn worker() -> Worker {
	node(&[COLLECTION], &[Source::OpenSeaV2], &[(Source::OpenSeaV2, OPENSEA)])
}

/// The first page's URL: a day of history, then from the newest sale seen.
fn opensea_url(after: u64, next: Option<&str>) -> String {
	let mut url = format!(
		"{OPENSEA}/api/v2/events/collection/apes{COLLECTION}?event_type=sale&after={after}&limit=50"
	);
	if let Some(next) = next {
		url.push_str(&format!("&next={next}"));
	}
	url
}

fn expect_get(worker: &Worker, url: String, body: Vec<u8>) {
	worker.offchain.write().expect_request(PendingRequest {
		method: "GET".into(),
		uri: url,
		headers: vec![("x-api-key".into(), KEY.into())],
		response: Some(body),
		sent: true,
		..Default::default()
	});
}

fn track() -> FloorTrack {
	let key = state_key(&COLLECTION);
	StorageValueRef::persistent(&key).get::<FloorTrack>().unwrap().unwrap()
}

fn cursor(collection: u32, source: Source) -> Option<Cursor> {
	let key = cursor_key(&collection, source);
	StorageValueRef::persistent(&key).get::<Cursor>().unwrap()
}

const SALES: [(u64, u128); 4] = [(600, 10_000), (480, 10_200), (360, 9_800), (240, 10_100)];

#[test]
fn a_poll_with_the_api_key_produces_one_genesis_bound_feed_of_the_computed_floor() {
	let mut worker = worker();
	expect_get(&worker, opensea_url(NOW - 86_400, None), opensea_page(0, &SALES, None));
	worker.ext.execute_with(|| {
		TrueFloor::offchain_worker(1);

		// The floor is what the algorithm computes from those sales at the worker's time.
		let mut expected = FloorState::new(quick_params()).unwrap();
		let mut sales = parsers::opensea_v2::parse(&opensea_page(0, &SALES, None)).unwrap().sales;
		sales.sort_by_key(|sale| sale.timestamp);
		for sale in &sales {
			expected.ingest(sale);
		}
		let floor = expected.floor_at(NOW).unwrap();

		let transactions = worker.pool.read().transactions.clone();
		assert_eq!(transactions.len(), 1);
		let xt = Extrinsic::decode(&mut &transactions[0][..]).unwrap();
		let RuntimeCall::TrueFloor(Call::submit_floors { feed, signature }) = xt.function.clone()
		else {
			panic!("not a feed: {:?}", xt.function)
		};
		assert_eq!(feed.operator, operator(0).0);
		assert_eq!(feed.block, 1);
		assert_eq!(feed.floors.to_vec(), vec![(COLLECTION, floor)]);
		assert!(feed.operator.verify(&feed_payload::<Test>(&feed), &signature));
		assert!(xt.function.authorize(TransactionSource::Local).unwrap().is_ok());
		assert_ok!(TrueFloor::submit_floors(RawOrigin::Authorized.into(), feed, signature));
		assert_eq!(feeds(), vec![(operator(0).1, COLLECTION, floor)]);

		// The window is read: the next one starts at the newest sale. The published floor is
		// remembered.
		let newest = NOW - 240;
		assert_eq!(
			cursor(COLLECTION, Source::OpenSeaV2),
			Some(Cursor::Api { after: newest, page: None, newest })
		);
		assert_eq!(track().last_published, Some((floor, NOW)));
	});
}

#[test]
fn a_misbehaving_marketplace_changes_nothing_and_the_cursor_resumes() {
	let mut worker = worker();
	expect_get(&worker, opensea_url(NOW - 86_400, None), opensea_page(0, &SALES, None));
	worker.ext.execute_with(|| TrueFloor::offchain_worker(1));
	let after = NOW - 240;
	let before = worker.ext.execute_with(track);

	// Garbage, then an error object: no feed, no state change, the cursor stays.
	expect_get(&worker, opensea_url(after, None), b"<html>rate limited</html>".to_vec());
	worker.ext.execute_with(|| {
		System::set_block_number(2);
		TrueFloor::offchain_worker(2);
	});
	expect_get(&worker, opensea_url(after, None), br#"{"errors":["Too many requests"]}"#.to_vec());
	worker.ext.execute_with(|| {
		System::set_block_number(3);
		TrueFloor::offchain_worker(3);
		assert_eq!(track(), before);
		assert_eq!(
			cursor(COLLECTION, Source::OpenSeaV2),
			Some(Cursor::Api { after, page: None, newest: after })
		);
		// The source's health records the failure, so the log reports it once.
		let key = health_key(&COLLECTION, Source::OpenSeaV2);
		let health = StorageValueRef::persistent(&key).get::<u32>().unwrap();
		assert_eq!(health, Some(FetchError::Unparsable.code()));
	});
	assert_eq!(worker.pool.read().transactions.len(), 1, "only the first run's feed");
}

#[test]
fn a_node_without_an_operator_key_does_nothing() {
	let mut ext = new_test_ext();
	let (offchain_ext, _offchain) = TestOffchainExt::new();
	let (pool_ext, pool) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain_ext.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain_ext));
	ext.register_extension(TransactionPoolExt::new(pool_ext));
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		assert_ok!(TrueFloor::set_collection(
			RuntimeOrigin::root(),
			COLLECTION,
			config(&[Source::OpenSeaV2])
		));
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			&endpoint_key(Source::OpenSeaV2),
			OPENSEA.as_bytes(),
		);
		// No key: no request is made (an unexpected one would fail the test).
		TrueFloor::offchain_worker(1);
	});
	assert!(pool.read().transactions.is_empty());
}

#[test]
fn a_manipulated_burst_of_sales_does_not_move_the_published_floor() {
	let mut worker = worker();
	expect_get(&worker, opensea_url(NOW - 86_400, None), opensea_page(0, &SALES, None));
	worker.ext.execute_with(|| TrueFloor::offchain_worker(1));
	let published = worker.ext.execute_with(|| track().last_published);
	let (floor, _) = published.unwrap();

	// Twenty wash sales at ten times the floor (and one near zero) in the next minute.
	let mut burst: Vec<(u64, u128)> = (0..20).map(|i| (200 - i, 100_000)).collect();
	burst.push((170, 10));
	expect_get(&worker, opensea_url(NOW - 240, None), opensea_page(10, &burst, None));
	worker.ext.execute_with(|| {
		System::set_block_number(2);
		TrueFloor::offchain_worker(2);
		let track = track();
		let now_floor = track.state.floor_at(NOW).unwrap();
		// The outliers were rejected: the floor did not move by more than rounding, and no
		// new feed went out.
		assert!(now_floor.abs_diff(floor) * 100 < floor, "{floor} -> {now_floor}");
		assert_eq!(track.last_published, published);
	});
	assert_eq!(worker.pool.read().transactions.len(), 1, "only the first run's feed");
}

/// The feeds submitted to the pool so far, decoded.
fn submitted(pool: &parking_lot::RwLock<PoolState>) -> Vec<FeedOf<Test>> {
	pool.read()
		.transactions
		.iter()
		.map(|bytes| match Extrinsic::decode(&mut &bytes[..]).unwrap().function {
			RuntimeCall::TrueFloor(Call::submit_floors { feed, .. }) => feed,
			other => panic!("not a feed: {other:?}"),
		})
		.collect()
}

#[test]
fn ten_collections_keep_being_fed_while_an_endpoint_never_answers() {
	let collections: Vec<u32> = (1..=10).collect();
	let endpoints = [(Source::OpenSeaV2, OPENSEA), (Source::LooksRare, LOOKSRARE)];
	let mut worker = node(&collections, &[Source::OpenSeaV2, Source::LooksRare], &endpoints);
	// OpenSea answers every collection in 300 ms; LooksRare never does.
	let respond = |request: &HttpRequest| {
		if request.url.starts_with(LOOKSRARE) {
			Answer::Hang
		} else {
			Answer::After(300, Ok(opensea_page(0, &SALES, None)))
		}
	};
	let mut network = MockTransport::new(NOW_MS, respond);
	worker.ext.execute_with(|| {
		TrueFloor::run_with(&mut network, operator(0).0, 1);
	});
	// Every collection's floor went out in one feed, the run ended at its budget, and
	// LooksRare is recorded as timed out.
	let feeds = submitted(&worker.pool);
	let [feed] = feeds.as_slice() else { panic!("one feed expected, got {feeds:?}") };
	let mut fed: Vec<u32> = feed.floors.iter().map(|(collection, _)| *collection).collect();
	fed.sort();
	assert_eq!(fed, collections);
	assert_eq!(network.now - NOW_MS, RUN_BUDGET.millis());
	assert_eq!(network.sent.len(), 20, "one request per collection and source");
	worker.ext.execute_with(|| {
		for collection in &collections {
			let key = health_key(collection, Source::LooksRare);
			let health = StorageValueRef::persistent(&key).get::<u32>().unwrap();
			assert_eq!(health, Some(FetchError::Timeout.code()));
			// Nothing was read from LooksRare, so its window has not moved.
			assert_eq!(
				cursor(*collection, Source::LooksRare),
				Some(Cursor::Api { after: NOW - 86_400, page: None, newest: NOW - 86_400 })
			);
		}
	});

	// Without the hanging endpoint the same run ends when the last answer arrives.
	let mut healthy = node(&collections, &[Source::OpenSeaV2], &endpoints[..1]);
	let mut network = MockTransport::new(NOW_MS, respond);
	healthy.ext.execute_with(|| TrueFloor::run_with(&mut network, operator(0).0, 1));
	assert_eq!(network.now - NOW_MS, 300);
	assert_eq!(submitted(&healthy.pool)[0].floors.len(), 10);
}

#[test]
fn a_long_window_continues_in_the_next_run_from_its_page() {
	let mut worker = worker();
	// Three pages, newest first, three seconds each: the budget of eight takes two.
	let pages = |request: &HttpRequest| {
		let body = if request.url.contains("&next=p2") {
			opensea_page(4, &[(900, 9_900), (840, 10_050)], Some("p3"))
		} else if request.url.contains("&next=p3") {
			opensea_page(6, &[(1_200, 10_300)], None)
		} else {
			opensea_page(0, &SALES, Some("p2"))
		};
		Answer::After(3_000, Ok(body))
	};
	let mut network = MockTransport::new(NOW_MS, pages);
	worker.ext.execute_with(|| TrueFloor::run_with(&mut network, operator(0).0, 1));
	let start = NOW - 86_400;
	let newest = NOW - 240;
	worker.ext.execute_with(|| {
		assert_eq!(
			cursor(COLLECTION, Source::OpenSeaV2),
			Some(Cursor::Api { after: start, page: Some("p3".into()), newest })
		);
	});
	// The next run reads the last page of the window, then starts the next window there.
	let mut network = MockTransport::new(NOW_MS + 6_000, pages);
	worker.ext.execute_with(|| {
		System::set_block_number(2);
		TrueFloor::run_with(&mut network, operator(0).0, 2);
		assert_eq!(network.sent.len(), 1);
		assert!(network.sent[0].url.ends_with("&next=p3"));
		assert_eq!(
			cursor(COLLECTION, Source::OpenSeaV2),
			Some(Cursor::Api { after: newest, page: None, newest })
		);
	});
}
