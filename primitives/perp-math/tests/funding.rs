//! Funding: premium fraction and cap, Balanced and Symmetric splits, payments.

mod common;

use common::{s, u};
use perp_math::{
	funding::{self, FundingMode, FundingParams, FundingSplit},
	types::Position,
	CumulativePremium, MathError, ONE,
};
use primitive_types::U256;
use proptest::prelude::*;

const HOUR: u64 = 3_600;

#[test]
fn premium_fraction_scales_to_the_period() {
	// (10.002 − 10) · 1 h / 1 day, below the 0.0125 % · 10 = 0.00125 cap.
	assert_eq!(
		funding::premium_fraction(u("10.002"), u("10"), HOUR, u("0.000125")).unwrap(),
		83_333_333_333_333
	);
	// Uncapped: 0.5 / 24.
	assert_eq!(
		funding::premium_fraction(u("10.5"), u("10"), HOUR, 0).unwrap(),
		20_833_333_333_333_333
	);
	assert_eq!(
		funding::premium_fraction(u("9.9"), u("10"), HOUR, 0).unwrap(),
		-4_166_666_666_666_666
	);
	assert_eq!(funding::premium_fraction(u("10"), u("10"), HOUR, 0).unwrap(), 0);
	assert_eq!(funding::premium_fraction(u("10"), 0, HOUR, 0), Err(MathError::ZeroPrice));
}

#[test]
fn premium_fraction_cap_binds_both_ways() {
	assert_eq!(funding::funding_cap(u("10"), u("0.000125")).unwrap(), Some(u("0.00125")));
	assert_eq!(funding::funding_cap(u("10"), 0).unwrap(), None);
	assert_eq!(
		funding::premium_fraction(u("10.5"), u("10"), HOUR, u("0.000125")).unwrap(),
		s("0.00125")
	);
	assert_eq!(
		funding::premium_fraction(u("9.9"), u("10"), HOUR, u("0.000125")).unwrap(),
		s("-0.00125")
	);
}

const PF: i128 = 20_833_333_333_333_333;

#[test]
fn balanced_split_pays_what_it_collects() {
	// L = 400, S = 100: G = 200; longs pay ⌈PF/2⌉, shorts receive ⌊2·PF⌋.
	let split =
		funding::split_funding(PF, u("400"), u("100"), FundingMode::Balanced, 0, None).unwrap();
	assert_eq!(
		split,
		FundingSplit {
			long: 10_416_666_666_666_667,
			short: 41_666_666_666_666_666,
			insurance: 200
		}
	);
	// Negative PF: the 100 shorts pay ⌈2·PF⌉, the 400 longs receive ⌊PF/2⌋.
	let split =
		funding::split_funding(-PF, u("400"), u("100"), FundingMode::Balanced, 0, None).unwrap();
	assert_eq!(
		split,
		FundingSplit {
			long: -10_416_666_666_666_666,
			short: -41_666_666_666_666_666,
			insurance: 200
		}
	);
}

#[test]
fn balanced_split_caps_each_sides_rate() {
	// Capped PF 0.00125 with L = 400, S = 100: uncapped the shorts would receive 0.0025 per
	// unit, twice the cap; the transfer shrinks so they receive exactly the cap.
	let cap = Some(u("0.00125"));
	let split =
		funding::split_funding(s("0.00125"), u("400"), u("100"), FundingMode::Balanced, 0, cap)
			.unwrap();
	assert_eq!(split, FundingSplit { long: s("0.0003125"), short: s("0.00125"), insurance: 0 });
}

#[test]
fn symmetric_split_puts_the_imbalance_on_the_insurance_fund() {
	// More payers: the fund keeps PF · 300.
	let split =
		funding::split_funding(PF, u("400"), u("100"), FundingMode::Symmetric, u("5"), None)
			.unwrap();
	assert_eq!(split, FundingSplit { long: PF, short: PF, insurance: 6_249_999_999_999_999_900 });
	// More receivers: the fund would pay PF · 300 ≈ 6.25 but may pay only 5.
	let split =
		funding::split_funding(PF, u("100"), u("400"), FundingMode::Symmetric, u("5"), None)
			.unwrap();
	assert_eq!(
		split,
		FundingSplit {
			long: PF,
			short: 17_708_333_333_333_333,
			insurance: -4_999_999_999_999_999_900
		}
	);
	// With a large enough subsidy both sides get PF.
	let split =
		funding::split_funding(PF, u("100"), u("400"), FundingMode::Symmetric, u("100"), None)
			.unwrap();
	assert_eq!(split, FundingSplit { long: PF, short: PF, insurance: -6_249_999_999_999_999_900 });
}

#[test]
fn empty_side_makes_the_insurance_fund_the_counterparty() {
	for mode in [FundingMode::Balanced, FundingMode::Symmetric] {
		// Only shorts, who receive: the fund pays, at most 5.
		let split = funding::split_funding(PF, 0, u("400"), mode, u("5"), None).unwrap();
		assert_eq!(
			split,
			FundingSplit { long: 0, short: s("0.0125"), insurance: -(u("5") as i128) }
		);
		// Only longs, who pay: the fund receives PF · 400.
		let split = funding::split_funding(PF, u("400"), 0, mode, u("5"), None).unwrap();
		assert_eq!(
			split,
			FundingSplit { long: PF, short: 0, insurance: 8_333_333_333_333_333_200 }
		);
		assert_eq!(
			funding::split_funding(PF, 0, 0, mode, u("5"), None).unwrap(),
			FundingSplit::default()
		);
	}
}

#[test]
fn settle_funding_uses_market_parameters() {
	// Mark 10.5 vs index 10 caps at 0.00125; 1 % of a 500 fund is the subsidy.
	assert_eq!(funding::subsidy_cap(u("500"), u("0.01")).unwrap(), u("5"));
	let params = common::funding_params();
	let split =
		funding::settle_funding(u("10.5"), u("10"), u("400"), u("100"), u("500"), &params).unwrap();
	assert_eq!(split, FundingSplit { long: s("0.0003125"), short: s("0.00125"), insurance: 0 });
	let symmetric = FundingParams { funding_mode: FundingMode::Symmetric, ..params };
	let split =
		funding::settle_funding(u("10.5"), u("10"), u("400"), u("100"), u("500"), &symmetric)
			.unwrap();
	assert_eq!(
		split,
		FundingSplit { long: s("0.00125"), short: s("0.00125"), insurance: s("0.375") }
	);
}

#[test]
fn funding_payments_round_towards_paying() {
	assert_eq!(funding::funding_payment(s("0.00125"), 0, s("37.5")).unwrap(), s("0.046875"));
	// Shorts receive when their cumulative premium rises.
	assert_eq!(funding::funding_payment(s("0.00125"), 0, s("-37.5")).unwrap(), s("-0.046875"));
	// One unit of premium on one unit of size: paid rounds up, received rounds down.
	assert_eq!(funding::funding_payment(1, 0, 1).unwrap(), 1);
	assert_eq!(funding::funding_payment(1, 0, -1).unwrap(), 0);
	assert_eq!(funding::funding_payment(-1, 0, 1).unwrap(), 0);
	let position =
		Position { size: s("-2"), margin: 0, open_notional: 0, last_cumulative_premium: s("0.5") };
	let premium = CumulativePremium { long: s("9"), short: s("0.25") };
	assert_eq!(funding::pending_funding(&position, &premium).unwrap(), s("0.5"));
	let updated = premium.apply(&FundingSplit { long: 1, short: -1, insurance: 0 }).unwrap();
	assert_eq!(updated, CumulativePremium { long: s("9") + 1, short: s("0.25") - 1 });
}

fn total(rate: i128, size: u128) -> U256 {
	U256::from(rate.unsigned_abs()) * U256::from(size)
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(2_000))]

	/// Balanced funding pays out exactly what it collects, up to rounding that stays with
	/// the protocol: over the side totals collected ≥ paid out, the difference is below one
	/// unit of rate per unit of size, and the fund's share is exactly its floor. Per
	/// position (ceil for payers, floor for receivers) the vault keeps at least that.
	#[test]
	fn balanced_funding_pays_what_it_collects(
		pf in -10i128.pow(18)..10i128.pow(18),
		longs in proptest::collection::vec(1u128..10u128.pow(24), 1..6),
		shorts in proptest::collection::vec(1u128..10u128.pow(24), 1..6),
		capped in any::<bool>(),
	) {
		let (long_size, short_size) = (longs.iter().sum::<u128>(), shorts.iter().sum::<u128>());
		let cap = capped.then_some(pf.unsigned_abs() / 3 + 1);
		let split = funding::split_funding(pf, long_size, short_size, FundingMode::Balanced, 0, cap).unwrap();
		let (collected, distributed) = if pf > 0 {
			(total(split.long, long_size), total(split.short, short_size))
		} else {
			(total(split.short, short_size), total(split.long, long_size))
		};
		prop_assert!(collected >= distributed);
		prop_assert!(collected - distributed < U256::from(long_size) + U256::from(short_size));
		prop_assert_eq!(U256::from(split.insurance as u128), (collected - distributed) / U256::from(ONE));
		if let Some(cap) = cap {
			prop_assert!(split.long.unsigned_abs() <= cap && split.short.unsigned_abs() <= cap);
		}
		// Per position: what payers pay minus what receivers get covers the fund's share.
		let paid: i128 = longs.iter().map(|size| funding::funding_payment(split.long, 0, *size as i128).unwrap()).sum::<i128>()
			+ shorts.iter().map(|size| funding::funding_payment(split.short, 0, -(*size as i128)).unwrap()).sum::<i128>();
		prop_assert!(paid >= split.insurance, "positions net {} < fund {}", paid, split.insurance);
	}

	/// Symmetric funding never has the fund pay more than the subsidy cap, and the
	/// positions' net payments always cover the fund's booked result.
	#[test]
	fn symmetric_funding_respects_the_subsidy(
		pf in -10i128.pow(18)..10i128.pow(18), long_size in 0u128..10u128.pow(24),
		short_size in 0u128..10u128.pow(24), subsidy in 0u128..10u128.pow(22),
	) {
		let split = funding::split_funding(pf, long_size, short_size, FundingMode::Symmetric, subsidy, None).unwrap();
		prop_assert!(split.insurance >= -(subsidy as i128));
		let paid = funding::funding_payment(split.long, 0, long_size as i128).unwrap()
			+ funding::funding_payment(split.short, 0, -(short_size as i128)).unwrap();
		prop_assert!(paid >= split.insurance);
		prop_assert!(split.long.unsigned_abs() <= pf.unsigned_abs() && split.short.unsigned_abs() <= pf.unsigned_abs());
	}
}
