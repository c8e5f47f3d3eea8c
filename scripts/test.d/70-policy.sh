#!/usr/bin/env bash
# Enterprise deployment kit: policy templates (generated from the extension's ID and managed schema,
# checked with xmllint and python's plistlib) and the .deb (dpkg -i, doctor --system --live,
# dpkg -r / --purge leave nothing behind; needs root). The browser-side policy tests are e2e
# (tests/e2e/policy*.e2e.test.ts, suite 60-e2e).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
need_apt libxml2-utils python3 dpkg binutils file
[ "$(id -u)" = 0 ] || die "the .deb test installs a package system-wide: run as root"
[ -f .wxt/tsconfig.json ] || wxt prepare >/dev/null
tsc -p packaging/tsconfig.json --noEmit
node packaging/build.mjs
vitest run -c packaging/vitest.config.ts
