//! Collection and quorum configuration, and the checks and effects of a signed floor feed.

use crate::{
	pallet::{Collections, Config, Error, Event, FeedOf, LastFeed, Pallet, Quorum, SignatureOf},
	types::{CollectionConfig, QuorumPolicy},
};
use alloc::{collections::BTreeSet, vec::Vec};
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		ensure,
		pallet_prelude::{
			DispatchResult, InvalidTransaction, TransactionSource, TransactionValidityWithRefund,
			ValidTransaction, Weight,
		},
		traits::{Contains, Get},
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	pallet_oracle::DataFeeder,
	sp_runtime::{
		traits::{Convert, Saturating, Zero},
		RuntimeAppPublic,
	},
};

/// Domain separation: these bytes open every signed feed payload.
const FEED_CONTEXT: &[u8] = b"floorperp:true-floor-feed";

/// What an operator key signs for `feed`: a context tag, this chain's genesis hash and the
/// feed. The genesis hash makes a feed worthless on any other chain (a testnet, a fork with a
/// new genesis) however recent its block number there.
pub fn feed_payload<T: Config>(feed: &FeedOf<T>) -> Vec<u8> {
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	(FEED_CONTEXT, genesis, feed).encode()
}

/// `InvalidTransaction::Custom` codes of a refused feed, by [`Error`] variant.
pub mod refusal {
	/// `BadSignature`.
	pub const BAD_SIGNATURE: u8 = 1;
	/// `NotOperator`.
	pub const NOT_OPERATOR: u8 = 2;
	/// `StaleFeed`.
	pub const STALE_FEED: u8 = 3;
	/// `AlreadyFed`.
	pub const ALREADY_FED: u8 = 4;
	/// `InvalidFloors`, `UnknownCollection` or `PriceOutOfRange`.
	pub const INVALID_FLOORS: u8 = 5;
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_collection(
		collection: T::CollectionKey,
		config: CollectionConfig,
	) -> DispatchResult {
		config.params.validate().map_err(|_| Error::<T>::InvalidParams)?;
		ensure!(config.params.heartbeat <= T::MaxHeartbeat::get(), Error::<T>::HeartbeatTooLong);
		let distinct: BTreeSet<_> = config.sources.iter().collect();
		ensure!(
			!config.sources.is_empty() && distinct.len() == config.sources.len(),
			Error::<T>::InvalidSources
		);
		ensure!(
			Collections::<T>::contains_key(collection)
				|| Collections::<T>::count() < T::MaxCollections::get(),
			Error::<T>::TooManyCollections
		);
		Collections::<T>::insert(collection, config.clone());
		Self::deposit_event(Event::CollectionConfigured { collection, config });
		Ok(())
	}

	pub(crate) fn do_set_quorum(policy: QuorumPolicy) -> DispatchResult {
		ensure!(!policy.max_spread.is_zero(), Error::<T>::InvalidQuorum);
		Quorum::<T>::put(policy);
		Self::deposit_event(Event::QuorumSet { policy });
		Ok(())
	}

	/// Every check of a feed; the operator's account if it passes.
	pub(crate) fn check_feed(
		feed: &FeedOf<T>,
		signature: &SignatureOf<T>,
	) -> Result<T::AccountId, Error<T>> {
		ensure!(
			feed.operator.verify(&feed_payload::<T>(feed), signature),
			Error::<T>::BadSignature
		);
		let operator = T::OperatorAccount::convert(feed.operator.clone());
		ensure!(T::Operators::contains(&operator), Error::<T>::NotOperator);
		let now = frame_system::Pallet::<T>::block_number();
		let oldest = now.saturating_sub(T::FeedLongevity::get().into());
		ensure!(feed.block <= now && feed.block >= oldest, Error::<T>::StaleFeed);
		ensure!(
			LastFeed::<T>::get(&operator).is_none_or(|last| last < feed.block),
			Error::<T>::AlreadyFed
		);
		Self::check_floors(feed)?;
		Ok(operator)
	}

	fn check_floors(feed: &FeedOf<T>) -> Result<(), Error<T>> {
		let distinct: BTreeSet<_> = feed.floors.iter().map(|(collection, _)| collection).collect();
		ensure!(
			!feed.floors.is_empty() && distinct.len() == feed.floors.len(),
			Error::<T>::InvalidFloors
		);
		for (collection, floor) in feed.floors.iter() {
			let config = Collections::<T>::get(collection).ok_or(Error::<T>::UnknownCollection)?;
			ensure!(*floor > 0 && *floor <= config.params.max_price, Error::<T>::PriceOutOfRange);
		}
		Ok(())
	}

	/// Authorises an unsigned `submit_floors` (see the crate docs).
	pub(crate) fn authorize_feed(
		_source: TransactionSource,
		feed: &FeedOf<T>,
		signature: &SignatureOf<T>,
	) -> TransactionValidityWithRefund {
		let operator = Self::check_feed(feed, signature)
			.map_err(|error| InvalidTransaction::Custom(refusal_code(&error)))?;
		let longevity = u64::from(T::FeedLongevity::get()).max(1);
		ValidTransaction::with_tag_prefix("TrueFloorFeed")
			.priority(T::FeedPriority::get())
			.and_provides((operator, feed.block).encode())
			.longevity(longevity)
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	pub(crate) fn do_submit_floors(feed: FeedOf<T>, signature: &SignatureOf<T>) -> DispatchResult {
		let operator = Self::check_feed(&feed, signature)?;
		LastFeed::<T>::insert(&operator, feed.block);
		for (collection, floor) in feed.floors.iter() {
			T::Feeder::feed_value(Some(operator.clone()), *collection, *floor)?;
		}
		Self::deposit_event(Event::FloorsFed { operator, floors: feed.floors.into_inner() });
		Ok(())
	}

	/// The last block `operator`'s account fed at.
	pub fn last_feed(operator: &T::AccountId) -> Option<BlockNumberFor<T>> {
		LastFeed::<T>::get(operator)
	}

	/// Whether `collection` is configured: its index is then fed only through
	/// `submit_floors`, and the runtime refuses `pallet_oracle::feed_values` for it.
	pub fn is_configured(collection: &T::CollectionKey) -> bool {
		Collections::<T>::contains_key(collection)
	}

	/// The configured collections.
	pub fn collections() -> Vec<(T::CollectionKey, CollectionConfig)> {
		Collections::<T>::iter().collect()
	}
}

fn refusal_code<T>(error: &Error<T>) -> u8 {
	match error {
		Error::BadSignature => refusal::BAD_SIGNATURE,
		Error::NotOperator => refusal::NOT_OPERATOR,
		Error::StaleFeed => refusal::STALE_FEED,
		Error::AlreadyFed => refusal::ALREADY_FED,
		_ => refusal::INVALID_FLOORS,
	}
}
