//! Bounded memories: every window the floor keeps holds at most its parameter's count.

use alloc::collections::VecDeque;

/// Appends `item`, dropping the oldest entries beyond `cap`, so a window never outgrows the
/// parameter that sizes it (and the offchain state that stores it stays bounded).
pub(crate) fn push_capped<T>(queue: &mut VecDeque<T>, item: T, cap: u32) {
	let cap = usize::try_from(cap).unwrap_or(usize::MAX);
	while queue.len() >= cap {
		if queue.pop_front().is_none() {
			break;
		}
	}
	queue.push_back(item);
}
