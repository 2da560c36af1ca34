//! Margin: PnL, equity, margin ratio (isolated and cross), free collateral, a position's
//! value on the curve or at a fair price (liquidation needs both below maintenance), and the
//! liquidation price shown before a trade.
//!
//! Margin ratio `MR = equity / notional` where `equity = collateral + uPnL − pending funding`
//! and `notional` is the exit value on the curve. Ratios round down: a lower MR is the
//! protocol's safe side.

use crate::{
	curve::{self, Reserves},
	error::{MathError, MathResult},
	fixed::{self, Rounding, ONE},
	funding::{self, CumulativePremium},
	types::Position,
};
use primitive_types::{U256, U512};

/// A position's valuation on the curve.
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
pub struct PositionValue {
	/// Exit value.
	pub notional: u128,
	/// Unrealised PnL at that exit value.
	pub unrealized_pnl: i128,
	/// Funding owed (positive = owes).
	pub pending_funding: i128,
}

/// Values `position` on the curve at the market's cumulative premiums.
pub fn value_position(
	position: &Position,
	reserves: Reserves,
	premium: &CumulativePremium,
) -> MathResult<PositionValue> {
	let notional = curve::exit_value(reserves, position.size)?;
	Ok(PositionValue {
		notional,
		unrealized_pnl: unrealized_pnl(position.size, position.open_notional, notional)?,
		pending_funding: funding::pending_funding(position, premium)?,
	})
}

/// Unrealised PnL for an exit value `notional`: long `notional − open`, short
/// `open − notional`.
pub fn unrealized_pnl(size: i128, open_notional: u128, notional: u128) -> MathResult<i128> {
	let (gain, cost) =
		if size >= 0 { (notional, open_notional) } else { (open_notional, notional) };
	fixed::sub_signed(fixed::to_signed(gain)?, fixed::to_signed(cost)?)
}

/// `margin + realised − funding`, floored at zero: `(new margin, bad debt)` where bad debt
/// is what the loss exceeds the margin by.
pub fn settle_margin(
	margin: u128,
	realized_pnl: i128,
	funding_payment: i128,
) -> MathResult<(u128, u128)> {
	let change = fixed::sub_signed(realized_pnl, funding_payment)?;
	if change >= 0 {
		return Ok((fixed::add(margin, change.unsigned_abs())?, 0));
	}
	let loss = change.unsigned_abs();
	Ok(match margin.checked_sub(loss) {
		Some(left) => (left, 0),
		None => (0, loss.saturating_sub(margin)),
	})
}

/// `collateral + uPnL − pending funding` (may be negative).
pub fn equity(collateral: u128, unrealized_pnl: i128, pending_funding: i128) -> MathResult<i128> {
	fixed::sub_signed(
		fixed::add_signed(fixed::to_signed(collateral)?, unrealized_pnl)?,
		pending_funding,
	)
}

/// `equity / notional`, rounded down; [`MathError::ZeroNotional`] for zero notional.
pub fn margin_ratio(equity: i128, notional: u128) -> MathResult<i128> {
	if notional == 0 {
		return Err(MathError::ZeroNotional);
	}
	fixed::signed_div_ratio(equity, notional, Rounding::Down)
}

/// Whether `equity / notional ≥ ratio`, decided exactly (no rounding); use it for the
/// initial and maintenance checks.
pub fn meets_margin_ratio(equity: i128, notional: u128, ratio: u128) -> bool {
	fixed::ratio_at_least(equity, notional, ratio)
}

/// MR of an isolated position: `(margin + uPnL − funding) / notional`.
pub fn isolated_margin_ratio(margin: u128, value: &PositionValue) -> MathResult<i128> {
	margin_ratio(equity(margin, value.unrealized_pnl, value.pending_funding)?, value.notional)
}

/// The sum of several valuations (an account's cross positions).
pub fn total_value(values: &[PositionValue]) -> MathResult<PositionValue> {
	values.iter().try_fold(PositionValue::default(), |total, value| {
		Ok(PositionValue {
			notional: fixed::add(total.notional, value.notional)?,
			unrealized_pnl: fixed::add_signed(total.unrealized_pnl, value.unrealized_pnl)?,
			pending_funding: fixed::add_signed(total.pending_funding, value.pending_funding)?,
		})
	})
}

/// Account MR in cross margin: `(collateral + Σ uPnL − Σ funding) / Σ notional`, where
/// `collateral` is the account's free collateral plus its cross positions' margins.
pub fn cross_margin_ratio(collateral: u128, positions: &[PositionValue]) -> MathResult<i128> {
	let total = total_value(positions)?;
	margin_ratio(equity(collateral, total.unrealized_pnl, total.pending_funding)?, total.notional)
}

/// Collateral that can be withdrawn while keeping `MR ≥ initial_margin_ratio`:
/// `max(0, min(collateral, equity − ⌈IMR · Σ notional⌉))`; unrealised profit backs
/// positions but cannot be withdrawn.
pub fn free_collateral(
	collateral: u128,
	positions: &[PositionValue],
	initial_margin_ratio: u128,
) -> MathResult<u128> {
	let total = total_value(positions)?;
	let equity = equity(collateral, total.unrealized_pnl, total.pending_funding)?;
	Ok(free_equity(equity, total.notional, initial_margin_ratio)?.min(collateral))
}

/// Equity beyond what `notional` requires at `ratio`: `max(0, equity − ⌈ratio · notional⌉)`.
pub fn free_equity(equity: i128, notional: u128, ratio: u128) -> MathResult<u128> {
	let required = fixed::to_signed(fixed::mul_ratio(notional, ratio, Rounding::Up)?)?;
	Ok(fixed::positive_part(fixed::sub_signed(equity, required)?))
}

/// Values `position` as if the mark stood at `price` on a curve of the same depth
/// ([`curve::reserves_at_price`]): the fair-price valuation liquidation checks use besides
/// the curve's own.
pub fn value_position_at(
	position: &Position,
	reserves: Reserves,
	price: u128,
	premium: &CumulativePremium,
) -> MathResult<PositionValue> {
	let side = position.side().ok_or(MathError::NoPosition)?;
	value_position(position, curve::reserves_at_price(reserves, price, side)?, premium)
}

/// Effective leverage `notional / equity`, rounded up; `None` when equity is not positive.
pub fn effective_leverage(notional: u128, equity: i128) -> MathResult<Option<u128>> {
	match u128::try_from(equity) {
		Ok(equity) if equity > 0 => fixed::div_ratio(notional, equity, Rounding::Up).map(Some),
		_ => Ok(None),
	}
}

/// Where a position's MR reaches maintenance as other traders move the curve.
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
pub enum LiquidationPrice {
	/// No mark reachable on the curve makes it liquidatable (a long backed beyond its cost).
	Never,
	/// Liquidatable at every mark (already bankrupt at any price).
	Always,
	/// A long is liquidatable at marks `≤` this price, a short at marks `≥` it.
	At(u128),
}

/// The mark at which the position's MR hits `maintenance_margin_ratio` when other traders'
/// trades move the curve along `x · y = k`.
///
/// `base_equity` is the equity excluding this position's uPnL: its margin minus pending
/// funding (isolated), or the account's collateral plus the other positions' uPnL minus all
/// pending funding (cross); `other_notional` is the other cross positions' notional, held
/// fixed. With `r` the maintenance ratio, `O` the open notional, `N_o` the other notional:
/// - long: `N* = (O − E + r·N_o) / (1 − r)`, and the exit value `k·s / (x(x+s)) = N*` gives
///   `x* = (−s + √(s² + 4ks/N*)) / 2`;
/// - short: `N* = (E + O − r·N_o) / (1 + r)`, exit value `k·s / (x(x−s)) = N*` gives
///   `x* = (s + √(s² + 4ks/N*)) / 2`;
///
/// and the price is `k / x*²`. Every rounding moves the price towards the current mark (a
/// long's price up, a short's down), so the trader is warned early rather than late.
pub fn liquidation_price(
	reserves: Reserves,
	size: i128,
	open_notional: u128,
	base_equity: i128,
	other_notional: u128,
	maintenance_margin_ratio: u128,
) -> MathResult<LiquidationPrice> {
	let k = reserves.k()?;
	let s = size.unsigned_abs();
	if s == 0 {
		return Ok(LiquidationPrice::Never);
	}
	let is_long = size > 0;
	let other_requirement = fixed::to_signed(fixed::mul_ratio(
		other_notional,
		maintenance_margin_ratio,
		Rounding::Up,
	)?)?;
	let open = fixed::to_signed(open_notional)?;
	let (target_numerator, target_rounding, divisor) = if is_long {
		let divisor = ONE
			.checked_sub(maintenance_margin_ratio)
			.filter(|d| *d > 0)
			.ok_or(MathError::InvalidRatio)?;
		(
			fixed::add_signed(fixed::sub_signed(open, base_equity)?, other_requirement)?,
			Rounding::Up,
			divisor,
		)
	} else {
		let divisor = fixed::add(ONE, maintenance_margin_ratio)?;
		(
			fixed::sub_signed(fixed::add_signed(base_equity, open)?, other_requirement)?,
			Rounding::Down,
			divisor,
		)
	};
	let target_notional = match u128::try_from(target_numerator) {
		Ok(numerator) if numerator > 0 => fixed::mul_div(numerator, ONE, divisor, target_rounding)?,
		_ => 0,
	};
	if target_notional == 0 {
		return Ok(if is_long { LiquidationPrice::Never } else { LiquidationPrice::Always });
	}
	// Rounding: a long's x* rounds down (higher price), a short's up (lower price).
	let rounding = if is_long { Rounding::Down } else { Rounding::Up };
	let s_wide = U512::from(s);
	let four_k_s =
		k.full_mul(U256::from(s)).checked_mul(U512::from(4u8)).ok_or(MathError::Overflow)?;
	let c = fixed::div_u512(four_k_s, U512::from(target_notional), rounding)?;
	let discriminant = s_wide
		.checked_mul(s_wide)
		.and_then(|square| square.checked_add(c))
		.ok_or(MathError::Overflow)?;
	let root = sqrt_u512(discriminant, rounding);
	let twice_x = if is_long { root.checked_sub(s_wide) } else { root.checked_add(s_wide) }
		.ok_or(MathError::Overflow)?;
	let x = fixed::div_u512(twice_x, U512::from(2u8), rounding)?;
	if x.is_zero() {
		return Ok(LiquidationPrice::Always);
	}
	let price_rounding = if is_long { Rounding::Up } else { Rounding::Down };
	let x_squared = x.checked_mul(x).ok_or(MathError::Overflow)?;
	let price = fixed::div_u512(k.full_mul(U256::from(ONE)), x_squared, price_rounding)?;
	Ok(match u128::try_from(U256::try_from(price).unwrap_or(U256::MAX)) {
		Ok(0) => LiquidationPrice::Always,
		Ok(price) => LiquidationPrice::At(price),
		// Above any representable mark: a long is liquidatable wherever the mark can be.
		Err(_) => LiquidationPrice::Always,
	})
}

/// `⌊√v⌋` or `⌈√v⌉` in `U512`.
fn sqrt_u512(value: U512, rounding: Rounding) -> U512 {
	let root = value.integer_sqrt();
	let exact = root.checked_mul(root).is_some_and(|square| square == value);
	if rounding == Rounding::Up && !exact {
		root.saturating_add(U512::one())
	} else {
		root
	}
}
