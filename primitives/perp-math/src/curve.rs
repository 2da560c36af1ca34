//! The virtual AMM curve `x · y = k`: prices, swaps in every direction, exit values, price
//! impact and the per-block fluctuation band.
//!
//! `x` is the base reserve (virtual "floor NFTs"), `y` the quote reserve; the mark price is
//! `y / x`. `k` is never stored: it is the product of the current reserves. Every swap fixes
//! the reserve the trader moves and sets the other one to `⌈k / new⌉`, then the trader
//! gets or pays the difference. Rounding that reserve up makes a received amount round down
//! and a paid amount round up, and `k` can only grow (by less than one reserve unit).

use crate::{
	error::{MathError, MathResult},
	fixed::{self, Rounding, ONE},
	types::Side,
};
use primitive_types::{U256, U512};

/// The two virtual reserves of a market's curve (raw 18-decimal amounts).
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
pub struct Reserves {
	/// Base reserve `x`.
	pub base: u128,
	/// Quote reserve `y`.
	pub quote: u128,
}

impl Reserves {
	/// Reserves from base and quote amounts.
	pub const fn new(base: u128, quote: u128) -> Self {
		Self { base, quote }
	}

	/// `k = x · y`, exact in `U256`. [`MathError::ZeroReserve`] if either reserve is zero.
	pub fn k(&self) -> MathResult<U256> {
		self.ensure_non_zero()?;
		U256::from(self.base).checked_mul(U256::from(self.quote)).ok_or(MathError::Overflow)
	}

	/// Mark price `y / x` (18-decimal), rounded down.
	pub fn mark_price(&self) -> MathResult<u128> {
		self.ensure_non_zero()?;
		fixed::div_ratio(self.quote, self.base, Rounding::Down)
	}

	/// [`MathError::ZeroReserve`] unless both reserves are positive.
	pub fn ensure_non_zero(&self) -> MathResult<()> {
		if self.base == 0 || self.quote == 0 {
			return Err(MathError::ZeroReserve);
		}
		Ok(())
	}
}

/// Whether the trader's amount goes into the AMM or comes out of it (Perp v1's `Dir`).
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
pub enum Direction {
	/// The amount is added to its reserve; the other reserve pays out (rounded down).
	AddToAmm,
	/// The amount is removed from its reserve; the other reserve is paid in (rounded up).
	RemoveFromAmm,
}

/// Result of a swap: the counter-amount and the reserves afterwards.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Swap {
	/// The amount of the other asset: received by the trader for [`Direction::AddToAmm`]
	/// (rounded down), paid by the trader for [`Direction::RemoveFromAmm`] (rounded up).
	pub amount: u128,
	/// Reserves after the swap.
	pub reserves: Reserves,
}

/// A trade seen from the trader's position.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fill {
	/// Signed change of the trader's position size (positive = bought base).
	pub size_change: i128,
	/// Quote exchanged (paid when buying base, received when selling it).
	pub notional: u128,
	/// Reserves after the trade.
	pub reserves: Reserves,
}

/// Moves `amount` of the reserve `this` and returns the counter-amount of `other` with the
/// new `(this, other)`: `other' = ⌈k / this'⌉`, counter-amount = `|other − other'|`.
fn swap_reserve(
	this: u128,
	other: u128,
	direction: Direction,
	amount: u128,
) -> MathResult<(u128, u128, u128)> {
	if this == 0 || other == 0 {
		return Err(MathError::ZeroReserve);
	}
	if amount == 0 {
		return Ok((0, this, other));
	}
	let k = U256::from(this).checked_mul(U256::from(other)).ok_or(MathError::Overflow)?;
	let new_this = match direction {
		Direction::AddToAmm => fixed::add(this, amount)?,
		Direction::RemoveFromAmm => {
			if amount >= this {
				return Err(MathError::InsufficientDepth);
			}
			fixed::sub(this, amount)?
		},
	};
	let new_other = fixed::u256_to_u128(fixed::div_u256(k, U256::from(new_this), Rounding::Up)?)?;
	let counter = match direction {
		Direction::AddToAmm => fixed::sub(other, new_other)?,
		Direction::RemoveFromAmm => fixed::sub(new_other, other)?,
	};
	Ok((counter, new_this, new_other))
}

/// Swaps `quote` on the quote side: the counter-amount is base.
///
/// `AddToAmm`: `y' = y + q`, `x' = ⌈k / y'⌉`, base out `x − x'`.
/// `RemoveFromAmm`: `y' = y − q`, `x' = ⌈k / y'⌉`, base in `x' − x`
/// ([`MathError::InsufficientDepth`] if `q ≥ y`).
pub fn swap_quote(reserves: Reserves, direction: Direction, quote: u128) -> MathResult<Swap> {
	let (base, quote_reserve, base_reserve) =
		swap_reserve(reserves.quote, reserves.base, direction, quote)?;
	Ok(Swap { amount: base, reserves: Reserves::new(base_reserve, quote_reserve) })
}

/// Swaps `base` on the base side: the counter-amount is quote.
///
/// `AddToAmm`: `x' = x + b`, `y' = ⌈k / x'⌉`, quote out `y − y'`.
/// `RemoveFromAmm`: `x' = x − b`, `y' = ⌈k / x'⌉`, quote in `y' − y`
/// ([`MathError::InsufficientDepth`] if `b ≥ x`).
pub fn swap_base(reserves: Reserves, direction: Direction, base: u128) -> MathResult<Swap> {
	let (quote, base_reserve, quote_reserve) =
		swap_reserve(reserves.base, reserves.quote, direction, base)?;
	Ok(Swap { amount: quote, reserves: Reserves::new(base_reserve, quote_reserve) })
}

/// Opens or increases on `side` with `quote` of notional.
///
/// Long adds the quote to the AMM and receives base (rounded down); short removes the quote
/// and owes base (rounded up), so the short's size is the larger one.
pub fn trade_quote(reserves: Reserves, side: Side, quote: u128) -> MathResult<Fill> {
	let (direction, is_negative) = match side {
		Side::Long => (Direction::AddToAmm, false),
		Side::Short => (Direction::RemoveFromAmm, true),
	};
	let swap = swap_quote(reserves, direction, quote)?;
	Ok(Fill {
		size_change: fixed::signed(is_negative, swap.amount)?,
		notional: quote,
		reserves: swap.reserves,
	})
}

/// Buys (`buy = true`) or sells `base` against the curve.
///
/// Buying removes base from the AMM and pays quote rounded up; selling adds base and
/// receives quote rounded down.
pub fn trade_base(reserves: Reserves, buy: bool, base: u128) -> MathResult<Fill> {
	let direction = if buy { Direction::RemoveFromAmm } else { Direction::AddToAmm };
	let swap = swap_base(reserves, direction, base)?;
	Ok(Fill {
		size_change: fixed::signed(!buy, base)?,
		notional: swap.amount,
		reserves: swap.reserves,
	})
}

/// Closes `base` of a position of size `size` (`base ≤ |size|` is the caller's business):
/// a long sells base, a short buys it back.
pub fn close_base(reserves: Reserves, size: i128, base: u128) -> MathResult<Fill> {
	trade_base(reserves, size < 0, base)
}

/// Exit value ("position notional") of a position of `size`: the quote a long receives by
/// selling `size` base (rounded down) or a short pays to buy `|size|` back (rounded up).
/// Zero for an empty position.
pub fn exit_value(reserves: Reserves, size: i128) -> MathResult<u128> {
	Ok(close_base(reserves, size, size.unsigned_abs())?.notional)
}

/// The curve of the same depth (`k`) whose mark is `price`: `x = √(k / price)`,
/// `y = ⌊k / x⌋`. Valuing a position on it gives what the position would be worth had the
/// mark stood at `price`, slippage included: the fair-price valuation of liquidation checks.
/// For a long, whose value rises with the price, `x` is rounded up (a lower mark); for a
/// short, down (a higher mark): the valuation never favours the trader.
/// [`MathError::ZeroPrice`] for a zero price, [`MathError::ZeroReserve`] if a reserve
/// rounds to zero.
pub fn reserves_at_price(reserves: Reserves, price: u128, side: Side) -> MathResult<Reserves> {
	if price == 0 {
		return Err(MathError::ZeroPrice);
	}
	let k = reserves.k()?;
	let scaled = k.full_mul(U256::from(ONE));
	let rounding = match side {
		Side::Long => Rounding::Up,
		Side::Short => Rounding::Down,
	};
	let squared = fixed::u512_to_u256(fixed::div_u512(scaled, U512::from(price), rounding)?)?;
	let base = fixed::u256_to_u128(fixed::sqrt_u256(squared, rounding))?;
	if base == 0 {
		return Err(MathError::ZeroReserve);
	}
	let quote = fixed::u256_to_u128(fixed::div_u256(k, U256::from(base), Rounding::Down)?)?;
	let recentred = Reserves::new(base, quote);
	recentred.ensure_non_zero()?;
	Ok(recentred)
}

/// Average fill price `notional / base` (18-decimal) with the given rounding;
/// [`MathError::TradeTooSmall`] if no base moved.
pub fn average_price(notional: u128, base: u128, rounding: Rounding) -> MathResult<u128> {
	if base == 0 {
		return Err(MathError::TradeTooSmall);
	}
	fixed::div_ratio(notional, base, rounding)
}

/// Price impact of trading `quote` on `side`: `|average fill − mark| / mark`, rounded up.
///
/// The fill price is the one the trader gets (long: rounded up, short: rounded down), so
/// the impact shown is never smaller than the real one.
pub fn price_impact(reserves: Reserves, side: Side, quote: u128) -> MathResult<u128> {
	let mark = reserves.mark_price()?;
	let fill = trade_quote(reserves, side, quote)?;
	let rounding = match side {
		Side::Long => Rounding::Up,
		Side::Short => Rounding::Down,
	};
	let average = average_price(quote, fill.size_change.unsigned_abs(), rounding)?;
	fixed::relative_difference(average, mark, Rounding::Up)
}

/// Mark price after trading `quote` on `side` (rounded down), for fluctuation limits and
/// dynamic fees.
pub fn post_trade_price(reserves: Reserves, side: Side, quote: u128) -> MathResult<u128> {
	trade_quote(reserves, side, quote)?.reserves.mark_price()
}

/// Mark price after closing `base` of a position of `size` (rounded down).
pub fn post_close_price(reserves: Reserves, size: i128, base: u128) -> MathResult<u128> {
	close_base(reserves, size, base)?.reserves.mark_price()
}

/// The band `[⌈ref·(1 − limit)⌉, ⌊ref·(1 + limit)⌋]` a price must stay in within a block;
/// rounded inwards so the band is never wider than configured.
/// [`MathError::InvalidRatio`] if `limit > 1`.
pub fn fluctuation_band(reference: u128, limit: u128) -> MathResult<(u128, u128)> {
	let lower_factor = ONE.checked_sub(limit).ok_or(MathError::InvalidRatio)?;
	let lower = fixed::mul_ratio(reference, lower_factor, Rounding::Up)?;
	let upper = fixed::mul_ratio(reference, fixed::add(ONE, limit)?, Rounding::Down)?;
	Ok((lower, upper))
}

/// Whether `price` lies within the fluctuation band around `reference`; a zero `limit`
/// disables the check.
pub fn within_fluctuation_band(price: u128, reference: u128, limit: u128) -> MathResult<bool> {
	if limit == 0 {
		return Ok(true);
	}
	let (lower, upper) = fluctuation_band(reference, limit)?;
	Ok(price >= lower && price <= upper)
}
