//! Sales from Ethereum logs: the event-signature constants against Keccak-256, the JSON-RPC
//! request bodies, and a recorded-shape `eth_getLogs` answer and receipts batch
//! (`tests/fixtures/eth-*.json`) covering every decoded exchange event and every skip.
//!
//! The fixtures' event data was ABI-encoded by hand from the events' declarations (offsets,
//! static tuples inline), independently of the decoders under test. Transactions `0x0101…`
//! to `0x0d0d…`: 1 a Seaport 1.6 listing (9.75 ETH to the seller + 0.25 fee), 2 a BlurV2
//! packed ask routed seller → router → buyer, 3 a Seaport 1.5 accepted WETH bid, 4 a Blur v1
//! `OrdersMatched` paid from Blur's pool, 5 a BlurV2 unpacked `Execution` bid, 6 a Seaport
//! listing priced in USDC, 7 an `OrderFulfilled` from a contract that is not Seaport, 8 a
//! gift, 9 a bundle with another collection's NFT, 10 a Blur event about another token, 11 a
//! mint, 12 a burn, 13 a sweep of two tokens; one log was removed by a reorganisation.
mod common;

use common::{addr, eth};
use serde_json::Value;
use sha3::{Digest, Keccak256};
use true_floor::{
	ethereum::{self, rpc, Transfer},
	parsers::hex_bytes,
	Currency, Marketplace, ParseError, Sale, TokenId,
};

fn manifest_dir() -> std::path::PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR").into()
}

fn fixture(name: &str) -> Vec<u8> {
	std::fs::read(manifest_dir().join("tests/fixtures").join(name)).unwrap()
}

const BAYC: [u8; 20] = [
	0xbc, 0x4c, 0xa0, 0xed, 0xa7, 0x64, 0x7a, 0x8a, 0xb7, 0xc2, 0x06, 0x1c, 0x2e, 0x11, 0x8a, 0x18,
	0xa9, 0x36, 0xf1, 0x3d,
];
const BLOCK0: u64 = 0x123_4560;

fn tx(byte: u8) -> [u8; 32] {
	[byte; 32]
}

fn keccak(signature: &str) -> [u8; 32] {
	Keccak256::digest(signature.as_bytes()).into()
}

#[test]
fn event_signatures_hash_to_the_topics() {
	assert_eq!(keccak("Transfer(address,address,uint256)"), ethereum::TRANSFER_TOPIC);
	assert_eq!(
		keccak("OrderFulfilled(bytes32,address,address,address,(uint8,address,uint256,uint256)[],(uint8,address,uint256,uint256,address)[])"),
		ethereum::ORDER_FULFILLED_TOPIC
	);
	assert_eq!(
		keccak("Execution721Packed(bytes32,uint256,uint256)"),
		ethereum::EXECUTION_721_PACKED_TOPIC
	);
	assert_eq!(
		keccak("Execution721TakerFeePacked(bytes32,uint256,uint256,uint256)"),
		ethereum::EXECUTION_721_TAKER_FEE_PACKED_TOPIC
	);
	assert_eq!(
		keccak("Execution721MakerFeePacked(bytes32,uint256,uint256,uint256)"),
		ethereum::EXECUTION_721_MAKER_FEE_PACKED_TOPIC
	);
	assert_eq!(
		keccak("Execution((address,uint256,uint256,address,uint8),bytes32,uint256,uint256,(address,uint16),((address,uint16),(address,uint16)),uint8)"),
		ethereum::EXECUTION_TOPIC
	);
	assert_eq!(
		keccak("OrdersMatched(address,address,(address,uint8,address,address,uint256,uint256,address,uint256,uint256,uint256,(uint16,address)[],uint256,bytes),bytes32,(address,uint8,address,address,uint256,uint256,address,uint256,uint256,uint256,(uint16,address)[],uint256,bytes),bytes32)"),
		ethereum::ORDERS_MATCHED_TOPIC
	);
}

#[test]
fn exchange_addresses_are_the_deployments() {
	let address = |text: &str| hex_bytes::<20>(text).unwrap();
	assert_eq!(ethereum::SEAPORT_1_5, address("0x00000000000000ADc04C56Bf30aC9d3c0aAF14dC"));
	assert_eq!(ethereum::SEAPORT_1_6, address("0x0000000000000068F116a894984e2DB1123eB395"));
	assert_eq!(ethereum::BLUR_EXCHANGE_V2, address("0xb2ecfE4E4D61f8790bbb9DE2D1259B9e2410CEA5"));
	assert_eq!(ethereum::BLUR_EXCHANGE, address("0x000000000000Ad05Ccc4F10045630fb830B95127"));
	assert_eq!(true_floor::types::BLUR_POOL, address("0x0000000000A39bb272e79075ade125fd351887Ac"));
}

#[test]
fn request_bodies_are_json_rpc_calls_and_batches() {
	let single: Value = serde_json::from_slice(&rpc::body(&[rpc::block_number(1)])).unwrap();
	assert_eq!(
		single,
		serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []})
	);
	let logs: Value =
		serde_json::from_slice(&rpc::body(&[rpc::transfer_logs(2, &BAYC, 16, 255)])).unwrap();
	assert_eq!(logs["method"], "eth_getLogs");
	assert_eq!(
		logs["params"][0],
		serde_json::json!({
			"address": "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d",
			"topics": ["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"],
			"fromBlock": "0x10",
			"toBlock": "0xff",
		})
	);
	let batch: Value =
		serde_json::from_slice(&rpc::body(&[rpc::receipt(3, &tx(1)), rpc::block(4, 10)])).unwrap();
	assert_eq!(batch[0]["method"], "eth_getTransactionReceipt");
	assert_eq!(batch[0]["params"][0], format!("0x{}", "01".repeat(32)));
	assert_eq!(batch[1]["params"], serde_json::json!(["0xa", false]));
}

#[test]
fn quantities_and_errors() {
	assert_eq!(
		rpc::parse_single(br#"{"jsonrpc":"2.0","id":1,"result":"0x1b4"}"#)
			.map(|result| rpc::parse_quantity(&result)),
		Ok(Some(436))
	);
	assert_eq!(rpc::parse_quantity(&Value::from("0x")), None);
	assert_eq!(rpc::parse_quantity(&Value::from("1b4")), None);
	assert_eq!(rpc::parse_quantity(&Value::from("0x1ffffffffffffffff")), None);
	assert_eq!(
		rpc::parse_single(br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results"}}"#),
		Err(ParseError::RpcError(-32005))
	);
	assert_eq!(rpc::parse_single(b"<html>"), Err(ParseError::InvalidJson));
	assert_eq!(rpc::parse_single(br#"{"id":1}"#), Err(ParseError::UnexpectedShape("result")));
	// A server without batch support answers a batch with one error object.
	assert_eq!(
		rpc::parse_batch(
			br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch"}}"#
		),
		Err(ParseError::RpcError(-32600))
	);
}

/// The fixture's transfers, as the worker reads them.
fn transfers() -> Vec<Transfer> {
	let result = rpc::parse_single(&fixture("eth-getlogs.json")).unwrap();
	let logs = rpc::parse_logs(&result).unwrap();
	assert_eq!(logs.len(), 15, "the removed log is dropped");
	logs.iter().filter_map(|log| Transfer::from_log(log, &BAYC)).collect()
}

#[test]
fn one_token_per_transaction_routers_collapsed() {
	let all = transfers();
	assert_eq!(all.len(), 15);
	let (single, skipped) = ethereum::single_item_transfers(&all);
	// Mint, burn and the two-token sweep are skipped.
	assert_eq!(skipped, 3);
	let summary: Vec<(u8, TokenId, u64)> = single
		.iter()
		.map(|transfer| (transfer.tx_hash[0], transfer.token_id, transfer.block_number - BLOCK0))
		.collect();
	let expected: Vec<(u8, TokenId, u64)> =
		[(1, 7, 0), (2, 8, 0), (3, 9, 1), (4, 10, 1), (5, 11, 2), (6, 16, 2), (7, 17, 2)]
			.into_iter()
			.chain([(8, 18, 3), (9, 12, 3), (10, 19, 3)])
			.map(|(tx, token, block)| (tx, TokenId::from_u128(token), block))
			.collect();
	assert_eq!(summary, expected);
	// seller → router → buyer is one transfer from the seller to the buyer.
	let routed = single.iter().find(|transfer| transfer.tx_hash == tx(2)).unwrap();
	assert_eq!((routed.from, routed.to), (addr(0x11), addr(0x22)));
	// Another contract's logs are not the collection's transfers.
	let result = rpc::parse_single(&fixture("eth-getlogs.json")).unwrap();
	let logs = rpc::parse_logs(&result).unwrap();
	assert!(logs.iter().all(|log| Transfer::from_log(log, &[0x42; 20]).is_none()));
}

#[test]
fn receipts_price_seaport_and_blur_fills_and_skip_the_rest() {
	let batch = rpc::parse_batch(&fixture("eth-batch.json")).unwrap();
	// 13 receipts and 5 blocks; the call answered with an error is absent.
	assert_eq!(batch.len(), 18);
	assert!(!batch.contains_key(&299));
	let (single, _) = ethereum::single_item_transfers(&transfers());
	let sales: Vec<(u8, Option<Sale>)> = single
		.iter()
		.map(|transfer| {
			let receipt = (100..113)
				.filter_map(|id| batch.get(&id))
				.find(|receipt| {
					receipt["transactionHash"].as_str().and_then(hex_bytes::<32>)
						== Some(transfer.tx_hash)
				})
				.unwrap();
			let logs = rpc::receipt_logs(receipt).unwrap().unwrap();
			let block = batch.get(&(200 + transfer.block_number - BLOCK0)).unwrap();
			let timestamp = rpc::block_timestamp(block).unwrap();
			(transfer.tx_hash[0], ethereum::sale_of(transfer, &BAYC, &logs, timestamp))
		})
		.collect();
	let priced: Vec<(u8, Marketplace, u128, Currency, u64)> = sales
		.iter()
		.filter_map(|(tx, sale)| {
			sale.map(|sale| (*tx, sale.marketplace, sale.price, sale.currency, sale.timestamp))
		})
		.collect();
	assert_eq!(
		priced,
		[
			(1, Marketplace::Seaport, eth("10"), Currency::Eth, 1_700_000_000),
			(2, Marketplace::Blur, eth("9.5"), Currency::Eth, 1_700_000_000),
			(3, Marketplace::Seaport, eth("9.2"), Currency::Weth, 1_700_000_012),
			(4, Marketplace::Blur, eth("9.9"), Currency::Weth, 1_700_000_012),
			(5, Marketplace::Blur, eth("9.6"), Currency::Weth, 1_700_000_024),
			(6, Marketplace::Seaport, 30_000_000_000, Currency::Other, 1_700_000_024),
		]
	);
	// No sale: a spoofed `OrderFulfilled`, a gift, a bundle, a fill of another token.
	let unpriced: Vec<u8> =
		sales.iter().filter(|(_, sale)| sale.is_none()).map(|(tx, _)| *tx).collect();
	assert_eq!(unpriced, [7, 8, 9, 10]);
	let first = sales[0].1.unwrap();
	assert_eq!(
		first,
		Sale {
			marketplace: Marketplace::Seaport,
			tx_hash: tx(1),
			log_index: 0,
			token_id: TokenId::from_u128(7),
			price: eth("10"),
			currency: Currency::Eth,
			quantity: 1,
			items_in_tx: 1,
			buyer: addr(0x22),
			seller: addr(0x11),
			timestamp: 1_700_000_000,
		}
	);
}

#[test]
fn malformed_logs_are_typed_errors() {
	let log = |patch: &str| -> Result<Option<ethereum::Log>, ParseError> {
		let mut value: Value = serde_json::from_str(
			r#"{"address":"0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d","topics":[],"data":"0x",
			"blockNumber":"0x1","transactionHash":"0x0101010101010101010101010101010101010101010101010101010101010101",
			"logIndex":"0x0"}"#,
		)
		.unwrap();
		let patch: Value = serde_json::from_str(patch).unwrap();
		for (key, field) in patch.as_object().unwrap() {
			value[key] = field.clone();
		}
		rpc::parse_log(&value)
	};
	assert!(log("{}").unwrap().is_some());
	assert_eq!(log(r#"{"data":"0x123"}"#), Err(ParseError::InvalidField("data")));
	assert_eq!(log(r#"{"topics":["0x12"]}"#), Err(ParseError::InvalidField("topics")));
	assert_eq!(log(r#"{"logIndex":"0x100000000"}"#), Err(ParseError::InvalidField("logIndex")));
	assert_eq!(log(r#"{"blockNumber":7}"#), Err(ParseError::InvalidField("blockNumber")));
	assert_eq!(log(r#"{"removed":true}"#), Ok(None));
	// Truncated event data decodes to nothing instead of panicking.
	for data in [&[][..], &[0u8; 64][..], &[0xff; 200][..]] {
		assert_eq!(ethereum::seaport::decode(data), None);
		let token = TokenId::from_u128(7);
		assert_eq!(ethereum::blur::packed_fill(data, &BAYC, &token), None);
		assert_eq!(ethereum::blur::execution_fill(data, &BAYC, &token), None);
		assert_eq!(ethereum::blur::orders_matched_fill(data, &BAYC, &token), None);
	}
	// An unknown transaction's receipt is null.
	assert_eq!(rpc::receipt_logs(&Value::Null), Ok(None));
}
