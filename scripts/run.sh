#!/usr/bin/env bash
# The run command: installs what is missing, builds, and sends one prompt through the
# default config on the embedded chaos server, printing the call result JSON.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/bootstrap.sh >&2
cmake --preset dev >&2
cmake --build --preset dev -j "$(nproc)" >&2
if [ $# -eq 0 ]; then
    set -- "Why do retries need jitter?"
fi
exec ./build/dev/app/breakwater-cli send "$@"
