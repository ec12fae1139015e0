#!/usr/bin/env bash
# Editing under load: 20 staff editors saving the same few measures while 500 public readers
# read the site, for 60 s on loopback, against `keikaku serve` (release build) on SQLite and
# on PostgreSQL. Then, with the server stopped, the audit log and the stored elements are read
# straight from the database to check that no edit was lost, doubled or invented.
#
#   bench/edit-load.sh              # both backends
#   bench/edit-load.sh sqlite       # one backend
#   bench/edit-load.sh postgres
#
# Targets (per backend): reader p99 < 50 ms; no errors (anything but 200 for readers and
# forms, 303/409 for saves); at least one save and one conflict; the lost-edit check; the
# audit hash chain (`keikaku audit verify`). Exits 1 if any target is missed on any backend.
#
# Environment:
#   BENCH_DURATION   seconds of load (default 60)
#   BENCH_WARMUP     seconds of reader-only warm-up before the load (default 5; 0 = none)
#   BENCH_EDITORS    editors (default 20)
#   BENCH_READERS    wrk connections (default 500)
#   BENCH_P99_MS     reader p99 target in ms (default 50)
#   BENCH_PG_URL     PostgreSQL server (default postgres://postgres@127.0.0.1:5432); a fresh
#                    database keikaku_bench_<pid> is created there and dropped at the end
#   KEIKAKU_BIN      use this binary instead of `cargo build --release -p keikaku --locked`
#   BENCH_KEEP       1 = keep the temp directory (SQLite database, logs) for a closer look
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

ADDR=127.0.0.1:18090
DURATION=${BENCH_DURATION:-60}
WARMUP=${BENCH_WARMUP:-5}
EDITORS=${BENCH_EDITORS:-20}
READERS=${BENCH_READERS:-500}
P99_MS=${BENCH_P99_MS:-50}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=keikaku_bench_$$
PASSWORD='bench-editor-password-2025'
EXAMPLE=crates/planfile/examples/ichinoseki.json

log() { printf '[edit-load] %s\n' "$*" >&2; }
die() { printf '[edit-load] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

case "${1:-both}" in
  both) backends=(sqlite postgres) ;;
  sqlite | postgres) backends=("$1") ;;
  *) die "usage: bench/edit-load.sh [sqlite|postgres]  (default: both)" ;;
esac
[ "$#" -le 1 ] || die "usage: bench/edit-load.sh [sqlite|postgres]  (default: both)"

# 1. Tools: wrk from Debian if missing; python3 (standard library only); psql for PostgreSQL.
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk
fi
command -v python3 >/dev/null || die "python3 is needed"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' || die "python3 >= 3.9 is needed"
if [[ " ${backends[*]} " == *" postgres "* ]]; then
  command -v psql >/dev/null || die "psql is needed for the PostgreSQL run (apt-get install postgresql-client)"
  psql -X -q -At -d "$PG_URL/postgres" -c 'SELECT 1' >/dev/null 2>&1 ||
    die "PostgreSQL is not reachable at $PG_URL (set BENCH_PG_URL, or run: bench/edit-load.sh sqlite)"
fi
# 500 readers need 500 sockets, on both ends.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((READERS * 2 + 256)) ]; then
  ulimit -n $((READERS * 2 + 256)) 2>/dev/null || die "ulimit -n is $(ulimit -n); $READERS readers need more"
fi

# 2. Release build.
if [ -n "${KEIKAKU_BIN:-}" ]; then
  bin=$KEIKAKU_BIN
else
  log "cargo build --release -p keikaku --locked"
  cargo build --release -p keikaku --locked
  bin=${CARGO_TARGET_DIR:-$root/target}/release/keikaku
fi
[ -x "$bin" ] || die "keikaku binary not found at $bin"

# 3. Scratch space, reports, and cleanup on any exit (server, PostgreSQL database, temp files).
stamp=$(date +%Y%m%d-%H%M%S)
out=bench/out/edit-load-$stamp
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikaku-edit-load.XXXXXX")
server_pid=
pg_created=0

stop() { # stop PID: TERM (graceful shutdown), wait up to 10 s, then KILL
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
drop_pg() {
  if [ "$pg_created" = 1 ]; then
    psql -X -q -d "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 ||
      log "could not drop database $PG_DB; drop it by hand"
    pg_created=0
  fi
}
cleanup() {
  local status=$?
  stop "$server_pid"
  drop_pg
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() { # wait_for URL PID: until URL answers 2xx, at most 60 s
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || die "keikaku exited before $1 answered"
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after 60s waiting for $1"
    sleep 0.25
  done
}

if (exec 3<>"/dev/tcp/${ADDR%:*}/${ADDR##*:}") 2>/dev/null; then
  die "$ADDR is already in use; stop what listens there first"
fi

report=$out/report.txt
{
  echo "keikaku editing-under-load benchmark, $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "load:    $EDITORS editors (python threads) + wrk -t2 -c$READERS -d${DURATION}s --latency (after ${WARMUP}s reader-only warm-up), loopback, all on this machine"
  echo
} | tee "$report"

# 4. One backend: fresh database, example plan, editors, server, load, checks.
run_backend() {
  local backend=$1 url dir verify_rc check_rc rss_kb db_arg
  dir=$tmp/$backend
  mkdir -p "$dir"
  if [ "$backend" = sqlite ]; then
    url="sqlite://$dir/keikaku.db"
  else
    psql -X -q -d "$PG_URL/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null
    pg_created=1
    url="$PG_URL/$PG_DB"
  fi
  log "[$backend] database $url"
  KEIKAKU_LOG=warn "$bin" import "$EXAMPLE" --database "$url"
  for n in $(seq -f '%02g' 1 "$EDITORS"); do
    printf '%s\n' "$PASSWORD" | KEIKAKU_LOG=warn "$bin" user add "bench-editor-$n" \
      --name "ベンチ編集者$n" --department 企画課 --role planning_office --password-stdin \
      --database "$url" >/dev/null
  done
  log "[$backend] imported the example and added $EDITORS planning-office users"

  KEIKAKU_LOG='info,sqlx=warn' KEIKAKU_LOG_FORMAT=json \
    "$bin" serve --addr "$ADDR" --database "$url" >"$dir/server.log" 2>&1 &
  server_pid=$!
  wait_for "http://$ADDR/healthz" "$server_pid"

  python3 bench/edit_load.py setup --base "http://$ADDR" --password "$PASSWORD" \
    --out "$dir/setup.json" --lua "$dir/readers.lua"
  if [ "$WARMUP" != 0 ]; then
    log "[$backend] warm-up: readers only, ${WARMUP}s"
    wrk -t2 -c"$READERS" -d"${WARMUP}s" -s "$dir/readers.lua" "http://$ADDR" >/dev/null
  fi
  python3 bench/edit_load.py run --base "http://$ADDR" --password "$PASSWORD" \
    --setup "$dir/setup.json" --lua "$dir/readers.lua" --out "$dir/results.json" \
    --wrk-out "$dir/wrk.txt" --editors "$EDITORS" --readers "$READERS" --duration "$DURATION"
  rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)

  # The checks read the database with the server stopped: nothing moves under them.
  stop "$server_pid"
  server_pid=
  verify_rc=0
  KEIKAKU_LOG=warn "$bin" audit verify --database "$url" >"$dir/verify.txt" 2>&1 || verify_rc=$?
  check_rc=0
  if [ "$backend" = sqlite ]; then db_arg=(--sqlite "$dir/keikaku.db"); else db_arg=(--postgres "$url"); fi
  python3 bench/edit_load.py check --backend "$backend" --results "$dir/results.json" \
    "${db_arg[@]}" --verify-rc "$verify_rc" --server-log "$dir/server.log" \
    --p99-target "$P99_MS" >"$dir/summary.txt" || check_rc=$?
  {
    cat "$dir/summary.txt"
    echo "audit verify: $(tr '\n' ' ' <"$dir/verify.txt")"
    echo "server peak RSS (VmHWM): $(awk -v k="$rss_kb" 'BEGIN {printf "%.1f MB", k / 1024}')"
    echo
  } | tee -a "$report"
  [ "$backend" = postgres ] && drop_pg
  for f in server.log wrk.txt results.json; do cp "$dir/$f" "$out/$backend-$f"; done
  [ "$check_rc" = 0 ] || failed+=("$backend")
}

# A fault in the setup (import, server start, sign-in) stops the script at once (set -e);
# a missed target is recorded and the next backend still runs.
failed=()
for backend in "${backends[@]}"; do
  run_backend "$backend"
done

if [ "${#failed[@]}" -eq 0 ]; then
  echo "overall: PASS (${backends[*]})" | tee -a "$report"
else
  echo "overall: FAIL (${failed[*]})" | tee -a "$report"
fi
log "report, server logs, wrk output and per-request results in $out/"
[ "${#failed[@]}" -eq 0 ]
