#!/usr/bin/env bash
# Installs the npm workspace (and with it Node 24) unless package-lock.json is unchanged since last time.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
command -v npm >/dev/null || need_apt nodejs npm
stamp="$ROOT/node_modules/.sessions-lock-hash"
lock_hash() { cat package-lock.json package.json shared/package.json native-host/package.json 2>/dev/null | sha256sum | cut -c1-64; }
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(lock_hash)" ] || [ ! -x node_modules/.bin/node ]; then
  log "installing npm dependencies"
  # `npm install`, not `npm ci`: npm leaves other platforms' optional packages (biome, esbuild) out of
  # the lock file, and `npm ci` then refuses it as out of sync.
  npm install --no-audit --no-fund >&2
  lock_hash > "$stamp"  # after the install, which may have rewritten the lock file
fi
use_project_node
node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 22) { console.error("Node >= 22 expected from node_modules/.bin, got " + process.version); process.exit(1) }'
npx wxt prepare >/dev/null
