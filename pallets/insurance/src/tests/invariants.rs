//! `try_state` catches broken claim windows.

use crate::{mock::*, pallet::*, ClaimWindow};

#[test]
fn a_claim_above_its_cap_is_caught() {
	ExtBuilder::default().build().execute_with(|| {
		assert_eq!(Insurance::do_try_state(), Ok(()));
		Claims::<Test>::insert(MARKET, ClaimWindow { period_start: 1, claimed: 11, cap: 10 });
		assert!(Insurance::do_try_state().is_err());
	});
}

#[test]
fn a_claim_period_in_the_future_is_caught() {
	ExtBuilder::default().build().execute_with(|| {
		Claims::<Test>::insert(MARKET, ClaimWindow { period_start: 2, claimed: 1, cap: 10 });
		assert!(Insurance::do_try_state().is_err());
		run_to_block(2);
		assert_eq!(Insurance::do_try_state(), Ok(()));
	});
}
