//! Invariant fuzzing on the real runtime (DESIGN §14), with proptest.
//!
//! Why proptest rather than cargo-fuzz: it runs on stable Rust inside `cargo test` (so CI
//! runs it with the rest, bounded by `PROPTEST_CASES`), it shrinks a failing sequence to a
//! minimal one, and it persists failing seeds in `tests/proptest-regressions/` so they are
//! replayed first forever after. Coverage-guided fuzzing would explore deeper, but needs
//! nightly and a corpus workflow CI cannot afford.
//!
//! Each case starts from the development preset (funded accounts, insurance fund, Alice as
//! the oracle operator), lists collection 1 at mark 10 (10,000 base / 100,000 quote) with the
//! §15 defaults or with the trade guards off, and runs a
//! random sequence of every perp, insurance and oracle call from random accounts, with
//! random amounts (zero, dust, huge), prices (crashes, spikes, drifts) and time jumps
//! (a block, a minute, an hour, eight hours). After every step:
//! - every invariant of pallet-perp and pallet-insurance holds (`do_try_state`: zero-sum
//!   exposure, open interest, the curve's base and k, vault solvency, position counts,
//!   the fund's books);
//! - a step that failed changed nothing: the storage root is the one before it.
//!
//! `PROPTEST_CASES` sets the number of sequences (CI: the default below); the README gives
//! the command of the long run.

mod common;

use floorperp_runtime::{
	genesis_config_presets::development_config_genesis, pallet_perp, Insurance, Oracle, Perp,
	Runtime, RuntimeCall, RuntimeOrigin, System, UNIT,
};
use perp_math::Side;
use polkadot_sdk::{
	frame_support::{
		dispatch::GetDispatchInfo,
		traits::{Hooks, UnfilteredDispatchable},
	},
	frame_system::RawOrigin,
	pallet_timestamp, sp_io,
	sp_keyring::Sr25519Keyring,
};
use proptest::prelude::*;

const COLLECTION: u32 = 1;
const TRADERS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave, Sr25519Keyring::Eve];

/// One step of a sequence.
#[derive(Clone, Debug)]
enum Action {
	Deposit {
		who: usize,
		amount: u128,
	},
	Withdraw {
		who: usize,
		amount: u128,
	},
	Open {
		who: usize,
		long: bool,
		margin: u128,
		leverage: u128,
		isolated: bool,
		limit: u128,
	},
	Reduce {
		who: usize,
		base: u128,
	},
	Close {
		who: usize,
	},
	AddMargin {
		who: usize,
		amount: u128,
	},
	RemoveMargin {
		who: usize,
		amount: u128,
	},
	Liquidate {
		who: usize,
		keeper: usize,
	},
	LiquidateAsValidator {
		who: usize,
	},
	SettleFunding,
	Converge,
	ForceConverge,
	AdjustLiquidity {
		multiplier: u128,
	},
	Contribute {
		who: usize,
		amount: u128,
	},
	/// The operator feeds `index · percent / 100`.
	MoveIndex {
		percent: u128,
	},
	/// Ends the block; the next starts `seconds` later.
	Advance {
		seconds: u64,
	},
	/// A call from the wrong origin (a trader signing governance's call).
	WrongOrigin {
		who: usize,
	},
}

/// Mostly amounts a trader would use, sometimes zero, dust or absurd ones.
fn amount() -> impl Strategy<Value = u128> {
	prop_oneof![
		1 => Just(0u128),
		1 => Just(1u128),
		12 => (1u128..300_000).prop_map(|milli| milli * UNIT / 1_000),
		1 => (1u128..1_000_000).prop_map(|units| units * UNIT),
		1 => Just(u128::MAX),
	]
}

fn action() -> impl Strategy<Value = Action> {
	let who = 0usize..TRADERS.len();
	prop_oneof![
		3 => (who.clone(), amount()).prop_map(|(who, amount)| Action::Deposit { who, amount }),
		1 => (who.clone(), amount()).prop_map(|(who, amount)| Action::Withdraw { who, amount }),
		10 => (
			who.clone(),
			any::<bool>(),
			amount(),
			prop_oneof![8 => 1u128..=5, 1 => Just(0u128), 1 => 6u128..100],
			any::<bool>(),
			prop_oneof![9 => Just(0u128), 1 => amount()],
		)
			.prop_map(|(who, long, margin, leverage, isolated, limit)| Action::Open {
				who, long, margin, leverage: leverage * UNIT, isolated, limit
			}),
		2 => (who.clone(), amount()).prop_map(|(who, base)| Action::Reduce { who, base }),
		2 => who.clone().prop_map(|who| Action::Close { who }),
		1 => (who.clone(), amount()).prop_map(|(who, amount)| Action::AddMargin { who, amount }),
		1 => (who.clone(), amount()).prop_map(|(who, amount)| Action::RemoveMargin { who, amount }),
		2 => (who.clone(), who.clone()).prop_map(|(who, keeper)| Action::Liquidate { who, keeper }),
		2 => who.clone().prop_map(|who| Action::LiquidateAsValidator { who }),
		1 => Just(Action::SettleFunding),
		1 => Just(Action::Converge),
		1 => Just(Action::ForceConverge),
		1 => prop_oneof![Just(0u128), Just(UNIT / 10), Just(UNIT / 2), Just(95 * UNIT / 100), Just(105 * UNIT / 100), Just(2 * UNIT)]
			.prop_map(|multiplier| Action::AdjustLiquidity { multiplier }),
		1 => (who.clone(), amount()).prop_map(|(who, amount)| Action::Contribute { who, amount }),
		5 => prop_oneof![4 => Just(100u128), 1 => Just(30), 1 => Just(70), 2 => Just(95), 3 => Just(99), 3 => Just(101), 2 => Just(105), 1 => Just(130), 1 => Just(300)]
			.prop_map(|percent| Action::MoveIndex { percent }),
		4 => prop_oneof![Just(6u64), Just(60), Just(3_600), Just(28_800)]
			.prop_map(|seconds| Action::Advance { seconds }),
		1 => who.prop_map(|who| Action::WrongOrigin { who }),
	]
}

fn signed(who: usize) -> RuntimeOrigin {
	RuntimeOrigin::signed(TRADERS[who].to_account_id())
}

fn perp(call: pallet_perp::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Perp(call)
}

/// The call and origin of `action`, or `None` for a block transition.
fn call_of(action: &Action, index: u128) -> Option<(RuntimeCall, RuntimeOrigin)> {
	use pallet_perp::Call as P;
	let market = 0;
	Some(match action.clone() {
		Action::Deposit { who, amount } => (perp(P::deposit { amount }), signed(who)),
		Action::Withdraw { who, amount } => (perp(P::withdraw { amount }), signed(who)),
		Action::Open { who, long, margin, leverage, isolated, limit } => {
			let side = if long { Side::Long } else { Side::Short };
			(
				perp(P::open_position { market, side, margin, leverage, isolated, limit }),
				signed(who),
			)
		},
		Action::Reduce { who, base } => {
			(perp(P::reduce_position { market, base, limit: 0 }), signed(who))
		},
		Action::Close { who } => (perp(P::close_position { market, limit: 0 }), signed(who)),
		Action::AddMargin { who, amount } => (perp(P::add_margin { market, amount }), signed(who)),
		Action::RemoveMargin { who, amount } => {
			(perp(P::remove_margin { market, amount }), signed(who))
		},
		Action::Liquidate { who, keeper } => {
			(perp(P::liquidate { account: TRADERS[who].to_account_id(), market }), signed(keeper))
		},
		Action::LiquidateAsValidator { who } => (
			perp(P::liquidate { account: TRADERS[who].to_account_id(), market }),
			RawOrigin::Authorized.into(),
		),
		Action::SettleFunding => (perp(P::settle_funding { market }), signed(0)),
		Action::Converge => (perp(P::converge { market }), signed(1)),
		Action::ForceConverge => (perp(P::force_converge { market }), RuntimeOrigin::root()),
		Action::AdjustLiquidity { multiplier } => {
			(perp(P::adjust_liquidity { market, multiplier }), RuntimeOrigin::root())
		},
		Action::Contribute { who, amount } => {
			(RuntimeCall::Insurance(pallet_insurance::Call::contribute { amount }), signed(who))
		},
		Action::MoveIndex { percent } => (feed(index.saturating_mul(percent) / 100), alice()),
		Action::Advance { .. } => return None,
		Action::WrongOrigin { who } => {
			(perp(P::adjust_liquidity { market, multiplier: 2 * UNIT }), signed(who))
		},
	})
}

fn alice() -> RuntimeOrigin {
	RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id())
}

fn feed(price: u128) -> RuntimeCall {
	RuntimeCall::Oracle(polkadot_sdk::pallet_oracle::Call::feed_values {
		values: vec![(COLLECTION, price.max(1))].try_into().expect("one value fits"),
	})
}

/// The action's variant name.
fn kind(action: &Action) -> String {
	format!("{action:?}").split([' ', '{']).next().unwrap_or_default().to_string()
}

fn set_time(ms: u64) {
	pallet_timestamp::Now::<Runtime>::put(ms);
}

/// Ends the block as the executive would for these pallets and starts the next.
fn advance(seconds: u64) {
	let block = System::block_number();
	Perp::on_finalize(block);
	Oracle::on_finalize(block);
	System::set_block_number(block + 1);
	set_time(pallet_timestamp::Now::<Runtime>::get() + seconds * 1_000);
	Perp::on_initialize(block + 1);
}

fn current_index() -> u128 {
	Oracle::get(&COLLECTION).map_or(10 * UNIT, |feed| feed.value)
}

/// Checks every invariant; names the step on failure.
fn check_invariants(step: usize, action: &Action) -> Result<(), TestCaseError> {
	Perp::do_try_state()
		.map_err(|e| TestCaseError::fail(format!("step {step} {action:?}: perp {e:?}")))?;
	Insurance::do_try_state()
		.map_err(|e| TestCaseError::fail(format!("step {step} {action:?}: insurance {e:?}")))?;
	Ok(())
}

/// The §15 defaults, or with the per-block band, the divergence guard and the sandwich
/// guard off (so more trades go through and the later mechanisms get exercised).
fn market_params(guarded: bool) -> pallet_perp::MarketParams {
	let defaults = pallet_perp::MarketParams::default();
	if guarded {
		defaults
	} else {
		pallet_perp::MarketParams {
			fluctuation_limit: 0,
			max_mark_index_divergence: 0,
			sandwich_guard: false,
			..defaults
		}
	}
}

/// Runs `actions` on a fresh chain; counts the calls that succeeded and failed.
fn run(guarded: bool, actions: &[Action]) -> Result<(usize, usize), TestCaseError> {
	let mut ext = common::chain(development_config_genesis());
	ext.execute_with(|| {
		set_time(1_700_000_000_000);
		Perp::create_market(
			RuntimeOrigin::root(),
			COLLECTION,
			10_000 * UNIT,
			100_000 * UNIT,
			market_params(guarded),
		)
		.map_err(|e| TestCaseError::fail(format!("market: {e:?}")))?;
		feed(10 * UNIT)
			.dispatch_bypass_filter(alice())
			.map_err(|e| TestCaseError::fail(format!("index: {e:?}")))?;
		for who in 0..TRADERS.len() {
			let _ = pallet_perp::Call::<Runtime>::deposit { amount: 50_000 * UNIT }
				.dispatch_bypass_filter(signed(who));
		}
		let (mut ok, mut failed) = (0, 0);
		for (step, action) in actions.iter().enumerate() {
			match call_of(action, current_index()) {
				None => {
					if let Action::Advance { seconds } = action {
						advance(*seconds);
					}
				},
				Some((call, origin)) => {
					let _ = call.get_dispatch_info();
					let root_before =
						sp_io::storage::root(polkadot_sdk::sp_runtime::StateVersion::V1);
					match call.dispatch_bypass_filter(origin) {
						Ok(_) => {
							ok += 1;
							println!("fuzz-ok {}", kind(action));
						},
						Err(error) => {
							println!("fuzz-err {} {:?}", kind(action), error.error);
							failed += 1;
							let root_after =
								sp_io::storage::root(polkadot_sdk::sp_runtime::StateVersion::V1);
							prop_assert_eq!(
								root_before,
								root_after,
								"step {} {:?} failed but changed state",
								step,
								action
							);
						},
					}
				},
			}
			check_invariants(step, action)?;
		}
		Ok((ok, failed))
	})
}

proptest! {
	#![proptest_config(ProptestConfig {
		cases: 48,
		max_shrink_iters: 2_000,
		.. ProptestConfig::default()
	})]

	#[test]
	fn random_sequences_never_break_an_invariant(
		guarded in any::<bool>(),
		actions in prop::collection::vec(action(), 20..80),
	) {
		let (ok, failed) = run(guarded, &actions)?;
		// Report what ran (visible with --nocapture; the long run sums these).
		println!("fuzz-case calls_ok={ok} calls_failed={failed} steps={}", actions.len());
	}
}
