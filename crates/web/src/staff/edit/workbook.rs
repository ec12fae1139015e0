//! A plan's elements in Excel from the browser: the workbook downloaded (one sheet per kind,
//! 「説明」 with the plan's revision), a corrected one uploaded and previewed (each element's
//! changed fields, before → after, and the elements added), then applied as it was shown.
//!
//! - `GET /staff/plans/{plan}/workbook`: the download.
//! - `GET /staff/plans/{plan}/import`: the upload form.
//! - `POST /staff/plans/{plan}/import` (multipart: `csrf`, `file`): the preview; nothing is
//!   stored. The page carries the file back (base64) with the plan's revision it was made at.
//! - `POST /staff/plans/{plan}/import/apply` (`csrf`, `file_name`, `data`, `revision`): reads
//!   the file again and stores it if the plan's revision is still that one; otherwise `409`
//!   with the explanation and the preview against the plan as it is now.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use keikaku_app::AppError;
use keikaku_app::edit::{self, WorkbookPreview, workbook};
use keikaku_domain::PlanId;
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::public::population::attachment;
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::kpi::MAX_SHEET_BYTES;
use crate::staff::session::require_csrf;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `GET /staff/plans/{plan}/workbook`.
pub(super) async fn download(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let bytes = edit::export_workbook(&state.catalog.context(), &granted, &plan_id).await?;
    attachment(
        bytes,
        XLSX,
        &format!("{plan_id}-elements"),
        &format!("{plan_id}_要素一覧.xlsx"),
    )
}

/// One changed field as the preview lists it.
struct ChangeRow {
    element: String,
    place: String,
    what: String,
    old: String,
    new: String,
}

/// One element added.
struct AddedRow {
    kind: &'static str,
    parent: String,
    place: String,
    fields: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "staff/element_import.html")]
struct ImportPage {
    layout: Layout,
    plan_id: String,
    plan_title: String,
    csrf: String,
    /// Whether a preview is shown (else the upload form alone, or the problems).
    previewed: bool,
    rows: usize,
    changes: Vec<ChangeRow>,
    changed_elements: usize,
    added: Vec<AddedRow>,
    not_in_file: usize,
    kept_newer: usize,
    missing_sheets: Vec<String>,
    ignored_sheets: Vec<String>,
    changed_since_file: bool,
    empty: bool,
    errors: Vec<String>,
    stale: Option<String>,
    file_name: String,
    data: String,
    revision: String,
    /// Why the plan cannot be imported into now (not a draft).
    readonly_reason: Option<String>,
}

fn page_of(preview: &WorkbookPreview) -> (Vec<ChangeRow>, Vec<AddedRow>) {
    let mut changes = Vec::new();
    for c in &preview.changed {
        for f in &c.fields {
            changes.push(ChangeRow {
                element: format!("{} {}", workbook::sheet_name(c.kind), c.label),
                place: c.place.clone(),
                what: f.label.to_owned(),
                old: f.before.clone(),
                new: f.after.clone(),
            });
        }
    }
    let added = preview
        .added
        .iter()
        .map(|a| AddedRow {
            kind: workbook::sheet_name(a.kind),
            parent: a.parent.clone(),
            place: a.place.clone(),
            fields: a.fields.clone(),
        })
        .collect();
    (changes, added)
}

/// What the page shows besides the form.
enum Shown<'a> {
    Form,
    Preview {
        preview: &'a WorkbookPreview,
        file_name: &'a str,
        bytes: &'a [u8],
        stale: Option<String>,
    },
    Errors(Vec<String>),
}

async fn import_page(
    state: &AppState,
    plan_id: &PlanId,
    csrf: &str,
    status: StatusCode,
    shown: Shown<'_>,
) -> Result<Response, WebError> {
    let draft = super::load_draft(state, plan_id).await?;
    let plan_title = draft.plan.header().title.clone();
    let back = format!("/staff/plans/{plan_id}");
    let crumbs = [(plan_title.as_str(), back.clone())];
    let mut page = ImportPage {
        layout: staff_layout(state, "要素一覧（Excel）の取り込み", &crumbs).await?,
        plan_id: plan_id.to_string(),
        plan_title: plan_title.clone(),
        csrf: csrf.to_owned(),
        previewed: false,
        rows: 0,
        changes: Vec::new(),
        changed_elements: 0,
        added: Vec::new(),
        not_in_file: 0,
        kept_newer: 0,
        missing_sheets: Vec::new(),
        ignored_sheets: Vec::new(),
        changed_since_file: false,
        empty: true,
        errors: Vec::new(),
        stale: None,
        file_name: String::new(),
        data: String::new(),
        revision: String::new(),
        readonly_reason: {
            let status = draft.plan.header().status;
            (!edit::editable_status(status)).then(|| {
                format!(
                    "この計画は「{}」のため取り込めません。取り込むには、計画の状態を「審議中」または「草案」に戻してください。",
                    status.label()
                )
            })
        },
    };
    match shown {
        Shown::Form => {}
        Shown::Errors(errors) => page.errors = errors,
        Shown::Preview {
            preview,
            file_name,
            bytes,
            stale,
        } => {
            let (changes, added) = page_of(preview);
            page.previewed = true;
            page.rows = preview.rows;
            page.changes = changes;
            page.changed_elements = preview.changed.len();
            page.added = added;
            page.not_in_file = preview.not_in_file;
            page.kept_newer = preview.kept_newer;
            page.missing_sheets.clone_from(&preview.missing_sheets);
            page.ignored_sheets.clone_from(&preview.ignored_sheets);
            page.changed_since_file = preview.changed_since_file();
            page.empty = preview.is_empty();
            page.stale = stale;
            page.file_name = file_name.to_owned();
            page.data = base64::engine::general_purpose::STANDARD.encode(bytes);
            page.revision.clone_from(&preview.revision);
        }
    }
    Ok(private_page(status, page.render()?))
}

fn messages(e: AppError) -> Result<Vec<String>, WebError> {
    match e {
        AppError::Invalid(problems) => Ok(problems
            .into_iter()
            .map(|p| {
                if p.path.is_empty() {
                    p.message
                } else {
                    format!("{}: {}", p.path, p.message)
                }
            })
            .collect()),
        AppError::Conflict(m) => Ok(vec![m]),
        other => Err(other.into()),
    }
}

/// `GET /staff/plans/{plan}/import`: the upload form.
pub(super) async fn import_form(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    import_page(&state, &plan_id, &signed.csrf, StatusCode::OK, Shown::Form).await
}

/// `POST /staff/plans/{plan}/import`: reads the file and shows what it changes.
pub(super) async fn upload(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffUser { signed, granted }: StaffUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    // A body that is no upload carries no CSRF token either: refused as a form without one.
    let Ok(mut multipart) = multipart else {
        return Err(WebError::Forbidden);
    };
    let unreadable = || {
        WebError::BadRequest(
            "送られたファイルを読み取れません（1.4MBまで。それより大きいファイルは keikaku plan import-xlsx で取り込みます）。".to_owned(),
        )
    };
    let mut csrf = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        if csrf.is_none() {
            WebError::Forbidden
        } else {
            unreadable()
        }
    })? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(|_| unreadable())?),
            Some("file") => {
                let name = field.file_name().unwrap_or("elements.xlsx").to_owned();
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                if bytes.len() > MAX_SHEET_BYTES {
                    return Err(unreadable());
                }
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if require_csrf(Some(&signed.csrf), csrf.as_deref()).is_err() {
        return Err(WebError::Forbidden);
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let none = vec!["取り込むファイル（.xlsx）を選んでください。".to_owned()];
        return import_page(
            &state,
            &plan_id,
            &signed.csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            Shown::Errors(none),
        )
        .await;
    };
    let cx = state.catalog.context();
    match edit::preview_workbook(&cx, &granted, &plan_id, &name, &bytes).await {
        Ok(p) => {
            let shown = Shown::Preview {
                preview: &p,
                file_name: &name,
                bytes: &bytes,
                stale: None,
            };
            import_page(&state, &plan_id, &signed.csrf, StatusCode::OK, shown).await
        }
        Err(e) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = messages(e)?;
            import_page(
                &state,
                &plan_id,
                &signed.csrf,
                status,
                Shown::Errors(errors),
            )
            .await
        }
    }
}

/// The apply form: the file as previewed and the plan's revision the preview was made at.
#[derive(Debug, Deserialize)]
pub(crate) struct ApplyForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    data: String,
    #[serde(default)]
    revision: String,
}

impl StaffFields for ApplyForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST /staff/plans/{plan}/import/apply`: stores the file if the plan is still at the
/// revision the preview was made at; else shows why not and the new preview (409).
pub(super) async fn apply(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<ApplyForm>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(form.data.as_bytes())
        .map_err(|_| WebError::BadRequest("取り込むファイルの内容が壊れています。".to_owned()))?;
    let cx = state.catalog.context();
    let result = edit::apply_workbook(
        &cx,
        &granted,
        &plan_id,
        &form.file_name,
        &bytes,
        &form.revision,
        now()?,
    )
    .await;
    match result {
        Ok(applied) => {
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, changed = applied.changed, added = applied.added, "elements workbook imported");
            redirect(&format!("/staff/plans/{plan_id}?done=imported"))
        }
        Err(AppError::Conflict(why)) => {
            // The plan moved since the preview: the preview against the plan as it is now.
            match edit::preview_workbook(&cx, &granted, &plan_id, &form.file_name, &bytes).await {
                Ok(p) => {
                    let shown = Shown::Preview {
                        preview: &p,
                        file_name: &form.file_name,
                        bytes: &bytes,
                        stale: Some(why),
                    };
                    import_page(&state, &plan_id, &signed.csrf, StatusCode::CONFLICT, shown).await
                }
                Err(e) => {
                    let mut errors = vec![why];
                    errors.extend(messages(e)?);
                    let shown = Shown::Errors(errors);
                    import_page(&state, &plan_id, &signed.csrf, StatusCode::CONFLICT, shown).await
                }
            }
        }
        Err(e @ AppError::Invalid(_)) => {
            let errors = messages(e)?;
            import_page(
                &state,
                &plan_id,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                Shown::Errors(errors),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
