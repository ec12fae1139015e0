//! The public KPI pages through the router: the dashboard (`/plans/{plan}/kpi`: the latest
//! published year's grade counts per group, indicators behind and 未把握; a plan with nothing
//! published says so), the page of an indicator (its chart and table of published years only:
//! values, analyses and remarks of an open or re-opened round never appear), 404s, escaping,
//! and the links from the plan's pages and the report.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use keikaku_app::access::{Action, Granted};
use keikaku_app::kpi::{
    PanelInput, move_department, publish, published_report, reopen, round, save_panel,
};
use keikaku_domain::PlanId;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{RoundStep, SubmissionState};

const DASHBOARD: &str = "/plans/sogo-senryaku/kpi";
const INDICATOR: &str = "/plans/sogo-senryaku/kpi/indicators/kpi-1-1-1";
const REMARK: &str = "<b>\"周知\"</b> & 立地の支援を";

fn grant(role: Role, action: Action) -> Granted {
    let user = User {
        login_id: LoginId::parse("kikaku").unwrap(),
        display_name: "検証 花子".to_owned(),
        department: "政策企画課".to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, action).unwrap()
}

fn plan() -> PlanId {
    PlanId::parse("sogo-senryaku").unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// The panel's remark on kpi-1-1-1 in the round of 2018.
async fn remark(app: &TestApp, text: &str) {
    let cx = app.catalog.context();
    let view = round(
        &cx,
        &grant(Role::Member, Action::AssessKpiRound),
        &plan(),
        fy(2018),
    )
    .await
    .unwrap();
    let revision = view.assessment("kpi-1-1-1").map_or(0, |a| a.revision);
    save_panel(
        &cx,
        &grant(Role::Member, Action::AssessKpiRound),
        &plan(),
        fy(2018),
        &[PanelInput {
            indicator: "kpi-1-1-1".to_owned(),
            rating: "needs_improvement".to_owned(),
            remark: text.to_owned(),
            revision: revision.to_string(),
        }],
        None,
        common::at(),
    )
    .await
    .unwrap();
    app.catalog.invalidate().await.unwrap();
}

/// Approves every department of 2018 and publishes (or, `false`, re-opens) the round.
async fn publish_2018(app: &TestApp, publish_it: bool) {
    let cx = app.catalog.context();
    let office = |a| grant(Role::PlanningOffice, a);
    let view = round(&cx, &office(Action::ReviewKpiRound), &plan(), fy(2018))
        .await
        .unwrap();
    if publish_it {
        for d in &view.departments {
            let mut revision = d.revision;
            if d.state.editable() {
                move_department(
                    &cx,
                    &office(Action::SubmitKpiRound),
                    &plan(),
                    fy(2018),
                    &d.department,
                    RoundStep::Submit,
                    "",
                    revision,
                    common::at(),
                )
                .await
                .unwrap();
                revision += 1;
            }
            if d.state != SubmissionState::Approved {
                move_department(
                    &cx,
                    &office(Action::ReviewKpiRound),
                    &plan(),
                    fy(2018),
                    &d.department,
                    RoundStep::Approve,
                    "",
                    revision,
                    common::at(),
                )
                .await
                .unwrap();
            }
        }
    }
    let view = round(&cx, &office(Action::ReviewKpiRound), &plan(), fy(2018))
        .await
        .unwrap();
    let publisher = office(Action::PublishKpiRound);
    let (plan, revision) = (plan(), view.round.revision);
    if publish_it {
        publish(&cx, &publisher, &plan, fy(2018), revision, common::at()).await
    } else {
        reopen(&cx, &publisher, &plan, fy(2018), revision, common::at()).await
    }
    .unwrap();
    app.catalog.invalidate().await.unwrap();
}

/// The rows of the points table that are actuals.
fn actual_rows(page: &str) -> usize {
    common::count(page, "</th><td>実績値")
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: from the example's 2017 to a re-opened 2018
async fn the_public_sees_published_years_only() {
    let app = TestApp::new().await;

    // The example has published 2017; 2018 is being verified (analysis entered, values too).
    let (status, _, page) = app.get(INDICATOR).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<svg viewBox="), "{page}");
    assert!(page.contains("role=\"img\""));
    assert!(page.contains("グラフの値"));
    assert_eq!(actual_rows(&page), 1, "{page}");
    assert!(page.contains("平成29年度（2017年度）"));
    assert!(!page.contains("立地件数は前年度並みで推移した"), "{page}");
    assert!(
        !page.contains("速報値"),
        "2018 is provisional and not published: {page}"
    );
    let (_, _, dash) = app.get(DASHBOARD).await;
    assert!(dash.contains("平成29年度（2017年度）"), "{dash}");
    assert!(!dash.contains("平成30年度（2018年度）"), "{dash}");
    assert!(dash.contains("href=\"/plans/sogo-senryaku/kpi/2017\""));

    // A remark written in the open round does not reach the public.
    remark(&app, REMARK).await;
    for path in [INDICATOR, DASHBOARD, "/plans/sogo-senryaku/kpi/2017"] {
        let (_, _, page) = app.get(path).await;
        assert!(!common::unescape(&page).contains(REMARK), "{path}");
    }
    let (status, _, _) = app.get("/plans/sogo-senryaku/kpi/2018").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Published: the year, its provisional actual and the remark, escaped.
    publish_2018(&app, true).await;
    let (_, _, page) = app.get(INDICATOR).await;
    assert_eq!(actual_rows(&page), 2, "{page}");
    assert!(page.contains("実績値（速報値）"), "{page}");
    assert!(page.contains("kpi-chart__actual--provisional"));
    common::assert_shows_escaped("the remark", &page, REMARK);
    assert!(page.contains("改善が必要である"));
    assert!(page.contains("立地件数は前年度並みで推移した"));
    assert!(page.contains("href=\"/plans/sogo-senryaku/kpi/2018\""));
    let (_, _, dash) = app.get(DASHBOARD).await;
    assert!(dash.contains("平成30年度（2018年度）、"), "{dash}");
    let (_, _, report) = app.get("/plans/sogo-senryaku/kpi/2018").await;
    assert!(
        report.contains(&format!("href=\"{INDICATOR}\"")),
        "{report}"
    );
    common::assert_shows_escaped("the remark in the report", &report, REMARK);

    // Re-opened and changed: the public keeps the published text.
    publish_2018(&app, false).await;
    remark(&app, "改めた指摘事項").await;
    for path in [INDICATOR, DASHBOARD, "/plans/sogo-senryaku/kpi/2018"] {
        let (status, _, page) = app.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!page.contains("改めた指摘事項"), "{path}");
    }
    let (_, _, page) = app.get(INDICATOR).await;
    common::assert_shows_escaped("the kept remark", &page, REMARK);
}

#[tokio::test]
async fn the_dashboard_counts_the_published_grades() {
    let app = TestApp::new().await;
    let report = published_report(&app.catalog.context(), &plan(), fy(2017))
        .await
        .unwrap()
        .unwrap();
    let (status, _, page) = app.get(DASHBOARD).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let tallies = report.tallies();
    assert!(tallies.len() > 2, "groups and the plan: {tallies:?}");
    for t in &tallies {
        let cells: String = t
            .tally
            .counts
            .iter()
            .map(|(_, n)| *n)
            .chain([t.tally.unevaluable, t.tally.total()])
            .map(|n| format!("<td class=\"num\">{n}</td>"))
            .collect();
        let class = if t.depth == 0 {
            String::new()
        } else {
            format!(" class=\"kpi-tally__depth-{}\"", t.depth)
        };
        let row = format!(
            "<th scope=\"row\"{class}>{}</th>{cells}</tr>",
            common::escape(&t.label)
        );
        assert!(page.contains(&row), "{row} in {page}");
    }
    for g in &report.grades {
        assert!(page.contains(&format!("<th scope=\"col\">{g}</th>")));
    }
    assert!(page.contains("<th scope=\"col\">評価不能</th>"));
    // Behind and 未把握, each linking to its indicator.
    for l in report.lines.iter().filter(|l| l.behind == Some(true)) {
        assert!(page.contains(&format!(
            "<th scope=\"row\"><a href=\"/plans/sogo-senryaku/kpi/indicators/{}\">{}</a></th>",
            l.indicator,
            common::escape(&l.title)
        )));
    }
    let behind = report
        .lines
        .iter()
        .filter(|l| l.behind == Some(true))
        .count();
    assert!(behind > 0);
    let missing: Vec<_> = report
        .lines
        .iter()
        .filter(|l| l.actual.is_empty())
        .collect();
    assert!(!missing.is_empty());
    assert!(page.contains("実績値が未把握の指標"));
    let section = &page[page.find("dash-missing-heading").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert_eq!(common::count(section, "<th scope=\"row\">"), missing.len());
    for l in missing {
        assert!(section.contains(&common::escape(&l.title)), "{section}");
    }
    let section = &page[page.find("dash-behind-heading").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert_eq!(common::count(section, "<th scope=\"row\">"), behind);
    // The report of the year shows the same dashboard.
    let (_, _, year) = app.get("/plans/sogo-senryaku/kpi/2017").await;
    assert!(year.contains("評価の集計") && year.contains("計画全体"));
}

#[tokio::test]
async fn a_plan_without_results_unknown_indicators_and_links() {
    let app = TestApp::new().await;
    let (status, _, page) = app.get("/plans/sogo-keikaku/kpi").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("まだ公表されていません"), "{page}");
    for path in [
        "/plans/sogo-senryaku/kpi/indicators/no-such-indicator",
        "/plans/sogo-senryaku/kpi/indicators/strategy-measure-1-1",
        "/plans/sogo-senryaku/kpi/indicators/outcome-3-1-2-1",
        "/plans/sogo-senryaku/kpi/indicators/%3Cb%3E",
        "/plans/no-such-plan/kpi",
        "/plans/no-such-plan/kpi/indicators/kpi-1-1-1",
    ] {
        let (status, _, _) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // An indicator of the comprehensive plan: its definition and chart, nothing published.
    let (status, _, page) = app
        .get("/plans/sogo-keikaku/kpi/indicators/outcome-3-1-2-1")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("この指標の効果検証の結果は、まだ公表されていません。"));
    assert_eq!(actual_rows(&page), 0);
    // Linked from the plan's page and from the pages that list the indicators.
    let (_, _, plan_page) = app.get("/plans/sogo-senryaku").await;
    assert!(
        plan_page.contains(&format!("href=\"{DASHBOARD}\"")),
        "{plan_page}"
    );
    let (_, _, keikaku) = app.get("/plans/sogo-keikaku").await;
    assert!(keikaku.contains("href=\"/plans/sogo-keikaku/kpi\""));
    let (_, _, measure) = app
        .get("/plans/sogo-senryaku/strategy-measures/strategy-measure-1-1")
        .await;
    assert!(
        measure.contains(&format!("href=\"{INDICATOR}\"")),
        "{measure}"
    );
}
