//! The verification round through the router: a department's analysis page (its own
//! indicators only, a bad choice back next to its indicator with a summary, saved, 提出), the
//! planning office's board (差戻し needs a comment, the department sees it), the panel's page,
//! publication confirmed by a checkbox and only when every department is approved, the
//! public report (404 before), re-opening keeping the published text until republication.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::kpi::{move_department, round};
use keikaku_domain::PlanId;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{RoundStep, SubmissionState};

const PASSWORD: &str = "correct horse battery";
const BASE: &str = "/staff/plans/sogo-senryaku/kpi/2016";
const PUBLIC: &str = "/plans/sogo-senryaku/kpi/2016";

fn user(login: &str, role: Role, department: &str) -> User {
    User {
        login_id: LoginId::parse(login).unwrap(),
        display_name: "検証 花子".to_owned(),
        department: department.to_owned(),
        roles: vec![role],
        disabled: false,
    }
}

async fn add(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    keikaku_app::auth::create_user(
        &app.catalog.context(),
        &Operator::at_console(),
        user(login, role, department),
        PASSWORD,
        common::at(),
    )
    .await
    .unwrap();
    app.sign_in(login, PASSWORD).await
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {page}"))
        + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// Submits and approves every department not approved yet, through the use cases.
async fn approve_all(app: &TestApp) {
    let cx = app.catalog.context();
    let plan = PlanId::parse("sogo-senryaku").unwrap();
    let year = FiscalYear::new(2016).unwrap();
    let office = |action| {
        Granted::check(user("kikaku", Role::PlanningOffice, "政策企画課"), action).unwrap()
    };
    let view = round(&cx, &office(Action::ReviewKpiRound), &plan, year)
        .await
        .unwrap();
    for d in &view.departments {
        let mut revision = d.revision;
        if d.state.editable() {
            move_department(
                &cx,
                &office(Action::SubmitKpiRound),
                &plan,
                year,
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
                &plan,
                year,
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

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: a round through its pages
async fn a_round_through_its_pages() {
    let app = TestApp::new().await;
    let kodomo = add(&app, "kodomo", Role::DepartmentEditor, "こども家庭課").await;
    let kikaku = add(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let iin = add(&app, "iin", Role::Member, "").await;
    let dept = [("keikaku_session", kodomo.as_str())];
    let office = [("keikaku_session", kikaku.as_str())];
    let member = [("keikaku_session", iin.as_str())];

    // The department's page: its own indicators only; the overview links to it.
    let (status, _, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/kpi", &dept)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("{BASE}/analysis")), "{page}");
    assert!(!page.contains(&format!("{BASE}/review")));
    let analysis = format!("{BASE}/analysis");
    let (status, _, page) = app.get_with_cookies(&analysis, &dept).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("合計特殊出生率"));
    assert!(
        !page.contains("観光入込客数"),
        "another department's indicator"
    );
    assert!(page.contains("<label for=\"analysis-target-3-1\">要因分析</label>"));
    let csrf = hidden(&page, "csrf");

    // A choice that is not offered: 422, the message by its indicator and in the summary.
    let bad = [
        ("csrf", csrf.as_str()),
        ("revision.target-3-1", "0"),
        ("analysis.target-3-1", "出生数の減少 <b>"),
        ("course.target-3-1", "grow"),
    ];
    let (status, _, page) = app.post_form(&analysis, &bad, &dept).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("href=\"#row-target-3-1\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    common::assert_shows_escaped("what was typed", &page, "出生数の減少 <b>");
    let good = [
        ("csrf", csrf.as_str()),
        ("revision.target-3-1", "0"),
        ("analysis.target-3-1", "出生数の減少が続いた"),
        ("course.target-3-1", "expand"),
    ];
    let (status, headers, body) = app.post_form(&analysis, &good, &dept).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = app
        .get_with_cookies(headers["location"].to_str().unwrap(), &dept)
        .await;
    assert!(page.contains("保存しました"));
    assert!(page.contains("<option value=\"expand\" selected>拡充</option>"));
    // The same form again is stale: 409, the text kept.
    let (status, _, page) = app.post_form(&analysis, &good, &dept).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("ほかの人がこの内容を変更しています"));
    // 提出.
    let revision = hidden(&page, "revision");
    let (status, _, body) = app
        .post_form(
            &format!("{BASE}/submit"),
            &[
                ("csrf", &csrf),
                ("department", "こども家庭課"),
                ("revision", &revision),
            ],
            &dept,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = app.get_with_cookies(&analysis, &dept).await;
    assert!(page.contains("<td>提出済み</td>"), "{page}");
    assert!(
        !page.contains("name=\"analysis.target-3-1\""),
        "no editing after 提出"
    );
    // The department may not open the board, the panel's page or publish.
    for path in ["review", "panel", "responses"] {
        let (status, _, _) = app.get_with_cookies(&format!("{BASE}/{path}"), &dept).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }

    // The board: こども家庭課 submitted, the others still missing their analyses.
    let review = format!("{BASE}/review");
    let (status, _, page) = app.get_with_cookies(&review, &office).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<th scope=\"row\">こども家庭課</th><td>提出済み</td>"),
        "{page}"
    );
    assert!(page.contains("<th scope=\"row\">商工労働課</th><td>未提出</td>"));
    assert!(page.contains("すべての所管課を承認すると公表できます"));
    let csrf = hidden(&page, "csrf");
    let ret = |comment: &'static str, revision: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("department", "こども家庭課".to_owned()),
            ("step", "return".to_owned()),
            ("comment", comment.to_owned()),
            ("revision", revision.to_owned()),
        ]
    };
    let form = ret("", "1");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = app.post_form(&review, &pairs, &office).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("差戻しの理由"));
    let form = ret("根拠の数値を追記してください", "1");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = app.post_form(&review, &pairs, &office).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = app.get_with_cookies(&analysis, &dept).await;
    assert!(page.contains("根拠の数値を追記してください"));
    assert!(page.contains("<td>差戻し</td>"));

    // The panel: a remark and the overall opinion.
    let panel = format!("{BASE}/panel");
    let (status, _, page) = app.get_with_cookies(&panel, &member).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("出生数の減少が続いた"),
        "the department's analysis"
    );
    let csrf_m = hidden(&page, "csrf");
    let (status, _, body) = app
        .post_form(
            &panel,
            &[
                ("csrf", &csrf_m),
                ("revision.target-3-1", "1"),
                ("rating.target-3-1", "needs_improvement"),
                ("remark.target-3-1", "若い世代への周知を"),
                ("opinion_revision", "0"),
                ("opinion", "おおむね順調である"),
            ],
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Publication: not before every department is approved, and only when confirmed.
    let (status, _, _) = app.get(PUBLIC).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let publish = format!("{BASE}/publish");
    let (status, _, page) = app
        .post_form(
            &publish,
            &[("csrf", &csrf), ("round_revision", "1"), ("confirm", "yes")],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("承認されていない所管課があります"));
    approve_all(&app).await;
    let (status, _, page) = app
        .post_form(
            &publish,
            &[("csrf", &csrf), ("round_revision", "1")],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("href=\"#confirm\""));
    let (status, _, body) = app
        .post_form(
            &publish,
            &[("csrf", &csrf), ("round_revision", "1"), ("confirm", "yes")],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, page) = app.get(PUBLIC).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("おおむね順調である"));
    assert!(page.contains("若い世代への周知を"));
    assert!(page.contains("出生数の減少が続いた"));
    assert!(page.contains("拡充"));
    assert!(page.contains("<th scope=\"col\">市の対応方針</th>"));
    let (_, _, plan_page) = app.get("/plans/sogo-senryaku").await;
    assert!(
        plan_page.contains(&format!("href=\"{PUBLIC}\"")),
        "{plan_page}"
    );

    // Re-opened: the public keeps the published text until it is published again.
    let (_, _, page) = app.get_with_cookies(&review, &office).await;
    let revision = hidden(&page, "round_revision");
    let (status, _, body) = app
        .post_form(
            &format!("{BASE}/reopen"),
            &[
                ("csrf", &csrf),
                ("round_revision", &revision),
                ("confirm", "yes"),
            ],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = app.get_with_cookies(&panel, &member).await;
    let opinion_revision = hidden(&page, "opinion_revision");
    let (status, _, body) = app
        .post_form(
            &panel,
            &[
                ("csrf", &csrf_m),
                ("opinion_revision", &opinion_revision),
                ("opinion", "改めて検証した"),
            ],
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = app.get(PUBLIC).await;
    assert!(page.contains("おおむね順調である") && !page.contains("改めて検証した"));
    let (_, _, page) = app.get_with_cookies(&review, &office).await;
    let revision = hidden(&page, "round_revision");
    let (status, _, body) = app
        .post_form(
            &publish,
            &[
                ("csrf", &csrf),
                ("round_revision", &revision),
                ("confirm", "yes"),
            ],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = app.get(PUBLIC).await;
    assert!(page.contains("改めて検証した"), "{page}");
    assert!(page.contains("第2版"));
}
