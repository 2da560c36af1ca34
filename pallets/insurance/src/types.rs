//! Stored and reported types: where money came from or went to, a market's claim window
//! (what it drew in the current period), and the fund's state as the runtime API reports it.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Where an inflow into the fund came from (docs/fees-and-insurance.md#the-insurance-fund).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum InflowSource {
	/// The insurance share of a trading fee.
	Fee,
	/// The fund's half of a liquidation penalty.
	LiquidationPenalty,
	/// Margin left over after a full liquidation.
	ResidualMargin,
	/// Funding the protocol received (e.g. an imbalance in its favour).
	FundingIncome,
	/// The part of a liquidity-migration provision the migration turned out not to need.
	MigrationRefund,
	/// A donation (`contribute`).
	Contribution,
}

/// What an outflow from the fund paid for (docs/fees-and-insurance.md#the-insurance-fund).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum OutflowPurpose {
	/// A bankrupt account's loss beyond everything that backed it.
	BadDebt,
	/// Funding the protocol pays when the sides' payments do not balance.
	FundingSubsidy,
	/// The cost of converging a market beyond its convergence reserve.
	ConvergenceCost,
	/// A provision for what a liquidity migration may add to the AMM's debt, beyond the
	/// market's convergence reserve (what is not needed comes back as
	/// [`InflowSource::MigrationRefund`]).
	MigrationCost,
}

/// What a market drew from the fund in its current claim period.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct ClaimWindow<BlockNumber> {
	/// The block the period started in; it ends `ClaimPeriod` blocks later.
	pub period_start: BlockNumber,
	/// Paid to the market in this period, for every purpose.
	pub claimed: u128,
	/// The market's cap when `claimed` was last increased (`claimed ≤ cap`).
	pub cap: u128,
}

/// The fund's state, as the `InsuranceApi` runtime API reports it. Amounts are raw
/// 18-decimal token units.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct InsuranceState<AccountId> {
	/// The fund's account.
	pub account: AccountId,
	/// The fund account's balance.
	pub balance: u128,
	/// What the fund can pay out and stay alive (balance less the existential deposit).
	pub available: u128,
	/// Governance may withdraw only what is above this (or the existential deposit, if
	/// higher).
	pub target_balance: u128,
	/// An event is emitted whenever the balance crosses this level.
	pub low_watermark: u128,
	/// What governance may withdraw now: balance above `max(target_balance, ED)`.
	pub surplus: u128,
	/// What a market without an override may draw per claim period, for every purpose.
	pub default_claim_cap: u128,
	/// Length of a claim period, in blocks.
	pub claim_period: u64,
	/// Whether the balance was below `low_watermark` when last observed.
	pub below_low_watermark: bool,
}
