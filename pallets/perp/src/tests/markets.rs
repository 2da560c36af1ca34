//! Market creation, parameters and pausing.

use crate::{mock::*, pallet::*, MarketParams};
use perp_math::Reserves;
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

#[test]
fn create_market_stores_the_curve_and_defaults() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			COLLECTION,
			100 * UNIT,
			1_000 * UNIT,
			MarketParams::default()
		));
		let market = Markets::<Test>::get(0).unwrap();
		assert_eq!(market.reserves, Reserves::new(100 * UNIT, 1_000 * UNIT));
		assert_eq!(market.reserves.mark_price(), Ok(10 * UNIT));
		assert_eq!(market.net_size, 0);
		assert!(!market.paused);
		// default parameters, spot-checked in raw 18-decimal units.
		assert_eq!(market.params.initial_margin_ratio, 200_000_000_000_000_000);
		assert_eq!(market.params.maintenance_margin_ratio, 125_000_000_000_000_000);
		assert_eq!(market.params.fee_ratio, 3_000_000_000_000_000);
		assert_eq!(market.params.max_funding_rate, 125_000_000_000_000);
		assert_eq!(market.params.max_oracle_age, 600);
		assert!(market.params.sandwich_guard);
		assert_eq!(MarketByCollection::<Test>::get(COLLECTION), Some(0));
		assert_eq!(NextMarketId::<Test>::get(), 1);
		System::assert_last_event(
			Event::MarketCreated {
				market: 0,
				collection: COLLECTION,
				base_reserve: 100 * UNIT,
				quote_reserve: 1_000 * UNIT,
				mark_price: 10 * UNIT,
			}
			.into(),
		);
	});
}

#[test]
fn create_market_requires_market_admin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Perp::create_market(
				RuntimeOrigin::signed(ALICE),
				COLLECTION,
				100 * UNIT,
				1_000 * UNIT,
				MarketParams::default()
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn one_market_per_collection() {
	ExtBuilder::default().build_and_execute(|| {
		create_default_market();
		assert_noop!(
			Perp::create_market(
				RuntimeOrigin::root(),
				COLLECTION,
				UNIT,
				UNIT,
				MarketParams::default()
			),
			Error::<Test>::MarketExists
		);
	});
}

#[test]
fn market_count_is_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		let max: u32 =
			<<Test as Config>::MaxMarkets as polkadot_sdk::frame_support::traits::Get<u32>>::get();
		for collection in 0..max {
			assert_ok!(Perp::create_market(
				RuntimeOrigin::root(),
				collection,
				UNIT,
				UNIT,
				MarketParams::default()
			));
		}
		assert_noop!(
			Perp::create_market(RuntimeOrigin::root(), max, UNIT, UNIT, MarketParams::default()),
			Error::<Test>::TooManyMarkets
		);
	});
}

#[test]
fn reserves_must_give_a_price() {
	ExtBuilder::default().build_and_execute(|| {
		for (base, quote) in [(0, UNIT), (UNIT, 0), (2 * UNIT, 1)] {
			assert_noop!(
				Perp::create_market(
					RuntimeOrigin::root(),
					COLLECTION,
					base,
					quote,
					MarketParams::default()
				),
				Error::<Test>::InvalidReserves
			);
		}
	});
}

/// Each parameter constraint with the error it raises.
#[test]
fn parameters_are_validated() {
	const ONE: u128 = UNIT;
	let d = MarketParams::default();
	let cases: Vec<(MarketParams, Error<Test>)> = vec![
		(MarketParams { initial_margin_ratio: 0, ..d }, Error::InvalidInitialMarginRatio),
		(MarketParams { initial_margin_ratio: ONE + 1, ..d }, Error::InvalidInitialMarginRatio),
		(
			MarketParams { maintenance_margin_ratio: d.initial_margin_ratio, ..d },
			Error::MaintenanceNotBelowInitial,
		),
		(MarketParams { maintenance_margin_ratio: 0, ..d }, Error::MaintenanceNotBelowInitial),
		(
			MarketParams { full_liquidation_ratio: d.maintenance_margin_ratio, ..d },
			Error::FullLiquidationNotBelowMaintenance,
		),
		(MarketParams { fee_ratio: ONE + 1, ..d }, Error::RatioAboveOne),
		(MarketParams { fluctuation_limit: ONE + 1, ..d }, Error::RatioAboveOne),
		(MarketParams { liquidation_fee_ratio: ONE + 1, ..d }, Error::RatioAboveOne),
		(MarketParams { insurance_share: ONE + 1, ..d }, Error::RatioAboveOne),
		(
			MarketParams { insurance_share: ONE / 2, convergence_share: ONE / 2 + 1, ..d },
			Error::FeeSharesAboveOne,
		),
		(
			MarketParams { fee_level1_threshold: d.fee_level2_threshold + 1, ..d },
			Error::FeeLevelsOutOfOrder,
		),
		(MarketParams { funding_period: 0, ..d }, Error::ZeroDuration),
		(MarketParams { twap_window: 0, ..d }, Error::ZeroDuration),
		(MarketParams { k_min: ONE + 1, ..d }, Error::InvalidKBounds),
		(MarketParams { k_max: ONE - 1, ..d }, Error::InvalidKBounds),
		(MarketParams { k_shrink_below: d.k_expand_above + 1, ..d }, Error::InvalidKBounds),
	];
	ExtBuilder::default().build_and_execute(|| {
		create_default_market();
		for (params, error) in cases {
			let error: DispatchError = error.into();
			assert_noop!(Perp::create_market(RuntimeOrigin::root(), 99, UNIT, UNIT, params), error);
			assert_noop!(Perp::set_market_params(RuntimeOrigin::root(), 0, params), error);
		}
	});
}

#[test]
fn boundary_parameters_are_accepted() {
	ExtBuilder::default().build_and_execute(|| {
		create_default_market();
		let params = MarketParams {
			initial_margin_ratio: UNIT,
			insurance_share: UNIT / 2,
			convergence_share: UNIT / 2,
			full_liquidation_ratio: 0,
			fee_level1_threshold: 0,
			fee_level2_threshold: 0,
			..MarketParams::default()
		};
		assert_ok!(Perp::set_market_params(RuntimeOrigin::root(), 0, params));
		assert_eq!(Markets::<Test>::get(0).unwrap().params, params);
		System::assert_last_event(Event::MarketParamsSet { market: 0, params }.into());
	});
}

#[test]
fn set_market_params_checks_origin_and_market() {
	ExtBuilder::default().build_and_execute(|| {
		create_default_market();
		assert_noop!(
			Perp::set_market_params(RuntimeOrigin::signed(ALICE), 0, MarketParams::default()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Perp::set_market_params(RuntimeOrigin::root(), 1, MarketParams::default()),
			Error::<Test>::UnknownMarket
		);
	});
}

#[test]
fn pause_and_unpause() {
	ExtBuilder::default().build_and_execute(|| {
		create_default_market();
		assert_noop!(
			Perp::unpause_market(RuntimeOrigin::root(), 0),
			Error::<Test>::MarketNotPaused
		);
		assert_noop!(Perp::pause_market(RuntimeOrigin::signed(ALICE), 0), DispatchError::BadOrigin);
		assert_noop!(Perp::pause_market(RuntimeOrigin::root(), 3), Error::<Test>::UnknownMarket);
		assert_ok!(Perp::pause_market(RuntimeOrigin::root(), 0));
		System::assert_last_event(Event::MarketPaused { market: 0 }.into());
		assert_noop!(Perp::pause_market(RuntimeOrigin::root(), 0), Error::<Test>::MarketPaused);
		assert_ok!(Perp::unpause_market(RuntimeOrigin::root(), 0));
		System::assert_last_event(Event::MarketUnpaused { market: 0 }.into());
		assert!(!Markets::<Test>::get(0).unwrap().paused);
	});
}
