//! `marketplace-replay --input FILE.csv --columns time=…,price=…,token=…,buyer=…,seller=…
//! --price-scale 1e-18 [--speed 60] [--start YYYY-MM-DD] [--listen 127.0.0.1:8089]
//! [--contract 0x…] [--slug NAME] [--opensea-api-key KEY] [--block-time 12]`
//!
//! Serves the CSV's sales as OpenSea API v2 and LooksRare API v2 feeds and as an Ethereum
//! JSON-RPC node (see the library docs for the endpoints), printing `listening on
//! http://ADDR (N sales, speed S)` once bound, until killed.

use clap::Parser;
use marketplace_replay::{
	replay::parse_start, Clock, Collection, HttpServer, Replay, Service, SystemClock,
};
use std::{io::Write, path::PathBuf, process::ExitCode};
use true_floor::parsers::hex_bytes;
use true_floor_cli::input::{read_sales, ColumnMap};

#[derive(Parser)]
#[command(
	name = "marketplace-replay",
	version,
	about = "Replays an NFT sale CSV as live marketplace API feeds and Ethereum logs on loopback"
)]
struct Cli {
	/// The sale CSV.
	#[arg(long)]
	input: PathBuf,
	/// field=header pairs: time, price, token, buyer, seller (required), tx, currency,
	/// quantity (optional).
	#[arg(long)]
	columns: String,
	/// The price column's unit in ETH, a power of ten: 1e-18 for wei, 1 for ETH.
	#[arg(long, default_value = "1e-18", allow_hyphen_values = true)]
	price_scale: String,
	/// CSV seconds replayed per real second.
	#[arg(long, default_value_t = 60)]
	speed: u64,
	/// CSV date (YYYY-MM-DD, UTC) the replay starts at; earlier sales are dropped. Default:
	/// the first sale.
	#[arg(long)]
	start: Option<String>,
	/// Address to listen on.
	#[arg(long, default_value = "127.0.0.1:8089")]
	listen: String,
	/// The NFT contract named in the events.
	#[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
	contract: String,
	/// The collection slug named in the events.
	#[arg(long, default_value = "replay")]
	slug: String,
	/// Refuse OpenSea requests (401) without this `x-api-key` header.
	#[arg(long)]
	opensea_api_key: Option<String>,
	/// Seconds between the blocks of the replayed Ethereum chain (12 like Ethereum; tests use
	/// faster blocks so its confirmations pass sooner).
	#[arg(long, default_value_t = marketplace_replay::ethereum::BLOCK_SECONDS)]
	block_time: u64,
}

fn main() -> ExitCode {
	match run(&Cli::parse()) {
		Ok(()) => ExitCode::SUCCESS,
		Err(message) => {
			eprintln!("marketplace-replay: {message}");
			ExitCode::FAILURE
		},
	}
}

fn run(cli: &Cli) -> Result<(), String> {
	let columns = ColumnMap::parse(&cli.columns)?;
	let input = read_sales(&cli.input, &columns, &cli.price_scale)?;
	if !input.unreadable.is_empty() {
		eprintln!("skipped unreadable rows (by field): {:?}", input.unreadable);
	}
	let start = cli.start.as_deref().map(parse_start).transpose()?;
	let clock = SystemClock;
	let replay = Replay::new(input.sales, cli.speed, start, clock.now())?;
	if replay.total() == 0 {
		return Err(format!("no sales to replay in {}", cli.input.display()));
	}
	let contract = hex_bytes::<20>(&cli.contract)
		.ok_or_else(|| format!("--contract {:?} is not a 20-byte hex address", cli.contract))?;
	let collection = Collection { contract, slug: cli.slug.clone() };
	let (total, speed) = (replay.total(), replay.speed());
	let service = Service::new(replay, Box::new(clock), collection, cli.opensea_api_key.clone())
		.with_block_time(cli.block_time);
	let server = HttpServer::bind(&cli.listen, service)?;
	let address = server.local_addr()?;
	let mut stdout = std::io::stdout();
	writeln!(stdout, "listening on http://{address} ({total} sales, speed {speed})")
		.and_then(|()| stdout.flush())
		.map_err(|error| format!("stdout: {error}"))?;
	server.run();
	Ok(())
}
