#!/usr/bin/env bash
# The whole test suite: formatting, lints, every crate's tests, then end-to-end tests that
# start real nodes and drive them with @polkadot/api. Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FLOORPERP_ROOT"
started=$(date +%s)

"$FLOORPERP_ROOT/scripts/setup.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The runtime with these features runs natively only: no second WASM build.
SKIP_WASM_BUILD=1 cargo clippy -p pallet-perp -p pallet-insurance -p pallet-true-floor-oracle -p floorperp-runtime --all-targets --locked --features runtime-benchmarks,try-runtime -- -D warnings

step "cargo test"
# Property tests and the invariant fuzzer draw the same cases on every CI run, so red means the
# code changed, not the dice; explore with other seeds and PROPTEST_CASES=2000 by hand
# (runtime/tests/fuzz.rs), and keep what fails in its regressions file once it is fixed.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261207}"
cargo test --workspace --locked --exclude floorperp-node

step "pallet benchmarks as tests (runtime-benchmarks); the runtime upgrade under try-runtime"
cargo test -p pallet-perp -p pallet-insurance -p pallet-true-floor-oracle --locked --features runtime-benchmarks,try-runtime
SKIP_WASM_BUILD=1 cargo test -p floorperp-runtime --locked --features runtime-benchmarks,try-runtime --test upgrade

step "cargo build -p floorperp-node -p marketplace-replay"
cargo build -p floorperp-node -p marketplace-replay --locked

step "client: typecheck and end-to-end tests against a running node"
(cd client && npm run --silent typecheck && npm run --silent test:e2e)

step "web: typecheck, unit tests, build, the trading page in headless Chromium against a dev node"
(cd web && npm run --silent typecheck && npm run --silent test:unit && npm run --silent build && npm run --silent test:e2e)

step "zombienet: a runtime upgrade, then four validators, a candidate validator and a full node, seven network tests"
./zombienet/run.sh

step "all tests passed in $(( $(date +%s) - started )) s"
