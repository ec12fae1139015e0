//! What a scenario's projection reads: its base census with 年齢不詳 spread pro rata, and its
//! assumptions — its own, or another scenario's changed by its rule — as the projection's
//! [`Input`], with the fingerprint that tells a stored result whether it is still current.

use keikaku_domain::population::{Assumptions, Basis, BySex, Derivation, Scenario};
use keikaku_planfile::FileProblem;
use keikaku_projection::scenario::{FertilityPath, fertility, scaled_migration, zero_migration};
use keikaku_projection::{Cohorts, Input, Rates};
use keikaku_storage::PopulationData;
use sha2::{Digest, Sha256};

/// A scenario ready to project.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The projection's input.
    pub input: Input,
    /// What a reader of the result must know (年齢不詳 spread, the rule of a derivation, a
    /// sample base population).
    pub notes: Vec<String>,
    /// The fingerprint of the input (SHA-256 of every number's bits, in a fixed order).
    pub hash: String,
}

fn cohorts(c: &BySex<f64>) -> Cohorts {
    Cohorts {
        male: c.male,
        female: c.female,
    }
}

fn rates<T: Clone, U>(list: &[T], steps: usize, f: impl Fn(&T) -> U) -> Rates<U> {
    match list {
        [one] => Rates::Constant(f(one)),
        many => Rates::PerStep(many.iter().take(steps.max(1)).map(f).collect()),
    }
}

fn problem(path: &str, message: String) -> FileProblem {
    FileProblem {
        path: path.to_owned(),
        message,
    }
}

/// The projection's assumptions of a scenario's own ones, for `steps` steps (a per-step list
/// longer than that is cut to it).
pub(crate) fn assumptions(a: &Assumptions, steps: usize) -> keikaku_projection::Assumptions {
    keikaku_projection::Assumptions {
        survival: rates(&a.survival, steps, cohorts),
        migration: rates(&a.migration, steps, cohorts),
        child_woman_ratio: rates(&a.child_woman_ratio, steps, |v| *v),
        sex_ratio: a.sex_ratio,
    }
}

/// The input of a scenario, or every reason it cannot be projected (no base census, the
/// scenario it is derived from missing or too short, a number the projection refuses), each
/// by the field of the scenario whose assumptions hold it.
pub fn resolve(data: &PopulationData, s: &Scenario) -> Result<Resolved, Vec<FileProblem>> {
    let mut problems: Vec<FileProblem> = s
        .problems()
        .into_iter()
        .map(|p| problem(&p.field, p.message))
        .collect();
    let census = data.census(s.base_year);
    if census.is_none() {
        problems.push(problem(
            "base_year",
            format!(
                "基準年 {}年の人口（男女・年齢階級別）が登録されていません。",
                s.base_year
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let steps = s.steps();
    let mut notes = Vec::new();
    let (own, prefix) = match &s.basis {
        Basis::Assumed(a) => (a, String::new()),
        Basis::Derived { from, rule } => {
            let Some(parent) = data.scenario(from) else {
                return Err(vec![problem(
                    "from",
                    format!("導くもとの推計「{from}」がありません。"),
                )]);
            };
            let Basis::Assumed(a) = &parent.scenario.basis else {
                return Err(vec![problem(
                    "from",
                    format!(
                        "推計「{}」はそれ自体がほかの推計から導かれているため、そこから導くことはできません。",
                        parent.scenario.name
                    ),
                )]);
            };
            notes.push(rule.rule(&parent.scenario.name));
            let short = [
                a.survival.len(),
                a.migration.len(),
                a.child_woman_ratio.len(),
            ]
            .into_iter()
            .any(|n| n != 1 && n < steps);
            if short {
                return Err(vec![problem(
                    "horizon",
                    format!(
                        "「{}」の前提は{}年までのため、{}年までは推計できません。",
                        parent.scenario.name, parent.scenario.horizon, s.horizon
                    ),
                )]);
            }
            (a, format!("「{}」の前提: ", parent.scenario.name))
        }
    };
    let base = assumptions(own, steps);
    let assumptions = match &s.basis {
        Basis::Assumed(_) => base,
        Basis::Derived { rule, .. } => match rule {
            Derivation::ZeroMigration => zero_migration(&base),
            Derivation::ScaledMigration { factor } => scaled_migration(&base, *factor),
            Derivation::Fertility { base_tfr, points } => fertility(
                &base,
                s.base_year,
                steps,
                &FertilityPath {
                    base: *base_tfr,
                    points: points.clone(),
                },
            ),
        },
    };
    let Some(census) = census else {
        return Err(Vec::new());
    };
    let c = &census.census;
    if let Some(note) = c.distribution_note() {
        notes.insert(0, note);
    }
    if c.sample {
        notes.push(format!(
            "{}年の男女・年齢階級別人口はサンプル（実際の統計ではない値）です。",
            c.year
        ));
    }
    let input = Input {
        base_year: s.base_year,
        steps,
        population: cohorts(&c.distributed()),
        assumptions,
    };
    let found = input.problems();
    if !found.is_empty() {
        return Err(found
            .into_iter()
            .map(|p| FileProblem {
                message: format!("{prefix}{}", p.message),
                path: p.path,
            })
            .collect());
    }
    let hash = fingerprint(&input);
    Ok(Resolved { input, notes, hash })
}

/// SHA-256 over the input's numbers: base year, steps, the population, then each step's
/// survival, migration and child–woman ratio as the projection uses them, then the sex ratio;
/// each number as its IEEE 754 bits, little-endian.
pub(crate) fn fingerprint(input: &Input) -> String {
    let mut h = Sha256::new();
    h.update(input.base_year.to_le_bytes());
    h.update((input.steps as u64).to_le_bytes());
    fn cells(h: &mut Sha256, c: &Cohorts) {
        for v in c.male.iter().chain(c.female.iter()) {
            h.update(v.to_bits().to_le_bytes());
        }
    }
    cells(&mut h, &input.population);
    let a = &input.assumptions;
    for k in 0..input.steps {
        if let Some(s) = a.survival.at(k) {
            cells(&mut h, s);
        }
        if let Some(m) = a.migration.at(k) {
            cells(&mut h, m);
        }
    }
    for k in 0..input.steps {
        if let Some(c) = a.child_woman_ratio.at(k) {
            h.update(c.to_bits().to_le_bytes());
        }
    }
    h.update(a.sex_ratio.to_bits().to_le_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
