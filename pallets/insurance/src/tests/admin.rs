//! Governance: surplus withdrawal, target balance, low watermark and claim caps.

use crate::{mock::*, pallet::*};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

#[test]
fn only_the_surplus_above_the_target_may_be_withdrawn() {
	ExtBuilder::default().build_and_execute(|| {
		// 1_000 held, target 500: 500 of surplus.
		assert_eq!(Insurance::surplus(), 500 * UNIT);
		assert_noop!(
			Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 500 * UNIT + 1),
			Error::<Test>::ExceedsSurplus
		);
		assert_ok!(Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 300 * UNIT));
		assert_eq!(free(BOB), INITIAL_BALANCE + 300 * UNIT);
		assert_eq!(Insurance::balance(), 700 * UNIT);
		System::assert_last_event(
			Event::SurplusWithdrawn { to: BOB, amount: 300 * UNIT, balance: 700 * UNIT }.into(),
		);
		assert_ok!(Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 200 * UNIT));
		assert_eq!(Insurance::balance(), 500 * UNIT);
		assert_eq!(Insurance::surplus(), 0);
		assert_noop!(
			Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 1),
			Error::<Test>::ExceedsSurplus
		);
	});
}

#[test]
fn without_a_target_the_existential_deposit_stays() {
	ExtBuilder::default().target_balance(0).build_and_execute(|| {
		assert_eq!(Insurance::surplus(), 1_000 * UNIT - ED);
		assert_noop!(
			Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 1_000 * UNIT),
			Error::<Test>::ExceedsSurplus
		);
		assert_ok!(Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 1_000 * UNIT - ED));
		assert_eq!(Insurance::balance(), ED);
		assert!(System::account_exists(&fund()));
	});
}

#[test]
fn a_raised_target_shrinks_the_surplus() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::set_target_balance(RuntimeOrigin::root(), 900 * UNIT));
		assert_eq!(TargetBalance::<Test>::get(), 900 * UNIT);
		System::assert_last_event(Event::TargetBalanceSet { target_balance: 900 * UNIT }.into());
		assert_eq!(Insurance::surplus(), 100 * UNIT);
		assert_noop!(
			Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 101 * UNIT),
			Error::<Test>::ExceedsSurplus
		);
		assert_ok!(Insurance::set_target_balance(RuntimeOrigin::root(), 2_000 * UNIT));
		assert_eq!(Insurance::surplus(), 0);
	});
}

#[test]
fn withdrawing_zero_fails() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 0),
			Error::<Test>::ZeroAmount
		);
	});
}

#[test]
fn a_small_withdrawal_to_a_new_account_fails_without_changes() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Insurance::withdraw_surplus(RuntimeOrigin::root(), 77, ED - 1),
			polkadot_sdk::sp_runtime::TokenError::BelowMinimum
		);
	});
}

#[test]
fn low_watermark_is_set() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::set_low_watermark(RuntimeOrigin::root(), 300 * UNIT));
		assert_eq!(LowWatermark::<Test>::get(), 300 * UNIT);
		System::assert_last_event(Event::LowWatermarkSet { low_watermark: 300 * UNIT }.into());
		// 1_000 held: still above, no crossing.
		assert!(crossings().is_empty());
	});
}

#[test]
fn claim_caps_are_set_and_removed() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::set_claim_cap(RuntimeOrigin::root(), None, 40 * UNIT));
		assert_eq!(DefaultClaimCap::<Test>::get(), 40 * UNIT);
		System::assert_last_event(Event::ClaimCapSet { market: None, cap: 40 * UNIT }.into());
		assert_ok!(Insurance::set_claim_cap(RuntimeOrigin::root(), Some(MARKET), 250 * UNIT));
		assert_eq!(ClaimCaps::<Test>::get(MARKET), Some(250 * UNIT));
		System::assert_last_event(
			Event::ClaimCapSet { market: Some(MARKET), cap: 250 * UNIT }.into(),
		);
		assert_eq!(Insurance::claim_cap(MARKET), 250 * UNIT);
		assert_eq!(Insurance::claim_cap(OTHER_MARKET), 40 * UNIT);
		assert_ok!(Insurance::remove_claim_cap(RuntimeOrigin::root(), MARKET));
		assert_eq!(ClaimCaps::<Test>::get(MARKET), None);
		System::assert_last_event(Event::ClaimCapRemoved { market: MARKET }.into());
		assert_eq!(Insurance::claim_cap(MARKET), 40 * UNIT);
		assert_noop!(
			Insurance::remove_claim_cap(RuntimeOrigin::root(), MARKET),
			Error::<Test>::NoClaimCapOverride
		);
	});
}

#[test]
fn governance_calls_reject_other_origins() {
	ExtBuilder::default().build_and_execute(|| {
		for origin in [RuntimeOrigin::signed(ALICE), RuntimeOrigin::none()] {
			assert_noop!(
				Insurance::withdraw_surplus(origin.clone(), ALICE, UNIT),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Insurance::set_target_balance(origin.clone(), 0),
				DispatchError::BadOrigin
			);
			assert_noop!(Insurance::set_low_watermark(origin.clone(), 0), DispatchError::BadOrigin);
			assert_noop!(
				Insurance::set_claim_cap(origin.clone(), Some(MARKET), 0),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Insurance::set_claim_cap(origin.clone(), None, 0),
				DispatchError::BadOrigin
			);
			assert_noop!(Insurance::remove_claim_cap(origin, MARKET), DispatchError::BadOrigin);
		}
	});
}
