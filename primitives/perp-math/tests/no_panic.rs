//! No function panics, whatever the input: every public function is called with arbitrary
//! `u128`/`i128` values (mixed with small and realistic ones so that the paths past the
//! first checks are reached too) and must return, `Ok` or `Err`.

use perp_math::{
	convergence, curve, dynamic_k, fees, fixed, funding, liquidation, margin, position, twap,
	CumulativePremium, Direction, DynamicKParams, FeeSchedule, FundingMode, FundingParams,
	LiquidationInput, LiquidationParams, LiquiditySnapshot, Order, Position, PositionValue,
	Reserves, Rounding, Side, TwapAccumulator, TwapObservation,
};
use primitive_types::U256;
use proptest::prelude::*;

fn amount() -> impl Strategy<Value = u128> {
	prop_oneof![
		any::<u128>(),
		0u128..4,
		10u128.pow(17)..10u128.pow(25),
		Just(u128::MAX),
		Just(i128::MAX as u128 + 1)
	]
}

fn signed() -> impl Strategy<Value = i128> {
	prop_oneof![
		any::<i128>(),
		-3i128..4,
		-10i128.pow(25)..10i128.pow(25),
		Just(i128::MIN),
		Just(i128::MAX)
	]
}

fn ratio() -> impl Strategy<Value = u128> {
	prop_oneof![any::<u128>(), 0u128..=10u128.pow(18), Just(0u128)]
}

fn side() -> impl Strategy<Value = Side> {
	prop_oneof![Just(Side::Long), Just(Side::Short)]
}

fn rounding() -> impl Strategy<Value = Rounding> {
	prop_oneof![Just(Rounding::Down), Just(Rounding::Up)]
}

fn reserves() -> impl Strategy<Value = Reserves> {
	(amount(), amount()).prop_map(|(base, quote)| Reserves::new(base, quote))
}

fn position() -> impl Strategy<Value = Position> {
	(signed(), amount(), amount(), signed()).prop_map(
		|(size, margin, open_notional, last_cumulative_premium)| Position {
			size,
			margin,
			open_notional,
			last_cumulative_premium,
		},
	)
}

fn premium() -> impl Strategy<Value = CumulativePremium> {
	(signed(), signed()).prop_map(|(long, short)| CumulativePremium { long, short })
}

fn value() -> impl Strategy<Value = PositionValue> {
	(amount(), signed(), signed()).prop_map(|(notional, unrealized_pnl, pending_funding)| {
		PositionValue { notional, unrealized_pnl, pending_funding }
	})
}

fn u256() -> impl Strategy<Value = U256> {
	prop_oneof![
		(any::<u128>(), any::<u128>())
			.prop_map(|(high, low)| (U256::from(high) << 128) + U256::from(low)),
		any::<u128>().prop_map(U256::from),
		Just(U256::MAX),
		Just(U256::zero()),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(1_500))]

	#[test]
	fn fixed_point_helpers_never_panic(a in amount(), b in amount(), c in amount(), x in signed(), y in signed(), r in rounding(), w in u256(), v in u256(), d in u256()) {
		let _ = (fixed::add(a, b), fixed::sub(a, b), fixed::add_signed(x, y), fixed::sub_signed(x, y));
		let _ = (fixed::to_signed(a), fixed::negative(a), fixed::signed(x < 0, a), fixed::positive_part(x));
		let _ = (fixed::u256_to_u128(w), fixed::div_u256(w, v, r), fixed::mul_div_u256(w, v, d, r), fixed::sqrt_u256(w, r));
		let _ = (fixed::mul_div(a, b, c, r), fixed::mul_ratio(a, b, r), fixed::div_ratio(a, b, r));
		let _ = (fixed::signed_mul_div(x, a, b, r), fixed::signed_div_ratio(x, a, r), fixed::signed_product_div(x, y, a, r));
		let _ = (fixed::relative_difference(a, b, r), fixed::ratio_at_least(x, a, b), fixed::signed_difference_div(w, v, d, r));
		let _ = fixed::div_u512(w.full_mul(v), d.full_mul(U256::one()), r);
		let _ = fixed::u512_to_u256(w.full_mul(v));
	}

	#[test]
	fn curve_never_panics(curve in reserves(), a in amount(), b in amount(), size in signed(), side in side(), buy in any::<bool>(), r in rounding()) {
		let _ = (curve.k(), curve.mark_price(), curve.ensure_non_zero());
		for direction in [Direction::AddToAmm, Direction::RemoveFromAmm] {
			let _ = (curve::swap_quote(curve, direction, a), curve::swap_base(curve, direction, a));
		}
		let _ = (curve::trade_quote(curve, side, a), curve::trade_base(curve, buy, a), curve::close_base(curve, size, a));
		let _ = (curve::exit_value(curve, size), curve::average_price(a, b, r), curve::price_impact(curve, side, a));
		let _ = (curve::post_trade_price(curve, side, a), curve::post_close_price(curve, size, a));
		let _ = (curve::fluctuation_band(a, b), curve::within_fluctuation_band(a, b, curve.base));
	}

	#[test]
	fn positions_never_panic(
		existing in position(), curve in reserves(), side in side(), quote in amount(), added in amount(),
		premium in premium(), margin in amount(), leverage in ratio(), base in amount(), size in signed(),
	) {
		let order = Order { side, margin, leverage };
		let _ = (order.notional(), order.margin_for(quote));
		let _ = position::trade(&existing, curve, &order, &premium);
		let _ = position::increase(&existing, curve, side, quote, added, &premium);
		let _ = (position::reduce(&existing, curve, base, &premium), position::close(&existing, curve, &premium));
		let _ = (margin::unrealized_pnl(size, quote, base), position::position_pnl(&existing, curve));
		let _ = position::realized_share(size, quote, base);
	}

	#[test]
	fn margin_never_panics(
		existing in position(), curve in reserves(), premium in premium(), values in proptest::collection::vec(value(), 0..4),
		a in amount(), b in amount(), c in amount(), x in signed(), y in signed(), z in signed(), size in signed(),
	) {
		let _ = margin::value_position(&existing, curve, &premium);
		let _ = (margin::settle_margin(a, x, y), margin::equity(a, x, y), margin::margin_ratio(x, a));
		let _ = (margin::meets_margin_ratio(x, a, b), margin::total_value(&values));
		let _ = (margin::cross_margin_ratio(a, &values), margin::free_collateral(a, &values, b));
		let _ = margin::value_position_at(&existing, curve, a, &premium);
		let _ = margin::effective_leverage(a, x);
		if let Some(first) = values.first() {
			let _ = margin::isolated_margin_ratio(a, first);
		}
		let _ = margin::liquidation_price(curve, size, a, z, b, c);
	}

	#[test]
	fn funding_never_panics(
		existing in position(), premium in premium(), pf in signed(), long in amount(), short in amount(),
		a in amount(), b in amount(), c in amount(), period in any::<u64>(), cap in proptest::option::of(amount()),
		symmetric in any::<bool>(), x in signed(), y in signed(),
	) {
		let mode = if symmetric { FundingMode::Symmetric } else { FundingMode::Balanced };
		let _ = (funding::funding_cap(a, b), funding::premium_fraction(a, b, period, c), funding::subsidy_cap(a, b));
		if let Ok(split) = funding::split_funding(pf, long, short, mode, c, cap) {
			let _ = premium.apply(&split);
		}
		let params = FundingParams { funding_period: period, max_funding_rate: c, funding_mode: mode, max_funding_subsidy: b };
		let _ = funding::settle_funding(a, b, long, short, c, &params);
		let _ = (funding::funding_payment(x, y, pf), funding::pending_funding(&existing, &premium));
	}

	#[test]
	fn liquidation_never_panics(
		existing in position(), curve in reserves(), base_equity in signed(), other in amount(), fee_ratio in ratio(),
		mmr in ratio(), full in ratio(), portion in ratio(), buffer in ratio(), min_notional in amount(), penalty_ratio in ratio(),
		mr in signed(), a in amount(), b in amount(), x in signed(),
	) {
		let params = LiquidationParams {
			maintenance_margin_ratio: mmr,
			full_liquidation_ratio: full,
			partial_liquidation_ratio: portion,
			liquidation_buffer: buffer,
			min_partial_notional: min_notional,
			liquidation_fee_ratio: penalty_ratio,
		};
		let input = LiquidationInput { position: existing, reserves: curve, base_equity, other_notional: other, fee_ratio };
		let _ = liquidation::liquidation_kind(mr, a, &params);
		let _ = (liquidation::partial_liquidation_amount(&input, &params), liquidation::restores_margin(&input, &params, a));
		let _ = (liquidation::liquidation_penalty(a, b), liquidation::split_penalty(a));
		let _ = (liquidation::draw_liquidation(&mut [a, b, other], x.unsigned_abs(), a, b), liquidation::socialise_loss(a, b, other));
	}

	#[test]
	fn convergence_fees_twap_and_k_never_panic(
		before in reserves(), after in reserves(), size in signed(), sizes in proptest::collection::vec(signed(), 0..3),
		a in amount(), b in amount(), c in amount(), d in amount(), e in amount(), now in any::<u64>(), window in any::<u64>(),
		observations in proptest::collection::vec((any::<u64>(), any::<u128>()), 0..4), last in any::<u64>(),
	) {
		let snapshot = LiquiditySnapshot { before, after };
		let _ = (convergence::amm_obligation(before, size), convergence::repeg_reserves(before, a, size));
		let _ = (convergence::convergence_cost(before, after, size), convergence::scale_reserves(before, a));
		let _ = (convergence::checked_scale_reserves(before, a, b), convergence::remap_size(&snapshot, size));
		let _ = convergence::remap_through(&[snapshot, snapshot], sizes.first().copied().unwrap_or(size));
		let schedule = FeeSchedule {
			fee_ratio: a,
			level1_threshold: b,
			level1_ratio: c,
			level1_in_favour_ratio: d,
			level2_threshold: e,
			level2_ratio: a,
			level2_in_favour_ratio: b,
		};
		let _ = (fees::dynamic_fee_ratio(&schedule, a, b, c), fees::fee_amount(a, b), fees::split_fee(a, b, c));
		let accumulator = TwapAccumulator { cumulative: a, last_price: b, last_timestamp: last };
		let history: Vec<TwapObservation> = observations.iter().map(|(timestamp, cumulative)| TwapObservation { timestamp: *timestamp, cumulative: *cumulative }).collect();
		let _ = (accumulator.cumulative_at(now), accumulator.advance(now), accumulator.record(c).observation());
		let _ = twap::twap(&history, &accumulator, now, window);
		if let [first, second, ..] = history.as_slice() {
			let _ = twap::twap_between(*first, *second);
		}
		let params = DynamicKParams { k_expand_above: a, k_shrink_below: b, k_step: c, k_min: d, k_max: e };
		let _ = (dynamic_k::decide_k_adjustment(a, b, c, d, &params), dynamic_k::apply_multiplier(a, b));
	}
}
