//! The 人口ビジョン on the public site, when the city has made it public. Results are shown as
//! stored (never projected again here), so the pages are cached by the `Site`'s version,
//! which follows the public part of the vision.
//!
//! - `GET /population`: the target (将来展望), the chart of target, actual totals, the public
//!   scenarios and the reference projections, the same as a table, the gap to the target, the
//!   scenarios with their rules, and the strategy's targets the vision rests on.
//! - `GET /population/scenarios/{id}?year=`: a scenario — its rule and notes, its population
//!   pyramid of a year (the base year's outline beside it) with the data table, and its totals
//!   and age bands year by year.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use keikaku_app::population::{
    LinkedIndicator, PopulationView, ResultFormat, export_results, published_population,
};
use keikaku_domain::format::calendar_year;
use keikaku_domain::population::ScenarioId;
use serde::Deserialize;

use crate::AppState;
use crate::charts::population::{LinesChart, NARROW, Pyramid, WIDE, lines, people, pyramid};
use crate::error::WebError;
use crate::paths::PagePath;
use crate::population_view::{
    ScenarioLine, Table, VisionTables, age_table, scenario_lines, summary_table,
};
use crate::public::cached_with;
use crate::routes::{Route, route};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/population" => vision_page, ReadPublished, "/population"),
    route!(
        GET "/population/download" => download,
        ReadPublished,
        "/population/download?format=csv&table=summary"
    ),
    route!(
        GET "/population/scenarios/{id}" => scenario_page,
        ReadPublished,
        "/population/scenarios/kihon"
    ),
];

const HOME: &str = "/population";

fn scenario_href(id: &str) -> String {
    format!("{HOME}/scenarios/{id}")
}

/// An indicator of the strategy, linked to its page.
pub(crate) struct IndicatorLine {
    pub(crate) title: String,
    pub(crate) plan_title: String,
    pub(crate) href: String,
    pub(crate) baseline: String,
    pub(crate) target: String,
}

pub(crate) fn indicator_lines(list: &[LinkedIndicator]) -> Vec<IndicatorLine> {
    list.iter()
        .map(|i| IndicatorLine {
            title: i
                .title
                .clone()
                .unwrap_or_else(|| format!("{}/{}", i.link.plan, i.link.element)),
            plan_title: i.plan_title.clone(),
            href: format!("/plans/{}/kpi/indicators/{}", i.link.plan, i.link.element),
            baseline: i.baseline.clone(),
            target: i.target.clone(),
        })
        .collect()
}

/// The headline figures: the latest actual and the last point of the target path.
pub(crate) fn headlines(view: &PopulationView) -> (Option<String>, Option<String>) {
    let Some(v) = view.vision.as_ref().map(|v| &v.vision) else {
        return (None, None);
    };
    let actual = v.actuals.iter().max_by_key(|a| a.year).map(|a| {
        format!(
            "{} {}人（{}{}）",
            calendar_year(a.year),
            people(a.total as f64),
            a.source.label(),
            if a.note.is_empty() {
                String::new()
            } else {
                format!("、{}", a.note)
            }
        )
    });
    let target = v
        .target
        .iter()
        .max_by_key(|t| t.year)
        .map(|t| format!("{} {}人", calendar_year(t.year), people(t.total as f64)));
    (actual, target)
}

#[derive(Template)]
#[template(path = "public/population.html")]
struct VisionPage {
    layout: Layout,
    target_note: String,
    latest_actual: Option<String>,
    last_target: Option<String>,
    chart: LinesChart,
    chart_narrow: LinesChart,
    totals: Table,
    gaps: Option<Table>,
    scenarios: Vec<ScenarioLine>,
    indicators: Vec<IndicatorLine>,
    references: Vec<String>,
    downloads: Vec<(String, &'static str)>,
}

/// `GET /population`.
async fn vision_page(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let st = state.clone();
    cached_with(&state, &uri, &headers, |site| async move {
        if !site.population_public() {
            return Err(WebError::NotFound(None));
        }
        let view = published_population(&st.catalog.context(), &site.plans).await?;
        let tables = VisionTables::of(&view);
        let (latest_actual, last_target) = headlines(&view);
        let sample = view.scenarios.iter().any(|s| s.record.scenario.sample)
            || view.censuses.iter().any(|c| c.census.sample);
        let vision = view.vision.as_ref().map(|v| &v.vision);
        Ok(VisionPage {
            layout: Layout::new(&site, "人口ビジョン", HOME)
                .crumbs(&[])
                .sample(sample),
            target_note: vision.map(|v| v.target_note.clone()).unwrap_or_default(),
            latest_actual,
            last_target,
            chart: lines(&tables.comparison, "population-chart", WIDE),
            chart_narrow: lines(&tables.comparison, "population-chart-narrow", NARROW),
            totals: tables.totals,
            gaps: tables.gaps,
            scenarios: scenario_lines(&view, scenario_href),
            indicators: indicator_lines(&view.indicators),
            references: vision
                .map(|v| v.references.iter().map(|r| r.name.clone()).collect())
                .unwrap_or_default(),
            downloads: downloads("/population/download"),
        }
        .render()?)
    })
    .await
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
}

/// A year to choose: its label, link and whether it is the one shown.
pub(crate) struct YearChoice {
    pub(crate) label: String,
    pub(crate) href: String,
    pub(crate) current: bool,
}

#[derive(Template)]
#[template(path = "public/population_scenario.html")]
struct ScenarioPage {
    layout: Layout,
    name: String,
    description: String,
    rule: Option<String>,
    notes: Vec<String>,
    years: Vec<YearChoice>,
    year_label: String,
    pyramid: Option<Pyramid>,
    pyramid_narrow: Option<Pyramid>,
    ages: Option<Table>,
    summary: Table,
}

/// The year a query asks for among a scenario's years (the base year when absent); a year it
/// does not have is a 404.
pub(crate) fn chosen_year(years: &[i32], asked: Option<&str>) -> Result<i32, WebError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => years.first().copied().ok_or(WebError::NotFound(None)),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|y| years.contains(y))
            .ok_or(WebError::NotFound(None)),
    }
}

/// `GET /population/scenarios/{id}?year=`.
async fn scenario_page(
    State(state): State<AppState>,
    PagePath(id): PagePath<String>,
    Query(query): Query<YearQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id = ScenarioId::parse(&id).map_err(|_| WebError::NotFound(None))?;
    let st = state.clone();
    cached_with(&state, &uri, &headers, |site| async move {
        if !site.population_public() {
            return Err(WebError::NotFound(None));
        }
        let view = published_population(&st.catalog.context(), &site.plans).await?;
        let s = view.scenario(&id).ok_or(WebError::NotFound(None))?;
        let years: Vec<i32> = s
            .record
            .result
            .as_ref()
            .map(|r| r.years.iter().map(|p| p.year).collect())
            .unwrap_or_default();
        let year = chosen_year(&years, query.year.as_deref())?;
        let href = scenario_href(id.as_str());
        Ok(ScenarioPage {
            layout: Layout::new(&site, &s.record.scenario.name, &href)
                .crumbs(&[("人口ビジョン", HOME.to_owned())])
                .sample(s.record.scenario.sample),
            name: s.record.scenario.name.clone(),
            description: s.record.scenario.description.clone(),
            rule: s.rule(),
            notes: s
                .record
                .result
                .as_ref()
                .map(|r| r.notes.clone())
                .unwrap_or_default(),
            years: years
                .iter()
                .map(|y| YearChoice {
                    label: y.to_string(),
                    href: format!("{href}?year={y}#pyramid"),
                    current: *y == year,
                })
                .collect(),
            year_label: calendar_year(year),
            pyramid: pyramid(s, year, "pyramid-chart", WIDE),
            pyramid_narrow: pyramid(s, year, "pyramid-chart-narrow", NARROW),
            ages: age_table(s, year),
            summary: summary_table(s),
        }
        .render()?)
    })
    .await
}

/// A file to download: `ascii` names it for old clients, `name` (UTF-8) for the others.
pub(crate) fn attachment(
    bytes: Vec<u8>,
    media_type: &'static str,
    ascii: &str,
    name: &str,
) -> Result<Response, WebError> {
    let extension = name.rsplit('.').next().unwrap_or("bin");
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{encoded}"
        ))
        .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(response)
}

#[derive(Deserialize)]
struct DownloadQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    table: Option<String>,
}

/// `GET /population/download?format=xlsx|csv|csv-sjis&table=summary|detail|comparison`: the
/// public scenarios' results as open data.
async fn download(
    State(state): State<AppState>,
    Query(query): Query<DownloadQuery>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    if !site.population_public() {
        return Err(WebError::NotFound(None));
    }
    let format =
        ResultFormat::from_names(&query.format, query.table.as_deref()).ok_or_else(|| {
            WebError::BadRequest("ファイルの形式（format）または表（table）が不正です。".to_owned())
        })?;
    let view = published_population(&state.catalog.context(), &site.plans).await?;
    let bytes = export_results(&view, &site.municipality.name, format).map_err(|e| match e {
        keikaku_app::AppError::Invalid(p) => WebError::Invalid(
            p.into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => other.into(),
    })?;
    attachment(
        bytes,
        format.media_type(),
        "population-results",
        &format.file_name(),
    )
}

/// The downloads a page offers: (href, label).
pub(crate) fn downloads(base: &str) -> Vec<(String, &'static str)> {
    [
        ("format=xlsx", "Excel（.xlsx、3つの表）"),
        ("format=csv&table=summary", "CSV：総人口と年齢3区分"),
        ("format=csv&table=detail", "CSV：男女・年齢5歳階級別"),
        ("format=csv&table=comparison", "CSV：目標・実績・推計の比較"),
    ]
    .into_iter()
    .map(|(q, label)| (format!("{base}?{q}"), label))
    .collect()
}
