//! The JSON API under `/api/v1`: the read API (`read`: published plans, search, the audit log
//! for administrators' tokens), the write API (`edit`: the editing use cases for scripts), the
//! bearer-token authentication (`auth`) and the OpenAPI 3 document generated from this code
//! (`doc`, served as `GET /api/v1/openapi.json`). Conventions: see `docs/api.md`.
//!
//! Every error has one shape, [`ErrorEnvelope`]; every successful read carries an `ETag` and
//! `Cache-Control`, and answers `304` to a matching `If-None-Match`.

pub(crate) mod auth;
mod doc;
mod edit;
mod read;

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use keikaku_app::Site;
use serde::Serialize;
use utoipa::ToSchema;

pub use doc::ApiDoc;

use crate::AppState;
use crate::cache::Entry;
use crate::error::error_id;
use crate::routes::Route;

pub(crate) const JSON: &str = "application/json";

/// The API's routes (with their full path).
pub(crate) fn routes() -> Vec<Route> {
    [read::ROUTES, doc::ROUTES, edit::ROUTES].concat()
}

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

/// The API's routes as the route table mounts them under `/api/v1`, with the API's answers
/// for what they do not serve: a 404, or a 405 for a method the URL does not take, both in the
/// error envelope.
pub(crate) fn nested(routes: Router<AppState>) -> Router<AppState> {
    routes
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
