//! Seaport's `OrderFulfilled(bytes32 orderHash, address indexed offerer, address indexed
//! zone, address recipient, SpentItem[] offer, ReceivedItem[] consideration)`, identical in
//! Seaport 1.5 and 1.6. `SpentItem` is `(uint8 itemType, address token, uint256 identifier,
//! uint256 amount)`, `ReceivedItem` the same plus `address recipient`; criteria items are
//! emitted resolved to the token they were filled with.

use super::abi::{self, Word};
use crate::types::{Address, Currency, TokenId};
use alloc::vec::Vec;
use primitive_types::U256;

/// Seaport's item types.
mod item_type {
	pub const NATIVE: u8 = 0;
	pub const ERC20: u8 = 1;
	pub const ERC721: u8 = 2;
	pub const ERC1155: u8 = 3;
	pub const ERC721_WITH_CRITERIA: u8 = 4;
	pub const ERC1155_WITH_CRITERIA: u8 = 5;
}

/// An offer or consideration item.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Item {
	/// The item type (0 native, 1 ERC-20, 2 ERC-721, 3 ERC-1155, 4/5 with criteria).
	pub kind: u8,
	/// The token contract (zero for native ETH).
	pub token: Address,
	/// The token id of an NFT item.
	pub identifier: Word,
	/// The amount (wei for currencies, units for NFTs).
	pub amount: U256,
}

impl Item {
	fn is_nft(&self) -> bool {
		matches!(
			self.kind,
			item_type::ERC721
				| item_type::ERC1155
				| item_type::ERC721_WITH_CRITERIA
				| item_type::ERC1155_WITH_CRITERIA
		)
	}

	fn is_currency(&self) -> bool {
		matches!(self.kind, item_type::NATIVE | item_type::ERC20)
	}
}

/// A decoded `OrderFulfilled`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OrderFulfilled {
	/// What the offerer gave.
	pub offer: Vec<Item>,
	/// What the offerer (and fee recipients) received.
	pub consideration: Vec<Item>,
}

/// The words of one item, `None` if malformed.
fn item(words: &[u8]) -> Option<Item> {
	let kind = u8::try_from(abi::uint(abi::word(words, 0)?)).ok()?;
	Some(Item {
		kind,
		token: abi::address(abi::word(words, 1)?)?,
		identifier: *abi::word(words, 2)?,
		amount: abi::uint(abi::word(words, 3)?),
	})
}

/// Decodes the event's data (its non-indexed fields).
pub fn decode(data: &[u8]) -> Option<OrderFulfilled> {
	let items = |head_index, fields| -> Option<Vec<Item>> {
		abi::tuple_array(data, 0, head_index, fields)?.into_iter().map(item).collect()
	};
	Some(OrderFulfilled { offer: items(2, 4)?, consideration: items(3, 5)? })
}

/// The price paid for `token` of `contract` in this order, and its currency, if the order
/// traded exactly that one NFT for currency: the sum of the currency items on the side
/// opposite the NFT (a listing's consideration, fees included; a bid's offer). `None` for
/// bundles, swaps and orders about other tokens.
pub fn sale_price(
	order: &OrderFulfilled,
	contract: &Address,
	token: &TokenId,
) -> Option<(u128, Currency)> {
	let offered = order.offer.iter().filter(|item| item.is_nft());
	let received = order.consideration.iter().filter(|item| item.is_nft());
	let nfts: Vec<&Item> = offered.clone().chain(received).collect();
	let [nft] = nfts.as_slice() else { return None };
	if nft.token != *contract || nft.identifier != token.0 || nft.amount != U256::one() {
		return None;
	}
	let payment_side = if offered.count() == 1 { &order.consideration } else { &order.offer };
	payment(payment_side.iter().filter(|item| item.is_currency()))
}

/// The total of currency items and their currency: ETH if all are native, WETH if all are
/// native or wrapped ether and one is wrapped, `Other` with any other token. `None` if there
/// is no payment or the total overflows.
pub(super) fn payment<'a>(items: impl Iterator<Item = &'a Item>) -> Option<(u128, Currency)> {
	let mut total = U256::zero();
	let mut currency: Option<Currency> = None;
	for item in items {
		total = total.checked_add(item.amount)?;
		let this = if item.kind == item_type::NATIVE {
			Currency::Eth
		} else {
			Currency::from_address(&item.token)
		};
		currency = Some(match (currency, this) {
			(None, this) => this,
			(Some(Currency::Other), _) | (_, Currency::Other) => Currency::Other,
			(Some(Currency::Eth), Currency::Eth) => Currency::Eth,
			_ => Currency::Weth,
		});
	}
	Some((u128::try_from(total).ok()?, currency?))
}
