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

	#[clap(flatten)]
	pub oracle: OracleArgs,
}

/// Where this node's offchain worker reads sales for the true-floor oracle, and its keys.
#[derive(Debug, Clone, clap::Args)]
pub struct OracleArgs {
	/// Where this node's offchain worker reads a source's sales for the true-floor oracle:
	/// `SOURCE=URL`, SOURCE one of `opensea-v2` (the API's base URL,
	/// `https://api.opensea.io`), `looksrare` (`https://api.looksrare.org`), `ethereum` (an
	/// Ethereum JSON-RPC URL: the operator's own node or a provider's, key included).
	/// Repeatable. Stored in the node's offchain storage, where the `offchain_localStorageSet`
	/// RPC can change it later.
	#[arg(long = "oracle-endpoint", value_name = "SOURCE=URL", value_parser = parse_endpoint)]
	pub endpoints: Vec<(pallet_true_floor_oracle::Source, String)>,

	/// An API key this node sends a source: `SOURCE=KEY` (`opensea-v2`'s `x-api-key`, which
	/// OpenSea requires; `looksrare`'s `X-Looks-Api-Key`). Repeatable, or several separated by
	/// commas in the environment variable. Kept in the node's offchain storage, never on chain
	/// and never logged.
	#[arg(
		long = "oracle-api-key",
		value_name = "SOURCE=KEY",
		value_parser = parse_api_key,
		env = "FLOORPERP_ORACLE_API_KEYS",
		value_delimiter = ',',
		hide_env_values = true
	)]
	pub api_keys: Vec<(pallet_true_floor_oracle::Source, ApiKey)>,
}

/// A secret: shown as `<redacted>` by `Debug`, so the parsed command line can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(pub String);

impl std::fmt::Debug for ApiKey {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str("<redacted>")
	}
}

/// `SOURCE` of `SOURCE=…`.
fn parse_source(name: &str) -> Result<pallet_true_floor_oracle::Source, String> {
	pallet_true_floor_oracle::Source::from_name(name.trim()).ok_or_else(|| {
		let names: Vec<&str> =
			pallet_true_floor_oracle::Source::ALL.iter().map(|source| source.name()).collect();
		format!("unknown source {name:?}: one of {}", names.join(", "))
	})
}

/// `SOURCE=URL` of `--oracle-endpoint`.
fn parse_endpoint(text: &str) -> Result<(pallet_true_floor_oracle::Source, String), String> {
	let (name, url) = text.split_once('=').ok_or("expected SOURCE=URL")?;
	let source = parse_source(name)?;
	let url = url.trim();
	if !(url.starts_with("http://") || url.starts_with("https://")) {
		return Err(format!("the {} endpoint is not an http(s) URL", source.name()));
	}
	Ok((source, url.to_string()))
}

/// `SOURCE=KEY` of `--oracle-api-key`; errors never echo the key.
fn parse_api_key(text: &str) -> Result<(pallet_true_floor_oracle::Source, ApiKey), String> {
	let (name, key) = text.split_once('=').ok_or("expected SOURCE=KEY")?;
	let source = parse_source(name)?;
	if source.api_key_header().is_none() {
		return Err(format!(
			"{} takes no API key: put the provider's key in its URL",
			source.name()
		));
	}
	Ok((source, ApiKey(key.trim().to_string())))
}

/// Where a URL points, without its path and query (which may hold a provider's key), for
/// logs.
pub fn redacted(url: &str) -> &str {
	let after_scheme = url.find("://").map_or(0, |at| at + 3);
	let end = url[after_scheme..].find(['/', '?']).map_or(url.len(), |at| after_scheme + at);
	&url[..end]
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_true_floor_oracle::Source;

	#[test]
	fn endpoints_and_keys_parse_and_keys_never_show() {
		assert_eq!(
			parse_endpoint("ethereum=https://eth.example/v2/secret"),
			Ok((Source::EthereumLogs, "https://eth.example/v2/secret".into()))
		);
		assert!(parse_endpoint("reservoir=https://api.reservoir.tools")
			.unwrap_err()
			.contains("one of opensea-v2, looksrare, ethereum"));
		assert!(parse_endpoint("looksrare=ftp://x").is_err());
		let (source, key) = parse_api_key("opensea-v2=s3cret").unwrap();
		assert_eq!((source, key.0.as_str()), (Source::OpenSeaV2, "s3cret"));
		assert_eq!(format!("{key:?}"), "<redacted>");
		assert!(!parse_api_key("ethereum=s3cret").unwrap_err().contains("s3cret"));
		assert_eq!(redacted("https://eth.example/v2/secret?x=1"), "https://eth.example");
		assert_eq!(redacted("http://127.0.0.1:8089"), "http://127.0.0.1:8089");
	}
}
