//! The true floor price of an NFT collection, computed from marketplace sales.
//!
//! A sale goes through three gates before it can move the floor:
//! 1. [eligibility]: is it a genuine, comparable trade? One NFT, settled in ETH or WETH,
//!    between two different parties, not a quick resale of the same token, not the return
//!    leg of a round trip, not a duplicate of a sale already seen.
//! 2. [outliers]: is its price plausible? Prices far from the robust centre (median of the
//!    last eligible sales) are dropped outright; those beyond `k·MAD` are dropped as probable
//!    outliers.
//! 3. [floor]: the floor is a low quantile of the last accepted prices, bounded to move at
//!    most a fixed step per accepted sale, and smoothed over time with a half-life EMA.
//!
//! [`parsers`] turn raw marketplace API responses (OpenSea API v2, LooksRare API v2) into
//! [`Sale`]s, and [`ethereum`] reads sales from an Ethereum node's logs (Seaport and Blur
//! fills), so the floor does not depend on any marketplace API. Everything is deterministic integer arithmetic, so every
//! validator's offchain worker computes the same floor from the same sales.
//!
//! # Units
//! Prices are `u128` wei (18 decimals, docs/README.md#units). Ratios and parameters such as the
//! quantile or the publish threshold are `u128` scaled by `10^18` ([`ONE`]). Timestamps are
//! unix seconds.
//!
//! The crate is `no_std` (with `alloc`) and has no FRAME dependency; it runs unchanged in
//! the offchain worker and in the `true-floor` backtest CLI.
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

extern crate alloc;

pub mod eligibility;
pub mod error;
pub mod ethereum;
pub mod fixed;
pub mod floor;
pub mod outliers;
pub mod params;
pub mod parsers;
pub mod smoothing;
pub mod time;
pub mod types;
mod window;

pub use eligibility::{EligibilityFilter, RejectReason};
pub use error::{FloorError, FloorResult};
pub use fixed::ONE;
pub use floor::{FloorState, Verdict};
pub use outliers::{RobustCentre, StepBound};
pub use params::FloorParams;
pub use parsers::{Page, ParseError};
pub use smoothing::Ema;
pub use types::{annotate_items_in_tx, Address, Currency, Marketplace, Sale, TokenId, TxHash};
