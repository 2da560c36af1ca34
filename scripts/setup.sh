#!/usr/bin/env bash
# Installs what building and testing floorperp needs, skipping whatever is already there:
# Debian packages (protoc, OpenSSL headers, pkg-config, a C toolchain, Node.js), the Rust
# targets and components, and the client's npm packages.
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

client="$FLOORPERP_ROOT/client"
if [ ! -d "$client/node_modules" ] || [ "$client/package-lock.json" -nt "$client/node_modules/.package-lock.json" ]; then
	step "npm ci (client)"
	(cd "$client" && npm ci --no-audit --no-fund --loglevel=error)
fi
