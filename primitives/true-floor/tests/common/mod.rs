//! Helpers shared by the integration tests.
#![allow(dead_code)]

use true_floor::{Currency, Marketplace, Sale, TokenId, ONE};

/// A decimal string in whole ETH ("9.5") as wei.
pub fn eth(text: &str) -> u128 {
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	assert!(fraction.len() <= 18, "too many decimals in {text}");
	let padded = format!("{fraction:0<18}");
	whole.parse::<u128>().unwrap() * ONE + padded.parse::<u128>().unwrap()
}

/// An address made of one repeated byte.
pub fn addr(byte: u8) -> [u8; 20] {
	[byte; 20]
}

/// An eligible-looking ETH sale of `token` at `price` wei from `seller` to `buyer` at `time`,
/// with a transaction hash derived from `token` and `time` so sales are distinct.
pub fn sale(token: u128, price: u128, seller: u8, buyer: u8, time: u64) -> Sale {
	let mut tx_hash = [0u8; 32];
	tx_hash[..16].copy_from_slice(&token.to_be_bytes());
	tx_hash[24..].copy_from_slice(&time.to_be_bytes());
	tx_hash[16] = 1;
	Sale {
		marketplace: Marketplace::Other,
		tx_hash,
		log_index: 0,
		token_id: TokenId::from_u128(token),
		price,
		currency: Currency::Eth,
		quantity: 1,
		items_in_tx: 1,
		buyer: addr(buyer),
		seller: addr(seller),
		timestamp: time,
	}
}

/// `n`-th sale of a stream of distinct tokens and parties, one minute apart.
pub fn fresh(n: u8, price: u128) -> Sale {
	sale(
		u128::from(n),
		price,
		n.wrapping_mul(2),
		n.wrapping_mul(2).wrapping_add(1),
		u64::from(n) * 60,
	)
}
