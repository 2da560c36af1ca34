//! Sales read from Ethereum itself, so the floor depends on no marketplace API.
//!
//! The offchain worker asks an Ethereum JSON-RPC node ([`rpc`]) for the collection's ERC-721
//! `Transfer(address indexed from, address indexed to, uint256 indexed tokenId)` logs over a
//! block range, keeps the transactions that moved exactly one of its tokens
//! ([`single_item_transfers`]), fetches those transactions' receipts and blocks, and prices
//! each from the exchange event in its receipt that traded that token ([`sale_of`]).
//!
//! # Decoded exchanges
//! - **Seaport 1.5** (`0x00000000000000ADc04C56Bf30aC9d3c0aAF14dC`) and **1.6**
//!   (`0x0000000000000068F116a894984e2DB1123eB395`): `OrderFulfilled` ([`seaport`]); OpenSea
//!   and the other venues built on Seaport. The price is what the buyer paid: a listing's
//!   consideration (seller proceeds, fees and royalties) or a bid's offer.
//! - **Blur**: BlurExchangeV2 (`0xb2ecfE4E4D61f8790bbb9DE2D1259B9e2410CEA5`) `Execution721Packed`,
//!   `Execution721TakerFeePacked`, `Execution721MakerFeePacked` and `Execution`, and
//!   BlurExchange v1 (`0x000000000000Ad05Ccc4F10045630fb830B95127`) `OrdersMatched`
//!   ([`blur`]).
//!
//! Only events emitted by those contract addresses count: any contract can emit a log with
//! the same signature.
//!
//! # Skipped
//! Mints and burns; transactions that moved more than one token of the collection (sweeps,
//! bundles); orders that trade more than one NFT or an NFT for an NFT; transfers with no
//! decoded exchange event (gifts, OTC deals, and fills on venues not listed above: LooksRare's
//! own protocol, X2Y2, Sudoswap and other AMM pools, Magic Eden's non-Seaport contracts).
//! A token routed through an intermediary in one transaction (`seller → router → buyer`)
//! counts as one transfer from the seller to the buyer. Payments in tokens other than ETH,
//! WETH and Blur's pool are reported with [`Currency::Other`](crate::Currency::Other) so the floor rejects them.

pub mod abi;
pub mod blur;
pub mod rpc;
pub mod seaport;

use crate::types::{Address, Marketplace, Sale, TokenId, TxHash};
use abi::Word;
use alloc::{collections::BTreeMap, vec::Vec};

/// `keccak256("Transfer(address,address,uint256)")`.
pub const TRANSFER_TOPIC: Word = [
	0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
	0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef,
];
/// Seaport 1.5.
pub const SEAPORT_1_5: Address = [
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xad, 0xc0, 0x4c, 0x56, 0xbf, 0x30, 0xac, 0x9d, 0x3c,
	0x0a, 0xaf, 0x14, 0xdc,
];
/// Seaport 1.6.
pub const SEAPORT_1_6: Address = [
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0xf1, 0x16, 0xa8, 0x94, 0x98, 0x4e, 0x2d, 0xb1,
	0x12, 0x3e, 0xb3, 0x95,
];
/// `keccak256("OrderFulfilled(bytes32,address,address,address,(uint8,address,uint256,uint256)[],(uint8,address,uint256,uint256,address)[])")`.
pub const ORDER_FULFILLED_TOPIC: Word = [
	0x9d, 0x9a, 0xf8, 0xe3, 0x8d, 0x66, 0xc6, 0x2e, 0x2c, 0x12, 0xf0, 0x22, 0x52, 0x49, 0xfd, 0x9d,
	0x72, 0x1c, 0x54, 0xb8, 0x3f, 0x48, 0xd9, 0x35, 0x2c, 0x97, 0xc6, 0xca, 0xcd, 0xcb, 0x6f, 0x31,
];
/// BlurExchangeV2 (proxy).
pub const BLUR_EXCHANGE_V2: Address = [
	0xb2, 0xec, 0xfe, 0x4e, 0x4d, 0x61, 0xf8, 0x79, 0x0b, 0xbb, 0x9d, 0xe2, 0xd1, 0x25, 0x9b, 0x9e,
	0x24, 0x10, 0xce, 0xa5,
];
/// `keccak256("Execution721Packed(bytes32,uint256,uint256)")`.
pub const EXECUTION_721_PACKED_TOPIC: Word = [
	0x1d, 0x5e, 0x12, 0xb5, 0x1d, 0xee, 0x5e, 0x4d, 0x34, 0x43, 0x45, 0x76, 0xc3, 0xfb, 0x99, 0x71,
	0x4a, 0x85, 0xf5, 0x7b, 0x0f, 0xd5, 0x46, 0xad, 0xa4, 0xb0, 0xbd, 0xdd, 0x73, 0x6d, 0x12, 0xb2,
];
/// `keccak256("Execution721TakerFeePacked(bytes32,uint256,uint256,uint256)")`.
pub const EXECUTION_721_TAKER_FEE_PACKED_TOPIC: Word = [
	0x0f, 0xcf, 0x17, 0xfa, 0xc1, 0x14, 0x13, 0x1b, 0x10, 0xf3, 0x7b, 0x18, 0x3c, 0x6a, 0x60, 0xf9,
	0x05, 0x91, 0x1e, 0x52, 0x80, 0x2c, 0xae, 0xeb, 0x3e, 0x6e, 0xa2, 0x10, 0x39, 0x8b, 0x81, 0xab,
];
/// `keccak256("Execution721MakerFeePacked(bytes32,uint256,uint256,uint256)")`.
pub const EXECUTION_721_MAKER_FEE_PACKED_TOPIC: Word = [
	0x7d, 0xc5, 0xc0, 0x69, 0x9a, 0xc8, 0xdd, 0x52, 0x50, 0xcb, 0xe3, 0x68, 0xa2, 0xfc, 0x3b, 0x4a,
	0x2d, 0xaa, 0xdb, 0x12, 0x0a, 0xd0, 0x7f, 0x6c, 0xcc, 0xea, 0x29, 0xf8, 0x34, 0x82, 0x68, 0x6e,
];
/// `keccak256("Execution((address,uint256,uint256,address,uint8),bytes32,uint256,uint256,(address,uint16),((address,uint16),(address,uint16)),uint8)")`.
pub const EXECUTION_TOPIC: Word = [
	0xf2, 0xf6, 0x62, 0x94, 0xdf, 0x6f, 0xae, 0x7a, 0xc6, 0x81, 0xcb, 0xe2, 0xf6, 0xd9, 0x1c, 0x69,
	0x04, 0x48, 0x59, 0x29, 0x67, 0x9d, 0xce, 0x26, 0x3e, 0x8f, 0x65, 0x39, 0xb7, 0xd5, 0xc5, 0x59,
];
/// BlurExchange v1 (proxy).
pub const BLUR_EXCHANGE: Address = [
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xad, 0x05, 0xcc, 0xc4, 0xf1, 0x00, 0x45, 0x63, 0x0f, 0xb8,
	0x30, 0xb9, 0x51, 0x27,
];
/// `keccak256("OrdersMatched(address,address,(address,uint8,address,address,uint256,uint256,address,uint256,uint256,uint256,(uint16,address)[],uint256,bytes),bytes32,(address,uint8,address,address,uint256,uint256,address,uint256,uint256,uint256,(uint16,address)[],uint256,bytes),bytes32)")`.
pub const ORDERS_MATCHED_TOPIC: Word = [
	0x61, 0xcb, 0xb2, 0xa3, 0xde, 0xe0, 0xb6, 0x06, 0x4c, 0x2e, 0x68, 0x1a, 0xad, 0xd6, 0x16, 0x77,
	0xfb, 0x4e, 0xf3, 0x19, 0xf0, 0xb5, 0x47, 0x50, 0x8d, 0x49, 0x56, 0x26, 0xf5, 0xa6, 0x2f, 0x64,
];

/// A log as an Ethereum node returns it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Log {
	/// The emitting contract.
	pub address: Address,
	/// Topic 0 is the event signature's hash, then the indexed arguments.
	pub topics: Vec<Word>,
	/// The non-indexed arguments, ABI-encoded.
	pub data: Vec<u8>,
	/// The block it is in.
	pub block_number: u64,
	/// Its transaction.
	pub tx_hash: TxHash,
	/// Its index within the block.
	pub log_index: u32,
}

/// An ERC-721 transfer of one token of the collection.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Transfer {
	/// Its transaction.
	pub tx_hash: TxHash,
	/// Its block.
	pub block_number: u64,
	/// The log's index within the block.
	pub log_index: u32,
	/// The previous owner (the seller of a sale).
	pub from: Address,
	/// The new owner (the buyer).
	pub to: Address,
	/// The token.
	pub token_id: TokenId,
}

impl Transfer {
	/// The transfer a `Transfer` log of `contract` records, `None` for other logs (including
	/// ERC-20 `Transfer`s, which index two arguments, not three).
	pub fn from_log(log: &Log, contract: &Address) -> Option<Self> {
		let [topic, from, to, token] = log.topics.as_slice() else { return None };
		if log.address != *contract || *topic != TRANSFER_TOPIC {
			return None;
		}
		Some(Self {
			tx_hash: log.tx_hash,
			block_number: log.block_number,
			log_index: log.log_index,
			from: abi::address(from)?,
			to: abi::address(to)?,
			token_id: TokenId(*token),
		})
	}
}

/// The transactions among `transfers` that moved exactly one token from an owner to another
/// (a mint or a burn is no sale), each as one transfer (a chain `seller → router → buyer`
/// collapsed into `seller → buyer`), in log order; and how many transactions were skipped.
pub fn single_item_transfers(transfers: &[Transfer]) -> (Vec<Transfer>, u32) {
	let mut by_tx: BTreeMap<TxHash, Vec<&Transfer>> = BTreeMap::new();
	for transfer in transfers {
		by_tx.entry(transfer.tx_hash).or_default().push(transfer);
	}
	let mut sales = Vec::new();
	let mut skipped = 0u32;
	for moves in by_tx.values_mut() {
		moves.sort_by_key(|transfer| transfer.log_index);
		match collapse(moves) {
			Some(transfer) if transfer.from != [0; 20] && transfer.to != [0; 20] => {
				sales.push(transfer)
			},
			_ => skipped = skipped.saturating_add(1),
		}
	}
	sales.sort_by_key(|transfer| (transfer.block_number, transfer.log_index));
	(sales, skipped)
}

/// One token moved along a chain of owners, as one transfer from the first to the last.
fn collapse(moves: &[&Transfer]) -> Option<Transfer> {
	let (first, rest) = moves.split_first()?;
	let mut whole = **first;
	for next in rest {
		if next.token_id != whole.token_id || next.from != whole.to {
			return None;
		}
		whole.to = next.to;
	}
	Some(whole)
}

/// The sale `transfer` was, priced from the first exchange event in its transaction's
/// `receipt` that traded that token, at `timestamp` (its block's). `None` if no decoded
/// exchange traded it (see the module docs).
pub fn sale_of(
	transfer: &Transfer,
	contract: &Address,
	receipt: &[Log],
	timestamp: u64,
) -> Option<Sale> {
	let token = &transfer.token_id;
	let (marketplace, (price, currency, quantity)) = receipt.iter().find_map(|log| {
		let topic = log.topics.first()?;
		match (log.address, *topic) {
			(SEAPORT_1_5 | SEAPORT_1_6, ORDER_FULFILLED_TOPIC) => {
				let order = seaport::decode(&log.data)?;
				let (price, currency) = seaport::sale_price(&order, contract, token)?;
				Some((Marketplace::Seaport, (price, currency, 1)))
			},
			(
				BLUR_EXCHANGE_V2,
				EXECUTION_721_PACKED_TOPIC
				| EXECUTION_721_TAKER_FEE_PACKED_TOPIC
				| EXECUTION_721_MAKER_FEE_PACKED_TOPIC,
			) => Some((Marketplace::Blur, blur::packed_fill(&log.data, contract, token)?)),
			(BLUR_EXCHANGE_V2, EXECUTION_TOPIC) => {
				Some((Marketplace::Blur, blur::execution_fill(&log.data, contract, token)?))
			},
			(BLUR_EXCHANGE, ORDERS_MATCHED_TOPIC) => {
				Some((Marketplace::Blur, blur::orders_matched_fill(&log.data, contract, token)?))
			},
			_ => None,
		}
	})?;
	Some(Sale {
		marketplace,
		tx_hash: transfer.tx_hash,
		// Zero like the marketplace APIs' sales, so the same fill seen through OpenSea's API
		// and through the logs is one sale to the floor's duplicate check.
		log_index: 0,
		token_id: *token,
		price,
		currency,
		quantity,
		items_in_tx: 1,
		buyer: transfer.to,
		seller: transfer.from,
		timestamp,
	})
}
