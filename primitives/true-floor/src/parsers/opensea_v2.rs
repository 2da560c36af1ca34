//! OpenSea API v2 collection events (`GET /api/v2/events/collection/{slug}?event_type=sale`):
//! `{"asset_events": [...], "next": "..."}`; sales are the events with `event_type == "sale"`.
//!
//! A sale carries `payment {quantity, token_address, decimals, symbol}` (`quantity` a decimal
//! string in the token's base units), `nft {identifier, contract, collection}`, `seller`,
//! `buyer`, `quantity`, `transaction` (the hash), `closing_date` and `event_timestamp` (unix
//! seconds) and `chain`. Events carry no marketplace label: a fill OpenSea indexed from
//! another venue looks the same, so the transaction hash and token id identify it.

use super::{
	address_at, at, cursor_of, events, integer_at, parse_json, timestamp_at, token_at, tx_at,
	u32_at_or, Page, ParseError,
};
use crate::types::{Address, Currency, Marketplace, Sale};
use alloc::vec::Vec;
use serde_json::Value;

/// The chain the configured collections live on; sales reported on other chains are skipped.
const CHAIN: &str = "ethereum";

/// Parses one page of v2 events.
pub fn parse(body: &[u8]) -> Result<Page, ParseError> {
	let root = parse_json(body)?;
	let mut sales = Vec::new();
	let mut skipped = 0u32;
	for event in events(&root, "asset_events")? {
		let is_sale = at(event, &["event_type"]).and_then(Value::as_str) == Some("sale");
		let chain = at(event, &["chain"]).and_then(Value::as_str);
		if is_sale && chain.is_none_or(|chain| chain == CHAIN) {
			sales.push(parse_sale(event)?);
		} else {
			skipped = skipped.saturating_add(1);
		}
	}
	Ok(Page::finish(sales, cursor_of(root.get("next")), skipped))
}

/// The payment's currency: by `token_address` (the zero address is ETH) when present, else by
/// `symbol`. A token that does not have 18 decimals cannot be ETH or WETH, whatever its symbol
/// says, so its base-unit quantity is never compared with wei.
fn currency(event: &Value) -> Result<Currency, ParseError> {
	let decimals = at(event, &["payment", "decimals"]).and_then(Value::as_u64);
	if decimals.is_some_and(|decimals| decimals != 18) {
		return Ok(Currency::Other);
	}
	match at(event, &["payment", "token_address"]) {
		Some(address) => address
			.as_str()
			.and_then(super::hex_bytes::<20>)
			.map(|address: Address| Currency::from_address(&address))
			.ok_or(ParseError::InvalidField("payment.token_address")),
		None => Ok(at(event, &["payment", "symbol"])
			.and_then(Value::as_str)
			.map_or(Currency::Other, Currency::from_symbol)),
	}
}

/// One `sale` event.
fn parse_sale(event: &Value) -> Result<Sale, ParseError> {
	let timestamp = match at(event, &["closing_date"]) {
		Some(_) => timestamp_at(event, &["closing_date"], "closing_date")?,
		// Some responses carry only `event_timestamp`; report the canonical field if neither.
		None => timestamp_at(event, &["event_timestamp"], "closing_date")?,
	};
	Ok(Sale {
		marketplace: Marketplace::OpenSea,
		tx_hash: tx_at(event, &["transaction"], "transaction")?,
		log_index: 0,
		token_id: token_at(event, &["nft", "identifier"], "nft.identifier")?,
		price: integer_at(event, &["payment", "quantity"], "payment.quantity")?,
		currency: currency(event)?,
		quantity: u32_at_or(event, &["quantity"], "quantity", 1)?,
		items_in_tx: 1,
		buyer: address_at(event, &["buyer"], "buyer")?,
		seller: address_at(event, &["seller"], "seller")?,
		timestamp,
	})
}
