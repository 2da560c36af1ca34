//! The validator set on the real runtime (local preset: Alice, Bob, Charlie and Dave,
//! one-minute sessions): a `validator_admin` referendum adds a validator who registered its
//! keys, and it authors, votes and feeds the oracle from the session after next; a removal
//! takes its authoring, its vote and its oracle feed away in the same block; bad requests
//! change nothing.

use codec::Encode;
use floorperp_runtime::{
	configs::AuraBlockAuthor,
	genesis_config_presets::local_config_genesis,
	governance::{origins::Origin, tracks},
	opaque::SessionKeys,
	pallet_validator_manager::{self, Event as ManagerEvent, SessionLength, Validators},
	Balances, ConvictionVoting, OracleOperators, OriginCaller, Preimage, Referenda, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, Scheduler, Session, System, ValidatorManager,
	MINUTES, UNIT,
};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{fungible::InspectHold, Bounded, Get, Hooks},
	},
	pallet_aura,
	pallet_conviction_voting::{AccountVote, Conviction, Vote},
	pallet_membership, pallet_oracle,
	pallet_referenda::{ReferendumInfo, ReferendumInfoFor},
	sp_consensus_aura::{Slot, AURA_ENGINE_ID},
	sp_core::crypto::AccountId32,
	sp_io::TestExternalities,
	sp_keyring::Sr25519Keyring,
	sp_keystore::{testing::MemoryKeystore, KeystoreExt},
	sp_runtime::{traits::Hash as _, DigestItem, DispatchError},
};

mod common;

type AccountId = AccountId32;

/// The local preset's chain, with a keystore for generating session keys.
fn local_chain() -> TestExternalities {
	let mut ext = common::chain(local_config_genesis());
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext
}

fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

fn signed(who: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(account(who))
}

/// Starts blocks until `n`: sessions rotate and the scheduler enacts referenda, as the
/// runtime's `on_initialize` hooks do.
fn run_to(n: u32) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
		Scheduler::on_initialize(next);
	}
}

/// What `author_rotateKeysWithOwner` gives a validator: new keys and their ownership proof.
fn rotate_keys(owner: &AccountId) -> (SessionKeys, Vec<u8>) {
	let generated = SessionKeys::generate(&owner.encode(), None);
	(generated.keys, generated.proof.encode())
}

fn oracle_operators() -> Vec<AccountId> {
	pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get().into_inner()
}

fn aura_accounts() -> Vec<AccountId> {
	pallet_aura::Authorities::<Runtime>::get()
		.iter()
		.map(|key| AccountId::from(key.clone().into_inner()))
		.collect()
}

/// The account whose key is the `flor` key of `keys`.
fn flor_account(keys: &SessionKeys) -> AccountId {
	AccountId::from(polkadot_sdk::sp_core::sr25519::Public::from(keys.oracle.clone()))
}

/// Puts `call` to a `validator_admin` referendum that Alice and Bob carry, and runs blocks
/// until it is enacted (the validator manager reports the change); returns that block.
fn pass_validator_admin_referendum(call: RuntimeCall) -> u32 {
	let encoded = call.encode();
	let hash = <Runtime as polkadot_sdk::frame_system::Config>::Hashing::hash(&encoded);
	assert_ok!(Preimage::note_preimage(signed(Sr25519Keyring::Alice), encoded.clone()));
	let index = polkadot_sdk::pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_ok!(Referenda::submit(
		signed(Sr25519Keyring::Alice),
		Box::new(OriginCaller::Origins(Origin::ValidatorAdmin)),
		Bounded::Lookup { hash, len: encoded.len() as u32 },
		polkadot_sdk::frame_support::traits::schedule::DispatchTime::After(0),
	));
	assert_ok!(Referenda::place_decision_deposit(signed(Sr25519Keyring::Alice), index));
	for voter in [Sr25519Keyring::Alice, Sr25519Keyring::Bob] {
		let vote = AccountVote::Standard {
			vote: Vote { aye: true, conviction: Conviction::Locked1x },
			balance: 900_000 * UNIT,
		};
		assert_ok!(ConvictionVoting::vote(signed(voter), index, vote));
	}
	match ReferendumInfoFor::<Runtime>::get(index) {
		Some(ReferendumInfo::Ongoing(status)) => {
			assert_eq!(status.track, tracks::id::VALIDATOR_ADMIN)
		},
		other => panic!("referendum not ongoing: {other:?}"),
	}
	let deadline = System::block_number() + 20;
	while System::block_number() < deadline {
		run_to(System::block_number() + 1);
		let enacted = System::events().iter().any(|record| {
			matches!(
				&record.event,
				RuntimeEvent::ValidatorManager(
					ManagerEvent::ValidatorAdded { .. } | ManagerEvent::ValidatorRemoved { .. }
				)
			)
		});
		if enacted {
			assert!(matches!(
				ReferendumInfoFor::<Runtime>::get(index),
				Some(ReferendumInfo::Approved(..))
			));
			return System::block_number();
		}
		System::reset_events();
	}
	panic!("the referendum was not enacted within 20 blocks");
}

/// Runs to the next planning of a changed set and on to the start of the session it plans;
/// returns that block.
fn run_until_planned_session_starts() -> u32 {
	let planned = loop {
		run_to(System::block_number() + 1);
		let planned = System::events().iter().find_map(|record| match &record.event {
			RuntimeEvent::ValidatorManager(ManagerEvent::SessionPlanned { session, .. }) => {
				Some(*session)
			},
			_ => None,
		});
		System::reset_events();
		if let Some(session) = planned {
			break session;
		}
	};
	while Session::current_index() < planned {
		run_to(System::block_number() + 1);
	}
	System::block_number()
}

/// The author `AuraBlockAuthor` reports for the slot that Aura gives to authority `index`.
fn author_of_authority(index: u64) -> Option<AccountId> {
	let authorities = pallet_aura::Authorities::<Runtime>::get().len() as u64;
	let slot = Slot::from(authorities * 1_000 + index);
	System::deposit_log(DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode()));
	let author = <AuraBlockAuthor as Get<Option<AccountId>>>::get();
	System::reset_events();
	author
}

#[test]
fn a_referendum_adds_a_validator_who_authors_votes_and_feeds_from_the_session_after_next() {
	local_chain().execute_with(|| {
		let eve = account(Sr25519Keyring::Eve);
		let length = SessionLength::<Runtime>::get();
		assert_eq!(length, MINUTES);
		assert_eq!(Session::validators().len(), 4);

		// Without session keys, even Root cannot add her: she could never author.
		assert_noop!(
			ValidatorManager::add_validator(RuntimeOrigin::root(), eve.clone()),
			pallet_validator_manager::Error::<Runtime>::NoSessionKeys
		);

		// Eve's node generates keys; her account registers them and 10 FLOOR are held.
		let (keys, proof) = rotate_keys(&eve);
		assert_ok!(Session::set_keys(signed(Sr25519Keyring::Eve), keys.clone(), proof));
		let held = Balances::balance_on_hold(
			&floorperp_runtime::RuntimeHoldReason::Session(
				polkadot_sdk::pallet_session::HoldReason::Keys,
			),
			&eve,
		);
		assert_eq!(held, 10 * UNIT);

		// A plain signed origin may not add a validator.
		assert_noop!(
			ValidatorManager::add_validator(signed(Sr25519Keyring::Eve), eve.clone()),
			DispatchError::BadOrigin
		);

		let enacted = pass_validator_admin_referendum(RuntimeCall::ValidatorManager(
			pallet_validator_manager::Call::add_validator { who: eve.clone() },
		));
		assert!(Validators::<Runtime>::get().contains(&eve));
		// Enacted, not yet active: Eve neither authors nor feeds.
		assert!(!Session::validators().contains(&eve));
		assert!(!aura_accounts().contains(&flor_account(&keys)));
		assert!(!oracle_operators().contains(&flor_account(&keys)));

		let active_from = run_until_planned_session_starts();
		assert!(active_from - enacted <= 2 * length, "live within two sessions");
		assert!(Session::validators().contains(&eve));
		assert_eq!(Session::validators().len(), 5);
		// Aura authors with her new key, GRANDPA has the change scheduled, the oracle counts
		// her `flor` account.
		let aura_keys: Vec<_> = pallet_aura::Authorities::<Runtime>::get().into_inner();
		assert!(aura_keys.contains(&keys.aura));
		let pending = polkadot_sdk::pallet_grandpa::PendingChange::<Runtime>::get()
			.expect("GRANDPA's authority change is scheduled");
		assert!(pending.next_authorities.iter().any(|(key, _)| *key == keys.grandpa));
		assert!(oracle_operators().contains(&flor_account(&keys)));
		assert_eq!(oracle_operators().len(), 5);

		// A block in Eve's slot is credited to Eve's account, not to her session key.
		let index = Session::validators().iter().position(|v| *v == eve).unwrap() as u64;
		assert_eq!(author_of_authority(index), Some(eve.clone()));
		assert_ne!(flor_account(&keys), eve);
	});
}

#[test]
fn a_removed_validator_stops_authoring_and_its_feeds_stop_counting_in_the_same_block() {
	local_chain().execute_with(|| {
		let dave = account(Sr25519Keyring::Dave);
		// Dave's feed of collection 7 is on record.
		pallet_oracle::RawValues::<Runtime>::insert(
			&dave,
			7u32,
			pallet_oracle::TimestampedValue { value: 10 * UNIT, timestamp: 1 },
		);
		assert!(oracle_operators().contains(&dave));

		pass_validator_admin_referendum(RuntimeCall::ValidatorManager(
			pallet_validator_manager::Call::remove_validator { who: dave.clone() },
		));
		assert!(!Validators::<Runtime>::get().contains(&dave));
		assert!(Session::validators().contains(&dave), "active until the planned session");

		run_until_planned_session_starts();
		assert!(!Session::validators().contains(&dave));
		assert!(!aura_accounts().contains(&dave));
		assert!(!oracle_operators().contains(&dave));
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 3);
		assert!(pallet_oracle::RawValues::<Runtime>::get(&dave, 7u32).is_none());
		// The three left still finalize: GRANDPA's next set is theirs.
		let pending = polkadot_sdk::pallet_grandpa::PendingChange::<Runtime>::get().unwrap();
		assert_eq!(pending.next_authorities.len(), 3);
	});
}

#[test]
fn bad_validator_requests_change_nothing() {
	local_chain().execute_with(|| {
		let root = RuntimeOrigin::root;
		let alice = account(Sr25519Keyring::Alice);
		let ferdie = account(Sr25519Keyring::Ferdie);
		assert_noop!(
			ValidatorManager::add_validator(root(), alice.clone()),
			pallet_validator_manager::Error::<Runtime>::AlreadyValidator
		);
		assert_noop!(
			ValidatorManager::remove_validator(root(), ferdie),
			pallet_validator_manager::Error::<Runtime>::NotValidator
		);
		for who in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave] {
			assert_ok!(ValidatorManager::remove_validator(root(), account(who)));
		}
		// The last validator stays.
		assert_noop!(
			ValidatorManager::remove_validator(root(), alice),
			pallet_validator_manager::Error::<Runtime>::TooFewValidators
		);
	});
}

#[test]
fn a_rotation_without_a_set_change_keeps_oracle_admins_removal() {
	local_chain().execute_with(|| {
		let bob = account(Sr25519Keyring::Bob);
		assert_ok!(OracleOperators::remove_member(RuntimeOrigin::root(), bob.clone().into()));
		run_to(3 * SessionLength::<Runtime>::get() + 1);
		assert!(Session::current_index() >= 3);
		assert!(!oracle_operators().contains(&bob), "no set change, no reset");

		// The next change of the validator set rewrites the operators from the keys.
		let (keys, proof) = rotate_keys(&account(Sr25519Keyring::Eve));
		assert_ok!(Session::set_keys(signed(Sr25519Keyring::Eve), keys, proof));
		assert_ok!(ValidatorManager::add_validator(
			RuntimeOrigin::root(),
			account(Sr25519Keyring::Eve)
		));
		run_until_planned_session_starts();
		assert!(oracle_operators().contains(&bob));
		assert_eq!(oracle_operators().len(), 5);
	});
}
