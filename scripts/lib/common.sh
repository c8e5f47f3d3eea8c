# Shared shell helpers for the project's scripts. Source it; do not run it.
# Everything here is idempotent: a second run of any setup step is quick.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
CACHE_DIR="${SESSIONS_CACHE_DIR:-$ROOT/.cache}"
export CACHE_DIR
mkdir -p "$CACHE_DIR"

log() { printf '\033[1;34m[sessions]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[sessions] error:\033[0m %s\n' "$*" >&2; exit 1; }

# need_apt PKG... — installs missing Debian packages when root on Debian/Ubuntu; otherwise
# names exactly what is missing and stops.
need_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${missing[*]}"
    if [ ! -f "$CACHE_DIR/.apt-updated" ] || [ -n "$(find "$CACHE_DIR/.apt-updated" -mmin +720 2>/dev/null)" ]; then
      apt-get update -qq >&2 && touch "$CACHE_DIR/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed"
  else
    die "missing system packages: ${missing[*]} — install them (e.g. sudo apt-get install ${missing[*]}) and run again"
  fi
}

# Node 24 comes from the npm package `node` in node_modules/.bin; put it first on PATH.
use_project_node() {
  export PATH="$ROOT/node_modules/.bin:$PATH"
}

# A private copy of the project's Node for a benchmark's own runner, printed. The recorder daemon
# runs the project's Node binary; a runner mapping the same file would take half of the daemon's
# code pages off its PSS, a share no other process takes on a person's machine.
bench_runner_node() {
  local copy="$CACHE_DIR/bench/node-runner"
  mkdir -p "$(dirname "$copy")"
  cp "$ROOT/node_modules/node/bin/node" "$copy.tmp.$$" && mv "$copy.tmp.$$" "$copy"
  echo "$copy"
}
