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

use keikaku_domain::population::{
    ActualSource, ActualTotal, Assumptions, Basis, BySex, Census, Derivation, GROUPS,
    PopulationVision, Reference, Scenario, ScenarioId, TargetPoint,
};
use keikaku_domain::{ElementRef, PlanId};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::FileProblem;
use crate::read::{Obj, Reader, empty};

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

/// A whole vision read from a file (the example).
#[derive(Clone, Debug)]
pub struct ReadPopulation {
    /// The vision's figures, if the file has them.
    pub vision: Option<PopulationVision>,
    /// The censuses.
    pub censuses: Vec<Census>,
    /// The scenarios, in the file's order.
    pub scenarios: Vec<Scenario>,
}

fn parse_json(text: &str) -> Result<Value, Vec<FileProblem>> {
    serde_json::from_str(text).map_err(|e| {
        vec![FileProblem {
            path: "$".to_owned(),
            message: format!(
                "JSONとして読めません（{}行{}列）: {e}",
                e.line(),
                e.column()
            ),
        }]
    })
}

fn reader() -> Reader {
    Reader {
        problems: Vec::new(),
        version: 2,
    }
}

fn done<T>(r: Reader, value: T) -> Result<T, Vec<FileProblem>> {
    if r.problems.is_empty() {
        Ok(value)
    } else {
        Err(r.problems)
    }
}

/// Reads a whole vision (`{"vision", "censuses", "scenarios"}`); every problem with its path.
pub fn read_population(text: &str) -> Result<ReadPopulation, Vec<FileProblem>> {
    let value = parse_json(text)?;
    let mut r = reader();
    let o = r.object(&value, "$", &["vision", "censuses", "scenarios"]);
    let vision = match o.get("vision") {
        None | Some(Value::Null) => None,
        Some(v) => Some(vision_at(&mut r, v, "$.vision")),
    };
    let censuses = r.list(o, "censuses", "$", census_at);
    let scenarios = r.list(o, "scenarios", "$", scenario_at);
    done(
        r,
        ReadPopulation {
            vision,
            censuses,
            scenarios,
        },
    )
}

/// Reads the vision's figures at `path` (an API request's body: `$`). A `revision` member is
/// allowed and ignored here.
pub fn read_population_vision(
    value: &Value,
    path: &str,
) -> Result<PopulationVision, Vec<FileProblem>> {
    let mut r = reader();
    let v = vision_at(&mut r, value, path);
    done(r, v)
}

/// Reads a census at `path`. A `revision` and a `total` member are allowed and ignored.
pub fn read_census(value: &Value, path: &str) -> Result<Census, Vec<FileProblem>> {
    let mut r = reader();
    let c = census_at(&mut r, value, path);
    done(r, c)
}

/// Reads a scenario at `path`. `revision` and `result` members are allowed and ignored.
pub fn read_scenario(value: &Value, path: &str) -> Result<Scenario, Vec<FileProblem>> {
    let mut r = reader();
    let s = scenario_at(&mut r, value, path);
    done(r, s)
}

fn integer(r: &mut Reader, o: &Obj, key: &str, path: &str) -> i64 {
    match r.member(o, key, path) {
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or(0),
        Some(_) => {
            r.problem(&format!("{path}.{key}"), "整数である必要があります。");
            0
        }
        None => 0,
    }
}

fn year(r: &mut Reader, o: &Obj, key: &str, path: &str) -> i32 {
    let y = integer(r, o, key, path);
    i32::try_from(y).unwrap_or_else(|_| {
        r.problem(
            &format!("{path}.{key}"),
            format!("年「{y}」は大きすぎます。"),
        );
        0
    })
}

fn count_value(r: &mut Reader, v: &Value, at: &str) -> u64 {
    match v.as_u64() {
        Some(n) => n,
        None => {
            r.problem(at, "0以上の整数（人数）である必要があります。");
            0
        }
    }
}

fn count(r: &mut Reader, o: &Obj, key: &str, path: &str) -> u64 {
    match r.member(o, key, path) {
        Some(v) => count_value(r, v, &format!("{path}.{key}")),
        None => 0,
    }
}

fn number_value(r: &mut Reader, v: &Value, at: &str) -> f64 {
    match v.as_f64() {
        Some(n) => n,
        None => {
            r.problem(at, "数値である必要があります。");
            0.0
        }
    }
}

fn number(r: &mut Reader, o: &Obj, key: &str, path: &str) -> f64 {
    match r.member(o, key, path) {
        Some(v) => number_value(r, v, &format!("{path}.{key}")),
        None => 0.0,
    }
}

/// 19 values of one sex at `path.key`.
fn groups<T: Copy + Default>(
    r: &mut Reader,
    o: &Obj,
    key: &str,
    path: &str,
    each: fn(&mut Reader, &Value, &str) -> T,
) -> [T; GROUPS] {
    let mut out = [T::default(); GROUPS];
    let at = format!("{path}.{key}");
    match r.member(o, key, path) {
        Some(Value::Array(items)) => {
            if items.len() != GROUPS {
                r.problem(
                    &at,
                    format!(
                        "年齢階級ごとの値は{GROUPS}個（0〜4歳 … 85〜89歳、90歳以上）必要ですが、{}個です。",
                        items.len()
                    ),
                );
            }
            for (i, v) in items.iter().enumerate().take(GROUPS) {
                out[i] = each(r, v, &format!("{at}[{i}]"));
            }
        }
        Some(_) => r.problem(&at, "配列（[…]）である必要があります。"),
        None => {}
    }
    out
}

fn sex_rates(r: &mut Reader, v: &Value, path: &str) -> BySex<f64> {
    let o = r.object(v, path, &["M", "F"]);
    BySex {
        male: groups(r, o, "M", path, number_value),
        female: groups(r, o, "F", path, number_value),
    }
}

/// `{"M", "F"}` (every step) or a list of them (one per step).
fn rate_list(r: &mut Reader, o: &Obj, key: &str, path: &str) -> Vec<BySex<f64>> {
    let at = format!("{path}.{key}");
    match r.member(o, key, path) {
        Some(v @ Value::Object(_)) => vec![sex_rates(r, v, &at)],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| sex_rates(r, v, &format!("{at}[{i}]")))
            .collect(),
        Some(_) => {
            r.problem(
                &at,
                "{\"M\": […], \"F\": […]} か、その期ごとの配列である必要があります。",
            );
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn vision_at(r: &mut Reader, v: &Value, path: &str) -> PopulationVision {
    let o = r.object(
        v,
        path,
        &[
            "published",
            "target_note",
            "target",
            "actuals",
            "references",
            "links",
            "revision",
        ],
    );
    let point = |r: &mut Reader, v: &Value, at: &str| {
        let p = r.object(v, at, &["year", "total"]);
        TargetPoint {
            year: year(r, p, "year", at),
            total: count(r, p, "total", at),
        }
    };
    PopulationVision {
        published: r.flag(o, "published", path),
        target_note: r.text(o, "target_note", path),
        target: r.list(o, "target", path, point),
        actuals: r.list(o, "actuals", path, |r, v, at| {
            let a = r.object(v, at, &["year", "total", "source", "note"]);
            ActualTotal {
                year: year(r, a, "year", at),
                total: count(r, a, "total", at),
                source: r.parsed(
                    a,
                    "source",
                    at,
                    |s| {
                        ActualSource::parse(s).ok_or_else(|| {
                            format!(
                                "出典「{s}」は census（国勢調査）・resident_register（住民基本台帳）・estimate（推計人口）のいずれかにしてください。"
                            )
                        })
                    },
                    ActualSource::Census,
                ),
                note: r.text(a, "note", at),
            }
        }),
        references: r.list(o, "references", path, |r, v, at| {
            let x = r.object(v, at, &["name", "points"]);
            Reference {
                name: r.string(x, "name", at),
                points: r
                    .list(x, "points", at, point)
                    .into_iter()
                    .map(|p| (p.year, p.total))
                    .collect(),
            }
        }),
        links: r.list(o, "links", path, |r, v, at| {
            let l = r.object(v, at, &["plan", "element"]);
            ElementRef {
                plan: r.parsed(
                    l,
                    "plan",
                    at,
                    |s| PlanId::parse(s).map_err(|e| e.0),
                    PlanId::parse("x").unwrap_or_else(|_| unreachable!("a valid plan id")),
                ),
                element: r.element_id(l, "element", at),
            }
        }),
    }
}

fn census_at(r: &mut Reader, v: &Value, path: &str) -> Census {
    let o = r.object(
        v,
        path,
        &[
            "year", "source", "M", "F", "unknown", "sample", "total", "revision",
        ],
    );
    let unknown = match o.get("unknown") {
        None | Some(Value::Null) => [0, 0],
        Some(u) => {
            let at = format!("{path}.unknown");
            let uo = r.object(u, &at, &["M", "F"]);
            [count(r, uo, "M", &at), count(r, uo, "F", &at)]
        }
    };
    Census {
        year: year(r, o, "year", path),
        source: r.string(o, "source", path),
        counts: BySex {
            male: groups(r, o, "M", path, count_value),
            female: groups(r, o, "F", path, count_value),
        },
        unknown,
        sample: r.flag(o, "sample", path),
    }
}

fn scenario_at(r: &mut Reader, v: &Value, path: &str) -> Scenario {
    let o = r.object(
        v,
        path,
        &[
            "id",
            "name",
            "description",
            "base_year",
            "horizon",
            "published",
            "sample",
            "assumptions",
            "derived",
            "result",
            "revision",
        ],
    );
    let id = r.parsed(
        o,
        "id",
        path,
        ScenarioId::parse,
        ScenarioId::parse("x").unwrap_or_else(|_| unreachable!("a valid id")),
    );
    let basis = match (o.get("assumptions"), o.get("derived")) {
        (Some(a), None) => {
            let at = format!("{path}.assumptions");
            let ao = r.object(a, &at, &["survival", "migration", "cwr", "sex_ratio"]);
            let cwr = match r.member(ao, "cwr", &at) {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| number_value(r, v, &format!("{at}.cwr[{i}]")))
                    .collect(),
                Some(v) => vec![number_value(r, v, &format!("{at}.cwr"))],
                None => Vec::new(),
            };
            Basis::Assumed(Assumptions {
                survival: rate_list(r, ao, "survival", &at),
                migration: rate_list(r, ao, "migration", &at),
                child_woman_ratio: cwr,
                sex_ratio: number(r, ao, "sex_ratio", &at),
            })
        }
        (None, Some(d)) => {
            let at = format!("{path}.derived");
            let d = r.object(d, &at, &["from", "rule", "factor", "base_tfr", "points"]);
            let from = r.parsed(
                d,
                "from",
                &at,
                ScenarioId::parse,
                ScenarioId::parse("x").unwrap_or_else(|_| unreachable!("a valid id")),
            );
            let rule = r.string(d, "rule", &at);
            let rule = match rule.as_str() {
                "zero_migration" => Derivation::ZeroMigration,
                "scaled_migration" => Derivation::ScaledMigration {
                    factor: number(r, d, "factor", &at),
                },
                "fertility" => Derivation::Fertility {
                    base_tfr: number(r, d, "base_tfr", &at),
                    points: r
                        .list(d, "points", &at, |r, v, p| {
                            let po = r.object(v, p, &["year", "tfr"]);
                            (year(r, po, "year", p), number(r, po, "tfr", p))
                        })
                        .into_iter()
                        .collect(),
                },
                other => {
                    if !std::ptr::eq(d, empty()) && d.contains_key("rule") {
                        r.problem(
                            &format!("{at}.rule"),
                            format!(
                                "導き方「{other}」は zero_migration・scaled_migration・fertility のいずれかにしてください。"
                            ),
                        );
                    }
                    Derivation::ZeroMigration
                }
            };
            Basis::Derived { from, rule }
        }
        _ => {
            r.problem(
                path,
                "「assumptions」（前提）か「derived」（ほかの推計からの導き方）のどちらか一方が必要です。",
            );
            Basis::Derived {
                from: id.clone(),
                rule: Derivation::ZeroMigration,
            }
        }
    };
    Scenario {
        name: r.string(o, "name", path),
        description: r.text(o, "description", path),
        base_year: year(r, o, "base_year", path),
        horizon: year(r, o, "horizon", path),
        published: r.flag(o, "published", path),
        sample: r.flag(o, "sample", path),
        id,
        basis,
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
