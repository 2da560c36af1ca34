//! Detection latency (docs/PERFORMANCE.md#detection-latency): with N positions open, a fall
//! of the floor makes a few 5x longs liquidatable in one block; how many blocks until
//! validators' offchain workers have them liquidated, with the watch list
//! (`Perp::duties_watched`, what the worker runs) and with the linear sweep alone (the
//! worker before the watch list), on the same chain state.
//!
//! Validators are played in process: each has its own watch list (in memory, as a fresh
//! node's offchain storage) and its own sweep cursor, and runs every block from the first
//! position on, as a validator's worker runs on every block it imports. A worker's
//! transactions are included in the next block (authorised and dispatched as the pool and
//! block import do), so the least latency is 1 block.
//!
//! `cargo test -p floorperp-runtime --test detection -- --ignored --nocapture` measures
//! 10,000 and 100,000 positions with 4 validators (`FLOORPERP_DETECTION_POSITIONS` takes a
//! comma-separated list); `scripts/drill.sh` runs it for docs/PERFORMANCE.md.

mod common;

use codec::Encode;
use common::blocks::{feed, mark, workers_then_next_block, Validator, SCAN_LIMIT, START_MS};
use floorperp_runtime::{
	collateral::EthCollateral, genesis_config_presets::development_config_genesis, pallet_perp,
	Perp, Runtime, RuntimeOrigin, UNIT,
};
use perp_math::Side;
use polkadot_sdk::{
	frame_support::{assert_ok, traits::fungible::Mutate},
	pallet_timestamp,
	sp_core::crypto::AccountId32,
	sp_io::hashing::blake2_256,
};
use std::time::Instant;

/// Positions opened per block while the market fills.
const PER_BLOCK: u32 = 1_000;
/// The 5x longs the fall makes liquidatable.
const TARGETS: u32 = 10;
/// The fall of the floor and the mark, percent: liquidates 5x longs (maintenance 12.5 %
/// from 20 % margin: about 8.6 %), not 4x ones (about 14.3 %).
const FALL_PERCENT: u128 = 11;

fn trader(seed: u32) -> AccountId32 {
	AccountId32::new(blake2_256(&(b"detection", seed).encode()))
}

/// Where a validator's sweep starts.
enum Start {
	/// Each validator at a random point of the map, as a fresh worker starts.
	Random,
	/// Right after the first target's key: the sweep reaches that target last.
	AfterFirstTarget,
}

struct Report {
	positions: u32,
	validators: u32,
	/// Per target: blocks from the fall to its liquidation, with the watch list.
	watch: Vec<u32>,
	/// Per target: the same with the sweep alone.
	sweep: Vec<u32>,
	/// Healthy positions the fall also made liquidatable.
	collateral_damage: usize,
	setup_seconds: u64,
}

fn max(blocks: &[u32]) -> u32 {
	blocks.iter().copied().max().unwrap_or(0)
}

fn mean(blocks: &[u32]) -> f64 {
	blocks.iter().map(|b| f64::from(*b)).sum::<f64>() / blocks.len().max(1) as f64
}

fn open(who: &AccountId32, side: Side, leverage: u128, isolated: bool) {
	EthCollateral::set_balance(who, 10 * UNIT);
	assert_ok!(Perp::deposit(RuntimeOrigin::signed(who.clone()), 5 * UNIT));
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who.clone()),
		0,
		side,
		UNIT,
		leverage,
		isolated,
		0
	));
}

fn measure(positions: u32, validators: u32, start: Start) -> Report {
	let mut report = None;
	common::chain(development_config_genesis()).execute_with(|| {
		let began = Instant::now();
		pallet_timestamp::Now::<Runtime>::put(START_MS);
		// Deep enough that N small positions move the mark a few percent; guards off, so
		// the fall happens in one block (the band's effect is the crash drill's subject).
		let params = pallet_perp::MarketParams {
			fluctuation_limit: 0,
			max_mark_index_divergence: 0,
			sandwich_guard: false,
			..Default::default()
		};
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			1,
			1_000_000 * UNIT,
			10_000_000 * UNIT,
			params
		));
		feed(10 * UNIT);
		let mut team: Vec<Validator> = (0..validators).map(|v| Validator::new(v, true)).collect();
		let budget = usize::MAX;

		// 2x to 4x, three in four long, one in five cross; then the targets, 5x longs.
		for first in (0..positions).step_by(PER_BLOCK as usize) {
			for seed in first..(first + PER_BLOCK).min(positions) {
				let side = if seed % 4 == 3 { Side::Short } else { Side::Long };
				open(&trader(seed), side, u128::from(2 + seed % 3) * UNIT, seed % 5 != 0);
			}
			let price = mark();
			let included = workers_then_next_block(&mut team, budget, || feed(price));
			assert!(included.liquidated.is_empty());
		}
		let targets: Vec<AccountId32> = (0..TARGETS).map(|t| trader(positions + t)).collect();
		for target in &targets {
			open(target, Side::Long, 5 * UNIT, true);
		}
		// The fall: the next block opens with the index down, and an arbitrageur sells the
		// mark down to it.
		let floor = mark() * (100 - FALL_PERCENT) / 100;
		assert!(workers_then_next_block(&mut team, budget, || feed(floor)).liquidated.is_empty());
		if let Start::AfterFirstTarget = start {
			let key = pallet_perp::Positions::<Runtime>::hashed_key_for(&targets[0], 0);
			for validator in &mut team {
				validator.cursor = key.clone();
			}
		}
		let arbitrageur = trader(u32::MAX);
		EthCollateral::set_balance(&arbitrageur, 1_000_000 * UNIT);
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(arbitrageur.clone()), 900_000 * UNIT));
		while mark() > floor {
			assert_ok!(Perp::open_position(
				RuntimeOrigin::signed(arbitrageur.clone()),
				0,
				Side::Short,
				5_000 * UNIT,
				5 * UNIT,
				false,
				0
			));
		}
		for target in &targets {
			assert!(
				Perp::liquidatable(target, 0).is_ok(),
				"the fall makes every target liquidatable"
			);
		}
		let collateral_damage =
			(0..positions).filter(|seed| Perp::liquidatable(&trader(*seed), 0).is_ok()).count();
		let setup_seconds = began.elapsed().as_secs();

		// The sweep alone, on this state: the run in which some validator's sweep reaches
		// each target (nothing else changes the targets, which are isolated).
		let mut cursors: Vec<Vec<u8>> = team.iter().map(|v| v.cursor.clone()).collect();
		let mut sweep = vec![0u32; targets.len()];
		for run in 1..=200u32 {
			for cursor in &mut cursors {
				let scan = Perp::scan_positions(std::mem::take(cursor), SCAN_LIMIT);
				*cursor = scan.resume_after;
				for (t, target) in targets.iter().enumerate() {
					if sweep[t] == 0 && scan.liquidatable.iter().any(|(who, _)| who == target) {
						sweep[t] = run;
					}
				}
			}
			if sweep.iter().all(|blocks| *blocks > 0) {
				break;
			}
		}

		// The workers as they run now, block after block until every target is liquidated.
		let mut watch = vec![0u32; targets.len()];
		for block in 1..=200u32 {
			let included = workers_then_next_block(&mut team, budget, || feed(floor));
			assert_eq!(included.failed, 0);
			for who in included.liquidated {
				if let Some(t) = targets.iter().position(|target| *target == who) {
					watch[t] = block;
				}
			}
			if watch.iter().all(|blocks| *blocks > 0) {
				break;
			}
		}
		report =
			Some(Report { positions, validators, watch, sweep, collateral_damage, setup_seconds });
	});
	report.expect("measured")
}

/// The attack surface of the old worker: a position the sweep has just passed waits for the
/// sweep to come round again, `N / LiquidationScanLimit` blocks with one validator.
#[test]
fn a_fall_is_liquidated_in_the_next_block_however_far_the_sweep_is() {
	let report = measure(5_000, 1, Start::AfterFirstTarget);
	assert_eq!(report.collateral_damage, 0);
	// The sweep reaches the first target after examining every other position: 5,010
	// positions at 2,048 a block is the third run.
	assert_eq!(max(&report.sweep), 3, "sweep alone: {:?}", report.sweep);
	assert_eq!(report.watch, vec![1; TARGETS as usize], "with the watch list");
}

/// The figures for docs/PERFORMANCE.md.
#[test]
#[ignore = "minutes at 100,000 positions: scripts/drill.sh runs it"]
fn detection_latency_at_scale() {
	let sizes =
		std::env::var("FLOORPERP_DETECTION_POSITIONS").unwrap_or_else(|_| "10000,100000".into());
	println!("\n| positions | validators | watch list: max / mean blocks | sweep alone: max / mean blocks | set-up s |");
	println!("|---:|---:|---:|---:|---:|");
	for size in sizes.split(',') {
		let positions: u32 = size.trim().parse().expect("a number of positions");
		let report = measure(positions, 4, Start::Random);
		assert_eq!(report.collateral_damage, 0);
		println!(
			"| {} | {} | {} / {:.1} | {} / {:.1} | {} |",
			report.positions,
			report.validators,
			max(&report.watch),
			mean(&report.watch),
			max(&report.sweep),
			mean(&report.sweep),
			report.setup_seconds,
		);
		assert!(max(&report.watch) <= 2, "detection within 2 blocks: {:?}", report.watch);
	}
}
