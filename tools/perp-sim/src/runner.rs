//! Runs a scenario against the real `floorperp-runtime` inside `sp_io::TestExternalities`.
//!
//! Blocks are driven the way the executive drives them, minus extrinsic encoding: reset
//! events, `System::initialize` with an Aura pre-runtime digest for the block's slot,
//! `on_initialize` of every pallet, the timestamp inherent, then the steps as dispatched
//! `RuntimeCall`s (each one transactional, so a failed step leaves no trace), and at the end
//! of the block `on_finalize` of every pallet and `System::finalize`. Time-dependent code
//! (oracle age, sandwich guard, fluctuation band, the oracle's one-feed-per-block rule) thus
//! sees what it sees on chain.

use crate::{
	output::{AccountReport, MarketReport, PositionReport, SignedUnits, StepReport, Units},
	scenario::{self, Amount, Scenario, Step, BLOCK_SECONDS},
};
use codec::Encode;
use floorperp_runtime::{
	collateral::{eth_balance, EthIssuerAccount, ETH, ETH_DECIMALS, ETH_MIN_BALANCE},
	configs::{perp_system_accounts, InsuranceFundAdapter as InsuranceAccount},
	AccountId, AllPalletsWithSystem, AssetsConfig, BlockNumber, Hash, InsuranceConfig, Perp,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, System, SLOT_DURATION,
};
use pallet_perp::{InsuranceFund, MarketId, MarketOf, Markets, Positions};
use polkadot_sdk::{
	frame_support::traits::{OnFinalize, OnInitialize},
	frame_system, pallet_oracle, pallet_timestamp,
	sp_consensus_aura::{Slot, AURA_ENGINE_ID},
	sp_core::{sr25519, Pair},
	sp_io::TestExternalities,
	sp_runtime::{
		traits::{Dispatchable, IdentifyAccount},
		BuildStorage, Digest, DigestItem, DispatchError, MultiSigner,
	},
};
use scale_info::{form::MetaForm, Type, TypeDef, TypeInfo, Variant};
use std::{collections::BTreeMap, fmt, panic::AssertUnwindSafe};

/// The scenario's market: the first market created gets id 0.
pub const MARKET: MarketId = 0;
/// The collection (oracle key) of the scenario's market.
pub const COLLECTION: u32 = 0;
/// Unix time of block 1, milliseconds: a multiple of the slot duration, so block times map
/// to whole Aura slots.
pub const START_MS: u64 = 1_800_000_000_000;

/// Why a scenario could not run to the end (as opposed to a step failing, which is reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
	/// Building the chain state, the market or the deposits failed.
	Setup(String),
	/// Reading the state after a step failed (an inconsistent market).
	Inspect(String),
	/// The runtime panicked (a bug in runtime code: the chain would reject the block).
	Panicked(String),
}

impl fmt::Display for RunError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Setup(message) => write!(f, "cannot set the scenario up: {message}"),
			Self::Inspect(message) => write!(f, "cannot read the state: {message}"),
			Self::Panicked(message) => write!(f, "the runtime panicked: {message}"),
		}
	}
}

impl std::error::Error for RunError {}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepFailure {
	/// The runtime refused the call.
	Dispatch(DispatchError),
	/// The step passed validation but cannot be turned into a call (e.g. time overflows).
	Invalid(String),
}

impl StepFailure {
	/// The `error` field: the pallet error's name, or the message of an invalid step.
	pub fn name(&self) -> String {
		match self {
			Self::Dispatch(error) => dispatch_error_name(error),
			Self::Invalid(message) => message.clone(),
		}
	}
}

/// A running scenario: chain state plus the scenario's names for accounts.
pub struct Simulation {
	ext: TestExternalities,
	chain: Chain,
}

/// Everything the steps need besides the externalities (kept apart so a closure run inside
/// the externalities can borrow it mutably).
struct Chain {
	accounts: BTreeMap<String, AccountId>,
	block: BlockNumber,
	now_ms: u64,
}

/// Runs every step of `scenario`, returning one report per step.
pub fn run(scenario: &Scenario) -> Result<Vec<StepReport>, RunError> {
	let mut simulation = Simulation::new(scenario)?;
	scenario
		.steps
		.iter()
		.enumerate()
		.map(|(index, step)| simulation.run_step(index.saturating_add(1), step))
		.collect()
}

impl Simulation {
	/// Genesis with the scenario's balances, block 1, the market and the deposits.
	pub fn new(scenario: &Scenario) -> Result<Self, RunError> {
		let accounts = derive_accounts(scenario)?;
		let storage = genesis_storage(scenario, &accounts)?;
		let mut simulation =
			Self { ext: storage.into(), chain: Chain { accounts, block: 0, now_ms: START_MS } };
		let chain = &mut simulation.chain;
		simulation.ext.execute_with(|| chain.set_up(scenario))?;
		Ok(simulation)
	}

	/// Runs one step (`number` is 1-based) and reports it with the state after it.
	pub fn run_step(&mut self, number: usize, step: &Step) -> Result<StepReport, RunError> {
		let chain = &mut self.chain;
		let ext = &mut self.ext;
		// A panic poisons the externalities, so it ends the run; it must not abort the
		// process without saying which step caused it.
		std::panic::catch_unwind(AssertUnwindSafe(|| {
			ext.execute_with(|| {
				let (result, events) = chain.execute(step);
				chain.report(number, result, &events)
			})
		}))
		.unwrap_or_else(|payload| Err(RunError::Panicked(panic_message(number, payload.as_ref()))))
	}
}

impl Chain {
	fn set_up(&mut self, scenario: &Scenario) -> Result<(), RunError> {
		let genesis_hash = frame_system::BlockHash::<Runtime>::get(0);
		self.start_block(1, START_MS, genesis_hash)
			.map_err(|failure| setup_error("block 1", &failure))?;
		self.create_market(&scenario.market).map_err(|failure| setup_error("market", &failure))?;
		for (name, Amount(amount)) in &scenario.accounts {
			if *amount > 0 {
				let call = pallet_perp::Call::<Runtime>::deposit { amount: *amount };
				dispatch(RuntimeCall::Perp(call), self.signed(name)?)
					.map_err(|failure| setup_error(&format!("deposit of {name}"), &failure))?;
			}
		}
		Ok(())
	}

	fn create_market(&self, spec: &scenario::MarketSpec) -> Result<(), StepFailure> {
		let mut params = pallet_perp::MarketParams::default();
		spec.params.apply(&mut params).map_err(|message| invalid_input(&message))?;
		let call = pallet_perp::Call::<Runtime>::create_market {
			collection: COLLECTION,
			base_reserve: spec.base_reserve,
			quote_reserve: spec.quote_reserve,
			params,
		};
		dispatch(RuntimeCall::Perp(call), RuntimeOrigin::root())
	}

	/// Runs the step; returns its outcome and the events it emitted.
	fn execute(&mut self, step: &Step) -> (Result<(), StepFailure>, Vec<RuntimeEvent>) {
		match step {
			Step::NextBlock(_) => self.next_block(BLOCK_SECONDS),
			Step::Advance(advance) => self.next_block(advance.seconds),
			_ => {
				let first = System::events().len();
				let result = self.dispatch_step(step);
				(result, events_since(first))
			},
		}
	}

	fn dispatch_step(&self, step: &Step) -> Result<(), StepFailure> {
		use pallet_perp::Call as PerpCall;
		let trade = |who: &str, call: PerpCall<Runtime>| -> Result<(), StepFailure> {
			dispatch(RuntimeCall::Perp(call), self.signed(who).map_err(|_| unknown_account(who))?)
		};
		match step {
			Step::IndexPrice(Amount(price)) => feed_index(*price),
			Step::Open(open) => trade(
				&open.who,
				PerpCall::open_position {
					market: MARKET,
					side: match open.side {
						scenario::Side::Long => perp_math::Side::Long,
						scenario::Side::Short => perp_math::Side::Short,
					},
					margin: open.margin.0,
					leverage: open.leverage.0,
					isolated: open.isolated,
					limit: open.limit.0,
				},
			),
			Step::Reduce(reduce) => trade(
				&reduce.who,
				PerpCall::reduce_position {
					market: MARKET,
					base: reduce.size.0,
					limit: reduce.limit.0,
				},
			),
			Step::Close(close) => {
				trade(&close.who, PerpCall::close_position { market: MARKET, limit: close.limit.0 })
			},
			Step::AddMargin(step) => {
				trade(&step.who, PerpCall::add_margin { market: MARKET, amount: step.amount.0 })
			},
			Step::RemoveMargin(step) => {
				trade(&step.who, PerpCall::remove_margin { market: MARKET, amount: step.amount.0 })
			},
			Step::SetParams(overrides) => set_params(overrides),
			Step::Liquidate(step) => {
				let account = self.account(&step.who)?;
				let call = PerpCall::liquidate { account: account.clone(), market: MARKET };
				match &step.by {
					Some(keeper) => trade(keeper, call),
					None => liquidate_as_offchain_worker(account, call),
				}
			},
			// Validators' offchain workers submit these as authorised transactions.
			Step::SettleFunding(_) => dispatch(
				RuntimeCall::Perp(PerpCall::settle_funding { market: MARKET }),
				frame_system::RawOrigin::Authorized.into(),
			),
			Step::Converge(_) => dispatch(
				RuntimeCall::Perp(PerpCall::converge { market: MARKET }),
				frame_system::RawOrigin::Authorized.into(),
			),
			Step::OffchainWorkers(_) => offchain_workers(),
			Step::AdjustLiquidity(step) => dispatch(
				RuntimeCall::Perp(PerpCall::adjust_liquidity {
					market: MARKET,
					multiplier: step.multiplier.0,
				}),
				RuntimeOrigin::root(),
			),
			Step::NextBlock(_) | Step::Advance(_) => Ok(()),
		}
	}

	/// Ends the current block and starts the next one `seconds` later.
	fn next_block(&mut self, seconds: u64) -> (Result<(), StepFailure>, Vec<RuntimeEvent>) {
		// Checked before finalising, so a refused step leaves the current block open.
		let next = self.block.checked_add(1);
		let now_ms = seconds.checked_mul(1_000).and_then(|ms| self.now_ms.checked_add(ms));
		let (Some(next), Some(now_ms)) = (next, now_ms) else {
			return (Err(invalid_input("block number or time overflows")), Vec::new());
		};
		let first = System::events().len();
		AllPalletsWithSystem::on_finalize(self.block);
		let mut events = events_since(first);
		let parent_hash = System::finalize().hash();
		let result = self.start_block(next, now_ms, parent_hash);
		events.extend(events_since(0));
		(result, events)
	}

	/// Initialises block `number` at `now_ms` as the executive would, with the Aura slot of
	/// that time in the digest (Aura checks it against the timestamp).
	fn start_block(
		&mut self,
		number: BlockNumber,
		now_ms: u64,
		parent_hash: Hash,
	) -> Result<(), StepFailure> {
		System::reset_events();
		let slot = Slot::from(now_ms / SLOT_DURATION);
		let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
		System::initialize(&number, &parent_hash, &digest);
		AllPalletsWithSystem::on_initialize(number);
		self.block = number;
		self.now_ms = now_ms;
		let inherent = pallet_timestamp::Call::<Runtime>::set { now: now_ms };
		dispatch(RuntimeCall::Timestamp(inherent), RuntimeOrigin::none())
	}

	fn account(&self, name: &str) -> Result<AccountId, StepFailure> {
		self.accounts.get(name).cloned().ok_or_else(|| unknown_account(name))
	}

	fn signed(&self, name: &str) -> Result<RuntimeOrigin, RunError> {
		self.accounts
			.get(name)
			.map(|account| RuntimeOrigin::signed(account.clone()))
			.ok_or_else(|| RunError::Setup(format!("unknown account {name:?}")))
	}

	/// The report of a step, with the state after it.
	fn report(
		&self,
		number: usize,
		result: Result<(), StepFailure>,
		events: &[RuntimeEvent],
	) -> Result<StepReport, RunError> {
		let market = Markets::<Runtime>::get(MARKET)
			.ok_or_else(|| RunError::Inspect("the market does not exist".into()))?;
		let touched = step_figures(events);
		let mut positions = BTreeMap::new();
		for (name, account) in &self.accounts {
			let scoped = touched.get(account);
			if let Some(report) = position_report(account, scoped)? {
				positions.insert(name.clone(), report);
			}
		}
		Ok(StepReport {
			step: number,
			ok: result.is_ok(),
			error: result.err().map(|failure| failure.name()),
			events: events.iter().map(event_name).collect(),
			market: market_report(&market)?,
			positions,
			accounts: self
				.accounts
				.iter()
				.map(|(name, account)| (name.clone(), account_report(account)))
				.collect(),
			insurance_fund: Units(
				eth_balance(&InsuranceAccount::account())
					.saturating_add(market.accrued_fees.insurance),
			),
		})
	}
}

/// Each name's account: the sr25519 dev key `//name` (so `Alice` is the well-known Alice).
fn derive_accounts(scenario: &Scenario) -> Result<BTreeMap<String, AccountId>, RunError> {
	scenario
		.accounts
		.keys()
		.map(|name| {
			let pair = sr25519::Pair::from_string(&format!("//{name}"), None)
				.map_err(|error| RunError::Setup(format!("account {name:?}: {error:?}")))?;
			Ok((name.clone(), MultiSigner::from(pair.public()).into_account()))
		})
		.collect()
}

/// Genesis ETH (the collateral asset, sufficient, so no account needs the native token):
/// the perp system accounts at the asset's minimum balance, the insurance fund at its
/// scenario balance (at least that minimum), each trader at its collateral plus the minimum
/// balance (which stays free after the deposit).
fn genesis_storage(
	scenario: &Scenario,
	accounts: &BTreeMap<String, AccountId>,
) -> Result<polkadot_sdk::sp_runtime::Storage, RunError> {
	let mut balances: BTreeMap<AccountId, u128> =
		perp_system_accounts().into_iter().map(|account| (account, ETH_MIN_BALANCE)).collect();
	let insurance = scenario.insurance_fund.unwrap_or_default().0.max(ETH_MIN_BALANCE);
	balances.insert(InsuranceAccount::account(), insurance);
	for (name, Amount(collateral)) in &scenario.accounts {
		let endowment = collateral
			.checked_add(ETH_MIN_BALANCE)
			.ok_or_else(|| RunError::Setup(format!("account {name:?}: balance too large")))?;
		let account = accounts
			.get(name)
			.ok_or_else(|| RunError::Setup(format!("account {name:?} has no key")))?;
		balances.insert(account.clone(), endowment);
	}
	let total = balances.values().try_fold(0u128, |total, balance| total.checked_add(*balance));
	if total.is_none() {
		return Err(RunError::Setup("the balances add up to more than u128".into()));
	}
	let config = RuntimeGenesisConfig {
		assets: AssetsConfig {
			assets: vec![(ETH, EthIssuerAccount::get(), true, ETH_MIN_BALANCE)],
			metadata: vec![(ETH, b"Ether".to_vec(), b"ETH".to_vec(), ETH_DECIMALS)],
			accounts: balances
				.into_iter()
				.map(|(account, balance)| (ETH, account, balance))
				.collect(),
			..Default::default()
		},
		// The fund covers bad debt up to its balance: scenarios study the economics, not
		// the per-day outflow cap (which `set_claim_cap` can still set on a real chain).
		insurance: InsuranceConfig { default_claim_cap: u128::MAX, ..Default::default() },
		..Default::default()
	};
	config.build_storage().map_err(|error| RunError::Setup(format!("genesis: {error}")))
}

/// Feeds `price` for the scenario's collection as Root (the oracle pallet's own account).
fn feed_index(price: u128) -> Result<(), StepFailure> {
	let values = vec![(COLLECTION, price)]
		.try_into()
		.map_err(|_| invalid_input("oracle feed larger than MaxFeedValues"))?;
	let call = pallet_oracle::Call::<Runtime>::feed_values { values };
	dispatch(RuntimeCall::Oracle(call), RuntimeOrigin::root())
}

/// The offchain-worker path: the call must pass its `#[pallet::authorize]` check, as the
/// transaction pool and block import require, and is then dispatched with the authorised
/// origin. A refusal reports why the position cannot be liquidated (`NotLiquidatable`).
fn liquidate_as_offchain_worker(
	account: AccountId,
	call: pallet_perp::Call<Runtime>,
) -> Result<(), StepFailure> {
	use polkadot_sdk::frame_support::{pallet_prelude::TransactionSource, traits::Authorize};
	let call = RuntimeCall::Perp(call);
	let authorised = call.authorize(TransactionSource::Local).is_some_and(|result| result.is_ok());
	if !authorised {
		let reason = pallet_perp::Pallet::<Runtime>::liquidatable(&account, MARKET)
			.err()
			.map_or(pallet_perp::Error::<Runtime>::LiquidationBudgetSpent, |error| error);
		return Err(StepFailure::Dispatch(reason.into()));
	}
	dispatch(call, frame_system::RawOrigin::Authorized.into())
}

/// The validators' duties of this block (`Perp::duties`, a scan of every position), each
/// submitted as their offchain workers do: dispatched with the authorised origin if its
/// `#[pallet::authorize]` check admits it (refused ones stay out of the block, as in the
/// pool). An admitted transaction that then fails is a bug, reported as the step's error.
fn offchain_workers() -> Result<(), StepFailure> {
	use polkadot_sdk::frame_support::{pallet_prelude::TransactionSource, traits::Authorize};
	let (duties, _) = pallet_perp::Pallet::<Runtime>::duties(Vec::new(), u32::MAX);
	for call in duties {
		let call = RuntimeCall::Perp(call);
		let admitted =
			call.authorize(TransactionSource::Local).is_some_and(|result| result.is_ok());
		if admitted {
			dispatch(call, frame_system::RawOrigin::Authorized.into())?;
		}
	}
	Ok(())
}

/// `set_market_params` with the market's current parameters plus `overrides`.
fn set_params(overrides: &crate::params::ParamOverrides) -> Result<(), StepFailure> {
	let market = Markets::<Runtime>::get(MARKET).ok_or_else(|| {
		StepFailure::Dispatch(pallet_perp::Error::<Runtime>::UnknownMarket.into())
	})?;
	let mut params = market.params;
	overrides.apply(&mut params).map_err(|message| invalid_input(&message))?;
	let call = pallet_perp::Call::<Runtime>::set_market_params { market: MARKET, params };
	dispatch(RuntimeCall::Perp(call), RuntimeOrigin::root())
}

/// Dispatches `call` as the runtime would (transactional: a failure rolls back).
fn dispatch(call: RuntimeCall, origin: RuntimeOrigin) -> Result<(), StepFailure> {
	call.dispatch(origin).map(|_post_info| ()).map_err(|error| StepFailure::Dispatch(error.error))
}

/// The panic's message, when it is a string.
fn panic_message(step: usize, payload: &(dyn std::any::Any + Send)) -> String {
	let message = payload
		.downcast_ref::<&str>()
		.map(|message| (*message).to_owned())
		.or_else(|| payload.downcast_ref::<String>().cloned())
		.unwrap_or_else(|| "unknown cause".into());
	format!("step {step}: {message}")
}

fn setup_error(what: &str, failure: &StepFailure) -> RunError {
	RunError::Setup(format!("{what}: {}", failure.name()))
}

fn invalid_input(message: &str) -> StepFailure {
	StepFailure::Invalid(message.to_owned())
}

fn unknown_account(name: &str) -> StepFailure {
	invalid_input(&format!("unknown account {name:?}"))
}

/// The error's name: the pallet error variant for module errors (`"OracleStale"`), the
/// variant of the error kind otherwise (`"BadOrigin"`, `"FundsUnavailable"`).
pub fn dispatch_error_name(error: &DispatchError) -> String {
	match error {
		DispatchError::Module(module) => match module.message {
			Some(message) => message.to_owned(),
			None => format!("Module({}, {:?})", module.index, module.error),
		},
		DispatchError::Other(message) => (*message).to_owned(),
		DispatchError::Token(token) => format!("{token:?}"),
		DispatchError::Arithmetic(arithmetic) => format!("{arithmetic:?}"),
		DispatchError::Transactional(transactional) => format!("{transactional:?}"),
		other => format!("{other:?}"),
	}
}

/// The events deposited since the `first`-th of the block.
fn events_since(first: usize) -> Vec<RuntimeEvent> {
	System::events().into_iter().skip(first).map(|record| record.event).collect()
}

/// `"Pallet.Variant"`, read from the runtime's type information by the event's encoded
/// pallet and variant indices.
pub fn event_name(event: &RuntimeEvent) -> String {
	let encoded = event.encode();
	let described = encoded.first().zip(encoded.get(1)).and_then(|(pallet, variant)| {
		let pallet = variant_with_index(&RuntimeEvent::type_info(), *pallet)?;
		let inner = pallet.fields.first()?.ty.type_info();
		let variant = variant_with_index(&inner, *variant)?;
		Some(format!("{}.{}", pallet.name, variant.name))
	});
	described.unwrap_or_else(|| format!("{event:?}"))
}

fn variant_with_index(ty: &Type<MetaForm>, index: u8) -> Option<Variant<MetaForm>> {
	match &ty.type_def {
		TypeDef::Variant(def) => {
			def.variants.iter().find(|variant| variant.index == index).cloned()
		},
		_ => None,
	}
}

/// What a step did to one account's position, summed over its `PositionChanged` events.
#[derive(Clone, Copy, Default)]
struct StepFigures {
	exchanged_size: i128,
	realized_pnl: i128,
	fee: u128,
	funding_payment: i128,
	bad_debt: u128,
	liquidation_penalty: u128,
	liquidator_reward: u128,
}

/// The accounts whose position the step touched, with what it did to each.
fn step_figures(events: &[RuntimeEvent]) -> BTreeMap<AccountId, StepFigures> {
	let mut touched: BTreeMap<AccountId, StepFigures> = BTreeMap::new();
	for event in events {
		let RuntimeEvent::Perp(event) = event else { continue };
		match event {
			pallet_perp::Event::PositionChanged {
				who,
				exchanged_size,
				fee,
				realized_pnl,
				funding_payment,
				..
			} => {
				let figures = touched.entry(who.clone()).or_default();
				figures.exchanged_size = figures.exchanged_size.saturating_add(*exchanged_size);
				figures.realized_pnl = figures.realized_pnl.saturating_add(*realized_pnl);
				figures.fee = figures.fee.saturating_add(*fee);
				figures.funding_payment = figures.funding_payment.saturating_add(*funding_payment);
			},
			pallet_perp::Event::PositionLiquidated {
				who,
				exchanged_size,
				fee,
				realized_pnl,
				funding_payment,
				bad_debt,
				penalty,
				liquidator_reward,
				..
			} => {
				let figures = touched.entry(who.clone()).or_default();
				figures.exchanged_size = figures.exchanged_size.saturating_add(*exchanged_size);
				figures.realized_pnl = figures.realized_pnl.saturating_add(*realized_pnl);
				figures.fee = figures.fee.saturating_add(*fee);
				figures.funding_payment = figures.funding_payment.saturating_add(*funding_payment);
				figures.bad_debt = figures.bad_debt.saturating_add(*bad_debt);
				figures.liquidation_penalty = figures.liquidation_penalty.saturating_add(*penalty);
				figures.liquidator_reward =
					figures.liquidator_reward.saturating_add(*liquidator_reward);
			},
			pallet_perp::Event::MarginAdded { who, .. }
			| pallet_perp::Event::MarginRemoved { who, .. } => {
				touched.entry(who.clone()).or_default();
			},
			_ => {},
		}
	}
	touched
}

fn market_report(market: &MarketOf<Runtime>) -> Result<MarketReport, RunError> {
	Ok(MarketReport {
		base_reserve: Units(market.reserves.base),
		quote_reserve: Units(market.reserves.quote),
		mark_price: Units(market.reserves.mark_price().map_err(math_error)?),
		net_size: SignedUnits(market.net_size),
		cumulative_premium_long: SignedUnits(market.cumulative_premium.long),
		cumulative_premium_short: SignedUnits(market.cumulative_premium.short),
	})
}

/// The account's position report: its open position, or a zero one if the step closed it;
/// `None` if it has none and the step did not touch it.
fn position_report(
	account: &AccountId,
	scoped: Option<&StepFigures>,
) -> Result<Option<PositionReport>, RunError> {
	if !Positions::<Runtime>::contains_key(account, MARKET) && scoped.is_none() {
		return Ok(None);
	}
	let figures = scoped.copied().unwrap_or_default();
	let mut report = PositionReport {
		exchanged_size: SignedUnits(figures.exchanged_size),
		realized_pnl: SignedUnits(figures.realized_pnl),
		fee: Units(figures.fee),
		funding_payment: SignedUnits(figures.funding_payment),
		bad_debt: Units(figures.bad_debt),
		liquidation_penalty: Units(figures.liquidation_penalty),
		liquidator_reward: Units(figures.liquidator_reward),
		..PositionReport::default()
	};
	// The chain's own valuation (`PerpApi::position_info`): current liquidity units, the
	// account's debt and every cross position, exactly as traders and liquidators see it.
	let details = Perp::position_details(account, MARKET)
		.map_err(|error| RunError::Inspect(format!("position_details: {error:?}")))?;
	if let Some(details) = details {
		report.size = SignedUnits(details.base_size);
		report.open_notional = Units(details.open_notional);
		report.margin = Units(details.margin);
		report.notional = Units(details.exit_notional);
		report.unrealized_pnl = SignedUnits(details.unrealized_pnl);
		report.margin_ratio = details.margin_ratio.map(SignedUnits);
	}
	Ok(Some(report))
}

fn account_report(account: &AccountId) -> AccountReport {
	AccountReport {
		free: Units(eth_balance(account)),
		collateral: Units(Perp::held_collateral(account)),
	}
}

fn math_error(error: perp_math::MathError) -> RunError {
	RunError::Inspect(format!("{error:?}"))
}
