#!/usr/bin/env bash
# Benchmark: the chaos server's requests/s for small non-streaming answers with no injected
# latency, beside nginx returning a fixed 300-byte JSON, measured with wrk in the same run
# (interleaved rounds, median of each), plus 1,000 open connections held with delayed answers.
#
# usage: bench/chaos_vs_nginx.sh [BUILD_DIR]   (needs: apt-get install wrk nginx-light)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
cli="$build/app/breakwater-cli"
rounds=${ROUNDS:-3}
seconds=${SECONDS_PER_ROUND:-8}
connections=${CONNECTIONS:-64}

for tool in wrk nginx; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk nginx-light" >&2; exit 2; }
done
[ -x "$cli" ] || { echo "build first: $cli not found" >&2; exit 2; }

work=$(mktemp -d)
cleanup() {
    [ -n "${chaos_pid:-}" ] && kill "$chaos_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 8192 || true

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx: one worker per core, a fixed 300-byte JSON body.
nginx_port=$(free_port)
body=$(/usr/bin/python3 -c 'import json; t="x"*225; print(json.dumps({"id":"msg_1","type":"message","content":[{"type":"text","text":t}]}))')
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work;
    server {
        listen 127.0.0.1:$nginx_port;
        location / { default_type application/json; return 200 '$body'; }
    }
}
CONF
nginx -c "$work/nginx.conf"

"$cli" chaos --seed 1 > "$work/chaos.out" 2>&1 &
chaos_pid=$!
for _ in $(seq 50); do grep -q listening "$work/chaos.out" && break; sleep 0.1; done
chaos_url=$(sed -n 's/^listening on //p' "$work/chaos.out")

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.body = '{"model":"claude-haiku-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
LUA
cat > "$work/slow.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["x-chaos-latency-ms"] = "2000"
wrk.body = '{"model":"claude-haiku-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
LUA

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: > "$work/nginx.rps"; : > "$work/chaos.rps"
for round in $(seq "$rounds"); do
    wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$nginx_port/" | rps >> "$work/nginx.rps"
    wrk -t2 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "$chaos_url/v1/messages" \
        | tee "$work/chaos.round$round" | rps >> "$work/chaos.rps"
done
nginx_median=$(median < "$work/nginx.rps")
chaos_median=$(median < "$work/chaos.rps")
ratio=$(awk -v c="$chaos_median" -v n="$nginx_median" 'BEGIN {printf "%.3f", c / n}')
non2xx=$(grep -h "Non-2xx" "$work"/chaos.round* || true)

echo "nginx (300-byte JSON, GET):        $(paste -sd' ' "$work/nginx.rps") req/s  median $nginx_median"
echo "chaos server (POST /v1/messages):  $(paste -sd' ' "$work/chaos.rps") req/s  median $chaos_median"
echo "ratio chaos/nginx: $ratio (target >= 0.2)"
[ -n "$non2xx" ] && echo "chaos non-2xx: $non2xx"

# 1,000 connections, each answer delayed 2 s: all held open, none refused or reset.
held=$(wrk -t2 -c1000 -d10s --timeout 10s -s "$work/slow.lua" "$chaos_url/v1/messages")
echo "$held" | sed -n 's/^ *\([0-9]* requests in .*\)/1000 connections, 2 s answers: \1/p'
errors=$(echo "$held" | grep -E "Socket errors|Non-2xx" || true)
if [ -n "$errors" ]; then
    echo "1000-connection run had errors: $errors"
    exit 1
fi
echo "1000-connection run: no socket errors, no non-2xx answers"
awk -v r="$ratio" 'BEGIN {exit !(r >= 0.2)}' || { echo "FAIL: ratio below 0.2"; exit 1; }
