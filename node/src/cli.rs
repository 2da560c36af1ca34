//! Command-line interface: `run` flags plus the standard Substrate subcommands.

use polkadot_sdk::{sc_cli, sc_cli::RunCmd};

/// Subcommands beside running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export the chain specification (`--chain dev|local|<file>`).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The node's command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// Where this node's offchain worker fetches a marketplace's sales for the true-floor
	/// oracle: `SOURCE=URL`, SOURCE one of opensea-v1, opensea-v2, looksrare, x2y2,
	/// reservoir (repeatable). Stored in the node's offchain storage, where the
	/// `offchain_localStorageSet` RPC can change it later.
	#[arg(long = "oracle-endpoint", value_name = "SOURCE=URL", value_parser = parse_endpoint)]
	pub oracle_endpoints: Vec<(pallet_true_floor_oracle::Source, String)>,
}

/// `SOURCE=URL` of `--oracle-endpoint`.
fn parse_endpoint(text: &str) -> Result<(pallet_true_floor_oracle::Source, String), String> {
	let (name, url) = text.split_once('=').ok_or("expected SOURCE=URL")?;
	let source = pallet_true_floor_oracle::Source::from_name(name.trim()).ok_or_else(|| {
		let names: Vec<&str> =
			pallet_true_floor_oracle::Source::ALL.iter().map(|source| source.name()).collect();
		format!("unknown source {name:?}: one of {}", names.join(", "))
	})?;
	let url = url.trim();
	if !(url.starts_with("http://") || url.starts_with("https://")) {
		return Err(format!("{url:?} is not an http(s) URL"));
	}
	Ok((source, url.to_string()))
}
