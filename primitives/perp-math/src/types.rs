//! The data every other module shares: a side and a position as stored. A leaf: it imports
//! nothing else of the crate, so `curve`, `funding`, `margin` and `position` depend on it
//! rather than on each other.

/// Long or short.
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
pub enum Side {
	/// Positive size: profits when the mark rises.
	Long,
	/// Negative size: profits when the mark falls.
	Short,
}

impl Side {
	/// The side of a signed size, `None` for zero.
	pub const fn of_size(size: i128) -> Option<Side> {
		if size > 0 {
			Some(Side::Long)
		} else if size < 0 {
			Some(Side::Short)
		} else {
			None
		}
	}

	/// The other side.
	pub const fn opposite(self) -> Side {
		match self {
			Side::Long => Side::Short,
			Side::Short => Side::Long,
		}
	}
}

/// A position as stored: signed size, its margin, cost basis and funding entry point.
///
/// `margin` is the collateral assigned to the position. For an isolated position it is all
/// that backs it; for a cross position it is pooled with the account's free collateral in
/// the account's margin ratio.
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
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Position {
	/// Base size; positive long, negative short, zero closed.
	pub size: i128,
	/// Margin assigned to the position.
	pub margin: u128,
	/// Quote paid (long) or received (short) for the current size: the cost basis.
	pub open_notional: u128,
	/// The side's cumulative premium when funding was last settled.
	pub last_cumulative_premium: i128,
}

impl Position {
	/// The position's side, `None` when closed.
	pub const fn side(&self) -> Option<Side> {
		Side::of_size(self.size)
	}
}
