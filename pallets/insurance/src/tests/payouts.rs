//! Payouts for every purpose: a market's draws, whatever they pay for, share one cap per
//! claim period; a payout to no market is bounded only by what the fund can pay and stay
//! alive.

use crate::{mock::*, pallet::*, ClaimWindow, OutflowPurpose};
use polkadot_sdk::sp_runtime::TokenError;

#[test]
fn pay_is_limited_by_the_available_balance() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Insurance::available(), 1_000 * UNIT - ED);
		assert_eq!(
			Insurance::pay(OutflowPurpose::FundingSubsidy, None, &CHARLIE, 300 * UNIT),
			Ok(300 * UNIT)
		);
		System::assert_has_event(
			Event::Paid {
				purpose: OutflowPurpose::FundingSubsidy,
				market: None,
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
fn every_purpose_draws_on_the_markets_one_cap() {
	ExtBuilder::default().build_and_execute(|| {
		// The default cap is 100 per period; the fund holds 1_000.
		assert_eq!(
			Insurance::pay(OutflowPurpose::ConvergenceCost, Some(MARKET), &CHARLIE, 30 * UNIT),
			Ok(30 * UNIT)
		);
		assert_eq!(
			Insurance::pay(OutflowPurpose::MigrationCost, Some(MARKET), &CHARLIE, 20 * UNIT),
			Ok(20 * UNIT)
		);
		assert_eq!(
			Insurance::pay(OutflowPurpose::FundingSubsidy, Some(MARKET), &CHARLIE, 40 * UNIT),
			Ok(40 * UNIT)
		);
		// Bad debt gets what is left of the cap: 10 of the 25 asked.
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 25 * UNIT),
			Ok(10 * UNIT)
		);
		assert_eq!(
			Claims::<Test>::get(MARKET),
			Some(ClaimWindow { period_start: 1, claimed: 100 * UNIT, cap: 100 * UNIT })
		);
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
		assert_eq!(
			Insurance::pay(OutflowPurpose::ConvergenceCost, Some(MARKET), &CHARLIE, 1),
			Ok(0)
		);
		// Another market and payouts to no market are untouched by this market's draws.
		assert_eq!(Insurance::claim_capacity(OTHER_MARKET), 100 * UNIT);
		assert_eq!(
			Insurance::pay(OutflowPurpose::FundingSubsidy, None, &CHARLIE, 150 * UNIT),
			Ok(150 * UNIT)
		);
		assert_eq!(Insurance::balance(), 750 * UNIT);
		assert_eq!(free(CHARLIE), INITIAL_BALANCE + 250 * UNIT);
	});
}

#[test]
fn a_zero_payout_is_not_reported() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Insurance::pay(OutflowPurpose::FundingSubsidy, None, &CHARLIE, 0), Ok(0));
		assert!(insurance_events().is_empty());
	});
}

#[test]
fn a_failed_payout_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			Insurance::pay(OutflowPurpose::FundingSubsidy, Some(MARKET), &77, ED - 1),
			Err(TokenError::BelowMinimum.into())
		);
		assert_eq!(Insurance::balance(), 1_000 * UNIT);
		assert_eq!(Claims::<Test>::get(MARKET), None);
		assert!(insurance_events().is_empty());
		// Enough to create the account works.
		assert_eq!(Insurance::pay(OutflowPurpose::FundingSubsidy, None, &77, ED), Ok(ED));
		assert_eq!(free(77), ED);
	});
}
