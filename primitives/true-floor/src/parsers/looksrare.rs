//! LooksRare API v1 `GET /api/v1/events` (`{success, message, data: [...]}`); sales are the
//! events with `type == "SALE"`. The v2 events endpoint has the same envelope and is read
//! by the same parser. The next-page cursor is the id of the last event.

use super::{
	address_at, at, cursor_of, events, integer_at, parse_json, timestamp_at, token_at, tx_at,
	u32_at_or, Page, ParseError,
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

/// The sale's currency: the order's `currencyAddress` (v1) or `currency` (v2). LooksRare
/// settled every v1 sale in WETH (ETH is wrapped at fill), so an order without a currency
/// is WETH.
fn currency(event: &Value) -> Result<Currency, ParseError> {
	let address =
		at(event, &["order", "currencyAddress"]).or_else(|| at(event, &["order", "currency"]));
	match address {
		None => Ok(Currency::Weth),
		Some(found) => found
			.as_str()
			.and_then(super::hex_bytes::<20>)
			.map(|address: Address| Currency::from_address(&address))
			.ok_or(ParseError::InvalidField("order.currencyAddress")),
	}
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
		quantity: u32_at_or(event, &["order", "amount"], "order.amount", 1)?,
		items_in_tx: 1,
		buyer: address_at(event, &["to"], "to")?,
		seller: address_at(event, &["from"], "from")?,
		timestamp: timestamp_at(event, &["createdAt"], "createdAt")?,
	})
}
