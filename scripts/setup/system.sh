#!/usr/bin/env bash
# System packages the product and its tests use: Chromium, X11 (Xvfb and test windows), PulseAudio,
# ffmpeg, speech and sound tools. Component scripts add their own (scripts/setup/*.sh).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
need_apt chromium xvfb x11-utils xdotool ffmpeg pulseaudio pulseaudio-utils libasound2-plugins \
  espeak-ng sox ca-certificates
