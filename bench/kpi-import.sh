#!/usr/bin/env bash
# Benchmark of the KPI sheet import: an XLSX of 5,000 indicators x 10 fiscal years in the
# export layout, read (1) by calamine alone, every cell, (2) by keikaku_sheets::kpi::read_values
# (header, keys, year columns, every value checked), (3) by Python's openpyxl (read_only=True),
# and (4) the whole import through `keikaku kpi import` into SQLite.
# A benchmark, not a test: it prints the figures and the ratios and exits 0.
#
# Environment:
#   BENCH_RUNS     openpyxl runs, the fastest is kept (default 3; the Rust side keeps the fastest of 5)
#   BENCH_PYTHON   the Python to make the venv with (default python3)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
RUNS=${BENCH_RUNS:-3}
PYTHON=${BENCH_PYTHON:-python3}
target="$root/target/bench-kpi-import"
venv="$root/target/bench-venv"
out="$root/bench/out"
mkdir -p "$out"
xlsx="$out/kpi-import-5000x10.xlsx"

log() { printf '[bench] %s\n' "$*" >&2; }

# 1. The Rust program, in release (a workspace of its own, excluded from the product's).
log "building bench/kpi-import (release)"
cargo build --release --locked --quiet \
    --manifest-path "$root/bench/kpi-import/Cargo.toml" --target-dir "$target"

# 2. Generate the file; time calamine and read_values on it.
log "generating $xlsx and timing calamine and read_values"
rust=$("$target/release/kpi-import-bench" "$xlsx")
printf '%s\n' "$rust" | sed 's/^/  /' >&2
get() { printf '%s\n' "$rust" | sed -n "s/^$1=//p"; }
calamine_ms=$(get calamine_ms)
keikaku_ms=$(get keikaku_ms)

# 3. openpyxl, in a venv under target/ (installed with pip when missing).
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import openpyxl' 2>/dev/null; then
    log "installing openpyxl into $venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check openpyxl
fi
log "timing openpyxl (read_only=True), fastest of $RUNS"
openpyxl_ms=$("$venv/bin/python" - "$xlsx" "$RUNS" <<'PY'
import sys, time
import openpyxl
path, runs = sys.argv[1], int(sys.argv[2])
best = None
for _ in range(runs):
    start = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    cells = sum(1 for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    wb.close()
    elapsed = (time.perf_counter() - start) * 1e3
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.1f}")
print(f"openpyxl read {cells} cells", file=sys.stderr)
PY
)

# 4. The full import through the keikaku CLI (parse + validate + store, SQLite): a plan of
#    5,000 KPIs with the sheet's keys, imported into a fresh database per run; the time of
#    `keikaku kpi import` (process start, reading the plan, matching, storing 50,000 cells in
#    one transaction), fastest of $RUNS.
log "building keikaku (release)"
cargo build --release --locked --quiet -p keikaku
bin="$root/target/release/keikaku"
plan="$out/kpi-plan-5000.json"
"$PYTHON" "$root/bench/kpi_plan.py" "$plan"
# 5. The floor of storing: Python's sqlite3 (a C loop, executemany) writing the same 50,000
#    cells into the same schema (a fresh keikaku database with the plan) in one transaction,
#    fastest of $RUNS — what SQLite alone costs here, whatever writes to it.
store_ms=""
for _ in $(seq "$RUNS"); do
    scratch=$(mktemp -d)
    KEIKAKU_LOG=warn "$bin" --database "sqlite://$scratch/bench.db" import "$plan" >/dev/null
    ms=$("$PYTHON" - "$scratch/bench.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA foreign_keys=ON")
db.execute("PRAGMA synchronous=NORMAL")
rows = [("01100", "bench-senryaku", f"kpi-{i:05d}", y, None, f"{100 + y - 2015}.5", "provisional", "",
         "cli", 1764806400000, 1) for i in range(5000) for y in range(2015, 2025)]
start = time.perf_counter()
db.execute("BEGIN IMMEDIATE")
db.executemany(
    "INSERT INTO kpi_value (municipality_code, plan_id, indicator_id, fiscal_year, target_value, "
    "actual_value, state, note, entered_by, entered_at_millis, version) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (municipality_code, plan_id, indicator_id, fiscal_year) DO UPDATE SET "
    "actual_value = excluded.actual_value, version = excluded.version", rows)
db.execute("COMMIT")
print(round((time.perf_counter() - start) * 1e3))
PY
)
    rm -rf "$scratch"
    if [ -z "$store_ms" ] || [ "$ms" -lt "$store_ms" ]; then store_ms=$ms; fi
done

cli_ms=""
for _ in $(seq "$RUNS"); do
    scratch=$(mktemp -d)
    KEIKAKU_LOG=warn "$bin" --database "sqlite://$scratch/bench.db" import "$plan" >/dev/null
    start=$(date +%s%N)
    KEIKAKU_LOG=warn "$bin" --database "sqlite://$scratch/bench.db" kpi import "$xlsx" --plan bench-senryaku >/dev/null
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    rm -rf "$scratch"
    if [ -z "$cli_ms" ] || [ "$ms" -lt "$cli_ms" ]; then cli_ms=$ms; fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
report="$out/kpi-import-$(date +%Y%m%d-%H%M%S).txt"
{
    echo "KPI sheet import: 5,000 indicators x 10 fiscal years ($(get bytes) bytes, $(get cells) cells, $(get values) values)"
    echo "commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, $(date -u +%FT%TZ)"
    echo
    printf '  %-40s %10s ms\n' "calamine, every cell" "$calamine_ms"
    printf '  %-40s %10s ms\n' "keikaku_sheets::kpi::read_values" "$keikaku_ms"
    printf '  %-40s %10s ms\n' "openpyxl read_only=True, every cell" "$openpyxl_ms"
    printf '  %-40s %10s ms\n' "sqlite3 storing the 50,000 cells (C)" "$store_ms"
    if [ -n "$cli_ms" ]; then printf '  %-40s %10s ms\n' "keikaku CLI import" "$cli_ms"; fi
    echo
    echo "  keikaku / calamine = $(ratio "$keikaku_ms" "$calamine_ms")   (the cost of reading values over reading cells)"
    echo "  openpyxl / keikaku = $(ratio "$openpyxl_ms" "$keikaku_ms")   (how many times faster than openpyxl)"
    echo "  CLI import / calamine = $(ratio "$cli_ms" "$calamine_ms")   (target ≤ 1.5: the whole import against a plain read)"
    echo "  openpyxl / CLI import = $(ratio "$openpyxl_ms" "$cli_ms")   (target ≥ 10)"
    echo "  sqlite3 store / calamine = $(ratio "$store_ms" "$calamine_ms")   (storing alone, at its floor, against the plain read)"
    echo "  CLI import / (calamine + sqlite3 store) = $(ratio "$cli_ms" "$((${calamine_ms%.*} + store_ms))")   (the import against reading plus storing at their floors)"
} | tee "$report"
log "report written to $report"
