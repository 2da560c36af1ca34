//! Signed floor feeds: authorisation, the genesis-bound signature and the oracle feed.

use crate::{feed::refusal, feed_payload, mock::*, pallet::*, FloorFeed, Source};
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
		traits::Authorize,
	},
	frame_system::RawOrigin,
	sp_core::Pair,
};

fn feed_of(index: u8, block: u64, floors: Vec<(u32, u128)>) -> (FeedOf<Test>, SignatureOf<Test>) {
	let feed = FloorFeed { operator: operator(index).0, block, floors: floors.try_into().unwrap() };
	let signature = operator_pair(index).sign(&feed_payload::<Test>(&feed)).into();
	(feed, signature)
}

fn configured() {
	assert_ok!(TrueFloor::set_collection(
		RuntimeOrigin::root(),
		COLLECTION,
		config(&[Source::OpenSeaV2])
	));
}

fn refusal_of(feed: FeedOf<Test>, signature: SignatureOf<Test>) -> Option<u8> {
	let call = RuntimeCall::TrueFloor(Call::submit_floors { feed, signature });
	match call.authorize(TransactionSource::External).unwrap() {
		Ok(_) => None,
		Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code))) => Some(code),
		Err(other) => panic!("unexpected refusal {other:?}"),
	}
}

#[test]
fn an_operators_signed_feed_is_authorised_and_feeds_the_oracle_as_its_account() {
	new_test_ext().execute_with(|| {
		configured();
		let (feed, signature) = feed_of(1, 1, vec![(COLLECTION, 42 * 10u128.pow(18))]);
		let call = RuntimeCall::TrueFloor(Call::submit_floors {
			feed: feed.clone(),
			signature: signature.clone(),
		});
		let (validity, _) = call.authorize(TransactionSource::External).unwrap().unwrap();
		let account = operator(1).1;
		assert_eq!(validity.priority, u64::MAX / 2);
		assert_eq!(
			validity.provides,
			vec![("TrueFloorFeed", (account.clone(), 1u64).encode()).encode()]
		);

		assert_ok!(TrueFloor::submit_floors(
			RawOrigin::Authorized.into(),
			feed.clone(),
			signature.clone()
		));
		assert_eq!(feeds(), vec![(account.clone(), COLLECTION, 42 * 10u128.pow(18))]);
		assert_eq!(LastFeed::<Test>::get(&account), Some(1));
		System::assert_last_event(
			Event::FloorsFed { operator: account, floors: vec![(COLLECTION, 42 * 10u128.pow(18))] }
				.into(),
		);
		// Once fed, the same feed (or an older one) is refused.
		assert_eq!(refusal_of(feed, signature), Some(refusal::ALREADY_FED));
		// Only the authorised origin dispatches it.
		let (next, next_signature) = feed_of(1, 1, vec![(COLLECTION, 1)]);
		assert!(TrueFloor::submit_floors(
			RuntimeOrigin::signed(operator(1).1),
			next,
			next_signature
		)
		.is_err());
	});
}

#[test]
fn bad_feeds_are_refused_with_their_reason_and_change_nothing() {
	new_test_ext().execute_with(|| {
		configured();
		System::set_block_number(10);
		let price = 10u128.pow(18);
		// Signed by another key than the one named.
		let (feed, _) = feed_of(0, 10, vec![(COLLECTION, price)]);
		let (_, wrong) = feed_of(1, 10, vec![(COLLECTION, price)]);
		assert_eq!(refusal_of(feed, wrong), Some(refusal::BAD_SIGNATURE));
		// A key whose account is not an operator.
		let outsider =
			polkadot_sdk::sp_core::sr25519::Pair::from_string("//Mallory", None).unwrap();
		let feed = FloorFeed {
			operator: crate::crypto::Public::from(outsider.public()),
			block: 10,
			floors: vec![(COLLECTION, price)].try_into().unwrap(),
		};
		let signature = outsider.sign(&feed_payload::<Test>(&feed)).into();
		assert_eq!(refusal_of(feed, signature), Some(refusal::NOT_OPERATOR));
		// Signed over the feed alone, or for another chain: not this chain's feed.
		let (feed, _) = feed_of(0, 10, vec![(COLLECTION, price)]);
		let bare = operator_pair(0).sign(&feed.encode()).into();
		assert_eq!(refusal_of(feed.clone(), bare), Some(refusal::BAD_SIGNATURE));
		let other_chain = (b"floorperp:true-floor-feed", [0x42u8; 32], &feed).encode();
		let replayed = operator_pair(0).sign(&other_chain).into();
		assert_eq!(refusal_of(feed, replayed), Some(refusal::BAD_SIGNATURE));
		// Too old (longevity 5) or from the future.
		let (old, old_signature) = feed_of(0, 4, vec![(COLLECTION, price)]);
		assert_eq!(refusal_of(old, old_signature), Some(refusal::STALE_FEED));
		let (future, future_signature) = feed_of(0, 11, vec![(COLLECTION, price)]);
		assert_eq!(refusal_of(future, future_signature), Some(refusal::STALE_FEED));
		// Empty, duplicated, unknown collection, zero or above max_price.
		for floors in [
			vec![],
			vec![(COLLECTION, price), (COLLECTION, price)],
			vec![(99, price)],
			vec![(COLLECTION, 0)],
			vec![(COLLECTION, quick_params().max_price + 1)],
		] {
			let (feed, signature) = feed_of(0, 10, floors.clone());
			assert_eq!(
				refusal_of(feed.clone(), signature.clone()),
				Some(refusal::INVALID_FLOORS),
				"{floors:?}"
			);
			assert!(
				TrueFloor::submit_floors(RawOrigin::Authorized.into(), feed, signature).is_err()
			);
		}
		assert_noop!(
			{
				let (feed, signature) = feed_of(0, 10, vec![(COLLECTION, 0)]);
				TrueFloor::submit_floors(RawOrigin::Authorized.into(), feed, signature)
			},
			Error::<Test>::PriceOutOfRange
		);
		assert!(feeds().is_empty());
	});
}
