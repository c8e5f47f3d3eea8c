#!/usr/bin/env bash
# Policy kit: retention pass speed (fake-indexeddb), template generation time, .deb size.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
deb="$(bash packaging/deb/build-deb.sh 2>/dev/null | tail -1)"
mkdir -p "$CACHE_DIR/bench"
esbuild tests/bench/policy.bench.ts --bundle --platform=node --format=esm --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$CACHE_DIR/bench/policy.bench.mjs"
SESSIONS_DEB="$deb" node "$CACHE_DIR/bench/policy.bench.mjs"
