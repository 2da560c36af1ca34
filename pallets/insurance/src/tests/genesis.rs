//! Genesis: settings, initial funding, and the state the runtime API reports.

use crate::{mock::*, pallet::*, InsuranceState};

#[test]
fn genesis_funds_the_account_and_stores_the_settings() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(Insurance::balance(), 1_000 * UNIT);
		assert!(System::account_exists(&fund()));
		assert_eq!(Balances::total_issuance(), 3 * INITIAL_BALANCE + 1_000 * UNIT);
		assert_eq!(TargetBalance::<Test>::get(), 500 * UNIT);
		assert_eq!(LowWatermark::<Test>::get(), 200 * UNIT);
		assert_eq!(DefaultClaimCap::<Test>::get(), 100 * UNIT);
		assert!(!BelowLowWatermark::<Test>::get());
		assert!(insurance_events().is_empty());
	});
}

#[test]
fn state_reports_the_fund() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(
			Insurance::state(),
			InsuranceState {
				account: fund(),
				balance: 1_000 * UNIT,
				available: 1_000 * UNIT - ED,
				target_balance: 500 * UNIT,
				low_watermark: 200 * UNIT,
				surplus: 500 * UNIT,
				default_claim_cap: 100 * UNIT,
				claim_period: CLAIM_PERIOD,
				below_low_watermark: false,
			}
		);
	});
}

#[test]
fn without_initial_funding_the_account_is_empty() {
	ExtBuilder::default().initial_funding(0).build_and_execute(|| {
		assert_eq!(Insurance::balance(), 0);
		assert_eq!(Insurance::available(), 0);
		assert_eq!(Insurance::surplus(), 0);
		assert!(!System::account_exists(&fund()));
		assert!(BelowLowWatermark::<Test>::get());
		assert_eq!(Insurance::claim_capacity(MARKET), 0);
	});
}

#[test]
#[should_panic(expected = "insurance genesis: cannot mint initial_funding")]
fn initial_funding_below_the_existential_deposit_is_rejected() {
	ExtBuilder::default().initial_funding(ED - 1).build();
}

#[test]
fn an_empty_fund_with_no_watermark_is_not_below_it() {
	ExtBuilder::default().initial_funding(0).low_watermark(0).build_and_execute(|| {
		assert!(!BelowLowWatermark::<Test>::get());
		assert_eq!(LowWatermark::<Test>::get(), 0);
	});
}
