//! # Perp pallet
//!
//! Perpetual futures on NFT collection floor prices, priced by a virtual AMM (docs/vamm.md, docs/margin.md).
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
//! A cross account is one account: when a liquidation closes a cross position for more
//! than its margin, the owner's held collateral and the margins of its other cross
//! positions pay, and what is still missing is the account's **debt** while other cross
//! positions remain (their unrealised profit backs it). The insurance fund pays bad debt
//! only when an account's whole cross equity is negative after its last cross position is
//! closed (or for an isolated position's loss beyond its margin), within each market's
//! outflow cap; see [`liquidation`]. The vault's cash plus the accounts' debts always covers
//! what it owes (`try_state`).
//!
//! ## Margin checks
//! A trade that opens risk (open, increase, reversal) needs `MR ≥ initial_margin_ratio`
//! afterwards, with the new fill valued at its cost: a fresh position's MR is exactly
//! `1 / leverage`, so the maximum leverage `1 / IMR` is usable despite curve rounding. The
//! rest of the position and all other positions are valued on their curves (exit value).
//! Cross positions in markets with different ratios are held to the highest of them.
//! Funding an isolated position draws on the cross pool, so the cross account must stay at
//! the initial ratio too (debt counts against it). Reducing and closing have no margin check
//! (they may not leave a loss unpaid). A trade that would leave the longs holding base the
//! shorts could not buy back fails with `ShortsCannotExit`, so every position can always be
//! valued and closed.
//!
//! ## Storage
//! `Markets` (curve, open interest, funding accumulators, per-block band, parameters),
//! `MarketByCollection` (one market per collection), `Positions` keyed account → market so
//! an account's cross positions are one prefix iteration, `Traders` (the position counts
//! that bound that iteration, and the cross debt; gone when all are zero), `BlockChanges`
//! (the sandwich guard's markets changed this block, emptied at the end of every block),
//! `PriceHistory` (TWAP samples), `LiquidationsInBlock`. A market holds its pending
//! liquidity migration itself: only one can be pending, and it goes once settled.
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
//! A paused market is reduce-only: it refuses every trade that opens risk (`MarketPaused`),
//! while closes, reductions and liquidations go on, so a pause never traps a trader nor
//! blocks the liquidation of an account; margin can still be added or removed and
//! collateral withdrawn.
//!
//! ## Queries
//! [`api`] holds the read-only functions behind the `PerpApi` runtime API
//! (`pallet-perp-runtime-api`): market info, position and account valuations (margin
//! ratio, liquidation price) and quotes of every position change, which run the real call
//! (its due funding settlement included) and roll it back.
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
	AccruedFees, CostFunding, Market, MarketId, MarketParams, OpenInterest, PendingMigration,
	PositionInfo, PriceBand, TraderState,
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
pub mod trading;
pub mod traits;
#[allow(clippy::as_conversions)]
pub mod types;
pub mod watch;
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

	/// The layout of this pallet's storage. A change to it bumps this and ships a
	/// `VersionedMigration` from the previous version in the runtime's `Migrations`
	/// (docs/operations.md#runtime-upgrades).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>> + TryInto<Event<Self>>>
		+ CreateAuthorizedTransaction<Call<Self>>
	{
		/// The collateral token, in which every amount, price and PnL is (18 decimals; the
		/// runtime wires ETH); collateral is held under [`HoldReason`].
		type Currency: Inspect<Self::AccountId, Balance = u128>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// Where clients find [`Config::Currency`]: the `pallet-assets` id of the collateral
		/// token, or `None` when it is the chain's native token. Only published in metadata; the
		/// pallet itself moves collateral through `Currency` alone.
		#[pallet::constant]
		type CollateralAssetId: Get<Option<u32>>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Identifies an NFT collection (the oracle key of a market).
		type CollectionKey: Parameter + Member + MaxEncodedLen;
		/// The index ("true floor") price of a collection.
		type IndexPrice: PriceProvider<Self::CollectionKey>;
		/// The insurance fund: fee shares, penalties, residual margins and migration refunds
		/// go in; bad debt, funding subsidies, convergence and migration costs come out, within
		/// one outflow cap per market.
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
		/// Positions one `remap_positions` call remaps at most.
		#[pallet::constant]
		type MaxRemapsPerCall: Get<u32>;
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

	/// Each trading account's position counts and cross debt (absent = all zero).
	#[pallet::storage]
	pub type Traders<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, TraderState, ValueQuery>;

	/// The markets each account changed in the current block, for the sandwich guard
	/// (markets with the guard on). Emptied at the end of every block.
	#[pallet::storage]
	pub type BlockChanges<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<MarketId, T::MaxPositionsPerAccount>,
		ValueQuery,
	>;

	/// Samples of each market's TWAP accumulators covering its last `twap_window`.
	#[pallet::storage]
	pub type PriceHistory<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, funding::Samples<T>, ValueQuery>;

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
			/// The liquidation MR that made it liquidatable (the better of the curve MR and the
			/// fair-price MR).
			margin_ratio: i128,
			/// Signed base traded.
			exchanged_size: i128,
			/// Quote traded.
			exchanged_notional: u128,
			/// Trading fee collected.
			fee: u128,
			/// Penalty on the liquidated notional.
			penalty: u128,
			/// What the liquidator received (from what backed the position; never from the
			/// fund).
			liquidator_reward: u128,
			/// PnL realised.
			realized_pnl: i128,
			/// Funding settled (positive = paid).
			funding_payment: i128,
			/// Loss beyond everything that backed the position, left to the insurance fund and
			/// socialisation (the account has no cross position left, or it was isolated).
			bad_debt: u128,
			/// The account's cross debt after (a loss its remaining cross positions carry).
			debt: u128,
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
			/// Covered by none of those: missing from the vault (the fund's cap reached, no
			/// open interest left and the convergence reserve spent).
			unrecovered: u128,
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
		/// remapped to liquidity `version` when next touched or by `remap_positions`.
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
			/// Set aside for the bound on what the migration adds to the AMM's debt: from the
			/// convergence reserve and from the insurance fund.
			from_convergence_reserve: u128,
			from_insurance: u128,
		},
		/// Positions stored before the last liquidity migration were remapped to it.
		PositionsRemapped {
			market: MarketId,
			/// Remapped by this call.
			count: u32,
			/// Still to remap.
			stale: u32,
		},
		/// Every position was remapped after the migration to liquidity `version`: its exact
		/// cost is known and what was set aside beyond it went back.
		MigrationCompleted {
			market: MarketId,
			version: u32,
			/// Change of what the AMM owes (positive = a cost).
			cost: i128,
			/// What the migration had set aside.
			provided: u128,
			returned_to_convergence_reserve: u128,
			returned_to_insurance: u128,
			/// A fall in what the AMM owes: an unrealised gain of the market until it has no
			/// open position.
			surplus: u128,
		},
		/// Dynamic k wanted to scale the curve by `multiplier` at a funding settlement but
		/// could not; nothing changed and the next settlement tries again.
		DynamicKSkipped { market: MarketId, multiplier: u128, reason: DispatchError },
		/// A trade or liquidation found funding due but the settlement failed; nothing of it
		/// was applied and the trade went on. The next trade or `settle_funding` retries.
		FundingSettlementFailed { market: MarketId, error: DispatchError },
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
			/// A fall in what the AMM owes: an unrealised gain of the market, which joins the
			/// convergence reserve once the market has no open position (see `liquidity`).
			gain: u128,
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
		/// `k_min ≤ 1 ≤ k_max`, `k_shrink_below ≤ k_expand_above` or `k_step ≤ 0.5` does not
		/// hold.
		InvalidKBounds,
		/// An amount is zero.
		ZeroAmount,
		/// Leverage is zero.
		ZeroLeverage,
		/// Leverage is above `1 / initial_margin_ratio`.
		LeverageTooHigh,
		/// Not enough free balance to deposit.
		InsufficientBalance,
		/// The collateral token is frozen for this account (by its issuer or governance): it
		/// can neither be deposited nor withdrawn.
		CollateralFrozen,
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
		/// The convergence reserve and the insurance fund cannot pay what a migration may add
		/// to the AMM's debt.
		MigrationUnfunded,
		/// Positions from the last liquidity change have not all been remapped yet (the
		/// validators' offchain workers do it within one sweep): the cost of another change,
		/// or of a convergence, cannot be bounded until they have.
		MigrationPending,
		/// No liquidity migration is being remapped in this market.
		NoMigrationPending,
		/// The position is already at its market's liquidity version.
		PositionCurrent,
		/// The trade would leave the long positions holding base the short positions could
		/// not buy back (the longs may not take the base the shorts added to the curve).
		ShortsCannotExit,
		/// `liquidation_twap_window` is longer than `twap_window` (its samples cover one
		/// `twap_window`).
		LiquidationWindowTooLong,
		/// The margin would no longer cover the cross position's unrealised loss: that part
		/// stays in the vault, which pays the other side.
		MarginBacksLoss,
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

	#[pallet::extra_constants]
	impl<T: Config> Pallet<T> {
		/// The parameters a market gets unless governance says otherwise (docs/parameters.md#market-parameters): the one
		/// source clients read them from.
		#[pallet::constant_name(DefaultMarketParams)]
		fn default_market_params() -> MarketParams {
			MarketParams::default()
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Accounts for `on_finalize`: one price record per market, and emptying the sandwich
		/// guard's record (each entry's removal is paid by the trade that wrote it).
		fn on_initialize(_block: BlockNumberFor<T>) -> Weight {
			T::WeightInfo::record_prices(NextMarketId::<T>::get())
				.saturating_add(T::WeightInfo::clear_block_changes(0))
		}

		/// Advances every market's TWAP accumulators and convergence clock (see [`funding`]),
		/// and empties the sandwich guard's record of the block.
		fn on_finalize(_block: BlockNumberFor<T>) {
			Self::record_prices();
			Self::clear_block_changes();
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
		///   `FeeLevelsOutOfOrder`, `ZeroDuration`, `LiquidationWindowTooLong`,
		///   `InvalidKBounds`.
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

		/// Makes `market` reduce-only: trades that open risk fail with `MarketPaused`; closes,
		/// reductions, liquidations, margin and collateral moves keep working.
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

		/// Lets `market` open risk again.
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

		/// Holds `amount` of the caller's collateral token (ETH, 18 decimals) as trading
		/// collateral.
		///
		/// - Origin: signed.
		/// - Events: `Deposited`.
		/// - Errors: `ZeroAmount`, `InsufficientBalance` (the free balance, less the token's
		///   minimum balance, is below `amount`), `CollateralFrozen`.
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
		/// - Errors: `ZeroAmount`, `InsufficientFreeCollateral`, `CollateralFrozen`.
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
		/// - Effect: settles the market's funding first if a period is due (a failed settlement
		///   is reported and does not stop the trade); moves the curve, the position, OI;
		///   margin and fee to the vault (the fee's insurance and treasury shares are paid out
		///   at the next funding settlement).
		/// - Events: `PositionChanged`; `FundingSettled` or `FundingSettlementFailed` when
		///   funding was due.
		/// - Errors: `UnknownMarket`, `MarketPaused` (opening risk in a reduce-only market),
		///   `ZeroAmount`, `ZeroLeverage`,
		///   `LeverageTooHigh`, `MarginModeMismatch`, `TooManyPositions`,
		///   `OnePositionChangePerBlock`, `OracleStale`, `SlippageExceeded`,
		///   `FluctuationLimitExceeded`, `MarkIndexDivergence`, `TradeBelowMinimum`,
		///   `PositionTooLarge`, `OpenInterestCapExceeded`, `InsufficientCollateral`,
		///   `InsufficientMargin`, `PositionUnderwater`, `TradeTooSmall`,
		///   `InsufficientDepth`, `ShortsCannotExit`, `TooManyChangesInBlock`.
		#[pallet::call_index(6)]
		#[pallet::weight(
			T::WeightInfo::open_position(T::MaxPositionsPerAccount::get().saturating_sub(1))
				.saturating_add(T::WeightInfo::settle_funding())
				.saturating_add(T::WeightInfo::clear_block_changes(1))
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
			let receipt =
				Self::open_position_call(&who, market, side, margin, leverage, isolated, limit)?;
			let trade = T::WeightInfo::open_position(receipt.valued_positions);
			Ok(Self::trade_weight(trade, receipt.settled_funding))
		}

		/// Closes `base` of the position (a long sells, a short buys back), realising PnL
		/// pro rata. `limit` bounds the quote: a long receives at least `limit`, a short
		/// pays at most `limit` (0 = no limit). Works with a stale oracle and in a paused
		/// (reduce-only) market.
		///
		/// - Origin: signed.
		/// - Effect: settles the market's due funding first (a failed settlement is reported,
		///   not fatal); moves the curve, the position, OI; realised PnL and fee between the
		///   vault and the held collateral.
		/// - Events: `PositionChanged`; `FundingSettled` or `FundingSettlementFailed` when
		///   funding was due.
		/// - Errors: `UnknownMarket`, `NoPosition`, `ZeroAmount`,
		///   `ReduceTooLarge`, `OnePositionChangePerBlock`, `SlippageExceeded`,
		///   `FluctuationLimitExceeded`, `MarkIndexDivergence`, `TradeBelowMinimum`,
		///   `PositionUnderwater` (a loss beyond the position's margin and the held
		///   collateral: liquidation's business), `InsufficientCollateral` (fee).
		#[pallet::call_index(7)]
		#[pallet::weight(
			T::WeightInfo::reduce_position()
				.saturating_add(T::WeightInfo::settle_funding())
				.saturating_add(T::WeightInfo::clear_block_changes(1))
		)]
		pub fn reduce_position(
			origin: OriginFor<T>,
			market: MarketId,
			base: u128,
			limit: u128,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let receipt = Self::reduce_position_call(&who, market, Some(base), limit)?;
			Ok(Self::trade_weight(T::WeightInfo::reduce_position(), receipt.settled_funding))
		}

		/// Closes the whole position; its margin and realised PnL, less the fee, return to
		/// held collateral (less the account's cross debt, when this is its last cross
		/// position). `limit` as in `reduce_position`.
		///
		/// - Origin: signed.
		/// - Events: `PositionChanged`; `FundingSettled` or `FundingSettlementFailed` when
		///   funding was due.
		/// - Errors: as `reduce_position`, without `ReduceTooLarge`/`TradeBelowMinimum`.
		#[pallet::call_index(8)]
		#[pallet::weight(
			T::WeightInfo::close_position()
				.saturating_add(T::WeightInfo::settle_funding())
				.saturating_add(T::WeightInfo::clear_block_changes(1))
		)]
		pub fn close_position(
			origin: OriginFor<T>,
			market: MarketId,
			limit: u128,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let receipt = Self::reduce_position_call(&who, market, None, limit)?;
			Ok(Self::trade_weight(T::WeightInfo::close_position(), receipt.settled_funding))
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
		/// position (isolated) or the account (cross) stays at MR ≥ `initial_margin_ratio`,
		/// and a cross position's margin still covers its unrealised loss.
		///
		/// - Origin: signed.
		/// - Events: `MarginRemoved`.
		/// - Errors: `UnknownMarket`, `NoPosition`, `ZeroAmount`, `MarginTooLow`,
		///   `MarginBacksLoss`, `InsufficientMargin`.
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

		/// Liquidates `account`'s position in `market` (docs/liquidation.md): partially when that
		/// restores the margin ratio, fully otherwise. Liquidatable only when the MR is below
		/// maintenance both on the curve and at the fair price (the worse of the mark TWAP
		/// and the index). What backed the position (its margin; for cross, also the held
		/// collateral and the other cross margins) pays the loss, then the penalty halves
		/// (liquidator, insurance fund) and the fee; a loss still unpaid is the account's
		/// debt while it keeps cross positions, else bad debt for the fund (within the
		/// market's outflow cap) and socialisation.
		///
		/// - Origin: signed (a keeper, who earns the liquidator's half), or an authorised
		///   general transaction from a validator's offchain worker (the block author earns
		///   it). Authorisation is a dry run of this call (only a liquidation that succeeds is
		///   admitted for free), dedupes by `(account, market)` and enforces
		///   `MaxLiquidationsPerBlock`.
		/// - Effect: settles the market's due funding first (a failed settlement is reported,
		///   not fatal); works in a paused (reduce-only) market.
		/// - Events: `PositionLiquidated`; `BadDebtSettled` and `LossSocialised` when there is
		///   bad debt.
		/// - Errors: `UnknownMarket`, `NoPosition`, `NotLiquidatable`,
		///   `NotLargestRequirement`, `FluctuationLimitExceeded`, `InsufficientDepth`,
		///   `LiquidationBudgetSpent` (authorised origin past the block's budget).
		#[pallet::call_index(11)]
		#[pallet::weight(
			T::WeightInfo::liquidate()
				.max(T::WeightInfo::liquidate_bankrupt())
				.saturating_add(T::WeightInfo::settle_funding())
		)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_liquidate())]
		#[pallet::authorize(Self::authorize_liquidation)]
		pub fn liquidate(
			origin: OriginFor<T>,
			account: T::AccountId,
			market: MarketId,
		) -> DispatchResultWithPostInfo {
			let liquidator = match origin.into() {
				Ok(RawOrigin::Signed(keeper)) => Liquidator::Keeper(keeper),
				Ok(RawOrigin::Authorized) => {
					Self::note_authorized_liquidation()?;
					Liquidator::BlockAuthor
				},
				_ => return Err(DispatchError::BadOrigin.into()),
			};
			let settled = Self::liquidate_call(&account, market, liquidator)?;
			let liquidation = T::WeightInfo::liquidate().max(T::WeightInfo::liquidate_bankrupt());
			Ok(Self::trade_weight(liquidation, settled))
		}

		/// Settles `market`'s funding period (docs/funding.md): premium fraction from the mark and
		/// index TWAPs over `twap_window`, capped, split between longs, shorts and the
		/// insurance fund by `funding_mode`; then dynamic k may scale the curve. Positions
		/// pay or receive when next touched. The first trade after it is due settles it too.
		///
		/// - Origin: signed (anyone), or an authorised general transaction from a
		///   validator's offchain worker (authorisation is a dry run of this call).
		/// - Events: `FundingSettled`, `FeesPaidOut`; `LiquidityAdjusted` when dynamic k acts,
		///   `DynamicKSkipped` when it cannot.
		/// - Errors: `UnknownMarket`, `FundingNotDue` (also while a liquidity migration's remap
		///   is pending), `OracleStale` (no index yet),
		///   `InsuranceUnavailable`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::settle_funding())]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_settle_funding())]
		#[pallet::authorize(Self::authorize_settle_funding)]
		pub fn settle_funding(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			Self::ensure_signed_or_authorized(origin)?;
			Self::do_settle_funding(market)
		}

		/// Repegs `market`'s curve to the index (docs/convergence-and-liquidity.md) once the mark TWAP has stayed
		/// more than `convergence_threshold` away from it for `convergence_after`. A rise in
		/// what the AMM owes is paid from the convergence reserve, then the insurance fund
		/// (within the market's outflow cap); a fall is an unrealised gain that joins the
		/// convergence reserve once the market has no open position.
		///
		/// - Origin: signed (anyone), or an authorised general transaction from a
		///   validator's offchain worker (authorisation is a dry run of this call).
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

		/// Scales `market`'s reserves by `multiplier` (18-decimal, 0.5 to 2; the price is
		/// unchanged). Every position keeps its exit value: sizes are remapped when next
		/// touched or by `remap_positions`.
		///
		/// - Origin: `MarketAdmin`.
		/// - Events: `LiquidityAdjusted` (and `MigrationCompleted` at once when the market has
		///   no position). The change first sets aside a bound on what it adds to the AMM's
		///   debt (convergence reserve, then insurance fund); the excess comes back when the
		///   last position is remapped.
		/// - Errors: `UnknownMarket`, `InvalidMultiplier` (outside 0.5–2, a reserve rounding
		///   to zero, or the longs or shorts could not exit the new curve),
		///   `MigrationUnfunded`, `MigrationPending` (the last migration's remap is not done).
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::adjust_liquidity())]
		pub fn adjust_liquidity(
			origin: OriginFor<T>,
			market: MarketId,
			multiplier: u128,
		) -> DispatchResult {
			T::MarketAdmin::ensure_origin(origin)?;
			Self::do_adjust_liquidity(market, multiplier)
		}

		/// Remaps `accounts`' positions in `market`, stored before its last liquidity
		/// migration, to the current curve (each keeps its exit value), and once none is left
		/// settles the migration: the exact cost replaces what was set aside, the excess goes
		/// back to the convergence reserve and the insurance fund. With no account, only that
		/// settlement. Convergence and the next migration wait for it, so validators' offchain
		/// workers submit these batches for the stale positions their scan finds: no owner
		/// has to touch a position for the market to move on.
		///
		/// - Origin: signed (anyone), or an authorised general transaction (authorisation is
		///   a dry run of this call: every listed position must be stale).
		/// - Events: `PositionsRemapped`; `MigrationCompleted` when the last one is done.
		/// - Errors: `UnknownMarket`, `NoMigrationPending`, `NoPosition`, `PositionCurrent`,
		///   `MigrationPending` (no account listed but stale positions remain),
		///   `MigrationUnfunded`.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::remap_positions(bounded_len(accounts)))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_remap_positions(bounded_len(
			accounts
		)))]
		#[pallet::authorize(Self::authorize_remap)]
		pub fn remap_positions(
			origin: OriginFor<T>,
			market: MarketId,
			accounts: BoundedVec<T::AccountId, T::MaxRemapsPerCall>,
		) -> DispatchResult {
			Self::ensure_signed_or_authorized(origin)?;
			Self::do_remap_positions(market, &accounts).map(|_| ())
		}
	}

	/// A bounded list's length as a weight component.
	fn bounded_len<Item, Bound>(list: &BoundedVec<Item, Bound>) -> u32 {
		u32::try_from(list.len()).unwrap_or(u32::MAX)
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
