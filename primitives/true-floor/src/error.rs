//! The arithmetic and configuration error of the crate.

/// Why a computation or a configuration was refused.
///
/// Sales never produce this error: [`FloorState::ingest`](crate::FloorState::ingest) turns
/// anything it cannot price into a rejection, so a hostile sale cannot stop the feed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FloorError {
	/// A result or an intermediate value does not fit its type.
	Overflow,
	/// A division by zero was requested.
	DivisionByZero,
	/// A parameter is outside its valid range; the field is named.
	InvalidParam(&'static str),
}

/// Result of every fallible function of the crate.
pub type FloorResult<T> = Result<T, FloorError>;
