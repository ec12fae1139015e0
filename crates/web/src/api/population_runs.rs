//! The 人口ビジョン's projections, with a token of the planning office (`ManagePopulation`;
//! tag `population`), under `/api/v1/staff/population`: a scenario projected against the
//! revision read (`POST …/scenarios/{id}/run`), every scenario whose result is missing or out
//! of date (`POST …/run`), and a scenario derived from another by a rule and projected in one
//! action (`POST …/scenarios/{id}/derive`). A scenario that cannot be projected is a `422`
//! with every reason by JSON path; a stale revision a `409` with the scenario now. Every
//! projection stored refreshes the public site's catalog.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::access::Action;
use keikaku_app::population::{derive_scenario, population, run_all, run_scenario};
use keikaku_domain::population::{Derivation, ScenarioId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, no_store};
use crate::api::population::{
    StaffPopulation, StaffScenario, scenario_path, staff_population, staff_scenario,
};
use crate::api::population_edits::{
    STAFF, current_scenario, gone, problem, refused, saved, scenario_id, stored,
};
use crate::api::rounds::at;
use crate::api::{ApiError, ApiPath, ApiQuery, only_params};
use crate::error::{Current, FieldProblem};
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        POST "/api/v1/staff/population/scenarios/{id}/run" => run_one,
        ManagePopulation,
        "/api/v1/staff/population/scenarios/kihon/run"
    ),
    route!(
        POST "/api/v1/staff/population/scenarios/{id}/derive" => derive,
        ManagePopulation,
        "/api/v1/staff/population/scenarios/kihon/derive"
    ),
    route!(
        POST "/api/v1/staff/population/run" => run_everything,
        ManagePopulation,
        "/api/v1/staff/population/run"
    ),
];

// ---------------------------------------------------------------- runs

/// A scenario's revision as read, for a run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRevision {
    /// The scenario's revision as read (`revision` of the scenario).
    #[schema(minimum = 1)]
    pub revision: i64,
}

/// Projects a scenario from the current inputs (its census, its assumptions or those it is
/// derived from) and stores the result, against the revision read.
#[utoipa::path(post, path = "/api/v1/staff/population/scenarios/{id}/run", tag = "population",
    params(("id" = String, Path, description = "The scenario's id", example = "kihon", pattern = "^[a-z0-9][a-z0-9-]{0,31}$")),
    request_body = ScenarioRevision, security(("token" = [])),
    responses((status = 200, description = "The scenario with its new result", body = StaffScenario),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such scenario", body = crate::error::ErrorEnvelope),
        (status = 409, description = "Changed since read (`current`: the scenario now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "It cannot be projected: every reason by JSON path of the scenario as read (`$.base_year`, `$.assumptions.survival[0].M[4]`, `$.derived.from` …)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn run_one(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<ScenarioRevision>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let id = scenario_id(&id)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManagePopulation)?;
    let cx = state.catalog.context();
    let before = population(&cx, &granted).await?;
    let Some(scenario) = before.scenario(&id).map(|s| s.record.scenario.clone()) else {
        return Err(ApiError::NotFound(format!("推計「{id}」はありません。")));
    };
    match run_scenario(&cx, &granted, &id, change.revision, at()?).await {
        Ok(_) => {
            let view = stored(&state, &granted).await?;
            let s = view.scenario(&id).ok_or_else(|| gone("the scenario"))?;
            Ok(no_store(StatusCode::OK, staff_scenario(s, "$")))
        }
        Err(e) => Err(refused(
            &state,
            &granted,
            e,
            |key| scenario_path("$", &scenario, key, &|_| true),
            |v| current_scenario(v, &id),
        )
        .await),
    }
}

/// What projecting every scenario that needed it did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunOutcome {
    /// How many scenarios were projected (0: every result was current).
    pub projected: usize,
    /// The vision as stored afterwards.
    pub population: StaffPopulation,
}

/// Projects every scenario whose result is missing or out of date, in the order made (a
/// scenario before those derived from it); scenarios that cannot be projected are left as
/// they are (their `state` says why).
#[utoipa::path(post, path = "/api/v1/staff/population/run", tag = "population",
    security(("token" = [])),
    responses((status = 200, description = "How many were projected, and the vision now", body = RunOutcome),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 409, description = "A scenario changed while it was projected (`current`: the vision now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn run_everything(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let granted = granted(user, Action::ManagePopulation)?;
    let cx = state.catalog.context();
    match run_all(&cx, &granted, at()?).await {
        Ok(projected) => {
            let view = stored(&state, &granted).await?;
            Ok(no_store(
                StatusCode::OK,
                RunOutcome {
                    projected,
                    population: staff_population(&view),
                },
            ))
        }
        Err(e) => {
            // Whatever was projected before the refusal is stored: the public follows it.
            state.catalog.invalidate().await?;
            Err(refused(
                &state,
                &granted,
                e,
                |key| format!("$.{key}"),
                |v| Some(Current::Population(Box::new(staff_population(v)))),
            )
            .await)
        }
    }
}

// ---------------------------------------------------------------- deriving a scenario

/// A year of a fertility path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FertilityPoint {
    /// The year (after the base year, increasing).
    #[schema(example = 2030)]
    pub year: i32,
    /// 合計特殊出生率 in that year.
    #[schema(example = 1.8)]
    pub tfr: f64,
}

/// A scenario derived from the URL's by a rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeriveScenario {
    /// The new scenario's id (half-width lower-case letters, digits and `-`).
    #[schema(example = "ikou-hangen")]
    pub id: String,
    /// Its name; empty or left out: the other's name with the rule (「基本推計（純移動率×0.5）」).
    #[serde(default)]
    pub name: String,
    /// `zero_migration` (移動均衡: every net migration rate 0), `scaled_migration` (every net
    /// migration rate × `factor`) or `fertility` (each step's child–woman ratio × the TFR of
    /// `points` at the step's end ÷ `base_tfr`).
    #[schema(example = "scaled_migration")]
    pub rule: String,
    /// `scaled_migration`: the factor (≥ 0).
    #[serde(default)]
    #[schema(example = 0.5)]
    pub factor: Option<f64>,
    /// `fertility`: the TFR the other scenario's child–woman ratios stand for (> 0).
    #[serde(default)]
    pub base_tfr: Option<f64>,
    /// `fertility`: the path of the TFR (one year at least).
    #[serde(default)]
    pub points: Vec<FertilityPoint>,
}

/// The derivation a request asks for, or every problem of it by JSON path.
fn derivation(d: &DeriveScenario) -> Result<Derivation, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let rule = d.rule.trim();
    let unused = |field: &str, given: bool, problems: &mut Vec<FieldProblem>| {
        if given {
            problems.push(problem(
                &format!("$.{field}"),
                format!("{field} は導き方「{rule}」では使いません。"),
            ));
        }
    };
    let needed = |field: &str, value: Option<f64>, problems: &mut Vec<FieldProblem>| {
        value.unwrap_or_else(|| {
            problems.push(problem(
                &format!("$.{field}"),
                format!("導き方「{rule}」には {field} が必要です。"),
            ));
            0.0
        })
    };
    let derivation = match rule {
        "zero_migration" => {
            unused("factor", d.factor.is_some(), &mut problems);
            unused("base_tfr", d.base_tfr.is_some(), &mut problems);
            unused("points", !d.points.is_empty(), &mut problems);
            Derivation::ZeroMigration
        }
        "scaled_migration" => {
            unused("base_tfr", d.base_tfr.is_some(), &mut problems);
            unused("points", !d.points.is_empty(), &mut problems);
            Derivation::ScaledMigration {
                factor: needed("factor", d.factor, &mut problems),
            }
        }
        "fertility" => {
            unused("factor", d.factor.is_some(), &mut problems);
            Derivation::Fertility {
                base_tfr: needed("base_tfr", d.base_tfr, &mut problems),
                points: d.points.iter().map(|p| (p.year, p.tfr)).collect(),
            }
        }
        other => {
            problems.push(problem(
                "$.rule",
                format!(
                    "導き方「{other}」は zero_migration・scaled_migration・fertility のいずれかにしてください。"
                ),
            ));
            Derivation::ZeroMigration
        }
    };
    if problems.is_empty() {
        Ok(derivation)
    } else {
        Err(problems)
    }
}

/// Where a problem of a derived scenario is in the request: its own members, the rule's
/// parameters, else the request as a whole (the scenario it is derived from is the URL's).
fn derive_path(rule: &Derivation, key: &str) -> String {
    let head = &key[..key.find(['.', '[']).unwrap_or(key.len())];
    match (rule, head) {
        (_, "id" | "name" | "factor" | "base_tfr" | "points") => format!("$.{key}"),
        (Derivation::ScaledMigration { .. }, "migration") => "$.factor".to_owned(),
        (Derivation::Fertility { .. }, "cwr") => "$.points".to_owned(),
        _ => "$".to_owned(),
    }
}

/// Makes a scenario derived from `{id}` by a rule and projects it, in one action: its base
/// year and horizon are the other's; it is not public until its definition says so.
#[utoipa::path(post, path = "/api/v1/staff/population/scenarios/{id}/derive", tag = "population",
    params(("id" = String, Path, description = "The scenario derived from (one with its own assumptions)", example = "kihon", pattern = "^[a-z0-9][a-z0-9-]{0,31}$")),
    request_body = DeriveScenario, security(("token" = [])),
    responses((status = 201, description = "The new scenario, projected (`Location`: its URL)", body = StaffScenario),
        (status = 400, description = "Not this shape (an unknown member, a number as text …)", body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No scenario `{id}`", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The vision changed meanwhile (`current`: the new scenario, if stored)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.id` — taken —, `$.rule`, `$.factor`, `$.points[1].year`; `$` when `{id}` is itself derived)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn derive(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(from): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<DeriveScenario>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let from = scenario_id(&from)?;
    let Json(request) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManagePopulation)?;
    let id = ScenarioId::parse(&request.id).map_err(|m| problem("$.id", m));
    let (id, rule) = match (id, derivation(&request)) {
        (Ok(id), Ok(rule)) => (id, rule),
        (id, rule) => {
            let mut problems: Vec<FieldProblem> = id.err().into_iter().collect();
            problems.extend(rule.err().unwrap_or_default());
            return Err(ApiError::Invalid(problems));
        }
    };
    let cx = state.catalog.context();
    if population(&cx, &granted).await?.scenario(&from).is_none() {
        return Err(ApiError::NotFound(format!("推計「{from}」はありません。")));
    }
    let name = request.name.clone();
    match derive_scenario(&cx, &granted, &from, id.clone(), name, rule.clone(), at()?).await {
        Ok(_) => {
            let view = stored(&state, &granted).await?;
            let s = view.scenario(&id).ok_or_else(|| gone("the scenario"))?;
            Ok(saved(
                true,
                staff_scenario(s, "$"),
                &format!("{STAFF}/scenarios/{id}"),
            ))
        }
        Err(e) => {
            // The scenario may be stored though its projection was refused.
            state.catalog.invalidate().await?;
            Err(refused(
                &state,
                &granted,
                e,
                |key| derive_path(&rule, key),
                |v| current_scenario(v, &id),
            )
            .await)
        }
    }
}
