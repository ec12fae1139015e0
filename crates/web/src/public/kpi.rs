//! The published verification reports (効果検証の結果) of a plan: `/plans/{plan}/kpi/{year}`,
//! the report frozen when the planning office published the round — the panel's overall
//! opinion, every indicator with its values, progress, grade, the department's analysis and
//! 今後の方向性, the panel's remarks and the city's responses (read from the catalog's `Site`,
//! whose version changes when a report is published, so the cached page follows). Only published rounds: a round
//! being verified, or re-opened, shows the text published last (or nothing).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use keikaku_app::kpi::ReportLine;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;

use crate::AppState;
use crate::error::WebError;
use crate::paths::{PagePath, missing, plan_id};
use crate::public::cached;
use crate::routes::{Route, route};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[route!(
    GET "/plans/{plan}/kpi/{year}" => report,
    ReadPublished,
    "/plans/sogo-senryaku/kpi/2017"
)];

#[derive(Template)]
#[template(path = "public/kpi_report.html")]
struct ReportPage {
    layout: Layout,
    heading: String,
    plan_title: String,
    plan_href: String,
    published_at: String,
    number: i64,
    opinion: String,
    lines: Vec<ReportLine>,
    remarks: Vec<ReportLine>,
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
        let r = missing(site.report(&plan, year))?.clone();
        let heading = format!("{}の効果検証の結果", format::fiscal_year(year));
        let plan_href = format!("/plans/{plan}");
        let sample = r.lines.iter().any(|l| l.analysis.contains("サンプル"));
        Ok(ReportPage {
            layout: Layout::new(site, &heading, &plan_href)
                .crumbs(&[(&h.title, plan_href.clone())])
                .sample(sample),
            heading,
            plan_title: h.title.clone(),
            plan_href,
            published_at: crate::clock::jst_label(r.published_at),
            number: r.number,
            opinion: r.opinion,
            remarks: r
                .lines
                .iter()
                .filter(|l| !l.remark.trim().is_empty())
                .cloned()
                .collect(),
            lines: r.lines,
        }
        .render()?)
    })
    .await
}
