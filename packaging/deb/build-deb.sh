#!/usr/bin/env bash
# Builds packaging/dist/sessions-host_<version>_<arch>.deb: the native host with its own Node
# runtime under /opt/sessions (nothing from the repo checkout is referenced), the installer CLI as
# /usr/bin/sessions-host, and maintainer scripts that install / remove the system-wide manifests.
# Prints the .deb's path. Reuses the previous .deb when none of its inputs changed.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
cd "$ROOT"; use_project_node
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian package dpkg)"
npm run build:host >/dev/null
bash scripts/build.d/relay.sh
RELAY_BIN="$ROOT/native-host/relay/target/release/sessions-relay"

NODE_BIN="$ROOT/node_modules/node/bin/node"
[ -x "$NODE_BIN" ] || die "no Node runtime at $NODE_BIN (run npm ci)"
version="$(node -p 'require("./native-host/package.json").version')"
arch="$(dpkg --print-architecture)"
out="$ROOT/packaging/dist/sessions-host_${version}_${arch}.deb"
mkdir -p "$(dirname "$out")"

inputs_hash="$(cat native-host/dist/host.mjs native-host/dist/cli.mjs packaging/deb/* "$NODE_BIN" "$RELAY_BIN" | sha256sum | cut -c1-16)"
if [ -f "$out" ] && [ "$(cat "$out.inputs" 2>/dev/null)" = "$inputs_hash" ]; then echo "$out"; exit 0; fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
install -d -m 755 "$stage/DEBIAN" "$stage/opt/sessions/bin" "$stage/opt/sessions/lib" "$stage/usr/bin" \
  "$stage/usr/share/doc/sessions-host"
strip --strip-all -o "$stage/opt/sessions/bin/node" "$NODE_BIN" 2>/dev/null || cp "$NODE_BIN" "$stage/opt/sessions/bin/node"
chmod 755 "$stage/opt/sessions/bin/node"
install -m 644 native-host/dist/host.mjs native-host/dist/cli.mjs packaging/deb/package-hooks.mjs "$stage/opt/sessions/lib/"
install -m 755 "$RELAY_BIN" "$stage/opt/sessions/bin/sessions-relay"
cat > "$stage/opt/sessions/bin/sessions-host" <<'LAUNCHER'
#!/bin/sh
# The native messaging host the browsers start: the native relay to the recorder daemon, which runs
# on the packaged Node (no PATH lookup); the Node relay in the bundle if the binary is missing.
if [ -x "/opt/sessions/bin/sessions-relay" ]; then exec "/opt/sessions/bin/sessions-relay" --node "/opt/sessions/bin/node" --bundle "/opt/sessions/lib/host.mjs" -- "$@"; fi
exec "/opt/sessions/bin/node" "/opt/sessions/lib/host.mjs" "$@"
LAUNCHER
printf '#!/bin/sh\n# sessions-host install|uninstall|doctor (the installer CLI, on the packaged Node).\nexec "/opt/sessions/bin/node" "/opt/sessions/lib/cli.mjs" "$@"\n' \
  > "$stage/opt/sessions/bin/sessions-host-cli"
chmod 755 "$stage/opt/sessions/bin/sessions-host" "$stage/opt/sessions/bin/sessions-host-cli"
# The CLI's default launcher is the file beside cli.mjs: make `sessions-host install` work without --launcher.
ln -s ../bin/sessions-host "$stage/opt/sessions/lib/sessions-host"
ln -s /opt/sessions/bin/sessions-host-cli "$stage/usr/bin/sessions-host"
printf 'Sessions native messaging host %s.\nNode.js runtime %s is included (MIT, https://nodejs.org/).\n' \
  "$version" "$("$NODE_BIN" --version)" > "$stage/usr/share/doc/sessions-host/README"
for s in postinst prerm postrm; do install -m 755 "packaging/deb/$s" "$stage/DEBIAN/$s"; done

cat > "$stage/DEBIAN/control" <<CONTROL
Package: sessions-host
Version: $version
Architecture: $arch
Maintainer: Sessions maintainers <sessions@example.com>
Depends: libc6 (>= 2.28), libstdc++6, libgcc-s1
Section: utils
Priority: optional
Installed-Size: $(du -sk "$stage" | cut -f1)
Description: Sessions native messaging host (system-wide)
 The native host of the Sessions recorder extension, with its own Node.js runtime.
 Installs the host manifest for Chrome, Chromium, Edge, Brave and Vivaldi in their
 system-wide folders, so it works where user-level hosts are disabled by policy.
CONTROL

dpkg-deb --root-owner-group -Zxz -z6 --build "$stage" "$out" >/dev/null
echo "$inputs_hash" > "$out.inputs"
echo "$out"
