//! The true-floor oracle on the real runtime with the local preset's three operators
//! (Alice, Bob, Charlie): each feeds its floor with its operator key, the index the perp
//! markets read is the median, and one operator feeding garbage does not move it.

mod common;

use codec::Encode;
use floorperp_runtime::{
	genesis_config_presets::local_config_genesis,
	pallet_true_floor_oracle::{self, crypto, CollectionConfig, FloorFeed, Source},
	Oracle, Runtime, RuntimeCall, RuntimeOrigin, System, Timestamp, TrueFloor, UNIT,
};
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		pallet_prelude::TransactionSource,
		traits::{Authorize, OnFinalize},
	},
	frame_system::RawOrigin,
	sp_keyring::Sr25519Keyring,
};

const APES: u32 = 1;

fn configure() {
	let config = CollectionConfig {
		contract: [0xbc; 20],
		slug: b"boredapeyachtclub".to_vec().try_into().unwrap(),
		sources: vec![Source::Reservoir, Source::OpenSeaV2].try_into().unwrap(),
		params: Default::default(),
	};
	assert_ok!(TrueFloor::set_collection(RuntimeOrigin::root(), APES, config));
}

/// `who` signs and submits its floor through the offchain worker's path: authorisation as
/// the pool and block import run it, then dispatch as an authorised transaction.
fn feed(who: Sr25519Keyring, floor: u128) {
	let block = System::block_number();
	let feed = FloorFeed {
		operator: crypto::Public::from(who.public()),
		block,
		floors: vec![(APES, floor)].try_into().unwrap(),
	};
	let signature = crypto::Signature::from(who.sign(&feed.encode()));
	let call = RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::submit_floors {
		feed: feed.clone(),
		signature: signature.clone(),
	});
	assert!(call.authorize(TransactionSource::External).unwrap().is_ok(), "{who:?} authorised");
	assert_ok!(TrueFloor::submit_floors(RawOrigin::Authorized.into(), feed, signature));
}

fn index() -> u128 {
	Oracle::get(&APES).expect("an index").value
}

/// The chain's time, without Aura's slot check (no block is authored here).
fn set_time(ms: u64) {
	polkadot_sdk::pallet_timestamp::Now::<Runtime>::put(ms);
}

fn next_block() {
	Oracle::on_finalize(System::block_number());
	System::set_block_number(System::block_number() + 1);
	set_time(Timestamp::get() + 6_000);
}

#[test]
fn the_index_is_the_median_and_one_garbage_feed_does_not_move_it() {
	common::chain(local_config_genesis()).execute_with(|| {
		set_time(1_700_000_000_000);
		configure();
		feed(Sr25519Keyring::Alice, 100 * UNIT);
		feed(Sr25519Keyring::Bob, 102 * UNIT);
		feed(Sr25519Keyring::Charlie, 101 * UNIT);
		assert_eq!(index(), 101 * UNIT);

		// Charlie's node is compromised: a floor a thousand times too high, then one near
		// zero. The two honest operators agree on 101; the median stays there.
		next_block();
		feed(Sr25519Keyring::Alice, 101 * UNIT);
		feed(Sr25519Keyring::Bob, 101 * UNIT);
		feed(Sr25519Keyring::Charlie, 101_000 * UNIT);
		assert_eq!(index(), 101 * UNIT);
		next_block();
		feed(Sr25519Keyring::Charlie, 1);
		assert_eq!(index(), 101 * UNIT);

		// The perp pallet reads the same index.
		let seen = <<Runtime as floorperp_runtime::pallet_perp::Config>::IndexPrice as floorperp_runtime::pallet_perp::PriceProvider<u32>>::index_price(&APES);
		assert_eq!(seen.map(|index| index.price), Some(101 * UNIT));
	});
}

#[test]
fn a_non_operator_key_cannot_feed() {
	common::chain(local_config_genesis()).execute_with(|| {
		configure();
		let dave = Sr25519Keyring::Dave;
		let feed = FloorFeed {
			operator: crypto::Public::from(dave.public()),
			block: System::block_number(),
			floors: vec![(APES, UNIT)].try_into().unwrap(),
		};
		let signature = crypto::Signature::from(dave.sign(&feed.encode()));
		let call = RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::submit_floors {
			feed,
			signature,
		});
		assert!(call.authorize(TransactionSource::External).unwrap().is_err());
		assert!(Oracle::get(&APES).is_none());
	});
}
