//! The entry sheet of a fiscal year (`/staff/plans/{plan}/kpi/{year}`): every indicator the
//! user reaches on one page — 目標値, 実績値, 速報値 / 確定値 and 備考 per row — in one form
//! without script, errors next to their cell, and a conflict that shows the stored value
//! beside what was typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::kpi::{CellInput, EntryError, EntrySheet, entry_sheet, save_entries};
use keikaku_domain::PlanId;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;
use keikaku_domain::kpi::{ValueState, YearlyValue};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::kpi::{kpi_href, outcome_text, parse_year, value_text};
use crate::staff::staff_layout;
use crate::staff::{private_page, redirect};
use crate::views::Layout;

struct EntryRow {
    id: String,
    group: String,
    title: String,
    unit: String,
    department: String,
    target_plan: String,
    target: String,
    actual: String,
    provisional: bool,
    note: String,
    version: String,
    rate: String,
    error: Option<String>,
    /// On a conflict: the value stored now, as a sentence.
    stored: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/kpi_entry.html")]
struct EntryPage {
    layout: Layout,
    plan_title: String,
    year_label: String,
    action: String,
    csrf: String,
    open: bool,
    status: String,
    rows: Vec<EntryRow>,
    departments: Vec<String>,
    department: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    back: String,
    missing: String,
}

/// What was typed, per indicator (from a form that came back).
#[derive(Default)]
struct Typed {
    cells: BTreeMap<String, CellInput>,
    errors: BTreeMap<String, String>,
    stored: Vec<YearlyValue>,
    conflict: Option<String>,
}

fn stored_sentence(v: &YearlyValue, r: &keikaku_app::kpi::IndicatorReport) -> String {
    let show = |d| value_text(r, d);
    format!(
        "保存されている値: 目標値 {}、実績値 {}（{}）、備考「{}」— {}が{}に保存",
        if v.target.is_some() {
            show(v.target)
        } else {
            "なし".to_owned()
        },
        if v.actual.is_some() {
            show(v.actual)
        } else {
            "なし".to_owned()
        },
        v.state.label(),
        v.note,
        v.entered_by,
        crate::clock::jst_label(v.entered_at)
    )
}

#[allow(clippy::too_many_arguments)] // the page's parts, each from the handler
async fn page(
    state: &AppState,
    plan: &PlanId,
    sheet: &EntrySheet,
    csrf: &str,
    status: StatusCode,
    notice: Option<String>,
    typed: &Typed,
) -> Result<Response, WebError> {
    let e = &sheet.evaluation;
    let header = e.plan.header();
    let rows = e
        .indicators
        .iter()
        .map(|r| {
            let id = r.indicator.id.as_str();
            let stored = r.value(sheet.year);
            let current = typed.stored.iter().find(|v| v.indicator.as_str() == id);
            let cell = typed.cells.get(id);
            let shown = |typed: Option<&String>, stored: Option<rust_decimal::Decimal>| {
                typed.cloned().unwrap_or_else(|| {
                    stored
                        .map(|d| format::value(d, None).replace(',', ""))
                        .unwrap_or_default()
                })
            };
            EntryRow {
                id: id.to_owned(),
                group: r.groups.last().map(|g| g.label()).unwrap_or_default(),
                title: r.indicator.title.clone(),
                unit: r.indicator.unit.clone(),
                department: r.department.clone(),
                target_plan: format::year_value_in(
                    &r.indicator.target,
                    &r.indicator.unit,
                    r.indicator.decimals,
                ),
                target: shown(cell.map(|c| &c.target), stored.and_then(|v| v.target)),
                actual: shown(cell.map(|c| &c.actual), stored.and_then(|v| v.actual)),
                provisional: cell.map_or_else(
                    || stored.is_none_or(|v| v.state == ValueState::Provisional),
                    |c| c.state != ValueState::Confirmed.code(),
                ),
                note: cell.map_or_else(
                    || stored.map(|v| v.note.clone()).unwrap_or_default(),
                    |c| c.note.clone(),
                ),
                // After a conflict the form carries the versions stored now: saving again is
                // a deliberate choice made with both values in view.
                version: if typed.conflict.is_some() {
                    current.map(|v| v.version.to_string()).unwrap_or_default()
                } else {
                    cell.map_or_else(
                        || stored.map(|v| v.version.to_string()).unwrap_or_default(),
                        |c| c.version.clone(),
                    )
                },
                rate: r
                    .year(sheet.year)
                    .map(|y| outcome_text(&y.outcome))
                    .unwrap_or_default(),
                error: typed.errors.get(id).cloned(),
                stored: if typed.conflict.is_some() {
                    Some(current.map_or_else(
                        || "保存されている値: なし（ほかの人が削除しました）".to_owned(),
                        |v| stored_sentence(v, r),
                    ))
                } else {
                    None
                },
            }
        })
        .collect();
    let year_label = format::fiscal_year(sheet.year);
    let page = EntryPage {
        layout: staff_layout(
            state,
            &format!("{year_label}の実績入力"),
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&header.title, format!("/staff/plans/{plan}")),
                ("KPI評価", kpi_href(plan)),
            ],
        )
        .await?,
        plan_title: header.title.clone(),
        year_label,
        action: format!("/staff/plans/{plan}/kpi/{}", sheet.year.year()),
        csrf: csrf.to_owned(),
        open: sheet.open,
        status: header.status.label().to_owned(),
        rows,
        departments: sheet.departments.clone(),
        department: sheet.department.clone().unwrap_or_default(),
        notice,
        errors: typed
            .errors
            .iter()
            .map(|(id, m)| (format!("cell-{id}"), m.clone()))
            .collect(),
        conflict: typed.conflict.clone(),
        back: kpi_href(plan),
        missing: e.settings.missing_label.clone(),
    };
    Ok(private_page(status, page.render()?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct EntryQuery {
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /staff/plans/{plan}/kpi/{year}`.
pub(super) async fn entry_page(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    Query(query): Query<EntryQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let year = parse_year(&year)?;
    let sheet = entry_sheet(
        &state.catalog.context(),
        &granted,
        &plan,
        year,
        query.department.as_deref(),
    )
    .await?;
    let notice = query.saved.and_then(|n| n.parse::<usize>().ok()).map(|n| {
        if n == 0 {
            "変更はありませんでした。".to_owned()
        } else {
            format!("{n}件の指標の値を保存しました。")
        }
    });
    page(
        &state,
        &plan,
        &sheet,
        &signed.csrf,
        StatusCode::OK,
        notice,
        &Typed::default(),
    )
    .await
}

/// The posted sheet: `csrf`, `department`, and per indicator `target.{id}`, `actual.{id}`,
/// `state.{id}`, `note.{id}`, `version.{id}`.
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(crate) struct Posted {
    csrf: Option<String>,
    department: String,
    cells: BTreeMap<String, CellInput>,
}

impl From<Vec<(String, String)>> for Posted {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut posted = Self {
            csrf: None,
            department: String::new(),
            cells: BTreeMap::new(),
        };
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => posted.csrf = Some(value),
                "department" => posted.department = value,
                _ => {
                    let Some((field, id)) = name.split_once('.') else {
                        continue;
                    };
                    let cell = posted
                        .cells
                        .entry(id.to_owned())
                        .or_insert_with(|| CellInput {
                            indicator: id.to_owned(),
                            ..CellInput::default()
                        });
                    match field {
                        "target" => cell.target = value,
                        "actual" => cell.actual = value,
                        "state" => cell.state = value,
                        "note" => cell.note = value,
                        "version" => cell.version = value,
                        _ => {}
                    }
                }
            }
        }
        posted
    }
}

impl StaffFields for Posted {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST /staff/plans/{plan}/kpi/{year}`: saves the sheet, all or nothing.
pub(super) async fn entry_save(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let year: FiscalYear = parse_year(&year)?;
    let cx = state.catalog.context();
    let department = Some(form.department.as_str()).filter(|d| !d.trim().is_empty());
    let inputs: Vec<CellInput> = form.cells.values().cloned().collect();
    let result = save_entries(&cx, &granted, &plan, year, &inputs, now()?).await;
    let (status, typed) = match result {
        Ok(saved) => {
            let changed = saved
                .iter()
                .filter(|v| {
                    form.cells
                        .get(v.indicator.as_str())
                        .is_none_or(|c| c.version.trim() != v.version.to_string())
                })
                .count();
            let mut location = format!("/staff/plans/{plan}/kpi/{}?saved={changed}", year.year());
            if let Some(d) = department {
                location.push_str("&department=");
                location.push_str(
                    &percent_encoding::utf8_percent_encode(d, percent_encoding::NON_ALPHANUMERIC)
                        .to_string(),
                );
            }
            return redirect(&location);
        }
        Err(EntryError::Invalid(problems)) => {
            let mut errors = BTreeMap::new();
            for p in problems {
                let id = p.path.split_once('.').map_or(p.path.as_str(), |(id, _)| id);
                errors
                    .entry(id.to_owned())
                    .and_modify(|m: &mut String| {
                        m.push('　');
                        m.push_str(&p.message);
                    })
                    .or_insert(p.message);
            }
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Typed {
                    cells: form.cells,
                    errors,
                    ..Typed::default()
                },
            )
        }
        Err(EntryError::Conflict { message, current }) => (
            StatusCode::CONFLICT,
            Typed {
                cells: form.cells,
                stored: current,
                conflict: Some(message),
                ..Typed::default()
            },
        ),
        Err(EntryError::App(e)) => return Err(e.into()),
    };
    let sheet = entry_sheet(&cx, &granted, &plan, year, department).await?;
    page(&state, &plan, &sheet, &signed.csrf, status, None, &typed).await
}
