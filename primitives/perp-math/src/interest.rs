//! Open interest: per side, the sum of position sizes, of open notionals and of squared
//! sizes, kept up to date position by position.
//!
//! The sizes give the net position and the funding split, the notionals the open-interest
//! cap and dynamic k, and the squared sizes bound how much a liquidity migration's
//! exit-value-preserving remap moves the net position
//! ([`crate::convergence::remap_net_change_bound`]): that change is second order in each
//! position's size, so a book of many small positions costs almost nothing to migrate
//! while one large position costs what its slippage says.

use crate::{
	error::{MathError, MathResult},
	fixed,
	types::{Position, Side},
};
use primitive_types::U256;

/// Open interest of a market.
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
pub struct OpenInterest {
	/// Σ sizes of long positions.
	pub long_size: u128,
	/// Σ |sizes| of short positions.
	pub short_size: u128,
	/// Σ open notional of long positions (what the OI cap bounds).
	pub long_notional: u128,
	/// Σ open notional of short positions.
	pub short_notional: u128,
	/// Σ size² of long positions.
	pub long_squares: U256,
	/// Σ size² of short positions.
	pub short_squares: U256,
}

/// One side's sizes as a migration bound needs them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SideMoments {
	/// Σ |size|.
	pub size: u128,
	/// Σ size².
	pub squares: U256,
}

impl OpenInterest {
	/// `position` taken out (nothing for an empty position).
	pub fn without(self, position: &Position) -> MathResult<Self> {
		self.apply(position, false)
	}

	/// `position` put in (nothing for an empty position).
	pub fn with(self, position: &Position) -> MathResult<Self> {
		self.apply(position, true)
	}

	/// `before` replaced by `after` (a trade or liquidation of one position).
	pub fn replaced(self, before: &Position, after: &Position) -> MathResult<Self> {
		self.without(before)?.with(after)
	}

	/// A position's size changed from `old` to `new` (same side, open notional unchanged):
	/// what a liquidity remap does.
	pub fn resized(self, old: i128, new: i128) -> MathResult<Self> {
		let as_position = |size| Position { size, ..Position::default() };
		self.without(&as_position(old))?.with(&as_position(new))
	}

	/// The open notional of `side`.
	pub const fn notional(&self, side: Side) -> u128 {
		match side {
			Side::Long => self.long_notional,
			Side::Short => self.short_notional,
		}
	}

	/// `side`'s Σ |size| and Σ size².
	pub const fn moments(&self, side: Side) -> SideMoments {
		match side {
			Side::Long => SideMoments { size: self.long_size, squares: self.long_squares },
			Side::Short => SideMoments { size: self.short_size, squares: self.short_squares },
		}
	}

	/// `long_size − short_size`: the net position the sizes add up to.
	pub fn net_size(&self) -> MathResult<i128> {
		fixed::sub_signed(fixed::to_signed(self.long_size)?, fixed::to_signed(self.short_size)?)
	}

	fn apply(mut self, position: &Position, add: bool) -> MathResult<Self> {
		let Some(side) = position.side() else { return Ok(self) };
		let size = position.size.unsigned_abs();
		let square = U256::from(size).checked_mul(U256::from(size)).ok_or(MathError::Overflow)?;
		let (total_size, total_notional, total_squares) = match side {
			Side::Long => (&mut self.long_size, &mut self.long_notional, &mut self.long_squares),
			Side::Short => {
				(&mut self.short_size, &mut self.short_notional, &mut self.short_squares)
			},
		};
		if add {
			*total_size = fixed::add(*total_size, size)?;
			*total_notional = fixed::add(*total_notional, position.open_notional)?;
			*total_squares = total_squares.checked_add(square).ok_or(MathError::Overflow)?;
		} else {
			*total_size = fixed::sub(*total_size, size)?;
			*total_notional = fixed::sub(*total_notional, position.open_notional)?;
			*total_squares = total_squares.checked_sub(square).ok_or(MathError::Underflow)?;
		}
		Ok(self)
	}
}
