//! The replayed sales as an Ethereum JSON-RPC node shows them: each sale its own
//! transaction, with the collection's ERC-721 `Transfer` log and an exchange event priced as
//! the sale was.
//!
//! Blocks are `block_time` seconds apart (Ethereum's [`BLOCK_SECONDS`] by default; a test may
//! ask for faster blocks) from block [`FIRST_BLOCK`] at the replay's real start;
//! a sale is in the block of its reported time, and the head is the block of now. Answers
//! `eth_blockNumber`, `eth_getLogs` (the collection's `Transfer` logs in a block range),
//! `eth_getTransactionReceipt` and `eth_getBlockByNumber`, alone or batched (a JSON array);
//! anything else is a JSON-RPC error.
//!
//! The exchange event of a sale, ABI-encoded from the events' declarations:
//! - ETH, even index: a Seaport 1.6 `OrderFulfilled` listing (the NFT offered, the price as
//!   ETH consideration: 97.5 % to the seller, 2.5 % to a fee recipient);
//! - ETH, odd index: a BlurExchangeV2 `Execution721Packed` ask (an unpacked `Execution` if the
//!   token id or the price does not fit 88 bits);
//! - WETH: a Seaport 1.5 accepted bid (WETH offered by the buyer, the NFT and the fee as
//!   consideration);
//! - other currencies: a Seaport 1.6 listing paid in an ERC-20 that is not ether;
//! - more than one item: a Seaport listing offering that amount (no single-NFT sale).

use crate::{
	events::{hex, order_hash, tx_hash, OTHER_TOKEN},
	format::Collection,
	replay::{Item, Replay},
};
use primitive_types::U256;
use serde_json::{json, Value};
use true_floor::{
	ethereum::{
		rpc::quantity, BLUR_EXCHANGE_V2, EXECUTION_721_PACKED_TOPIC, EXECUTION_TOPIC,
		ORDER_FULFILLED_TOPIC, SEAPORT_1_5, SEAPORT_1_6, TRANSFER_TOPIC,
	},
	types::WETH_MAINNET,
	Address, Currency,
};

/// Seconds per block by default (Ethereum's).
pub const BLOCK_SECONDS: u64 = 12;
/// The block at the replay's real start.
pub const FIRST_BLOCK: u64 = 18_000_000;
/// Where the fees of the replayed fills go.
const FEE_RECIPIENT: Address = [0xfe; 20];

/// A 32-byte ABI word holding `value`.
fn word(value: U256) -> [u8; 32] {
	value.to_big_endian()
}

/// A 32-byte ABI word holding an address.
fn address_word(address: &Address) -> [u8; 32] {
	let mut word = [0u8; 32];
	for (byte, source) in word.iter_mut().skip(12).zip(address) {
		*byte = *source;
	}
	word
}

fn words(words: &[[u8; 32]]) -> String {
	hex(&words.concat())
}

/// A Seaport item: `(itemType, token, identifier, amount)`, plus the recipient of a
/// consideration item.
struct SeaportItem {
	kind: u8,
	token: Address,
	identifier: [u8; 32],
	amount: U256,
	recipient: Option<Address>,
}

/// `OrderFulfilled`'s data: order hash, recipient, then the offer and consideration arrays
/// (static tuples inline after their lengths).
fn order_fulfilled(
	order: [u8; 32],
	recipient: &Address,
	offer: &[SeaportItem],
	consideration: &[SeaportItem],
) -> String {
	let offer_at = 4 * 32;
	let consideration_at = offer_at + 32 + offer.len() * 4 * 32;
	let mut data = vec![
		order,
		address_word(recipient),
		word(U256::from(offer_at)),
		word(U256::from(consideration_at)),
		word(U256::from(offer.len())),
	];
	let item = |item: &SeaportItem| {
		let mut item_words = vec![
			word(U256::from(item.kind)),
			address_word(&item.token),
			item.identifier,
			word(item.amount),
		];
		if let Some(recipient) = item.recipient {
			item_words.push(address_word(&recipient));
		}
		item_words
	};
	data.extend(offer.iter().flat_map(item));
	data.push(word(U256::from(consideration.len())));
	data.extend(consideration.iter().flat_map(item));
	words(&data)
}

/// A log object.
fn log(
	address: &Address,
	topics: &[[u8; 32]],
	data: String,
	item: &Item,
	block: u64,
	index: u64,
) -> Value {
	json!({
		"address": hex(address),
		"topics": topics.iter().map(|topic| hex(topic)).collect::<Vec<_>>(),
		"data": data,
		"blockNumber": quantity(block),
		"blockHash": hex(&block_hash(block)),
		"transactionHash": hex(&tx_hash(item)),
		"transactionIndex": quantity(index / 2),
		"logIndex": quantity(index),
		"removed": false,
	})
}

/// A stand-in block hash.
fn block_hash(block: u64) -> [u8; 32] {
	word(U256::from(block) | (U256::from(0xb10c_u64) << 200))
}

/// The replay as a chain at real time `now`.
pub struct Chain<'a> {
	replay: &'a Replay,
	collection: &'a Collection,
	now: u64,
	block_time: u64,
}

impl<'a> Chain<'a> {
	/// `replay`'s sales of `collection` as seen at real time `now`, a block every
	/// `block_time` seconds (at least one).
	pub fn new(replay: &'a Replay, collection: &'a Collection, now: u64, block_time: u64) -> Self {
		Self { replay, collection, now, block_time: block_time.max(1) }
	}

	/// The block of a reported time.
	pub fn block_of(&self, time: u64) -> u64 {
		FIRST_BLOCK + time.saturating_sub(self.replay.real_start()) / self.block_time
	}

	/// The latest block.
	pub fn head(&self) -> u64 {
		self.block_of(self.now)
	}

	/// A block's timestamp.
	pub fn block_time(&self, block: u64) -> u64 {
		self.replay.real_start() + block.saturating_sub(FIRST_BLOCK) * self.block_time
	}

	/// Each visible sale with its block and its position in the block.
	fn placed(&self) -> Vec<(Item, u64, u64)> {
		let mut placed: Vec<(Item, u64, u64)> = Vec::new();
		for item in self.replay.visible_items(self.now) {
			let block = self.block_of(item.sale.timestamp);
			let position = placed.iter().filter(|(_, other, _)| *other == block).count() as u64;
			placed.push((item, block, position));
		}
		placed
	}

	/// The answer to a JSON-RPC request body: one call, or a batch.
	pub fn answer(&self, body: &[u8]) -> Value {
		match serde_json::from_slice::<Value>(body) {
			Ok(Value::Array(calls)) if !calls.is_empty() => {
				let placed = self.placed();
				Value::Array(calls.iter().map(|call| self.call(call, &placed)).collect())
			},
			Ok(call @ Value::Object(_)) => self.call(&call, &self.placed()),
			_ => error(Value::Null, -32700, "parse error: not a JSON-RPC request"),
		}
	}

	fn call(&self, call: &Value, placed: &[(Item, u64, u64)]) -> Value {
		let id = call.get("id").cloned().unwrap_or(Value::Null);
		let params = call.get("params").cloned().unwrap_or(Value::Array(Vec::new()));
		let result = match call.get("method").and_then(Value::as_str) {
			Some("eth_blockNumber") => Ok(json!(quantity(self.head()))),
			Some("eth_getLogs") => self.logs(&params, placed),
			Some("eth_getTransactionReceipt") => self.receipt(&params, placed),
			Some("eth_getBlockByNumber") => self.block(&params, placed),
			Some(method) => Err((-32601, format!("the method {method} does not exist"))),
			None => Err((-32600, "no method".to_string())),
		};
		match result {
			Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
			Err((code, message)) => error(id, code, &message),
		}
	}

	/// A block parameter: a quantity, or `latest`.
	fn block_param(&self, value: Option<&Value>) -> Result<u64, (i64, String)> {
		match value.and_then(Value::as_str) {
			None | Some("latest") => Ok(self.head()),
			Some("earliest") => Ok(0),
			Some(text) => text
				.strip_prefix("0x")
				.and_then(|digits| u64::from_str_radix(digits, 16).ok())
				.ok_or((-32602, format!("{text} is not a block number"))),
		}
	}

	fn logs(&self, params: &Value, placed: &[(Item, u64, u64)]) -> Result<Value, (i64, String)> {
		let filter = params.get(0).ok_or((-32602, "no filter".to_string()))?;
		let from = self.block_param(filter.get("fromBlock"))?;
		let to = self.block_param(filter.get("toBlock"))?.min(self.head());
		let contract = hex(&self.collection.contract);
		let wanted = match filter.get("address") {
			Some(Value::String(address)) => address.eq_ignore_ascii_case(&contract),
			Some(Value::Array(addresses)) => addresses
				.iter()
				.any(|address| address.as_str().is_some_and(|a| a.eq_ignore_ascii_case(&contract))),
			_ => true,
		};
		let topic = filter.get("topics").and_then(|topics| topics.get(0)).and_then(Value::as_str);
		if !wanted || topic.is_some_and(|topic| !topic.eq_ignore_ascii_case(&hex(&TRANSFER_TOPIC)))
		{
			return Ok(json!([]));
		}
		let logs = placed
			.iter()
			.filter(|(_, block, _)| (from..=to).contains(block))
			.map(|(item, block, position)| self.transfer(item, *block, position * 2))
			.collect();
		Ok(Value::Array(logs))
	}

	fn transfer(&self, item: &Item, block: u64, index: u64) -> Value {
		let sale = &item.sale;
		let topics = [
			TRANSFER_TOPIC,
			address_word(&sale.seller),
			address_word(&sale.buyer),
			sale.token_id.0,
		];
		log(&self.collection.contract, &topics, "0x".into(), item, block, index)
	}

	fn receipt(&self, params: &Value, placed: &[(Item, u64, u64)]) -> Result<Value, (i64, String)> {
		let hash = params.get(0).and_then(Value::as_str).ok_or((-32602, "no hash".to_string()))?;
		let Some((item, block, position)) =
			placed.iter().find(|(item, _, _)| hex(&tx_hash(item)).eq_ignore_ascii_case(hash))
		else {
			return Ok(Value::Null);
		};
		let logs = vec![
			self.transfer(item, *block, position * 2),
			self.exchange_event(item, *block, position * 2 + 1),
		];
		Ok(json!({
			"transactionHash": hex(&tx_hash(item)),
			"transactionIndex": quantity(*position),
			"blockNumber": quantity(*block),
			"blockHash": hex(&block_hash(*block)),
			"from": hex(&item.sale.buyer),
			"to": hex(&SEAPORT_1_6),
			"status": "0x1",
			"type": "0x2",
			"gasUsed": "0x2f1a3",
			"effectiveGasPrice": "0x3b9aca00",
			"logs": logs,
		}))
	}

	fn block(&self, params: &Value, placed: &[(Item, u64, u64)]) -> Result<Value, (i64, String)> {
		let number = self.block_param(params.get(0))?;
		if number > self.head() {
			return Ok(Value::Null);
		}
		let transactions: Vec<String> = placed
			.iter()
			.filter(|(_, block, _)| *block == number)
			.map(|(item, _, _)| hex(&tx_hash(item)))
			.collect();
		Ok(json!({
			"number": quantity(number),
			"hash": hex(&block_hash(number)),
			"parentHash": hex(&block_hash(number.saturating_sub(1))),
			"timestamp": quantity(self.block_time(number)),
			"transactions": transactions,
		}))
	}

	/// The exchange event that sold `item` (see the module docs).
	fn exchange_event(&self, item: &Item, block: u64, index: u64) -> Value {
		let sale = &item.sale;
		let contract = &self.collection.contract;
		let price = U256::from(sale.price);
		let fee = price / 40;
		let nft = |recipient| SeaportItem {
			kind: 2,
			token: *contract,
			identifier: sale.token_id.0,
			amount: U256::from(sale.quantity),
			recipient,
		};
		let pay = |kind, token, amount, recipient| SeaportItem {
			kind,
			token,
			identifier: [0; 32],
			amount,
			recipient: Some(recipient),
		};
		let fits_packed =
			sale.price < (1u128 << 88) && sale.token_id.0.iter().take(21).all(|b| *b == 0);
		match sale.currency {
			Currency::Eth if item.index % 2 == 1 && sale.quantity == 1 && fits_packed => {
				let token_listing_trader = (U256::from_big_endian(&sale.token_id.0) << 168)
					| U256::from_big_endian(&address_word(&sale.seller));
				let collection_price_side =
					(price << 160) | U256::from_big_endian(&address_word(contract));
				let data = words(&[
					order_hash(item),
					word(token_listing_trader),
					word(collection_price_side),
				]);
				log(&BLUR_EXCHANGE_V2, &[EXECUTION_721_PACKED_TOPIC], data, item, block, index)
			},
			Currency::Eth if item.index % 2 == 1 && sale.quantity == 1 => {
				let data = words(&[
					address_word(&sale.seller),
					sale.token_id.0,
					word(U256::zero()),
					address_word(contract),
					word(U256::zero()),
					order_hash(item),
					word(U256::zero()),
					word(price),
					address_word(&FEE_RECIPIENT),
					word(U256::zero()),
					address_word(&FEE_RECIPIENT),
					word(U256::zero()),
					address_word(&FEE_RECIPIENT),
					word(U256::zero()),
					word(U256::zero()),
				]);
				log(&BLUR_EXCHANGE_V2, &[EXECUTION_TOPIC], data, item, block, index)
			},
			Currency::Weth => {
				let topics =
					[ORDER_FULFILLED_TOPIC, address_word(&sale.buyer), address_word(&[0; 20])];
				let offer = [pay(1, WETH_MAINNET, price, sale.buyer)].map(|mut item| {
					item.recipient = None;
					item
				});
				let consideration =
					[nft(Some(sale.buyer)), pay(1, WETH_MAINNET, fee, FEE_RECIPIENT)];
				let data = order_fulfilled(order_hash(item), &sale.seller, &offer, &consideration);
				log(&SEAPORT_1_5, &topics, data, item, block, index)
			},
			currency => {
				let (kind, token) =
					if currency == Currency::Other { (1, OTHER_TOKEN) } else { (0, [0; 20]) };
				let topics =
					[ORDER_FULFILLED_TOPIC, address_word(&sale.seller), address_word(&[0; 20])];
				let consideration = [
					pay(kind, token, price - fee, sale.seller),
					pay(kind, token, fee, FEE_RECIPIENT),
				];
				let data =
					order_fulfilled(order_hash(item), &sale.buyer, &[nft(None)], &consideration);
				log(&SEAPORT_1_6, &topics, data, item, block, index)
			},
		}
	}
}

/// A JSON-RPC error response.
fn error(id: Value, code: i64, message: &str) -> Value {
	json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}
