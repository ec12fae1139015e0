//! The 人口ビジョン (population vision) as records: what a municipality keeps to project its
//! population and to hold its target against the actual figures.
//!
//! - [`Census`]: a base population by sex × five-year age group (0–4 … 85–89, 90+) as a
//!   census table gives it, 年齢不詳 included; [`Census::distributed`] spreads 年齢不詳 over
//!   the groups pro rata (the projection starts from that, and says so).
//! - [`Scenario`]: a projection's definition — its base census year and horizon, and either
//!   its own [`Assumptions`] (生残率, 純移動率, 子ども女性比, sex ratio) or a [`Derivation`] from
//!   another scenario (移動均衡, migration scaled, a fertility path) — and whether the public
//!   site shows it. [`Projected`] is one year of a stored result.
//! - [`PopulationVision`]: the city's target path (目標人口, per year), the actual totals (住民基本台帳 or
//!   国勢調査, per year), reference projections (社人研推計 …), the strategy's numerical
//!   targets the vision rests on, and whether it is public. [`gaps`] compares the target with
//!   the actuals and a projection year by year.
//!
//! The arithmetic of a projection is in the `keikaku-projection` crate; these are the records
//! the other layers store, check and show. Populations are `f64` on purpose (estimates, not
//! money); counts as a census gives them are integers.

mod census;
mod scenario;
mod vision;

pub use census::Census;
pub use scenario::{
    Assumptions, Basis, Derivation, MAX_HORIZON_STEPS, Projected, Scenario, ScenarioId,
    ScenarioResult,
};
pub use vision::{
    ActualSource, ActualTotal, Gap, PopulationVision, Reference, TargetPoint, gaps, target_at,
};

/// The number of five-year age groups: 0–4 (index 0) … 85–89 (17) and 90+ (18).
pub const GROUPS: usize = 19;

/// The earliest and latest years a population record may name.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2300;

/// A value per sex and five-year age group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BySex<T> {
    /// Men (男), by age group.
    pub male: [T; GROUPS],
    /// Women (女), by age group.
    pub female: [T; GROUPS],
}

impl<T: Copy> BySex<T> {
    /// The same value everywhere.
    pub fn filled(value: T) -> Self {
        Self {
            male: [value; GROUPS],
            female: [value; GROUPS],
        }
    }

    /// Every cell as (sex, group, value), men first: 「M」 or 「F」 as the JSON writes them.
    pub fn cells(&self) -> impl Iterator<Item = (Sex, usize, T)> + '_ {
        let men = self
            .male
            .iter()
            .enumerate()
            .map(|(i, v)| (Sex::Male, i, *v));
        let women = self
            .female
            .iter()
            .enumerate()
            .map(|(i, v)| (Sex::Female, i, *v));
        men.chain(women)
    }

    /// The values of one sex.
    pub fn of(&self, sex: Sex) -> &[T; GROUPS] {
        match sex {
            Sex::Male => &self.male,
            Sex::Female => &self.female,
        }
    }

    /// The values of one sex, to change.
    pub fn of_mut(&mut self, sex: Sex) -> &mut [T; GROUPS] {
        match sex {
            Sex::Male => &mut self.male,
            Sex::Female => &mut self.female,
        }
    }
}

impl BySex<f64> {
    /// The sum of every cell, men's groups in order then women's (the order is part of the
    /// result: sums of floating-point numbers depend on it).
    pub fn total(&self) -> f64 {
        self.male.iter().chain(self.female.iter()).sum()
    }
}

/// 男 or 女.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// Both, men first.
    pub const ALL: [Self; 2] = [Self::Male, Self::Female];

    /// 「男」 or 「女」.
    pub fn label(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }

    /// 「M」 or 「F」, as files and the database write it.
    pub fn key(self) -> &'static str {
        match self {
            Self::Male => "M",
            Self::Female => "F",
        }
    }

    /// The sex of a key (「M」, 「F」).
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The label of an age group: 「0〜4歳」 … 「85〜89歳」, 「90歳以上」.
pub fn group_label(index: usize) -> String {
    if index >= GROUPS - 1 {
        "90歳以上".to_owned()
    } else {
        format!("{}〜{}歳", index * 5, index * 5 + 4)
    }
}

/// A problem of a population record, at its field (a form's field name or a JSON path below
/// the record, e.g. `census.M[3]`, `assumptions.survival[0].F[18]`, `target[2].total`), in
/// Japanese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopulationProblem {
    /// Where.
    pub field: String,
    /// Why.
    pub message: String,
}

impl PopulationProblem {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A year a population record may name, or why not.
pub(crate) fn check_year(field: &str, what: &str, year: i32, out: &mut Vec<PopulationProblem>) {
    if !YEARS.contains(&year) {
        out.push(PopulationProblem::new(
            field,
            format!(
                "{what}「{year}」は{}年から{}年の間で入力してください。",
                YEARS.start(),
                YEARS.end()
            ),
        ));
    }
}
