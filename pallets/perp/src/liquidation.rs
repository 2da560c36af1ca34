//! Liquidation (docs/liquidation.md): who is liquidatable, how much is closed, and where the money
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
//! below maintenance, which docs/invariants.md#liquidation-leaves-the-account-healthy forbids.
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
	unrecovered: u128,
}

/// What backs a liquidated position, drawn on in order (module docs): the position's
/// margin, then (cross) the held collateral, then the other cross positions' margins by
/// market id. `pots` holds them in that order; the markets name the last ones.
struct Backing {
	pots: Vec<u128>,
	others: Vec<MarketId>,
}

impl Backing {
	/// Index of the held collateral in `pots` (cross positions only).
	const HELD: usize = 1;
	/// Index of the first other cross margin in `pots`.
	const OTHERS: usize = 2;

	fn margin_left(&self) -> u128 {
		self.pots.first().copied().unwrap_or(0)
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

		market
			.refresh_band(polkadot_sdk::frame_system::Pallet::<T>::block_number())
			.map_err(Error::<T>::from)?;
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
				unrecovered: cover.unrecovered,
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
		let before = backing.pots.clone();
		let owed = if last_cross {
			fixed::add(outcome.bad_debt, trader.debt).map_err(Error::<T>::from)?
		} else {
			outcome.bad_debt
		};
		let draw = rules::draw_liquidation(&mut backing.pots, owed, penalty, fee);
		let drawn = |pot: usize| {
			before
				.get(pot)
				.copied()
				.unwrap_or(0)
				.saturating_sub(backing.pots.get(pot).copied().unwrap_or(0))
		};

		// The hold's part enters the vault; the other positions' parts are already there.
		Self::commit_to_vault(who, drawn(Backing::HELD))?;
		for (offset, other) in backing.others.iter().enumerate() {
			let taken = drawn(Backing::OTHERS.saturating_add(offset));
			if taken > 0 {
				Positions::<T>::try_mutate(who, other, |stored| {
					let stored = stored.as_mut().ok_or(Error::<T>::NoPosition)?;
					stored.position.margin =
						stored.position.margin.checked_sub(taken).ok_or(Error::<T>::Underflow)?;
					Ok::<_, Error<T>>(())
				})?;
			}
		}
		let (reward, insurance_half, fee_paid, unpaid) =
			(draw.liquidator, draw.insurance, draw.fee, draw.unpaid);
		let liquidator_reward = Self::pay_liquidator(market_id, keeper, reward)?;
		Self::pay_into_insurance(market_id, InsuranceInflow::LiquidationPenalty, insurance_half)?;
		market.accrue_fee(fee_paid).map_err(Error::<T>::from)?;
		let margin_left = backing.margin_left();
		if closes && margin_left > 0 {
			if info.isolated {
				Self::pay_into_insurance(market_id, InsuranceInflow::ResidualMargin, margin_left)?;
			} else {
				Self::release_from_vault(who, margin_left)?;
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
			margin_left: if closes { 0 } else { margin_left },
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
		if info.isolated {
			return Ok(Backing { pots: alloc::vec![margin_amount], others: Vec::new() });
		}
		let mut others: Vec<(MarketId, u128)> = Positions::<T>::iter_prefix(who)
			.filter(|(other, stored)| *other != market_id && !stored.isolated)
			.map(|(other, stored)| (other, stored.position.margin))
			.collect();
		others.sort_by_key(|(other, _)| *other);
		let mut pots = alloc::vec![margin_amount, Self::held_collateral(who)];
		pots.extend(others.iter().map(|(_, margin_amount)| *margin_amount));
		Ok(Backing { pots, others: others.into_iter().map(|(other, _)| other).collect() })
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
	/// left, or taken from the convergence reserve when there is none. What even that cannot
	/// cover stays missing from the vault and is reported as `unrecovered` (see
	/// docs/decisions.md).
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
				Ok(BadDebtCover { insurance, socialised: uncovered, ..Default::default() })
			},
			Err(MathError::NoOpenInterest) => {
				let from_reserve = uncovered.min(market.convergence_reserve);
				market.convergence_reserve =
					market.convergence_reserve.saturating_sub(from_reserve);
				let unrecovered = uncovered.saturating_sub(from_reserve);
				Ok(BadDebtCover { insurance, socialised: 0, from_reserve, unrecovered })
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
