#!/usr/bin/env bash
# TypeScript unit and process tests (vitest): shared schemas and fixtures, host framing, the host
# spawned as a real process, installer, extension machine and storage (fake-indexeddb).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
npm run build:host >/dev/null
bash scripts/build.d/relay.sh
vitest run
