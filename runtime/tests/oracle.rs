//! The true-floor oracle on the real runtime with the local preset's four operators
//! (Alice, Bob, Charlie and Dave, its validators): each feeds its floor with its operator key over the genesis-bound
//! payload, the index the perp markets read is the median of a quorum of agreeing operators,
//! one operator lying does not move it, one offline and one lying leave it stale (opening
//! pauses) rather than following either, and no operator can feed a configured collection
//! around these checks.

mod common;

use codec::Encode;
use floorperp_runtime::{
	genesis_config_presets::local_config_genesis,
	pallet_perp::{self, MarketParams, PriceProvider},
	pallet_true_floor_oracle::{self, crypto, feed_payload, CollectionConfig, FloorFeed, Source},
	Oracle, Perp, Runtime, RuntimeCall, RuntimeOrigin, System, Timestamp, TrueFloor, UNIT,
};
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		pallet_prelude::TransactionSource,
		traits::{Authorize, OnFinalize},
	},
	frame_system::RawOrigin,
	sp_keyring::Sr25519Keyring,
	sp_runtime::traits::Dispatchable,
};

const APES: u32 = 1;
const START_MS: u64 = 1_700_000_000_000;

fn configure() {
	let config = CollectionConfig {
		contract: [0xbc; 20],
		slug: b"boredapeyachtclub".to_vec().try_into().unwrap(),
		sources: vec![Source::EthereumLogs, Source::OpenSeaV2].try_into().unwrap(),
		params: Default::default(),
	};
	assert_ok!(TrueFloor::set_collection(RuntimeOrigin::root(), APES, config));
}

fn signed_feed(who: Sr25519Keyring, floor: u128) -> RuntimeCall {
	let feed = FloorFeed {
		operator: crypto::Public::from(who.public()),
		block: System::block_number(),
		floors: vec![(APES, floor)].try_into().unwrap(),
	};
	let signature = crypto::Signature::from(who.sign(&feed_payload::<Runtime>(&feed)));
	RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::submit_floors { feed, signature })
}

/// `who` signs and submits its floor through the offchain worker's path: authorisation as
/// the pool and block import run it, then dispatch as an authorised transaction.
fn feed(who: Sr25519Keyring, floor: u128) {
	let call = signed_feed(who, floor);
	assert!(call.authorize(TransactionSource::External).unwrap().is_ok(), "{who:?} authorised");
	let RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::submit_floors { feed, signature }) =
		call
	else {
		unreachable!()
	};
	assert_ok!(TrueFloor::submit_floors(RawOrigin::Authorized.into(), feed, signature));
}

fn index() -> u128 {
	Oracle::get(&APES).expect("an index").value
}

/// The chain's time, without Aura's slot check (no block is authored here).
fn set_time(ms: u64) {
	polkadot_sdk::pallet_timestamp::Now::<Runtime>::put(ms);
}

/// The next block, `seconds` later.
fn next_block(seconds: u64) {
	// Perp's end of block lifts the one-change-per-block guard of the traders of this block.
	Perp::on_finalize(System::block_number());
	Oracle::on_finalize(System::block_number());
	System::set_block_number(System::block_number() + 1);
	set_time(Timestamp::get() + seconds * 1_000);
}

#[test]
fn the_index_is_the_median_and_one_garbage_feed_does_not_move_it() {
	common::chain(local_config_genesis()).execute_with(|| {
		set_time(START_MS);
		configure();
		feed(Sr25519Keyring::Alice, 100 * UNIT);
		feed(Sr25519Keyring::Bob, 102 * UNIT);
		// Two operators of four are no quorum yet.
		assert!(Oracle::get(&APES).is_none());
		feed(Sr25519Keyring::Charlie, 101 * UNIT);
		assert_eq!(index(), 101 * UNIT);

		// Charlie's node is compromised: a floor a thousand times too high, then one near
		// zero. The honest operators agree on 101; the median stays there.
		next_block(6);
		feed(Sr25519Keyring::Alice, 101 * UNIT);
		feed(Sr25519Keyring::Bob, 101 * UNIT);
		feed(Sr25519Keyring::Charlie, 101_000 * UNIT);
		assert_eq!(index(), 101 * UNIT);
		next_block(6);
		feed(Sr25519Keyring::Charlie, 1);
		assert_eq!(index(), 101 * UNIT);

		// The perp pallet reads the same index.
		let seen = <Runtime as pallet_perp::Config>::IndexPrice::index_price(&APES);
		assert_eq!(seen.map(|index| index.price), Some(101 * UNIT));
	});
}

/// Dave's 1x long of one unit in the APES market: what a stale index refuses.
fn open_long() -> Result<(), String> {
	Perp::open_position(
		RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id()),
		0,
		perp_math::Side::Long,
		UNIT,
		UNIT,
		false,
		0,
	)
	.map(|_| ())
	.map_err(|error| format!("{error:?}"))
}

#[test]
fn one_operator_offline_and_one_lying_leave_the_index_stale_never_the_liars() {
	common::chain(local_config_genesis()).execute_with(|| {
		set_time(START_MS);
		configure();
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			APES,
			1_000 * UNIT,
			10_000 * UNIT,
			MarketParams::default()
		));
		assert_ok!(Perp::deposit(
			RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id()),
			100 * UNIT
		));
		// Bob is offline from the start; Charlie lies tenfold: two honest operators of four
		// are no quorum, there never is an index.
		feed(Sr25519Keyring::Alice, 10 * UNIT);
		feed(Sr25519Keyring::Dave, 10 * UNIT);
		feed(Sr25519Keyring::Charlie, 100 * UNIT);
		assert!(Oracle::get(&APES).is_none());
		assert!(open_long().unwrap_err().contains("OracleStale"));

		// Bob comes online: a quorum of three honest operators, 10 ETH their median.
		next_block(6);
		feed(Sr25519Keyring::Bob, 10_100_000_000_000_000_000);
		assert_eq!(index(), 10 * UNIT);
		assert_ok!(open_long());

		// Bob goes offline again and Charlie goes on lying, every minute; Alice and Dave stay
		// honest. While Bob's last value is fresh it still agrees with theirs; then no quorum
		// is left: the index keeps the last agreed value, ages, and goes stale for the
		// markets. At no point is it the liar's.
		let bob_fed_at = Timestamp::get();
		for minute in 1..=20u64 {
			next_block(60);
			feed(Sr25519Keyring::Alice, 10 * UNIT);
			feed(Sr25519Keyring::Dave, 10 * UNIT);
			feed(Sr25519Keyring::Charlie, 100 * UNIT);
			let index = Oracle::get(&APES).expect("the last agreed index stays");
			assert!(
				index.value <= 11 * UNIT,
				"minute {minute}: {} is not an honest value",
				index.value
			);
			assert!(index.timestamp <= bob_fed_at, "dated by the quorum, not by the liar");
		}
		let refused = open_long().unwrap_err();
		assert!(refused.contains("OracleStale"), "twenty minutes without a quorum: {refused}");
		// Closing never needs the index.
		assert_ok!(Perp::close_position(
			RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id()),
			0,
			0
		));
	});
}

#[test]
fn operators_cannot_feed_a_configured_collection_around_the_checks() {
	common::chain(local_config_genesis()).execute_with(|| {
		set_time(START_MS);
		configure();
		let alice = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
		let direct = |collection: u32| {
			RuntimeCall::Oracle(polkadot_sdk::pallet_oracle::Call::feed_values {
				values: vec![(collection, 10 * UNIT)].try_into().unwrap(),
			})
		};
		let refused = direct(APES).dispatch(alice.clone()).unwrap_err();
		assert!(format!("{:?}", refused.error).contains("CallFiltered"), "{refused:?}");
		assert!(Oracle::get(&APES).is_none());
		// A collection the true-floor oracle does not read keeps pallet-oracle's own path.
		assert_ok!(direct(7).dispatch(alice));

		// A feed signed for another chain (another genesis hash) is not this chain's.
		let feed = FloorFeed {
			operator: crypto::Public::from(Sr25519Keyring::Bob.public()),
			block: System::block_number(),
			floors: vec![(APES, 10 * UNIT)].try_into().unwrap(),
		};
		let elsewhere = (b"floorperp:true-floor-feed", [0x42u8; 32], &feed).encode();
		let signature = crypto::Signature::from(Sr25519Keyring::Bob.sign(&elsewhere));
		let call = RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::submit_floors {
			feed,
			signature,
		});
		assert!(call.authorize(TransactionSource::External).unwrap().is_err());
	});
}

#[test]
fn a_non_operator_key_cannot_feed() {
	common::chain(local_config_genesis()).execute_with(|| {
		configure();
		let call = signed_feed(Sr25519Keyring::Eve, UNIT);
		assert!(call.authorize(TransactionSource::External).unwrap().is_err());
		assert!(Oracle::get(&APES).is_none());
	});
}
