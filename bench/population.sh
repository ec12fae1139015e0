#!/usr/bin/env bash
# Benchmark of the population projection: 1,741 municipalities x 4 scenarios x 9 five-year
# steps from synthetic data (a fixed seed), projected (1) by keikaku_projection::project, the
# function the app and `keikaku population project` call, and (2) by a NumPy vectorised
# implementation of the same formulas on the same data (bench/population_numpy.py). Only the
# projection is timed in both (no file IO); the results are compared cell by cell.
# Targets: keikaku's time <= 1 x NumPy's; results equal within 1e-9 relative.
#
# Environment:
#   BENCH_RUNS     repetitions of each side, the best and the median are reported and the
#                  best is judged (default 15)
#   BENCH_PYTHON   the Python to make the venv with (default python3)
#   BENCH_STRICT   1: exit 1 when a target is missed (default: exit 0 whatever the verdict)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
RUNS=${BENCH_RUNS:-15}
PYTHON=${BENCH_PYTHON:-python3}
target="$root/target/bench-population"
venv="$target/venv"
out="$root/bench/out"
data="$out/population"
mkdir -p "$out" "$data"

log() { printf '[bench] %s\n' "$*" >&2; }

# 1. The Rust program, in release (a workspace of its own, excluded from the product's).
log "building bench/population (release)"
cargo build --release --locked --quiet \
    --manifest-path "$root/bench/population/Cargo.toml" --target-dir "$target"

# 2. NumPy, in a venv of this benchmark (installed with pip when missing).
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
    log "installing numpy into $venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check numpy
fi

# 3. Generate the inputs, project them with keikaku (best and median of $RUNS), write both.
log "generating the inputs and timing keikaku_projection::project, $RUNS runs"
rust=$("$target/release/population-bench" "$data" "$RUNS")
printf '%s\n' "$rust" | sed 's/^/  /' >&2
get() { printf '%s\n' "$rust" | sed -n "s/^$1=//p"; }

# 4. The same inputs through NumPy, timed the same way, and the comparison.
log "timing NumPy, $RUNS runs, and comparing"
py=$("$venv/bin/python" "$root/bench/population_numpy.py" "$data" "$(get steps)" "$RUNS")
printf '%s\n' "$py" | sed 's/^/  /' >&2
pyget() { printf '%s\n' "$py" | sed -n "s/^$1=//p"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
verdict() { if awk -v x="$1" -v t="$2" 'BEGIN { exit !(x <= t) }'; then echo PASS; else echo FAIL; fi; }
best_ratio=$(ratio "$(get keikaku_best_ms)" "$(pyget numpy_best_ms)")
median_ratio=$(ratio "$(get keikaku_median_ms)" "$(pyget numpy_median_ms)")
max_rel=$(pyget max_rel_diff)
max_rel_totals=$(pyget max_rel_diff_totals)
speed=$(verdict "$best_ratio" 1)
equal=$(verdict "$max_rel" 1e-9)
sums=$(verdict "$max_rel_totals" 1e-9)
overall=PASS
for v in "$speed" "$equal" "$sums"; do [ "$v" = PASS ] || overall=FAIL; done

report="$out/population-$(date +%Y%m%d-%H%M%S).txt"
{
    echo "Population projection: $(get municipalities) municipalities x $(get scenarios) scenarios x $(get steps) steps = $(get projections) projections"
    echo "synthetic data, seed $(get seed); commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
    echo "NumPy $(pyget numpy_version), $("$venv/bin/python" -c 'import platform; print(platform.python_version())') ; $RUNS runs each, projection only (no file IO)"
    echo
    printf '  %-52s %10s ms %10s ms\n' "" "best" "median"
    printf '  %-52s %10s ms %10s ms\n' "keikaku project_into, every result in one buffer" "$(get keikaku_best_ms)" "$(get keikaku_median_ms)"
    printf '  %-52s %10s ms %10s ms\n' "  project, each result in a Vec of its own (reference)" "$(get own_best_ms)" "$(get own_median_ms)"
    printf '  %-52s %10s ms %10s ms\n' "  of which Input::problems (the checks)" "$(get checks_best_ms)" "$(get checks_median_ms)"
    printf '  %-52s %10s ms %10s ms\n' "NumPy, inputs innermost [2][19][n]" "$(pyget numpy_best_ms)" "$(pyget numpy_median_ms)"
    printf '  %-52s %10s ms %10s ms\n' "NumPy, the inputs' layout [n][2][19] (reference)" "$(pyget numpy_natural_best_ms)" "$(pyget numpy_natural_median_ms)"
    echo
    echo "  keikaku / NumPy = $best_ratio (best), $median_ratio (median); against the [n][2][19] layout $(ratio "$(get keikaku_best_ms)" "$(pyget numpy_natural_best_ms)") (best)"
    echo "  cells bit-identical: $(pyget identical_cells) of $(pyget cells) ([n][2][19] layout: $(pyget identical_cells_natural)); totals: $(pyget identical_totals) of $(pyget totals)"
    echo "  max relative difference: cells $max_rel (at $(pyget max_rel_diff_at)), [n][2][19] layout $(pyget max_rel_diff_natural), totals $max_rel_totals"
    echo "  base population of the synthetic municipalities: $(pyget base_population)"
    echo
    echo "  $speed  keikaku time <= 1 x NumPy's (best of $RUNS: ratio $best_ratio)"
    echo "  $equal  cells equal within 1e-9 relative (max $max_rel)"
    echo "  $sums  totals equal within 1e-9 relative (max $max_rel_totals)"
    echo "  overall: $overall"
} | tee "$report"
log "report written to $report"
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$overall" != PASS ]; then exit 1; fi
