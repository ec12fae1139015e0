//! The 実施計画 pages through the router: the public pages show published editions only (the
//! 一覧 with its totals and rounding note, a program with its logic model and history, the
//! aggregates without the budget guide, the open-data download); the staff pages roll an
//! edition once, let a department change only its own programs in 千円 with every problem next
//! to its field and nothing typed lost on a conflict, lock a submitted department, refuse a
//! return without reason and a step without its confirmation, and take a sheet through its
//! preview.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, input_value};
use keikaku_domain::account::Role;

const PASSWORD: &str = "correct horse battery";

async fn add(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    app.add_staff(login, "実施 花子", role, department, PASSWORD)
        .await;
    app.sign_in(login, PASSWORD).await
}

#[tokio::test]
async fn the_public_reads_the_published_edition_only() {
    let app = TestApp::new().await;
    let home = app.page("/").await;
    assert!(
        home.contains("href=\"/implementation-plans\""),
        "the navigation names it"
    );
    let list = app.page("/implementation-plans").await;
    assert!(
        list.contains("href=\"/implementation-plans/2025\""),
        "{list}"
    );
    let ledger = app.page("/implementation-plans/2025").await;
    for text in [
        "実施計画 令和7年度（2025年度）版",
        "令和8年度〜令和10年度（2026〜2028年度）",
        "1-1-1\u{3000}担い手の確保と育成",
        "新規就農者育成支援事業",
        "単位：千円。金額は千円未満を四捨五入しているため",
        // 12,500,499 yen shown as 12,500千円 (四捨五入).
        "12,500",
        "href=\"/implementation-plans/2025/programs/01-01-001\"",
        "download?format=csv-sjis",
    ] {
        assert!(ledger.contains(text), "{text} missing");
    }
    let program = app
        .page("/implementation-plans/2025/programs/05-02-001")
        .await;
    for text in [
        "保育所等整備事業",
        "整備する定員数（単位: 人）",
        "href=\"/plans/sogo-keikaku/measures/measure-3-1-2\"",
        "href=\"/plans/sogo-senryaku/kpi/indicators/kpi-3-1-1\"",
        "版ごとの事業費の推移",
        "210,000",
    ] {
        assert!(program.contains(text), "{text} missing:\n{program}");
    }
    let agg = app.page("/implementation-plans/2025/aggregates").await;
    assert!(agg.contains("重点プロジェクト別") && agg.contains("所管課別"));
    assert!(
        !agg.contains("財政計画の枠"),
        "the budget guide is the staff's"
    );
    let diff = app.page("/implementation-plans/2025/diff").await;
    assert!(diff.contains("比べられるほかの版は、まだ公表されていません"));
    let (status, headers, body) = app
        .send_bytes(
            Request::get("/implementation-plans/2025/download?format=csv")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(common::content_type(&headers), "text/csv; charset=utf-8");
    assert!(body.starts_with("\u{feff}事業コード".as_bytes()));
    for missing in [
        "/implementation-plans/2026",
        "/implementation-plans/x",
        "/implementation-plans/2025/programs/NONE",
        "/implementation-plans/2025/diff?from=2024",
    ] {
        assert_eq!(app.get(missing).await.0, StatusCode::NOT_FOUND, "{missing}");
    }
    let (status, _, _) = app
        .get("/implementation-plans/2025/download?format=pdf")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The fields of the program form as a department clerk fills them in.
fn fields<'a>(
    csrf: &'a str,
    revision: &'a str,
    name: &'a str,
    general: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("revision", revision),
        ("name", name),
        ("department", "農政課"),
        ("category", "continued"),
        ("start_year", "平成28年度"),
        ("primary", "sogo-keikaku/measure-1-1-1"),
        ("link", "sogo-keikaku/outcome-1-1-1-1"),
        ("y2027.cost", "１，３００"),
        ("y2027.national", "500"),
        ("y2027.prefectural", "200"),
        ("y2027.general", general),
        ("y2028.cost", "1,000.5"),
    ]
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: an edition rolled, entered, submitted, returned
async fn a_department_enters_its_programs_in_the_browser() {
    let app = TestApp::new().await;
    let admin = add(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let nosei = add(&app, "nosei", Role::DepartmentEditor, "農政課").await;
    let office = [("keikaku_session", admin.as_str())];
    let clerk = [("keikaku_session", nosei.as_str())];
    let (_, _, list) = app
        .get_with_cookies("/staff/implementation-plans", &office)
        .await;
    let csrf = input_value(&list, "csrf");
    // Without the CSRF token, nothing happens.
    let (status, _, _) = app
        .post_form(
            "/staff/implementation-plans/roll",
            &[("from", "2025")],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, _) = app
        .post_form(
            "/staff/implementation-plans/roll",
            &[("csrf", &csrf), ("from", "2025")],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(common::header(&headers, &axum::http::header::LOCATION).contains("carried=19"));
    let (status, _, again) = app
        .post_form(
            "/staff/implementation-plans/roll",
            &[("csrf", &csrf), ("from", "2025")],
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(again.contains("ローリングは1年度に1回です"), "{again}");

    // The clerk's own program is a form; another department's is read-only.
    let own = "/staff/implementation-plans/2026/programs/01-01-001";
    let (status, _, form) = app.get_with_cookies(own, &clerk).await;
    assert_eq!(status, StatusCode::OK);
    let office_csrf = csrf;
    let csrf = input_value(&form, "csrf");
    assert!(
        form.contains("name=\"y2027.cost\"") && form.contains("value=\"24,000\""),
        "{form}"
    );
    // Another department's programs are not shown to a department editor at all; the
    // council's members read them all, without a form.
    let (status, _, _) = app
        .get_with_cookies(
            "/staff/implementation-plans/2026/programs/02-01-001",
            &clerk,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, edition) = app
        .get_with_cookies("/staff/implementation-plans/2026", &clerk)
        .await;
    assert!(
        edition.contains("新規就農者育成支援事業") && !edition.contains("企業立地促進事業"),
        "{edition}"
    );
    let member = add(&app, "iin", Role::Member, "").await;
    let (_, _, theirs) = app
        .get_with_cookies(
            "/staff/implementation-plans/2026/programs/02-01-001",
            &[("keikaku_session", member.as_str())],
        )
        .await;
    assert!(
        !theirs.contains("name=\"y2027.cost\"") && theirs.contains("変更する権限がありません"),
        "{theirs}"
    );
    let (status, _, page) = app
        .post_form(
            "/staff/implementation-plans/2026/programs/02-01-001",
            &fields(&csrf, "1", "乗っ取り", "600"),
            &clerk,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("権限がありません"), "{page}");

    // A funding mismatch is shown next to its field, with what was typed kept.
    let (status, _, page) = app
        .post_form(own, &fields(&csrf, "1", "<新>就農支援", "400"), &clerk)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("財源の合計 1,100千円 が事業費 1,300千円 と一致しません"),
        "{page}"
    );
    assert!(page.contains("href=\"#program-y2027-cost\""));
    assert!(page.contains("id=\"program-y2027-cost\" name=\"y2027.cost\" type=\"text\" inputmode=\"decimal\" value=\"１，３００\" aria-invalid=\"true\""), "{page}");
    common::assert_shows_escaped("the name typed", &page, "<新>就農支援");
    // Right, it is saved; 一般財源 of 2028 is what the cost leaves.
    let (status, _, _) = app
        .post_form(own, &fields(&csrf, "1", "就農支援事業", "600"), &clerk)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, after) = app.get_with_cookies(own, &clerk).await;
    assert!(
        after.contains("value=\"就農支援事業\"") && after.contains("value=\"1,000.5\""),
        "{after}"
    );
    // From the old revision again: 409, nothing typed lost, the stored program beside it.
    let (status, _, stale) = app
        .post_form(own, &fields(&csrf, "1", "別の名前", "600"), &clerk)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        stale.contains("入力した内容は下のフォームに残っています")
            && stale.contains("value=\"別の名前\""),
        "{stale}"
    );
    assert!(
        stale.contains("現在保存されている内容") && stale.contains("name=\"revision\" value=\"2\"")
    );

    // Submitted, the department's programs are locked until returned (with a reason).
    let (status, _, _) = app
        .post_form(
            "/staff/implementation-plans/2026/submit",
            &[("csrf", &csrf), ("department", "農政課"), ("revision", "0")],
            &clerk,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, locked) = app.get_with_cookies(own, &clerk).await;
    assert!(
        !locked.contains("name=\"y2027.cost\""),
        "read-only once submitted"
    );
    let (status, _, _) = app
        .post_form(own, &fields(&csrf, "2", "提出後の変更", "600"), &clerk)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let review = |comment: &'static str| {
        vec![
            ("csrf", office_csrf.as_str()),
            ("department", "農政課"),
            ("revision", "1"),
            ("step", "return"),
            ("comment", comment),
        ]
    };
    let (status, _, page) = app
        .post_form(
            "/staff/implementation-plans/2026/review",
            &review(" "),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("差戻しの理由（コメント）を入力してください。"));
    let (status, _, _) = app
        .post_form(
            "/staff/implementation-plans/2026/review",
            &review("財源を確認してください"),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, board) = app
        .get_with_cookies("/staff/implementation-plans/2026", &clerk)
        .await;
    assert!(board.contains("差戻し") && board.contains("財源を確認してください"));

    // The edition's steps want their confirmation, and 確定 all approvals.
    let step = |confirm: &'static str| {
        vec![
            ("csrf", office_csrf.as_str()),
            ("step", "fix"),
            ("revision", "1"),
            ("confirm", confirm),
        ]
    };
    let (status, _, _) = app
        .post_form("/staff/implementation-plans/2026/state", &step(""), &office)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, page) = app
        .post_form(
            "/staff/implementation-plans/2026/state",
            &step("yes"),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("承認されていない課があるため"), "{page}");
    let clerk_step = [
        ("csrf", csrf.as_str()),
        ("step", "fix"),
        ("revision", "1"),
        ("confirm", "yes"),
    ];
    let (status, headers, _) = app
        .post_form(
            "/staff/implementation-plans/2026/state",
            &clerk_step,
            &clerk,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        headers
            .get(keikaku_web::routes::DENIED_HEADER)
            .map(|v| v.to_str().unwrap()),
        Some("1"),
        "refused by the route's guard"
    );

    // The fiscal frame of 2027 for the city, and the budget guide against it.
    let frames = [
        ("csrf", office_csrf.as_str()),
        ("revision", "1"),
        ("dept-0", ""),
        ("frame-2027-0", "100,000"),
    ];
    let (status, _, _) = app
        .post_form("/staff/implementation-plans/2026/frames", &frames, &office)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, agg) = app
        .get_with_cookies("/staff/implementation-plans/2026/aggregates", &office)
        .await;
    assert!(
        agg.contains("枠 100,000") && agg.contains("一般財源が財政計画の枠を超えています"),
        "{agg}"
    );
}

#[tokio::test]
async fn a_sheet_goes_through_its_preview() {
    let app = TestApp::new().await;
    let admin = add(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let office = [("keikaku_session", admin.as_str())];
    let cookie = common::cookie_header(&office);
    let (_, _, list) = app
        .get_with_cookies("/staff/implementation-plans", &office)
        .await;
    let csrf = input_value(&list, "csrf");
    app.post_form(
        "/staff/implementation-plans/roll",
        &[("csrf", &csrf), ("from", "2025")],
        &office,
    )
    .await;
    let (status, _, sheet) = app
        .send_bytes(
            Request::get("/staff/implementation-plans/2026/sheet?format=csv&department=%E8%BE%B2%E6%94%BF%E8%AA%B2")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(sheet).unwrap();
    let changed = text.replacen(
        ",24000,12000,4000,0,0,8000,",
        ",30000,12000,4000,0,0,14000,",
        1,
    );
    let upload = |content: String| {
        let (content_type, body) = common::multipart(&csrf, "nosei.csv", content.as_bytes());
        Request::post("/staff/implementation-plans/2026/import")
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, preview) = app.send(upload(changed)).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert!(
        preview.contains("24,000千円") && preview.contains("30,000千円"),
        "{preview}"
    );
    let fingerprint = input_value(&preview, "fingerprint");
    let data = input_value(&preview, "data");
    let apply = [
        ("csrf", csrf.as_str()),
        ("file_name", "nosei.csv"),
        ("data", data.as_str()),
        ("fingerprint", fingerprint.as_str()),
    ];
    let (status, _, _) = app
        .post_form(
            "/staff/implementation-plans/2026/import/apply",
            &apply,
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Applied once; the same preview again changes nothing more (409 with the new preview).
    let (status, _, page) = app
        .post_form(
            "/staff/implementation-plans/2026/import/apply",
            &apply,
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("保存されている内容と違う事業はありません"),
        "{page}"
    );
    // A broken sheet is refused whole, each problem with its cell.
    let broken = text.replacen(
        ",24000,12000,4000,0,0,8000,",
        ",25000,12000,4000,0,0,8000,",
        1,
    );
    let (status, _, page) = app.send(upload(broken)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("セルR2（行2・令和9年度（2027年度）事業費）"),
        "{page}"
    );
}

#[tokio::test]
async fn an_edition_being_made_is_rolled_on_purpose_and_deleted_on_purpose() {
    let app = TestApp::new().await;
    let admin = add(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let office = [("keikaku_session", admin.as_str())];
    let (_, _, list) = app
        .get_with_cookies("/staff/implementation-plans", &office)
        .await;
    let csrf = input_value(&list, "csrf");
    let roll = |from: &'static str, confirm: bool| {
        let mut form = vec![("csrf", csrf.clone()), ("from", from.to_owned())];
        if confirm {
            form.push(("confirm", "yes".to_owned()));
        }
        form
    };
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(path, &pairs, &office).await
        }
    };
    let (status, _, _) = post("/staff/implementation-plans/roll", roll("2025", false)).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a published edition rolls at once"
    );
    // 2026 is still being made: rolling it needs the checkbox.
    let (status, _, page) = post("/staff/implementation-plans/roll", roll("2026", false)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(
            "作成中（未確定）の版からローリングするには、確認のチェックを入れてください。"
        ),
        "{page}"
    );
    let (status, _, _) = post("/staff/implementation-plans/roll", roll("2026", true)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The 2027 edition, made too early, is deleted: the page offers it, with a checkbox.
    let (_, _, page) = app
        .get_with_cookies("/staff/implementation-plans/2027", &office)
        .await;
    let form = page
        .split("action=\"/staff/implementation-plans/2027/delete\"")
        .nth(1)
        .expect("the delete form");
    let revision = input_value(form, "revision");
    let delete = |confirm: bool| {
        let mut form = vec![("csrf", csrf.clone()), ("revision", revision.clone())];
        if confirm {
            form.push(("confirm", "yes".to_owned()));
        }
        form
    };
    let (status, _, page) = post("/staff/implementation-plans/2027/delete", delete(false)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("版を削除するには、確認のチェックを入れてください。"));
    let (status, headers, _) = post("/staff/implementation-plans/2027/delete", delete(true)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(common::header(&headers, &axum::http::header::LOCATION).contains("done=deleted"));
    let (status, _, _) = app
        .get_with_cookies("/staff/implementation-plans/2027", &office)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A published edition offers no deletion, and refuses one.
    let (_, _, page) = app
        .get_with_cookies("/staff/implementation-plans/2025", &office)
        .await;
    assert!(!page.contains("/delete\""), "{page}");
    let (status, _, page) = post("/staff/implementation-plans/2025/delete", delete(true)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("削除できません"), "{page}");
    // A form's address opened as a page says so in Japanese.
    let (status, _, page) = app
        .get_with_cookies("/staff/implementation-plans/2026/delete", &office)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(page.contains("この方法ではページを開けません"), "{page}");
}
