//! Bad inputs on the real runtime: every call is tried with zero, dust and absurd values, the
//! wrong market, a paused market, a stale oracle, over-leverage, a slippage breach, a
//! withdrawal beyond free collateral and the wrong origin. Each row must fail with its
//! specific error and leave the storage root exactly as it was. Plus the oracle fault the
//! design plans for: a stale index pauses opening while closes and liquidations go on.

mod common;

use codec::Encode;
use floorperp_runtime::{
	genesis_config_presets::development_config_genesis,
	pallet_perp::{self, MarketParams},
	pallet_true_floor_oracle::{self, crypto, FloorFeed},
	Oracle, Perp, Runtime, RuntimeCall, RuntimeOrigin, System, UNIT,
};
use perp_math::Side;
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		traits::{OnFinalize, UnfilteredDispatchable},
	},
	pallet_timestamp, sp_io,
	sp_keyring::Sr25519Keyring as Keyring,
	sp_runtime::StateVersion,
};

const START_MS: u64 = 1_700_000_000_000;

fn signed(who: Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.to_account_id())
}

fn feed(price: u128) -> RuntimeCall {
	RuntimeCall::Oracle(polkadot_sdk::pallet_oracle::Call::feed_values {
		values: vec![(1u32, price)].try_into().unwrap(),
	})
}

fn perp(call: pallet_perp::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Perp(call)
}

/// Market 0 (collection 1, mark 10, default parameters) with index 10; market 1 (collection 2)
/// paused. Bob holds 1,000 collateral and a 2x isolated long of 40; Dave holds 1,000
/// collateral and nothing else; Charlie holds no collateral.
fn setup() {
	pallet_timestamp::Now::<Runtime>::put(START_MS);
	for collection in [1u32, 2] {
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			collection,
			1_000 * UNIT,
			10_000 * UNIT,
			MarketParams::default()
		));
	}
	assert_ok!(Perp::pause_market(RuntimeOrigin::root(), 1));
	assert_ok!(feed(10 * UNIT).dispatch_bypass_filter(signed(Keyring::Alice)));
	for who in [Keyring::Bob, Keyring::Dave] {
		assert_ok!(Perp::deposit(signed(who), 1_000 * UNIT));
	}
	assert_ok!(Perp::open_position(
		signed(Keyring::Bob),
		0,
		Side::Long,
		20 * UNIT,
		2 * UNIT,
		true,
		0
	));
	// The next block (past the sandwich guard), where the operator has fed already.
	Perp::on_finalize(System::block_number());
	Oracle::on_finalize(System::block_number());
	System::set_block_number(System::block_number() + 1);
	pallet_timestamp::Now::<Runtime>::put(START_MS + 6_000);
	assert_ok!(feed(10 * UNIT).dispatch_bypass_filter(signed(Keyring::Alice)));
}

fn open(
	who: Keyring,
	market: u32,
	margin: u128,
	leverage: u128,
	isolated: bool,
	limit: u128,
) -> (RuntimeCall, RuntimeOrigin) {
	(
		perp(pallet_perp::Call::open_position {
			market,
			side: Side::Long,
			margin,
			leverage,
			isolated,
			limit,
		}),
		signed(who),
	)
}

/// `(what, call, origin, expected error)`.
fn table() -> Vec<(&'static str, RuntimeCall, RuntimeOrigin, &'static str)> {
	use pallet_perp::Call as P;
	let defaults = MarketParams::default();
	let market = |params: MarketParams| perp(P::set_market_params { market: 0, params });
	let bob = || signed(Keyring::Bob);
	let root = RuntimeOrigin::root;
	let mut rows = vec![
		(
			"create_market from a trader",
			perp(P::create_market {
				collection: 3,
				base_reserve: UNIT,
				quote_reserve: UNIT,
				params: defaults,
			}),
			bob(),
			"BadOrigin",
		),
		(
			"create_market for a listed collection",
			perp(P::create_market {
				collection: 1,
				base_reserve: UNIT,
				quote_reserve: UNIT,
				params: defaults,
			}),
			root(),
			"MarketExists",
		),
		(
			"create_market with a zero reserve",
			perp(P::create_market {
				collection: 3,
				base_reserve: 0,
				quote_reserve: UNIT,
				params: defaults,
			}),
			root(),
			"InvalidReserves",
		),
		(
			"create_market with zero IMR",
			perp(P::create_market {
				collection: 3,
				base_reserve: UNIT,
				quote_reserve: UNIT,
				params: MarketParams { initial_margin_ratio: 0, ..defaults },
			}),
			root(),
			"InvalidInitialMarginRatio",
		),
		(
			"set_market_params, unknown market",
			perp(P::set_market_params { market: 9, params: defaults }),
			root(),
			"UnknownMarket",
		),
		(
			"set_market_params, maintenance above initial",
			market(MarketParams {
				maintenance_margin_ratio: defaults.initial_margin_ratio,
				..defaults
			}),
			root(),
			"MaintenanceNotBelowInitial",
		),
		(
			"set_market_params, fee ratio above 1",
			market(MarketParams { fee_ratio: 2 * UNIT, ..defaults }),
			root(),
			"RatioAboveOne",
		),
		("set_market_params from a trader", market(defaults), bob(), "BadOrigin"),
		("pause_market from a trader", perp(P::pause_market { market: 0 }), bob(), "BadOrigin"),
		(
			"unpause_market, not paused",
			perp(P::unpause_market { market: 0 }),
			root(),
			"MarketNotPaused",
		),
		("deposit zero", perp(P::deposit { amount: 0 }), bob(), "ZeroAmount"),
		(
			"deposit more than the balance",
			perp(P::deposit { amount: u128::MAX }),
			bob(),
			"InsufficientBalance",
		),
		("withdraw zero", perp(P::withdraw { amount: 0 }), bob(), "ZeroAmount"),
		(
			"withdraw beyond free collateral",
			perp(P::withdraw { amount: 1_000 * UNIT }),
			bob(),
			"InsufficientFreeCollateral",
		),
		(
			"reduce zero",
			perp(P::reduce_position { market: 0, base: 0, limit: 0 }),
			bob(),
			"ZeroAmount",
		),
		(
			"reduce more than the size",
			perp(P::reduce_position { market: 0, base: 1_000 * UNIT, limit: 0 }),
			bob(),
			"ReduceTooLarge",
		),
		(
			"reduce without a position",
			perp(P::reduce_position { market: 0, base: UNIT, limit: 0 }),
			signed(Keyring::Dave),
			"NoPosition",
		),
		(
			"close without a position",
			perp(P::close_position { market: 0, limit: 0 }),
			signed(Keyring::Dave),
			"NoPosition",
		),
		(
			"close with an unmeetable limit",
			perp(P::close_position { market: 0, limit: u128::MAX }),
			bob(),
			"SlippageExceeded",
		),
		("add zero margin", perp(P::add_margin { market: 0, amount: 0 }), bob(), "ZeroAmount"),
		(
			"add more margin than held",
			perp(P::add_margin { market: 0, amount: 10_000 * UNIT }),
			bob(),
			"InsufficientCollateral",
		),
		(
			"remove more margin than the position has",
			perp(P::remove_margin { market: 0, amount: 1_000 * UNIT }),
			bob(),
			"MarginTooLow",
		),
		(
			"remove margin below the initial ratio",
			perp(P::remove_margin { market: 0, amount: 19 * UNIT }),
			bob(),
			"InsufficientMargin",
		),
		(
			"liquidate a healthy position",
			perp(P::liquidate { account: Keyring::Bob.to_account_id(), market: 0 }),
			signed(Keyring::Dave),
			"NotLiquidatable",
		),
		(
			"liquidate with no position",
			perp(P::liquidate { account: Keyring::Dave.to_account_id(), market: 0 }),
			bob(),
			"NoPosition",
		),
		(
			"liquidate from no origin",
			perp(P::liquidate { account: Keyring::Bob.to_account_id(), market: 0 }),
			RuntimeOrigin::none(),
			"BadOrigin",
		),
		(
			"settle_funding before it is due",
			perp(P::settle_funding { market: 0 }),
			bob(),
			"FundingNotDue",
		),
		("converge before it is due", perp(P::converge { market: 0 }), bob(), "ConvergenceNotDue"),
		("force_converge from a trader", perp(P::force_converge { market: 0 }), bob(), "BadOrigin"),
		(
			"adjust_liquidity by zero",
			perp(P::adjust_liquidity { market: 0, multiplier: 0 }),
			root(),
			"InvalidMultiplier",
		),
		(
			"adjust_liquidity by 3",
			perp(P::adjust_liquidity { market: 0, multiplier: 3 * UNIT }),
			root(),
			"InvalidMultiplier",
		),
		(
			"adjust_liquidity from a trader",
			perp(P::adjust_liquidity { market: 0, multiplier: 2 * UNIT }),
			bob(),
			"BadOrigin",
		),
		(
			"insurance contribute zero",
			RuntimeCall::Insurance(pallet_insurance::Call::contribute { amount: 0 }),
			bob(),
			"ZeroAmount",
		),
		(
			"insurance withdraw_surplus from a trader",
			RuntimeCall::Insurance(pallet_insurance::Call::withdraw_surplus {
				to: Keyring::Bob.to_account_id().into(),
				amount: UNIT,
			}),
			bob(),
			"BadOrigin",
		),
		(
			"insurance withdraw_surplus beyond the surplus",
			RuntimeCall::Insurance(pallet_insurance::Call::withdraw_surplus {
				to: Keyring::Bob.to_account_id().into(),
				amount: UNIT,
			}),
			root(),
			"ExceedsSurplus",
		),
		("oracle feed from a non-operator", feed(UNIT), bob(), "NoPermission"),
		("oracle feed twice in a block", feed(UNIT), signed(Keyring::Alice), "AlreadyFeeded"),
		(
			"true-floor set_collection from a trader",
			RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::set_collection {
				collection: 1,
				config: collection_config(),
			}),
			bob(),
			"BadOrigin",
		),
		(
			"true-floor remove an unknown collection",
			RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::remove_collection {
				collection: 9,
			}),
			root(),
			"UnknownCollection",
		),
		(
			"true-floor submit_floors signed",
			RuntimeCall::TrueFloor(pallet_true_floor_oracle::Call::submit_floors {
				feed: bob_feed().0,
				signature: bob_feed().1,
			}),
			bob(),
			"BadOrigin",
		),
	];
	let opens = [
		(
			"open in an unknown market",
			open(Keyring::Dave, 9, UNIT, UNIT, false, 0),
			"UnknownMarket",
		),
		("open in a paused market", open(Keyring::Dave, 1, UNIT, UNIT, false, 0), "MarketPaused"),
		("open with zero margin", open(Keyring::Dave, 0, 0, UNIT, false, 0), "ZeroAmount"),
		("open with zero leverage", open(Keyring::Dave, 0, UNIT, 0, false, 0), "ZeroLeverage"),
		(
			"open over-leveraged (6x > 1/IMR)",
			open(Keyring::Dave, 0, UNIT, 6 * UNIT, false, 0),
			"LeverageTooHigh",
		),
		(
			"open without collateral",
			open(Keyring::Charlie, 0, UNIT, UNIT, false, 0),
			"InsufficientCollateral",
		),
		(
			"open beyond held collateral",
			open(Keyring::Dave, 0, 2_000 * UNIT, UNIT / 100, false, 0),
			"InsufficientCollateral",
		),
		(
			"open cross over an isolated position",
			open(Keyring::Bob, 0, UNIT, UNIT, false, 0),
			"MarginModeMismatch",
		),
		(
			"open with an unmeetable slippage limit",
			open(Keyring::Dave, 0, UNIT, UNIT, false, u128::MAX),
			"SlippageExceeded",
		),
		("open a dust trade", open(Keyring::Dave, 0, 1, UNIT, false, 0), "TradeTooSmall"),
		(
			"open beyond the per-block band",
			open(Keyring::Dave, 0, 900 * UNIT, 5 * UNIT, false, 0),
			"FluctuationLimitExceeded",
		),
	];
	rows.extend(opens.into_iter().map(|(what, (call, origin), error)| (what, call, origin, error)));
	rows
}

fn collection_config() -> pallet_true_floor_oracle::CollectionConfig {
	pallet_true_floor_oracle::CollectionConfig {
		contract: [1; 20],
		slug: b"apes".to_vec().try_into().unwrap(),
		sources: vec![pallet_true_floor_oracle::Source::OpenSeaV2].try_into().unwrap(),
		params: Default::default(),
	}
}

fn bob_feed() -> (pallet_true_floor_oracle::FeedOf<Runtime>, crypto::Signature) {
	let feed = FloorFeed {
		operator: crypto::Public::from(Keyring::Bob.public()),
		block: System::block_number(),
		floors: vec![(1u32, UNIT)].try_into().unwrap(),
	};
	let signature = crypto::Signature::from(Keyring::Bob.sign(&feed.encode()));
	(feed, signature)
}

#[test]
fn every_bad_input_fails_with_its_error_and_changes_nothing() {
	common::chain(development_config_genesis()).execute_with(|| {
		setup();
		let rows = table();
		assert!(rows.len() >= 50, "{} rows", rows.len());
		for (what, call, origin, expected) in rows {
			let before = sp_io::storage::root(StateVersion::V1);
			let error = call.dispatch_bypass_filter(origin).expect_err(what).error;
			let text = format!("{error:?}");
			assert!(text.contains(expected), "{what}: expected {expected}, got {text}");
			assert_eq!(sp_io::storage::root(StateVersion::V1), before, "{what} changed state");
		}
	});
}

#[test]
fn a_stale_index_pauses_opening_while_closes_and_liquidations_go_on() {
	common::chain(development_config_genesis()).execute_with(|| {
		setup();
		// The operators stop feeding: after max_oracle_age (600 s) the index is stale.
		Perp::on_finalize(System::block_number());
		Oracle::on_finalize(System::block_number());
		System::set_block_number(System::block_number() + 1);
		pallet_timestamp::Now::<Runtime>::put(START_MS + 700_000);
		let (call, origin) = open(Keyring::Dave, 0, UNIT, UNIT, false, 0);
		let error = call.dispatch_bypass_filter(origin).unwrap_err().error;
		assert!(format!("{error:?}").contains("OracleStale"));
		// Closing needs no index.
		assert_ok!(Perp::close_position(signed(Keyring::Bob), 0, 0));

		// A position that falls below maintenance is still liquidated on the curve alone.
		let ferdie = Keyring::Ferdie;
		assert_ok!(feed(10 * UNIT).dispatch_bypass_filter(signed(Keyring::Alice)));
		assert_ok!(Perp::deposit(signed(ferdie), 100 * UNIT));
		assert_ok!(Perp::open_position(
			signed(ferdie),
			0,
			Side::Long,
			20 * UNIT,
			5 * UNIT,
			true,
			0
		));
		let params = MarketParams {
			fluctuation_limit: 0,
			max_mark_index_divergence: 0,
			..MarketParams::default()
		};
		assert_ok!(Perp::set_market_params(RuntimeOrigin::root(), 0, params));
		assert_ok!(Perp::open_position(
			signed(Keyring::Dave),
			0,
			Side::Short,
			200 * UNIT,
			5 * UNIT,
			false,
			0
		));
		Perp::on_finalize(System::block_number());
		Oracle::on_finalize(System::block_number());
		System::set_block_number(System::block_number() + 1);
		pallet_timestamp::Now::<Runtime>::put(START_MS + 1_400_000);
		// Without a fresh index the fair price is the mark TWAP, which has held the crash
		// for longer than the liquidation window.
		assert!(
			Perp::liquidatable(&ferdie.to_account_id(), 0).is_ok(),
			"liquidatable without an index"
		);
		assert_ok!(Perp::liquidate(signed(Keyring::Charlie), ferdie.to_account_id(), 0));
		assert!(pallet_perp::Positions::<Runtime>::get(ferdie.to_account_id(), 0).is_none());
	});
}
