//! OpenSea API v2 events (`/api/v2/events/collection/{slug}?event_type=sale`):
//! `{asset_events: [...], next}`; sales are the events with `event_type == "sale"`.

use super::{
	address_at, at, cursor_of, events, integer_at, parse_json, timestamp_at, token_at, tx_at,
	u32_at_or, Page, ParseError,
};
use crate::types::{Currency, Marketplace, Sale};
use alloc::vec::Vec;
use serde_json::Value;

/// Parses one page of v2 events.
pub fn parse(body: &[u8]) -> Result<Page, ParseError> {
	let root = parse_json(body)?;
	let mut sales = Vec::new();
	let mut skipped = 0u32;
	for event in events(&root, "asset_events")? {
		if at(event, &["event_type"]).and_then(Value::as_str) == Some("sale") {
			sales.push(parse_sale(event)?);
		} else {
			skipped = skipped.saturating_add(1);
		}
	}
	Ok(Page::finish(sales, cursor_of(root.get("next")), skipped))
}

/// One `sale` event.
fn parse_sale(event: &Value) -> Result<Sale, ParseError> {
	let currency = at(event, &["payment", "symbol"])
		.and_then(Value::as_str)
		.map_or(Currency::Other, Currency::from_symbol);
	let timestamp = match at(event, &["closing_date"]) {
		Some(_) => timestamp_at(event, &["closing_date"], "closing_date")?,
		// Older responses carry only `event_timestamp`; report the canonical field if neither.
		None => timestamp_at(event, &["event_timestamp"], "closing_date")?,
	};
	Ok(Sale {
		marketplace: Marketplace::OpenSea,
		tx_hash: tx_at(event, &["transaction"], "transaction")?,
		log_index: 0,
		token_id: token_at(event, &["nft", "identifier"], "nft.identifier")?,
		price: integer_at(event, &["payment", "quantity"], "payment.quantity")?,
		currency,
		quantity: u32_at_or(event, &["quantity"], "quantity", 1)?,
		items_in_tx: 1,
		buyer: address_at(event, &["buyer"], "buyer")?,
		seller: address_at(event, &["seller"], "seller")?,
		timestamp,
	})
}
