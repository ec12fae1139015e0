//! The population projection of keikaku (人口推計): the cohort-component method on sex × five-year
//! age groups (0–4, 5–9, …, 85–89, 90+), in five-year steps, as the 人口ビジョン uses it.
//! Pure arithmetic: no IO, no async, no serde. `f64` is used on purpose — these are estimates,
//! not money —, and the order of every operation is fixed (see [`project`]), so a result is
//! reproducible to the last bit on any machine that follows IEEE 754.
//!
//! - [`Input`]: the base population ([`Cohorts`]: men and women, 19 groups each), the base
//!   year, the number of steps, and the [`Assumptions`] — survival ratios (生残率) and net
//!   migration rates (純移動率) per sex and group (constant or per step), the child–woman
//!   ratio (子ども女性比, constant or per step) and the 0–4 sex ratio.
//! - [`project`]: the projection, checked first ([`Input::problems`]: every wrong number with
//!   its place).
//! - [`scenario`]: assumptions derived in one action — zero net migration (移動均衡), migration
//!   scaled, a fertility path (合計特殊出生率 per year, applied by scaling the child–woman
//!   ratio).
//! - [`Summary`]: totals and the three age groups (0–14, 15–64, 65+) with their shares.
//!
//! ```
//! use keikaku_projection::{Assumptions, Cohorts, Input, Rates, project};
//!
//! let flat = Cohorts { male: [100.0; 19], female: [100.0; 19] };
//! let input = Input {
//!     base_year: 2015,
//!     steps: 1,
//!     population: flat,
//!     assumptions: Assumptions {
//!         survival: Rates::Constant(Cohorts { male: [1.0; 19], female: [1.0; 19] }),
//!         migration: Rates::Constant(Cohorts { male: [0.0; 19], female: [0.0; 19] }),
//!         child_woman_ratio: Rates::Constant(0.2),
//!         sex_ratio: 105.0,
//!     },
//! };
//! let steps = project(&input).unwrap();
//! assert_eq!(steps[1].year, 2020);
//! // Births: 0.2 × the 700 women aged 15–49 five years later, 105 boys to 100 girls.
//! assert!((steps[1].population.male[0] - 140.0 * 105.0 / 205.0).abs() < 1e-12);
//! ```

pub mod scenario;
mod summary;

pub use scenario::FertilityPath;
pub use summary::{AGE_BANDS, AgeBand, Summary};

/// The number of five-year age groups: 0–4 (index 0) … 85–89 (17) and 90+ (18).
pub const GROUPS: usize = 19;

/// The index of the open age group (90+).
pub const OPEN: usize = GROUPS - 1;

/// The women whose children the child–woman ratio counts: ages 15–49 (groups 3 … 9).
pub const MOTHERS: std::ops::RangeInclusive<usize> = 3..=9;

/// The length of a step, in years.
pub const STEP_YEARS: i32 = 5;

/// The label of an age group: 「0〜4歳」 … 「85〜89歳」, 「90歳以上」.
pub fn group_label(index: usize) -> String {
    if index >= OPEN {
        "90歳以上".to_owned()
    } else {
        format!("{}〜{}歳", index * 5, index * 5 + 4)
    }
}

/// A value per sex and age group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cohorts {
    /// Men (男), by age group.
    pub male: [f64; GROUPS],
    /// Women (女), by age group.
    pub female: [f64; GROUPS],
}

impl Cohorts {
    /// Zero everywhere.
    pub const ZERO: Self = Self {
        male: [0.0; GROUPS],
        female: [0.0; GROUPS],
    };

    /// The same value everywhere.
    pub fn filled(value: f64) -> Self {
        Self {
            male: [value; GROUPS],
            female: [value; GROUPS],
        }
    }

    /// Both sexes together, summed in index order, men first.
    pub fn total(&self) -> f64 {
        let men: f64 = self.male.iter().sum();
        let women: f64 = self.female.iter().sum();
        men + women
    }

    /// Every value with its place (`M[3]`, `F[18]`), men first.
    pub fn cells(&self) -> impl Iterator<Item = (char, usize, f64)> + '_ {
        let men = self.male.iter().enumerate().map(|(i, v)| ('M', i, *v));
        let women = self.female.iter().enumerate().map(|(i, v)| ('F', i, *v));
        men.chain(women)
    }

    /// Each value multiplied by a factor.
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            male: self.male.map(|v| v * factor),
            female: self.female.map(|v| v * factor),
        }
    }
}

/// An assumption that is the same in every step, or given per step.
#[derive(Clone, Debug, PartialEq)]
pub enum Rates<T> {
    /// The same in every step.
    Constant(T),
    /// One per step, in order (as many as the projection's steps).
    PerStep(Vec<T>),
}

impl<T> Rates<T> {
    /// The value of step `k` (0-based); `None` past the end of a per-step list.
    pub fn at(&self, k: usize) -> Option<&T> {
        match self {
            Self::Constant(v) => Some(v),
            Self::PerStep(list) => list.get(k),
        }
    }

    /// Whether the value is the same in every step.
    fn is_constant(&self) -> bool {
        matches!(self, Self::Constant(_))
    }

    /// Whether there is a value for each of `steps` steps and no more.
    fn length_is(&self, steps: usize) -> bool {
        match self {
            Self::Constant(_) => true,
            Self::PerStep(list) => list.len() == steps,
        }
    }

    /// Every value given, in order.
    pub fn values(&self) -> Vec<&T> {
        match self {
            Self::Constant(v) => vec![v],
            Self::PerStep(list) => list.iter().collect(),
        }
    }
}

/// The assumptions of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Assumptions {
    /// 生残率: the share of a group still alive five years later (for 90+: of the 90+ now).
    pub survival: Rates<Cohorts>,
    /// 純移動率: net migrants over five years per person of the group at the start of a step.
    pub migration: Rates<Cohorts>,
    /// 子ども女性比: children aged 0–4 per woman aged 15–49, both at the end of a step.
    pub child_woman_ratio: Rates<f64>,
    /// The sex ratio of the 0–4 group: boys per 100 girls.
    pub sex_ratio: f64,
}

/// Everything a projection needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// The year of the base population (a census year).
    pub base_year: i32,
    /// How many five-year steps to project.
    pub steps: usize,
    /// The base population.
    pub population: Cohorts,
    /// The assumptions.
    pub assumptions: Assumptions,
}

/// The population of one year of a projection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// The year.
    pub year: i32,
    /// The population by sex and age group.
    pub population: Cohorts,
}

impl Step {
    /// The total, summed as [`Cohorts::total`] does.
    pub fn total(&self) -> f64 {
        self.population.total()
    }
}

/// A wrong number of an input, with its place as a JSON path below the input
/// (`pop.M[3]`, `survival.F[18]`, `cwr[2]`, `sex_ratio`) and why, in Japanese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputProblem {
    /// Where, e.g. `survival.M[4]` or `migration[1].F[0]` for a per-step list.
    pub path: String,
    /// Why.
    pub message: String,
}

/// The most steps a projection may take (5 × 60 = 300 years): a bound on the work a request
/// can ask for.
pub const MAX_STEPS: usize = 60;

fn check_cohorts(path: &str, c: &Cohorts, problems: &mut Vec<InputProblem>, what: &str) {
    for (sex, i, v) in c.cells() {
        if !v.is_finite() {
            problems.push(InputProblem {
                path: format!("{path}.{sex}[{i}]"),
                message: format!("{what}が数値ではありません（{v}）。"),
            });
        } else if v < 0.0 {
            problems.push(InputProblem {
                path: format!("{path}.{sex}[{i}]"),
                message: format!("{what}が負の値です（{v}）。"),
            });
        }
    }
}

fn check_rates<T>(
    path: &str,
    rates: &Rates<T>,
    steps: usize,
    problems: &mut Vec<InputProblem>,
    each: impl Fn(&str, &T, &mut Vec<InputProblem>),
) {
    match rates {
        Rates::Constant(v) => each(path, v, problems),
        Rates::PerStep(list) => {
            if list.len() != steps {
                problems.push(InputProblem {
                    path: path.to_owned(),
                    message: format!(
                        "期ごとの値は推計の期数（{steps}）と同じ{steps}個が必要ですが、{}個です。",
                        list.len()
                    ),
                });
            }
            for (k, v) in list.iter().enumerate() {
                each(&format!("{path}[{k}]"), v, problems);
            }
        }
    }
}

fn finite_non_negative(path: &str, v: f64, what: &str, problems: &mut Vec<InputProblem>) {
    if !v.is_finite() {
        problems.push(InputProblem {
            path: path.to_owned(),
            message: format!("{what}が数値ではありません（{v}）。"),
        });
    } else if v < 0.0 {
        problems.push(InputProblem {
            path: path.to_owned(),
            message: format!("{what}が負の値です（{v}）。"),
        });
    }
}

impl Input {
    /// Every problem of the input: steps out of range, a per-step list of the wrong length,
    /// a number that is not finite or is negative (a net migration rate may be negative, but
    /// survival plus migration may not: a cohort cannot go below zero).
    pub fn problems(&self) -> Vec<InputProblem> {
        if self.plainly_valid() {
            Vec::new()
        } else {
            self.every_problem()
        }
    }

    /// [`Input::problems`] found one by one, with their places.
    fn every_problem(&self) -> Vec<InputProblem> {
        let mut out = Vec::new();
        if self.steps == 0 || self.steps > MAX_STEPS {
            out.push(InputProblem {
                path: "steps".to_owned(),
                message: format!("推計の期数は1〜{MAX_STEPS}です（{}）。", self.steps),
            });
        }
        check_cohorts("pop", &self.population, &mut out, "人口");
        let a = &self.assumptions;
        check_rates(
            "survival",
            &a.survival,
            self.steps,
            &mut out,
            |p, c, out| {
                check_cohorts(p, c, out, "生残率");
            },
        );
        check_rates(
            "migration",
            &a.migration,
            self.steps,
            &mut out,
            |p, c, out| {
                for (sex, i, v) in c.cells() {
                    if !v.is_finite() {
                        out.push(InputProblem {
                            path: format!("{p}.{sex}[{i}]"),
                            message: format!("純移動率が数値ではありません（{v}）。"),
                        });
                    }
                }
            },
        );
        // Bounded by MAX_STEPS: an input asking for more steps is refused above, and the
        // check must not loop over a number of steps nobody may project.
        for k in 0..self.steps.min(MAX_STEPS) {
            let (Some(s), Some(m)) = (a.survival.at(k), a.migration.at(k)) else {
                continue;
            };
            for ((sex, i, sv), (_, _, mv)) in s.cells().zip(m.cells()) {
                if sv.is_finite() && mv.is_finite() && sv + mv < 0.0 {
                    let path = match &a.migration {
                        Rates::Constant(_) => format!("migration.{sex}[{i}]"),
                        Rates::PerStep(_) => format!("migration[{k}].{sex}[{i}]"),
                    };
                    if !out.iter().any(|p| p.path == path) {
                        out.push(InputProblem {
                            path,
                            message: format!(
                                "生残率と純移動率の和が負です（{sv} + {mv}）。人口が負になります。"
                            ),
                        });
                    }
                }
            }
        }
        check_rates(
            "cwr",
            &a.child_woman_ratio,
            self.steps,
            &mut out,
            |p, v, out| {
                finite_non_negative(p, *v, "子ども女性比", out);
            },
        );
        finite_non_negative("sex_ratio", a.sex_ratio, "性比", &mut out);
        if a.sex_ratio.is_finite() && a.sex_ratio == 0.0 {
            out.push(InputProblem {
                path: "sex_ratio".to_owned(),
                message: "性比（女100に対する男の数）が0です。".to_owned(),
            });
        }
        out
    }

    /// Whether the input certainly has none of the problems [`Input::problems`] names: each
    /// of its rules, as a condition that holds for a valid number (NaN fails every
    /// comparison), over every number with no branch per number, so that checking a valid
    /// input — done before every projection — costs a few comparisons per number. A `false`
    /// only means that `problems` looks for the problems to name.
    fn plainly_valid(&self) -> bool {
        let a = &self.assumptions;
        let steps_ok = (1..=MAX_STEPS).contains(&self.steps);
        let lengths_ok = a.survival.length_is(self.steps)
            && a.migration.length_is(self.steps)
            && a.child_woman_ratio.length_is(self.steps);
        if !(steps_ok && lengths_ok) {
            return false;
        }
        let mut ok = all(&self.population, non_negative);
        // Rates that are the same in every step are tested once.
        let rate_steps = if a.survival.is_constant() && a.migration.is_constant() {
            1
        } else {
            self.steps
        };
        for k in 0..rate_steps {
            let (Some(s), Some(m)) = (a.survival.at(k), a.migration.at(k)) else {
                return false;
            };
            ok &= all(s, non_negative) & all(m, |v| v.abs() <= f64::MAX);
            // Every sum ≥ 0 (a NaN sum fails it too).
            let sums = |s: &[f64; GROUPS], m: &[f64; GROUPS]| {
                s.iter().zip(m).fold(true, |ok, (s, m)| ok & (s + m >= 0.0))
            };
            ok &= sums(&s.male, &m.male) & sums(&s.female, &m.female);
        }
        ok &= match &a.child_woman_ratio {
            Rates::Constant(c) => non_negative(*c),
            Rates::PerStep(list) => list.iter().fold(true, |ok, &c| ok & non_negative(c)),
        };
        ok & (a.sex_ratio > 0.0) & (a.sex_ratio <= f64::MAX)
    }
}

/// A finite number ≥ 0 (false for NaN and the infinities).
fn non_negative(v: f64) -> bool {
    (0.0..=f64::MAX).contains(&v)
}

/// Whether `test` holds for every value, tested as a fold rather than a search so that the
/// compiler can compare several numbers at once.
fn all(c: &Cohorts, test: impl Fn(f64) -> bool) -> bool {
    let each = |values: &[f64; GROUPS]| values.iter().fold(true, |ok, &v| ok & test(v));
    each(&c.male) & each(&c.female)
}

/// One step of the projection: the population `p` at t, with the step's rates, gives the
/// population at t+5. The order of operations is fixed:
///
/// 1. for each sex, men then women, for each group a = 0 … 16 in order:
///    new[a+1] = p[a] × (S[a] + M[a]) — the sum of the rates first, then the product;
/// 2. the open group: new[18] = p[17] × (S[17] + M[17]) + p[18] × (S[18] + M[18]) — the two
///    products in that order, then their sum;
/// 3. births B = CWR × W, where W is the sum of the new women aged 15–49 (groups 3 … 9)
///    added in index order;
/// 4. boys new_M[0] = B × SR / (100 + SR), girls new_F[0] = B × 100 / (100 + SR) — the
///    product first, then the quotient.
pub fn step(
    p: &Cohorts,
    survival: &Cohorts,
    migration: &Cohorts,
    cwr: f64,
    sex_ratio: f64,
) -> Cohorts {
    advance(p, &moving(survival, migration), cwr, sex_ratio)
}

/// S + M per sex and group: the factor a cohort moves up with in a step. [`project`] adds it
/// once for rates that are the same in every step; the sum is the same number whenever it is
/// added, so the result is the same to the bit as adding it in every step.
fn moving(survival: &Cohorts, migration: &Cohorts) -> Cohorts {
    Cohorts {
        male: std::array::from_fn(|a| survival.male[a] + migration.male[a]),
        female: std::array::from_fn(|a| survival.female[a] + migration.female[a]),
    }
}

/// Steps 1–4 of [`step`], with S + M added already.
fn advance(p: &Cohorts, moving: &Cohorts, cwr: f64, sex_ratio: f64) -> Cohorts {
    let mut next = Cohorts::ZERO;
    advance_into(p, moving, cwr, sex_ratio, &mut next);
    next
}

/// [`advance`] writing the population five years on into `next` (every value is written).
fn advance_into(p: &Cohorts, moving: &Cohorts, cwr: f64, sex_ratio: f64, next: &mut Cohorts) {
    age(&p.male, &moving.male, &mut next.male);
    age(&p.female, &moving.female, &mut next.female);
    let mut women = 0.0;
    for a in MOTHERS {
        women += next.female[a];
    }
    let births = cwr * women;
    next.male[0] = births * sex_ratio / (100.0 + sex_ratio);
    next.female[0] = births * 100.0 / (100.0 + sex_ratio);
}

/// One sex's groups 1 … 18 five years on.
fn age(now: &[f64; GROUPS], moving: &[f64; GROUPS], new: &mut [f64; GROUPS]) {
    for a in 0..OPEN - 1 {
        new[a + 1] = now[a] * moving[a];
    }
    new[OPEN] = now[OPEN - 1] * moving[OPEN - 1] + now[OPEN] * moving[OPEN];
}

/// Projects the input: the base year and every step, each five years on. Refused with every
/// problem of the input (see [`Input::problems`]).
pub fn project(input: &Input) -> Result<Vec<Step>, Vec<InputProblem>> {
    let mut out = Vec::with_capacity(input.steps.min(MAX_STEPS) + 1);
    project_into(input, &mut out)?;
    Ok(out)
}

/// [`project`] appending the base year and every step to `out`, which may hold the results of
/// other inputs already (many projections in one buffer, allocated once). The numbers are
/// [`project`]'s to the bit. Refused with every problem of the input, `out` then unchanged.
pub fn project_into(input: &Input, out: &mut Vec<Step>) -> Result<(), Vec<InputProblem>> {
    let problems = input.problems();
    if !problems.is_empty() {
        return Err(problems);
    }
    let a = &input.assumptions;
    // Rates that are the same in every step are added once.
    let constant = match (&a.survival, &a.migration) {
        (Rates::Constant(s), Rates::Constant(m)) => Some(moving(s, m)),
        _ => None,
    };
    out.reserve(input.steps + 1);
    let mut year = input.base_year;
    out.push(Step {
        year,
        population: input.population,
    });
    for k in 0..input.steps {
        // Checked above: a per-step list has one value per step.
        let (Some(s), Some(m), Some(c)) = (
            a.survival.at(k),
            a.migration.at(k),
            a.child_woman_ratio.at(k),
        ) else {
            break;
        };
        let this_step;
        let rates = match &constant {
            Some(rates) => rates,
            None => {
                this_step = moving(s, m);
                &this_step
            }
        };
        year += STEP_YEARS;
        // Written in place: the population of the step goes straight into the result.
        out.push(Step {
            year,
            population: Cohorts::ZERO,
        });
        let [.., now, next] = out.as_mut_slice() else {
            break;
        };
        advance_into(
            &now.population,
            rates,
            *c,
            a.sex_ratio,
            &mut next.population,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Numbers of every kind a check tells apart.
    fn number() -> impl Strategy<Value = f64> + Clone {
        prop_oneof![
            4 => 0.0..2.0f64,
            1 => Just(0.0),
            1 => Just(-0.0),
            1 => -2.0..0.0f64,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
        ]
    }

    fn cohorts() -> impl Strategy<Value = Cohorts> + Clone {
        // Valid arrays with at most one number of any kind, so that both answers come up.
        (prop::option::of((0..GROUPS * 2, number())), 0.5..1.0f64).prop_map(|(odd, base)| {
            let mut c = Cohorts::filled(base);
            match odd {
                Some((i, v)) if i < GROUPS => c.male[i] = v,
                Some((i, v)) => c.female[i - GROUPS] = v,
                None => {}
            }
            c
        })
    }

    /// One value for every step, or a list of about as many as the steps.
    fn rates<T: Clone + std::fmt::Debug>(
        steps: usize,
        each: impl Strategy<Value = T> + Clone,
    ) -> impl Strategy<Value = Rates<T>> {
        let lengths = prop_oneof![4 => Just(steps), 1 => 0..5usize];
        prop_oneof![
            2 => each.clone().prop_map(Rates::Constant),
            1 => lengths.prop_flat_map(move |n| prop::collection::vec(each.clone(), n))
                .prop_map(Rates::PerStep),
        ]
    }

    fn input() -> impl Strategy<Value = Input> {
        let steps = prop_oneof![1 => Just(0usize), 8 => 1..5usize, 1 => Just(MAX_STEPS), 1 => Just(MAX_STEPS + 1)];
        steps.prop_flat_map(|steps| {
            (
                cohorts(),
                rates(steps, cohorts()),
                rates(steps, cohorts().prop_map(|c| c.scaled(-0.1))),
                rates(steps, prop_oneof![6 => 0.1..0.3f64, 1 => number()]),
                prop_oneof![6 => 90.0..110.0f64, 1 => number()],
            )
                .prop_map(move |(population, survival, migration, cwr, sex_ratio)| {
                    Input {
                        base_year: 2020,
                        steps,
                        population,
                        assumptions: Assumptions {
                            survival,
                            migration,
                            child_woman_ratio: cwr,
                            sex_ratio,
                        },
                    }
                })
        })
    }

    proptest! {
        /// The quick pass says "valid" exactly when the full check finds nothing, so a valid
        /// input never skips a problem and never pays for the full check.
        #[test]
        fn the_quick_pass_agrees_with_the_full_check(i in input()) {
            prop_assert_eq!(i.plainly_valid(), i.every_problem().is_empty(), "{:?}", i);
        }
    }
}
