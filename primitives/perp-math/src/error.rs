//! The one error type of the crate.

/// Why a computation could not produce a result.
///
/// The pallet maps each variant to its own `Error` so a bad input fails with a specific
/// reason and leaves state untouched.
#[cfg_attr(
	feature = "scale",
	derive(
		codec::Encode,
		codec::Decode,
		codec::DecodeWithMemTracking,
		codec::MaxEncodedLen,
		scale_info::TypeInfo
	)
)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MathError {
	/// A result or an intermediate value does not fit its type.
	Overflow,
	/// A subtraction would go below zero.
	Underflow,
	/// A division by zero was requested.
	DivisionByZero,
	/// A reserve of the curve is zero, so prices and swaps are undefined.
	ZeroReserve,
	/// The trade would take all (or more than all) of one of the AMM's reserves.
	InsufficientDepth,
	/// A price that must be positive (mark, index, TWAP, fill) is zero.
	ZeroPrice,
	/// A ratio or parameter is outside its valid range (e.g. shares summing above 1).
	InvalidRatio,
	/// The operation needs an open position, and the position is empty.
	NoPosition,
	/// The order's side does not fit the operation (e.g. increasing with the opposite side).
	WrongSide,
	/// Asked to reduce a position by more than its size.
	ReduceTooLarge,
	/// The trade is too small to move any base at all, so it would only donate quote.
	TradeTooSmall,
	/// A margin ratio was asked of something with zero notional.
	ZeroNotional,
	/// The position is not below the maintenance margin ratio.
	NotLiquidatable,
	/// There is no open interest to spread an amount onto.
	NoOpenInterest,
	/// A liquidity multiplier is zero or would leave the net position unable to close.
	InvalidMultiplier,
	/// Timestamps go backwards, or observations are not in time order.
	InvalidTimestamp,
}

/// Result of every fallible function of the crate.
pub type MathResult<T> = Result<T, MathError>;
