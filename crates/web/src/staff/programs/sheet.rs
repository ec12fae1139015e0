//! The 事業一覧 in the browser: downloaded (the whole edition, or one department's sheet for the
//! next round) as XLSX, CSV or JSON, and a filled-in sheet uploaded, previewed (programs
//! added, removed and changed, with every changed value) and then applied as it was shown.
//!
//! - `GET …/{year}/sheet?format=xlsx|csv|csv-sjis|json&department=`: the download.
//! - `POST …/{year}/import` (multipart: `csrf`, `file`): the preview; nothing is stored. The
//!   page carries the file back (base64) with the fingerprint of the changes shown.
//! - `POST …/{year}/import/apply` (`csrf`, `file_name`, `data`, `fingerprint`): reads the file
//!   again and stores it if — and only if — it still makes the changes shown.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use keikaku_app::AppError;
use keikaku_app::access::Granted;
use keikaku_app::programs::{ImportPreview, apply_import, edition, preview_import};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;
use keikaku_domain::program::Amount;
use serde::Deserialize;

use super::{edition_href, trail, year_of};
use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::public::programs::{file_response, format_of};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::kpi::MAX_SHEET_BYTES;
use crate::staff::session::require_csrf;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

#[derive(Debug, Deserialize)]
pub(crate) struct SheetQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    department: Option<String>,
}

/// `GET /staff/implementation-plans/{year}/sheet`.
pub(super) async fn download(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    Query(query): Query<SheetQuery>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let format = format_of(query.format.as_deref())?;
    let department = query
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let site = state.catalog.site().await?;
    let view = edition(&state.catalog.context(), &granted, made_in).await?;
    let bytes =
        crate::public::programs::export_file(&view, &site.municipality.name, department, format)?;
    file_response(bytes, format, made_in, department)
}

/// A changed value as the preview lists it.
struct ChangeRow {
    program: String,
    what: String,
    old: String,
    new: String,
}

#[derive(Template)]
#[template(path = "staff/program_import.html")]
struct ImportPage {
    layout: Layout,
    edition_title: String,
    csrf: String,
    apply: String,
    back: String,
    sheet: String,
    rows: usize,
    added: Vec<String>,
    removed: Vec<String>,
    changes: Vec<ChangeRow>,
    empty: bool,
    errors: Vec<String>,
    stale: bool,
    file_name: String,
    data: String,
    fingerprint: String,
}

fn changes(p: &ImportPreview) -> Vec<ChangeRow> {
    let mut out = Vec::new();
    for c in &p.changed {
        let program = format!("{} {}", c.code, c.name);
        if let Some((old, new)) = c.category {
            out.push(ChangeRow {
                program: program.clone(),
                what: "事業区分".to_owned(),
                old: old.label().to_owned(),
                new: new.label().to_owned(),
            });
        }
        for (label, old, new) in &c.fields {
            out.push(ChangeRow {
                program: program.clone(),
                what: (*label).to_owned(),
                old: old.clone(),
                new: new.clone(),
            });
        }
        for a in &c.amounts {
            let label = match a.amount {
                Amount::Cost => "事業費",
                Amount::Part(part) => part.label(),
            };
            let t = |y: Option<keikaku_domain::program::Yen>| {
                y.map_or_else(|| "（なし）".to_owned(), |y| y.thousands_text())
            };
            out.push(ChangeRow {
                program: program.clone(),
                what: format!("{}の{label}", format::fiscal_year(a.fiscal_year)),
                old: t(a.old),
                new: t(a.new),
            });
        }
        for (y, old, new) in &c.activity_targets {
            let t = |d: &Option<rust_decimal::Decimal>| {
                d.map_or_else(|| "（なし）".to_owned(), |d| format::value(d, None))
            };
            out.push(ChangeRow {
                program: program.clone(),
                what: format!("{}の活動指標の目標値", format::fiscal_year(*y)),
                old: t(old),
                new: t(new),
            });
        }
    }
    out
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn import_page(
    state: &AppState,
    granted: &Granted,
    made_in: FiscalYear,
    csrf: &str,
    status: StatusCode,
    file_name: &str,
    bytes: &[u8],
    preview: Result<&ImportPreview, Vec<String>>,
) -> Result<Response, WebError> {
    let view = edition(&state.catalog.context(), granted, made_in).await?;
    let edition_title = view.title();
    let mut crumbs = trail();
    crumbs.push((edition_title.as_str(), edition_href(made_in)));
    let (sheet, rows, added, removed, changed, empty, fingerprint, errors) = match preview {
        Ok(p) => (
            p.sheet.clone(),
            p.rows,
            p.added
                .iter()
                .map(|a| format!("{} {}（{}）", a.code, a.name, a.department))
                .collect(),
            p.removed
                .iter()
                .map(|a| format!("{} {}（{}）", a.code, a.name, a.department))
                .collect(),
            changes(p),
            p.is_empty(),
            p.fingerprint(),
            Vec::new(),
        ),
        Err(errors) => (
            String::new(),
            0,
            Vec::new(),
            Vec::new(),
            Vec::new(),
            true,
            String::new(),
            errors,
        ),
    };
    let page = ImportPage {
        layout: staff_layout(state, "事業一覧の取り込み", &crumbs).await?,
        csrf: csrf.to_owned(),
        apply: format!("{}/import/apply", edition_href(made_in)),
        back: edition_href(made_in),
        sheet,
        rows,
        added,
        removed,
        changes: changed,
        empty,
        errors,
        stale: status == StatusCode::CONFLICT,
        file_name: file_name.to_owned(),
        data: if fingerprint.is_empty() {
            String::new()
        } else {
            base64::engine::general_purpose::STANDARD.encode(bytes)
        },
        fingerprint,
        edition_title,
    };
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
        AppError::Forbidden(m) | AppError::Conflict(m) | AppError::NotFound(m) => Ok(vec![m]),
        other => Err(other.into()),
    }
}

/// `POST /staff/implementation-plans/{year}/import`: reads the file and shows what it changes.
pub(super) async fn upload(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffUser { signed, granted }: StaffUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    // A body that is no upload carries no CSRF token either: refused as a form without one.
    let Ok(mut multipart) = multipart else {
        return Err(WebError::Forbidden);
    };
    let unreadable = || {
        WebError::BadRequest(
            "送られたファイルを読み取れません（1.4MBまで。それより大きいファイルは keikaku implementation-plan import で取り込みます）。".to_owned(),
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
                let name = field.file_name().unwrap_or("sheet.xlsx").to_owned();
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
        let none =
            vec!["取り込むファイル（.xlsx、.csv または .json）を選んでください。".to_owned()];
        return import_page(
            &state,
            &granted,
            made_in,
            &signed.csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            &[],
            Err(none),
        )
        .await;
    };
    let cx = state.catalog.context();
    match preview_import(&cx, &granted, Some(made_in), &name, &bytes).await {
        Ok(p) => {
            import_page(
                &state,
                &granted,
                made_in,
                &signed.csrf,
                StatusCode::OK,
                &name,
                &bytes,
                Ok(&p),
            )
            .await
        }
        Err(e) => {
            let errors = messages(e)?;
            import_page(
                &state,
                &granted,
                made_in,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                &name,
                &[],
                Err(errors),
            )
            .await
        }
    }
}

/// The apply form: the file as previewed and the fingerprint of the changes shown.
#[derive(Debug, Deserialize)]
pub(crate) struct ApplyForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    data: String,
    #[serde(default)]
    fingerprint: String,
}

impl StaffFields for ApplyForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST /staff/implementation-plans/{year}/import/apply`: stores the file if it still makes
/// exactly the changes shown; else shows the new preview (409).
pub(super) async fn apply(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<ApplyForm>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(form.data.as_bytes())
        .map_err(|_| WebError::BadRequest("取り込むファイルの内容が壊れています。".to_owned()))?;
    let cx = state.catalog.context();
    let preview = match preview_import(&cx, &granted, Some(made_in), &form.file_name, &bytes).await
    {
        Ok(p) => p,
        Err(e) => {
            let errors = messages(e)?;
            return import_page(
                &state,
                &granted,
                made_in,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.file_name,
                &[],
                Err(errors),
            )
            .await;
        }
    };
    if preview.fingerprint() != form.fingerprint {
        return import_page(
            &state,
            &granted,
            made_in,
            &signed.csrf,
            StatusCode::CONFLICT,
            &form.file_name,
            &bytes,
            Ok(&preview),
        )
        .await;
    }
    match apply_import(&cx, &granted, &preview, now()?).await {
        Ok(_) => redirect(&format!("{}?done=imported", edition_href(made_in))),
        Err(AppError::Conflict(_)) => {
            let again =
                preview_import(&cx, &granted, Some(made_in), &form.file_name, &bytes).await?;
            import_page(
                &state,
                &granted,
                made_in,
                &signed.csrf,
                StatusCode::CONFLICT,
                &form.file_name,
                &bytes,
                Ok(&again),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
