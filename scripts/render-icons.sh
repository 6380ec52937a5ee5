#!/usr/bin/env bash
# Renders the icon (packaging/icons/org.breakwater.Breakwater.svg) to the PNG sizes the hicolor
# theme wants, into packaging/icons/hicolor/SIZExSIZE/. The PNGs are committed: run this after
# changing the SVG. Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../packaging/icons"

if ! command -v rsvg-convert >/dev/null 2>&1; then
    echo "render-icons: rsvg-convert is missing (apt-get install librsvg2-bin)" >&2
    exit 2
fi
for size in 16 32 48 64 128 256; do
    mkdir -p "hicolor/${size}x${size}"
    rsvg-convert -w "$size" -h "$size" org.breakwater.Breakwater.svg \
        -o "hicolor/${size}x${size}/org.breakwater.Breakwater.png"
done
echo "render-icons: $(ls hicolor | tr '\n' ' ')"
