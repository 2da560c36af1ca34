//! `try_state` catches broken invariants.

use crate::{mock::*, pallet::*};
use perp_math::Side;
use polkadot_sdk::frame_support::{assert_ok, traits::fungible::Mutate};

fn trade() {
	create_market_with(unguarded_params());
	assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(ALICE),
		0,
		Side::Long,
		100 * UNIT,
		5 * UNIT,
		false,
		0
	));
}

#[test]
fn invariants_hold_after_trading() {
	ExtBuilder::default().build_and_execute(|| {
		trade();
		assert_eq!(Perp::do_try_state(), Ok(()));
	});
}

#[test]
fn detects_net_size_drift() {
	ExtBuilder::default().build().execute_with(|| {
		trade();
		Markets::<Test>::mutate(0, |market| market.as_mut().unwrap().net_size += 1);
		assert!(Perp::do_try_state().is_err());
	});
}

#[test]
fn detects_open_interest_drift() {
	ExtBuilder::default().build().execute_with(|| {
		trade();
		Markets::<Test>::mutate(0, |market| {
			market.as_mut().unwrap().open_interest.long_notional += 1
		});
		assert!(Perp::do_try_state().is_err());
	});
}

#[test]
fn detects_an_insolvent_vault() {
	ExtBuilder::default().build().execute_with(|| {
		trade();
		let _ = Balances::set_balance(&Perp::vault_account(), 100 * UNIT);
		assert!(Perp::do_try_state().is_err());
	});
}

#[test]
fn detects_a_curve_off_its_k() {
	ExtBuilder::default().build().execute_with(|| {
		trade();
		Markets::<Test>::mutate(0, |market| market.as_mut().unwrap().reserves.quote += UNIT);
		assert!(Perp::do_try_state().is_err());
	});
}

#[test]
fn value_is_conserved_across_a_trading_session() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		let issuance = Balances::total_issuance();
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 2_000 * UNIT));
		}
		let trade = |who, side, margin, isolated| {
			assert_ok!(Perp::open_position(
				RuntimeOrigin::signed(who),
				0,
				side,
				margin,
				3 * UNIT,
				isolated,
				0
			));
		};
		trade(ALICE, Side::Long, 50 * UNIT, false);
		trade(BOB, Side::Short, 30 * UNIT, true);
		trade(CHARLIE, Side::Long, 10 * UNIT, false);
		next_block();
		trade(ALICE, Side::Short, 80 * UNIT, false);
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(BOB), 0, 5 * UNIT));
		assert_ok!(Perp::reduce_position(RuntimeOrigin::signed(CHARLIE), 0, UNIT, 0));
		next_block();
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(Perp::close_position(RuntimeOrigin::signed(who), 0, 0));
		}
		assert_eq!(Balances::total_issuance(), issuance);
		let market = Markets::<Test>::get(0).unwrap();
		assert_eq!(market.net_size, 0);
		assert_eq!(market.reserves.base, 100 * UNIT);
		// With every position closed the vault holds its existential deposit, the
		// convergence reserve, the fee shares not yet paid out and the traders' rounding
		// losses: never less.
		let accrued = market.accrued_fees.total().unwrap();
		let vault_surplus = Perp::vault_balance() - 1 - market.convergence_reserve - accrued;
		assert!(vault_surplus < 1_000);
		let traders: u128 = [ALICE, BOB, CHARLIE].iter().map(|who| free(*who) + held(*who)).sum();
		let fees_out = free(TREASURY) + free(INSURANCE) - 2 + market.convergence_reserve + accrued;
		assert_eq!(traders + fees_out + vault_surplus, 3 * INITIAL_BALANCE);
	});
}
