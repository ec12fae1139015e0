//! The 実施計画's editions for staff, with a token (tag `implementation-plan`), under
//! `/api/v1/staff/implementation-plans`: every edition, drafts included, and one edition with
//! its revision, each program's revision, each department's part, the fiscal frames and the
//! budget guide (`ReadPrograms`: a department editor reads their own department's part); the planning office's writes (`ManageEditions`) — an edition
//! opened empty (`POST`) or by rolling the last (`…/{year}/roll`), its steps 確定, 確定の取消し
//! and 公表 (`…/fix`, `…/unfix`, `…/publish`), its fiscal frames in yen (`PUT …/frames`) and
//! its settings (`PUT …/settings`). The use cases of the staff pages
//! (`keikaku_app::programs`), so the same rules; programs and departments' parts are in
//! `program_edits`.
//!
//! Every write carries the edition's revision as read; a stale one, or a step the edition's
//! state does not allow, is a `409` whose `current` is the edition as stored now. Publishing
//! (and re-opening) refreshes the public site's catalog, so the public reads follow at once.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted};
use keikaku_app::programs::{
    EditionView, FrameAmount, change_state, create_edition, edition, edition_file, editions, roll,
    save_frame_amounts, save_settings,
};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{BudgetLine, EditionStep, RolledProgram, Yen, budget_guide};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, no_store};
use crate::api::program_edits::{ProgramPart, StaffProgram, parts, staff_program};
use crate::api::programs::{covers, made_in};
use crate::api::rounds::at;
use crate::api::{ApiError, ApiPath, ApiQuery, only_params};
use crate::error::{Current, FieldProblem};
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/staff/implementation-plans" => list_staff_editions,
        ReadPrograms,
        "/api/v1/staff/implementation-plans"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans" => open_edition,
        ManageEditions,
        "/api/v1/staff/implementation-plans"
    ),
    route!(
        GET "/api/v1/staff/implementation-plans/{year}" => get_staff_edition,
        ReadPrograms,
        "/api/v1/staff/implementation-plans/2025"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans/{year}/roll" => roll_edition,
        ManageEditions,
        "/api/v1/staff/implementation-plans/2025/roll"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans/{year}/fix" => fix_edition,
        ManageEditions,
        "/api/v1/staff/implementation-plans/2025/fix"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans/{year}/unfix" => unfix_edition,
        ManageEditions,
        "/api/v1/staff/implementation-plans/2025/unfix"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans/{year}/publish" => publish_edition,
        ManageEditions,
        "/api/v1/staff/implementation-plans/2025/publish"
    ),
    route!(
        PUT "/api/v1/staff/implementation-plans/{year}/frames" => put_frames,
        ManageEditions,
        "/api/v1/staff/implementation-plans/2025/frames"
    ),
    route!(
        PUT "/api/v1/staff/implementation-plans/{year}/settings" => put_settings,
        ManageEditions,
        "/api/v1/staff/implementation-plans/2025/settings"
    ),
];

// ---------------------------------------------------------------- the editions as staff read them

/// Every edition, drafts included, the newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffEditionList {
    /// One per edition.
    pub editions: Vec<StaffEditionListing>,
}

/// An edition in the staff list.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffEditionListing {
    /// The fiscal year it is made in (N; the `{year}` of its URLs).
    #[schema(example = 2026)]
    pub edition: i32,
    /// The fiscal years it covers: N+1, N+2, N+3.
    pub covers: Vec<i32>,
    /// The basis plan (a comprehensive plan).
    pub plan: String,
    /// `draft` (作成中), `fixed` (確定) or `published` (公表).
    pub state: String,
    /// How amounts are shown in 千円: `half_up`, `down`, `up`.
    pub rounding: String,
    /// The edition's revision (its state, settings and frames).
    pub revision: i64,
    /// How many programs it has.
    pub programs: i64,
    /// Who changed the edition's own row last.
    pub updated_by: String,
    /// When (ISO 8601, UTC).
    pub updated_at: String,
    /// Its URL in this API.
    pub href: String,
}

/// An edition as staff read it: the shape of the public edition (`EditionFile`) with the
/// revisions to send back, each department's part, the fiscal frames and the budget guide.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffEdition {
    /// The fiscal year it is made in (N).
    pub edition: i32,
    /// The fiscal years it covers: N+1, N+2, N+3.
    pub covers: Vec<i32>,
    /// The basis plan.
    pub plan: String,
    /// `draft` (作成中), `fixed` (確定) or `published` (公表).
    pub state: String,
    /// How amounts are shown in 千円: `half_up`, `down`, `up`.
    pub rounding: String,
    /// The edition's revision: send it with a step, the frames or the settings.
    pub revision: i64,
    /// Who changed the edition's own row last.
    pub updated_by: String,
    /// When (ISO 8601, UTC).
    pub updated_at: String,
    /// Its programs, by code, each with its revision.
    pub programs: Vec<StaffProgram>,
    /// Every department with programs or a stored part, with its state.
    pub parts: Vec<ProgramPart>,
    /// The fiscal frames (財政計画の枠), in yen: the city's (`department` empty) first.
    pub frames: Vec<FiscalFrame>,
    /// The budget guide: the 一般財源 the programs need against the frames.
    pub budget: EditionBudget,
}

/// A fiscal frame: the 一般財源 available in a fiscal year, for the city or a department.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FiscalFrame {
    /// The fiscal year (one the edition covers).
    #[schema(example = 2027)]
    pub fiscal_year: i32,
    /// The department; empty or left out: the whole city.
    #[serde(default)]
    pub department: String,
    /// 一般財源 in whole yen (≥ 0).
    #[schema(example = 1_000_000_000_i64)]
    pub general: i64,
}

/// The budget guide (予算編成の指針) of an edition, in yen.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionBudget {
    /// The whole city, one line per fiscal year covered.
    pub city: Vec<BudgetYear>,
    /// Each department (those with programs, then those with only a frame).
    pub departments: Vec<DepartmentBudget>,
}

/// One department's budget guide.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentBudget {
    /// 所管課.
    pub department: String,
    /// One line per fiscal year covered.
    pub years: Vec<BudgetYear>,
}

/// The 一般財源 needed in a fiscal year against its frame, in yen.
#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetYear {
    /// The fiscal year.
    pub fiscal_year: i32,
    /// The 一般財源 the programs need.
    pub needed: i64,
    /// The frame; `null`: none entered.
    pub frame: Option<i64>,
    /// How much the need exceeds the frame (negative: room left); `null` without a frame.
    pub overrun: Option<i64>,
    /// Whether the need exceeds the frame.
    pub over: bool,
}

fn budget_year(l: &BudgetLine) -> BudgetYear {
    BudgetYear {
        fiscal_year: l.fiscal_year.year(),
        needed: l.needed.yen(),
        frame: l.frame.map(Yen::yen),
        overrun: l.overrun().map(Yen::yen),
        over: l.over(),
    }
}

pub(crate) fn staff_edition(view: &EditionView) -> StaffEdition {
    let file = edition_file(view);
    let budget = budget_guide(&view.domain(), &view.frames);
    StaffEdition {
        edition: file.edition,
        covers: file.covers,
        plan: file.plan,
        state: file.state,
        rounding: file.rounding,
        revision: view.edition.revision,
        updated_by: view.edition.updated_by.clone(),
        updated_at: view.edition.updated_at.to_iso(),
        programs: view
            .programs
            .iter()
            .map(|r| staff_program(view, &r.program, r.revision, (&r.updated_by, r.updated_at)))
            .collect(),
        parts: parts(view),
        frames: view
            .frames
            .iter()
            .map(|f| FiscalFrame {
                fiscal_year: f.fiscal_year.year(),
                department: f.department.clone(),
                general: f.general.yen(),
            })
            .collect(),
        budget: EditionBudget {
            city: budget.city.iter().map(budget_year).collect(),
            departments: budget
                .departments
                .iter()
                .map(|(d, lines)| DepartmentBudget {
                    department: d.clone(),
                    years: lines.iter().map(budget_year).collect(),
                })
                .collect(),
        },
    }
}

/// The edition as stored now, as `granted` reads it.
async fn current(
    state: &AppState,
    granted: &Granted,
    year: FiscalYear,
) -> Result<StaffEdition, ApiError> {
    let view = edition(&state.catalog.context(), granted, year).await?;
    Ok(staff_edition(&view))
}

/// A refused write of an edition or a part: every problem by JSON path of the request
/// (`revision` → `$.revision`, `frames[1].general` → `$.frames[1].general`), a conflict with
/// the edition as stored now.
pub(crate) async fn refusal(
    state: &AppState,
    granted: &Granted,
    year: FiscalYear,
    e: AppError,
) -> ApiError {
    match e {
        AppError::Invalid(found) => ApiError::Invalid(
            found
                .into_iter()
                .map(|p| FieldProblem {
                    field: if p.path.is_empty() {
                        "$".to_owned()
                    } else {
                        format!("$.{}", p.path)
                    },
                    message: p.message,
                })
                .collect(),
        ),
        e => match ApiError::from(e) {
            ApiError::Conflict { message, .. } => ApiError::Conflict {
                message,
                current: current(state, granted, year)
                    .await
                    .ok()
                    .map(|e| Current::Edition(Box::new(e))),
            },
            other => other,
        },
    }
}

fn with_location(mut response: Response, year: FiscalYear) -> Response {
    let location = format!("/api/v1/staff/implementation-plans/{}", year.year());
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Every edition, drafts included (any staff role).
#[utoipa::path(get, path = "/api/v1/staff/implementation-plans", tag = "implementation-plan",
    security(("token" = [])),
    responses((status = 200, body = StaffEditionList), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn list_staff_editions(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let granted = granted(user, Action::ReadPrograms)?;
    let list = editions(&state.catalog.context(), &granted).await?;
    Ok(no_store(
        StatusCode::OK,
        StaffEditionList {
            editions: list
                .iter()
                .map(|e| StaffEditionListing {
                    edition: e.edition.made_in.year(),
                    covers: covers(e.edition.made_in),
                    plan: e.edition.plan.to_string(),
                    state: e.edition.state.code().to_owned(),
                    rounding: e.edition.rounding.code().to_owned(),
                    revision: e.edition.revision,
                    programs: e.programs,
                    updated_by: e.edition.updated_by.clone(),
                    updated_at: e.edition.updated_at.to_iso(),
                    href: format!(
                        "/api/v1/staff/implementation-plans/{}",
                        e.edition.made_in.year()
                    ),
                })
                .collect(),
        },
    ))
}

/// One edition in any state, with its revisions, parts, frames and budget guide (any staff
/// role).
#[utoipa::path(get, path = "/api/v1/staff/implementation-plans/{year}", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in (2026; 令和8年度 … are read too)", example = "2026")),
    security(("token" = [])),
    responses((status = 200, body = StaffEdition), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No edition made in that year", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_staff_edition(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = made_in(&year)?;
    let granted = granted(user, Action::ReadPrograms)?;
    Ok(no_store(
        StatusCode::OK,
        current(&state, &granted, year).await?,
    ))
}

// ---------------------------------------------------------------- opening an edition

/// A new, empty edition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEdition {
    /// The fiscal year it is made in (N); it covers N+1 … N+3.
    #[schema(example = 2026)]
    pub edition: i32,
    /// The basis plan: a comprehensive plan's id.
    #[schema(example = "sogo-keikaku")]
    pub plan: String,
    /// How amounts are shown in 千円: `half_up` (四捨五入), `down` (切り捨て), `up`
    /// (切り上げ); left out: `half_up`.
    #[serde(default)]
    #[schema(example = "half_up")]
    pub rounding: Option<String>,
}

fn rounding(code: &str, path: &str) -> Result<Rounding, FieldProblem> {
    Rounding::from_code(code.trim()).ok_or_else(|| FieldProblem {
        field: path.to_owned(),
        message: format!(
            "端数処理「{}」は選択肢にありません（half_up, down, up）。",
            code.trim()
        ),
    })
}

/// Opens a new, empty edition on a comprehensive plan (the first one, or one not rolled).
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans", tag = "implementation-plan",
    request_body = NewEdition, security(("token" = [])),
    responses((status = 201, description = "The edition as stored (`Location`: its URL)", body = StaffEdition),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 409, description = "An edition made in that year exists (`current`: it)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.edition`, `$.plan`, `$.rounding`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn open_edition(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(params): ApiQuery,
    body: Result<Json<NewEdition>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(new) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManageEditions)?;
    let year = FiscalYear::new(new.edition).map_err(|e| FieldProblem {
        field: "$.edition".to_owned(),
        message: format!("作成年度「{}」: {e}", new.edition),
    });
    let rule = rounding(new.rounding.as_deref().unwrap_or("half_up"), "$.rounding");
    let (year, rule) = match (year, rule) {
        (Ok(y), Ok(r)) => (y, r),
        (y, r) => {
            return Err(ApiError::Invalid(
                [y.err(), r.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let cx = state.catalog.context();
    match create_edition(&cx, &granted, year, &new.plan, rule, at()?).await {
        Ok(()) => Ok(with_location(
            no_store(StatusCode::CREATED, current(&state, &granted, year).await?),
            year,
        )),
        Err(e) => Err(refusal(&state, &granted, year, e).await),
    }
}

/// What a roll did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RollOutcome {
    /// The edition rolled (N).
    pub from: i32,
    /// The edition opened (N+1).
    pub edition: i32,
    /// The fiscal years the new edition covers.
    pub covers: Vec<i32>,
    /// What happened to each program of edition N.
    pub programs: Vec<RolledProgramOutcome>,
    /// The new edition's URL in this API.
    pub href: String,
}

/// What the roll did with one program.
#[derive(Debug, Serialize, ToSchema)]
pub struct RolledProgramOutcome {
    /// 事業コード.
    pub code: String,
    /// `carried` (引き継ぎ), `ended` (ends before the new edition's first year) or
    /// `discontinued` (廃止 or 完了).
    pub outcome: String,
    /// What happened, in Japanese.
    pub message: String,
}

/// Opens edition `{year}`+1 by rolling edition `{year}` (ローリング): continuing programs keep
/// their code, texts and the amounts of the years both cover, 新規・拡充・縮小 become 継続,
/// ended, 廃止 and 完了 programs are not carried. Once a year: rolling again is a conflict.
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans/{year}/roll", tag = "implementation-plan",
    params(("year" = String, Path, description = "The edition rolled: the fiscal year it is made in", example = "2025")),
    security(("token" = [])),
    responses((status = 201, description = "The edition opened (`Location`: its URL) and each program's outcome", body = RollOutcome),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No edition made in `{year}`", body = crate::error::ErrorEnvelope),
        (status = 409, description = "Edition `{year}`+1 exists already (`current`: it)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn roll_edition(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let from = made_in(&year)?;
    let granted = granted(user, Action::ManageEditions)?;
    let to = from.next();
    match roll(&state.catalog.context(), &granted, from, at()?).await {
        Ok(outcomes) => {
            let programs = outcomes
                .iter()
                .map(|o| {
                    let (code, outcome) = match o {
                        RolledProgram::Carried(c) => (c, "carried"),
                        RolledProgram::Ended(c, _) => (c, "ended"),
                        RolledProgram::Discontinued(c, _) => (c, "discontinued"),
                    };
                    RolledProgramOutcome {
                        code: code.to_string(),
                        outcome: outcome.to_owned(),
                        message: o.message(),
                    }
                })
                .collect();
            let body = RollOutcome {
                from: from.year(),
                edition: to.year(),
                covers: covers(to),
                programs,
                href: format!("/api/v1/staff/implementation-plans/{}", to.year()),
            };
            Ok(with_location(no_store(StatusCode::CREATED, body), to))
        }
        Err(e) => Err(refusal(&state, &granted, to, e).await),
    }
}

// ---------------------------------------------------------------- the edition's writes

/// The edition's revision as read, for a step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditionRevision {
    /// The edition's revision as read (`revision` of the edition).
    #[schema(minimum = 1)]
    pub revision: i64,
}

async fn edition_step(
    state: &AppState,
    user: ApiUser,
    year: &str,
    step: EditionStep,
    body: Result<Json<EditionRevision>, JsonRejection>,
) -> Result<Response, ApiError> {
    let year = made_in(year)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManageEditions)?;
    let cx = state.catalog.context();
    let at = at()?;
    match change_state(&cx, &granted, year, step, &change.revision.to_string(), at).await {
        Ok(_) => {
            if matches!(step, EditionStep::Publish | EditionStep::Unfix) {
                // The public site and API show the edition from now on.
                state.catalog.invalidate().await?;
            }
            Ok(no_store(
                StatusCode::OK,
                current(state, &granted, year).await?,
            ))
        }
        Err(e) => Err(refusal(state, &granted, year, e).await),
    }
}

/// Fixes the edition (確定): refused until every department's part is approved and there is a
/// program; afterwards nothing changes until it is re-opened.
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans/{year}/fix", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026")),
    request_body = EditionRevision, security(("token" = [])),
    responses((status = 200, description = "The edition as stored after the step", body = StaffEdition),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The edition changed since it was read, is not 作成中, has a department not approved or no program (`current`: the edition now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn fix_edition(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<EditionRevision>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    edition_step(&state, user, &year, EditionStep::Fix, body).await
}

/// Re-opens a fixed edition (確定の取消し), back to 作成中.
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans/{year}/unfix", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026")),
    request_body = EditionRevision, security(("token" = [])),
    responses((status = 200, description = "The edition as stored after the step", body = StaffEdition),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The edition changed since it was read, or is not 確定 (`current`: the edition now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn unfix_edition(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<EditionRevision>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    edition_step(&state, user, &year, EditionStep::Unfix, body).await
}

/// Publishes a fixed edition (公表): from now on it is read without a token at
/// `/api/v1/implementation-plans/{year}`, and never changes.
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans/{year}/publish", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026")),
    request_body = EditionRevision, security(("token" = [])),
    responses((status = 200, description = "The edition as stored after the step", body = StaffEdition),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The edition changed since it was read, or is not 確定 (`current`: the edition now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn publish_edition(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<EditionRevision>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    edition_step(&state, user, &year, EditionStep::Publish, body).await
}

/// Every fiscal frame of an edition, replacing those stored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FramesChange {
    /// The edition's revision as read.
    #[schema(minimum = 1)]
    pub revision: i64,
    /// The frames; a year and department at most once (empty: no frames).
    pub frames: Vec<FiscalFrame>,
}

/// Sets the fiscal frames (財政計画の枠) of an edition being made, in yen, replacing those
/// stored: the budget guide compares the 一般財源 needed with them.
#[utoipa::path(put, path = "/api/v1/staff/implementation-plans/{year}/frames", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026")),
    request_body = FramesChange, security(("token" = [])),
    responses((status = 200, description = "The edition as stored after the write", body = StaffEdition),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The edition changed since it was read, or is not 作成中 (`current`: the edition now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.frames[1].fiscal_year`, `$.frames[0].general`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_frames(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<FramesChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = made_in(&year)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManageEditions)?;
    let mut problems = Vec::new();
    let mut frames = Vec::new();
    for (i, f) in change.frames.iter().enumerate() {
        match FiscalYear::new(f.fiscal_year) {
            Ok(fiscal_year) => frames.push(FrameAmount {
                fiscal_year,
                department: f.department.clone(),
                general: Yen::new(f.general),
            }),
            Err(e) => problems.push(FieldProblem {
                field: format!("$.frames[{i}].fiscal_year"),
                message: format!("年度「{}」: {e}", f.fiscal_year),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let cx = state.catalog.context();
    let revision = change.revision.to_string();
    match save_frame_amounts(&cx, &granted, year, &frames, &revision, at()?).await {
        Ok(_) => Ok(no_store(
            StatusCode::OK,
            current(&state, &granted, year).await?,
        )),
        Err(e) => Err(refusal(&state, &granted, year, e).await),
    }
}

/// An edition's settings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    /// The edition's revision as read.
    #[schema(minimum = 1)]
    pub revision: i64,
    /// The basis plan: a comprehensive plan's id.
    #[schema(example = "sogo-keikaku")]
    pub plan: String,
    /// How amounts are shown in 千円: `half_up` (四捨五入), `down` (切り捨て), `up` (切り上げ).
    #[schema(example = "half_up")]
    pub rounding: String,
}

/// Sets an edition's basis plan and its 千円 rounding rule (作成中 only).
#[utoipa::path(put, path = "/api/v1/staff/implementation-plans/{year}/settings", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026")),
    request_body = SettingsChange, security(("token" = [])),
    responses((status = 200, description = "The edition as stored after the write", body = StaffEdition),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The edition changed since it was read, or is not 作成中 (`current`: the edition now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.plan`, `$.rounding`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(year): ApiPath<String>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<SettingsChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = made_in(&year)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::ManageEditions)?;
    let cx = state.catalog.context();
    let revision = change.revision.to_string();
    let result = save_settings(
        &cx,
        &granted,
        year,
        &change.plan,
        &change.rounding,
        &revision,
        at()?,
    )
    .await;
    match result {
        Ok(_) => Ok(no_store(
            StatusCode::OK,
            current(&state, &granted, year).await?,
        )),
        Err(e) => Err(refusal(&state, &granted, year, e).await),
    }
}
