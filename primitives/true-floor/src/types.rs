//! Sales as the floor algorithm sees them, whatever marketplace they came from.

use alloc::collections::{BTreeMap, BTreeSet};
use primitive_types::U256;

/// An Ethereum account address.
pub type Address = [u8; 20];

/// An Ethereum transaction hash. All zeroes means "unknown" (e.g. a CSV without a
/// transaction column): duplicate and same-transaction checks are then skipped.
pub type TxHash = [u8; 32];

/// The hash used for sales whose transaction is unknown.
pub const UNKNOWN_TX: TxHash = [0; 32];

/// Where a sale was made (for reporting; the algorithm treats all venues alike).
#[cfg_attr(
	feature = "scale",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Marketplace {
	/// OpenSea's events API (it reports OpenSea's own and aggregated fills alike).
	OpenSea,
	/// LooksRare's events API.
	LooksRare,
	/// A Seaport fill read from Ethereum logs (OpenSea and every venue built on Seaport).
	Seaport,
	/// A Blur exchange fill read from Ethereum logs.
	Blur,
	/// Anything else, e.g. a CSV without a venue column.
	Other,
}

/// What the buyer paid in. Only ETH and WETH sales are comparable, so everything else is
/// [`Currency::Other`] and ineligible.
#[cfg_attr(
	feature = "scale",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Currency {
	/// Native ether.
	Eth,
	/// Ether held in a 1:1 wrapper: WETH9, or Blur's pool (which Blur bids are paid from).
	Weth,
	/// Any other token (USDC, APE, …).
	Other,
}

impl Currency {
	/// The currency of a payment-token symbol as marketplaces report it ("ETH", "weth", …).
	pub fn from_symbol(symbol: &str) -> Self {
		if symbol.eq_ignore_ascii_case("ETH") {
			Self::Eth
		} else if symbol.eq_ignore_ascii_case("WETH") {
			Self::Weth
		} else {
			Self::Other
		}
	}

	/// The currency of a payment-token contract address: the zero address is native ETH,
	/// mainnet WETH and Blur's pool are wrapped ether.
	pub fn from_address(address: &Address) -> Self {
		if *address == [0; 20] {
			Self::Eth
		} else if *address == WETH_MAINNET || *address == BLUR_POOL {
			Self::Weth
		} else {
			Self::Other
		}
	}
}

/// The mainnet WETH9 contract, `0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2`.
pub const WETH_MAINNET: Address = [
	0xc0, 0x2a, 0xaa, 0x39, 0xb2, 0x23, 0xfe, 0x8d, 0x0a, 0x0e, 0x5c, 0x4f, 0x27, 0xea, 0xd9, 0x08,
	0x3c, 0x75, 0x6c, 0xc2,
];

/// Blur's pool, `0x0000000000A39bb272e79075ade125fd351887Ac`: ETH deposited 1:1, from which
/// Blur bids are paid.
pub const BLUR_POOL: Address = [
	0x00, 0x00, 0x00, 0x00, 0x00, 0xa3, 0x9b, 0xb2, 0x72, 0xe7, 0x90, 0x75, 0xad, 0xe1, 0x25, 0xfd,
	0x35, 0x18, 0x87, 0xac,
];

/// A token id within the collection: a `uint256`, stored big-endian so ids of any ERC-721
/// or ERC-1155 contract fit.
#[cfg_attr(
	feature = "scale",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct TokenId(pub [u8; 32]);

impl TokenId {
	/// A small token id.
	pub fn from_u128(id: u128) -> Self {
		Self(U256::from(id).to_big_endian())
	}

	/// Parses a decimal token id ("1256"); `None` if it is empty, not decimal or above
	/// `2^256 − 1`.
	pub fn from_decimal(text: &str) -> Option<Self> {
		if text.is_empty() {
			return None;
		}
		let mut value = U256::zero();
		for byte in text.bytes() {
			let digit = char::from(byte).to_digit(10)?;
			value = value.checked_mul(U256::from(10u8))?.checked_add(U256::from(digit))?;
		}
		Some(Self(value.to_big_endian()))
	}
}

/// One marketplace sale.
#[cfg_attr(
	feature = "scale",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Sale {
	/// The venue.
	pub marketplace: Marketplace,
	/// The settling transaction ([`UNKNOWN_TX`] if unknown).
	pub tx_hash: TxHash,
	/// The event's log index within the transaction (0 if unknown). With `tx_hash` and
	/// `token_id` it identifies the sale, so a page fetched twice is not counted twice.
	pub log_index: u32,
	/// The token sold.
	pub token_id: TokenId,
	/// Total price paid, in wei of `currency` (18 decimals).
	pub price: u128,
	/// What the price is denominated in.
	pub currency: Currency,
	/// Number of items the event sold (ERC-1155 amounts, bundles).
	pub quantity: u32,
	/// Number of sales found in the same transaction (sweeps), see [`annotate_items_in_tx`].
	pub items_in_tx: u32,
	/// Who paid.
	pub buyer: Address,
	/// Who received the payment.
	pub seller: Address,
	/// When the sale settled (unix seconds).
	pub timestamp: u64,
}

impl Sale {
	/// Whether the settling transaction is known.
	pub fn has_tx(&self) -> bool {
		self.tx_hash != UNKNOWN_TX
	}
}

/// Sets each sale's `items_in_tx` to the number of distinct sales (by log index and token)
/// in `sales` sharing its (known) transaction, so every item of a sweep is recognised as
/// multi-item, not only the ones after the first. A sale listed twice counts once: it is a
/// duplicate, not a sweep.
pub fn annotate_items_in_tx(sales: &mut [Sale]) {
	let distinct: BTreeSet<(TxHash, u32, TokenId)> = sales
		.iter()
		.filter(|sale| sale.has_tx())
		.map(|sale| (sale.tx_hash, sale.log_index, sale.token_id))
		.collect();
	let mut counts: BTreeMap<TxHash, u32> = BTreeMap::new();
	for (tx_hash, _, _) in distinct {
		let count = counts.entry(tx_hash).or_insert(0);
		*count = count.saturating_add(1);
	}
	for sale in sales.iter_mut() {
		if let Some(count) = counts.get(&sale.tx_hash) {
			sale.items_in_tx = sale.items_in_tx.max(*count);
		}
	}
}
