//! The 人口ビジョン's records written by the planning office, with a token
//! (`ManagePopulation`; tag `population`), under `/api/v1/staff/population`: the vision's
//! figures (`PUT …/vision`), a census (`PUT`/`DELETE …/censuses/{year}`) and a scenario's
//! definition (`PUT`/`DELETE …/scenarios/{id}`) — the use cases of `keikaku_app::population`,
//! so the staff pages' rules. Projections (a scenario run, every scenario run, a scenario
//! derived and run) are in `population_runs`.
//!
//! A record is sent in the shape the reads give it (`keikaku_planfile::population_vision`),
//! read by the planfile's readers, so every problem of its shape has its JSON path; the use
//! cases' problems are placed in the request by `population`'s `vision_path`, `census_path`
//! and `scenario_path`. `revision` is the record's revision as read (`null` or left out: a
//! new record); a stale one is a `409` whose `current` is the record as stored now. Every
//! write refreshes the public site's catalog, whose version follows the public vision, so the
//! public read follows at once.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted};
use keikaku_app::population::{
    PopulationView, delete_census, delete_scenario, population, save_census, save_scenario,
    save_vision,
};
use keikaku_domain::population::ScenarioId;
use keikaku_planfile::population_vision::{read_census, read_population_vision, read_scenario};
use serde::Serialize;
use serde_json::Value;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, no_store};
use crate::api::population::{
    StaffCensus, StaffScenario, StaffVision, census_path, problems_at, scenario_path, staff_census,
    staff_scenario, staff_vision, vision_path,
};
use crate::api::rounds::at;
use crate::api::{ApiError, ApiPath, ApiQuery, only_params};
use crate::error::{Current, FieldProblem};
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        PUT "/api/v1/staff/population/vision" => put_vision,
        ManagePopulation,
        "/api/v1/staff/population/vision"
    ),
    route!(
        PUT "/api/v1/staff/population/censuses/{year}" => put_census,
        ManagePopulation,
        "/api/v1/staff/population/censuses/2020"
    ),
    route!(
        DELETE "/api/v1/staff/population/censuses/{year}" => remove_census,
        ManagePopulation,
        "/api/v1/staff/population/censuses/2020?revision=1"
    ),
    route!(
        PUT "/api/v1/staff/population/scenarios/{id}" => put_scenario,
        ManagePopulation,
        "/api/v1/staff/population/scenarios/kihon"
    ),
    route!(
        DELETE "/api/v1/staff/population/scenarios/{id}" => remove_scenario,
        ManagePopulation,
        "/api/v1/staff/population/scenarios/shussei-koujou?revision=1"
    ),
];

pub(super) const STAFF: &str = "/api/v1/staff/population";

// ---------------------------------------------------------------- shared

pub(super) fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// A record sent to be stored: the JSON, its revision, and the problems found so far.
struct Sent {
    value: Value,
    revision: Option<i64>,
    problems: Vec<FieldProblem>,
}

/// Opens a request's record: a JSON object, without what a read gives besides the record
/// (`read_only`: sent back as read, ignored), with its revision (`null` or left out: new).
fn open(mut value: Value, what: &str, read_only: &[&str]) -> Result<Sent, ApiError> {
    let Some(object) = value.as_object_mut() else {
        return Err(ApiError::Invalid(vec![problem(
            "$",
            format!("{what}をJSONのオブジェクトで送ってください。"),
        )]));
    };
    for key in read_only {
        object.remove(*key);
    }
    let mut problems = Vec::new();
    let revision = match object.get("revision") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64().filter(|r| *r >= 0) {
            Some(r) => Some(r),
            None => {
                problems.push(problem(
                    "$.revision",
                    format!(
                        "revision（{what}の版）は0以上の整数で指定してください（新しく登録するときは null または省略）。"
                    ),
                ));
                None
            }
        },
    };
    Ok(Sent {
        value,
        revision,
        problems,
    })
}

impl Sent {
    /// The record's key (`key`) is the URL's: left out, it is taken from there; sent, it must
    /// be the same.
    fn key_of_url(&mut self, key: &str, url: Value, same: impl Fn(&Value) -> bool, hint: &str) {
        let Some(object) = self.value.as_object_mut() else {
            return;
        };
        match object.get(key) {
            None | Some(Value::Null) => {
                object.insert(key.to_owned(), url);
            }
            Some(v) if same(v) => {}
            Some(_) => self.problems.push(problem(
                &format!("$.{key}"),
                format!("{hint}（省略するとURLのものになります）。"),
            )),
        }
    }

    /// The record read by a planfile reader, with every problem of the request at once.
    fn read<T>(
        self,
        reader: impl FnOnce(&Value) -> Result<T, Vec<keikaku_planfile::FileProblem>>,
    ) -> Result<(T, Option<i64>, Value), ApiError> {
        let Sent {
            value,
            revision,
            mut problems,
        } = self;
        match reader(&value) {
            Ok(record) if problems.is_empty() => Ok((record, revision, value)),
            Ok(_) => Err(ApiError::Invalid(problems)),
            Err(found) => {
                problems.extend(problems_at(found, str::to_owned));
                Err(ApiError::Invalid(problems))
            }
        }
    }
}

/// A refused write: the use case's problems placed in the request by `path`, a conflict with
/// what `current` picks of the vision as stored now.
pub(super) async fn refused(
    state: &AppState,
    granted: &Granted,
    e: AppError,
    path: impl Fn(&str) -> String,
    current: impl FnOnce(&PopulationView) -> Option<Current>,
) -> ApiError {
    match e {
        AppError::Invalid(found) => ApiError::Invalid(problems_at(found, path)),
        e => match ApiError::from(e) {
            ApiError::Conflict { message, .. } => ApiError::Conflict {
                message,
                current: population(&state.catalog.context(), granted)
                    .await
                    .ok()
                    .and_then(|v| current(&v)),
            },
            other => other,
        },
    }
}

/// After a write: the public site follows at once, and the vision is read as stored.
pub(super) async fn stored(
    state: &AppState,
    granted: &Granted,
) -> Result<PopulationView, ApiError> {
    state.catalog.invalidate().await?;
    Ok(population(&state.catalog.context(), granted).await?)
}

/// `201` with `Location` for a record made, `200` for one changed.
pub(super) fn saved(created: bool, body: impl Serialize, location: &str) -> Response {
    if !created {
        return no_store(StatusCode::OK, body);
    }
    let mut response = no_store(StatusCode::CREATED, body);
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

pub(super) fn gone(what: &str) -> ApiError {
    ApiError::Internal(format!("{what} saved is not there"))
}

/// The revision of a deletion, from `?revision=`.
fn revision_param(
    params: &std::collections::HashMap<String, String>,
    what: &str,
) -> Result<i64, ApiError> {
    match params.get("revision").map(|r| r.trim().parse::<i64>()) {
        Some(Ok(r)) if r >= 1 => Ok(r),
        Some(_) => Err(ApiError::BadRequest(format!(
            "revision（{what}の版）は1以上の整数で指定してください。"
        ))),
        None => Err(ApiError::BadRequest(format!(
            "削除には revision（{what}の版）を指定してください。"
        ))),
    }
}

fn deleted() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "no-store")],
    )
        .into_response()
}

fn census_year(text: &str) -> Result<i32, ApiError> {
    let text = text.trim();
    text.parse::<i32>()
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "URLの年「{text}」は西暦の半角数字で指定してください（例: 2020）。"
            ))
        })
}

pub(super) fn scenario_id(text: &str) -> Result<ScenarioId, ApiError> {
    ScenarioId::parse(text).map_err(ApiError::BadRequest)
}

pub(super) fn current_scenario(view: &PopulationView, id: &ScenarioId) -> Option<Current> {
    view.scenario(id)
        .map(|s| Current::Scenario(Box::new(staff_scenario(s, "$"))))
}

// ---------------------------------------------------------------- the vision's figures

/// Stores the vision's figures and settings, written whole: the target path, the actual
/// totals, the reference projections, the strategy's 数値目標・KPI it rests on, the note and
/// whether the public sees it.
#[utoipa::path(put, path = "/api/v1/staff/population/vision", tag = "population",
    request_body(content = keikaku_planfile::population_vision::PopulationVisionDoc,
        description = "The figures as read (`updated_by`, `updated_at` ignored), with `revision` as read; `null` or left out the first time"),
    security(("token" = [])),
    responses((status = 200, description = "The figures as stored by this change", body = StaffVision),
        (status = 201, description = "The figures saved for the first time", body = StaffVision),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 409, description = "Changed since read (`current`: the figures now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.target[1].year`, `$.actuals[0].source`, `$.links[0]` …)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_vision(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(params): ApiQuery,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(body) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManagePopulation)?;
    let sent = open(
        body,
        "人口ビジョンの目標・実績",
        &["updated_by", "updated_at"],
    )?;
    let (vision, revision, _) = sent.read(|v| read_population_vision(v, "$"))?;
    let cx = state.catalog.context();
    match save_vision(&cx, &granted, vision, revision, at()?).await {
        Ok(_) => {
            let view = stored(&state, &granted).await?;
            let dto = staff_vision(&view).ok_or_else(|| gone("the vision"))?;
            Ok(saved(revision.is_none(), dto, &format!("{STAFF}/vision")))
        }
        Err(e) => Err(refused(&state, &granted, e, vision_path, |v| {
            staff_vision(v).map(|x| Current::Vision(Box::new(x)))
        })
        .await),
    }
}

// ---------------------------------------------------------------- censuses

/// Stores a census (people by sex × five-year age group, 年齢不詳 by sex), written whole: a new
/// year (`revision` `null` or left out) or a change from the revision read. Scenarios that
/// start from it need projecting again afterwards.
#[utoipa::path(put, path = "/api/v1/staff/population/censuses/{year}", tag = "population",
    params(("year" = i32, Path, description = "The census year (西暦)", example = 2020)),
    request_body(content = keikaku_planfile::population_vision::CensusDoc,
        description = "The census as read (`total`, `updated_by`, `updated_at` ignored; `year` left out or the URL's), with `revision` as read"),
    security(("token" = [])),
    responses((status = 200, description = "The census as stored by this change", body = StaffCensus),
        (status = 201, description = "The new census as stored", body = StaffCensus),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 409, description = "Changed since read, or made meanwhile (`current`: the census now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.year` — another year than the URL's, or a year stored already when sent as new —, `$.M[3]`, `$.source`, `$.unknown.F`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_census(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = census_year(&year)?;
    let Json(body) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManagePopulation)?;
    let mut sent = open(body, "人口", &["updated_by", "updated_at"])?;
    sent.key_of_url(
        "year",
        Value::from(year),
        |v| v.as_i64() == Some(i64::from(year)),
        &format!("年はURLの「{year}」と同じにしてください"),
    );
    let (census, revision, _) = sent.read(|v| read_census(v, "$"))?;
    let cx = state.catalog.context();
    match save_census(&cx, &granted, census, revision, at()?).await {
        Ok(_) => {
            let view = stored(&state, &granted).await?;
            let dto = staff_census(&view, year).ok_or_else(|| gone("the census"))?;
            Ok(saved(
                revision.is_none(),
                dto,
                &format!("{STAFF}/censuses/{year}"),
            ))
        }
        Err(e) => Err(refused(&state, &granted, e, census_path, |v| {
            staff_census(v, year).map(|c| Current::Census(Box::new(c)))
        })
        .await),
    }
}

/// Deletes a census no scenario starts from, from the revision read.
#[utoipa::path(delete, path = "/api/v1/staff/population/censuses/{year}", tag = "population",
    params(("year" = i32, Path, description = "The census year (西暦)", example = 2015),
        ("revision" = i64, Query, description = "The census's revision as read", minimum = 1)),
    security(("token" = [])),
    responses((status = 204, description = "Deleted"), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No census of that year", body = crate::error::ErrorEnvelope),
        (status = 409, description = "Changed since read, or a scenario starts from it (`current`: the census now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn remove_census(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &["revision"])?;
    let year = census_year(&year)?;
    let revision = revision_param(&params, "人口")?;
    let granted = granted(user, Action::ManagePopulation)?;
    let cx = state.catalog.context();
    if population(&cx, &granted).await?.census(year).is_none() {
        return Err(ApiError::NotFound(format!(
            "{year}年の人口は登録されていません。"
        )));
    }
    match delete_census(&cx, &granted, year, revision, at()?).await {
        Ok(()) => {
            state.catalog.invalidate().await?;
            Ok(deleted())
        }
        Err(e) => Err(refused(&state, &granted, e, census_path, |v| {
            staff_census(v, year).map(|c| Current::Census(Box::new(c)))
        })
        .await),
    }
}

// ---------------------------------------------------------------- scenarios

/// What a read gives of a scenario besides the scenario itself (`result` the reader ignores).
const SCENARIO_READ_ONLY: &[&str] = &[
    "updated_by",
    "updated_at",
    "state",
    "state_label",
    "problems",
    "rule",
    "summary",
];

/// Stores a scenario's definition, written whole — its own `assumptions`, or `derived` from
/// another by a rule —, checked as the pages check it: its fields, and whether it can be
/// projected (its base census, the numbers of its assumptions or of those it is derived
/// from). A new one (`revision` `null` or left out) goes last. Its stored result is kept and
/// says by `current` whether it is still current; `…/run` projects it.
#[utoipa::path(put, path = "/api/v1/staff/population/scenarios/{id}", tag = "population",
    params(("id" = String, Path, description = "The scenario's id", example = "kihon", pattern = "^[a-z0-9][a-z0-9-]{0,31}$")),
    request_body(content = keikaku_planfile::population_vision::ScenarioDoc,
        description = "The scenario as read (`result`, `state`, `state_label`, `problems`, `rule`, `summary`, `updated_by`, `updated_at` ignored; `id` left out or the URL's), with `revision` as read"),
    security(("token" = [])),
    responses((status = 200, description = "The scenario as stored by this change", body = StaffScenario),
        (status = 201, description = "The new scenario as stored", body = StaffScenario),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 409, description = "Changed since read (`current`: the scenario now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.id` — another id than the URL's, or one taken when sent as new —, `$.horizon`, `$.base_year` — no census that year —, `$.assumptions.cwr[1]`, `$.derived.from` …)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_scenario(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let id = scenario_id(&id)?;
    let Json(body) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManagePopulation)?;
    let mut sent = open(body, "推計", SCENARIO_READ_ONLY)?;
    sent.key_of_url(
        "id",
        Value::from(id.as_str()),
        |v| v.as_str().map(str::trim) == Some(id.as_str()),
        &format!("推計のIDはURLの「{id}」と同じにしてください"),
    );
    let (scenario, revision, value) = sent.read(|v| read_scenario(v, "$"))?;
    let cx = state.catalog.context();
    match save_scenario(&cx, &granted, scenario.clone(), revision, at()?).await {
        Ok(_) => {
            let view = stored(&state, &granted).await?;
            let s = view.scenario(&id).ok_or_else(|| gone("the scenario"))?;
            Ok(saved(
                revision.is_none(),
                staff_scenario(s, "$"),
                &format!("{STAFF}/scenarios/{id}"),
            ))
        }
        Err(e) => {
            let arrayed = |member: &str| value["assumptions"][member].is_array();
            Err(refused(
                &state,
                &granted,
                e,
                |key| scenario_path("$", &scenario, key, &arrayed),
                |v| current_scenario(v, &id),
            )
            .await)
        }
    }
}

/// Deletes a scenario no other is derived from, with its result, from the revision read.
#[utoipa::path(delete, path = "/api/v1/staff/population/scenarios/{id}", tag = "population",
    params(("id" = String, Path, description = "The scenario's id", example = "shussei-koujou", pattern = "^[a-z0-9][a-z0-9-]{0,31}$"),
        ("revision" = i64, Query, description = "The scenario's revision as read", minimum = 1)),
    security(("token" = [])),
    responses((status = 204, description = "Deleted"), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such scenario", body = crate::error::ErrorEnvelope),
        (status = 409, description = "Changed since read, or another scenario is derived from it (`current`: the scenario now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn remove_scenario(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &["revision"])?;
    let id = scenario_id(&id)?;
    let revision = revision_param(&params, "推計")?;
    let granted = granted(user, Action::ManagePopulation)?;
    let cx = state.catalog.context();
    if population(&cx, &granted).await?.scenario(&id).is_none() {
        return Err(ApiError::NotFound(format!("推計「{id}」はありません。")));
    }
    match delete_scenario(&cx, &granted, &id, revision, at()?).await {
        Ok(()) => {
            state.catalog.invalidate().await?;
            Ok(deleted())
        }
        Err(e) => Err(refused(
            &state,
            &granted,
            e,
            |key| format!("$.{key}"),
            |v| current_scenario(v, &id),
        )
        .await),
    }
}
