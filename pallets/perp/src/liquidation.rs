//! Liquidation (DESIGN §8): who is liquidatable, how much is closed, and where the money
//! goes, built on `perp_math::liquidation`.
//!
//! ## Who is liquidatable
//! A position (isolated) or a cross account whose margin ratio is below
//! `maintenance_margin_ratio` both on the curve and at the fair price (see
//! [`crate::collateral`]: each position valued as if its mark stood at the worse of the mark
//! TWAP over `liquidation_twap_window` and a fresh index, on a curve of the same depth). A
//! keeper who pushes the mark inside the fluctuation band cannot liquidate a position that
//! is healthy at a price no trade moves; a real fall, which the index leads, liquidates at
//! once. In steady state (the mark held at a price for the window) the fair price is the
//! mark or worse, so the liquidation price `PerpApi` reports, computed on the curve, is
//! exactly where liquidation starts.
//!
//! A cross account is liquidated through its position with the largest maintenance
//! requirement (`notional · maintenance_margin_ratio`, ties: the lowest market id) first;
//! naming another of its positions fails with `NotLargestRequirement`. Each liquidation
//! handles that one position; the next call takes the next largest while the account is
//! still below maintenance.
//!
//! ## How much
//! Partial when the liquidation MR is at least `full_liquidation_ratio` and the position's
//! notional at least `min_partial_notional`, full otherwise. A partial liquidation closes the
//! smallest portion that restores `MR ≥ maintenance + liquidation_buffer` on the curve
//! (solved with the fee and the penalty), or with a fixed `partial_liquidation_ratio` the
//! larger of that portion and the minimal one: the fixed portion alone may leave the account
//! below maintenance, which DESIGN §14.3 forbids.
//!
//! ## Money
//! The closed part settles its PnL and funding into the position's margin. Everything that
//! backs the position is drawn on in this order: its own margin; for a cross position, then
//! its owner's held collateral and the margins of the owner's other cross positions (by
//! market id). It pays, in this order:
//! 1. the loss beyond the position's margin (and, when this closes the account's last cross
//!    position, the account's debt);
//! 2. the liquidator's half of the penalty, the insurance fund's half, the trading fee.
//!
//! Then a partial liquidation leaves what is left of its margin on the position; a full one
//! sends it to the insurance fund (isolated: that margin existed for this position alone) or
//! back to the owner's held collateral (cross: it backs the rest of the account).
//!
//! A loss still unpaid is **debt** while the account keeps other cross positions: their
//! unrealised profit may still cover it, so the fund pays nothing for an account whose whole
//! cross equity is positive. Only what is unpaid when the last cross position closes (or an
//! isolated position's loss beyond its margin) is bad debt: the insurance fund pays it into
//! the vault within the market's outflow cap; the rest is socialised through both sides'
//! cumulative funding pro rata to open interest (the vault collects it as those positions
//! settle funding), or, with no open interest left, taken from the convergence reserve.
//!
//! Unpaid costs (penalty halves, fee) are forgone, never owed and never paid by the fund: a
//! reward paid from the fund would make liquidating one's own bankrupt position profitable.
//!
//! Liquidations are exempt from the sandwich guard, the mark/index divergence guard and a
//! market's pause (a paused market is reduce-only); the fluctuation band applies as for any
//! close. They pay the base `fee_ratio`: dynamic fee levels steer discretionary trades.

use crate::{
	collateral::Valuation,
	guards,
	market::refresh_band,
	pallet::{Config, Error, Event, MarketOf, Markets, Pallet, Positions, Traders},
	traits::{InsuranceFund, InsuranceInflow, InsuranceOutflow},
	types::{MarketId, PositionInfo, TraderState},
};
use alloc::vec::Vec;
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
	/// The MR liquidation uses: the better of the curve MR and the fair-price MR (the curve
	/// MR alone while it meets maintenance).
	pub margin_ratio: i128,
	/// The MR on the curve.
	pub curve_margin_ratio: i128,
	/// The position's exit value on the curve.
	pub notional: u128,
	/// Equity without this position's uPnL, on the curve: its margin less funding
	/// (isolated), or the account's held collateral, cross margins, other uPnL, less all
	/// funding and the debt (cross).
	pub base_equity: i128,
	/// The notional of the account's other cross positions (0 for isolated).
	pub other_notional: u128,
}

/// What a liquidation did, as reported in `PositionLiquidated`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct LiquidationReceipt {
	pub fee: u128,
	pub penalty: u128,
	pub liquidator_reward: u128,
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

/// What backs a liquidated position, drawn on in order (module docs): the position's
/// margin, then (cross) the held collateral, then the other cross positions' margins.
struct Backing {
	margin: u128,
	held: u128,
	others: Vec<(MarketId, u128)>,
	from_held: u128,
	from_others: Vec<u128>,
}

impl Backing {
	/// Draws up to `amount`; returns what it could draw.
	fn draw(&mut self, amount: u128) -> u128 {
		let mut left = amount;
		let mut take = |pot: &mut u128| {
			let taken = left.min(*pot);
			*pot = pot.saturating_sub(taken);
			left = left.saturating_sub(taken);
			taken
		};
		take(&mut self.margin);
		self.from_held = self.from_held.saturating_add(take(&mut self.held));
		for ((_, margin_amount), drawn) in self.others.iter_mut().zip(self.from_others.iter_mut()) {
			*drawn = drawn.saturating_add(take(margin_amount));
		}
		amount.saturating_sub(left)
	}
}

impl<T: Config> Pallet<T> {
	/// `liquidate` as the call runs it: the market's due funding settlement (a failed one is
	/// reported, not fatal), then the liquidation. `true` if funding was due (weight).
	pub(crate) fn liquidate_call(
		who: &T::AccountId,
		market_id: MarketId,
		liquidator: Liquidator<T::AccountId>,
	) -> Result<bool, DispatchError> {
		let settled = Self::try_settle_funding(market_id)?;
		Self::do_liquidate(who, market_id, liquidator)?;
		Ok(settled)
	}

	/// Liquidates `who`'s position in `market_id` (see the module docs).
	pub(crate) fn do_liquidate(
		who: &T::AccountId,
		market_id: MarketId,
		liquidator: Liquidator<T::AccountId>,
	) -> Result<(), DispatchError> {
		let mut market = Self::market(market_id)?;
		let stored = Positions::<T>::get(who, market_id).ok_or(Error::<T>::NoPosition)?;
		let info = Self::catch_up_position(&mut market, stored)?;
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
		market.book_position_change(&info.position, &outcome).map_err(Error::<T>::from)?;

		let mut trader = Traders::<T>::get(who);
		let keeper = Self::keeper_account(liquidator);
		let receipt = Self::settle_liquidation_money(
			who,
			market_id,
			&mut market,
			&info,
			&outcome,
			keeper.as_ref(),
			&mut trader,
		)?;
		let cover = Self::absorb_bad_debt(market_id, &mut market, receipt.bad_debt)?;
		let mut after = PositionInfo { position: outcome.position, ..info };
		after.position.margin = receipt.margin_left;
		Markets::<T>::insert(market_id, &market);
		Self::store_position(who, &mut trader, market_id, true, &after)?;
		Self::store_trader(who, &trader);
		Self::deposit_event(Event::PositionLiquidated {
			who: who.clone(),
			market: market_id,
			liquidator: keeper,
			full: after.position.size == 0,
			margin_ratio: assessment.margin_ratio,
			exchanged_size: outcome.exchanged_size,
			exchanged_notional: outcome.exchanged_notional,
			fee: receipt.fee,
			penalty: receipt.penalty,
			liquidator_reward: receipt.liquidator_reward,
			realized_pnl: outcome.realized_pnl,
			funding_payment: outcome.funding_payment,
			bad_debt: receipt.bad_debt,
			debt: trader.debt,
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

	/// `Ok(assessment)` if `who`'s position in `market_id` may be liquidated now: the position
	/// exists, its liquidation MR is below maintenance and, for a cross position, it carries
	/// the account's largest maintenance requirement. (A paused market is reduce-only: its
	/// positions can be liquidated.)
	pub fn liquidatable(who: &T::AccountId, market_id: MarketId) -> Result<Assessment, Error<T>> {
		let market = Self::market(market_id)?;
		let stored = Positions::<T>::get(who, market_id).ok_or(Error::<T>::NoPosition)?;
		let info = Self::current_position(&market, stored)?;
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

	/// The position's liquidation MR and what the partial-amount solver needs. The fair-price
	/// valuation, which reads every involved market's price history, is only needed when the
	/// curve MR is below maintenance.
	pub(crate) fn assess(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		market: &MarketOf<T>,
	) -> Result<Assessment, Error<T>> {
		let curve = Self::position_risk(who, market_id, info, market, Valuation::Curve)?;
		let curve_margin_ratio = curve.margin_ratio()?;
		let maintenance = market.params.maintenance_margin_ratio;
		let margin_ratio =
			if margin::meets_margin_ratio(curve_margin_ratio, fixed::ONE, maintenance) {
				curve_margin_ratio
			} else {
				// A fair valuation out of arithmetic range cannot shield the position: the curve,
				// where it would be closed, decides.
				Self::position_risk(who, market_id, info, market, Valuation::Fair)
					.ok()
					.and_then(|fair| fair.margin_ratio().ok())
					.map_or(curve_margin_ratio, |fair| fair.max(curve_margin_ratio))
			};
		Ok(Assessment {
			margin_ratio,
			curve_margin_ratio,
			notional: curve.value.notional,
			base_equity: curve.base_equity,
			other_notional: curve.other_notional,
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
			let info = Self::current_position(&market, info)?;
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

	/// Draws the loss, the penalty halves and the fee on what backs the closed position (see
	/// the module docs), moves the money, and books the debt. Returns what was paid and what
	/// is left as bad debt.
	fn settle_liquidation_money(
		who: &T::AccountId,
		market_id: MarketId,
		market: &mut MarketOf<T>,
		info: &PositionInfo,
		outcome: &TradeOutcome,
		keeper: Option<&T::AccountId>,
		trader: &mut TraderState,
	) -> Result<LiquidationReceipt, DispatchError> {
		let quote = outcome.exchanged_notional;
		let fee = fees::fee_amount(quote, market.params.fee_ratio).map_err(Error::<T>::from)?;
		let penalty = rules::liquidation_penalty(quote, market.params.liquidation_fee_ratio)
			.map_err(Error::<T>::from)?;
		let closes = outcome.position.size == 0;
		let last_cross = !info.isolated && closes && trader.cross_positions <= 1;

		let mut backing = Self::backing(who, market_id, info, outcome)?;
		let owed = if last_cross {
			fixed::add(outcome.bad_debt, trader.debt).map_err(Error::<T>::from)?
		} else {
			outcome.bad_debt
		};
		let unpaid = owed.saturating_sub(backing.draw(owed));
		let halves = rules::split_penalty(penalty);
		let reward = backing.draw(halves.liquidator);
		let insurance_half = backing.draw(halves.insurance);
		let fee_paid = backing.draw(fee);

		// The hold's part enters the vault; the other positions' parts are already there.
		Self::commit_to_vault(who, backing.from_held)?;
		for ((other, _), drawn) in backing.others.iter().zip(backing.from_others.iter()) {
			if *drawn > 0 {
				Positions::<T>::try_mutate(who, other, |stored| {
					let stored = stored.as_mut().ok_or(Error::<T>::NoPosition)?;
					stored.position.margin =
						stored.position.margin.checked_sub(*drawn).ok_or(Error::<T>::Underflow)?;
					Ok::<_, Error<T>>(())
				})?;
			}
		}
		let liquidator_reward = Self::pay_liquidator(market_id, keeper, reward)?;
		Self::pay_into_insurance(market_id, InsuranceInflow::LiquidationPenalty, insurance_half)?;
		market.accrue_fee(fee_paid).map_err(Error::<T>::from)?;
		if closes && backing.margin > 0 {
			if info.isolated {
				Self::pay_into_insurance(
					market_id,
					InsuranceInflow::ResidualMargin,
					backing.margin,
				)?;
			} else {
				Self::release_from_vault(who, backing.margin)?;
			}
		}

		let bad_debt = if info.isolated || last_cross {
			trader.debt = if last_cross { 0 } else { trader.debt };
			unpaid
		} else {
			trader.debt = fixed::add(trader.debt, unpaid).map_err(Error::<T>::from)?;
			0
		};
		Ok(LiquidationReceipt {
			fee: fee_paid,
			penalty,
			liquidator_reward,
			bad_debt,
			margin_left: if closes { 0 } else { backing.margin },
		})
	}

	/// What backs the position `outcome` closed (part of): its margin after the closed part's
	/// PnL and funding; for a cross position also the held collateral and the other cross
	/// positions' margins, by market id.
	fn backing(
		who: &T::AccountId,
		market_id: MarketId,
		info: &PositionInfo,
		outcome: &TradeOutcome,
	) -> Result<Backing, Error<T>> {
		let margin_amount = if outcome.position.size == 0 {
			outcome.released_margin
		} else {
			outcome.position.margin
		};
		let mut backing = Backing {
			margin: margin_amount,
			held: 0,
			others: Vec::new(),
			from_held: 0,
			from_others: Vec::new(),
		};
		if info.isolated {
			return Ok(backing);
		}
		backing.held = Self::held_collateral(who);
		backing.others = Positions::<T>::iter_prefix(who)
			.filter(|(other, stored)| *other != market_id && !stored.isolated)
			.map(|(other, stored)| (other, stored.position.margin))
			.collect();
		backing.others.sort_by_key(|(other, _)| *other);
		backing.from_others = alloc::vec![0; backing.others.len()];
		Ok(backing)
	}

	/// The liquidator's account: the keeper, or the block author for offchain workers
	/// (`None` when the author is unknown: the fund keeps that half).
	fn keeper_account(liquidator: Liquidator<T::AccountId>) -> Option<T::AccountId> {
		match liquidator {
			Liquidator::Keeper(keeper) => Some(keeper),
			Liquidator::BlockAuthor => T::BlockAuthor::get(),
		}
	}

	/// Pays the liquidator `reward` out of the vault. A payment the liquidator's account
	/// cannot receive (no account and less than the existential deposit) goes to the fund.
	/// Returns what the liquidator received.
	fn pay_liquidator(
		market_id: MarketId,
		keeper: Option<&T::AccountId>,
		reward: u128,
	) -> Result<u128, DispatchError> {
		match keeper {
			Some(keeper) if Self::pay_from_vault(keeper, reward).is_ok() => Ok(reward),
			_ => {
				Self::pay_into_insurance(market_id, InsuranceInflow::LiquidationPenalty, reward)?;
				Ok(0)
			},
		}
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
	/// vault within the market's outflow cap; the rest is socialised over the open interest
	/// left, or taken from the convergence reserve when there is none.
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
		// Per unit of the sizes known in the current curve's units: the stale ones pay it too
		// once remapped, so this can only over-collect.
		let (long_size, short_size) = market.remapped_open_interest();
		match rules::socialise_loss(uncovered, long_size, short_size) {
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
