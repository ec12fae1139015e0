//! KPIs on the staff side: a plan's evaluation (every indicator with its latest actual,
//! progress or achievement and grade, and the grade counts of every group — objective, goal,
//! field, measure — in the table the public dashboard uses too, `crate::tally`), a page per indicator
//! with its chart and yearly table, and the entry of a fiscal year's values (`entry`).
//!
//! - `GET /staff/plans/{plan}/kpi`: the evaluation, with the years to enter.
//! - `GET /staff/plans/{plan}/kpi/indicators/{id}`: one indicator.
//! - `GET|POST /staff/plans/{plan}/kpi/{year}`: the entry sheet of a fiscal year.
//! - `GET /staff/plans/{plan}/kpi/sheet`, `POST …/kpi/import`, `POST …/kpi/import/apply`: the
//!   KPI評価シート downloaded, and a filled-in sheet uploaded, previewed and stored (`sheet`).
//! - the verification round of a fiscal year (`round`, `review`): `…/{year}/analysis` (所管課),
//!   `…/{year}/submit`, `…/{year}/review` (the completeness board, 承認・差戻し),
//!   `…/{year}/panel` (委員), `…/{year}/responses` (対応方針), `…/{year}/publish|reopen`.

mod entry;
mod review;
mod round;
mod settings;
mod sheet;

pub(crate) use sheet::MAX_SHEET_BYTES;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::kpi::{Evaluation, IndicatorReport};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{Outcome, Reference, YearResult};
use keikaku_domain::{PlanId, format};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::AppState;
use crate::charts::{Chart, indicator_chart};
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::routes::{Route, route};
use crate::staff::extract::StaffUser;
use crate::staff::private_page;
use crate::staff::staff_layout;
use crate::tally::{TallyTable, tally_table};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff/plans/{plan}/kpi" => overview, ReadDrafts, "/staff/plans/sogo-senryaku/kpi"),
    route!(
        GET "/staff/plans/{plan}/kpi/indicators/{id}" => indicator_page,
        ReadDrafts,
        "/staff/plans/sogo-senryaku/kpi/indicators/kpi-2-1-1"
    ),
    route!(
        GET "/staff/plans/{plan}/kpi/settings" => settings::settings_page,
        ManageKpiSettings,
        "/staff/plans/sogo-senryaku/kpi/settings"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/settings" => settings::settings_save,
        ManageKpiSettings,
        "/staff/plans/sogo-senryaku/kpi/settings"
    ),
    route!(
        GET "/staff/plans/{plan}/kpi/sheet" => sheet::download,
        ReadDrafts,
        "/staff/plans/sogo-senryaku/kpi/sheet?format=xlsx"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/import" => sheet::upload,
        EnterKpiValues,
        "/staff/plans/sogo-senryaku/kpi/import"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/import/apply" => sheet::apply,
        EnterKpiValues,
        "/staff/plans/sogo-senryaku/kpi/import/apply"
    ),
    route!(
        GET "/staff/plans/{plan}/kpi/{year}" => entry::entry_page,
        EnterKpiValues,
        "/staff/plans/sogo-senryaku/kpi/2019"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}" => entry::entry_save,
        EnterKpiValues,
        "/staff/plans/sogo-senryaku/kpi/2019"
    ),
    route!(
        GET "/staff/plans/{plan}/kpi/{year}/analysis" => round::analysis_page,
        EnterKpiAnalysis,
        "/staff/plans/sogo-senryaku/kpi/2017/analysis"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}/analysis" => round::analysis_save,
        EnterKpiAnalysis,
        "/staff/plans/sogo-senryaku/kpi/2017/analysis"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}/submit" => review::submit,
        SubmitKpiRound,
        "/staff/plans/sogo-senryaku/kpi/2017/submit"
    ),
    route!(
        GET "/staff/plans/{plan}/kpi/{year}/review" => review::review_page,
        ReviewKpiRound,
        "/staff/plans/sogo-senryaku/kpi/2017/review"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}/review" => review::review_save,
        ReviewKpiRound,
        "/staff/plans/sogo-senryaku/kpi/2017/review"
    ),
    route!(
        GET "/staff/plans/{plan}/kpi/{year}/panel" => round::panel_page,
        AssessKpiRound,
        "/staff/plans/sogo-senryaku/kpi/2017/panel"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}/panel" => round::panel_save,
        AssessKpiRound,
        "/staff/plans/sogo-senryaku/kpi/2017/panel"
    ),
    route!(
        GET "/staff/plans/{plan}/kpi/{year}/responses" => round::responses_page,
        RespondKpiRemarks,
        "/staff/plans/sogo-senryaku/kpi/2017/responses"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}/responses" => round::responses_save,
        RespondKpiRemarks,
        "/staff/plans/sogo-senryaku/kpi/2017/responses"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}/publish" => review::publish_round,
        PublishKpiRound,
        "/staff/plans/sogo-senryaku/kpi/2017/publish"
    ),
    route!(
        POST "/staff/plans/{plan}/kpi/{year}/reopen" => review::reopen_round,
        PublishKpiRound,
        "/staff/plans/sogo-senryaku/kpi/2017/reopen"
    ),
];

/// The layout of a KPI page, with its breadcrumbs.
pub(crate) fn kpi_href(plan: &PlanId) -> String {
    format!("/staff/plans/{plan}/kpi")
}

fn indicator_href(plan: &PlanId, id: &str) -> String {
    format!("/staff/plans/{plan}/kpi/indicators/{id}")
}

/// How an outcome reads in a table cell: the rate and what it was measured against, the band,
/// or why it cannot be evaluated.
pub(crate) fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Rate { percent, against } => {
            let against = match against {
                Reference::Target(_) => "",
                Reference::Interim { stated: true, .. } => "（中間目標に対して）",
                Reference::Interim { stated: false, .. } => "（目標までの按分に対して）",
            };
            format!(
                "{}{against}",
                format::percent(*percent, format::PERCENT_DECIMALS)
            )
        }
        Outcome::Maintained { within: true, .. } => "許容幅内（維持）".to_owned(),
        Outcome::Maintained { within: false, .. } => "許容幅外".to_owned(),
        Outcome::Unevaluable(why) => format!("評価不能（{}）", why.reason()),
    }
}

/// A value with its unit and the indicator's decimals; blank when missing.
pub(crate) fn value_text(r: &IndicatorReport, v: Option<Decimal>) -> String {
    v.map(|d| {
        format!(
            "{}{}",
            format::value(d, r.indicator.decimals),
            r.indicator.unit
        )
    })
    .unwrap_or_default()
}

struct Row {
    href: String,
    group: String,
    title: String,
    department: String,
    baseline: String,
    target: String,
    latest_year: String,
    latest: String,
    provisional: bool,
    rate: String,
    grade: String,
    behind: bool,
}

fn row(plan: &PlanId, e: &Evaluation, r: &IndicatorReport) -> Row {
    let latest: Option<&YearResult> = r.latest.as_ref();
    Row {
        href: indicator_href(plan, r.indicator.id.as_str()),
        group: r.groups.last().map(|g| g.label()).unwrap_or_default(),
        title: r.indicator.title.clone(),
        department: r.department.clone(),
        baseline: format::year_value_in(
            &r.indicator.baseline,
            &r.indicator.unit,
            r.indicator.decimals,
        ),
        target: format::year_value_in(&r.indicator.target, &r.indicator.unit, r.indicator.decimals),
        latest_year: latest
            .map(|l| format::fiscal_year_inline(l.year))
            .unwrap_or_default(),
        latest: latest.map_or_else(
            || e.settings.missing_label.clone(),
            |l| value_text(r, l.actual),
        ),
        provisional: latest.is_some_and(|l| l.provisional),
        rate: latest.map_or_else(
            || format!("評価不能（実績値が{}です。）", e.settings.missing_label),
            |l| outcome_text(&l.outcome),
        ),
        grade: r
            .grade
            .clone()
            .unwrap_or_else(|| keikaku_domain::kpi::UNEVALUABLE.to_owned()),
        behind: r.behind(),
    }
}

#[derive(Template)]
#[template(path = "staff/kpi_overview.html")]
struct OverviewPage {
    layout: Layout,
    plan_title: String,
    status: String,
    basis: String,
    grades: String,
    until: String,
    rows: Vec<Row>,
    pages: Pages,
    tally: TallyTable,
    years: Vec<(String, String)>,
    may_enter: bool,
    may_configure: bool,
    open: bool,
    plan_href: String,
    sheet_href: String,
    import_action: String,
    csrf: String,
    notice: Option<String>,
    /// Per fiscal year, the round's pages the user may open.
    rounds: Vec<(String, Vec<(String, &'static str)>)>,
}

/// The round pages of each year that these roles may open.
fn round_links(
    plan: &PlanId,
    years: &[FiscalYear],
    roles: &[keikaku_domain::account::Role],
) -> Vec<(String, Vec<(String, &'static str)>)> {
    use keikaku_app::access::{Action, permits};
    let pages = [
        (Action::EnterKpiAnalysis, "analysis", "要因分析・提出"),
        (Action::ReviewKpiRound, "review", "確認・公表"),
        (Action::AssessKpiRound, "panel", "有識者会議の評価"),
        (Action::RespondKpiRemarks, "responses", "対応方針"),
    ];
    let allowed: Vec<_> = pages
        .into_iter()
        .filter(|(a, _, _)| permits(Some(roles), *a))
        .collect();
    if allowed.is_empty() {
        return Vec::new();
    }
    years
        .iter()
        .map(|y| {
            (
                format::fiscal_year(*y),
                allowed
                    .iter()
                    .map(|(_, slug, label)| (round::round_href(plan, y.year(), slug), *label))
                    .collect(),
            )
        })
        .collect()
}

/// Indicator cards per page of the overview: a plan of thousands of indicators is read a
/// hundred at a time (the grade counts above always count them all).
const PER_PAGE: usize = 100;

/// Where the overview's page is in the list of indicators, and the links to its neighbours.
struct Pages {
    /// This page (1-based) and the number of pages.
    page: usize,
    last: usize,
    /// The indicators shown: `from..to` of `total`.
    from: usize,
    to: usize,
    total: usize,
    previous: Option<String>,
    next: Option<String>,
}

impl Pages {
    /// Page `page` (past the last: the last) of `total` indicators, linked under `base` with
    /// the evaluated year kept.
    fn of(total: usize, page: usize, base: &str, until: Option<&str>) -> Self {
        let last = total.div_ceil(PER_PAGE).max(1);
        let page = page.min(last);
        let from = (page - 1) * PER_PAGE;
        let to = (from + PER_PAGE).min(total);
        let href = |p: usize| {
            let mut query = Vec::new();
            if let Some(u) = until {
                query.push(format!(
                    "until={}",
                    percent_encoding::utf8_percent_encode(u, percent_encoding::NON_ALPHANUMERIC)
                ));
            }
            if p > 1 {
                query.push(format!("page={p}"));
            }
            if query.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{}", query.join("&"))
            }
        };
        Self {
            page,
            last,
            from,
            to,
            total,
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < last).then(|| href(page + 1)),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct UntilQuery {
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    imported: Option<String>,
}

fn parse_year(text: &str) -> Result<FiscalYear, WebError> {
    FiscalYear::parse(text).map_err(|_| WebError::NotFound(None))
}

/// `GET /staff/plans/{plan}/kpi`: the plan's indicators evaluated (optionally up to `?until=`).
async fn overview(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(query): Query<UntilQuery>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let until = query
        .until
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(parse_year)
        .transpose()?;
    let e = state.catalog.evaluation(&plan, until).await?;
    let page = match query.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or(WebError::NotFound(None))?,
    };
    let pages = Pages::of(
        e.indicators.len(),
        page,
        &format!("/staff/plans/{plan}/kpi"),
        query.until.as_deref().filter(|u| !u.trim().is_empty()),
    );
    let tally = tally_table(
        "tally",
        "段階ごとの指標数（目標・分野・施策ごと、計画全体）".to_owned(),
        e.group_tallies(),
    );
    let header = e.plan.header();
    let page = OverviewPage {
        layout: staff_layout(
            &state,
            &format!("{} のKPI評価", header.title),
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&header.title, format!("/staff/plans/{plan}")),
            ],
        )
        .await?,
        plan_title: header.title.clone(),
        status: header.status.label().to_owned(),
        basis: e.settings.scale.basis.label().to_owned(),
        grades: e.settings.scale.grades_text().replace('\n', "、"),
        until: format::fiscal_year(e.until),
        rows: e.indicators[pages.from..pages.to]
            .iter()
            .map(|r| row(&plan, &e, r))
            .collect(),
        pages,
        tally,
        years: e
            .years
            .iter()
            .map(|y| {
                (
                    format!("/staff/plans/{plan}/kpi/{}", y.year()),
                    format::fiscal_year(*y),
                )
            })
            .collect(),
        may_enter: keikaku_app::access::permits(
            Some(&signed.user.roles),
            keikaku_app::access::Action::EnterKpiValues,
        ),
        may_configure: keikaku_app::access::permits(
            Some(&signed.user.roles),
            keikaku_app::access::Action::ManageKpiSettings,
        ),
        open: keikaku_app::kpi::entry::open_for_entry(header.status),
        plan_href: format!("/staff/plans/{plan}"),
        sheet_href: format!("/staff/plans/{plan}/kpi/sheet"),
        import_action: format!("/staff/plans/{plan}/kpi/import"),
        csrf: signed.csrf.clone(),
        notice: query
            .imported
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| format!("シートから{n}件（指標×年度）の値を取り込みました。")),
        rounds: round_links(&plan, &e.years, &signed.user.roles),
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

struct YearRow {
    year: String,
    target: String,
    actual: String,
    provisional: bool,
    rate: String,
    note: String,
    entered: String,
}

#[derive(Template)]
#[template(path = "staff/kpi_indicator.html")]
struct IndicatorPage {
    layout: Layout,
    title: String,
    kind: String,
    place: String,
    department: String,
    unit: String,
    direction: String,
    indicator_type: String,
    baseline: String,
    target: String,
    grade: String,
    rate: String,
    chart: Chart,
    years: Vec<YearRow>,
    calculation_method: String,
    data_source: String,
    back: String,
}

/// `GET /staff/plans/{plan}/kpi/indicators/{id}`: one indicator, its chart and every year.
async fn indicator_page(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    _staff: StaffUser,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let e = state.catalog.evaluation(&plan, None).await?;
    let r = e.indicator(&id).ok_or(WebError::NotFound(None))?;
    let ind = &r.indicator;
    let years = r
        .years
        .iter()
        .map(|y| {
            let stored = r.value(y.year);
            YearRow {
                year: format::fiscal_year(y.year),
                target: value_text(r, y.target),
                actual: y.actual.map_or_else(
                    || e.settings.missing_label.clone(),
                    |a| value_text(r, Some(a)),
                ),
                provisional: y.provisional,
                rate: outcome_text(&y.outcome),
                note: stored.map(|v| v.note.clone()).unwrap_or_default(),
                entered: stored
                    .map(|v| {
                        format!(
                            "{}（{}）",
                            v.entered_by,
                            crate::clock::jst_label(v.entered_at)
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let header = e.plan.header();
    let page = IndicatorPage {
        layout: staff_layout(
            &state,
            &ind.title,
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&header.title, format!("/staff/plans/{plan}")),
                ("KPI評価", kpi_href(&plan)),
            ],
        )
        .await?,
        title: ind.title.clone(),
        kind: r.kind.label().to_owned(),
        place: r
            .groups
            .iter()
            .map(|g| g.label())
            .collect::<Vec<_>>()
            .join(" ＞ "),
        department: r.department.clone(),
        unit: ind.unit.clone(),
        direction: ind.direction.label().to_owned(),
        indicator_type: ind.indicator_type.label().to_owned(),
        baseline: format::year_value_in(&ind.baseline, &ind.unit, ind.decimals),
        target: format::year_value_in(&ind.target, &ind.unit, ind.decimals),
        grade: r
            .grade
            .clone()
            .unwrap_or_else(|| keikaku_domain::kpi::UNEVALUABLE.to_owned()),
        rate: r.latest.as_ref().map_or_else(
            || format!("評価不能（実績値が{}です。）", e.settings.missing_label),
            |l| outcome_text(&l.outcome),
        ),
        chart: indicator_chart(r, &e.years),
        years,
        calculation_method: ind.calculation_method.clone(),
        data_source: ind.data_source.clone(),
        back: kpi_href(&plan),
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

#[cfg(test)]
mod tests {
    use super::Pages;

    #[test]
    fn pages_of_a_long_list() {
        let p = Pages::of(5_000, 1, "/staff/plans/p/kpi", None);
        assert_eq!(
            (p.page, p.last, p.from, p.to, p.total),
            (1, 50, 0, 100, 5_000)
        );
        assert_eq!(
            (p.previous, p.next.as_deref()),
            (None, Some("/staff/plans/p/kpi?page=2"))
        );
        let p = Pages::of(5_001, 99, "/b", Some("令和2年度"));
        assert_eq!((p.page, p.last, p.from, p.to), (51, 51, 5_000, 5_001));
        assert_eq!(
            p.previous.as_deref(),
            Some("/b?until=%E4%BB%A4%E5%92%8C2%E5%B9%B4%E5%BA%A6&page=50")
        );
        assert_eq!(p.next, None);
        let p = Pages::of(0, 1, "/b", None);
        assert_eq!((p.page, p.last, p.from, p.to), (1, 1, 0, 0));
        let p = Pages::of(200, 2, "/b", Some("2020"));
        assert_eq!(p.previous.as_deref(), Some("/b?until=2020"));
    }
}
