//! An edition's staff page: its state and settings, each department's part (提出, and for the
//! planning office 承認 and 差戻し with a comment), the edition's steps (確定, 確定の取消し,
//! 公表 — each confirmed by a checkbox), the sheets, and the 一覧 with every program to open.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::programs::{EditionView, change_state, delete_edition, move_part};
use keikaku_domain::account::Role;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{EditionState, EditionStep, SubmissionState};
use serde::Deserialize;

use super::{editable, edition_href, program_href, trail, year_of};
use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::ledger::{self, Ledger};
use crate::paths::PagePath;
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

struct PartRow {
    department: String,
    state: &'static str,
    programs: usize,
    comment: String,
    revision: i64,
    may_submit: bool,
    may_approve: bool,
    may_return: bool,
    sheet_href: String,
}

#[derive(Template)]
#[template(path = "staff/program_edition.html")]
struct EditionPage {
    layout: Layout,
    heading: String,
    period: String,
    state: &'static str,
    plan: String,
    rounding: &'static str,
    csrf: String,
    revision: i64,
    year: i32,
    notice: Option<String>,
    problems: Vec<String>,
    parts: Vec<PartRow>,
    approved: usize,
    ledger: Ledger,
    may_add: bool,
    may_import: bool,
    steps: Vec<(&'static str, &'static str, &'static str)>,
    links: Vec<(String, &'static str)>,
    downloads: Vec<(String, &'static str)>,
    public_href: Option<String>,
    may_delete: bool,
}

/// The edition's own steps the user may take now: (code, button, what it does).
fn steps(view: &EditionView, roles: &[Role]) -> Vec<(&'static str, &'static str, &'static str)> {
    if !permits(Some(roles), Action::ManageEditions) {
        return Vec::new();
    }
    match view.edition.state {
        EditionState::Draft => vec![(
            EditionStep::Fix.code(),
            "この版を確定する",
            "確定すると、事業は変更できなくなります（確定を取り消すまで）。すべての課が承認済みである必要があります。",
        )],
        EditionState::Fixed => vec![
            (
                EditionStep::Publish.code(),
                "この版を公表する",
                "公表すると、市民向けのサイトに掲載され、以後この版は変更できません。",
            ),
            (
                EditionStep::Unfix.code(),
                "確定を取り消す",
                "作成中に戻し、事業を変更できるようにします。",
            ),
        ],
        EditionState::Published => Vec::new(),
    }
}

fn part_rows(view: &EditionView, granted_user: &keikaku_domain::account::User) -> Vec<PartRow> {
    let roles = &granted_user.roles;
    let open = view.editable();
    let review = permits(Some(roles), Action::ReviewPrograms);
    let submit = permits(Some(roles), Action::SubmitPrograms);
    let own = granted_user.department.trim();
    let everyone = roles
        .iter()
        .any(|r| matches!(r, Role::Administrator | Role::PlanningOffice));
    view.parts
        .iter()
        .map(|p| PartRow {
            may_submit: open && submit && p.state.editable() && (everyone || p.department == own),
            may_approve: open && review && p.state == SubmissionState::Submitted,
            may_return: open
                && review
                && matches!(
                    p.state,
                    SubmissionState::Submitted | SubmissionState::Approved
                ),
            department: p.department.clone(),
            state: p.state.label(),
            programs: p.programs,
            comment: p.comment.clone(),
            revision: p.revision,
            sheet_href: format!(
                "{}/sheet?format=xlsx&department={}",
                edition_href(view.made_in()),
                percent_encoding::utf8_percent_encode(
                    &p.department,
                    percent_encoding::NON_ALPHANUMERIC
                )
            ),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)] // the page's parts, each from the handler
pub(super) async fn page(
    state: &AppState,
    granted: &Granted,
    user: &keikaku_domain::account::User,
    csrf: &str,
    made_in: FiscalYear,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    // Kept until the next write, per reach (the board is read far more often than written).
    let kept = state.catalog.staff_edition(granted, made_in).await?;
    let view = kept.view();
    let heading = format!("実施計画 {}", view.title());
    let href = edition_href(made_in);
    let parts = part_rows(view, user);
    let page = EditionPage {
        layout: staff_layout(state, &heading, &trail()).await?,
        period: view.period(),
        state: view.edition.state.label(),
        plan: view.basis().map_or_else(
            || view.edition.plan.to_string(),
            |p| p.header().title.clone(),
        ),
        rounding: view.rounding().label(),
        csrf: csrf.to_owned(),
        revision: view.edition.revision,
        year: made_in.year(),
        notice,
        problems,
        approved: view
            .parts
            .iter()
            .filter(|p| p.state == SubmissionState::Approved)
            .count(),
        parts,
        ledger: ledger::ledger(view, |p| program_href(made_in, p.program.code.as_str())),
        may_add: editable(view.edition.state, &user.roles),
        may_import: editable(view.edition.state, &user.roles),
        steps: steps(view, &user.roles),
        links: vec![
            (
                format!("{href}/aggregates"),
                "集計と予算編成の指針（財政計画の枠）",
            ),
            (format!("{href}/diff"), "ほかの版との比較"),
        ],
        downloads: [
            ("xlsx", "Excel（.xlsx）"),
            ("csv", "CSV（UTF-8）"),
            ("csv-sjis", "CSV（Shift_JIS）"),
            ("json", "JSON"),
        ]
        .into_iter()
        .map(|(f, l)| (format!("{href}/sheet?format={f}"), l))
        .collect(),
        public_href: (view.edition.state == EditionState::Published)
            .then(|| crate::public::programs::edition_href(made_in)),
        may_delete: view.editable() && permits(Some(&user.roles), Action::ManageEditions),
        heading,
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
            "submit" => "提出しました。企画担当の確認を待っています。",
            "approve" => "承認しました。",
            "return" => "差し戻しました。所管課にコメントが表示されます。",
            "fix" => "確定しました。事業は変更できなくなりました。",
            "unfix" => "確定を取り消しました。事業を変更できます。",
            "publish" => "公表しました。市民向けのサイトに掲載されています。",
            "saved" => "事業を保存しました。",
            "deleted" => "事業を削除しました。",
            "imported" => "シートを取り込みました。",
            _ => return None,
        }
        .to_owned(),
    )
}

/// `GET /staff/implementation-plans/{year}`.
pub(super) async fn edition_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    Query(query): Query<DoneQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    page(
        &state,
        &granted,
        &signed.user,
        &signed.csrf,
        made_in,
        StatusCode::OK,
        done_notice(query.done.as_deref()),
        Vec::new(),
    )
    .await
}

/// A department's step: `department`, `step` (`submit` / `approve` / `return`), `comment`,
/// `revision` (the part's), and for the edition's steps `confirm`.
#[derive(Debug, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
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
    confirm: Option<String>,
}

impl StaffFields for StepForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

fn messages(e: AppError) -> Result<(StatusCode, Vec<String>), WebError> {
    match e {
        AppError::Invalid(p) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            p.into_iter().map(|p| p.message).collect(),
        )),
        AppError::Conflict(m) => Ok((StatusCode::CONFLICT, vec![m])),
        AppError::NotFound(m) => Ok((StatusCode::NOT_FOUND, vec![m])),
        AppError::Forbidden(m) => Ok((StatusCode::FORBIDDEN, vec![m])),
        other => Err(other.into()),
    }
}

async fn part_step(
    state: &AppState,
    year: &str,
    signed: &keikaku_app::auth::Signed,
    granted: &Granted,
    form: &StepForm,
    step: EditionStep,
) -> Result<Response, WebError> {
    let made_in = year_of(year)?;
    let cx = state.catalog.context();
    match move_part(
        &cx,
        granted,
        made_in,
        &form.department,
        step,
        &form.comment,
        &form.revision,
        now()?,
    )
    .await
    {
        Ok(_) => redirect(&format!("{}?done={}", edition_href(made_in), step.code())),
        Err(e) => {
            let (status, problems) = messages(e)?;
            page(
                state,
                granted,
                &signed.user,
                &signed.csrf,
                made_in,
                status,
                None,
                problems,
            )
            .await
        }
    }
}

/// `POST /staff/implementation-plans/{year}/submit`.
pub(super) async fn submit(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    part_step(&state, &year, &signed, &granted, &form, EditionStep::Submit).await
}

/// `POST /staff/implementation-plans/{year}/review`: 承認 or 差戻し.
pub(super) async fn review(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    let step = match form.step.as_str() {
        "approve" => EditionStep::Approve,
        "return" => EditionStep::Return,
        other => {
            return Err(WebError::BadRequest(format!(
                "操作「{other}」はありません。"
            )));
        }
    };
    part_step(&state, &year, &signed, &granted, &form, step).await
}

/// `POST /staff/implementation-plans/{year}/state`: 確定, 確定の取消し or 公表, confirmed.
pub(super) async fn change(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let step = match EditionStep::from_code(form.step.trim()) {
        Some(s @ (EditionStep::Fix | EditionStep::Unfix | EditionStep::Publish)) => s,
        _ => {
            return Err(WebError::BadRequest(format!(
                "操作「{}」はありません。",
                form.step
            )));
        }
    };
    if form.confirm.as_deref() != Some("yes") {
        let problem = format!(
            "「{}」するには、確認のチェックを入れてください。",
            step.label()
        );
        return page(
            &state,
            &granted,
            &signed.user,
            &signed.csrf,
            made_in,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            vec![problem],
        )
        .await;
    }
    let cx = state.catalog.context();
    match change_state(&cx, &granted, made_in, step, &form.revision, now()?).await {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{}?done={}", edition_href(made_in), step.code()))
        }
        Err(e) => {
            let (status, problems) = messages(e)?;
            page(
                &state,
                &granted,
                &signed.user,
                &signed.csrf,
                made_in,
                status,
                None,
                problems,
            )
            .await
        }
    }
}

/// `POST /staff/implementation-plans/{year}/delete`: an edition being made, removed with its
/// programs (confirmed by a checkbox).
pub(super) async fn delete(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<StepForm>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    if form.confirm.as_deref() != Some("yes") {
        let problem = "版を削除するには、確認のチェックを入れてください。".to_owned();
        return page(
            &state,
            &granted,
            &signed.user,
            &signed.csrf,
            made_in,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            vec![problem],
        )
        .await;
    }
    let cx = state.catalog.context();
    match delete_edition(&cx, &granted, made_in, &form.revision, now()?).await {
        Ok(()) => redirect("/staff/implementation-plans?done=deleted"),
        Err(e) => {
            let (status, problems) = messages(e)?;
            page(
                &state,
                &granted,
                &signed.user,
                &signed.csrf,
                made_in,
                status,
                None,
                problems,
            )
            .await
        }
    }
}
