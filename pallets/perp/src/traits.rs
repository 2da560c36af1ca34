//! The pallet's boundaries: the index price and the insurance fund, implemented by the
//! runtime (pallet-oracle, pallet-insurance) and by the mock in tests.

use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// An index price with the time it was observed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct IndexPrice {
	/// 18-decimal price.
	pub price: u128,
	/// Unix time of the observation, milliseconds.
	pub timestamp: u64,
}

/// Where the true floor price of a collection comes from.
pub trait PriceProvider<Key> {
	/// The latest index price of `key`, `None` if there is none.
	fn index_price(key: &Key) -> Option<IndexPrice>;
}

/// The insurance fund, as far as trading is concerned: where its inflows are paid.
pub trait InsuranceFund<AccountId> {
	/// The account the fund holds its balance in.
	fn account() -> AccountId;
	/// Called after `amount` of trading fees was paid into [`Self::account`].
	fn on_fee_received(_amount: u128) {}
}

/// Hooks benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<Key> {
	/// A distinct collection key per `seed`.
	fn collection(seed: u32) -> Key;
	/// Makes `price` the index of `key`, observed at `timestamp` (ms).
	fn set_index_price(key: &Key, price: u128, timestamp: u64);
}
