#!/usr/bin/env bash
# Makes the host visible inside the Swift trixie root, idempotently: /proc (the toolchain finds
# libswiftCore through it), /dev (with /dev/shm), /tmp (spool folders and X11 sockets are host paths
# and must work unchanged inside), $TMPDIR and every extra directory given, each at its own
# absolute path. `mounts.sh mount ROOT [DIR...]` / `mounts.sh unmount ROOT`.
set -euo pipefail
action="${1:?mount|unmount}"; R="${2:?root dir}"; shift 2

bind_same_path() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  dir="$(cd "$dir" && pwd -P)"
  case "$dir" in /|/proc|/proc/*|/dev|/dev/*) return 0 ;; esac
  # Already visible: the target is (inside) a bound directory whose contents match.
  if [ -d "$R$dir" ] && [ "$(stat -c %d:%i "$dir")" = "$(stat -c %d:%i "$R$dir")" ]; then return 0; fi
  mkdir -p "$R$dir"
  mount --bind "$dir" "$R$dir"
}

case "$action" in
  mount)
    [ -x "$R/usr/bin/env" ] || { echo "no root at $R" >&2; exit 1; }
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
