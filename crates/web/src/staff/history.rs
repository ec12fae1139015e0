//! The version history for staff who may read drafts (`/staff/plans/{plan}/versions`,
//! `/compare`, `/versions/{n}`): every version, drafts included, and the working copy as
//! `to=current`; never cached. The pages are the public history's (`public::history`,
//! `public::version`) in the staff scope. The planning office names a version and gives its
//! reason on the version's page (`POST …/versions/{n}/note`).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::public::history::{Scope, compare_page, versions_page};
use crate::public::version::{NoteForm, number_of, reader, version_page};
use crate::routes::{Route, route};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::redirect;

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/staff/plans/{plan}/versions" => versions,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/versions"
    ),
    route!(
        GET "/staff/plans/{plan}/compare" => compare,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/compare?from=1&to=1"
    ),
    route!(
        GET "/staff/plans/{plan}/versions/{number}" => version,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/versions/1"
    ),
    route!(
        POST "/staff/plans/{plan}/versions/{number}/note" => save_note,
        NameVersions,
        "/staff/plans/sogo-keikaku/versions/1/note"
    ),
];

/// `GET /staff/plans/{plan}/versions/{number}`: any version read as pages, with the form that
/// names it for the planning office (`?saved=1` after a save).
async fn version(
    State(state): State<AppState>,
    PagePath((plan, number)): PagePath<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    if params.contains_key("saved") {
        return version_saved(&state, granted, &plan, &number).await;
    }
    version_page(
        &state,
        Scope::Staff(granted),
        &plan,
        &number,
        None,
        StatusCode::OK,
    )
    .await
}

/// The version page after a save, with its notice.
async fn version_saved(
    state: &AppState,
    granted: keikaku_app::access::Granted,
    plan: &str,
    number: &str,
) -> Result<Response, WebError> {
    let id = plan_id(plan)?;
    let n = number_of(number)?;
    let (summary, _) =
        keikaku_app::history::any_version(&state.catalog.context(), &granted, &id, n).await?;
    let form = NoteForm {
        csrf: crate::staff::who::current()
            .map(|w| w.csrf)
            .unwrap_or_default(),
        revision: summary.note_revision,
        label: summary.note.label,
        reason: summary.note.reason,
        errors: BTreeMap::new(),
        conflict: None,
        saved: true,
    };
    version_page(
        state,
        Scope::Staff(granted),
        plan,
        number,
        Some(form),
        StatusCode::OK,
    )
    .await
}

/// The fields of the form that names a version.
#[derive(Debug, Deserialize)]
pub(crate) struct NoteFields {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    reason: String,
}

impl StaffFields for NoteFields {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST /staff/plans/{plan}/versions/{number}/note`: names a version and gives its reason,
/// against the note revision the form was opened at. Problems: the form again (422) with each
/// message at its field; a save made meanwhile: the form again (409) with the stored note.
async fn save_note(
    State(state): State<AppState>,
    PagePath((plan, number)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<NoteFields>,
) -> Result<Response, WebError> {
    let id = plan_id(&plan)?;
    let n = number_of(&number)?;
    let revision = form.revision.trim().parse::<u32>().map_err(|_| {
        WebError::BadRequest(format!(
            "版の名称の改訂番号「{}」を読めません。画面を開き直してください。",
            form.revision
        ))
    })?;
    let result = keikaku_app::history::name_version(
        &state.catalog.context(),
        &granted,
        &id,
        n,
        &form.label,
        &form.reason,
        revision,
        now()?,
    )
    .await;
    let read = reader(&granted)?;
    let mut again = NoteForm {
        csrf: signed.csrf.clone(),
        revision,
        label: form.label.clone(),
        reason: form.reason.clone(),
        errors: BTreeMap::new(),
        conflict: None,
        saved: false,
    };
    let status = match result {
        Ok(_) => {
            state.catalog.invalidate().await?;
            return redirect(&format!("/staff/plans/{id}/versions/{n}?saved=1"));
        }
        Err(AppError::Invalid(problems)) => {
            again.errors = problems.into_iter().map(|p| (p.path, p.message)).collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Conflict(message)) => {
            let (stored, _) =
                keikaku_app::history::any_version(&state.catalog.context(), &read, &id, n).await?;
            // The user's text stays in the fields; the stored note is shown beside it, and
            // the form now carries the stored revision, so a deliberate save goes through.
            again.revision = stored.note_revision;
            again.conflict = Some((message, stored.note.label, stored.note.reason));
            StatusCode::CONFLICT
        }
        Err(e) => return Err(e.into()),
    };
    version_page(
        &state,
        Scope::Staff(read),
        &plan,
        &number,
        Some(again),
        status,
    )
    .await
}

/// `GET /staff/plans/{plan}/versions`: every version, drafts included.
async fn versions(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    versions_page(&state, Scope::Staff(granted), &plan).await
}

/// `GET /staff/plans/{plan}/compare?from=1&to=2` (or `to=current`): drafts included.
async fn compare(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(params): Query<HashMap<String, String>>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    compare_page(&state, Scope::Staff(granted), &plan, &params).await
}
