#!/usr/bin/env bash
# The run command: installs what is missing, builds, and opens the dashboard on the embedded
# chaos server (no API key needed). Arguments go to the dashboard, e.g.
#   ./scripts/run.sh --scenario resources/scenarios/primary-outage.json --autostart --presenter
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/bootstrap.sh >&2
cmake --preset dev >&2
cmake --build --preset dev -j "$(nproc)" >&2
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display: running the dashboard under Xvfb (use --screenshot FILE --screenshot-after S to see it)," >&2
    echo "or try the headless CLI: build/dev/app/breakwater-cli send \"hello\"" >&2
    exec xvfb-run -a -s "-screen 0 1600x1000x24" ./build/dev/app/breakwater "$@"
fi
exec ./build/dev/app/breakwater "$@"
