//! The public page of one indicator, `/plans/{plan}/kpi/indicators/{id}` (the element id):
//! its definition from the published plan, a chart of the baseline, the target path, the
//! interim targets and the actuals **of the published reports only** (a year whose round is
//! open, or was never published, shows nothing), with its data table as the text
//! alternative, and the evaluation of every published year — actual, rate, grade, 委員評価,
//! 指摘事項, 対応方針 — as frozen at publication.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use keikaku_app::kpi::ReportLine;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::{Indicator, format};
use rust_decimal::Decimal;

use crate::AppState;
use crate::charts::{Chart, Point, chart};
use crate::error::WebError;
use crate::paths::{PagePath, element_id, missing, plan_id};
use crate::public::{cached, standing};
use crate::views::{IndicatorRow, IndicatorTable, Layout};

/// A published year of the indicator.
struct YearRow {
    year: String,
    report_href: String,
    expected: String,
    actual: String,
    provisional: bool,
    rate: String,
    grade: String,
    behind: bool,
    analysis: String,
    course: String,
    rating: String,
    remark: String,
    response: String,
}

#[derive(Template)]
#[template(path = "public/kpi_indicator.html")]
struct IndicatorPage {
    layout: Layout,
    title: String,
    kind: String,
    place: String,
    department: String,
    contact: Option<crate::views::Contact>,
    unit: String,
    definition: IndicatorRow,
    chart: Chart,
    /// The chart's values: (year, what, value).
    points: Vec<(String, &'static str, String)>,
    years: Vec<YearRow>,
    plan_title: String,
    plan_href: String,
    kpi_href: String,
}

fn value_in(v: Decimal, ind: &Indicator, decimals: Option<u32>) -> String {
    format!(
        "{}{}",
        format::value(v, decimals.or(ind.decimals)),
        ind.unit
    )
}

fn year_row(
    plan: &keikaku_domain::PlanId,
    year: FiscalYear,
    l: &ReportLine,
    ind: &Indicator,
    missing_label: &str,
) -> YearRow {
    let decimal = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<Decimal>().ok());
    let actual = match decimal(&l.actual_value) {
        Some(a) => value_in(a, ind, l.decimals),
        None if l.actual.trim().is_empty() => missing_label.to_owned(),
        // A report frozen before the numbers were kept: its text, 速報値 mark included.
        None => l.actual.replace("（速報値）", ""),
    };
    let dash = |t: &str| {
        if t.trim().is_empty() {
            "―".to_owned()
        } else {
            t.to_owned()
        }
    };
    YearRow {
        year: format::fiscal_year(year),
        report_href: format!("/plans/{plan}/kpi/{}", year.year()),
        expected: decimal(&l.expected)
            .map_or_else(|| "―".to_owned(), |e| value_in(e, ind, l.decimals)),
        actual,
        provisional: l.provisional || l.actual.contains("（速報値）"),
        rate: dash(&l.rate),
        grade: l.graded().map_or_else(
            || keikaku_domain::kpi::UNEVALUABLE.to_owned(),
            str::to_owned,
        ),
        behind: l.behind == Some(true),
        analysis: dash(&l.analysis),
        course: dash(&l.course),
        rating: dash(&l.rating),
        remark: dash(&l.remark),
        response: dash(&l.response),
    }
}

/// `GET /plans/{plan}/kpi/indicators/{id}`.
pub(super) async fn indicator(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let id = element_id(&id)?;
    cached(&state, &uri, &headers, |site| {
        let p = missing(site.plan(&plan))?;
        let place = missing(p.indicator(&id))?;
        let ind = place.indicator;
        let h = p.header();
        let mut reports: Vec<_> = site.reports(&plan).iter().collect();
        reports.sort_by_key(|r| r.fiscal_year);
        let published: Vec<(FiscalYear, &ReportLine, &str)> = reports
            .iter()
            .filter_map(|r| {
                r.line_of(ind.id.as_str(), &ind.code)
                    .map(|l| (r.fiscal_year, l, r.missing_label.as_str()))
            })
            .collect();
        let actuals: Vec<Point> = published
            .iter()
            .filter_map(|(year, l, _)| {
                l.actual_value
                    .as_deref()
                    .and_then(|a| a.parse::<Decimal>().ok())
                    .map(|value| Point {
                        year: *year,
                        value,
                        provisional: l.provisional,
                    })
            })
            .collect();
        let mut period = Vec::new();
        let mut y = h.period.start;
        while y <= h.period.end {
            period.push(y);
            y = y.next();
        }
        let mut points: Vec<(FiscalYear, &'static str, String)> = Vec::new();
        points.extend(
            ind.baseline
                .iter()
                .map(|b| (b.year, "基準値", value_in(b.value, ind, None))),
        );
        points.extend(
            ind.interim_targets
                .iter()
                .map(|t| (t.year, "中間目標値", value_in(t.value, ind, None))),
        );
        points.extend(
            ind.target
                .iter()
                .map(|t| (t.year, "目標値", value_in(t.value, ind, None))),
        );
        points.extend(actuals.iter().map(|a| {
            (
                a.year,
                if a.provisional {
                    "実績値（速報値）"
                } else {
                    "実績値"
                },
                value_in(a.value, ind, None),
            )
        }));
        points.sort_by_key(|(year, _, _)| *year);
        let plan_href = format!("/plans/{plan}");
        let kpi_href = format!("/plans/{plan}/kpi");
        let definition = IndicatorTable::new(&plan, String::new(), std::slice::from_ref(ind))
            .rows
            .into_iter()
            .next()
            .ok_or(WebError::NotFound(None))?;
        Ok(IndicatorPage {
            layout: Layout::new(site, &ind.title, &plan_href)
                .standing(site.plan(&plan).and_then(|p| standing::of_plan(site, p)))
                .crumbs(&[
                    (&h.title, plan_href.clone()),
                    ("KPIの達成状況", kpi_href.clone()),
                ])
                .sample(ind.sample),
            title: ind.title.clone(),
            kind: place.kind.label().to_owned(),
            place: place
                .groups
                .iter()
                .map(|g| {
                    if g.number.trim().is_empty() {
                        format!("{}　{}", g.kind.label(), g.title)
                    } else {
                        format!("{}{}　{}", g.kind.label(), g.number, g.title)
                    }
                })
                .collect::<Vec<_>>()
                .join(" ＞ "),
            department: place.department.to_owned(),
            contact: crate::views::contact(site, place.department),
            unit: ind.unit.clone(),
            definition,
            chart: chart(ind, &actuals, &period),
            points: points
                .into_iter()
                .map(|(year, what, v)| (format::fiscal_year(year), what, v))
                .collect(),
            years: published
                .iter()
                .map(|(year, l, m)| year_row(&plan, *year, l, ind, m))
                .collect(),
            plan_title: h.title.clone(),
            plan_href,
            kpi_href,
        }
        .render()?)
    })
    .await
}
