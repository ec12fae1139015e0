//! The published KPI results of a plan, read from the catalog's `Site` (whose version changes
//! when a report is published, so the cached pages follow). Only published rounds: a round
//! being verified, or re-opened, shows the text published last (or nothing).
//!
//! - `GET /plans/{plan}/kpi`: the dashboard — the latest published year's grade counts per
//!   group (objective, goal, field, measure) and for the plan, the indicators behind their
//!   expectation and those without an actual (未把握), and every published year; a plan with
//!   nothing published yet says so (200).
//! - `GET /plans/{plan}/kpi/{year}`: the verification report (効果検証の結果) frozen when the
//!   planning office published the round — the panel's overall opinion, the same dashboard of
//!   that year, every indicator with its values, progress and grade, the department's
//!   analysis and 今後の方向性, the panel's remarks and the city's responses.
//! - `GET /plans/{plan}/kpi/indicators/{id}`: one indicator (`kpi_indicator`).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use keikaku_app::Site;
use keikaku_app::kpi::{Report, ReportLine};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::{Plan, PlanId, format};

use crate::AppState;
use crate::error::WebError;
use crate::paths::{PagePath, missing, plan_id};
use crate::public::{cached, standing};
use crate::routes::{Route, route};
use crate::tally::{TallyTable, tally_table};
use crate::views::{Layout, public_indicator_href};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/plans/{plan}/kpi" => dashboard,
        ReadPublished,
        "/plans/sogo-senryaku/kpi"
    ),
    route!(
        GET "/plans/{plan}/kpi/{year}" => report,
        ReadPublished,
        "/plans/sogo-senryaku/kpi/2017"
    ),
    route!(
        GET "/plans/{plan}/kpi/indicators/{indicator}" => super::kpi_indicator::indicator,
        ReadPublished,
        "/plans/sogo-senryaku/kpi/indicators/kpi-2-1-1"
    ),
];

/// A report line as the pages show it, with the link to its indicator's page.
pub(crate) struct Line {
    pub(crate) line: ReportLine,
    /// The indicator's public page (empty: the published plan no longer has it).
    pub(crate) href: String,
}

/// The public page of the indicator of a report line, if the published plan has it.
pub(crate) fn line_href(plan: &Plan, line: &ReportLine) -> String {
    plan.indicators()
        .iter()
        .find(|p| line.is_of(p.indicator.id.as_str(), &p.indicator.code))
        .map(|p| public_indicator_href(plan.id(), p.indicator.id.as_str()))
        .unwrap_or_default()
}

/// What the dashboard shows of one report.
pub(crate) struct Dashboard {
    pub(crate) tally: TallyTable,
    pub(crate) behind: Vec<Line>,
    pub(crate) missing: Vec<Line>,
    pub(crate) missing_label: String,
    pub(crate) grades: String,
}

fn lines<'a>(plan: &Plan, lines: impl Iterator<Item = &'a ReportLine>) -> Vec<Line> {
    lines
        .map(|l| Line {
            href: line_href(plan, l),
            line: l.clone(),
        })
        .collect()
}

fn dashboard_of(plan: &Plan, r: &Report) -> Dashboard {
    Dashboard {
        tally: tally_table(
            "tally",
            format!(
                "{}の評価ごとの指標数（区分ごと、計画全体）",
                format::fiscal_year(r.fiscal_year)
            ),
            r.tallies(),
        ),
        behind: lines(plan, r.behind()),
        missing: lines(plan, r.missing()),
        missing_label: r.missing_label.clone(),
        grades: r.grades.join("、"),
    }
}

fn report_href(plan: &PlanId, year: FiscalYear) -> String {
    format!("/plans/{plan}/kpi/{}", year.year())
}

/// Every published year, newest first: (href, label).
fn years(site: &Site, plan: &PlanId) -> Vec<(String, String)> {
    let mut out: Vec<(FiscalYear, (String, String))> = site
        .reports(plan)
        .iter()
        .map(|r| {
            (
                r.fiscal_year,
                (
                    report_href(plan, r.fiscal_year),
                    format!("{}の効果検証の結果", format::fiscal_year(r.fiscal_year)),
                ),
            )
        })
        .collect();
    out.sort_by_key(|(y, _)| std::cmp::Reverse(*y));
    out.into_iter().map(|(_, l)| l).collect()
}

#[derive(Template)]
#[template(path = "public/kpi_dashboard.html")]
struct DashboardPage {
    layout: Layout,
    plan_title: String,
    plan_href: String,
    /// The latest published year: (label, report href, published at, publication number).
    latest: Option<(String, String, String, i64)>,
    dash: Option<Dashboard>,
    years: Vec<(String, String)>,
}

/// `GET /plans/{plan}/kpi`.
async fn dashboard(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    cached(&state, &uri, &headers, |site| {
        let p = missing(site.plan(&plan))?;
        let h = p.header();
        let plan_href = format!("/plans/{plan}");
        let latest = site.reports(&plan).iter().max_by_key(|r| r.fiscal_year);
        let title = format!("{}のKPIの達成状況", h.title);
        Ok(DashboardPage {
            layout: Layout::new(site, &title, &plan_href)
                .crumbs(&[(&h.title, plan_href.clone())])
                .standing(standing::of_plan(site, p))
                .sample(
                    latest.is_some_and(|r| r.lines.iter().any(|l| l.analysis.contains("サンプル"))),
                ),
            plan_title: h.title.clone(),
            plan_href: plan_href.clone(),
            latest: latest.map(|r| {
                (
                    format::fiscal_year(r.fiscal_year),
                    report_href(&plan, r.fiscal_year),
                    crate::clock::jst_label(r.published_at),
                    r.number,
                )
            }),
            dash: latest.map(|r| dashboard_of(p, r)),
            years: years(site, &plan),
        }
        .render()?)
    })
    .await
}

#[derive(Template)]
#[template(path = "public/kpi_report.html")]
struct ReportPage {
    layout: Layout,
    heading: String,
    plan_title: String,
    plan_href: String,
    kpi_href: String,
    published_at: String,
    number: i64,
    opinion: String,
    dash: Option<Dashboard>,
    lines: Vec<Line>,
    remarks: Vec<Line>,
}

/// `GET /plans/{plan}/kpi/{year}`.
async fn report(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let year = FiscalYear::parse(&year).map_err(|_| WebError::NotFound(None))?;
    cached(&state, &uri, &headers, |site| {
        let p = missing(site.plan(&plan))?;
        let h = p.header();
        let r = missing(site.report(&plan, year))?;
        let heading = format!("{}の効果検証の結果", format::fiscal_year(year));
        let plan_href = format!("/plans/{plan}");
        let kpi_href = format!("/plans/{plan}/kpi");
        let sample = r.lines.iter().any(|l| l.analysis.contains("サンプル"));
        Ok(ReportPage {
            layout: Layout::new(site, &heading, &plan_href)
                .crumbs(&[
                    (&h.title, plan_href.clone()),
                    ("KPIの達成状況", kpi_href.clone()),
                ])
                .sample(sample),
            heading,
            plan_title: h.title.clone(),
            plan_href,
            kpi_href,
            published_at: crate::clock::jst_label(r.published_at),
            number: r.number,
            opinion: r.opinion.clone(),
            dash: Some(dashboard_of(p, r)),
            remarks: lines(p, r.lines.iter().filter(|l| !l.remark.trim().is_empty())),
            lines: lines(p, r.lines.iter()),
        }
        .render()?)
    })
    .await
}
