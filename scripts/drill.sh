#!/usr/bin/env bash
# Detection latency and the crash drill (docs/PERFORMANCE.md#detection-latency and
# #the-crash-drill), on the real runtime in process: writes docs/perf/detection.md,
# docs/perf/crash-drill.md and docs/perf/crash-drill-blocks.md, then those sections of
# docs/PERFORMANCE.md. About 65 minutes here (debug build; the figures are blocks, not time):
# the drill 32 min, detection 36 min, most of it setting up 100,000 positions.
#   FLOORPERP_DETECTION_POSITIONS=10000,100000  FLOORPERP_DRILL=1000:30,1000:50,10000:30,10000:50
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FLOORPERP_ROOT"
mkdir -p docs/perf
export SKIP_WASM_BUILD=1

# Only the table rows the tests print (lines starting with `|`) go to the files.
rows() { grep '^|' || true; }

step "detection latency"
cargo test -p floorperp-runtime --locked --test detection -- --ignored --nocapture \
	| tee /dev/stderr | rows > docs/perf/detection.md

step "crash drill"
FLOORPERP_DRILL_BLOCKS="$FLOORPERP_ROOT/docs/perf/crash-drill-blocks.md" \
	cargo test -p floorperp-runtime --locked --test crash_drill -- --ignored --nocapture \
	| tee /dev/stderr | rows > docs/perf/crash-drill.md

step "docs/PERFORMANCE.md (drill sections)"
node scripts/performance-report.mjs --measured-only docs/PERFORMANCE.md
