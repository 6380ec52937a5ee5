#!/usr/bin/env bash
# Engine benchmarks (issue 4), against one standalone chaos server process started here, so
# that server and client never share a thread. Every figure that has a target is a ratio
# against a reference measured in the same run, since absolute times drift on a busy machine:
#   1. concurrency achieved: closed loop of 200 through the engine pool, 1.5 s injected
#      latency; throughput x mean latency / 200 >= 0.95 (Little's law);
#   2. throughput at saturation: engine pool req/s >= 0.9 x bare QNetworkAccessManager
#      clients in the same thread layout (a caller thread handing requests to worker threads),
#      alternating rounds, medians; bare clients in worker threads alone and wrk beside them;
#   3. engine overhead: one call at a time, engine vs bare manager interleaved, median
#      latency; engine/bare - 1 <= 5 % for the engine on the caller's thread against a bare
#      manager there; the engine pool against a bare manager in a worker thread as context;
#   4. memory: resident size at full load, minute 1 vs the last minute, within 10 %.
# Full outputs first, then a compact table; exits 1 when a target is missed.
#
# usage: bench/run_engine_benches.sh [--minutes N] [BUILD_DIR]   (needs: apt-get install wrk)
#   --minutes N   length of the memory run (default 10; at least 2)
#   BUILD_DIR     default build/dev; needs breakwater-cli and the bench_* targets built
# Environment: PAIRS (default 2000), ROUNDS (default 15), SECONDS_PER_ROUND (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10
build=build/dev
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes=${2:?--minutes needs a number}; shift 2 ;;
        --minutes=*) minutes=${1#--minutes=}; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) build=$1; shift ;;
    esac
done
pairs=${PAIRS:-2000}
rounds=${ROUNDS:-15}
seconds=${SECONDS_PER_ROUND:-3}
cli="$build/app/breakwater-cli"
bench="$build/bench"

command -v wrk >/dev/null || { echo "missing wrk: apt-get install wrk" >&2; exit 2; }
[ -x "$cli" ] || { echo "build first: $cli not found" >&2; exit 2; }
for name in overhead components throughput concurrency memory; do
    [ -x "$bench/bench_$name" ] || { echo "build first: ninja -C $build bench_$name" >&2; exit 2; }
done

work=$(mktemp -d)
cleanup() {
    [ -n "${chaos_pid:-}" ] && kill "$chaos_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 8192 || true

"$cli" chaos --seed 1 > "$work/chaos.out" 2>&1 &
chaos_pid=$!
for _ in $(seq 50); do grep -q listening "$work/chaos.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/chaos.out")
[ -n "$url" ] || { echo "the chaos server did not start: $(cat "$work/chaos.out")" >&2; exit 2; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); chaos server $url (pid $chaos_pid)"
section() { printf '\n== %s\n' "$1"; }
# The value of key=value on the RESULT line of a benchmark's output file.
field() { sed -n "s/^RESULT .* $2=\([^ ]*\).*/\1/p" "$work/$1.out"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

section "engine overhead: one call at a time, interleaved with a bare QNetworkAccessManager"
"$bench/bench_overhead" --server "$url" --pairs "$pairs" | tee "$work/overhead.out"
section "the same with 20 ms injected latency (context: a provider that takes any time at all)"
"$bench/bench_overhead" --server "$url" --pairs 300 --warmup 20 --latency-ms 20 --no-breakdown \
    | tee "$work/overhead20.out"
section "the engine's per-call work, piece by piece (diagnostic)"
"$bench/bench_components" --server "$url" | tee "$work/components.out"

section "throughput at saturation: engine vs bare managers in the same layout, alternating rounds"
"$bench/bench_throughput" --server "$url" --server-pid "$chaos_pid" --rounds "$rounds" \
    --measure-ms $((seconds * 1000)) | tee "$work/throughput.out"
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.body = '{"model":"claude-haiku-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Summarise the main causes of HTTP 429 responses in two sentences."}]}'
LUA
inflight=$(field throughput inflight)
: > "$work/wrk.rps"
for _ in 1 2 3; do
    wrk -t2 -c"$inflight" -d"${seconds}s" -s "$work/post.lua" "$url/v1/messages" \
        | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' >> "$work/wrk.rps"
done
wrk_median=$(median < "$work/wrk.rps")
echo "wrk -t2 -c$inflight, same server, same request: $(paste -sd' ' "$work/wrk.rps") req/s, median $wrk_median"

section "concurrency achieved (Little's law)"
"$bench/bench_concurrency" --server "$url" | tee "$work/concurrency.out"

section "memory at full load, $minutes minutes"
"$bench/bench_memory" --server "$url" --minutes "$minutes" | tee "$work/memory.out"

verdict() { [ "$1" = 1 ] && echo pass || echo FAIL; }
pct() { awk -v r="$1" 'BEGIN {printf "%+.1f %%", r * 100}'; }
section "results ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-26s %-62s %-12s %s\n' measurement figure target verdict
printf '%-26s %-62s %-12s %s\n' "concurrency (Little)" \
    "$(field concurrency throughput)/s x $(field concurrency mean_latency_s) s / $(field concurrency workers) = $(field concurrency achieved)" \
    ">= 0.95" "$(verdict "$(field concurrency pass)")"
printf '%-26s %-62s %-12s %s\n' "throughput at saturation" \
    "engine pool / bare, same layout: median of round ratios $(field throughput ratio) ($(field throughput engine_rps) / $(field throughput bare_rps) req/s)" \
    ">= 0.9" "$(verdict "$(field throughput pass)")"
printf '%-26s %-62s %-12s %s\n' "  vs bare in workers only" \
    "median of round ratios $(field throughput workers_ratio) (bare $(field throughput workers_bare_rps) req/s; no caller thread, no hand-offs)" \
    "" "context"
printf '%-26s %-62s %-12s %s\n' "  CPU per request" \
    "engine $(field throughput engine_cpu_us) us, bare $(field throughput bare_cpu_us) / $(field throughput workers_bare_cpu_us) us, server $(field throughput server_cpu_us) us" \
    "" "CPU-bound ratio $(field throughput cpu_bound_ratio)"
printf '%-26s %-62s %-12s %s\n' "  wrk (informational)" "$wrk_median req/s" "" ""
printf '%-26s %-62s %-12s %s\n' "overhead, caller's thread" \
    "median $(field overhead inline_engine_us) vs $(field overhead inline_bare_us) us: $(pct "$(field overhead inline_overhead)")" \
    "<= +5 %" "$(verdict "$(field overhead pass_inline)")"
printf '%-26s %-62s %-12s %s\n' "  pool (as run)" \
    "median $(field overhead pool_engine_us) vs $(field overhead pool_layout_bare_us) us (bare, same layout): $(pct "$(field overhead pool_layout_overhead)")" \
    "" "context: $( [ "$(field overhead pass_pool)" = 1 ] && echo "within" || echo "over" ) 5 %"
printf '%-26s %-62s %-12s %s\n' "  pool vs caller's bare" \
    "median $(field overhead pool_engine_us) vs $(field overhead pool_bare_us) us: $(pct "$(field overhead pool_overhead)")" \
    "" "(thread hand-offs included)"
printf '%-26s %-62s %-12s %s\n' "  with 20 ms latency" \
    "caller's thread $(pct "$(field overhead20 inline_overhead)"), pool $(pct "$(field overhead20 pool_layout_overhead)")" \
    "" ""
printf '%-26s %-62s %-12s %s\n' "memory" \
    "$(field memory rss1_mb) MB at minute 1, $(field memory rssN_mb) MB at minute $minutes: $(pct "$(field memory change)")" \
    "within 10 %" "$(verdict "$(field memory pass)")"

failed=0
# The overhead target is one call through the engine against the same request sent bare
# (pass_inline); the pool's figure adds EnginePool's two thread hand-offs on both sides and is
# shown as context.
for check in "concurrency pass" "throughput pass" "overhead pass_inline" "memory pass"; do
    # shellcheck disable=SC2086
    [ "$(field $check)" = 1 ] || failed=1
done
exit $failed
