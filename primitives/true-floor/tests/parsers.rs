//! Marketplace parsers: exact results on our own fixtures (written in the shapes of OpenSea's
//! API v2 and LooksRare's API v2), shape checks on the recorded real LooksRare responses in
//! `../shared/data/nft-sales/api-samples` (skipped when absent), and typed errors on malformed
//! input.
mod common;

use common::{addr, eth};
use true_floor::{
	parsers::{self, hex_bytes, looksrare, opensea_v2},
	time::{parse_iso8601, parse_timestamp},
	Currency, Marketplace, Page, ParseError, Sale, TokenId,
};

/// The crate's directory, read when the test runs: the shared target dir may hold a test
/// binary built from another checkout, whose compile-time `env!` path no longer exists.
fn manifest_dir() -> std::path::PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR").into()
}

fn fixture(name: &str) -> Vec<u8> {
	let path = manifest_dir().join("tests/fixtures").join(name);
	std::fs::read(path).unwrap()
}

/// A recorded real response, or `None` (with a message) outside the floorperp workspace.
fn sample(name: &str) -> Option<Vec<u8>> {
	let path = manifest_dir().join("../../../shared/data/nft-sales/api-samples").join(name);
	match std::fs::read(&path) {
		Ok(bytes) => Some(bytes),
		Err(_) => {
			println!("skipping: {} not found", path.display());
			None
		},
	}
}

fn hash(byte: u8) -> [u8; 32] {
	[byte; 32]
}

#[test]
fn timestamps_in_every_marketplace_format() {
	assert_eq!(parse_iso8601("2022-06-09T15:37:45"), Some(1_654_789_065));
	assert_eq!(parse_iso8601("2022-06-09 15:37:45.898279"), Some(1_654_789_065));
	assert_eq!(parse_iso8601("2022-06-09T15:37:45.000Z"), Some(1_654_789_065));
	assert_eq!(parse_iso8601("2022-06-09T17:37:45+02:00"), Some(1_654_789_065));
	assert_eq!(parse_iso8601("1970-01-01T00:00:00"), Some(0));
	assert_eq!(parse_iso8601("2000-02-29T00:00:00"), Some(951_782_400));
	assert_eq!(parse_iso8601("2022-13-09T15:37:45"), None);
	assert_eq!(parse_iso8601("2022-06-09"), None);
	assert_eq!(parse_iso8601("1969-12-31T23:59:59"), None);
	assert_eq!(parse_timestamp("1680886655"), Some(1_680_886_655));
	assert_eq!(parse_timestamp("1680886655123"), Some(1_680_886_655));
	assert_eq!(parse_timestamp(""), None);
}

#[test]
fn hex_is_exact_length_and_any_case() {
	assert_eq!(hex_bytes::<2>("0xAbcd"), Some([0xab, 0xcd]));
	assert_eq!(hex_bytes::<2>("abcd"), Some([0xab, 0xcd]));
	assert_eq!(hex_bytes::<2>("0xabc"), None);
	assert_eq!(hex_bytes::<2>("0xabcg"), None);
	assert_eq!(hex_bytes::<1>("0xé1"), None);
	assert_eq!(parsers::decimal_u128("340282366920938463463374607431768211456"), None);
}

#[test]
fn opensea_v2_fixture() {
	let page = opensea_v2::parse(&fixture("opensea-v2.json")).unwrap();
	assert_eq!(page.cursor.as_deref(), Some("LXBrPTEyMw=="));
	// The listing event and the sale on another chain.
	assert_eq!(page.skipped, 2);
	let [ether, weth, usdc] = page.sales.as_slice() else { panic!("three sales expected") };
	assert_eq!(
		*ether,
		Sale {
			marketplace: Marketplace::OpenSea,
			tx_hash: hash(0xbb),
			log_index: 0,
			token_id: TokenId::from_u128(42),
			price: eth("2.1"),
			currency: Currency::Eth,
			quantity: 1,
			items_in_tx: 1,
			buyer: addr(0x11),
			seller: addr(0x22),
			timestamp: 1_700_000_000,
		}
	);
	assert_eq!(
		(weth.token_id, weth.price, weth.currency, weth.buyer, weth.timestamp),
		(TokenId::from_u128(43), eth("1.95"), Currency::Weth, addr(0x33), 1_699_999_900)
	);
	// Six decimals: never compared with wei, whatever the amount.
	assert_eq!((usdc.currency, usdc.price), (Currency::Other, 5_000_000_000));
}

#[test]
fn looksrare_v2_fixture() {
	let page = looksrare::parse(&fixture("looksrare.json")).unwrap();
	// Newest first; the next page continues from the last event's id.
	assert_eq!(page.cursor.as_deref(), Some("MzU3MjgyNDU="));
	assert_eq!(page.skipped, 1);
	assert_eq!(
		page.sales,
		vec![
			Sale {
				marketplace: Marketplace::LooksRare,
				tx_hash: hash(0xdd),
				log_index: 0,
				token_id: TokenId::from_u128(5),
				price: eth("1"),
				currency: Currency::Eth,
				quantity: 1,
				items_in_tx: 1,
				buyer: addr(0x11),
				seller: addr(0x22),
				timestamp: 1_691_996_473,
			},
			// A collection offer accepted: paid in WETH by the bidder (`to`).
			Sale {
				marketplace: Marketplace::LooksRare,
				tx_hash: hash(0xee),
				log_index: 0,
				token_id: TokenId::from_u128(7),
				price: eth("0.95"),
				currency: Currency::Weth,
				quantity: 1,
				items_in_tx: 1,
				buyer: addr(0x33),
				seller: addr(0x44),
				timestamp: 1_691_996_399,
			},
		]
	);
}

#[test]
fn malformed_input_is_a_typed_error() {
	assert_eq!(opensea_v2::parse(b"{not json"), Err(ParseError::InvalidJson));
	assert_eq!(opensea_v2::parse(b"[]"), Err(ParseError::UnexpectedShape("asset_events")));
	assert_eq!(
		opensea_v2::parse(b"{\"asset_events\": 3}"),
		Err(ParseError::UnexpectedShape("asset_events"))
	);
	assert_eq!(looksrare::parse(b"{}"), Err(ParseError::UnexpectedShape("data")));
	assert_eq!(looksrare::parse(b""), Err(ParseError::InvalidJson));
	assert_eq!(
		opensea_v2::parse(br#"{"asset_events": [{"event_type": "sale"}]}"#),
		Err(ParseError::MissingField("closing_date"))
	);
	let bad_price = br#"{"asset_events": [{"event_type": "sale", "closing_date": 1,
		"nft": {"identifier": "1"}, "payment": {"quantity": "1.5", "decimals": 18}}]}"#;
	assert_eq!(opensea_v2::parse(bad_price), Err(ParseError::InvalidField("payment.quantity")));
	let bad_token = br#"{"asset_events": [{"event_type": "sale", "closing_date": 1,
		"nft": {"identifier": "1"}, "payment": {"quantity": "1", "token_address": "0x12"}}]}"#;
	assert_eq!(
		opensea_v2::parse(bad_token),
		Err(ParseError::InvalidField("payment.token_address"))
	);
	let bad_address = br#"{"data": [{"type": "SALE", "token": {"tokenId": "1"}, "from": "0x12",
		"to": "0x34", "createdAt": "2023-08-14T06:59:59.000Z", "order": {"price": "1"}}]}"#;
	assert_eq!(looksrare::parse(bad_address), Err(ParseError::InvalidField("to")));
	let bad_amounts = br#"{"data": [{"type": "SALE", "token": {"tokenId": "1"},
		"order": {"price": "1", "amounts": "1"}}]}"#;
	assert_eq!(looksrare::parse(bad_amounts), Err(ParseError::InvalidField("order.amounts")));
	// Empty and non-sale pages are fine.
	assert_eq!(opensea_v2::parse(br#"{"asset_events": [], "next": null}"#), Ok(Page::default()));
}

#[test]
fn recorded_looksrare_responses() {
	if let Some(body) = sample("looksrare-1.json") {
		let page = looksrare::parse(&body).unwrap();
		assert_eq!((page.sales.len(), page.skipped), (0, 20));
		assert_eq!(page.cursor.as_deref(), Some("184159177"));
	}
	if let Some(body) = sample("looksrare-2.json") {
		let page = looksrare::parse(&body).unwrap();
		assert_eq!((page.sales.len(), page.skipped), (0, 20));
		assert_eq!(page.cursor.as_deref(), Some("MzU3MjE5ODA="));
	}
}
