//! The KPI評価シート in the browser: downloaded as XLSX or CSV (UTF-8 with BOM, or Shift_JIS
//! for Excel on Japanese Windows), and a department's filled-in sheet uploaded, previewed
//! (old → new per cell) and then stored.
//!
//! - `GET /staff/plans/{plan}/kpi/sheet?format=xlsx|csv|csv-sjis&until=FY`: the download.
//! - `POST /staff/plans/{plan}/kpi/import` (multipart: `csrf`, `file`): the preview; nothing is
//!   stored. The page carries the sheet back (base64) with the fingerprint of the changes shown.
//! - `POST /staff/plans/{plan}/kpi/import/apply` (`csrf`, `file_name`, `data`, `fingerprint`):
//!   reads the sheet again and stores it if — and only if — it still makes the changes shown.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use keikaku_app::AppError;
use keikaku_app::kpi::sheets::{self, CellChange, Preview, SheetFormat};
use keikaku_domain::{PlanId, format};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::kpi::{kpi_href, parse_year};
use crate::staff::session::require_csrf;
use crate::staff::staff_layout;
use crate::staff::{private_page, redirect};
use crate::views::Layout;

/// Largest sheet accepted for upload (bytes): the preview page carries the sheet back in
/// base64 (4/3 the size), within the 2 MB a request body may have. A larger sheet goes in
/// through `keikaku kpi import`.
pub(crate) const MAX_SHEET_BYTES: usize = 1_400_000;

#[derive(Debug, Deserialize)]
pub(crate) struct SheetQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    until: Option<String>,
}

/// `GET /staff/plans/{plan}/kpi/sheet`: the evaluation sheet as a file.
pub(super) async fn download(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(query): Query<SheetQuery>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let (form, extension, mime) = match query.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => (
            SheetFormat::Xlsx,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "csv" => (SheetFormat::Csv, "csv", "text/csv; charset=utf-8"),
        "csv-sjis" => (
            SheetFormat::CsvShiftJis,
            "csv",
            "text/csv; charset=Shift_JIS",
        ),
        other => {
            return Err(WebError::BadRequest(format!(
                "形式「{other}」は選べません（xlsx、csv、csv-sjis のいずれかです）。"
            )));
        }
    };
    let until = query
        .until
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(parse_year)
        .transpose()?;
    let bytes = sheets::export(&state.catalog.context(), &granted, &plan, until, form).await?;
    let name = format!("KPI評価シート_{plan}.{extension}");
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"kpi-{plan}.{extension}\"; filename*=UTF-8''{encoded}"
        ))
        .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

struct ChangeRow {
    cell: String,
    title: String,
    year: String,
    column: &'static str,
    old: String,
    new: String,
}

#[derive(Template)]
#[template(path = "staff/kpi_import.html")]
struct ImportPage {
    layout: Layout,
    plan_title: String,
    csrf: String,
    apply: String,
    back: String,
    sheet: String,
    key_column: String,
    rows: usize,
    changes: Vec<ChangeRow>,
    errors: Vec<String>,
    file_name: String,
    data: String,
    fingerprint: String,
}

/// The changes a preview shows, as one hash: what is applied must be what was shown.
fn fingerprint(changes: &[CellChange]) -> String {
    let mut h = Sha256::new();
    for c in changes {
        h.update(format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1e}",
            c.indicator,
            c.year.year(),
            c.column,
            c.old,
            c.new
        ));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn import_page(
    state: &AppState,
    plan: &PlanId,
    csrf: &str,
    status: StatusCode,
    file_name: &str,
    bytes: &[u8],
    preview: Result<&Preview, Vec<String>>,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let stored = cx
        .store
        .plan(cx.municipality, plan)
        .await
        .map_err(AppError::from)?
        .ok_or(WebError::NotFound(None))?;
    let (sheet, key_column, rows, changes, fp, errors) = match preview {
        Ok(p) => (
            p.sheet.clone(),
            p.key_column.to_owned(),
            p.rows,
            p.changes
                .iter()
                .map(|c| ChangeRow {
                    cell: c.cell.clone(),
                    title: c.title.clone(),
                    year: format::fiscal_year(c.year),
                    column: c.column,
                    old: c
                        .old
                        .map_or_else(|| "（なし）".to_owned(), |v| format::value(v, None)),
                    new: format::value(c.new, None),
                })
                .collect(),
            fingerprint(&p.changes),
            Vec::new(),
        ),
        Err(errors) => (
            String::new(),
            String::new(),
            0,
            Vec::new(),
            String::new(),
            errors,
        ),
    };
    let page = ImportPage {
        layout: staff_layout(
            state,
            "KPI評価シートの取り込み",
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&stored.header().title, format!("/staff/plans/{plan}")),
                ("KPI評価", kpi_href(plan)),
            ],
        )
        .await?,
        plan_title: stored.header().title.clone(),
        csrf: csrf.to_owned(),
        apply: format!("/staff/plans/{plan}/kpi/import/apply"),
        back: kpi_href(plan),
        sheet,
        key_column,
        rows,
        changes,
        errors,
        file_name: file_name.to_owned(),
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
        fingerprint: fp,
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
        AppError::Forbidden(m) => Ok(vec![m]),
        other => Err(other.into()),
    }
}

/// `POST /staff/plans/{plan}/kpi/import`: reads the uploaded sheet and shows what it changes.
pub(super) async fn upload(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffUser { signed, granted }: StaffUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    // A body that is no upload carries no CSRF token either: refused as a form without one.
    let Ok(mut multipart) = multipart else {
        return Err(WebError::Forbidden);
    };
    let unreadable = || {
        WebError::BadRequest(
            "送られたファイルを読み取れません（1.4MBまで。それより大きいシートは keikaku kpi import で取り込みます）。"
                .to_owned(),
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
    let (name, bytes) = match file {
        Some((n, b)) if !b.is_empty() => (n, b),
        _ => {
            return import_page(
                &state,
                &plan,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                "",
                &[],
                Err(vec![
                    "取り込むファイル（.xlsx または .csv）を選んでください。".to_owned(),
                ]),
            )
            .await;
        }
    };
    let cx = state.catalog.context();
    match sheets::preview(&cx, &granted, &plan, &name, &bytes).await {
        Ok(p) => {
            import_page(
                &state,
                &plan,
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
                &plan,
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

/// The apply form: the sheet as previewed and the fingerprint of the changes shown.
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

/// `POST /staff/plans/{plan}/kpi/import/apply`: stores the sheet if it still makes exactly the
/// changes shown; else shows the new preview (409).
pub(super) async fn apply(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<ApplyForm>,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(form.data.as_bytes())
        .map_err(|_| WebError::BadRequest("取り込むシートの内容が壊れています。".to_owned()))?;
    let cx = state.catalog.context();
    let importer = &granted;
    let preview = match sheets::preview(&cx, importer, &plan, &form.file_name, &bytes).await {
        Ok(p) => p,
        Err(e) => {
            let errors = messages(e)?;
            return import_page(
                &state,
                &plan,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.file_name,
                &[],
                Err(errors),
            )
            .await;
        }
    };
    if fingerprint(&preview.changes) != form.fingerprint {
        return import_page(
            &state,
            &plan,
            &signed.csrf,
            StatusCode::CONFLICT,
            &form.file_name,
            &bytes,
            Ok(&preview),
        )
        .await;
    }
    match sheets::apply(&cx, importer, &plan, &preview, now()?).await {
        Ok(n) => redirect(&format!("{}?imported={n}", kpi_href(&plan))),
        Err(AppError::Conflict(_)) => {
            let again = sheets::preview(&cx, importer, &plan, &form.file_name, &bytes).await?;
            import_page(
                &state,
                &plan,
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
