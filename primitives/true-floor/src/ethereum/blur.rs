//! Blur's exchanges, from their verified sources.
//!
//! **BlurExchangeV2** (`0xb2ec…cea5`) emits, for an ERC-721 fill whose token id and price fit
//! 88 bits (the common case), one of `Execution721Packed(bytes32 orderHash, uint256
//! tokenIdListingIndexTrader, uint256 collectionPriceSide)`,
//! `Execution721TakerFeePacked(…, uint256 takerFeeRecipientRate)` or
//! `Execution721MakerFeePacked(…, uint256 makerFeeRecipientRate)`, where
//! `tokenIdListingIndexTrader = tokenId << 168 | listingIndex << 160 | trader` and
//! `collectionPriceSide = orderType << 248 | price << 160 | collection`; otherwise
//! `Execution(Transfer transfer, bytes32 orderHash, uint256 listingIndex, uint256 price,
//! FeeRate makerFee, Fees fees, OrderType orderType)`, all static: `transfer` is `(address
//! trader, uint256 id, uint256 amount, address collection, uint8 assetType)` (words 0–4), the
//! price word 7, the order type word 14. `price` is the total the buyer paid; asks (order type
//! 0) are paid in ETH, bids (1) from Blur's ETH pool.
//!
//! **BlurExchange** (v1, `0x0000…5127`) emits `OrdersMatched(address indexed maker, address
//! indexed taker, Order sell, bytes32 sellHash, Order buy, bytes32 buyHash)` where `Order` is
//! `(address trader, uint8 side, address matchingPolicy, address collection, uint256 tokenId,
//! uint256 amount, address paymentToken, uint256 price, …)`; the sale is the sell order's
//! collection, token, amount and price, paid in its `paymentToken` (ETH, WETH or Blur's pool).

use super::abi;
use crate::types::{Address, Currency, TokenId};
use primitive_types::U256;

/// What a Blur event says was sold: the price paid in total, its currency and the amount.
pub type Fill = (u128, Currency, u32);

/// Bytes of the packed token id and price (88 bits), which lead the words they are packed in.
const PACKED_BYTES: usize = 11;

/// The big-endian number in `bytes` (at most 16), as a `u128`.
fn be_u128(bytes: &[u8]) -> Option<u128> {
	let mut padded = [0u8; 16];
	let start = padded.len().checked_sub(bytes.len())?;
	padded.get_mut(start..)?.copy_from_slice(bytes);
	Some(u128::from_be_bytes(padded))
}

/// The currency an order type was paid in.
fn currency_of(order_type: U256) -> Currency {
	if order_type.is_zero() {
		Currency::Eth
	} else {
		Currency::Weth
	}
}

/// An `Execution721*Packed` event's fill, if it is of `token` of `contract`.
pub fn packed_fill(data: &[u8], contract: &Address, token: &TokenId) -> Option<Fill> {
	// tokenId (11 bytes) | listingIndex (1) | trader (20)
	let token_listing_trader = abi::word(data, 1)?;
	// orderType (1 byte) | price (11) | collection (20)
	let collection_price_side = abi::word(data, 2)?;
	if abi::low_address(collection_price_side) != *contract {
		return None;
	}
	let (high, packed_token) = token.0.split_at(token.0.len().checked_sub(PACKED_BYTES)?);
	if high.iter().any(|byte| *byte != 0)
		|| token_listing_trader.get(..PACKED_BYTES)? != packed_token
	{
		return None;
	}
	let price = be_u128(collection_price_side.get(1..PACKED_BYTES.checked_add(1)?)?)?;
	let order_type = U256::from(*collection_price_side.first()?);
	Some((price, currency_of(order_type), 1))
}

/// An unpacked `Execution` event's fill, if it is of `token` of `contract`.
pub fn execution_fill(data: &[u8], contract: &Address, token: &TokenId) -> Option<Fill> {
	if abi::address(abi::word(data, 3)?)? != *contract || *abi::word(data, 1)? != token.0 {
		return None;
	}
	// ERC-721 transfers leave the amount unset: one token.
	let is_erc721 = abi::uint(abi::word(data, 4)?).is_zero();
	let amount = if is_erc721 { 1 } else { u32::try_from(abi::uint(abi::word(data, 2)?)).ok()? };
	let price = abi::uint128(abi::word(data, 7)?)?;
	Some((price, currency_of(abi::uint(abi::word(data, 14)?)), amount))
}

/// An `OrdersMatched` event's fill, if its sell order is of `token` of `contract`.
pub fn orders_matched_fill(data: &[u8], contract: &Address, token: &TokenId) -> Option<Fill> {
	let sell = data.get(abi::tuple_start(data, 0)?..)?;
	if abi::address(abi::word(sell, 3)?)? != *contract || *abi::word(sell, 4)? != token.0 {
		return None;
	}
	let amount = u32::try_from(abi::uint(abi::word(sell, 5)?)).ok()?;
	let currency = Currency::from_address(&abi::address(abi::word(sell, 6)?)?);
	let price = abi::uint128(abi::word(sell, 7)?)?;
	Some((price, currency, amount))
}
