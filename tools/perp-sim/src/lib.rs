//! # perp-sim: the floorperp scenario runner
//!
//! Runs a JSON (docs/scenarios.md) scenario against the real `floorperp-runtime`, in-process, and
//! reports one JSON object per step. The pallet code is the chain's code: the runner only
//! builds genesis, drives blocks and dispatches `RuntimeCall`s.
//!
//! ```text
//! perp-sim run scenarios/open-close-long.json
//! cat scenario.json | perp-sim run -
//! ```
//!
//! ## How the scenario maps onto the chain
//! - **Market**: one market, id 0, on collection 0, created by Root with the scenario's
//!   reserves and market parameters (unset = default; unknown names are errors).
//! - **Accounts**: each name is the sr25519 dev key `//name` (so `"Alice"` is Polkadot-JS's
//!   Alice; names are case-sensitive, so `"alice"` is a different account). Amounts are ETH,
//!   the collateral asset. An account's amount is its **collateral**: genesis mints
//!   `amount + minimum balance` (one gwei) of ETH and the amount is deposited with
//!   `Perp::deposit` in block 1, so `collateral` starts at exactly the amount and `free` at
//!   the minimum balance, which no trade touches. (Nobody pays transaction fees here, so no
//!   account needs the native token.)
//! - **Insurance fund**: genesis gives the insurance account (`InsuranceFund::account()`)
//!   `insurance_fund` ETH (at least the minimum balance); the other perp system accounts
//!   (vault, treasury) get the minimum balance. The fund pays every payout (bad debt,
//!   subsidies, curve costs) up to its whole balance: no per-day outflow cap here.
//! - **Time**: block 1 starts at Unix time 1 800 000 000 s. Steps run in the current block;
//!   `next_block` starts the next block 6 s later (the chain's block time), `advance`
//!   `seconds` later (at least 6, since Aura needs a new slot per block). Each block runs
//!   every pallet's `on_initialize`/`on_finalize` and the timestamp inherent, so oracle age,
//!   the sandwich guard and the per-block fluctuation band behave as on chain.
//! - **Index**: `index_price` feeds the oracle as Root, timestamped now. The oracle takes one
//!   feed per feeder per block, so a second `index_price` in the same block fails with
//!   `AlreadyFeeded`, as it would on chain.
//!
//! ## Output
//! Every field of docs/scenarios.md#report, numbers as decimal strings (up to 18 fractional digits, trailing
//! zeros trimmed, sizes signed). Choices the design leaves open:
//! - `events` lists every event the step emitted, all pallets, in order (`"Balances.Held"`
//!   included), named `"Pallet.Variant"` from the runtime's type information.
//!   `next_block`/`advance` report the events of finalising the old block and initialising
//!   the new one.
//! - `error` is the pallet error's variant name; for non-module errors the kind's variant
//!   (`"BadOrigin"`); a plain message for a step that cannot become a call (an `advance`
//!   overflowing the clock).
//! - `positions`: every open position, plus each position the step touched (a
//!   `PositionChanged`, `MarginAdded` or `MarginRemoved` event names it), with size 0 if
//!   closed. `margin_ratio` is the isolated position's own MR, or for a cross position the
//!   account's MR over all its cross positions (docs/margin.md#cross-margin-the-account-as-one-unit); `null` when there is no notional.
//!   Step-scoped figures (`exchanged_size`, `realized_pnl`, `fee`, `funding_payment`) sum
//!   the step's `PositionChanged` and `PositionLiquidated` events; `bad_debt`,
//!   `liquidation_penalty` and `liquidator_reward` come from `PositionLiquidated`.
//! - `accounts`: every scenario account; `free` is its free ETH, `collateral` the ETH held
//!   by the perp pallet (not committed to positions).
//!
//! ## Liquidations
//! `liquidate` with `by` is a keeper's signed call (the keeper earns the liquidator's half).
//! Without `by` it takes the offchain-worker path: the call must pass its
//! `#[pallet::authorize]` check (as in the transaction pool and at block import) and is
//! dispatched with the authorised origin; the block author earns the half, and with no
//! Aura authority in the simulation's genesis there is none, so the fund keeps it. A refused
//! authorisation reports the pallet's reason (`NotLiquidatable`).
//!
//! ## Funding, convergence and liquidity
//! `settle_funding` and `converge` are dispatched as the authorised transactions validators'
//! offchain workers submit (anyone could also sign them); before they are due they report
//! `FundingNotDue` / `ConvergenceNotDue` and change nothing. The first trade after funding
//! is due settles it too. `adjust_liquidity` is governance's call (Root). Every block's end
//! records the TWAP prices (`on_finalize`), so `advance` is how time and TWAPs move.
//!
//! ## Validators' duties
//! `{ "offchain_workers": {} }` runs, in the current block, everything validators' offchain
//! workers would submit (`Perp::duties` over every position: due funding settlements and
//! convergences, `remap_positions` batches for positions a liquidity migration left behind
//! and the migration's settlement, liquidations up to the block's budget), each authorised
//! as the pool and block import do and dispatched with the authorised origin; what
//! authorisation refuses stays out, as it would stay in the pool. The step's line lists all
//! their events. A scenario that runs it every block or every hour plays the validators.
//!
//! ## Errors
//! A malformed scenario (bad JSON, unknown field or parameter, bad number, an account used
//! but not declared, `advance` below one block) or a failing set-up (market creation,
//! deposits) is an [`Error`]; the binary prints it and exits with code 1 before running any
//! step. A step the chain refuses is not an error: it is reported with `"ok": false`. A
//! panic inside the runtime (a bug) ends the run with [`RunError::Panicked`] naming the
//! step, also exit code 1.

pub mod decimal;
pub mod output;
pub mod params;
pub mod runner;
pub mod scenario;

pub use output::StepReport;
pub use runner::{run, RunError, Simulation};
pub use scenario::{Scenario, ScenarioError};

use std::fmt;

/// Why a scenario could not run.
#[derive(Debug)]
pub enum Error {
	/// The scenario file is malformed.
	Scenario(ScenarioError),
	/// The chain could not be set up or read.
	Run(RunError),
}

impl fmt::Display for Error {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Scenario(error) => error.fmt(f),
			Self::Run(error) => error.fmt(f),
		}
	}
}

impl std::error::Error for Error {}

impl From<ScenarioError> for Error {
	fn from(error: ScenarioError) -> Self {
		Self::Scenario(error)
	}
}

impl From<RunError> for Error {
	fn from(error: RunError) -> Self {
		Self::Run(error)
	}
}

/// Parses scenario JSON and runs it: one report per step.
pub fn run_json(text: &str) -> Result<Vec<StepReport>, Error> {
	let scenario = Scenario::parse(text)?;
	Ok(run(&scenario)?)
}
