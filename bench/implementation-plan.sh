#!/usr/bin/env bash
# Benchmark of the 実施計画 at national scale, in one run:
#
# 1. Load: 1,741 municipalities x 500 programs x 3 fiscal years of 事業費 and 財源内訳 (the
#    edition made in 2025, published, with links, parts and frames) into a fresh PostgreSQL
#    database with COPY (bench/implementation-plan, a Rust program with a workspace of its
#    own). The served municipality, 一関市 (03209), gets the example's plans first
#    (`keikaku import`), so its programs sit in real goals, fields and measures.
# 2. The roll 2025 -> 2026 of every municipality's edition: one hand-written INSERT ... SELECT
#    per table over all of them in one transaction (the reference), then keikaku's roll use
#    case (keikaku_app::programs::roll, what the staff page's 「ローリング」 calls) with 1, 2 and
#    4 municipalities at a time, then the reference again; every result checked to be the
#    same rows (counts, amounts, a hash of every row).
# 3. SQLite: one municipality's 500 programs rolled both ways, alternately.
# 4. `keikaku serve` on the PostgreSQL database for 03209, a planning-office user signed in,
#    and wrk on `/` (the reference), the public aggregates page, the API's aggregates and the
#    staff aggregates page of the edition of 2025.
#
# A benchmark, not a test: it prints a report with PASS/FAIL, writes it to bench/out/ and exits
# 0 (BENCH_STRICT=1: 1 when a target is missed).
#
# Environment:
#   BENCH_PG_URL          PostgreSQL server, trust auth (default postgres://postgres@127.0.0.1:5432)
#   BENCH_MUNICIPALITIES  municipalities loaded (default 1741); BENCH_PROGRAMS per edition (500)
#   BENCH_WORKERS         municipalities rolled at a time, each a run (default "1 2 4")
#   BENCH_SQLITE_RUNS     SQLite rolls each way, fastest kept (default 5)
#   BENCH_DURATION        wrk duration per page (default 15s); BENCH_WARMUP (3s)
#   BENCH_CONNECTIONS     wrk connections (default 8)
#   BENCH_KEEP_DB=1       keep the PostgreSQL database afterwards (its name is printed)
#   KEIKAKU_BIN           use this binary instead of `cargo build --release -p keikaku --locked`
#   CARGO_TARGET_DIR      where the builds go (default target/)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
MUNICIPALITIES=${BENCH_MUNICIPALITIES:-1741}
PROGRAMS=${BENCH_PROGRAMS:-500}
WORKERS=${BENCH_WORKERS:-"1 2 4"}
SQLITE_RUNS=${BENCH_SQLITE_RUNS:-5}
DURATION=${BENCH_DURATION:-15s}
WARMUP=${BENCH_WARMUP:-3s}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
ADDR=127.0.0.1:18096
SERVED=03209
target_dir=${CARGO_TARGET_DIR:-$root/target}
out="$root/bench/out"
mkdir -p "$out"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. wrk, curl and psql from Debian, only if missing.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. Release builds: keikaku and the loader/driver (a workspace of its own).
if [ -n "${KEIKAKU_BIN:-}" ]; then
  bin=$KEIKAKU_BIN
else
  log "cargo build --release -p keikaku --locked"
  cargo build --release --locked --quiet -p keikaku
  bin=$target_dir/release/keikaku
fi
driver_target="$target_dir/bench-implementation-plan"
log "building bench/implementation-plan (release)"
cargo build --release --locked --quiet \
  --manifest-path "$root/bench/implementation-plan/Cargo.toml" --target-dir "$driver_target"
driver="$driver_target/release/implementation-plan-bench"

psql_admin() { psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_admin -c 'SELECT 1' >/dev/null || die "PostgreSQL does not answer at $PG_URL"

dbname="keikaku_ip_bench_$$"
db="$PG_URL/$dbname"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikaku-ip-bench.XXXXXX")
pid=
cleanup() {
  local status=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -s "$tmp/keikaku.log" ]; then tail -n 30 "$tmp/keikaku.log" >&2; fi
  if [ "${BENCH_KEEP_DB:-0}" = 1 ]; then
    log "database kept: $db"
  else
    psql_admin -c "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

get() { printf '%s\n' "$results" | sed -n "s/^$1=//p" | tail -n1; }
results=""
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# 3. The database: 一関市's plans through keikaku, then every edition with COPY.
log "creating $dbname"
psql_admin -c "CREATE DATABASE $dbname" >/dev/null
export RUST_LOG=warn
"$bin" --database "$db" import "$root/crates/planfile/examples/ichinoseki.json" >/dev/null
log "loading $MUNICIPALITIES municipalities x $PROGRAMS programs x 3 years"
results+=$("$driver" pg-load "$db" "$MUNICIPALITIES" "$PROGRAMS")$'\n'

# 4. The rolls on PostgreSQL, then on SQLite.
log "rolling 2025 -> 2026: by hand, then keikaku with $WORKERS at a time, then by hand again"
# shellcheck disable=SC2086 # the workers are a list
results+=$("$driver" pg-roll "$db" $WORKERS)$'\n'
log "SQLite: one municipality, $SQLITE_RUNS rolls each way"
results+=$("$driver" sqlite "$tmp" "$PROGRAMS" "$SQLITE_RUNS")$'\n'
printf '%s' "$results" | sed 's/^/  /' >&2

# 5. Serve 03209 and sign in as the planning office.
printf 'bench-password-1234\n' | "$bin" --database "$db" user add bench-office \
  --name ベンチ --department 企画調整課 --role planning_office --password-stdin \
  --municipality "$SERVED" >/dev/null
(ss -ltn 2>/dev/null || true) | grep -q "$ADDR " && die "$ADDR is in use"
"$bin" --database "$db" serve --addr "$ADDR" --municipality "$SERVED" >"$tmp/keikaku.log" 2>&1 &
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

public="/implementation-plans/2025/aggregates"
api="/api/v1/implementation-plans/2025/aggregates"
staff="/staff/implementation-plans/2025/aggregates"
pages=("/" "$public" "$api" "$staff")
declare -A bytes
for page in "${pages[@]}"; do
  code=$(curl -s -o "$tmp/page" -w '%{http_code}' -H "$cookie" "http://$ADDR$page")
  [ "$code" = 200 ] || die "$page answered $code"
  bytes[$page]=$(wc -c <"$tmp/page")
  cp "$tmp/page" "$tmp/page-$(printf '%s' "$page" | tr '/' '_')"
done
grep -q "集計と予算編成の指針" "$tmp/page-$(printf '%s' "$staff" | tr '/' '_')" || die "$staff is not the aggregates page"
grep -q '"by_department"' "$tmp/page-$(printf '%s' "$api" | tr '/' '_')" || die "$api gave no aggregates"

# 6. wrk: a warm-up, then the measured run, per page.
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
load_wrk=$(cut -d' ' -f1-3 /proc/loadavg)
for page in "${pages[@]}"; do
  f="$tmp/wrk-$(printf '%s' "$page" | tr '/' '_').txt"
  wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" -H "$cookie" "http://$ADDR$page" >/dev/null
  log "wrk -t2 -c$CONNECTIONS -d$DURATION --latency $page"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$cookie" "http://$ADDR$page" >"$f"
  p50[$page]=$(pct "$f" 50); p99[$page]=$(pct "$f" 99); reqs[$page]=$(rps "$f"); errs[$page]=$(errors "$f")
done
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
grep -q '"level":"ERROR"\|ERROR' "$tmp/keikaku.log" && server_errors=yes || server_errors=no

# 7. The report.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
judge() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
raw_ms=$(get raw_ms)
report="$out/implementation-plan-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "実施計画 at national scale: $(get municipalities) municipalities x $PROGRAMS programs x 3 years (PostgreSQL), one municipality on SQLite"
  echo "commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, $(date -u +%FT%TZ), load average before $load_before"
  echo "keikaku: $bin; PostgreSQL $(psql_admin -c 'SHOW server_version'), shared_buffers $(psql_admin -c 'SHOW shared_buffers')"
  echo
  echo "Load (COPY): $(get programs) programs, $(get years) program years, $(get links) links, $(get parts) parts, $(get frames) frames in $(get load_ms) ms; database $(get database_mb) MB"
  echo "Rolled 2025 -> 2026: $(get rolled_editions) editions, $(get rolled_programs) programs carried, $(get rolled_years) years, $(get rolled_links) links, $(get rolled_frames) frames"
  echo
  echo "Roll of every municipality (PostgreSQL)"
  printf '  %-44s %10s ms\n' "hand-written INSERT ... SELECT, run 1" "$(get raw1_ms)"
  printf '  %-44s %10s ms   (same rows: %s)\n' "hand-written INSERT ... SELECT, run 2" "$(get raw2_ms)" "$(get raw2_equal)"
  for n in $WORKERS; do
    printf '  %-44s %10s ms   (each roll p50 %s ms, p99 %s ms, max %s ms; %s audit entries; same rows: %s)\n' \
      "keikaku roll use case, $n at a time" "$(get "keikaku_c${n}_ms")" "$(get "keikaku_c${n}_p50_ms")" \
      "$(get "keikaku_c${n}_p99_ms")" "$(get "keikaku_c${n}_max_ms")" "$(get "keikaku_c${n}_audited")" \
      "$(get "keikaku_c${n}_equal")"
  done
  echo
  echo "Roll of one municipality's $(get sqlite_programs) programs (SQLite, fastest of $SQLITE_RUNS; median in brackets)"
  printf '  %-44s %10s ms   (%s)\n' "hand-written INSERT ... SELECT" "$(get sqlite_raw_ms)" "$(get sqlite_raw_median_ms)"
  printf '  %-44s %10s ms   (%s)   (same rows: %s)\n' "keikaku roll use case" "$(get sqlite_keikaku_ms)" "$(get sqlite_keikaku_median_ms)" "$(get sqlite_equal)"
  echo
  echo "Aggregates of 03209's edition of 2025 under wrk -t2 -c$CONNECTIONS -d$DURATION (load average before $load_wrk; keikaku peak RSS $(awk -v x="$hwm_kb" 'BEGIN {printf "%.1f", x / 1024}') MB)"
  printf '  %-48s %9s %10s %9s %9s %7s\n' page bytes "req/s" "p50 ms" "p99 ms" errors
  for page in "${pages[@]}"; do
    printf '  %-48s %9s %10s %9s %9s %7s\n' "$page" "${bytes[$page]}" "${reqs[$page]}" "${p50[$page]}" "${p99[$page]}" "${errs[$page]}"
  done
  echo
  echo "Targets"
  for n in $WORKERS; do
    r=$(ratio "$(get "keikaku_c${n}_ms")" "$raw_ms")
    ok=$(awk -v r="$r" 'BEGIN { print (r != "n/a" && r <= 2) ? 1 : 0 }')
    if [ "$n" = "${WORKERS##* }" ]; then
      printf '  %-70s %s\n' "roll, keikaku $n at a time / hand SQL = $r (<= 2)" "$(judge "$ok")"
    else
      printf '  %-70s %s\n' "roll, keikaku $n at a time / hand SQL = $r (<= 2; reported)" "$(judge "$ok")"
    fi
  done
  same=1
  for n in $WORKERS; do [ "$(get "keikaku_c${n}_equal")" = yes ] || same=0; done
  [ "$(get raw2_equal)" = yes ] && [ "$(get sqlite_equal)" = yes ] || same=0
  printf '  %-70s %s\n' "same rows from every roll (PostgreSQL and SQLite)" "$(judge "$same")"
  r=$(ratio "$(get sqlite_keikaku_ms)" "$(get sqlite_raw_ms)")
  printf '  %-70s %s\n' "SQLite roll, keikaku / hand SQL = $r (<= 2)" "$(judge "$(awk -v r="$r" 'BEGIN { print (r != "n/a" && r <= 2) ? 1 : 0 }')")"
  for page in "$public" "$api" "$staff"; do
    ok=$(awk -v p="${p99[$page]}" -v e="${errs[$page]}" 'BEGIN { print (p < 50 && e == 0) ? 1 : 0 }')
    printf '  %-70s %s\n' "p99 $page < 50 ms, no errors" "$(judge "$ok")"
  done
  printf '  %-70s %s\n' "no ERROR in the server log" "$(judge "$([ "$server_errors" = no ] && echo 1 || echo 0)")"
} | tee "$report"
# Every target line counts but those only reported (the fewer workers).
failed=$(sed -n '/^Targets/,$p' "$report" | grep -v 'reported' | grep -c ' FAIL$' || true)
{
  echo
  if [ "$failed" -eq 0 ]; then echo "overall: PASS"; else echo "overall: FAIL ($failed)"; fi
} | tee -a "$report"
log "report written to $report"
if [ "${BENCH_STRICT:-0}" = 1 ] && grep -q '^overall: FAIL' "$report"; then exit 1; fi
