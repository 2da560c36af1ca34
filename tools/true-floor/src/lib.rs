//! Backtest of the true floor price (docs/oracle.md) over sale CSVs.
//!
//! [`input`] maps a CSV's columns onto [`Sale`](true_floor::Sale)s, [`backtest`] runs them
//! through [`FloorState`](true_floor::FloorState) and counts verdicts, [`robustness`]
//! replays the stream with injected wash trades and outliers, [`sybil`] with injected sybil
//! clusters, [`accuracy`] measures how closely the floor tracks the sales' low quantile,
//! [`plot`] draws the result, [`scenario`] turns a period of floors into a `perp-sim`
//! scenario.

pub mod accuracy;
pub mod backtest;
pub mod input;
pub mod plot;
pub mod price;
pub mod robustness;
pub mod scenario;
pub mod sybil;

pub use backtest::{run, Backtest, Counts};
pub use input::{read_sales, ColumnMap, Input};
pub use robustness::{robustness, Robustness};
