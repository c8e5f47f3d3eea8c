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
# SwiftPM on Linux leaves a TemporaryDirectory.* behind per build: keep that litter inside the
# root (its own /var/tmp, not the host's /tmp) and sweep it.
mkdir -p "$R/var/tmp/swiftpm"
find "$R/var/tmp/swiftpm" -mindepth 1 -maxdepth 1 -name 'TemporaryDirectory.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
# Build jobs are capped so a build never takes both cores of a shared machine for long.
rc=0
chroot "$R" /usr/bin/env -i --chdir="$PKG" PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  ${DISPLAY:+DISPLAY="$DISPLAY"} TMPDIR=/var/tmp/swiftpm \
  ${SWIFT_CAPTURE_FFMPEG:+SWIFT_CAPTURE_FFMPEG="$SWIFT_CAPTURE_FFMPEG"} \
  /usr/bin/swift "$@" || rc=$?
# One of them still lands in the shared /tmp: remove those holding nothing but SwiftPM's dummy input.
for d in /tmp/TemporaryDirectory.*; do
  [ -d "$d" ] || continue
  [ -z "$(find "$d" -mindepth 1 -maxdepth 1 ! -name .keep-directory ! -name 'dummyInput*.swift' -print -quit)" ] \
    && [ -n "$(find "$d" -maxdepth 0 -mmin +1)" ] && rm -rf "$d"
done
exit "$rc"
