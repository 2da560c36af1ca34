#!/usr/bin/env bash
# Regenerates every floorperp pallet's `weights.rs` from its benchmarks and docs/PERFORMANCE.md
# from the same run: builds the runtime with `runtime-benchmarks`, runs the benchmarks in it
# with frame-omni-bencher (installed on first use), writes the weight files, measures
# `pallet_balances::transfer_keep_alive` (the reference every call is compared with) and the
# offchain liquidation scan, then writes the report. Usage: ./scripts/benchmark.sh [pallet ...]
# (default: every floorperp pallet). STEPS and REPEAT override the sampling.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FLOORPERP_ROOT"

OMNI_BENCHER_VERSION=0.28.0
tools_dir="$CARGO_TARGET_DIR/tools"
bencher="$tools_dir/bin/frame-omni-bencher"
if ! "$bencher" --version 2>/dev/null | grep -q "$OMNI_BENCHER_VERSION"; then
	# Its sc-cli pulls RocksDB, whose bindings need libclang.
	if ! dpkg -s libclang-dev >/dev/null 2>&1; then
		step "apt-get install libclang-dev"
		if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq libclang-dev; else sudo apt-get install -y -qq libclang-dev; fi
	fi
	step "cargo install frame-omni-bencher $OMNI_BENCHER_VERSION"
	# Our workspace hint must not leak into the tool's own build, and the storage-benchmark
	# test runtime it embeds is not needed for pallet benchmarks.
	env -u WASM_BUILD_WORKSPACE_HINT SKIP_WASM_BUILD=1 CARGO_TARGET_DIR="$tools_dir/build" \
		cargo install --locked --root "$tools_dir" \
		--version "$OMNI_BENCHER_VERSION" frame-omni-bencher
fi

# A separate target dir keeps the benchmark build's features from invalidating the normal one.
bench_target="$CARGO_TARGET_DIR/benchmarks"
# The WASM blob is always an optimised build; the native side can stay a quick debug one.
step "cargo build -p floorperp-runtime --features runtime-benchmarks"
CARGO_TARGET_DIR="$bench_target" cargo build --locked -p floorperp-runtime --features runtime-benchmarks
runtime="$bench_target/debug/wbuild/floorperp-runtime/floorperp_runtime.wasm"

# One pallet's benchmarks in the built runtime; extra arguments choose what and where to.
bench() {
	"$bencher" v1 benchmark pallet --runtime "$runtime" --heap-pages 4096 "$@"
}

# Writes `weights.rs`-shaped output for `pallet`'s `extrinsic` to `output`, with our template.
bench_weights() {
	local pallet="$1" extrinsic="$2" output="$3"
	bench --pallet "$pallet" --extrinsic "$extrinsic" \
		--steps "${STEPS:-50}" --repeat "${REPEAT:-20}" \
		--template scripts/pallet-weight-template.hbs --header scripts/weight-header.txt \
		--output "$output"
}

# Where each pallet's weights live: the pallets' crates, and the runtime's own pallets (the
# test-ETH faucet, the validator manager).
weights_file() {
	case "$1" in
		pallet_faucet) echo runtime/src/collateral/faucet_weights.rs ;;
		pallet_validator_manager) echo runtime/src/validators/manager_weights.rs ;;
		*) local dir="pallets/${1#pallet_}"; echo "${dir//_/-}/src/weights.rs" ;;
	esac
}

pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_perp pallet_insurance pallet_true_floor_oracle pallet_faucet pallet_validator_manager)
for pallet in "${pallets[@]}"; do
	output="$(weights_file "$pallet")"
	step "benchmark $pallet -> $output"
	bench_weights "$pallet" '*' "$output"
done

# The reference call, through the same template, outside the source tree: the runtime keeps
# pallet_balances' own weights; this copy is only compared with.
reference="$bench_target/reference"
mkdir -p "$reference"
step "benchmark pallet_balances::transfer_keep_alive (reference)"
bench_weights pallet_balances transfer_keep_alive "$reference/pallet_balances.rs"

# 10,000 and 100,000 stored positions: two points show whether the cost grows with the set.
step "benchmark the offchain liquidation scan (extra)"
mkdir -p docs/perf
bench --pallet pallet_perp --extrinsic liquidation_scan --extra --steps 2 --repeat 5 \
	--json-file docs/perf/liquidation-scan.json >/dev/null

step "docs/PERFORMANCE.md"
node scripts/performance-report.mjs "$reference/pallet_balances.rs" docs/PERFORMANCE.md
