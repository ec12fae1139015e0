//! The planning office's side of a round: the completeness board of a fiscal year (which
//! departments have submitted, which indicators still lack an actual or an analysis) with 承認
//! and 差戻し per department, and publishing or re-opening the round, each confirmed by a
//! checkbox (no script). Also the department's 提出 (`…/submit`), which the analysis page posts.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, permits};
use keikaku_app::kpi::{RoundView, move_department, publish, reopen, round};
use keikaku_domain::PlanId;
use keikaku_domain::format;
use keikaku_domain::kpi::{RoundStep, SubmissionState};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::kpi::round::round_href;
use crate::staff::kpi::{kpi_href, parse_year};
use crate::staff::staff_layout;
use crate::staff::{private_page, redirect};
use crate::views::Layout;

struct BoardRow {
    department: String,
    state: String,
    indicators: usize,
    missing_actual: String,
    missing_analysis: String,
    comment: String,
    revision: i64,
    may_approve: bool,
    may_return: bool,
}

#[derive(Template)]
#[template(path = "staff/kpi_review.html")]
struct ReviewPage {
    layout: Layout,
    heading: String,
    plan_title: String,
    round_state: String,
    published: bool,
    publications: i64,
    csrf: String,
    rows: Vec<BoardRow>,
    approved: usize,
    review_action: String,
    publish_action: String,
    reopen_action: String,
    revision: i64,
    may_publish: bool,
    ready: bool,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    problem: Option<String>,
    links: Vec<(String, String)>,
    public_href: String,
    back: String,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each from the handler
async fn page(
    state: &AppState,
    plan: &PlanId,
    view: &RoundView,
    csrf: &str,
    roles: &[keikaku_domain::account::Role],
    status: StatusCode,
    notice: Option<String>,
    problem: Option<(String, String)>,
) -> Result<Response, WebError> {
    let header = view.evaluation.plan.header();
    let year = view.year.year();
    let year_label = format::fiscal_year(view.year);
    let open = !view.published();
    let rows: Vec<BoardRow> = view
        .departments
        .iter()
        .map(|d| BoardRow {
            department: d.department.clone(),
            state: d.state.label().to_owned(),
            indicators: d.indicators,
            missing_actual: d.missing_actual.join("、"),
            missing_analysis: d.missing_analysis.join("、"),
            comment: d.comment.clone(),
            revision: d.revision,
            may_approve: open && d.state == SubmissionState::Submitted,
            may_return: open
                && matches!(
                    d.state,
                    SubmissionState::Submitted | SubmissionState::Approved
                ),
        })
        .collect();
    let approved = view
        .departments
        .iter()
        .filter(|d| d.state == SubmissionState::Approved)
        .count();
    let heading = format!("{year_label}の効果検証の確認");
    let (errors, problem) = match problem {
        Some((field, message)) if field == "confirm" || field == "comment" => {
            (vec![(field, message)], None)
        }
        Some((_, message)) => (Vec::new(), Some(message)),
        None => (Vec::new(), None),
    };
    let page = ReviewPage {
        layout: staff_layout(
            state,
            &heading,
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&header.title, format!("/staff/plans/{plan}")),
                ("KPI評価", kpi_href(plan)),
            ],
        )
        .await?,
        heading,
        plan_title: header.title.clone(),
        round_state: view.round.state.label().to_owned(),
        published: view.published(),
        publications: view.round.publications,
        csrf: csrf.to_owned(),
        ready: approved == rows.len(),
        approved,
        rows,
        review_action: round_href(plan, year, "review"),
        publish_action: round_href(plan, year, "publish"),
        reopen_action: round_href(plan, year, "reopen"),
        revision: view.round.revision,
        may_publish: permits(Some(roles), Action::PublishKpiRound),
        notice,
        errors,
        problem,
        links: [
            ("analysis", "所管課の要因分析"),
            ("panel", "有識者会議の評価"),
            ("responses", "指摘事項への対応方針"),
        ]
        .into_iter()
        .map(|(slug, label)| (round_href(plan, year, slug), label.to_owned()))
        .collect(),
        public_href: format!("/plans/{plan}/kpi/{year}"),
        back: kpi_href(plan),
    };
    Ok(private_page(status, page.render()?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn done_notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "approve" => "承認しました。",
            "return" => "差し戻しました。所管課にコメントが表示されます。",
            "publish" => "公表しました。公開サイトに検証結果が表示されます。",
            "reopen" => "検証を再開しました。公開サイトには、再び公表するまで前回公表した内容が表示されます。",
            _ => return None,
        }
        .to_owned(),
    )
}

/// `GET /staff/plans/{plan}/kpi/{year}/review`: the completeness board.
pub(super) async fn review_page(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    Query(query): Query<DoneQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let year = parse_year(&year)?;
    let view = round(&state.catalog.context(), &granted, &plan, year).await?;
    page(
        &state,
        &plan,
        &view,
        &signed.csrf,
        &signed.user.roles,
        StatusCode::OK,
        done_notice(query.done.as_deref()),
        None,
    )
    .await
}

/// A posted step: `csrf`, `department`, `step` (`approve` / `return`), `comment`,
/// `revision` (the department's), `round_revision`, `confirm`.
#[derive(Deserialize)]
pub(crate) struct StepForm {
    csrf: Option<String>,
    #[serde(default)]
    department: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    round_revision: String,
    #[serde(default)]
    confirm: Option<String>,
}

impl StaffFields for StepForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// The round's revision the form carries; a broken one (-1) matches no stored revision, so
/// the write is refused as stale.
fn revision_of(text: &str) -> i64 {
    keikaku_app::forms::parse_revision(text)
        .ok()
        .flatten()
        .unwrap_or(-1)
}

/// Shows the board again with the refusal, or passes a fault on.
async fn refused(
    state: &AppState,
    plan: &PlanId,
    year: keikaku_domain::era::FiscalYear,
    staff: (&keikaku_app::auth::Signed, &keikaku_app::access::Granted),
    error: AppError,
) -> Result<Response, WebError> {
    let (status, problem) = match error {
        AppError::Invalid(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            problems.into_iter().next().map(|p| (p.path, p.message)),
        ),
        AppError::Conflict(m) => (StatusCode::CONFLICT, Some((String::new(), m))),
        other => return Err(other.into()),
    };
    let (signed, granted) = staff;
    let view = round(&state.catalog.context(), granted, plan, year).await?;
    page(
        state,
        plan,
        &view,
        &signed.csrf,
        &signed.user.roles,
        status,
        None,
        problem,
    )
    .await
}

/// `POST /staff/plans/{plan}/kpi/{year}/review`: 承認 or 差戻し of one department.
pub(super) async fn review_save(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let year = parse_year(&year)?;
    let step = match form.step.as_str() {
        "approve" => RoundStep::Approve,
        "return" => RoundStep::Return,
        _ => return Err(WebError::NotFound(None)),
    };
    let cx = state.catalog.context();
    let result = move_department(
        &cx,
        &granted,
        &plan,
        year,
        &form.department,
        step,
        &form.comment,
        revision_of(&form.revision),
        now()?,
    )
    .await;
    match result {
        Ok(_) => redirect(&format!(
            "{}?done={}",
            round_href(&plan, year.year(), "review"),
            form.step
        )),
        Err(e) => refused(&state, &plan, year, (&signed, &granted), e).await,
    }
}

/// `POST /staff/plans/{plan}/kpi/{year}/submit`: a department submits its part.
pub(super) async fn submit(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    StaffForm { granted, form, .. }: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let year = parse_year(&year)?;
    move_department(
        &state.catalog.context(),
        &granted,
        &plan,
        year,
        &form.department,
        RoundStep::Submit,
        "",
        revision_of(&form.revision),
        now()?,
    )
    .await?;
    redirect(&format!(
        "{}?submitted=1",
        round_href(&plan, year.year(), "analysis")
    ))
}

async fn change(
    state: AppState,
    plan: String,
    year: String,
    posted: StaffForm<StepForm>,
    step: RoundStep,
) -> Result<Response, WebError> {
    let StaffForm {
        signed,
        granted,
        form,
    } = posted;
    let plan = plan_id(&plan)?;
    let year = parse_year(&year)?;
    if form.confirm.as_deref() != Some("yes") {
        let e = AppError::Invalid(vec![keikaku_planfile::FileProblem {
            path: "confirm".to_owned(),
            message: format!(
                "{}する場合は、確認のチェックを入れてください。",
                step.label()
            ),
        }]);
        return refused(&state, &plan, year, (&signed, &granted), e).await;
    }
    let cx = state.catalog.context();
    let revision = revision_of(&form.round_revision);
    let result = if step == RoundStep::Publish {
        publish(&cx, &granted, &plan, year, revision, now()?).await
    } else {
        reopen(&cx, &granted, &plan, year, revision, now()?).await
    };
    match result {
        Ok(()) => {
            // The public site shows the report from now on (or keeps the last one).
            state.catalog.invalidate().await?;
            redirect(&format!(
                "{}?done={}",
                round_href(&plan, year.year(), "review"),
                if step == RoundStep::Publish {
                    "publish"
                } else {
                    "reopen"
                }
            ))
        }
        Err(e) => refused(&state, &plan, year, (&signed, &granted), e).await,
    }
}

/// `POST /staff/plans/{plan}/kpi/{year}/publish`.
pub(super) async fn publish_round(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    form: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    change(state, plan, year, form, RoundStep::Publish).await
}

/// `POST /staff/plans/{plan}/kpi/{year}/reopen`.
pub(super) async fn reopen_round(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    form: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    change(state, plan, year, form, RoundStep::Reopen).await
}
