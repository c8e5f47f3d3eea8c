#!/usr/bin/env bash
# Storage: one hour of a session (360 + 360 segments, 720 screenshots, 5 000 timeline events)
# written through the extension's real path into IndexedDB in Chromium, from a replay native host;
# side panel long tasks during the saves and time to first paint of the session.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
need_apt chromium
wxt build >/dev/null
mkdir -p "$CACHE_DIR/bench"
bundle() {
  esbuild "$1" --bundle --platform=node --format=esm --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --outfile="$2"
}
bundle tests/bench/storage-replay-host.ts "$CACHE_DIR/bench/storage-replay-host.mjs"
bundle tests/bench/storage.bench.ts "$CACHE_DIR/bench/storage.bench.mjs"
SESSIONS_REPLAY_HOST="$CACHE_DIR/bench/storage-replay-host.mjs" node "$CACHE_DIR/bench/storage.bench.mjs"
