#!/usr/bin/env bash
# Builds swift-capture (release by default; `build.sh debug` for debug) with the project's Swift
# (scripts/swift.sh) and records how to launch it in .build/launch.json: {"argv": [...]} — the
# launcher script where the binary must run inside the trixie root, the binary itself where Swift
# is native. The native host reads that file.
set -euo pipefail
PKG="$(cd "$(dirname "$0")/.." && pwd -P)"
config="${1:-release}"
jobs="${SWIFT_BUILD_JOBS:-1}"
# Linux release: the Swift runtime and Foundation linked statically, so only the code the binary
# runs is resident (≈ 4 MB RSS and 7 MB PSS less than loading the shared libraries, all mapped by
# this process alone). It stays a PIE: linking it -no-pie would save ≈ 2.5 MB RSS (the loader's
# 1.7 MB of relocations into Swift metadata and the 0.8 MB of data pages they dirty) but give up
# address randomisation for a process that parses what other programs' windows and stdin send it.
static=()
if [ "$config" = release ] && [ "$(uname -s)" = Linux ]; then static=(--static-swift-stdlib); fi
bash "$PKG/scripts/swift.sh" build -c "$config" -j "$jobs" --product swift-capture ${static[@]+"${static[@]}"} >&2
bin="$PKG/.build/$config/swift-capture"
if command -v swift >/dev/null 2>&1; then
  argv="[\"$bin\"]"
  native=true
else
  argv="[\"$PKG/scripts/run.sh\"]"
  native=false
fi
mkdir -p "$PKG/.build"
cat > "$PKG/.build/launch.json" <<JSON
{"argv": $argv, "binary": "$bin", "configuration": "$config", "native": $native, "env": {"SWIFT_CAPTURE_CONFIGURATION": "$config"}}
JSON
echo "$PKG/.build/launch.json" >&2
