//! Uncapped payouts (liquidator rewards, funding subsidies, convergence costs): bounded by
//! what the fund can pay and stay alive.

use crate::{mock::*, pallet::*, OutflowPurpose};
use polkadot_sdk::sp_runtime::TokenError;

#[test]
fn pay_is_limited_by_the_available_balance() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Insurance::available(), 1_000 * UNIT - ED);
		assert_eq!(
			Insurance::pay(OutflowPurpose::LiquidatorReward, Some(MARKET), &CHARLIE, 300 * UNIT),
			Ok(300 * UNIT)
		);
		System::assert_has_event(
			Event::Paid {
				purpose: OutflowPurpose::LiquidatorReward,
				market: Some(MARKET),
				to: CHARLIE,
				requested: 300 * UNIT,
				amount: 300 * UNIT,
				balance: 700 * UNIT,
			}
			.into(),
		);
		assert_eq!(
			Insurance::pay(OutflowPurpose::FundingSubsidy, None, &CHARLIE, 1_000 * UNIT),
			Ok(700 * UNIT - ED)
		);
		System::assert_has_event(
			Event::Paid {
				purpose: OutflowPurpose::FundingSubsidy,
				market: None,
				to: CHARLIE,
				requested: 1_000 * UNIT,
				amount: 700 * UNIT - ED,
				balance: ED,
			}
			.into(),
		);
		assert_eq!(Insurance::balance(), ED);
		assert_eq!(free(CHARLIE), INITIAL_BALANCE + 1_000 * UNIT - ED);
		// Empty: nothing paid, not an error.
		assert_eq!(
			Insurance::pay(OutflowPurpose::ConvergenceCost, Some(MARKET), &CHARLIE, 5 * UNIT),
			Ok(0)
		);
		System::assert_last_event(
			Event::Paid {
				purpose: OutflowPurpose::ConvergenceCost,
				market: Some(MARKET),
				to: CHARLIE,
				requested: 5 * UNIT,
				amount: 0,
				balance: ED,
			}
			.into(),
		);
	});
}

#[test]
fn pay_ignores_the_claim_cap() {
	ExtBuilder::default().build_and_execute(|| {
		// The default claim cap is 100; payouts other than bad debt are not capped.
		assert_eq!(
			Insurance::pay(OutflowPurpose::ConvergenceCost, Some(MARKET), &CHARLIE, 500 * UNIT),
			Ok(500 * UNIT)
		);
		assert_eq!(Claims::<Test>::get(MARKET), None);
		assert_eq!(Insurance::claim_capacity(MARKET), 100 * UNIT);
	});
}

#[test]
fn bad_debt_cannot_bypass_the_cap() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 500 * UNIT),
			Err(Error::<Test>::BadDebtNeedsCover.into())
		);
		assert_eq!(Insurance::balance(), 1_000 * UNIT);
		assert!(insurance_events().is_empty());
	});
}

#[test]
fn a_zero_payout_is_not_reported() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Insurance::pay(OutflowPurpose::LiquidatorReward, None, &CHARLIE, 0), Ok(0));
		assert!(insurance_events().is_empty());
	});
}

#[test]
fn a_failed_payout_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			Insurance::pay(OutflowPurpose::LiquidatorReward, None, &77, ED - 1),
			Err(TokenError::BelowMinimum.into())
		);
		assert_eq!(Insurance::balance(), 1_000 * UNIT);
		assert!(insurance_events().is_empty());
		// Enough to create the account works.
		assert_eq!(Insurance::pay(OutflowPurpose::LiquidatorReward, None, &77, ED), Ok(ED));
		assert_eq!(free(77), ED);
	});
}
