#!/usr/bin/env bash
# Builds the Debian package of the native host: packaging/dist/sessions-host_<version>_<arch>.deb,
# and the policy templates for IT into packaging/dist/policy-templates.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"; use_project_node
bash packaging/deb/build-deb.sh
node packaging/build.mjs
node packaging/dist/policy-kit.mjs --out packaging/dist/policy-templates
