//! Personal access tokens through the router: made on `/staff/tokens` (with the session's
//! CSRF token), the secret shown once and only its hash stored, listed, revoked; bearer
//! authentication of the API (revoked, expired and disabled users' tokens → 401; a token
//! carries its user's roles and nothing more; the API ignores session cookies).
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, cookie_header, unescape};
use keikaku_domain::account::{LoginId, Role};
use keikaku_domain::audit::Timestamp;
use keikaku_storage::{AccountStore, Author, HistoryStore, TokenStore, UserChange};
use keikaku_web::routes::DENIED_HEADER;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

/// A signed-in user with a role: the session token and the page's CSRF token.
async fn signed_in(app: &TestApp, login: &str, role: Role) -> (String, String) {
    app.add_user_with(login, &format!("{login}さん"), role, PASSWORD)
        .await;
    let session = app.sign_in(login, PASSWORD).await;
    let (status, _, page) = app
        .get_with_cookies("/staff/tokens", &[("keikaku_session", &session)])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    (session, csrf_of(&page))
}

fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// The secrets (`kk_…`) a page shows.
fn secrets_in(page: &str) -> Vec<String> {
    page.match_indices("kk_")
        .map(|(at, _)| {
            page[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        })
        .filter(|s| s.len() == 46)
        .collect()
}

/// Makes a token through the form; status, headers and page.
async fn create(
    app: &TestApp,
    session: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    app.post_form("/staff/tokens", fields, &[("keikaku_session", session)])
        .await
}

/// `GET path` with a bearer token.
async fn bearer(
    app: &TestApp,
    path: &str,
    secret: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    app.send(
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn header_of<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Asserts a 401 in the API's envelope with a Bearer challenge.
fn assert_unauthorized(
    what: &str,
    status: StatusCode,
    headers: &axum::http::HeaderMap,
    body: &str,
) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
    let json: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["error"]["code"], "unauthorized", "{what}");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("トークン")
    );
    assert!(
        header_of(headers, "www-authenticate").starts_with("Bearer"),
        "{what}: {headers:?}"
    );
    assert_eq!(header_of(headers, DENIED_HEADER), "1", "{what}");
    assert_eq!(header_of(headers, "cache-control"), "no-store", "{what}");
}

fn code(app: &TestApp) -> keikaku_domain::MunicipalityCode {
    app.catalog.municipality_code().clone()
}

#[tokio::test]
async fn a_token_is_made_in_the_browser_shown_once_and_stored_as_a_hash() {
    let app = TestApp::new().await;
    let (session, csrf) = signed_in(&app, "sato", Role::PlanningOffice).await;
    let sato = LoginId::parse("sato").unwrap();
    // Without the session's CSRF token nothing is made.
    for fields in [
        vec![("name", "集計")],
        vec![("name", "集計"), ("csrf", "x".repeat(43).as_str())],
    ] {
        let (status, _, page) = create(&app, &session, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(secrets_in(&page).is_empty());
    }
    assert!(
        app.store
            .tokens(&code(&app), &sato)
            .await
            .unwrap()
            .is_empty()
    );

    let (status, headers, page) = create(
        &app,
        &session,
        &[
            ("csrf", &csrf),
            ("name", "進捗集計 <script>"),
            ("expires_in_days", "３０"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(header_of(&headers, "cache-control"), "no-store");
    let secrets = secrets_in(&page);
    assert_eq!(secrets.len(), 1, "the secret is shown exactly once: {page}");
    let secret = &secrets[0];
    assert!(page.contains("今だけ"), "the page warns to copy it now");
    assert!(!page.contains("<script>"), "the name is escaped");
    assert!(unescape(&page).contains("進捗集計 <script>"));

    // Only the hash is stored, and the audit log holds neither.
    let stored = app.store.tokens(&code(&app), &sato).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token_hash, keikaku_app::auth::token_hash(secret));
    assert_ne!(stored[0].token_hash, *secret);
    assert!(stored[0].expires_at.is_some());
    let entries = app.store.audit_entries(&code(&app), 0, 1000).await.unwrap();
    let made = entries.last().unwrap();
    assert_eq!(
        (made.action.as_str(), made.actor.as_str()),
        ("token.create", "sato")
    );
    for e in &entries {
        for text in [&e.before, &e.after].into_iter().flatten() {
            assert!(!text.contains(&secret[3..]), "{e:?}");
            assert!(!text.contains(&stored[0].token_hash), "{e:?}");
        }
    }

    // The list shows the token, never the secret again.
    let (status, headers, list) = app
        .get_with_cookies("/staff/tokens", &[("keikaku_session", &session)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, "cache-control"), "no-store");
    assert!(secrets_in(&list).is_empty(), "{list}");
    assert!(unescape(&list).contains("進捗集計 <script>"));
    assert!(list.contains(&stored[0].id));
    assert!(list.contains("有効"));
    assert!(list.contains(&format!("/staff/tokens/{}/revoke", stored[0].id)));

    // The secret works on the API.
    let (status, _, body) = bearer(&app, "/api/v1/plans", secret).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The staff page links to the tokens page.
    let (_, _, staff) = app
        .get_with_cookies("/staff", &[("keikaku_session", &session)])
        .await;
    assert!(staff.contains("href=\"/staff/tokens\""));
}

#[tokio::test]
async fn a_bad_form_is_shown_again_with_its_problems() {
    let app = TestApp::new().await;
    let (session, csrf) = signed_in(&app, "sato", Role::PlanningOffice).await;
    let (status, headers, page) = create(
        &app,
        &session,
        &[("csrf", &csrf), ("name", " "), ("expires_in_days", "30日")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert_eq!(header_of(&headers, "cache-control"), "no-store");
    assert!(page.contains("id=\"token-name-error\""), "{page}");
    assert!(page.contains("id=\"token-days-error\""), "{page}");
    assert_eq!(page.matches("aria-invalid=\"true\"").count(), 2);
    assert!(page.contains("value=\"30日\""), "what was typed is kept");
    let (status, _, page) = create(
        &app,
        &session,
        &[
            ("csrf", &csrf),
            ("name", "集計"),
            ("expires_in_days", "366"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"token-days-error\""), "{page}");
    assert!(
        app.store
            .tokens(&code(&app), &LoginId::parse("sato").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_revoked_token_is_refused_with_401() {
    let app = TestApp::new().await;
    let (session, csrf) = signed_in(&app, "sato", Role::PlanningOffice).await;
    let (_, _, page) = create(&app, &session, &[("csrf", &csrf), ("name", "集計")]).await;
    let secret = secrets_in(&page).remove(0);
    let id = app
        .store
        .tokens(&code(&app), &LoginId::parse("sato").unwrap())
        .await
        .unwrap()[0]
        .id
        .clone();
    let revoke = format!("/staff/tokens/{id}/revoke");

    // Another user cannot revoke it, with their own valid CSRF token.
    let (abe, abe_csrf) = signed_in(&app, "abe", Role::Member).await;
    let (status, _, _) = app
        .post_form(
            &revoke,
            &[("csrf", &abe_csrf)],
            &[("keikaku_session", &abe)],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Its owner cannot without the CSRF token.
    let (status, _, _) = app
        .post_form(&revoke, &[], &[("keikaku_session", &session)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        bearer(&app, "/api/v1/plans", &secret).await.0,
        StatusCode::OK
    );

    let (status, headers, _) = app
        .post_form(
            &revoke,
            &[("csrf", &csrf)],
            &[("keikaku_session", &session)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = header_of(&headers, "location").to_owned();
    assert_eq!(location, format!("/staff/tokens?revoked={id}"));
    let (_, _, list) = app
        .get_with_cookies(&location, &[("keikaku_session", &session)])
        .await;
    assert!(list.contains("失効させました"), "{list}");
    assert!(list.contains("失効"));
    assert!(
        !list.contains(&revoke),
        "a revoked token has no revoke button"
    );

    let (status, headers, body) = bearer(&app, "/api/v1/plans", &secret).await;
    assert_unauthorized("revoked", status, &headers, &body);
    assert!(header_of(&headers, "www-authenticate").contains("invalid_token"));
    // Revoking again: nothing to revoke.
    let (status, _, _) = app
        .post_form(
            &revoke,
            &[("csrf", &csrf)],
            &[("keikaku_session", &session)],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let actions: Vec<String> = app
        .store
        .audit_entries(&code(&app), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.target == id)
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["token.create", "token.revoke"]);
}

#[tokio::test]
async fn an_expired_token_is_refused_with_401() {
    let app = TestApp::new().await;
    app.add_user_with("sato", "佐藤", Role::Administrator, PASSWORD)
        .await;
    // Made on 2000-01-01 for one day.
    let long_ago = Timestamp::from_millis(946_684_800_000).unwrap();
    let secret = app.token_with("sato", Some(1), long_ago).await;
    for path in ["/api/v1/plans", "/api/v1/audit"] {
        let (status, headers, body) = bearer(&app, path, &secret).await;
        assert_unauthorized(path, status, &headers, &body);
    }
    let session = app.sign_in("sato", PASSWORD).await;
    let (_, _, list) = app
        .get_with_cookies("/staff/tokens", &[("keikaku_session", &session)])
        .await;
    assert!(list.contains("期限切れ"), "{list}");
}

#[tokio::test]
async fn a_token_of_a_disabled_user_is_refused_with_401() {
    let app = TestApp::new().await;
    app.add_user_with("sato", "佐藤", Role::Administrator, PASSWORD)
        .await;
    let secret = app.token_for("sato").await;
    assert_eq!(
        bearer(&app, "/api/v1/audit", &secret).await.0,
        StatusCode::OK
    );
    let (mut user, _) = app
        .store
        .user(&code(&app), &LoginId::parse("sato").unwrap())
        .await
        .unwrap()
        .unwrap();
    user.disabled = true;
    let change = UserChange {
        action: "user.update".to_owned(),
        before: None,
        after: None,
    };
    let author = Author {
        actor: "cli".to_owned(),
        at: common::at(),
    };
    app.store
        .update_user(&code(&app), &user, None, None, &author, &change)
        .await
        .unwrap();
    for path in ["/api/v1/audit", "/api/v1/plans"] {
        let (status, headers, body) = bearer(&app, path, &secret).await;
        assert_unauthorized(path, status, &headers, &body);
    }
}

#[tokio::test]
async fn a_members_token_cannot_do_what_members_cannot() {
    let app = TestApp::new().await;
    app.add_user_with("abe", "阿部", Role::Member, PASSWORD)
        .await;
    app.add_user_with("admin", "管理者", Role::Administrator, PASSWORD)
        .await;
    let member = app.token_for("abe").await;
    let admin = app.token_for("admin").await;
    // Public reads work with any valid token.
    assert_eq!(
        bearer(&app, "/api/v1/plans", &member).await.0,
        StatusCode::OK
    );
    // The audit log is for administrators: the member's token gets 403, not the log.
    let (status, headers, body) = bearer(&app, "/api/v1/audit", &member).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(header_of(&headers, DENIED_HEADER), "1");
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"]["code"], "forbidden");
    assert!(!body.contains("token.create"));
    // The administrator's token reads it, page by page.
    let (status, headers, body) = bearer(&app, "/api/v1/audit?limit=2", &admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(header_of(&headers, "cache-control"), "no-store");
    let page: Value = serde_json::from_str(&body).unwrap();
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["sequence"], 1);
    assert_eq!(page["next"], "/api/v1/audit?after=2&limit=2");
    let (_, _, body) = bearer(&app, "/api/v1/audit?after=2&limit=100", &admin).await;
    let rest: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(rest["next"], Value::Null);
    let actions: Vec<&str> = rest["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"token.create"), "{actions:?}");
    let (status, _, _) = bearer(&app, "/api/v1/audit?limit=0", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A token is not a session: it opens no staff page, whoever's it is.
    for secret in [&member, &admin] {
        let (status, headers, _) = bearer(&app, "/staff/audit", secret).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(header_of(&headers, "location"), "/login");
    }
}

#[tokio::test]
async fn the_api_takes_tokens_not_session_cookies() {
    let app = TestApp::new().await;
    app.add_user_with("admin", "管理者", Role::Administrator, PASSWORD)
        .await;
    let session = app.sign_in("admin", PASSWORD).await;
    let cookie = cookie_header(&[("keikaku_session", &session)]);
    // The administrator's session opens the audit page, but not the audit API.
    let (status, _, _) = app
        .get_with_cookies("/staff/audit", &[("keikaku_session", &session)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, body) = app
        .send(
            Request::get("/api/v1/audit")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_unauthorized("cookie only", status, &headers, &body);
    assert!(!header_of(&headers, "www-authenticate").contains("invalid_token"));
    // A bearer header that is not a token of ours is refused even on public routes; other
    // schemes are not ours and are ignored.
    for value in ["Bearer", "Bearer kk_nonsense", "bearer not-a-token"] {
        let (status, headers, body) = app
            .send(
                Request::get("/api/v1/plans")
                    .header(header::AUTHORIZATION, value)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_unauthorized(value, status, &headers, &body);
    }
    let (status, _, _) = app
        .send(
            Request::get("/api/v1/plans")
                .header(header::AUTHORIZATION, "Basic YWRtaW46eA==")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_declares_the_token_scheme() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let scheme = &doc["components"]["securitySchemes"]["token"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");
    assert!(
        doc["paths"]["/api/v1/audit"]["get"]["security"][0]
            .get("token")
            .is_some(),
        "{}",
        doc["paths"]["/api/v1/audit"]
    );
}
