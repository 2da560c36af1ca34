//! `true-floor backtest --input FILE.csv --columns time=…,price=…,token=…,buyer=…,seller=…
//! --price-scale 1e-18 --output OUT.csv [--plot OUT.png] [--robustness]`
//!
//! Writes `timestamp,floor` rows (floor in ETH, after each sale once a floor exists), prints
//! the verdict counts and, last, one JSON summary line.
//!
//! `true-floor scenario --input FILE.csv --columns … --price-scale … --start 2022-02-12
//! --days 30 --output SCENARIO.json` writes a `perp-sim` scenario replaying the hourly floor
//! of that period with a few traders (see `true_floor_cli::scenario`).

use clap::{Parser, Subcommand};
use serde_json::json;
use std::{
	fs::File,
	io::{BufWriter, Write},
	path::{Path, PathBuf},
	process::ExitCode,
};
use true_floor::{FloorParams, Sale};
use true_floor_cli::{
	backtest::Backtest,
	input::{read_sales, ColumnMap},
	plot,
	price::format_eth,
	robustness, run, scenario,
};

#[derive(Parser)]
#[command(name = "true-floor", version, about = "floorperp true floor price tools (DESIGN §10)")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Runs the floor algorithm over a sale CSV.
	Backtest(BacktestArgs),
	/// Writes a perp-sim scenario replaying a period of hourly floors.
	Scenario(ScenarioArgs),
}

#[derive(clap::Args)]
struct ScenarioArgs {
	/// The sale CSV.
	#[arg(long)]
	input: PathBuf,
	/// As for `backtest`.
	#[arg(long)]
	columns: String,
	/// As for `backtest`.
	#[arg(long, default_value = "1e-18", allow_hyphen_values = true)]
	price_scale: String,
	/// First day of the period (UTC), e.g. 2022-02-12.
	#[arg(long)]
	start: String,
	/// Length of the period in days.
	#[arg(long, default_value_t = 30)]
	days: u64,
	/// Keep the curve's depth fixed (`k_step` 0) instead of the §15 dynamic k.
	#[arg(long)]
	static_k: bool,
	/// Where to write the scenario JSON.
	#[arg(long)]
	output: PathBuf,
}

#[derive(clap::Args)]
struct BacktestArgs {
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
	/// Where to write the `timestamp,floor` series.
	#[arg(long)]
	output: PathBuf,
	/// Also draw sales and floor to this PNG.
	#[arg(long)]
	plot: Option<PathBuf>,
	/// Also rerun with injected wash trades and outliers and report the floor's deviation.
	#[arg(long)]
	robustness: bool,
	/// With --robustness: inject after every N-th clean sale.
	#[arg(long, default_value_t = 10)]
	inject_every: usize,
}

fn main() -> ExitCode {
	let outcome = match Cli::parse().command {
		Command::Backtest(args) => backtest(&args),
		Command::Scenario(args) => write_scenario(&args),
	};
	match outcome {
		Ok(()) => ExitCode::SUCCESS,
		Err(message) => {
			eprintln!("true-floor: {message}");
			ExitCode::FAILURE
		},
	}
}

fn backtest(args: &BacktestArgs) -> Result<(), String> {
	let columns = ColumnMap::parse(&args.columns)?;
	let input = read_sales(&args.input, &columns, &args.price_scale)?;
	let params = FloorParams::default();
	let result = run(&input.sales, params)?;
	write_series(&args.output, &input.sales, &result)?;
	if let Some(path) = &args.plot {
		plot::draw(path, &input.sales, &result.verdicts, &result.floors)?;
	}
	let robustness = if args.robustness {
		Some(robustness(&input.sales, &result, params, args.inject_every)?)
	} else {
		None
	};

	let counts = &result.counts;
	println!("rows: {} (unreadable: {:?})", input.rows, input.unreadable);
	println!(
		"sales: {}  accepted: {}  rejected: {}",
		counts.sales,
		counts.accepted,
		counts.rejected_total()
	);
	for (reason, count) in &counts.rejected {
		println!("  {:<17} {count}", reason.name());
	}
	let range = result.floor_range();
	if let Some((low, high)) = range {
		println!("floor: {} .. {} ETH", format_eth(low), format_eth(high));
	}
	let mut summary = json!({
		"input": args.input.display().to_string(),
		"rows": input.rows,
		"unreadable": input.unreadable,
		"sales": counts.sales,
		"accepted": counts.accepted,
		"rejected": counts.rejected_total(),
		"rejected_by_reason": counts.rejected_json(),
		"floor_min": range.map(|(low, _)| format_eth(low)),
		"floor_max": range.map(|(_, high)| format_eth(high)),
		"floor_last": result.floors.last().copied().flatten().map(format_eth),
		"first_time": input.sales.first().map(|sale| sale.timestamp),
		"last_time": input.sales.last().map(|sale| sale.timestamp),
	});
	if let Some(report) = robustness {
		println!(
			"robustness: injected {} (accepted {}), floor deviation max {:.4}% mean {:.4}% over {} floors",
			report.injected.sales,
			report.injected.accepted,
			report.max_deviation * 100.0,
			report.mean_deviation * 100.0,
			report.compared
		);
		for (reason, count) in &report.injected.rejected {
			println!("  injected {:<17} {count}", reason.name());
		}
		summary["robustness"] = json!({
			"inject_every": args.inject_every,
			"injected": report.injected.sales,
			"injected_accepted": report.injected.accepted,
			"injected_rejected_by_reason": report.injected.rejected_json(),
			"compared": report.compared,
			"max_deviation": report.max_deviation,
			"mean_deviation": report.mean_deviation,
		});
	}
	println!("{summary}");
	Ok(())
}

/// `timestamp,floor` after every sale that has a floor, floor in ETH.
fn write_series(path: &Path, sales: &[Sale], result: &Backtest) -> Result<(), String> {
	let error = |e: std::io::Error| format!("{}: {e}", path.display());
	let mut out = BufWriter::new(File::create(path).map_err(error)?);
	writeln!(out, "timestamp,floor").map_err(error)?;
	for (sale, floor) in sales.iter().zip(&result.floors) {
		if let Some(floor) = floor {
			writeln!(out, "{},{}", sale.timestamp, format_eth(*floor)).map_err(error)?;
		}
	}
	out.flush().map_err(error)
}

fn write_scenario(args: &ScenarioArgs) -> Result<(), String> {
	let columns = ColumnMap::parse(&args.columns)?;
	let input = read_sales(&args.input, &columns, &args.price_scale)?;
	let result = run(&input.sales, FloorParams::default())?;
	let start = true_floor::time::parse_timestamp(&format!("{}T00:00:00", args.start))
		.ok_or_else(|| format!("--start {:?} is not a date (YYYY-MM-DD)", args.start))?;
	let floors = scenario::hourly_floors(&input.sales, &result.floors, start, args.days * 24)
		.ok_or("no floor in that period")?;
	let text = serde_json::to_string_pretty(&scenario::scenario(&floors, !args.static_k))
		.map_err(|e| e.to_string())?;
	std::fs::write(&args.output, text + "\n")
		.map_err(|e| format!("{}: {e}", args.output.display()))?;
	println!(
		"{} hourly floors, {} .. {} ETH",
		floors.len(),
		floors.iter().min().map_or_else(String::new, |low| format_eth(*low)),
		floors.iter().max().map_or_else(String::new, |high| format_eth(*high))
	);
	Ok(())
}
