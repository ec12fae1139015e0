//! A projection's definition (推計の設定): its base census year, horizon and assumptions — its
//! own, or derived from another scenario by a stated rule — and its stored result.

use std::fmt;

use super::{BySex, PopulationProblem, check_year};
use crate::audit::Timestamp;

/// The most five-year steps a scenario may take (300 years).
pub const MAX_HORIZON_STEPS: usize = 60;

/// A scenario's id within its municipality: lower-case ASCII letters, digits and `-`, at most
/// 32, beginning with a letter or digit (`kihon`, `ikou-kinkou`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScenarioId(String);

impl ScenarioId {
    /// The id, or why it is refused (in Japanese).
    pub fn parse(input: &str) -> Result<Self, String> {
        let id = input.trim();
        let ok = !id.is_empty()
            && id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.starts_with('-');
        if ok {
            Ok(Self(id.to_owned()))
        } else {
            Err(format!(
                "推計のID「{input}」は使えません。半角の英小文字・数字・「-」の32文字以内で入力してください（例: kihon）。"
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ScenarioId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The assumptions of a projection. A list with one entry holds for every step; a longer one
/// gives one entry per step, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Assumptions {
    /// 生残率: the share of a group alive five years later (for 90+: of the 90+ now).
    pub survival: Vec<BySex<f64>>,
    /// 純移動率: net migrants over five years per person of the group at a step's start.
    pub migration: Vec<BySex<f64>>,
    /// 子ども女性比: children aged 0–4 per woman aged 15–49, at a step's end.
    pub child_woman_ratio: Vec<f64>,
    /// The 0–4 sex ratio: boys per 100 girls.
    pub sex_ratio: f64,
}

/// How a scenario's assumptions follow from another scenario's.
#[derive(Clone, Debug, PartialEq)]
pub enum Derivation {
    /// 移動均衡: every net migration rate 0.
    ZeroMigration,
    /// Every net migration rate multiplied by `factor` (0.5: halved).
    ScaledMigration {
        /// The factor, ≥ 0.
        factor: f64,
    },
    /// A path of the total fertility rate (合計特殊出生率): each step's child–woman ratio
    /// multiplied by TFR(the step's last year) ÷ `base_tfr`.
    Fertility {
        /// The TFR the other scenario's child–woman ratios stand for.
        base_tfr: f64,
        /// (year, TFR), years increasing, after the base year.
        points: Vec<(i32, f64)>,
    },
}

impl Derivation {
    /// What it is called: 「移動均衡（純移動率0）」, 「純移動率×0.5」, 「出生率 1.6→1.8→2.07」.
    pub fn label(&self) -> String {
        match self {
            Self::ZeroMigration => "移動均衡（純移動率0）".to_owned(),
            Self::ScaledMigration { factor } => format!("純移動率×{factor}"),
            Self::Fertility { base_tfr, points } => {
                let mut s = format!("合計特殊出生率 {base_tfr}");
                for (_, v) in points {
                    s.push_str(&format!("→{v}"));
                }
                s
            }
        }
    }

    /// The rule, as the pages state it, in Japanese.
    pub fn rule(&self, from: &str) -> String {
        match self {
            Self::ZeroMigration => format!(
                "「{from}」の前提のうち、純移動率をすべて0にしています（転入と転出が均衡する場合）。生残率・子ども女性比・性比は同じです。"
            ),
            Self::ScaledMigration { factor } => format!(
                "「{from}」の前提のうち、純移動率をすべて{factor}倍にしています。生残率・子ども女性比・性比は同じです。"
            ),
            Self::Fertility { base_tfr, points } => {
                let path: Vec<String> = points.iter().map(|(y, v)| format!("{y}年 {v}")).collect();
                format!(
                    "「{from}」の子ども女性比に、各期の終わりの年の合計特殊出生率 ÷ 基準の合計特殊出生率（{base_tfr}）を掛けています。出生率の経路: {}。経路の年の間は直線で結び、基準年から最初の年までは基準の値から、最後の年より後は最後の値のままとします。生残率・純移動率・性比は同じです。",
                    path.join("、")
                )
            }
        }
    }

    /// Every problem of its parameters, by field (`factor`, `base_tfr`, `points[1].year` …).
    pub fn problems(&self, base_year: i32) -> Vec<PopulationProblem> {
        let mut out = Vec::new();
        match self {
            Self::ZeroMigration => {}
            Self::ScaledMigration { factor } => {
                if !(factor.is_finite() && *factor >= 0.0) {
                    out.push(PopulationProblem::new(
                        "factor",
                        format!("純移動率に掛ける倍率は0以上の数で入力してください（{factor}）。"),
                    ));
                }
            }
            Self::Fertility { base_tfr, points } => {
                if !(base_tfr.is_finite() && *base_tfr > 0.0) {
                    out.push(PopulationProblem::new(
                        "base_tfr",
                        format!("基準の合計特殊出生率は正の数で入力してください（{base_tfr}）。"),
                    ));
                }
                if points.is_empty() {
                    out.push(PopulationProblem::new(
                        "points",
                        "出生率の経路を1つ以上入力してください（例: 2030年 1.8）。",
                    ));
                }
                let mut last = base_year;
                for (i, (y, v)) in points.iter().enumerate() {
                    if *y <= last {
                        out.push(PopulationProblem::new(
                            format!("points[{i}].year"),
                            format!(
                                "{y}年: 出生率の経路の年は、基準年（{base_year}年）より後で、順に大きくしてください。"
                            ),
                        ));
                    }
                    last = last.max(*y);
                    if !(v.is_finite() && *v >= 0.0) {
                        out.push(PopulationProblem::new(
                            format!("points[{i}].tfr"),
                            format!("{y}年: 合計特殊出生率は0以上の数で入力してください（{v}）。"),
                        ));
                    }
                }
            }
        }
        out
    }
}

/// Where a scenario's assumptions come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Basis {
    /// Its own.
    Assumed(Assumptions),
    /// Another scenario's, changed by a rule (always from that scenario's current ones).
    Derived {
        /// The other scenario (one with its own assumptions).
        from: ScenarioId,
        /// The rule.
        rule: Derivation,
    },
}

/// A projection's definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Its id.
    pub id: ScenarioId,
    /// Its name, e.g. 「社人研準拠」「移動均衡」.
    pub name: String,
    /// What it stands for, for the pages.
    pub description: String,
    /// The year of the census it starts from.
    pub base_year: i32,
    /// The last year it projects (base year + a multiple of five).
    pub horizon: i32,
    /// Its assumptions.
    pub basis: Basis,
    /// Whether the public site shows it (with the vision).
    pub published: bool,
    /// Assumptions that are not real data (the example's): shown as サンプル.
    pub sample: bool,
}

impl Scenario {
    /// The number of five-year steps from the base year to the horizon (0 when the horizon is
    /// not after the base year).
    pub fn steps(&self) -> usize {
        usize::try_from((self.horizon - self.base_year) / 5).unwrap_or(0)
    }

    /// The years of the result: the base year and each step's.
    pub fn years(&self) -> Vec<i32> {
        (0..=self.steps())
            .map(|k| self.base_year + 5 * i32::try_from(k).unwrap_or(0))
            .collect()
    }

    /// Every problem of the definition, by field: the name, the years (the horizon five-year
    /// steps after the base year, at most [`MAX_HORIZON_STEPS`]), the lengths of per-step
    /// lists, a derivation's parameters, a scenario derived from itself. Numbers themselves
    /// (finite, not negative, survival + migration ≥ 0) are the projection's to check.
    pub fn problems(&self) -> Vec<PopulationProblem> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(PopulationProblem::new(
                "name",
                "推計の名前を入力してください。",
            ));
        }
        check_year("base_year", "基準年", self.base_year, &mut out);
        check_year("horizon", "推計の最終年", self.horizon, &mut out);
        let span = self.horizon - self.base_year;
        if span <= 0 || span % 5 != 0 || self.steps() > MAX_HORIZON_STEPS {
            out.push(PopulationProblem::new(
                "horizon",
                format!(
                    "推計の最終年（{}年）は、基準年（{}年）の5年後から{}年後までの、5年ごとの年にしてください。",
                    self.horizon,
                    self.base_year,
                    5 * MAX_HORIZON_STEPS
                ),
            ));
        }
        let steps = self.steps();
        match &self.basis {
            Basis::Assumed(a) => {
                let lengths = [
                    ("survival", "生残率", a.survival.len()),
                    ("migration", "純移動率", a.migration.len()),
                    ("cwr", "子ども女性比", a.child_woman_ratio.len()),
                ];
                for (field, what, len) in lengths {
                    if len == 0 || (len != 1 && len != steps) {
                        out.push(PopulationProblem::new(
                            field,
                            format!(
                                "{what}は、全期共通の1組か、推計の期数（{steps}）と同じ{steps}組で入力してください（{len}組あります）。"
                            ),
                        ));
                    }
                }
            }
            Basis::Derived { from, rule } => {
                if from == &self.id {
                    out.push(PopulationProblem::new(
                        "from",
                        "推計を、その推計自身から導くことはできません。",
                    ));
                }
                out.extend(rule.problems(self.base_year));
            }
        }
        out
    }
}

/// One year of a stored projection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projected {
    /// The year.
    pub year: i32,
    /// The population by sex and age group.
    pub population: BySex<f64>,
}

/// A scenario's stored result: what the public pages show without projecting again.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioResult {
    /// When it was computed.
    pub computed_at: Timestamp,
    /// A fingerprint of everything the projection read (census, assumptions, steps): when
    /// the current inputs give another, the result is out of date.
    pub input_hash: String,
    /// The base year and every step.
    pub years: Vec<Projected>,
    /// What the projection did that a reader must know (年齢不詳 spread pro rata …).
    pub notes: Vec<String>,
}
