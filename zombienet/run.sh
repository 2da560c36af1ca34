#!/usr/bin/env bash
# floorperp's multi-node network tests, one command:
#
#   zombienet/run.sh            (or: cd zombienet && npm test)
#
# Needs the debug builds of the node and the replay server (`cargo build -p floorperp-node
# -p marketplace-replay`, in $CARGO_TARGET_DIR/debug as scripts/env.sh sets it; override the
# paths with FLOORPERP_NODE and MARKETPLACE_REPLAY) and Node.js >= 20. It installs this
# directory's npm packages (`npm ci`, skipped while package-lock.json is unchanged), writes
# the sale fixtures, starts four marketplace-replay servers on free loopback ports (each
# serving OpenSea v2, which wants the key the validators are given, LooksRare v2 and an
# Ethereum JSON-RPC node), builds the upgrade drill's runtime (this runtime labelled spec 100,
# `--features upgrade-drill`) and the chain spec of a spec-100 chain on it
# (fixtures/spec-100-chain.mjs), and runs floorperp.zndsl with zombienet's native provider:
# five validator nodes and a full node as local processes, the tests as js-scripts against
# them. Everything it started is stopped
# on exit, whatever the outcome.
#
# Files go to ZOMBIENET_WORK_DIR (default: a fresh directory under $TMPDIR or /tmp): node
# logs in net/<name>.log, replay logs, the chain specs. Removed after a green run unless
# KEEP_ZOMBIENET_WORK=1; kept (and printed) after a red one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
here="$FLOORPERP_ROOT/zombienet"
cd "$here"
started=$(date +%s)

export MARKETPLACE_REPLAY="${MARKETPLACE_REPLAY:-$CARGO_TARGET_DIR/debug/marketplace-replay}"
for binary in "$FLOORPERP_NODE" "$MARKETPLACE_REPLAY"; do
	if [[ ! -x "$binary" ]]; then
		echo "not found: $binary; build it with 'cargo build -p floorperp-node -p marketplace-replay' (or set FLOORPERP_NODE / MARKETPLACE_REPLAY)" >&2
		exit 1
	fi
done
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
	echo "Node.js >= 20 is required (scripts/setup.sh installs it)" >&2
	exit 1
fi

work="${ZOMBIENET_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/floorperp-zombienet.XXXXXX")}"
mkdir -p "$work"
replay_pids=()
zombienet_pid=""
status=1

cleanup() {
	trap - EXIT INT TERM
	if [[ "${runtime_borrowed:-0}" == 1 ]]; then restore_runtime; fi
	# Zombienet runs in its own process group with every node it spawned: stop the group.
	if [[ -n "$zombienet_pid" ]] && kill -0 "$zombienet_pid" 2>/dev/null; then
		kill -TERM -- "-$zombienet_pid" 2>/dev/null || true
		for _ in $(seq 1 20); do
			kill -0 -- "-$zombienet_pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL -- "-$zombienet_pid" 2>/dev/null || true
	elif [[ -n "$zombienet_pid" ]]; then
		# Zombienet exited; nodes it left behind would still be in its group.
		kill -KILL -- "-$zombienet_pid" 2>/dev/null || true
	fi
	for pid in "${replay_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [[ "$status" == 0 && "${KEEP_ZOMBIENET_WORK:-0}" != 1 ]]; then
		rm -rf "$work"
	else
		echo "zombienet work dir (node logs in net/*.log): $work"
	fi
	step "zombienet tests: $([[ "$status" == 0 ]] && echo passed || echo FAILED) in $(( $(date +%s) - started )) s"
	exit "$status"
}
trap cleanup EXIT
trap 'status=130; exit' INT TERM

step "npm ci (zombienet, @polkadot/api)"
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ "$(cat node_modules/.floorperp-lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
	npm ci --no-audit --no-fund --loglevel=error
	echo "$lock_hash" > node_modules/.floorperp-lock-hash
else
	echo "node_modules matches package-lock.json"
fi

step "sale fixtures and replay servers"
node fixtures/make-sales.mjs "$work/sales"
# The OpenSea API key the replay servers want and the validators send (network.toml).
export OPENSEA_API_KEY="zombienet-opensea-key"
# Starts marketplace-replay on a free port; sets REPLAY_URL_FOUND to its URL.
start_replay() {
	local name=$1 csv=$2 log="$work/replay-$1.log"
	"$MARKETPLACE_REPLAY" --input "$csv" \
		--columns time=time,price=amount,token=id,buyer=buyer_address,seller=seller_address \
		--price-scale 1e-18 --speed 300 --listen 127.0.0.1:0 \
		--opensea-api-key "$OPENSEA_API_KEY" --contract 0x$(printf 'bc%.0s' {1..20}) >"$log" 2>&1 &
	replay_pids+=("$!")
	for _ in $(seq 1 100); do
		REPLAY_URL_FOUND=$(sed -n 's|^listening on \(http://[^ ]*\).*|\1|p' "$log")
		[[ -n "$REPLAY_URL_FOUND" ]] && { echo "$name: $REPLAY_URL_FOUND ($csv)"; return 0; }
		sleep 0.1
	done
	echo "replay server $name did not start:" >&2
	cat "$log" >&2
	return 1
}
start_replay honest "$work/sales/sales.csv" && export REPLAY_URL="$REPLAY_URL_FOUND"
start_replay low "$work/sales/sales-low.csv" && export REPLAY_LOW_URL="$REPLAY_URL_FOUND"
start_replay high "$work/sales/sales-high.csv" && export REPLAY_HIGH_URL="$REPLAY_URL_FOUND"
start_replay x10 "$work/sales/sales-x10.csv" && export REPLAY_X10_URL="$REPLAY_URL_FOUND"

step "the upgrade drill's spec-100 runtime (cargo build -p floorperp-runtime --features upgrade-drill)"
# The network starts on this runtime labelled spec 100 and test 0 upgrades it to the node's
# own spec 101 by referendum. Its WASM build writes where the node's runtime WASM lives
# (the WASM builder's directory is per crate): those files are kept and put back, so the
# node's next build still embeds spec 101. FORCE_WASM_BUILD makes the build script run
# although its inputs did not change since the last drill.
wbuild="$CARGO_TARGET_DIR/debug/wbuild/floorperp-runtime"
drill="$CARGO_TARGET_DIR/upgrade-drill"
mkdir -p "$drill/kept"
rm -f "$drill/kept/"*.wasm
cp -p "$wbuild/"*.wasm "$drill/kept/" 2>/dev/null || true
restore_runtime() { cp -p "$drill/kept/"*.wasm "$wbuild/" 2>/dev/null || true; }
# cleanup() puts them back too if anything below fails.
runtime_borrowed=1
FORCE_WASM_BUILD="$(date +%s%N)" cargo build --locked -p floorperp-runtime --features upgrade-drill
cp "$wbuild/floorperp_runtime.wasm" "$drill/spec-100.wasm"
restore_runtime
runtime_borrowed=0

step "chain specs: local (spec 101) and the drill's spec-100 chain"
# Zombienet takes a raw spec as it is (network.toml says why it must not rewrite ours).
"$FLOORPERP_NODE" export-chain-spec --chain local >"$work/local.json" 2>"$work/export-chain-spec.log"
"$FLOORPERP_NODE" export-chain-spec --chain local --raw >"$work/local-raw.json" 2>>"$work/export-chain-spec.log"
node fixtures/spec-100-chain.mjs code "$work/local.json" "$drill/spec-100.wasm" >"$work/spec-100.json"
"$FLOORPERP_NODE" export-chain-spec --chain "$work/spec-100.json" --raw >"$work/spec-100-raw.json" 2>>"$work/export-chain-spec.log"
export FLOORPERP_SPEC="$work/spec-100-chain.json"
node fixtures/spec-100-chain.mjs state "$work/spec-100-raw.json" "$work/local.json" >"$FLOORPERP_SPEC"
# What test 0 upgrades to: the runtime the node was built with.
export FLOORPERP_UPGRADE_CODE="$work/spec-101.code.hex"
node fixtures/spec-100-chain.mjs runtime "$work/local-raw.json" >"$FLOORPERP_UPGRADE_CODE"

# ZOMBIENET_ZNDSL runs another test file on the same network (e.g. one test while developing it).
zndsl="${ZOMBIENET_ZNDSL:-floorperp.zndsl}"
step "zombienet test $zndsl (node: $FLOORPERP_NODE)"
# Where the nodes log (test 3 reads which offchain workers submitted a liquidation).
export ZOMBIENET_NET_DIR="$work/net"
# setsid: a process group of its own, which cleanup() stops as a whole.
setsid node node_modules/.bin/zombienet --provider native --logType text --force \
	--dir "$work/net" test "$zndsl" &
zombienet_pid=$!
set +e
wait "$zombienet_pid"
status=$?
set -e
