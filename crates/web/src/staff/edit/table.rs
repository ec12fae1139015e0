//! The table view of a plan's elements of one kind (`GET /staff/plans/{plan}/table?kind=kpi`):
//! one row per element with its number, title, 所管課 and main values, filtered by department,
//! and one row at a time edited in place (`?edit=ID`) without JavaScript — the row's inputs
//! belong to a form in its last cell (the `form` attribute), which carries the element's
//! version and posts to `POST /staff/plans/{plan}/table/{id}`. That save is the element
//! form's: the row's fields over the stored ones, through `edit::update_element`, so checks,
//! conflicts (the element form with what was typed next to what is stored), the audit entry
//! and the warnings are the same. Problems answer `422` with the table again, the row still
//! in edit mode and each message at its cell.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::auth::Signed;
use keikaku_app::edit::{self, Draft, Element};
use keikaku_app::forms::{self, FieldSpec, Input};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::{ElementField, ElementKind, PlanId, format};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::edit::save::{Posted, Saving, refused};
use crate::staff::edit::{element_href, load_draft};
use crate::staff::extract::{StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

/// Whether a field is a column of the table: the short values a clerk checks side by side.
/// Long texts, lists by year and the finer points of an indicator stay in the element form.
/// Exhaustive, so that a new field is placed deliberately.
pub(crate) fn in_table(field: ElementField) -> bool {
    use ElementField as F;
    match field {
        F::Number
        | F::Title
        | F::Department
        | F::StartYear
        | F::EndYear
        | F::Unit
        | F::Direction
        | F::BaselineValue
        | F::BaselineYear
        | F::TargetValue
        | F::TargetYear
        | F::Code => true,
        F::Description
        | F::Goal
        | F::CurrentState
        | F::CourseOfAction
        | F::CitizenParticipation
        | F::IndicatorType
        | F::CalculationMethod
        | F::DataSource
        | F::Decimals
        | F::InterimTargets
        | F::Tolerance
        | F::CumulativeEntry
        | F::Acquisition
        | F::LagYears
        | F::DefinitionChanges
        | F::Sample => false,
    }
}

/// The columns' order: the number (or an indicator's code) first, the title, the values in
/// the form's order, the 所管課 last.
fn column_rank(field: ElementField) -> u8 {
    match field {
        ElementField::Number | ElementField::Code => 0,
        ElementField::Title => 1,
        ElementField::Department => 3,
        _ => 2,
    }
}

/// The columns of a kind's table.
fn columns(kind: ElementKind) -> Vec<FieldSpec> {
    let mut specs: Vec<FieldSpec> = forms::fields(kind)
        .into_iter()
        .filter(|s| matches!(s.field, forms::FormField::Element(f) if in_table(f)))
        .collect();
    specs.sort_by_key(|s| match s.field {
        forms::FormField::Element(f) => column_rank(f),
        forms::FormField::Header(_) => 2,
    });
    specs
}

/// A kind's name in the table's links and caption; the two まちづくりの進め方 told apart.
pub(crate) fn table_label(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::VisionApproach => "まちづくりの進め方（基本構想）",
        ElementKind::PlanApproach => "まちづくりの進め方（基本計画）",
        other => other.label(),
    }
}

/// The kinds a plan has elements of, with their number, in the order a plan presents them.
pub(crate) fn kinds_present(draft: &Draft) -> Vec<(ElementKind, usize)> {
    ElementKind::ALL
        .into_iter()
        .filter(|k| k.plan_kind() == draft.plan.kind())
        .map(|k| (k, draft.elements.iter().filter(|e| e.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The 所管課 that answers for an element: its own, else the nearest parent's.
fn effective_department(draft: &Draft, element: &Element) -> String {
    let mut at = Some(element);
    while let Some(e) = at {
        if let Some(d) = e.department.as_deref().map(str::trim)
            && !d.is_empty()
        {
            return d.to_owned();
        }
        at = e.parent_id.as_deref().and_then(|p| draft.element(p));
    }
    String::new()
}

/// A stored value as the table shows it: years in 和暦 with the Western year, numbers with
/// separators, choices by their label.
fn shown(spec: &FieldSpec, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    match spec.input {
        Input::Year => value
            .parse()
            .ok()
            .and_then(|y| FiscalYear::new(y).ok())
            .map_or_else(|| value.to_owned(), format::fiscal_year),
        Input::Decimal => format::group_digits(value),
        Input::Choice(choices) => choices
            .iter()
            .find(|(c, _)| *c == value)
            .map_or(value, |(_, l)| l)
            .to_owned(),
        _ => value.to_owned(),
    }
}

/// One cell of a row.
struct Cell {
    name: &'static str,
    label: &'static str,
    /// The value as read (display mode).
    shown: String,
    /// The value in the input (edit mode).
    value: String,
    /// `line` or `select`.
    control: &'static str,
    options: Vec<(String, String)>,
    /// Shown, not edited (a department editor's 所管課 and code).
    readonly: bool,
    numeric: bool,
    error: Option<String>,
}

/// One row: an element.
struct Row {
    id: String,
    /// 「KPI「企業立地件数」」, for the inputs' labels.
    name: String,
    /// The parent as 「1-1 農業の振興」.
    place: String,
    sample: bool,
    /// The inherited 所管課, when the element has none of its own.
    inherited: String,
    href: String,
    /// `?edit=ID` for this row, when the user may edit it.
    edit_href: Option<String>,
    editing: bool,
    version: u32,
    cells: Vec<Cell>,
    warnings: Vec<String>,
    /// Problems of the row's save not shown at a cell.
    row_errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff/element_table.html")]
struct TablePage {
    layout: Layout,
    plan_id: String,
    plan_title: String,
    kind_code: &'static str,
    kind_label: &'static str,
    caption: String,
    /// Every kind of the plan: code, label, count, whether shown now.
    kinds: Vec<(&'static str, &'static str, usize, bool)>,
    /// The departments to filter by: name, selected.
    departments: Vec<(String, bool)>,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    csrf: String,
    /// Where the row being edited posts.
    action: String,
    /// The table's own URL with the filter (to leave edit mode).
    here: String,
    notice: Option<String>,
    /// Warnings of the row just saved.
    warnings: Vec<String>,
    errors: Vec<(String, String)>,
    readonly_reason: Option<String>,
}

/// `?kind=…&department=…&edit=…&saved=…`.
#[derive(Deserialize, Default)]
pub(crate) struct TableQuery {
    kind: Option<String>,
    department: Option<String>,
    edit: Option<String>,
    saved: Option<String>,
}

/// The table's URL for a kind and a department filter.
fn table_href(plan: &PlanId, kind: ElementKind, department: &str) -> String {
    let mut href = format!("/staff/plans/{plan}/table?kind={}", kind.code());
    if !department.is_empty() {
        href.push_str("&department=");
        href.push_str(&urlencoding(department));
    }
    href
}

fn urlencoding(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A row being edited again after a refused save: what was typed and the problems by field.
struct Refused<'a> {
    id: &'a str,
    values: &'a BTreeMap<String, String>,
    version: u32,
    problems: Vec<(String, String)>,
}

/// What the page shows besides the table itself.
struct Show<'a> {
    kind: ElementKind,
    department: &'a str,
    edit: Option<&'a str>,
    saved: Option<&'a str>,
    refused: Option<Refused<'a>>,
}

#[allow(clippy::too_many_lines)] // one page model, row by row
async fn page(
    state: &AppState,
    signed: &Signed,
    draft: &Draft,
    show: Show<'_>,
) -> Result<TablePage, WebError> {
    let plan_id = draft.plan.id();
    let plan_title = draft.plan.header().title.clone();
    let status = draft.plan.header().status;
    let editable = edit::editable_status(status);
    let everything = edit::edits_everything(&signed.user);
    let kind = show.kind;
    let specs = columns(kind);
    let all: Vec<&Element> = draft.elements.iter().filter(|e| e.kind == kind).collect();
    let mut departments: Vec<String> = all
        .iter()
        .map(|e| effective_department(draft, e))
        .filter(|d| !d.is_empty())
        .collect();
    departments.sort();
    departments.dedup();
    let editing_id = show.refused.as_ref().map(|r| r.id).or(show.edit);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for element in all {
        let department = effective_department(draft, element);
        if !show.department.is_empty() && department != show.department {
            continue;
        }
        let may = editable && edit::may_edit(&signed.user, element);
        let editing = may && editing_id == Some(element.id.as_str());
        let stored = draft.values(&element.id);
        let refused = show
            .refused
            .as_ref()
            .filter(|r| editing && r.id == element.id);
        let values = refused.map_or(&stored, |r| r.values);
        let mut cells: Vec<Cell> = specs
            .iter()
            .map(|s| {
                let value = values.get(s.name).cloned().unwrap_or_default();
                let (control, options) = match s.input {
                    Input::Choice(choices) => (
                        "select",
                        choices
                            .iter()
                            .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                            .collect(),
                    ),
                    _ => ("line", Vec::new()),
                };
                Cell {
                    name: s.name,
                    label: s.label,
                    shown: shown(s, stored.get(s.name).map_or("", String::as_str)),
                    value,
                    control,
                    options,
                    readonly: !everything && s.decided_by_planning_office(),
                    numeric: matches!(s.input, Input::Decimal),
                    error: None,
                }
            })
            .collect();
        let mut row_errors = Vec::new();
        if let Some(r) = refused {
            for (path, message) in &r.problems {
                match cells.iter_mut().find(|c| c.name == path && !c.readonly) {
                    Some(c) => {
                        let line = if message.contains(c.label) {
                            message.clone()
                        } else {
                            format!("{}: {message}", c.label)
                        };
                        c.error = Some(message.clone());
                        errors.push((format!("cell-{path}"), line));
                    }
                    None => {
                        row_errors.push(message.clone());
                        errors.push((format!("row-{}", element.id), message.clone()));
                    }
                }
            }
        }
        let title = if element.title.is_empty() {
            element.id.clone()
        } else {
            element.title.clone()
        };
        rows.push(Row {
            name: format!("{}「{title}」", kind.label()),
            place: element
                .parent_id
                .as_deref()
                .and_then(|p| draft.element(p))
                .map(|p| format!("{} {}", p.number, p.title).trim().to_owned())
                .unwrap_or_default(),
            sample: stored.get("sample").is_some_and(|v| v == forms::FLAG_YES),
            inherited: if element
                .department
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
            {
                department
            } else {
                String::new()
            },
            href: element_href(plan_id, &element.id),
            edit_href: may.then(|| {
                format!(
                    "{}&edit={id}#row-{id}",
                    table_href(plan_id, kind, show.department),
                    id = element.id
                )
            }),
            editing,
            version: refused.map_or_else(|| draft.version(&element.id), |r| r.version),
            cells,
            warnings: draft
                .warnings(&element.id)
                .into_iter()
                .map(|w| w.message)
                .collect(),
            row_errors,
            id: element.id.clone(),
        });
    }
    let saved = show.saved.and_then(|id| draft.element(id));
    let notice = saved.map(|e| format!("{}「{}」を保存しました。", e.kind.label(), e.title));
    let warnings = saved
        .map(|e| draft.warnings(&e.id))
        .map_or_else(Vec::new, |w| w.into_iter().map(|w| w.message).collect());
    let here = table_href(plan_id, kind, show.department);
    let action = match rows.iter().find(|r| r.editing).map(|r| r.id.as_str()) {
        Some(id) => {
            // Ids are plain (lower-case letters, digits, 「-」「_」): safe in a path.
            let mut a = format!("/staff/plans/{plan_id}/table/{id}");
            if !show.department.is_empty() {
                a.push_str("?department=");
                a.push_str(&urlencoding(show.department));
            }
            a
        }
        None => String::new(),
    };
    let label = table_label(kind);
    let caption = format!(
        "{label}の一覧（{}件{}）",
        rows.len(),
        if show.department.is_empty() {
            String::new()
        } else {
            format!("、所管課: {}", show.department)
        }
    );
    let title = format!("{plan_title}：{label}の一覧");
    Ok(TablePage {
        layout: staff_layout(state, &title, &[]).await?,
        plan_id: plan_id.to_string(),
        plan_title,
        kind_code: kind.code(),
        kind_label: label,
        caption,
        kinds: kinds_present(draft)
            .into_iter()
            .map(|(k, n)| (k.code(), table_label(k), n, k == kind))
            .collect(),
        departments: departments
            .into_iter()
            .map(|d| {
                let selected = d == show.department;
                (d, selected)
            })
            .collect(),
        headers: specs.iter().map(|s| s.label).collect(),
        rows,
        csrf: signed.csrf.clone(),
        action,
        here,
        notice,
        warnings,
        errors,
        readonly_reason: (!editable).then(|| {
            format!(
                "この計画は「{}」のため編集できません。編集するには、計画の状態を「審議中」または「草案」に戻してください。",
                status.label()
            )
        }),
    })
}

/// The kind a table shows: the one asked for, else the plan's first kind.
fn kind_of(draft: &Draft, asked: Option<&str>) -> Result<ElementKind, WebError> {
    match asked.filter(|k| !k.is_empty()) {
        None => kinds_present(draft)
            .first()
            .map(|(k, _)| *k)
            .ok_or_else(|| WebError::NotFound(Some("この計画には要素がありません。".to_owned()))),
        Some(code) => ElementKind::from_code(code)
            .filter(|k| k.plan_kind() == draft.plan.kind())
            .ok_or_else(|| {
                WebError::NotFound(Some(format!(
                    "計画「{}」には、種類「{code}」の要素はありません。",
                    draft.plan.header().title
                )))
            }),
    }
}

/// `GET /staff/plans/{plan}/table?kind=…&department=…&edit=…`.
pub(super) async fn table_page(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(q): Query<TableQuery>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let kind = kind_of(&draft, q.kind.as_deref())?;
    let department = q.department.unwrap_or_default();
    let page = page(
        &state,
        &signed,
        &draft,
        Show {
            kind,
            department: department.trim(),
            edit: q.edit.as_deref(),
            saved: q.saved.as_deref(),
            refused: None,
        },
    )
    .await?;
    Ok(private_page(StatusCode::OK, page.render()?))
}

/// `?department=…` of a row's save: the filter to return to.
#[derive(Deserialize, Default)]
pub(crate) struct ReturnQuery {
    department: Option<String>,
}

/// `POST /staff/plans/{plan}/table/{id}`: saves one row — the element's save with the row's
/// fields over the stored ones.
pub(super) async fn row_save(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    Query(back): Query<ReturnQuery>,
    StaffForm {
        signed,
        granted,
        form: mut posted,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let department = back.department.unwrap_or_default();
    // The fields the row does not show are sent as stored: the row changes only its own.
    // A stale row is a conflict all the same (the version is checked first), and its
    // conflict page then differs only where the row was typed in.
    for (name, value) in draft.values(&id) {
        posted.submission.values.entry(name).or_insert(value);
    }
    let result = match posted.versioned() {
        Ok(submission) => {
            edit::update_element(
                &state.catalog.context(),
                &granted,
                &plan_id,
                &id,
                submission,
                now()?,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let kind = draft.element(&id).map(|e| e.kind);
    match (result, kind) {
        (Ok(_), Some(kind)) => {
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, element = %id, "table row saved");
            redirect(&format!(
                "{}&saved={id}#row-{id}",
                table_href(&plan_id, kind, department.trim())
            ))
        }
        (Err(AppError::Invalid(problems)), Some(kind)) => {
            let draft = load_draft(&state, &plan_id).await?;
            let page = page(
                &state,
                &signed,
                &draft,
                Show {
                    kind,
                    department: department.trim(),
                    edit: Some(&id),
                    saved: None,
                    refused: Some(Refused {
                        id: &id,
                        values: &posted.submission.values,
                        version: posted.submission.version,
                        problems: problems.into_iter().map(|p| (p.path, p.message)).collect(),
                    }),
                },
            )
            .await?;
            Ok(private_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                page.render()?,
            ))
        }
        (Ok(_), None) => redirect(&format!("/staff/plans/{plan_id}")),
        (Err(e), _) => {
            refused(
                &state,
                &signed,
                &plan_id,
                Saving::Element(&id),
                &posted.submission,
                e,
            )
            .await
        }
    }
}
