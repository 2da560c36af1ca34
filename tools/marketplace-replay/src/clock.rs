//! Where "now" comes from: the system clock when serving, a hand-set clock in tests.

use std::{
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{SystemTime, UNIX_EPOCH},
};

/// A source of the current real time in unix seconds.
pub trait Clock: Send + Sync {
	/// The current time (unix seconds).
	fn now(&self) -> u64;
}

/// The system clock. A clock set before 1970 reads as 0.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
	fn now(&self) -> u64 {
		SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
	}
}

/// A clock that only moves when told to. Clones share the same time, so a test can keep one
/// and hand another to the server.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
	/// A clock reading `now`.
	pub fn new(now: u64) -> Self {
		Self(Arc::new(AtomicU64::new(now)))
	}

	/// Sets the time to `now`.
	pub fn set(&self, now: u64) {
		self.0.store(now, Ordering::SeqCst);
	}

	/// Moves the time forward by `seconds`.
	pub fn advance(&self, seconds: u64) {
		let now = self.now();
		self.set(now.saturating_add(seconds));
	}
}

impl Clock for ManualClock {
	fn now(&self) -> u64 {
		self.0.load(Ordering::SeqCst)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn manual_clock_clones_share_time() {
		let clock = ManualClock::new(100);
		let shared = clock.clone();
		clock.advance(5);
		assert_eq!(shared.now(), 105);
		shared.set(7);
		assert_eq!(clock.now(), 7);
	}

	#[test]
	fn system_clock_is_after_2020() {
		assert!(SystemClock.now() > 1_577_836_800);
	}
}
