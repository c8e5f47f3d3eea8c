#!/usr/bin/env bash
# The product as a person runs it: Chromium with the built extension and the installed host records
# two real X11 windows in a grid at 30 fps with system audio (PulseAudio) through the toolbar button;
# CPU, RSS and PSS of the host relay, the recorder daemon, swift-capture, ffmpeg, sessions-audio and
# the extension's renderer, each and together, plus dropped frames, overruns, A/V offset, throughput.
# BENCH_SECONDS (default 600) sets the recording length, BENCH_SAMPLE_SECONDS (default 5) the sampling.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
need_apt chromium xvfb xdotool ffmpeg pulseaudio pulseaudio-utils espeak-ng
bash scripts/build.sh >/dev/null
# Three folders below the repository, like tests/e2e/lib/browser.ts, which finds the repository
# (extension, host, children) at ../../.. from its own folder.
out="$CACHE_DIR/bench/browser/system-browser.bench.mjs"
mkdir -p "$(dirname "$out")"
esbuild tests/bench/system-browser.bench.ts --bundle --platform=node --format=esm --log-level=warning \
  --external:puppeteer-core \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$out"
"$(bench_runner_node)" "$out"
