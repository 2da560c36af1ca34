//! # True-floor oracle pallet
//!
//! Validators compute each collection's "true floor price" from its sales in their offchain
//! workers and feed it to `pallet-oracle`, whose quorum median across operators is the index
//! every perp market trusts (docs/oracle.md).
//!
//! - **Configuration** (on chain, `OracleAdmin`): per collection its contract, OpenSea slug,
//!   the sources to read ([`Source`]: OpenSea API v2, LooksRare API v2, Ethereum logs) and
//!   the floor algorithm's [`FloorParams`](true_floor::FloorParams); and the index
//!   [`QuorumPolicy`].
//! - **Endpoints and keys** (per node, never on chain): the node's `--oracle-endpoint
//!   <source>=<url>` and `--oracle-api-key <source>=<key>` flags write offchain persistent
//!   storage under [`offchain::endpoint_key`] and [`offchain::api_key_key`], as does the
//!   standard `offchain_localStorageSet` RPC. A source without an endpoint is skipped.
//! - **Offchain worker** ([`offchain`]): issues every source's requests of a run together
//!   under one time budget, well inside a feed's validity; what did not answer in time is
//!   skipped for that run. Sales go through each collection's `FloorState` (kept in offchain
//!   storage); floors that moved by `publish_deviation` or whose `heartbeat` passed are
//!   evaluated at submission and signed, with the chain's genesis hash, by the node's
//!   operator key; `submit_floors` goes out as an authorised general transaction.
//! - **Submission path**: `#[pallet::authorize]` checks the signature over
//!   [`feed_payload`] (genesis-bound: a feed cannot be replayed on another chain), that the
//!   key's account is an oracle operator, that the feed is recent and the operator has not fed
//!   since, and that every collection is configured and every price within its `max_price`.
//!   Chosen over a signed `pallet_oracle::feed_values` because it needs no fee balance or
//!   nonce on the operator account, it gets an explicit priority above liquidations
//!   (`FeedPriority`), and copies of one feed dedupe by `(operator, block)`. The call then
//!   feeds `pallet-oracle` as that operator account (`DataFeeder`). The runtime refuses a
//!   direct `Oracle.feed_values` for configured collections ([`Pallet::is_configured`]), so
//!   these checks cannot be bypassed.
//! - **Quorum** ([`quorum`]): the runtime's `pallet-oracle` combines values with
//!   [`QuorumMedian`]: the index needs agreeing fresh values from a quorum of operators, or it
//!   goes stale.
#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics and never truncates: every module returns errors instead. The
// FRAME macros' expansions, the SCALE derives and the benchmarks are exempted where they are
// declared.
#![cfg_attr(
	not(test),
	deny(
		clippy::arithmetic_side_effects,
		clippy::as_conversions,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::panic,
		clippy::unwrap_used
	)
)]

extern crate alloc;

pub use feed::feed_payload;
pub use pallet::*;
pub use quorum::QuorumMedian;
pub use types::{CollectionConfig, FloorFeed, QuorumPolicy, Source};
pub use weights::WeightInfo;

mod feed;
pub mod offchain;
pub mod quorum;
#[allow(clippy::as_conversions)]
pub mod types;
pub mod weights;

// Benchmarks set up state off-chain; they are not runtime code.
#[cfg(feature = "runtime-benchmarks")]
#[allow(clippy::as_conversions, clippy::expect_used, clippy::unwrap_used)]
mod benchmarking;

/// Hooks benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<CollectionKey, AccountId> {
	/// A distinct collection key per `seed`.
	fn collection(seed: u32) -> CollectionKey;
	/// Makes `who` an oracle operator.
	fn make_operator(who: &AccountId);
	/// How many more operators the oracle's operator set takes (each operator's value is read
	/// when an index is combined, so the benchmarks fill the set).
	fn operator_room() -> u32;
}

/// The operator key is a session key: `author_rotateKeys` and dev seeds create it.
impl<T: Config> polkadot_sdk::sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = T::OperatorId;
}
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// The key type of oracle operator keys in a node's keystore.
pub const KEY_TYPE: polkadot_sdk::sp_core::crypto::KeyTypeId =
	polkadot_sdk::sp_core::crypto::KeyTypeId(*b"flor");

/// Operator keys: sr25519 under [`KEY_TYPE`].
pub mod crypto {
	use polkadot_sdk::sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

#[polkadot_sdk::frame_support::pallet]
// `set_collection` takes the configuration by value, as every call argument is.
#[allow(clippy::large_enum_variant)]
// The spine only forwards to the logic modules; the lints would fire on FRAME's expansions.
#[allow(
	clippy::arithmetic_side_effects,
	clippy::as_conversions,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::panic,
	clippy::unwrap_used
)]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::{Contains, UnixTime},
		},
		frame_system::{offchain::CreateAuthorizedTransaction, pallet_prelude::*},
		pallet_oracle::DataFeeder,
		sp_runtime::{traits::Convert, RuntimeAppPublic},
	};

	/// The layout of this pallet's storage. A change to it bumps this and ships a
	/// `VersionedMigration` from the previous version in the runtime's `Migrations`
	/// (docs/operations.md#runtime-upgrades).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// An operator key's signature.
	pub type SignatureOf<T> = <<T as Config>::OperatorId as RuntimeAppPublic>::Signature;

	/// The floors of one feed.
	pub type Floors<T> =
		BoundedVec<(<T as Config>::CollectionKey, u128), <T as Config>::MaxCollections>;

	/// A feed as submitted.
	pub type FeedOf<T> = FloorFeed<<T as Config>::OperatorId, BlockNumberFor<T>, Floors<T>>;

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ CreateAuthorizedTransaction<Call<Self>>
	{
		/// Identifies a collection (the oracle key).
		type CollectionKey: Parameter + Member + MaxEncodedLen + Copy + Ord;
		/// Where floors go: `pallet-oracle`, as the operator's account.
		type Feeder: DataFeeder<Self::CollectionKey, u128, Self::AccountId>;
		/// Operator public keys (sr25519 under [`KEY_TYPE`] in the runtime).
		type OperatorId: Member + Parameter + RuntimeAppPublic + MaxEncodedLen + Ord;
		/// The account an operator key feeds as.
		type OperatorAccount: Convert<Self::OperatorId, Self::AccountId>;
		/// Accounts allowed to feed (the oracle's operator membership).
		type Operators: Contains<Self::AccountId>;
		/// Configures collections and the quorum (Root or the `oracle_admin` track).
		type OracleAdmin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Wall-clock time for the offchain worker's publishing decisions.
		type TimeProvider: UnixTime;
		/// Priority of feeds: above liquidations, so every liquidation sees a fresh index.
		#[pallet::constant]
		type FeedPriority: Get<TransactionPriority>;
		/// Blocks a feed stays valid after the block it was submitted at.
		#[pallet::constant]
		type FeedLongevity: Get<u32>;
		/// The longest `heartbeat` a collection may have (seconds): well under the oracle's
		/// expiry and the markets' `max_oracle_age`, so a quiet collection's index stays fresh.
		#[pallet::constant]
		type MaxHeartbeat: Get<u64>;
		/// Upper bound on configured collections (and floors in one feed).
		#[pallet::constant]
		type MaxCollections: Get<u32>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Benchmark set-up hooks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::CollectionKey, Self::AccountId>;
	}

	/// Each collection's oracle configuration.
	#[pallet::storage]
	pub type Collections<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::CollectionKey, CollectionConfig>;

	/// The block of each operator's last feed: one feed per operator per block, and never an
	/// older one after a newer.
	#[pallet::storage]
	pub type LastFeed<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

	/// How many agreeing operators the index needs (see [`QuorumPolicy`]); the default is a
	/// majority within 10 %.
	#[pallet::storage]
	pub type Quorum<T: Config> = StorageValue<_, QuorumPolicy, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	// `CollectionConfigured` carries the whole configuration for indexers; events are transient.
	#[allow(clippy::large_enum_variant)]
	pub enum Event<T: Config> {
		/// A collection's configuration was set.
		CollectionConfigured { collection: T::CollectionKey, config: CollectionConfig },
		/// A collection is no longer read.
		CollectionRemoved { collection: T::CollectionKey },
		/// An operator's floors went to the oracle.
		FloorsFed { operator: T::AccountId, floors: Vec<(T::CollectionKey, u128)> },
		/// The index quorum changed.
		QuorumSet { policy: QuorumPolicy },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// `MaxCollections` collections are configured.
		TooManyCollections,
		/// The collection is not configured.
		UnknownCollection,
		/// The floor parameters are inconsistent (`FloorParams::validate`).
		InvalidParams,
		/// The heartbeat is longer than `MaxHeartbeat`.
		HeartbeatTooLong,
		/// A configuration must name at least one source, each once.
		InvalidSources,
		/// The feed's signature does not match its operator key, this chain and its content.
		BadSignature,
		/// The operator key's account is not an oracle operator.
		NotOperator,
		/// The feed is from a future block or older than `FeedLongevity`.
		StaleFeed,
		/// The operator already fed at or after the feed's block.
		AlreadyFed,
		/// The feed carries no floor, or a collection twice.
		InvalidFloors,
		/// A floor is zero or above its collection's `max_price`.
		PriceOutOfRange,
		/// A quorum's spread must be above zero (no two honest floors are equal to the wei).
		InvalidQuorum,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Validators with an operator key compute and submit floors (see [`offchain`]).
		fn offchain_worker(block: BlockNumberFor<T>) {
			Self::run_offchain_worker(block);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sets (or replaces) `collection`'s oracle configuration.
		///
		/// - Origin: `OracleAdmin`.
		/// - Effect: validators read the collection from `config.sources` with
		///   `config.params` from their next run (a parameter change restarts their floor).
		/// - Events: `CollectionConfigured`.
		/// - Errors: `InvalidParams`, `HeartbeatTooLong`, `InvalidSources`,
		///   `TooManyCollections`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_collection())]
		pub fn set_collection(
			origin: OriginFor<T>,
			collection: T::CollectionKey,
			config: CollectionConfig,
		) -> DispatchResult {
			T::OracleAdmin::ensure_origin(origin)?;
			Self::do_set_collection(collection, config)
		}

		/// Stops reading `collection`.
		///
		/// - Origin: `OracleAdmin`.
		/// - Events: `CollectionRemoved`.
		/// - Errors: `UnknownCollection`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_collection())]
		pub fn remove_collection(
			origin: OriginFor<T>,
			collection: T::CollectionKey,
		) -> DispatchResult {
			T::OracleAdmin::ensure_origin(origin)?;
			ensure!(Collections::<T>::contains_key(collection), Error::<T>::UnknownCollection);
			Collections::<T>::remove(collection);
			Self::deposit_event(Event::CollectionRemoved { collection });
			Ok(())
		}

		/// Feeds an operator's floors to the oracle.
		///
		/// - Origin: an authorised general transaction (validators' offchain workers);
		///   authorisation checks the operator key's `signature` over [`feed_payload`] (the
		///   feed and this chain's genesis hash), that its account is an oracle operator, that
		///   `feed.block` is recent and newer than its last feed, and every floor.
		/// - Effect: `pallet-oracle` records each floor as that operator's value; the index
		///   is the median of a quorum of agreeing fresh values ([`QuorumMedian`]).
		/// - Events: `FloorsFed` (and the oracle's `NewFeedData`).
		/// - Errors: `BadSignature`, `NotOperator`, `StaleFeed`, `AlreadyFed`,
		///   `InvalidFloors`, `UnknownCollection`, `PriceOutOfRange` (re-checked at dispatch).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::submit_floors(feed.floors.len() as u32))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_floors(feed.floors.len() as u32))]
		#[pallet::authorize(Self::authorize_feed)]
		pub fn submit_floors(
			origin: OriginFor<T>,
			feed: FeedOf<T>,
			signature: SignatureOf<T>,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_submit_floors(feed, &signature)
		}

		/// Sets how many agreeing operators the index needs.
		///
		/// - Origin: `OracleAdmin`.
		/// - Effect: from the next value fed, the index needs fresh values from more than
		///   `policy.share` of the operators (at least two when there are two or more), within
		///   `policy.max_spread` of each other; below that it goes stale.
		/// - Events: `QuorumSet`.
		/// - Errors: `InvalidQuorum`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_quorum())]
		pub fn set_quorum(origin: OriginFor<T>, policy: QuorumPolicy) -> DispatchResult {
			T::OracleAdmin::ensure_origin(origin)?;
			Self::do_set_quorum(policy)
		}
	}
}
