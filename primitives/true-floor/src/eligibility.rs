//! Which sales are genuine, comparable trades.
//!
//! The filter remembers a bounded number of recent sales (`FloorParams::memory`) so it can
//! recognise duplicates, sweeps, quick resales and round trips; memory never grows past
//! that cap, whatever the input.

use crate::{
	params::FloorParams,
	types::{Address, Currency, Sale, TokenId, TxHash},
	window::push_capped,
};
use alloc::collections::VecDeque;

/// Why a sale does not count towards the floor.
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
pub enum RejectReason {
	/// The same sale (transaction, log index, token) was already ingested.
	Duplicate,
	/// More than one item changed hands: quantity ≠ 1, a bundle, or one of several sales
	/// in a single transaction (a sweep prices a batch, not one floor item).
	MultiItem,
	/// Paid in something other than ETH or WETH.
	Currency,
	/// A zero price (transfers recorded as sales, giveaways).
	ZeroPrice,
	/// A price above `FloorParams::max_price`.
	PriceTooLarge,
	/// Buyer and seller are the same address.
	SelfTrade,
	/// The reverse of a recent sale between the same two addresses: a wash trade.
	RoundTrip,
	/// The same token sold within the cooldown.
	TokenCooldown,
	/// Outside `[centre / band, centre · band]` of the robust centre.
	ExtremeOutlier,
	/// Further than `k · MAD` from the robust centre.
	ProbableOutlier,
}

impl RejectReason {
	/// Every reason, in the order the checks run.
	pub const ALL: [RejectReason; 10] = [
		Self::Duplicate,
		Self::MultiItem,
		Self::Currency,
		Self::ZeroPrice,
		Self::PriceTooLarge,
		Self::SelfTrade,
		Self::RoundTrip,
		Self::TokenCooldown,
		Self::ExtremeOutlier,
		Self::ProbableOutlier,
	];

	/// A stable snake_case name, for reports.
	pub fn name(self) -> &'static str {
		match self {
			Self::Duplicate => "duplicate",
			Self::MultiItem => "multi_item",
			Self::Currency => "currency",
			Self::ZeroPrice => "zero_price",
			Self::PriceTooLarge => "price_too_large",
			Self::SelfTrade => "self_trade",
			Self::RoundTrip => "round_trip",
			Self::TokenCooldown => "token_cooldown",
			Self::ExtremeOutlier => "extreme_outlier",
			Self::ProbableOutlier => "probable_outlier",
		}
	}
}

/// Identity of a sale event: two events with the same key are the same sale.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct SaleKey {
	tx_hash: TxHash,
	log_index: u32,
	token_id: TokenId,
}

/// A token's last sale.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct TokenSale {
	token_id: TokenId,
	timestamp: u64,
}

/// A transfer of value from `buyer` to `seller` (and of the NFT the other way).
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Transfer {
	seller: Address,
	buyer: Address,
	timestamp: u64,
}

/// The bounded memory of recent sales behind the eligibility rules.
#[cfg_attr(feature = "scale", derive(codec::Encode, codec::Decode))]
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct EligibilityFilter {
	seen: VecDeque<SaleKey>,
	token_sales: VecDeque<TokenSale>,
	transfers: VecDeque<Transfer>,
}

impl EligibilityFilter {
	/// An empty memory.
	pub fn new() -> Self {
		Self::default()
	}

	/// Checks `sale` against every rule, in the order of [`RejectReason::ALL`], and
	/// remembers it (unless it is a duplicate) so later sales are checked against it.
	///
	/// Every non-duplicate sale is remembered, eligible or not: an ineligible sale still
	/// moved the token and the money, so it still starts a cooldown or a round trip.
	pub fn check(&mut self, sale: &Sale, params: &FloorParams) -> Result<(), RejectReason> {
		let key =
			SaleKey { tx_hash: sale.tx_hash, log_index: sale.log_index, token_id: sale.token_id };
		if sale.has_tx() && self.seen.contains(&key) {
			return Err(RejectReason::Duplicate);
		}
		let verdict = self.check_new(sale, params);
		self.remember(sale, key, params.memory);
		verdict
	}

	/// The rules after deduplication, without side effects.
	fn check_new(&self, sale: &Sale, params: &FloorParams) -> Result<(), RejectReason> {
		if self.is_multi_item(sale) {
			return Err(RejectReason::MultiItem);
		}
		if sale.currency == Currency::Other {
			return Err(RejectReason::Currency);
		}
		if sale.price == 0 {
			return Err(RejectReason::ZeroPrice);
		}
		if sale.price > params.max_price {
			return Err(RejectReason::PriceTooLarge);
		}
		if sale.buyer == sale.seller {
			return Err(RejectReason::SelfTrade);
		}
		if self.is_round_trip(sale, params.round_trip_window) {
			return Err(RejectReason::RoundTrip);
		}
		if self.is_in_cooldown(sale, params.token_cooldown) {
			return Err(RejectReason::TokenCooldown);
		}
		Ok(())
	}

	/// Quantity other than one, a known sweep, or another sale already seen in the same
	/// transaction.
	fn is_multi_item(&self, sale: &Sale) -> bool {
		sale.quantity != 1
			|| sale.items_in_tx > 1
			|| (sale.has_tx() && self.seen.iter().any(|seen| seen.tx_hash == sale.tx_hash))
	}

	/// Whether the seller bought from the buyer (the reverse leg) within `window`.
	fn is_round_trip(&self, sale: &Sale, window: u64) -> bool {
		self.transfers.iter().any(|transfer| {
			transfer.seller == sale.buyer
				&& transfer.buyer == sale.seller
				&& transfer.timestamp.abs_diff(sale.timestamp) <= window
		})
	}

	/// Whether the token's most recent remembered sale is within `cooldown`.
	fn is_in_cooldown(&self, sale: &Sale, cooldown: u64) -> bool {
		self.token_sales
			.iter()
			.rev()
			.find(|previous| previous.token_id == sale.token_id)
			.is_some_and(|previous| previous.timestamp.abs_diff(sale.timestamp) < cooldown)
	}

	fn remember(&mut self, sale: &Sale, key: SaleKey, cap: u32) {
		if sale.has_tx() {
			push_capped(&mut self.seen, key, cap);
		}
		push_capped(
			&mut self.token_sales,
			TokenSale { token_id: sale.token_id, timestamp: sale.timestamp },
			cap,
		);
		push_capped(
			&mut self.transfers,
			Transfer { seller: sale.seller, buyer: sale.buyer, timestamp: sale.timestamp },
			cap,
		);
	}
}
