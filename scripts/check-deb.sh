#!/usr/bin/env bash
# On demand, as root; not part of the test suite. Builds the Debian package, checks it
# (dpkg-deb -I/-c, lintian), installs it with `apt install ./breakwater_*.deb` on a fresh
# Debian 12 (a debootstrap chroot, the default) or on this machine (--host), and checks it as
# a user gets it: breakwater-cli answers `send` and runs a scenario into the history, the menu
# entry is valid and starts the dashboard (launched by gio, as a desktop menu does, under Xvfb),
# then removes the package again.
#
#   scripts/check-deb.sh [--host] [BUILD_DIR]      (BUILD_DIR: build/dev)
#
# The chroot's base system is made once by debootstrap (about a minute) and kept as a tarball
# in /var/cache/breakwater/check-deb/; every run unpacks a fresh copy and deletes it after.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=chroot
build=build/dev
while [ $# -gt 0 ]; do
    case "$1" in
    --host) mode=host ;;
    --chroot) mode=chroot ;;
    -h | --help)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    -*)
        echo "check-deb: unknown option $1 (--host, --help)" >&2
        exit 2
        ;;
    *) build=$1 ;;
    esac
    shift
done

say() { echo "check-deb: $*"; }
if [ "$(id -u)" -ne 0 ]; then
    echo "check-deb: run as root (apt, debootstrap, chroot)" >&2
    exit 2
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=no
need() {
    local missing=() package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    if [ "$apt_updated" = no ]; then
        apt-get update -qq
        apt_updated=yes
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# dpkg-shlibdeps (dpkg-dev) computes the package's library dependencies.
need dpkg-dev lintian
if [ "$mode" = chroot ]; then
    need debootstrap
else
    if dpkg-query -W -f='${Status}' breakwater 2>/dev/null | grep -q "install ok installed"; then
        echo "check-deb: breakwater is installed already; remove it first (apt-get purge breakwater)" >&2
        exit 2
    fi
fi

# --- build and package ---------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
    if [ "$build" != build/dev ]; then
        echo "check-deb: $build is not a configured build directory" >&2
        exit 2
    fi
    cmake --preset dev
fi
cmake --build "$build" --target breakwater breakwater-cli -j "$(nproc)"
rm -f "$build"/breakwater_*.deb
(cd "$build" && cpack -G DEB) | sed 's/^/  /'
debs=("$build"/breakwater_*.deb)
deb=$(realpath "${debs[0]}")
say "built $deb"

say "dpkg-deb -I"
dpkg-deb -I "$deb" | sed 's/^/  /'
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
say "dpkg-deb -c: $(echo "$contents" | grep -vc '/$') files; the ones a user looks for:"
echo "$contents" | grep -E '^\./usr/(bin/|share/applications/|share/icons/.*48x48.*|share/icons/.*scalable.*\.svg|share/metainfo/|share/man/)' |
    sed 's/^/  /'
echo "$contents" | grep -cE '^\./usr/share/breakwater/.*[^/]$' |
    xargs printf '  ./usr/share/breakwater/: %s resource files\n'
for expected in ./usr/bin/breakwater ./usr/bin/breakwater-cli \
    ./usr/share/applications/org.breakwater.Breakwater.desktop \
    ./usr/share/icons/hicolor/48x48/apps/org.breakwater.Breakwater.png \
    ./usr/share/icons/hicolor/scalable/apps/org.breakwater.Breakwater.svg \
    ./usr/share/breakwater/scenarios/primary-outage.json \
    ./usr/share/breakwater/config/presets/README.md \
    ./usr/share/breakwater/prometheus/alerts.yml ./usr/share/doc/breakwater/copyright; do
    if ! echo "$contents" | grep -qxF "$expected"; then
        echo "check-deb: the package lacks $expected" >&2
        exit 1
    fi
done

say "lintian"
lintian_status=0
lintian_out=$(lintian --fail-on error,warning "$deb" 2>&1) || lintian_status=$?
echo "$lintian_out" | grep -v 'running with root privileges' | sed 's/^/  /' || true
if [ "$lintian_status" -ne 0 ]; then
    echo "check-deb: lintian found errors or warnings" >&2
    exit 1
fi
say "lintian: no errors, no warnings"

# --- what runs where the package is installed ----------------------------------------------
# $1: the .deb as the target sees it. Prints what it does; exits non-zero at the first problem.
inside_script=$(
    cat <<'INSIDE'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
say() { echo "check-deb [$TARGET_NAME]: $*"; }
deb=$1
app_id=org.breakwater.Breakwater

say "apt install $deb"
apt-get update -qq
apt install -y "$deb" > /tmp/breakwater-apt.log 2>&1 || {
    cat /tmp/breakwater-apt.log
    exit 1
}
grep -E '^([0-9]+ upgraded|Setting up breakwater)' /tmp/breakwater-apt.log | sed 's/^/  /'
rm -f /tmp/breakwater-apt.log
dpkg-query -W -f='${Package} ${Version} ${Status}\n' breakwater | sed 's/^/  /'
command -v breakwater breakwater-cli | sed 's/^/  /'

work=$(mktemp -d)
cd "$work"
# The run history goes here, not into the user's own (--host runs as this machine's root).
export BREAKWATER_DB=$work/history.db
say "breakwater-cli send hello (in $work)"
breakwater-cli send hello > send.json
sed 's/^/  /' send.json
grep -q '"success": true' send.json
grep -q '"http_status": 200' send.json

say "breakwater-cli run steady.json at time scale 0.05, saved to the history"
breakwater-cli run --scenario /usr/share/breakwater/scenarios/steady.json --time-scale 0.05 \
    --report report.json 2>&1 | tail -n 2 | sed 's/^/  /'
grep -q '"passed": true' report.json

say "the menu entry"
apt-get install -y -qq --no-install-recommends desktop-file-utils xvfb xauth xdotool \
    libglib2.0-bin x11-utils > /dev/null 2>&1
desktop=/usr/share/applications/$app_id.desktop
desktop-file-validate "$desktop"
grep -E '^(Name|Exec|Icon|Categories|StartupWMClass)=' "$desktop" | sed 's/^/  /'
icon=$(sed -n 's/^Icon=//p' "$desktop")
ls /usr/share/icons/hicolor/*/apps/"$icon".* | sed 's/^/  /'
wmclass=$(sed -n 's/^StartupWMClass=//p' "$desktop")
cat > launch.sh <<'LAUNCH'
set -euo pipefail
# As a desktop menu does: the launcher reads the entry and runs its Exec line.
gio launch "$1" 2> launch.err &
wid=$(timeout 60 xdotool search --sync --classname "^$2\$" | head -n 1)
classes=$(xprop -id "$wid" WM_CLASS)
title=$(xprop -id "$wid" WM_NAME)
pid=$(xdotool getwindowpid "$wid")
echo "  window $wid of pid $pid: $classes; $title"
echo "  command: $(tr '\0' ' ' < "/proc/$pid/cmdline")"
kill "$pid"
wait
LAUNCH
xvfb-run -a -s "-screen 0 1600x1000x24" bash launch.sh "$desktop" "$wmclass"

say "apt-get purge breakwater"
cd /
rm -rf "$work"
apt-get purge -y -q breakwater > /dev/null
if [ -e /usr/bin/breakwater ] || [ -e "$desktop" ] || [ -d /usr/share/breakwater ]; then
    say "files left behind after purge"
    exit 1
fi
say "removed; nothing left in /usr/bin, /usr/share/applications, /usr/share/breakwater"
INSIDE
)

if [ "$mode" = host ]; then
    need xvfb xauth
    TARGET_NAME=host bash -c "$inside_script" check-deb "$deb"
    say "passed on this machine"
    exit 0
fi

cache=/var/cache/breakwater/check-deb
base=$cache/bookworm-minbase.tar
mirror=${BREAKWATER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ ! -f "$base" ]; then
    say "making a Debian 12 base system with debootstrap (once; kept in $base)"
    mkdir -p "$cache"
    fresh=$(mktemp -d /var/tmp/breakwater-debootstrap.XXXXXX)
    chmod 755 "$fresh"
    debootstrap --variant=minbase bookworm "$fresh" "$mirror" > "$cache/debootstrap.log" 2>&1 || {
        echo "check-deb: debootstrap failed; see $cache/debootstrap.log" >&2
        exit 1
    }
    tar --numeric-owner -C "$fresh" -cf "$base.part" . && mv "$base.part" "$base"
    rm -rf --one-file-system "$fresh"
fi

root=$(mktemp -d /var/tmp/breakwater-check-deb.XXXXXX)
cleanup() {
    # The mounts live in the private namespace below and are gone with it; never delete
    # through a mount that is still there.
    if findmnt -rn -o TARGET | grep -q "^$root"; then
        echo "check-deb: $root still has mounts; left in place" >&2
    else
        rm -rf --one-file-system "$root"
    fi
}
trap cleanup EXIT
tar --numeric-owner -C "$root" -xf "$base"
chmod 755 "$root" # mktemp made it 0700: apt's downloads (user _apt) could not reach /var
cp /etc/resolv.conf "$root/etc/resolv.conf"
# As a Debian 12 installer leaves it: the release, its updates and security.
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp "$deb" "$root/tmp/"
say "fresh Debian 12 in $root ($(cat "$root/etc/debian_version"))"

unshare -m --propagation private bash -c '
    set -euo pipefail
    root=$1
    shift
    mount -t proc proc "$root/proc"
    mount -t sysfs sys "$root/sys"
    mount --rbind /dev "$root/dev"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 TARGET_NAME=chroot bash -c "$@"
' check-deb "$root" "$inside_script" check-deb "/tmp/$(basename "$deb")"
say "passed on a fresh Debian 12"
