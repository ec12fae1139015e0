#!/usr/bin/env bash
# Benchmark of the KPI sheet import: an XLSX of 5,000 indicators x 10 fiscal years in the
# export layout, read (1) by calamine alone, every cell, (2) by keikaku_sheets::kpi::read_values
# (header, keys, year columns, every value checked), (3) by Python's openpyxl (read_only=True).
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

# 4. The full import through the keikaku CLI (parse + validate + store).
# ---- PLACE FOR THE CLI IMPORT: time `keikaku ... import` of "$xlsx" into a fresh database
# ---- here, set cli_ms, and add its line and ratios to the report below. Not written yet.
cli_ms=""

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
report="$out/kpi-import-$(date +%Y%m%d-%H%M%S).txt"
{
    echo "KPI sheet import: 5,000 indicators x 10 fiscal years ($(get bytes) bytes, $(get cells) cells, $(get values) values)"
    echo "commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, $(date -u +%FT%TZ)"
    echo
    printf '  %-40s %10s ms\n' "calamine, every cell" "$calamine_ms"
    printf '  %-40s %10s ms\n' "keikaku_sheets::kpi::read_values" "$keikaku_ms"
    printf '  %-40s %10s ms\n' "openpyxl read_only=True, every cell" "$openpyxl_ms"
    if [ -n "$cli_ms" ]; then printf '  %-40s %10s ms\n' "keikaku CLI import" "$cli_ms"; fi
    echo
    echo "  keikaku / calamine = $(ratio "$keikaku_ms" "$calamine_ms")   (the cost of reading values over reading cells)"
    echo "  openpyxl / keikaku = $(ratio "$openpyxl_ms" "$keikaku_ms")   (how many times faster than openpyxl)"
} | tee "$report"
log "report written to $report"
