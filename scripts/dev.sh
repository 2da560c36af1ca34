#!/usr/bin/env bash
# Builds the node and starts a single-validator development chain on this machine:
# Alice authors and finalizes blocks, RPC on ws://127.0.0.1:9944, state discarded on exit.
# Extra arguments go to the node, e.g. `./scripts/dev.sh --rpc-port 9955`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

"$FLOORPERP_ROOT/scripts/setup.sh"
step "cargo build -p floorperp-node"
cargo build -p floorperp-node --manifest-path "$FLOORPERP_ROOT/Cargo.toml"
step "floorperp-node --dev"
exec "$FLOORPERP_NODE" --dev --tmp --rpc-cors=all --offchain-worker=always "$@"
