#!/usr/bin/env bash
# Host: framing encode/decode MB/s and messages/s, round trips through a real host process.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
npm run build:host >/dev/null
mkdir -p "$CACHE_DIR/bench"
esbuild tests/bench/host.bench.ts --bundle --platform=node --format=esm --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$CACHE_DIR/bench/host.bench.mjs"
SESSIONS_HOST_BUNDLE="$ROOT/native-host/dist/host.mjs" node "$CACHE_DIR/bench/host.bench.mjs"
