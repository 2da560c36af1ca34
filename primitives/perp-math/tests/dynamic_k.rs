//! Dynamic k decisions.

mod common;

use common::u;
use perp_math::{
	dynamic_k::{self, DynamicKParams, KAdjustment},
	MathError,
};

fn decide(long: &str, short: &str, depth: &str) -> KAdjustment {
	dynamic_k::decide_k_adjustment(
		u(long),
		u(short),
		u("1000"),
		u(depth),
		&common::dynamic_k_params(),
	)
	.unwrap()
}

#[test]
fn expands_when_open_interest_is_heavy() {
	// The larger side, 600 of notional over a 1000 quote reserve, is above 0.5.
	assert_eq!(decide("100", "600", "1"), KAdjustment::Expand(u("1.05")));
	assert_eq!(decide("500", "0", "1"), KAdjustment::None);
	// Near k_max the step shrinks to fit, at k_max it stops.
	assert_eq!(decide("600", "0", "3.9"), KAdjustment::Expand(1_025_641_025_641_025_641));
	assert_eq!(decide("600", "0", "4"), KAdjustment::None);
}

#[test]
fn shrinks_when_open_interest_is_light() {
	assert_eq!(decide("50", "20", "1"), KAdjustment::Shrink(u("0.95")));
	assert_eq!(decide("50", "20", "0.26"), KAdjustment::Shrink(961_538_461_538_461_539));
	assert_eq!(decide("50", "20", "0.25"), KAdjustment::None);
	assert_eq!(decide("100", "0", "1"), KAdjustment::None);
	assert_eq!(dynamic_k::apply_multiplier(u("0.26"), 961_538_461_538_461_539).unwrap(), u("0.25"));
}

#[test]
fn disabled_and_invalid() {
	let off = DynamicKParams { k_step: 0, ..common::dynamic_k_params() };
	assert_eq!(
		dynamic_k::decide_k_adjustment(u("900"), 0, u("1000"), u("1"), &off).unwrap(),
		KAdjustment::None
	);
	let unbounded = DynamicKParams { k_max: 0, ..common::dynamic_k_params() };
	assert_eq!(
		dynamic_k::decide_k_adjustment(u("900"), 0, u("1000"), u("100"), &unbounded).unwrap(),
		KAdjustment::Expand(u("1.05"))
	);
	assert_eq!(
		dynamic_k::decide_k_adjustment(1, 1, 0, u("1"), &common::dynamic_k_params()),
		Err(MathError::ZeroReserve)
	);
	let huge_step = DynamicKParams { k_step: u("1"), ..common::dynamic_k_params() };
	assert_eq!(
		dynamic_k::decide_k_adjustment(0, 0, u("1000"), u("1"), &huge_step),
		Err(MathError::InvalidRatio)
	);
}
