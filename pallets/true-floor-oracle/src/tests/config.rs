//! Collection configuration by `OracleAdmin`.

use crate::{mock::*, pallet::*, QuorumPolicy, Source};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::{DispatchError, Perbill},
};
use true_floor::FloorParams;

#[test]
fn governance_configures_and_removes_a_collection() {
	new_test_ext().execute_with(|| {
		let apes = config(&[Source::EthereumLogs, Source::OpenSeaV2]);
		assert_noop!(
			TrueFloor::set_collection(
				RuntimeOrigin::signed(operator(0).1),
				COLLECTION,
				apes.clone()
			),
			DispatchError::BadOrigin
		);
		assert_ok!(TrueFloor::set_collection(RuntimeOrigin::root(), COLLECTION, apes.clone()));
		assert_eq!(Collections::<Test>::get(COLLECTION), Some(apes.clone()));
		System::assert_last_event(
			Event::CollectionConfigured { collection: COLLECTION, config: apes }.into(),
		);
		assert_ok!(TrueFloor::remove_collection(RuntimeOrigin::root(), COLLECTION));
		assert_eq!(Collections::<Test>::get(COLLECTION), None);
		assert_noop!(
			TrueFloor::remove_collection(RuntimeOrigin::root(), COLLECTION),
			Error::<Test>::UnknownCollection
		);
	});
}

#[test]
fn bad_configurations_are_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			TrueFloor::set_collection(RuntimeOrigin::root(), COLLECTION, config(&[])),
			Error::<Test>::InvalidSources
		);
		assert_noop!(
			TrueFloor::set_collection(
				RuntimeOrigin::root(),
				COLLECTION,
				config(&[Source::LooksRare, Source::LooksRare])
			),
			Error::<Test>::InvalidSources
		);
		let mut broken = config(&[Source::LooksRare]);
		broken.params = FloorParams { quantile: 0, quantile_window: 0, ..FloorParams::default() };
		assert_noop!(
			TrueFloor::set_collection(RuntimeOrigin::root(), COLLECTION, broken),
			Error::<Test>::InvalidParams
		);
		// A heartbeat the index could go stale between.
		let mut slow = config(&[Source::LooksRare]);
		slow.params.heartbeat = 301;
		assert_noop!(
			TrueFloor::set_collection(RuntimeOrigin::root(), COLLECTION, slow),
			Error::<Test>::HeartbeatTooLong
		);
		for collection in 0..12 {
			assert_ok!(TrueFloor::set_collection(
				RuntimeOrigin::root(),
				collection,
				config(&[Source::LooksRare])
			));
		}
		assert_noop!(
			TrueFloor::set_collection(RuntimeOrigin::root(), 12, config(&[Source::LooksRare])),
			Error::<Test>::TooManyCollections
		);
		// Replacing an existing one is not a new collection.
		assert_ok!(TrueFloor::set_collection(
			RuntimeOrigin::root(),
			3,
			config(&[Source::OpenSeaV2])
		));
	});
}

#[test]
fn governance_sets_the_quorum() {
	new_test_ext().execute_with(|| {
		assert_eq!(Quorum::<Test>::get(), QuorumPolicy::default());
		let policy =
			QuorumPolicy { share: Perbill::from_percent(66), max_spread: Perbill::from_percent(5) };
		assert_noop!(
			TrueFloor::set_quorum(RuntimeOrigin::signed(operator(0).1), policy),
			DispatchError::BadOrigin
		);
		assert_noop!(
			TrueFloor::set_quorum(
				RuntimeOrigin::root(),
				QuorumPolicy { max_spread: Perbill::zero(), ..policy }
			),
			Error::<Test>::InvalidQuorum
		);
		assert_ok!(TrueFloor::set_quorum(RuntimeOrigin::root(), policy));
		assert_eq!(Quorum::<Test>::get(), policy);
		System::assert_last_event(Event::QuorumSet { policy }.into());
	});
}
