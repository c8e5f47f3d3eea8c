#!/usr/bin/env bash
# Builds swift-capture (release) and records how to launch it in swift-capture/.build/launch.json,
# which the host reads (directly where Swift is native, through the trixie root on Linux).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
export SWIFT_BUILD_JOBS="${SWIFT_BUILD_JOBS:-1}"
bash "$ROOT/swift-capture/scripts/build.sh" release >&2
