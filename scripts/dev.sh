#!/usr/bin/env bash
# Builds the node and the trading page, starts a single-validator development chain on this
# machine (Alice authors and finalizes blocks, RPC on ws://127.0.0.1:9944, state discarded
# on exit), lists demo markets and keeps their index fresh (client/src/devseed.ts), and
# serves the page on http://127.0.0.1:5173 (FLOORPERP_WEB_PORT to change it).
# Extra arguments go to the node, e.g. `./scripts/dev.sh --rpc-port 9955`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

"$FLOORPERP_ROOT/scripts/setup.sh"
step "cargo build -p floorperp-node"
cargo build -p floorperp-node --manifest-path "$FLOORPERP_ROOT/Cargo.toml"
step "web: build the trading page"
(cd "$FLOORPERP_ROOT/web" && npm run --silent build >/dev/null)

rpc_port=9944
previous=""
for arg in "$@"; do
	case "$arg" in
		--rpc-port=*) rpc_port="${arg#--rpc-port=}" ;;
	esac
	if [ "$previous" = "--rpc-port" ]; then rpc_port="$arg"; fi
	previous="$arg"
done
web_port="${FLOORPERP_WEB_PORT:-5173}"
rpc="ws://127.0.0.1:$rpc_port"

pids=()
stop() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap stop EXIT INT TERM

step "floorperp-node --dev"
# Archive state: the page's charts read past blocks' events by hash (a pruned node keeps 256).
"$FLOORPERP_NODE" --dev --tmp --rpc-cors=all --offchain-worker=always --state-pruning=archive-canonical "$@" &
node_pid=$!
pids+=("$node_pid")
for _ in $(seq 1 120); do
	if curl -sf -H 'Content-Type: application/json' \
		-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' "http://127.0.0.1:$rpc_port" >/dev/null 2>&1; then
		break
	fi
	kill -0 "$node_pid" 2>/dev/null || exit 1
	sleep 0.5
done

(cd "$FLOORPERP_ROOT/client" && exec node --import tsx src/devseed.ts --rpc "$rpc") &
pids+=("$!")
# Vite's own entry point rather than npx: one process, which `stop` ends with the rest.
(cd "$FLOORPERP_ROOT/web" && exec node node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port "$web_port" --strictPort >/dev/null) &
web_pid=$!
pids+=("$web_pid")
until curl -sf "http://127.0.0.1:$web_port/" >/dev/null 2>&1 && kill -0 "$web_pid" 2>/dev/null; do
	if ! kill -0 "$web_pid" 2>/dev/null; then
		echo "the page's server could not start on port $web_port (FLOORPERP_WEB_PORT chooses another)" >&2
		exit 1
	fi
	sleep 0.2
done
# Another server on the port answers too, while ours is still failing to bind it.
sleep 0.5
if ! kill -0 "$web_pid" 2>/dev/null; then
	echo "the page's server could not start on port $web_port (FLOORPERP_WEB_PORT chooses another)" >&2
	exit 1
fi

printf '\n==> chain: %s\n==> page:  http://127.0.0.1:%s/?rpc=%s\n\n' "$rpc" "$web_port" "$rpc"
wait "$node_pid"
