//! One sale as an event of each marketplace API, with the fields the real APIs return
//! (and `true_floor::parsers` read): prices as decimal wei strings, lowercase `0x` hex
//! addresses and hashes, decimal token ids. [`crate::ethereum`] has the same sales as
//! Ethereum logs.

use crate::{
	format::{Collection, Format},
	replay::Item,
};
use primitive_types::U256;
use serde_json::{json, Value};
use true_floor::{types::WETH_MAINNET, Address, Currency, TokenId};

/// The stand-in payment token of sales in neither ETH nor WETH (18 decimals, so only its
/// address tells it apart).
pub const OTHER_TOKEN: Address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff];

/// The first bytes of a synthesized transaction hash ("rply").
const SYNTHETIC_TX_TAG: [u8; 4] = *b"rply";

/// `item` as an event of `format`.
pub fn event(format: Format, item: &Item, collection: &Collection) -> Value {
	match format {
		Format::OpenSeaV2 => opensea_v2(item, collection),
		Format::LooksRare => looksrare(item, collection),
	}
}

/// An OpenSea v2 `sale` event.
fn opensea_v2(item: &Item, collection: &Collection) -> Value {
	let sale = &item.sale;
	let payment = payment_token(sale.currency);
	json!({
		"event_type": "sale",
		"order_hash": hex(&order_hash(item)),
		"chain": "ethereum",
		"protocol_address": hex(&true_floor::ethereum::SEAPORT_1_6),
		"closing_date": sale.timestamp,
		"event_timestamp": sale.timestamp,
		"nft": {
			"identifier": token_decimal(&sale.token_id),
			"collection": collection.slug,
			"contract": hex(&collection.contract),
			"token_standard": "erc721",
			"name": format!("#{}", token_decimal(&sale.token_id)),
			"description": null,
			"image_url": null,
			"metadata_url": null,
			"opensea_url": format!(
				"https://opensea.io/assets/ethereum/{}/{}",
				hex(&collection.contract),
				token_decimal(&sale.token_id)
			),
			"updated_at": iso8601(sale.timestamp),
			"is_disabled": false,
			"is_nsfw": false,
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

/// A LooksRare v2 `SALE` event; `from` is the seller, `to` the buyer, `order` the maker's
/// (an ask) with the price, currency and amounts.
fn looksrare(item: &Item, collection: &Collection) -> Value {
	let sale = &item.sale;
	let token = token_decimal(&sale.token_id);
	json!({
		"id": event_id(item).to_string(),
		"type": "SALE",
		"from": hex(&sale.seller),
		"to": hex(&sale.buyer),
		"hash": hex(&tx_hash(item)),
		"createdAt": format!("{}.000Z", iso8601(sale.timestamp)),
		"collection": {
			"address": hex(&collection.contract),
			"name": collection.slug,
			"type": "ERC721",
			"isVerified": true,
		},
		"token": {
			"id": event_id(item),
			"collectionAddress": hex(&collection.contract),
			"tokenId": token,
			"name": format!("#{token}"),
		},
		"order": {
			"id": format!("order-{}", event_id(item)),
			"hash": hex(&order_hash(item)),
			"quoteType": 1,
			"collection": hex(&collection.contract),
			"currency": hex(&payment_token(sale.currency).address),
			"signer": hex(&sale.seller),
			"strategyId": 0,
			"collectionType": 0,
			"price": sale.price.to_string(),
			"amounts": [sale.quantity.to_string()],
			"itemIds": [token],
			"status": "EXECUTED",
		},
	})
}

/// A payment token as the APIs describe it.
pub struct PaymentToken {
	/// Its symbol.
	pub symbol: &'static str,
	/// Its name.
	pub name: &'static str,
	/// Its contract (zero for ETH).
	pub address: Address,
}

/// The payment token of a currency (ETH is the zero address, as in every API).
pub fn payment_token(currency: Currency) -> PaymentToken {
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

/// A stand-in order hash unique to the sale.
pub fn order_hash(item: &Item) -> [u8; 32] {
	let mut hash = tx_hash(item);
	hash.reverse();
	hash
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
	use true_floor::{time::parse_iso8601, Marketplace, Sale};

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
