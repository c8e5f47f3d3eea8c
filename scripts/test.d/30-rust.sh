#!/usr/bin/env bash
# The native relay (native-host/relay: fmt, clippy, unit tests; the host-process tests drive it
# for real) and the Rust audio pipeline: rustfmt check, clippy with warnings as errors, then `cargo test --release`, which runs
# the unit tests (ring and backpressure, resampler, mixer, sample-exact segment boundaries, …),
# the shared protocol fixtures, the process tests (bad input, pause, EOF exit, disk full on a
# small tmpfs) and the PulseAudio integration tests — each of which starts its own PulseAudio
# server in a private XDG_RUNTIME_DIR and stops it afterwards. Builds
# audio-pipeline/target/release/sessions-audio on the way; then checks that its segments play in
# headless Chromium's MediaSource (tests/audio/mse-playback.mjs). Missing tools fail the suite.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
bash "$ROOT/scripts/setup/rust.sh"
export PATH="$HOME/.cargo/bin:$PATH"
# Two cores are shared with other work: build with one job unless told otherwise.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
log "native relay (native-host/relay): fmt, clippy, tests"
(cd "$ROOT/native-host/relay" && cargo fmt --check && cargo clippy --release --locked --all-targets --quiet -- -D warnings &&
  cargo test --release --locked --quiet)
cd "$ROOT/audio-pipeline"
for tool in pulseaudio pactl paplay espeak-ng ffmpeg mount; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup/rust.sh installs it)"
done
log "cargo fmt --check, cargo clippy (-D warnings)"
cargo fmt --check
cargo clippy --release --locked --all-targets --quiet -- -D warnings
log "cargo test"
cargo test --release --locked -- --test-threads=2
cargo build --release --locked --quiet --bin sessions-audio
log "built $ROOT/audio-pipeline/target/release/sessions-audio"
log "segments in Chromium's MediaSource"
need_apt chromium
use_project_node
node "$ROOT/tests/audio/mse-playback.mjs" "$ROOT/audio-pipeline/target/release/sessions-audio"
