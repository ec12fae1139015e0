//! The 人口ビジョン (population vision) read as JSON (tag `population`): without a token, the
//! public vision (`GET /api/v1/population`: 404 unless it is public; only the scenarios marked
//! public, with their results), and with a token, everything as the staff read it (`GET
//! /api/v1/staff/population`, `ReadPopulation`: revisions, each scenario's state and, when it
//! cannot be projected, why). The writes are in `population_edits`.
//!
//! Both answers are the planfile's `PopulationDoc` (the shape of the example's file and of
//! each record a write sends) with what the outputs share added: per scenario its `summary`
//! (totals and the three age bands per year, the app's `summary`) and the `comparison` of
//! target, actuals, scenarios and references year by year (the app's `comparison`). The
//! public answer is cached by the public site's version, which follows the public vision (a
//! population write invalidates the catalog), with an `ETag`, like the other public reads.
//!
//! The use cases report a problem by the field of a record (`target[2].year`, `unknown.M`,
//! `derived`'s `factor`, a projection input's `survival.M[4]`); here each becomes the JSON
//! path of the request or of the document read (`$.target[2].year`, `$.unknown.M`,
//! `$.derived.factor`, `$.assumptions.survival[0].M[4]`).

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use keikaku_app::access::Action;
use keikaku_app::population::{
    ColumnKind, PopulationView, ScenarioView, comparison, population, published_population, summary,
};
use keikaku_domain::population::{Basis, Derivation, Scenario};
use keikaku_planfile::FileProblem;
use keikaku_planfile::population_vision::{CensusDoc, PopulationVisionDoc, ResultDoc, ScenarioDoc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{granted, no_store};
use crate::api::{ApiError, ApiQuery, cached_json_async, only_params};
use crate::error::FieldProblem;
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/population" => get_published_population,
        ReadPublished,
        "/api/v1/population"
    ),
    route!(
        GET "/api/v1/staff/population" => get_staff_population,
        ReadPopulation,
        "/api/v1/staff/population"
    ),
];

// ---------------------------------------------------------------- what both reads share

/// A year of a scenario's result, summed: totals and the three age bands with their shares.
/// Unrounded (the pages round for people).
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryYear {
    /// The year.
    #[schema(example = 2040)]
    pub year: i32,
    /// Everyone.
    pub total: f64,
    /// Men.
    pub male: f64,
    /// Women.
    pub female: f64,
    /// 年少人口 (0–14歳).
    pub aged_0_14: f64,
    /// 生産年齢人口 (15–64歳).
    pub aged_15_64: f64,
    /// 老年人口 (65歳以上).
    pub aged_65_over: f64,
    /// 年少人口's share of the total, in percent; `null` when the total is 0.
    pub share_0_14: Option<f64>,
    /// 生産年齢人口's share, in percent.
    pub share_15_64: Option<f64>,
    /// 老年人口's share (高齢化率), in percent.
    pub share_65_over: Option<f64>,
}

fn summary_years(s: &ScenarioView) -> Vec<SummaryYear> {
    summary(s)
        .iter()
        .map(|row| {
            let y = &row.summary;
            let [young, working, old] = y.bands;
            let [young_share, working_share, old_share] = y.shares();
            SummaryYear {
                year: y.year,
                total: y.total,
                male: y.male,
                female: y.female,
                aged_0_14: young,
                aged_15_64: working,
                aged_65_over: old,
                share_0_14: young_share,
                share_15_64: working_share,
                share_65_over: old_share,
            }
        })
        .collect()
}

/// The vision year by year: the target path, the actual totals, each scenario's total and
/// each reference projection, one value (or `null`) per year.
#[derive(Debug, Serialize, ToSchema)]
pub struct PopulationComparison {
    /// Every year any column has a value for, in order.
    pub years: Vec<i32>,
    /// The target, the actuals, each scenario (with a result), each reference — in that
    /// order, those that exist.
    pub columns: Vec<ComparisonColumnDoc>,
}

/// A column of the comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonColumnDoc {
    /// Its heading (目標人口, 実績, the scenario's or the reference's name).
    pub name: String,
    /// `target`, `actual`, `scenario` or `reference`.
    pub kind: String,
    /// One value per year of `years`; `null`: none that year.
    pub values: Vec<Option<f64>>,
    /// One flag per year: the target read on the straight line between the path's points
    /// (直線補間), not given for that year (always `false` outside the target).
    pub interpolated: Vec<bool>,
}

fn comparison_doc(view: &PopulationView) -> PopulationComparison {
    let c = comparison(view);
    PopulationComparison {
        years: c.years,
        columns: c
            .columns
            .into_iter()
            .map(|col| ComparisonColumnDoc {
                name: col.name,
                kind: match col.kind {
                    ColumnKind::Target => "target",
                    ColumnKind::Actual => "actual",
                    ColumnKind::Scenario => "scenario",
                    ColumnKind::Reference => "reference",
                }
                .to_owned(),
                values: col.values,
                interpolated: col.between,
            })
            .collect(),
    }
}

/// A scenario as the document writes it, with its result and whether that is current.
fn scenario_doc(s: &ScenarioView, revision: Option<i64>) -> ScenarioDoc {
    let mut doc = ScenarioDoc::of(&s.record.scenario, revision);
    doc.result = s
        .record
        .result
        .as_ref()
        .map(|r| ResultDoc::of(r, s.current()));
    doc
}

// ---------------------------------------------------------------- problems by JSON path

/// Where a problem of the vision's figures is in the request: the use case checks the figures
/// in the order sent (and sorts them by year only to store them), so its field is the path.
pub(crate) fn vision_path(key: &str) -> String {
    path_below("$", key)
}

/// `root.key`, or `root` for the record as a whole.
fn path_below(root: &str, key: &str) -> String {
    if key.is_empty() {
        root.to_owned()
    } else {
        format!("{root}.{key}")
    }
}

/// Where a problem of a census is in its JSON (`counts`, nobody at all: the census as a whole).
pub(crate) fn census_path(key: &str) -> String {
    match key {
        "counts" => "$".to_owned(),
        other => path_below("$", other),
    }
}

/// Where a problem of a scenario is in its JSON rooted at `root`. `arrayed(member)` says
/// whether that member of `assumptions` (`survival`, `migration`, `cwr`) is a JSON array
/// there: the projection names a value of a list of one — a rate for every step — without an
/// index (`survival.M[4]`, `cwr`), the JSON then has `[0]`. A derived scenario's projection
/// input comes from the scenario it is derived from, changed by its rule: a problem there is
/// the rule's (`factor` for migration scaled, `points` for a fertility path) or that
/// scenario's (`derived.from`).
pub(crate) fn scenario_path(
    root: &str,
    scenario: &Scenario,
    key: &str,
    arrayed: &dyn Fn(&str) -> bool,
) -> String {
    let split = key.find(['.', '[']).unwrap_or(key.len());
    let (head, rest) = key.split_at(split);
    match (&scenario.basis, head) {
        (_, "pop") => format!("{root}.base_year"),
        (_, "steps") => format!("{root}.horizon"),
        (Basis::Derived { .. }, "from" | "factor" | "base_tfr" | "points") => {
            format!("{root}.derived.{key}")
        }
        (Basis::Derived { rule, .. }, "survival" | "migration" | "cwr" | "sex_ratio") => {
            match (rule, head) {
                (Derivation::ScaledMigration { .. }, "migration") => {
                    format!("{root}.derived.factor")
                }
                (Derivation::Fertility { .. }, "cwr") => format!("{root}.derived.points"),
                _ => format!("{root}.derived.from"),
            }
        }
        (Basis::Assumed(a), "survival" | "migration" | "cwr") => {
            let len = match head {
                "survival" => a.survival.len(),
                "migration" => a.migration.len(),
                _ => a.child_woman_ratio.len(),
            };
            if len == 1 && arrayed(head) && !rest.starts_with('[') {
                format!("{root}.assumptions.{head}[0]{rest}")
            } else {
                format!("{root}.assumptions.{key}")
            }
        }
        (Basis::Assumed(_), "sex_ratio") => format!("{root}.assumptions.sex_ratio"),
        _ => path_below(root, key),
    }
}

pub(crate) fn problems_at(
    found: Vec<FileProblem>,
    path: impl Fn(&str) -> String,
) -> Vec<FieldProblem> {
    found
        .into_iter()
        .map(|p| FieldProblem {
            field: path(&p.path),
            message: p.message,
        })
        .collect()
}

// ---------------------------------------------------------------- the public vision

/// A public scenario: as the document writes it, with its result summed per year.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicScenario {
    /// The scenario, with its stored result (`result`).
    #[serde(flatten)]
    pub scenario: ScenarioDoc,
    /// The rule of a derived scenario as the pages state it, naming the scenario it is
    /// derived from (which may not be public); `null` for its own assumptions.
    pub rule: Option<String>,
    /// Its result per year: totals and age bands.
    pub summary: Vec<SummaryYear>,
}

/// The public vision: the planfile's `PopulationDoc` of what is public (no revisions), each
/// scenario with its `summary`, and the `comparison`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicPopulation {
    /// The vision's figures (published: always `true` here).
    pub vision: Option<PopulationVisionDoc>,
    /// The censuses the public scenarios start from.
    pub censuses: Vec<CensusDoc>,
    /// The scenarios marked public that have a result, in the order they were made.
    pub scenarios: Vec<PublicScenario>,
    /// Target, actuals, the public scenarios and the references year by year.
    pub comparison: PopulationComparison,
}

fn public_population(view: &PopulationView) -> PublicPopulation {
    PublicPopulation {
        vision: view
            .vision
            .as_ref()
            .map(|v| PopulationVisionDoc::of(&v.vision, None)),
        censuses: view
            .censuses
            .iter()
            .map(|c| CensusDoc::of(&c.census, None))
            .collect(),
        scenarios: view
            .scenarios
            .iter()
            .map(|s| PublicScenario {
                scenario: scenario_doc(s, None),
                rule: s.rule(),
                summary: summary_years(s),
            })
            .collect(),
        comparison: comparison_doc(view),
    }
}

/// The public 人口ビジョン (no token needed): the target path, the actual totals, the
/// references, the scenarios marked public with their results and summaries, and the
/// comparison year by year. A vision that is not public is a 404.
#[utoipa::path(get, path = "/api/v1/population", tag = "population",
    responses((status = 200, body = PublicPopulation), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 404, description = "The vision is not public", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_published_population(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let st = state.clone();
    cached_json_async(&state, &uri, &headers, |site| async move {
        let view = published_population(&st.catalog.context(), &site.plans).await?;
        Ok(public_population(&view))
    })
    .await
}

// ---------------------------------------------------------------- everything, for staff

/// The vision's figures as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffVision {
    /// The figures, with their `revision`: send it back with the next change.
    #[serde(flatten)]
    pub vision: PopulationVisionDoc,
    /// Who changed them last.
    pub updated_by: String,
    /// When (ISO 8601, UTC).
    pub updated_at: String,
}

/// A census as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffCensus {
    /// The census, with its `revision`.
    #[serde(flatten)]
    pub census: CensusDoc,
    /// Who changed it last.
    pub updated_by: String,
    /// When (ISO 8601, UTC).
    pub updated_at: String,
}

/// A scenario as stored, with what staff need to know about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffScenario {
    /// The scenario, with its `revision` and its last result (`result.current`: whether it
    /// was computed from the current inputs).
    #[serde(flatten)]
    pub scenario: ScenarioDoc,
    /// `not_computed` (未計算), `computed` (計算済み), `outdated` (再計算が必要: the inputs
    /// changed since the result) or `cannot_compute` (計算できません: see `problems`).
    pub state: String,
    /// The state in Japanese: 未計算, 計算済み, 再計算が必要, 計算できません.
    pub state_label: String,
    /// Why it cannot be projected now, by JSON path of this document (empty otherwise).
    pub problems: Vec<FieldProblem>,
    /// The rule of a derived scenario, as the pages state it; `null` for its own assumptions.
    pub rule: Option<String>,
    /// Its result per year: totals and age bands (empty without a result).
    pub summary: Vec<SummaryYear>,
    /// Who changed its definition or result last.
    pub updated_by: String,
    /// When (ISO 8601, UTC).
    pub updated_at: String,
}

/// The 人口ビジョン as staff read it: every record with its revision, each scenario with its
/// state, and the comparison of everything projected.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPopulation {
    /// The vision's figures; `null` until first saved.
    pub vision: Option<StaffVision>,
    /// The censuses, by year.
    pub censuses: Vec<StaffCensus>,
    /// Every scenario, in the order made.
    pub scenarios: Vec<StaffScenario>,
    /// Whether a scenario that can be projected has no result or an outdated one (`POST
    /// /api/v1/staff/population/run` projects them).
    pub needs_run: bool,
    /// Target, actuals, every scenario with a result and the references year by year.
    pub comparison: PopulationComparison,
}

pub(crate) fn staff_vision(view: &PopulationView) -> Option<StaffVision> {
    view.vision.as_ref().map(|v| StaffVision {
        vision: PopulationVisionDoc::of(&v.vision, Some(v.revision)),
        updated_by: v.updated_by.clone(),
        updated_at: v.updated_at.to_iso(),
    })
}

pub(crate) fn staff_census(view: &PopulationView, year: i32) -> Option<StaffCensus> {
    view.census(year).map(|c| StaffCensus {
        census: CensusDoc::of(&c.census, Some(c.revision)),
        updated_by: c.updated_by.clone(),
        updated_at: c.updated_at.to_iso(),
    })
}

/// A scenario as staff read it; `root` is where it stands in the document (for the paths of
/// its problems).
pub(crate) fn staff_scenario(s: &ScenarioView, root: &str) -> StaffScenario {
    let state = match (&s.record.result, &s.resolved) {
        (_, Err(_)) => "cannot_compute",
        (None, Ok(_)) => "not_computed",
        (Some(_), Ok(_)) if s.current() => "computed",
        (Some(_), Ok(_)) => "outdated",
    };
    let problems = match &s.resolved {
        Ok(_) => Vec::new(),
        Err(found) => problems_at(found.clone(), |key| {
            // The document writes every list of the assumptions as an array.
            scenario_path(root, &s.record.scenario, key, &|_| true)
        }),
    };
    StaffScenario {
        scenario: scenario_doc(s, Some(s.record.revision)),
        state: state.to_owned(),
        state_label: s.state_label().to_owned(),
        problems,
        rule: s.rule(),
        summary: summary_years(s),
        updated_by: s.record.updated_by.clone(),
        updated_at: s.record.updated_at.to_iso(),
    }
}

pub(crate) fn staff_population(view: &PopulationView) -> StaffPopulation {
    StaffPopulation {
        vision: staff_vision(view),
        censuses: view
            .censuses
            .iter()
            .filter_map(|c| staff_census(view, c.census.year))
            .collect(),
        scenarios: view
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| staff_scenario(s, &format!("$.scenarios[{i}]")))
            .collect(),
        needs_run: view.needs_run(),
        comparison: comparison_doc(view),
    }
}

/// The whole 人口ビジョン as stored (any staff role): every record with its revision, each
/// scenario's state and, when it cannot be projected, its problems.
#[utoipa::path(get, path = "/api/v1/staff/population", tag = "population",
    security(("token" = [])),
    responses((status = 200, body = StaffPopulation), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_staff_population(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let granted = granted(user, Action::ReadPopulation)?;
    let view = population(&state.catalog.context(), &granted).await?;
    Ok(no_store(StatusCode::OK, staff_population(&view)))
}

#[cfg(test)]
mod tests {
    use keikaku_domain::population::{Assumptions, BySex, Scenario, ScenarioId};

    use super::*;

    fn assumed(cwr: Vec<f64>) -> Scenario {
        Scenario {
            id: ScenarioId::parse("a").expect("an id"),
            name: "A".to_owned(),
            description: String::new(),
            base_year: 2020,
            horizon: 2030,
            basis: Basis::Assumed(Assumptions {
                survival: vec![BySex::filled(1.0)],
                migration: vec![BySex::filled(0.0); 2],
                child_woman_ratio: cwr,
                sex_ratio: 105.0,
            }),
            published: false,
            sample: false,
        }
    }

    #[test]
    fn a_scenarios_problems_are_placed_in_its_json() {
        let s = assumed(vec![0.2]);
        let object = |_: &str| false;
        let array = |_: &str| true;
        let at = |key: &str, arrayed: &dyn Fn(&str) -> bool| scenario_path("$", &s, key, arrayed);
        assert_eq!(at("survival.M[4]", &object), "$.assumptions.survival.M[4]");
        assert_eq!(
            at("survival.M[4]", &array),
            "$.assumptions.survival[0].M[4]"
        );
        assert_eq!(
            at("migration[1].F[0]", &array),
            "$.assumptions.migration[1].F[0]"
        );
        assert_eq!(at("cwr", &array), "$.assumptions.cwr[0]");
        assert_eq!(at("cwr", &object), "$.assumptions.cwr");
        assert_eq!(at("sex_ratio", &array), "$.assumptions.sex_ratio");
        assert_eq!(at("pop.F[3]", &array), "$.base_year");
        assert_eq!(at("steps", &array), "$.horizon");
        assert_eq!(at("name", &array), "$.name");
        assert_eq!(at("", &array), "$");
        // A list of the wrong length is the list, not its first value.
        let two = assumed(vec![0.2, 0.3, 0.4]);
        assert_eq!(scenario_path("$", &two, "cwr", &array), "$.assumptions.cwr");
        let derived = |rule| Scenario {
            basis: Basis::Derived {
                from: ScenarioId::parse("a").expect("an id"),
                rule,
            },
            ..assumed(vec![0.2])
        };
        let scaled = derived(Derivation::ScaledMigration { factor: -1.0 });
        assert_eq!(
            scenario_path("$.scenarios[2]", &scaled, "migration.M[3]", &array),
            "$.scenarios[2].derived.factor"
        );
        assert_eq!(
            scenario_path("$", &scaled, "survival.M[3]", &array),
            "$.derived.from"
        );
        assert_eq!(
            scenario_path("$", &scaled, "factor", &array),
            "$.derived.factor"
        );
        let fertility = derived(Derivation::Fertility {
            base_tfr: 1.4,
            points: vec![(2030, 1.8)],
        });
        assert_eq!(
            scenario_path("$", &fertility, "points[0].year", &array),
            "$.derived.points[0].year"
        );
        assert_eq!(
            scenario_path("$", &fertility, "cwr[1]", &array),
            "$.derived.points"
        );
    }

    #[test]
    fn a_visions_problems_are_placed_where_the_request_gave_them() {
        assert_eq!(vision_path("target[2].year"), "$.target[2].year");
        assert_eq!(
            vision_path("references[0].points[1].year"),
            "$.references[0].points[1].year"
        );
        assert_eq!(vision_path("links[1]"), "$.links[1]");
        assert_eq!(vision_path(""), "$");
        assert_eq!(census_path("counts"), "$");
        assert_eq!(census_path("unknown.M"), "$.unknown.M");
    }
}
