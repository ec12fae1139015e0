//! Starting an empty basic plan from the one before it (前期 → 後期) through the API (tag
//! `editing`): `GET /api/v1/plans/{plan}/basic-plans/{id}/start` says what would be copied —
//! counts per kind, the plan's revision to send back, or why it cannot be done —, and `POST`
//! with that revision makes the copy (the same use case as the staff page's button): `201`
//! with every copied element's source and new id, `409` with the reason in Japanese when the
//! target has content or the plan changed since the revision was read.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::access::Action;
use keikaku_app::edit;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, ids, no_store, whole_number};
use crate::api::{ApiError, ApiQuery, only_params};
use crate::clock::now;
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/plans/{plan}/basic-plans/{id}/start" => preview,
        ReadDrafts,
        "/api/v1/plans/sogo-keikaku/basic-plans/basic-plan-second/start"
    ),
    route!(
        POST "/api/v1/plans/{plan}/basic-plans/{id}/start" => start,
        EditPlan,
        "/api/v1/plans/sogo-keikaku/basic-plans/basic-plan-second/start"
    ),
];

/// How many elements of one kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindCount {
    /// The kind (`field`, `measure`, `outcome_indicator`, …).
    pub kind: String,
    /// Its Japanese name (分野, 施策, …).
    pub label: String,
    /// How many.
    pub count: usize,
}

/// What starting a basic plan from the one before it would copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessorPreviewDto {
    /// The plan.
    pub plan: String,
    /// The basic plan to fill.
    pub basic_plan: String,
    /// Its title.
    pub title: String,
    /// The title of the basic plan it would be copied from (none for the first).
    pub source_title: Option<String>,
    /// What would be copied, per kind.
    pub counts: Vec<KindCount>,
    /// The plan's revision, to send back with the copy.
    pub revision: u32,
    /// Why the copy cannot be made now, in Japanese (none: it can).
    pub refusal: Option<String>,
}

/// The copy to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// The plan's revision the caller read (from `GET`).
    #[serde(deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 2147483647)]
    pub revision: u32,
}

/// One copied element: where it came from and its new id.
#[derive(Debug, Serialize, ToSchema)]
pub struct CopiedDto {
    /// Its kind.
    pub kind: String,
    /// The element of the source basic plan.
    pub source: String,
    /// The copy's new id.
    pub id: String,
}

/// A copy made.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartedDto {
    /// The plan.
    pub plan: String,
    /// The basic plan filled.
    pub basic_plan: String,
    /// The basic plan copied from.
    pub source: String,
    /// What was copied, per kind.
    pub counts: Vec<KindCount>,
    /// Every copied element.
    pub copied: Vec<CopiedDto>,
    /// The plan's revision after the copy.
    pub revision: u32,
}

fn counts(counts: &[(keikaku_domain::ElementKind, usize)]) -> Vec<KindCount> {
    counts
        .iter()
        .map(|(k, n)| KindCount {
            kind: k.code().to_owned(),
            label: k.label().to_owned(),
            count: *n,
        })
        .collect()
}

/// What starting this basic plan from the one before it would copy, or why it cannot.
#[utoipa::path(get, path = "/api/v1/plans/{plan}/basic-plans/{id}/start", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), ("id" = String, Path, description = "Basic plan id", example = "basic-plan-second", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    security(("token" = [])),
    responses((status = 200, body = SuccessorPreviewDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn preview(
    State(state): State<AppState>,
    _user: ApiUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, id) = ids(path)?;
    let p = edit::successor_preview(&state.catalog.context(), &plan, &id).await?;
    Ok(no_store(
        StatusCode::OK,
        SuccessorPreviewDto {
            plan: plan.to_string(),
            basic_plan: p.target_id,
            title: p.target_title,
            source_title: p.source_title,
            counts: counts(&p.counts),
            revision: p.revision,
            refusal: p.refusal,
        },
    ))
}

/// Starts an empty basic plan from the one before it: every priority project, field, measure,
/// 成果指標 and まちづくりの進め方 copied with new ids, the projects' links pointing at the
/// copies, indicator codes left empty; one transaction, one audit entry.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/basic-plans/{id}/start", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), ("id" = String, Path, description = "Basic plan id", example = "basic-plan-second", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    request_body = StartRequest, security(("token" = [])),
    responses((status = 201, body = StartedDto), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope),
        (status = 422, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn start(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<StartRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, id) = ids(path)?;
    let Json(request) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::EditPlan)?;
    let started = edit::start_from_predecessor(
        &state.catalog.context(),
        &granted,
        &plan,
        &id,
        request.revision,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await?;
    Ok(no_store(
        StatusCode::CREATED,
        StartedDto {
            plan: plan.to_string(),
            basic_plan: started.target_id,
            source: started.source_id,
            counts: counts(&started.counts),
            copied: started
                .copied
                .into_iter()
                .map(|(kind, source, id)| CopiedDto {
                    kind: kind.code().to_owned(),
                    source,
                    id,
                })
                .collect(),
            revision: started.revision,
        },
    ))
}
