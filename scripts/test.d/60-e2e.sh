#!/usr/bin/env bash
# End-to-end in real Chromium: build the extension, the host and the children, then every tests/e2e/*.e2e.test.ts.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
[ -x /usr/bin/chromium ] || die "Chromium is missing (scripts/setup/system.sh installs it)"
npm run build:host >/dev/null
wxt build >/dev/null
# the full-recording and fault tests run the real children (quick when already built)
bash scripts/build.d/audio.sh
bash scripts/build.d/capture.sh
vitest run -c vitest.e2e.config.ts
