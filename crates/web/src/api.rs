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
        description = "自治体の総合計画・総合戦略を取得するAPIです。公開中の計画は誰でも読めます。下書きの読み取りと編集（editing）には、職員用ページで作るアクセストークンが要ります（Authorization: Bearer）。/ API of a municipality's comprehensive plan and strategy: published plans are public; reading drafts and editing need a personal access token."
    ),
    paths(
        municipality,
        list_plans,
        get_plan,
        search,
        openapi_json,
        audit,
        crate::api_edit::get_element,
        crate::api_edit::put_element,
        crate::api_edit::delete_element,
        crate::api_edit::create_element,
        crate::api_edit::move_element,
        crate::api_edit::get_header,
        crate::api_edit::put_header,
        crate::api_edit::change_status
    ),
    components(schemas(
        ErrorEnvelope,
        ErrorBody,
        PlanList,
        PlanSummaryDto,
        SearchResults,
        SearchHitDto,
        AuditPage,
        AuditEntryDto,
        crate::api_edit::ElementDto,
        crate::api_edit::ElementChange,
        crate::api_edit::NewElement,
        crate::api_edit::Move,
        crate::api_edit::Direction,
        crate::api_edit::Status,
        crate::api_edit::StatusChange,
        crate::api_edit::HeaderDto,
        crate::api_edit::HeaderChange,
        crate::api_edit::FieldProblem,
        crate::api_edit::WriteErrorEnvelope,
        crate::api_edit::WriteError
    )),
    modifiers(&BearerToken)
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
    /// Machine-readable code: `not_found`, `bad_request`, `method_not_allowed`,
    /// `unauthorized`, `forbidden`, `internal`.
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
    /// 403: the caller's token is valid but its user may not do this.
    Forbidden,
    /// 401: a token is needed and none was sent (`invalid_token: false`), or the token sent is
    /// malformed, unknown, revoked or expired, or its user is disabled (`true`).
    Unauthorized {
        /// Whether a token was sent but refused.
        invalid_token: bool,
    },
    /// 500; the detail is logged, not returned.
    Internal(String),
}

impl From<keikaku_app::AppError> for ApiError {
    fn from(e: keikaku_app::AppError) -> Self {
        match e {
            keikaku_app::AppError::NotFound(m) => Self::NotFound(m),
            keikaku_app::AppError::Forbidden(_) => Self::Forbidden,
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
            Self::Unauthorized { invalid_token } => {
                let (message, challenge) = if invalid_token {
                    (
                        "アクセストークンが無効です（誤り・失効・期限切れ、または利用停止中のアカウントのトークンです）。",
                        "Bearer realm=\"keikaku\", error=\"invalid_token\"",
                    )
                } else {
                    (
                        "このAPIを使うには、アクセストークンを Authorization: Bearer ヘッダーで送ってください。",
                        "Bearer realm=\"keikaku\"",
                    )
                };
                let body = ErrorEnvelope {
                    error: ErrorBody {
                        code: "unauthorized",
                        message: message.to_owned(),
                        error_id: None,
                    },
                };
                return (
                    StatusCode::UNAUTHORIZED,
                    [
                        (axum::http::header::CACHE_CONTROL, "no-store"),
                        (axum::http::header::WWW_AUTHENTICATE, challenge),
                    ],
                    Json(body),
                )
                    .into_response();
            }
            Self::MethodNotAllowed => {
                let body = ErrorEnvelope {
                    error: ErrorBody {
                        code: "method_not_allowed",
                        message: "このURLでは、このHTTPメソッドは使えません（使えるメソッドは Allow ヘッダーのとおりです）。".to_owned(),
                        error_id: None,
                    },
                };
                return (
                    StatusCode::METHOD_NOT_ALLOWED,
                    // axum's method router adds the `Allow` header of the path.
                    [(axum::http::header::CACHE_CONTROL, "no-store")],
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

/// Declares the security scheme `token`: a personal access token (made on `/staff/tokens`)
/// sent as `Authorization: Bearer kk_…`. Endpoints that need one say
/// `security(("token" = []))`.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("kk_…")
            .description(Some(
                "個人用アクセストークン（職員用ページの「APIアクセストークン」で作成）。\
                 トークンの利用者の役割で認可されます。セッションのクッキーはAPIでは使えません。 / \
                 Personal access token; requests act with the roles of the token's user. \
                 Session cookies are not accepted by the API.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("token", SecurityScheme::Http(scheme));
    }
}

/// The most audit entries one request returns.
const MAX_AUDIT: u32 = 100;

/// An audit entry: what the chain hash covers, so that a client can check the chain itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    /// 1, 2, 3 … per municipality.
    pub sequence: u64,
    /// When, in ISO 8601 (UTC), e.g. `2026-11-26T06:15:00.123Z`.
    pub at: String,
    /// Who: a login id, or `cli` for the console operator.
    pub actor: String,
    /// What: `plan.import`, `plan.status`, `user.create`, `token.create`, …
    pub action: String,
    /// What it was done to: a plan id, a login id, a token id, …
    pub target: String,
    /// The value before, as text (a plan file, a user's fields …), if any.
    pub before: Option<String>,
    /// The value after, as text, if any.
    pub after: Option<String>,
    /// The previous entry's hash (hex SHA-256).
    pub previous_hash: String,
    /// This entry's hash (hex SHA-256).
    pub hash: String,
}

/// A page of the audit log, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// The entries.
    pub entries: Vec<AuditEntryDto>,
    /// The URL of the next page, when this one is full.
    pub next: Option<String>,
}

/// The audit log, page by page, oldest first (administrators' tokens only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    security(("token" = [])),
    params(
        ("after" = Option<i64>, Query, description = "Only entries with a sequence number above this (default 0)", minimum = 0),
        ("limit" = Option<u32>, Query, description = "Maximum entries (default 100)", minimum = 1, maximum = 100)
    ),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    crate::tokens::ApiUser(user): crate::tokens::ApiUser,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only_params(&params, &["after", "limit"])?;
    let after = match params.get("after") {
        None => 0,
        // Sequence numbers are stored as 64-bit signed integers (the schema's int64).
        Some(a) => a
            .parse::<i64>()
            .ok()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "after は0以上の整数で指定してください（「{a}」は使えません）。"
                ))
            })?,
    };
    let limit = match params.get("limit") {
        None => MAX_AUDIT,
        Some(l) => match l.parse::<u32>() {
            Ok(n) if (1..=MAX_AUDIT).contains(&n) => n,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "limit は1から{MAX_AUDIT}までの整数で指定してください（「{l}」は使えません）。"
                )));
            }
        },
    };
    let granted =
        keikaku_app::access::Granted::check(user, keikaku_app::access::Action::ReadAudit)?;
    let entries = keikaku_app::history::audit_entries(
        &granted,
        state.catalog.store(),
        state.catalog.municipality_code(),
        after,
        limit,
    )
    .await?;
    let next = match entries.last() {
        Some(last) if entries.len() == limit as usize => Some(format!(
            "/api/v1/audit?after={}&limit={limit}",
            last.sequence
        )),
        _ => None,
    };
    let entries = entries
        .into_iter()
        .map(|e| AuditEntryDto {
            sequence: e.sequence,
            at: e.at.to_iso(),
            actor: e.actor,
            action: e.action,
            target: e.target,
            before: e.before,
            after: e.after,
            previous_hash: e.previous_hash.to_string(),
            hash: e.hash.to_string(),
        })
        .collect();
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(AuditPage { entries, next }),
    )
        .into_response())
}
