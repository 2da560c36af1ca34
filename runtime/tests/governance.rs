//! A referendum on the real runtime: from a preimage to the enacted call on the
//! `market_admin` track, with the development preset's short periods; and the production
//! tracks as a voter would see them.

use codec::Encode;
use floorperp_runtime::{
	genesis_config_presets::development_config_genesis,
	governance::{origins::Origin, tracks},
	pallet_perp::{self, MarketParams, Markets},
	ConvictionVoting, OriginCaller, Perp, Preimage, Referenda, Runtime, RuntimeCall, RuntimeOrigin,
	Scheduler, System, DAYS, HOURS, UNIT,
};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{Bounded, Hooks, UnfilteredDispatchable},
	},
	pallet_conviction_voting::{AccountVote, Conviction, Vote},
	pallet_referenda::{ReferendumInfo, ReferendumInfoFor, TracksInfo},
	sp_io::TestExternalities,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{traits::Hash as _, DispatchError},
};

mod common;

fn dev_chain() -> TestExternalities {
	common::chain(development_config_genesis())
}

/// Ends blocks until `n`; the scheduler runs referenda alarms and enactments.
fn run_to(n: u32) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Scheduler::on_initialize(next);
	}
}

fn signed(who: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.to_account_id())
}

#[test]
fn a_market_admin_referendum_changes_a_market_parameter() {
	dev_chain().execute_with(|| {
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			1,
			100 * UNIT,
			1_000 * UNIT,
			MarketParams::default()
		));
		let params = MarketParams { fee_ratio: 5 * UNIT / 1_000, ..MarketParams::default() };
		let call = RuntimeCall::Perp(pallet_perp::Call::set_market_params { market: 0, params });

		// A plain signed origin may not change a market parameter.
		assert_noop!(
			call.clone().dispatch_bypass_filter(signed(Sr25519Keyring::Alice)),
			DispatchError::BadOrigin
		);

		// Alice notes the preimage and submits the referendum on the market_admin track.
		let encoded = call.encode();
		let hash = <Runtime as polkadot_sdk::frame_system::Config>::Hashing::hash(&encoded);
		assert_ok!(Preimage::note_preimage(signed(Sr25519Keyring::Alice), encoded.clone()));
		let proposal = Bounded::Lookup { hash, len: encoded.len() as u32 };
		assert_ok!(Referenda::submit(
			signed(Sr25519Keyring::Alice),
			Box::new(OriginCaller::Origins(Origin::MarketAdmin)),
			proposal,
			polkadot_sdk::frame_support::traits::schedule::DispatchTime::After(0),
		));
		assert_ok!(Referenda::place_decision_deposit(signed(Sr25519Keyring::Alice), 0));
		for voter in [Sr25519Keyring::Alice, Sr25519Keyring::Bob] {
			let vote = AccountVote::Standard {
				vote: Vote { aye: true, conviction: Conviction::Locked1x },
				balance: 900_000 * UNIT,
			};
			assert_ok!(ConvictionVoting::vote(signed(voter), 0, vote));
		}
		let track = match ReferendumInfoFor::<Runtime>::get(0) {
			Some(ReferendumInfo::Ongoing(status)) => status.track,
			other => panic!("referendum not ongoing: {other:?}"),
		};
		assert_eq!(track, tracks::id::MARKET_ADMIN);

		// Prepare (1 block), confirm (2), enact (1): the parameter changes by block 10.
		run_to(10);
		assert!(matches!(ReferendumInfoFor::<Runtime>::get(0), Some(ReferendumInfo::Approved(..))));
		assert_eq!(Markets::<Runtime>::get(0).unwrap().params.fee_ratio, 5 * UNIT / 1_000);
		// Enacted with the track's origin, by the scheduler.
		assert!(System::events().iter().any(|record| matches!(
			&record.event,
			floorperp_runtime::RuntimeEvent::Scheduler(
				polkadot_sdk::pallet_scheduler::Event::Dispatched { result: Ok(_), .. }
			)
		)));
	});
}

#[test]
fn production_tracks_are_sorted_and_deliberate() {
	TestExternalities::new_empty().execute_with(|| {
		type Tracks = tracks::TracksInfo;
		assert_ok!(Tracks::check_integrity());
		let names: Vec<String> = Tracks::tracks()
			.map(|track| {
				String::from_utf8_lossy(&track.info.name).trim_end_matches('\0').to_string()
			})
			.collect();
		assert_eq!(
			names,
			["root", "market_admin", "oracle_admin", "insurance_admin", "validator_admin"]
		);
		let market = Tracks::info(tracks::id::MARKET_ADMIN).unwrap();
		assert_eq!(market.decision_period, 7 * DAYS);
		assert_eq!(market.confirm_period, 3 * HOURS);
		assert_eq!(market.min_enactment_period, HOURS);
		let root = Tracks::info(tracks::id::ROOT).unwrap();
		assert_eq!((root.max_deciding, root.decision_period), (1, 14 * DAYS));
		assert_eq!(
			Tracks::track_for(&OriginCaller::Origins(Origin::InsuranceAdmin)),
			Ok(tracks::id::INSURANCE_ADMIN)
		);
	});
}
