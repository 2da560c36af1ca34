//! The runtime upgrade that brings sessions to a chain that ran without them (spec 100 →
//! 101), with try-runtime's semantics: a snapshot before, the migration, the checks after,
//! on a chain with a market, open positions and balances; and the migration runs once.

mod common;

use floorperp_runtime::{
	collateral::eth_balance,
	genesis_config_presets::local_config_genesis,
	pallet_perp::{self, MarketParams},
	pallet_validator_manager::{SessionLength, Validators},
	validators::migration::{InitFromAuthorities, Migrations},
	Perp, Runtime, RuntimeOrigin, Session, System, ValidatorManager, UNIT,
};
use perp_math::Side;
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		traits::{GetStorageVersion, Hooks, OnRuntimeUpgrade, StorageVersion},
	},
	pallet_aura, pallet_session, pallet_timestamp,
	sp_io::TestExternalities,
	sp_keyring::Sr25519Keyring,
};

/// The local chain as spec 100 left it: Aura's and GRANDPA's authorities from genesis, no
/// session state, the validator manager at storage version 0; and traders with positions.
fn a_spec_100_chain_with_positions() -> TestExternalities {
	let mut ext = common::chain(local_config_genesis());
	ext.execute_with(|| {
		pallet_timestamp::Now::<Runtime>::put(1_700_000_000_000);
		let params = MarketParams { fluctuation_limit: 0, ..MarketParams::default() };
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			1,
			1_000 * UNIT,
			10_000 * UNIT,
			params
		));
		polkadot_sdk::pallet_oracle::Values::<Runtime>::insert(
			1u32,
			polkadot_sdk::pallet_oracle::TimestampedValue {
				value: 10 * UNIT,
				timestamp: 1_700_000_000_000,
			},
		);
		for (trader, side) in
			[(Sr25519Keyring::Eve, Side::Long), (Sr25519Keyring::Ferdie, Side::Short)]
		{
			let origin = RuntimeOrigin::signed(trader.to_account_id());
			assert_ok!(Perp::deposit(origin.clone(), 100 * UNIT));
			assert_ok!(Perp::open_position(origin, 0, side, 10 * UNIT, 3 * UNIT, false, 0));
		}

		// What spec 100 did not have.
		pallet_session::Validators::<Runtime>::kill();
		pallet_session::QueuedKeys::<Runtime>::kill();
		let _ = pallet_session::NextKeys::<Runtime>::clear(u32::MAX, None);
		let _ = pallet_session::KeyOwner::<Runtime>::clear(u32::MAX, None);
		Validators::<Runtime>::kill();
		StorageVersion::new(0).put::<ValidatorManager>();
	});
	ext
}

fn traders_state() -> Vec<(u128, u128)> {
	[Sr25519Keyring::Eve, Sr25519Keyring::Ferdie]
		.iter()
		.map(|trader| {
			let who = trader.to_account_id();
			(eth_balance(&who), Perp::held_collateral(&who))
		})
		.collect()
}

#[test]
fn the_upgrade_makes_the_authorities_validators_once_and_leaves_positions_alone() {
	a_spec_100_chain_with_positions().execute_with(|| {
		assert_eq!(ValidatorManager::on_chain_storage_version(), 0);
		let before = InitFromAuthorities::snapshot();
		assert_eq!((before.aura.len(), before.markets, before.positions), (4, 1, 2));
		let balances = traders_state();
		let positions: Vec<_> = pallet_perp::Positions::<Runtime>::iter().collect();

		Migrations::on_runtime_upgrade();

		// post_upgrade's checks: authorities, markets and positions unchanged; every
		// authority a validator with its keys, active and queued.
		assert_eq!(InitFromAuthorities::verify(&before), Ok(()));
		assert_eq!(ValidatorManager::on_chain_storage_version(), 1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert!(Validators::<Runtime>::get().contains(&alice));
		assert_eq!(Session::validators().len(), 4);
		assert_eq!(traders_state(), balances);
		assert_eq!(pallet_perp::Positions::<Runtime>::iter().collect::<Vec<_>>(), positions);

		// Once: a second run finds v1 and changes nothing.
		let after = InitFromAuthorities::snapshot();
		let validators = Validators::<Runtime>::get();
		pallet_session::Validators::<Runtime>::kill();
		Migrations::on_runtime_upgrade();
		assert!(Session::validators().is_empty(), "the migration did not run again");
		pallet_session::Validators::<Runtime>::put(
			pallet_session::QueuedKeys::<Runtime>::get()
				.into_iter()
				.map(|(who, _)| who)
				.collect::<Vec<_>>(),
		);
		assert_eq!(InitFromAuthorities::snapshot(), after);
		assert_eq!(Validators::<Runtime>::get(), validators);

		// Sessions now rotate on the seeded set: the authorities do not change and a
		// validator change would be planned against all four.
		let aura = pallet_aura::Authorities::<Runtime>::get();
		let length = SessionLength::<Runtime>::get();
		for block in 2..=(2 * length + 1) {
			System::set_block_number(block);
			Session::on_initialize(block);
		}
		assert!(Session::current_index() >= 2);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get(), aura);
		assert_eq!(Session::validators().len(), 4);
	});
}

#[test]
fn a_chain_that_started_with_sessions_never_runs_it() {
	common::chain(local_config_genesis()).execute_with(|| {
		assert_eq!(ValidatorManager::on_chain_storage_version(), 1);
		let before = InitFromAuthorities::snapshot();
		let validators = Session::validators();
		Migrations::on_runtime_upgrade();
		assert_eq!(InitFromAuthorities::snapshot(), before);
		assert_eq!(Session::validators(), validators);
	});
}

/// What `try-runtime on-runtime-upgrade` runs against a live chain's state: every migration's
/// `pre_upgrade`, the upgrade, every `post_upgrade`, and the storage-version check of every
/// pallet (`scripts/test.sh` runs it with `--features try-runtime`).
#[cfg(feature = "try-runtime")]
#[test]
fn try_runtime_upgrade_passes_its_checks_on_a_spec_100_chain() {
	use polkadot_sdk::frame_support::traits::UpgradeCheckSelect;
	a_spec_100_chain_with_positions().execute_with(|| {
		let balances = traders_state();
		floorperp_runtime::Executive::try_runtime_upgrade(UpgradeCheckSelect::PreAndPost)
			.expect("pre_upgrade, the migration and post_upgrade pass");
		assert_eq!(ValidatorManager::on_chain_storage_version(), 1);
		assert_eq!(Session::validators().len(), 4);
		assert_eq!(traders_state(), balances);
	});
}
