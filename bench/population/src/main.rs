//! Benchmark of the population projection: synthetic inputs for 1,741 municipalities, each in
//! four scenarios (its own assumptions, 移動均衡, migration halved, a fertility path — derived
//! by `keikaku_projection::scenario`, as the app derives them), projected nine five-year steps
//! by `keikaku_projection::project`, the function the app and `keikaku population project`
//! call. The inputs and the results are written as raw little-endian binary64 for
//! bench/population_numpy.py, which projects the same inputs with NumPy and compares.
//!
//! Usage: `population-bench OUT_DIR [RUNS]`. Prints `key=value` lines for bench/population.sh.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use keikaku_projection::scenario::{FertilityPath, fertility, scaled_migration, zero_migration};
use keikaku_projection::{Assumptions, Cohorts, GROUPS, Input, Rates, Step, project, project_into};

/// The keikaku binary's allocator (see crates/keikaku/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MUNICIPALITIES: usize = 1_741;
const STEPS: usize = 9;
const BASE_YEAR: i32 = 2020;
const SEED: u64 = 20_251_207;

/// A small deterministic generator, so that every run projects the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        // 53 random bits: exactly representable.
        self.next() as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }
}

/// The survival ratio of a group, roughly as in Japanese life tables: near 1 when young,
/// falling after 60, the 90+ keeping well under half.
fn survival(rng: &mut Lcg, group: usize, female: bool) -> f64 {
    let base = match group {
        0..=11 => 0.998 - 0.0008 * group as f64,
        12..=15 => 0.985 - 0.02 * (group - 11) as f64,
        16 => 0.85,
        17 => 0.7,
        _ => 0.42,
    };
    let bonus = if female { 0.4 * (1.0 - base) } else { 0.0 };
    (base + bonus + rng.between(-0.004, 0.004)).min(0.9995)
}

/// One municipality's own assumptions and base population.
fn municipality(rng: &mut Lcg) -> (Cohorts, Assumptions) {
    // Totals spread like Japan's municipalities': a median of about 24,000, a few hundred
    // people to a few million (log-normal; about 110 million in all).
    let normal =
        (-2.0 * (1.0 - rng.unit()).ln()).sqrt() * (std::f64::consts::TAU * rng.unit()).cos();
    let total = (24_000f64.ln() + 1.4 * normal).exp().clamp(200.0, 3.8e6);
    let mut population = Cohorts::ZERO;
    let mut s = Cohorts::ZERO;
    let mut m = Cohorts::ZERO;
    for a in 0..GROUPS {
        let ageing = 0.6 + 0.8 * (a as f64 / GROUPS as f64);
        let share = if a == GROUPS - 1 { 0.35 } else { ageing };
        population.male[a] = total / 38.0 * share * rng.between(0.7, 1.3);
        population.female[a] = total / 38.0 * share * rng.between(0.75, 1.35);
        s.male[a] = survival(rng, a, false);
        s.female[a] = survival(rng, a, true);
        // Young adults leave (or arrive) the most.
        let spread = if (3..=6).contains(&a) { 0.15 } else { 0.03 };
        m.male[a] = rng.between(-spread, spread * 0.6);
        m.female[a] = rng.between(-spread, spread * 0.6);
    }
    let start = rng.between(0.17, 0.24);
    let drift = rng.between(-0.004, 0.002);
    let cwr = (0..STEPS).map(|k| start + drift * k as f64).collect();
    let assumptions = Assumptions {
        survival: Rates::Constant(s),
        migration: Rates::Constant(m),
        child_woman_ratio: Rates::PerStep(cwr),
        sex_ratio: rng.between(103.0, 107.0),
    };
    (population, assumptions)
}

/// Every input: per municipality its own assumptions, zero migration, migration halved and a
/// fertility path, in that order.
fn inputs() -> Vec<Input> {
    let mut rng = Lcg(SEED);
    let path = FertilityPath {
        base: 1.45,
        points: vec![(2030, 1.6), (2040, 1.8), (2050, 2.07)],
    };
    let mut out = Vec::with_capacity(MUNICIPALITIES * 4);
    for _ in 0..MUNICIPALITIES {
        let (population, own) = municipality(&mut rng);
        let scenarios = [
            zero_migration(&own),
            scaled_migration(&own, 0.5),
            fertility(&own, BASE_YEAR, STEPS, &path),
        ];
        for assumptions in std::iter::once(own).chain(scenarios) {
            out.push(Input {
                base_year: BASE_YEAR,
                steps: STEPS,
                population,
                assumptions,
            });
        }
    }
    out
}

fn constant(rates: &Rates<Cohorts>) -> &Cohorts {
    match rates {
        Rates::Constant(c) => c,
        Rates::PerStep(_) => panic!("the benchmark's rates are the same in every step"),
    }
}

fn push_cohorts(out: &mut Vec<f64>, c: &Cohorts) {
    out.extend_from_slice(&c.male);
    out.extend_from_slice(&c.female);
}

fn write_f64(dir: &Path, name: &str, values: &[f64]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The inputs as arrays: population, survival and migration `[n][2][19]`, the child–woman
/// ratio `[n][9]`, the sex ratio `[n]`.
fn write_inputs(dir: &Path, inputs: &[Input]) {
    let (mut pop, mut s, mut m, mut cwr, mut sr) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in inputs {
        let a = &i.assumptions;
        push_cohorts(&mut pop, &i.population);
        push_cohorts(&mut s, constant(&a.survival));
        push_cohorts(&mut m, constant(&a.migration));
        cwr.extend((0..STEPS).map(|k| *a.child_woman_ratio.at(k).unwrap()));
        sr.push(a.sex_ratio);
    }
    write_f64(dir, "pop.f64", &pop);
    write_f64(dir, "survival.f64", &s);
    write_f64(dir, "migration.f64", &m);
    write_f64(dir, "cwr.f64", &cwr);
    write_f64(dir, "sex_ratio.f64", &sr);
}

/// The results as arrays: the population `[n][10][2][19]` (the timed run's, which must be the
/// same as the results') and the totals `[n][10]`.
fn write_results(dir: &Path, results: &[Vec<Step>], flat: &[f64]) {
    let mut cells = Vec::with_capacity(flat.len());
    let mut totals = Vec::with_capacity(results.len() * (STEPS + 1));
    for steps in results {
        for s in steps {
            push_cohorts(&mut cells, &s.population);
            totals.push(s.total());
        }
    }
    let same = cells.len() == flat.len()
        && cells
            .iter()
            .zip(flat)
            .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(same, "the timed runs gave other results than project");
    write_f64(dir, "keikaku.f64", &cells);
    write_f64(dir, "keikaku-total.f64", &totals);
}

/// Every run's time, sorted, after one run to warm up. The previous run's result is dropped
/// before the next starts (as bench/population_numpy.py does), so each run finds the
/// allocator as the last one left it.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = Some(black_box(f()));
    for _ in 0..runs {
        drop(last.take());
        let start = Instant::now();
        let r = black_box(f());
        times.push(start.elapsed());
        last = Some(r);
    }
    times.sort();
    (times, last.unwrap())
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: population-bench OUT_DIR [RUNS]");
    let runs: usize = args.next().map_or(15, |r| r.parse().unwrap());
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();

    let start = Instant::now();
    let inputs = inputs();
    let generate = start.elapsed();
    write_inputs(dir, &inputs);

    // Every projection through `project_into` (what `project`, the app and the command line
    // run, the input checked first), the results appended to one buffer allocated once — as
    // the NumPy side fills one result array. Timed until every result exists.
    let (projected, all) = time(runs, || {
        let mut all: Vec<Step> = Vec::with_capacity(inputs.len() * (STEPS + 1));
        for i in black_box(&inputs) {
            project_into(i, &mut all).unwrap();
        }
        all
    });
    // For reference: `project`, each result its own `Vec` kept.
    let (own, results) = time(runs, || {
        black_box(&inputs)
            .iter()
            .map(|i| project(i).unwrap())
            .collect::<Vec<Vec<Step>>>()
    });
    let mut flat = Vec::with_capacity(inputs.len() * (STEPS + 1) * 2 * GROUPS);
    for s in &all {
        push_cohorts(&mut flat, &s.population);
    }
    // The checks alone, for reference.
    let (checked, _) = time(runs, || {
        black_box(&inputs)
            .iter()
            .map(|i| i.problems().len())
            .sum::<usize>()
    });
    // The timed results, with their totals as `Step::total` gives them, checked to be the
    // same as `project`'s.
    write_results(dir, &results, &flat);

    println!("dir={}", dir.display());
    println!("municipalities={MUNICIPALITIES}");
    println!("scenarios=4");
    println!("steps={STEPS}");
    println!("projections={}", inputs.len());
    println!("seed={SEED}");
    println!("runs={runs}");
    println!("generate_ms={}", ms(generate));
    println!("keikaku_best_ms={}", ms(projected[0]));
    println!("keikaku_median_ms={}", ms(projected[runs / 2]));
    println!("own_best_ms={}", ms(own[0]));
    println!("own_median_ms={}", ms(own[runs / 2]));
    println!("checks_best_ms={}", ms(checked[0]));
    println!("checks_median_ms={}", ms(checked[runs / 2]));
}
