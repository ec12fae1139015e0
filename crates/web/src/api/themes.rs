//! The themes in the API: `GET /api/v1/themes` (the city's themes with their readings and
//! synonyms and the published elements under each) and `PUT
//! /api/v1/plans/{plan}/elements/{id}/themes` (an element's themes, against the codes its
//! writer read — the same use case as the element edit page's checkboxes).

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use keikaku_app::access::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, plan_id};
use crate::api::{ApiError, ApiQuery, only_params};
use crate::clock::now;
use crate::public::search::hit_href;
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/v1/themes" => list_themes, ReadPublished, "/api/v1/themes"),
    route!(
        PUT "/api/v1/plans/{plan}/elements/{id}/themes" => put_element_themes,
        ManageThemes,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1/themes"
    ),
];

/// A published element under a theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaggedDto {
    /// Plan id.
    pub plan: String,
    /// Element id.
    pub element: String,
    /// Element kind (Japanese label).
    pub kind: String,
    /// Title of the element.
    pub title: String,
    /// URL of the page that shows the element.
    pub href: String,
}

/// A theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeDto {
    /// The code used in addresses (`/themes/{code}`).
    pub code: String,
    /// The name, e.g. 子育て.
    pub name: String,
    /// A short description.
    pub description: String,
    /// Readings and synonyms search treats as the name.
    pub words: Vec<String>,
    /// The published elements under the theme.
    pub elements: Vec<TaggedDto>,
}

/// The themes of the municipality.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeListDto {
    /// The themes in the city's order.
    pub themes: Vec<ThemeDto>,
}

/// The city's themes with the published elements under each.
#[utoipa::path(get, path = "/api/v1/themes", tag = "plans",
    responses((status = 200, body = ThemeListDto), (status = 400, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn list_themes(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let site = state.catalog.site().await?;
    let themes = site
        .themes()
        .iter()
        .map(|t| ThemeDto {
            code: t.code.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
            words: t.words.clone(),
            elements: site
                .tagged(&t.code)
                .into_iter()
                .map(|(loc, title)| TaggedDto {
                    plan: loc.plan.to_string(),
                    element: loc.id.as_ref().map(ToString::to_string).unwrap_or_default(),
                    kind: loc.kind.map_or("計画", |k| k.label()).to_owned(),
                    title: title.to_owned(),
                    href: hit_href(&site, loc),
                })
                .collect(),
        })
        .collect();
    Ok((
        [(header::CACHE_CONTROL, "no-cache")],
        Json(ThemeListDto { themes }),
    )
        .into_response())
}

/// An element's themes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElementThemes {
    /// The codes the element was under when the writer read it (a change made meanwhile is
    /// refused with 409).
    pub seen: Vec<String>,
    /// The codes it is to be under.
    pub themes: Vec<String>,
}

/// Puts an element under themes (the planning office).
#[utoipa::path(put, path = "/api/v1/plans/{plan}/elements/{id}/themes", tag = "editing",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-keikaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"), ("id" = String, Path, description = "Element id", example = "measure-1-1-1", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    request_body = ElementThemes, security(("token" = [])),
    responses((status = 204), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope), (status = 409, body = crate::error::ErrorEnvelope),
        (status = 422, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_element_themes(
    State(state): State<AppState>,
    user: ApiUser,
    path: Result<Path<(String, String)>, PathRejection>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<ElementThemes>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Ok(Path((plan, id))) = path else {
        return Err(ApiError::BadRequest("パスを読み取れません。".to_owned()));
    };
    let plan = plan_id(&plan)?;
    let Json(body) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManageThemes)?;
    keikaku_app::themes::tag(
        &state.catalog.context(),
        &granted,
        &plan,
        &id,
        &body.seen,
        &body.themes,
        now().map_err(|e| ApiError::Internal(format!("{e:?}")))?,
    )
    .await?;
    state.catalog.invalidate().await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "no-store")],
    )
        .into_response())
}
