//! Versions for councils: names and reasons given with the status change and later on the
//! version's page (CSRF, version check), shown in the lists with why numbers jump; a version
//! read as pages — the public only published ones, staff every one —; values compared whole.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, element_mut, example_json, plan_mut, to_text};
use keikaku_domain::account::Role;

const PASSWORD: &str = "correct horse battery";

/// The CSRF token of the first form of a page.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

async fn signed_in(app: &TestApp, login: &str, role: Role) -> String {
    app.add_user_with(login, "職員 一郎", role, PASSWORD).await;
    app.sign_in(login, PASSWORD).await
}

#[tokio::test]
async fn a_version_is_named_when_frozen_and_renamed_on_its_page() {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    let token = signed_in(&app, "kikaku", Role::PlanningOffice).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (_, _, staff) = app.get_with_cookies("/staff", &cookies).await;
    let csrf = csrf_of(&staff);
    // The confirmation page asks for the name and reason.
    let (status, _, confirm) = app
        .post_form(
            "/staff/plans/sogo-senryaku/status",
            &[
                ("csrf", &csrf),
                ("from", "draft"),
                ("to", "under_deliberation"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirm}");
    assert!(
        confirm.contains("name=\"label\"") && confirm.contains("版の名称"),
        "{confirm}"
    );
    let (status, _, body) = app
        .post_form(
            "/staff/plans/sogo-senryaku/status",
            &[
                ("csrf", &csrf),
                ("from", "draft"),
                ("to", "under_deliberation"),
                ("confirm", "yes"),
                ("label", "パブコメ案"),
                ("reason", "パブリックコメントに付す案"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, list) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/versions", &cookies)
        .await;
    assert!(list.contains("<strong>パブコメ案</strong>"), "{list}");
    assert!(list.contains("パブリックコメントに付す案"), "{list}");

    // Renamed on the version's page, against the revision the form carries.
    let (status, _, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/versions/2", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("第2版（パブコメ案）"), "{page}");
    assert!(page.contains("name=\"revision\" value=\"0\""), "{page}");
    let form = |label: &'static str, revision: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("revision", revision.to_owned()),
            ("label", label.to_owned()),
            ("reason", "審議会の答申を反映".to_owned()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(
                "/staff/plans/sogo-senryaku/versions/2/note",
                &fields,
                &cookies,
            )
            .await
        }
    };
    let (status, headers, body) = send(form("答申反映", "0")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        common::header(&headers, &axum::http::header::LOCATION),
        "/staff/plans/sogo-senryaku/versions/2?saved=1"
    );
    let (_, _, saved) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/versions/2?saved=1", &cookies)
        .await;
    assert!(saved.contains("名称と理由を保存しました"), "{saved}");
    assert!(saved.contains("第2版（答申反映）"), "{saved}");
    // A second save from the same revision is a conflict: the stored note is shown, the
    // user's text kept, nothing written.
    let (status, _, conflict) = send(form("議決", "0")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
    assert!(
        conflict.contains("ほかの人が先に変更しています"),
        "{conflict}"
    );
    assert!(conflict.contains("value=\"議決\""), "{conflict}");
    assert!(
        conflict.contains("今保存されている名称：答申反映"),
        "{conflict}"
    );
    // Bad input: 422 with the message at its field; nothing written.
    let long: &'static str = Box::leak("あ".repeat(41).into_boxed_str());
    let (status, _, refused) = send(form(long, "1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains("40文字以内"), "{refused}");
    assert!(refused.contains("aria-invalid=\"true\""), "{refused}");
    let (_, _, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/versions/2", &cookies)
        .await;
    assert!(page.contains("第2版（答申反映）"), "{page}");
    // Without the CSRF token: refused.
    let (status, _, _) = app
        .post_form(
            "/staff/plans/sogo-senryaku/versions/2/note",
            &[("revision", "1"), ("label", "x")],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn members_read_drafts_as_pages_but_cannot_name_them() {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    // The public cannot read a draft version.
    assert_eq!(
        app.get("/plans/sogo-senryaku/versions/1").await.0,
        StatusCode::NOT_FOUND
    );
    let token = signed_in(&app, "iin", Role::Member).await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, headers, page) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/versions/1", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        common::header(&headers, &axum::http::header::CACHE_CONTROL),
        "no-store"
    );
    assert!(page.contains("この画面は第1版の内容です"), "{page}");
    assert!(page.contains("草案"), "{page}");
    // No naming form for a member.
    assert!(!page.contains("名称と理由を保存"), "{page}");
    let (status, _, _) = app
        .post_form(
            "/staff/plans/sogo-senryaku/versions/1/note",
            &[("csrf", "x"), ("revision", "0"), ("label", "x")],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_public_reads_published_versions_as_pages_and_sees_why_numbers_jump() {
    let app = TestApp::new().await;
    let page = app.page("/plans/sogo-keikaku/versions/1").await;
    assert!(page.contains("この画面は第1版の内容です"), "{page}");
    assert!(page.contains("href=\"/plans/sogo-keikaku\""), "{page}");
    assert!(page.contains("まちづくりの目標"), "{page}");
    for (path, status) in [
        ("/plans/sogo-keikaku/versions/9", StatusCode::NOT_FOUND),
        ("/plans/sogo-keikaku/versions/0", StatusCode::NOT_FOUND),
        ("/plans/sogo-keikaku/versions/x", StatusCode::NOT_FOUND),
        ("/plans/nothing/versions/1", StatusCode::NOT_FOUND),
    ] {
        let (got, _, body) = app.get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.contains("lang=\"ja\""), "{path}");
    }
    // Version 2 a draft, version 3 published again: the public list jumps and says why.
    let mut file = example_json();
    plan_mut(&mut file, "sogo-keikaku")["status"] = "draft".into();
    app.replace(&to_text(&file)).await;
    plan_mut(&mut file, "sogo-keikaku")["status"] = "published".into();
    app.replace(&to_text(&file)).await;
    let list = app.page("/plans/sogo-keikaku/versions").await;
    assert!(list.contains("番号が飛ぶことがあります"), "{list}");
    assert!(list.contains("公開されていない版が1つあります"), "{list}");
    assert!(
        list.contains("href=\"/plans/sogo-keikaku/versions/3\""),
        "{list}"
    );
    assert_eq!(
        app.get("/plans/sogo-keikaku/versions/2").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn changed_values_are_shown_whole_and_added_elements_with_content_and_place() {
    let app = TestApp::new().await;
    let mut file = example_json();
    let plan = plan_mut(&mut file, "sogo-senryaku");
    let kpi = element_mut(plan, "kpi-1-1-1").unwrap();
    kpi["target"]["value"] = "98765".into();
    let mut added = kpi.clone();
    added["id"] = "kpi-1-1-9".into();
    added["title"] = "新しく加えたKPI".into();
    added["code"] = "K1-1-9".into();
    let measure = element_mut(plan, "strategy-measure-1-1").unwrap();
    measure["kpis"].as_array_mut().unwrap().push(added);
    app.replace(&to_text(&file)).await;
    let diff = app.page("/plans/sogo-senryaku/compare?from=1&to=2").await;
    assert!(diff.contains("<strong>98765</strong>"), "{diff}");
    assert!(diff.contains("<td class=\"text-block\">10</td>"), "{diff}");
    assert!(!diff.contains("<ins>98765"), "{diff}");
    assert!(diff.contains("新しく加えたKPI"), "{diff}");
    assert!(diff.contains("のKPIの"), "{diff}");
    assert!(diff.contains("として追加されました"), "{diff}");
    assert!(diff.contains("<dt>目標値</dt>"), "{diff}");
}
