//! Low-watermark monitoring: one event per crossing, in either direction.

use crate::{mock::*, pallet::*, InflowSource, OutflowPurpose};
use polkadot_sdk::frame_support::{assert_ok, traits::fungible::Mutate};

fn crossed(balance: u128, below: bool) -> Event<Test> {
	Event::LowWatermarkCrossed { balance, low_watermark: 200 * UNIT, below }
}

#[test]
fn crossings_down_and_back_up_are_reported_once() {
	ExtBuilder::default().build_and_execute(|| {
		// 1_000 held, watermark 200.
		assert_eq!(
			Insurance::pay(OutflowPurpose::ConvergenceCost, None, &CHARLIE, 700 * UNIT),
			Ok(700 * UNIT)
		);
		assert!(crossings().is_empty());
		// Exactly at the watermark is not below it.
		assert_eq!(
			Insurance::pay(OutflowPurpose::ConvergenceCost, None, &CHARLIE, 100 * UNIT),
			Ok(100 * UNIT)
		);
		assert!(crossings().is_empty());
		assert!(!BelowLowWatermark::<Test>::get());

		assert_eq!(
			Insurance::pay(OutflowPurpose::BadDebt, Some(MARKET), &CHARLIE, 50 * UNIT),
			Ok(50 * UNIT)
		);
		System::assert_last_event(crossed(150 * UNIT, true).into());
		assert!(BelowLowWatermark::<Test>::get());
		// Further down: no new event.
		assert_eq!(
			Insurance::pay(OutflowPurpose::FundingSubsidy, None, &CHARLIE, 10 * UNIT),
			Ok(10 * UNIT)
		);
		// Up, but still below: no event.
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), 50 * UNIT));
		assert_eq!(crossings(), vec![crossed(150 * UNIT, true)]);

		// Back up through an inflow.
		assert_ok!(Balances::mint_into(&fund(), 20 * UNIT));
		Insurance::note_inflow(InflowSource::FundingIncome, Some(MARKET), 20 * UNIT);
		System::assert_last_event(crossed(210 * UNIT, false).into());
		assert!(!BelowLowWatermark::<Test>::get());
		// Further up: no new event.
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), 50 * UNIT));
		assert_eq!(crossings(), vec![crossed(150 * UNIT, true), crossed(210 * UNIT, false)]);
	});
}

#[test]
fn a_surplus_withdrawal_may_cross_the_watermark() {
	ExtBuilder::default().target_balance(0).build_and_execute(|| {
		assert_ok!(Insurance::withdraw_surplus(RuntimeOrigin::root(), BOB, 900 * UNIT));
		System::assert_last_event(crossed(100 * UNIT, true).into());
	});
}

#[test]
fn moving_the_watermark_past_the_balance_is_a_crossing() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Insurance::set_low_watermark(RuntimeOrigin::root(), 1_500 * UNIT));
		System::assert_last_event(
			Event::LowWatermarkCrossed {
				balance: 1_000 * UNIT,
				low_watermark: 1_500 * UNIT,
				below: true,
			}
			.into(),
		);
		assert_ok!(Insurance::set_low_watermark(RuntimeOrigin::root(), 1_000 * UNIT));
		System::assert_last_event(
			Event::LowWatermarkCrossed {
				balance: 1_000 * UNIT,
				low_watermark: 1_000 * UNIT,
				below: false,
			}
			.into(),
		);
		assert_eq!(crossings().len(), 2);
	});
}

#[test]
fn a_fund_below_the_watermark_at_genesis_reports_only_the_way_up() {
	ExtBuilder::default().initial_funding(100 * UNIT).build_and_execute(|| {
		assert!(BelowLowWatermark::<Test>::get());
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), 50 * UNIT));
		assert!(crossings().is_empty());
		assert_ok!(Insurance::contribute(RuntimeOrigin::signed(ALICE), 50 * UNIT));
		assert_eq!(crossings(), vec![crossed(200 * UNIT, false)]);
	});
}
