//! Exact arithmetic of the floorperp virtual AMM: curve, positions, margin, funding,
//! liquidation, convergence, liquidity migration, fees, TWAP and dynamic k.
//!
//! Everything here is a pure function over plain integers, so the economics can be tested in
//! milliseconds and reused unchanged by the pallet, the runtime API, the scenario runner and
//! the backtest. The crate is `no_std` and has no FRAME dependency.
//!
//! # Units
//! - Amounts (collateral, quote, base, margins, fees, PnL) are raw integers with 18 decimals:
//!   `1 unit = 10^18` ([`ONE`]). Unsigned amounts are `u128`, signed ones (position sizes,
//!   PnL, funding) are `i128`; a positive size is long, a negative one short.
//! - Prices and ratios are `u128` scaled by `10^18` ("0.125" is `125 * 10^15`); cumulative
//!   funding indices are `i128` on the same scale.
//! - Products of reserves (`k = x·y`) do not fit in `u128`; they are held in
//!   [`primitive_types::U256`] (and `U512` for the rare product of `k` with another amount).
//!
//! # Rounding
//! Every rounding favours the protocol: a trader *receives* amounts rounded down and *pays*
//! amounts rounded up. For signed results, [`Rounding::Down`] means towards −∞ and
//! [`Rounding::Up`] towards +∞; each function's documentation states the direction it uses
//! and why.
//!
//! # Modules
//! Imports run one way, from the leaves up: [`fixed`] and [`error`]; [`types`] (a side, a
//! stored position); [`curve`], [`funding`] and [`interest`] on those; [`margin`] (PnL,
//! equity, valuation) on the curve and funding; [`position`] (trades) on margin;
//! [`liquidation`] and [`convergence`] on top. [`fees`], [`twap`] and [`dynamic_k`] stand
//! alone. No module imports one that imports it.
//!
//! # Errors
//! No function panics. Whatever can fail returns [`MathError`]: overflow, a zero reserve,
//! insufficient curve depth, an invalid ratio, and so on.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
	not(test),
	deny(
		clippy::arithmetic_side_effects,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::panic,
		clippy::todo,
		clippy::unimplemented,
		clippy::unreachable,
		clippy::unwrap_used
	)
)]
// The SCALE derives expand to `as` casts on enum discriminants, so the cast lints are
// enforced on the crate's own code in builds without the `scale` feature.
#![cfg_attr(
	all(not(test), not(feature = "scale")),
	deny(clippy::as_conversions, clippy::cast_possible_truncation)
)]

pub mod convergence;
pub mod curve;
pub mod dynamic_k;
pub mod error;
pub mod fees;
pub mod fixed;
pub mod funding;
pub mod interest;
pub mod liquidation;
pub mod margin;
pub mod position;
mod search;
pub mod twap;
pub mod types;

pub use convergence::LiquiditySnapshot;
pub use curve::{Direction, Fill, Reserves, Swap};
pub use dynamic_k::{DynamicKParams, KAdjustment};
pub use error::{MathError, MathResult};
pub use fees::{FeeSchedule, FeeSplit};
pub use fixed::{Rounding, ONE};
pub use funding::{CumulativePremium, FundingMode, FundingParams, FundingSplit};
pub use interest::{OpenInterest, SideMoments};
pub use liquidation::{
	LiquidationAmount, LiquidationDraw, LiquidationInput, LiquidationKind, LiquidationParams,
	PenaltySplit,
};
pub use margin::{LiquidationPrice, PositionValue};
pub use position::{Order, TradeOutcome};
pub use primitive_types::U256;
pub use twap::{TwapAccumulator, TwapObservation};
pub use types::{Position, Side};
