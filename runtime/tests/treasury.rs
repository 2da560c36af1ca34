//! The treasury on the real runtime: 80 % of every transaction fee reaches it and the rest
//! with the tip goes to the block's author (nothing is burned); pallet-perp pays the treasury
//! share of trading fees into the same account, in ETH; Root (a `root` referendum) spends its
//! ETH and FLOOR, and nobody else can.

mod common;

use codec::Encode;
use floorperp_runtime::{
	collateral::{eth_balance, EthCollateral, ETH},
	genesis_config_presets::development_config_genesis,
	pallet_perp,
	treasury::TreasuryAsset,
	Balances, Runtime, RuntimeCall, RuntimeOrigin, System, Treasury, UNIT,
};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{fungible::Mutate, Currency, Get},
	},
	pallet_balances,
	sp_consensus_aura::{Slot, AURA_ENGINE_ID},
	sp_core::{sr25519, Pair},
	sp_keyring::Sr25519Keyring,
	sp_runtime::{traits::IdentifyAccount, AccountId32, DigestItem, DispatchError, MultiSigner},
};

fn treasury() -> AccountId32 {
	Treasury::account_id()
}

fn account(pair: &sr25519::Pair) -> AccountId32 {
	MultiSigner::from(pair.public()).into_account()
}

/// Alice (the development chain's only validator) authors the block being built.
fn alice_authors() {
	System::deposit_log(DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(1_000u64).encode()));
}

#[test]
fn transaction_fees_go_80_percent_to_the_treasury_and_the_rest_with_the_tip_to_the_author() {
	common::chain(development_config_genesis()).execute_with(|| {
		alice_authors();
		let alice = Sr25519Keyring::Alice.to_account_id();
		let trader = sr25519::Pair::from_string("//Trader", None).unwrap();
		Balances::set_balance(&account(&trader), UNIT);
		let issuance = Balances::total_issuance();
		let (treasury_before, author_before) =
			(Balances::free_balance(treasury()), Balances::free_balance(&alice));
		let tip = UNIT / 1_000;
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: alice.clone().into(),
			value: UNIT / 10,
		});
		let paid = common::apply(&trader, transfer, tip);
		let fee = paid - tip;
		assert!(fee > 0);
		let to_treasury = fee * 80 / 100;
		assert_eq!(Balances::free_balance(treasury()) - treasury_before, to_treasury);
		assert_eq!(
			Balances::free_balance(&alice) - author_before,
			UNIT / 10 + (fee - to_treasury) + tip
		);
		// Nothing burned: every unit the trader paid is somewhere.
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

/// pallet-perp pays the treasury share of trading fees (ETH) at each funding settlement to
/// its `Treasury` account: that is pallet-treasury's own account, which referenda spend from.
#[test]
fn the_perp_pallets_treasury_is_the_treasury_pallets_account() {
	common::chain(development_config_genesis()).execute_with(|| {
		let paid_to = <<Runtime as pallet_perp::Config>::Treasury as Get<AccountId32>>::get();
		assert_eq!(paid_to, Treasury::account_id());
		// It exists from genesis in both assets, so the first small payment cannot fail.
		assert!(eth_balance(&paid_to) > 0);
		assert!(Balances::free_balance(&paid_to) > 0);
	});
}

#[test]
fn only_root_spends_the_treasury_in_eth_or_floor() {
	common::chain(development_config_genesis()).execute_with(|| {
		EthCollateral::set_balance(&treasury(), 1_000 * UNIT);
		let _ = Balances::deposit_creating(&treasury(), 1_000 * UNIT);
		let beneficiary = AccountId32::from([7u8; 32]);
		let eth = TreasuryAsset::WithId(ETH);

		// A signed account cannot spend.
		assert_noop!(
			Treasury::spend(
				RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
				Box::new(eth.clone()),
				5 * UNIT,
				Box::new(beneficiary.clone()),
				None
			),
			DispatchError::BadOrigin
		);

		// Root (what a `root` referendum enacts with) approves; anyone triggers the payout.
		assert_ok!(Treasury::spend(
			RuntimeOrigin::root(),
			Box::new(eth),
			5 * UNIT,
			Box::new(beneficiary.clone()),
			None
		));
		assert_ok!(Treasury::spend(
			RuntimeOrigin::root(),
			Box::new(TreasuryAsset::Native),
			3 * UNIT,
			Box::new(beneficiary.clone()),
			None
		));
		let anyone = RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id());
		assert_ok!(Treasury::payout(anyone.clone(), 0));
		assert_ok!(Treasury::payout(anyone, 1));
		assert_eq!(eth_balance(&beneficiary), 5 * UNIT);
		assert_eq!(eth_balance(&treasury()), 995 * UNIT);
		assert_eq!(Balances::free_balance(&beneficiary), 3 * UNIT);
	});
}
