#!/usr/bin/env bash
# swift-capture: composite speed (4 × 1080p → 1080p grid, one core, target ≥ 120 frames/s) and a
# BENCH_SECONDS (default 600) capture of four real X11 windows at 30 fps under a private Xvfb:
# dropped frames (target < 0.5 %), CPU (swift-capture + children), memory; and memory per process in
# the system benchmark's configuration (2 windows → 1280×720 grid), MEMORY_SECONDS (default 60) each
# with the in-process x264 encoder and the ffmpeg one. BENCH_PARTS=composite,capture,memory picks parts.
# Writes bench-results/capture.json.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
bash "$ROOT/scripts/setup/swift.sh"
need_apt xvfb xterm x11-apps procps ffmpeg python3
bash "$ROOT/swift-capture/scripts/build.sh" release
results="$(python3 "$ROOT/tests/capture/capture_bench.py")"
mkdir -p "$ROOT/bench-results"
machine="$(cd "$ROOT" && node scripts/bench-machine.mjs)"
node -e '
const [results, machine] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
console.log(JSON.stringify({ name: "capture", machine, ...results }, null, 2));
' "$results" "$machine" > "$ROOT/bench-results/capture.json"
cat "$ROOT/bench-results/capture.json" >&2
