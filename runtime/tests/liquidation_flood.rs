//! A flood of fee-less liquidations during a crash, applied as a block applies them
//! (`Executive::apply_extrinsic`): 200 authorised liquidations of 200 underwater positions
//! are offered in one block. Authorisation is a dry run of the dispatch, so the block takes
//! only those that succeed (the first ones, until the fluctuation band stops further closes
//! or the block's liquidation budget is spent); every other one is refused before inclusion
//! (it stays in the pool for the next block), no included transaction fails, and traders'
//! signed transactions still get in.

mod common;

use codec::Encode;
use common::blocks::{authorised, feed, mark, next_block, START_MS};
use floorperp_runtime::{
	collateral::EthCollateral, configs::perp_system_accounts,
	genesis_config_presets::development_config_genesis, pallet_perp, Executive, Perp, Runtime,
	RuntimeCall, RuntimeOrigin, UNIT,
};
use perp_math::Side;
use polkadot_sdk::{
	frame_support::{assert_ok, traits::fungible::Mutate},
	pallet_timestamp,
	sp_keyring::Sr25519Keyring,
	sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError},
};

const POSITIONS: u32 = 200;

#[test]
fn a_flood_of_authorised_liquidations_never_includes_a_failure() {
	common::chain(development_config_genesis()).execute_with(|| {
		pallet_timestamp::Now::<Runtime>::put(START_MS);
		// The default parameters: the 2 % band; the runtime's liquidation budget.
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			1,
			10_000 * UNIT,
			100_000 * UNIT,
			pallet_perp::MarketParams { sandwich_guard: false, ..Default::default() }
		));
		feed(10 * UNIT);
		let traders: Vec<_> = (0..POSITIONS)
			.map(|seed| {
				let who = polkadot_sdk::sp_core::crypto::AccountId32::new(
					polkadot_sdk::sp_io::hashing::blake2_256(&seed.encode()),
				);
				EthCollateral::set_balance(&who, 1_000 * UNIT);
				assert_ok!(Perp::deposit(RuntimeOrigin::signed(who.clone()), 100 * UNIT));
				who
			})
			.collect();
		// 200 isolated 5x longs of 100, over 25 blocks (the band bounds each block's move).
		for chunk in traders.chunks(8) {
			next_block();
			feed(mark());
			for who in chunk {
				assert_ok!(Perp::open_position(
					RuntimeOrigin::signed(who.clone()),
					0,
					Side::Long,
					20 * UNIT,
					5 * UNIT,
					true,
					0
				));
			}
		}
		// The floor falls 30 % and an arbitrageur follows it down, under 2 % a block.
		let dave = Sr25519Keyring::Dave.to_account_id();
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(dave.clone()), 50_000 * UNIT));
		let target = mark() * 70 / 100;
		for _ in 0..30 {
			next_block();
			feed(target);
			if mark() > target {
				assert_ok!(Perp::open_position(
					RuntimeOrigin::signed(dave.clone()),
					0,
					Side::Short,
					200 * UNIT,
					5 * UNIT,
					false,
					0,
				));
			}
		}
		assert!(mark() <= target, "the mark followed the floor down");
		next_block();
		feed(target);
		let underwater = traders.iter().filter(|who| Perp::liquidatable(who, 0).is_ok()).count();
		// The later (dearer) longs are underwater; the first ones are not: the flood mixes
		// liquidations that are due with ones that are not.
		assert_eq!(underwater, 150);

		// The block: 200 authorised liquidations, then two traders' signed transactions.
		let (mut included, mut refused, mut failed) = (0, 0, 0);
		for who in &traders {
			let call =
				RuntimeCall::Perp(pallet_perp::Call::liquidate { account: who.clone(), market: 0 });
			match Executive::apply_extrinsic(authorised(call)) {
				Ok(Ok(_)) => included += 1,
				Ok(Err(_)) => failed += 1,
				Err(_) => refused += 1,
			}
		}
		println!("flood: {included} included, {refused} refused before inclusion, {failed} failed");
		assert_eq!(failed, 0, "no included fee-less transaction fails");
		let budget = floorperp_runtime::configs::MaxLiquidationsPerBlock::get();
		assert!(included > 0 && included <= budget, "{included} liquidations fit the block");
		assert_eq!(included + refused, POSITIONS);
		let eve = Sr25519Keyring::Eve;
		let deposit = RuntimeCall::Perp(pallet_perp::Call::deposit { amount: UNIT });
		assert!(matches!(
			Executive::apply_extrinsic(common::signed(&eve.pair(), deposit, 0)),
			Ok(Ok(_))
		));
		let transfer =
			RuntimeCall::Balances(polkadot_sdk::pallet_balances::Call::transfer_keep_alive {
				dest: perp_system_accounts()[1].clone().into(),
				value: UNIT,
			});
		assert!(matches!(
			Executive::apply_extrinsic(common::signed(&Sr25519Keyring::Ferdie.pair(), transfer, 0)),
			Ok(Ok(_))
		));
	});
}

/// The budget is what a third of the normal class holds at the benchmarked worst case of one
/// liquidation, so a full budget of liquidations never crowds traders out of a block.
#[test]
fn the_liquidation_budget_is_a_third_of_the_normal_class() {
	use floorperp_runtime::configs::{
		liquidation_weight, MaxLiquidationsPerBlock, RuntimeBlockWeights,
	};
	use polkadot_sdk::frame_support::dispatch::DispatchClass;
	let normal = RuntimeBlockWeights::get().get(DispatchClass::Normal).max_total.unwrap();
	let budget = u64::from(MaxLiquidationsPerBlock::get());
	let one = liquidation_weight().ref_time();
	assert!(budget * one <= normal.ref_time() / 3);
	assert!((budget + 1) * one > normal.ref_time() / 3);
	assert_eq!(budget, 139, "one liquidation: {one} ps");
}

/// A worker's call repeated a block later is a new transaction. The pool keeps an included
/// transaction's hash until its block is final and refuses the same bytes (`AlreadyImported`):
/// on a node, a position liquidated in part and still liquidatable waited about three blocks
/// for its next liquidation (docs/PERFORMANCE.md#the-crash-drill-on-a-node). Both copies
/// carry a birth block the chain knows, so validation goes past the era to the call's own
/// authorisation.
#[test]
fn a_workers_call_a_block_later_is_a_new_transaction() {
	common::chain(development_config_genesis()).execute_with(|| {
		pallet_timestamp::Now::<Runtime>::put(START_MS);
		next_block();
		let alice = Sr25519Keyring::Alice.to_account_id();
		let call = RuntimeCall::Perp(pallet_perp::Call::liquidate { account: alice, market: 0 });
		let first = authorised(call.clone());
		next_block();
		let second = authorised(call);
		assert_ne!(first.encode(), second.encode(), "the same call from the next block's worker");
		next_block();
		for transaction in [first, second] {
			// No market 0: the authorisation's dry run refuses it.
			assert!(matches!(
				Executive::apply_extrinsic(transaction),
				Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(_)))
			));
		}
	});
}
