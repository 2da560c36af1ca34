//! Chain specifications built from the runtime's genesis presets.

use floorperp_runtime::WASM_BINARY;
use polkadot_sdk::{sc_service, sp_genesis_builder};

/// The chain specification of a floorperp network.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token metadata shown by Polkadot-JS: FLOOR with 18 decimals.
fn properties() -> sc_service::Properties {
	let mut properties = sc_service::Properties::new();
	properties.insert("tokenSymbol".into(), "FLOOR".into());
	properties.insert("tokenDecimals".into(), 18.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime's WASM binary is not available; build without SKIP_WASM_BUILD".to_string()
	})
}

/// A single-validator development chain (Alice), with sudo and one oracle operator.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("floorperp development")
		.with_id("floorperp_dev")
		.with_chain_type(sc_service::ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// A four-validator local testnet (Alice, Bob, Charlie, Dave), each an oracle operator, with
/// sudo and development periods.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("floorperp local testnet")
		.with_id("floorperp_local")
		.with_chain_type(sc_service::ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// A public testnet's starting point: the same four validators, production governance and
/// sessions, no sudo. Export it (`export-chain-spec --chain testnet`), replace the
/// validators' keys, and give the edited file to every node with `--chain`.
pub fn testnet_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("floorperp testnet")
		.with_id("floorperp_testnet")
		.with_chain_type(sc_service::ChainType::Live)
		.with_genesis_config_preset_name(
			floorperp_runtime::genesis_config_presets::TESTNET_RUNTIME_PRESET,
		)
		.with_properties(properties())
		.build())
}
