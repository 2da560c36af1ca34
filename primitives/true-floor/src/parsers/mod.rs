//! Marketplace API responses to [`Sale`]s.
//!
//! One module per live response format: OpenSea API v2 collection events and LooksRare API
//! v2 events (the v1 events endpoint has the same envelope and is read too). Each `parse`
//! takes the raw JSON body and returns a [`Page`]: the sales it contains (non-sale events are
//! counted and skipped) and the cursor of the next page. Malformed input is a
//! [`ParseError`], never a panic: the offchain worker drops the page and retries. Sales read
//! from Ethereum logs instead of an API are in [`crate::ethereum`].
//!
//! The shut-down APIs (OpenSea v1 since 2023-12, X2Y2 since 2025-04, Reservoir since
//! 2025-10) have no parser: no source reads them and the backtest reads CSV exports.
//!
//! Sales in one page that share a transaction are marked with
//! [`annotate_items_in_tx`](crate::annotate_items_in_tx), so every item of a sweep is
//! recognised as multi-item.

pub mod looksrare;
pub mod opensea_v2;

use crate::types::{annotate_items_in_tx, Address, Sale, TokenId, TxHash, UNKNOWN_TX};
use alloc::{string::String, vec::Vec};
use serde_json::Value;

/// Why a response could not be parsed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParseError {
	/// The body is not JSON.
	InvalidJson,
	/// The top-level shape is not the expected one (e.g. no event array); names the array.
	UnexpectedShape(&'static str),
	/// A sale event lacks a required field; names it.
	MissingField(&'static str),
	/// A field of a sale event has the wrong type or format; names it.
	InvalidField(&'static str),
	/// A JSON-RPC server answered with an error object; its code.
	RpcError(i64),
}

/// One page of a marketplace's sale feed.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Page {
	/// The sales, in response order.
	pub sales: Vec<Sale>,
	/// Where the next page starts, if the API says there is one.
	pub cursor: Option<String>,
	/// Events of other types (listings, offers, transfers, cancellations) that were skipped.
	pub skipped: u32,
}

impl Page {
	/// Finishes a page: marks sweeps and attaches the cursor.
	fn finish(mut sales: Vec<Sale>, cursor: Option<String>, skipped: u32) -> Self {
		annotate_items_in_tx(&mut sales);
		Self { sales, cursor, skipped }
	}
}

/// Parses a JSON body.
fn parse_json(body: &[u8]) -> Result<Value, ParseError> {
	serde_json::from_slice(body).map_err(|_| ParseError::InvalidJson)
}

/// The array at `key` of the top-level object.
fn events<'a>(root: &'a Value, key: &'static str) -> Result<&'a Vec<Value>, ParseError> {
	root.get(key).and_then(Value::as_array).ok_or(ParseError::UnexpectedShape(key))
}

/// The value at `path` under `value`, treating JSON `null` as absent.
fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
	path.iter().try_fold(value, |current, key| current.get(key)).filter(|found| !found.is_null())
}

/// The string at `path`, or `MissingField(name)` / `InvalidField(name)`.
fn text<'a>(value: &'a Value, path: &[&str], name: &'static str) -> Result<&'a str, ParseError> {
	at(value, path)
		.ok_or(ParseError::MissingField(name))?
		.as_str()
		.ok_or(ParseError::InvalidField(name))
}

/// A non-negative integer given either as a JSON number or as a decimal string.
fn integer(value: &Value, name: &'static str) -> Result<u128, ParseError> {
	match value {
		Value::Number(number) => {
			number.as_u64().map(u128::from).ok_or(ParseError::InvalidField(name))
		},
		Value::String(text) => decimal_u128(text).ok_or(ParseError::InvalidField(name)),
		_ => Err(ParseError::InvalidField(name)),
	}
}

/// The integer at `path` (number or decimal string), or `MissingField(name)`.
fn integer_at(value: &Value, path: &[&str], name: &'static str) -> Result<u128, ParseError> {
	integer(at(value, path).ok_or(ParseError::MissingField(name))?, name)
}

/// The integer at `path` narrowed to `u32`, or `default` if absent.
fn u32_at_or(
	value: &Value,
	path: &[&str],
	name: &'static str,
	default: u32,
) -> Result<u32, ParseError> {
	match at(value, path) {
		None => Ok(default),
		Some(found) => {
			u32::try_from(integer(found, name)?).map_err(|_| ParseError::InvalidField(name))
		},
	}
}

/// A plain decimal `u128` ("190000000000000000"); no sign, point or exponent.
pub fn decimal_u128(text: &str) -> Option<u128> {
	if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
		return None;
	}
	text.parse().ok()
}

/// `N` bytes from `0x`-prefixed (or bare) hex of exactly `2N` digits, any case.
pub fn hex_bytes<const N: usize>(text: &str) -> Option<[u8; N]> {
	let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
	if digits.len() != N.checked_mul(2)? {
		return None;
	}
	let mut bytes = [0u8; N];
	for (byte, pair) in bytes.iter_mut().zip(digits.as_bytes().chunks(2)) {
		let pair = core::str::from_utf8(pair).ok()?;
		*byte = u8::from_str_radix(pair, 16).ok()?;
	}
	Some(bytes)
}

/// The address string at `path`.
fn address_at(value: &Value, path: &[&str], name: &'static str) -> Result<Address, ParseError> {
	hex_bytes(text(value, path, name)?).ok_or(ParseError::InvalidField(name))
}

/// The transaction hash at `path`, [`UNKNOWN_TX`] if absent.
fn tx_at(value: &Value, path: &[&str], name: &'static str) -> Result<TxHash, ParseError> {
	match at(value, path) {
		None => Ok(UNKNOWN_TX),
		Some(found) => found.as_str().and_then(hex_bytes).ok_or(ParseError::InvalidField(name)),
	}
}

/// The decimal token id at `path`.
fn token_at(value: &Value, path: &[&str], name: &'static str) -> Result<TokenId, ParseError> {
	TokenId::from_decimal(text(value, path, name)?).ok_or(ParseError::InvalidField(name))
}

/// The ISO-8601 or unix-seconds timestamp at `path`.
fn timestamp_at(value: &Value, path: &[&str], name: &'static str) -> Result<u64, ParseError> {
	match at(value, path).ok_or(ParseError::MissingField(name))? {
		Value::String(text) => {
			crate::time::parse_timestamp(text).ok_or(ParseError::InvalidField(name))
		},
		other => u64::try_from(integer(other, name)?).map_err(|_| ParseError::InvalidField(name)),
	}
}

/// A cursor value: a string as is, a number in decimal; `None` if absent or null.
fn cursor_of(value: Option<&Value>) -> Option<String> {
	match value? {
		Value::String(text) => Some(text.clone()),
		Value::Number(number) => Some(alloc::format!("{number}")),
		_ => None,
	}
}
