#!/usr/bin/env bash
# The recording path as a whole: host + swift-capture + sessions-audio on real windows and PulseAudio.
# BENCH_SECONDS (default 600) sets the recording length.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
bash scripts/build.sh >/dev/null
mkdir -p "$CACHE_DIR/bench"
esbuild tests/bench/system.bench.ts --bundle --platform=node --format=esm --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$CACHE_DIR/bench/system.bench.mjs"
SESSIONS_HOST_BUNDLE="$ROOT/native-host/dist/host.mjs" SESSIONS_HOST_NODE="$ROOT/node_modules/node/bin/node" \
  "$(bench_runner_node)" "$CACHE_DIR/bench/system.bench.mjs"
