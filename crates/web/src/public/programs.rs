//! The published 実施計画 on the public site. Only published editions (which never change)
//! are shown; the `Site` knows which they are, so the pages are cached by its version.
//!
//! - `GET /implementation-plans`: the published editions.
//! - `GET /implementation-plans/{year}`: the 一覧 of the edition made in `{year}` — goal →
//!   field → measure, each program with its three years' 事業費 and 財源内訳 in 千円, subtotals
//!   and totals with the rounding rule stated.
//! - `GET /implementation-plans/{year}/programs/{code}`: a program — what it is, where it sits
//!   in the plans, its logic model (activity indicator → outcome indicators), its amounts and
//!   its history across the published editions.
//! - `GET /implementation-plans/{year}/aggregates`: totals by year and funding source, by
//!   goal, field, priority project, strategy objective, department and 事業区分.
//! - `GET /implementation-plans/{year}/diff?from=`: what changed since another published
//!   edition (by default the one before).
//! - `GET /implementation-plans/{year}/download?format=xlsx|csv|csv-sjis|json`: the 一覧 as a
//!   file (open data).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use keikaku_app::Site;
use keikaku_app::programs::{
    self, EditionView, ProgramFormat, Viewer, aggregates, compare, program_history,
    published_edition,
};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::ledger::{self, Budget, DiffView, GroupTable, History, Ledger, YearRow};
use crate::paths::PagePath;
use crate::public::cached_with;
use crate::routes::{Route, route};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/implementation-plans" => editions, ReadPublished, "/implementation-plans"),
    route!(
        GET "/implementation-plans/{year}" => edition_page,
        ReadPublished,
        "/implementation-plans/2025"
    ),
    route!(
        GET "/implementation-plans/{year}/programs/{code}" => program_page,
        ReadPublished,
        "/implementation-plans/2025/programs/01-01-001"
    ),
    route!(
        GET "/implementation-plans/{year}/aggregates" => aggregates_page,
        ReadPublished,
        "/implementation-plans/2025/aggregates"
    ),
    route!(
        GET "/implementation-plans/{year}/diff" => diff_page,
        ReadPublished,
        "/implementation-plans/2025/diff"
    ),
    route!(
        GET "/implementation-plans/{year}/download" => download,
        ReadPublished,
        "/implementation-plans/2025/download?format=csv"
    ),
];

const HOME: &str = "/implementation-plans";

pub(crate) fn edition_href(made_in: FiscalYear) -> String {
    format!("{HOME}/{}", made_in.year())
}

pub(crate) fn program_href(made_in: FiscalYear, code: &str) -> String {
    format!("{HOME}/{}/programs/{code}", made_in.year())
}

/// The fiscal year of a path, or the 404 page.
pub(crate) fn year_of(text: &str) -> Result<FiscalYear, WebError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebError::NotFound(None));
    }
    text.parse::<i32>()
        .ok()
        .and_then(|y| FiscalYear::new(y).ok())
        .ok_or(WebError::NotFound(None))
}

async fn published(
    state: &AppState,
    site: &Site,
    made_in: FiscalYear,
) -> Result<EditionView, WebError> {
    if !site.editions().contains(&made_in) {
        return Err(WebError::NotFound(None));
    }
    Ok(published_edition(&state.catalog.context(), &site.plans, made_in).await?)
}

#[derive(Template)]
#[template(path = "public/programs.html")]
struct EditionsPage {
    layout: Layout,
    editions: Vec<(String, String, String)>,
}

/// `GET /implementation-plans`.
async fn editions(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached_with(&state, &uri, &headers, |site| async move {
        let title = "実施計画";
        Ok(EditionsPage {
            layout: Layout::new(&site, title, HOME).crumbs(&[]),
            editions: site
                .editions()
                .iter()
                .map(|y| {
                    (
                        edition_href(*y),
                        keikaku_app::programs::editions::title(*y),
                        keikaku_app::programs::editions::period(*y),
                    )
                })
                .collect(),
        }
        .render()?)
    })
    .await
}

#[derive(Template)]
#[template(path = "public/program_ledger.html")]
struct LedgerPage {
    layout: Layout,
    heading: String,
    period: String,
    ledger: Ledger,
    aggregates_href: String,
    diff_href: Option<String>,
    downloads: Vec<(String, &'static str)>,
    sjis_missing: bool,
}

/// The downloads of an edition; the Shift_JIS CSV only when every character of the edition
/// can be written in Shift_JIS (CP932).
fn downloads(made_in: FiscalYear, sjis: bool) -> Vec<(String, &'static str)> {
    [
        ("xlsx", "Excel（.xlsx）"),
        ("csv", "CSV（UTF-8）"),
        ("csv-sjis", "CSV（Shift_JIS）"),
        ("json", "JSON（金額は円）"),
    ]
    .into_iter()
    .filter(|(f, _)| sjis || *f != "csv-sjis")
    .map(|(f, label)| {
        (
            format!("{}/download?format={f}", edition_href(made_in)),
            label,
        )
    })
    .collect()
}

/// The 一覧 as a file, or a page that says why it cannot be made (a Shift_JIS CSV of an
/// edition with characters Shift_JIS lacks: the UTF-8 CSV holds them).
pub(crate) fn export_file(
    view: &EditionView,
    city: &str,
    department: Option<&str>,
    format: ProgramFormat,
) -> Result<Vec<u8>, WebError> {
    programs::export(view, city, department, format).map_err(|e| match e {
        keikaku_app::AppError::Invalid(problems) => WebError::Invalid(format!(
            "{} UTF-8のCSV（format=csv）またはExcelのファイルをお使いください。",
            problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )),
        other => other.into(),
    })
}

fn any_sample(view: &EditionView) -> bool {
    view.programs.iter().any(|p| p.program.sample)
}

/// `GET /implementation-plans/{year}`.
async fn edition_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let st = state.clone();
    cached_with(&state, &uri, &headers, |site| async move {
        let view = published(&st, &site, made_in).await?;
        let heading = format!("実施計画 {}", view.title());
        let previous = site.editions().iter().find(|y| **y < made_in).copied();
        let sjis_missing = programs::export(&view, "", None, ProgramFormat::CsvShiftJis).is_err();
        Ok(LedgerPage {
            layout: Layout::new(&site, &heading, HOME)
                .crumbs(&[("実施計画", HOME.to_owned())])
                .sample(any_sample(&view)),
            ledger: ledger::ledger(&view, |p| program_href(made_in, p.program.code.as_str())),
            aggregates_href: format!("{}/aggregates", edition_href(made_in)),
            diff_href: previous
                .map(|p| format!("{}/diff?from={}", edition_href(made_in), p.year())),
            downloads: downloads(made_in, !sjis_missing),
            sjis_missing,
            period: view.period(),
            heading,
        }
        .render()?)
    })
    .await
}

/// A link to an element of the plans: its public page when the published plans have it.
pub(crate) struct ElementLink {
    pub(crate) label: String,
    pub(crate) href: String,
}

/// A program as its page shows it.
pub(crate) struct ProgramDetail {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) department: String,
    pub(crate) category: &'static str,
    pub(crate) sample: bool,
    pub(crate) purpose: String,
    pub(crate) target_group: String,
    pub(crate) means: String,
    pub(crate) period: String,
    pub(crate) account: &'static str,
    pub(crate) expense_type: &'static str,
    pub(crate) measures: Vec<ElementLink>,
    pub(crate) projects: Vec<ElementLink>,
    pub(crate) objectives: Vec<ElementLink>,
    pub(crate) indicators: Vec<ElementLink>,
    pub(crate) activity: Option<String>,
    /// The activity indicator's target per year (year, value).
    pub(crate) activity_targets: Vec<(String, String)>,
    pub(crate) years: Vec<YearRow>,
    pub(crate) note: String,
}

/// A program's detail, links made by `href` (plan, element, is an indicator).
pub(crate) fn detail(
    view: &EditionView,
    code: &str,
    href: impl Fn(&keikaku_domain::ElementRef, bool) -> String,
) -> Option<ProgramDetail> {
    let record = view.program(code)?;
    let p = &record.program;
    let places = view.places();
    let place = places.of(p);
    let link = |r: keikaku_domain::ElementRef, label: String, indicator: bool| ElementLink {
        href: href(&r, indicator),
        label,
    };
    let plan_of = |g: &keikaku_domain::plan::indicators::Group<'_>| keikaku_domain::ElementRef {
        plan: view.edition.plan.clone(),
        element: g.id.clone(),
    };
    let label = |g: &keikaku_domain::plan::indicators::Group<'_>| {
        keikaku_app::programs::listing::Label {
            id: g.id.to_string(),
            number: g.number.to_owned(),
            title: g.title.to_owned(),
        }
        .display()
    };
    let measures: Vec<ElementLink> = p
        .links
        .iter()
        .filter(|l| places.kind(l) == Some(keikaku_domain::ElementKind::Measure))
        .map(|l| {
            let title = view
                .plans
                .iter()
                .find(|pl| pl.id() == &l.plan)
                .and_then(|pl| match pl {
                    keikaku_domain::Plan::Comprehensive(c) => c.measure(&l.element),
                    keikaku_domain::Plan::Strategy(_) => None,
                })
                .map_or_else(
                    || l.element.to_string(),
                    |(_, _, m)| format!("{}\u{3000}{}", m.number, m.title),
                );
            link(l.clone(), title, false)
        })
        .collect();
    let r = view.rounding();
    let years = view.covers();
    Some(ProgramDetail {
        code: p.code.to_string(),
        name: p.name.clone(),
        department: p.department.clone(),
        category: p.category.label(),
        sample: p.sample,
        purpose: p.purpose.clone(),
        target_group: p.target_group.clone(),
        means: p.means.clone(),
        period: match p.end_year {
            Some(e) => format::span(p.start_year, e),
            None => format!(
                "{}〜（終了年度の定めなし）",
                format::fiscal_year(p.start_year)
            ),
        },
        account: p.account.label(),
        expense_type: p.expense_type.label(),
        measures,
        projects: place
            .projects
            .iter()
            .map(|g| link(plan_of(g), label(g), false))
            .collect(),
        objectives: place
            .objectives
            .iter()
            .map(|g| {
                let plan = view
                    .plans
                    .iter()
                    .find(|pl| {
                        pl.element_kind(g.id) == Some(keikaku_domain::ElementKind::BasicObjective)
                    })
                    .map_or_else(|| view.edition.plan.clone(), |pl| pl.id().clone());
                link(
                    keikaku_domain::ElementRef {
                        plan,
                        element: g.id.clone(),
                    },
                    label(g),
                    false,
                )
            })
            .collect(),
        indicators: place
            .indicators
            .iter()
            .map(|(r, g)| {
                link(
                    r.clone(),
                    format!("{}（{}）", g.title, g.kind.label()),
                    true,
                )
            })
            .collect(),
        activity: p
            .activity
            .is_set()
            .then(|| format!("{}（単位: {}）", p.activity.name, p.activity.unit)),
        activity_targets: years
            .iter()
            .map(|y| {
                let t = p
                    .years
                    .iter()
                    .find(|py| py.fiscal_year == *y)
                    .and_then(|py| py.activity_target);
                (
                    format::fiscal_year(*y),
                    t.map_or_else(
                        || ledger::NONE.to_owned(),
                        |t| format!("{}{}", format::value(t, None), p.activity.unit),
                    ),
                )
            })
            .collect(),
        years: ledger::program_rows(p, &years, r, String::new()).years,
        note: r.note(),
    })
}

#[derive(Template)]
#[template(path = "public/program.html")]
struct ProgramPage {
    layout: Layout,
    edition_title: String,
    edition_href: String,
    p: ProgramDetail,
    history: History,
}

/// The public page of an element the published plans have (a measure's, an indicator's).
fn public_element_href(site: &Site, r: &keikaku_domain::ElementRef, indicator: bool) -> String {
    let Some(plan) = site.plan(&r.plan) else {
        return String::new();
    };
    match plan.element_kind(&r.element) {
        Some(_) if indicator => crate::views::public_indicator_href(&r.plan, r.element.as_str()),
        Some(kind) => crate::views::element_href(plan, kind, &r.element),
        None => String::new(),
    }
}

/// `GET /implementation-plans/{year}/programs/{code}`.
async fn program_page(
    State(state): State<AppState>,
    PagePath((year, code)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let st = state.clone();
    cached_with(&state, &uri, &headers, |site| async move {
        let view = published(&st, &site, made_in).await?;
        let p = detail(&view, &code, |r, i| public_element_href(&site, r, i))
            .ok_or(WebError::NotFound(None))?;
        let history =
            program_history(&st.catalog.context(), Viewer::Public(&site.plans), &code).await?;
        let edition_title = view.title();
        Ok(ProgramPage {
            layout: Layout::new(&site, &p.name, HOME)
                .crumbs(&[
                    ("実施計画", HOME.to_owned()),
                    (&edition_title, edition_href(made_in)),
                ])
                .sample(p.sample),
            edition_href: edition_href(made_in),
            edition_title,
            history: ledger::history(&history, |y| program_href(y, &code)),
            p,
        }
        .render()?)
    })
    .await
}

#[derive(Template)]
#[template(path = "public/program_aggregates.html")]
struct AggregatesPage {
    layout: Layout,
    heading: String,
    edition_href: String,
    years: Vec<String>,
    total: Vec<YearRow>,
    tables: Vec<GroupTable>,
    budget: Option<Budget>,
    note: String,
}

/// The aggregates page's model (the staff page adds the budget guide).
pub(crate) fn aggregates_parts(
    view: &EditionView,
) -> (Vec<String>, Vec<YearRow>, Vec<GroupTable>, String) {
    let agg = aggregates(view);
    (
        agg.years.iter().map(|y| format::fiscal_year(*y)).collect(),
        ledger::totals_rows(&agg.total, agg.rounding),
        ledger::group_tables(&agg),
        agg.rounding.note(),
    )
}

/// `GET /implementation-plans/{year}/aggregates`.
async fn aggregates_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let st = state.clone();
    cached_with(&state, &uri, &headers, |site| async move {
        let view = published(&st, &site, made_in).await?;
        let heading = format!("実施計画 {}の集計", view.title());
        let (years, total, tables, note) = aggregates_parts(&view);
        Ok(AggregatesPage {
            layout: Layout::new(&site, &heading, HOME)
                .crumbs(&[
                    ("実施計画", HOME.to_owned()),
                    (&view.title(), edition_href(made_in)),
                ])
                .sample(any_sample(&view)),
            heading,
            edition_href: edition_href(made_in),
            years,
            total,
            tables,
            budget: None,
            note,
        }
        .render()?)
    })
    .await
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

/// `GET /implementation-plans/{year}/diff`.
async fn diff_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    Query(query): Query<DiffQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let st = state.clone();
    cached_with(&state, &uri, &headers, |site| async move {
        if !site.editions().contains(&made_in) {
            return Err(WebError::NotFound(None));
        }
        let others: Vec<FiscalYear> = site
            .editions()
            .iter()
            .filter(|y| **y != made_in)
            .copied()
            .collect();
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
                let c = compare(
                    &st.catalog.context(),
                    Viewer::Public(&site.plans),
                    f,
                    made_in,
                )
                .await?;
                Some(ledger::diff_view(&c.diff, &c.old, &c.new, |v, code| {
                    program_href(v.made_in(), code)
                }))
            }
            None => None,
        };
        Ok(DiffPage {
            layout: Layout::new(&site, &heading, HOME).crumbs(&[
                ("実施計画", HOME.to_owned()),
                (&title, edition_href(made_in)),
            ]),
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
        }
        .render()?)
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct DownloadQuery {
    #[serde(default)]
    format: Option<String>,
}

/// The 一覧 as a file named after the edition, never cached by the browser beyond the data.
pub(crate) fn file_response(
    bytes: Vec<u8>,
    format: ProgramFormat,
    made_in: FiscalYear,
    department: Option<&str>,
) -> Result<Response, WebError> {
    let whose = department
        .map(|d| format!("_{}", d.trim()))
        .unwrap_or_default();
    let name = format!("実施計画_{}{whose}.{}", made_in.year(), format.extension());
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"implementation-plan-{}.{}\"; filename*=UTF-8''{encoded}",
            made_in.year(),
            format.extension()
        ))
        .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// The format of a download query, or a 400 that names the choices.
pub(crate) fn format_of(name: Option<&str>) -> Result<ProgramFormat, WebError> {
    let name = name.unwrap_or("xlsx");
    ProgramFormat::from_name(name).ok_or_else(|| {
        WebError::BadRequest(format!(
            "形式「{name}」は選べません（xlsx、csv、csv-sjis、json のいずれかです）。"
        ))
    })
}

/// `GET /implementation-plans/{year}/download`.
async fn download(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    Query(query): Query<DownloadQuery>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let format = format_of(query.format.as_deref())?;
    let site = state.catalog.site().await?;
    let view = published(&state, &site, made_in).await?;
    let bytes = export_file(&view, &site.municipality.name, None, format)?;
    file_response(bytes, format, made_in, None)
}
