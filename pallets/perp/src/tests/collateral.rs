//! Deposits and withdrawals: collateral is held on the trader's account.

use crate::{mock::*, pallet::*};
use perp_math::Side;
use polkadot_sdk::frame_support::{assert_noop, assert_ok};

#[test]
fn deposit_holds_and_withdraw_releases() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
		assert_eq!(held(ALICE), 1_000 * UNIT);
		assert_eq!(free(ALICE), 9_000 * UNIT);
		System::assert_last_event(
			Event::Deposited { who: ALICE, amount: 1_000 * UNIT, collateral: 1_000 * UNIT }.into(),
		);
		assert_ok!(Perp::withdraw(RuntimeOrigin::signed(ALICE), 400 * UNIT));
		assert_eq!(held(ALICE), 600 * UNIT);
		assert_eq!(free(ALICE), 9_400 * UNIT);
		System::assert_last_event(
			Event::Withdrawn { who: ALICE, amount: 400 * UNIT, collateral: 600 * UNIT }.into(),
		);
		assert_ok!(Perp::withdraw(RuntimeOrigin::signed(ALICE), 600 * UNIT));
		assert_eq!(free(ALICE), INITIAL_BALANCE);
	});
}

#[test]
fn deposit_and_withdraw_reject_bad_amounts() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Perp::deposit(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Perp::deposit(RuntimeOrigin::signed(ALICE), INITIAL_BALANCE + 1),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 10 * UNIT));
		assert_noop!(Perp::withdraw(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Perp::withdraw(RuntimeOrigin::signed(ALICE), 10 * UNIT + 1),
			Error::<Test>::InsufficientFreeCollateral
		);
		assert_noop!(
			Perp::withdraw(RuntimeOrigin::signed(BOB), 1),
			Error::<Test>::InsufficientFreeCollateral
		);
	});
}

#[test]
fn withdrawal_keeps_cross_positions_at_initial_margin() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(BOB), 1_000 * UNIT));
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(ALICE),
			0,
			Side::Long,
			100 * UNIT,
			5 * UNIT,
			false,
			0
		));
		// Bob's short of 500 takes Alice's exit value to 249.99…996 (PnL −250.00…004).
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(BOB),
			0,
			Side::Short,
			100 * UNIT,
			5 * UNIT,
			false,
			0
		));
		// Collateral 898.5 held + 100 margin; equity 748.49…996; 20 % of 249.99…996 is
		// 50 (rounded up): 698.49…996 may leave.
		let withdrawable = 698_499_999_999_999_999_996;
		assert_eq!(Perp::withdrawable(&ALICE).ok(), Some(withdrawable));
		assert_noop!(
			Perp::withdraw(RuntimeOrigin::signed(ALICE), withdrawable + 1),
			Error::<Test>::InsufficientFreeCollateral
		);
		assert_ok!(Perp::withdraw(RuntimeOrigin::signed(ALICE), withdrawable));
		assert_eq!(held(ALICE), 200_000_000_000_000_000_004);
	});
}
