//! The `true-floor backtest` binary on a hand-made CSV with one sale per rejection reason.

use std::{path::PathBuf, process::Command};
use true_floor_cli::price::{format_eth, parse_scale, to_wei};

/// The crate's directory, read when the test runs: the shared target dir may hold a test
/// binary built from another checkout, whose compile-time `env!` path no longer exists.
fn manifest_dir() -> std::path::PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR").into()
}

fn fixture() -> PathBuf {
	manifest_dir().join("tests/fixtures/sales.csv")
}

fn temp(name: &str) -> PathBuf {
	std::env::temp_dir().join(format!("true-floor-test-{}-{name}", std::process::id()))
}

#[test]
fn backtest_counts_every_reason_exactly() {
	let output = temp("floor.csv");
	let plot = temp("floor.png");
	let run = Command::new(env!("CARGO_BIN_EXE_true-floor"))
		.args(["backtest", "--input"])
		.arg(fixture())
		.args([
			"--columns",
			"time=time,price=amount,token=id,buyer=buyer_address,seller=seller_address,tx=tx,currency=currency",
			"--price-scale",
			"1e-18",
			"--robustness",
			"--inject-every",
			"5",
			"--output",
		])
		.arg(&output)
		.arg("--plot")
		.arg(&plot)
		.output()
		.unwrap();
	let stdout = String::from_utf8(run.stdout).unwrap();
	assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
	let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();

	assert_eq!(summary["rows"], 18);
	assert_eq!(summary["unreadable"], serde_json::json!({ "time": 1 }));
	assert_eq!(summary["sales"], 17);
	assert_eq!(summary["accepted"], 7);
	assert_eq!(summary["rejected"], 10);
	assert_eq!(
		summary["rejected_by_reason"],
		serde_json::json!({
			"duplicate": 1, "multi_item": 2, "currency": 1, "zero_price": 1, "price_too_large": 0,
			"self_trade": 1, "round_trip": 1, "token_cooldown": 1, "extreme_outlier": 1,
			"probable_outlier": 1,
		})
	);
	// Sorted by time: the last row of the file is the first sale.
	assert_eq!(summary["first_time"], 1_640_995_200);
	assert_eq!(summary["floor_max"], "10");
	// 9.5 ETH accepted at minute 60, next accepted sale at minute 68: 9.5 + 0.5 · 2^(−8/60).
	assert_eq!(summary["floor_last"], "9.955861246790283376");

	let robustness = &summary["robustness"];
	assert_eq!(robustness["injected"], 12);
	assert_eq!(robustness["injected_accepted"], 1);
	assert_eq!(robustness["injected_rejected_by_reason"]["round_trip"], 3);
	assert_eq!(robustness["injected_rejected_by_reason"]["extreme_outlier"], 6);
	assert!(robustness["max_deviation"].as_f64().unwrap() < 0.001);

	let series = std::fs::read_to_string(&output).unwrap();
	let lines: Vec<&str> = series.lines().collect();
	assert_eq!(lines.len(), 14);
	assert_eq!(lines[..2], ["timestamp,floor", "1640995440,10"]);
	assert_eq!(lines[13], "1640999340,9.955861246790283376");
	assert!(std::fs::metadata(&plot).unwrap().len() > 0);
	let _ = std::fs::remove_file(output);
	let _ = std::fs::remove_file(plot);
}

#[test]
fn missing_columns_are_reported() {
	let run = Command::new(env!("CARGO_BIN_EXE_true-floor"))
		.args(["backtest", "--input"])
		.arg(fixture())
		.args([
			"--columns",
			"time=when,price=amount,token=id,buyer=buyer_address,seller=seller_address",
		])
		.args(["--output", "/dev/null"])
		.output()
		.unwrap();
	assert!(!run.status.success());
	assert!(String::from_utf8_lossy(&run.stderr).contains("no column \"when\""));
}

#[test]
fn prices_convert_exactly() {
	assert_eq!(parse_scale("1e-18"), Ok(-18));
	assert_eq!(parse_scale("1"), Ok(0));
	assert_eq!(parse_scale("0.001"), Ok(-3));
	assert_eq!(parse_scale("1000"), Ok(3));
	assert!(parse_scale("2e-18").is_err());
	assert_eq!(to_wei("63000000000000000000", -18), Ok(63_000_000_000_000_000_000));
	assert_eq!(to_wei("0.9800000052364574", 0), Ok(980_000_005_236_457_400));
	assert_eq!(to_wei("1.9499999999999997e-09", 0), Ok(1_949_999_999));
	assert_eq!(to_wei("1e-11", 0), Ok(10_000_000));
	assert_eq!(to_wei("1.5", -18), Ok(1));
	assert!(to_wei("", 0).is_err());
	assert!(to_wei("-1", 0).is_err());
	assert_eq!(format_eth(1_500_000_000_000_000_000), "1.5");
	assert_eq!(format_eth(7), "0.000000000000000007");
}
