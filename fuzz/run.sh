#!/usr/bin/env bash
# Builds the libFuzzer targets if needed and runs each for SECONDS (default 600), then prints
# per target: executions, exec/s, coverage (cov: and ft: of libFuzzer's last status line),
# corpus size and whether anything was found.
#
#   fuzz/run.sh [SECONDS] [BUILD_DIR]
#
# BUILD_DIR defaults to build/fuzz in the repository. Environment:
#   JOBS=2            targets run at once (default 1; 2 fills a 2-core machine)
#   TARGETS="a b"     only these targets (default: every fuzz_* the build knows)
#   NINJA_JOBS=2      parallel compile jobs when building (default 2)
#   EXTRA_FLAGS="…"   more libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to keep fuzzing
#                     past a known crash (each distinct crash still lands in the artifacts)
# New inputs go to BUILD_DIR/fuzz-corpus/<target> (the seeds in fuzz/corpus are only read),
# crashers to BUILD_DIR/fuzz-artifacts/<target>/, the full log to BUILD_DIR/fuzz-logs/.
# Exits 1 when any target found something.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-600}"
build="${2:-$root/build/fuzz}"
jobs="${JOBS:-1}"

if [[ ! -f "$build/build.ninja" ]]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DBREAKWATER_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
ninja -C "$build" -j "${NINJA_JOBS:-2}" breakwater_fuzzers

if [[ -n "${TARGETS:-}" ]]; then
    read -r -a targets <<<"$TARGETS"
else
    targets=()
    for source in "$here"/fuzz_*.cpp; do
        targets+=("$(basename "$source" .cpp)")
    done
fi

mkdir -p "$build/fuzz-logs"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_one() {
    local target="$1"
    local work="$build/fuzz-corpus/$target" artifacts="$build/fuzz-artifacts/$target"
    mkdir -p "$work" "$artifacts"
    local args=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
                -artifact_prefix="$artifacts/")
    [[ -f "$here/$target.dict" ]] && args+=(-dict="$here/$target.dict")
    if [[ -n "${EXTRA_FLAGS:-}" ]]; then
        local extra
        read -r -a extra <<<"$EXTRA_FLAGS"
        args+=("${extra[@]}")
    fi
    local status=0
    "$build/fuzz/$target" "${args[@]}" "$work" "$here/corpus/$target" \
        >"$build/fuzz-logs/$target.log" 2>&1 || status=$?
    echo "$status" >"$build/fuzz-logs/$target.status"
}

echo "running ${#targets[@]} targets for ${seconds}s each, $jobs at a time"
running=0
for target in "${targets[@]}"; do
    if [[ ! -x "$build/fuzz/$target" ]]; then
        echo "no such fuzz target: $target" >&2
        exit 2
    fi
    rm -f "$build/fuzz-logs/$target.status"
    run_one "$target" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

found=0
printf '%-22s %12s %9s %7s %8s %8s  %s\n' target executions exec/s cov ft corpus result
for target in "${targets[@]}"; do
    log="$build/fuzz-logs/$target.log"
    status="$(cat "$build/fuzz-logs/$target.status" 2>/dev/null || echo '?')"
    statval() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
    execs="$(statval number_of_executed_units)"
    rate="$(statval average_exec_per_sec)"
    last="$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
    corp="$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")"
    # Fork mode prints no final stats: take the count from its last status line.
    [[ -z "$execs" ]] && execs="$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")"
    [[ -z "$rate" ]] && rate="$(sed -n 's/.* exec\/s:\{0,1\} \([0-9]*\).*/\1/p' <<<"$last")"
    # A slow-unit-* file is an input that once took over 10 s (libFuzzer's -report_slow_units)
    # without failing: on a loaded machine usually the process waiting for a core, so it is
    # listed but is no finding; replay it to tell (fuzz/README.md).
    artifacts="$(find "$build/fuzz-artifacts/$target" -type f ! -name 'slow-unit-*' 2>/dev/null | sort)"
    slow="$(find "$build/fuzz-artifacts/$target" -type f -name 'slow-unit-*' 2>/dev/null | wc -l)"
    if [[ "$status" == 0 && -z "$artifacts" ]]; then
        result="clean"
        if ((slow > 0)); then
            result+=" ($slow slow unit(s) saved, slowest $(statval slowest_unit_time_sec) s)"
        fi
    else
        found=1
        what="$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|breakwater fuzz property|.*runtime error)' \
            "$log" || true)"
        result="FOUND (exit $status): ${what:-see $log}; ${artifacts//$'\n'/ }"
    fi
    printf '%-22s %12s %9s %7s %8s %8s  %s\n' "$target" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
exit "$found"
