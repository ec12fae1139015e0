//! The elements workbook through the router: downloaded by any staff member, uploaded and
//! previewed (each changed field before → after, the element added), applied once with the
//! revision the preview carried, a second apply of the same preview refused (409) with the
//! explanation, a broken file refused whole with every problem at its sheet and cell, and a
//! member kept away from the import.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, input_value, plan_mut, to_text};
use keikaku_app::edit;
use keikaku_domain::PlanId;
use keikaku_domain::account::Role;
use keikaku_sheets::elements::{ElementBook, KindSheet, SheetColumn, Width, read_book, to_xlsx};

const PASSWORD: &str = "correct horse battery";

async fn app() -> TestApp {
    let mut file = common::example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "under_deliberation".into();
    TestApp::with_plan_file(&to_text(&file)).await
}

async fn add(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    app.add_staff(login, "表計 花子", role, department, PASSWORD)
        .await;
    app.sign_in(login, PASSWORD).await
}

/// The workbook with cells changed: (sheet, element ID or 「+」 for one new row, header,
/// text).
async fn changed(app: &TestApp, bytes: &[u8], edits: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let plan = PlanId::parse("sogo-senryaku").unwrap();
    let draft = edit::draft(&app.catalog.context(), &plan).await.unwrap();
    let expected = edit::workbook::expected_sheets(&draft);
    let read = read_book("in.xlsx", bytes, &expected).unwrap();
    let mut sheets: Vec<KindSheet> = expected
        .iter()
        .map(|want| KindSheet {
            name: want.name.clone(),
            columns: want
                .headers
                .iter()
                .map(|h| SheetColumn {
                    header: h.clone(),
                    width: Width::Narrow,
                })
                .collect(),
            rows: read
                .sheets
                .iter()
                .find(|s| s.name == want.name)
                .map(|s| s.rows.iter().map(|r| r.cells.clone()).collect())
                .unwrap_or_default(),
        })
        .collect();
    let mut new_row = None;
    for (sheet, id, header, text) in edits {
        let s = sheets.iter_mut().find(|s| s.name == *sheet).unwrap();
        let col = s.columns.iter().position(|c| c.header == *header).unwrap();
        let row = if *id == "+" {
            *new_row.get_or_insert_with(|| {
                s.rows.push(vec![String::new(); s.columns.len()]);
                s.rows.len() - 1
            })
        } else {
            s.rows.iter().position(|r| r[0] == *id).unwrap()
        };
        s.rows[row][col] = (*text).to_owned();
    }
    to_xlsx(&ElementBook {
        notes: read.notes,
        sheets,
    })
    .unwrap()
}

fn upload(cookie: &str, csrf: &str, bytes: &[u8]) -> Request<Body> {
    let (content_type, body) = common::multipart(csrf, "要素一覧.xlsx", bytes);
    Request::post("/staff/plans/sogo-senryaku/import")
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_corrected_workbook_is_previewed_then_applied_once() {
    let app = app().await;
    let session = add(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let office = [("keikaku_session", session.as_str())];
    let cookie = common::cookie_header(&office);
    let (_, _, outline) = app
        .get_with_cookies("/staff/plans/sogo-senryaku", &office)
        .await;
    assert!(outline.contains("/staff/plans/sogo-senryaku/workbook"));
    assert!(outline.contains("/staff/plans/sogo-senryaku/import"));
    let (status, headers, bytes) = app
        .send_bytes(
            Request::get("/staff/plans/sogo-senryaku/workbook")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(common::content_type(&headers).contains("spreadsheetml"));
    let (status, _, form) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/import", &office)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("enctype=\"multipart/form-data\""));
    let csrf = input_value(&form, "csrf");
    let file = changed(
        &app,
        &bytes,
        &[
            ("KPI", "kpi-1-1-1", "目標値", "12"),
            ("KPI", "+", "親要素ID", "strategy-measure-1-1"),
            ("KPI", "+", "指標名", "新規創業件数"),
            ("KPI", "+", "目指す方向", "増加を目指す"),
            ("KPI", "+", "値の種類", "単年度値"),
        ],
    )
    .await;
    let (status, _, preview) = app.send(upload(&cookie, &csrf, &file)).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert!(preview.contains("<td>目標値</td>"), "{preview}");
    assert!(
        preview.contains(">10</td>") && preview.contains(">12</td>"),
        "{preview}"
    );
    assert!(preview.contains("新規創業件数"), "{preview}");
    assert!(preview.contains("追加される要素（1件）"), "{preview}");
    let apply = [
        ("csrf", csrf.clone()),
        ("file_name", input_value(&preview, "file_name")),
        ("data", input_value(&preview, "data")),
        ("revision", input_value(&preview, "revision")),
    ];
    let fields: Vec<(&str, &str)> = apply.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, headers, _) = app
        .post_form("/staff/plans/sogo-senryaku/import/apply", &fields, &office)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        common::header(&headers, &axum::http::header::LOCATION),
        "/staff/plans/sogo-senryaku?done=imported"
    );
    let (_, _, outline) = app
        .get_with_cookies("/staff/plans/sogo-senryaku?done=imported", &office)
        .await;
    assert!(outline.contains("Excelの要素一覧を取り込みました。"));
    assert!(outline.contains("新規創業件数"));
    // The same preview again: the plan moved since; nothing is stored twice.
    let (status, _, page) = app
        .post_form("/staff/plans/sogo-senryaku/import/apply", &fields, &office)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(
        page.contains("変更点を確認した後に変更されました"),
        "{page}"
    );
    let plan = PlanId::parse("sogo-senryaku").unwrap();
    let draft = edit::draft(&app.catalog.context(), &plan).await.unwrap();
    assert_eq!(
        draft
            .elements
            .iter()
            .filter(|e| e.title == "新規創業件数")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_broken_workbook_is_refused_with_every_cell_and_members_cannot_import() {
    let app = app().await;
    let session = add(&app, "kikaku", Role::PlanningOffice, "企画調整課").await;
    let office = [("keikaku_session", session.as_str())];
    let cookie = common::cookie_header(&office);
    let (_, _, bytes) = app
        .send_bytes(
            Request::get("/staff/plans/sogo-senryaku/workbook")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let (_, _, form) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/import", &office)
        .await;
    let csrf = input_value(&form, "csrf");
    let file = changed(
        &app,
        &bytes,
        &[
            ("KPI", "kpi-1-1-1", "目標値", "十二"),
            ("KPI", "kpi-2-1-1", "目指す方向", "上"),
        ],
    )
    .await;
    let (status, _, page) = app.send(upload(&cookie, &csrf, &file)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("取り込めません（2件の問題）"), "{page}");
    assert!(
        page.contains("「KPI」シート J2: 目標値は数値で入力してください"),
        "{page}"
    );
    assert!(
        page.contains("「KPI」シート F3: 目指す方向「上」は選べる値ではありません"),
        "{page}"
    );
    // A published plan says why it cannot be imported into, and offers no upload.
    let (status, _, published) = app
        .get_with_cookies("/staff/plans/sogo-keikaku/import", &office)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(published.contains("のため取り込めません"), "{published}");
    assert!(!published.contains("upload-form"), "{published}");
    // No CSRF token: refused before anything is read.
    let (status, _, _) = app.send(upload(&cookie, "wrong", &file)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A member downloads, but does not import.
    let member = add(&app, "iin", Role::Member, "").await;
    let members = [("keikaku_session", member.as_str())];
    let (status, _, _) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/workbook", &members)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/import", &members)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, outline) = app
        .get_with_cookies("/staff/plans/sogo-senryaku", &members)
        .await;
    assert!(!outline.contains("/staff/plans/sogo-senryaku/import"));
}
