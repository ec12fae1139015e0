//! A database restored from a backup serves exactly what the original served: every public
//! page (a plan under revision still shows its published version), and the staff pages of a
//! session that was open when the backup was taken.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use keikaku_app::access::Operator;

const PASSWORD: &str = "correct horse battery";

/// The staff pages a planning-office member looks at, with the session's cookie.
const STAFF_PAGES: &[&str] = &[
    "/staff",
    "/staff/plans/sogo-senryaku",
    "/staff/plans/sogo-keikaku",
    "/staff/plans/sogo-senryaku/versions",
    "/staff/plans/sogo-senryaku/elements/kpi-1-1-1",
    "/staff/tokens",
];

#[tokio::test]
async fn a_restored_database_shows_exactly_what_the_original_showed() {
    let app = TestApp::new().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let session = app.sign_in("kikaku", PASSWORD).await;
    let cookies = [("keikaku_session", session.as_str())];
    let (_, _, page) = app.get_with_cookies("/staff", &cookies).await;
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[at..].split('"').next().unwrap().to_owned();
    // The strategy goes back to 審議中 for a revision: the public site keeps showing the
    // version published last (the plan file's export would carry only the working copy).
    let (status, _, body) = app
        .post_form(
            "/staff/plans/sogo-senryaku/status",
            &[
                ("csrf", &csrf),
                ("from", "published"),
                ("to", "under_deliberation"),
                ("confirm", "yes"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let public = app.crawl().await;
    assert_eq!(public["/plans/sogo-senryaku"].0, StatusCode::OK);
    let staff: Vec<(StatusCode, String)> = {
        let mut pages = Vec::new();
        for path in STAFF_PAGES {
            let (status, _, body) = app.get_with_cookies(path, &cookies).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            pages.push((status, body));
        }
        pages
    };

    let backup = keikaku_app::backup::create(&Operator::at_console(), app.store.as_ref())
        .await
        .unwrap();
    let restored = TestApp::restored(&backup).await;
    let again = restored.crawl().await;
    assert_eq!(
        again.keys().collect::<Vec<_>>(),
        public.keys().collect::<Vec<_>>()
    );
    for (path, (status, _, body)) in &public {
        if path == "/login" {
            // A fresh sign-in token on every request.
            continue;
        }
        let (s, _, b) = &again[path];
        assert_eq!((s, b), (status, body), "{path}");
    }
    for (path, (status, body)) in STAFF_PAGES.iter().zip(&staff) {
        let (s, _, b) = restored.get_with_cookies(path, &cookies).await;
        assert_eq!((&s, &b), (status, body), "{path}");
    }
    // The restored database backs up to the same bytes.
    let twice = keikaku_app::backup::create(&Operator::at_console(), restored.store.as_ref())
        .await
        .unwrap();
    assert_eq!(twice, backup);
    // The passwords came along: the user signs in on the restored database.
    restored.sign_in("kikaku", PASSWORD).await;
}
