//! `true-floor backtest --input FILE.csv --columns time=…,price=…,token=…,buyer=…,seller=…
//! --price-scale 1e-18 --output OUT.csv [--plot OUT.png] [--robustness]`
//!
//! Writes `timestamp,floor` rows (floor in ETH, after each sale once a floor exists), prints
//! the verdict counts and, last, one JSON summary line.
//!
//! `true-floor report --input FILE.csv --columns … --price-scale … [--name NAME]` compares the
//! floor with the previous defaults (no burst rule, a quantile window of 50), with the burst
//! rule alone, and with the current defaults (burst rule, window of 40): clean-history
//! accuracy, wash/outlier robustness and sybil-cluster moves, as one JSON line.
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
	accuracy::accuracy,
	backtest::Backtest,
	input::{read_sales, ColumnMap},
	plot,
	price::{format_eth, to_wei},
	robustness, run, scenario,
	sybil::{sybil, Cluster},
};

#[derive(Parser)]
#[command(
	name = "true-floor",
	version,
	about = "floorperp true floor price tools (docs/oracle.md)"
)]
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
	/// Compares the previous and current defaults: accuracy, robustness, sybil clusters.
	Report(ReportArgs),
}

#[derive(clap::Args)]
struct ReportArgs {
	/// The sale CSV.
	#[arg(long)]
	input: PathBuf,
	/// As for `backtest`.
	#[arg(long)]
	columns: String,
	/// As for `backtest`.
	#[arg(long, default_value = "1e-18", allow_hyphen_values = true)]
	price_scale: String,
	/// The collection's name in the output.
	#[arg(long, default_value = "")]
	name: String,
	/// Wash trades and outliers after every N-th clean sale (see `backtest --robustness`).
	#[arg(long, default_value_t = 10)]
	inject_every: usize,
	/// A sybil cluster after every N-th clean sale.
	#[arg(long, default_value_t = 200)]
	cluster_every: usize,
	/// Sales per sybil cluster.
	#[arg(long, default_value_t = 10)]
	cluster_size: u64,
	/// Seconds between a cluster's sales.
	#[arg(long, default_value_t = 60)]
	cluster_spacing: u64,
	/// How far under the floor the cluster sells (a fraction).
	#[arg(long, default_value = "0.15")]
	cluster_discount: String,
	/// Hours after a cluster over which its move is measured.
	#[arg(long, default_value_t = 24)]
	cluster_horizon: u64,
	/// `burst_window` of the compared ("after") parameters, seconds.
	#[arg(long)]
	burst_window: Option<u64>,
	/// `burst_cap` of the compared parameters.
	#[arg(long)]
	burst_cap: Option<u32>,
	/// `burst_tolerance` of the compared parameters (a fraction).
	#[arg(long)]
	burst_tolerance: Option<String>,
	/// `quantile_window` of the compared parameters.
	#[arg(long)]
	quantile_window: Option<u32>,
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
	/// Keep the curve's depth fixed (`k_step` 0) instead of the default dynamic k.
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
		Command::Report(args) => report(&args),
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

/// Accuracy, robustness and sybil moves of the floor computed with `params`.
fn measure(
	sales: &[Sale],
	params: FloorParams,
	inject_every: usize,
	cluster: &Cluster,
) -> Result<serde_json::Value, String> {
	let clean = run(sales, params)?;
	let tracking = accuracy(sales, params)?;
	let wash = robustness(sales, &clean, params, inject_every)?;
	let clusters = sybil(sales, &clean, params, cluster)?;
	Ok(json!({
		"accepted": clean.counts.accepted,
		"rejected_by_reason": clean.counts.rejected_json(),
		"accuracy": {
			"hours": tracking.samples,
			"median_error": tracking.median,
			"p90_error": tracking.p90,
			"mean_error": tracking.mean,
			"median_signed_error": tracking.bias,
		},
		"robustness": {
			"injected": wash.injected.sales,
			"injected_accepted": wash.injected.accepted,
			"max_deviation": wash.max_deviation,
			"mean_deviation": wash.mean_deviation,
		},
		"sybil": {
			"clusters": clusters.moves.len(),
			"injected": clusters.injected.sales,
			"injected_accepted": clusters.injected.accepted,
			"max_move": clusters.max(),
			"p90_move": clusters.p90(),
		},
	}))
}

fn report(args: &ReportArgs) -> Result<(), String> {
	let columns = ColumnMap::parse(&args.columns)?;
	let input = read_sales(&args.input, &columns, &args.price_scale)?;
	let discount = to_wei(&args.cluster_discount, 0)
		.map_err(|e| format!("--cluster-discount {:?}: {e}", args.cluster_discount))?;
	let cluster = Cluster {
		every: args.cluster_every,
		size: args.cluster_size,
		spacing: args.cluster_spacing,
		discount,
		horizon: args.cluster_horizon.saturating_mul(3_600),
	};
	let defaults = FloorParams::default();
	let burst_tolerance = match &args.burst_tolerance {
		Some(text) => to_wei(text, 0).map_err(|e| format!("--burst-tolerance {text:?}: {e}"))?,
		None => defaults.burst_tolerance,
	};
	let after = FloorParams {
		burst_window: args.burst_window.unwrap_or(defaults.burst_window),
		burst_cap: args.burst_cap.unwrap_or(defaults.burst_cap),
		burst_tolerance,
		quantile_window: args.quantile_window.unwrap_or(defaults.quantile_window),
		..defaults
	};
	// The defaults before the burst rule: no rule, a window of fifty.
	let before = FloorParams { burst_window: 0, quantile_window: 50, ..after };
	let burst_only = FloorParams { quantile_window: 50, ..after };
	let summary = json!({
		"name": args.name,
		"input": args.input.display().to_string(),
		"sales": input.sales.len(),
		"cluster": {
			"every": cluster.every,
			"size": cluster.size,
			"spacing": cluster.spacing,
			"discount": args.cluster_discount,
			"horizon_hours": args.cluster_horizon,
		},
		"after_params": {
			"burst_window": after.burst_window,
			"burst_cap": after.burst_cap,
			"burst_tolerance": format_eth(after.burst_tolerance),
			"quantile_window": after.quantile_window,
		},
		"before": measure(&input.sales, before, args.inject_every, &cluster)?,
		"burst_rule_only": measure(&input.sales, burst_only, args.inject_every, &cluster)?,
		"after": measure(&input.sales, after, args.inject_every, &cluster)?,
	});
	println!("{summary}");
	Ok(())
}
