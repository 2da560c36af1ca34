//! Ethereum JSON-RPC: the request bodies the offchain worker sends and the parts of the
//! answers it reads (`eth_blockNumber`, `eth_getLogs`, `eth_getTransactionReceipt`,
//! `eth_getBlockByNumber`), single or batched.

use super::{Log, TRANSFER_TOPIC};
use crate::{
	parsers::{hex_bytes, ParseError},
	types::Address,
};
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
use serde_json::{json, Value};

/// One JSON-RPC 2.0 call.
fn call(id: u64, method: &str, params: Value) -> Value {
	json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// `0x`-prefixed lowercase hex of bytes.
pub fn hex_string(bytes: &[u8]) -> String {
	let mut text = String::from("0x");
	for byte in bytes {
		text.push_str(&format!("{byte:02x}"));
	}
	text
}

/// A JSON-RPC quantity (`0x1b4`).
pub fn quantity(value: u64) -> String {
	format!("{value:#x}")
}

/// `eth_blockNumber`.
pub fn block_number(id: u64) -> Value {
	call(id, "eth_blockNumber", json!([]))
}

/// `eth_getLogs` of `contract`'s `Transfer` events in blocks `from..=to`.
pub fn transfer_logs(id: u64, contract: &Address, from: u64, to: u64) -> Value {
	let filter = json!({
		"address": hex_string(contract),
		"topics": [hex_string(&TRANSFER_TOPIC)],
		"fromBlock": quantity(from),
		"toBlock": quantity(to),
	});
	call(id, "eth_getLogs", json!([filter]))
}

/// `eth_getTransactionReceipt`.
pub fn receipt(id: u64, tx_hash: &[u8; 32]) -> Value {
	call(id, "eth_getTransactionReceipt", json!([hex_string(tx_hash)]))
}

/// `eth_getBlockByNumber` without transaction bodies (the header has the timestamp).
pub fn block(id: u64, number: u64) -> Value {
	call(id, "eth_getBlockByNumber", json!([quantity(number), false]))
}

/// The body of one call or of a batch (a JSON array of calls).
pub fn body(calls: &[Value]) -> Vec<u8> {
	let value = match calls {
		[single] => single.clone(),
		many => Value::Array(many.to_vec()),
	};
	serde_json::to_vec(&value).unwrap_or_default()
}

/// A quantity's value (`"0x1b4"` is 436), `None` if it is not one.
pub fn parse_quantity(value: &Value) -> Option<u64> {
	let digits = value.as_str()?.strip_prefix("0x")?;
	if digits.is_empty() || digits.len() > 16 {
		return None;
	}
	u64::from_str_radix(digits, 16).ok()
}

/// Variable-length `0x` hex data.
fn parse_data(value: &Value) -> Option<Vec<u8>> {
	let digits = value.as_str()?.strip_prefix("0x")?;
	if digits.len() % 2 != 0 {
		return None;
	}
	digits
		.as_bytes()
		.chunks(2)
		.map(|pair| u8::from_str_radix(core::str::from_utf8(pair).ok()?, 16).ok())
		.collect()
}

/// The `result` of one response, or why there is none (`RpcError` with the error's code).
fn result_of(response: &Value) -> Result<&Value, ParseError> {
	if let Some(error) = response.get("error") {
		let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
		return Err(ParseError::RpcError(code));
	}
	response.get("result").ok_or(ParseError::UnexpectedShape("result"))
}

/// The `result` of a single-call response.
pub fn parse_single(body: &[u8]) -> Result<Value, ParseError> {
	let response: Value = serde_json::from_slice(body).map_err(|_| ParseError::InvalidJson)?;
	result_of(&response).cloned()
}

/// The results of a batch response by call id; calls answered with an error are absent.
pub fn parse_batch(body: &[u8]) -> Result<BTreeMap<u64, Value>, ParseError> {
	let response: Value = serde_json::from_slice(body).map_err(|_| ParseError::InvalidJson)?;
	let responses = match response {
		Value::Array(responses) => responses,
		// A server without batch support answers one error object.
		single => return result_of(&single).map(|_| BTreeMap::new()),
	};
	let mut results = BTreeMap::new();
	for response in responses {
		let Some(id) = response.get("id").and_then(Value::as_u64) else { continue };
		if let Ok(result) = result_of(&response) {
			results.insert(id, result.clone());
		}
	}
	Ok(results)
}

/// One log object; `None` for a log a reorganisation removed.
pub fn parse_log(value: &Value) -> Result<Option<Log>, ParseError> {
	if value.get("removed").and_then(Value::as_bool) == Some(true) {
		return Ok(None);
	}
	let field = |name: &'static str| value.get(name).ok_or(ParseError::MissingField(name));
	let address = field("address")?
		.as_str()
		.and_then(hex_bytes::<20>)
		.ok_or(ParseError::InvalidField("address"))?;
	let topics = field("topics")?
		.as_array()
		.ok_or(ParseError::InvalidField("topics"))?
		.iter()
		.map(|topic| topic.as_str().and_then(hex_bytes::<32>))
		.collect::<Option<Vec<_>>>()
		.ok_or(ParseError::InvalidField("topics"))?;
	let data = parse_data(field("data")?).ok_or(ParseError::InvalidField("data"))?;
	let block_number =
		parse_quantity(field("blockNumber")?).ok_or(ParseError::InvalidField("blockNumber"))?;
	let tx_hash = field("transactionHash")?
		.as_str()
		.and_then(hex_bytes::<32>)
		.ok_or(ParseError::InvalidField("transactionHash"))?;
	let log_index = parse_quantity(field("logIndex")?)
		.and_then(|index| u32::try_from(index).ok())
		.ok_or(ParseError::InvalidField("logIndex"))?;
	Ok(Some(Log { address, topics, data, block_number, tx_hash, log_index }))
}

/// The logs of an `eth_getLogs` result, or of a receipt's `logs`.
pub fn parse_logs(value: &Value) -> Result<Vec<Log>, ParseError> {
	let logs = value.as_array().ok_or(ParseError::UnexpectedShape("logs"))?;
	let mut parsed = Vec::with_capacity(logs.len());
	for log in logs {
		if let Some(log) = parse_log(log)? {
			parsed.push(log);
		}
	}
	Ok(parsed)
}

/// The logs of an `eth_getTransactionReceipt` result (`None` while the node does not know the
/// transaction).
pub fn receipt_logs(result: &Value) -> Result<Option<Vec<Log>>, ParseError> {
	if result.is_null() {
		return Ok(None);
	}
	let logs = result.get("logs").ok_or(ParseError::MissingField("logs"))?;
	parse_logs(logs).map(Some)
}

/// The `timestamp` of an `eth_getBlockByNumber` result.
pub fn block_timestamp(result: &Value) -> Result<u64, ParseError> {
	let timestamp = result.get("timestamp").ok_or(ParseError::MissingField("timestamp"))?;
	parse_quantity(timestamp).ok_or(ParseError::InvalidField("timestamp"))
}
