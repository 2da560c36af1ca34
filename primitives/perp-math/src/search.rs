//! Boundary search over a predicate on integer amounts.
//!
//! Used where a closed form exists only over the reals and the integer answer must be
//! verified against the exact (rounded) computation the pallet will perform.

use crate::error::MathResult;

/// The smallest `n` in `[lo, hi]` with `holds(n)`, starting the search at `guess`.
///
/// Returns `None` when `holds(hi)` is false. The answer `n` always satisfies `holds(n)` and,
/// unless `n == lo`, `!holds(n − 1)`, even if the predicate is not perfectly monotone (it
/// then finds *a* boundary). Galloping from a good guess makes the usual cost a handful of
/// evaluations; the worst case is about 256.
pub(crate) fn first_true<F>(
	lo: u128,
	hi: u128,
	guess: u128,
	mut holds: F,
) -> MathResult<Option<u128>>
where
	F: FnMut(u128) -> MathResult<bool>,
{
	if lo > hi {
		return Ok(None);
	}
	let guess = guess.clamp(lo, hi);
	// Invariant of the bisection: `holds(upper)` and, if `lower_false` is set, `!holds(it)`.
	let (lower_false, upper) = if holds(guess)? {
		let mut upper = guess;
		let mut step: u128 = 1;
		loop {
			if upper == lo {
				return Ok(Some(lo));
			}
			let candidate = upper.saturating_sub(step).max(lo);
			if holds(candidate)? {
				upper = candidate;
				step = step.saturating_mul(2);
			} else {
				break (candidate, upper);
			}
		}
	} else {
		let mut lower_false = guess;
		let mut step: u128 = 1;
		loop {
			if lower_false == hi {
				return Ok(None);
			}
			let candidate = lower_false.saturating_add(step).min(hi);
			if holds(candidate)? {
				break (lower_false, candidate);
			}
			lower_false = candidate;
			step = step.saturating_mul(2);
		}
	};
	bisect(lower_false, upper, holds).map(Some)
}

/// Narrows `(lower_false, upper]` down to adjacent integers and returns `upper`.
fn bisect<F>(mut lower_false: u128, mut upper: u128, mut holds: F) -> MathResult<u128>
where
	F: FnMut(u128) -> MathResult<bool>,
{
	// `upper > lower_false` throughout, so the gap and the midpoint never overflow.
	while upper.saturating_sub(lower_false) > 1 {
		let middle = lower_false.saturating_add(upper.saturating_sub(lower_false) / 2);
		if holds(middle)? {
			upper = middle;
		} else {
			lower_false = middle;
		}
	}
	Ok(upper)
}

#[cfg(test)]
mod tests {
	use super::first_true;

	#[test]
	fn finds_threshold_from_any_guess() {
		for guess in [0u128, 1, 500, 776, 777, 778, 1000, u128::MAX] {
			let found = first_true(0, 1000, guess, |n| Ok(n >= 777)).unwrap();
			assert_eq!(found, Some(777), "guess {guess}");
		}
	}

	#[test]
	fn reports_no_solution_and_lower_bound() {
		assert_eq!(first_true(0, 10, 5, |_| Ok(false)).unwrap(), None);
		assert_eq!(first_true(3, 10, 5, |_| Ok(true)).unwrap(), Some(3));
		assert_eq!(
			first_true(0, u128::MAX, 0, |n| Ok(n >= u128::MAX - 1)).unwrap(),
			Some(u128::MAX - 1)
		);
	}
}
