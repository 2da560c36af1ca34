//! Weights of the perp pallet's calls.
//!
//! NOT GENERATED YET: only the trait and a zero placeholder for tests exist. The runtime's
//! `SubstrateWeight` is to be generated with the benchmark CLI from `benchmarking.rs`.

use polkadot_sdk::frame_support::weights::Weight;

/// One weight function per call.
pub trait WeightInfo {
	fn create_market() -> Weight;
	fn set_market_params() -> Weight;
	fn pause_market() -> Weight;
	fn unpause_market() -> Weight;
	fn deposit() -> Weight;
	fn withdraw() -> Weight;
	fn open_position() -> Weight;
	fn reduce_position() -> Weight;
	fn close_position() -> Weight;
	fn add_margin() -> Weight;
	fn remove_margin() -> Weight;
}

/// Placeholder for tests only: every call weighs nothing.
impl WeightInfo for () {
	fn create_market() -> Weight {
		Weight::zero()
	}
	fn set_market_params() -> Weight {
		Weight::zero()
	}
	fn pause_market() -> Weight {
		Weight::zero()
	}
	fn unpause_market() -> Weight {
		Weight::zero()
	}
	fn deposit() -> Weight {
		Weight::zero()
	}
	fn withdraw() -> Weight {
		Weight::zero()
	}
	fn open_position() -> Weight {
		Weight::zero()
	}
	fn reduce_position() -> Weight {
		Weight::zero()
	}
	fn close_position() -> Weight {
		Weight::zero()
	}
	fn add_margin() -> Weight {
		Weight::zero()
	}
	fn remove_margin() -> Weight {
		Weight::zero()
	}
}
