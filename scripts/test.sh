#!/usr/bin/env bash
# The one test command (README: `npm test`). Installs what it needs, then runs every suite in
# scripts/test.d in order — lint, unit, host process, Rust, Swift, browser end-to-end — and ends
# with one line "N passed, N failed". A suite that cannot find a tool fails; nothing is skipped.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"
bash scripts/setup/system.sh || die "system setup failed"
bash scripts/setup/node.sh || die "npm setup failed"
use_project_node

only="${1:-}"
passed=0; failed=0; failures=()
for suite in scripts/test.d/*.sh; do
  name="$(basename "$suite" .sh)"
  [ -n "$only" ] && [[ "$name" != *"$only"* ]] && continue
  log "── suite $name"
  start=$(date +%s)
  if bash "$suite"; then
    passed=$((passed + 1)); log "── suite $name passed in $(( $(date +%s) - start )) s"
  else
    failed=$((failed + 1)); failures+=("$name"); log "── suite $name FAILED after $(( $(date +%s) - start )) s"
  fi
done
[ ${#failures[@]} -gt 0 ] && log "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
