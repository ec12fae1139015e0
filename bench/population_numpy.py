"""The population projection vectorised with NumPy, for bench/population.sh.

Reads the inputs bench/population wrote (raw little-endian binary64: population, survival and
migration [n][2][19], the child-woman ratio [n][steps], the sex ratio [n]), projects every input
at once with the formulas of docs/population.md in the same order of operations as
keikaku_projection::step, times it (the projection only, no file IO), and compares the result
with keikaku's (keikaku.f64 [n][steps+1][2][19], keikaku-total.f64 [n][steps+1]).

Two layouts are timed: the inputs innermost ([2][19][n], every operation over n contiguous
numbers; the one the target is judged against, as the faster), and the inputs' own [n][2][19]
(each operation over a strided column; for reference).

Usage: population_numpy.py DIR STEPS RUNS. Prints key=value lines.
"""

import sys
import time

import numpy as np

GROUPS = 19
OPEN = GROUPS - 1
MOTHERS = range(3, 10)  # women aged 15-49


def load(directory, name, shape):
    return np.fromfile(f"{directory}/{name}", dtype="<f8").reshape(shape)


def project_inner(pop, survival, migration, cwr, sex_ratio, steps):
    """Every input at once, the inputs innermost: pop, survival and migration [2][19][n], cwr
    [steps][n], sex ratio [n]; the result out[k][sex][group][n] for the base year and each
    step."""
    n = pop.shape[-1]
    out = np.empty((steps + 1, 2, GROUPS, n))
    out[0] = pop
    # S + M once: the rates are the same in every step (the sum first, then the product, as
    # keikaku does it; the sum is the same number whenever it is added).
    rate = survival + migration
    denominator = 100.0 + sex_ratio
    for k in range(steps):
        now = out[k]
        new = out[k + 1]
        # Ages 5+: new[a+1] = p[a] * (S[a] + M[a]); the open group adds its own survivors.
        np.multiply(now[:, : OPEN - 1], rate[:, : OPEN - 1], out=new[:, 1:OPEN])
        np.add(now[:, OPEN - 1] * rate[:, OPEN - 1], now[:, OPEN] * rate[:, OPEN], out=new[:, OPEN])
        # Births: CWR * the women aged 15-49 at the end of the step, added in index order.
        women = new[1, 3] + new[1, 4]
        for a in MOTHERS[2:]:
            women += new[1, a]
        births = cwr[k] * women
        # Boys B * SR / (100 + SR), girls B * 100 / (100 + SR): the product, then the quotient.
        np.divide(births * sex_ratio, denominator, out=new[0, 0])
        np.divide(births * 100.0, denominator, out=new[1, 0])
    return out


def project_natural(pop, survival, migration, cwr, sex_ratio, steps):
    """The same in the inputs' own layout: pop, survival and migration [n][2][19], cwr
    [n][steps]; the result out[n][k][sex][group]."""
    n = pop.shape[0]
    out = np.empty((n, steps + 1, 2, GROUPS))
    out[:, 0] = pop
    rate = survival + migration
    denominator = 100.0 + sex_ratio
    for k in range(steps):
        now = out[:, k]
        new = out[:, k + 1]
        np.multiply(now[:, :, : OPEN - 1], rate[:, :, : OPEN - 1], out=new[:, :, 1:OPEN])
        np.add(
            now[:, :, OPEN - 1] * rate[:, :, OPEN - 1],
            now[:, :, OPEN] * rate[:, :, OPEN],
            out=new[:, :, OPEN],
        )
        women = new[:, 1, 3] + new[:, 1, 4]
        for a in MOTHERS[2:]:
            women += new[:, 1, a]
        births = cwr[:, k] * women
        np.divide(births * sex_ratio, denominator, out=new[:, 0, 0])
        np.divide(births * 100.0, denominator, out=new[:, 1, 0])
    return out


def timed(runs, project):
    """Every run's time in ms, sorted, after one run to warm up, and the last result. The
    previous result is freed before the next run starts, as on the Rust side."""
    out = project()
    times = []
    for _ in range(runs):
        out = None
        start = time.perf_counter()
        out = project()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times, out


def totals(out):
    """Men summed in index order, then women, then the two (as keikaku's Cohorts::total);
    out is [n][steps+1][2][19]."""
    men = out[:, :, 0, 0].copy()
    women = out[:, :, 1, 0].copy()
    for a in range(1, GROUPS):
        men += out[:, :, 0, a]
        women += out[:, :, 1, a]
    return men + women


def relative_difference(a, b):
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    return np.where(scale > 0, diff / np.where(scale > 0, scale, 1.0), 0.0)


def inner(a):
    """The first axis (the inputs) moved innermost, contiguous."""
    return np.ascontiguousarray(np.moveaxis(a, 0, -1))


def main():
    directory, steps, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sex_ratio = np.fromfile(f"{directory}/sex_ratio.f64", dtype="<f8")
    n = sex_ratio.shape[0]
    pop = load(directory, "pop.f64", (n, 2, GROUPS))
    survival = load(directory, "survival.f64", (n, 2, GROUPS))
    migration = load(directory, "migration.f64", (n, 2, GROUPS))
    cwr = load(directory, "cwr.f64", (n, steps))

    # The inputs innermost, laid out before timing (a choice of layout, not projection work).
    args = (inner(pop), inner(survival), inner(migration), inner(cwr), sex_ratio, steps)
    inner_times, out = timed(runs, lambda: project_inner(*args))
    out = np.ascontiguousarray(np.moveaxis(out, -1, 0))  # back to [n][steps+1][2][19]
    natural_times, natural = timed(
        runs, lambda: project_natural(pop, survival, migration, cwr, sex_ratio, steps)
    )
    total = totals(out)

    keikaku = load(directory, "keikaku.f64", (n, steps + 1, 2, GROUPS))
    keikaku_total = load(directory, "keikaku-total.f64", (n, steps + 1))
    cells = relative_difference(keikaku, out)
    sums = relative_difference(keikaku_total, total)
    worst = np.unravel_index(np.argmax(cells), cells.shape)
    same_bits = lambda a, b: int(np.sum(a.view(np.uint64) == b.view(np.uint64)))

    print(f"numpy_version={np.__version__}")
    print(f"numpy_best_ms={inner_times[0]:.3f}")
    print(f"numpy_median_ms={inner_times[len(inner_times) // 2]:.3f}")
    print(f"numpy_natural_best_ms={natural_times[0]:.3f}")
    print(f"numpy_natural_median_ms={natural_times[len(natural_times) // 2]:.3f}")
    print(f"cells={keikaku.size}")
    print(f"identical_cells={same_bits(keikaku, out)}")
    print(f"identical_cells_natural={same_bits(keikaku, natural)}")
    print(f"max_rel_diff={float(cells.max()):.3e}")
    print(f"max_rel_diff_natural={float(relative_difference(keikaku, natural).max()):.3e}")
    print(f"max_rel_diff_at=input {worst[0]} year {worst[1]} sex {'MF'[worst[2]]} group {worst[3]}")
    print(f"totals={keikaku_total.size}")
    print(f"identical_totals={same_bits(keikaku_total, total)}")
    print(f"max_rel_diff_totals={float(sums.max()):.3e}")
    print(f"finite={bool(np.isfinite(out).all() and np.isfinite(keikaku).all())}")
    print(f"base_population={keikaku_total[::4, 0].sum():.0f}")


if __name__ == "__main__":
    main()
