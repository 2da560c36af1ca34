//! Per-market outflow caps (shown with bad-debt cover): capped per market per claim period,
//! per-market overrides, bounded by the fund's balance.

use crate::{mock::*, pallet::*, ClaimWindow, OutflowPurpose};
use polkadot_sdk::frame_support::assert_ok;

fn bad_debt_paid(market: MarketId, requested: u128, amount: u128, balance: u128) -> RuntimeEvent {
	Event::Paid {
		purpose: OutflowPurpose::BadDebt,
		market: Some(market),
		to: CHARLIE,
		requested,
		amount,
		balance,
	}
	.into()
}

#[test]
fn cover_is_capped_per_market_per_period() {
	ExtBuilder::default().build_and_execute(|| {
		// Default cap 100 per 10 blocks; the fund holds 1_000.
		assert_eq!(Insurance::claim_capacity(MARKET), 100 * UNIT);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 60 * UNIT),
			Ok(60 * UNIT)
		);
		System::assert_last_event(bad_debt_paid(MARKET, 60 * UNIT, 60 * UNIT, 940 * UNIT));
		assert_eq!(
			Claims::<Test>::get(MARKET),
			Some(ClaimWindow { period_start: 1, claimed: 60 * UNIT, cap: 100 * UNIT })
		);
		assert_eq!(Insurance::claim_capacity(MARKET), 40 * UNIT);

		run_to_block(5);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 60 * UNIT),
			Ok(40 * UNIT)
		);
		System::assert_last_event(bad_debt_paid(MARKET, 60 * UNIT, 40 * UNIT, 900 * UNIT));
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
		// Exhausted: nothing paid, not an error, and the event says what was asked.
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 10 * UNIT),
			Ok(0)
		);
		System::assert_last_event(bad_debt_paid(MARKET, 10 * UNIT, 0, 900 * UNIT));
		assert_eq!(free(CHARLIE), INITIAL_BALANCE + 100 * UNIT);
		assert_eq!(Insurance::balance(), 900 * UNIT);

		// Another market has its own cap.
		assert_eq!(Insurance::claim_capacity(OTHER_MARKET), 100 * UNIT);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(OTHER_MARKET), &CHARLIE, 30 * UNIT),
			Ok(30 * UNIT)
		);
		assert_eq!(Insurance::claim_capacity(OTHER_MARKET), 70 * UNIT);
	});
}

#[test]
fn the_cap_resets_in_the_next_period() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 100 * UNIT),
			Ok(100 * UNIT)
		);
		// The period started at block 1 and lasts until block 10 included.
		run_to_block(1 + CLAIM_PERIOD - 1);
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 5 * UNIT),
			Ok(0)
		);
		run_to_block(1 + CLAIM_PERIOD);
		assert_eq!(Insurance::claim_capacity(MARKET), 100 * UNIT);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 30 * UNIT),
			Ok(30 * UNIT)
		);
		assert_eq!(
			Claims::<Test>::get(MARKET),
			Some(ClaimWindow { period_start: 11, claimed: 30 * UNIT, cap: 100 * UNIT })
		);
		assert_eq!(Insurance::claim_capacity(MARKET), 70 * UNIT);
		assert_eq!(Insurance::balance(), 870 * UNIT);
	});
}

#[test]
fn a_market_override_replaces_the_default_cap() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::set_claim_cap(RuntimeOrigin::root(), Some(MARKET), 250 * UNIT));
		assert_eq!(Insurance::claim_capacity(MARKET), 250 * UNIT);
		assert_eq!(Insurance::claim_capacity(OTHER_MARKET), 100 * UNIT);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 300 * UNIT),
			Ok(250 * UNIT)
		);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(OTHER_MARKET), &CHARLIE, 300 * UNIT),
			Ok(100 * UNIT)
		);
		assert_eq!(Insurance::balance(), 650 * UNIT);
		// Back to the default: 250 already claimed this period exceeds it.
		assert_ok!(Insurance::remove_claim_cap(RuntimeOrigin::root(), MARKET));
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 10 * UNIT),
			Ok(0)
		);
	});
}

#[test]
fn a_zero_cap_means_no_cover() {
	ExtBuilder::default().default_claim_cap(0).build_and_execute(|| {
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 10 * UNIT),
			Ok(0)
		);
		assert_eq!(Claims::<Test>::get(MARKET), None);
		assert_eq!(Insurance::balance(), 1_000 * UNIT);
		assert_ok!(Insurance::set_claim_cap(RuntimeOrigin::root(), Some(OTHER_MARKET), 5 * UNIT));
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(OTHER_MARKET), &CHARLIE, 10 * UNIT),
			Ok(5 * UNIT)
		);
	});
}

#[test]
fn a_lowered_cap_applies_to_the_current_period() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 60 * UNIT),
			Ok(60 * UNIT)
		);
		assert_ok!(Insurance::set_claim_cap(RuntimeOrigin::root(), None, 50 * UNIT));
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 10 * UNIT),
			Ok(0)
		);
		assert_ok!(Insurance::set_claim_cap(RuntimeOrigin::root(), None, 80 * UNIT));
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 30 * UNIT),
			Ok(20 * UNIT)
		);
		assert_eq!(
			Claims::<Test>::get(MARKET),
			Some(ClaimWindow { period_start: 1, claimed: 80 * UNIT, cap: 80 * UNIT })
		);
	});
}

#[test]
fn cover_is_bounded_by_what_the_fund_holds() {
	ExtBuilder::default().initial_funding(50 * UNIT).build_and_execute(|| {
		// Cap 100, but only 50 − ED can leave.
		assert_eq!(Insurance::claim_capacity(MARKET), 49 * UNIT);
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 100 * UNIT),
			Ok(49 * UNIT)
		);
		assert_eq!(Insurance::balance(), ED);
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
		assert_eq!(
			Claims::<Test>::get(MARKET),
			Some(ClaimWindow { period_start: 1, claimed: 49 * UNIT, cap: 100 * UNIT })
		);
		// Refilled: the rest of the cap is available in the same period.
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), 500 * UNIT));
		assert_eq!(Insurance::claim_capacity(MARKET), 51 * UNIT);
	});
}

#[test]
fn a_zero_request_pays_and_records_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 0), Ok(0));
		assert!(insurance_events().is_empty());
		assert_eq!(Claims::<Test>::get(MARKET), None);
	});
}

#[test]
fn a_failed_cover_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		// Below the existential deposit, to an account that does not exist.
		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &77, ED - 1),
			Err(polkadot_sdk::sp_runtime::TokenError::BelowMinimum.into())
		);
		assert_eq!(Claims::<Test>::get(MARKET), None);
		assert_eq!(Insurance::balance(), 1_000 * UNIT);
		assert!(insurance_events().is_empty());
	});
}

/// A migration provision the migration did not need is not a draw: what comes back gives the
/// market's current period its cover back (before, the 40 returned stayed counted and the
/// market had 50 of its 100 left instead of 90). Other inflows, another market's refund and
/// a refund after the period ended give nothing back.
#[test]
fn a_returned_migration_provision_gives_the_period_its_cover_back() {
	use crate::InflowSource;
	use polkadot_sdk::frame_support::traits::{fungible::Mutate, tokens::Preservation};
	ExtBuilder::default().build_and_execute(|| {
		let provision =
			Insurance::pay(OutflowPurpose::MigrationCost, Some(MARKET), &CHARLIE, 50 * UNIT);
		assert_eq!(provision, Ok(50 * UNIT));
		assert_eq!(Insurance::claim_capacity(MARKET), 50 * UNIT);
		// A fee from the market is income, not a return of what it drew.
		assert_ok!(Balances::transfer(&BOB, &fund(), UNIT, Preservation::Preserve));
		Insurance::note_inflow(InflowSource::Fee, Some(MARKET), UNIT);
		assert_eq!(Insurance::claim_capacity(MARKET), 50 * UNIT);
		// The migration needed 10 of its 50: 40 come back.
		assert_ok!(Balances::transfer(&CHARLIE, &fund(), 40 * UNIT, Preservation::Preserve));
		Insurance::note_inflow(InflowSource::MigrationRefund, Some(MARKET), 40 * UNIT);
		assert_eq!(
			Claims::<Test>::get(MARKET),
			Some(ClaimWindow { period_start: 1, claimed: 10 * UNIT, cap: 100 * UNIT })
		);
		assert_eq!(Insurance::claim_capacity(MARKET), 90 * UNIT);
		// Another market's refund is its own; it never drew, so nothing to give back.
		assert_ok!(Balances::mint_into(&fund(), 5 * UNIT));
		Insurance::note_inflow(InflowSource::MigrationRefund, Some(OTHER_MARKET), 5 * UNIT);
		assert_eq!(Claims::<Test>::get(OTHER_MARKET), None);
		// A return larger than the period's draws leaves it at zero, never below.
		assert_ok!(Balances::mint_into(&fund(), 20 * UNIT));
		Insurance::note_inflow(InflowSource::MigrationRefund, Some(MARKET), 20 * UNIT);
		assert_eq!(Insurance::claim_capacity(MARKET), 100 * UNIT);
		// Once the period is over, a late return changes nothing.
		assert_ok!(Insurance::pay(
			OutflowPurpose::MigrationCost,
			Some(MARKET),
			&CHARLIE,
			30 * UNIT
		));
		run_to_block(1 + CLAIM_PERIOD);
		assert_ok!(Balances::mint_into(&fund(), 30 * UNIT));
		Insurance::note_inflow(InflowSource::MigrationRefund, Some(MARKET), 30 * UNIT);
		assert_eq!(
			Claims::<Test>::get(MARKET),
			Some(ClaimWindow { period_start: 1, claimed: 30 * UNIT, cap: 100 * UNIT })
		);
		assert_eq!(Insurance::claim_capacity(MARKET), 100 * UNIT);
	});
}
