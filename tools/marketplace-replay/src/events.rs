//! One sale as an event of each marketplace API, with the fields the real APIs return
//! (and `true_floor::parsers` read): prices as decimal wei strings, lowercase `0x` hex
//! addresses and hashes, decimal token ids.

use crate::{
	format::{Collection, Format},
	replay::Item,
};
use primitive_types::U256;
use serde_json::{json, Value};
use true_floor::{types::WETH_MAINNET, Address, Currency, Marketplace, TokenId};
use true_floor_cli::price::eth_f64;

/// The stand-in payment token of sales in neither ETH nor WETH.
pub const OTHER_TOKEN: Address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff];

/// The first bytes of a synthesized transaction hash ("rply").
const SYNTHETIC_TX_TAG: [u8; 4] = *b"rply";

/// `item` as an event of `format`.
pub fn event(format: Format, item: &Item, collection: &Collection) -> Value {
	match format {
		Format::OpenSeaV2 => opensea_v2(item, collection),
		Format::OpenSeaV1 => opensea_v1(item, collection),
		Format::LooksRare => looksrare(item, collection),
		Format::X2y2 => x2y2(item, collection),
		Format::Reservoir => reservoir(item, collection),
	}
}

/// An OpenSea v2 `sale` event.
fn opensea_v2(item: &Item, collection: &Collection) -> Value {
	let sale = &item.sale;
	let payment = payment_token(sale.currency);
	json!({
		"event_type": "sale",
		"order_hash": null,
		"chain": "ethereum",
		"closing_date": sale.timestamp,
		"event_timestamp": sale.timestamp,
		"nft": {
			"identifier": token_decimal(&sale.token_id),
			"collection": collection.slug,
			"contract": hex(&collection.contract),
			"token_standard": "erc721",
		},
		"payment": {
			"quantity": sale.price.to_string(),
			"token_address": hex(&payment.address),
			"decimals": 18,
			"symbol": payment.symbol,
		},
		"seller": hex(&sale.seller),
		"buyer": hex(&sale.buyer),
		"quantity": sale.quantity,
		"transaction": hex(&tx_hash(item)),
	})
}

/// An OpenSea v1 `successful` event.
fn opensea_v1(item: &Item, collection: &Collection) -> Value {
	let sale = &item.sale;
	let payment = payment_token(sale.currency);
	let time = iso8601(sale.timestamp);
	json!({
		"id": event_id(item),
		"event_type": "successful",
		"event_timestamp": time,
		"created_date": format!("{time}.000000"),
		"collection_slug": collection.slug,
		"contract_address": hex(&collection.contract),
		"asset": {
			"token_id": token_decimal(&sale.token_id),
			"asset_contract": { "address": hex(&collection.contract), "schema_name": "ERC721" },
			"collection": { "slug": collection.slug },
		},
		"asset_bundle": null,
		"auction_type": null,
		"quantity": sale.quantity.to_string(),
		"total_price": sale.price.to_string(),
		"payment_token": {
			"symbol": payment.symbol,
			"address": hex(&payment.address),
			"name": payment.name,
			"decimals": 18,
		},
		"winner_account": { "address": hex(&sale.buyer) },
		"seller": { "address": hex(&sale.seller) },
		"is_private": false,
		"transaction": { "transaction_hash": hex(&tx_hash(item)), "timestamp": time },
	})
}

/// A LooksRare v1 `SALE` event; `from` is the seller, `to` the buyer.
fn looksrare(item: &Item, collection: &Collection) -> Value {
	let sale = &item.sale;
	let token = token_decimal(&sale.token_id);
	json!({
		"id": event_id(item),
		"type": "SALE",
		"from": hex(&sale.seller),
		"to": hex(&sale.buyer),
		"hash": hex(&tx_hash(item)),
		"createdAt": format!("{}.000Z", iso8601(sale.timestamp)),
		"collection": { "address": hex(&collection.contract), "name": collection.slug, "type": "ERC721" },
		"token": { "collectionAddress": hex(&collection.contract), "tokenId": token },
		"order": {
			"isOrderAsk": true,
			"collectionAddress": hex(&collection.contract),
			"tokenId": token,
			"signer": hex(&sale.seller),
			"price": sale.price.to_string(),
			"amount": sale.quantity,
			"currencyAddress": hex(&payment_token(sale.currency).address),
			"status": "EXECUTED",
		},
	})
}

/// An X2Y2 `sale` event; `from_address` is the seller, `to_address` the buyer.
fn x2y2(item: &Item, collection: &Collection) -> Value {
	let sale = &item.sale;
	json!({
		"id": event_id(item),
		"type": "sale",
		"created_at": sale.timestamp,
		"from_address": hex(&sale.seller),
		"to_address": hex(&sale.buyer),
		"tx": hex(&tx_hash(item)),
		"token": { "contract": hex(&collection.contract), "token_id": token_decimal(&sale.token_id) },
		"order": {
			"id": event_id(item),
			"type": "sell",
			"side": 1,
			"status": "done",
			"is_bundle": sale.quantity > 1,
			"currency": hex(&payment_token(sale.currency).address),
			"price": sale.price.to_string(),
			"maker": hex(&sale.seller),
			"taker": hex(&sale.buyer),
			"created_at": sale.timestamp,
			"updated_at": sale.timestamp,
		},
	})
}

/// A Reservoir `/sales/v6` sale; `from` is the seller, `to` the buyer.
fn reservoir(item: &Item, collection: &Collection) -> Value {
	let sale = &item.sale;
	let payment = payment_token(sale.currency);
	let source = source_domain(sale.marketplace);
	let created = format!("{}.000Z", iso8601(sale.timestamp));
	let eth = eth_f64(sale.price);
	json!({
		"token": {
			"contract": hex(&collection.contract),
			"tokenId": token_decimal(&sale.token_id),
			"name": null,
			"image": null,
			"collection": { "id": hex(&collection.contract), "name": collection.slug },
		},
		"orderSource": source,
		"orderSide": "ask",
		"from": hex(&sale.seller),
		"to": hex(&sale.buyer),
		"amount": sale.quantity.to_string(),
		"fillSource": source,
		"txHash": hex(&tx_hash(item)),
		"logIndex": sale.log_index,
		"batchIndex": 1,
		"timestamp": sale.timestamp,
		"price": {
			"currency": {
				"contract": hex(&payment.address),
				"name": payment.name,
				"symbol": payment.symbol,
				"decimals": 18,
			},
			"amount": { "raw": sale.price.to_string(), "decimal": eth, "native": eth },
		},
		"washTradingScore": 0,
		"isDeleted": false,
		"createdAt": created,
		"updatedAt": created,
	})
}

/// A payment token as the APIs describe it.
struct PaymentToken {
	symbol: &'static str,
	name: &'static str,
	address: Address,
}

/// The payment token of a currency (ETH is the zero address, as in every API).
fn payment_token(currency: Currency) -> PaymentToken {
	match currency {
		Currency::Eth => PaymentToken { symbol: "ETH", name: "Ether", address: [0; 20] },
		Currency::Weth => {
			PaymentToken { symbol: "WETH", name: "Wrapped Ether", address: WETH_MAINNET }
		},
		Currency::Other => {
			PaymentToken { symbol: "OTHER", name: "Other token", address: OTHER_TOKEN }
		},
	}
}

/// The Reservoir source domain of a venue; `None` for unknown venues.
fn source_domain(marketplace: Marketplace) -> Option<&'static str> {
	match marketplace {
		Marketplace::OpenSea => Some("opensea.io"),
		Marketplace::LooksRare => Some("looksrare.org"),
		Marketplace::X2y2 => Some("x2y2.io"),
		Marketplace::Blur => Some("blur.io"),
		Marketplace::Reservoir | Marketplace::Other => None,
	}
}

/// The numeric event id: the sale's index + 1, so a LooksRare client passing the last id
/// as `pagination[cursor]` continues at the next sale.
fn event_id(item: &Item) -> u64 {
	u64::try_from(item.index).map_or(u64::MAX, |index| index.saturating_add(1))
}

/// The sale's transaction hash, or for a sale without one a deterministic stand-in unique
/// to the sale: `"rply"`, the index (8 bytes) and the low 20 bytes of the token id.
pub fn tx_hash(item: &Item) -> [u8; 32] {
	if item.sale.has_tx() {
		return item.sale.tx_hash;
	}
	let index = u64::try_from(item.index).unwrap_or(u64::MAX).to_be_bytes();
	let token = &item.sale.token_id.0;
	let mut hash = [0u8; 32];
	let parts = SYNTHETIC_TX_TAG.iter().chain(&index).chain(token.iter().skip(12));
	for (byte, part) in hash.iter_mut().zip(parts) {
		*byte = *part;
	}
	hash
}

/// Lowercase `0x` hex.
pub fn hex(bytes: &[u8]) -> String {
	let mut text = String::with_capacity(bytes.len().saturating_mul(2).saturating_add(2));
	text.push_str("0x");
	for byte in bytes {
		text.push_str(&format!("{byte:02x}"));
	}
	text
}

/// A token id in decimal.
pub fn token_decimal(token: &TokenId) -> String {
	U256::from_big_endian(&token.0).to_string()
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SS` (UTC, no zone suffix).
pub fn iso8601(timestamp: u64) -> String {
	let (days, second_of_day) = (timestamp / 86_400, timestamp % 86_400);
	let (year, month, day) = civil_from_days(days);
	let (hour, minute, second) =
		(second_of_day / 3_600, second_of_day / 60 % 60, second_of_day % 60);
	format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// algorithm). No step overflows for any `u64` day count below `u64::MAX / 400`, which
/// unix seconds divided by 86 400 always are.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
	let shifted = days + 719_468;
	let era = shifted / 146_097;
	let day_of_era = shifted - era * 146_097;
	let year_of_era =
		(day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
	let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	let shifted_month = (5 * day_of_year + 2) / 153;
	let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
	let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
	let year = year_of_era + era * 400 + u64::from(month <= 2);
	(year, month, day)
}

#[cfg(test)]
mod tests {
	use super::*;
	use true_floor::{time::parse_iso8601, Sale};

	#[test]
	fn iso8601_round_trips() {
		for timestamp in
			[0, 951_782_400, 1_654_789_065, 1_700_000_000, 4_102_444_799, 253_402_300_799]
		{
			assert_eq!(parse_iso8601(&iso8601(timestamp)), Some(timestamp), "{timestamp}");
		}
		assert_eq!(iso8601(1_654_789_065), "2022-06-09T15:37:45");
		assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00");
	}

	#[test]
	fn hex_and_token_ids() {
		assert_eq!(hex(&[0xab, 0x01]), "0xab01");
		assert_eq!(token_decimal(&TokenId::from_u128(4668)), "4668");
		let big = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
		assert_eq!(token_decimal(&TokenId::from_decimal(big).unwrap()), big);
	}

	#[test]
	fn synthesized_hashes_are_unique_and_real_ones_kept() {
		let sale = Sale {
			marketplace: Marketplace::Other,
			tx_hash: [0; 32],
			log_index: 0,
			token_id: TokenId::from_u128(0x0102),
			price: 1,
			currency: Currency::Eth,
			quantity: 1,
			items_in_tx: 1,
			buyer: [1; 20],
			seller: [2; 20],
			timestamp: 0,
		};
		let first = tx_hash(&Item { index: 0, sale });
		let second = tx_hash(&Item { index: 1, sale });
		assert_ne!(first, second);
		assert_eq!(hex(&second), format!("0x72706c79{:016x}{:040x}", 1, 0x0102));
		let known = Sale { tx_hash: [7; 32], ..sale };
		assert_eq!(tx_hash(&Item { index: 5, sale: known }), [7; 32]);
	}
}
