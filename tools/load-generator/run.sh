#!/usr/bin/env bash
# Runs the load generator. Its code lives in client/src/loadgen so that it shares the client's
# @polkadot/api install and `npm run typecheck`; this wrapper only makes it easy to find.
# Flags: see README.md next to this file, or `run.sh --help`.
set -euo pipefail

client="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../client" && pwd)"
if [ ! -d "$client/node_modules" ]; then
	(cd "$client" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Relative paths (--out) mean the caller's directory, as `npm run` reports it.
export INIT_CWD="$PWD"
cd "$client"
exec node --import tsx src/loadgen/main.ts "$@"
