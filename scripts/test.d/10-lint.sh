#!/usr/bin/env bash
# One formatter + linter for the TypeScript (Biome) and the strict type check.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
biome check --error-on-warnings .
tsc -p tsconfig.json --noEmit
