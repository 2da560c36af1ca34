//! # Perp pallet
//!
//! Perpetual futures on NFT collection floor prices, priced by a virtual AMM (DESIGN §4–§5).
//! This crate holds markets, collateral and trading; all arithmetic comes from `perp-math`.
//!
//! ## Where the money is
//! - **Free collateral** stays on the trader's account, *held* under
//!   [`HoldReason::Collateral`]: visible in the wallet, not spendable. `deposit` holds,
//!   `withdraw` releases.
//! - **Position margin** (cross and isolated alike) is moved out of that hold into the
//!   pallet's **vault** account (`PalletId`) when a position is opened or increased, and
//!   back into the hold when it is closed (`released margin`). The vault is the AMM's
//!   counterparty: a winner closing first is paid from the margins of traders who have not
//!   realised their losses yet, so committed margin cannot stay on the traders' accounts.
//! - **Realised PnL** never moves money by itself: it changes the position's margin inside
//!   the vault (perp-math settles it into `margin`), and the difference stays in or leaves
//!   the vault when the margin is released. A cross position whose realised loss exceeds its
//!   margin is topped up from the trader's held collateral; a trade that would leave bad debt
//!   (isolated, or cross beyond the held collateral) fails with `PositionUnderwater`: that
//!   is liquidation's business.
//! - **Fees** are paid on top of the margin from the held collateral (after any released
//!   margin arrived there); what the hold cannot cover on a reduce/close is taken from the
//!   position's margin in the vault. The whole fee goes into the vault with the trade's
//!   margin in one transfer (a trade moves money once: released margin back, bad debt,
//!   margin and fee out, netted). The split: `convergence_share` stays in the vault, booked
//!   in the market's `convergence_reserve`; `insurance_share` (to
//!   [`InsuranceFund::account`]) and the rest (to `Treasury`) accrue in the market's
//!   `accrued_fees` and are paid out at the next funding settlement (`FeesPaidOut`): one
//!   payout per market and period instead of two transfers per trade.
//!
//! So a user's free balance + held collateral + Σ position margins (+ what left as fees)
//! adds up to the last unit, and `try_state` checks the vault covers every margin, every
//! convergence reserve, the accrued fee shares and what the AMM owes the traders when they
//! all close.
//!
//! The vault, the treasury and the insurance account must exist (hold at least the
//! existential deposit) before the first small transfer into them: the runtime endows
//! them at genesis.
//!
//! The vault can fall short of a winner's payout only while some position's loss exceeds its
//! margin (the excess, owed from its owner's held collateral or the insurance fund, is not
//! in the vault yet); that payout then fails with `VaultInsufficient`. Covering the gap
//! (liquidation, the insurance fund fronting bad debt) is later work.
//!
//! ## Margin checks
//! A trade that opens risk (open, increase, reversal) needs `MR ≥ initial_margin_ratio`
//! afterwards, with the new fill valued at its cost: a fresh position's MR is exactly
//! `1 / leverage`, so the maximum leverage `1 / IMR` is usable despite curve rounding. The
//! rest of the position and all other positions are valued on their curves (exit value).
//! Cross positions in markets with different ratios are held to the highest of them.
//! Funding an isolated position draws on the cross pool, so the cross account must stay at
//! the initial ratio too. Reducing and closing have no margin check (they may not create
//! bad debt).
//!
//! ## Storage
//! `Markets` (curve, open interest, funding accumulators, per-block band, parameters),
//! `MarketByCollection` (one market per collection), `Positions` keyed account → market so
//! an account's cross positions are one prefix iteration, `Traders` (the position count that
//! bounds that iteration, and the sandwich guard's markets changed this block: one record
//! per trade), `PriceHistory` (TWAP samples),
//! `LiquiditySnapshots` (the curve around each migration), `LiquidationsInBlock`.
//!
//! ## Per-block reference mark and price records
//! The fluctuation band needs the mark at the end of the previous block. The block's first
//! trade of a market records the current mark (which *is* the previous block's closing mark)
//! in `Market::band` before trading, so the band costs nothing in blocks without trades.
//! Anything that moves the reserves outside a trade (convergence, liquidity changes) calls
//! `market::refresh_band` first. Funding's TWAPs do need every block: `on_finalize` records
//! each market's closing mark and latest index ([`funding`]), weighed in `on_initialize`.
//!
//! ## Funding, convergence, liquidity
//! [`funding`] settles funding periods and dynamic k; `liquidity` repegs the curve to the
//! index (convergence) and scales it (liquidity migrations) with the lazy, exit-value
//! preserving remap of position sizes.
//!
//! ## Pause
//! A paused market refuses every trade (closes included: the curve is frozen); margin can
//! still be added or removed and collateral withdrawn.
//!
//! ## Queries
//! [`api`] holds the read-only functions behind the `PerpApi` runtime API
//! (`pallet-perp-runtime-api`): market info, position and account valuations (margin
//! ratio, liquidation price) and order quotes, which run the real trade and roll it back.
#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics and never truncates: every module returns errors instead. The
// FRAME macros' expansions, the SCALE derives and the benchmarks are exempted where they are
// declared.
#![cfg_attr(
	not(test),
	deny(
		clippy::arithmetic_side_effects,
		clippy::as_conversions,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::panic,
		clippy::unwrap_used
	)
)]

extern crate alloc;

pub use api::{AccountSummary, FundingEstimate, MarketInfo, PositionDetails, TradeQuote};
pub use liquidation::{Assessment, Liquidator};
pub use pallet::*;
pub use traits::{IndexPrice, InsuranceFund, InsuranceInflow, InsuranceOutflow, PriceProvider};
pub use types::{
	AccruedFees, Market, MarketId, MarketParams, OpenInterest, PositionInfo, PriceBand, TraderState,
};
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
pub use traits::BenchmarkHelper;

pub mod api;
mod collateral;
pub mod funding;
mod guards;
// Also in std builds: the real-runtime fuzz tests (`runtime/tests/fuzz.rs`) check them.
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod invariants;
mod liquidation;
mod liquidity;
mod market;
mod offchain;
mod trading;
pub mod traits;
#[allow(clippy::as_conversions)]
pub mod types;
pub mod weights;

// Benchmarks set up state off-chain; they are not runtime code.
#[cfg(feature = "runtime-benchmarks")]
#[allow(
	clippy::as_conversions,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::panic,
	clippy::unwrap_used
)]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

#[polkadot_sdk::frame_support::pallet]
// The spine only forwards to the logic modules; the lints would fire on FRAME's expansions.
#[allow(
	clippy::arithmetic_side_effects,
	clippy::as_conversions,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::panic,
	clippy::unwrap_used
)]
pub mod pallet {
	use super::*;
	use perp_math::{MathError, Side};
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::{
				fungible::{Inspect, Mutate, MutateHold},
				UnixTime,
			},
			PalletId,
		},
		frame_system::{offchain::CreateAuthorizedTransaction, pallet_prelude::*, RawOrigin},
	};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ CreateAuthorizedTransaction<Call<Self>>
	{
		/// The collateral token (18 decimals); collateral is held under [`HoldReason`].
		type Currency: Inspect<Self::AccountId, Balance = u128>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Identifies an NFT collection (the oracle key of a market).
		type CollectionKey: Parameter + Member + MaxEncodedLen;
		/// The index ("true floor") price of a collection.
		type IndexPrice: PriceProvider<Self::CollectionKey>;
		/// The insurance fund: fee shares, penalties and residual margins go in; bad debt
		/// and liquidator rewards come out.
		type InsuranceFund: InsuranceFund<Self::AccountId>;
		/// The author of the current block: earns the liquidator's half of the penalty of
		/// liquidations submitted by offchain workers.
		type BlockAuthor: Get<Option<Self::AccountId>>;
		/// Priority of offchain-worker liquidations: above user trades, below oracle feeds.
		#[pallet::constant]
		type LiquidationPriority: Get<TransactionPriority>;
		/// Offchain-worker liquidations one block may include.
		#[pallet::constant]
		type MaxLiquidationsPerBlock: Get<u32>;
		/// Positions one offchain-worker run examines.
		#[pallet::constant]
		type LiquidationScanLimit: Get<u32>;
		/// Receives the treasury share of fees.
		type Treasury: Get<Self::AccountId>;
		/// Derives the vault account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Creates markets and sets their parameters (Root or the `market_admin` track).
		type MarketAdmin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Wall-clock time, for the oracle staleness guard.
		type TimeProvider: UnixTime;
		/// Upper bound on the number of markets.
		#[pallet::constant]
		type MaxMarkets: Get<u32>;
		/// Upper bound on one account's open positions (bounds cross-margin valuation).
		#[pallet::constant]
		type MaxPositionsPerAccount: Get<u32>;
		/// TWAP samples kept per market (at least 31: one window is 30 sampling intervals).
		#[pallet::constant]
		type MaxPriceSamples: Get<u32>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Benchmark set-up hooks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::CollectionKey>;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Free collateral deposited for trading.
		#[codec(index = 0)]
		Collateral,
	}

	/// A market as stored.
	pub type MarketOf<T> = Market<<T as Config>::CollectionKey, BlockNumberFor<T>>;
	/// An account's trading record.
	pub type TraderStateOf<T> =
		types::TraderState<BlockNumberFor<T>, <T as Config>::MaxPositionsPerAccount>;

	/// The id the next market gets.
	#[pallet::storage]
	pub type NextMarketId<T> = StorageValue<_, MarketId, ValueQuery>;

	/// Markets by id.
	#[pallet::storage]
	pub type Markets<T: Config> = StorageMap<_, Blake2_128Concat, MarketId, MarketOf<T>>;

	/// The market of each collection (one per collection).
	#[pallet::storage]
	pub type MarketByCollection<T: Config> =
		StorageMap<_, Blake2_128Concat, T::CollectionKey, MarketId>;

	/// Open positions: account → market → position.
	#[pallet::storage]
	pub type Positions<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, MarketId, PositionInfo>;

	/// Each trading account's position count and sandwich-guard record (absent = no
	/// positions and no change in the current block).
	#[pallet::storage]
	pub type Traders<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, TraderStateOf<T>, ValueQuery>;

	/// Samples of each market's TWAP accumulators covering its last `twap_window`.
	#[pallet::storage]
	pub type PriceHistory<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, funding::Samples<T>, ValueQuery>;

	/// The curve before and after each liquidity migration: `(market, version)` → snapshot;
	/// positions stored under `version` are remapped through it when next touched.
	#[pallet::storage]
	pub type LiquiditySnapshots<T: Config> =
		StorageDoubleMap<_, Twox64Concat, MarketId, Twox64Concat, u32, types::LiquidityMigration>;

	/// Offchain-worker liquidations included so far in a block: `(block, count)`.
	#[pallet::storage]
	pub type LiquidationsInBlock<T: Config> = StorageValue<_, (BlockNumberFor<T>, u32), ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	// `MarketParamsSet` carries the full parameter set for indexers; events are transient.
	#[allow(clippy::large_enum_variant)]
	pub enum Event<T: Config> {
		/// A market was created.
		MarketCreated {
			market: MarketId,
			collection: T::CollectionKey,
			base_reserve: u128,
			quote_reserve: u128,
			mark_price: u128,
		},
		/// A market's parameters were replaced.
		MarketParamsSet { market: MarketId, params: MarketParams },
		/// A market stopped accepting trades.
		MarketPaused { market: MarketId },
		/// A market accepts trades again.
		MarketUnpaused { market: MarketId },
		/// Collateral was deposited (held); `collateral` is the held total after.
		Deposited { who: T::AccountId, amount: u128, collateral: u128 },
		/// Collateral was withdrawn (released); `collateral` is the held total after.
		Withdrawn { who: T::AccountId, amount: u128, collateral: u128 },
		/// A position was opened, increased, reduced, reversed or closed.
		PositionChanged {
			who: T::AccountId,
			market: MarketId,
			isolated: bool,
			/// Signed base traded (positive = bought).
			exchanged_size: i128,
			/// Quote traded.
			exchanged_notional: u128,
			/// Fee paid.
			fee: u128,
			/// PnL realised.
			realized_pnl: i128,
			/// Funding settled (positive = paid).
			funding_payment: i128,
			/// Size after (0 = closed).
			size: i128,
			/// Open notional after.
			open_notional: u128,
			/// Margin after.
			margin: u128,
			/// Mark price after the trade.
			mark_price: u128,
		},
		/// Margin moved from collateral into a position.
		MarginAdded { who: T::AccountId, market: MarketId, amount: u128, margin: u128 },
		/// Margin moved from a position back to collateral.
		MarginRemoved { who: T::AccountId, market: MarketId, amount: u128, margin: u128 },
		/// The fee shares accrued since the last funding settlement were paid to the insurance
		/// fund and the treasury (the convergence share joined the reserve at each trade).
		FeesPaidOut { market: MarketId, insurance: u128, treasury: u128 },
		/// A position was liquidated, partly or fully.
		PositionLiquidated {
			who: T::AccountId,
			market: MarketId,
			/// Who earned the liquidator's half (`None`: the block author is unknown, the
			/// insurance fund kept it).
			liquidator: Option<T::AccountId>,
			/// Whether the whole position was closed.
			full: bool,
			/// The MR that made it liquidatable.
			margin_ratio: i128,
			/// Signed base traded.
			exchanged_size: i128,
			/// Quote traded.
			exchanged_notional: u128,
			/// Trading fee collected.
			fee: u128,
			/// Penalty on the liquidated notional.
			penalty: u128,
			/// What the liquidator received (from the margin and, if it ran out, the fund).
			liquidator_reward: u128,
			/// PnL realised.
			realized_pnl: i128,
			/// Funding settled (positive = paid).
			funding_payment: i128,
			/// Loss beyond everything that backed the position.
			bad_debt: u128,
			/// Size after (0 = closed).
			size: i128,
			/// Margin after.
			margin: u128,
			/// Mark price after.
			mark_price: u128,
		},
		/// A liquidation's bad debt was absorbed.
		BadDebtSettled {
			who: T::AccountId,
			market: MarketId,
			bad_debt: u128,
			/// Paid by the insurance fund (within the market's cap).
			covered_by_insurance: u128,
			/// Spread over both sides' cumulative funding.
			socialised: u128,
			/// Taken from the convergence reserve (no open interest left to carry it).
			from_convergence_reserve: u128,
		},
		/// A loss the insurance fund could not cover was added to both sides' cumulative
		/// funding: every unit of size, long or short, owes `per_unit` more.
		LossSocialised { market: MarketId, amount: u128, per_unit: i128 },
		/// A funding period was settled. Each position of a side pays `rate × size` (quote
		/// per unit of size; negative = receives) when next touched.
		FundingSettled {
			market: MarketId,
			mark_twap: u128,
			index_twap: u128,
			/// Added to the longs' cumulative premium (positive = longs pay).
			long_rate: i128,
			/// Added to the shorts' cumulative premium (negative = shorts pay).
			short_rate: i128,
			/// The insurance fund's net result (negative = it paid a subsidy).
			insurance: i128,
		},
		/// The curve's reserves were scaled by `multiplier` (price unchanged); positions are
		/// remapped to liquidity `version` when next touched.
		LiquidityAdjusted {
			market: MarketId,
			multiplier: u128,
			base_reserve: u128,
			quote_reserve: u128,
			/// Depth relative to launch after the change.
			depth: u128,
			version: u32,
			/// Dynamic k at a funding settlement (else governance).
			dynamic: bool,
			/// Paid towards the bound on what thinning the curve adds to the AMM's debt.
			from_convergence_reserve: u128,
			from_insurance: u128,
		},
		/// The curve was repegged to the index.
		Converged {
			market: MarketId,
			index: u128,
			mark_before: u128,
			mark_after: u128,
			/// Change of what the AMM owes the net position (positive = a cost).
			cost: i128,
			from_convergence_reserve: u128,
			from_insurance: u128,
			/// Paid to the insurance fund (0: a gain stays in the vault, see `liquidity`).
			to_insurance: u128,
			/// Forced by governance rather than due.
			forced: bool,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No market with this id.
		UnknownMarket,
		/// The collection already has a market.
		MarketExists,
		/// `MaxMarkets` markets exist.
		TooManyMarkets,
		/// A reserve is zero or the mark price would round to zero.
		InvalidReserves,
		/// The market is paused.
		MarketPaused,
		/// The market is not paused.
		MarketNotPaused,
		/// `initial_margin_ratio` is zero or above 1.
		InvalidInitialMarginRatio,
		/// `maintenance_margin_ratio` is zero or not below `initial_margin_ratio`.
		MaintenanceNotBelowInitial,
		/// `full_liquidation_ratio` is not below `maintenance_margin_ratio`.
		FullLiquidationNotBelowMaintenance,
		/// A ratio that must be at most 1 is above 1.
		RatioAboveOne,
		/// `insurance_share + convergence_share` exceeds 1.
		FeeSharesAboveOne,
		/// Both fee levels are enabled and level 1's threshold is above level 2's.
		FeeLevelsOutOfOrder,
		/// `funding_period` or `twap_window` is zero.
		ZeroDuration,
		/// `k_min ≤ 1 ≤ k_max` or `k_shrink_below ≤ k_expand_above` does not hold.
		InvalidKBounds,
		/// An amount is zero.
		ZeroAmount,
		/// Leverage is zero.
		ZeroLeverage,
		/// Leverage is above `1 / initial_margin_ratio`.
		LeverageTooHigh,
		/// Not enough free balance to deposit.
		InsufficientBalance,
		/// Not enough held collateral for the margin and fee.
		InsufficientCollateral,
		/// The withdrawal would leave the account below the initial margin ratio.
		InsufficientFreeCollateral,
		/// The trade or margin removal would leave MR below the initial margin ratio.
		InsufficientMargin,
		/// The account has no position in this market.
		NoPosition,
		/// The order's `isolated` flag differs from the existing position's.
		MarginModeMismatch,
		/// The account holds `MaxPositionsPerAccount` positions.
		TooManyPositions,
		/// The fill is worse than the order's limit.
		SlippageExceeded,
		/// An opening trade would end outside the per-block fluctuation band, or a trade
		/// would move the mark further out after the band was breached in this block.
		FluctuationLimitExceeded,
		/// The index is missing or older than `max_oracle_age`.
		OracleStale,
		/// The mark/index divergence exceeds `max_mark_index_divergence` and the trade widens it.
		MarkIndexDivergence,
		/// The side's open notional would exceed `max_open_interest`.
		OpenInterestCapExceeded,
		/// The position's open notional would exceed `max_position_notional`.
		PositionTooLarge,
		/// The traded notional is below `min_trade_notional`.
		TradeBelowMinimum,
		/// The account already changed this position in this block (sandwich guard).
		OnePositionChangePerBlock,
		/// The account already changed `MaxPositionsPerAccount` guarded markets this block.
		TooManyChangesInBlock,
		/// The trade would realise a loss beyond what backs the position: liquidate instead.
		PositionUnderwater,
		/// More margin removal than the position has.
		MarginTooLow,
		/// Asked to reduce by more than the position's size.
		ReduceTooLarge,
		/// The trade is too small to move any base.
		TradeTooSmall,
		/// The trade would take all of a reserve of the curve.
		InsufficientDepth,
		/// An arithmetic result does not fit its type.
		Overflow,
		/// An arithmetic result would go below zero.
		Underflow,
		/// Division by zero.
		DivisionByZero,
		/// A reserve of the curve is zero.
		ZeroReserve,
		/// A price that must be positive is zero.
		ZeroPrice,
		/// A ratio or parameter is out of its range.
		InvalidRatio,
		/// The order's side does not fit the operation.
		WrongSide,
		/// A margin ratio was asked of something with zero notional.
		ZeroNotional,
		/// The position's MR is at or above the maintenance margin ratio.
		NotLiquidatable,
		/// A cross account is liquidated through its position with the largest maintenance
		/// requirement first.
		NotLargestRequirement,
		/// The block already holds `MaxLiquidationsPerBlock` offchain-worker liquidations.
		LiquidationBudgetSpent,
		/// No open interest.
		NoOpenInterest,
		/// Invalid liquidity multiplier.
		InvalidMultiplier,
		/// Timestamps out of order.
		InvalidTimestamp,
		/// The vault cannot pay what it owes (an invariant is broken).
		VaultInsufficient,
		/// The market's funding settlement is not due yet.
		FundingNotDue,
		/// The mark has not diverged from the index beyond `convergence_threshold` for
		/// `convergence_after` (or convergence is disabled).
		ConvergenceNotDue,
		/// The convergence reserve and the insurance fund cannot pay the convergence cost.
		ConvergenceUnfunded,
		/// The insurance fund paid less than its capacity promised.
		InsuranceUnavailable,
		/// A liquidity snapshot a position needs is missing (an invariant is broken).
		MissingLiquiditySnapshot,
		/// The convergence reserve and the insurance fund cannot pay what thinning the curve
		/// may add to the AMM's debt.
		MigrationUnfunded,
		/// Positions from an earlier liquidity change have not all been remapped (touched)
		/// yet: the cost of another change cannot be bounded until they have.
		MigrationPending,
	}

	impl<T> From<MathError> for Error<T> {
		fn from(error: MathError) -> Self {
			match error {
				MathError::Overflow => Error::Overflow,
				MathError::Underflow => Error::Underflow,
				MathError::DivisionByZero => Error::DivisionByZero,
				MathError::ZeroReserve => Error::ZeroReserve,
				MathError::InsufficientDepth => Error::InsufficientDepth,
				MathError::ZeroPrice => Error::ZeroPrice,
				MathError::InvalidRatio => Error::InvalidRatio,
				MathError::NoPosition => Error::NoPosition,
				MathError::WrongSide => Error::WrongSide,
				MathError::ReduceTooLarge => Error::ReduceTooLarge,
				MathError::TradeTooSmall => Error::TradeTooSmall,
				MathError::ZeroNotional => Error::ZeroNotional,
				MathError::NotLiquidatable => Error::NotLiquidatable,
				MathError::NoOpenInterest => Error::NoOpenInterest,
				MathError::InvalidMultiplier => Error::InvalidMultiplier,
				MathError::InvalidTimestamp => Error::InvalidTimestamp,
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Accounts for `on_finalize`: one price record per market.
		fn on_initialize(_block: BlockNumberFor<T>) -> Weight {
			T::WeightInfo::record_prices(NextMarketId::<T>::get())
		}

		/// Advances every market's TWAP accumulators and convergence clock (see [`funding`]).
		fn on_finalize(_block: BlockNumberFor<T>) {
			Self::record_prices();
		}

		/// Validators settle due funding, converge due markets, and scan positions for
		/// liquidations (see [`offchain`]).
		fn offchain_worker(block: BlockNumberFor<T>) {
			Self::run_offchain_worker(block);
		}

		fn integrity_test() {
			assert!(
				u64::from(T::MaxPriceSamples::get()) > funding::SAMPLES_PER_WINDOW,
				"MaxPriceSamples must hold one TWAP window of samples"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a market for `collection` with the given virtual reserves and parameters.
		///
		/// - Origin: `MarketAdmin`.
		/// - Effect: stores a new market (id = `NextMarketId`), mark = `quote / base`.
		/// - Events: `MarketCreated`.
		/// - Errors: `MarketExists`, `TooManyMarkets`, `InvalidReserves`, and every
		///   parameter validation error (see `set_market_params`).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_market())]
		pub fn create_market(
			origin: OriginFor<T>,
			collection: T::CollectionKey,
			base_reserve: u128,
			quote_reserve: u128,
			params: MarketParams,
		) -> DispatchResult {
			T::MarketAdmin::ensure_origin(origin)?;
			Self::do_create_market(collection, base_reserve, quote_reserve, params)
		}

		/// Replaces every parameter of `market`.
		///
		/// - Origin: `MarketAdmin`.
		/// - Effect: validates and stores `params`; open positions keep their margins.
		/// - Events: `MarketParamsSet`.
		/// - Errors: `UnknownMarket`, `InvalidInitialMarginRatio`, `MaintenanceNotBelowInitial`,
		///   `FullLiquidationNotBelowMaintenance`, `RatioAboveOne`, `FeeSharesAboveOne`,
		///   `FeeLevelsOutOfOrder`, `ZeroDuration`, `InvalidKBounds`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_market_params())]
		pub fn set_market_params(
			origin: OriginFor<T>,
			market: MarketId,
			params: MarketParams,
		) -> DispatchResult {
			T::MarketAdmin::ensure_origin(origin)?;
			Self::do_set_market_params(market, params)
		}

		/// Stops trading in `market`. Margin and collateral moves keep working.
		///
		/// - Origin: `MarketAdmin`.
		/// - Events: `MarketPaused`.
		/// - Errors: `UnknownMarket`, `MarketPaused` (already paused).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::pause_market())]
		pub fn pause_market(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			T::MarketAdmin::ensure_origin(origin)?;
			Self::do_set_paused(market, true)
		}

		/// Resumes trading in `market`.
		///
		/// - Origin: `MarketAdmin`.
		/// - Events: `MarketUnpaused`.
		/// - Errors: `UnknownMarket`, `MarketNotPaused`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unpause_market())]
		pub fn unpause_market(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			T::MarketAdmin::ensure_origin(origin)?;
			Self::do_set_paused(market, false)
		}

		/// Holds `amount` of the caller's free balance as trading collateral.
		///
		/// - Origin: signed.
		/// - Events: `Deposited`.
		/// - Errors: `ZeroAmount`, `InsufficientBalance` (the free balance, less the
		///   existential deposit, is below `amount`).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::deposit())]
		pub fn deposit(origin: OriginFor<T>, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(&who, amount)
		}

		/// Releases `amount` of held collateral back to the free balance, provided the
		/// account's cross positions stay at MR ≥ `initial_margin_ratio` (unrealised profit
		/// backs positions but is not withdrawable).
		///
		/// - Origin: signed.
		/// - Events: `Withdrawn`.
		/// - Errors: `ZeroAmount`, `InsufficientFreeCollateral`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(&who, amount)
		}

		/// Trades notional `margin × leverage` on `side`: opens or increases a position (same
		/// side), reduces it (opposite side, smaller than its exit value) or reverses it
		/// (closes, then opens the rest with margin = rest / leverage). `margin` plus the fee
		/// comes from held collateral. `limit` bounds the base: a long receives at least
		/// `limit`, a short gives at most `limit` (0 = no limit).
		///
		/// - Origin: signed.
		/// - Effect: moves the curve, the position, OI; margin and fee to the vault (the fee's
		///   insurance and treasury shares are paid out at the next funding settlement).
		/// - Events: `PositionChanged`.
		/// - Errors: `UnknownMarket`, `MarketPaused`, `ZeroAmount`, `ZeroLeverage`,
		///   `LeverageTooHigh`, `MarginModeMismatch`, `TooManyPositions`,
		///   `OnePositionChangePerBlock`, `OracleStale`, `SlippageExceeded`,
		///   `FluctuationLimitExceeded`, `MarkIndexDivergence`, `TradeBelowMinimum`,
		///   `PositionTooLarge`, `OpenInterestCapExceeded`, `InsufficientCollateral`,
		///   `InsufficientMargin`, `PositionUnderwater`, `TradeTooSmall`,
		///   `InsufficientDepth`.
		#[pallet::call_index(6)]
		#[pallet::weight(
			T::WeightInfo::open_position(T::MaxPositionsPerAccount::get().saturating_sub(1))
				.saturating_add(T::WeightInfo::settle_funding())
		)]
		pub fn open_position(
			origin: OriginFor<T>,
			market: MarketId,
			side: Side,
			margin: u128,
			leverage: u128,
			isolated: bool,
			limit: u128,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let settled = Self::settle_funding_if_due(market)?;
			let receipt =
				Self::do_open_position(&who, market, side, margin, leverage, isolated, limit)?;
			let trade = T::WeightInfo::open_position(receipt.valued_positions);
			Ok(Self::trade_weight(trade, settled))
		}

		/// Closes `base` of the position (a long sells, a short buys back), realising PnL
		/// pro rata. `limit` bounds the quote: a long receives at least `limit`, a short
		/// pays at most `limit` (0 = no limit). Works with a stale oracle.
		///
		/// - Origin: signed.
		/// - Events: `PositionChanged`.
		/// - Errors: `UnknownMarket`, `MarketPaused`, `NoPosition`, `ZeroAmount`,
		///   `ReduceTooLarge`, `OnePositionChangePerBlock`, `SlippageExceeded`,
		///   `FluctuationLimitExceeded`, `MarkIndexDivergence`, `TradeBelowMinimum`,
		///   `PositionUnderwater`, `InsufficientCollateral` (fee).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::reduce_position().saturating_add(T::WeightInfo::settle_funding()))]
		pub fn reduce_position(
			origin: OriginFor<T>,
			market: MarketId,
			base: u128,
			limit: u128,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let settled = Self::settle_funding_if_due(market)?;
			Self::do_reduce_position(&who, market, Some(base), limit)?;
			Ok(Self::trade_weight(T::WeightInfo::reduce_position(), settled))
		}

		/// Closes the whole position; its margin and realised PnL, less the fee, return to
		/// held collateral. `limit` as in `reduce_position`.
		///
		/// - Origin: signed.
		/// - Events: `PositionChanged`.
		/// - Errors: as `reduce_position`, without `ReduceTooLarge`/`TradeBelowMinimum`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::close_position().saturating_add(T::WeightInfo::settle_funding()))]
		pub fn close_position(
			origin: OriginFor<T>,
			market: MarketId,
			limit: u128,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let settled = Self::settle_funding_if_due(market)?;
			Self::do_reduce_position(&who, market, None, limit)?;
			Ok(Self::trade_weight(T::WeightInfo::close_position(), settled))
		}

		/// Moves `amount` of held collateral into the position's margin.
		///
		/// - Origin: signed.
		/// - Events: `MarginAdded`.
		/// - Errors: `UnknownMarket`, `NoPosition`, `ZeroAmount`, `InsufficientCollateral`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::add_margin())]
		pub fn add_margin(origin: OriginFor<T>, market: MarketId, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_add_margin(&who, market, amount)
		}

		/// Moves `amount` of the position's margin back to held collateral, provided the
		/// position (isolated) or the account (cross) stays at MR ≥ `initial_margin_ratio`.
		///
		/// - Origin: signed.
		/// - Events: `MarginRemoved`.
		/// - Errors: `UnknownMarket`, `NoPosition`, `ZeroAmount`, `MarginTooLow`,
		///   `InsufficientMargin`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::remove_margin())]
		pub fn remove_margin(
			origin: OriginFor<T>,
			market: MarketId,
			amount: u128,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove_margin(&who, market, amount)
		}

		/// Liquidates `account`'s position in `market` (DESIGN §8): partially when that
		/// restores the margin ratio, fully otherwise; penalty half to the liquidator, half
		/// to the insurance fund; bad debt covered by the fund, beyond its cap socialised.
		///
		/// - Origin: signed (a keeper, who earns the liquidator's half), or an authorised
		///   general transaction from a validator's offchain worker (the block author earns
		///   it). Authorisation re-checks that the position is liquidatable, dedupes by
		///   `(account, market)` and enforces `MaxLiquidationsPerBlock`.
		/// - Events: `PositionLiquidated`, `BadDebtSettled` and
		///   `LossSocialised` when there is bad debt.
		/// - Errors: `UnknownMarket`, `MarketPaused`, `NoPosition`, `NotLiquidatable`,
		///   `NotLargestRequirement`, `FluctuationLimitExceeded`, `InsufficientDepth`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::liquidate().max(T::WeightInfo::liquidate_bankrupt()))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_liquidate())]
		#[pallet::authorize(Self::authorize_liquidation)]
		pub fn liquidate(
			origin: OriginFor<T>,
			account: T::AccountId,
			market: MarketId,
		) -> DispatchResult {
			let liquidator = match origin.into() {
				Ok(RawOrigin::Signed(keeper)) => Liquidator::Keeper(keeper),
				Ok(RawOrigin::Authorized) => {
					Self::note_authorized_liquidation()?;
					Liquidator::BlockAuthor
				},
				_ => return Err(DispatchError::BadOrigin),
			};
			Self::do_liquidate(&account, market, liquidator)
		}

		/// Settles `market`'s funding period (DESIGN §6): premium fraction from the mark and
		/// index TWAPs over `twap_window`, capped, split between longs, shorts and the
		/// insurance fund by `funding_mode`; then dynamic k may scale the curve. Positions
		/// pay or receive when next touched. The first trade after it is due settles it too.
		///
		/// - Origin: signed (anyone), or an authorised general transaction from a
		///   validator's offchain worker (authorisation checks it is due).
		/// - Events: `FundingSettled`, `LiquidityAdjusted` when dynamic k acts.
		/// - Errors: `UnknownMarket`, `FundingNotDue`, `OracleStale` (no index yet),
		///   `InsuranceUnavailable`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::settle_funding())]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_settle_funding())]
		#[pallet::authorize(Self::authorize_settle_funding)]
		pub fn settle_funding(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			Self::ensure_signed_or_authorized(origin)?;
			Self::do_settle_funding(market)
		}

		/// Repegs `market`'s curve to the index (DESIGN §7) once the mark has stayed more
		/// than `convergence_threshold` away from it for `convergence_after`. A rise in what
		/// the AMM owes is paid from the convergence reserve, then the insurance fund; a fall
		/// stays in the vault.
		///
		/// - Origin: signed (anyone), or an authorised general transaction from a
		///   validator's offchain worker (authorisation checks it is due).
		/// - Events: `Converged`.
		/// - Errors: `UnknownMarket`, `OracleStale`, `ConvergenceNotDue`,
		///   `ConvergenceUnfunded`, `MigrationPending` (positions not yet remapped since
		///   the last liquidity change).
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::converge())]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_converge())]
		#[pallet::authorize(Self::authorize_converge)]
		pub fn converge(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			Self::ensure_signed_or_authorized(origin)?;
			Self::do_converge(market, false)
		}

		/// Repegs `market` to a fresh index now, whether or not convergence is due.
		///
		/// - Origin: `MarketAdmin`.
		/// - Events: `Converged` with `forced = true`.
		/// - Errors: `UnknownMarket`, `OracleStale`, `ConvergenceUnfunded`, `MigrationPending`.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::converge())]
		pub fn force_converge(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			T::MarketAdmin::ensure_origin(origin)?;
			Self::do_converge(market, true)
		}

		/// Scales `market`'s reserves by `multiplier` (18-decimal; the price is unchanged).
		/// Every position keeps its exit value: sizes are remapped when next touched.
		///
		/// - Origin: `MarketAdmin`.
		/// - Events: `LiquidityAdjusted`. The change first moves a bound on what it adds to
		///   the AMM's debt into the vault (convergence reserve, then insurance fund).
		/// - Errors: `UnknownMarket`, `InvalidMultiplier` (zero, a reserve rounding to zero,
		///   or the long open interest could not exit the new curve), `MigrationUnfunded`,
		///   `MigrationPending` (earlier-version positions remain).
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::adjust_liquidity())]
		pub fn adjust_liquidity(
			origin: OriginFor<T>,
			market: MarketId,
			multiplier: u128,
		) -> DispatchResult {
			T::MarketAdmin::ensure_origin(origin)?;
			Self::do_adjust_liquidity(market, multiplier).map_err(Into::into)
		}
	}

	impl<T: Config> Pallet<T> {
		/// A trade's actual weight: with the funding settlement it triggered, or without.
		fn trade_weight(
			trade: Weight,
			settled: bool,
		) -> polkadot_sdk::frame_support::dispatch::PostDispatchInfo {
			let actual =
				if settled { trade.saturating_add(T::WeightInfo::settle_funding()) } else { trade };
			Some(actual).into()
		}

		/// Maintenance calls are open to anyone signed and to validators' authorised
		/// transactions.
		fn ensure_signed_or_authorized(origin: OriginFor<T>) -> DispatchResult {
			match origin.into() {
				Ok(RawOrigin::Signed(_)) | Ok(RawOrigin::Authorized) => Ok(()),
				_ => Err(DispatchError::BadOrigin),
			}
		}

		/// The vault account: holds every position margin, convergence reserves and the
		/// AMM's realised PnL.
		pub fn vault_account() -> T::AccountId {
			use polkadot_sdk::sp_runtime::traits::AccountIdConversion;
			T::PalletId::get().into_account_truncating()
		}
	}
}
