//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (Alice, Bob and
//! Charlie). The node's `dev` and `local` chain specs are built from them.

use crate::{
	collateral::{EthIssuerAccount, ETH, ETH_DECIMALS, ETH_MIN_BALANCE},
	AccountId, AssetsConfig, AuraConfig, BalancesConfig, FaucetConfig, GrandpaConfig,
	InsuranceConfig, OracleOperatorsConfig, OriginsConfig, RuntimeGenesisConfig, SudoConfig, HOURS,
	UNIT,
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

/// A validator of a development network: its name's well-known keys.
struct DevValidator(Sr25519Keyring, Ed25519Keyring);

impl DevValidator {
	fn aura(&self) -> AuraId {
		self.0.public().into()
	}

	fn grandpa(&self) -> GrandpaId {
		self.1.public().into()
	}

	/// The validator's oracle operator account: it signs the floor-price feeds.
	fn operator(&self) -> AccountId {
		self.0.to_account_id()
	}
}

fn genesis(validators: &[DevValidator], sudo: AccountId, endowed: Vec<AccountId>) -> Value {
	let mut operators: Vec<AccountId> = validators.iter().map(DevValidator::operator).collect();
	let system_accounts = crate::configs::perp_system_accounts();
	// The membership pallet expects its members sorted.
	operators.sort();
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
		aura: AuraConfig { authorities: validators.iter().map(DevValidator::aura).collect() },
		grandpa: GrandpaConfig {
			authorities: validators.iter().map(|v| (v.grandpa(), 1)).collect(),
		},
		sudo: SudoConfig { key: Some(sudo) },
		oracle_operators: OracleOperatorsConfig {
			members: operators.try_into().unwrap_or_default(),
		},
		// Referenda pass in about a minute on development networks.
		origins: OriginsConfig { fast_tracks: Some(DEV_TRACK_PERIODS) },
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
		Sr25519Keyring::Alice.to_account_id(),
		well_known_accounts(),
	)
}

/// Three validators (Alice, Bob, Charlie), each an oracle operator, so the index is a real
/// median.
pub fn local_config_genesis() -> Value {
	genesis(
		&[
			DevValidator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			DevValidator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			DevValidator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		Sr25519Keyring::Alice.to_account_id(),
		well_known_accounts(),
	)
}

/// The JSON of the named preset, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(serde_json::to_string(&patch).ok()?.into_bytes())
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
