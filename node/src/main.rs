//! floorperp-node: the validator and full-node binary of the floorperp appchain.

// `sc_service::Error` and `sc_cli::Error` are large by design; they are returned at most once,
// at start-up or from a maintenance subcommand, so boxing them would buy nothing.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	command::run()
}
