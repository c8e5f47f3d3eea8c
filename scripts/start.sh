#!/usr/bin/env bash
# `npm start`: build everything, install the host into a dedicated Chromium profile, and open
# Chromium with the extension loaded. Without a display (a server), it starts Xvfb on :99 and
# says how to look at it.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"
bash scripts/build.sh
use_project_node
PROFILE="${SESSIONS_PROFILE_DIR:-$CACHE_DIR/chromium-profile}"
mkdir -p "$PROFILE"
node native-host/dist/cli.mjs install --user-data-dir "$PROFILE"
node native-host/dist/cli.mjs doctor --user-data-dir "$PROFILE" --live
if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:99
  if ! xdpyinfo >/dev/null 2>&1; then
    log "no DISPLAY: starting Xvfb on $DISPLAY (view it with a VNC server such as x11vnc, or take screenshots)"
    Xvfb "$DISPLAY" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    sleep 1
  fi
fi
log "opening Chromium with Sessions (profile: $PROFILE); press Alt+Shift+R or the toolbar button to record"
exec node scripts/open-browser.mjs "$PROFILE"
