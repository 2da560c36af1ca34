//! LooksRare API v2 `GET /api/v2/events?collection=…&type=SALE` (and the v1 endpoint, same
//! envelope): `{"success", "message", "data": [...]}`, newest first; sales are the events with
//! `type == "SALE"`. The next page is asked for with the `id` of the page's last event as
//! `pagination[cursor]` (v2 ids are opaque strings, v1 ids numbers).
//!
//! A sale's `from` is the seller and `to` the buyer, `hash` the transaction, `createdAt` an
//! ISO-8601 time, `token.tokenId` the token; the price is the event's `price` when given, else
//! its maker order's `price` (wei of the order's `currency`, the zero address being ETH). The
//! order's `amounts` (v2) or `amount` (v1) is the number of items sold.

use super::{
	address_at, at, cursor_of, events, integer, integer_at, parse_json, timestamp_at, token_at,
	tx_at, u32_at_or, Page, ParseError,
};
use crate::types::{Address, Currency, Marketplace, Sale};
use alloc::vec::Vec;
use serde_json::Value;

/// Parses one page of events.
pub fn parse(body: &[u8]) -> Result<Page, ParseError> {
	let root = parse_json(body)?;
	let data = events(&root, "data")?;
	let mut sales = Vec::new();
	let mut skipped = 0u32;
	for event in data {
		if at(event, &["type"]).and_then(Value::as_str) == Some("SALE") {
			sales.push(parse_sale(event)?);
		} else {
			skipped = skipped.saturating_add(1);
		}
	}
	let cursor = cursor_of(data.last().and_then(|last| last.get("id")));
	Ok(Page::finish(sales, cursor, skipped))
}

/// The sale's currency: the order's `currency` (v2) or `currencyAddress` (v1). LooksRare
/// settled every v1 sale in WETH (ETH is wrapped at fill), so an order without a currency is
/// WETH.
fn currency(event: &Value) -> Result<Currency, ParseError> {
	let address =
		at(event, &["order", "currency"]).or_else(|| at(event, &["order", "currencyAddress"]));
	match address {
		None => Ok(Currency::Weth),
		Some(found) => found
			.as_str()
			.and_then(super::hex_bytes::<20>)
			.map(|address: Address| Currency::from_address(&address))
			.ok_or(ParseError::InvalidField("order.currency")),
	}
}

/// Items sold: the sum of the v2 order's `amounts`, or the v1 order's `amount`, else one.
fn quantity(event: &Value) -> Result<u32, ParseError> {
	let Some(amounts) = at(event, &["order", "amounts"]) else {
		return u32_at_or(event, &["order", "amount"], "order.amount", 1);
	};
	let amounts = amounts.as_array().ok_or(ParseError::InvalidField("order.amounts"))?;
	let mut total = 0u128;
	for amount in amounts {
		total = total.saturating_add(integer(amount, "order.amounts")?);
	}
	// A collection offer names no items; it still buys one token.
	Ok(if amounts.is_empty() { 1 } else { u32::try_from(total).unwrap_or(u32::MAX) })
}

/// One `SALE` event: `from` is the seller, `to` the buyer.
fn parse_sale(event: &Value) -> Result<Sale, ParseError> {
	let price = match at(event, &["price"]) {
		Some(_) => integer_at(event, &["price"], "price")?,
		None => integer_at(event, &["order", "price"], "order.price")?,
	};
	Ok(Sale {
		marketplace: Marketplace::LooksRare,
		tx_hash: tx_at(event, &["hash"], "hash")?,
		log_index: 0,
		token_id: token_at(event, &["token", "tokenId"], "token.tokenId")?,
		price,
		currency: currency(event)?,
		quantity: quantity(event)?,
		items_in_tx: 1,
		buyer: address_at(event, &["to"], "to")?,
		seller: address_at(event, &["from"], "from")?,
		timestamp: timestamp_at(event, &["createdAt"], "createdAt")?,
	})
}
