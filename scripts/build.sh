#!/usr/bin/env bash
# Builds everything: the native host bundle + launcher, the extension (.output/chrome-mv3), and
# the native children through scripts/build.d/*.sh (Rust audio pipeline, Swift capture).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"
bash scripts/setup/system.sh
bash scripts/setup/node.sh
use_project_node
log "building the native host"
npm run build:host >/dev/null
log "building the extension"
wxt build >/dev/null
for b in scripts/build.d/*.sh; do
  [ -e "$b" ] || continue
  log "building $(basename "$b" .sh)"
  bash "$b"
done
log "built: .output/chrome-mv3 (extension), native-host/dist (host)"
