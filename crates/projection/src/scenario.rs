//! Scenarios derived from a set of assumptions in one action: zero net migration (移動均衡),
//! migration scaled (halved, say), and a fertility path — 合計特殊出生率 for some years —
//! applied by scaling the child–woman ratio of each step by TFR(year) ÷ TFR(base).
//!
//! The fertility rule, as the pages state it: a step that ends in year Y uses the
//! child–woman ratio of the base assumptions for that step, multiplied by the path's TFR in Y
//! divided by the base TFR. Between two years of the path the TFR goes in a straight line;
//! from the base year to the path's first year it goes from the base TFR; after the path's last
//! year it stays at the last value.

use crate::{Assumptions, Cohorts, Rates, STEP_YEARS};

/// A path of the total fertility rate (合計特殊出生率).
#[derive(Clone, Debug, PartialEq)]
pub struct FertilityPath {
    /// The TFR of the base assumptions (the base year's).
    pub base: f64,
    /// The path: (year, TFR), by year.
    pub points: Vec<(i32, f64)>,
}

impl FertilityPath {
    /// The path's TFR in `year`, for a projection from `base_year` (see the module).
    pub fn at(&self, base_year: i32, year: i32) -> f64 {
        let mut before = (base_year, self.base);
        for &(y, v) in &self.points {
            if year <= y {
                if y == before.0 {
                    return v;
                }
                let share = f64::from(year - before.0) / f64::from(y - before.0);
                return before.1 + (v - before.1) * share.max(0.0);
            }
            before = (y, v);
        }
        before.1
    }

    /// What is wrong with the path, in Japanese: no base, years not increasing, values that
    /// are not positive numbers.
    pub fn problems(&self, base_year: i32) -> Vec<String> {
        let mut out = Vec::new();
        if !(self.base.is_finite() && self.base > 0.0) {
            out.push(format!(
                "基準の合計特殊出生率が正の数ではありません（{}）。",
                self.base
            ));
        }
        let mut last = base_year;
        for &(y, v) in &self.points {
            if y <= last {
                out.push(format!(
                    "{y}年: 年は基準年（{base_year}年）より後で、順に大きくなる必要があります。"
                ));
            }
            if !(v.is_finite() && v >= 0.0) {
                out.push(format!(
                    "{y}年: 合計特殊出生率が0以上の数ではありません（{v}）。"
                ));
            }
            last = last.max(y);
        }
        out
    }
}

fn map_rates(rates: &Rates<Cohorts>, f: impl Fn(&Cohorts) -> Cohorts) -> Rates<Cohorts> {
    match rates {
        Rates::Constant(c) => Rates::Constant(f(c)),
        Rates::PerStep(list) => Rates::PerStep(list.iter().map(f).collect()),
    }
}

/// The assumptions with no net migration (移動均衡): every net migration rate 0.
pub fn zero_migration(a: &Assumptions) -> Assumptions {
    Assumptions {
        migration: map_rates(&a.migration, |_| Cohorts::ZERO),
        ..a.clone()
    }
}

/// The assumptions with every net migration rate multiplied by `factor` (0.5: halved).
pub fn scaled_migration(a: &Assumptions, factor: f64) -> Assumptions {
    Assumptions {
        migration: map_rates(&a.migration, |c| c.scaled(factor)),
        ..a.clone()
    }
}

/// The assumptions with the child–woman ratio of each step scaled by the fertility path (see
/// the module), for a projection of `steps` steps from `base_year`: always one ratio per step.
pub fn fertility(
    a: &Assumptions,
    base_year: i32,
    steps: usize,
    path: &FertilityPath,
) -> Assumptions {
    let ratios = (0..steps)
        .map(|k| {
            let end = base_year + STEP_YEARS * i32::try_from(k + 1).unwrap_or(i32::MAX / 10);
            let base = a.child_woman_ratio.at(k).copied().unwrap_or(0.0);
            base * path.at(base_year, end) / path.base
        })
        .collect();
    Assumptions {
        child_woman_ratio: Rates::PerStep(ratios),
        ..a.clone()
    }
}
