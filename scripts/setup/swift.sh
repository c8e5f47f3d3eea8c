#!/usr/bin/env bash
# Provisions Swift for swift-capture. Where `swift` is on PATH (macOS with Xcode, a Linux with a
# native toolchain) there is nothing to do. Otherwise it builds a Debian trixie root with
# debootstrap (bookworm has no Swift) holding swiftlang, the X11, libx264 and libjpeg-turbo headers and ffmpeg, cached at
# ${SESSIONS_SWIFT_ROOT:-/var/cache/sessions/swift-root} so it survives re-clones, and mounts into
# it what the binary needs (/proc, /dev, this repo at its own path, /tmp). Idempotent: the second run
# only checks a stamp and the mounts. Safe to run concurrently (flock).
# Prints nothing on stdout; `swift-capture/scripts/swift.sh` runs swift through the result.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

if command -v swift >/dev/null 2>&1; then
  exit 0
fi

SWIFT_ROOT="${SESSIONS_SWIFT_ROOT:-/var/cache/sessions/swift-root}"
# Bump when the package list changes: the stamp is compared, and a mismatch reinstalls.
PACKAGES="swiftlang libc6-dev libstdc++-14-dev libx11-dev libxext-dev libxcomposite-dev libx264-dev libturbojpeg0-dev pkg-config ffmpeg ca-certificates"
STAMP_WANT="v1 $PACKAGES"

[ "$(id -u)" = 0 ] || die "provisioning Swift in a trixie root needs root (debootstrap, mount, chroot); or put a native swift on PATH"
[ "$(uname -s)" = Linux ] || die "no swift on PATH: install Xcode (macOS) or a Swift toolchain"
need_apt debootstrap debian-archive-keyring

mkdir -p "$(dirname "$SWIFT_ROOT")"
exec 9>"$SWIFT_ROOT.lock"
flock 9

# The mirror this machine already reaches (first non-security Debian URI in its apt config).
mirror() {
  local uri
  uri="$(grep -rhoE '(URIs:|deb)[[:space:]]+[^[:space:]]*https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | grep -v security | grep -oE 'https?://[^[:space:]]+' | head -n1 || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ ! -f "$SWIFT_ROOT/.sessions-debootstrap-done" ]; then
  log "debootstrapping Debian trixie into $SWIFT_ROOT (a few minutes, once)"
  bash "$ROOT/swift-capture/scripts/mounts.sh" unmount "$SWIFT_ROOT" || true
  # A bind mount of the repo or /tmp shares their device, so --one-file-system would not stop rm:
  # refuse outright while anything is still mounted below the root.
  if awk -v r="$SWIFT_ROOT" 'index($2, r "/") == 1 { found=1 } END { exit !found }' /proc/mounts; then
    die "$SWIFT_ROOT still has mounts below it; unmount them before it can be rebuilt"
  fi
  rm -rf --one-file-system "$SWIFT_ROOT"
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    trixie "$SWIFT_ROOT" "$(mirror)" >&2 || die "debootstrap of trixie failed"
  touch "$SWIFT_ROOT/.sessions-debootstrap-done"
fi

bash "$ROOT/swift-capture/scripts/mounts.sh" mount "$SWIFT_ROOT" "$ROOT"

if [ "$(cat "$SWIFT_ROOT/.sessions-packages" 2>/dev/null || true)" != "$STAMP_WANT" ]; then
  log "installing Swift, X11 headers and ffmpeg inside the trixie root"
  cp -L /etc/resolv.conf "$SWIFT_ROOT/etc/resolv.conf" 2>/dev/null || true
  chroot "$SWIFT_ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES" >&2 \
    || die "apt-get install inside $SWIFT_ROOT failed"
  chroot "$SWIFT_ROOT" apt-get clean >&2 || true
  echo "$STAMP_WANT" > "$SWIFT_ROOT/.sessions-packages"
fi

chroot "$SWIFT_ROOT" /usr/bin/swift --version >/dev/null 2>&1 || die "swift inside $SWIFT_ROOT does not run"
