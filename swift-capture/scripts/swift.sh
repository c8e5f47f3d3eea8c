#!/usr/bin/env bash
# Runs `swift ARGS...` in swift-capture/: the native swift where one is on PATH (macOS/Xcode),
# otherwise the trixie root's swift through chroot, with this repo, /tmp and DISPLAY visible at the
# same paths. Provisions the root first (scripts/setup/swift.sh, quick when done).
set -euo pipefail
PKG="$(cd "$(dirname "$0")/.." && pwd -P)"
REPO="$(cd "$PKG/.." && pwd -P)"
if command -v swift >/dev/null 2>&1; then
  cd "$PKG" && exec swift "$@"
fi
bash "$REPO/scripts/setup/swift.sh"
R="${SESSIONS_SWIFT_ROOT:-/var/cache/sessions/swift-root}"
bash "$PKG/scripts/mounts.sh" mount "$R" "$REPO"
# Build jobs are capped so a build never takes both cores of a shared machine for long.
exec chroot "$R" /usr/bin/env -i --chdir="$PKG" PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  ${DISPLAY:+DISPLAY="$DISPLAY"} ${TMPDIR:+TMPDIR="$TMPDIR"} \
  ${SWIFT_CAPTURE_FFMPEG:+SWIFT_CAPTURE_FFMPEG="$SWIFT_CAPTURE_FFMPEG"} \
  ${SWIFT_CAPTURE_TEST_DISPLAY:+SWIFT_CAPTURE_TEST_DISPLAY="$SWIFT_CAPTURE_TEST_DISPLAY"} \
  /usr/bin/swift "$@"
