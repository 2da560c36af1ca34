//! Liquidation: full vs partial, the partial amount (minimal restoring portion solved on the
//! curve, or a fixed portion), penalty and its split, settlement of the margin (residual,
//! bad debt) and socialisation of uncovered losses.

use crate::{
	curve::{self, Direction, Reserves},
	error::{MathError, MathResult},
	fixed::{self, Rounding, ONE},
	funding::{CumulativePremium, FundingSplit},
	margin, position, search,
	types::{Position, Side},
};

/// Liquidation parameters (named as in `pallet_perp::MarketParams`, whose `Default` is their only default).
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
pub struct LiquidationParams {
	/// Below this MR a position is liquidatable.
	pub maintenance_margin_ratio: u128,
	/// Below this MR liquidation is full.
	pub full_liquidation_ratio: u128,
	/// 0: close the minimal restoring portion; otherwise the fixed portion closed.
	pub partial_liquidation_ratio: u128,
	/// MR above maintenance a minimal partial liquidation restores.
	pub liquidation_buffer: u128,
	/// Positions with a smaller notional are liquidated in full.
	pub min_partial_notional: u128,
	/// Penalty on the liquidated notional, half to the liquidator.
	pub liquidation_fee_ratio: u128,
}

/// Whether a liquidation closes part or all of a position.
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
pub enum LiquidationKind {
	/// Close a portion ([`partial_liquidation_amount`]).
	Partial,
	/// Close everything.
	Full,
}

/// How much a liquidation closes.
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
pub enum LiquidationAmount {
	/// Close this much base (strictly between 0 and the size).
	Partial(u128),
	/// Close the whole position.
	Full,
}

/// What the partial-amount solver needs to know about the position and its account.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LiquidationInput {
	/// The position (size and open notional are used).
	pub position: Position,
	/// The curve now.
	pub reserves: Reserves,
	/// Equity excluding this position's uPnL: margin − pending funding (isolated), or the
	/// account's collateral + other positions' uPnL − all pending funding (cross).
	pub base_equity: i128,
	/// Notional of the account's other cross positions (0 for isolated).
	pub other_notional: u128,
	/// Trading fee ratio charged on the liquidated notional (0 if none).
	pub fee_ratio: u128,
}

/// Full or partial, for a position whose (liquidation) MR is `margin_ratio` and whose
/// notional is `notional`: partial iff `MR ≥ full_liquidation_ratio` and
/// `notional ≥ min_partial_notional`. [`MathError::NotLiquidatable`] if
/// `MR ≥ maintenance_margin_ratio`.
pub fn liquidation_kind(
	margin_ratio: i128,
	notional: u128,
	params: &LiquidationParams,
) -> MathResult<LiquidationKind> {
	if margin_ratio >= fixed::to_signed(params.maintenance_margin_ratio)? {
		return Err(MathError::NotLiquidatable);
	}
	let partial = margin_ratio >= fixed::to_signed(params.full_liquidation_ratio)?
		&& notional >= params.min_partial_notional;
	Ok(if partial { LiquidationKind::Partial } else { LiquidationKind::Full })
}

/// The base a partial liquidation closes.
///
/// - `partial_liquidation_ratio = 0`: the smallest `b` for which [`restores_margin`] holds
///   (closing `b` on the curve, paying fee and penalty on its notional, leaves
///   `MR ≥ maintenance + buffer`) while it does not hold for `b − 1`. The closed form over
///   the reals, `Q* = (t·N − E) / (t − c)` (`t` the target MR, `c` fee + penalty ratios,
///   `N` the notional, `E` the equity), gives the starting guess; the exact integer
///   boundary is then searched. `Full` when no portion smaller than the position restores.
/// - otherwise: `⌈|size| · ratio⌉`, or `Full` if that is the whole position.
///
/// [`MathError::NotLiquidatable`] when the position already meets the target without
/// closing anything.
pub fn partial_liquidation_amount(
	input: &LiquidationInput,
	params: &LiquidationParams,
) -> MathResult<LiquidationAmount> {
	let size_abs = input.position.size.unsigned_abs();
	if size_abs == 0 {
		return Err(MathError::NoPosition);
	}
	if params.partial_liquidation_ratio != 0 {
		let portion = fixed::mul_ratio(size_abs, params.partial_liquidation_ratio, Rounding::Up)?;
		return Ok(if portion >= size_abs {
			LiquidationAmount::Full
		} else {
			LiquidationAmount::Partial(portion.max(1))
		});
	}
	if restores_margin(input, params, 0)? {
		return Err(MathError::NotLiquidatable);
	}
	let guess = estimate_restoring_base(input, params).unwrap_or(size_abs / 2);
	let last_partial = size_abs.saturating_sub(1);
	let found =
		search::first_true(1, last_partial, guess, |base| restores_margin(input, params, base))?;
	Ok(found.map_or(LiquidationAmount::Full, LiquidationAmount::Partial))
}

/// Whether closing `base` of the position restores `MR ≥ maintenance + buffer`, computed
/// exactly as the pallet books it: the close goes through [`position::reduce`] (pro-rata
/// realised PnL), the fee and penalty (`⌈Q · ratio⌉` each) come out of equity, and the
/// remainder is valued on the moved curve together with the other cross positions.
/// Closing everything with no other position left counts as restored unless the equity
/// left is negative.
pub fn restores_margin(
	input: &LiquidationInput,
	params: &LiquidationParams,
	base: u128,
) -> MathResult<bool> {
	let target = fixed::add(params.maintenance_margin_ratio, params.liquidation_buffer)?;
	let position = Position { margin: 0, ..input.position };
	// A premium equal to the entry point: funding is already inside `base_equity`.
	let unchanged = CumulativePremium {
		long: position.last_cumulative_premium,
		short: position.last_cumulative_premium,
	};
	let closed = position::reduce(&position, input.reserves, base, &unchanged)?;
	let quote = closed.exchanged_notional;
	let fee = fixed::mul_ratio(quote, input.fee_ratio, Rounding::Up)?;
	let penalty = liquidation_penalty(quote, params.liquidation_fee_ratio)?;
	let remaining = closed.position;
	let notional = curve::exit_value(closed.reserves, remaining.size)?;
	let pnl = margin::unrealized_pnl(remaining.size, remaining.open_notional, notional)?;
	let costs = fixed::to_signed(fixed::add(fee, penalty)?)?;
	let equity = fixed::sub_signed(
		fixed::add_signed(fixed::add_signed(input.base_equity, closed.realized_pnl)?, pnl)?,
		costs,
	)?;
	Ok(fixed::ratio_at_least(equity, fixed::add(notional, input.other_notional)?, target))
}

/// Base whose close yields `Q* = (t·N − E) / (t − c)` over the reals, or `None` when the
/// closed form does not apply (`t ≤ c`, or no depth for it).
fn estimate_restoring_base(input: &LiquidationInput, params: &LiquidationParams) -> Option<u128> {
	let size = input.position.size;
	let target = params.maintenance_margin_ratio.checked_add(params.liquidation_buffer)?;
	let cost_ratio = input.fee_ratio.checked_add(params.liquidation_fee_ratio)?;
	let denominator = target.checked_sub(cost_ratio).filter(|d| *d > 0)?;
	let exit = curve::exit_value(input.reserves, size).ok()?;
	let pnl = margin::unrealized_pnl(size, input.position.open_notional, exit).ok()?;
	let equity = input.base_equity.checked_add(pnl)?;
	let notional = exit.checked_add(input.other_notional)?;
	let required = fixed::to_signed(fixed::mul_ratio(notional, target, Rounding::Up).ok()?).ok()?;
	let shortfall = u128::try_from(required.checked_sub(equity)?).ok()?;
	let quote = fixed::mul_div(shortfall, ONE, denominator, Rounding::Up).ok()?;
	// The base that moves `quote` when closing: a long sells base to take `quote` out, a
	// short buys base by putting `quote` in.
	let direction = match Side::of_size(size)? {
		Side::Long => Direction::RemoveFromAmm,
		Side::Short => Direction::AddToAmm,
	};
	curve::swap_quote(input.reserves, direction, quote).ok().map(|swap| swap.amount)
}

/// Penalty on a liquidated notional: `⌈notional · liquidation_fee_ratio⌉`.
pub fn liquidation_penalty(notional: u128, liquidation_fee_ratio: u128) -> MathResult<u128> {
	fixed::mul_ratio(notional, liquidation_fee_ratio, Rounding::Up)
}

/// The two halves of a penalty.
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
pub struct PenaltySplit {
	/// `⌊penalty / 2⌋` to the liquidator (keeper or block author).
	pub liquidator: u128,
	/// The rest, `penalty − liquidator`, to the insurance fund.
	pub insurance: u128,
}

/// Splits a penalty in half; the odd unit goes to the insurance fund, so the halves sum
/// exactly to the penalty.
pub fn split_penalty(penalty: u128) -> PenaltySplit {
	let liquidator = penalty / 2;
	PenaltySplit { liquidator, insurance: penalty.saturating_sub(liquidator) }
}

/// What a liquidation drew from what backs the position.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct LiquidationDraw {
	/// What was owed and nothing could pay: bad debt, or (cross) the account's debt.
	pub unpaid: u128,
	/// The liquidator's half of the penalty, as far as it was backed (never topped up).
	pub liquidator: u128,
	/// The insurance half of the penalty, as far as it was backed.
	pub insurance: u128,
	/// The trading fee, as far as it was backed.
	pub fee: u128,
}

/// Draws a liquidation's charges on `pots`, the money backing the position in the order it
/// is used (its margin after the closed part's PnL and funding; for a cross position then
/// the held collateral and the other cross positions' margins): first `owed` (the loss the
/// margin did not cover), then the liquidator's half of `penalty`, then the insurance half,
/// then `fee`. Each pot is reduced by what it gave. The loss comes first because it is
/// already owed to the other traders; nothing tops up an unbacked penalty, so a bankrupt
/// position earns its liquidator nothing.
pub fn draw_liquidation(
	pots: &mut [u128],
	owed: u128,
	penalty: u128,
	fee: u128,
) -> LiquidationDraw {
	let mut draw = |amount: u128| {
		let mut left = amount;
		for pot in pots.iter_mut() {
			let taken = left.min(*pot);
			*pot = pot.saturating_sub(taken);
			left = left.saturating_sub(taken);
		}
		amount.saturating_sub(left)
	};
	let unpaid = owed.saturating_sub(draw(owed));
	let halves = split_penalty(penalty);
	let liquidator = draw(halves.liquidator);
	let insurance = draw(halves.insurance);
	let fee = draw(fee);
	LiquidationDraw { unpaid, liquidator, insurance, fee }
}

/// Spreads an uncovered loss onto both sides pro rata to open interest (in base): every
/// unit of size, long or short, pays `u = ⌈loss · 10^18 / (L + S)⌉`, so longs pay
/// `≈ loss·L / (L+S)` and shorts `≈ loss·S / (L+S)`.
///
/// Returned as cumulative-premium deltas (`long: +u`, `short: −u`, `insurance: 0`) to add
/// with [`CumulativePremium::apply`]; positions pay them with their funding when touched.
/// Pass the open interest after the liquidated position is gone.
/// [`MathError::NoOpenInterest`] when there is none.
pub fn socialise_loss(
	loss: u128,
	long_open_interest: u128,
	short_open_interest: u128,
) -> MathResult<FundingSplit> {
	let open_interest = fixed::add(long_open_interest, short_open_interest)?;
	if open_interest == 0 {
		return Err(MathError::NoOpenInterest);
	}
	let per_unit = fixed::to_signed(fixed::mul_div(loss, ONE, open_interest, Rounding::Up)?)?;
	Ok(FundingSplit { long: per_unit, short: fixed::sub_signed(0, per_unit)?, insurance: 0 })
}
