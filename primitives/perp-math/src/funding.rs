//! Funding: premium fraction from the TWAPs, its cap, the split between longs, shorts and
//! the insurance fund (`Balanced` and `Symmetric` modes), and per-position payments.
//!
//! Each side keeps a cumulative premium (an 18-decimal quote amount per unit of size). A
//! position pays `(cum_now − cum_at_entry) × size` when touched; positive means it pays. With
//! a positive premium fraction (mark above index) longs pay and shorts receive, and *both*
//! sides' cumulative premiums rise: a short's size is negative, so a rising index makes it
//! receive.
//!
//! Rounding: the paying side's per-unit fraction is rounded up in magnitude, the receiving
//! side's down, per-position payments round towards +∞ (paid up, received down), and the
//! insurance fund's share is computed from the side totals rounded towards −∞. The
//! rounding dust therefore always stays in the vault: the fund is never credited more, nor
//! debited less, than the positions' settlements leave.

use crate::{
	error::{MathError, MathResult},
	fixed::{self, Rounding, ONE},
	types::{Position, Side},
};
use primitive_types::U256;

/// Seconds in a day: the premium fraction is quoted per day and scaled to the period.
pub const SECONDS_PER_DAY: u64 = 86_400;

/// How funding is split when the sides' open interest differs.
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
pub enum FundingMode {
	/// With `G = √(L·S)`, payers pay `PF·G / size_pay` per unit and receivers receive
	/// `PF·G / size_recv`, so what one side pays the other receives.
	#[default]
	Balanced,
	/// Perp v1: both sides pay/receive `PF` per unit; the insurance fund takes the
	/// imbalance, paying at most the subsidy cap.
	Symmetric,
}

/// Cumulative premium fraction per side (18-decimal quote per unit of size).
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
pub struct CumulativePremium {
	/// Longs' cumulative premium.
	pub long: i128,
	/// Shorts' cumulative premium.
	pub short: i128,
}

impl CumulativePremium {
	/// The cumulative premium of `side`.
	pub const fn for_side(&self, side: Side) -> i128 {
		match side {
			Side::Long => self.long,
			Side::Short => self.short,
		}
	}

	/// Both sides moved by `split.long` and `split.short`.
	pub fn apply(&self, split: &FundingSplit) -> MathResult<Self> {
		Ok(Self {
			long: fixed::add_signed(self.long, split.long)?,
			short: fixed::add_signed(self.short, split.short)?,
		})
	}
}

/// Market parameters of funding (named as in `pallet_perp::MarketParams`, whose `Default` is their only default).
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
pub struct FundingParams {
	/// `funding_period`, seconds.
	pub funding_period: u64,
	/// `max_funding_rate`: cap on `|PF| / indexTWAP` per period; 0 disables.
	pub max_funding_rate: u128,
	/// `funding_mode`.
	pub funding_mode: FundingMode,
	/// `max_funding_subsidy`: share of the insurance fund it may pay per period.
	pub max_funding_subsidy: u128,
}

/// What one funding settlement adds to each side's cumulative premium, and the insurance
/// fund's net result.
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
pub struct FundingSplit {
	/// Added to the longs' cumulative premium (positive = longs pay).
	pub long: i128,
	/// Added to the shorts' cumulative premium (negative = shorts pay).
	pub short: i128,
	/// The insurance fund's net inflow (negative = the fund pays). Equals
	/// `⌊(collected − distributed) / 10^18⌋` over the side totals.
	pub insurance: i128,
}

/// The largest `|PF|` allowed: `⌊indexTWAP · max_funding_rate⌋`, or `None` when the cap is
/// disabled (`max_funding_rate = 0`).
pub fn funding_cap(index_twap: u128, max_funding_rate: u128) -> MathResult<Option<u128>> {
	if max_funding_rate == 0 {
		return Ok(None);
	}
	fixed::mul_ratio(index_twap, max_funding_rate, Rounding::Down).map(Some)
}

/// Premium fraction of one period:
/// `PF = (markTWAP − indexTWAP) · funding_period / 1 day`, rounded towards zero, then capped
/// so `|PF| ≤ indexTWAP · max_funding_rate` (0 disables the cap).
///
/// Positive: longs pay. Rounding towards zero is neutral; the per-side split applies the
/// protocol-favouring rounding. [`MathError::ZeroPrice`] for a zero index TWAP.
pub fn premium_fraction(
	mark_twap: u128,
	index_twap: u128,
	funding_period: u64,
	max_funding_rate: u128,
) -> MathResult<i128> {
	if index_twap == 0 {
		return Err(MathError::ZeroPrice);
	}
	let magnitude = fixed::mul_div(
		mark_twap.abs_diff(index_twap),
		u128::from(funding_period),
		u128::from(SECONDS_PER_DAY),
		Rounding::Down,
	)?;
	let capped = match funding_cap(index_twap, max_funding_rate)? {
		Some(cap) => magnitude.min(cap),
		None => magnitude,
	};
	fixed::signed(mark_twap < index_twap, capped)
}

/// The most the insurance fund pays in funding this period:
/// `⌊insurance_balance · max_funding_subsidy⌋`.
pub fn subsidy_cap(insurance_balance: u128, max_funding_subsidy: u128) -> MathResult<u128> {
	fixed::mul_ratio(insurance_balance, max_funding_subsidy, Rounding::Down)
}

/// Splits a premium fraction between the sides and the insurance fund.
///
/// `long_size` / `short_size` are the sides' open interest in base. Let `p = |PF|`, `P` the
/// paying side's size (longs if `PF > 0`) and `R` the receiving side's.
/// - Both sides open, `Balanced`: `A = p·√(P·R)` (the root rounded down), reduced to
///   `side_cap · min(P, R)` when `side_cap` is given so that neither side's per-unit rate
///   exceeds the funding cap (this bounds the gap between the two rates); payers pay
///   `⌈A / P⌉`, receivers get `⌊A / R⌋` per unit.
/// - Both sides open, `Symmetric`: payers pay `p`; receivers get `p`, reduced when `R > P` so
///   the fund pays at most `subsidy_cap`: `min(p, ⌊(p·P + subsidy_cap·10^18) / R⌋)`.
/// - One side empty (either mode): the insurance fund is the counterparty. Payers pay `p`
///   per unit; receivers get `min(p, ⌊subsidy_cap·10^18 / R⌋)` per unit.
///
/// `insurance = ⌊(pay_rate·P − receive_rate·R) / 10^18⌋` (towards −∞, so the fund never
/// books more than the vault keeps).
pub fn split_funding(
	premium_fraction: i128,
	long_size: u128,
	short_size: u128,
	mode: FundingMode,
	subsidy_cap: u128,
	side_cap: Option<u128>,
) -> MathResult<FundingSplit> {
	let longs_pay = premium_fraction > 0;
	let p = premium_fraction.unsigned_abs();
	let (paying, receiving) =
		if longs_pay { (long_size, short_size) } else { (short_size, long_size) };
	if p == 0 || (paying == 0 && receiving == 0) {
		return Ok(FundingSplit::default());
	}
	let (pay_rate, receive_rate) = if paying == 0 || receiving == 0 {
		let receive_rate = if receiving == 0 {
			0
		} else {
			p.min(subsidised_rate(U256::zero(), subsidy_cap, receiving)?)
		};
		(if paying == 0 { 0 } else { p }, receive_rate)
	} else {
		match mode {
			FundingMode::Balanced => balanced_rates(p, paying, receiving, side_cap)?,
			FundingMode::Symmetric => {
				let receive_rate = if receiving > paying {
					let collected =
						U256::from(p).checked_mul(U256::from(paying)).ok_or(MathError::Overflow)?;
					p.min(subsidised_rate(collected, subsidy_cap, receiving)?)
				} else {
					p
				};
				(p, receive_rate)
			},
		}
	};
	let collected =
		U256::from(pay_rate).checked_mul(U256::from(paying)).ok_or(MathError::Overflow)?;
	let distributed =
		U256::from(receive_rate).checked_mul(U256::from(receiving)).ok_or(MathError::Overflow)?;
	let insurance =
		fixed::signed_difference_div(collected, distributed, U256::from(ONE), Rounding::Down)?;
	let pay = fixed::to_signed(pay_rate)?;
	let receive = fixed::to_signed(receive_rate)?;
	let (long, short) = if longs_pay {
		(pay, receive)
	} else {
		(fixed::sub_signed(0, receive)?, fixed::sub_signed(0, pay)?)
	};
	Ok(FundingSplit { long, short, insurance })
}

/// The receiving rate `⌊(collected + subsidy·10^18) / receiving⌋` that the collected amount
/// (scaled by `10^18`) plus the subsidy can fund.
fn subsidised_rate(collected: U256, subsidy_cap: u128, receiving: u128) -> MathResult<u128> {
	let subsidy =
		U256::from(subsidy_cap).checked_mul(U256::from(ONE)).ok_or(MathError::Overflow)?;
	let budget = collected.checked_add(subsidy).ok_or(MathError::Overflow)?;
	let rate = fixed::div_u256(budget, U256::from(receiving), Rounding::Down)?;
	// A rate above `u128::MAX` is capped by `p` anyway.
	Ok(u128::try_from(rate).unwrap_or(u128::MAX))
}

/// `Balanced` per-unit rates `(⌈A / P⌉, ⌊A / R⌋)` with `A = p·⌊√(P·R)⌋`, capped.
fn balanced_rates(
	p: u128,
	paying: u128,
	receiving: u128,
	side_cap: Option<u128>,
) -> MathResult<(u128, u128)> {
	let product =
		U256::from(paying).checked_mul(U256::from(receiving)).ok_or(MathError::Overflow)?;
	let geometric = fixed::sqrt_u256(product, Rounding::Down);
	let mut transfer = U256::from(p).checked_mul(geometric).ok_or(MathError::Overflow)?;
	if let Some(cap) = side_cap {
		let limit = U256::from(cap)
			.checked_mul(U256::from(paying.min(receiving)))
			.ok_or(MathError::Overflow)?;
		transfer = transfer.min(limit);
	}
	let pay_rate =
		fixed::u256_to_u128(fixed::div_u256(transfer, U256::from(paying), Rounding::Up)?)?;
	let receive_rate =
		fixed::u256_to_u128(fixed::div_u256(transfer, U256::from(receiving), Rounding::Down)?)?;
	Ok((pay_rate, receive_rate))
}

/// One whole settlement from the TWAPs and the market's state: the premium fraction
/// ([`premium_fraction`]), the subsidy cap from the fund's balance ([`subsidy_cap`]) and the
/// split ([`split_funding`], side rates capped by the funding cap).
pub fn settle_funding(
	mark_twap: u128,
	index_twap: u128,
	long_size: u128,
	short_size: u128,
	insurance_balance: u128,
	params: &FundingParams,
) -> MathResult<FundingSplit> {
	let pf =
		premium_fraction(mark_twap, index_twap, params.funding_period, params.max_funding_rate)?;
	let subsidy = subsidy_cap(insurance_balance, params.max_funding_subsidy)?;
	let side_cap = funding_cap(index_twap, params.max_funding_rate)?;
	split_funding(pf, long_size, short_size, params.funding_mode, subsidy, side_cap)
}

/// Funding owed by a position: `(cum_now − cum_entry) · size / 10^18`, rounded towards +∞
/// (a payment rounds up, a receipt down). Positive = the position pays.
pub fn funding_payment(
	cumulative_now: i128,
	cumulative_at_entry: i128,
	size: i128,
) -> MathResult<i128> {
	let delta = fixed::sub_signed(cumulative_now, cumulative_at_entry)?;
	fixed::signed_product_div(delta, size, ONE, Rounding::Up)
}

/// Funding `position` owes at the market's current cumulative premiums (0 if empty).
pub fn pending_funding(position: &Position, premium: &CumulativePremium) -> MathResult<i128> {
	match Side::of_size(position.size) {
		Some(side) => {
			funding_payment(premium.for_side(side), position.last_cumulative_premium, position.size)
		},
		None => Ok(0),
	}
}
