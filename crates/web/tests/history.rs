//! The version history pages: the list of published versions and the comparison of two.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, element_mut, example_json, plan_mut, to_text};

#[tokio::test]
async fn versions_list_and_compare_show_what_changed() {
    let app = TestApp::new().await;
    let page = app.page("/plans/sogo-keikaku/versions").await;
    assert!(
        page.contains("第1版") && page.contains("（最初の版）"),
        "{page}"
    );
    assert!(
        app.page("/plans/sogo-keikaku")
            .await
            .contains("href=\"/plans/sogo-keikaku/versions\"")
    );

    let mut file = example_json();
    let plan = plan_mut(&mut file, "sogo-keikaku");
    element_mut(plan, "field-1-1").unwrap()["current_state"] = "担い手の確保が課題です。".into();
    element_mut(plan, "measure-1-4-1").unwrap()["title"] = "若者や女性、高齢者の就業支援".into();
    app.replace(&to_text(&file)).await;

    let page = app.page("/plans/sogo-keikaku/versions").await;
    assert!(page.contains("第2版"), "{page}");
    assert!(
        common::links(&page).contains(&"/plans/sogo-keikaku/compare?from=1&to=2".to_owned()),
        "{page}"
    );
    let diff = app.page("/plans/sogo-keikaku/compare?from=1&to=2").await;
    assert!(diff.contains("追加 0件・削除 0件・変更 2件"), "{diff}");
    assert!(
        diff.contains("<ins>担い手の確保が課題です。</ins>"),
        "{diff}"
    );
    assert!(
        diff.contains("若者や女性<ins>、高齢者</ins>の就業支援"),
        "{diff}"
    );
    assert!(
        diff.contains("<td class=\"text-block\">若者や女性の就業支援</td>"),
        "{diff}"
    );
    // Comparing a version with itself shows no change.
    let same = app.page("/plans/sogo-keikaku/compare?from=2&to=2").await;
    assert!(same.contains("違いはありません"), "{same}");
}

#[tokio::test]
async fn bad_or_unpublished_versions_are_refused_in_japanese() {
    let app = TestApp::new().await;
    for (path, status) in [
        (
            "/plans/sogo-keikaku/compare?from=1&to=9",
            StatusCode::NOT_FOUND,
        ),
        (
            "/plans/sogo-keikaku/compare?from=0&to=1",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/plans/sogo-keikaku/compare?from=x&to=1",
            StatusCode::BAD_REQUEST,
        ),
        ("/plans/sogo-keikaku/compare?to=1", StatusCode::BAD_REQUEST),
        ("/plans/nothing/versions", StatusCode::NOT_FOUND),
        ("/plans/nothing/compare?from=1&to=1", StatusCode::NOT_FOUND),
    ] {
        let (got, _, body) = app.get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.contains("lang=\"ja\""), "{path}");
    }
    // A draft version is not public: the strategy's second version is a draft.
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    app.replace(&to_text(&file)).await;
    let (got, _, _) = app.get("/plans/sogo-senryaku/compare?from=1&to=2").await;
    assert_eq!(got, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn changed_text_is_escaped_in_the_comparison() {
    let app = TestApp::new().await;
    let mut file = example_json();
    let plan = plan_mut(&mut file, "sogo-keikaku");
    element_mut(plan, "field-1-1").unwrap()["current_state"] = "<script>alert(1)</script>".into();
    app.replace(&to_text(&file)).await;
    let diff = app.page("/plans/sogo-keikaku/compare?from=1&to=2").await;
    assert!(!diff.contains("<script>alert"), "{diff}");
    assert!(diff.contains("alert(1)"), "{diff}");
}

#[tokio::test]
async fn staff_compare_draft_versions_that_the_public_cannot_see() {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    element_mut(plan_mut(&mut file, "sogo-senryaku"), "objective-1").unwrap()["title"] =
        "安定した雇用を創出し、所得を高める".into();
    app.replace(&to_text(&file)).await;
    // The public sees neither version.
    assert_eq!(
        app.get("/plans/sogo-senryaku/versions").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/plans/sogo-senryaku/compare?from=1&to=2").await.0,
        StatusCode::NOT_FOUND
    );
    // A council member (who may read drafts) sees both and what changed.
    app.add_user_with(
        "iin",
        "委員 一郎",
        keikaku_domain::account::Role::Member,
        "correct horse battery",
    )
    .await;
    let token = app.sign_in("iin", "correct horse battery").await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, headers, list) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/versions", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        common::header(&headers, &axum::http::header::CACHE_CONTROL),
        "no-store"
    );
    assert!(list.contains("第2版") && list.contains("草案"), "{list}");
    assert!(
        common::links(&list).contains(&"/staff/plans/sogo-senryaku/compare?from=1&to=2".to_owned()),
        "{list}"
    );
    let (status, _, diff) = app
        .get_with_cookies("/staff/plans/sogo-senryaku/compare?from=1&to=2", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    assert!(diff.contains("創出<ins>し、所得を高め</ins>る"), "{diff}");
    assert!(diff.contains("創出<del>す</del>る"), "{diff}");
}
