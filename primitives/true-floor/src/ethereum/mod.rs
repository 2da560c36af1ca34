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
use abi::{hex, Word};
use alloc::{collections::BTreeMap, vec::Vec};

/// `keccak256("Transfer(address,address,uint256)")`.
pub const TRANSFER_TOPIC: Word =
	hex("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
/// Seaport 1.5.
pub const SEAPORT_1_5: Address = hex("0x00000000000000adc04c56bf30ac9d3c0aaf14dc");
/// Seaport 1.6.
pub const SEAPORT_1_6: Address = hex("0x0000000000000068f116a894984e2db1123eb395");
/// `keccak256("OrderFulfilled(bytes32,address,address,address,(uint8,address,uint256,uint256)[],(uint8,address,uint256,uint256,address)[])")`.
pub const ORDER_FULFILLED_TOPIC: Word =
	hex("0x9d9af8e38d66c62e2c12f0225249fd9d721c54b83f48d9352c97c6cacdcb6f31");
/// BlurExchangeV2 (proxy).
pub const BLUR_EXCHANGE_V2: Address = hex("0xb2ecfe4e4d61f8790bbb9de2d1259b9e2410cea5");
/// `keccak256("Execution721Packed(bytes32,uint256,uint256)")`.
pub const EXECUTION_721_PACKED_TOPIC: Word =
	hex("0x1d5e12b51dee5e4d34434576c3fb99714a85f57b0fd546ada4b0bddd736d12b2");
/// `keccak256("Execution721TakerFeePacked(bytes32,uint256,uint256,uint256)")`.
pub const EXECUTION_721_TAKER_FEE_PACKED_TOPIC: Word =
	hex("0x0fcf17fac114131b10f37b183c6a60f905911e52802caeeb3e6ea210398b81ab");
/// `keccak256("Execution721MakerFeePacked(bytes32,uint256,uint256,uint256)")`.
pub const EXECUTION_721_MAKER_FEE_PACKED_TOPIC: Word =
	hex("0x7dc5c0699ac8dd5250cbe368a2fc3b4a2daadb120ad07f6cccea29f83482686e");
/// `keccak256("Execution((address,uint256,uint256,address,uint8),bytes32,uint256,uint256,(address,uint16),((address,uint16),(address,uint16)),uint8)")`.
pub const EXECUTION_TOPIC: Word =
	hex("0xf2f66294df6fae7ac681cbe2f6d91c6904485929679dce263e8f6539b7d5c559");
/// BlurExchange v1 (proxy).
pub const BLUR_EXCHANGE: Address = hex("0x000000000000ad05ccc4f10045630fb830b95127");
/// `keccak256("OrdersMatched(address,address,(address,uint8,address,address,uint256,uint256,address,uint256,uint256,uint256,(uint16,address)[],uint256,bytes),bytes32,(address,uint8,address,address,uint256,uint256,address,uint256,uint256,uint256,(uint16,address)[],uint256,bytes),bytes32)")`.
pub const ORDERS_MATCHED_TOPIC: Word =
	hex("0x61cbb2a3dee0b6064c2e681aadd61677fb4ef319f0b547508d495626f5a62f64");

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
