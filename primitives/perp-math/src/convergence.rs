//! Convergence (repeg to the index) and liquidity migration (scaling `k`), with the
//! exit-value-preserving remap of position sizes.
//!
//! # What the AMM owes
//! The market's net position `S` (sum of all sizes) is what the AMM is counterparty to. Its
//! signed obligation is `+exit(S)` for a net long (the quote longs take out on closing) and
//! `−exit(S)` for a net short (the quote shorts pay in to close). Convergence changes the
//! curve under unchanged sizes; its cost is the change of that obligation.
//!
//! # Liquidity migration and the size remap
//! Migration scales both reserves by `m` (price unchanged). A position of size `s` had
//! exit value `V = exit_old(s)` on the curve at the snapshot taken just before the change;
//! it is remapped to the `s'` with `exit_new(s') = V` on the curve just after
//! ([`remap_size`]). Exit values are not additive, so no remap applied to the net size as a
//! whole can equal the sum of the remapped positions. The market's net size (and each side's
//! open interest) is therefore remapped *by the same function, position by position*: the
//! migration leaves the stored net size alone, and whenever a position is remapped (lazily,
//! when next touched) the pallet adds `s' − s` to the net size and `|s'| − |s|` to that
//! side's open interest. At every moment the net size equals the sum of stored sizes, and
//! once every position is remapped it equals `Σ s'`. A position crossing several migrations
//! is remapped through each snapshot in order ([`remap_through`]).

use crate::{
	curve::{self, Reserves},
	error::{MathError, MathResult},
	fixed::{self, Rounding, ONE},
	funding::{self, CumulativePremium},
	interest::SideMoments,
	types::{Position, Side},
};
use primitive_types::{U256, U512};

/// The AMM's signed obligation to the net position `net_size`: `+exit` for a net long,
/// `−exit` for a net short (exit values with their usual rounding).
pub fn amm_obligation(reserves: Reserves, net_size: i128) -> MathResult<i128> {
	let exit = curve::exit_value(reserves, net_size)?;
	fixed::signed(net_size < 0, exit)
}

/// Reserves after a repeg to `index`: base unchanged, `y = index · x`. Rounded down when
/// the net position is long (longs exit into less quote) and up when it is short (shorts
/// pay more to exit). [`MathError::ZeroPrice`] for a zero index,
/// [`MathError::ZeroReserve`] if the new quote reserve rounds to zero.
pub fn repeg_reserves(reserves: Reserves, index: u128, net_size: i128) -> MathResult<Reserves> {
	reserves.ensure_non_zero()?;
	if index == 0 {
		return Err(MathError::ZeroPrice);
	}
	let rounding = if net_size < 0 { Rounding::Up } else { Rounding::Down };
	let quote = fixed::mul_ratio(reserves.base, index, rounding)?;
	let repegged = Reserves::new(reserves.base, quote);
	repegged.ensure_non_zero()?;
	Ok(repegged)
}

/// Cost of moving the curve from `before` to `after` under an unchanged net position:
/// `obligation(after) − obligation(before)`. Positive: the AMM owes more, and the
/// convergence reserve (then the insurance fund) pays it into the vault; negative: the
/// vault holds that much more than the AMM owes (the pallet books it as an unrealised gain
/// until the market has no open position).
pub fn convergence_cost(before: Reserves, after: Reserves, net_size: i128) -> MathResult<i128> {
	fixed::sub_signed(amm_obligation(after, net_size)?, amm_obligation(before, net_size)?)
}

/// Both reserves times `m` (18-decimal), the price kept: `x' = ⌊x·m⌋`, `y' = ⌊x'·y / x⌋`.
/// [`MathError::InvalidMultiplier`] for `m = 0` or if a reserve rounds to zero.
pub fn scale_reserves(reserves: Reserves, multiplier: u128) -> MathResult<Reserves> {
	reserves.ensure_non_zero()?;
	if multiplier == 0 {
		return Err(MathError::InvalidMultiplier);
	}
	let base = fixed::mul_ratio(reserves.base, multiplier, Rounding::Down)?;
	let quote = fixed::mul_div(base, reserves.quote, reserves.base, Rounding::Down)?;
	let scaled = Reserves::new(base, quote);
	scaled.ensure_non_zero().map_err(|_| MathError::InvalidMultiplier)?;
	Ok(scaled)
}

/// Checks that `m` keeps every position closable after the remap.
///
/// A short's remap always exists (its exit value is finite, so it maps to less base than
/// the new reserve holds). A long of exit value `V` needs `V < y'`; the largest long exit
/// value is at most that of the whole long open interest, so the condition is
/// `exit_old(long_open_interest) < y'`; it then also holds for the net position. Returns
/// the scaled reserves, or [`MathError::InvalidMultiplier`].
pub fn checked_scale_reserves(
	reserves: Reserves,
	multiplier: u128,
	long_open_interest: u128,
) -> MathResult<Reserves> {
	let scaled = scale_reserves(reserves, multiplier)?;
	let long_exit = curve::exit_value(reserves, fixed::to_signed(long_open_interest)?)?;
	if long_exit >= scaled.quote {
		return Err(MathError::InvalidMultiplier);
	}
	Ok(scaled)
}

/// The curve just before and just after a liquidity migration; positions last touched
/// before it are remapped through it.
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
pub struct LiquiditySnapshot {
	/// Reserves just before the migration.
	pub before: Reserves,
	/// Reserves just after it.
	pub after: Reserves,
}

/// The size on the new curve with the exit value `size` had on the old one.
///
/// With `V` the exit value on `before` and `(x', y')` the reserves `after`:
/// - long: `s' = ⌊V·x' / (y' − V)⌋`, the largest size whose exit value is at most `V`
///   over the reals, hence `exit_new(s') ≤ V` exactly;
/// - short: `|s'| = ⌈V·x' / (y' + V)⌉`, so buying it back costs at least `V`.
///
/// Both round in the protocol's favour and lose less than one base unit's worth.
/// [`MathError::InsufficientDepth`] when a long's `V ≥ y'` or a short's size would take all
/// the new base reserve.
pub fn remap_size(snapshot: &LiquiditySnapshot, size: i128) -> MathResult<i128> {
	if size == 0 {
		return Ok(0);
	}
	let value = curve::exit_value(snapshot.before, size)?;
	let after = snapshot.after;
	after.ensure_non_zero()?;
	let numerator =
		U256::from(value).checked_mul(U256::from(after.base)).ok_or(MathError::Overflow)?;
	let remapped = if size > 0 {
		let room = after
			.quote
			.checked_sub(value)
			.filter(|room| *room > 0)
			.ok_or(MathError::InsufficientDepth)?;
		fixed::u256_to_u128(fixed::div_u256(numerator, U256::from(room), Rounding::Down)?)?
	} else {
		let denominator =
			U256::from(after.quote).checked_add(U256::from(value)).ok_or(MathError::Overflow)?;
		let base = fixed::u256_to_u128(fixed::div_u256(numerator, denominator, Rounding::Up)?)?;
		if base >= after.base {
			return Err(MathError::InsufficientDepth);
		}
		base
	};
	fixed::signed(size < 0, remapped)
}

/// `position` on the curve after the migration `snapshot` describes: the size with the same
/// exit value ([`remap_size`]), and a funding entry point such that the funding it owed up
/// to the migration (on its old size, at the sides' `cumulative` premium then) is still owed
/// in full, rounded in the protocol's favour, on the new size.
pub fn remap_position(
	position: &Position,
	snapshot: &LiquiditySnapshot,
	cumulative: &CumulativePremium,
) -> MathResult<Position> {
	let Some(side) = Side::of_size(position.size) else { return Ok(*position) };
	let size = remap_size(snapshot, position.size)?;
	let cumulative = cumulative.for_side(side);
	let owed =
		funding::funding_payment(cumulative, position.last_cumulative_premium, position.size)?;
	// (cumulative − entry) · size ≥ owed: per unit `owed / size`, rounded up for a long and
	// towards −∞ for a short (whose size is negative).
	let (signed_owed, rounding) =
		if size > 0 { (owed, Rounding::Up) } else { (fixed::sub_signed(0, owed)?, Rounding::Down) };
	let per_unit = fixed::signed_product_div(
		signed_owed,
		fixed::to_signed(ONE)?,
		size.unsigned_abs(),
		rounding,
	)?;
	Ok(Position {
		size,
		last_cumulative_premium: fixed::sub_signed(cumulative, per_unit)?,
		..*position
	})
}

/// [`remap_size`] through several migrations, oldest first.
pub fn remap_through(snapshots: &[LiquiditySnapshot], size: i128) -> MathResult<i128> {
	snapshots.iter().try_fold(size, |size, snapshot| remap_size(snapshot, size))
}

/// An upper bound on how much remapping every position through `snapshot` moves the net
/// position (`Σ s'ᵢ − Σ sᵢ`, signed), from each side's Σ |s| and Σ s² at the migration.
///
/// With `(x, y)` the curve before, `(x', y')` after, `a = y·x'`, `b = y'·x` (`0 ≤ a − b < x`
/// from the rounding of `y'`): a long of size `s` has exit value at most `y·s / (x + s)` and
/// remaps to at most `s·a / (b − (y − y')·s)`; a short's buy-back costs at least
/// `y·s / (x − s)` and remaps to at least `s·a / (b + (y − y')·s)`. Per position the change
/// is therefore second order in its size, and summed over a side:
/// - thinning (`y' < y`, `e = y − y'`): longs grow by at most `(x·L + e·Q_L) / (b − e·L)`,
///   shorts shrink by at most `e·Q_S / b` (each adds to the net position);
/// - deepening (`e = y' − y ≥ 0`): longs change by at most `x·L / b − e·Q_L / (b + e·L)`,
///   shorts grow by at least `e·Q_S / b` (each lowers the net position).
///
/// `L`, `S` are the sides' Σ |s| and `Q_L`, `Q_S` their Σ s². Longs and shorts thus net out:
/// a balanced book of small positions moves the net position by almost nothing. Every term
/// is rounded towards +∞. [`MathError::InsufficientDepth`] when the thinned curve could not
/// take the longs back (`b ≤ e·L`).
pub fn remap_net_change_bound(
	snapshot: &LiquiditySnapshot,
	longs: SideMoments,
	shorts: SideMoments,
) -> MathResult<i128> {
	let LiquiditySnapshot { before, after } = *snapshot;
	before.ensure_non_zero()?;
	after.ensure_non_zero()?;
	let wide = |value: u128| U512::from(value);
	let b = wide(after.quote).checked_mul(wide(before.base)).ok_or(MathError::Overflow)?;
	let long_size = wide(longs.size);
	let (q_long, q_short) = (U512::from(longs.squares), U512::from(shorts.squares));
	let up = Rounding::Up;
	let down = Rounding::Down;
	let x_times_l = wide(before.base).checked_mul(long_size).ok_or(MathError::Overflow)?;
	let signed = |magnitude: U512, negative: bool| -> MathResult<i128> {
		let magnitude = fixed::u256_to_u128(fixed::u512_to_u256(magnitude)?)?;
		fixed::signed(negative, magnitude)
	};
	if after.quote < before.quote {
		let e = wide(before.quote.saturating_sub(after.quote));
		let e_times = |value: U512| e.checked_mul(value).ok_or(MathError::Overflow);
		let room = b
			.checked_sub(e_times(long_size)?)
			.filter(|room| !room.is_zero())
			.ok_or(MathError::InsufficientDepth)?;
		let longs_grow = fixed::div_u512(
			x_times_l.checked_add(e_times(q_long)?).ok_or(MathError::Overflow)?,
			room,
			up,
		)?;
		let shorts_shrink = fixed::div_u512(e_times(q_short)?, b, up)?;
		let total = longs_grow.checked_add(shorts_shrink).ok_or(MathError::Overflow)?;
		signed(total, false)
	} else {
		let e = wide(after.quote.saturating_sub(before.quote));
		let e_times = |value: U512| e.checked_mul(value).ok_or(MathError::Overflow);
		let rounding_slack = fixed::div_u512(x_times_l, b, up)?;
		let denominator = b.checked_add(e_times(long_size)?).ok_or(MathError::Overflow)?;
		let longs_shrink = fixed::div_u512(e_times(q_long)?, denominator, down)?;
		let shorts_grow = fixed::div_u512(e_times(q_short)?, b, down)?;
		let lowered = longs_shrink.checked_add(shorts_grow).ok_or(MathError::Overflow)?;
		if rounding_slack >= lowered {
			signed(rounding_slack.saturating_sub(lowered), false)
		} else {
			signed(lowered.saturating_sub(rounding_slack), true)
		}
	}
}

/// An upper bound on what a migration through `snapshot` adds to what the AMM owes its net
/// position `net_size` (0 if it cannot add anything): the obligation on the new curve of
/// the largest net position the remap can produce ([`remap_net_change_bound`]) less the
/// obligation now. Every position must be in the `before` curve's units.
pub fn migration_cost_bound(
	snapshot: &LiquiditySnapshot,
	net_size: i128,
	longs: SideMoments,
	shorts: SideMoments,
) -> MathResult<u128> {
	let change = remap_net_change_bound(snapshot, longs, shorts)?;
	let net_after = fixed::add_signed(net_size, change)?;
	let owed_after = amm_obligation(snapshot.after, net_after)?;
	let owed_before = amm_obligation(snapshot.before, net_size)?;
	Ok(fixed::positive_part(fixed::sub_signed(owed_after, owed_before)?))
}

/// The exact cost of a completed migration: the obligation on the `after` curve of the net
/// position once every position that existed at the migration was remapped
/// (`net_size + remapped`), less the obligation on the `before` curve then. Negative: the
/// migration lowered what the AMM owes.
pub fn migration_cost(
	snapshot: &LiquiditySnapshot,
	net_size: i128,
	remapped: i128,
) -> MathResult<i128> {
	let owed_after = amm_obligation(snapshot.after, fixed::add_signed(net_size, remapped)?)?;
	fixed::sub_signed(owed_after, amm_obligation(snapshot.before, net_size)?)
}

/// An upper bound on Σ |s'| of `count` short positions whose sizes add up to `total` on the
/// `before` curve, once remapped through `snapshot`: `total·max(x, x') / x` plus `total / y'`
/// and `⌈x' / y'⌉ + 1` per position for the roundings. A short's remap never grows by more
/// than the curve's depth did (thinning shrinks it).
pub fn remapped_magnitude_bound(
	snapshot: &LiquiditySnapshot,
	total: u128,
	count: u32,
) -> MathResult<u128> {
	let LiquiditySnapshot { before, after } = *snapshot;
	before.ensure_non_zero()?;
	after.ensure_non_zero()?;
	let scaled = fixed::mul_div(total, before.base.max(after.base), before.base, Rounding::Up)?;
	let per_position = fixed::add(fixed::mul_div(after.base, 1, after.quote, Rounding::Up)?, 1)?;
	let slack = fixed::add(
		fixed::mul_div(total, 1, after.quote, Rounding::Up)?,
		per_position.checked_mul(u128::from(count)).ok_or(MathError::Overflow)?,
	)?;
	fixed::add(scaled, slack)
}
