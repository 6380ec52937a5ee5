#!/usr/bin/env bash
# Installs whatever Breakwater needs that this Debian 12 machine lacks. Idempotent: installs
# nothing when everything is present. Run as root (or with sudo available).
set -euo pipefail

packages=(
    # build (SPEC.md section 1)
    cmake ninja-build g++ qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-httpserver-dev
    qt6-websockets-dev libqt6sql6-sqlite qt6-qpa-plugins nlohmann-json3-dev
    # dashboard screenshots and widget tests under a real X server
    xvfb xauth fonts-dejavu-core
    # fuzzers and sanitizer builds
    clang libclang-rt-14-dev
    # promtool, to check the /metrics exposition and alerts.yml in the tests
    prometheus
    # the install test validates the .desktop entry; cpack -G DEB reads library dependencies
    # with dpkg-shlibdeps
    desktop-file-utils dpkg-dev
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "bootstrap: all ${#packages[@]} packages present"
    exit 0
fi

echo "bootstrap: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
