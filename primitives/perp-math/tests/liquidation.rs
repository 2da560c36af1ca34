//! Liquidation: kind, partial amount (minimal and fixed), penalty, what is drawn on the
//! backing and in which order, bad debt, socialised loss.

mod common;

use common::{perp_v1_curve, s, u};
use perp_math::{
	curve, fees,
	liquidation::{
		self, LiquidationAmount, LiquidationDraw, LiquidationInput, LiquidationKind,
		LiquidationParams, PenaltySplit,
	},
	margin,
	position::{self, Order},
	types::{Position, Side},
	CumulativePremium, FundingSplit, MathError, Reserves, ONE,
};
use proptest::prelude::*;

const FLAT: CumulativePremium = CumulativePremium { long: 0, short: 0 };

/// Alice long 120 × 5 (37.5 base for 600), then Bob shorts `push` quote against her.
fn alice_after_bob_shorts(push: &str) -> (Position, Reserves) {
	let order = Order { side: Side::Long, margin: u("120"), leverage: u("5") };
	let alice = position::trade(&Position::default(), perp_v1_curve(), &order, &FLAT).unwrap();
	let bob = curve::trade_quote(alice.reserves, Side::Short, u(push)).unwrap();
	(alice.position, bob.reserves)
}

fn isolated_input(position: Position, reserves: Reserves) -> LiquidationInput {
	LiquidationInput {
		position,
		reserves,
		base_equity: position.margin as i128,
		other_notional: 0,
		fee_ratio: u("0.003"),
	}
}

#[test]
fn full_or_partial() {
	let params = common::liquidation_params();
	assert_eq!(
		liquidation::liquidation_kind(s("0.111"), u("540"), &params).unwrap(),
		LiquidationKind::Partial
	);
	assert_eq!(
		liquidation::liquidation_kind(s("0.1"), u("0.5"), &params).unwrap(),
		LiquidationKind::Partial
	);
	assert_eq!(
		liquidation::liquidation_kind(s("0.1") - 1, u("540"), &params).unwrap(),
		LiquidationKind::Full
	);
	assert_eq!(
		liquidation::liquidation_kind(s("0.111"), u("0.5") - 1, &params).unwrap(),
		LiquidationKind::Full
	);
	assert_eq!(
		liquidation::liquidation_kind(s("-0.3"), u("540"), &params).unwrap(),
		LiquidationKind::Full
	);
	assert_eq!(
		liquidation::liquidation_kind(s("0.125"), u("540"), &params),
		Err(MathError::NotLiquidatable)
	);
}

#[test]
fn minimal_partial_liquidation_of_alice() {
	// After Bob's 100 short Alice is worth 540 with 60 equity: MR 11.1 %, partial.
	let (alice, curve) = alice_after_bob_shorts("100");
	let input = isolated_input(alice, curve);
	let params = common::liquidation_params();
	// Over the reals Q* = (0.13 · 540 − 60) / (0.13 − 0.003 − 0.025) = 100 quote.
	let amount = liquidation::partial_liquidation_amount(&input, &params).unwrap();
	assert_eq!(amount, LiquidationAmount::Partial(4_761_904_761_904_761_908));
	assert!(liquidation::restores_margin(&input, &params, 4_761_904_761_904_761_908).unwrap());
	assert!(!liquidation::restores_margin(&input, &params, 4_761_904_761_904_761_907).unwrap());

	// Booking it: the close realises ⌊uPnL · b / s⌋ and leaves exactly MR 13 %.
	let closed = position::reduce(&alice, curve, 4_761_904_761_904_761_908, &FLAT).unwrap();
	assert_eq!(closed.exchanged_notional, 100_000_000_000_000_000_062);
	assert_eq!(closed.realized_pnl, -7_619_047_619_047_619_054);
	assert_eq!(closed.position.open_notional, 492_380_952_380_952_380_884);
	let fee = fees::fee_amount(closed.exchanged_notional, u("0.003")).unwrap();
	let penalty =
		liquidation::liquidation_penalty(closed.exchanged_notional, params.liquidation_fee_ratio)
			.unwrap();
	assert_eq!((fee, penalty), (300_000_000_000_000_001, 2_500_000_000_000_000_002));
	let mut pots = [120_000_000_000_000_000_000 - 7_619_047_619_047_619_054];
	let draw = liquidation::draw_liquidation(&mut pots, 0, penalty, fee);
	assert_eq!(
		draw,
		LiquidationDraw {
			unpaid: 0,
			liquidator: 1_250_000_000_000_000_001,
			insurance: 1_250_000_000_000_000_001,
			fee,
		}
	);
	assert_eq!(pots, [109_580_952_380_952_380_943]);
	let value = margin::value_position(&closed.position, closed.reserves, &FLAT).unwrap();
	assert_eq!(value.notional, 439_999_999_999_999_999_935);
	assert_eq!(margin::isolated_margin_ratio(pots[0], &value).unwrap(), s("0.13"));
}

#[test]
fn fixed_portion_partial_liquidation() {
	let (alice, curve) = alice_after_bob_shorts("100");
	let params =
		LiquidationParams { partial_liquidation_ratio: u("0.25"), ..common::liquidation_params() };
	let amount =
		liquidation::partial_liquidation_amount(&isolated_input(alice, curve), &params).unwrap();
	assert_eq!(amount, LiquidationAmount::Partial(u("9.375")));
	let whole = LiquidationParams { partial_liquidation_ratio: ONE, ..params };
	assert_eq!(
		liquidation::partial_liquidation_amount(&isolated_input(alice, curve), &whole).unwrap(),
		LiquidationAmount::Full
	);
}

#[test]
fn deep_losses_need_larger_portions_or_full() {
	let params = common::liquidation_params();
	// Bob's 150 short leaves MR 6.0 %: it takes 21.9 of the 37.5 base to get back to 13 %.
	let (alice, curve) = alice_after_bob_shorts("150");
	let input = isolated_input(alice, curve);
	assert_eq!(
		liquidation::partial_liquidation_amount(&input, &params).unwrap(),
		LiquidationAmount::Partial(21_916_027_247_073_820_406)
	);
	// Bob's 180 short leaves MR 2.7 %, below the 2.8 % that fee and penalty cost: closing
	// only ever lowers the MR, so no portion restores it.
	let (alice, curve) = alice_after_bob_shorts("180");
	assert_eq!(
		liquidation::partial_liquidation_amount(&isolated_input(alice, curve), &params).unwrap(),
		LiquidationAmount::Full
	);
	// A healthy position is not liquidatable.
	let (healthy, curve) = alice_after_bob_shorts("1");
	assert_eq!(
		liquidation::partial_liquidation_amount(&isolated_input(healthy, curve), &params),
		Err(MathError::NotLiquidatable)
	);
}

#[test]
fn full_liquidation_settlement_with_residual() {
	let (alice, curve) = alice_after_bob_shorts("150");
	let closed = position::close(&alice, curve, &FLAT).unwrap();
	assert_eq!(closed.exchanged_notional, 510_728_744_939_271_255_059);
	assert_eq!(closed.realized_pnl, -89_271_255_060_728_744_941);
	let penalty = liquidation::liquidation_penalty(closed.exchanged_notional, u("0.025")).unwrap();
	let fee = fees::fee_amount(closed.exchanged_notional, u("0.003")).unwrap();
	assert_eq!((penalty, fee), (12_768_218_623_481_781_377, 1_532_186_234_817_813_766));
	assert_eq!(
		liquidation::split_penalty(penalty),
		PenaltySplit {
			liquidator: 6_384_109_311_740_890_688,
			insurance: 6_384_109_311_740_890_689
		}
	);
	let mut pots = [30_728_744_939_271_255_059];
	let draw = liquidation::draw_liquidation(&mut pots, 0, penalty, fee);
	assert_eq!(pots, [16_428_340_080_971_659_916]);
	assert_eq!(draw.unpaid, 0);
}

#[test]
fn bad_debt_liquidation() {
	// Bob's 400 short: Alice's 37.5 are worth 372.41…, a loss of 227.59 on 120 margin.
	let (alice, curve) = alice_after_bob_shorts("400");
	let closed = position::close(&alice, curve, &FLAT).unwrap();
	let available = alice.margin as i128 + closed.realized_pnl;
	assert_eq!(closed.exchanged_notional, 372_413_793_103_448_275_860);
	assert_eq!(available, -107_586_206_896_551_724_140);
	let penalty = liquidation::liquidation_penalty(closed.exchanged_notional, u("0.025")).unwrap();
	assert_eq!(penalty, 9_310_344_827_586_206_897);
	// Isolated: nothing else backs it. The loss is bad debt, and the penalty goes unpaid:
	// no one tops up a liquidator's half of a bankrupt position.
	let mut pots = [0];
	let draw = liquidation::draw_liquidation(&mut pots, available.unsigned_abs(), penalty, 0);
	assert_eq!(draw, LiquidationDraw { unpaid: 107_586_206_896_551_724_140, ..Default::default() });
	// Cross, with 100 held and 20 in another position: the loss first, then the penalty.
	let mut pots = [0, u("100"), u("20")];
	let draw = liquidation::draw_liquidation(&mut pots, available.unsigned_abs(), penalty, 0);
	assert_eq!(draw.unpaid, 0);
	assert_eq!(
		(draw.liquidator, draw.insurance),
		(4_655_172_413_793_103_448, 4_655_172_413_793_103_449)
	);
	assert_eq!(pots, [0, 0, u("120") - 107_586_206_896_551_724_140 - penalty]);
	// 10 socialised over 300 long and 100 short: every unit pays 0.025, longs 7.5, shorts 2.5.
	let deltas = liquidation::socialise_loss(u("10"), u("300"), u("100")).unwrap();
	assert_eq!(deltas, FundingSplit { long: s("0.025"), short: s("-0.025"), insurance: 0 });
	assert_eq!(liquidation::socialise_loss(1, 2, 1).unwrap().long, 333_333_333_333_333_334);
	assert_eq!(liquidation::socialise_loss(1, 0, 0), Err(MathError::NoOpenInterest));
}

#[test]
fn penalty_split_sums_exactly() {
	for penalty in [0u128, 1, 2, 3, 12_768_218_623_481_781_377, u128::MAX] {
		let split = liquidation::split_penalty(penalty);
		assert_eq!(split.liquidator + split.insurance, penalty);
		assert!(split.insurance >= split.liquidator);
	}
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(1_000))]

	/// The minimal partial liquidation restores MR ≥ maintenance + buffer when booked as
	/// the pallet books it, and closing one base unit less would not; when it answers
	/// `Full`, not even leaving a single unit open restores it.
	#[test]
	fn minimal_partial_liquidation_is_minimal(
		base in 10u128.pow(20)..10u128.pow(25), price in 1u128..5_000, long in any::<bool>(),
		depth_share in 1u128..400, push in 0u128..300, push_long in any::<bool>(),
		mr in 10_000_000_000_000_000u128..125_000_000_000_000_000, fee_ratio in prop_oneof![Just(0u128), Just(3 * 10u128.pow(15)), Just(10u128.pow(16))],
		other in prop_oneof![Just(0u128), 1u128..1_000],
	) {
		let curve = Reserves::new(base, base * price);
		let side = if long { Side::Long } else { Side::Short };
		let notional = curve.quote / 1_000 * depth_share;
		let order = Order { side, margin: notional / 5, leverage: 5 * ONE };
		let opened = position::trade(&Position::default(), curve, &order, &FLAT).unwrap();
		let mover = if push_long { Side::Long } else { Side::Short };
		let moved = curve::trade_quote(opened.reserves, mover, notional / 1_000 * push).unwrap().reserves;
		let value = margin::value_position(&opened.position, moved, &FLAT).unwrap();
		// Equity chosen so the MR is `mr` (partial zone), spread over other positions too.
		let other_notional = value.notional / 1_000 * other;
		let total = value.notional + other_notional;
		let base_equity = perp_math::fixed::mul_ratio(total, mr, perp_math::Rounding::Down).unwrap() as i128 - value.unrealized_pnl;
		let input = LiquidationInput { position: opened.position, reserves: moved, base_equity, other_notional, fee_ratio };
		let params = common::liquidation_params();
		let size = opened.position.size.unsigned_abs();
		match liquidation::partial_liquidation_amount(&input, &params).unwrap() {
			LiquidationAmount::Partial(amount) => {
				prop_assert!(amount > 0 && amount < size);
				prop_assert!(restored(&input, &params, amount));
				prop_assert!(!restored(&input, &params, amount - 1));
			},
			LiquidationAmount::Full => prop_assert!(!restored(&input, &params, size - 1)),
		}
	}
}

/// The MR check written out from the public pieces: reduce, charge fee and penalty, value
/// the rest on the moved curve next to the other positions.
fn restored(input: &LiquidationInput, params: &LiquidationParams, base: u128) -> bool {
	let closed = position::reduce(&input.position, input.reserves, base, &FLAT).unwrap();
	let quote = closed.exchanged_notional;
	let costs = fees::fee_amount(quote, input.fee_ratio).unwrap()
		+ liquidation::liquidation_penalty(quote, params.liquidation_fee_ratio).unwrap();
	let rest = margin::value_position(&closed.position, closed.reserves, &FLAT).unwrap();
	let equity = input.base_equity + closed.realized_pnl + rest.unrealized_pnl - costs as i128;
	let target = params.maintenance_margin_ratio + params.liquidation_buffer;
	margin::meets_margin_ratio(equity, rest.notional + input.other_notional, target)
}
