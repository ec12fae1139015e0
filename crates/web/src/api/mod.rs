//! The JSON API under `/api/v1`: the read API (`read`: published plans, search, the audit log
//! for administrators' tokens), the write API (`edit`: the editing use cases for scripts), the
//! KPI API (`kpi`: a plan's evaluation for staff, a fiscal year's values entered by script), the
//! yearly verification round step by step (`rounds`) and its publication with the published
//! reports, which anyone reads (`reports`), the 実施計画 — its published editions for anyone
//! (`programs`), its editions (`program_editions`), programs and departments' parts
//! (`program_edits`) for staff —, the 人口ビジョン — the public vision for anyone and everything
//! for staff (`population`), the planning office's writes (`population_edits`) and
//! projections (`population_runs`) —, the bearer-token authentication (`auth`) and the
//! OpenAPI 3 document generated from this code (`doc`, served as `GET /api/v1/openapi.json`).
//! Conventions: see `docs/api.md`.
//!
//! Every error, read or write, has one shape, the envelope of [`ApiError`] (in `error`);
//! every successful read carries an `ETag` and `Cache-Control`, and answers `304` to a
//! matching `If-None-Match`.

pub(crate) mod auth;
mod doc;
pub(crate) mod edit;
pub(crate) mod kpi;
pub(crate) mod population;
mod population_edits;
mod population_runs;
pub(crate) mod program_editions;
pub(crate) mod program_edits;
mod programs;
mod read;
mod reports;
pub(crate) mod rounds;
mod successor;
mod themes;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri, Path, Query};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Response;
use keikaku_app::Site;
use serde::Serialize;

pub use doc::ApiDoc;

use crate::AppState;
use crate::cache::Entry;
pub(crate) use crate::error::ApiError;
use crate::routes::Route;

pub(crate) const JSON: &str = "application/json";

/// The API's routes (with their full path).
pub(crate) fn routes() -> Vec<Route> {
    [
        read::ROUTES,
        doc::ROUTES,
        edit::ROUTES,
        successor::ROUTES,
        kpi::ROUTES,
        rounds::ROUTES,
        reports::ROUTES,
        programs::ROUTES,
        program_editions::ROUTES,
        program_edits::ROUTES,
        population::ROUTES,
        population_edits::ROUTES,
        population_runs::ROUTES,
        themes::ROUTES,
    ]
    .concat()
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

/// The query parameters of a request, by name (a name given twice keeps its last value). Every
/// endpoint takes them and refuses those it does not know ([`only_params`]), so that a typo or
/// a parameter another version knew is never silently ignored; a query that cannot be read (a
/// value that is not UTF-8 once percent-decoded among them) is a bad request in the error
/// envelope.
pub(crate) struct ApiQuery(pub(crate) HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for ApiQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        if let Some(e) = crate::urlencoded::not_utf8(raw.as_bytes()) {
            return Err(ApiError::BadRequest(e.message("URLのクエリ")));
        }
        match Query::<HashMap<String, String>>::try_from_uri(&parts.uri) {
            Ok(Query(params)) => Ok(Self(params)),
            Err(_) => Err(ApiError::BadRequest(
                "URLのクエリ（「?」より後ろ）を読めません。".to_owned(),
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
    cached_json_async(state, uri, headers, |site| std::future::ready(build(&site))).await
}

/// Serves JSON from the cache, building it first if the public site's version moved since;
/// `build` may read the store (through the use cases) for what the `Site` does not hold, as
/// long as what it reads is public and changes only with the site's version (the published
/// editions of the 実施計画, which never change once published).
async fn cached_json_async<T, Fut>(
    state: &AppState,
    uri: &OriginalUri,
    headers: &HeaderMap,
    build: impl FnOnce(Arc<Site>) -> Fut,
) -> Result<Response, ApiError>
where
    T: Serialize,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let site = state.catalog.site().await?;
    // The original URI: inside the nested router the `/api/v1` prefix is stripped.
    let key = format!("json {}", uri.0);
    if let Some(entry) = state.cache.get(&key, site.version) {
        return Ok(entry.respond(headers));
    }
    let version = site.version;
    let value = build(site).await?;
    let body = serde_json::to_vec(&value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let entry = Entry::new(version, JSON, body);
    let response = entry.respond(headers);
    state.cache.put(key, entry);
    Ok(response)
}

/// Refuses query parameters the endpoint does not know, so that typos are not silently ignored.
pub(crate) fn only_params(
    params: &HashMap<String, String>,
    known: &[&str],
) -> Result<(), ApiError> {
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
