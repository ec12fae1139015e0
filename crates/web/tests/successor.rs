//! Starting the 後期基本計画 from the 前期 through the router: the outline's button, the
//! confirmation page with the counts per kind, the copy made by its button (CSRF required),
//! a second attempt refused on a page that explains why and leads back, a department editor
//! shown no button; and the same through the API — the preview with the revision, a stale
//! revision, the copy with every new id, the refusal, a member's token.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, example_json, plan_mut, to_text};
use keikaku_domain::account::Role;
use keikaku_domain::{Plan, PlanId};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";
const OUTLINE: &str = "/staff/plans/sogo-keikaku";
const START: &str = "/staff/plans/sogo-keikaku/basic-plans/basic-plan-second/start";
const API: &str = "/api/v1/plans/sogo-keikaku/basic-plans/basic-plan-second/start";

/// The example with the comprehensive plan under deliberation (its 後期 empty), and users.
async fn app() -> TestApp {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-keikaku")["status"] = "under_deliberation".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    app.add_staff(
        "nosei",
        "農政 花子",
        Role::DepartmentEditor,
        "農政課",
        PASSWORD,
    )
    .await;
    app.add_user_with("iin", "委員 次郎", Role::Member, PASSWORD)
        .await;
    app
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {page}"))
        + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

async fn second_half_fields(app: &TestApp) -> usize {
    let plan = keikaku_storage::PlanStore::plan(
        app.store.as_ref(),
        app.catalog.municipality_code(),
        &PlanId::parse("sogo-keikaku").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    match plan {
        Plan::Comprehensive(p) => p.basic_plans[1].fields.len(),
        Plan::Strategy(_) => panic!(),
    }
}

async fn audit_count(app: &TestApp) -> usize {
    keikaku_storage::HistoryStore::audit_entries(
        app.store.as_ref(),
        app.catalog.municipality_code(),
        0,
        10_000,
    )
    .await
    .unwrap()
    .len()
}

#[tokio::test]
async fn the_second_half_is_started_from_the_first_after_a_confirmation() {
    let app = app().await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, _, outline) = app.get_with_cookies(OUTLINE, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        outline.contains(&format!("action=\"{START}\" method=\"get\"")),
        "{outline}"
    );
    assert!(outline.contains("前期基本計画から始める"));

    let (status, headers, page) = app.get_with_cookies(START, &cookies).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        page.contains("<h1>後期基本計画を前期基本計画から始めますか</h1>"),
        "{page}"
    );
    assert!(page.contains("<caption id=\"counts-caption\">写す要素（種類ごとの件数）</caption>"));
    for kind in ["重点プロジェクト", "分野", "施策", "まちづくりの進め方"] {
        assert!(
            page.contains(&format!("<th scope=\"row\">{kind}</th>")),
            "{kind}"
        );
    }
    let csrf = hidden(&page, "csrf");
    let revision = hidden(&page, "revision");

    // Without the session's CSRF token nothing happens.
    let entries = audit_count(&app).await;
    let (status, _, _) = app
        .post_form(
            START,
            &[("csrf", "wrong"), ("revision", &revision)],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(second_half_fields(&app).await, 0);

    let (status, headers, body) = app
        .post_form(START, &[("csrf", &csrf), ("revision", &revision)], &cookies)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        headers["location"],
        "/staff/plans/sogo-keikaku?done=started#basic-plan-second"
    );
    assert!(second_half_fields(&app).await > 0);
    assert_eq!(audit_count(&app).await, entries + 1);
    let (_, _, outline) = app
        .get_with_cookies(&format!("{OUTLINE}?done=started"), &cookies)
        .await;
    assert!(outline.contains("基本計画の写しを作成しました。"));
    assert!(!outline.contains("前期基本計画から始める"));

    // Again (from the same page): refused, explained, with the ways back; nothing written.
    let (status, _, page) = app
        .post_form(START, &[("csrf", &csrf), ("revision", &revision)], &cookies)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("<h1>写しを作成できませんでした</h1>"),
        "{page}"
    );
    assert!(
        page.contains("確認の画面を開いた後に変更されています"),
        "{page}"
    );
    assert!(page.contains(&format!("<a href=\"{OUTLINE}\">計画の構成に戻る</a>")));
    assert_eq!(audit_count(&app).await, entries + 1);
    // The confirmation now says why and offers no button.
    let (status, _, page) = app.get_with_cookies(START, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("後期基本計画にはすでに重点プロジェクト"),
        "{page}"
    );
    assert!(!page.contains("/start\" method=\"post\""));
    let revision = keikaku_app::edit::successor_preview(
        &app.catalog.context(),
        &PlanId::parse("sogo-keikaku").unwrap(),
        "basic-plan-second",
    )
    .await
    .unwrap()
    .revision
    .to_string();
    let (status, _, page) = app
        .post_form(START, &[("csrf", &csrf), ("revision", &revision)], &cookies)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("今の内容を置き換えることはしません"),
        "{page}"
    );
}

#[tokio::test]
async fn a_department_editor_is_shown_no_button_and_refused() {
    let app = app().await;
    let token = app.sign_in("nosei", PASSWORD).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (_, _, outline) = app.get_with_cookies(OUTLINE, &cookies).await;
    assert!(!outline.contains("から始める"));
    let (status, _, page) = app.get_with_cookies(START, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("基本計画の写しを作成できるのは、企画（計画担当）と管理者です。"));
    assert!(!page.contains("/start\" method=\"post\""));
    let (_, _, staff) = app.get_with_cookies("/staff", &cookies).await;
    let csrf = hidden(&staff, "csrf");
    let (status, _, _) = app
        .post_form(START, &[("csrf", &csrf), ("revision", "1")], &cookies)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(second_half_fields(&app).await, 0);
}

#[tokio::test]
async fn the_api_previews_copies_and_refuses() {
    let app = app().await;
    let token = app.token_for("kikaku").await;
    let (status, preview) = app.call_json("GET", API, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["source_title"], "前期基本計画");
    assert_eq!(preview["refusal"], serde_json::Value::Null);
    assert_eq!(preview["counts"][1]["kind"], "field");
    assert_eq!(preview["counts"][1]["label"], "分野");
    let revision = preview["revision"].as_u64().unwrap();

    let (status, stale) = app
        .call_json(
            "POST",
            API,
            Some(&token),
            Some(json!({"revision": revision + 1}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["error"]["code"], "conflict");
    assert!(
        stale["error"]["message"]
            .as_str()
            .unwrap()
            .contains("確認の画面を開いた後に変更されています")
    );
    let member = app.token_for("iin").await;
    let (status, _) = app
        .call_json(
            "POST",
            API,
            Some(&member),
            Some(json!({"revision": revision}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(second_half_fields(&app).await, 0);

    let (status, started) = app
        .call_json(
            "POST",
            API,
            Some(&token),
            Some(json!({"revision": revision}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["source"], "basic-plan-first");
    assert_eq!(started["revision"], revision + 1);
    assert_eq!(started["counts"], preview["counts"]);
    let copied = started["copied"].as_array().unwrap();
    let field = copied.iter().find(|c| c["source"] == "field-1-1").unwrap();
    assert_eq!(field["kind"], "field");
    assert!(field["id"].as_str().unwrap().starts_with("field-"));
    assert_ne!(field["id"], "field-1-1");
    assert!(second_half_fields(&app).await > 0);
    // The audit log names the action.
    app.add_user_with("kanri", "管理 三郎", Role::Administrator, PASSWORD)
        .await;
    let admin = app.sign_in("kanri", PASSWORD).await;
    let (_, _, audit) = app
        .get_with_cookies("/staff/audit", &[("keikaku_session", admin.as_str())])
        .await;
    assert!(
        audit.contains("基本計画を前の基本計画から開始（写しの作成）"),
        "{audit}"
    );

    let (status, refused) = app
        .call_json(
            "POST",
            API,
            Some(&token),
            Some(json!({"revision": revision + 1}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("後期基本計画にはすでに")
    );
    let (status, bad) = app
        .call_json("POST", API, Some(&token), Some("{}".to_owned()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
}
