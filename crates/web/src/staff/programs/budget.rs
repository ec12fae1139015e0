//! An edition's totals for the planning office: the budget guide (一般財源 needed per year, for
//! the city and per department, against the fiscal frames), the frames' form and the
//! edition's settings (basis plan, 千円 rounding) while it is being made, the aggregates by
//! group, and the comparison with any other edition.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::programs::editions::basis_plans;
use keikaku_app::programs::{FrameInput, Viewer, compare, editions, save_frames, save_settings};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::{self, Rounding};
use serde::Deserialize;

use super::{edition_href, program_href, trail, year_of};
use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::ledger::{self, Budget, DiffView, GroupTable, YearRow};
use crate::paths::PagePath;
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

/// One row of the frames' form: a department (empty: the city) and its three years' inputs
/// (field name, label, value).
struct FrameRow {
    department: String,
    label: String,
    index: usize,
    cells: Vec<(String, String, String)>,
}

/// The settings form's choices: the basis plans (id, title, chosen) and the rounding rules
/// (code, label, chosen).
type Settings = (
    Vec<(String, String, bool)>,
    Vec<(&'static str, &'static str, bool)>,
);

#[derive(Template)]
#[template(path = "staff/program_aggregates.html")]
struct AggregatesPage {
    layout: Layout,
    heading: String,
    edition_href: String,
    csrf: String,
    revision: i64,
    years: Vec<String>,
    total: Vec<YearRow>,
    tables: Vec<GroupTable>,
    b: Budget,
    note: String,
    frames: Option<Vec<FrameRow>>,
    settings: Option<Settings>,
    notice: Option<String>,
    problems: Vec<String>,
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn page(
    state: &AppState,
    granted: &Granted,
    roles: &[keikaku_domain::account::Role],
    csrf: &str,
    made_in: FiscalYear,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
    typed: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    // Kept until the next write, per reach: the page is read far more often than written.
    let kept = state.catalog.staff_edition(granted, made_in).await?;
    let view = kept.view();
    let agg = kept.aggregates();
    let manage = view.editable() && permits(Some(roles), Action::ManageEditions);
    let r = view.rounding();
    let frames = manage.then(|| {
        let mut departments = vec![String::new()];
        departments.extend(agg.budget.departments.iter().map(|(d, _)| d.clone()));
        departments
            .into_iter()
            .enumerate()
            .map(|(i, d)| FrameRow {
                label: if d.is_empty() {
                    "市全体".to_owned()
                } else {
                    d.clone()
                },
                cells: view
                    .covers()
                    .iter()
                    .map(|y| {
                        let name = format!("frame-{}-{i}", y.year());
                        let stored = view
                            .frames
                            .iter()
                            .find(|f| f.fiscal_year == *y && f.department == d)
                            .map(|f| {
                                format::group_digits(
                                    &rust_decimal::Decimal::new(f.general.yen(), 3)
                                        .normalize()
                                        .to_string(),
                                )
                            })
                            .unwrap_or_default();
                        let value = typed.and_then(|t| t.get(&name).cloned()).unwrap_or(stored);
                        (
                            name,
                            format!(
                                "{}の{}の枠（千円）",
                                format::fiscal_year(*y),
                                if d.is_empty() { "市全体" } else { &d }
                            ),
                            value,
                        )
                    })
                    .collect(),
                department: d,
                index: i,
            })
            .collect()
    });
    let settings = if manage {
        let plans = basis_plans(&cx, granted)
            .await?
            .into_iter()
            .map(|(id, title)| {
                let selected = id == view.edition.plan;
                (id.to_string(), title, selected)
            })
            .collect();
        let roundings = Rounding::ALL
            .iter()
            .map(|x| (x.code(), x.label(), *x == r))
            .collect();
        Some((plans, roundings))
    } else {
        None
    };
    let heading = format!("実施計画 {}の集計と予算編成の指針", view.title());
    let edition_title = view.title();
    let mut crumbs = trail();
    crumbs.push((edition_title.as_str(), edition_href(made_in)));
    let page = AggregatesPage {
        layout: staff_layout(state, &heading, &crumbs).await?,
        heading,
        edition_href: edition_href(made_in),
        csrf: csrf.to_owned(),
        revision: view.edition.revision,
        years: agg.years.iter().map(|y| format::fiscal_year(*y)).collect(),
        total: ledger::totals_rows(&agg.total, r),
        tables: ledger::group_tables(agg),
        b: ledger::budget(agg, view.narrowed),
        note: r.note(),
        frames,
        settings,
        notice,
        problems,
    };
    Ok(private_page(status, page.render()?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /staff/implementation-plans/{year}/aggregates`.
pub(super) async fn aggregates_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    Query(query): Query<DoneQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let notice = match query.done.as_deref() {
        Some("frames") => Some("財政計画の枠を保存しました。".to_owned()),
        Some("settings") => Some("設定を保存しました。".to_owned()),
        _ => None,
    };
    page(
        &state,
        &granted,
        &signed.user.roles,
        &signed.csrf,
        made_in,
        StatusCode::OK,
        notice,
        Vec::new(),
        None,
    )
    .await
}

/// Any form of this page, by field name.
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(crate) struct Fields {
    csrf: Option<String>,
    values: std::collections::BTreeMap<String, String>,
}

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self {
            csrf: None,
            values: std::collections::BTreeMap::new(),
        };
        for (k, v) in pairs {
            if k == "csrf" {
                f.csrf = Some(v);
            } else {
                f.values.insert(k, v);
            }
        }
        f
    }
}

impl StaffFields for Fields {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

impl Fields {
    fn get(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
}

fn refusals(e: AppError) -> Result<(StatusCode, Vec<String>), WebError> {
    match e {
        AppError::Invalid(p) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            p.into_iter().map(|p| p.message).collect(),
        )),
        AppError::Conflict(m) => Ok((StatusCode::CONFLICT, vec![m])),
        other => Err(other.into()),
    }
}

/// `POST /staff/implementation-plans/{year}/frames`: every frame of the form (`dept-{i}` names
/// row i's department, `frame-{year}-{i}` its amount in 千円; blank: no frame).
pub(super) async fn frames(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Fields>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let years = keikaku_app::programs::editions::covers(made_in);
    let mut inputs = Vec::new();
    for i in 0..200 {
        let Some(department) = form.values.get(&format!("dept-{i}")) else {
            break;
        };
        for y in years {
            inputs.push(FrameInput {
                fiscal_year: y,
                department: department.clone(),
                amount: form.get(&format!("frame-{}-{i}", y.year())).to_owned(),
            });
        }
    }
    let cx = state.catalog.context();
    match save_frames(
        &cx,
        &granted,
        made_in,
        &inputs,
        form.get("revision"),
        now()?,
    )
    .await
    {
        Ok(_) => redirect(&format!("{}/aggregates?done=frames", edition_href(made_in))),
        Err(e) => {
            let (status, problems) = refusals(e)?;
            page(
                &state,
                &granted,
                &signed.user.roles,
                &signed.csrf,
                made_in,
                status,
                None,
                problems,
                Some(&form.values),
            )
            .await
        }
    }
}

/// `POST /staff/implementation-plans/{year}/settings`: `plan`, `rounding`, `revision`.
pub(super) async fn settings(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Fields>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let cx = state.catalog.context();
    match save_settings(
        &cx,
        &granted,
        made_in,
        form.get("plan"),
        form.get("rounding"),
        form.get("revision"),
        now()?,
    )
    .await
    {
        Ok(_) => redirect(&format!(
            "{}/aggregates?done=settings",
            edition_href(made_in)
        )),
        Err(e) => {
            let (status, problems) = refusals(e)?;
            page(
                &state,
                &granted,
                &signed.user.roles,
                &signed.csrf,
                made_in,
                status,
                None,
                problems,
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DiffQuery {
    #[serde(default)]
    from: Option<String>,
}

#[derive(Template)]
#[template(path = "public/program_diff.html")]
struct DiffPage {
    layout: Layout,
    heading: String,
    action: String,
    options: Vec<(String, String, bool)>,
    view: Option<DiffView>,
}

/// `GET /staff/implementation-plans/{year}/diff?from=`: against any other edition (by default
/// the one before), drafts included.
pub(super) async fn diff_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    Query(query): Query<DiffQuery>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let cx = state.catalog.context();
    let all: Vec<FiscalYear> = editions(&cx, &granted)
        .await?
        .iter()
        .map(|e| e.edition.made_in)
        .collect();
    if !all.contains(&made_in) {
        return Err(WebError::NotFound(None));
    }
    let others: Vec<FiscalYear> = all.iter().filter(|y| **y != made_in).copied().collect();
    let from = match query.from.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => Some(year_of(f.trim())?),
        None => others
            .iter()
            .find(|y| **y < made_in)
            .or(others.first())
            .copied(),
    };
    if from.is_some_and(|f| !others.contains(&f)) {
        return Err(WebError::NotFound(None));
    }
    let title = keikaku_app::programs::editions::title(made_in);
    let heading = format!("実施計画 {title}とほかの版の比較");
    let view = match from {
        Some(f) => {
            let c = compare(&cx, Viewer::Staff(&granted), f, made_in).await?;
            Some(ledger::diff_view(&c.diff, &c.old, &c.new, |v, code| {
                program_href(v.made_in(), code)
            }))
        }
        None => None,
    };
    let mut crumbs = trail();
    crumbs.push((title.as_str(), edition_href(made_in)));
    let page = DiffPage {
        layout: staff_layout(&state, &heading, &crumbs).await?,
        heading,
        action: format!("{}/diff", edition_href(made_in)),
        options: others
            .iter()
            .map(|y| {
                (
                    y.year().to_string(),
                    keikaku_app::programs::editions::title(*y),
                    Some(*y) == from,
                )
            })
            .collect(),
        view,
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}
