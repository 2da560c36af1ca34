//! Validator manager v0 → v1: sessions for a chain that ran without them.
//!
//! Runtimes before spec 101 had no session pallet: Aura's and GRANDPA's authorities were set
//! at genesis, a block's author was the account of its Aura key, and each validator's oracle
//! operator key was that same sr25519 key (the presets' convention). Upgrading such a chain
//! without this migration would leave pallet-session empty: blocks would still be authored,
//! but no author would be found for rewards, and the first validator change would replace
//! every authority by the changed set alone. So, once (the validator manager's storage
//! version goes from 0 to 1), each current authority becomes a validator:
//!
//! - its account is its Aura key's account (as block rewards were paid before);
//! - its session keys are its Aura key, the GRANDPA key at the same position (the old
//!   genesis listed both in validator order) and, as oracle key, its Aura key;
//! - it is the validator manager's set, pallet-session's active and queued set, and owns its
//!   keys (`NextKeys`, `KeyOwner`), as pallet-session's genesis would have made it.
//!
//! Aura's and GRANDPA's authorities and everything else (markets, positions, balances) stay
//! as they are. A validator whose oracle key was not its Aura key registers the right keys
//! afterwards with `session.setKeys`. A fresh chain starts at v1 and never runs this.

use super::manager::Validators;
use crate::{opaque::SessionKeys, AccountId, Runtime, ValidatorManager};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::{
		migrations::VersionedMigration,
		traits::UncheckedOnRuntimeUpgrade,
		weights::{constants::ParityDbWeight, Weight},
		BoundedVec,
	},
	frame_system, pallet_aura, pallet_grandpa, pallet_session,
	sp_runtime::{traits::OpaqueKeys, RuntimeAppPublic},
};

/// The runtime's migrations, run once each when a new runtime takes over.
pub type Migrations = (
	VersionedMigration<
		0,
		1,
		InitFromAuthorities,
		ValidatorManager,
		<Runtime as frame_system::Config>::DbWeight,
	>,
);

/// What must not change across the migration (and what it starts from).
#[derive(Encode, Decode, PartialEq, Eq, Debug, Clone)]
pub struct Snapshot {
	/// Aura's authorities (raw sr25519 keys), in order.
	pub aura: Vec<[u8; 32]>,
	/// GRANDPA's authorities (raw ed25519 keys and weights), in order.
	pub grandpa: Vec<([u8; 32], u64)>,
	/// Open positions and markets of pallet-perp.
	pub positions: u32,
	pub markets: u32,
}

/// Each current authority becomes a validator with its keys (module docs).
pub struct InitFromAuthorities;

impl InitFromAuthorities {
	/// The state the checks compare: authorities and pallet-perp's counts.
	pub fn snapshot() -> Snapshot {
		let aura = pallet_aura::Authorities::<Runtime>::get()
			.iter()
			.map(|key| key.to_raw_vec().try_into().unwrap_or([0; 32]))
			.collect();
		let grandpa = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities()
			.into_iter()
			.map(|(key, weight)| (key.to_raw_vec().try_into().unwrap_or([0; 32]), weight))
			.collect();
		let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
		Snapshot {
			aura,
			grandpa,
			positions: count(pallet_perp::Positions::<Runtime>::iter_keys().count()),
			markets: count(pallet_perp::Markets::<Runtime>::iter_keys().count()),
		}
	}

	/// The validators and keys the authorities imply, in Aura's order; `None` if they
	/// cannot be paired (different lengths, none at all, or more than the set holds).
	fn validators() -> Option<Vec<(AccountId, SessionKeys)>> {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		let grandpa = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
		if aura.is_empty() || aura.len() != grandpa.len() {
			return None;
		}
		if aura.len() > super::MAX_VALIDATORS as usize {
			return None;
		}
		Some(
			aura.iter()
				.zip(grandpa)
				.map(|(aura, (grandpa, _))| {
					let sr25519 = aura.clone().into_inner();
					let account = AccountId::from(sr25519);
					let keys = SessionKeys {
						aura: aura.clone(),
						grandpa,
						oracle: pallet_true_floor_oracle::crypto::Public::from(sr25519),
					};
					(account, keys)
				})
				.collect(),
		)
	}

	/// Whether the state after the migration is what it promises, given `before`.
	pub fn verify(before: &Snapshot) -> Result<(), &'static str> {
		let after = Self::snapshot();
		if after != *before {
			return Err("authorities, markets and positions are unchanged");
		}
		let expected = Self::validators().ok_or("the authorities pair up")?;
		let active = pallet_session::Validators::<Runtime>::get();
		let accounts: Vec<AccountId> = expected.iter().map(|(who, _)| who.clone()).collect();
		if active != accounts {
			return Err("the active validators are the authorities' accounts, in Aura's order");
		}
		let mut sorted = accounts;
		sorted.sort();
		if Validators::<Runtime>::get().into_inner() != sorted {
			return Err("the validator manager's set is the authorities' accounts");
		}
		for (who, keys) in &expected {
			if pallet_session::NextKeys::<Runtime>::get(who).as_ref() != Some(keys) {
				return Err("every validator's keys are registered");
			}
		}
		if pallet_session::QueuedKeys::<Runtime>::get() != expected {
			return Err("the queued keys are the validators' keys");
		}
		Ok(())
	}
}

impl UncheckedOnRuntimeUpgrade for InitFromAuthorities {
	fn on_runtime_upgrade() -> Weight {
		let reads = ParityDbWeight::get().reads(2);
		if !pallet_session::Validators::<Runtime>::get().is_empty() {
			// Sessions already run (a chain that had them from genesis): nothing to seed.
			return reads.saturating_add(ParityDbWeight::get().reads(1));
		}
		let Some(validators) = Self::validators() else {
			polkadot_sdk::frame_support::defensive!(
				"the authorities cannot be paired into validators; sessions stay unseeded"
			);
			return reads;
		};
		let accounts: Vec<AccountId> = validators.iter().map(|(who, _)| who.clone()).collect();
		for (who, keys) in &validators {
			pallet_session::NextKeys::<Runtime>::insert(who, keys);
			for key_type in SessionKeys::key_ids() {
				let raw = keys.get_raw(*key_type).to_vec();
				pallet_session::KeyOwner::<Runtime>::insert((*key_type, raw), who);
			}
			// As pallet-session's genesis does: the keys keep the account alive.
			if frame_system::Pallet::<Runtime>::inc_consumers_without_limit(who).is_err() {
				frame_system::Pallet::<Runtime>::inc_providers(who);
			}
		}
		pallet_session::Validators::<Runtime>::put(&accounts);
		pallet_session::QueuedKeys::<Runtime>::put(&validators);
		let mut sorted = accounts;
		sorted.sort();
		Validators::<Runtime>::put(BoundedVec::truncate_from(sorted));
		let n = validators.len() as u64;
		let key_types = SessionKeys::key_ids().len() as u64;
		reads.saturating_add(ParityDbWeight::get().reads_writes(n, n * (key_types + 2) + 3))
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, polkadot_sdk::sp_runtime::TryRuntimeError> {
		Ok(Self::snapshot().encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		let before =
			Snapshot::decode(&mut &state[..]).map_err(|_| "the pre-upgrade snapshot decodes")?;
		Self::verify(&before).map_err(Into::into)
	}
}
