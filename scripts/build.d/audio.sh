#!/usr/bin/env bash
# Builds sessions-audio (release) at audio-pipeline/target/release/sessions-audio, where the host looks for it.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
[ -f "$ROOT/scripts/setup/rust.sh" ] && bash "$ROOT/scripts/setup/rust.sh"
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs) and run again"
cargo build --release --quiet --manifest-path "$ROOT/audio-pipeline/Cargo.toml" --bin sessions-audio
