#!/usr/bin/env bash
# Benchmark of the home page: keikaku (release build, ichinoseki example, SQLite)
# against nginx serving the same bytes as a static file, both loaded by wrk on
# loopback. A benchmark, not a test: it prints a report and exits 0 whatever
# the verdict (set BENCH_STRICT=1 to exit 1 when a target is missed).
#
# Targets: keikaku req/s >= 0.5 x nginx req/s, keikaku p99 < 10 ms, keikaku RSS < 50 MB.
#
# Environment:
#   BENCH_DURATION  wrk duration of each measured run (default 20s)
#   BENCH_WARMUP    wrk duration of each warm-up run (default 3s)
#   KEIKAKU_BIN     use this binary instead of `cargo build --release -p keikaku --locked`
#   BENCH_STRICT    1 = exit 1 if any target is missed
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

KEIKAKU_ADDR=127.0.0.1:18080
NGINX_ADDR=127.0.0.1:18081
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-3s}
THREADS=2
CONNECTIONS=64

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Tools: nginx-light and wrk from Debian, only if missing.
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# 2. Release build.
if [ -n "${KEIKAKU_BIN:-}" ]; then
  bin=$KEIKAKU_BIN
else
  log "cargo build --release -p keikaku --locked"
  cargo build --release -p keikaku --locked
  bin=${CARGO_TARGET_DIR:-$root/target}/release/keikaku
fi
[ -x "$bin" ] || die "keikaku binary not found at $bin"

# 3. Scratch space and cleanup of both servers on any exit.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikaku-bench.XXXXXX")
chmod 755 "$tmp" # nginx workers (user nobody when run as root) read the page from here
keikaku_pid=
nginx_pid=

stop() { # stop PID: TERM, wait up to 5 s, then KILL
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  stop "$keikaku_pid"
  stop "$nginx_pid"
  if [ "$status" -ne 0 ]; then
    for f in "$tmp/keikaku.log" "$tmp/nginx-error.log"; do
      [ -s "$f" ] && { echo "---- $f (last 50 lines)" >&2; tail -n 50 "$f" >&2; }
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() { # wait_for URL PID NAME: until URL answers 2xx, at most 60 s
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || die "$3 exited before $1 answered"
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after 60s waiting for $1"
    sleep 0.25
  done
}

# 4. keikaku with the example plan on a fresh SQLite file. Both ports must be
# free, or the load would go to whatever already listens there.
for addr in "$KEIKAKU_ADDR" "$NGINX_ADDR"; do
  if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then
    die "$addr is already in use; stop what listens there first"
  fi
done
: >"$tmp/keikaku.db"
log "starting keikaku on $KEIKAKU_ADDR"
RUST_LOG=warn "$bin" serve --addr "$KEIKAKU_ADDR" --database "sqlite://$tmp/keikaku.db" \
  --example ichinoseki >"$tmp/keikaku.log" 2>&1 &
keikaku_pid=$!
wait_for "http://$KEIKAKU_ADDR/healthz" "$keikaku_pid" keikaku

# 5. The same home page bytes, served by nginx.
mkdir -p "$tmp/www" "$tmp/nginx-temp"
curl -fsS --max-time 10 -o "$tmp/www/index.html" "http://$KEIKAKU_ADDR/"
chmod 755 "$tmp/www" && chmod 644 "$tmp/www/index.html"
page_bytes=$(wc -c <"$tmp/www/index.html")
cat >"$tmp/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path $tmp/nginx-temp/body;
    proxy_temp_path $tmp/nginx-temp/proxy;
    fastcgi_temp_path $tmp/nginx-temp/fastcgi;
    uwsgi_temp_path $tmp/nginx-temp/uwsgi;
    scgi_temp_path $tmp/nginx-temp/scgi;
    types { }
    default_type "text/html; charset=utf-8";
    server {
        listen $NGINX_ADDR;
        root $tmp/www;
        location = / { try_files /index.html =404; }
    }
}
EOF
log "starting nginx on $NGINX_ADDR"
"$NGINX" -p "$tmp" -e "$tmp/nginx-error.log" -c "$tmp/nginx.conf" &
nginx_pid=$!
wait_for "http://$NGINX_ADDR/" "$nginx_pid" nginx
cmp -s "$tmp/www/index.html" <(curl -fsS "http://$NGINX_ADDR/") || die "nginx does not serve the saved page"
curl -fsS -o /dev/null -w '%{content_type}' "http://$NGINX_ADDR/" | grep -qix 'text/html; charset=utf-8' ||
  die "nginx does not send Content-Type: text/html; charset=utf-8"

# 6. Load. Warm both briefly, then measure keikaku first, then nginx.
log "warming up ($WARMUP each)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://$KEIKAKU_ADDR/" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://$NGINX_ADDR/" >/dev/null
log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency against keikaku"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://$KEIKAKU_ADDR/" >"$tmp/wrk-keikaku.txt"
# keikaku's memory right after its load: current (VmRSS) and peak (VmHWM), in kB.
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$keikaku_pid/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$keikaku_pid/status")
log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency against nginx"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://$NGINX_ADDR/" >"$tmp/wrk-nginx.txt"

# 7. Parse wrk's output: requests/s, latency percentiles (in ms), errors.
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
pct() { # pct FILE 50|99 -> milliseconds
  awk -v p="$2%" '$1 == p {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    printf "%.3f", v * f }' "$1"
}
errors() { # non-2xx responses plus socket errors
  awk '/Non-2xx or 3xx responses:/ {n += $NF}
       /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10}
       END {print n + 0}' "$1"
}
k_rps=$(rps "$tmp/wrk-keikaku.txt"); n_rps=$(rps "$tmp/wrk-nginx.txt")
k_p50=$(pct "$tmp/wrk-keikaku.txt" 50); k_p99=$(pct "$tmp/wrk-keikaku.txt" 99)
n_p50=$(pct "$tmp/wrk-nginx.txt" 50); n_p99=$(pct "$tmp/wrk-nginx.txt" 99)
k_err=$(errors "$tmp/wrk-keikaku.txt"); n_err=$(errors "$tmp/wrk-nginx.txt")
if [ -z "$k_rps" ] || [ -z "$n_rps" ] || [ -z "$k_p99" ]; then
  die "could not parse wrk output: $(cat "$tmp"/wrk-*.txt)"
fi

verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
ratio=$(awk -v k="$k_rps" -v n="$n_rps" 'BEGIN {printf "%.3f", (n > 0) ? k / n : 0}')
rss_mb=$(awk -v x="$rss_kb" 'BEGIN {printf "%.1f", x / 1024}')
hwm_mb=$(awk -v x="$hwm_kb" 'BEGIN {printf "%.1f", x / 1024}')
ok_ratio=$(awk -v r="$ratio" 'BEGIN {print (r >= 0.5)}')
ok_p99=$(awk -v p="$k_p99" 'BEGIN {print (p < 10)}')
ok_rss=$(awk -v h="$hwm_kb" 'BEGIN {print (h < 50 * 1024)}') # judged on the peak
ok_err=$(( k_err == 0 ? 1 : 0 ))
overall=PASS
for ok in "$ok_ratio" "$ok_p99" "$ok_rss" "$ok_err"; do [ "$ok" = 1 ] || overall=FAIL; done

# 8. Report: to the terminal and to bench/out/.
mkdir -p bench/out
report=bench/out/home-$(date +%Y%m%d-%H%M%S).txt
{
  echo "keikaku home page benchmark, $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after ${WARMUP} warm-up), loopback, same machine"
  echo "page:    GET / = $page_bytes bytes; nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') serves the same bytes"
  echo
  printf '%-8s %12s %10s %10s %8s\n' server 'req/s' 'p50 ms' 'p99 ms' errors
  printf '%-8s %12s %10s %10s %8s\n' keikaku "$k_rps" "$k_p50" "$k_p99" "$k_err"
  printf '%-8s %12s %10s %10s %8s\n' nginx "$n_rps" "$n_p50" "$n_p99" "$n_err"
  echo
  echo "keikaku memory after load: VmRSS $rss_mb MB, VmHWM (peak) $hwm_mb MB"
  echo
  printf '%-34s %-12s %s\n' target measured verdict
  printf '%-34s %-12s %s\n' 'ratio keikaku/nginx req/s >= 0.5' "$ratio" "$(verdict "$ok_ratio")"
  printf '%-34s %-12s %s\n' 'keikaku p99 < 10 ms' "$k_p99 ms" "$(verdict "$ok_p99")"
  printf '%-34s %-12s %s\n' 'keikaku RSS (peak) < 50 MB' "$hwm_mb MB" "$(verdict "$ok_rss")"
  printf '%-34s %-12s %s\n' 'keikaku errors = 0' "$k_err" "$(verdict "$ok_err")"
  echo "overall: $overall"
} | tee "$report"
log "report written to $report"

if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$overall" != PASS ]; then exit 1; fi
