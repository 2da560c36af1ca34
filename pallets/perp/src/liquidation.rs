//! Liquidation (DESIGN §8): who is liquidatable, how much is closed, and where the money
//! goes, built on `perp_math::liquidation`.
//!
//! ## Money
//! The closed part settles its PnL and funding into the position's margin (in the vault).
//! Out of that margin, in this order: the liquidator's half of the penalty, the insurance
//! fund's half, the trading fee (split as any fee). A cross position is also backed by its
//! owner's held collateral: what the margin cannot pay, the hold pays. Then:
//! - partial: what is left stays as the position's margin;
//! - full, isolated: the residual margin goes to the insurance fund (DESIGN §8);
//! - full, cross: the residual returns to the owner's held collateral. The design's "residual
//!   to the fund" fits isolated margin, which exists for that position alone; a cross
//!   account's collateral backs its other positions too, and seizing it would charge a
//!   cross trader far more than the penalty.
//!
//! A loss beyond all of that is bad debt. The insurance fund pays it into the vault up to
//! the market's claim cap; the rest is socialised through both sides' cumulative funding
//! pro rata to open interest (the vault collects it as those positions settle funding),
//! or, with no open interest left to carry it, taken from the market's convergence reserve.
//! The liquidator's half is always paid: from the insurance fund when the margin is gone.
//!
//! ## Who is liquidatable
//! MR below `maintenance_margin_ratio`, with MR on the curve, or, when the mark is more than
//! `oracle_mr_divergence` away from a fresh index, the better of the curve MR and the MR
//! with this position valued at the index (the account's other positions stay on their
//! curves). A cross account is liquidated through the position with the largest
//! maintenance requirement (`notional · maintenance_margin_ratio`) first; naming another of
//! its positions fails with `NotLargestRequirement`.
//!
//! ## How much
//! Partial when MR ≥ `full_liquidation_ratio` and the position's notional is at least
//! `min_partial_notional`, full otherwise. A partial liquidation closes the smallest
//! portion that restores `MR ≥ maintenance + liquidation_buffer` (solved on the curve with
//! the fee and the penalty), or with a fixed `partial_liquidation_ratio` the larger of that
//! portion and the minimal one: the fixed portion alone may leave the account below
//! maintenance, which DESIGN §14.3 forbids.
//!
//! Liquidations are exempt from the sandwich guard and the mark/index divergence guard
//! (they must go on when the mark runs away); the fluctuation band applies as for any close.
//! They pay the base `fee_ratio`: dynamic fee levels steer discretionary trades.

use crate::{
	guards,
	market::refresh_band,
	pallet::{Config, Error, Event, MarketOf, Markets, Pallet, Positions, Traders},
	trading::{accrue_fee, updated_open_interest},
	traits::{InsuranceFund, InsuranceInflow, InsuranceOutflow},
	types::{MarketId, PositionInfo},
};
use perp_math::{
	fees, fixed,
	liquidation::{self as rules, LiquidationAmount, LiquidationInput, LiquidationKind},
	margin, position, MathError, TradeOutcome,
};
use polkadot_sdk::{
	frame_support::{ensure, traits::Get},
	sp_runtime::DispatchError,
};

/// Who earns the liquidator's half of the penalty.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Liquidator<AccountId> {
	/// A keeper's signed call.
	Keeper(AccountId),
	/// An offchain worker's authorised transaction: the author of the block.
	BlockAuthor,
}

/// A position's risk as liquidation sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Assessment {
	/// The MR liquidation uses.
	pub margin_ratio: i128,
	/// The position's exit value on the curve.
	pub notional: u128,
	/// Equity without this position's uPnL: its margin less funding (isolated), or the
	/// account's held collateral, cross margins, other uPnL, less all funding (cross).
	pub base_equity: i128,
	/// The notional of the account's other cross positions (0 for isolated).
	pub other_notional: u128,
}

/// What a liquidation did, as reported in `PositionLiquidated`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct LiquidationReceipt {
	pub exchanged_size: i128,
	pub exchanged_notional: u128,
	pub fee: u128,
	pub penalty: u128,
	pub liquidator_reward: u128,
	pub realized_pnl: i128,
	pub funding_payment: i128,
	pub bad_debt: u128,
	/// Margin the remaining position keeps (0 after a full liquidation).
	pub margin_left: u128,
}

/// How a bad debt was absorbed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
struct BadDebtCover {
	insurance: u128,
	socialised: u128,
	from_reserve: u128,
}

impl<T: Config> Pallet<T> {
	/// Liquidates `who`'s position in `market_id` (see the module docs).
	pub(crate) fn do_liquidate(
		who: &T::AccountId,
		market_id: MarketId,
		liquidator: Liquidator<T::AccountId>,
	) -> Result<(), DispatchError> {
		let mut market = Self::tradable_market(market_id)?;
		let stored = Positions::<T>::get(who, market_id).ok_or(Error::<T>::NoPosition)?;
		let info = Self::catch_up_position(market_id, &mut market, stored)?;
		let assessment = Self::liquidation_assessment(who, market_id, &info, &market)?;
		let kind = rules::liquidation_kind(
			assessment.margin_ratio,
			assessment.notional,
			&market.params.liquidation_params(),
		)
		.map_err(Error::<T>::from)?;
		let base = liquidated_base::<T>(&info, &market, &assessment, kind)?;

		refresh_band::<T>(&mut market)?;
		let outcome =
			position::reduce(&info.position, market.reserves, base, &market.cumulative_premium)
				.map_err(Error::<T>::from)?;
		let mark_before = market.reserves.mark_price().map_err(Error::<T>::from)?;
		let mark_after = outcome.reserves.mark_price().map_err(Error::<T>::from)?;
		guards::ensure_within_band::<T>(&mut market, mark_before, mark_after, false)?;
		market.open_interest =
			updated_open_interest::<T>(market.open_interest, &info.position, &outcome.position)?;
		market.reserves = outcome.reserves;
		market.net_size =
			fixed::add_signed(market.net_size, outcome.exchanged_size).map_err(Error::<T>::from)?;

		let keeper = Self::keeper_account(liquidator);
		let receipt = Self::settle_liquidation_money(
			who,
			market_id,
			&mut market,
			&info,
			&outcome,
			keeper.as_ref(),
		)?;
		let cover = Self::absorb_bad_debt(market_id, &mut market, receipt.bad_debt)?;
		let mut after = PositionInfo { position: outcome.position, ..info };
		after.position.margin = receipt.margin_left;
		crate::liquidity::count_position_change::<T>(&mut market, true, after.position.size != 0)?;
		Markets::<T>::insert(market_id, &market);
		let mut trader = Traders::<T>::get(who);
		Self::store_position(who, &mut trader, market_id, true, &after)?;
		Self::store_trader(who, trader);
		Self::deposit_event(Event::PositionLiquidated {
			who: who.clone(),
			market: market_id,
			liquidator: keeper,
			full: after.position.size == 0,
			margin_ratio: assessment.margin_ratio,
			exchanged_size: receipt.exchanged_size,
			exchanged_notional: receipt.exchanged_notional,
			fee: receipt.fee,
			penalty: receipt.penalty,
			liquidator_reward: receipt.liquidator_reward,
			realized_pnl: receipt.realized_pnl,
			funding_payment: receipt.funding_payment,
			bad_debt: receipt.bad_debt,
			size: after.position.size,
			margin: after.position.margin,
			mark_price: mark_after,
		});
		if receipt.bad_debt > 0 {
			Self::deposit_event(Event::BadDebtSettled {
				who: who.clone(),
				market: market_id,
				bad_debt: receipt.bad_debt,
				covered_by_insurance: cover.insurance,
				socialised: cover.socialised,
				from_convergence_reserve: cover.from_reserve,
			});
		}
		Ok(())
	}

	/// `Ok(assessment)` if `who`'s position in `market_id` may be liquidated now: the market
	/// trades, the position exists, its MR is below maintenance and, for a cross position, it
	/// carries the account's largest maintenance requirement.
	pub fn liquidatable(who: &T::AccountId, market_id: MarketId) -> Result<Assessment, Error<T>> {
		let market = Self::tradable_market(market_id)?;
		let stored = Positions::<T>::get(who, market_id).ok_or(Error::<T>::NoPosition)?;
		let info = Self::current_position(market_id, &market, stored)?;
		Self::liquidation_assessment(who, market_id, &info, &market)
	}

	fn liquidation_assessment(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		market: &MarketOf<T>,
	) -> Result<Assessment, Error<T>> {
		let assessment = Self::below_maintenance(who, market_id, info, market)?;
		if !info.isolated {
			ensure!(
				Self::largest_cross_requirement(who)? == Some(market_id),
				Error::<T>::NotLargestRequirement
			);
		}
		Ok(assessment)
	}

	/// The position's assessment if its liquidation MR is below maintenance.
	pub(crate) fn below_maintenance(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		market: &MarketOf<T>,
	) -> Result<Assessment, Error<T>> {
		let assessment = Self::assess(who, market_id, info, market)?;
		ensure!(
			!margin::meets_margin_ratio(
				assessment.margin_ratio,
				fixed::ONE,
				market.params.maintenance_margin_ratio
			),
			Error::<T>::NotLiquidatable
		);
		Ok(assessment)
	}

	/// The position's liquidation MR and what the partial-amount solver needs.
	pub(crate) fn assess(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		market: &MarketOf<T>,
	) -> Result<Assessment, Error<T>> {
		let risk = Self::position_risk(who, market_id, info, market)?;
		let curve_equity = fixed::add_signed(risk.base_equity, risk.value.unrealized_pnl)?;
		let curve_notional = fixed::add(risk.value.notional, risk.other_notional)?;
		let curve_mr = margin::margin_ratio(curve_equity, curve_notional)?;
		let margin_ratio = match Self::fresh_index(market) {
			Some(index) => {
				let size = info.position.size;
				let at_index = margin::notional_at_price(size, index)?;
				let pnl = position::unrealized_pnl(size, info.position.open_notional, at_index)?;
				let index_mr = margin::margin_ratio(
					fixed::add_signed(risk.base_equity, pnl)?,
					fixed::add(at_index, risk.other_notional)?,
				)?;
				margin::liquidation_margin_ratio(
					curve_mr,
					index_mr,
					market.reserves.mark_price()?,
					index,
					market.params.oracle_mr_divergence,
				)?
			},
			None => curve_mr,
		};
		Ok(Assessment {
			margin_ratio,
			notional: risk.value.notional,
			base_equity: risk.base_equity,
			other_notional: risk.other_notional,
		})
	}

	/// The cross position with the largest maintenance requirement (ties: the lowest market
	/// id), `None` without cross positions.
	pub(crate) fn largest_cross_requirement(
		who: &T::AccountId,
	) -> Result<Option<MarketId>, Error<T>> {
		let mut largest: Option<(u128, MarketId)> = None;
		for (market_id, info) in Positions::<T>::iter_prefix(who) {
			if info.isolated {
				continue;
			}
			let market = Self::market(market_id)?;
			let info = Self::current_position(market_id, &market, info)?;
			let notional = perp_math::curve::exit_value(market.reserves, info.position.size)?;
			let requirement = fixed::mul_ratio(
				notional,
				market.params.maintenance_margin_ratio,
				perp_math::Rounding::Up,
			)?;
			let wins = match largest {
				None => true,
				Some((best, best_id)) => {
					requirement > best || (requirement == best && market_id < best_id)
				},
			};
			if wins {
				largest = Some((requirement, market_id));
			}
		}
		Ok(largest.map(|(_, market_id)| market_id))
	}

	/// Pays the penalty halves and the fee out of the closed position's margin (and, for a
	/// cross position, its owner's hold), and settles the residual of a full liquidation.
	fn settle_liquidation_money(
		who: &T::AccountId,
		market_id: MarketId,
		market: &mut MarketOf<T>,
		info: &PositionInfo,
		outcome: &TradeOutcome,
		keeper: Option<&T::AccountId>,
	) -> Result<LiquidationReceipt, DispatchError> {
		let quote = outcome.exchanged_notional;
		let fee = fees::fee_amount(quote, market.params.fee_ratio).map_err(Error::<T>::from)?;
		let penalty = rules::liquidation_penalty(quote, market.params.liquidation_fee_ratio)
			.map_err(Error::<T>::from)?;
		let closes = outcome.position.size == 0;
		let position_margin =
			if closes { outcome.released_margin } else { outcome.position.margin };

		// A cross position's loss beyond its margin is first owed by its owner's hold.
		let mut shortfall = outcome.bad_debt;
		let mut hold = if info.isolated { 0 } else { Self::held_collateral(who) };
		let from_hold_for_loss = shortfall.min(hold);
		Self::commit_to_vault(who, from_hold_for_loss)?;
		shortfall = shortfall.saturating_sub(from_hold_for_loss);
		hold = hold.saturating_sub(from_hold_for_loss);

		let backing = fixed::add(position_margin, hold).map_err(Error::<T>::from)?;
		let available = fixed::sub_signed(
			fixed::to_signed(backing).map_err(Error::<T>::from)?,
			fixed::to_signed(shortfall).map_err(Error::<T>::from)?,
		)
		.map_err(Error::<T>::from)?;
		let settlement = rules::settle_liquidation(available, fee, penalty);
		let reward_from_margin = settlement
			.liquidator_reward
			.saturating_sub(settlement.liquidator_reward_from_insurance);
		let costs = reward_from_margin
			.saturating_add(settlement.insurance_penalty)
			.saturating_add(settlement.fee);
		// What the margin cannot pay comes from the hold (cross only: `hold` is 0 otherwise).
		Self::commit_to_vault(who, costs.saturating_sub(position_margin))?;

		let liquidator_reward = Self::pay_liquidator(
			market_id,
			keeper,
			reward_from_margin,
			settlement.liquidator_reward_from_insurance,
		)?;
		Self::pay_into_insurance(
			market_id,
			InsuranceInflow::LiquidationPenalty,
			settlement.insurance_penalty,
		)?;
		accrue_fee::<T>(market, settlement.fee)?;

		let margin_left = position_margin.saturating_sub(costs);
		if closes && margin_left > 0 {
			if info.isolated {
				Self::pay_into_insurance(market_id, InsuranceInflow::ResidualMargin, margin_left)?;
			} else {
				Self::release_from_vault(who, margin_left)?;
			}
		}
		Ok(LiquidationReceipt {
			exchanged_size: outcome.exchanged_size,
			exchanged_notional: quote,
			fee: settlement.fee,
			penalty,
			liquidator_reward,
			realized_pnl: outcome.realized_pnl,
			funding_payment: outcome.funding_payment,
			bad_debt: settlement.bad_debt,
			margin_left: if closes { 0 } else { margin_left },
		})
	}

	/// The liquidator's account: the keeper, or the block author for offchain workers
	/// (`None` when the author is unknown: the fund keeps that half).
	fn keeper_account(liquidator: Liquidator<T::AccountId>) -> Option<T::AccountId> {
		match liquidator {
			Liquidator::Keeper(keeper) => Some(keeper),
			Liquidator::BlockAuthor => T::BlockAuthor::get(),
		}
	}

	/// Pays the liquidator `from_margin` out of the vault and `from_insurance` out of the
	/// fund. A payment the liquidator's account cannot receive (no account and less than
	/// the existential deposit) goes to, or stays in, the fund. Returns what the liquidator
	/// received.
	fn pay_liquidator(
		market_id: MarketId,
		keeper: Option<&T::AccountId>,
		from_margin: u128,
		from_insurance: u128,
	) -> Result<u128, DispatchError> {
		let paid_from_margin = match keeper {
			Some(keeper) if Self::pay_from_vault(keeper, from_margin).is_ok() => from_margin,
			_ => {
				Self::pay_into_insurance(
					market_id,
					InsuranceInflow::LiquidationPenalty,
					from_margin,
				)?;
				0
			},
		};
		let paid_from_insurance = match keeper {
			Some(keeper) if from_insurance > 0 => T::InsuranceFund::pay(
				market_id,
				InsuranceOutflow::LiquidatorReward,
				keeper,
				from_insurance,
			)
			.unwrap_or(0),
			_ => 0,
		};
		Ok(paid_from_margin.saturating_add(paid_from_insurance))
	}

	/// Moves `amount` from the vault into the insurance fund and tells the fund why.
	pub(crate) fn pay_into_insurance(
		market_id: MarketId,
		inflow: InsuranceInflow,
		amount: u128,
	) -> Result<(), Error<T>> {
		if amount == 0 {
			return Ok(());
		}
		Self::pay_from_vault(&T::InsuranceFund::account(), amount)?;
		T::InsuranceFund::on_received(market_id, inflow, amount);
		Ok(())
	}

	/// Covers `bad_debt` (already missing from the vault): the insurance fund pays into the
	/// vault up to its cap; the rest is socialised over the open interest left, or taken
	/// from the convergence reserve when there is none.
	fn absorb_bad_debt(
		market_id: MarketId,
		market: &mut MarketOf<T>,
		bad_debt: u128,
	) -> Result<BadDebtCover, DispatchError> {
		if bad_debt == 0 {
			return Ok(BadDebtCover::default());
		}
		let insurance = T::InsuranceFund::pay(
			market_id,
			InsuranceOutflow::BadDebt,
			&Self::vault_account(),
			bad_debt,
		)?;
		let uncovered = bad_debt.saturating_sub(insurance);
		if uncovered == 0 {
			return Ok(BadDebtCover { insurance, ..Default::default() });
		}
		let oi = market.open_interest;
		match rules::socialise_loss(uncovered, oi.long_size, oi.short_size) {
			Ok(split) => {
				market.cumulative_premium =
					market.cumulative_premium.apply(&split).map_err(Error::<T>::from)?;
				Self::deposit_event(Event::LossSocialised {
					market: market_id,
					amount: uncovered,
					per_unit: split.long,
				});
				Ok(BadDebtCover { insurance, socialised: uncovered, from_reserve: 0 })
			},
			Err(MathError::NoOpenInterest) => {
				let from_reserve = uncovered.min(market.convergence_reserve);
				market.convergence_reserve =
					market.convergence_reserve.saturating_sub(from_reserve);
				Ok(BadDebtCover { insurance, socialised: 0, from_reserve })
			},
			Err(error) => Err(Error::<T>::from(error).into()),
		}
	}
}

/// The base a liquidation of `kind` closes.
fn liquidated_base<T: Config>(
	info: &PositionInfo,
	market: &MarketOf<T>,
	assessment: &Assessment,
	kind: LiquidationKind,
) -> Result<u128, Error<T>> {
	let size = info.position.size.unsigned_abs();
	if kind == LiquidationKind::Full {
		return Ok(size);
	}
	let input = LiquidationInput {
		position: info.position,
		reserves: market.reserves,
		base_equity: assessment.base_equity,
		other_notional: assessment.other_notional,
		fee_ratio: market.params.fee_ratio,
	};
	let params = market.params.liquidation_params();
	let minimal = rules::partial_liquidation_amount(
		&input,
		&perp_math::LiquidationParams { partial_liquidation_ratio: 0, ..params },
	);
	let minimal = match minimal {
		Ok(LiquidationAmount::Partial(base)) => base,
		Ok(LiquidationAmount::Full) => return Ok(size),
		Err(error) => return Err(error.into()),
	};
	if params.partial_liquidation_ratio == 0 {
		return Ok(minimal);
	}
	match rules::partial_liquidation_amount(&input, &params)? {
		LiquidationAmount::Partial(fixed_portion) => Ok(fixed_portion.max(minimal)),
		LiquidationAmount::Full => Ok(size),
	}
}
