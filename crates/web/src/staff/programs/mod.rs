//! The 実施計画 on the staff side: every edition (drafts included), opening one — by rolling the
//! last, or empty —, an edition's page (the departments' board, the 一覧 with its programs to
//! open and edit, the edition's steps), a program's form, the sheets in and out, the
//! aggregates with the budget guide and the fiscal frames, and two editions compared.
//!
//! - `GET /staff/implementation-plans`, `POST …` (open an empty edition), `POST …/roll`.
//! - `GET /staff/implementation-plans/{year}` (`edition`), `POST …/{year}/submit` (提出),
//!   `POST …/{year}/review` (承認・差戻し), `POST …/{year}/state` (確定・確定の取消し・公表,
//!   confirmed by a checkbox).
//! - `GET …/{year}/programs/new`, `POST …/{year}/programs`, `GET|POST …/{year}/programs/{code}`,
//!   `POST …/{year}/programs/{code}/delete` (`program`).
//! - `GET …/{year}/sheet`, `POST …/{year}/import`, `POST …/{year}/import/apply` (`sheet`).
//! - `GET …/{year}/aggregates`, `POST …/{year}/frames`, `POST …/{year}/settings`,
//!   `GET …/{year}/diff` (`budget`).

mod budget;
mod edition;
mod program;
mod program_form;
mod sheet;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, permits};
use keikaku_app::programs::{create_edition, editions, roll};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{EditionState, RolledProgram};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::routes::{Route, route};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff/implementation-plans" => editions_page, ReadPrograms, "/staff/implementation-plans"),
    route!(POST "/staff/implementation-plans" => create, ManageEditions, "/staff/implementation-plans"),
    route!(POST "/staff/implementation-plans/roll" => roll_edition, ManageEditions, "/staff/implementation-plans/roll"),
    route!(GET "/staff/implementation-plans/{year}" => edition::edition_page, ReadPrograms, "/staff/implementation-plans/2025"),
    route!(POST "/staff/implementation-plans/{year}/submit" => edition::submit, SubmitPrograms, "/staff/implementation-plans/2025/submit"),
    route!(POST "/staff/implementation-plans/{year}/review" => edition::review, ReviewPrograms, "/staff/implementation-plans/2025/review"),
    route!(POST "/staff/implementation-plans/{year}/state" => edition::change, ManageEditions, "/staff/implementation-plans/2025/state"),
    route!(POST "/staff/implementation-plans/{year}/delete" => edition::delete, ManageEditions, "/staff/implementation-plans/2025/delete"),
    route!(GET "/staff/implementation-plans/{year}/programs/new" => program::new_page, EditPrograms, "/staff/implementation-plans/2025/programs/new"),
    route!(POST "/staff/implementation-plans/{year}/programs" => program::create, EditPrograms, "/staff/implementation-plans/2025/programs"),
    route!(GET "/staff/implementation-plans/{year}/programs/{code}" => program::program_page, ReadPrograms, "/staff/implementation-plans/2025/programs/01-01-001"),
    route!(POST "/staff/implementation-plans/{year}/programs/{code}" => program::save, EditPrograms, "/staff/implementation-plans/2025/programs/01-01-001"),
    route!(POST "/staff/implementation-plans/{year}/programs/{code}/delete" => program::delete, EditPrograms, "/staff/implementation-plans/2025/programs/01-01-001/delete"),
    route!(GET "/staff/implementation-plans/{year}/sheet" => sheet::download, ReadPrograms, "/staff/implementation-plans/2025/sheet?format=xlsx"),
    route!(POST "/staff/implementation-plans/{year}/import" => sheet::upload, EditPrograms, "/staff/implementation-plans/2025/import"),
    route!(POST "/staff/implementation-plans/{year}/import/apply" => sheet::apply, EditPrograms, "/staff/implementation-plans/2025/import/apply"),
    route!(GET "/staff/implementation-plans/{year}/aggregates" => budget::aggregates_page, ReadPrograms, "/staff/implementation-plans/2025/aggregates"),
    route!(POST "/staff/implementation-plans/{year}/frames" => budget::frames, ManageEditions, "/staff/implementation-plans/2025/frames"),
    route!(POST "/staff/implementation-plans/{year}/settings" => budget::settings, ManageEditions, "/staff/implementation-plans/2025/settings"),
    route!(GET "/staff/implementation-plans/{year}/diff" => budget::diff_page, ReadPrograms, "/staff/implementation-plans/2025/diff"),
];

const HOME: &str = "/staff/implementation-plans";

pub(crate) fn edition_href(made_in: FiscalYear) -> String {
    format!("{HOME}/{}", made_in.year())
}

pub(crate) fn program_href(made_in: FiscalYear, code: &str) -> String {
    format!("{HOME}/{}/programs/{code}", made_in.year())
}

/// The trail of every page below the list.
pub(crate) fn trail<'a>() -> Vec<(&'a str, String)> {
    vec![
        ("職員用ページ", "/staff".to_owned()),
        ("実施計画", HOME.to_owned()),
    ]
}

/// The fiscal year of a path, or the 404 page.
pub(crate) fn year_of(text: &str) -> Result<FiscalYear, WebError> {
    crate::public::programs::year_of(text)
}

struct EditionRow {
    href: String,
    title: String,
    period: String,
    state: &'static str,
    programs: i64,
}

#[derive(Template)]
#[template(path = "staff/program_editions.html")]
struct EditionsPage {
    layout: Layout,
    csrf: String,
    rows: Vec<EditionRow>,
    notice: Option<String>,
    problems: Vec<String>,
    may_manage: bool,
    /// The edition a roll would start from, with the title of the one it makes, and whether
    /// it is still being made (then the roll asks for a confirmation).
    roll_from: Option<(i32, String, String, bool)>,
    next_year: i32,
    plans: Vec<(String, String)>,
    roundings: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    carried: Option<usize>,
    #[serde(default)]
    dropped: Option<usize>,
}

async fn list(
    state: &AppState,
    granted: &keikaku_app::access::Granted,
    csrf: &str,
    roles: &[keikaku_domain::account::Role],
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let all = editions(&cx, granted).await?;
    let plans: Vec<(String, String)> = keikaku_app::programs::editions::basis_plans(&cx, granted)
        .await?
        .into_iter()
        .map(|(id, title)| (id.to_string(), title))
        .collect();
    let newest = all.first().map(|e| e.edition.made_in);
    let newest_draft = all
        .first()
        .is_some_and(|e| e.edition.state == EditionState::Draft);
    let page = EditionsPage {
        layout: staff_layout(state, "実施計画", &[("職員用ページ", "/staff".to_owned())]).await?,
        csrf: csrf.to_owned(),
        rows: all
            .iter()
            .map(|e| EditionRow {
                href: edition_href(e.edition.made_in),
                title: keikaku_app::programs::editions::title(e.edition.made_in),
                period: keikaku_app::programs::editions::period(e.edition.made_in),
                state: e.edition.state.label(),
                programs: e.programs,
            })
            .collect(),
        notice,
        problems,
        may_manage: permits(Some(roles), Action::ManageEditions),
        roll_from: newest.map(|y| {
            (
                y.year(),
                keikaku_app::programs::editions::title(y),
                keikaku_app::programs::editions::title(y.next()),
                newest_draft,
            )
        }),
        next_year: newest.map_or_else(now_year, |y| y.next().year()),
        plans,
        roundings: Rounding::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
    };
    Ok(private_page(status, page.render()?))
}

/// The fiscal year of today in Japan, for the form's default.
fn now_year() -> i32 {
    now()
        .ok()
        .and_then(crate::clock::fiscal_year)
        .map_or(2025, FiscalYear::year)
}

/// `GET /staff/implementation-plans`.
async fn editions_page(
    State(state): State<AppState>,
    Query(query): Query<NoticeQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let notice = match query.done.as_deref() {
        Some("rolled") => Some(format!(
            "ローリングしました。事業{}件を引き継ぎ、{}件（完了・廃止・期間終了）は引き継いでいません。",
            query.carried.unwrap_or(0),
            query.dropped.unwrap_or(0)
        )),
        Some("created") => Some("空の版を作成しました。".to_owned()),
        Some("deleted") => Some("版を削除しました。".to_owned()),
        _ => None,
    };
    list(
        &state,
        &granted,
        &signed.csrf,
        &signed.user.roles,
        StatusCode::OK,
        notice,
        Vec::new(),
    )
    .await
}

/// The form that opens an edition: `year` (made in), `plan`, `rounding`.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    year: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    rounding: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    confirm: Option<String>,
}

impl StaffFields for CreateForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

fn problems_of(e: AppError) -> Result<Vec<String>, WebError> {
    match e {
        AppError::Invalid(p) => Ok(p.into_iter().map(|p| p.message).collect()),
        AppError::Conflict(m) | AppError::NotFound(m) => Ok(vec![m]),
        other => Err(other.into()),
    }
}

/// `POST /staff/implementation-plans`: an empty edition.
async fn create(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<CreateForm>,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let result = match FiscalYear::parse(form.year.trim()) {
        Ok(year) => {
            let rounding = Rounding::from_code(form.rounding.trim()).unwrap_or_default();
            create_edition(&cx, &granted, year, &form.plan, rounding, now()?).await
        }
        Err(e) => Err(AppError::Invalid(vec![keikaku_planfile::FileProblem {
            path: "year".to_owned(),
            message: format!("作成年度: {e}"),
        }])),
    };
    match result {
        Ok(()) => redirect(&format!("{HOME}?done=created")),
        Err(e) => {
            let problems = problems_of(e)?;
            list(
                &state,
                &granted,
                &signed.csrf,
                &signed.user.roles,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                problems,
            )
            .await
        }
    }
}

/// `POST /staff/implementation-plans/roll`: edition `from` into the next.
async fn roll_edition(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<CreateForm>,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let from = crate::public::programs::year_of(form.from.trim())
        .map_err(|_| WebError::BadRequest("ローリングする版の年度が不正です。".to_owned()))?;
    // Rolling an edition still being made is allowed, but only on purpose.
    let draft = editions(&cx, &granted)
        .await?
        .iter()
        .any(|e| e.edition.made_in == from && e.edition.state == EditionState::Draft);
    if draft && form.confirm.as_deref() != Some("yes") {
        let problem =
            "作成中（未確定）の版からローリングするには、確認のチェックを入れてください。"
                .to_owned();
        return list(
            &state,
            &granted,
            &signed.csrf,
            &signed.user.roles,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            vec![problem],
        )
        .await;
    }
    match roll(&cx, &granted, from, now()?).await {
        Ok(outcomes) => {
            let carried = outcomes
                .iter()
                .filter(|o| matches!(o, RolledProgram::Carried(_)))
                .count();
            redirect(&format!(
                "{HOME}?done=rolled&carried={carried}&dropped={}",
                outcomes.len() - carried
            ))
        }
        Err(e) => {
            let problems = problems_of(e)?;
            list(
                &state,
                &granted,
                &signed.csrf,
                &signed.user.roles,
                StatusCode::CONFLICT,
                None,
                problems,
            )
            .await
        }
    }
}

/// Whether an edition's programs may be changed by someone holding these roles now.
pub(crate) fn editable(state: EditionState, roles: &[keikaku_domain::account::Role]) -> bool {
    state.editable() && permits(Some(roles), Action::EditPrograms)
}
