//! The verification round's API (tag `kpi`): the yearly round of a plan (効果検証) step by step
//! under `/api/v1/plans/{plan}/kpi/rounds/{year}`, with the use cases of the staff pages
//! (`keikaku_app::kpi::round`, `report`), so the same rules and the same permissions: a
//! department enters its 要因分析 and 今後の方向性 (`PUT …/analyses`) and submits its part
//! (`POST …/departments/{department}/submit`); the planning office approves or returns it
//! (`…/approve`, `…/return` with a comment); the expert panel records its 委員評価 and 指摘事項
//! with the overall opinion (`PUT …/panel`, one write); the planning office answers the remarks
//! (`PUT …/responses`) and publishes or re-opens the round (`POST …/publish`, `…/reopen`, in
//! `reports`, with the public reading of the published reports).
//!
//! Every write carries the revisions its writer read (`GET` gives them); a stale one is a `409`
//! whose `current` is the round as stored now, and nothing is written. Refused input is a `422`
//! with every problem by JSON path (`$.analyses[1].course`). Every write answers the round as
//! stored after it.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted};
use keikaku_app::kpi::round::OPINION;
use keikaku_app::kpi::{
    AnalysisInput, PanelInput, ResponseInput, RoundView, move_department, round, save_analyses,
    save_panel, save_responses,
};
use keikaku_domain::PlanId;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::RoundStep;
use keikaku_planfile::FileProblem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, no_store, plan_id};
use crate::api::kpi::{by_json_path, fiscal_year};
use crate::api::{ApiError, ApiPath, ApiQuery, only_params};
use crate::clock::now;
use crate::error::{Current, FieldProblem};
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/plans/{plan}/kpi/rounds/{year}" => get_round,
        ReadDrafts,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018"
    ),
    route!(
        PUT "/api/v1/plans/{plan}/kpi/rounds/{year}/analyses" => put_analyses,
        EnterKpiAnalysis,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018/analyses"
    ),
    route!(
        POST "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/submit" => submit,
        SubmitKpiRound,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018/departments/%E8%A6%B3%E5%85%89%E7%89%A9%E7%94%A3%E8%AA%B2/submit"
    ),
    route!(
        POST "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/approve" => approve,
        ReviewKpiRound,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018/departments/%E8%A6%B3%E5%85%89%E7%89%A9%E7%94%A3%E8%AA%B2/approve"
    ),
    route!(
        POST "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/return" => send_back,
        ReviewKpiRound,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018/departments/%E8%A6%B3%E5%85%89%E7%89%A9%E7%94%A3%E8%AA%B2/return"
    ),
    route!(
        PUT "/api/v1/plans/{plan}/kpi/rounds/{year}/panel" => put_panel,
        AssessKpiRound,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018/panel"
    ),
    route!(
        PUT "/api/v1/plans/{plan}/kpi/rounds/{year}/responses" => put_responses,
        RespondKpiRemarks,
        "/api/v1/plans/sogo-senryaku/kpi/rounds/2018/responses"
    ),
];

// ---------------------------------------------------------------- the round

/// A verification round as the token's user reaches it (a department editor: their own
/// department's part and indicators only).
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiRound {
    /// The plan.
    pub plan: String,
    /// The fiscal year verified.
    pub fiscal_year: i32,
    /// `open` (検証中) or `published` (公表済み).
    pub state: String,
    /// The panel's overall opinion (総合意見); may be empty.
    pub opinion: String,
    /// The round's revision (0: never written): send it with the opinion, a publication or
    /// a re-opening.
    pub revision: i64,
    /// How many times the round's report was published (0: never).
    pub publications: i64,
    /// Each department reached, with its part's state.
    pub departments: Vec<KpiRoundDepartment>,
    /// Each indicator reached, in plan order, with its assessment (empty, revision 0, when
    /// nothing was written for it yet).
    pub assessments: Vec<KpiAssessment>,
}

/// A department's part of a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiRoundDepartment {
    /// 所管課 (the `{department}` of its steps).
    pub department: String,
    /// `draft` (未提出), `submitted` (提出済み), `approved` (承認) or `returned` (差戻し).
    pub state: String,
    /// The planning office's comment (a return's reason); may be empty.
    pub comment: String,
    /// The revision of its part (0: never written): send it with its next step.
    pub revision: i64,
    /// How many indicators it has.
    pub indicators: usize,
    /// Titles of its indicators without an actual for the year.
    pub missing_actual: Vec<String>,
    /// Titles of its indicators without an analysis or a course.
    pub missing_analysis: Vec<String>,
}

/// One indicator's assessment in a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiAssessment {
    /// The indicator's id (the `indicator` of a write).
    pub indicator: String,
    /// 指標コード (may be empty).
    pub code: String,
    /// 指標名.
    pub title: String,
    /// 所管課 (may be empty).
    pub department: String,
    /// 要因分析 by the department.
    pub analysis: String,
    /// 今後の方向性: `expand` (拡充), `continue` (継続), `improve` (改善), `reduce` (縮小),
    /// `abolish` (廃止), `complete` (完了); `null`: not chosen.
    pub course: Option<String>,
    /// 委員評価: `appropriate` (妥当である), `mostly_appropriate` (おおむね妥当である),
    /// `needs_improvement` (改善が必要である); `null`: not given.
    pub rating: Option<String>,
    /// 指摘事項 of the panel.
    pub remark: String,
    /// 対応方針: the city's response to the remark.
    pub response: String,
    /// Who changed it last; `null`: never written.
    pub updated_by: Option<String>,
    /// When (ISO 8601, UTC); `null`: never written.
    pub updated_at: Option<String>,
    /// Its revision (0: never written): send it with the next write of any of its parts.
    pub revision: i64,
}

fn round_dto(view: &RoundView) -> KpiRound {
    KpiRound {
        plan: view.evaluation.plan.id().to_string(),
        fiscal_year: view.year.year(),
        state: view.round.state.code().to_owned(),
        opinion: view.round.opinion.clone(),
        revision: view.round.revision,
        publications: view.round.publications,
        departments: view
            .departments
            .iter()
            .map(|d| KpiRoundDepartment {
                department: d.department.clone(),
                state: d.state.code().to_owned(),
                comment: d.comment.clone(),
                revision: d.revision,
                indicators: d.indicators,
                missing_actual: d.missing_actual.clone(),
                missing_analysis: d.missing_analysis.clone(),
            })
            .collect(),
        assessments: view
            .evaluation
            .indicators
            .iter()
            .map(|r| {
                let i = &r.indicator;
                let a = view.assessment(i.id.as_str());
                KpiAssessment {
                    indicator: i.id.to_string(),
                    code: i.code.clone(),
                    title: i.title.clone(),
                    department: r.department.clone(),
                    analysis: a.map(|a| a.analysis.clone()).unwrap_or_default(),
                    course: a.and_then(|a| a.course).map(|c| c.code().to_owned()),
                    rating: a.and_then(|a| a.rating).map(|c| c.code().to_owned()),
                    remark: a.map(|a| a.remark.clone()).unwrap_or_default(),
                    response: a.map(|a| a.response.clone()).unwrap_or_default(),
                    updated_by: a.map(|a| a.updated_by.clone()),
                    updated_at: a.map(|a| a.updated_at.to_iso()),
                    revision: a.map_or(0, |a| a.revision),
                }
            })
            .collect(),
    }
}

/// The grant the round is read with: the broadest round action the user holds (the planning
/// office's review, the panel's assessment, a department's analysis — its own indicators).
fn reader(user: ApiUser) -> Result<Granted, ApiError> {
    [
        Action::ReviewKpiRound,
        Action::AssessKpiRound,
        Action::EnterKpiAnalysis,
    ]
    .into_iter()
    .find_map(|action| Granted::check(user.0.clone(), action).ok())
    .ok_or(ApiError::Forbidden)
}

pub(super) fn key(plan: &str, year: &str) -> Result<(PlanId, FiscalYear), ApiError> {
    Ok((plan_id(plan)?, fiscal_year("URLの年度", year)?))
}

/// The round as stored now, as `granted` reaches it.
pub(super) async fn current(
    state: &AppState,
    granted: &Granted,
    plan: &PlanId,
    year: FiscalYear,
) -> Result<KpiRound, ApiError> {
    let view = round(&state.catalog.context(), granted, plan, year).await?;
    Ok(round_dto(&view))
}

/// The answer to a write: the round as stored after it, or the refusal — a conflict with the
/// round as stored now, problems by JSON path (`paths` maps the use case's names).
pub(super) async fn answer(
    state: &AppState,
    granted: &Granted,
    (plan, year): (&PlanId, FiscalYear),
    result: Result<(), AppError>,
    paths: impl FnOnce(Vec<FileProblem>) -> Vec<FieldProblem>,
) -> Result<Response, ApiError> {
    match result {
        Ok(()) => Ok(no_store(
            StatusCode::OK,
            current(state, granted, plan, year).await?,
        )),
        Err(AppError::Invalid(found)) => Err(ApiError::Invalid(paths(found))),
        Err(e) => match ApiError::from(e) {
            ApiError::Conflict { message, .. } => Err(ApiError::Conflict {
                message,
                current: current(state, granted, plan, year)
                    .await
                    .ok()
                    .map(|r| Current::Round(Box::new(r))),
            }),
            other => Err(other),
        },
    }
}

fn nothing_sent(field: &str) -> ApiError {
    ApiError::Invalid(vec![FieldProblem {
        field: field.to_owned(),
        message: format!("保存する内容がありません（{field} に1件以上送ってください）。"),
    }])
}

pub(super) fn at() -> Result<keikaku_domain::audit::Timestamp, ApiError> {
    now().map_err(|e| ApiError::Internal(format!("{e:?}")))
}

/// The round of a fiscal year: its state and opinion, each department's part and each
/// indicator's assessment, with the revisions to send back.
#[utoipa::path(get, path = "/api/v1/plans/{plan}/kpi/rounds/{year}", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified (2018; 平成30年度, H30 … are read too); within the plan's period", example = "2018")),
    security(("token" = [])),
    responses((status = 200, body = KpiRound), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such plan, or the year is outside its period", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_round(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, year) = key(&plan, &year)?;
    let granted = reader(user)?;
    Ok(no_store(
        StatusCode::OK,
        current(&state, &granted, &plan, year).await?,
    ))
}

// ---------------------------------------------------------------- the department

/// A department's analyses of some indicators.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiAnalysesChange {
    /// One element per indicator, each at most once.
    pub analyses: Vec<KpiAnalysisChange>,
}

/// The department's part of one indicator, written whole (a member left out is empty).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiAnalysisChange {
    /// The indicator's id (`assessments[].indicator` of the round).
    pub indicator: String,
    /// 要因分析 (at most 4,000 characters).
    #[serde(default)]
    pub analysis: String,
    /// 今後の方向性 as its code (`expand`, `continue`, `improve`, `reduce`, `abolish`,
    /// `complete`); `null` or left out: not chosen.
    #[serde(default)]
    #[schema(example = "continue")]
    pub course: Option<String>,
    /// The assessment's revision as read (`assessments[].revision`; 0 or left out: nothing
    /// was stored).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub revision: i64,
}

/// Enters a department's 要因分析 and 今後の方向性, all or none: only the indicators the
/// token's user reaches, only while their department's part is 未提出 or 差戻し.
#[utoipa::path(put, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/analyses", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2018")),
    request_body = KpiAnalysesChange, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the write", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "An assessment changed since it was read, or the round is published (`current`: the round now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every refused member, by JSON path (`$.analyses[1].course`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_analyses(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiAnalysesChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, year) = key(&plan, &year)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::EnterKpiAnalysis)?;
    if change.analyses.is_empty() {
        return Err(nothing_sent("$.analyses"));
    }
    let inputs: Vec<AnalysisInput> = change
        .analyses
        .into_iter()
        .map(|a| AnalysisInput {
            indicator: a.indicator,
            analysis: a.analysis,
            course: a.course.unwrap_or_default(),
            revision: a.revision.to_string(),
        })
        .collect();
    let cx = state.catalog.context();
    let result = save_analyses(&cx, &granted, &plan, year, &inputs, at()?).await;
    let ids: Vec<&str> = inputs.iter().map(|i| i.indicator.as_str()).collect();
    answer(
        &state,
        &granted,
        (&plan, year),
        result.map(|_| ()),
        |found| by_json_path(found, "analyses", &ids),
    )
    .await
}

/// A step of a department's part: its revision as read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiSubmission {
    /// The part's revision as read (`departments[].revision`; 0: never written).
    #[schema(minimum = 0)]
    pub revision: i64,
}

/// The planning office's review of a department's part: its revision as read and a comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiReview {
    /// The part's revision as read (`departments[].revision`).
    #[schema(minimum = 0)]
    pub revision: i64,
    /// The comment the department sees: required for a return (差戻しの理由), optional for
    /// an approval.
    #[serde(default)]
    pub comment: String,
}

async fn step(
    state: &AppState,
    (user, action): (ApiUser, Action),
    (plan, year, department): (&str, &str, &str),
    step: RoundStep,
    (revision, comment): (i64, &str),
) -> Result<Response, ApiError> {
    let (plan, year) = key(plan, year)?;
    let granted = granted(user, action)?;
    let cx = state.catalog.context();
    let result = move_department(
        &cx,
        &granted,
        &plan,
        year,
        department,
        step,
        comment,
        revision,
        at()?,
    )
    .await;
    answer(
        state,
        &granted,
        (&plan, year),
        result.map(|_| ()),
        |found| {
            found
                .into_iter()
                .map(|p| FieldProblem {
                    field: format!("$.{}", p.path),
                    message: p.message,
                })
                .collect()
        },
    )
    .await
}

/// Submits a department's part (提出): from 未提出 or 差戻し; afterwards its analyses are fixed
/// until the planning office returns it.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/submit", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2018"),
        ("department" = String, Path, description = "所管課 (`departments[].department`, percent-encoded)", example = "観光物産課")),
    request_body = KpiSubmission, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the step", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such plan or year, or a department the token's user does not reach", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The part changed since it was read, or is not in a state to submit (`current`: the round now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year, department)): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiSubmission>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    step(
        &state,
        (user, Action::SubmitKpiRound),
        (&plan, &year, &department),
        RoundStep::Submit,
        (change.revision, ""),
    )
    .await
}

/// Approves a submitted department's part (承認).
#[utoipa::path(post, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/approve", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2018"),
        ("department" = String, Path, description = "所管課 (percent-encoded)", example = "観光物産課")),
    request_body = KpiReview, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the step", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The part changed since it was read, or is not submitted (`current`: the round now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "The comment refused (`$.comment`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn approve(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year, department)): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiReview>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    step(
        &state,
        (user, Action::ReviewKpiRound),
        (&plan, &year, &department),
        RoundStep::Approve,
        (change.revision, &change.comment),
    )
    .await
}

/// Returns a submitted or approved department's part (差戻し) with the reason, which the
/// department sees; it can then change its analyses and submit again.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/return", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2018"),
        ("department" = String, Path, description = "所管課 (percent-encoded)", example = "観光物産課")),
    request_body = KpiReview, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the step", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The part changed since it was read, or is not submitted or approved (`current`: the round now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "No comment, or a comment refused (`$.comment`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn send_back(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year, department)): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiReview>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    step(
        &state,
        (user, Action::ReviewKpiRound),
        (&plan, &year, &department),
        RoundStep::Return,
        (change.revision, &change.comment),
    )
    .await
}

// ---------------------------------------------------------------- the panel and the city

/// The panel's assessments and, when given, its overall opinion: one write, all or nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiPanelChange {
    /// One element per indicator, each at most once (may be empty when `opinion` is given).
    #[serde(default)]
    pub assessments: Vec<KpiPanelAssessmentChange>,
    /// The overall opinion; left out: unchanged.
    #[serde(default)]
    pub opinion: Option<KpiOpinionChange>,
}

/// The panel's part of one indicator, written whole (a member left out is empty).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiPanelAssessmentChange {
    /// The indicator's id.
    pub indicator: String,
    /// 委員評価 as its code (`appropriate`, `mostly_appropriate`, `needs_improvement`);
    /// `null` or left out: not given.
    #[serde(default)]
    #[schema(example = "mostly_appropriate")]
    pub rating: Option<String>,
    /// 指摘事項 (at most 4,000 characters).
    #[serde(default)]
    pub remark: String,
    /// The assessment's revision as read (0 or left out: nothing was stored).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub revision: i64,
}

/// The overall opinion (総合意見) with the round's revision as read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiOpinionChange {
    /// The opinion (at most 4,000 characters); the same text as stored changes nothing.
    pub text: String,
    /// The round's revision as read (`revision` of the round).
    #[schema(minimum = 0)]
    pub revision: i64,
}

/// The use case's problems by JSON path: the opinion's (`$opinion.*`) at `$.opinion`, the
/// indicators' at `$.assessments[i]`.
fn panel_paths(found: Vec<FileProblem>, ids: &[&str]) -> Vec<FieldProblem> {
    let (opinion, rest): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|p| p.path.starts_with(&format!("{OPINION}.")));
    let mut out = by_json_path(rest, "assessments", ids);
    out.extend(opinion.into_iter().map(|p| FieldProblem {
        field: if p.path == format!("{OPINION}.revision") {
            "$.opinion.revision".to_owned()
        } else {
            "$.opinion.text".to_owned()
        },
        message: p.message,
    }));
    out
}

/// Records the expert panel's 委員評価 and 指摘事項 and its overall opinion in one write: a
/// stale assessment leaves the opinion unwritten and a stale opinion the assessments.
#[utoipa::path(put, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/panel", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2018")),
    request_body = KpiPanelChange, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the write", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "An assessment or the opinion changed since it was read, or the round is published (`current`: the round now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every refused member, by JSON path (`$.assessments[0].rating`, `$.opinion.text`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_panel(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiPanelChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, year) = key(&plan, &year)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::AssessKpiRound)?;
    if change.assessments.is_empty() && change.opinion.is_none() {
        return Err(nothing_sent("$.assessments"));
    }
    let inputs: Vec<PanelInput> = change
        .assessments
        .into_iter()
        .map(|a| PanelInput {
            indicator: a.indicator,
            rating: a.rating.unwrap_or_default(),
            remark: a.remark,
            revision: a.revision.to_string(),
        })
        .collect();
    let opinion = change.opinion.map(|o| (o.text, o.revision.to_string()));
    let cx = state.catalog.context();
    let result = save_panel(
        &cx,
        &granted,
        &plan,
        year,
        &inputs,
        opinion.as_ref().map(|(t, r)| (t.as_str(), r.as_str())),
        at()?,
    )
    .await;
    let ids: Vec<&str> = inputs.iter().map(|i| i.indicator.as_str()).collect();
    answer(&state, &granted, (&plan, year), result, |found| {
        panel_paths(found, &ids)
    })
    .await
}

/// The city's responses to some remarks.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiResponsesChange {
    /// One element per indicator, each at most once.
    pub responses: Vec<KpiResponseChange>,
}

/// The city's response (対応方針) to one indicator's remark.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiResponseChange {
    /// The indicator's id.
    pub indicator: String,
    /// 対応方針 (at most 4,000 characters).
    #[serde(default)]
    pub response: String,
    /// The assessment's revision as read (0 or left out: nothing was stored).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub revision: i64,
}

/// Records the city's 対応方針 to the panel's remarks, all or none.
#[utoipa::path(put, path = "/api/v1/plans/{plan}/kpi/rounds/{year}/responses", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year verified", example = "2018")),
    request_body = KpiResponsesChange, security(("token" = [])),
    responses((status = 200, description = "The round as stored after the write", body = KpiRound),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "An assessment changed since it was read, or the round is published (`current`: the round now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every refused member, by JSON path (`$.responses[0].response`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_responses(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiResponsesChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let (plan, year) = key(&plan, &year)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::RespondKpiRemarks)?;
    if change.responses.is_empty() {
        return Err(nothing_sent("$.responses"));
    }
    let inputs: Vec<ResponseInput> = change
        .responses
        .into_iter()
        .map(|r| ResponseInput {
            indicator: r.indicator,
            response: r.response,
            revision: r.revision.to_string(),
        })
        .collect();
    let cx = state.catalog.context();
    let result = save_responses(&cx, &granted, &plan, year, &inputs, at()?).await;
    let ids: Vec<&str> = inputs.iter().map(|i| i.indicator.as_str()).collect();
    answer(
        &state,
        &granted,
        (&plan, year),
        result.map(|_| ()),
        |found| by_json_path(found, "responses", &ids),
    )
    .await
}
