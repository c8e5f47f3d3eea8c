#!/usr/bin/env bash
# Makes the host visible inside the Swift trixie root, idempotently: /proc (the toolchain finds
# libswiftCore through it), /dev (with /dev/shm), /tmp (spool folders and X11 sockets are host paths
# and must work unchanged inside), $TMPDIR and every extra directory given, each at its own
# absolute path. `mounts.sh mount ROOT [DIR...]` / `mounts.sh unmount ROOT`.
# The root outlives checkouts (it is cached in /var/cache), so binds left by a checkout that is gone
# are expected and replaced, never trusted.
set -euo pipefail
action="${1:?mount|unmount}"; R="${2:?root dir}"; shift 2

# Binds under the root whose source directory was deleted (a CI checkout removed after its run):
# the kernel refuses to mount over them (ENOENT) and they show a dead tree, so they go first.
drop_deleted_binds() {
  awk -v r="$R" '$4 ~ /\/\/deleted$/ && index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo \
    | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

bind_same_path() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  dir="$(cd "$dir" && pwd -P)"
  case "$dir" in /|/proc|/proc/*|/dev|/dev/*) return 0 ;; esac
  # Already visible: the target is (inside) a bound directory whose contents match.
  if [ -d "$R$dir" ] && [ "$(stat -c %d:%i "$dir")" = "$(stat -c %d:%i "$R$dir")" ]; then return 0; fi
  # A bind of some other directory at this path (a checkout since replaced at the same path) is
  # stale: peel it off rather than stacking the new one on top.
  while mountpoint -q "$R$dir"; do umount -l "$R$dir"; done
  mkdir -p "$R$dir"
  mount --bind "$dir" "$R$dir"
}

case "$action" in
  mount)
    [ -x "$R/usr/bin/env" ] || { echo "no root at $R" >&2; exit 1; }
    drop_deleted_binds
    mountpoint -q "$R/proc" || mount -t proc proc "$R/proc"
    if ! mountpoint -q "$R/dev"; then mount --rbind /dev "$R/dev"; mount --make-rslave "$R/dev" 2>/dev/null || true; fi
    bind_same_path /tmp
    [ -n "${TMPDIR:-}" ] && bind_same_path "$TMPDIR"
    for d in "$@"; do bind_same_path "$d"; done
    ;;
  unmount)
    [ -d "$R" ] || exit 0
    # Deepest first, so nested binds go before their parents.
    awk -v r="$R" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    ;;
  *) echo "usage: mounts.sh mount|unmount ROOT [DIR...]" >&2; exit 2 ;;
esac
