#!/usr/bin/env bash
# Launches the built swift-capture with stdin/stdout/stderr passed through, replacing itself with
# it (exec all the way: the pid the caller holds ends up being swift-capture itself, so killing it
# or closing its stdin reaches the real process). Where swift is native (macOS) it runs the binary
# directly; otherwise inside the trixie root the binary was built in (it needs that glibc), after
# making sure /proc, /dev, /tmp, $TMPDIR, this repo, $SESSIONS_SPOOL_DIR and every directory in $SWIFT_CAPTURE_BIND
# (colon-separated) are visible there at the same paths. DISPLAY, TMPDIR and SWIFT_CAPTURE_* pass through.
# SWIFT_CAPTURE_CONFIGURATION=debug picks the debug build (default: release).
set -euo pipefail
PKG="$(cd "$(dirname "$0")/.." && pwd -P)"
REPO="$(cd "$PKG/.." && pwd -P)"
BIN="$PKG/.build/${SWIFT_CAPTURE_CONFIGURATION:-release}/swift-capture"
if command -v swift >/dev/null 2>&1; then
  exec "$BIN" "$@"
fi
R="${SESSIONS_SWIFT_ROOT:-/var/cache/sessions/swift-root}"
[ -x "$R$BIN" ] || { echo "swift-capture is not built ($BIN); run swift-capture/scripts/build.sh" >&2; exit 127; }
binds=("$REPO")
# The host's spool folder (native-host: $SESSIONS_SPOOL_DIR, else under $TMPDIR or /tmp).
if [ -n "${SESSIONS_SPOOL_DIR:-}" ]; then mkdir -p "$SESSIONS_SPOOL_DIR" && binds+=("$SESSIONS_SPOOL_DIR"); fi
IFS=: read -r -a extra <<< "${SWIFT_CAPTURE_BIND:-}"
for d in "${extra[@]}"; do [ -n "$d" ] && binds+=("$d"); done
bash "$PKG/scripts/mounts.sh" mount "$R" "${binds[@]}" >&2
cwd=/
[ -d "$R$PWD" ] && cwd="$PWD"
envs=(PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
for v in DISPLAY TMPDIR XAUTHORITY $(compgen -v SWIFT_CAPTURE_ || true); do
  [ -n "${!v:-}" ] && envs+=("$v=${!v}")
done
exec chroot "$R" /usr/bin/env -i --chdir="$cwd" "${envs[@]}" "$BIN" "$@"
