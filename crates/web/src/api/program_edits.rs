//! The 実施計画's programs and departments' parts for staff, with a token (tag
//! `implementation-plan`), under `/api/v1/staff/implementation-plans/{year}`: a program
//! written whole or deleted (`EditPrograms`: a department editor only their own department's,
//! while the edition is 作成中 and their part 未提出 or 差戻し), a department's part submitted
//! (`SubmitPrograms`, 提出) and approved or returned with a comment (`ReviewPrograms`, 承認 /
//! 差戻し) — the use cases of the staff pages (`keikaku_app::programs`), so the same rules.
//! The editions themselves are in `program_editions`.
//!
//! A program is sent in the shape of the plan file's `ProgramEntry` (amounts in yen), read by
//! `keikaku_planfile::programs::read_program`, so every problem of its shape has its JSON path;
//! the use case's problems (`name`, `links`, `y2027.cost` …) are mapped to the request's paths
//! (`$.name`, `$.links`, `$.years[0].cost`) by `keikaku_app::programs::json_path`. Every write
//! carries the revision its writer read; a stale one is a `409` whose `current` is what is
//! stored now (the program, or the edition for a part).

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use keikaku_app::AppError;
use keikaku_app::access::Action;
use keikaku_app::programs::{
    EditionView, delete_program, edition, json_path, move_part, program_entry, save_program,
};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::program::{EditionStep, Program};
use keikaku_planfile::programs::{ProgramEntry, read_program};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, no_store};
use crate::api::program_editions::refusal;
use crate::api::programs::{made_in, program_code};
use crate::api::rounds::at;
use crate::api::{ApiError, ApiPath, ApiQuery, only_params};
use crate::error::{Current, FieldProblem};
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        PUT "/api/v1/staff/implementation-plans/{year}/programs/{code}" => put_program,
        EditPrograms,
        "/api/v1/staff/implementation-plans/2025/programs/01-01-001"
    ),
    route!(
        DELETE "/api/v1/staff/implementation-plans/{year}/programs/{code}" => remove_program,
        EditPrograms,
        "/api/v1/staff/implementation-plans/2025/programs/01-01-001?revision=1"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans/{year}/departments/{department}/submit" => submit_part,
        SubmitPrograms,
        "/api/v1/staff/implementation-plans/2025/departments/%E8%BE%B2%E6%94%BF%E8%AA%B2/submit"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans/{year}/departments/{department}/approve" => approve_part,
        ReviewPrograms,
        "/api/v1/staff/implementation-plans/2025/departments/%E8%BE%B2%E6%94%BF%E8%AA%B2/approve"
    ),
    route!(
        POST "/api/v1/staff/implementation-plans/{year}/departments/{department}/return" => return_part,
        ReviewPrograms,
        "/api/v1/staff/implementation-plans/2025/departments/%E8%BE%B2%E6%94%BF%E8%AA%B2/return"
    ),
];

// ---------------------------------------------------------------- programs

/// A program as stored in an edition, with its revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffProgram {
    /// The program, as the plan file writes it (amounts in yen).
    #[serde(flatten)]
    pub program: ProgramEntry,
    /// Its revision: send it with its next change or its deletion.
    pub revision: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// When (ISO 8601, UTC).
    pub updated_at: String,
}

pub(crate) fn staff_program(
    view: &EditionView,
    program: &Program,
    revision: i64,
    (updated_by, updated_at): (&str, Timestamp),
) -> StaffProgram {
    StaffProgram {
        program: program_entry(view, program),
        revision,
        updated_by: updated_by.to_owned(),
        updated_at: updated_at.to_iso(),
    }
}

/// The program of an edition as stored, if it is there.
pub(crate) fn stored_program(view: &EditionView, code: &str) -> Option<StaffProgram> {
    let r = view.program(code)?;
    Some(staff_program(
        view,
        &r.program,
        r.revision,
        (&r.updated_by, r.updated_at),
    ))
}

/// A program to store: the plan file's `ProgramEntry` (amounts in whole yen; `code` may be
/// left out — it is the URL's —, and so may `measures` when `links` is given) with the
/// revision read. A program as read (`StaffProgram`) may be sent back changed: its
/// `updated_by` and `updated_at` are ignored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramSave {
    /// The program, written whole.
    #[serde(flatten)]
    pub program: ProgramEntry,
    /// The program's revision as read (`revision` of the program); `null` or left out: a new
    /// program, whose code must not be in the edition yet.
    pub revision: Option<i64>,
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Reads the request's program: its revision, its code (the URL's, or the same), and the
/// program itself with every problem of its shape by JSON path.
fn read_request(
    mut body: Value,
    code: &str,
    view: &EditionView,
) -> Result<(Program, Option<i64>), ApiError> {
    let Some(object) = body.as_object_mut() else {
        return Err(ApiError::Invalid(vec![problem(
            "$",
            "事業をJSONのオブジェクトで送ってください。",
        )]));
    };
    // What a read gives besides the program and its revision: sent back as read, ignored.
    object.remove("updated_by");
    object.remove("updated_at");
    let mut problems = Vec::new();
    let revision = match object.get("revision") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64().filter(|r| *r >= 0) {
            Some(r) => Some(r),
            None => {
                problems.push(problem(
                    "$.revision",
                    "revision（事業の版）は0以上の整数で指定してください（新しい事業は null または省略）。",
                ));
                None
            }
        },
    };
    match object.get("code") {
        None | Some(Value::Null) => {
            object.insert("code".to_owned(), Value::String(code.to_owned()));
        }
        Some(Value::String(s)) if s.trim() == code => {}
        Some(_) => problems.push(problem(
            "$.code",
            format!(
                "事業コードはURLの「{code}」と同じにしてください（省略するとURLのものになります）。"
            ),
        )),
    }
    let program = read_program(&body, "$", Some(&view.edition.plan)).map_err(|found| {
        found
            .into_iter()
            .map(|p| problem(&p.path, p.message))
            .collect::<Vec<_>>()
    });
    match program {
        Ok(p) if problems.is_empty() => Ok((p, revision)),
        Ok(_) => Err(ApiError::Invalid(problems)),
        Err(found) => {
            problems.extend(found);
            Err(ApiError::Invalid(problems))
        }
    }
}

/// A refused program write: problems by JSON path of the request, a conflict with the program
/// as stored now.
async fn program_refusal(
    state: &AppState,
    granted: &keikaku_app::access::Granted,
    (year, code): (keikaku_domain::era::FiscalYear, &str),
    program: Option<&Program>,
    e: AppError,
) -> ApiError {
    match e {
        AppError::Invalid(found) => ApiError::Invalid(
            found
                .into_iter()
                .map(|p| match program {
                    Some(program) => problem(&json_path("$", program, &p.path), p.message),
                    None if p.path.is_empty() => problem("$", p.message),
                    None => problem(&format!("$.{}", p.path), p.message),
                })
                .collect(),
        ),
        e => match ApiError::from(e) {
            ApiError::Conflict { message, .. } => {
                let cx = state.catalog.context();
                let current = edition(&cx, granted, year)
                    .await
                    .ok()
                    .and_then(|v| stored_program(&v, code))
                    .map(|p| Current::Program(Box::new(p)));
                ApiError::Conflict { message, current }
            }
            other => other,
        },
    }
}

/// Stores a program of an edition being made (作成中), written whole: a new one (`revision`
/// `null` or left out) or a change from the revision read. A department editor writes only
/// their own department's programs, while their part is 未提出 or 差戻し.
#[utoipa::path(put, path = "/api/v1/staff/implementation-plans/{year}/programs/{code}", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026"),
        ("code" = String, Path, description = "事業コード", example = "01-01-009", pattern = "^[A-Za-z0-9_-]{1,32}$")),
    request_body = ProgramSave, security(("token" = [])),
    responses((status = 200, description = "The program as stored by this change", body = StaffProgram),
        (status = 201, description = "The new program as stored", body = StaffProgram),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope),
        (status = 403, description = "Another department's stored program", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such edition", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The program changed since it was read (`current`: the program now), or the edition or the department's part is not open for changes", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every problem by JSON path (`$.name`, `$.links`, `$.years[0].cost` …)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_program(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((year, code)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let year = made_in(&year)?;
    let code = program_code(&code)?;
    let Json(body) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::EditPrograms)?;
    let cx = state.catalog.context();
    let view = edition(&cx, &granted, year).await?;
    let (program, expected) = read_request(body, code.as_str(), &view)?;
    match save_program(&cx, &granted, year, program.clone(), expected, at()?).await {
        Ok(saved) => {
            let dto = staff_program(
                &view,
                &saved.program,
                saved.revision,
                (&saved.updated_by, saved.updated_at),
            );
            if expected.is_some() {
                return Ok(no_store(StatusCode::OK, dto));
            }
            let mut response = no_store(StatusCode::CREATED, dto);
            let location = format!(
                "/api/v1/staff/implementation-plans/{}/programs/{code}",
                year.year()
            );
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            Ok(response)
        }
        Err(e) => {
            Err(program_refusal(&state, &granted, (year, code.as_str()), Some(&program), e).await)
        }
    }
}

/// Deletes a program from an edition being made, from the revision read (the same rules as a
/// change).
#[utoipa::path(delete, path = "/api/v1/staff/implementation-plans/{year}/programs/{code}", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026"),
        ("code" = String, Path, description = "事業コード", example = "01-01-009", pattern = "^[A-Za-z0-9_-]{1,32}$"),
        ("revision" = i64, Query, description = "The program's revision as read", minimum = 1)),
    security(("token" = [])),
    responses((status = 204, description = "Deleted"), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such edition or program", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The program changed since it was read (`current`: the program now), or the edition or the part is not open for changes", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn remove_program(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((year, code)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &["revision"])?;
    let year = made_in(&year)?;
    let code = program_code(&code)?;
    let revision = match params.get("revision").map(|r| r.trim().parse::<i64>()) {
        Some(Ok(r)) if r >= 1 => r,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "revision（事業の版）は1以上の整数で指定してください。".to_owned(),
            ));
        }
        None => {
            return Err(ApiError::BadRequest(
                "削除には revision（事業の版）を指定してください。".to_owned(),
            ));
        }
    };
    let granted = granted(user, Action::EditPrograms)?;
    let cx = state.catalog.context();
    match delete_program(
        &cx,
        &granted,
        year,
        code.as_str(),
        &revision.to_string(),
        at()?,
    )
    .await
    {
        Ok(()) => Ok((
            StatusCode::NO_CONTENT,
            [(header::CACHE_CONTROL, "no-store")],
        )
            .into_response()),
        Err(e) => Err(program_refusal(&state, &granted, (year, code.as_str()), None, e).await),
    }
}

// ---------------------------------------------------------------- departments' parts

/// A department's part of an edition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramPart {
    /// 所管課 (the `{department}` of its steps).
    pub department: String,
    /// `draft` (未提出), `submitted` (提出済み), `approved` (承認) or `returned` (差戻し).
    pub state: String,
    /// The planning office's comment (a return's reason); may be empty.
    pub comment: String,
    /// The revision of its part (0: never written): send it with its next step.
    pub revision: i64,
    /// How many programs it has in the edition.
    pub programs: usize,
    /// Who moved it last; empty: nobody.
    pub updated_by: String,
    /// When (ISO 8601, UTC); `null`: never.
    pub updated_at: Option<String>,
}

pub(crate) fn parts(view: &EditionView) -> Vec<ProgramPart> {
    view.parts
        .iter()
        .map(|p| ProgramPart {
            department: p.department.clone(),
            state: p.state.code().to_owned(),
            comment: p.comment.clone(),
            revision: p.revision,
            programs: p.programs,
            updated_by: p.updated_by.clone(),
            updated_at: p.updated_at.map(Timestamp::to_iso),
        })
        .collect()
}

/// A department's submission (提出): its part's revision as read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartSubmission {
    /// The part's revision as read (`parts[].revision`; 0: never written).
    #[schema(minimum = 0)]
    pub revision: i64,
}

/// The planning office's review of a department's part: its revision as read and a comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartReview {
    /// The part's revision as read (`parts[].revision`).
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
    (year, department): (&str, &str),
    step: EditionStep,
    (revision, comment): (i64, &str),
) -> Result<Response, ApiError> {
    let year = made_in(year)?;
    let granted = granted(user, action)?;
    let cx = state.catalog.context();
    let result = move_part(
        &cx,
        &granted,
        year,
        department,
        step,
        comment,
        &revision.to_string(),
        at()?,
    )
    .await;
    match result {
        Ok(_) => {
            let view = edition(&cx, &granted, year).await?;
            let part = parts(&view)
                .into_iter()
                .find(|p| p.department == department.trim())
                .ok_or_else(|| ApiError::Internal("the part moved is gone".to_owned()))?;
            Ok(no_store(StatusCode::OK, part))
        }
        Err(e) => Err(refusal(state, &granted, year, e).await),
    }
}

/// Submits a department's part (提出): from 未提出 or 差戻し; afterwards its programs are fixed
/// until the planning office returns it.
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans/{year}/departments/{department}/submit", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026"),
        ("department" = String, Path, description = "所管課 (`parts[].department`, percent-encoded)", example = "農政課")),
    request_body = PartSubmission, security(("token" = [])),
    responses((status = 200, description = "The part as stored after the step", body = ProgramPart),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope),
        (status = 403, description = "Another department's part", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such edition, or no such department in it", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The part changed since it was read, or is not in a state to submit (`current`: the edition now)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn submit_part(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((year, department)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<PartSubmission>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    step(
        &state,
        (user, Action::SubmitPrograms),
        (&year, &department),
        EditionStep::Submit,
        (change.revision, ""),
    )
    .await
}

/// Approves a submitted department's part (承認).
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans/{year}/departments/{department}/approve", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026"),
        ("department" = String, Path, description = "所管課 (percent-encoded)", example = "農政課")),
    request_body = PartReview, security(("token" = [])),
    responses((status = 200, description = "The part as stored after the step", body = ProgramPart),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The part changed since it was read, or is not submitted (`current`: the edition now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "The comment refused (`$.comment`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn approve_part(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((year, department)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<PartReview>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    step(
        &state,
        (user, Action::ReviewPrograms),
        (&year, &department),
        EditionStep::Approve,
        (change.revision, &change.comment),
    )
    .await
}

/// Returns a submitted or approved department's part (差戻し) with the reason, which the
/// department sees; it can then change its programs and submit again.
#[utoipa::path(post, path = "/api/v1/staff/implementation-plans/{year}/departments/{department}/return", tag = "implementation-plan",
    params(("year" = String, Path, description = "The fiscal year the edition is made in", example = "2026"),
        ("department" = String, Path, description = "所管課 (percent-encoded)", example = "農政課")),
    request_body = PartReview, security(("token" = [])),
    responses((status = 200, description = "The part as stored after the step", body = ProgramPart),
        (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope),
        (status = 409, description = "The part changed since it was read, or is not submitted or approved (`current`: the edition now)", body = crate::error::ErrorEnvelope),
        (status = 422, description = "No comment, or a comment refused (`$.comment`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn return_part(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((year, department)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<PartReview>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    step(
        &state,
        (user, Action::ReviewPrograms),
        (&year, &department),
        EditionStep::Return,
        (change.revision, &change.comment),
    )
    .await
}
