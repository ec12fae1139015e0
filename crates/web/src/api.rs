//! The read-only JSON API under `/api/v1`, described by an OpenAPI 3 document generated from
//! this code (`GET /api/v1/openapi.json`). Conventions: see `docs/api.md`.
//!
//! Every error has one shape, [`ErrorEnvelope`]; every successful read carries an `ETag` and
//! `Cache-Control`, and answers `304` to a matching `If-None-Match`.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, OriginalUri, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use keikaku_app::Site;
use keikaku_domain::{Plan, PlanId};
use keikaku_planfile::dto::{MunicipalityDto, PeriodDto, PlanDto};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::cache::Entry;
use crate::error::error_id;
use crate::pages::{MAX_HITS, MAX_QUERY_CHARS, hit_href};
use crate::views;

const JSON: &str = "application/json";

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "keikaku API",
        version = "1",
        description = "自治体の総合計画・総合戦略を取得する読み取り専用のAPIです。/ Read-only API of a municipality's comprehensive plan and strategy."
    ),
    paths(municipality, list_plans, get_plan, search, openapi_json),
    components(schemas(
        ErrorEnvelope,
        ErrorBody,
        PlanList,
        PlanSummaryDto,
        SearchResults,
        SearchHitDto
    ))
)]
pub struct ApiDoc;

/// The error envelope every API error uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code: `not_found`, `bad_request`, `method_not_allowed`, `internal`.
    pub code: &'static str,
    /// Human-readable message (Japanese).
    pub message: String,
    /// For `internal` errors: the id under which the fault was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

/// An API error.
#[derive(Debug)]
pub enum ApiError {
    /// 404.
    NotFound(String),
    /// 400.
    BadRequest(String),
    /// 405: the API is read-only.
    MethodNotAllowed,
    /// 401/403: the caller may not do this (authorization refused).
    Forbidden,
    /// 500; the detail is logged, not returned.
    Internal(String),
}

impl From<keikaku_app::AppError> for ApiError {
    fn from(e: keikaku_app::AppError) -> Self {
        match e {
            keikaku_app::AppError::NotFound(m) => Self::NotFound(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, id) = match self {
            Self::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m, None),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m, None),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "この操作をする権限がありません。".to_owned(),
                None,
            ),
            Self::MethodNotAllowed => {
                let body = ErrorEnvelope {
                    error: ErrorBody {
                        code: "method_not_allowed",
                        message: "このAPIは読み取り専用です（GETだけを受け付けます）。".to_owned(),
                        error_id: None,
                    },
                };
                return (
                    StatusCode::METHOD_NOT_ALLOWED,
                    [
                        (axum::http::header::CACHE_CONTROL, "no-store"),
                        (axum::http::header::ALLOW, "GET, HEAD"),
                    ],
                    Json(body),
                )
                    .into_response();
            }
            Self::Internal(detail) => {
                let id = error_id();
                tracing::error!(error_id = %id, %detail, "internal error (api)");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "サーバー内部でエラーが発生しました。".to_owned(),
                    Some(id),
                )
            }
        };
        let body = ErrorEnvelope {
            error: ErrorBody {
                code,
                message,
                error_id: id,
            },
        };
        (
            status,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Json(body),
        )
            .into_response()
    }
}

/// The parameters of an endpoint's path. A path that cannot be read (percent-encoded bytes that
/// are not UTF-8, such as `/api/v1/plans/%FF`) is a bad request in the error envelope, like any
/// other id that is not an id, not axum's plain-text rejection.
pub(crate) struct ApiPath<T>(T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(_) => Err(ApiError::BadRequest(
                "URLのパスを読めません。IDは半角英小文字・数字・「-」「_」で指定してください。"
                    .to_owned(),
            )),
        }
    }
}

pub(crate) fn router() -> Router<AppState> {
    // Built from the route table, like every other route (see `routes`).
    let mut router = Router::new();
    for spec in crate::routes::ROUTES {
        if let Some(path) = spec.path.strip_prefix("/api/v1") {
            router = router.route(path, crate::routes::handler(spec));
        }
    }
    router
        .fallback(not_found)
        // Without this, a POST answers axum's bare 405 with an empty body, outside the envelope.
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
}

/// Any other URL under `/api`: a 404 in the error envelope (API clients read JSON, not the
/// HTML 404 page).
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("そのAPIはありません。".to_owned())
}

/// Serves JSON from the cache, building it first if the data changed since.
async fn cached_json<T: Serialize>(
    state: &AppState,
    uri: &OriginalUri,
    headers: &HeaderMap,
    build: impl FnOnce(&Site) -> Result<T, ApiError>,
) -> Result<Response, ApiError> {
    let site = state.catalog.site().await?;
    // The original URI: inside the nested router the `/api/v1` prefix is stripped.
    let key = format!("json {}", uri.0);
    if let Some(entry) = state.cache.get(&key, site.version) {
        return Ok(entry.respond(headers));
    }
    let value = build(&site)?;
    let body = serde_json::to_vec(&value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let entry = Entry::new(site.version, JSON, body);
    let response = entry.respond(headers);
    state.cache.put(key, entry);
    Ok(response)
}

/// Refuses query parameters the endpoint does not know, so that typos are not silently ignored.
fn only_params(params: &HashMap<String, String>, known: &[&str]) -> Result<(), ApiError> {
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ApiError::BadRequest(format!(
            "パラメータ「{k}」は使えません（使えるもの: {}）。",
            if known.is_empty() {
                "なし".to_owned()
            } else {
                known.join(", ")
            }
        ))),
        None => Ok(()),
    }
}

/// The municipality whose plans this server publishes.
#[utoipa::path(get, path = "/api/v1/municipality", tag = "plans",
    responses((status = 200, body = MunicipalityDto), (status = 400, body = ErrorEnvelope)))]
pub(crate) async fn municipality(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    cached_json(&state, &uri, &headers, |site| {
        Ok(keikaku_planfile::write::municipality(&site.municipality))
    })
    .await
}

/// A plan in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummaryDto {
    /// Plan id, used in `/api/v1/plans/{id}`.
    pub id: String,
    /// `comprehensive_plan` or `strategy`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// 目的.
    pub purpose: String,
    /// 範囲.
    pub scope: String,
    /// 期間.
    pub period: PeriodDto,
    /// The period as shown on pages, e.g. 「平成28年度（2016年度）〜令和7年度（2025年度）」.
    pub period_label: String,
    /// Status code (only `published` plans are served).
    pub status: String,
    /// URL of the whole plan.
    pub href: String,
}

/// The plans of the municipality.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    /// The municipality.
    pub municipality: MunicipalityDto,
    /// Published plans, in display order.
    pub plans: Vec<PlanSummaryDto>,
}

/// Lists the published plans.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans",
    responses((status = 200, body = PlanList), (status = 400, body = ErrorEnvelope)))]
pub(crate) async fn list_plans(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    cached_json(&state, &uri, &headers, |site| {
        Ok(PlanList {
            municipality: keikaku_planfile::write::municipality(&site.municipality),
            plans: site
                .plans
                .iter()
                .map(|p| {
                    let h = p.header();
                    PlanSummaryDto {
                        id: h.id.to_string(),
                        kind: p.kind().code().to_owned(),
                        title: h.title.clone(),
                        purpose: h.purpose.clone(),
                        scope: h.scope.clone(),
                        period: PeriodDto {
                            start: h.period.start.year(),
                            end: h.period.end.year(),
                            description: h.period.description.clone(),
                        },
                        period_label: views::period(&h.period),
                        status: h.status.code().to_owned(),
                        href: format!("/api/v1/plans/{}", h.id),
                    }
                })
                .collect(),
        })
    })
    .await
}

/// One plan's whole tree, in the shape of the plan file format (`docs/plan-file.md`).
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id (lowercase ASCII slug)", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    responses((status = 200, body = PlanDto), (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn get_plan(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    Query(params): Query<HashMap<String, String>>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let id = PlanId::parse(&id).map_err(|e| ApiError::BadRequest(e.0))?;
    cached_json(&state, &uri, &headers, |site| {
        let plan: &Plan = site
            .plan(&id)
            .ok_or_else(|| ApiError::NotFound(format!("計画「{id}」は公開されていません。")))?;
        Ok(keikaku_planfile::write::plan(plan))
    })
    .await
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitDto {
    /// Plan id.
    pub plan: String,
    /// Element id; absent when the plan itself matched.
    pub element: Option<String>,
    /// Element kind (Japanese label).
    pub kind: String,
    /// Title of the element.
    pub title: String,
    /// Titles from the plan down to the element's parent.
    pub trail: Vec<String>,
    /// A passage around the first match, when the body matched.
    pub snippet: String,
    /// URL of the page that shows the element.
    pub href: String,
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    /// The query as used.
    pub query: String,
    /// Hits, best first.
    pub hits: Vec<SearchHitDto>,
}

/// Full-text search over the published plans (Japanese without word boundaries).
#[utoipa::path(get, path = "/api/v1/search", tag = "plans",
    params(
        ("q" = String, Query, description = "Search words; several words separated by spaces must all match. Blank finds nothing.", max_length = 100),
        ("limit" = Option<u32>, Query, description = "Maximum hits (default 20)", minimum = 1, maximum = 100)
    ),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorEnvelope)))]
pub(crate) async fn search(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only_params(&params, &["q", "limit"])?;
    // A missing `q` is a malformed request; a blank one is a search that finds nothing.
    let Some(q) = params.get("q").map(|s| s.trim()) else {
        return Err(ApiError::BadRequest(
            "検索語 q を指定してください。".to_owned(),
        ));
    };
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::BadRequest(format!(
            "検索語は{MAX_QUERY_CHARS}文字以内にしてください。"
        )));
    }
    let limit = match params.get("limit") {
        None => 20,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=MAX_HITS).contains(&n) => n,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "limit は1から{MAX_HITS}までの整数で指定してください（「{l}」は使えません）。"
                )));
            }
        },
    };
    let site = state.catalog.site().await?;
    let hits = site
        .search(q, limit)
        .into_iter()
        .map(|h| {
            let loc = &h.document.key;
            SearchHitDto {
                plan: loc.plan.to_string(),
                element: loc.id.as_ref().map(ToString::to_string),
                kind: loc.kind.map_or("計画", |k| k.label()).to_owned(),
                title: h.document.title.clone(),
                trail: loc.trail.clone(),
                snippet: h.snippet.iter().map(|p| p.text.as_str()).collect(),
                href: hit_href(&site, loc),
            }
        })
        .collect();
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-cache")],
        Json(SearchResults {
            query: q.to_owned(),
            hits,
        }),
    )
        .into_response())
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
pub(crate) async fn openapi_json(headers: HeaderMap) -> Response {
    static DOC: std::sync::LazyLock<Entry> = std::sync::LazyLock::new(|| {
        let body = ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_owned());
        Entry::new(0, JSON, body)
    });
    DOC.respond(&headers)
}
