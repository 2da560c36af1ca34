//! Genesis presets: `development` (one validator, Alice), `local_testnet` (Alice, Bob,
//! Charlie and Dave) and `testnet` (the same four, production governance, no sudo). The
//! node's `dev`, `local` and `testnet` chain specs are built from them.

use crate::{
	collateral::{EthIssuerAccount, ETH, ETH_DECIMALS, ETH_MIN_BALANCE},
	opaque::SessionKeys,
	AccountId, AssetsConfig, BalancesConfig, FaucetConfig, InsuranceConfig, OriginsConfig,
	RuntimeGenesisConfig, SessionConfig, SudoConfig, ValidatorManagerConfig, HOURS, MINUTES, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use polkadot_sdk::*;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What every well-known development account starts with: one million FLOOR (fees, deposits,
/// votes) ...
pub const DEV_ENDOWMENT: crate::Balance = 1_000_000 * UNIT;
/// ... and 100,000 test ETH (collateral).
pub const DEV_ETH: crate::Balance = 100_000 * UNIT;
/// The faucet of development and test networks: 100 test ETH per account and hour.
const FAUCET_DRIP: crate::Balance = 100 * UNIT;
const FAUCET_PERIOD: crate::BlockNumber = HOURS;

/// The insurance fund of a development network: funded with 50,000 ETH, a target of
/// 100,000 (governance may withdraw only above it), a low watermark of 10,000, and each
/// market may draw up to 10,000 a day from it, whatever for.
const INSURANCE_FUNDING: crate::Balance = 50_000 * UNIT;
const INSURANCE_TARGET: crate::Balance = 100_000 * UNIT;
const INSURANCE_LOW_WATERMARK: crate::Balance = 10_000 * UNIT;
const INSURANCE_DAILY_CLAIM_CAP: crate::Balance = 10_000 * UNIT;

/// Every track's periods on development networks, in blocks: a referendum may be decided
/// from the next block, must hold its approval for 2 blocks (12 s) and is enacted the block
/// after; it times out after 50 blocks (5 minutes).
const DEV_TRACK_PERIODS: crate::governance::origins::TrackPeriods =
	crate::governance::origins::TrackPeriods { prepare: 1, decision: 50, confirm: 2, enactment: 1 };

/// Development networks rotate sessions every minute, so a validator change is live within
/// two minutes of its enactment; production keeps the runtime's default (an hour).
const DEV_SESSION_LENGTH: crate::BlockNumber = MINUTES;

/// A validator of a development network: its name's well-known keys.
struct DevValidator(Sr25519Keyring, Ed25519Keyring);

impl DevValidator {
	/// The validator's account (its sr25519 key), which is also its Aura and oracle key.
	fn account(&self) -> AccountId {
		self.0.to_account_id()
	}

	fn session_keys(&self) -> SessionKeys {
		SessionKeys {
			aura: AuraId::from(self.0.public()),
			grandpa: GrandpaId::from(self.1.public()),
			oracle: pallet_true_floor_oracle::crypto::Public::from(self.0.public()),
		}
	}
}

/// What differs between the presets besides the validators.
struct Network {
	/// Sudo's key (`None`: no sudo, every change by referendum).
	sudo: Option<AccountId>,
	/// Referenda pass in about a minute, sessions last a minute.
	fast: bool,
}

fn genesis(validators: &[DevValidator], network: Network, endowed: Vec<AccountId>) -> Value {
	let system_accounts = crate::configs::perp_system_accounts();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed
				.iter()
				.map(|account| (account.clone(), DEV_ENDOWMENT))
				.chain(
					system_accounts
						.iter()
						.map(|account| (account.clone(), crate::EXISTENTIAL_DEPOSIT))
				)
				.collect(),
		},
		// ETH, sufficient (an ETH-only account exists), minted to the well-known accounts;
		// the perp system accounts hold its minimum balance so small payments can reach them.
		assets: AssetsConfig {
			assets: vec![(ETH, EthIssuerAccount::get(), true, ETH_MIN_BALANCE)],
			metadata: vec![(ETH, b"Ether".to_vec(), b"ETH".to_vec(), ETH_DECIMALS)],
			accounts: endowed
				.iter()
				.map(|account| (ETH, account.clone(), DEV_ETH))
				.chain(system_accounts.iter().map(|account| (
					ETH,
					account.clone(),
					ETH_MIN_BALANCE
				)))
				.collect(),
		},
		faucet: FaucetConfig { amount: FAUCET_DRIP, period: FAUCET_PERIOD },
		// Aura's and GRANDPA's authorities and the oracle operators come from the session
		// keys (`validators::OracleOperatorKeys`), so they cannot disagree.
		validator_manager: ValidatorManagerConfig {
			validators: validators.iter().map(DevValidator::account).collect(),
			session_length: network.fast.then_some(DEV_SESSION_LENGTH),
		},
		session: SessionConfig {
			keys: validators.iter().map(|v| (v.account(), v.account(), v.session_keys())).collect(),
		},
		sudo: SudoConfig { key: network.sudo },
		origins: OriginsConfig { fast_tracks: network.fast.then_some(DEV_TRACK_PERIODS) },
		insurance: InsuranceConfig {
			target_balance: INSURANCE_TARGET,
			low_watermark: INSURANCE_LOW_WATERMARK,
			default_claim_cap: INSURANCE_DAILY_CLAIM_CAP,
			initial_funding: INSURANCE_FUNDING,
		},
	})
}

fn well_known_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// One validator (Alice), who is also sudo and the only oracle operator.
pub fn development_config_genesis() -> Value {
	genesis(
		&[DevValidator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Network { sudo: Some(Sr25519Keyring::Alice.to_account_id()), fast: true },
		well_known_accounts(),
	)
}

/// Alice, Bob, Charlie and Dave: the fewest validators with which GRANDPA still finalizes
/// while one is down (3 of 4 is above two thirds), each an oracle operator.
fn four_validators() -> [DevValidator; 4] {
	[
		DevValidator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		DevValidator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		DevValidator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		DevValidator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	]
}

/// Four validators, sudo (Alice) and development periods: the zombienet network's chain.
pub fn local_config_genesis() -> Value {
	genesis(
		&four_validators(),
		Network { sudo: Some(Sr25519Keyring::Alice.to_account_id()), fast: true },
		well_known_accounts(),
	)
}

/// A public testnet's starting point: production governance (no sudo; every change,
/// runtime upgrades included, by referendum on the production tracks), hour-long sessions,
/// test ETH and the faucet. Its validators are the four well-known ones: a testnet's
/// operators export this spec and replace `session.keys` and `validatorManager.validators`
/// with their own before launch.
pub fn testnet_config_genesis() -> Value {
	genesis(&four_validators(), Network { sudo: None, fast: false }, well_known_accounts())
}

/// The `testnet` preset's name.
pub const TESTNET_RUNTIME_PRESET: &str = "testnet";

/// The JSON of the named preset, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		TESTNET_RUNTIME_PRESET => testnet_config_genesis(),
		_ => return None,
	};
	Some(serde_json::to_string(&patch).ok()?.into_bytes())
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(TESTNET_RUNTIME_PRESET),
	]
}
