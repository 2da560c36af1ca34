//! Liquidation: who is liquidatable, partial (minimal and fixed portion) and full, the
//! penalty split, residual margin, bad debt covered by the fund and socialised beyond its
//! cap, cross accounts, keepers and block authors.
//!
//! Market 0 is 100 base / 1000 quote (mark 10), every guard off. Alice opens a 5x long of
//! 500 notional; Bob's short then pushes the mark down until Alice's MR is where the test
//! wants it. Amounts are checked exactly against the formulas of docs/liquidation.md: penalty
//! `⌈Q · 2.5 %⌉` split `⌊/2⌋` to the liquidator, fee `⌈Q · 0.3 %⌉`, residual =
//! margin + realised PnL − penalty − fee.

use crate::{mock::*, pallet::*, InsuranceInflow, MarketParams, PositionInfo};
use perp_math::Side;
use polkadot_sdk::frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};

const FIVE_X: u128 = 5 * UNIT;
const KEEPER: AccountId = 50;

fn setup(params: MarketParams) {
	create_market_with(params);
	for who in [ALICE, BOB, CHARLIE] {
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 2_000 * UNIT));
	}
}

fn open(who: AccountId, side: Side, margin_amount: u128, isolated: bool) {
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who),
		0,
		side,
		margin_amount,
		FIVE_X,
		isolated,
		0
	));
}

fn position(who: AccountId) -> Option<PositionInfo> {
	Positions::<Test>::get(who, 0)
}

/// Alice's liquidation MR.
fn alice_mr() -> i128 {
	Perp::liquidatable(&ALICE, 0).map(|assessment| assessment.margin_ratio).unwrap_or_else(|_| {
		let details = Perp::position_details(&ALICE, 0).unwrap().unwrap();
		details.margin_ratio.unwrap()
	})
}

fn liquidated_event() -> Event<Test> {
	perp_events()
		.into_iter()
		.rev()
		.find(|event| matches!(event, Event::PositionLiquidated { .. }))
		.expect("a liquidation event")
}

/// The sum of every balance the test touches: nothing is created or destroyed.
fn total_money() -> u128 {
	[ALICE, BOB, CHARLIE, KEEPER, TREASURY, INSURANCE, Perp::vault_account()]
		.iter()
		.map(Balances::total_balance)
		.sum()
}

/// Alice isolated long 100 × 5 (mark 10 → 22.5); Bob shorts `bob_margin × 5` (cross) to
/// push the mark down, and the index follows the mark (a thin-curve spike is the index
/// test's business).
fn alice_long_then_bob_short(bob_margin: u128) {
	open(ALICE, Side::Long, 100 * UNIT, true);
	open(BOB, Side::Short, bob_margin, false);
	index_at_mark();
}

fn index_at_mark() {
	let mark = Markets::<Test>::get(0).unwrap().reserves.mark_price().unwrap();
	set_index(COLLECTION, mark);
}

/// Bob's margins that leave Alice at MR ≈ 11.3 % (partial), 7.4 % (full) and bankrupt.
const PARTIAL: u128 = 18 * UNIT;
const FULL: u128 = 25 * UNIT;
const BANKRUPT: u128 = 45 * UNIT;

#[test]
fn healthy_position_is_not_liquidatable() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		open(ALICE, Side::Long, 100 * UNIT, true);
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0),
			Error::<Test>::NotLiquidatable
		);
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::signed(KEEPER), BOB, 0),
			Error::<Test>::NoPosition
		);
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 9),
			Error::<Test>::UnknownMarket
		);
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::none(), ALICE, 0),
			polkadot_sdk::sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn full_liquidation_sends_the_residual_to_the_fund() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		alice_long_then_bob_short(FULL);
		let mr = alice_mr();
		// Below the full-liquidation ratio (10 %) but still solvent.
		assert!(mr > 0 && mr < 100_000_000_000_000_000, "MR {mr}");
		let before = total_money();
		let insurance_before = insurance_balance();
		let accrued_before = Markets::<Test>::get(0).unwrap().accrued_fees.insurance;
		let margin_before = position(ALICE).unwrap().position.margin;
		next_block();
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));

		assert!(position(ALICE).is_none());
		assert_eq!(Traders::<Test>::get(ALICE).positions, 0);
		let Event::PositionLiquidated {
			full,
			exchanged_notional,
			fee,
			penalty,
			liquidator_reward,
			realized_pnl,
			bad_debt,
			liquidator,
			..
		} = liquidated_event()
		else {
			unreachable!()
		};
		assert!(full);
		assert_eq!(liquidator, Some(KEEPER));
		assert_eq!(bad_debt, 0);
		assert_eq!(penalty, exchanged_notional.div_ceil(40));
		assert_eq!(fee, (exchanged_notional * 3).div_ceil(1000));
		assert_eq!(liquidator_reward, penalty / 2);
		assert_eq!(free(KEEPER), penalty / 2);
		let residual = (margin_before as i128 + realized_pnl) as u128 - penalty - fee;
		assert_eq!(insurance_received(InsuranceInflow::ResidualMargin), residual);
		assert_eq!(insurance_received(InsuranceInflow::LiquidationPenalty), penalty - penalty / 2);
		// Fund: its penalty half and the residual now; the fee's insurance share (50 %)
		// accrues with the trades' until funding settles.
		assert_eq!(insurance_balance() - insurance_before, penalty - penalty / 2 + residual);
		let accrued = Markets::<Test>::get(0).unwrap().accrued_fees.insurance;
		assert_eq!(accrued - accrued_before, fee / 2);
		assert_eq!(total_money(), before);
		// Alice's other collateral is untouched by an isolated liquidation.
		assert_eq!(held(ALICE), 2_000 * UNIT - 100 * UNIT - 1_500_000_000_000_000_000);
	});
}

#[test]
fn exact_full_liquidation_numbers() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		alice_long_then_bob_short(FULL);
		next_block();
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		let Event::PositionLiquidated {
			margin_ratio,
			exchanged_notional,
			fee,
			penalty,
			realized_pnl,
			mark_price,
			..
		} = liquidated_event()
		else {
			unreachable!()
		};
		// Alice: 33.333… base for 500 (y 1500, x 66.666…667). Bob's short of 125 leaves
		// y = 1375, x = ⌈k / 1375⌉; Alice sells her base back: y' = ⌈k' / (x + s)⌉.
		assert_eq!(exchanged_notional, 432_142_857_142_857_142_848);
		assert_eq!(realized_pnl, -67_857_142_857_142_857_152);
		// (100 − 67.857…) / 432.142… = 7.438 %, below the 10 % full-liquidation ratio.
		assert_eq!(margin_ratio, 74_380_165_289_256_198);
		assert_eq!(penalty, 10_803_571_428_571_428_572);
		assert_eq!(fee, 1_296_428_571_428_571_429);
		assert_eq!(mark_price, 8_889_795_918_367_346_938);
		// Residual: 100 − 67.857… − 10.803… − 1.296… = 20.042…
		assert_eq!(insurance_received(InsuranceInflow::ResidualMargin), 20_042_857_142_857_142_847);
	});
}

#[test]
fn partial_liquidation_restores_the_margin_ratio() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		alice_long_then_bob_short(PARTIAL);
		let mr = alice_mr();
		assert!((100_000_000_000_000_000..125_000_000_000_000_000).contains(&mr), "MR {mr}");
		let size_before = position(ALICE).unwrap().position.size;
		let before = total_money();
		next_block();
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));

		let after = position(ALICE).expect("partly liquidated");
		assert!(after.position.size > 0 && after.position.size < size_before);
		let Event::PositionLiquidated { full, exchanged_size, size, margin, .. } =
			liquidated_event()
		else {
			unreachable!()
		};
		assert!(!full);
		assert_eq!(size, size_before + exchanged_size);
		assert_eq!(margin, after.position.margin);
		// MR back at maintenance + buffer (12.5 % + 0.5 %), and not one unit more closed
		// than needed: the solver's boundary is exact.
		let details = Perp::position_details(&ALICE, 0).unwrap().unwrap();
		let restored = details.margin_ratio.unwrap();
		assert!(restored >= 130_000_000_000_000_000, "MR after {restored}");
		assert!(restored < 131_000_000_000_000_000, "MR after {restored}");
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0),
			Error::<Test>::NotLiquidatable
		);
		assert_eq!(total_money(), before);
	});
}

#[test]
fn fixed_partial_portion_closes_at_least_the_restoring_amount() {
	ExtBuilder::default().build_and_execute(|| {
		// 25 % (Perp v1 / nftperp) and, for comparison, 1 % (less than the minimal portion).
		for (ratio, expect_quarter) in
			[(250_000_000_000_000_000u128, true), (10_000_000_000_000_000, false)]
		{
			let params = MarketParams { partial_liquidation_ratio: ratio, ..unguarded_params() };
			Perp::set_market_params(RuntimeOrigin::root(), 0, params).unwrap_or_else(|_| {
				setup(params);
			});
			alice_long_then_bob_short(PARTIAL);
			let size_before = position(ALICE).unwrap().position.size.unsigned_abs();
			next_block();
			assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
			let Event::PositionLiquidated { exchanged_size, full, .. } = liquidated_event() else {
				unreachable!()
			};
			assert!(!full);
			let closed = exchanged_size.unsigned_abs();
			if expect_quarter {
				assert_eq!(closed, size_before.div_ceil(4));
			} else {
				assert!(closed > size_before / 100, "closed {closed} of {size_before}");
			}
			let mr = Perp::position_details(&ALICE, 0).unwrap().unwrap().margin_ratio.unwrap();
			assert!(mr >= 125_000_000_000_000_000, "MR after {mr}");
			// Reset for the next round: everyone closes.
			next_block();
			assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
			assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
			next_block();
		}
	});
}

/// The fund pays an isolated bankrupt position's bad debt and never the liquidator: before,
/// it also paid the keeper's half (4.753 here), which made liquidating one's own bankrupt
/// position from a second account a way to draw on the fund.
#[test]
fn bad_debt_is_paid_by_the_fund_but_no_liquidator_reward() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		setup(unguarded_params());
		alice_long_then_bob_short(BANKRUPT);
		let details = Perp::position_details(&ALICE, 0).unwrap().unwrap();
		let equity = details.margin as i128 + details.unrealized_pnl;
		assert!(equity < 0, "Alice is bankrupt: equity {equity}");
		let before = total_money();
		let insurance_before = insurance_balance();
		next_block();
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		let Event::PositionLiquidated { bad_debt, penalty, liquidator_reward, fee, .. } =
			liquidated_event()
		else {
			unreachable!()
		};
		assert_eq!(bad_debt, equity.unsigned_abs());
		assert_eq!(fee, 0);
		// The margin is gone: the fund pays the bad debt, the keeper gets nothing (the
		// penalty would have been 4.753 each way).
		assert_eq!(penalty / 2, 4_753_289_473_684_210_526);
		assert_eq!(liquidator_reward, 0);
		assert_eq!(free(KEEPER), 0);
		assert_eq!(insurance_before - insurance_balance(), bad_debt);
		System::assert_has_event(
			Event::BadDebtSettled {
				who: ALICE,
				market: 0,
				bad_debt,
				covered_by_insurance: bad_debt,
				socialised: 0,
				from_convergence_reserve: 0,
				unrecovered: 0,
			}
			.into(),
		);
		assert_eq!(total_money(), before);
		// Bob, the winner, can close and be paid in full.
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
	});
}

#[test]
fn bad_debt_beyond_the_cap_is_socialised() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		setup(unguarded_params());
		set_outflow_cap(UNIT);
		open(CHARLIE, Side::Long, 10 * UNIT, false);
		alice_long_then_bob_short(BANKRUPT);
		next_block();
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		let Event::PositionLiquidated { bad_debt, .. } = liquidated_event() else { unreachable!() };
		let socialised = bad_debt - UNIT;
		System::assert_has_event(
			Event::BadDebtSettled {
				who: ALICE,
				market: 0,
				bad_debt,
				covered_by_insurance: UNIT,
				socialised,
				from_convergence_reserve: 0,
				unrecovered: 0,
			}
			.into(),
		);
		let market = Markets::<Test>::get(0).unwrap();
		let oi = market.open_interest;
		// Every unit of size, long or short, owes ⌈loss / (L + S)⌉ more.
		let per_unit = perp_math::fixed::mul_div(
			socialised,
			UNIT,
			oi.long_size + oi.short_size,
			perp_math::Rounding::Up,
		)
		.unwrap() as i128;
		assert_eq!(market.cumulative_premium.long, per_unit);
		assert_eq!(market.cumulative_premium.short, -per_unit);
		System::assert_has_event(
			Event::LossSocialised { market: 0, amount: socialised, per_unit }.into(),
		);
		// The vault is short of the loss until they pay it: solvency counts it as owed.
		Perp::do_try_state().unwrap();
		// Bob and Charlie owe it as funding, and together at least the loss.
		let bob = Perp::position_details(&BOB, 0).unwrap().unwrap().pending_funding;
		let charlie = Perp::position_details(&CHARLIE, 0).unwrap().unwrap().pending_funding;
		assert!(bob > 0 && charlie > 0);
		assert!((bob + charlie) as u128 >= socialised);
		// They close, paying it, and the vault still balances (try_state runs after).
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(CHARLIE), 0, 0));
	});
}

#[test]
fn cross_account_liquidates_the_largest_requirement_first() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		// A second market on another collection, same curve.
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			COLLECTION + 1,
			100 * UNIT,
			1_000 * UNIT,
			unguarded_params()
		));
		set_index(COLLECTION + 1, 10 * UNIT);
		// Alice: 100 held after margins; a big long in market 0, a small one in market 1.
		assert_ok!(Perp::withdraw(RuntimeOrigin::signed(ALICE), 1_850 * UNIT));
		open(ALICE, Side::Long, 100 * UNIT, false);
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(ALICE),
			1,
			Side::Long,
			20 * UNIT,
			FIVE_X,
			false,
			0
		));
		open(BOB, Side::Short, 38 * UNIT, false);
		index_at_mark();
		set_index(COLLECTION + 1, 10 * UNIT);
		next_block();
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 1),
			Error::<Test>::NotLargestRequirement
		);
		let held_before = held(ALICE);
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		// MR ≈ 9 %: market 0 closes in full; its residual returns to Alice's collateral and
		// the other position is untouched.
		assert!(position(ALICE).is_none());
		let Event::PositionLiquidated { full, realized_pnl, fee, penalty, .. } = liquidated_event()
		else {
			unreachable!()
		};
		assert!(full);
		// Its loss went beyond its own margin: the hold paid the rest, fee and penalty too.
		let change = 100 * UNIT as i128 + realized_pnl - (fee + penalty) as i128;
		assert!(change < 0);
		assert_eq!(held(ALICE) as i128, held_before as i128 + change);
		assert_eq!(insurance_received(InsuranceInflow::ResidualMargin), 0);
		assert!(Positions::<Test>::get(ALICE, 1).is_some());
		// docs/invariants.md#liquidation-leaves-the-account-healthy: the account is back at MR ≥ maintenance.
		let mr = Perp::account_summary(&ALICE).unwrap().margin_ratio.unwrap();
		assert!(mr >= 125_000_000_000_000_000, "MR {mr}");
	});
}

#[test]
fn offchain_worker_liquidations_pay_the_block_author() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		alice_long_then_bob_short(FULL);
		next_block();
		set_block_author(Some(CHARLIE));
		let charlie_before = free(CHARLIE);
		assert_ok!(Perp::liquidate(
			polkadot_sdk::frame_system::RawOrigin::Authorized.into(),
			ALICE,
			0
		));
		let Event::PositionLiquidated { liquidator, liquidator_reward, .. } = liquidated_event()
		else {
			unreachable!()
		};
		assert_eq!(liquidator, Some(CHARLIE));
		assert_eq!(free(CHARLIE) - charlie_before, liquidator_reward);
		assert_eq!(LiquidationsInBlock::<Test>::get(), (System::block_number(), 1));
	});
}

#[test]
fn unknown_author_leaves_the_reward_with_the_fund() {
	ExtBuilder::default().build_and_execute(|| {
		setup(unguarded_params());
		alice_long_then_bob_short(FULL);
		next_block();
		assert_ok!(Perp::liquidate(
			polkadot_sdk::frame_system::RawOrigin::Authorized.into(),
			ALICE,
			0
		));
		let Event::PositionLiquidated { liquidator, liquidator_reward, penalty, .. } =
			liquidated_event()
		else {
			unreachable!()
		};
		assert_eq!(liquidator, None);
		assert_eq!(liquidator_reward, 0);
		assert_eq!(insurance_received(InsuranceInflow::LiquidationPenalty), penalty);
	});
}

#[test]
fn liquidation_ignores_the_sandwich_guard() {
	ExtBuilder::default().build_and_execute(|| {
		setup(MarketParams { sandwich_guard: true, ..unguarded_params() });
		alice_long_then_bob_short(FULL);
		// Same block as Alice's own trade: the sandwich guard does not apply to liquidations.
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
	});
}
