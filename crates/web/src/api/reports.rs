//! Publication of a verification round and its published reports (tag `kpi`): the planning
//! office publishes a round (`POST …/rounds/{year}/publish`, freezing its report) or re-opens it
//! (`…/reopen`) with a token; anyone reads the reports published, without a token — `GET
//! /api/v1/plans/{plan}/kpi/reports` (the years) and `…/reports/{year}` (the frozen report:
//! the panel's opinion and one line per indicator, texts as the public page shows them). Only
//! published plans and published reports: a round being verified, or re-opened, gives the text
//! published last (or a 404). Read from the catalog's `Site`, whose version follows the
//! publications, so the cached bodies do.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::Response;
use keikaku_app::access::Action;
use keikaku_app::kpi::{Report, ReportLine, publish, reopen};
use keikaku_domain::PlanId;
use keikaku_domain::kpi::RoundStep;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, plan_id};
use crate::api::kpi::fiscal_year;
use crate::api::rounds::{KpiRound, answer, at, key};
use crate::api::{ApiError, ApiPath, ApiQuery, cached_json, only_params};
use crate::error::FieldProblem;
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        POST "/api/v1/plans/{plan}/kpi/rounds/{year}/publish" => publish_round,
        PublishKpiRound,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018/publish"
    ),
    route!(
        POST "/api/v1/plans/{plan}/kpi/rounds/{year}/reopen" => reopen_round,
        PublishKpiRound,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2017/reopen"
    ),
    route!(
        GET "/api/v1/plans/{plan}/kpi/reports" => list_reports,
        ReadPublished,
        "/api/v1/plans/sogo-senryaku/kpi/reports"
    ),
    route!(
        GET "/api/v1/plans/{plan}/kpi/reports/{year}" => get_report,
        ReadPublished,
        "/api/v1/plans/sogo-senryaku/kpi/reports/2017"
    ),
];

// ---------------------------------------------------------------- publication

/// The round's revision as read, for a publication or a re-opening.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiRoundRevision {
    /// The round's revision as read (`revision` of the round).
    #[schema(minimum = 0)]
    pub revision: i64,
}

async fn publication(
    state: &AppState,
    user: ApiUser,
    (plan, year): (&str, &str),
    revision: i64,
    step: RoundStep,
) -> Result<Response, ApiError> {
    let (plan, year) = key(plan, year)?;
    let granted = granted(user, Action::PublishKpiRound)?;
    let cx = state.catalog.context();
    let result = if step == RoundStep::Publish {
        publish(&cx, &granted, &plan, year, revision, at()?).await
    } else {
        reopen(&cx, &granted, &plan, year, revision, at()?).await
    };
    if result.is_ok() {
        // The public site and API show the report from now on (or keep the last one).
        state.catalog.invalidate().await?;
    }
    // Nothing but the revision is sent, so a refusal of the input (none is made today) is the
    // body's as a whole.
    answer(state, &granted, (&plan, year), result, |found| {
        found
            .into_iter()
            .map(|p| FieldProblem {
                field: "$".to_owned(),
                message: p.message,
            })
            .collect()
    })
    .await
}

/// Publishes the round's verification report (公表): refused until every department's part is
/// approved; the report is frozen as it stands and read without a token at
/// `/api/v1/plans/{plan}/kpi/reports/{year}`.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/publish", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2018")),
    request_body = KpiRoundRevision, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the publication", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The round changed since it was read, is published already, or a department is not approved (`current`: the round now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn publish_round(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiRoundRevision>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    publication(
        &state,
        user,
        (&plan, &year),
        change.revision,
        RoundStep::Publish,
    )
    .await
}

/// Re-opens a published round (再開): the public keeps the report published last until the
/// round is published again.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/reopen", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2017")),
    request_body = KpiRoundRevision, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the re-opening", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The round changed since it was read, or is not published (`current`: the round now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn reopen_round(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiRoundRevision>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    publication(
        &state,
        user,
        (&plan, &year),
        change.revision,
        RoundStep::Reopen,
    )
    .await
}

// ---------------------------------------------------------------- the published reports

/// The verification reports published for a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReportList {
    /// The plan.
    pub plan: String,
    /// One per fiscal year published, oldest first: the latest publication of each.
    pub reports: Vec<KpiReportSummary>,
}

/// A published report in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReportSummary {
    /// The fiscal year verified (`/api/v1/plans/{plan}/kpi/reports/{year}`).
    pub fiscal_year: i32,
    /// Which publication (1, 2, …; a round re-opened and published again counts up).
    pub number: i64,
    /// When it was published (ISO 8601, UTC).
    pub published_at: String,
}

/// A verification report as published (効果検証の結果): frozen at publication, texts as the
/// public page shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReport {
    /// The plan.
    pub plan: String,
    /// The plan's title when published.
    pub plan_title: String,
    /// The fiscal year verified.
    pub fiscal_year: i32,
    /// Which publication (1, 2, …).
    pub number: i64,
    /// When it was published (ISO 8601, UTC).
    pub published_at: String,
    /// 総合意見 of the expert panel (may be empty).
    pub opinion: String,
    /// Every indicator, in plan order.
    pub lines: Vec<KpiReportLine>,
}

/// One indicator of a published report: its texts as published (empty: none) and its numbers
/// as frozen at publication.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReportLine {
    /// 指標ID (the indicator's code, else its id).
    pub code: String,
    /// 数値目標, KPI or 成果指標.
    pub kind: String,
    /// The innermost group it rolls up into (「1 …」).
    pub group: String,
    /// 指標名.
    pub title: String,
    /// 所管課.
    pub department: String,
    /// 基準値 with its year.
    pub baseline: String,
    /// 目標値 with its year.
    pub target: String,
    /// 実績値 of the year with its unit (empty: 未把握), 「（速報値）」 when provisional.
    pub actual: String,
    /// 進捗率 / 達成率, the band, or why it is not evaluable.
    pub rate: String,
    /// 評価.
    pub grade: String,
    /// 要因分析.
    pub analysis: String,
    /// 今後の方向性 (拡充, 継続 …).
    pub course: String,
    /// 委員評価 (妥当である …).
    pub rating: String,
    /// 指摘事項.
    pub remark: String,
    /// 対応方針.
    pub response: String,
    /// The indicator's id (empty in a report published before ids were kept).
    pub indicator: String,
    /// 単位.
    pub unit: String,
    /// The decimal places the indicator is shown with (`null`: as entered).
    pub decimals: Option<u32>,
    /// The actual the year is judged by, an exact decimal string (`null`: 未把握, or not kept
    /// in an older report).
    #[schema(example = "105.5")]
    pub actual_value: Option<String>,
    /// Whether that actual is provisional (速報値).
    pub provisional: bool,
    /// The year's expectation or target it was measured against, an exact decimal string.
    pub expected: Option<String>,
    /// 進捗率 / 達成率 in percent, an exact decimal string (`null`: no rate).
    pub percent: Option<String>,
    /// Whether it is behind its expectation (`null`: not known).
    pub behind: Option<bool>,
    /// Every group it rolls up into, outermost first.
    pub groups: Vec<KpiReportGroup>,
}

/// A group an indicator of a published report rolls up into.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReportGroup {
    /// The element's id (empty in an older report).
    pub id: String,
    /// The element kind's code (`basic_objective`, `field` …; may be empty).
    pub kind: String,
    /// 「基本目標1　…」.
    pub label: String,
}

fn line(l: &ReportLine) -> KpiReportLine {
    KpiReportLine {
        code: l.code.clone(),
        kind: l.kind.clone(),
        group: l.group.clone(),
        title: l.title.clone(),
        department: l.department.clone(),
        baseline: l.baseline.clone(),
        target: l.target.clone(),
        actual: l.actual.clone(),
        rate: l.rate.clone(),
        grade: l.grade.clone(),
        analysis: l.analysis.clone(),
        course: l.course.clone(),
        rating: l.rating.clone(),
        remark: l.remark.clone(),
        response: l.response.clone(),
        indicator: l.indicator.clone(),
        unit: l.unit.clone(),
        decimals: l.decimals,
        actual_value: l.actual_value.clone(),
        provisional: l.provisional,
        expected: l.expected.clone(),
        percent: l.percent.clone(),
        behind: l.behind,
        groups: l
            .groups
            .iter()
            .map(|g| KpiReportGroup {
                id: g.id.clone(),
                kind: g.kind.clone(),
                label: g.label.clone(),
            })
            .collect(),
    }
}

fn report(plan: &PlanId, r: &Report) -> KpiReport {
    KpiReport {
        plan: plan.to_string(),
        plan_title: r.plan_title.clone(),
        fiscal_year: r.fiscal_year.year(),
        number: r.number,
        published_at: r.published_at.to_iso(),
        opinion: r.opinion.clone(),
        lines: r.lines.iter().map(line).collect(),
    }
}

fn not_published(plan: &PlanId) -> ApiError {
    ApiError::NotFound(format!("計画「{plan}」は公開されていません。"))
}

/// The fiscal years whose verification report is published (no token needed).
#[utoipa::path(get, path = "/api/v1/plans/{plan}/kpi/reports", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")),
    responses((status = 200, body = KpiReportList), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such published plan", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn list_reports(
    State(state): State<AppState>,
    ApiPath(plan): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let plan = plan_id(&plan)?;
    cached_json(&state, &uri, &headers, |site| {
        site.plan(&plan).ok_or_else(|| not_published(&plan))?;
        Ok(KpiReportList {
            plan: plan.to_string(),
            reports: site
                .reports(&plan)
                .iter()
                .map(|r| KpiReportSummary {
                    fiscal_year: r.fiscal_year.year(),
                    number: r.number,
                    published_at: r.published_at.to_iso(),
                })
                .collect(),
        })
    })
    .await
}

/// A fiscal year's verification report as published last (no token needed).
#[utoipa::path(get, path = "/api/v1/plans/{plan}/kpi/reports/{year}", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified (2017; 平成29年度, H29 … are read too)", example = "2017")),
    responses((status = 200, body = KpiReport), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such published plan, or no report published for the year", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_report(
    State(state): State<AppState>,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let plan = plan_id(&plan)?;
    let year = fiscal_year("URLの年度", &year)?;
    cached_json(&state, &uri, &headers, |site| {
        site.plan(&plan).ok_or_else(|| not_published(&plan))?;
        let r = site.report(&plan, year).ok_or_else(|| {
            ApiError::NotFound(format!(
                "{}の効果検証の結果は公表されていません。",
                keikaku_domain::format::fiscal_year(year)
            ))
        })?;
        Ok(report(&plan, r))
    })
    .await
}
