//! The sources' tasks on their own: Ethereum logs against a JSON-RPC node serving the
//! recorded-shape fixtures of `primitives/true-floor/tests/fixtures` (head, `eth_getLogs`,
//! receipts and blocks in one batch), a node refusing a wide range, LooksRare's window without
//! a time filter, and the worker feeding a collection from Ethereum alone.

use crate::{
	mock::*,
	offchain::{
		endpoint_key,
		sources::{Cursor, Task, CONFIRMATIONS, INITIAL_LOOKBACK_BLOCKS, MAX_BLOCK_RANGE},
		FetchError, HttpRequest,
	},
	CollectionConfig, Source, KEY_TYPE,
};
use polkadot_sdk::{
	sp_core::offchain::{
		testing::{TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
	},
	sp_io,
	sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt},
	sp_runtime::offchain::storage::StorageValueRef,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use true_floor::{parsers::hex_bytes, Currency, Marketplace};

const BAYC: &str = "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d";
const BLOCK0: u64 = 0x123_4560;
const RPC: &str = "http://eth.test/rpc";

fn fixture(name: &str) -> Value {
	let dir: std::path::PathBuf = std::env::var_os("CARGO_MANIFEST_DIR").unwrap().into();
	let path = dir.join("../../primitives/true-floor/tests/fixtures").join(name);
	serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn bayc() -> CollectionConfig {
	CollectionConfig { contract: hex_bytes(BAYC).unwrap(), ..config(&[Source::EthereumLogs]) }
}

/// An Ethereum node at `head` holding the fixtures' logs, receipts and blocks, answering each
/// call (or batch) after 100 ms; `eth_getLogs` over more than `max_range` blocks is refused.
fn ethereum_node(head: u64, max_range: u64) -> impl FnMut(&HttpRequest) -> Answer {
	let logs = fixture("eth-getlogs.json")["result"].as_array().unwrap().clone();
	let mut receipts = BTreeMap::new();
	let mut blocks = BTreeMap::new();
	for entry in fixture("eth-batch.json").as_array().unwrap() {
		let result = &entry["result"];
		if let Some(hash) = result["transactionHash"].as_str() {
			receipts.insert(hash.to_string(), result.clone());
		} else if let Some(number) = result["number"].as_str() {
			blocks.insert(number.to_string(), result.clone());
		}
	}
	let quantity = |value: &Value| u64::from_str_radix(&value.as_str().unwrap()[2..], 16).unwrap();
	move |request| {
		assert_eq!(request.url, RPC);
		let body: Value = serde_json::from_slice(request.body.as_ref().unwrap()).unwrap();
		let answer = |call: &Value| -> Value {
			let params = &call["params"];
			let result = match call["method"].as_str().unwrap() {
				"eth_blockNumber" => json!(format!("{head:#x}")),
				"eth_getLogs" => {
					let (from, to) =
						(quantity(&params[0]["fromBlock"]), quantity(&params[0]["toBlock"]));
					if to - from + 1 > max_range {
						return json!({"jsonrpc": "2.0", "id": call["id"], "error": {"code": -32005, "message": "query returned more than 10000 results"}});
					}
					assert_eq!(params[0]["address"], BAYC);
					let within =
						|log: &&Value| (from..=to).contains(&quantity(&log["blockNumber"]));
					Value::Array(logs.iter().filter(within).cloned().collect())
				},
				"eth_getTransactionReceipt" => {
					receipts.get(params[0].as_str().unwrap()).cloned().unwrap_or(Value::Null)
				},
				"eth_getBlockByNumber" => {
					blocks.get(params[0].as_str().unwrap()).cloned().unwrap_or(Value::Null)
				},
				other => panic!("unexpected {other}"),
			};
			json!({"jsonrpc": "2.0", "id": call["id"], "result": result})
		};
		let response = match &body {
			Value::Array(calls) => Value::Array(calls.iter().map(answer).collect()),
			call => answer(call),
		};
		Answer::After(100, Ok(serde_json::to_vec(&response).unwrap()))
	}
}

/// Runs `task` alone against `network` until it is done or asks nothing more.
fn drive(task: &mut Task<u32>, network: impl FnMut(&HttpRequest) -> Answer + 'static) -> u32 {
	let mut transport = MockTransport::new(1_700_000_000_000, network);
	crate::offchain::run_tasks(std::slice::from_mut(task), &mut transport, u64::MAX);
	u32::try_from(transport.sent.len()).unwrap()
}

#[test]
fn ethereum_logs_price_the_fills_of_a_block_range_and_move_the_cursor_past_it() {
	let safe = BLOCK0 + 4;
	let cursor = Cursor::Blocks { next: BLOCK0, range: MAX_BLOCK_RANGE };
	let mut task = Task::new(7, Source::EthereumLogs, &bayc(), RPC.into(), None, Some(cursor), 0);
	// Head, one range of logs, one batch of receipts and blocks.
	assert_eq!(drive(&mut task, ethereum_node(safe + CONFIRMATIONS, u64::MAX)), 3);
	assert_eq!(task.error, None);
	assert_eq!(task.cursor, Cursor::Blocks { next: safe + 1, range: MAX_BLOCK_RANGE });
	let sales: Vec<(u8, Marketplace, Currency)> =
		task.sales.iter().map(|sale| (sale.tx_hash[0], sale.marketplace, sale.currency)).collect();
	assert_eq!(
		sales,
		[
			(1, Marketplace::Seaport, Currency::Eth),
			(2, Marketplace::Blur, Currency::Eth),
			(3, Marketplace::Seaport, Currency::Weth),
			(4, Marketplace::Blur, Currency::Weth),
			(5, Marketplace::Blur, Currency::Weth),
			(6, Marketplace::Seaport, Currency::Other),
		]
	);
}

#[test]
fn a_first_read_starts_a_day_back_and_a_refused_range_is_quartered() {
	let head = BLOCK0 + 4 + CONFIRMATIONS;
	let mut task = Task::new(7, Source::EthereumLogs, &bayc(), RPC.into(), None, None, 0);
	// The node accepts ranges of 300 blocks at most: 1,000 is refused, 250 works, and the
	// eight requests of a run (head, a refusal, six ranges) read 1,500 blocks.
	assert_eq!(drive(&mut task, ethereum_node(head, 300)), 8);
	let start = BLOCK0 + 4 - INITIAL_LOOKBACK_BLOCKS;
	assert_eq!(task.cursor, Cursor::Blocks { next: start + 6 * 250, range: 250 });
	assert!(task.sales.is_empty(), "the fixture's fills are a day later");
	// A node with nothing new: the head is all it is asked.
	let caught_up = Cursor::Blocks { next: head, range: 250 };
	let mut task =
		Task::new(7, Source::EthereumLogs, &bayc(), RPC.into(), None, Some(caught_up.clone()), 0);
	assert_eq!(drive(&mut task, ethereum_node(head, 300)), 1);
	assert_eq!(task.cursor, caught_up);
}

#[test]
fn an_incomplete_batch_leaves_the_cursor_where_it_was() {
	let cursor = Cursor::Blocks { next: BLOCK0, range: MAX_BLOCK_RANGE };
	let mut task =
		Task::new(7, Source::EthereumLogs, &bayc(), RPC.into(), None, Some(cursor.clone()), 0);
	let mut node = ethereum_node(BLOCK0 + 9, u64::MAX);
	// The batch comes back without its first receipt.
	let network = move |request: &HttpRequest| {
		let Answer::After(latency, Ok(body)) = node(request) else { unreachable!() };
		let mut body: Value = serde_json::from_slice(&body).unwrap();
		if let Some(calls) = body.as_array_mut() {
			calls.remove(0);
		}
		Answer::After(latency, Ok(serde_json::to_vec(&body).unwrap()))
	};
	drive(&mut task, network);
	assert_eq!(task.error, Some(FetchError::Incomplete));
	assert_eq!(task.cursor, cursor);
	assert!(task.sales.is_empty());
}

/// A LooksRare page of SALE events `offsets` seconds after 2023-11-14T22:13:20Z
/// (1_700_000_000), newest first, ids `{prefix}{i}`.
fn looksrare_page(prefix: &str, offsets: &[u64]) -> Vec<u8> {
	let events: Vec<Value> = offsets
		.iter()
		.enumerate()
		.map(|(i, offset)| {
			let (time, past_22) = (1_700_000_000 + offset, 800 + offset);
			json!({
				"id": format!("{prefix}{i}"),
				"type": "SALE",
				"from": format!("0x{:040x}", 0xa000 + time),
				"to": format!("0x{:040x}", 0xb000 + time),
				"hash": format!("0x{:064x}", time),
				"createdAt": format!("2023-11-14T22:{:02}:{:02}.000Z", past_22 / 60, past_22 % 60),
				"token": {"tokenId": time.to_string()},
				"order": {"price": "1000000000000000000", "currency": format!("0x{}", "00".repeat(20)), "amounts": ["1"]},
			})
		})
		.collect();
	serde_json::to_vec(&json!({"success": true, "message": null, "data": events})).unwrap()
}

#[test]
fn looksrare_pages_back_until_it_reaches_sales_already_read() {
	// 2023-11-14T22:13:20Z is 1_700_000_000; the window starts 5 s later.
	let after = 1_700_000_005;
	let cursor = Cursor::Api { after, page: None, newest: after };
	let mut task = Task::new(
		7,
		Source::LooksRare,
		&bayc(),
		"http://looksrare.test".into(),
		Some("k".into()),
		Some(cursor),
		0,
	);
	let network = |request: &HttpRequest| {
		assert_eq!(request.headers, vec![("X-Looks-Api-Key", "k".to_string())]);
		assert!(request.url.starts_with(&format!(
			"http://looksrare.test/api/v2/events?collection={BAYC}&type=SALE&pagination%5Bfirst%5D=50"
		)));
		// Newest first; the second page reaches back before the window.
		let body = if request.url.contains("pagination%5Bcursor%5D=a1") {
			looksrare_page("b", &[7, 5, 3])
		} else {
			looksrare_page("a", &[10, 9])
		};
		Answer::After(50, Ok(body))
	};
	assert_eq!(drive(&mut task, network), 2);
	let times: Vec<u64> = task.sales.iter().map(|sale| sale.timestamp - 1_700_000_000).collect();
	assert_eq!(times, [10, 9, 7, 5], "the sale before the window is left out");
	let newest = 1_700_000_010;
	assert_eq!(task.cursor, Cursor::Api { after: newest, page: None, newest });
}

#[test]
fn the_worker_feeds_a_collection_read_from_ethereum_alone() {
	let mut ext = new_test_ext();
	let (offchain_ext, _) = TestOffchainExt::new();
	let (pool_ext, pool) = TestTransactionPoolExt::new();
	let keystore = MemoryKeystore::new();
	keystore.sr25519_generate_new(KEY_TYPE, Some("//Operator0")).unwrap();
	ext.register_extension(OffchainDbExt::new(offchain_ext.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain_ext));
	ext.register_extension(TransactionPoolExt::new(pool_ext));
	ext.register_extension(KeystoreExt::new(keystore));
	let mut network = MockTransport::new(1_700_000_100_000, ethereum_node(BLOCK0 + 9, u64::MAX));
	ext.execute_with(|| {
		polkadot_sdk::frame_support::assert_ok!(TrueFloor::set_collection(
			RuntimeOrigin::root(),
			COLLECTION,
			bayc()
		));
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			&endpoint_key(Source::EthereumLogs),
			RPC.as_bytes(),
		);
		let key = crate::offchain::cursor_key(&COLLECTION, Source::EthereumLogs);
		StorageValueRef::persistent(&key).set(&Cursor::Blocks { next: BLOCK0, range: 1_000 });
		TrueFloor::run_with(&mut network, operator(0).0, 1);
	});
	// Five ether fills (10, 9.5, 9.2, 9.9 and 9.6 ETH): the 10 % quantile is 9.2 ETH.
	let transactions = pool.read().transactions.clone();
	assert_eq!(transactions.len(), 1);
	let xt = <Extrinsic as codec::Decode>::decode(&mut &transactions[0][..]).unwrap();
	let RuntimeCall::TrueFloor(crate::Call::submit_floors { feed, .. }) = xt.function else {
		panic!("not a feed")
	};
	assert_eq!(feed.floors.to_vec(), vec![(COLLECTION, 9_200_000_000_000_000_000)]);
}
