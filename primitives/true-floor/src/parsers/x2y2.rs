//! X2Y2 API `GET /v1/events?type=sale`: `{success, next, data: [...]}`; sales are the
//! events with `type == "sale"`.

use super::{
	address_at, at, cursor_of, events, integer_at, parse_json, timestamp_at, token_at, tx_at, Page,
	ParseError,
};
use crate::types::{Address, Currency, Marketplace, Sale};
use alloc::vec::Vec;
use serde_json::Value;

/// Parses one page of events.
pub fn parse(body: &[u8]) -> Result<Page, ParseError> {
	let root = parse_json(body)?;
	let mut sales = Vec::new();
	let mut skipped = 0u32;
	for event in events(&root, "data")? {
		if at(event, &["type"]).and_then(Value::as_str) == Some("sale") {
			sales.push(parse_sale(event)?);
		} else {
			skipped = skipped.saturating_add(1);
		}
	}
	Ok(Page::finish(sales, cursor_of(root.get("next")), skipped))
}

/// One `sale` event: `from_address` is the seller, `to_address` the buyer. A bundle order
/// (`order.is_bundle`) sells several items for one price; its item count is not in the
/// event, so it is reported as quantity 2 ("more than one").
fn parse_sale(event: &Value) -> Result<Sale, ParseError> {
	let currency_address: Address =
		super::hex_bytes(super::text(event, &["order", "currency"], "order.currency")?)
			.ok_or(ParseError::InvalidField("order.currency"))?;
	let is_bundle = at(event, &["order", "is_bundle"]).and_then(Value::as_bool).unwrap_or(false);
	Ok(Sale {
		marketplace: Marketplace::X2y2,
		tx_hash: tx_at(event, &["tx"], "tx")?,
		log_index: 0,
		token_id: token_at(event, &["token", "token_id"], "token.token_id")?,
		price: integer_at(event, &["order", "price"], "order.price")?,
		currency: Currency::from_address(&currency_address),
		quantity: if is_bundle { 2 } else { 1 },
		items_in_tx: 1,
		buyer: address_at(event, &["to_address"], "to_address")?,
		seller: address_at(event, &["from_address"], "from_address")?,
		timestamp: timestamp_at(event, &["created_at"], "created_at")?,
	})
}
