#!/usr/bin/env bash
# Cross-process integration: the built host driving the real children (sessions-audio, swift-capture).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
npm run build:host >/dev/null
bash scripts/build.d/audio.sh
bash scripts/build.d/capture.sh
vitest run -c vitest.integration.config.ts
