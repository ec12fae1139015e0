#!/usr/bin/env bash
# Benchmark of the KPI dashboards of a plan of 5,000 indicators with 10 fiscal years of values
# (the sheet of bench/kpi-import.sh imported into SQLite): the staff overview
# `/staff/plans/bench-senryaku/kpi` (signed in as the planning office; the evaluation kept until
# the next write; a hundred indicators a page, the grade counts of all) and the public
# dashboard `/plans/bench-senryaku/kpi` of the round of 2024, published first through the
# API (bench/kpi_publish.py), loaded by wrk on loopback; the public home page `/` is measured in the same run as the reference.
# A benchmark, not a test: it prints a report and exits 0.
#
# Environment:
#   BENCH_DURATION  wrk duration of each measured run (default 15s)
#   BENCH_WARMUP    wrk duration of each warm-up run (default 3s)
#   BENCH_CONNECTIONS  wrk connections (default 8)
#   KEIKAKU_BIN     use this binary instead of `cargo build --release -p keikaku --locked`
#   BENCH_PYTHON    the Python that writes the plan file (default python3)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
ADDR=127.0.0.1:18095
DURATION=${BENCH_DURATION:-15s}
WARMUP=${BENCH_WARMUP:-3s}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
PYTHON=${BENCH_PYTHON:-python3}
out="$root/bench/out"
mkdir -p "$out"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. wrk and curl from Debian, only if missing.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. Release builds: keikaku and the program that writes the 5,000 x 10 sheet.
if [ -n "${KEIKAKU_BIN:-}" ]; then
  bin=$KEIKAKU_BIN
else
  log "cargo build --release -p keikaku --locked"
  cargo build --release --locked --quiet -p keikaku
  bin=$root/target/release/keikaku
fi
target="$root/target/bench-kpi-import"
cargo build --release --locked --quiet \
  --manifest-path "$root/bench/kpi-import/Cargo.toml" --target-dir "$target"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikaku-kpi-bench.XXXXXX")
pid=
cleanup() {
  local status=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -s "$tmp/keikaku.log" ]; then tail -n 30 "$tmp/keikaku.log" >&2; fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. The database: the plan, the sheet's 50,000 values, a planning-office account.
log "preparing the plan of 5,000 indicators and its values"
"$target/release/kpi-import-bench" "$tmp/values.xlsx" >/dev/null
"$PYTHON" "$root/bench/kpi_plan.py" "$tmp/plan.json"
db="sqlite://$tmp/bench.db"
export RUST_LOG=warn
"$bin" --database "$db" import "$tmp/plan.json" >/dev/null
"$bin" --database "$db" kpi import "$tmp/values.xlsx" --plan bench-senryaku >/dev/null
printf 'bench-password-1234\n' | "$bin" --database "$db" user add bench-office \
  --name ベンチ --department 企画課 --role planning_office --password-stdin >/dev/null

# 4. Serve and sign in.
(ss -ltn 2>/dev/null || true) | grep -q "$ADDR " && die "$ADDR is in use"
"$bin" --database "$db" serve --addr "$ADDR" >"$tmp/keikaku.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "http://$ADDR/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://$ADDR/healthz" >/dev/null || die "keikaku did not start"
jar="$tmp/cookies"
csrf=$(curl -fsS -c "$jar" "http://$ADDR/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
[ -n "$csrf" ] || die "no CSRF token on /login"
curl -fsS -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" \
  --data-urlencode "login_id=bench-office" --data-urlencode "password=bench-password-1234" \
  "http://$ADDR/login"
session=$(awk '$6 == "keikaku_session" {print $7}' "$jar")
[ -n "$session" ] || die "sign-in gave no session"
cookie="Cookie: keikaku_session=$session"

staff="/staff/plans/bench-senryaku/kpi"
public="/plans/bench-senryaku/kpi"
status() { curl -s -o /dev/null -w '%{http_code}' -H "$cookie" "http://$ADDR$1"; }

# The planning office publishes the verification round of 令和6年度 (2024) through the API
# (a token from the staff token page; every department's part submitted and approved), so
# that the public dashboard shows the 5,000 indicators' published results.
log "publishing the round of 2024"
"$PYTHON" "$root/bench/kpi_publish.py" "$ADDR" "$session" bench-senryaku 2024 >&2
sleep 1.2 # the public catalog's freshness interval
curl -fsS -o "$tmp/public.html" "http://$ADDR$public"
grep -q "令和6年度" "$tmp/public.html" || die "the round of 2024 is not published"

[ "$(status "$staff")" = 200 ] || die "$staff answered $(status "$staff")"
bytes=$(curl -fsS -H "$cookie" "http://$ADDR$staff" | wc -c)
pages=("/" "$staff" "$public")

# 5. wrk: a warm-up, then the measured run, per page.
pct() { # pct FILE 50|99 -> milliseconds
  awk -v p="$2%" '$1 == p {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    printf "%.3f", v * f }' "$1"
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
errors() {
  awk '/Non-2xx or 3xx responses:/ {n += $NF}
       /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10}
       END {print n + 0}' "$1"
}
declare -A p50 p99 reqs errs
for page in "${pages[@]}"; do
  f="$tmp/wrk-$(printf '%s' "$page" | tr '/' '_').txt"
  wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" -H "$cookie" "http://$ADDR$page" >/dev/null
  log "wrk -t2 -c$CONNECTIONS -d$DURATION --latency $page"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$cookie" "http://$ADDR$page" >"$f"
  p50[$page]=$(pct "$f" 50); p99[$page]=$(pct "$f" 99); reqs[$page]=$(rps "$f"); errs[$page]=$(errors "$f")
done
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
report="$out/kpi-dashboard-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "KPI dashboards of a plan of 5,000 indicators x 10 fiscal years (50,000 values, SQLite)"
  echo "commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, wrk -t2 -c$CONNECTIONS -d$DURATION, $(date -u +%FT%TZ)"
  echo "staff overview: $bytes bytes; keikaku peak RSS $(awk -v x="$hwm_kb" 'BEGIN {printf "%.1f", x / 1024}') MB"
  echo
  printf '  %-36s %10s %10s %10s %8s\n' page "req/s" "p50 ms" "p99 ms" errors
  for page in "${pages[@]}"; do
    printf '  %-36s %10s %10s %10s %8s\n' "$page" "${reqs[$page]}" "${p50[$page]}" "${p99[$page]}" "${errs[$page]}"
  done
  echo
  for page in "${pages[@]:1}"; do
    echo "  p99 $page / p99 / = $(ratio "${p99[$page]}" "${p99[/]}")"
  done
} | tee "$report"
log "report written to $report"
