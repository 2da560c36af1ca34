//! Donations (`contribute`) and protocol inflows (`note_inflow`).

use crate::{mock::*, pallet::*, InflowSource};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::fungible::Mutate},
	sp_runtime::DispatchError,
};

#[test]
fn contribute_moves_the_amount_into_the_fund() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), 250 * UNIT));
		assert_eq!(free(ALICE), 9_750 * UNIT);
		assert_eq!(Insurance::balance(), 1_250 * UNIT);
		assert_eq!(free(fund()), 1_250 * UNIT);
		System::assert_last_event(
			Event::Contributed { who: ALICE, amount: 250 * UNIT, balance: 1_250 * UNIT }.into(),
		);
	});
}

#[test]
fn contribute_keeps_the_donor_alive() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Insurance::contribute(RuntimeOrigin::signed(ALICE), INITIAL_BALANCE),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Insurance::contribute(RuntimeOrigin::signed(ALICE), INITIAL_BALANCE - ED + 1),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), INITIAL_BALANCE - ED));
		assert_eq!(free(ALICE), ED);
		assert_eq!(Insurance::balance(), 1_000 * UNIT + INITIAL_BALANCE - ED);
	});
}

#[test]
fn contribute_rejects_zero_and_unsigned_origins() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Insurance::contribute(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(Insurance::contribute(RuntimeOrigin::root(), UNIT), DispatchError::BadOrigin);
		assert_noop!(Insurance::contribute(RuntimeOrigin::none(), UNIT), DispatchError::BadOrigin);
	});
}

#[test]
fn a_contribution_below_ed_cannot_create_the_fund_account() {
	ExtBuilder::default().initial_funding(0).build_and_execute(|| {
		assert_noop!(
			Insurance::contribute(RuntimeOrigin::signed(ALICE), ED - 1),
			polkadot_sdk::sp_runtime::TokenError::BelowMinimum
		);
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), ED));
		assert_eq!(Insurance::balance(), ED);
		assert_eq!(Insurance::available(), 0);
	});
}

#[test]
fn note_inflow_reports_what_the_payer_transferred() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Balances::transfer(
			&BOB,
			&fund(),
			5 * UNIT,
			polkadot_sdk::frame_support::traits::tokens::Preservation::Preserve
		));
		Insurance::note_inflow(InflowSource::Fee, Some(MARKET), 5 * UNIT);
		System::assert_last_event(
			Event::Received {
				source: InflowSource::Fee,
				market: Some(MARKET),
				amount: 5 * UNIT,
				balance: 1_005 * UNIT,
			}
			.into(),
		);
		assert_ok!(Balances::mint_into(&fund(), 7 * UNIT));
		Insurance::note_inflow(InflowSource::ResidualMargin, None, 7 * UNIT);
		System::assert_last_event(
			Event::Received {
				source: InflowSource::ResidualMargin,
				market: None,
				amount: 7 * UNIT,
				balance: 1_012 * UNIT,
			}
			.into(),
		);
		assert_eq!(insurance_events().len(), 2);
	});
}

#[test]
fn a_zero_inflow_is_not_reported() {
	ExtBuilder::default().build_and_execute(|| {
		Insurance::note_inflow(InflowSource::LiquidationPenalty, Some(MARKET), 0);
		assert!(insurance_events().is_empty());
	});
}
