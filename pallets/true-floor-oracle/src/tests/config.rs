//! Collection configuration by `OracleAdmin`.

use crate::{mock::*, pallet::*, Source};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};
use true_floor::FloorParams;

#[test]
fn governance_configures_and_removes_a_collection() {
	new_test_ext().execute_with(|| {
		let apes = config(&[Source::Reservoir, Source::OpenSeaV2]);
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
				config(&[Source::X2y2, Source::X2y2])
			),
			Error::<Test>::InvalidSources
		);
		let mut broken = config(&[Source::X2y2]);
		broken.params = FloorParams { quantile: 0, quantile_window: 0, ..FloorParams::default() };
		assert_noop!(
			TrueFloor::set_collection(RuntimeOrigin::root(), COLLECTION, broken),
			Error::<Test>::InvalidParams
		);
		for collection in 0..4 {
			assert_ok!(TrueFloor::set_collection(
				RuntimeOrigin::root(),
				collection,
				config(&[Source::X2y2])
			));
		}
		assert_noop!(
			TrueFloor::set_collection(RuntimeOrigin::root(), 4, config(&[Source::X2y2])),
			Error::<Test>::TooManyCollections
		);
		// Replacing an existing one is not a new collection.
		assert_ok!(TrueFloor::set_collection(
			RuntimeOrigin::root(),
			3,
			config(&[Source::LooksRare])
		));
	});
}
