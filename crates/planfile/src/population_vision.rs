//! The 人口ビジョン as JSON: the whole of a municipality's vision (the example ships as such a
//! file, the API answers with it) and each record the API writes — the vision's figures, a
//! census, a scenario — read by hand so that every problem comes with its JSON path.
//!
//! A census writes its counts as `"M"` and `"F"`, 19 integers each (index 0 = 0–4歳, 18 =
//! 90歳以上), with `"unknown": {"M": n, "F": n}` (年齢不詳). A scenario has either
//! `"assumptions"` — `survival` and `migration` as `{"M": [19], "F": [19]}` (every step) or a
//! list of them (one per step), `cwr` a number or a list (one per step), `sex_ratio` — or
//! `"derived"`: `{"from": id, "rule": "zero_migration" | "scaled_migration" | "fertility",
//! "factor": n (scaled_migration), "base_tfr": n and "points": [{"year", "tfr"}] (fertility)}`.
//! Numbers are written so that they read back to the same bits.

use keikaku_domain::population::{Basis, BySex, Census, Derivation, PopulationVision, Scenario};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::population_vision_read::{
    ReadPopulation, read_census, read_population, read_population_vision, read_scenario,
};

/// The whole vision.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PopulationDoc {
    /// The vision's figures; `null` until entered.
    pub vision: Option<PopulationVisionDoc>,
    /// The censuses, by year.
    pub censuses: Vec<CensusDoc>,
    /// The scenarios, in the order they were made.
    pub scenarios: Vec<ScenarioDoc>,
}

/// The vision's figures and settings.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PopulationVisionDoc {
    /// Whether the public site shows the vision.
    pub published: bool,
    /// What the target stands for (将来展望).
    pub target_note: String,
    /// 目標人口 by year.
    pub target: Vec<TargetDoc>,
    /// 実績人口 by year.
    pub actuals: Vec<ActualDoc>,
    /// Reference projections (社人研推計 …).
    pub references: Vec<ReferenceDoc>,
    /// The strategy's numerical targets and KPIs the vision rests on.
    pub links: Vec<LinkDoc>,
    /// The revision a writer sends back (absent in the example file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// A year of the target path.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TargetDoc {
    /// The year.
    pub year: i32,
    /// The total aimed at.
    pub total: u64,
}

/// An actual total.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActualDoc {
    /// The year.
    pub year: i32,
    /// The population.
    pub total: u64,
    /// `census` (国勢調査), `resident_register` (住民基本台帳) or `estimate` (推計人口).
    pub source: String,
    /// E.g. 「10月1日現在」.
    pub note: String,
}

/// A reference projection.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReferenceDoc {
    /// Its name.
    pub name: String,
    /// Its totals by year.
    pub points: Vec<TargetDoc>,
}

/// A plan element, by plan and element id.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LinkDoc {
    /// The plan's id.
    pub plan: String,
    /// The element's id.
    pub element: String,
}

/// People by sex.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SexCount {
    /// Men.
    #[serde(rename = "M")]
    pub male: u64,
    /// Women.
    #[serde(rename = "F")]
    pub female: u64,
}

/// A census: people by sex × five-year age group.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CensusDoc {
    /// The year.
    pub year: i32,
    /// Where the figures come from.
    pub source: String,
    /// Men by age group (19: 0–4 … 85–89, 90+).
    #[serde(rename = "M")]
    pub male: Vec<u64>,
    /// Women by age group.
    #[serde(rename = "F")]
    pub female: Vec<u64>,
    /// 年齢不詳 by sex.
    pub unknown: SexCount,
    /// Figures that are not real data.
    pub sample: bool,
    /// Everyone, 年齢不詳 included (written, not read).
    pub total: u64,
    /// The revision a writer sends back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// Rates by sex × age group.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SexRates {
    /// Men, by age group.
    #[serde(rename = "M")]
    pub male: Vec<f64>,
    /// Women, by age group.
    #[serde(rename = "F")]
    pub female: Vec<f64>,
}

/// A scenario's own assumptions (lists of one hold for every step).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AssumptionsDoc {
    /// 生残率, every step or one per step.
    pub survival: Vec<SexRates>,
    /// 純移動率, every step or one per step.
    pub migration: Vec<SexRates>,
    /// 子ども女性比, every step or one per step.
    pub cwr: Vec<f64>,
    /// The 0–4 sex ratio (boys per 100 girls).
    pub sex_ratio: f64,
}

/// A year of a fertility path.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TfrPoint {
    /// The year.
    pub year: i32,
    /// 合計特殊出生率.
    pub tfr: f64,
}

/// How a scenario follows from another.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DerivedDoc {
    /// The scenario it is derived from.
    pub from: String,
    /// `zero_migration`, `scaled_migration` or `fertility`.
    pub rule: String,
    /// The factor of `scaled_migration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// The base TFR of `fertility`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_tfr: Option<f64>,
    /// The path of `fertility`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<TfrPoint>,
}

/// A year of a result.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ResultYear {
    /// The year.
    pub year: i32,
    /// Men by age group.
    #[serde(rename = "M")]
    pub male: Vec<f64>,
    /// Women by age group.
    #[serde(rename = "F")]
    pub female: Vec<f64>,
    /// Everyone.
    pub total: f64,
}

/// A scenario's stored result.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ResultDoc {
    /// When it was computed (ISO 8601, UTC).
    pub computed_at: String,
    /// Whether it was computed from the current inputs.
    pub current: bool,
    /// What a reader must know (年齢不詳 spread, a derivation's rule …).
    pub notes: Vec<String>,
    /// The base year and every step.
    pub years: Vec<ResultYear>,
}

/// A scenario.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScenarioDoc {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it stands for.
    pub description: String,
    /// The census year it starts from.
    pub base_year: i32,
    /// The last year it projects.
    pub horizon: i32,
    /// Whether the public site shows it.
    pub published: bool,
    /// Assumptions that are not real data.
    pub sample: bool,
    /// Its own assumptions (or `derived`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumptions: Option<AssumptionsDoc>,
    /// How it follows from another (or `assumptions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<DerivedDoc>,
    /// Its stored result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultDoc>,
    /// The revision a writer sends back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

fn rates_doc(c: &BySex<f64>) -> SexRates {
    SexRates {
        male: c.male.to_vec(),
        female: c.female.to_vec(),
    }
}

impl PopulationVisionDoc {
    /// The document of a vision.
    pub fn of(v: &PopulationVision, revision: Option<i64>) -> Self {
        Self {
            published: v.published,
            target_note: v.target_note.clone(),
            target: v
                .target
                .iter()
                .map(|t| TargetDoc {
                    year: t.year,
                    total: t.total,
                })
                .collect(),
            actuals: v
                .actuals
                .iter()
                .map(|a| ActualDoc {
                    year: a.year,
                    total: a.total,
                    source: a.source.code().to_owned(),
                    note: a.note.clone(),
                })
                .collect(),
            references: v
                .references
                .iter()
                .map(|r| ReferenceDoc {
                    name: r.name.clone(),
                    points: r
                        .points
                        .iter()
                        .map(|(year, total)| TargetDoc {
                            year: *year,
                            total: *total,
                        })
                        .collect(),
                })
                .collect(),
            links: v
                .links
                .iter()
                .map(|l| LinkDoc {
                    plan: l.plan.to_string(),
                    element: l.element.to_string(),
                })
                .collect(),
            revision,
        }
    }
}

impl CensusDoc {
    /// The document of a census.
    pub fn of(c: &Census, revision: Option<i64>) -> Self {
        Self {
            year: c.year,
            source: c.source.clone(),
            male: c.counts.male.to_vec(),
            female: c.counts.female.to_vec(),
            unknown: SexCount {
                male: c.unknown[0],
                female: c.unknown[1],
            },
            sample: c.sample,
            total: c.total(),
            revision,
        }
    }
}

impl ScenarioDoc {
    /// The document of a scenario (without its result; see [`ResultDoc`]).
    pub fn of(s: &Scenario, revision: Option<i64>) -> Self {
        let (assumptions, derived) = match &s.basis {
            Basis::Assumed(a) => (
                Some(AssumptionsDoc {
                    survival: a.survival.iter().map(rates_doc).collect(),
                    migration: a.migration.iter().map(rates_doc).collect(),
                    cwr: a.child_woman_ratio.clone(),
                    sex_ratio: a.sex_ratio,
                }),
                None,
            ),
            Basis::Derived { from, rule } => {
                let mut d = DerivedDoc {
                    from: from.to_string(),
                    rule: String::new(),
                    factor: None,
                    base_tfr: None,
                    points: Vec::new(),
                };
                match rule {
                    Derivation::ZeroMigration => "zero_migration".clone_into(&mut d.rule),
                    Derivation::ScaledMigration { factor } => {
                        "scaled_migration".clone_into(&mut d.rule);
                        d.factor = Some(*factor);
                    }
                    Derivation::Fertility { base_tfr, points } => {
                        "fertility".clone_into(&mut d.rule);
                        d.base_tfr = Some(*base_tfr);
                        d.points = points
                            .iter()
                            .map(|(year, tfr)| TfrPoint {
                                year: *year,
                                tfr: *tfr,
                            })
                            .collect();
                    }
                }
                (None, Some(d))
            }
        };
        Self {
            id: s.id.to_string(),
            name: s.name.clone(),
            description: s.description.clone(),
            base_year: s.base_year,
            horizon: s.horizon,
            published: s.published,
            sample: s.sample,
            assumptions,
            derived,
            result: None,
            revision,
        }
    }
}

impl ResultDoc {
    /// The document of a stored result.
    pub fn of(r: &keikaku_domain::population::ScenarioResult, current: bool) -> Self {
        Self {
            computed_at: r.computed_at.to_iso(),
            current,
            notes: r.notes.clone(),
            years: r
                .years
                .iter()
                .map(|p| ResultYear {
                    year: p.year,
                    male: p.population.male.to_vec(),
                    female: p.population.female.to_vec(),
                    total: p.population.total(),
                })
                .collect(),
        }
    }
}

/// The whole vision as a document: the records as given, each scenario with its result and
/// whether that result is current (`current(id)`).
pub fn population_doc(
    vision: Option<(&PopulationVision, Option<i64>)>,
    censuses: &[(&Census, Option<i64>)],
    scenarios: &[(
        &Scenario,
        Option<i64>,
        Option<&keikaku_domain::population::ScenarioResult>,
        bool,
    )],
) -> PopulationDoc {
    PopulationDoc {
        vision: vision.map(|(v, rev)| PopulationVisionDoc::of(v, rev)),
        censuses: censuses
            .iter()
            .map(|(c, rev)| CensusDoc::of(c, *rev))
            .collect(),
        scenarios: scenarios
            .iter()
            .map(|(s, rev, result, current)| {
                let mut d = ScenarioDoc::of(s, *rev);
                d.result = result.map(|r| ResultDoc::of(r, *current));
                d
            })
            .collect(),
    }
}
