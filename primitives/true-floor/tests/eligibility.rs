//! Each rejection reason of the eligibility rules, on hand-made sales.
mod common;

use common::{addr, eth, sale};
use true_floor::{
	annotate_items_in_tx, Currency, EligibilityFilter, FloorParams, RejectReason, TokenId,
};

const DAY: u64 = 86_400;

fn check(filter: &mut EligibilityFilter, sale: &true_floor::Sale) -> Result<(), RejectReason> {
	filter.check(sale, &FloorParams::default())
}

#[test]
fn a_plain_sale_is_eligible() {
	let mut filter = EligibilityFilter::new();
	assert_eq!(check(&mut filter, &sale(1, eth("10"), 1, 2, 0)), Ok(()));
}

#[test]
fn the_same_sale_twice_is_a_duplicate() {
	let mut filter = EligibilityFilter::new();
	let first = sale(1, eth("10"), 1, 2, 0);
	assert_eq!(check(&mut filter, &first), Ok(()));
	assert_eq!(check(&mut filter, &first), Err(RejectReason::Duplicate));
}

#[test]
fn sales_without_a_transaction_are_never_duplicates_but_still_cool_down() {
	let mut filter = EligibilityFilter::new();
	let mut first = sale(1, eth("10"), 1, 2, 0);
	first.tx_hash = [0; 32];
	assert_eq!(check(&mut filter, &first), Ok(()));
	assert_eq!(check(&mut filter, &first), Err(RejectReason::TokenCooldown));
}

#[test]
fn quantity_bundles_and_sweeps_are_multi_item() {
	let mut filter = EligibilityFilter::new();
	let mut two = sale(1, eth("10"), 1, 2, 0);
	two.quantity = 2;
	assert_eq!(check(&mut filter, &two), Err(RejectReason::MultiItem));

	let mut none = sale(2, eth("10"), 1, 2, 0);
	none.quantity = 0;
	assert_eq!(check(&mut filter, &none), Err(RejectReason::MultiItem));

	// A second token in an already seen transaction.
	let first = sale(3, eth("10"), 3, 4, 100);
	let mut second = sale(4, eth("10"), 3, 4, 100);
	second.tx_hash = first.tx_hash;
	assert_eq!(check(&mut filter, &first), Ok(()));
	assert_eq!(check(&mut filter, &second), Err(RejectReason::MultiItem));
}

#[test]
fn annotated_sweeps_are_rejected_from_their_first_item() {
	let mut sweep =
		[sale(1, eth("10"), 1, 2, 0), sale(2, eth("10"), 1, 2, 0), sale(3, eth("9"), 5, 6, 0)];
	let tx = sweep[0].tx_hash;
	sweep[1].tx_hash = tx;
	sweep[1].log_index = 1;
	annotate_items_in_tx(&mut sweep);
	assert_eq!(sweep.map(|sale| sale.items_in_tx), [2, 2, 1]);
	let mut filter = EligibilityFilter::new();
	assert_eq!(check(&mut filter, &sweep[0]), Err(RejectReason::MultiItem));
	assert_eq!(check(&mut filter, &sweep[1]), Err(RejectReason::MultiItem));
	assert_eq!(check(&mut filter, &sweep[2]), Ok(()));
}

#[test]
fn other_currencies_are_rejected() {
	let mut filter = EligibilityFilter::new();
	let mut weth = sale(1, eth("10"), 1, 2, 0);
	weth.currency = Currency::Weth;
	assert_eq!(check(&mut filter, &weth), Ok(()));
	let mut usdc = sale(2, eth("10"), 1, 2, 0);
	usdc.currency = Currency::Other;
	assert_eq!(check(&mut filter, &usdc), Err(RejectReason::Currency));
}

#[test]
fn zero_and_huge_prices_are_rejected() {
	let mut filter = EligibilityFilter::new();
	assert_eq!(check(&mut filter, &sale(1, 0, 1, 2, 0)), Err(RejectReason::ZeroPrice));
	let too_large = FloorParams::default().max_price + 1;
	assert_eq!(check(&mut filter, &sale(2, too_large, 1, 2, 0)), Err(RejectReason::PriceTooLarge));
}

#[test]
fn buying_from_oneself_is_a_self_trade() {
	let mut filter = EligibilityFilter::new();
	assert_eq!(check(&mut filter, &sale(1, eth("10"), 7, 7, 0)), Err(RejectReason::SelfTrade));
}

#[test]
fn the_return_leg_within_the_window_is_a_round_trip() {
	let mut filter = EligibilityFilter::new();
	// A (1) sells token 1 to B (2); B sells token 2 back to A the next day.
	assert_eq!(check(&mut filter, &sale(1, eth("10"), 1, 2, 0)), Ok(()));
	assert_eq!(check(&mut filter, &sale(2, eth("10"), 2, 1, DAY)), Err(RejectReason::RoundTrip));
	// A third party is not affected, and neither is a return leg after the window.
	assert_eq!(check(&mut filter, &sale(3, eth("10"), 2, 9, DAY)), Ok(()));
	let mut late = EligibilityFilter::new();
	assert_eq!(check(&mut late, &sale(1, eth("10"), 1, 2, 0)), Ok(()));
	assert_eq!(check(&mut late, &sale(2, eth("10"), 2, 1, 7 * DAY + 1)), Ok(()));
}

#[test]
fn a_token_resold_within_the_cooldown_is_rejected() {
	let mut filter = EligibilityFilter::new();
	assert_eq!(check(&mut filter, &sale(1, eth("10"), 1, 2, 0)), Ok(()));
	assert_eq!(
		check(&mut filter, &sale(1, eth("12"), 2, 3, DAY - 1)),
		Err(RejectReason::TokenCooldown)
	);
	// The rejected resale restarted the cooldown.
	assert_eq!(
		check(&mut filter, &sale(1, eth("12"), 3, 4, 2 * DAY - 2)),
		Err(RejectReason::TokenCooldown)
	);
	assert_eq!(check(&mut filter, &sale(1, eth("12"), 4, 5, 3 * DAY)), Ok(()));
}

#[test]
fn memory_is_bounded_and_forgets_the_oldest_sales() {
	let params = FloorParams { memory: 2, ..FloorParams::default() };
	let mut filter = EligibilityFilter::new();
	assert_eq!(filter.check(&sale(1, eth("10"), 1, 2, 0), &params), Ok(()));
	assert_eq!(filter.check(&sale(2, eth("10"), 3, 4, 10), &params), Ok(()));
	assert_eq!(filter.check(&sale(3, eth("10"), 5, 6, 20), &params), Ok(()));
	// Token 1 and the 1→2 transfer are forgotten.
	assert_eq!(filter.check(&sale(1, eth("10"), 2, 1, 30), &params), Ok(()));
}

#[test]
fn token_ids_parse_from_decimal_up_to_u256() {
	assert_eq!(TokenId::from_decimal("1256"), Some(TokenId::from_u128(1256)));
	let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
	assert_eq!(TokenId::from_decimal(max), Some(TokenId([0xff; 32])));
	assert_eq!(TokenId::from_decimal(&format!("{max}0")), None);
	assert_eq!(TokenId::from_decimal(""), None);
	assert_eq!(TokenId::from_decimal("12a"), None);
	assert_eq!(addr(1), [1; 20]);
}
