//! The read API: the municipality, its published plans (each as a plan file), search, and the
//! audit log with its hashes (administrators' tokens only).

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use keikaku_domain::{Plan, PlanId};
use keikaku_planfile::dto::{MunicipalityDto, PeriodDto, PlanDto};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::{ApiError, ApiPath, ApiQuery, cached_json, only_params};
use crate::public::search::{MAX_HITS, MAX_QUERY_CHARS, hit_href};
use crate::routes::{Route, route};
use crate::views;

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/municipality" => municipality,
        ReadPublished,
        "/api/v1/municipality"
    ),
    route!(GET "/api/v1/plans" => list_plans, ReadPublished, "/api/v1/plans"),
    route!(
        GET "/api/v1/plans/{id}" => get_plan,
        ReadPublished,
        "/api/v1/plans/sogo-keikaku"
    ),
    route!(
        GET "/api/v1/search" => search,
        ReadPublished,
        "/api/v1/search?q=%E5%AD%90%E8%82%B2%E3%81%A6"
    ),
    route!(GET "/api/v1/audit" => audit, ReadAudit, "/api/v1/audit"),
];

/// The municipality whose plans this server publishes.
#[utoipa::path(get, path = "/api/v1/municipality", tag = "plans",
    responses((status = 200, body = MunicipalityDto), (status = 400, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn municipality(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery,
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
    responses((status = 200, body = PlanList), (status = 400, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn list_plans(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery,
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
    responses((status = 200, body = PlanDto), (status = 400, body = crate::error::ErrorEnvelope), (status = 404, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_plan(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery,
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
    responses((status = 200, body = SearchResults), (status = 400, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery,
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
    responses((status = 200, body = AuditPage), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery,
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
    let entries =
        keikaku_app::history::audit_entries(&state.catalog.context(), &granted, after, limit)
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
