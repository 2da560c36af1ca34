//! Solvency under attack: each test replays a sequence of calls that made the insurance fund
//! pay for a trader who still had money, let a keeper manufacture a liquidation, let a pause
//! or a failed funding settlement block a close or a liquidation, let a quote differ from the
//! trade, or left a position that could not be valued; and checks it now fails or costs the
//! attacker, with the exact figures.
//!
//! Market 0 is 100 base / 1000 quote (mark 10) on collection 7; market 1 the same on
//! collection 8.

use crate::{mock::*, pallet::*, MarketId, MarketParams};
use perp_math::{LiquidationPrice, Side};
use polkadot_sdk::frame_support::{assert_noop, assert_ok};

const KEEPER: AccountId = 50;
const OTHER_COLLECTION: u32 = 8;

fn open(
	who: AccountId,
	market: MarketId,
	side: Side,
	margin: u128,
	leverage: u128,
	isolated: bool,
) {
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who),
		market,
		side,
		margin,
		leverage,
		isolated,
		0
	));
}

/// A second market, 100 base / 1000 quote, index 10.
fn second_market(params: MarketParams) {
	assert_ok!(Perp::create_market(
		RuntimeOrigin::root(),
		OTHER_COLLECTION,
		100 * UNIT,
		1_000 * UNIT,
		params
	));
	set_index(OTHER_COLLECTION, 10 * UNIT);
}

fn mark(market: MarketId) -> u128 {
	Markets::<Test>::get(market).unwrap().reserves.mark_price().unwrap()
}

fn last_liquidation() -> Event<Test> {
	perp_events()
		.into_iter()
		.rev()
		.find(|event| matches!(event, Event::PositionLiquidated { .. }))
		.expect("a liquidation")
}

fn bad_debt_events() -> usize {
	perp_events().iter().filter(|event| matches!(event, Event::BadDebtSettled { .. })).count()
}

/// The sequence: Alice deposits 202, holds a 1x cross long of 1 in market B with 99
/// more margin added, and a 5x cross long of 99 margin in market A; Bob's short takes A's
/// mark from 22.35 to 13.11 and Alice's account below 10 %. Before, the liquidation of A
/// drew on A's margin and Alice's hold only: the fund paid 79.73 of bad debt plus the
/// keeper's 3.93 while B's 100 of margin stayed hers, and she withdrew 99.997 after closing
/// B. Now B's margin pays A's loss and the penalty: the fund pays nothing.
#[test]
fn cross_margin_is_one_account() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		create_market_with(unguarded_params());
		second_market(unguarded_params());
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 202 * UNIT));
		open(ALICE, 1, Side::Long, UNIT, UNIT, false);
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(ALICE), 1, 99 * UNIT));
		open(ALICE, 0, Side::Long, 99 * UNIT, 5 * UNIT, false);
		assert_eq!(mark(0), 22_350_249_999_999_999_999);
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(BOB), 2_000 * UNIT));
		open(BOB, 0, Side::Short, 70 * UNIT, 5 * UNIT, false);
		assert_eq!(mark(0), 13_110_249_999_999_999_999);
		set_index(COLLECTION, mark(0));
		let fund_before = insurance_balance();
		let alice_before = free(ALICE);
		next_block();
		set_index(COLLECTION, mark(0));
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		let Event::PositionLiquidated { bad_debt, debt, penalty, liquidator_reward, fee, .. } =
			last_liquidation()
		else {
			unreachable!()
		};
		// A's loss beyond its 99 of margin, 81.243: the hold pays its 1.512, B's margin the
		// other 79.731, then the penalty (7.869, half each to the keeper and the fund) and the
		// fee (0.944). Nothing is left unpaid: no debt, no bad debt.
		assert_eq!((bad_debt, debt), (0, 0));
		assert_eq!(bad_debt_events(), 0);
		assert_eq!(penalty, 7_868_916_043_215_190_795);
		assert_eq!(liquidator_reward, 3_934_458_021_607_595_397);
		assert_eq!(fee, 944_269_925_185_822_896);
		assert_eq!(held(ALICE), 0);
		let b_margin = Positions::<Test>::get(ALICE, 1).unwrap().position.margin;
		assert_eq!(b_margin, 11_455_455_760_206_618_072);
		// The fund only received its half of the penalty.
		assert_eq!(insurance_balance() - fund_before, 3_934_458_021_607_595_398);
		// Closing B and withdrawing everything returns what is left: 11.45, not 99.997.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 1, 0));
		let withdrawable = Perp::withdrawable(&ALICE).unwrap();
		assert_eq!(withdrawable, 11_452_455_760_206_618_071);
		assert_ok!(Perp::withdraw(RuntimeOrigin::signed(ALICE), withdrawable));
		assert_eq!(free(ALICE) - alice_before, withdrawable);
		assert!(Traders::<Test>::get(ALICE).is_empty());
	});
}

/// A cross account whose margins and hold cannot pay a liquidated position's loss, but whose
/// other position is in profit, owes the rest as debt: no bad debt while its whole cross
/// equity is positive, and closing the profitable position repays it. (Before, the fund paid
/// the 44.27 the hold could not, and the keeper's half from the fund too.)
#[test]
fn a_cross_loss_beyond_every_margin_is_debt_until_the_account_closes() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		create_market_with(unguarded_params());
		second_market(unguarded_params());
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 62 * UNIT));
		open(ALICE, 1, Side::Long, 10 * UNIT, 5 * UNIT, false);
		open(ALICE, 0, Side::Long, 50 * UNIT, 5 * UNIT, false);
		// Market B rallies (Charlie buys), market A crashes (Bob sells).
		for who in [BOB, CHARLIE] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 2_000 * UNIT));
		}
		open(CHARLIE, 1, Side::Long, 100 * UNIT, 5 * UNIT, false);
		open(BOB, 0, Side::Short, 58 * UNIT, 5 * UNIT, false);
		next_block();
		set_index(COLLECTION, mark(0));
		set_index(OTHER_COLLECTION, mark(1));
		// A lost 95.37 on 50 of margin; B gained 56.54 on 10: the account is at 8.5 %.
		let summary = Perp::account_summary(&ALICE).unwrap();
		assert_eq!(summary.margin_ratio, Some(85_276_758_654_601_666));
		let fund_before = insurance_balance();
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		let Event::PositionLiquidated { full, bad_debt, debt, liquidator_reward, fee, .. } =
			last_liquidation()
		else {
			unreachable!()
		};
		// 45.37 beyond A's margin: the hold's 1.1 and B's 10 pay, 34.27 is debt; the cash
		// is gone, so the penalty and fee go unpaid (never by the fund).
		assert!(full);
		assert_eq!((bad_debt, debt), (0, 34_269_127_516_778_523_491));
		assert_eq!((liquidator_reward, fee), (0, 0));
		assert_eq!(bad_debt_events(), 0);
		assert_eq!(insurance_balance(), fund_before);
		let summary = Perp::account_summary(&ALICE).unwrap();
		assert_eq!(summary.debt, debt);
		// B alone now: 56.54 of profit less 34.27 owed, 20.9 % of its 106.54 exit value.
		assert_eq!(summary.margin_ratio, Some(209_045_233_921_600_122));
		assert_eq!(summary.withdrawable, 0);
		assert_noop!(
			Perp::withdraw(RuntimeOrigin::signed(ALICE), 1),
			Error::<Test>::InsufficientFreeCollateral
		);
		// Closing B repays the debt out of B's profit; the rest is Alice's.
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 1, 0));
		assert_eq!(held(ALICE), 21_952_269_379_008_616_181);
		assert!(Traders::<Test>::get(ALICE).is_empty());
		assert_eq!(insurance_balance(), fund_before);
	});
}

/// Alice's 5x long is healthy at 13.0 % on a market that has stood still for the whole
/// liquidation window. A keeper shorts the mark down inside the 2 % band, which takes her
/// curve MR below 12.5 %, and tries to liquidate her in the same block. Before, that worked
/// (the keeper earned the penalty half and could unwind next block). Now the fair price (the
/// worse of the mark TWAP and the index) has not moved, so she is not liquidatable; a real
/// fall, led by the index, liquidates her at once.
#[test]
fn a_keeper_cannot_manufacture_a_liquidation() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		// 1,000 base / 10,000 quote: deep enough for trades inside the 2 % band.
		let params = MarketParams { sandwich_guard: false, ..MarketParams::default() };
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			COLLECTION,
			1_000 * UNIT,
			10_000 * UNIT,
			params
		));
		set_index(COLLECTION, 10 * UNIT);
		for who in [ALICE, BOB, KEEPER] {
			let _ =
				<Balances as polkadot_sdk::frame_support::traits::fungible::Mutate<_>>::set_balance(
					&who,
					10_000 * UNIT,
				);
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
		}
		open(ALICE, 0, Side::Long, 10 * UNIT, 5 * UNIT, true);
		// The market drifts down with its index over a few blocks, then stands still.
		let alice_mr = || Perp::position_details(&ALICE, 0).unwrap().unwrap().margin_ratio.unwrap();
		while alice_mr() > 133 * UNIT as i128 / 1000 {
			next_block();
			set_index(COLLECTION, mark(0) * 99 / 100);
			open(BOB, 0, Side::Short, 20 * UNIT, 2 * UNIT, false);
		}
		for _ in 0..60 {
			next_block();
			set_index(COLLECTION, mark(0));
		}
		let healthy = Perp::position_details(&ALICE, 0).unwrap().unwrap();
		assert_eq!(healthy.margin_ratio, Some(132_476_039_625_224_838));
		assert_eq!(mark(0), 9_312_249_999_999_999_999);
		// Where liquidation starts once the mark holds there.
		assert_eq!(healthy.liquidation_price, LiquidationPrice::At(9_232_496_402_445_264_090));
		// The keeper's push: 1.54 % down, inside the band, below the liquidation price.
		open(KEEPER, 0, Side::Short, 15 * UNIT, 5 * UNIT, false);
		assert_eq!(mark(0), 9_168_062_499_999_999_999);
		let pushed = Perp::position_details(&ALICE, 0).unwrap().unwrap();
		assert_eq!(pushed.margin_ratio, Some(118_865_081_907_982_193));
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0),
			Error::<Test>::NotLiquidatable
		);
		// The same mark confirmed by the index (a real fall): liquidated at once.
		set_index(COLLECTION, mark(0));
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		assert!(matches!(
			last_liquidation(),
			Event::PositionLiquidated { margin_ratio: 118_865_081_907_982_193, .. }
		));
	});
}

/// With the index unchanged, a mark that holds below the liquidation price for the
/// liquidation window liquidates too: the fair price follows the mark TWAP.
#[test]
fn a_mark_that_holds_for_the_window_liquidates_without_the_index() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		let params = MarketParams { sandwich_guard: false, ..unguarded_params() };
		create_market_with(params);
		for who in [ALICE, BOB] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
		}
		// The market stands at 10 for a window before the trades.
		for _ in 0..50 {
			next_block();
			set_index(COLLECTION, 10 * UNIT);
		}
		open(ALICE, 0, Side::Long, 2 * UNIT, 5 * UNIT, true);
		open(BOB, 0, Side::Short, 12 * UNIT, 5 * UNIT, false);
		let alice = || Perp::position_details(&ALICE, 0).unwrap().unwrap();
		let LiquidationPrice::At(price) = alice().liquidation_price else { unreachable!() };
		assert!(mark(0) < price, "the mark {} is below the liquidation price {price}", mark(0));
		let index = 12 * UNIT;
		set_index(COLLECTION, index);
		assert!(Perp::liquidatable(&ALICE, 0).is_err());
		// The 300 s TWAP crosses her threshold once 70 % of the window is at the new mark.
		let mut waited = 0;
		while Perp::liquidatable(&ALICE, 0).is_err() {
			next_block();
			set_index(COLLECTION, index);
			waited += 6;
		}
		assert_eq!(waited, 210);
	});
}

/// A paused market is reduce-only: closes, reductions and liquidations go on; opening and
/// increasing fail. Before, a pause refused the close too (`MarketPaused`).
#[test]
fn a_paused_market_is_reduce_only() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		for who in [ALICE, BOB] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
		}
		open(ALICE, 0, Side::Long, 20 * UNIT, 5 * UNIT, false);
		open(BOB, 0, Side::Short, 20 * UNIT, 5 * UNIT, true);
		assert_ok!(Perp::pause_market(RuntimeOrigin::root(), 0));
		next_block();
		let order = |side, margin| {
			Perp::open_position(RuntimeOrigin::signed(ALICE), 0, side, margin, 5 * UNIT, false, 0)
		};
		assert_noop!(order(Side::Long, UNIT), Error::<Test>::MarketPaused);
		// An opposite order smaller than the position only reduces it: allowed.
		assert_ok!(order(Side::Short, UNIT));
		next_block();
		// An opposite order larger than the position would open the other side: refused.
		assert_noop!(order(Side::Short, 100 * UNIT), Error::<Test>::MarketPaused);
		assert_ok!(Perp::reduce_position(RuntimeOrigin::signed(ALICE), 0, UNIT, 0));
		next_block();
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		assert!(Positions::<Test>::get(ALICE, 0).is_none());
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(BOB), 0, 10 * UNIT));
		assert_ok!(Perp::remove_margin(RuntimeOrigin::signed(BOB), 0, UNIT));
	});
}

/// A cross account whose largest requirement sits in a paused market is still liquidated:
/// before, the paused market refused the liquidation (`MarketPaused`) and every other
/// position of the account was `NotLargestRequirement`, so nothing could be liquidated.
#[test]
fn a_paused_market_never_blocks_an_accounts_liquidation() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		create_market_with(unguarded_params());
		second_market(unguarded_params());
		for who in [ALICE, BOB] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
		}
		assert_ok!(Perp::withdraw(RuntimeOrigin::signed(ALICE), 970 * UNIT));
		open(ALICE, 0, Side::Long, 20 * UNIT, 5 * UNIT, false);
		open(ALICE, 1, Side::Long, 2 * UNIT, 5 * UNIT, false);
		open(BOB, 0, Side::Short, 25 * UNIT, 5 * UNIT, false);
		set_index(COLLECTION, mark(0));
		assert_ok!(Perp::pause_market(RuntimeOrigin::root(), 0));
		next_block();
		set_index(COLLECTION, mark(0));
		assert_eq!(Perp::largest_cross_requirement(&ALICE).unwrap(), Some(0));
		assert_noop!(
			Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 1),
			Error::<Test>::NotLargestRequirement
		);
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0));
		assert!(matches!(last_liquidation(), Event::PositionLiquidated { market: 0, .. }));
	});
}

/// Funding falls due while the oracle has no index for the market (the settlement fails
/// with `OracleStale`). Before, every close and liquidation first settled funding and so
/// failed with it; now the close goes on and `FundingSettlementFailed` says why.
#[test]
fn a_failing_funding_settlement_never_blocks_a_close_or_a_liquidation() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		create_market_with(unguarded_params());
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
		}
		open(ALICE, 0, Side::Long, 20 * UNIT, 5 * UNIT, false);
		open(CHARLIE, 0, Side::Long, 100 * UNIT, 5 * UNIT, true);
		open(BOB, 0, Side::Short, 25 * UNIT, 5 * UNIT, false);
		// No index ever reaches the price records: a settlement cannot price the period.
		clear_index(COLLECTION);
		advance(3_600);
		assert_eq!(
			Perp::settle_funding(RuntimeOrigin::signed(BOB), 0),
			Err(Error::<Test>::OracleStale.into())
		);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		System::assert_has_event(
			Event::FundingSettlementFailed { market: 0, error: Error::<Test>::OracleStale.into() }
				.into(),
		);
		assert!(Positions::<Test>::get(ALICE, 0).is_none());
		assert_ok!(Perp::liquidate(RuntimeOrigin::signed(KEEPER), CHARLIE, 0));
		assert!(Positions::<Test>::get(CHARLIE, 0).is_none());
	});
}

/// The same with a settlement that fails in the insurance fund: longs alone are owed funding
/// (the mark sits below the index) and the fund, their counterparty, cannot pay.
#[test]
fn a_settlement_the_fund_cannot_pay_never_blocks_a_close() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		create_market_with(unguarded_params());
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
		open(ALICE, 0, Side::Long, 20 * UNIT, 5 * UNIT, false);
		for _ in 0..600 {
			advance(6);
			set_index(COLLECTION, 15 * UNIT);
		}
		set_insurance_failing(true);
		assert!(Perp::settle_funding(RuntimeOrigin::signed(BOB), 0).is_err());
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		// (An `Other` error's text is not stored with the event.)
		assert!(perp_events()
			.iter()
			.any(|event| matches!(event, Event::FundingSettlementFailed { market: 0, .. })));
		assert!(Positions::<Test>::get(ALICE, 0).is_none());
	});
}

/// A quote runs what the call runs first: a due funding settlement. Before, the quote left it
/// out and showed no funding payment and a margin 0.0225 higher than the trade then booked.
#[test]
fn the_quote_settles_due_funding_as_the_trade_does() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(ALICE), 1_000 * UNIT));
		open(ALICE, 0, Side::Long, 50 * UNIT, 5 * UNIT, false);
		// The mark stays above an index of 9 for an hour: longs owe funding.
		for _ in 0..700 {
			advance(6);
			set_index(COLLECTION, 9 * UNIT);
		}
		let quote = Perp::quote_open(&ALICE, 0, Side::Long, 10 * UNIT, 2 * UNIT, false).unwrap();
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(ALICE),
			0,
			Side::Long,
			10 * UNIT,
			2 * UNIT,
			false,
			0
		));
		let Event::PositionChanged { funding_payment, margin, exchanged_size, fee, .. } =
			perp_events()
				.into_iter()
				.rev()
				.find(|event| matches!(event, Event::PositionChanged { .. }))
				.unwrap()
		else {
			unreachable!()
		};
		assert_eq!(funding_payment, 22_500_000_000_000_000);
		assert_eq!(quote.funding_payment, funding_payment);
		assert_eq!(quote.position_after.unwrap().margin, margin);
		assert_eq!((quote.exchanged_size, quote.fee), (exchanged_size, fee));
	});
}

/// On 100 base / 1,000 quote, a 1x short of 480 and then a 1x long of 960 would leave the
/// short (92.3 base) larger than the base reserve (67.6): it could never be bought back and
/// could not be valued (`InsufficientDepth` from every view). The long is refused instead.
#[test]
fn a_trade_that_would_strand_the_shorts_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		create_market_with(unguarded_params());
		for who in [ALICE, BOB] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 5_000 * UNIT));
		}
		open(ALICE, 0, Side::Short, 480 * UNIT, UNIT, false);
		assert_noop!(
			Perp::open_position(
				RuntimeOrigin::signed(BOB),
				0,
				Side::Long,
				960 * UNIT,
				UNIT,
				false,
				0
			),
			Error::<Test>::ShortsCannotExit
		);
		// A long that leaves the shorts their base is fine, and everything stays valued.
		open(BOB, 0, Side::Long, 400 * UNIT, UNIT, false);
		assert!(Perp::position_details(&ALICE, 0).unwrap().is_some());
		assert!(Perp::account_summary(&BOB).is_ok());
	});
}

/// The validators' offchain workers each block: every position their scan finds liquidatable
/// is liquidated as an authorised transaction, the block author earning the reward.
fn validators_liquidate(author: AccountId) {
	set_block_author(Some(author));
	let scan = Perp::scan_positions(Default::default(), 1_000);
	for (who, market) in scan.liquidatable {
		let _ =
			Perp::liquidate(polkadot_sdk::frame_system::RawOrigin::Authorized.into(), who, market);
	}
}

/// Everything `who` owns: free balance, held collateral and its positions' margins.
fn wealth(who: AccountId) -> u128 {
	let margins: u128 =
		Positions::<Test>::iter_prefix(who).map(|(_, info)| info.position.margin).sum();
	free(who) + held(who) + margins
}

/// Charlie, an arbitrageur, takes market 0's mark to `index` in one order (one change per
/// block), or as far towards it as the band lets him.
fn arbitrage_to(index: u128) {
	let reserves = Markets::<Test>::get(0).unwrap().reserves;
	let (x, y) = (reserves.base as f64, reserves.quote as f64);
	let gap = y - (x * y * index as f64 / UNIT as f64).sqrt();
	let side = if gap > 0.0 { Side::Short } else { Side::Long };
	for share in [100u128, 80, 60, 40, 20] {
		let margin = (gap.abs() / 5.0) as u128 * share / 100;
		let order = Perp::open_position(
			RuntimeOrigin::signed(CHARLIE),
			0,
			side,
			margin,
			5 * UNIT,
			false,
			0,
		);
		if margin == 0 || order.is_ok() {
			break;
		}
	}
}

/// The pair attack under the default parameters: one owner holds a 5x long (Alice) and a 5x short
/// (Bob) of the same size in two accounts, with a keeper account of its own. The floor falls
/// 1.5 % a block for 20 blocks and comes back as fast; an arbitrageur trades the mark after
/// it, inside the 2 % band. The owner's keeper liquidates the losing long whenever it can,
/// hoping for a reward paid by the fund once it is bankrupt; validators liquidate every
/// block too. The long is liquidated in steps before it is ever bankrupt: no bad debt, the
/// keeper's rewards are the owner's own margin, the fund gains its half of every penalty,
/// and the owner ends the round trip 7.31 poorer. (Before, the same owner drew the keeper's
/// reward from the fund whenever its long was past bankruptcy: see
/// `bad_debt_is_paid_by_the_fund_but_no_liquidator_reward`.)
#[test]
fn the_pair_attack_loses_money_under_the_defaults() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		assert_ok!(Perp::create_market(
			RuntimeOrigin::root(),
			COLLECTION,
			1_000 * UNIT,
			10_000 * UNIT,
			MarketParams::default()
		));
		set_index(COLLECTION, 10 * UNIT);
		const VALIDATOR: AccountId = 60;
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
		}
		for _ in 0..50 {
			next_block();
			set_index(COLLECTION, 10 * UNIT);
		}
		let owner = [ALICE, BOB, KEEPER];
		let before: u128 = owner.iter().copied().map(wealth).sum();
		let fund_before = insurance_balance();
		open(ALICE, 0, Side::Long, 10 * UNIT, 5 * UNIT, true);
		next_block();
		set_index(COLLECTION, mark(0));
		open(BOB, 0, Side::Short, 10 * UNIT, 5 * UNIT, true);
		let mut index = mark(0);
		for step in 0..40 {
			next_block();
			index = if step < 20 { index * 985 / 1_000 } else { index * 1_000 / 985 };
			set_index(COLLECTION, index);
			// The owner's keeper first, then the validators.
			let _ = Perp::liquidate(RuntimeOrigin::signed(KEEPER), ALICE, 0);
			validators_liquidate(VALIDATOR);
			arbitrage_to(index);
		}
		next_block();
		set_index(COLLECTION, index);
		for who in [ALICE, BOB] {
			if Positions::<Test>::get(who, 0).is_some() {
				assert_ok!(Perp::close_position(RuntimeOrigin::signed(who), 0, 0));
			}
		}
		let after: u128 = owner.iter().copied().map(wealth).sum();
		let liquidations = perp_events()
			.iter()
			.filter(|event| matches!(event, Event::PositionLiquidated { who: ALICE, .. }))
			.count();
		assert_eq!(liquidations, 14);
		assert_eq!(bad_debt_events(), 0);
		// The keeper's rewards (the owner's own margin) and the fund's halves are equal.
		assert_eq!(wealth(KEEPER), 450_784_849_323_557_934);
		assert_eq!(insurance_balance() - fund_before, 450_784_849_323_557_940);
		assert_eq!(before - after, 7_314_458_579_646_464_332);
	});
}
