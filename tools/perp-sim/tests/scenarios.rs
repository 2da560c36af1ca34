//! Runs every shipped scenario through the library against the real runtime and checks the
//! figures that matter. `open-close-long.json` and the margin steps of
//! `isolated-and-cross.json` reproduce pallet unit tests to the last raw unit, which shows
//! that perp-sim (real runtime) and the pallet (mock runtime) agree.

use perp_sim::{
	decimal::{parse_signed, parse_unsigned},
	output::{PositionReport, SignedUnits, Units},
	run_json, Error, StepReport,
};
use std::path::PathBuf;

/// The crate's directory, read when the test runs: the shared target dir may hold a test
/// binary built from another checkout, whose compile-time `env!` path no longer exists.
fn manifest_dir() -> std::path::PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR").into()
}

fn scenario_path(name: &str) -> PathBuf {
	manifest_dir().join("scenarios").join(name)
}

fn run_scenario(name: &str) -> Vec<StepReport> {
	let text = std::fs::read_to_string(scenario_path(name)).expect("scenario file is readable");
	run_json(&text).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn units(text: &str) -> Units {
	Units(parse_unsigned(text).expect("valid decimal"))
}

fn signed(text: &str) -> SignedUnits {
	SignedUnits(parse_signed(text).expect("valid decimal"))
}

fn position<'a>(report: &'a StepReport, who: &str) -> &'a PositionReport {
	report
		.positions
		.get(who)
		.unwrap_or_else(|| panic!("step {}: no position of {who}", report.step))
}

/// The `error` of each step, `None` for successful ones.
fn errors(reports: &[StepReport]) -> Vec<Option<&str>> {
	reports.iter().map(|report| report.error.as_deref()).collect()
}

/// Figures of pallet-perp's `open_long_cross` (step 2) and
/// `close_long_returns_margin_with_realised_pnl` (step 5), from `pallets/perp/src/tests/trading.rs`,
/// plus the close limits of `slippage_limits` (steps 4 and 5).
#[test]
fn open_close_long_reproduces_the_pallet_tests() {
	let reports = run_scenario("open-close-long.json");
	assert_eq!(errors(&reports), [None, None, None, Some("SlippageExceeded"), None]);

	let opened = &reports[1];
	let alice = position(opened, "alice");
	assert_eq!(alice.size, signed("33.333333333333333333"));
	assert_eq!(alice.open_notional, units("500"));
	assert_eq!(alice.margin, units("100"));
	assert_eq!(alice.exchanged_size, signed("33.333333333333333333"));
	assert_eq!(alice.fee, units("1.5"));
	assert_eq!(alice.realized_pnl, signed("0"));
	// Exit value right after the open: 5 raw units short of 500 (curve rounding).
	assert_eq!(alice.notional, units("499.999999999999999995"));
	assert_eq!(alice.unrealized_pnl, signed("-0.000000000000000005"));
	assert_eq!(opened.accounts["alice"].collateral, units("898.5"));
	// ETH's minimum balance (a gwei) stays free.
	assert_eq!(opened.accounts["alice"].free, units("0.000000001"));
	assert_eq!(opened.market.base_reserve, units("66.666666666666666667"));
	assert_eq!(opened.market.quote_reserve, units("1500"));
	assert_eq!(opened.market.mark_price, units("22.499999999999999999"));
	assert_eq!(opened.market.net_size, signed("33.333333333333333333"));
	// Insurance share 50 % of the 1.5 fee (accrued, paid out when funding settles).
	assert_eq!(opened.insurance_fund, units("5000.75"));
	assert!(opened.events.contains(&"Perp.PositionChanged".to_string()));
	assert!(!opened.positions.contains_key("bob"));

	let closed = &reports[4];
	let alice = position(closed, "alice");
	assert_eq!(alice.size, signed("0"));
	assert_eq!(alice.margin_ratio, None);
	assert_eq!(alice.exchanged_size, signed("-33.333333333333333333"));
	assert_eq!(alice.realized_pnl, signed("-0.000000000000000005"));
	assert_eq!(alice.fee, units("1.5"));
	assert_eq!(closed.accounts["alice"].collateral, units("996.999999999999999995"));
	assert_eq!(closed.market.base_reserve, units("100"));
	assert_eq!(closed.market.quote_reserve, units("1000.000000000000000005"));
	assert_eq!(closed.market.mark_price, units("10"));
	assert_eq!(closed.market.net_size, signed("0"));
	assert_eq!(closed.insurance_fund, units("5001.5"));
}

#[test]
fn guards_behave_as_on_chain() {
	let reports = run_scenario("guards.json");
	assert_eq!(
		errors(&reports),
		[
			Some("OracleStale"),
			None,
			Some("FluctuationLimitExceeded"),
			None,
			Some("OnePositionChangePerBlock"),
			Some("FluctuationLimitExceeded"),
			None,
			None,
			None,
			None,
			Some("OracleStale"),
			None,
			None,
			None,
			None,
			None,
			Some("AlreadyFeeded"),
			Some("MarkIndexDivergence"),
			None,
		]
	);
	// Within 2.5 % of the index: the base fee, 0.3 % of 5 and of 2.5.
	assert_eq!(position(&reports[3], "alice").fee, units("0.015"));
	assert_eq!(position(&reports[6], "bob").fee, units("0.0075"));
	// Next block: the trade widens the gap beyond 2.5 %, level 1 fee of 1 %.
	assert_eq!(position(&reports[8], "alice").fee, units("0.05"));
	// A stale index still lets Alice close.
	assert_eq!(position(&reports[11], "alice").size, signed("0"));
	// Index 8, mark above 10: a short narrows the gap and pays the in-favour ratio.
	assert_eq!(position(&reports[18], "alice").fee, units("0.015"));
	assert!(position(&reports[18], "alice").size < SignedUnits(0));
	// A failed step leaves the state exactly as it was.
	assert_eq!(reports[17].market, reports[16].market);
	assert_eq!(reports[17].accounts, reports[16].accounts);
}

/// Steps 2–7 reproduce pallet-perp's `add_and_remove_margin_of_an_isolated_position`.
#[test]
fn isolated_and_cross_margin() {
	let reports = run_scenario("isolated-and-cross.json");
	assert_eq!(
		errors(&reports),
		[
			None,
			None,
			None,
			Some("InsufficientCollateral"),
			Some("InsufficientMargin"),
			None,
			Some("MarginTooLow"),
			None,
			Some("MarginBacksLoss"),
			None,
			None,
			None,
			Some("PositionUnderwater"),
			None,
		]
	);
	let opened = position(&reports[1], "alice");
	// Isolated MR: (100 − 5 raw) / 499.99…995, rounded down.
	assert_eq!(opened.margin_ratio, Some(signed("0.199999999999999999")));
	assert_eq!(position(&reports[2], "alice").margin, units("150"));
	assert_eq!(reports[2].accounts["alice"].collateral, units("848.5"));
	// ETH moves from the hold to the vault (assets-holder reports no event for that).
	assert_eq!(reports[2].events, ["Perp.MarginAdded"]);
	assert_eq!(position(&reports[5], "alice").margin, units("100.000000000000000004"));
	assert_eq!(position(&reports[5], "alice").fee, units("0"));

	// Bob's cross margin goes back to his collateral, except what covers his position's
	// loss (a few raw units of exit value below cost); his MR is the account's.
	assert_eq!(reports[8].accounts, reports[7].accounts);
	let bob_before = reports[7].accounts["bob"].collateral;
	let bob = position(&reports[9], "bob");
	assert_eq!(bob.margin, units("0.1"));
	assert_eq!(reports[9].accounts["bob"].collateral, Units(bob_before.0 + units("99.9").0));
	assert!(bob.margin_ratio > Some(signed("1.9")));

	// Carol's short sinks the longs: Alice's isolated loss exceeds her margin, Bob's cross
	// loss is covered by his collateral.
	let bob_closed = position(&reports[13], "bob");
	assert_eq!(bob_closed.size, signed("0"));
	assert!(bob_closed.realized_pnl < signed("-300"));
	assert!(reports[13].positions.contains_key("alice"));
	assert!(reports[13].positions.contains_key("carol"));
}

#[test]
fn liquidations_by_a_keeper_and_by_the_offchain_worker_path() {
	let reports = run_scenario("liquidation.json");
	assert_eq!(
		errors(&reports),
		[None, None, None, None, None, None, Some("NotLiquidatable"), None, None, None]
	);
	// Bob's short left Alice (isolated 5x long) at MR 11.27 %: partial.
	let partial = &reports[5];
	assert!(partial.events.contains(&"Perp.PositionLiquidated".to_owned()));
	let alice = position(partial, "alice");
	assert_eq!(alice.size, signed("29.271972113163802727"));
	assert_eq!(alice.exchanged_size, signed("-4.061361220169530606"));
	// Exactly maintenance (12.5 %) + buffer (0.5 %) restored, to the last raw unit.
	assert_eq!(alice.margin_ratio, Some(signed("0.13")));
	assert_eq!(alice.liquidation_penalty, units("1.909263705482192879"));
	assert_eq!(alice.liquidator_reward, units("0.954631852741096439"));
	assert_eq!(alice.fee, units("0.229111644657863146"));
	// The keeper (carol, a gwei free) earned half the penalty.
	assert_eq!(partial.accounts["carol"].free, units("0.954631853741096439"));
	// A second try finds her healthy and changes nothing.
	assert_eq!(reports[6].market, partial.market);
	assert_eq!(position(&reports[6], "alice").size, alice.size);
	assert_eq!(position(&reports[6], "alice").margin, alice.margin);

	// Bob shorts again: Alice is bankrupt; the OCW path (authorised origin) closes her out
	// and the fund pays the bad debt. With no block author known in the simulation, the
	// fund keeps the liquidator's half.
	let full = &reports[9];
	assert!(full.events.contains(&"Perp.BadDebtSettled".to_owned()));
	let alice = position(full, "alice");
	assert_eq!(alice.size, signed("0"));
	assert_eq!(alice.bad_debt, units("43.316530689551524518"));
	assert_eq!(alice.liquidator_reward, units("0"));
	assert_eq!(
		full.insurance_fund.0,
		reports[8].insurance_fund.0 - units("43.316530689551524518").0
	);
}

#[test]
fn steps_that_are_not_due_or_invalid_fail_and_change_nothing() {
	let reports = run_scenario("not-due.json");
	assert_eq!(
		errors(&reports),
		[
			None,
			None,
			Some("NotLiquidatable"),
			Some("NotLiquidatable"),
			Some("FundingNotDue"),
			Some("ConvergenceNotDue"),
			Some("InvalidMultiplier"),
			None,
		]
	);
	for report in &reports[2..7] {
		assert!(!report.ok);
		assert!(report.events.is_empty());
		assert_eq!(report.market, reports[1].market);
		assert_eq!(report.positions["alice"].size, reports[1].positions["alice"].size);
	}
	assert_eq!(reports[7].events, ["Perp.MarketParamsSet"]);
}

#[test]
fn every_shipped_scenario_prints_section_13_lines() {
	let directory = manifest_dir().join("scenarios");
	let mut count = 0;
	for entry in std::fs::read_dir(directory).expect("scenarios directory") {
		let path = entry.expect("directory entry").path();
		let name = path.file_name().and_then(|name| name.to_str()).expect("file name");
		// The month-long runs have tests of their own (a minute or two each).
		if name.starts_with("bayc-month") {
			continue;
		}
		for report in run_scenario(name) {
			let line: serde_json::Value =
				serde_json::from_str(&report.to_json_line().expect("serialises")).expect("JSON");
			for key in [
				"step",
				"ok",
				"error",
				"events",
				"market",
				"positions",
				"accounts",
				"insurance_fund",
			] {
				assert!(line.get(key).is_some(), "{name}: no {key} in {line}");
			}
			assert!(line["market"]["mark_price"].is_string());
		}
		count += 1;
	}
	assert!(count >= 4);
}

fn scenario_error(text: &str) -> String {
	match run_json(text) {
		Err(Error::Scenario(error)) => error.to_string(),
		Err(other) => panic!("expected a scenario error, got {other}"),
		Ok(_) => panic!("expected a scenario error"),
	}
}

#[test]
fn malformed_scenarios_are_rejected_before_running() {
	let market = r#""market": { "base_reserve": "100", "quote_reserve": "1000" }"#;
	let with_steps = |accounts: &str, steps: &str| {
		format!(r#"{{ {market}, "accounts": {accounts}, "steps": [{steps}] }}"#)
	};
	assert!(scenario_error("{").contains("EOF"));
	assert!(scenario_error(&with_steps(r#"{ "alice": 1.5 }"#, "")).contains("decimal strings"));
	assert!(scenario_error(&with_steps(r#"{ "alice": "1e3" }"#, "")).contains("invalid character"));
	assert!(scenario_error(&with_steps(
		r#"{ "alice": "10" }"#,
		r#"{ "open": { "who": "bob", "side": "long", "margin": "1", "leverage": "1" } }"#
	))
	.contains(r#"step 1: account "bob" is not declared"#));
	assert!(scenario_error(&with_steps("{}", r#"{ "advance": { "seconds": 1 } }"#))
		.contains("at least 6 seconds"));
	assert!(scenario_error(&with_steps("{}", r#"{ "jump": {} }"#)).contains("unknown variant"));
	assert!(scenario_error(&with_steps("{}", r#"{ "set_params": { "fee": "0.1" } }"#))
		.contains("unknown market parameter"));
	assert!(scenario_error(
		r#"{ "market": { "base_reserve": "100", "quote_reserve": "1000", "k_max": "x" }, "steps": [] }"#
	)
	.contains("k_max"));
	assert!(scenario_error(r#"{ "market": { "base_reserve": "100" }, "steps": [] }"#)
		.contains("quote_reserve"));
}

#[test]
fn a_market_the_pallet_refuses_is_a_setup_error() {
	let text = r#"{ "market": { "base_reserve": "100", "quote_reserve": "1000",
		"maintenance_margin_ratio": "0.3" }, "steps": [] }"#;
	match run_json(text) {
		Err(Error::Run(error)) => {
			assert!(error.to_string().contains("MaintenanceNotBelowInitial"), "{error}")
		},
		other => panic!("expected a set-up error, got {other:?}"),
	}
}

#[test]
fn time_overflow_is_a_failed_step_that_keeps_the_block_open() {
	let text = r#"{ "market": { "base_reserve": "100", "quote_reserve": "1000" },
		"steps": [
			{ "advance": { "seconds": 18446744073709551615 } },
			{ "index_price": "10" },
			{ "next_block": {} }
		] }"#;
	let reports = run_json(text).expect("runs");
	assert_eq!(errors(&reports), [Some("block number or time overflows"), None, None]);
	assert_eq!(reports[1].events, ["Oracle.NewFeedData"]);
}

/// What a month of BAYC floors did to the market (`bayc-month.json` and its fixed-depth
/// twin: BAYC's hourly true floor from 2022-02-12 for 30 days, 91 → 70 → 91 ETH, written by
/// `true-floor scenario` from the BAYC sales, see README; a holder, a partial arbitrageur
/// and a trend follower trade, and the validators' duties run twice an hour).
#[derive(Debug, PartialEq)]
struct MonthFigures {
	settlements: usize,
	convergences: usize,
	liquidity_changes: usize,
	migrations_completed: usize,
	dynamic_k_skipped: usize,
	/// Mark-vs-index divergence at each settlement, in basis points (rounded).
	mean_divergence_bp: u32,
	max_divergence_bp: u32,
	insurance_fund: String,
}

/// Runs a BAYC month scenario and measures it; every step must succeed, a convergence must
/// land the mark on the index, and everyone closes at the end.
fn bayc_month(file: &str) -> MonthFigures {
	let text = std::fs::read_to_string(scenario_path(file)).unwrap();
	let scenario: serde_json::Value = serde_json::from_str(&text).unwrap();
	let steps = scenario["steps"].as_array().unwrap();
	let reports = run_json(&text).unwrap();
	assert_eq!(reports.len(), steps.len());
	let mut index = 0.0;
	let mut deviations = Vec::new();
	let count = |report: &perp_sim::output::StepReport, name: &str| {
		report.events.iter().filter(|event| event.as_str() == name).count()
	};
	let mut figures = MonthFigures {
		settlements: 0,
		convergences: 0,
		liquidity_changes: 0,
		migrations_completed: 0,
		dynamic_k_skipped: 0,
		mean_divergence_bp: 0,
		max_divergence_bp: 0,
		insurance_fund: String::new(),
	};
	for (step, report) in steps.iter().zip(&reports) {
		let kind = step.as_object().unwrap().keys().next().unwrap().as_str();
		assert!(report.ok, "step {} ({kind}) failed: {:?}", report.step, report.error);
		if let Some(price) = step["index_price"].as_str() {
			index = price.parse().unwrap();
		}
		let mark = report.market.mark_price.0 as f64 / 1e18;
		if count(report, "Perp.Converged") > 0 {
			// A convergence leaves the mark on the index.
			assert!((mark - index).abs() / index < 1e-12, "step {}", report.step);
		}
		if count(report, "Perp.FundingSettled") > 0 {
			deviations.push((mark - index).abs() / index);
		}
		figures.settlements += count(report, "Perp.FundingSettled");
		figures.convergences += count(report, "Perp.Converged");
		figures.liquidity_changes += count(report, "Perp.LiquidityAdjusted");
		figures.migrations_completed += count(report, "Perp.MigrationCompleted");
		figures.dynamic_k_skipped += count(report, "Perp.DynamicKSkipped");
	}
	let mean = deviations.iter().sum::<f64>() / deviations.len() as f64;
	let max = deviations.iter().copied().fold(0.0, f64::max);
	figures.mean_divergence_bp = (mean * 10_000.0).round() as u32;
	figures.max_divergence_bp = (max * 10_000.0).round() as u32;
	let last = reports.last().unwrap();
	assert_eq!(last.market.net_size, signed("0"));
	assert!(last.positions.values().all(|position| position.size == signed("0")));
	figures.insurance_fund = format!("{:?}", last.insurance_fund);
	figures
}

/// A month of BAYC floors (91 → 70 → 91 ETH) with the validators' duties every block of the
/// hour and dynamic k on, an idle holder included: funding settles every hour, dynamic k
/// thins the quiet curve 28 times (each migration remapped by the validators and settled),
/// and convergence runs 10 times (4 with a fixed depth). With a fixed depth (next test) the mark tracks the index
/// a little worse on average and better at worst (the thinner curve moves more per trade).
#[test]
fn a_month_of_bayc_floors_with_dynamic_k() {
	assert_eq!(
		bayc_month("bayc-month.json"),
		MonthFigures {
			settlements: 719,
			convergences: 10,
			liquidity_changes: 28,
			migrations_completed: 28,
			dynamic_k_skipped: 0,
			mean_divergence_bp: 225,
			max_divergence_bp: 1428,
			insurance_fund: "Units(99664300707573742650282)".into(),
		}
	);
}

/// The same month with the curve's depth fixed (`k_step` 0).
#[test]
fn a_month_of_bayc_floors_with_a_fixed_depth() {
	assert_eq!(
		bayc_month("bayc-month-static-k.json"),
		MonthFigures {
			settlements: 719,
			convergences: 4,
			liquidity_changes: 0,
			migrations_completed: 0,
			dynamic_k_skipped: 0,
			mean_divergence_bp: 253,
			max_divergence_bp: 821,
			insurance_fund: "Units(99702395784096518190252)".into(),
		}
	);
}
