#!/usr/bin/env bash
# `npm run bench`: every benchmark in scripts/bench.d; each writes bench-results/<name>.json
# with the machine noted. Targets are compared as ratios within one run, never as pass/fail timing.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"
bash scripts/setup/system.sh
bash scripts/setup/node.sh
use_project_node
mkdir -p bench-results
only="${1:-}"
for b in scripts/bench.d/*.sh; do
  name="$(basename "$b" .sh)"
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  log "── bench $name"
  bash "$b"
done
node scripts/bench-summary.mjs
