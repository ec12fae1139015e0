#!/usr/bin/env bash
# Crash test: API editors save concurrently while `keikaku serve` (release build) is killed
# with SIGKILL at random moments and restarted on the same database, on SQLite and on
# PostgreSQL. Then, with the server stopped, every acknowledged edit is looked up in the audit
# log read straight from the database, and `keikaku audit verify`, SQLite's integrity check and
# a backup taken during the load (restored into a fresh SQLite database) are checked.
#
#   bench/crash.sh              # both backends
#   bench/crash.sh sqlite       # one backend
#   bench/crash.sh postgres
#
# Checks (per backend): no acknowledged edit lost, none doubled, no audit entry that no editor
# sent (or that was refused); each element's saves chain from the imported text to the stored
# one (and to what the restarted server serves); `keikaku audit verify`; on SQLite
# `PRAGMA integrity_check` at the end and `quick_check` right after each kill; the backup
# restores and verifies and is one consistent moment; no ERROR in the server log; the editors
# carried on after every restart. Exits 1 if any check fails on any backend.
#
# Environment:
#   BENCH_SEED       seed of the kill delays and the editors (default: random, printed)
#   BENCH_KILLS      SIGKILLs per backend (default 10)
#   BENCH_EDITORS    concurrent API editors (default 8)
#   BENCH_MIN_DELAY  BENCH_MAX_DELAY  seconds from a (re)start to the next kill (default 1–4)
#   BENCH_BACKUP     0 = no `keikaku backup` during the load (default 1)
#   BENCH_PG_URL     PostgreSQL server (default postgres://postgres@127.0.0.1:5432); a fresh
#                    database keikaku_crash_<pid> is created there and dropped at the end
#   KEIKAKU_BIN      use this binary instead of `cargo build --release -p keikaku --locked`
#   BENCH_KEEP       1 = keep the temp directory (databases, backup) for a closer look
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

ADDR=127.0.0.1:18095
SEED=${BENCH_SEED:-$(((RANDOM << 15) | RANDOM))}
KILLS=${BENCH_KILLS:-10}
EDITORS=${BENCH_EDITORS:-8}
MIN_DELAY=${BENCH_MIN_DELAY:-1}
MAX_DELAY=${BENCH_MAX_DELAY:-4}
BACKUP=${BENCH_BACKUP:-1}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=keikaku_crash_$$
PASSWORD='crash-editor-password-2025'
EXAMPLE=crates/planfile/examples/ichinoseki.json

log() { printf '[crash] %s\n' "$*" >&2; }
die() { printf '[crash] error: %s\n' "$*" >&2; exit 1; }
usage="usage: bench/crash.sh [sqlite|postgres]  (default: both)"

case "${1:-both}" in
  both) backends=(sqlite postgres) ;;
  sqlite | postgres) backends=("$1") ;;
  *) die "$usage" ;;
esac
[ "$#" -le 1 ] || die "$usage"

# 1. Tools: python3 (standard library only); psql for PostgreSQL.
command -v python3 >/dev/null || die "python3 is needed"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' || die "python3 >= 3.9 is needed"
if [[ " ${backends[*]} " == *" postgres "* ]]; then
  command -v psql >/dev/null || die "psql is needed for the PostgreSQL run (apt-get install postgresql-client)"
  psql -X -q -At -d "$PG_URL/postgres" -c 'SELECT 1' >/dev/null 2>&1 ||
    die "PostgreSQL is not reachable at $PG_URL (set BENCH_PG_URL, or run: bench/crash.sh sqlite)"
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
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# 3. Scratch space, reports, and cleanup on any exit (server, PostgreSQL database, temp files).
stamp=$(date +%Y%m%d-%H%M%S)
out=bench/out/crash-$stamp
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keikaku-crash.XXXXXX")
pg_created=0

stop_server() { # the server the driver started last (its pid file), if it still runs
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
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
  for backend in "${backends[@]}"; do stop_server "$tmp/$backend/server.pid"; done
  drop_pg
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if (exec 3<>"/dev/tcp/${ADDR%:*}/${ADDR##*:}") 2>/dev/null; then
  die "$ADDR is already in use; stop what listens there first"
fi

report=$out/report.txt
{
  echo "keikaku crash test, $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "load:    $EDITORS API editors, $KILLS SIGKILLs per backend after ${MIN_DELAY}-${MAX_DELAY}s each, seed $SEED (repeat with BENCH_SEED=$SEED)"
  echo
} | tee "$report"

# 4. One backend: fresh database, example plan, editors, the run with its kills, the checks.
run_backend() {
  local backend=$1 url dir started check_rc db_arg sqlite_arg backup_args
  started=$(date +%s.%N)
  dir=$tmp/$backend
  mkdir -p "$dir"
  if [ "$backend" = sqlite ]; then
    url="sqlite://$dir/keikaku.db"
    db_arg=(--sqlite "$dir/keikaku.db")
    sqlite_arg=(--sqlite "$dir/keikaku.db")
  else
    psql -X -q -d "$PG_URL/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null
    pg_created=1
    url="$PG_URL/$PG_DB"
    db_arg=(--postgres "$url")
    sqlite_arg=()
  fi
  log "[$backend] database $url"
  KEIKAKU_LOG=warn "$bin" import "$EXAMPLE" --database "$url" >/dev/null
  for n in $(seq -f '%02g' 1 "$EDITORS"); do
    printf '%s\n' "$PASSWORD" | KEIKAKU_LOG=warn "$bin" user add "crash-editor-$n" \
      --name "耐障害試験$n" --department 企画課 --role planning_office --password-stdin \
      --database "$url" >/dev/null
  done
  log "[$backend] imported the example and added $EDITORS planning-office users"
  backup_args=()
  if [ "$BACKUP" = 1 ]; then
    backup_args=(--backup "$dir/backup.json" --backup-round $(((KILLS + 1) / 2)))
  fi

  python3 bench/crash.py run --bin "$bin" --database "$url" "${sqlite_arg[@]}" --addr "$ADDR" \
    --password "$PASSWORD" --editors "$EDITORS" --kills "$KILLS" --seed "$SEED" \
    --min-delay "$MIN_DELAY" --max-delay "$MAX_DELAY" "${backup_args[@]}" \
    --server-log "$dir/server.log" --pidfile "$dir/server.pid" --out "$dir/results.json"

  check_rc=0
  python3 bench/crash.py check --backend "$backend" --bin "$bin" --database "$url" "${db_arg[@]}" \
    --results "$dir/results.json" --server-log "$dir/server.log" --kills "$KILLS" \
    "${backup_args[@]}" --restore-db "$dir/restored.db" --started "$started" \
    --summary "$dir/summary.json" >"$dir/report.txt" || check_rc=$?
  { cat "$dir/report.txt"; echo; } | tee -a "$report"
  [ "$backend" = postgres ] && drop_pg
  for f in server.log results.json summary.json; do cp "$dir/$f" "$out/$backend-$f"; done
  summaries+=("$dir/summary.json")
  [ "$check_rc" = 0 ] || failed+=("$backend")
}

# A fault in the setup (import, server start, sign-in, a restart that never answers) stops the
# script at once (set -e); a failed check is recorded and the next backend still runs.
failed=()
summaries=()
for backend in "${backends[@]}"; do
  run_backend "$backend"
done

python3 bench/crash.py table "${summaries[@]}" | tee -a "$report"
if [ "${#failed[@]}" -eq 0 ]; then
  echo "overall: PASS (${backends[*]}; seed $SEED)" | tee -a "$report"
else
  echo "overall: FAIL (${failed[*]}; seed $SEED)" | tee -a "$report"
fi
log "report, server logs and per-PUT results in $out/"
[ "${#failed[@]}" -eq 0 ]
