//! Changing a plan's status from the staff page: the forms, CSRF, the conflict when someone
//! else changed it first, and the public site following the change at once.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, example_json, plan_mut, to_text};

const PASSWORD: &str = "correct horse battery";

async fn signed_in_app() -> (TestApp, String, String) {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    // `add_user` creates a planning-office user.
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let (_, _, page) = app
        .get_with_cookies("/staff", &[("keikaku_session", &token)])
        .await;
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[at..].split('"').next().unwrap().to_owned();
    (app, token, csrf)
}

async fn change(
    app: &TestApp,
    token: &str,
    csrf: &str,
    from: &str,
    to: &str,
) -> (StatusCode, String, String) {
    let (status, headers, body) = app
        .post_form(
            "/staff/plans/sogo-senryaku/status",
            &[
                ("csrf", csrf),
                ("from", from),
                ("to", to),
                ("confirm", "yes"),
            ],
            &[("keikaku_session", token)],
        )
        .await;
    let location = headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, body)
}

#[tokio::test]
async fn the_planning_office_publishes_a_draft_step_by_step() {
    let (app, token, csrf) = signed_in_app().await;
    let (_, _, page) = app
        .get_with_cookies("/staff", &[("keikaku_session", &token)])
        .await;
    assert!(page.contains("「審議中」にする"), "{page}");
    assert_eq!(
        app.get("/plans/sogo-senryaku").await.0,
        StatusCode::NOT_FOUND
    );
    for (from, to) in [
        ("draft", "under_deliberation"),
        ("under_deliberation", "adopted"),
        ("adopted", "published"),
    ] {
        let (status, location, body) = change(&app, &token, &csrf, from, to).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{from} → {to}: {body}");
        assert_eq!(location, "/staff?changed=sogo-senryaku");
    }
    let (_, _, page) = app
        .get_with_cookies(
            "/staff?changed=sogo-senryaku",
            &[("keikaku_session", &token)],
        )
        .await;
    assert!(
        page.contains("「一関市まち・ひと・しごと創生総合戦略」の状態を「公開」に変更しました"),
        "{page}"
    );
    assert!(!page.contains("「sogo-senryaku」"), "{page}");
    // Published: the public site shows it at once, and its history lists the new version.
    assert_eq!(app.get("/plans/sogo-senryaku").await.0, StatusCode::OK);
    let history = app.page("/plans/sogo-senryaku/versions").await;
    assert!(history.contains("第4版"), "{history}");
}

#[tokio::test]
async fn a_stale_form_a_skipped_step_and_a_missing_token_change_nothing() {
    let (app, token, csrf) = signed_in_app().await;
    assert_eq!(
        change(&app, &token, &csrf, "draft", "under_deliberation")
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    // The same form submitted again (from another tab): someone already changed it.
    let (status, _, body) = change(&app, &token, &csrf, "draft", "under_deliberation").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("ほかの人が先に「審議中」に変更しています"),
        "{body}"
    );
    let (status, _, body) = change(&app, &token, &csrf, "under_deliberation", "published").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("変更できません"), "{body}");
    let (status, _, _) = change(&app, &token, "wrong-token", "under_deliberation", "adopted").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = change(&app, &token, &csrf, "under_deliberation", "nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/plans/sogo-senryaku").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_status_button_asks_first_and_changes_nothing_until_confirmed() {
    let (app, token, csrf) = signed_in_app().await;
    let (status, _, page) = app
        .post_form(
            "/staff/plans/sogo-senryaku/status",
            &[
                ("csrf", csrf.as_str()),
                ("from", "draft"),
                ("to", "under_deliberation"),
            ],
            &[("keikaku_session", token.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>計画の状態を変更しますか</h1>"), "{page}");
    assert!(
        page.contains("一関市まち・ひと・しごと創生総合戦略")
            && page.contains("name=\"confirm\" value=\"yes\"")
            && page.contains("変更しないで戻る"),
        "{page}"
    );
    // Nothing changed yet: the same step, confirmed, still goes through.
    let (status, location, body) = change(&app, &token, &csrf, "draft", "under_deliberation").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, "/staff?changed=sogo-senryaku");
}
