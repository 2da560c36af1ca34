//! Benchmarks: configuration, the quorum, and a feed of `n` floors (dispatch, which also
//! combines each collection's index, and authorisation, which verifies the operator key's
//! genesis-bound signature and every collection).

use super::*;
use crate::pallet::{Call, Collections, Config, FeedOf, Floors, Pallet, Quorum};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{Authorize, EnsureOrigin, Get},
	},
	frame_system::{self, RawOrigin},
	pallet_oracle::DataFeeder,
	sp_runtime::{traits::Convert, RuntimeAppPublic},
};
use true_floor::FloorParams;

fn collection_config() -> CollectionConfig {
	CollectionConfig {
		contract: [0x11; 20],
		slug: b"boredapeyachtclub".to_vec().try_into().unwrap_or_default(),
		sources: Source::ALL.to_vec().try_into().unwrap_or_default(),
		params: FloorParams::default(),
	}
}

/// `n` configured collections and a feed of a floor for each, signed by an operator, with the
/// largest operator set the runtime allows each holding a fresh value of every collection (so
/// combining each index reads them all).
fn signed_feed<T: Config>(
	n: u32,
) -> Result<(FeedOf<T>, crate::pallet::SignatureOf<T>), BenchmarkError> {
	let room = T::BenchmarkHelper::operator_room();
	let operator = T::OperatorId::generate_pair(None);
	T::BenchmarkHelper::make_operator(&T::OperatorAccount::convert(operator.clone()));
	let others: alloc::vec::Vec<T::AccountId> =
		(1..room).map(|index| account("operator", index, 0)).collect();
	for other in &others {
		T::BenchmarkHelper::make_operator(other);
	}
	let mut floors = alloc::vec::Vec::new();
	for seed in 0..n {
		let collection = T::BenchmarkHelper::collection(seed);
		Pallet::<T>::do_set_collection(collection, collection_config())
			.map_err(|_| BenchmarkError::Stop("configuring failed"))?;
		for other in &others {
			T::Feeder::feed_value(Some(other.clone()), collection, 10u128.pow(19))
				.map_err(|_| BenchmarkError::Stop("feeding the other operators failed"))?;
		}
		floors.push((collection, 10u128.pow(19)));
	}
	let block = frame_system::Pallet::<T>::block_number();
	let floors = Floors::<T>::try_from(floors).map_err(|_| BenchmarkError::Stop("too many"))?;
	let feed = FloorFeed { operator: operator.clone(), block, floors };
	let signature =
		operator.sign(&feed_payload::<T>(&feed)).ok_or(BenchmarkError::Stop("no signature"))?;
	Ok((feed, signature))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_collection() -> Result<(), BenchmarkError> {
		let origin =
			T::OracleAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let collection = T::BenchmarkHelper::collection(0);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, collection, collection_config());
		assert!(Collections::<T>::contains_key(collection));
		Ok(())
	}

	#[benchmark]
	fn remove_collection() -> Result<(), BenchmarkError> {
		let origin =
			T::OracleAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let collection = T::BenchmarkHelper::collection(0);
		Pallet::<T>::do_set_collection(collection, collection_config())
			.map_err(|_| BenchmarkError::Stop("configuring failed"))?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, collection);
		assert!(!Collections::<T>::contains_key(collection));
		Ok(())
	}

	#[benchmark]
	fn set_quorum() -> Result<(), BenchmarkError> {
		let origin =
			T::OracleAdmin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let policy = QuorumPolicy {
			share: polkadot_sdk::sp_runtime::Perbill::from_percent(66),
			max_spread: polkadot_sdk::sp_runtime::Perbill::from_percent(5),
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, policy);
		assert_eq!(Quorum::<T>::get(), policy);
		Ok(())
	}

	#[benchmark]
	fn submit_floors(n: Linear<1, { T::MaxCollections::get() }>) -> Result<(), BenchmarkError> {
		let (feed, signature) = signed_feed::<T>(n)?;
		#[extrinsic_call]
		_(RawOrigin::Authorized, feed, signature);
		Ok(())
	}

	#[benchmark]
	fn authorize_submit_floors(
		n: Linear<1, { T::MaxCollections::get() }>,
	) -> Result<(), BenchmarkError> {
		let (feed, signature) = signed_feed::<T>(n)?;
		let call = Call::<T>::submit_floors { feed, signature };
		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("submit_floors has authorize logic"))?
				.map_err(|_| BenchmarkError::Stop("authorize failed"))?;
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
