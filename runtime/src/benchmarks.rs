//! The pallets whose benchmarks this runtime runs (`--features runtime-benchmarks`); the
//! weights they produce are what the runtime charges (see `scripts/benchmark.sh`).

polkadot_sdk::frame_benchmarking::define_benchmarks!(
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_oracle, Oracle]
	[pallet_perp, Perp]
	[pallet_insurance, Insurance]
	[pallet_true_floor_oracle, TrueFloor]
	[pallet_faucet, Faucet]
	[pallet_validator_manager, ValidatorManager]
);
