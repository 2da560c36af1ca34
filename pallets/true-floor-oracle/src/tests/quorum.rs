//! The quorum: how many operators it takes, and the index a set of values gives.

use crate::{quorum::combine, QuorumPolicy};
use polkadot_sdk::sp_runtime::Perbill;

const ETH: u128 = 1_000_000_000_000_000_000;

#[test]
fn a_majority_of_the_operators_at_least_two_where_there_are_two() {
	let majority = QuorumPolicy::default();
	let required: Vec<u32> = (0..=7).map(|operators| majority.required(operators)).collect();
	assert_eq!(required, [1, 1, 2, 2, 3, 3, 4, 4]);
	// Governance may lower it, never below two of two or more operators.
	let any = QuorumPolicy { share: Perbill::zero(), ..majority };
	assert_eq!((1..=4).map(|n| any.required(n)).collect::<Vec<_>>(), [1, 2, 2, 2]);
	// Or raise it, up to all of them.
	let all = QuorumPolicy { share: Perbill::one(), ..majority };
	assert_eq!((1..=4).map(|n| all.required(n)).collect::<Vec<_>>(), [1, 2, 3, 4]);
	let two_thirds = QuorumPolicy { share: Perbill::from_percent(66), ..majority };
	assert_eq!((3..=6).map(|n| two_thirds.required(n)).collect::<Vec<_>>(), [2, 3, 4, 4]);
}

fn index(values: &[(u128, u64)], required: u32) -> Option<(u128, u64)> {
	combine(values.to_vec(), required, Perbill::from_percent(10))
}

#[test]
fn the_index_is_the_median_of_agreeing_values_dated_by_the_quorum() {
	// Three honest operators within 2 %: the median, dated when the second of them fed.
	assert_eq!(
		index(&[(100 * ETH, 10), (102 * ETH, 30), (101 * ETH, 20)], 2),
		Some((101 * ETH, 20))
	);
	// One lies tenfold: the two honest ones agree, the liar joins no one.
	assert_eq!(
		index(&[(100 * ETH, 10), (1_000 * ETH, 30), (101 * ETH, 20)], 2),
		Some((101 * ETH, 10))
	);
	// A liar low is as alone.
	assert_eq!(
		index(&[(100 * ETH, 10), (10 * ETH, 30), (101 * ETH, 20)], 2),
		Some((101 * ETH, 10))
	);
	// One offline, one lying: no quorum, no index (it goes stale, it does not follow either).
	assert_eq!(index(&[(100 * ETH, 10), (1_000 * ETH, 30)], 2), None);
	assert_eq!(index(&[(100 * ETH, 10)], 2), None);
	assert_eq!(index(&[], 1), None);
	// One operator on a one-operator chain is a quorum.
	assert_eq!(index(&[(100 * ETH, 10)], 1), Some((100 * ETH, 10)));
	// The band is relative to the lowest of a group: 10 % over 100 is 110, and 111 is out.
	assert_eq!(index(&[(100 * ETH, 1), (110 * ETH, 2)], 2), Some((110 * ETH, 1)));
	assert_eq!(index(&[(100 * ETH, 1), (111 * ETH, 2)], 2), None);
	// Two groups of two with a majority of four required: neither is a quorum.
	let split = [(100 * ETH, 1), (101 * ETH, 2), (200 * ETH, 3), (201 * ETH, 4)];
	assert_eq!(index(&split, 3), None);
	// Five operators, three agree around 50, two liars apart: the three decide.
	let five = [(50 * ETH, 5), (51 * ETH, 6), (49 * ETH, 7), (5 * ETH, 8), (500 * ETH, 9)];
	assert_eq!(index(&five, 3), Some((50 * ETH, 5)));
}
