//! OpenSea API v1 `GET /api/v1/events`: `{next, previous, asset_events: [...]}`; sales are
//! the events with `event_type == "successful"`.

use super::{
	address_at, at, cursor_of, events, integer_at, parse_json, timestamp_at, token_at, tx_at, Page,
	ParseError,
};
use crate::types::{Currency, Marketplace, Sale};
use alloc::vec::Vec;
use serde_json::Value;

/// Parses one page of v1 events.
pub fn parse(body: &[u8]) -> Result<Page, ParseError> {
	let root = parse_json(body)?;
	let mut sales = Vec::new();
	let mut skipped = 0u32;
	for event in events(&root, "asset_events")? {
		if at(event, &["event_type"]).and_then(Value::as_str) == Some("successful") {
			sales.push(parse_sale(event)?);
		} else {
			skipped = skipped.saturating_add(1);
		}
	}
	Ok(Page::finish(sales, cursor_of(root.get("next")), skipped))
}

/// One `successful` event. A bundle sale (`asset` null, `asset_bundle` set) is reported
/// with the bundle's item count as quantity, so it is rejected as multi-item.
fn parse_sale(event: &Value) -> Result<Sale, ParseError> {
	let (token_id, bundle_size) = match at(event, &["asset"]) {
		Some(asset) => (token_at(asset, &["token_id"], "asset.token_id")?, None),
		None => {
			let assets = at(event, &["asset_bundle", "assets"])
				.and_then(Value::as_array)
				.ok_or(ParseError::MissingField("asset"))?;
			let first = assets.first().ok_or(ParseError::InvalidField("asset_bundle.assets"))?;
			let size = u32::try_from(assets.len()).unwrap_or(u32::MAX);
			(token_at(first, &["token_id"], "asset_bundle.assets.token_id")?, Some(size))
		},
	};
	let quantity = match bundle_size {
		Some(size) => size,
		None => u32::try_from(integer_at(event, &["quantity"], "quantity")?)
			.map_err(|_| ParseError::InvalidField("quantity"))?,
	};
	// A missing payment token happens on old events; it cannot be shown to be ETH.
	let currency = at(event, &["payment_token", "symbol"])
		.and_then(Value::as_str)
		.map_or(Currency::Other, Currency::from_symbol);
	let timestamp = match at(event, &["event_timestamp"]) {
		Some(_) => timestamp_at(event, &["event_timestamp"], "event_timestamp")?,
		None => timestamp_at(event, &["created_date"], "created_date")?,
	};
	Ok(Sale {
		marketplace: Marketplace::OpenSea,
		tx_hash: tx_at(
			event,
			&["transaction", "transaction_hash"],
			"transaction.transaction_hash",
		)?,
		log_index: 0,
		token_id,
		price: integer_at(event, &["total_price"], "total_price")?,
		currency,
		quantity,
		items_in_tx: 1,
		buyer: address_at(event, &["winner_account", "address"], "winner_account.address")?,
		seller: address_at(event, &["seller", "address"], "seller.address")?,
		timestamp,
	})
}
