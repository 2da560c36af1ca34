#!/usr/bin/env bash
# Installs what building and testing floorperp needs, skipping whatever is already there:
# Debian packages (protoc, OpenSSL headers, pkg-config, a C toolchain, Node.js, Chromium for
# the trading page's browser test), the Rust targets and components, and the npm packages of
# the client and the trading page (web/).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_packages=()
command -v protoc >/dev/null || missing_packages+=(protobuf-compiler)
command -v pkg-config >/dev/null || missing_packages+=(pkg-config)
command -v cc >/dev/null || missing_packages+=(build-essential)
command -v c++ >/dev/null || missing_packages+=(g++)
dpkg -s libssl-dev >/dev/null 2>&1 || missing_packages+=(libssl-dev)
command -v node >/dev/null || missing_packages+=(nodejs)
command -v npm >/dev/null || missing_packages+=(npm)
command -v curl >/dev/null || missing_packages+=(curl)
# Debian's Chromium runs the page's browser test (playwright-core drives it; no browser is
# downloaded); a font package keeps its screenshots legible.
command -v chromium >/dev/null || missing_packages+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing_packages+=(fonts-dejavu-core)
if [ ${#missing_packages[@]} -gt 0 ]; then
	step "apt-get install ${missing_packages[*]}"
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing_packages[@]}" >/dev/null
fi

if ! command -v rustup >/dev/null; then
	echo "floorperp needs a Rust toolchain managed by rustup (https://rustup.rs)" >&2
	exit 1
fi
if ! rustup target list --installed | grep -qx wasm32v1-none; then
	step "rustup target add wasm32v1-none"
	rustup target add wasm32v1-none
fi
for component in rustfmt clippy; do
	if ! rustup component list --installed | grep -q "^$component"; then
		step "rustup component add $component"
		rustup component add "$component"
	fi
done

for package in client web; do
	dir="$FLOORPERP_ROOT/$package"
	if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		step "npm ci ($package)"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
done
