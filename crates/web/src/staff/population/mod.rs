//! The 人口ビジョン on the staff side: the overview (every scenario with its state, the chart
//! and tables of all results, the censuses, the vision's figures), the forms of the vision,
//! a census and a scenario, a scenario derived in one action, the runs, and the files.
//!
//! - `GET /staff/population` (`ReadPopulation`), `POST …/run` (every scenario that needs it),
//!   `POST …/derive` (a scenario derived from another, projected at once), `GET …/download`.
//! - `GET|POST /staff/population/vision` (`vision`): the target path, actual totals,
//!   references, the strategy's indicators, public or not; `POST …/vision/actuals` (a sheet).
//! - `GET …/censuses/new`, `POST …/censuses`, `GET|POST …/censuses/{year}`,
//!   `POST …/censuses/{year}/delete`, `POST …/censuses/upload`, `GET …/censuses/template`
//!   (`census`).
//! - `GET …/scenarios/new`, `POST …/scenarios`, `GET|POST …/scenarios/{id}`,
//!   `POST …/scenarios/{id}/run`, `POST …/scenarios/{id}/delete` (`scenario`).
//!
//! Every write goes through `keikaku_app::population` (`ManagePopulation`), shows every
//! problem next to its field, and keeps what was typed; the public site's view is reloaded
//! after each.

mod census;
mod forms;
mod scenario;
mod vision;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::auth::Signed;
use keikaku_app::population::{
    PopulationView, ResultFormat, derive_scenario, export_results, population, run_all,
};
use keikaku_domain::format::calendar_year;
use keikaku_domain::population::{Basis, ScenarioId};
use serde::Deserialize;

use crate::AppState;
use crate::charts::population::{LinesChart, NARROW, WIDE, lines, people};
use crate::clock::now;
use crate::error::WebError;
use crate::population_view::{ScenarioLine, Table, VisionTables, scenario_lines};
use crate::public::population::{attachment, headlines};
use crate::routes::{Route, route};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff/population" => overview_page, ReadPopulation, "/staff/population"),
    route!(POST "/staff/population/run" => run_everything, ManagePopulation, "/staff/population/run"),
    route!(POST "/staff/population/derive" => derive, ManagePopulation, "/staff/population/derive"),
    route!(GET "/staff/population/download" => download, ReadPopulation, "/staff/population/download?format=xlsx"),
    route!(GET "/staff/population/vision" => vision::vision_page, ManagePopulation, "/staff/population/vision"),
    route!(POST "/staff/population/vision" => vision::save, ManagePopulation, "/staff/population/vision"),
    route!(POST "/staff/population/vision/actuals" => vision::upload_actuals, ManagePopulation, "/staff/population/vision/actuals"),
    route!(GET "/staff/population/censuses/new" => census::new_page, ManagePopulation, "/staff/population/censuses/new"),
    route!(POST "/staff/population/censuses" => census::create, ManagePopulation, "/staff/population/censuses"),
    route!(POST "/staff/population/censuses/upload" => census::upload, ManagePopulation, "/staff/population/censuses/upload"),
    route!(GET "/staff/population/censuses/template" => census::template, ReadPopulation, "/staff/population/censuses/template"),
    route!(GET "/staff/population/censuses/{year}" => census::census_page, ReadPopulation, "/staff/population/censuses/2020"),
    route!(POST "/staff/population/censuses/{year}" => census::save, ManagePopulation, "/staff/population/censuses/2020"),
    route!(POST "/staff/population/censuses/{year}/delete" => census::delete, ManagePopulation, "/staff/population/censuses/2020/delete"),
    route!(GET "/staff/population/scenarios/new" => scenario::new_page, ManagePopulation, "/staff/population/scenarios/new"),
    route!(POST "/staff/population/scenarios" => scenario::create, ManagePopulation, "/staff/population/scenarios"),
    route!(GET "/staff/population/scenarios/{id}" => scenario::scenario_page, ReadPopulation, "/staff/population/scenarios/kihon"),
    route!(POST "/staff/population/scenarios/{id}" => scenario::save, ManagePopulation, "/staff/population/scenarios/kihon"),
    route!(POST "/staff/population/scenarios/{id}/run" => scenario::run, ManagePopulation, "/staff/population/scenarios/kihon/run"),
    route!(POST "/staff/population/scenarios/{id}/delete" => scenario::delete, ManagePopulation, "/staff/population/scenarios/kihon/delete"),
];

pub(crate) const HOME: &str = "/staff/population";

pub(crate) fn scenario_href(id: &str) -> String {
    format!("{HOME}/scenarios/{id}")
}

pub(crate) fn census_href(year: i32) -> String {
    format!("{HOME}/censuses/{year}")
}

/// The trail of every page below the overview.
pub(crate) fn trail<'a>() -> Vec<(&'a str, String)> {
    vec![
        ("職員用ページ", "/staff".to_owned()),
        ("人口ビジョン", HOME.to_owned()),
    ]
}

/// A use case's refusal as lines for the page (conflicts, missing things, invalid input);
/// anything else is the error page.
pub(crate) fn problems_of(e: AppError) -> Result<(StatusCode, Vec<(String, String)>), WebError> {
    match e {
        AppError::Invalid(p) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            p.into_iter().map(|p| (p.path, p.message)).collect(),
        )),
        AppError::Conflict(m) => Ok((StatusCode::CONFLICT, vec![(String::new(), m)])),
        AppError::NotFound(m) => Ok((StatusCode::NOT_FOUND, vec![(String::new(), m)])),
        other => Err(other.into()),
    }
}

/// A census in the overview's list.
struct CensusLine {
    href: String,
    year: String,
    source: String,
    total: String,
    sample: bool,
}

#[derive(Template)]
#[template(path = "staff/population.html")]
struct OverviewPage {
    layout: Layout,
    csrf: String,
    notice: Option<String>,
    problems: Vec<String>,
    may_manage: bool,
    published: bool,
    latest_actual: Option<String>,
    last_target: Option<String>,
    chart: LinesChart,
    chart_narrow: LinesChart,
    totals: Table,
    gaps: Option<Table>,
    scenarios: Vec<ScenarioLine>,
    needs_run: bool,
    assumed: Vec<(String, String)>,
    censuses: Vec<CensusLine>,
    has_results: bool,
    /// What was typed into the derive form when it was refused (shown again, the form open).
    derive: Typed,
}

/// The derive form as typed: empty on a plain visit.
#[derive(Debug, Default)]
struct Typed {
    open: bool,
    from: String,
    id: String,
    name: String,
    rule: String,
    factor: String,
    base_tfr: String,
    points: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    count: Option<usize>,
}

fn done_notice(q: &DoneQuery) -> Option<String> {
    Some(match q.done.as_deref()? {
        "run" => format!("{}件の推計を計算しました。", q.count.unwrap_or(0)),
        "derived" => "推計を作り、計算しました。".to_owned(),
        "census-deleted" => "人口を削除しました。".to_owned(),
        "scenario-deleted" => "推計を削除しました。".to_owned(),
        "vision" => "目標人口・実績人口を保存しました。".to_owned(),
        _ => return None,
    })
}

async fn overview(
    state: &AppState,
    granted: &Granted,
    signed: &Signed,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
    derive: Typed,
) -> Result<Response, WebError> {
    let view: PopulationView = population(&state.catalog.context(), granted).await?;
    let tables = VisionTables::of(&view);
    let (latest_actual, last_target) = headlines(&view);
    let page = OverviewPage {
        layout: staff_layout(
            state,
            "人口ビジョン",
            &[("職員用ページ", "/staff".to_owned())],
        )
        .await?,
        csrf: signed.csrf.clone(),
        notice,
        problems,
        may_manage: permits(Some(&signed.user.roles), Action::ManagePopulation),
        published: view.vision.as_ref().is_some_and(|v| v.vision.published),
        latest_actual,
        last_target,
        chart: lines(&tables.comparison, "population-chart", WIDE),
        chart_narrow: lines(&tables.comparison, "population-chart-narrow", NARROW),
        totals: tables.totals,
        gaps: tables.gaps,
        scenarios: scenario_lines(&view, scenario_href),
        needs_run: view.needs_run(),
        assumed: view
            .scenarios
            .iter()
            .filter(|s| matches!(s.record.scenario.basis, Basis::Assumed(_)))
            .map(|s| (s.id().to_string(), s.record.scenario.name.clone()))
            .collect(),
        censuses: view
            .censuses
            .iter()
            .map(|c| CensusLine {
                href: census_href(c.census.year),
                year: calendar_year(c.census.year),
                source: c.census.source.clone(),
                total: people(c.census.total() as f64),
                sample: c.census.sample,
            })
            .collect(),
        has_results: view.scenarios.iter().any(|s| s.record.result.is_some()),
        derive,
    };
    Ok(private_page(status, page.render()?))
}

/// `GET /staff/population`.
async fn overview_page(
    State(state): State<AppState>,
    Query(query): Query<DoneQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    overview(
        &state,
        &granted,
        &signed,
        StatusCode::OK,
        done_notice(&query),
        Vec::new(),
        Typed::default(),
    )
    .await
}

/// A form with nothing but the CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: Option<String>,
}

impl StaffFields for TokenForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST /staff/population/run`: every scenario whose result is missing or out of date.
async fn run_everything(
    State(state): State<AppState>,
    StaffForm {
        signed, granted, ..
    }: StaffForm<TokenForm>,
) -> Result<Response, WebError> {
    match run_all(&state.catalog.context(), &granted, now()?).await {
        Ok(count) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{HOME}?done=run&count={count}"))
        }
        Err(e) => {
            let (status, problems) = problems_of(e)?;
            overview(
                &state,
                &granted,
                &signed,
                status,
                None,
                problems.into_iter().map(|(_, m)| m).collect(),
                Typed::default(),
            )
            .await
        }
    }
}

/// The derive form: what from, the new scenario's id and name, and the rule with its
/// parameter.
#[derive(Debug, Deserialize)]
pub(crate) struct DeriveForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    factor: String,
    #[serde(default)]
    base_tfr: String,
    #[serde(default)]
    points: String,
}

impl StaffFields for DeriveForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST /staff/population/derive`.
async fn derive(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<DeriveForm>,
) -> Result<Response, WebError> {
    let read = (|| {
        let from = ScenarioId::parse(&form.from).map_err(|m| vec![m])?;
        let id = ScenarioId::parse(&form.id).map_err(|m| vec![m])?;
        let rule = forms::derivation(&form.rule, &form.factor, &form.base_tfr, &form.points)
            .map_err(|p| p.into_iter().map(|(_, m)| m).collect::<Vec<_>>())?;
        Ok::<_, Vec<String>>((from, id, rule))
    })();
    let outcome = match read {
        Ok((from, id, rule)) => derive_scenario(
            &state.catalog.context(),
            &granted,
            &from,
            id,
            form.name.clone(),
            rule,
            now()?,
        )
        .await
        .map_err(problems_of),
        Err(problems) => Err(Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            problems.into_iter().map(|m| (String::new(), m)).collect(),
        ))),
    };
    match outcome {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{HOME}?done=derived"))
        }
        Err(refused) => {
            let (status, problems) = refused?;
            overview(
                &state,
                &granted,
                &signed,
                status,
                None,
                problems.into_iter().map(|(_, m)| m).collect(),
                Typed {
                    open: true,
                    from: form.from,
                    id: form.id,
                    name: form.name,
                    rule: form.rule,
                    factor: form.factor,
                    base_tfr: form.base_tfr,
                    points: form.points,
                },
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DownloadQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    table: Option<String>,
}

/// `GET /staff/population/download?format=xlsx|csv|csv-sjis&table=summary|detail|comparison`:
/// every scenario's result, public or not.
async fn download(
    State(state): State<AppState>,
    Query(query): Query<DownloadQuery>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let format =
        ResultFormat::from_names(&query.format, query.table.as_deref()).ok_or_else(|| {
            WebError::BadRequest("ファイルの形式（format）または表（table）が不正です。".to_owned())
        })?;
    let cx = state.catalog.context();
    let view = population(&cx, &granted).await?;
    let site = state.catalog.site().await?;
    let bytes = export_results(&view, &site.municipality.name, format).map_err(|e| match e {
        AppError::Invalid(p) => WebError::Invalid(
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

/// The id of a scenario form's input (for the templates).
pub(crate) fn scenario_field_id(field: &str) -> String {
    scenario::id_of(field)
}
