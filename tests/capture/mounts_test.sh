#!/usr/bin/env bash
# swift-capture/scripts/mounts.sh against a throwaway root: a checkout bound into the cached Swift
# root, deleted and cloned again at the same path (what CI does between runs), must be bound afresh;
# the old bind's dead tree must not stay or block the mount (mount(2) fails ENOENT on it).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MOUNTS="$HERE/../../swift-capture/scripts/mounts.sh"
[ "$(id -u)" = 0 ] || { echo "mounts_test: needs root (bind mounts)" >&2; exit 1; }

work="$(mktemp -d /var/tmp/sessions-mounts-test.XXXXXX)"
root="$work/root"
checkout="$work/check/work/main"
cleanup() {
  bash "$MOUNTS" unmount "$root" || true
  if awk -v r="$root" 'index($2, r "/") == 1 { found=1 } END { exit !found }' /proc/mounts; then
    echo "mounts_test: mounts left under $root; not deleting it" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
fail() { echo "mounts_test: FAIL: $*" >&2; exit 1; }

mkdir -p "$root/usr/bin" "$root/proc" "$root/dev" "$checkout"
cp /usr/bin/env "$root/usr/bin/env"
echo first > "$checkout/marker"

bash "$MOUNTS" mount "$root" "$checkout"
[ "$(cat "$root$checkout/marker")" = first ] || fail "the checkout is not visible inside the root"

# Idempotent: a second mount neither fails nor stacks another bind.
bash "$MOUNTS" mount "$root" "$checkout"
binds="$(awk -v m="$root$checkout" '$5 == m' /proc/self/mountinfo | wc -l)"
[ "$binds" = 1 ] || fail "expected one bind at the checkout's path, found $binds"

# The checkout is deleted and cloned again at the same path.
rm -rf "$checkout"
mkdir -p "$checkout"
echo second > "$checkout/marker"
grep -q "$root$checkout" <(awk '$4 ~ /\/\/deleted$/ { print $5 }' /proc/self/mountinfo) \
  || fail "setup: the old bind should now show a deleted source"

bash "$MOUNTS" mount "$root" "$checkout"
[ "$(cat "$root$checkout/marker")" = second ] || fail "the new checkout is not what the root shows"
if awk -v r="$root" '$4 ~ /\/\/deleted$/ && index($5, r "/") == 1 { found=1 } END { exit !found }' /proc/self/mountinfo; then
  fail "a bind of the deleted checkout is still mounted under the root"
fi
echo "mounts_test: ok (a replaced checkout is bound afresh; binds are not stacked)"
