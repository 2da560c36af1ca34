//! Convergence events and liquidity migration (docs/convergence-and-liquidity.md): when convergence is due (and not
//! before), its cost booked to the convergence reserve and the insurance fund (or its gain
//! realised once the market is flat), governance forcing it; `adjust_liquidity` and dynamic k preserving
//! every holder's exit value through the lazy size remap, the market still balancing.
//!
//! Market 0 is 100 base / 1000 quote (mark 10), index 10, every trade guard off, no
//! funding cap. Convergence: threshold 5 %, after one hour.

use crate::{mock::*, pallet::*, MarketParams};
use perp_math::{curve, Reserves, Side};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

const FIVE_X: u128 = 5 * UNIT;
const HOUR: u64 = 3_600;

fn params() -> MarketParams {
	MarketParams {
		convergence_threshold: 50 * UNIT / 1_000,
		convergence_after: HOUR,
		max_funding_rate: 0,
		k_step: 0,
		..unguarded_params()
	}
}

fn setup(params: MarketParams) {
	create_market_with(params);
	for who in [ALICE, BOB, CHARLIE] {
		assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 1_000 * UNIT));
	}
}

fn open(who: AccountId, side: Side, margin_amount: u128) {
	assert_ok!(Perp::open_position(
		RuntimeOrigin::signed(who),
		0,
		side,
		margin_amount,
		FIVE_X,
		false,
		0
	));
}

fn market() -> MarketOf<Test> {
	Markets::<Test>::get(0).unwrap()
}

fn exit_value(who: AccountId) -> u128 {
	Perp::position_details(&who, 0).unwrap().unwrap().exit_notional
}

fn converged() -> Event<Test> {
	perp_events()
		.into_iter()
		.rev()
		.find(|event| matches!(event, Event::Converged { .. }))
		.expect("a Converged event")
}

/// Alice goes long 100 (mark ≈ 12.1) while the floor stays at 10: a 21 % divergence.
fn diverge_above_index() {
	open(ALICE, Side::Long, 20 * UNIT);
	assert!(market().reserves.mark_price().unwrap() > 12 * UNIT);
}

#[test]
fn convergence_is_due_only_after_the_divergence_held_for_convergence_after() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		setup(params());
		diverge_above_index();
		// The clock starts at the end of the block the divergence appeared in.
		advance(6);
		let since = market().divergence_since.unwrap();
		assert_eq!(since, START_MS / 1_000);
		advance(HOUR - 7);
		set_index(COLLECTION, 10 * UNIT);
		assert_noop!(
			Perp::converge(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::ConvergenceNotDue
		);
		advance(1);
		set_index(COLLECTION, 10 * UNIT);
		assert_ok!(Perp::converge(RuntimeOrigin::signed(BOB), 0));
		assert_eq!(market().reserves.mark_price().unwrap(), 10 * UNIT);
		assert_eq!(market().divergence_since, None);
	});
}

#[test]
fn a_divergence_that_closes_resets_the_clock() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		diverge_above_index();
		advance(HOUR / 2);
		set_index(COLLECTION, 10 * UNIT);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		// The clock runs on the hour's mark TWAP: it stops once the window has left the
		// divergence behind, an hour after the close.
		advance(HOUR);
		set_index(COLLECTION, 10 * UNIT);
		assert!(market().divergence_since.is_some());
		advance(6);
		set_index(COLLECTION, 10 * UNIT);
		assert_eq!(market().divergence_since, None);
		assert_noop!(
			Perp::converge(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::ConvergenceNotDue
		);
	});
}

#[test]
fn a_convergence_cost_is_paid_from_the_reserve_then_the_insurance_fund() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		setup(params());
		diverge_above_index();
		advance(HOUR + 6);
		// The floor rose to 13: repegging up raises what the net long can take out.
		set_index(COLLECTION, 13 * UNIT);
		let before = market();
		let reserve = before.convergence_reserve;
		let (fund_before, vault_before) = (insurance_balance(), free(Perp::vault_account()));
		assert_ok!(Perp::converge(RuntimeOrigin::signed(BOB), 0));

		// y' = ⌊13 · x⌋ (net long: rounded down); cost = exit_after(S) − exit_before(S).
		let net = before.net_size;
		let after = Reserves::new(before.reserves.base, 13 * before.reserves.base);
		let cost = curve::exit_value(after, net).unwrap()
			- curve::exit_value(before.reserves, net).unwrap();
		assert_eq!(market().reserves, after);
		assert_eq!(market().reserves.mark_price().unwrap(), 13 * UNIT);
		let from_insurance = cost - reserve;
		assert_eq!(
			converged(),
			Event::Converged {
				market: 0,
				index: 13 * UNIT,
				mark_before: before.reserves.mark_price().unwrap(),
				mark_after: 13 * UNIT,
				cost: cost as i128,
				from_convergence_reserve: reserve,
				from_insurance,
				gain: 0,
				forced: false,
			}
		);
		assert_eq!(cost, 7_438_016_528_925_619_834);
		assert_eq!(market().convergence_reserve, 0);
		assert_eq!(fund_before - insurance_balance(), from_insurance);
		assert_eq!(free(Perp::vault_account()) - vault_before, from_insurance);
		// Alice can now exit at the repegged curve: the vault pays her (try_state checks).
		set_index(COLLECTION, 13 * UNIT);
		advance(6);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
	});
}

#[test]
fn a_convergence_gain_joins_the_reserve_once_realised() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		diverge_above_index();
		advance(HOUR + 6);
		set_index(COLLECTION, 10 * UNIT);
		let before = market();
		let (fund_before, vault_before) = (insurance_balance(), free(Perp::vault_account()));
		assert_ok!(Perp::converge(RuntimeOrigin::signed(BOB), 0));
		let after = Reserves::new(before.reserves.base, 10 * before.reserves.base);
		let gain = curve::exit_value(before.reserves, before.net_size).unwrap()
			- curve::exit_value(after, before.net_size).unwrap();
		assert_eq!(gain, 17_355_371_900_826_446_281);
		// The net long will take out that much less when it closes: no money moves now, and
		// the gain waits as the market's unrealised gain.
		assert_eq!(insurance_balance(), fund_before);
		assert_eq!(free(Perp::vault_account()), vault_before);
		assert_eq!(market().unrealised_gain, gain);
		assert_eq!(market().convergence_reserve, before.convergence_reserve);
		assert!(matches!(converged(), Event::Converged { gain: booked, cost, .. }
			if cost == -(gain as i128) && booked == gain));
		// Once Alice, the only position, has closed, the gain is cash in the vault: it joins
		// the reserve, which pays the market's next convergence or migration.
		advance(6);
		set_index(COLLECTION, 10 * UNIT);
		let reserve_before_close = market().convergence_reserve;
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		let Some(Event::PositionChanged { fee, .. }) = perp_events().pop() else { unreachable!() };
		// The close's fee adds its convergence share (a quarter) too.
		assert_eq!(market().convergence_reserve, reserve_before_close + gain + fee / 4);
		assert_eq!(market().unrealised_gain, 0);
	});
}

/// A rich fund still pays a market only up to the market's outflow cap: a convergence that
/// costs 7.44 with a cap of 1 (and a reserve of 0.375) is refused, nothing changed. Before,
/// convergence and migration costs and funding subsidies were bounded only by the fund's
/// balance, so one thin market could drain the fund all markets share.
#[test]
fn a_convergence_beyond_the_markets_outflow_cap_is_refused() {
	ExtBuilder::default().insurance(100_000 * UNIT).build_and_execute(|| {
		setup(params());
		diverge_above_index();
		advance(HOUR + 6);
		set_index(COLLECTION, 13 * UNIT);
		set_outflow_cap(UNIT);
		let before = market();
		assert_noop!(
			Perp::converge(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::ConvergenceUnfunded
		);
		assert_eq!(market(), before);
		// The same within a larger cap goes through.
		set_outflow_cap(10 * UNIT);
		assert_ok!(Perp::converge(RuntimeOrigin::signed(BOB), 0));
	});
}

#[test]
fn an_unfunded_convergence_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		setup(params());
		diverge_above_index();
		advance(HOUR + 6);
		set_index(COLLECTION, 13 * UNIT);
		let before = market();
		assert_noop!(
			Perp::converge(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::ConvergenceUnfunded
		);
		assert_eq!(market(), before);
	});
}

#[test]
fn governance_forces_convergence_at_any_time_and_only_governance() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		diverge_above_index();
		assert_noop!(Perp::force_converge(RuntimeOrigin::signed(ALICE), 0), DispatchError::BadOrigin);
		clear_index(COLLECTION);
		assert_noop!(Perp::force_converge(RuntimeOrigin::root(), 0), Error::<Test>::OracleStale);
		set_index(COLLECTION, 10 * UNIT);
		assert_ok!(Perp::force_converge(RuntimeOrigin::root(), 0));
		assert!(matches!(converged(), Event::Converged { forced: true, mark_after, .. } if mark_after == 10 * UNIT));
	});
}

/// Three positions, both sides, different sizes.
fn three_traders() {
	open(ALICE, Side::Long, 20 * UNIT);
	open(BOB, Side::Short, 8 * UNIT);
	open(CHARLIE, Side::Long, 3 * UNIT);
}

#[test]
fn adjusting_liquidity_preserves_every_exit_value() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		three_traders();
		let values: Vec<u128> = [ALICE, BOB, CHARLIE].map(exit_value).to_vec();
		let before = market();
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::signed(ALICE), 0, 2 * UNIT),
			DispatchError::BadOrigin
		);
		assert_ok!(Perp::adjust_liquidity(RuntimeOrigin::root(), 0, 2 * UNIT));

		let after = market();
		assert_eq!(
			after.reserves,
			Reserves::new(2 * before.reserves.base, 2 * before.reserves.quote)
		);
		assert_eq!(after.reserves.mark_price().unwrap(), before.reserves.mark_price().unwrap());
		assert_eq!(after.depth, 2 * UNIT);
		assert_eq!(after.liquidity_version, 1);
		// Each exit value on the new curve is what it was on the old one, rounded in the
		// protocol's favour by less than a raw unit per whole unit of quote.
		for (who, value) in [ALICE, BOB, CHARLIE].into_iter().zip(values) {
			let now = exit_value(who);
			let long = Perp::position_details(&who, 0).unwrap().unwrap().base_size > 0;
			if long {
				assert!(now <= value && value - now <= value / UNIT + 1, "{who}: {value} → {now}");
			} else {
				assert!(now >= value && now - value <= value / UNIT + 1, "{who}: {value} → {now}");
			}
		}
		// Sizes are remapped when touched; everyone closes and the market balances.
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(Perp::close_position(RuntimeOrigin::signed(who), 0, 0));
			assert_eq!(Positions::<Test>::get(who, 0), None);
		}
		let closed = market();
		assert_eq!(closed.net_size, 0);
		assert_eq!(closed.open_interest.long_size, 0);
		assert_eq!(closed.open_interest.short_size, 0);
	});
}

#[test]
fn a_remapped_position_realises_the_pnl_it_had() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		three_traders();
		let stored = Positions::<Test>::get(ALICE, 0).unwrap();
		let pnl = Perp::position_details(&ALICE, 0).unwrap().unwrap().unrealized_pnl;
		assert_ok!(Perp::adjust_liquidity(RuntimeOrigin::root(), 0, 3 * UNIT / 2));
		// Storage is untouched until Alice trades; her view is already remapped.
		assert_eq!(Positions::<Test>::get(ALICE, 0).unwrap(), stored);
		assert_eq!(
			Perp::position_details(&ALICE, 0).unwrap().unwrap().base_size,
			8_804_108_584_005_869_405
		);
		// Adding margin touches the position: it is stored remapped and the market follows.
		assert_ok!(Perp::add_margin(RuntimeOrigin::signed(ALICE), 0, UNIT));
		let remapped = Positions::<Test>::get(ALICE, 0).unwrap();
		assert_eq!(remapped.liquidity_version, 1);
		assert_eq!(remapped.position.size, 8_804_108_584_005_869_405);
		advance(6);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(ALICE), 0, 0));
		let realized = perp_events()
			.into_iter()
			.rev()
			.find_map(|event| match event {
				Event::PositionChanged { realized_pnl, .. } => Some(realized_pnl),
				_ => None,
			})
			.unwrap();
		assert!(realized <= pnl && pnl - realized <= 100, "{pnl} → {realized}");
	});
}

#[test]
fn a_multiplier_that_would_strand_the_longs_is_refused() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		three_traders();
		let before = market();
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::root(), 0, 0),
			Error::<Test>::InvalidMultiplier
		);
		// At a tenth of the depth the longs' exit value exceeds the whole quote reserve.
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::root(), 0, UNIT / 10),
			Error::<Test>::InvalidMultiplier
		);
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::root(), 9, UNIT),
			Error::<Test>::UnknownMarket
		);
		assert_eq!(market(), before);
	});
}

#[test]
fn dynamic_k_deepens_the_curve_at_settlement_when_open_interest_is_heavy() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		// Expand above 5 % utilisation, by 5 %, up to 4x.
		setup(MarketParams {
			k_step: 50 * UNIT / 1_000,
			k_expand_above: 50 * UNIT / 1_000,
			k_shrink_below: 0,
			..params()
		});
		three_traders();
		let values: Vec<u128> = [ALICE, BOB, CHARLIE].map(exit_value).to_vec();
		advance(HOUR);
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(BOB), 0));
		assert!(perp_events().iter().any(|event| matches!(event,
			Event::LiquidityAdjusted { multiplier, dynamic: true, version: 1, .. }
				if *multiplier == 1_050 * UNIT / 1_000)));
		assert_eq!(market().depth, 1_050 * UNIT / 1_000);
		for (who, value) in [ALICE, BOB, CHARLIE].into_iter().zip(values) {
			let details = Perp::position_details(&who, 0).unwrap().unwrap();
			// The funding each owes is unchanged by the remap too (to a raw unit per unit).
			assert!(details.exit_notional.abs_diff(value) <= value / UNIT + 1);
		}
	});
}

#[test]
fn dynamic_k_thins_an_idle_curve_down_to_k_min() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(MarketParams { k_step: 500 * UNIT / 1_000, k_min: 600 * UNIT / 1_000, ..params() });
		open(ALICE, Side::Long, UNIT);
		advance(HOUR);
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(BOB), 0));
		// 1 − 0.5 would go below k_min: the step stops at 0.6.
		assert_eq!(market().depth, 600 * UNIT / 1_000);
		// Alice's position is remapped by the validators' batch; funding is due again.
		advance(HOUR);
		assert_noop!(
			Perp::settle_funding(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::FundingNotDue
		);
		let accounts = vec![ALICE].try_into().unwrap();
		assert_ok!(Perp::remap_positions(RuntimeOrigin::signed(BOB), 0, accounts));
		assert!(market().migration.is_none());
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(BOB), 0));
		// At k_min already: no further step.
		assert_eq!(market().liquidity_version, 1);
	});
}

/// A dynamic-k step above one half is refused: a migration scales the curve by at least
/// 0.5, so a larger shrink could never be taken. Before, `k_step = 1` was accepted and then
/// every funding settlement of the idle market failed with `InvalidRatio`, stopping funding
/// for good; the largest step allowed halves the curve.
#[test]
fn a_k_step_no_migration_can_take_is_refused() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		let step = |k_step| MarketParams { k_step, k_min: 0, ..params() };
		assert_noop!(
			Perp::set_market_params(RuntimeOrigin::root(), 0, step(UNIT)),
			Error::<Test>::InvalidKBounds
		);
		assert_noop!(
			Perp::set_market_params(RuntimeOrigin::root(), 0, step(UNIT / 2 + 1)),
			Error::<Test>::InvalidKBounds
		);
		assert_ok!(Perp::set_market_params(RuntimeOrigin::root(), 0, step(UNIT / 2)));
		open(ALICE, Side::Long, UNIT);
		advance(HOUR);
		assert_ok!(Perp::settle_funding(RuntimeOrigin::signed(BOB), 0));
		assert_eq!(market().depth, UNIT / 2);
	});
}

#[test]
fn thinning_the_curve_is_prefunded_and_everyone_can_still_close() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		setup(params());
		three_traders();
		let reserve = market().convergence_reserve;
		let fund_before = insurance_balance();
		assert_ok!(Perp::adjust_liquidity(RuntimeOrigin::root(), 0, UNIT / 2));
		let (from_reserve, from_insurance) = perp_events()
			.into_iter()
			.find_map(|event| match event {
				Event::LiquidityAdjusted { from_convergence_reserve, from_insurance, .. } => {
					Some((from_convergence_reserve, from_insurance))
				},
				_ => None,
			})
			.unwrap();
		// The bound exceeded the reserve: the fund paid the rest into the vault.
		assert_eq!(from_reserve, reserve);
		assert!(from_insurance > 0);
		assert_eq!(fund_before - insurance_balance(), from_insurance);
		assert_eq!(market().convergence_reserve, 0);
		// try_state (after the test) checks the vault covers the remapped net position at
		// every step; every trader closes at their preserved exit value.
		for who in [BOB, ALICE, CHARLIE] {
			let value = exit_value(who);
			assert_ok!(Perp::close_position(RuntimeOrigin::signed(who), 0, 0));
			let notional = perp_events()
				.into_iter()
				.rev()
				.find_map(|event| match event {
					Event::PositionChanged { exchanged_notional, .. } => Some(exchanged_notional),
					_ => None,
				})
				.unwrap();
			assert_eq!(notional, value);
			advance(6);
			set_index(COLLECTION, 10 * UNIT);
		}
	});
}

#[test]
fn an_unfunded_migration_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		setup(params());
		three_traders();
		let before = market();
		// With an empty fund and a reserve of 0.116, halving the depth (which may add up to
		// 4.93 to what the AMM owes) cannot be provided for.
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::root(), 0, UNIT / 2),
			Error::<Test>::MigrationUnfunded
		);
		assert_eq!(market(), before);
		// Doubling it can only lower what the AMM owes (the netted bound is 0): it needs no
		// provision at all.
		assert_ok!(Perp::adjust_liquidity(RuntimeOrigin::root(), 0, 2 * UNIT));
		assert!(perp_events().iter().any(|event| matches!(
			event,
			Event::LiquidityAdjusted { from_convergence_reserve: 0, from_insurance: 0, .. }
		)));
	});
}

#[test]
fn thinning_waits_until_every_position_is_remapped() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		setup(params());
		three_traders();
		assert_ok!(Perp::adjust_liquidity(RuntimeOrigin::root(), 0, 2 * UNIT));
		assert_eq!((market().positions, market().current_positions), (3, 0));
		// Bob's short is still in the old curve's units: the thinning bound is unknown.
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::root(), 0, UNIT / 2),
			Error::<Test>::MigrationPending
		);
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::root(), 0, 3 * UNIT / 2),
			Error::<Test>::MigrationPending
		);
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(Perp::add_margin(RuntimeOrigin::signed(who), 0, UNIT));
		}
		assert_eq!((market().positions, market().current_positions), (3, 3));
		// Every position is current; the migration's settlement (which validators submit as
		// an empty remap batch) lets the next one go.
		assert_noop!(
			Perp::adjust_liquidity(RuntimeOrigin::root(), 0, UNIT / 2),
			Error::<Test>::MigrationPending
		);
		assert_ok!(Perp::remap_positions(RuntimeOrigin::signed(BOB), 0, Default::default()));
		assert!(market().migration.is_none());
		assert_ok!(Perp::adjust_liquidity(RuntimeOrigin::root(), 0, UNIT / 2));
	});
}

/// What validators' offchain workers would do this block: every duty, authorised, then
/// dispatched (each must succeed once admitted).
fn validators_run() {
	let (duties, _) = Perp::duties(Vec::new(), 10_000);
	for call in duties {
		let call: RuntimeCall = call.into();
		use polkadot_sdk::frame_support::{pallet_prelude::TransactionSource, traits::Authorize};
		if call.authorize(TransactionSource::External).is_some_and(|result| result.is_ok()) {
			use polkadot_sdk::frame_support::traits::UnfilteredDispatchable;
			assert_ok!(call
				.dispatch_bypass_filter(polkadot_sdk::frame_system::RawOrigin::Authorized.into()));
		}
	}
}

/// More stale positions than one batch (`MaxRemapsPerCall` is 8 here): one block of the
/// validators' duties remaps all 20 and settles the migration. Before, a scan collected at
/// most one batch per market (8 remapped, 12 left for later sweeps of the whole map).
#[test]
fn one_sweep_remaps_every_stale_position() {
	ExtBuilder::default().insurance(1_000 * UNIT).build_and_execute(|| {
		create_market_with(params());
		for who in 100..120u64 {
			use polkadot_sdk::frame_support::traits::fungible::Mutate;
			<Balances as Mutate<AccountId>>::set_balance(&who, 100 * UNIT);
			assert_ok!(Perp::deposit(RuntimeOrigin::signed(who), 10 * UNIT));
			let side = if who % 2 == 0 { Side::Long } else { Side::Short };
			assert_ok!(Perp::open_position(
				RuntimeOrigin::signed(who),
				0,
				side,
				UNIT,
				FIVE_X,
				false,
				0
			));
		}
		assert_ok!(Perp::adjust_liquidity(RuntimeOrigin::root(), 0, 2 * UNIT));
		assert_eq!((market().positions, market().current_positions), (20, 0));
		validators_run();
		assert_eq!((market().positions, market().current_positions), (20, 20));
		assert!(market().migration.is_none(), "the last batch settled the migration");
	});
}

/// One idle dust position can no longer stall a market. With the default dynamic k, the first
/// hourly settlement of a quiet market thins its curve; Alice's dust long is never touched
/// again. Before, every later convergence was refused with `MigrationPending` (and dynamic k
/// skipped silently) for as long as she stayed away. Now the validators remap her within the
/// block, so when Bob's long holds the mark 13 % over the index, convergence comes on time
/// (8 hours after the mark TWAP crossed the 5 % threshold), and dynamic k keeps stepping.
#[test]
fn an_idle_position_never_stalls_convergence_or_dynamic_k() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		let params = MarketParams { k_step: 50 * UNIT / 1_000, ..unguarded_params() };
		setup(params);
		// Alice's dust long, never touched again.
		assert_ok!(Perp::open_position(
			RuntimeOrigin::signed(ALICE),
			0,
			Side::Long,
			UNIT / 100,
			UNIT,
			false,
			0
		));
		let hour = || {
			for _ in 0..600 {
				advance(6);
				set_index(COLLECTION, 10 * UNIT);
				validators_run();
			}
		};
		// One hour: the settlement thins the idle curve (open interest far below 10 %); the
		// validators' next block remaps Alice, the one after settles the migration.
		hour();
		assert_eq!(market().liquidity_version, 1);
		assert!(market().migration.is_some());
		for _ in 0..2 {
			advance(6);
			set_index(COLLECTION, 10 * UNIT);
			validators_run();
		}
		assert!(market().migration.is_none(), "the validators remapped Alice");
		assert_eq!(Positions::<Test>::get(ALICE, 0).unwrap().liquidity_version, 1);
		// Bob's long holds the mark 13 % over the index.
		open(BOB, Side::Long, 13 * UNIT);
		let mark = market().reserves.mark_price().unwrap();
		assert!(mark * 100 / (10 * UNIT) >= 113, "mark {mark}");
		let mut converged_after = None;
		for hours in 1..=12 {
			hour();
			if perp_events().iter().any(|event| matches!(event, Event::Converged { .. })) {
				converged_after = Some(hours);
				break;
			}
		}
		// The mark TWAP crossed 5 % within the first hour; 8 hours later the validators
		// converged it, at the first block it was due.
		assert_eq!(converged_after, Some(9));
		assert_eq!(market().reserves.mark_price().unwrap(), 10 * UNIT);
		// Dynamic k stepped at every settlement meanwhile (0.95⁹ of the launch depth), and
		// goes on after the convergence: once Bob leaves, the idle curve thins again.
		assert_eq!(market().liquidity_version, 9);
		assert_eq!(market().depth, 630_249_409_724_609_375);
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
		hour();
		assert_eq!(market().liquidity_version, 10);
		assert!(perp_events().iter().all(|event| !matches!(event, Event::DynamicKSkipped { .. })));
	});
}

/// A round trip cannot reset the convergence clock. Alice's long holds the mark 21 % over the
/// index; half an hour in, Bob shorts the mark back to the index for one block and buys it
/// back in the next. Before, the clock read that one block's closing mark, stopped, and
/// convergence was pushed back by the time already served; on the hour's mark TWAP the
/// block barely counts, and convergence comes when it was due.
#[test]
fn a_round_trip_does_not_reset_the_convergence_clock() {
	ExtBuilder::default().insurance(10_000 * UNIT).build_and_execute(|| {
		setup(params());
		diverge_above_index();
		advance(6);
		set_index(COLLECTION, 10 * UNIT);
		let since = market().divergence_since.unwrap();
		advance(HOUR / 2);
		set_index(COLLECTION, 10 * UNIT);
		open(BOB, Side::Short, 20 * UNIT);
		assert!(market().reserves.mark_price().unwrap() < 10_100_000_000_000_000_000);
		advance(6);
		set_index(COLLECTION, 10 * UNIT);
		assert_eq!(market().divergence_since, Some(since));
		assert_ok!(Perp::close_position(RuntimeOrigin::signed(BOB), 0, 0));
		advance(6);
		set_index(COLLECTION, 10 * UNIT);
		assert_eq!(market().divergence_since, Some(since));
		// Due one hour (`convergence_after`) after the clock started.
		let elapsed = Perp::now_seconds() - since;
		advance(HOUR - elapsed);
		set_index(COLLECTION, 10 * UNIT);
		assert_ok!(Perp::converge(RuntimeOrigin::signed(CHARLIE), 0));
	});
}
