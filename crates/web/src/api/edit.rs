//! The write API: the browser's editing operations for scripts and other systems, under
//! `/api/v1`, with a personal access token (`Authorization: Bearer kk_…`; the API never reads
//! the session cookie). The same use cases as the forms (`keikaku_app::edit`), so the same
//! rules: drafts only, department editors limited to their own elements, and every write
//! carrying the version it started from — a stale one answers `409` with the current element.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted};
use keikaku_app::edit::{self, Draft, Submission};
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{PlanId, PlanStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::{ApiError, ApiQuery, only_params};
use crate::clock::now;
use crate::error::Current;
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/plans/{plan}/elements/{id}" => get_element,
        ReadDrafts,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1"
    ),
    route!(
        PUT "/api/v1/plans/{plan}/elements/{id}" => put_element,
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1"
    ),
    route!(
        DELETE "/api/v1/plans/{plan}/elements/{id}" => delete_element,
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1?version=1"
    ),
    route!(
        POST "/api/v1/plans/{plan}/elements" => create_element,
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements"
    ),
    route!(
        POST "/api/v1/plans/{plan}/elements/{id}/move" => move_element,
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1/move"
    ),
    route!(
        GET "/api/v1/plans/{plan}/header" => get_header,
        ReadDrafts,
        "/api/v1/plans/sogo-keikaku/header"
    ),
    route!(
        PUT "/api/v1/plans/{plan}/header" => put_header,
        EditPlan,
        "/api/v1/plans/sogo-keikaku/header"
    ),
    route!(
        POST "/api/v1/plans/{plan}/status" => change_status,
        ChangePlanStatus,
        "/api/v1/plans/sogo-keikaku/status"
    ),
];

/// An element as the write API shows it: its form fields and links, and its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ElementDto {
    /// The plan.
    pub plan: String,
    /// The element's stable id.
    pub id: String,
    /// Its kind (`measure`, `field`, `kpi`, …).
    pub kind: String,
    /// Its parent element, if any.
    pub parent: Option<String>,
    /// The version to send back with a change.
    pub version: u32,
    /// Field name → text.
    pub fields: BTreeMap<String, String>,
    /// Link targets (`plan/element`), for priority projects and strategy measures.
    pub links: Vec<String>,
    /// Whether the token's user may change it now.
    pub editable: bool,
    /// What looks wrong though valid in the element as stored (a target year outside the
    /// period, a target equal to the baseline, …): saved all the same, worth a second look.
    /// Empty for an element that is not an indicator.
    pub warnings: Vec<WarningDto>,
}

/// Input that is valid but probably not meant.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningDto {
    /// The field to look at again (a name of `fields`).
    pub field: String,
    /// What looks wrong, in Japanese, beginning with the field's label.
    pub message: String,
}

/// A change to an element.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElementChange {
    /// The version the change starts from (from `GET`).
    #[serde(deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 2147483647)]
    pub version: u32,
    /// Field name → new text; fields left out become empty.
    pub fields: BTreeMap<String, String>,
    /// New link targets (`plan/element`); left out, the links stay as they are.
    pub links: Option<Vec<String>>,
}

/// A new element.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewElement {
    /// Its kind (`goal`, `measure`, `kpi`, …).
    pub kind: String,
    /// Its parent element (none for the plan's top level).
    pub parent: Option<String>,
    /// Field name → text.
    pub fields: BTreeMap<String, String>,
    /// Link targets (`plan/element`).
    pub links: Option<Vec<String>>,
}

/// A move among siblings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// Which way.
    pub direction: Direction,
}

/// Which way an element moves among its siblings.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// One place towards the start.
    Up,
    /// One place towards the end.
    Down,
}

/// A plan status, as in the plan file.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 草案.
    Draft,
    /// 審議中.
    UnderDeliberation,
    /// 決定.
    Adopted,
    /// 公開.
    Published,
}

impl From<Status> for PlanStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Draft => Self::Draft,
            Status::UnderDeliberation => Self::UnderDeliberation,
            Status::Adopted => Self::Adopted,
            Status::Published => Self::Published,
        }
    }
}

/// Reads a whole number that may be written `3` or `3.0` (JSON does not tell them apart).
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
                .map(|f| format!("{f:.0}").parse().unwrap_or(u32::MAX))
        })
        .ok_or_else(|| serde::de::Error::custom("version は0以上の整数です"))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The status the caller saw.
    pub from: Status,
    /// The new status.
    pub to: Status,
    /// The name of the version the change freezes (at most 40 characters, one line), e.g.
    /// パブコメ案; may be given later on the version's staff page.
    #[serde(default)]
    #[schema(example = "パブコメ案")]
    pub label: String,
    /// Why that version is made (at most 1000 characters).
    #[serde(default)]
    #[schema(example = "パブリックコメントに付す案")]
    pub reason: String,
}

/// The plan's own texts.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeaderDto {
    /// The plan.
    pub plan: String,
    /// Its status.
    pub status: String,
    /// The revision to send back with a change.
    pub version: u32,
    /// Field name → text.
    pub fields: BTreeMap<String, String>,
}

/// A change to the plan's own texts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderChange {
    /// The revision the change starts from.
    #[serde(deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 2147483647)]
    pub version: u32,
    /// Field name → new text.
    pub fields: BTreeMap<String, String>,
}

pub(crate) fn bad_json(e: &JsonRejection) -> ApiError {
    ApiError::BadRequest(format!(
        "リクエストの本文をJSONとして読めません: {}",
        e.body_text()
    ))
}

pub(crate) fn ids(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(PlanId, String), ApiError> {
    let Ok(Path((plan, id))) = path else {
        return Err(ApiError::BadRequest("パスを読み取れません。".to_owned()));
    };
    Ok((plan_id(&plan)?, id))
}

pub(crate) fn plan_id(s: &str) -> Result<PlanId, ApiError> {
    PlanId::parse(s).map_err(|e| ApiError::BadRequest(e.to_string()))
}

fn one(path: Result<Path<String>, PathRejection>) -> Result<PlanId, ApiError> {
    let Ok(Path(plan)) = path else {
        return Err(ApiError::BadRequest("パスを読み取れません。".to_owned()));
    };
    plan_id(&plan)
}

pub(crate) fn granted(user: ApiUser, action: Action) -> Result<Granted, ApiError> {
    Granted::check(user.0, action).map_err(|_| ApiError::Forbidden)
}

async fn load(state: &AppState, plan: &PlanId) -> Result<Draft, ApiError> {
    Ok(edit::draft(&state.catalog.context(), plan).await?)
}

fn dto(draft: &Draft, id: &str, user: &keikaku_domain::account::User) -> Option<ElementDto> {
    let element = draft.element(id)?;
    Some(ElementDto {
        plan: draft.plan.id().to_string(),
        id: element.id.clone(),
        kind: element.kind.code().to_owned(),
        parent: element.parent_id.clone(),
        version: draft.version(id),
        fields: draft.values(id),
        links: draft.links(id),
        editable: edit::editable_status(draft.plan.header().status)
            && edit::may_edit(user, element),
        warnings: draft
            .warnings(id)
            .into_iter()
            .map(|w| WarningDto {
                field: w.field.name().to_owned(),
                message: w.message,
            })
            .collect(),
    })
}

/// A refused write; a conflict carries the element as it is now (`current`).
fn failure(e: AppError, current: Option<ElementDto>) -> ApiError {
    match ApiError::from(e) {
        ApiError::Conflict { message, .. } => ApiError::Conflict {
            message,
            current: current.map(|c| Current::Element(Box::new(c))),
        },
        other => other,
    }
}

pub(crate) fn no_store(status: StatusCode, body: impl Serialize) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// The element, to edit it.
#[utoipa::path(get, path = "/api/v1/plans/{plan}/elements/{id}", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), ("id" = String, Path, description = "Element id", example = "measure-1-1-1", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    security(("token" = [])),
    responses((status = 200, body = ElementDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope),
        (status = 403, body = crate::error::ErrorEnvelope), (status = 404, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_element(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, id) = ids(path)?;
    let draft = load(&state, &plan).await?;
    let element = dto(&draft, &id, &user.0)
        .ok_or_else(|| ApiError::NotFound(format!("要素「{id}」はこの計画にありません。")))?;
    Ok(no_store(StatusCode::OK, element))
}

/// Changes an element (from the version it was read at).
#[utoipa::path(put, path = "/api/v1/plans/{plan}/elements/{id}", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), ("id" = String, Path, description = "Element id", example = "measure-1-1-1", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    request_body = ElementChange, security(("token" = [])),
    responses((status = 200, body = ElementDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope),
        (status = 422, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_element(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<ElementChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, id) = ids(path)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let who = user.0.clone();
    let granted = granted(user, Action::EditPlan)?;
    let submission = Submission {
        version: change.version,
        values: change.fields,
        links: change.links,
    };
    let result = edit::update_element(
        &state.catalog.context(),
        &granted,
        &plan,
        &id,
        &submission,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await;
    let draft = load(&state, &plan).await?;
    match result {
        // The element as this save stored it, even when another save came right after: the
        // draft read now may already hold that one, and a client continuing from its version
        // would overwrite it without a conflict.
        Ok(saved) => Ok(no_store(
            StatusCode::OK,
            dto(&draft, &id, &who).map(|current| ElementDto {
                version: saved.version,
                fields: saved.values,
                links: saved.links,
                ..current
            }),
        )),
        Err(e) => Err(failure(e, dto(&draft, &id, &who))),
    }
}

/// Adds an element at the end of its siblings.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/elements", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    request_body = NewElement, security(("token" = [])),
    responses((status = 201, body = ElementDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope),
        (status = 422, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn create_element(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<NewElement>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let plan = one(path)?;
    let Json(new) = body.map_err(|e| bad_json(&e))?;
    let who = user.0.clone();
    let granted = granted(user, Action::EditPlan)?;
    let submission = Submission {
        version: 0,
        values: new.fields,
        links: new.links,
    };
    let Some(kind) = keikaku_domain::ElementKind::from_code(&new.kind) else {
        return Err(ApiError::from(AppError::Invalid(vec![
            keikaku_planfile::FileProblem {
                path: "kind".to_owned(),
                message: "ここには「要素」を追加できません。".to_owned(),
            },
        ])));
    };
    let id = edit::create_element(
        &state.catalog.context(),
        &granted,
        &plan,
        edit::Placement {
            kind,
            parent: new.parent.as_deref(),
        },
        &submission,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await
    .map_err(|e| failure(e, None))?;
    let draft = load(&state, &plan).await?;
    let mut response = no_store(StatusCode::CREATED, dto(&draft, &id, &who));
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/plans/{plan}/elements/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The version a deletion starts from: the query parameter as the OpenAPI document describes it
/// (the handler reads it from [`ApiQuery`], which refuses any other parameter).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParam {
    /// The element's version (from `GET`).
    pub version: u32,
}

impl VersionParam {
    /// Reads the parameter from the query: missing or not a whole number is a bad request.
    fn read(params: &std::collections::HashMap<String, String>) -> Result<Self, ApiError> {
        match params.get("version").map(|v| v.parse::<u32>()) {
            Some(Ok(version)) => Ok(Self { version }),
            Some(Err(_)) => Err(ApiError::BadRequest(
                "version（要素の版）は0以上の整数で指定してください。".to_owned(),
            )),
            None => Err(ApiError::BadRequest(
                "削除には version（要素の版）を指定してください。".to_owned(),
            )),
        }
    }
}

/// Deletes an element that has no children and that nothing refers to.
#[utoipa::path(delete, path = "/api/v1/plans/{plan}/elements/{id}", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), ("id" = String, Path, description = "Element id", example = "measure-1-1-1", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), VersionParam),
    security(("token" = [])),
    responses((status = 204), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn delete_element(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &["version"])?;
    let (plan, id) = ids(path)?;
    let VersionParam { version } = VersionParam::read(&params)?;
    let who = user.0.clone();
    let granted = granted(user, Action::EditPlan)?;
    let result = edit::delete_element(
        &state.catalog.context(),
        &granted,
        &plan,
        &id,
        version,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await;
    match result {
        Ok(()) => Ok((
            StatusCode::NO_CONTENT,
            [(header::CACHE_CONTROL, "no-store")],
        )
            .into_response()),
        Err(e) => {
            let draft = load(&state, &plan).await?;
            Err(failure(e, dto(&draft, &id, &who)))
        }
    }
}

/// Moves an element one place up or down among its siblings.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/elements/{id}/move", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), ("id" = String, Path, description = "Element id", example = "measure-1-1-1", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    request_body = Move, security(("token" = [])),
    responses((status = 204), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn move_element(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<Move>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, id) = ids(path)?;
    let Json(m) = body.map_err(|e| bad_json(&e))?;
    let step = match m.direction {
        Direction::Up => edit::Step::Up,
        Direction::Down => edit::Step::Down,
    };
    let granted = granted(user, Action::EditPlan)?;
    edit::move_element(
        &state.catalog.context(),
        &granted,
        &plan,
        &id,
        step,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await
    .map_err(|e| failure(e, None))?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "no-store")],
    )
        .into_response())
}

fn header_dto(draft: &Draft) -> HeaderDto {
    HeaderDto {
        plan: draft.plan.id().to_string(),
        status: draft.plan.header().status.code().to_owned(),
        version: draft.versions.revision,
        fields: draft.header_values(),
    }
}

/// The plan's own texts (title, purpose, scope, period wording, future image), to edit them.
#[utoipa::path(get, path = "/api/v1/plans/{plan}/header", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")), security(("token" = [])),
    responses((status = 200, body = HeaderDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope),
        (status = 403, body = crate::error::ErrorEnvelope), (status = 404, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_header(
    State(state): State<AppState>,
    _user: ApiUser,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let plan = one(path)?;
    let draft = load(&state, &plan).await?;
    Ok(no_store(StatusCode::OK, header_dto(&draft)))
}

/// Changes the plan's own texts.
#[utoipa::path(put, path = "/api/v1/plans/{plan}/header", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")), request_body = HeaderChange, security(("token" = [])),
    responses((status = 200, body = HeaderDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope),
        (status = 422, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_header(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<HeaderChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let plan = one(path)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::EditPlan)?;
    let submission = Submission {
        version: change.version,
        values: change.fields,
        links: None,
    };
    let saved = edit::update_header(
        &state.catalog.context(),
        &granted,
        &plan,
        &submission,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await
    .map_err(|e| failure(e, None))?;
    let draft = load(&state, &plan).await?;
    // The texts as this save stored them (see `put_element`).
    Ok(no_store(
        StatusCode::OK,
        HeaderDto {
            version: saved.version,
            fields: saved.values,
            ..header_dto(&draft)
        },
    ))
}

/// Moves a plan to another status (草案 → 審議中 → 決定 → 公開, or back to revise it).
#[utoipa::path(post, path = "/api/v1/plans/{plan}/status", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")), request_body = StatusChange, security(("token" = [])),
    responses((status = 200, body = HeaderDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope),
        (status = 422, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn change_status(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<String>, PathRejection>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<StatusChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let plan = one(path)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let (from, to) = (PlanStatus::from(change.from), PlanStatus::from(change.to));
    let granted = granted(user, Action::ChangePlanStatus)?;
    let note = VersionNote::check(&change.label, &change.reason).map_err(|problems| {
        failure(
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|(field, message)| keikaku_planfile::FileProblem {
                        path: field.name().to_owned(),
                        message,
                    })
                    .collect(),
            ),
            None,
        )
    })?;
    keikaku_app::status::change_status_with_note(
        &state.catalog.context(),
        &granted,
        &plan,
        from,
        to,
        &note,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await
    .map_err(|e| failure(e, None))?;
    state.catalog.invalidate().await?;
    let draft = load(&state, &plan).await?;
    Ok(no_store(StatusCode::OK, header_dto(&draft)))
}
