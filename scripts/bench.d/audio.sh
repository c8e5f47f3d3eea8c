#!/usr/bin/env bash
# Audio pipeline: CPU per second of audio for two 48 kHz stereo sources mixed and encoded (target
# < 1 % of one core), resident memory over a BENCH_SECONDS (default 600) recording (target < 20 MB,
# flat), capture-to-segment latency. Starts its own PulseAudio (private XDG_RUNTIME_DIR, null sink
# `sys` playing pink noise, so the system source really carries audio) and stops it at the end.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
bash "$ROOT/scripts/setup/rust.sh"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
need_apt sox
cd "$ROOT/audio-pipeline"
cargo build --release --locked --quiet --bin sessions-audio --example bench

work="$(mktemp -d)"
export XDG_RUNTIME_DIR="$work" PULSE_SERVER="unix:$work/pulse/native"
pulse_pid=""; player_pid=""
cleanup() {
  [ -n "$player_pid" ] && kill "$player_pid" 2>/dev/null || true
  [ -n "$pulse_pid" ] && kill "$pulse_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
HOME="$work" pulseaudio -n --daemonize=no --exit-idle-time=-1 --log-level=error \
  --load=module-native-protocol-unix --load="module-null-sink sink_name=sys" &
pulse_pid=$!
for _ in $(seq 50); do HOME="$work" pactl info >/dev/null 2>&1 && break; sleep 0.1; done
HOME="$work" pactl info >/dev/null || die "PulseAudio did not start"
sox -n -r 48000 -c 2 "$work/noise.wav" synth 30 pinknoise vol 0.3
( while true; do HOME="$work" paplay -d sys "$work/noise.wav" 2>/dev/null || exit 0; done ) &
player_pid=$!

results="$(HOME="$work" ./target/release/examples/bench)"
mkdir -p "$ROOT/bench-results"
machine="$(cd "$ROOT" && node scripts/bench-machine.mjs)"
node -e '
const [results, machine] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
console.log(JSON.stringify({ name: "audio", machine, ...results }, null, 2));
' "$results" "$machine" > "$ROOT/bench-results/audio.json"
log "wrote bench-results/audio.json"
