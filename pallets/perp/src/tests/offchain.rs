//! The liquidation offchain worker and the authorisation of its transactions, with the
//! offchain and transaction-pool test externalities.

use crate::{
	mock::*,
	offchain::{CURSOR_KEY, NOT_DUE, NOT_LIQUIDATABLE},
	pallet::*,
	Call as PerpCall,
};
use codec::{Decode, Encode};
use perp_math::Side;
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
		storage::StoragePrefixedMap,
		traits::{fungible::Mutate, Authorize, Hooks},
	},
	frame_system::RawOrigin,
	sp_core::offchain::{
		testing::{TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
	},
	sp_runtime::{generic::Preamble, offchain::storage::StorageValueRef},
};

/// Runs `test` with an offchain worker and a transaction pool; `test` gets a function that
/// returns the pool's transactions.
fn with_offchain(test: impl FnOnce(&dyn Fn() -> Vec<Vec<u8>>)) {
	let mut ext = ExtBuilder::default().build();
	let (offchain, _state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		test(&|| pool_state.read().transactions.clone());
		Perp::do_try_state().expect("invariants hold after the test");
	});
}

fn open(who: AccountId, side: Side, margin_amount: u128, isolated: bool) {
	assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who),
		0,
		side,
		margin_amount,
		5 * UNIT,
		isolated,
		0
	));
}

/// Alice (isolated long) pushed below 10 % by Bob's short; Charlie holds a healthy long.
fn one_underwater_position() {
	create_market_with(unguarded_params());
	open(CHARLIE, Side::Long, 5 * UNIT, false);
	open(ALICE, Side::Long, 100 * UNIT, true);
	open(BOB, Side::Short, 25 * UNIT, false);
	let mark = Markets::<Test>::get(0).unwrap().reserves.mark_price().unwrap();
	set_index(COLLECTION, mark);
	next_block();
}

fn decoded(transactions: Vec<Vec<u8>>) -> Vec<Extrinsic> {
	transactions.iter().map(|bytes| Extrinsic::decode(&mut &bytes[..]).unwrap()).collect()
}

fn calls(transactions: Vec<Vec<u8>>) -> Vec<RuntimeCall> {
	decoded(transactions).into_iter().map(|xt| xt.function).collect()
}

#[test]
fn an_underwater_position_produces_exactly_one_authorised_liquidation() {
	with_offchain(|pool| {
		one_underwater_position();
		Perp::offchain_worker(System::block_number());

		let calls = calls(pool());
		let expected: RuntimeCall =
			PerpCall::<Test>::liquidate { account: ALICE, market: 0 }.into();
		assert_eq!(calls, vec![expected.clone()]);
		// The transaction is a general (authorised) one, not a bare or signed extrinsic.
		let xt = decoded(pool()).remove(0);
		assert!(matches!(xt.preamble, Preamble::General(..)));

		let (validity, _unspent) =
			expected.authorize(TransactionSource::External).expect("liquidate authorises").unwrap();
		assert_eq!(validity.priority, u64::MAX / 2);
		assert_eq!(validity.provides, vec![("PerpLiquidation", (ALICE, 0u32).encode()).encode()]);
		assert!(validity.propagate);

		// Dispatched as the authorised origin it liquidates Alice, and then authorises no more.
		assert_ok!(Perp::liquidate(RawOrigin::Authorized.into(), ALICE, 0));
		assert!(Positions::<Test>::get(ALICE, 0).is_none());
		assert_eq!(
			expected.authorize(TransactionSource::External).unwrap(),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(NOT_LIQUIDATABLE)))
		);
	});
}

#[test]
fn healthy_positions_produce_no_transaction() {
	with_offchain(|pool| {
		create_market_with(unguarded_params());
		open(ALICE, Side::Long, 100 * UNIT, true);
		open(BOB, Side::Short, 10 * UNIT, false);
		next_block();
		Perp::offchain_worker(System::block_number());
		assert!(pool().is_empty());
		let call: RuntimeCall = PerpCall::<Test>::liquidate { account: ALICE, market: 0 }.into();
		assert_eq!(
			call.authorize(TransactionSource::External).unwrap(),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(NOT_LIQUIDATABLE)))
		);
	});
}

#[test]
fn validators_submit_identical_transactions_that_dedupe_by_tag() {
	with_offchain(|pool| {
		one_underwater_position();
		// Two workers (two validators, or one validator over two blocks) find the same
		// position: the pool sees two copies with one tag, and keeps one.
		Perp::offchain_worker(System::block_number());
		StorageValueRef::persistent(CURSOR_KEY).clear();
		Perp::offchain_worker(System::block_number() + 1);
		let calls = calls(pool());
		assert_eq!(calls.len(), 2);
		assert_eq!(calls[0], calls[1]);
		let tags: Vec<_> = calls
			.iter()
			.map(|call| call.authorize(TransactionSource::External).unwrap().unwrap().0.provides)
			.collect();
		assert_eq!(tags[0], tags[1]);
	});
}

#[test]
fn the_scan_resumes_where_it_stopped() {
	with_offchain(|_pool| {
		create_market_with(unguarded_params());
		for trader in 10..15u64 {
			<Balances as Mutate<AccountId>>::set_balance(&trader, 2_000 * UNIT);
			open(trader, Side::Long, UNIT, false);
		}
		let all: Vec<Vec<u8>> = Positions::<Test>::iter_keys()
			.map(|(who, market)| Positions::<Test>::hashed_key_for(who, market))
			.collect();
		assert_eq!(all.len(), 5);
		let prefix = Positions::<Test>::final_prefix().to_vec();

		// Scan limit 3: the first run stops after the third key, the next resumes there.
		let first = Perp::scan_positions(prefix.clone(), 3);
		assert_eq!((first.scanned, first.resume_after.clone()), (3, all[2].clone()));
		let second = Perp::scan_positions(first.resume_after, 3);
		// Two left, then it wraps around to the first key.
		assert_eq!((second.scanned, second.resume_after), (3, all[0].clone()));
		// Never twice in one run: from the start, with a limit above the map's size.
		let whole = Perp::scan_positions(all[2].clone(), 10);
		assert_eq!((whole.scanned, whole.resume_after), (5, all[2].clone()));

		// The worker keeps its cursor in persistent offchain storage between blocks.
		let cursor = StorageValueRef::persistent(CURSOR_KEY);
		cursor.set(&all[1]);
		Perp::offchain_worker(System::block_number());
		assert_eq!(cursor.get::<Vec<u8>>().unwrap(), Some(all[4].clone()));
		next_block();
		Perp::offchain_worker(System::block_number());
		assert_eq!(cursor.get::<Vec<u8>>().unwrap(), Some(all[2].clone()));
	});
}

#[test]
fn a_full_liquidation_budget_defers_further_liquidations() {
	with_offchain(|_pool| {
		one_underwater_position();
		let call: RuntimeCall = PerpCall::<Test>::liquidate { account: ALICE, market: 0 }.into();
		// MaxLiquidationsPerBlock = 2 in the mock.
		LiquidationsInBlock::<Test>::put((System::block_number(), 2));
		assert_eq!(
			call.authorize(TransactionSource::External).unwrap(),
			Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources))
		);
		assert_eq!(
			Perp::liquidate(RawOrigin::Authorized.into(), ALICE, 0),
			Err(Error::<Test>::LiquidationBudgetSpent.into())
		);
		// A keeper's signed call is not limited by the budget.
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(CHARLIE), ALICE, 0));
		// The next block has a fresh budget.
		next_block();
		assert!(call.authorize(TransactionSource::External).unwrap().is_err_and(|error| error
			== TransactionValidityError::Invalid(InvalidTransaction::Custom(NOT_LIQUIDATABLE))));
	});
}

#[test]
fn due_funding_and_convergence_are_submitted_and_authorised_only_while_due() {
	with_offchain(|pool| {
		create_market_with(crate::MarketParams {
			convergence_threshold: 50 * UNIT / 1_000,
			convergence_after: 3_600,
			k_step: 0,
			..unguarded_params()
		});
		// Alice's long takes the mark 21 % above the index.
		open(ALICE, Side::Long, 20 * UNIT, false);
		next_block();
		Perp::offchain_worker(System::block_number());
		assert!(pool().is_empty(), "nothing is due yet");

		advance(3_600);
		set_index(COLLECTION, 10 * UNIT);
		Perp::offchain_worker(System::block_number());
		let settle: RuntimeCall = PerpCall::<Test>::settle_funding { market: 0 }.into();
		let converge: RuntimeCall = PerpCall::<Test>::converge { market: 0 }.into();
		assert_eq!(calls(pool()), vec![settle.clone(), converge.clone()]);
		assert!(decoded(pool()).iter().all(|xt| matches!(xt.preamble, Preamble::General(..))));

		let (validity, _) = settle.authorize(TransactionSource::External).unwrap().unwrap();
		let period_start = Markets::<Test>::get(0).unwrap().last_funding_time;
		assert_eq!(
			validity.provides,
			vec![("PerpFunding", (0u32, period_start).encode()).encode()]
		);
		assert_ok!(Perp::settle_funding(RawOrigin::Authorized.into(), 0));
		assert_ok!(Perp::converge(RawOrigin::Authorized.into(), 0));
		for call in [settle, converge] {
			assert_eq!(
				call.authorize(TransactionSource::External).unwrap(),
				Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(NOT_DUE)))
			);
		}
	});
}

/// Authorisation is a dry run of the dispatch: a liquidation the fluctuation band would refuse
/// is not admitted for free. Two longs are liquidatable; the first liquidation takes the
/// mark out of the 2 % band (a close may, once per block), so the second, which would move it
/// further out, fails at dispatch. Before, authorisation only checked the margin ratio and
/// admitted it: the block held a failed fee-less transaction.
#[test]
fn authorisation_refuses_what_the_dispatch_would_refuse() {
	with_offchain(|_pool| {
		create_market_with(unguarded_params());
		open(ALICE, Side::Long, 50 * UNIT, true);
		open(CHARLIE, Side::Long, 50 * UNIT, true);
		// Bob's short crashes the mark; the index follows; then the 2 % band is switched on.
		open(BOB, Side::Short, 70 * UNIT, false);
		let mark = Markets::<Test>::get(0).unwrap().reserves.mark_price().unwrap();
		set_index(COLLECTION, mark);
		let params = Markets::<Test>::get(0).unwrap().params;
		assert_ok!(Perp::set_market_params(
			RuntimeOrigin::root(),
			0,
			crate::MarketParams { fluctuation_limit: 20 * UNIT / 1_000, ..params }
		));
		next_block();
		set_index(COLLECTION, mark);
		let liquidate = |who: AccountId| -> RuntimeCall {
			PerpCall::<Test>::liquidate { account: who, market: 0 }.into()
		};
		for who in [ALICE, CHARLIE] {
			assert!(Perp::liquidatable(&who, 0).is_ok());
			assert!(liquidate(who).authorize(TransactionSource::External).unwrap().is_ok());
		}
		assert_ok!(Perp::liquidate(RawOrigin::Authorized.into(), ALICE, 0));
		// Charlie is still below maintenance, but his close would push the mark further out
		// of the band this block: dispatch would fail, so authorisation refuses.
		assert!(Perp::liquidatable(&CHARLIE, 0).is_ok());
		assert_eq!(
			Perp::liquidate(RuntimeOrigin::signed(BOB), CHARLIE, 0).map_err(|e| e.error),
			Err(Error::<Test>::FluctuationLimitExceeded.into())
		);
		assert_eq!(
			liquidate(CHARLIE).authorize(TransactionSource::External).unwrap(),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(NOT_LIQUIDATABLE)))
		);
		// Next block, a new band: admitted and done.
		next_block();
		set_index(COLLECTION, mark);
		assert!(liquidate(CHARLIE).authorize(TransactionSource::External).unwrap().is_ok());
		assert_ok!(Perp::liquidate(RawOrigin::Authorized.into(), CHARLIE, 0));
	});
}

#[test]
fn buckets_are_monotone_and_ranks_put_the_most_underwater_first() {
	use crate::watch::{bucket, reach, Slot};
	use perp_math::LiquidationPrice;
	let mut previous = 0;
	let mut price = 1u128;
	while price < u128::MAX / 3 {
		for probe in [price, price + price / 3, price * 2 - 1] {
			assert!(bucket(probe) >= previous, "bucket({probe}) falls");
			previous = bucket(probe);
		}
		price *= 2;
	}
	// A bucket is at most 1/256 of an octave: two prices 0.4 % apart never share one.
	assert!(bucket(10 * UNIT) < bucket(10 * UNIT + 10 * UNIT * 4 / 1_000));
	let long = |p| Slot::of(false, LiquidationPrice::At(p)).unwrap().rank;
	let short = |p| Slot::of(true, LiquidationPrice::At(p)).unwrap().rank;
	// A long with a higher liquidation price is liquidated at more marks: more urgent.
	assert!(long(9 * UNIT) < long(8 * UNIT));
	assert!(short(11 * UNIT) < short(12 * UNIT));
	assert_eq!(Slot::of(false, LiquidationPrice::Always), Some(Slot { short: false, rank: 0 }));
	assert_eq!(Slot::of(false, LiquidationPrice::Never), None);
	// The mark reaches a long liquidatable at 9 from 9 and, with the 2 % slack, from 9.18;
	// not from 9.3.
	assert!(long(9 * UNIT) <= reach(false, 9 * UNIT));
	assert!(long(9 * UNIT) <= reach(false, 918 * UNIT / 100));
	assert!(long(9 * UNIT) > reach(false, 930 * UNIT / 100));
	assert!(short(11 * UNIT) <= reach(true, 1_078 * UNIT / 100));
	assert!(short(11 * UNIT) > reach(true, 1_070 * UNIT / 100));
}

/// The sweep is far from Alice (limit 3 in the mock, 33 positions, the cursor just past
/// her): before the watch list, the run after the fall submitted nothing, and Alice waited 11
/// runs for the sweep to come round. The watch list placed her when she opened, so the
/// first run after the fall finds her.
#[test]
fn a_fall_is_found_by_the_watch_list_wherever_the_sweep_is() {
	with_offchain(|pool| {
		create_market_with(unguarded_params());
		for trader in 10..40u64 {
			<Balances as Mutate<AccountId>>::set_balance(&trader, 2_000 * UNIT);
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(trader), 10 * UNIT));
			assert_ok!(Perp::open_position(
				RuntimeOrigin::signed(trader),
				0,
				Side::Long,
				UNIT,
				2 * UNIT,
				true,
				0
			));
		}
		open(CHARLIE, Side::Long, 5 * UNIT, false);
		open(ALICE, Side::Long, 100 * UNIT, true);
		// The worker of the block where everyone opened lists them all.
		Perp::offchain_worker(System::block_number());
		let watch = crate::watch::Watch(crate::watch::OffchainStore);
		assert_eq!(watch.slot(&ALICE, 0).map(|slot| slot.short), Some(false));
		next_block();

		open(BOB, Side::Short, 25 * UNIT, false);
		let mark = Markets::<Test>::get(0).unwrap().reserves.mark_price().unwrap();
		set_index(COLLECTION, mark);
		next_block();
		assert!(Perp::liquidatable(&ALICE, 0).is_ok());
		let alice_key = Positions::<Test>::hashed_key_for(ALICE, 0);
		StorageValueRef::persistent(CURSOR_KEY).set(&alice_key);
		let sweep_alone = Perp::scan_positions(alice_key, 3);
		assert!(sweep_alone.liquidatable.is_empty(), "the sweep alone finds nothing this run");

		// Only the placement from her opening block counts: this block's events name nobody.
		System::reset_events();
		Perp::offchain_worker(System::block_number());
		let liquidate: RuntimeCall =
			PerpCall::<Test>::liquidate { account: ALICE, market: 0 }.into();
		assert!(calls(pool()).contains(&liquidate), "{:?}", calls(pool()));
	});
}

#[test]
fn the_sweep_lists_what_it_examines_and_unlists_what_is_gone() {
	with_offchain(|_pool| {
		create_market_with(unguarded_params());
		open(ALICE, Side::Long, 10 * UNIT, true);
		open(BOB, Side::Short, 10 * UNIT, false);
		next_block();
		let mut watch = crate::watch::MemoryWatch::in_memory();
		// A fresh validator: the block's events are not its source (the mock keeps them, so
		// clear them), its sweep is.
		System::reset_events();
		let (_, scan) = Perp::duties_watched(Some(&mut watch), Vec::new(), 3);
		assert_eq!(scan.scanned, 2);
		assert_eq!(watch.slot(&ALICE, 0), Perp::watch_slot(&ALICE, 0));
		assert_eq!(watch.slot(&BOB, 0).map(|slot| slot.short), Some(true));
		// Alice closes: the run of that block takes her off the list (her event names her).
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		let _ = Perp::duties_watched(Some(&mut watch), Vec::new(), 0);
		assert_eq!(watch.slot(&ALICE, 0), None);
		assert_eq!(watch.within::<AccountId>(0, false, u16::MAX, 10), Vec::<AccountId>::new());
		assert_eq!(watch.within::<AccountId>(0, true, u16::MAX, 10), vec![BOB]);
	});
}
