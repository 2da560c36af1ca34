//! ETH collateral on the real runtime: a trader holding ETH and a little FLOOR deposits,
//! trades and withdraws through signed transactions, and every figure moves in the right
//! asset (ETH by fees and PnL, FLOOR by transaction fees); the insurance fund pays bad debt
//! in ETH; a FLOOR transfer never touches collateral; bad inputs fail with their error and
//! change nothing; the faucet drips test ETH on development networks only.

mod common;
use common::blocks::{feed, START_MS};

use floorperp_runtime::{
	collateral::{eth_balance, EthCollateral, ETH},
	configs::InsuranceFundAdapter,
	genesis_config_presets::development_config_genesis,
	pallet_perp::{self, InsuranceFund, MarketParams},
	Assets, Balances, Executive, Faucet, Perp, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
	System, HOURS, UNIT,
};
use perp_math::Side;
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{fungible::Mutate, OnFinalize, UnfilteredDispatchable},
	},
	pallet_timestamp,
	sp_core::{sr25519, Pair},
	sp_io,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{
		traits::IdentifyAccount,
		transaction_validity::{InvalidTransaction, TransactionValidityError},
		AccountId32, MultiSigner,
	},
};

fn market() {
	pallet_timestamp::Now::<Runtime>::put(START_MS);
	let params = MarketParams { fluctuation_limit: 0, ..MarketParams::default() };
	assert_ok!(Perp::create_market(RuntimeOrigin::root(), 1, 1_000 * UNIT, 10_000 * UNIT, params));
	feed(10 * UNIT);
}

fn next_block() {
	let block = System::block_number();
	Perp::on_finalize(block);
	polkadot_sdk::pallet_oracle::Pallet::<Runtime>::on_finalize(block);
	System::set_block_number(block + 1);
	pallet_timestamp::Now::<Runtime>::put(pallet_timestamp::Now::<Runtime>::get() + 6_000);
}

fn account(pair: &sr25519::Pair) -> AccountId32 {
	MultiSigner::from(pair.public()).into_account()
}

/// Applies `call` signed by `pair`; returns the FLOOR fee it paid.
fn apply(pair: &sr25519::Pair, call: RuntimeCall) -> u128 {
	common::apply(pair, call, 0)
}

fn perp(call: pallet_perp::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Perp(call)
}

fn held(who: &AccountId32) -> u128 {
	Perp::held_collateral(who)
}

/// A fresh trader with 100 ETH and 1 FLOOR: deposit 50, a 3x long of 10, close, withdraw all.
/// ETH moves by exactly the trading fees and the realised PnL; FLOOR by exactly the
/// transaction fees; nothing else.
#[test]
fn a_trader_with_eth_collateral_trades_and_pays_fees_in_floor() {
	common::chain(development_config_genesis()).execute_with(|| {
		market();
		let trader = sr25519::Pair::from_string("//Trader", None).unwrap();
		let who = account(&trader);
		EthCollateral::set_balance(&who, 100 * UNIT);
		Balances::set_balance(&who, UNIT);
		let mut floor_fees = 0;
		floor_fees += apply(&trader, perp(pallet_perp::Call::deposit { amount: 50 * UNIT }));
		assert_eq!((eth_balance(&who), held(&who)), (50 * UNIT, 50 * UNIT));
		next_block();
		floor_fees += apply(
			&trader,
			perp(pallet_perp::Call::open_position {
				market: 0,
				side: Side::Long,
				margin: 10 * UNIT,
				leverage: 3 * UNIT,
				isolated: false,
				limit: 0,
			}),
		);
		next_block();
		floor_fees +=
			apply(&trader, perp(pallet_perp::Call::close_position { market: 0, limit: 0 }));
		let (mut trading_fees, mut pnl) = (0u128, 0i128);
		for record in System::events() {
			if let RuntimeEvent::Perp(pallet_perp::Event::PositionChanged {
				fee,
				realized_pnl,
				..
			}) = record.event
			{
				trading_fees += fee;
				pnl += realized_pnl;
			}
		}
		// 30 of notional each way at 0.3 %, and the round trip's rounding (5 wei).
		assert_eq!(trading_fees, 180_000_000_000_000_000);
		assert_eq!(pnl, -5);
		let left = held(&who);
		assert_eq!(left as i128, 50 * UNIT as i128 - trading_fees as i128 + pnl);
		next_block();
		floor_fees += apply(&trader, perp(pallet_perp::Call::withdraw { amount: left }));
		assert_eq!(held(&who), 0);
		assert_eq!(eth_balance(&who) as i128, 100 * UNIT as i128 - trading_fees as i128 + pnl);
		assert_eq!(Balances::free_balance(&who), UNIT - floor_fees);
		assert!(floor_fees > 0);
	});
}

/// A FLOOR transfer touches FLOOR only: the sender's held ETH, its free ETH and every
/// position stay as they were.
#[test]
fn a_native_transfer_never_touches_collateral() {
	common::chain(development_config_genesis()).execute_with(|| {
		market();
		let bob = Sr25519Keyring::Bob;
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(bob.to_account_id()), 1_000 * UNIT));
		let (eth, collateral) = (eth_balance(&bob.to_account_id()), held(&bob.to_account_id()));
		let transfer =
			RuntimeCall::Balances(polkadot_sdk::pallet_balances::Call::transfer_allow_death {
				dest: Sr25519Keyring::Ferdie.to_account_id().into(),
				value: 999_000 * UNIT,
			});
		apply(&bob.pair(), transfer);
		assert_eq!(
			(eth_balance(&bob.to_account_id()), held(&bob.to_account_id())),
			(eth, collateral)
		);
	});
}

/// Bad debt is paid in ETH: the fund's ETH goes down by exactly the bad debt, its FLOOR
/// does not move.
#[test]
fn the_insurance_fund_pays_bad_debt_in_eth() {
	common::chain(development_config_genesis()).execute_with(|| {
		pallet_timestamp::Now::<Runtime>::put(START_MS);
		let params = MarketParams {
			fluctuation_limit: 0,
			max_mark_index_divergence: 0,
			sandwich_guard: false,
			..MarketParams::default()
		};
		assert_ok!(Perp::create_market(RuntimeOrigin::root(), 1, 100 * UNIT, 1_000 * UNIT, params));
		feed(10 * UNIT);
		let (bob, dave) =
			(Sr25519Keyring::Bob.to_account_id(), Sr25519Keyring::Dave.to_account_id());
		for who in [&bob, &dave] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who.clone()), 1_000 * UNIT));
		}
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(bob.clone()),
			0,
			Side::Long,
			20 * UNIT,
			5 * UNIT,
			true,
			0
		));
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(dave),
			0,
			Side::Short,
			45 * UNIT,
			5 * UNIT,
			false,
			0
		));
		let mark = pallet_perp::Markets::<Runtime>::get(0).unwrap().reserves.mark_price().unwrap();
		next_block();
		feed(mark);
		let fund = InsuranceFundAdapter::account();
		let (eth_before, floor_before) = (eth_balance(&fund), Balances::free_balance(&fund));
		assert_ok!(Perp::liquidate(
			RuntimeOrigin::signed(Sr25519Keyring::Charlie.to_account_id()),
			bob,
			0
		));
		let bad_debt = System::events()
			.into_iter()
			.find_map(|record| match record.event {
				RuntimeEvent::Perp(pallet_perp::Event::BadDebtSettled {
					covered_by_insurance,
					..
				}) => Some(covered_by_insurance),
				_ => None,
			})
			.expect("bad debt");
		assert!(bad_debt > 0);
		assert_eq!(eth_before - eth_balance(&fund), bad_debt);
		assert_eq!(Balances::free_balance(&fund), floor_before);
	});
}

/// Bad inputs fail with their error and leave the state root as it was: no ETH to deposit
/// (only another asset), the ETH asset frozen by governance, no FLOOR for the fee.
#[test]
fn bad_collateral_inputs_fail_and_change_nothing() {
	common::chain(development_config_genesis()).execute_with(|| {
		market();
		let root = || sp_io::storage::root(polkadot_sdk::sp_runtime::StateVersion::V1);
		// Another asset does not back positions.
		assert_ok!(Assets::force_create(
			RuntimeOrigin::root(),
			2.into(),
			Sr25519Keyring::Alice.to_account_id().into(),
			true,
			1
		));
		let stranger = AccountId32::new([7; 32]);
		assert_ok!(
			<Assets as polkadot_sdk::frame_support::traits::fungibles::Mutate<_>>::mint_into(
				2,
				&stranger,
				1_000 * UNIT
			)
		);
		let before = root();
		assert_noop!(
			Perp::deposit(RuntimeOrigin::signed(stranger.clone()), UNIT),
			pallet_perp::Error::<Runtime>::InsufficientBalance
		);
		assert_eq!(root(), before);
		// Governance freezes ETH: collateral cannot move in or out.
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(bob.clone()), 10 * UNIT));
		assert_ok!(Assets::freeze_asset(
			RuntimeOrigin::signed(floorperp_runtime::collateral::EthIssuerAccount::get()),
			ETH.into()
		));
		let before = root();
		for call in [
			pallet_perp::Call::<Runtime>::deposit { amount: UNIT },
			pallet_perp::Call::withdraw { amount: UNIT },
		] {
			let error =
				call.dispatch_bypass_filter(RuntimeOrigin::signed(bob.clone())).unwrap_err().error;
			assert_eq!(error, pallet_perp::Error::<Runtime>::CollateralFrozen.into());
		}
		assert_eq!(root(), before);
		assert_ok!(Assets::thaw_asset(
			RuntimeOrigin::signed(floorperp_runtime::collateral::EthIssuerAccount::get()),
			ETH.into()
		));
		// No FLOOR for the fee: the pool refuses it, nothing happens.
		let poor = sr25519::Pair::from_string("//Poor", None).unwrap();
		EthCollateral::set_balance(&account(&poor), 10 * UNIT);
		// The executive notes every applied extrinsic's bytes, so the root is not the measure
		// here: the poor account's balances, nonce and trader record are.
		let poor_account = account(&poor);
		assert_eq!(
			Executive::apply_extrinsic(common::signed(
				&poor,
				perp(pallet_perp::Call::deposit { amount: UNIT }),
				0
			)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))
		);
		assert_eq!(eth_balance(&poor_account), 10 * UNIT);
		assert_eq!(Balances::free_balance(&poor_account), 0);
		assert_eq!(System::account_nonce(&poor_account), 0);
		assert!(!pallet_perp::Traders::<Runtime>::contains_key(&poor_account));
	});
}

/// The faucet gives 100 test ETH per account and hour on development networks.
#[test]
fn the_faucet_drips_test_eth_once_an_hour() {
	common::chain(development_config_genesis()).execute_with(|| {
		let newcomer = AccountId32::new([9; 32]);
		Balances::set_balance(&newcomer, UNIT);
		let drip = || Faucet::drip(RuntimeOrigin::signed(newcomer.clone()));
		assert_ok!(drip());
		assert_eq!(eth_balance(&newcomer), 100 * UNIT);
		assert_noop!(drip(), floorperp_runtime::pallet_faucet::Error::<Runtime>::TooSoon);
		System::set_block_number(System::block_number() + HOURS);
		assert_ok!(drip());
		assert_eq!(eth_balance(&newcomer), 200 * UNIT);
		// Off (production genesis leaves it at zero).
		assert_ok!(Faucet::set_drip(RuntimeOrigin::root(), 0, HOURS));
		System::set_block_number(System::block_number() + HOURS);
		assert_noop!(drip(), floorperp_runtime::pallet_faucet::Error::<Runtime>::FaucetDisabled);
	});
}
