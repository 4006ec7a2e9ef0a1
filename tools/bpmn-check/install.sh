#!/usr/bin/env bash
# Install the pinned bpmn-js toolchain (package-lock.json) into tools/bpmn-check/node_modules.
# Idempotent: does nothing when node_modules already matches the lock file.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm is not installed; install Node.js 20+ (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi
# npm ci writes node_modules/.package-lock.json; it is current when it is newer than both
# manifests and every pinned package directory exists.
marker=node_modules/.package-lock.json
if [ -f "$marker" ] && [ "$marker" -nt package-lock.json ] && [ "$marker" -nt package.json ] \
   && [ -d node_modules/bpmn-js ] && [ -d node_modules/bpmn-moddle ] && [ -d node_modules/bpmnlint ]; then
  exit 0
fi
npm ci --no-audit --no-fund
touch "$marker"
