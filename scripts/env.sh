# Shared settings for floorperp's scripts; sourced, not run.
#
# One cargo target dir outside the clone, shared by every checkout and by CI, so a fresh
# clone builds incrementally on a machine that has built floorperp before.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/floorperp-target}"
# Link the system OpenSSL (libssl-dev) instead of compiling a vendored copy.
export OPENSSL_NO_VENDOR=1
# Keep the machine usable while building: at most as many jobs as cores.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-$(nproc)}"
FLOORPERP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FLOORPERP_ROOT
# The runtime's WASM build finds the workspace (and its Cargo.lock) from here, since the
# target dir is outside the clone.
export WASM_BUILD_WORKSPACE_HINT="$FLOORPERP_ROOT"
export FLOORPERP_NODE="${FLOORPERP_NODE:-$CARGO_TARGET_DIR/debug/floorperp-node}"

# Prints a timestamped step header, so logs show where time goes.
step() {
	printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"
}
