#!/usr/bin/env bash
# swift-capture: `swift build` and `swift test` (XCTest: layouts, renderer pixels, synchronizer on a
# simulated clock, session, real ffmpeg encoding, shared fixtures) through the project's Swift
# (a trixie root on Linux, Xcode's swift on macOS), then the release binary end to end with real
# X11 windows under a private Xvfb (tests/capture/x11_grid_test.py) and without X through its
# command line (tests/capture/cli_test.py: error codes, pause, static source, stop, EOF). On Linux
# it first checks the binds into the Swift root (tests/capture/mounts_test.sh).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
# Where Swift lives in the cached trixie root, the binds into it must survive checkouts coming and going.
if [ "$(uname -s)" = Linux ] && ! command -v swift >/dev/null 2>&1; then
  bash tests/capture/mounts_test.sh
fi
bash scripts/setup/swift.sh
need_apt xvfb xterm x11-apps ffmpeg python3
export SWIFT_BUILD_JOBS="${SWIFT_BUILD_JOBS:-1}"
bash swift-capture/scripts/swift.sh build -j "$SWIFT_BUILD_JOBS" --build-tests >&2
bash swift-capture/scripts/swift.sh test -j "$SWIFT_BUILD_JOBS" --skip-build
bash swift-capture/scripts/build.sh release
if [ "$(uname -s)" = Linux ]; then
  python3 tests/capture/cli_test.py
  python3 tests/capture/x11_grid_test.py
fi
