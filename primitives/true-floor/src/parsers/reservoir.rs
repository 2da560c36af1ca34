//! Reservoir sales: `GET /sales/v4..v6` (`{sales: [...], continuation}`) and the activity
//! feeds (`/collections/activity/v6`: `{activities: [...], continuation}`, sales being the
//! activities with `type == "sale"`). Blur fills are only visible through Reservoir.

use super::{
	address_at, at, cursor_of, parse_json, text, timestamp_at, token_at, tx_at, u32_at_or, Page,
	ParseError,
};
use crate::types::{Currency, Marketplace, Sale};
use alloc::vec::Vec;
use serde_json::Value;

/// Parses one page of `sales` or `activities`.
pub fn parse(body: &[u8]) -> Result<Page, ParseError> {
	let root = parse_json(body)?;
	let (items, is_activity) = match (root.get("sales"), root.get("activities")) {
		(Some(Value::Array(sales)), _) => (sales, false),
		(_, Some(Value::Array(activities))) => (activities, true),
		_ => return Err(ParseError::UnexpectedShape("sales")),
	};
	let mut sales = Vec::new();
	let mut skipped = 0u32;
	for item in items {
		if !is_activity || at(item, &["type"]).and_then(Value::as_str) == Some("sale") {
			sales.push(parse_sale(item)?);
		} else {
			skipped = skipped.saturating_add(1);
		}
	}
	Ok(Page::finish(sales, cursor_of(root.get("continuation")), skipped))
}

/// Parses a body holding a single sale object (as Reservoir's sync node stores them).
pub fn parse_single(body: &[u8]) -> Result<Sale, ParseError> {
	parse_sale(&parse_json(body)?)
}

/// The venue behind a Reservoir sale, from its order or fill source domain.
fn marketplace(item: &Value) -> Marketplace {
	let domain = ["orderSource", "fillSource"]
		.iter()
		.find_map(|key| at(item, &[key]).and_then(Value::as_str))
		.or_else(|| at(item, &["order", "source", "domain"]).and_then(Value::as_str));
	match domain {
		Some(domain) if domain.contains("opensea") => Marketplace::OpenSea,
		Some(domain) if domain.contains("blur") => Marketplace::Blur,
		Some(domain) if domain.contains("looksrare") => Marketplace::LooksRare,
		Some(domain) if domain.contains("x2y2") => Marketplace::X2y2,
		_ => Marketplace::Reservoir,
	}
}

/// One sale; the sales endpoints name the parties `from`/`to`, the activity feed
/// `fromAddress`/`toAddress` (`from` is the seller either way).
fn parse_sale(item: &Value) -> Result<Sale, ParseError> {
	let (seller_key, buyer_key) = if at(item, &["fromAddress"]).is_some() {
		("fromAddress", "toAddress")
	} else {
		("from", "to")
	};
	let currency = Currency::from_symbol(text(
		item,
		&["price", "currency", "symbol"],
		"price.currency.symbol",
	)?);
	Ok(Sale {
		marketplace: marketplace(item),
		tx_hash: tx_at(item, &["txHash"], "txHash")?,
		log_index: u32_at_or(item, &["logIndex"], "logIndex", 0)?,
		token_id: token_at(item, &["token", "tokenId"], "token.tokenId")?,
		price: super::integer_at(item, &["price", "amount", "raw"], "price.amount.raw")?,
		currency,
		quantity: u32_at_or(item, &["amount"], "amount", 1)?,
		items_in_tx: 1,
		buyer: address_at(item, &[buyer_key], buyer_key)?,
		seller: address_at(item, &[seller_key], seller_key)?,
		timestamp: timestamp_at(item, &["timestamp"], "timestamp")?,
	})
}
