#!/usr/bin/env bash
# What the Rust audio pipeline (audio-pipeline/, binary sessions-audio) needs to build and test:
# the -dev packages its crates link against (ALSA for cpal, libpulse for the monitor source,
# libopus), and the real tools its tests drive (PulseAudio, paplay/pactl, espeak-ng, ffmpeg).
# Rust itself comes from rustup (the machine image has it in ~/.cargo/bin); this checks it.
# Idempotent and quick the second time (need_apt only installs what is missing).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
need_apt pkg-config libasound2-dev libpulse-dev libopus-dev \
  pulseaudio pulseaudio-utils libasound2-plugins espeak-ng ffmpeg
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs) and run again"
rustc_minor="$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')"
[ "$rustc_minor" -ge 85 ] || die "Rust >= 1.85 needed, found $(rustc --version): run 'rustup update stable'"
