//! The KPI pages through the router: the evaluation, an indicator's page with its chart, and
//! the entry sheet — a department editor sees its own indicators, a bad cell comes back next
//! to its field and writes nothing, a second writer meets the stored value (409), a form
//! without the CSRF token is refused.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use keikaku_domain::account::Role;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::KpiStore;

const PASSWORD: &str = "correct horse battery";

async fn add(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    app.add_staff(login, "入力 花子", role, department, PASSWORD)
        .await;
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

/// 令和元年度: the example has no sample values in it.
const ENTRY: &str = "/staff/plans/sogo-senryaku/kpi/2019";

/// The stored cells of 2019.
async fn stored(app: &TestApp) -> usize {
    app.store
        .kpi_values(
            &MunicipalityCode::parse("03209").unwrap(),
            &PlanId::parse("sogo-senryaku").unwrap(),
        )
        .await
        .unwrap()
        .iter()
        .filter(|v| v.fiscal_year.year() == 2019)
        .count()
}

#[tokio::test]
async fn a_department_enters_its_values_and_sees_them_evaluated() {
    let app = TestApp::new().await;
    let kanko = add(&app, "kanko", Role::DepartmentEditor, "観光物産課").await;
    let cookies = [("keikaku_session", kanko.as_str())];
    let (status, _, page) = app.get_with_cookies(ENTRY, &cookies).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("観光入込客数"));
    assert!(
        !page.contains("合計特殊出生率"),
        "another department's indicator"
    );
    let csrf = hidden(&page, "csrf");
    let (status, headers, body) = app
        .post_form(
            ENTRY,
            &[
                ("csrf", &csrf),
                ("department", ""),
                ("version.kpi-2-1-1", ""),
                ("actual.kpi-2-1-1", "３１２"),
                ("state.kpi-2-1-1", "confirmed"),
                ("target.kpi-2-1-1", ""),
                ("note.kpi-2-1-1", "観光統計"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = headers["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("saved=1"), "{location}");
    let (_, _, page) = app.get_with_cookies(&location, &cookies).await;
    assert!(page.contains("1件の指標の値を保存しました"));
    assert!(page.contains("value=\"312\""));
    // The evaluation and the indicator page show it: in 2019 the target 330 is the
    // reference, so 312 is (312 − 300) / (330 − 300) = 40 %.
    let (status, _, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/kpi", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("312.0万人回（令和元年度・2019年度）"),
        "{page}"
    );
    // The grade counts of every group: objectives, their measures (indented), the plan.
    assert!(
        page.contains(
            "<th scope=\"row\" class=\"kpi-tally__depth-1\">施策2-1　観光交流人口の拡大</th>"
        ),
        "{page}"
    );
    assert!(page.contains("<tr class=\"kpi-tally__total\"><th scope=\"row\">計画全体</th>"));
    // Entered, never published: the public indicator page does not show it.
    let (status, _, public) = app
        .get("/plans/sogo-senryaku/kpi/indicators/kpi-2-1-1")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!public.contains("312.0万人回"), "{public}");
    let (status, _, page) = app
        .get_with_cookies(
            "/staff/plans/sogo-senryaku/kpi/indicators/kpi-2-1-1",
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"));
    assert!(page.contains("<title id=\"chart-kpi-2-1-1-title\">観光入込客数の推移</title>"));
    assert!(page.contains("40.0%"), "{page}");
    assert!(page.contains("観光統計"));
    // Without the CSRF token nothing is written.
    let (status, _, _) = app
        .post_form(ENTRY, &[("actual.kpi-2-1-1", "1")], &cookies)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app).await, 1);
}

#[tokio::test]
async fn a_bad_cell_comes_back_and_a_late_writer_sees_the_stored_value() {
    let app = TestApp::new().await;
    let kikaku = add(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let cookies = [("keikaku_session", kikaku.as_str())];
    let (_, _, page) = app.get_with_cookies(ENTRY, &cookies).await;
    let csrf = hidden(&page, "csrf");
    let (status, _, page) = app
        .post_form(
            ENTRY,
            &[
                ("csrf", &csrf),
                ("actual.kpi-2-1-1", "31o"),
                ("actual.kpi-3-1-1", "18"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("観光入込客数の実績値: 「31o」は数値として読めません。"),
        "{page}"
    );
    assert!(page.contains("href=\"#cell-kpi-2-1-1\""));
    assert!(page.contains("value=\"31o\""), "what was typed stays");
    assert_eq!(stored(&app).await, 0);
    // Two forms opened on an empty cell: the first save wins, the second sees it.
    let first = [("csrf", csrf.as_str()), ("actual.kpi-3-1-1", "18")];
    let (status, _, _) = app.post_form(ENTRY, &first, &cookies).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = [("csrf", csrf.as_str()), ("actual.kpi-3-1-1", "17")];
    let (status, _, page) = app.post_form(ENTRY, &second, &cookies).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("ほかの人が先に保存しました"));
    assert!(
        page.contains("保存されている値: 目標値 なし、実績値 18人"),
        "{page}"
    );
    assert!(page.contains("value=\"17\""));
    // The form now carries the stored version: saving again is a choice made in view of both.
    assert_eq!(hidden(&page, "version.kpi-3-1-1"), "1");
}

#[tokio::test]
async fn a_sheet_is_downloaded_uploaded_previewed_and_stored() {
    let app = TestApp::new().await;
    let kodomo = add(&app, "kodomo", Role::DepartmentEditor, "こども家庭課").await;
    let cookies = [("keikaku_session", kodomo.as_str())];
    let cookie = common::cookie_header(&cookies);
    // The download is a workbook with a file name.
    let request = axum::http::Request::get("/staff/plans/sogo-senryaku/kpi/sheet?format=xlsx")
        .header("cookie", &cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, headers, bytes) = app.send_bytes(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert!(bytes.starts_with(b"PK"), "a zip (XLSX)");
    // A department's own sheet: previewed, nothing stored yet.
    let (_, _, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/kpi", &cookies)
        .await;
    let csrf = hidden(&page, "csrf");
    let upload = |content: &'static str| {
        let (content_type, body) = common::multipart(&csrf, "kodomo.csv", content.as_bytes());
        axum::http::Request::post("/staff/plans/sogo-senryaku/kpi/import")
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let (status, _, page) = app.send(upload("指標ID,R1\r\nK3-1-1,4\r\n")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1件を取り込む"), "{page}");
    assert!(page.contains("<th scope=\"row\">B2</th>"));
    assert_eq!(stored(&app).await, 0);
    // Another department's row refuses the whole sheet, with its cell.
    let (status, _, refused) = app
        .send(upload("指標ID,R1\r\nK3-1-1,4\r\nK2-1-1,300\r\n"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("セルA3"), "{refused}");
    assert!(refused.contains("あなたの課の指標ではありません"));
    // Applying what was shown stores it.
    let fields = [
        ("csrf", csrf.as_str()),
        ("file_name", &hidden(&page, "file_name")),
        ("data", &hidden(&page, "data")),
        ("fingerprint", &hidden(&page, "fingerprint")),
    ];
    let (status, headers, body) = app
        .post_form(
            "/staff/plans/sogo-senryaku/kpi/import/apply",
            &fields,
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(
        headers["location"]
            .to_str()
            .unwrap()
            .ends_with("imported=1")
    );
    assert_eq!(stored(&app).await, 1);
    // The same form again no longer makes the changes shown: a new preview, nothing stored.
    let (status, _, again) = app
        .post_form(
            "/staff/plans/sogo-senryaku/kpi/import/apply",
            &fields,
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        again.contains("保存されている値と違うセルはありません"),
        "{again}"
    );
}

#[tokio::test]
async fn the_planning_office_sets_the_grade_scale_and_the_evaluation_follows() {
    let app = TestApp::new().await;
    let kikaku = add(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let cookies = [("keikaku_session", kikaku.as_str())];
    let path = "/staff/plans/sogo-senryaku/kpi/settings";
    let (status, _, page) = app.get_with_cookies(path, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("A=100\nB=80\nC=50\nD"), "{page}");
    let csrf = hidden(&page, "csrf");
    let bad = [
        ("csrf", csrf.as_str()),
        ("basis", "achievement"),
        ("lower_form", "two_minus_ratio"),
        ("grades", "◎=100\r\n○=abc\r\n×"),
        ("missing_label", ""),
        ("revision", ""),
    ];
    let (status, _, page) = app.post_form(path, &bad, &cookies).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("2行目: 「abc」は下限の数値として読めません。"),
        "{page}"
    );
    assert!(page.contains("href=\"#settings-missing_label\""));
    let good = [
        ("csrf", csrf.as_str()),
        ("basis", "achievement"),
        ("lower_form", "two_minus_ratio"),
        ("grades", "◎=100\r\n○=80\r\n△=50\r\n×"),
        ("missing_label", "把握できず"),
        ("revision", ""),
    ];
    let (status, _, _) = app.post_form(path, &good, &cookies).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, overview) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/kpi", &cookies)
        .await;
    assert!(
        overview.contains("評価は達成率による段階（◎=100、○=80、△=50、×）"),
        "{overview}"
    );
    assert!(overview.contains("把握できず"));
    // A form opened before that save is stale.
    let (status, _, page) = app.post_form(path, &good, &cookies).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("ほかの人が評価の設定を変更しています"));
    // A department editor may not change them.
    let kanko = add(&app, "kanko", Role::DepartmentEditor, "観光物産課").await;
    let (status, _, _) = app
        .get_with_cookies(path, &[("keikaku_session", kanko.as_str())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The overview keeps its evaluation between requests, yet a value written after it was read —
/// here straight into the store, as another process (`keikaku kpi import`) writes — shows on
/// the next view; its page number is a whole number or the page is not found.
#[tokio::test]
async fn the_overview_follows_every_write_and_refuses_a_bad_page() {
    let app = TestApp::new().await;
    let session = add(&app, "office-overview", Role::PlanningOffice, "企画課").await;
    let cookies = [("keikaku_session", session.as_str())];
    let overview = "/staff/plans/sogo-senryaku/kpi";
    let (status, _, before) = app.get_with_cookies(overview, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!before.contains("377.0万人回"), "{before}");
    let indicator = keikaku_domain::ElementId::parse("kpi-2-1-1").unwrap();
    let plan = PlanId::parse("sogo-senryaku").unwrap();
    let code = MunicipalityCode::parse("03209").unwrap();
    let stored = app.store.kpi_values(&code, &plan).await.unwrap();
    let expected = stored
        .iter()
        .find(|v| v.indicator == indicator && v.fiscal_year.year() == 2019)
        .map(|v| v.version);
    app.store
        .save_kpi_values(
            &code,
            &plan,
            &[keikaku_storage::ValueWrite {
                indicator,
                fiscal_year: keikaku_domain::era::FiscalYear::new(2019).unwrap(),
                target: None,
                actual: Some("377".parse().unwrap()),
                state: keikaku_domain::kpi::ValueState::Provisional,
                note: String::new(),
                expected,
            }],
            &keikaku_storage::Author {
                actor: "cli".to_owned(),
                at: common::at(),
            },
        )
        .await
        .unwrap();
    let (status, _, after) = app.get_with_cookies(overview, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(after.contains("377.0万人回"), "{after}");
    // The example has fewer than a page of indicators: one page, every indicator counted.
    assert!(
        after.contains("<p class=\"kpi-pages__count\">全"),
        "{after}"
    );
    assert!(
        !after.contains("aria-label=\"指標の一覧のページ\""),
        "{after}"
    );
    for bad in ["abc", "0", "-1", "1.5"] {
        let (status, _, _) = app
            .get_with_cookies(&format!("{overview}?page={bad}"), &cookies)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "page={bad}");
    }
    // Past the last page: the last page.
    let (status, _, page) = app
        .get_with_cookies(&format!("{overview}?page=99"), &cookies)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("377.0万人回"), "{page}");
}
