//! Position changes: how a trade changes what the pallet stores per (account, market):
//! increase, reduce (realising PnL pro rata to the size closed), close, reverse.
//!
//! Every change settles the position's pending funding first (into its margin) and moves
//! its entry funding index to the market's current one.

use crate::{
	curve::{self, Fill, Reserves},
	error::{MathError, MathResult},
	fixed::{self, Rounding},
	funding::{self, CumulativePremium},
	margin,
	types::{Position, Side},
};

/// An order as a trader places it: commit `margin` at `leverage` (18-decimal) on `side`.
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
pub struct Order {
	/// Side to trade.
	pub side: Side,
	/// Margin committed.
	pub margin: u128,
	/// Leverage, 18-decimal (5x = `5 · 10^18`).
	pub leverage: u128,
}

impl Order {
	/// Traded notional `⌊margin · leverage⌋`; [`MathError::InvalidRatio`] for zero leverage.
	pub fn notional(&self) -> MathResult<u128> {
		if self.leverage == 0 {
			return Err(MathError::InvalidRatio);
		}
		fixed::mul_ratio(self.margin, self.leverage, Rounding::Down)
	}

	/// Margin backing `notional` at this leverage: `⌈notional / leverage⌉` (the trader
	/// commits, so rounded up).
	pub fn margin_for(&self, notional: u128) -> MathResult<u128> {
		if self.leverage == 0 {
			return Err(MathError::InvalidRatio);
		}
		fixed::div_ratio(notional, self.leverage, Rounding::Up)
	}
}

/// Everything a position change produced.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TradeOutcome {
	/// The position afterwards (all zero when closed).
	pub position: Position,
	/// The curve afterwards.
	pub reserves: Reserves,
	/// Signed change of the size (what the market's net size moves by).
	pub exchanged_size: i128,
	/// Quote traded in total: the fee base.
	pub exchanged_notional: u128,
	/// PnL realised by this change.
	pub realized_pnl: i128,
	/// Funding settled by this change (positive = the position paid).
	pub funding_payment: i128,
	/// Margin the account must commit (the order's margin on increase, the new side's
	/// margin on reversal, zero otherwise).
	pub required_margin: u128,
	/// Margin handed back to the account because the old position closed.
	pub released_margin: u128,
	/// Loss beyond the margin (only possible when the margin ran out).
	pub bad_debt: u128,
}

/// Unrealised PnL of `position` on the curve (exit value, protocol-favouring rounding).
pub fn position_pnl(position: &Position, reserves: Reserves) -> MathResult<i128> {
	let notional = curve::exit_value(reserves, position.size)?;
	margin::unrealized_pnl(position.size, position.open_notional, notional)
}

/// The share of `pnl` realised by closing `closed` out of `size_abs`:
/// `⌊pnl · closed / size_abs⌋` (towards −∞: the trader's gain rounds down).
pub fn realized_share(pnl: i128, closed: u128, size_abs: u128) -> MathResult<i128> {
	if closed > size_abs {
		return Err(MathError::ReduceTooLarge);
	}
	fixed::signed_mul_div(pnl, closed, size_abs, Rounding::Down)
}

/// Executes `order` against `position`: same side (or no position) increases; the opposite
/// side reduces when its notional is below the position's exit value, otherwise closes the
/// position and opens the remaining notional on the order's side with margin
/// `⌈remaining / leverage⌉` (reversal).
pub fn trade(
	position: &Position,
	reserves: Reserves,
	order: &Order,
	premium: &CumulativePremium,
) -> MathResult<TradeOutcome> {
	let notional = order.notional()?;
	match position.side() {
		Some(side) if side != order.side => {
			let exit = curve::exit_value(reserves, position.size)?;
			if notional < exit {
				reduce_by_quote(position, reserves, notional, exit, premium)
			} else {
				reverse(position, reserves, order, notional, premium)
			}
		},
		_ => increase(position, reserves, order.side, notional, order.margin, premium),
	}
}

/// Adds `quote` of notional on `side` and `added_margin` to the position.
///
/// `size += fill`, `open_notional += quote`, `margin = margin + added − funding`.
/// [`MathError::WrongSide`] if the position is on the other side,
/// [`MathError::TradeTooSmall`] if the quote buys no base.
pub fn increase(
	position: &Position,
	reserves: Reserves,
	side: Side,
	quote: u128,
	added_margin: u128,
	premium: &CumulativePremium,
) -> MathResult<TradeOutcome> {
	if position.side().is_some_and(|current| current != side) {
		return Err(MathError::WrongSide);
	}
	let funding = funding::pending_funding(position, premium)?;
	let fill = curve::trade_quote(reserves, side, quote)?;
	if fill.size_change == 0 && quote > 0 {
		return Err(MathError::TradeTooSmall);
	}
	let (margin, bad_debt) =
		margin::settle_margin(fixed::add(position.margin, added_margin)?, 0, funding)?;
	Ok(TradeOutcome {
		position: Position {
			size: fixed::add_signed(position.size, fill.size_change)?,
			margin,
			open_notional: fixed::add(position.open_notional, quote)?,
			last_cumulative_premium: premium.for_side(side),
		},
		reserves: fill.reserves,
		exchanged_size: fill.size_change,
		exchanged_notional: quote,
		realized_pnl: 0,
		funding_payment: funding,
		required_margin: added_margin,
		released_margin: 0,
		bad_debt,
	})
}

/// Closes `base` of the position on the curve (a long sells, a short buys back).
///
/// Closing everything realises `exit − open` (long) or `open − exit` (short) and releases
/// the margin. A partial close realises the pro-rata share of the position's unrealised
/// PnL ([`realized_share`]) and keeps the rest unrealised by setting
/// `open' = open − Q + realised` (long) or `open' = open − Q − realised` (short), where `Q`
/// is the quote exchanged; if extreme convexity would make `open'` negative it is set to
/// zero and the difference realised too. Realised PnL and funding go into the margin.
pub fn reduce(
	position: &Position,
	reserves: Reserves,
	base: u128,
	premium: &CumulativePremium,
) -> MathResult<TradeOutcome> {
	let size_abs = position.size.unsigned_abs();
	if size_abs == 0 {
		return Err(MathError::NoPosition);
	}
	if base > size_abs {
		return Err(MathError::ReduceTooLarge);
	}
	let fill = curve::close_base(reserves, position.size, base)?;
	let exit =
		if base == size_abs { fill.notional } else { curve::exit_value(reserves, position.size)? };
	apply_reduction(position, &fill, exit, premium)
}

/// Closes the whole position on the curve.
pub fn close(
	position: &Position,
	reserves: Reserves,
	premium: &CumulativePremium,
) -> MathResult<TradeOutcome> {
	reduce(position, reserves, position.size.unsigned_abs(), premium)
}

/// An opposite-side order of `quote < exit` reduces the position by the base that quote
/// moves: a long is reduced by the base a short of `quote` adds (rounded up), a short by
/// the base a long of `quote` takes out (rounded down).
fn reduce_by_quote(
	position: &Position,
	reserves: Reserves,
	quote: u128,
	exit: u128,
	premium: &CumulativePremium,
) -> MathResult<TradeOutcome> {
	let side = position.side().ok_or(MathError::NoPosition)?;
	let fill = curve::trade_quote(reserves, side.opposite(), quote)?;
	if fill.size_change == 0 {
		return Err(MathError::TradeTooSmall);
	}
	apply_reduction(position, &fill, exit, premium)
}

/// Books a fill that reduces (or exactly closes) `position`, whose whole exit value before
/// the fill was `exit`.
fn apply_reduction(
	position: &Position,
	fill: &Fill,
	exit: u128,
	premium: &CumulativePremium,
) -> MathResult<TradeOutcome> {
	let side = position.side().ok_or(MathError::NoPosition)?;
	let size_abs = position.size.unsigned_abs();
	let closed = fill.size_change.unsigned_abs();
	if closed > size_abs {
		return Err(MathError::ReduceTooLarge);
	}
	let funding = funding::pending_funding(position, premium)?;
	let quote = fill.notional;
	let mut outcome = TradeOutcome {
		reserves: fill.reserves,
		exchanged_size: fill.size_change,
		exchanged_notional: quote,
		funding_payment: funding,
		..TradeOutcome::default()
	};
	if closed == size_abs {
		let realized = margin::unrealized_pnl(position.size, position.open_notional, quote)?;
		let (released, bad_debt) = margin::settle_margin(position.margin, realized, funding)?;
		outcome.realized_pnl = realized;
		outcome.released_margin = released;
		outcome.bad_debt = bad_debt;
		return Ok(outcome);
	}
	let pnl = margin::unrealized_pnl(position.size, position.open_notional, exit)?;
	let share = realized_share(pnl, closed, size_abs)?;
	let (open_notional, realized) =
		remaining_open_notional(side, position.open_notional, quote, share)?;
	let (margin, bad_debt) = margin::settle_margin(position.margin, realized, funding)?;
	outcome.position = Position {
		size: fixed::add_signed(position.size, fill.size_change)?,
		margin,
		open_notional,
		last_cumulative_premium: premium.for_side(side),
	};
	outcome.realized_pnl = realized;
	outcome.bad_debt = bad_debt;
	Ok(outcome)
}

/// `(open', realised)` after a partial close that exchanged `quote` and realises `share`.
fn remaining_open_notional(
	side: Side,
	open: u128,
	quote: u128,
	share: i128,
) -> MathResult<(u128, i128)> {
	let open_signed = fixed::to_signed(open)?;
	let quote_signed = fixed::to_signed(quote)?;
	// Long: open' = open − Q + R; short: open' = open − Q − R. Clamped at zero, the
	// difference realised, so realised + remaining unrealised is unchanged.
	let signed_share = match side {
		Side::Long => share,
		Side::Short => fixed::sub_signed(0, share)?,
	};
	let remaining = fixed::add_signed(fixed::sub_signed(open_signed, quote_signed)?, signed_share)?;
	if remaining >= 0 {
		return Ok((fixed::positive_part(remaining), share));
	}
	let realized = match side {
		Side::Long => fixed::sub_signed(quote_signed, open_signed)?,
		Side::Short => fixed::sub_signed(open_signed, quote_signed)?,
	};
	Ok((0, realized))
}

/// Closes the position fully, then opens `notional − exit` on the order's side.
fn reverse(
	position: &Position,
	reserves: Reserves,
	order: &Order,
	notional: u128,
	premium: &CumulativePremium,
) -> MathResult<TradeOutcome> {
	let closed = close(position, reserves, premium)?;
	let remaining = fixed::sub(notional, closed.exchanged_notional)?;
	if remaining == 0 {
		return Ok(closed);
	}
	let fill = curve::trade_quote(closed.reserves, order.side, remaining)?;
	if fill.size_change == 0 {
		// The remainder buys nothing: stop at the close rather than donate it.
		return Ok(closed);
	}
	let new_margin = order.margin_for(remaining)?;
	Ok(TradeOutcome {
		position: Position {
			size: fill.size_change,
			margin: new_margin,
			open_notional: remaining,
			last_cumulative_premium: premium.for_side(order.side),
		},
		reserves: fill.reserves,
		exchanged_size: fixed::add_signed(closed.exchanged_size, fill.size_change)?,
		exchanged_notional: fixed::add(closed.exchanged_notional, remaining)?,
		required_margin: new_margin,
		..closed
	})
}
