//! Stored types: market parameters (docs/parameters.md), market state and positions.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
pub use perp_math::OpenInterest;
use perp_math::{
	CumulativePremium, DynamicKParams, FeeSchedule, FundingMode, FundingParams, LiquidationParams,
	LiquiditySnapshot, Position, Reserves, TwapAccumulator,
};
use scale_info::TypeInfo;

/// Identifier of a market, assigned in creation order.
pub type MarketId = u32;

/// `value · 10^15`: the defaults are written in thousandths to stay readable.
const fn milli(value: u128) -> u128 {
	value.saturating_mul(1_000_000_000_000_000)
}

/// Every governance-tunable parameter of a market, documented in docs/parameters.md.
///
/// Ratios and prices are 18-decimal (`10^18` = 1), durations are seconds, amounts are raw
/// 18-decimal collateral. "0" disables a mechanism where docs/parameters.md says so.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct MarketParams {
	/// MR needed to open/increase a position, remove margin or withdraw.
	pub initial_margin_ratio: u128,
	/// Below it a position is liquidatable.
	pub maintenance_margin_ratio: u128,
	/// Below it a liquidation is full.
	pub full_liquidation_ratio: u128,
	/// 0 = minimal restoring portion; otherwise the fixed portion a partial liquidation closes.
	pub partial_liquidation_ratio: u128,
	/// MR above maintenance a partial liquidation restores.
	pub liquidation_buffer: u128,
	/// Positions with a smaller notional are liquidated in full.
	pub min_partial_notional: u128,
	/// Penalty on liquidated notional, half to the liquidator.
	pub liquidation_fee_ratio: u128,
	/// Base trading fee on notional.
	pub fee_ratio: u128,
	/// Divergence above which level 1 fees apply; 0 disables the level.
	pub fee_level1_threshold: u128,
	/// Level 1 fee for trades widening the mark/index gap.
	pub fee_level1_ratio: u128,
	/// Level 1 fee for trades narrowing it.
	pub fee_level1_in_favour_ratio: u128,
	/// Divergence above which level 2 fees apply; 0 disables the level.
	pub fee_level2_threshold: u128,
	/// Level 2 fee for trades widening the gap.
	pub fee_level2_ratio: u128,
	/// Level 2 fee for trades narrowing it.
	pub fee_level2_in_favour_ratio: u128,
	/// Share of fees paid to the insurance fund.
	pub insurance_share: u128,
	/// Share of fees kept in the market's convergence reserve.
	pub convergence_share: u128,
	/// Per-block price band around the previous block's closing mark; 0 disables.
	pub fluctuation_limit: u128,
	/// Seconds after which the index is stale; 0 disables the staleness guard.
	pub max_oracle_age: u64,
	/// Mark/index divergence above which gap-widening trades fail; 0 disables.
	pub max_mark_index_divergence: u128,
	/// Seconds of mark TWAP behind the fair price liquidation is decided on (with the index:
	/// the worse of the two for the position); 0 = the previous block's closing mark.
	pub liquidation_twap_window: u64,
	/// Funding period, seconds.
	pub funding_period: u64,
	/// TWAP window, seconds.
	pub twap_window: u64,
	/// Cap on |premium fraction| / index per period; 0 disables.
	pub max_funding_rate: u128,
	/// How funding is split between imbalanced sides.
	pub funding_mode: FundingMode,
	/// Share of the insurance fund funding may draw per period.
	pub max_funding_subsidy: u128,
	/// Divergence that, held for `convergence_after`, allows a convergence; 0 disables.
	pub convergence_threshold: u128,
	/// Seconds the divergence must last before a convergence.
	pub convergence_after: u64,
	/// OI notional ÷ quote reserve above which k expands.
	pub k_expand_above: u128,
	/// OI notional ÷ quote reserve below which k shrinks.
	pub k_shrink_below: u128,
	/// Relative k change per adjustment; 0 disables dynamic k.
	pub k_step: u128,
	/// Lowest k relative to launch.
	pub k_min: u128,
	/// Highest k relative to launch.
	pub k_max: u128,
	/// Cap on open notional per side; 0 = no cap.
	pub max_open_interest: u128,
	/// Cap on one position's open notional; 0 = no cap.
	pub max_position_notional: u128,
	/// Smallest notional a trade may move (a full close is always allowed); 0 = none.
	pub min_trade_notional: u128,
	/// One position change per account and market per block.
	pub sandwich_guard: bool,
}

impl Default for MarketParams {
	/// The defaults: their only home (docs/parameters.md#defaults).
	fn default() -> Self {
		Self {
			initial_margin_ratio: milli(200),
			maintenance_margin_ratio: milli(125),
			full_liquidation_ratio: milli(100),
			partial_liquidation_ratio: 0,
			liquidation_buffer: milli(5),
			min_partial_notional: milli(500),
			liquidation_fee_ratio: milli(25),
			fee_ratio: milli(3),
			fee_level1_threshold: milli(25),
			fee_level1_ratio: milli(10),
			fee_level1_in_favour_ratio: milli(3),
			fee_level2_threshold: milli(50),
			fee_level2_ratio: milli(50),
			fee_level2_in_favour_ratio: milli(3),
			insurance_share: milli(500),
			convergence_share: milli(250),
			fluctuation_limit: milli(20),
			max_oracle_age: 600,
			max_mark_index_divergence: milli(100),
			liquidation_twap_window: 300,
			funding_period: 3600,
			twap_window: 3600,
			// 0.000125 = 125 · 10^12.
			max_funding_rate: 125_000_000_000_000,
			funding_mode: FundingMode::Balanced,
			max_funding_subsidy: milli(10),
			convergence_threshold: milli(50),
			convergence_after: 28_800,
			k_expand_above: milli(500),
			k_shrink_below: milli(100),
			k_step: milli(50),
			k_min: milli(250),
			k_max: milli(4_000),
			max_open_interest: 0,
			max_position_notional: 0,
			min_trade_notional: 0,
			sandwich_guard: true,
		}
	}
}

impl MarketParams {
	/// The fee schedule in perp-math's terms.
	pub fn fee_schedule(&self) -> FeeSchedule {
		FeeSchedule {
			fee_ratio: self.fee_ratio,
			level1_threshold: self.fee_level1_threshold,
			level1_ratio: self.fee_level1_ratio,
			level1_in_favour_ratio: self.fee_level1_in_favour_ratio,
			level2_threshold: self.fee_level2_threshold,
			level2_ratio: self.fee_level2_ratio,
			level2_in_favour_ratio: self.fee_level2_in_favour_ratio,
		}
	}

	/// The liquidation parameters in perp-math's terms.
	pub fn liquidation_params(&self) -> LiquidationParams {
		LiquidationParams {
			maintenance_margin_ratio: self.maintenance_margin_ratio,
			full_liquidation_ratio: self.full_liquidation_ratio,
			partial_liquidation_ratio: self.partial_liquidation_ratio,
			liquidation_buffer: self.liquidation_buffer,
			min_partial_notional: self.min_partial_notional,
			liquidation_fee_ratio: self.liquidation_fee_ratio,
		}
	}

	/// The funding parameters in perp-math's terms.
	pub fn funding_params(&self) -> FundingParams {
		FundingParams {
			funding_period: self.funding_period,
			max_funding_rate: self.max_funding_rate,
			funding_mode: self.funding_mode,
			max_funding_subsidy: self.max_funding_subsidy,
		}
	}

	/// The dynamic-k parameters in perp-math's terms.
	pub fn dynamic_k_params(&self) -> DynamicKParams {
		DynamicKParams {
			k_expand_above: self.k_expand_above,
			k_shrink_below: self.k_shrink_below,
			k_step: self.k_step,
			k_min: self.k_min,
			k_max: self.k_max,
		}
	}
}

/// The insurance fund's and the treasury's fee shares, held by the vault until the next
/// funding settlement pays them out: one payout per period instead of two transfers per trade.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct AccruedFees {
	/// Owed to the insurance fund.
	pub insurance: u128,
	/// Owed to the treasury.
	pub treasury: u128,
}

impl AccruedFees {
	/// What the vault holds for both recipients.
	pub fn total(&self) -> Option<u128> {
		self.insurance.checked_add(self.treasury)
	}
}

/// The per-block fluctuation band state, refreshed lazily by the block's first trade.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PriceBand<BlockNumber> {
	/// The block the state belongs to.
	pub block: BlockNumber,
	/// The mark at the end of the previous block.
	pub reference_mark: u128,
	/// Whether a close already took the mark outside the band in this block.
	pub breached: bool,
}

/// A market's state.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Market<CollectionKey, BlockNumber> {
	/// The NFT collection whose floor is traded (the index key).
	pub collection: CollectionKey,
	/// The curve.
	pub reserves: Reserves,
	/// Reserves at launch: the reference for `k_min`/`k_max`.
	pub launch_reserves: Reserves,
	/// Reserves when `k` was last set (launch or liquidity change), with the net size then:
	/// swaps keep `base + net_size` and grow `k` by rounding only.
	pub k_reference: Reserves,
	/// The net size when `k` was last set.
	pub k_reference_net_size: i128,
	/// Σ position sizes: the base the AMM owes.
	pub net_size: i128,
	/// Open interest per side.
	pub open_interest: OpenInterest,
	/// Cumulative premium per side (funding).
	pub cumulative_premium: CumulativePremium,
	/// When funding was last settled (seconds).
	pub last_funding_time: u64,
	/// Mark price TWAP accumulator.
	pub mark_twap: TwapAccumulator,
	/// Index price TWAP accumulator.
	pub index_twap: TwapAccumulator,
	/// Fees set aside for convergence costs; held by the vault.
	pub convergence_reserve: u128,
	/// Falls in what the AMM owes (convergence gains, migration surpluses) not realised yet:
	/// the traders pay them as they close, and some may be bankrupt, so they join the
	/// convergence reserve only once the market has no open position (see `liquidity`).
	pub unrealised_gain: u128,
	/// Fee shares collected into the vault and not yet paid to their recipients.
	pub accrued_fees: AccruedFees,
	/// Since when the mark has diverged beyond `convergence_threshold` (seconds).
	pub divergence_since: Option<u64>,
	/// Number of liquidity migrations so far (position remaps are versioned by it).
	pub liquidity_version: u32,
	/// The last migration while positions stored before it are being remapped (`None` once
	/// every position is current).
	pub migration: Option<PendingMigration>,
	/// The curve's depth relative to launch: the product of every liquidity multiplier
	/// (18-decimal, 1 at launch); `k_min`/`k_max` bound it.
	pub depth: u128,
	/// Open positions in the market.
	pub positions: u32,
	/// Of those, the ones stored at the current liquidity version (remapped since the last
	/// migration): the next migration and convergence wait until it is all of them.
	pub current_positions: u32,
	/// The fluctuation band of the current block.
	pub band: PriceBand<BlockNumber>,
	/// Paused markets accept no trades; margin and collateral moves still work.
	pub paused: bool,
	/// Governance parameters.
	pub params: MarketParams,
}

/// An account's trading record: how many positions it holds (bounding the cross
/// valuation) and the loss its cross account owes the vault beyond every margin and its held
/// collateral (covered by its remaining cross positions' unrealised profit). Absent when all
/// three are zero.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct TraderState {
	/// Open positions, cross and isolated.
	pub positions: u32,
	/// Of those, the cross positions.
	pub cross_positions: u32,
	/// Realised cross loss not yet paid: a liquidation closed a cross position for more than
	/// its margin, the held collateral and the other cross margins could pay, while other
	/// cross positions were still open. It counts against the account's cross equity, is
	/// repaid from the held collateral when the last cross position closes, and only what
	/// is still missing then is bad debt.
	pub debt: u128,
}

impl TraderState {
	/// Whether the record holds nothing worth storing.
	pub fn is_empty(&self) -> bool {
		*self == Self::default()
	}
}

/// A position with its margin mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PositionInfo {
	/// Size, margin, open notional and funding entry point.
	pub position: Position,
	/// Isolated positions are backed by their margin alone.
	pub isolated: bool,
	/// The market's liquidity version the size is expressed in.
	pub liquidity_version: u32,
}

/// A sample of both TWAP accumulators, taken at most every `twap_window / 30` seconds: the
/// start of a TWAP window is interpolated between the samples around it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PriceSample {
	/// Seconds.
	pub timestamp: u64,
	/// The mark accumulator's `Σ price · seconds` at `timestamp` (wrapping).
	pub mark_cumulative: u128,
	/// The index accumulator's `Σ price · seconds` at `timestamp` (wrapping).
	pub index_cumulative: u128,
}

/// A liquidity migration whose positions are being remapped: the curve just before and
/// after, each side's cumulative premium at that moment (the funding a position owed up to
/// the migration is carried over to its remapped size), and what is needed to settle its
/// cost exactly once every position is current.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PendingMigration {
	/// Reserves before and after.
	pub snapshot: LiquiditySnapshot,
	/// Cumulative premiums when the migration happened.
	pub cumulative_premium: CumulativePremium,
	/// The net size at the migration (every position then was current).
	pub net_size: i128,
	/// Σ (s' − s) of the positions remapped so far.
	pub remapped: i128,
	/// Σ size of the long positions not yet remapped, in the old curve's units.
	pub stale_long_size: u128,
	/// Σ |size| of the short positions not yet remapped, in the old curve's units (bounds
	/// the shorts' buy-back in the new units, see `ensure_shorts_can_exit`).
	pub stale_short_size: u128,
	/// What was set aside for the migration's cost: from the convergence reserve and from
	/// the insurance fund. What the cost turns out not to need goes back to them.
	pub provision: CostFunding,
}

/// Where money for a cost of the curve (convergence, migration) came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct CostFunding {
	/// Released from the market's convergence reserve (already in the vault).
	pub from_reserve: u128,
	/// Paid into the vault by the insurance fund.
	pub from_insurance: u128,
}

impl CostFunding {
	/// Both parts together.
	pub fn total(&self) -> u128 {
		self.from_reserve.saturating_add(self.from_insurance)
	}
}
