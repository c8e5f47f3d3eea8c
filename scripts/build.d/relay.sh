#!/usr/bin/env bash
# Builds the native relay the browser starts (native-host/relay → target/release/sessions-relay):
# a few hundred KB and about 1 MB resident, instead of a second Node process per browser port.
# The launcher (native-host/dist/sessions-host) uses it when it is there, else the Node relay.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs) and run again"
CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo build --release --locked --quiet --manifest-path "$ROOT/native-host/relay/Cargo.toml"
