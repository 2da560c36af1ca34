//! The offchain worker with `TestOffchainExt`: the HTTP request it makes, the floor it
//! computes from the response, the signed feed it submits, its cursor, and its behaviour
//! when a marketplace misbehaves.

use crate::{
	mock::*,
	offchain::{cursor_key, endpoint_key, page_url, state_key, FloorTrack},
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
		testing::{PendingRequest, TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, StorageKind, Timestamp, TransactionPoolExt,
	},
	sp_io,
	sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt},
	sp_runtime::offchain::storage::StorageValueRef,
};
use std::sync::Arc;
use true_floor::{parsers, FloorState};

const NOW_MS: u64 = 1_700_000_000_000;
const BASE: &str = "http://replay.test";

/// A Reservoir page of sales `(seconds before now, price in milli-ETH)`, distinct tokens,
/// parties and transactions.
fn reservoir_page(sales: &[(u64, u128)]) -> Vec<u8> {
	let items: Vec<String> = sales
		.iter()
		.enumerate()
		.map(|(i, (ago, milli))| {
			format!(
				r#"{{"token":{{"contract":"0x{c}","tokenId":"{token}"}},"orderSource":"opensea.io","from":"0x{seller:040x}","to":"0x{buyer:040x}","amount":"1","txHash":"0x{tx:064x}","logIndex":{i},"timestamp":{ts},"price":{{"currency":{{"symbol":"ETH","decimals":18}},"amount":{{"raw":"{raw}"}}}}}}"#,
				c = "11".repeat(20),
				token = 100 + i,
				seller = 0xa000 + i,
				buyer = 0xb000 + i,
				tx = 0xc000 + i,
				ts = NOW_MS / 1_000 - ago,
				raw = milli * 10u128.pow(15),
			)
		})
		.collect();
	format!(r#"{{"sales":[{}],"continuation":null}}"#, items.join(",")).into_bytes()
}

struct Worker {
	ext: sp_io::TestExternalities,
	offchain: Arc<parking_lot::RwLock<polkadot_sdk::sp_core::offchain::testing::OffchainState>>,
	pool: Arc<parking_lot::RwLock<polkadot_sdk::sp_core::offchain::testing::PoolState>>,
}

/// A validator node with operator 0's key, the reservoir endpoint set, the collection
/// configured to read Reservoir.
fn worker() -> Worker {
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
		assert_ok!(TrueFloor::set_collection(
			RuntimeOrigin::root(),
			COLLECTION,
			config(&[Source::Reservoir])
		));
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			&endpoint_key(Source::Reservoir),
			BASE.as_bytes(),
		);
	});
	Worker { ext, offchain, pool }
}

fn expect_get(worker: &Worker, after: u64, body: Vec<u8>) {
	let uri = page_url(BASE, Source::Reservoir, &config(&[Source::Reservoir]), after, None);
	worker.offchain.write().expect_request(PendingRequest {
		method: "GET".into(),
		uri,
		response: Some(body),
		response_headers: vec![],
		sent: true,
		..Default::default()
	});
}

const SALES: [(u64, u128); 4] = [(600, 10_000), (480, 10_200), (360, 9_800), (240, 10_100)];

#[test]
fn a_poll_produces_one_signed_feed_of_the_computed_floor() {
	let mut worker = worker();
	expect_get(&worker, 0, reservoir_page(&SALES));
	worker.ext.execute_with(|| {
		TrueFloor::offchain_worker(1);

		// The floor is what the algorithm computes from those sales at the worker's time.
		let mut expected = FloorState::new(quick_params()).unwrap();
		for sale in parsers::reservoir::parse(&reservoir_page(&SALES)).unwrap().sales {
			expected.ingest(&sale);
		}
		let floor = expected.floor_at(NOW_MS / 1_000).unwrap();

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
		assert!(xt.function.authorize(TransactionSource::Local).unwrap().is_ok());
		assert_ok!(TrueFloor::submit_floors(RawOrigin::Authorized.into(), feed, signature));
		assert_eq!(feeds(), vec![(operator(0).1, COLLECTION, floor)]);

		// The cursor moved to the newest sale; the published floor is remembered.
		let key = cursor_key(&COLLECTION, Source::Reservoir);
		let cursor = StorageValueRef::persistent(&key);
		assert_eq!(cursor.get::<u64>().unwrap(), Some(NOW_MS / 1_000 - 240));
		let key = state_key(&COLLECTION);
		let track = StorageValueRef::persistent(&key).get::<FloorTrack>();
		assert_eq!(track.unwrap().unwrap().last_published, Some((floor, NOW_MS / 1_000)));
	});
}

#[test]
fn a_misbehaving_marketplace_changes_nothing_and_the_cursor_resumes() {
	let mut worker = worker();
	expect_get(&worker, 0, reservoir_page(&SALES));
	worker.ext.execute_with(|| TrueFloor::offchain_worker(1));
	let after = NOW_MS / 1_000 - 240;
	let state = || {
		let key = state_key(&COLLECTION);
		StorageValueRef::persistent(&key).get::<FloorTrack>().unwrap().unwrap()
	};
	let before = worker.ext.execute_with(state);

	// Garbage, then an error object: no feed, no state change, the cursor stays.
	expect_get(&worker, after, b"<html>rate limited</html>".to_vec());
	worker.ext.execute_with(|| {
		System::set_block_number(2);
		TrueFloor::offchain_worker(2);
	});
	expect_get(&worker, after, br#"{"error":"Too many requests"}"#.to_vec());
	worker.ext.execute_with(|| {
		System::set_block_number(3);
		TrueFloor::offchain_worker(3);
		assert_eq!(state(), before);
		let key = cursor_key(&COLLECTION, Source::Reservoir);
		let cursor = StorageValueRef::persistent(&key);
		assert_eq!(cursor.get::<u64>().unwrap(), Some(after));
	});
	assert_eq!(worker.pool.read().transactions.len(), 1, "only the first run's feed");
}

#[test]
fn a_node_without_an_operator_key_or_endpoint_does_nothing() {
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
			config(&[Source::Reservoir])
		));
		// No key: no request is made (an unexpected one would fail the test).
		TrueFloor::offchain_worker(1);
	});
	assert!(pool.read().transactions.is_empty());
}

#[test]
fn a_manipulated_burst_of_sales_does_not_move_the_published_floor() {
	let mut worker = worker();
	expect_get(&worker, 0, reservoir_page(&SALES));
	worker.ext.execute_with(|| TrueFloor::offchain_worker(1));
	let key = state_key(&COLLECTION);
	let published = worker.ext.execute_with(|| {
		StorageValueRef::persistent(&key).get::<FloorTrack>().unwrap().unwrap().last_published
	});
	let (floor, _) = published.unwrap();

	// Twenty wash sales at ten times the floor (and one near zero) in the next minute.
	let mut burst: Vec<(u64, u128)> = (0..20).map(|i| (200 - i, 100_000)).collect();
	burst.push((170, 10));
	let page = reservoir_page(&burst);
	expect_get(&worker, NOW_MS / 1_000 - 240, page);
	worker.ext.execute_with(|| {
		System::set_block_number(2);
		TrueFloor::offchain_worker(2);
		let track = StorageValueRef::persistent(&key).get::<FloorTrack>().unwrap().unwrap();
		let now_floor = track.state.floor_at(NOW_MS / 1_000).unwrap();
		// The outliers were rejected: the floor did not move by more than rounding, and no
		// new feed went out.
		assert!(now_floor.abs_diff(floor) * 100 < floor, "{floor} -> {now_floor}");
		assert_eq!(track.last_published, published);
	});
	assert_eq!(worker.pool.read().transactions.len(), 1, "only the first run's feed");
}
