#!/usr/bin/env bash
# The test command: installs what is missing, configures, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/bootstrap.sh
# The official SDKs for the conformance test (skipped where Node.js is absent).
if command -v npm >/dev/null 2>&1; then
    (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error)
fi
cmake --preset dev
cmake --build --preset dev -j "$(nproc)"
ctest --preset dev -j "$(nproc)"
