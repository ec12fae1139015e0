//! The staff side through the router: the login page and its CSRF cookie, signing in and out,
//! the session cookie's attributes, session fixation, the throttling of failed logins (per login
//! id and address, and per address without refusing other accounts), and
//! the staff page with drafts.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, StatusCode, header};
use common::{
    TestApp, assert_shows_escaped, cookie_value, count, example_json, form_request, plan_mut,
    set_cookie, to_text,
};

const PASSWORD: &str = "correct horse battery";
const SESSION: &str = "keikaku_session";
const LOGIN_CSRF: &str = "keikaku_login_csrf";

/// Form fields or cookies: name and value.
type Pairs<'a> = &'a [(&'a str, &'a str)];

/// The example with the strategy still a draft, and the user `sato`.
async fn app() -> TestApp {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    app.add_user("sato", "佐藤 花子", PASSWORD).await;
    app
}

fn hdr<'a>(headers: &'a HeaderMap, name: &header::HeaderName) -> &'a str {
    common::header(headers, name)
}

/// The value of the hidden `csrf` field of a page.
fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// `GET /login`: the login CSRF token (cookie and field agree).
async fn login_token(app: &TestApp) -> String {
    let (status, headers, body) = app.get("/login").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let line = set_cookie(&headers, LOGIN_CSRF).unwrap();
    let token = cookie_value(&line).to_owned();
    assert_eq!(hidden_csrf(&body), token);
    token
}

/// Submits the login form with the right CSRF token (and extra cookies).
async fn submit(
    app: &TestApp,
    login: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let csrf = login_token(app).await;
    let mut cookies = vec![(LOGIN_CSRF, csrf.as_str())];
    cookies.extend_from_slice(extra);
    app.post_form(
        "/login",
        &[("login_id", login), ("password", password), ("csrf", &csrf)],
        &cookies,
    )
    .await
}

/// Signs `sato` in; the session token.
async fn sign_in(app: &TestApp) -> String {
    let (status, headers, body) = submit(app, "sato", PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    cookie_value(&set_cookie(&headers, SESSION).unwrap()).to_owned()
}

async fn staff(app: &TestApp, token: &str) -> (StatusCode, HeaderMap, String) {
    app.get_with_cookies("/staff", &[(SESSION, token)]).await
}

#[tokio::test]
async fn the_login_page_is_a_japanese_form_with_a_csrf_cookie() {
    let app = app().await;
    let (status, headers, body) = app.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hdr(&headers, &header::CACHE_CONTROL), "no-store");
    assert!(body.contains("<html lang=\"ja\">"));
    assert_eq!(count(&body, "<h1>") + count(&body, "<h1 "), 1, "{body}");
    assert!(body.contains("<h1>職員ログイン</h1>"), "{body}");
    for needle in [
        "<label for=\"login-id\">ログインID</label>",
        "<label for=\"login-password\">パスワード</label>",
        "autocomplete=\"username\"",
        "autocomplete=\"current-password\"",
        "type=\"password\"",
        "action=\"/login\" method=\"post\"",
        "type=\"hidden\" name=\"csrf\"",
    ] {
        assert!(body.contains(needle), "{needle} missing in {body}");
    }
    let line = set_cookie(&headers, LOGIN_CSRF).unwrap();
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax"),
        "{line}"
    );
    assert!(line.contains("Path=/login"), "{line}");
    assert_eq!(cookie_value(&line).len(), 43, "{line}");
    assert!(!body.contains("role=\"alert\""), "no error yet");
    // A browser that has the cookie keeps it (two tabs, one token).
    let token = cookie_value(&line).to_owned();
    let (_, again, body) = app
        .get_with_cookies("/login", &[(LOGIN_CSRF, &token)])
        .await;
    assert_eq!(
        cookie_value(&set_cookie(&again, LOGIN_CSRF).unwrap()),
        token
    );
    assert!(body.contains(&token));
}

#[tokio::test]
async fn every_public_page_links_to_the_login_in_the_footer_only() {
    let app = app().await;
    let home = app.page("/").await;
    let footer = &home[home.find("<footer").unwrap()..];
    assert!(
        footer.contains("<a href=\"/login\">職員ログイン</a>"),
        "{footer}"
    );
    assert_eq!(count(&home, "href=\"/login\""), 1);
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_without_a_session() {
    let app = app().await;
    for (login, password) in [("sato", "not the password"), ("nobody", PASSWORD)] {
        let (status, headers, body) = submit(&app, login, password, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(set_cookie(&headers, SESSION).is_none(), "{headers:?}");
        assert!(
            body.contains("role=\"alert\"")
                && body.contains("ログインIDまたはパスワードが違います。"),
            "{body}"
        );
        assert!(
            body.contains(&format!("value=\"{login}\"")),
            "login id kept"
        );
        assert!(!body.contains(password), "the password is never sent back");
        assert_eq!(hdr(&headers, &header::CACHE_CONTROL), "no-store");
    }
}

#[tokio::test]
async fn signing_in_sets_an_http_only_lax_session_cookie_and_goes_to_the_staff_page() {
    let app = app().await;
    let (status, headers, _) = submit(&app, "sato", PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(hdr(&headers, &header::LOCATION), "/staff");
    let line = set_cookie(&headers, SESSION).unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(attr), "{attr} missing: {line}");
    }
    assert!(!line.contains("Secure"), "{line}");
    assert!(
        !line.contains("Max-Age"),
        "a browser-session cookie: {line}"
    );
    assert_eq!(cookie_value(&line).len(), 43);
    // The login CSRF cookie is spent.
    let spent = set_cookie(&headers, LOGIN_CSRF).unwrap();
    assert!(spent.contains("Max-Age=0"), "{spent}");

    let app = app.with_https();
    let (_, headers, _) = app.get("/login").await;
    assert!(
        set_cookie(&headers, LOGIN_CSRF)
            .unwrap()
            .contains("; Secure")
    );
    let (status, headers, _) = submit(&app, "sato", PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let line = set_cookie(&headers, SESSION).unwrap();
    assert!(
        line.contains("; Secure") && line.contains("HttpOnly"),
        "{line}"
    );
}

#[tokio::test]
async fn the_staff_page_needs_a_session() {
    let app = app().await;
    let (status, headers, _) = app.get("/staff").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(hdr(&headers, &header::LOCATION), "/login");
    assert_eq!(hdr(&headers, &header::CACHE_CONTROL), "no-store");
    // A cookie that names no session is cleared.
    let (status, headers, _) = staff(&app, &"A".repeat(43)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(hdr(&headers, &header::LOCATION), "/login");
    assert!(set_cookie(&headers, SESSION).unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn the_staff_page_shows_the_user_and_every_plan_with_drafts() {
    let app = app().await;
    // The draft is not public.
    let (status, _, _) = app.get("/plans/sogo-senryaku").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let token = sign_in(&app).await;
    let (status, headers, body) = staff(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(hdr(&headers, &header::CACHE_CONTROL), "no-store");
    assert_eq!(hdr(&headers, &header::ETAG), "");
    assert!(body.contains("<html lang=\"ja\">"));
    assert_eq!(count(&body, "<h1>") + count(&body, "<h1 "), 1);
    assert!(body.contains("<h1>職員用ページ</h1>"), "{body}");
    assert!(
        body.contains("佐藤 花子") && body.contains("企画担当"),
        "{body}"
    );
    assert!(body.contains("企画政策課"), "{body}");
    assert!(body.contains("action=\"/logout\""), "{body}");
    // Both plans, the draft marked as such, the published one linked.
    let mut file = example_json();
    let strategy = plan_mut(&mut file, "sogo-senryaku")["title"]
        .as_str()
        .unwrap()
        .to_owned();
    let row = &body[body.find(&strategy).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("草案"), "{row}");
    assert!(
        !row.contains("href=\"/plans/"),
        "a draft has no public page: {row}"
    );
    assert!(
        row.contains("href=\"/staff/plans/sogo-senryaku/versions\""),
        "a draft's versions are open to staff: {row}"
    );
    assert!(body.contains("href=\"/plans/sogo-keikaku\""), "{body}");
    assert!(body.contains("公開"), "{body}");
    assert!(body.contains("年度"), "the period is shown: {body}");
}

#[tokio::test]
async fn public_pages_are_the_same_for_signed_in_users() {
    let app = app().await;
    let token = sign_in(&app).await;
    for path in ["/", "/plans/sogo-keikaku", "/search?q=%E8%BE%B2%E6%A5%AD"] {
        let (_, anonymous_headers, anonymous) = app.get(path).await;
        let (_, headers, signed) = app.get_with_cookies(path, &[(SESSION, &token)]).await;
        assert_eq!(anonymous, signed, "{path}");
        assert_eq!(
            hdr(&anonymous_headers, &header::ETAG),
            hdr(&headers, &header::ETAG)
        );
        assert!(!signed.contains("佐藤"), "{path}");
    }
    // Signed in, the login page leads to the staff page.
    let (status, headers, _) = app.get_with_cookies("/login", &[(SESSION, &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(hdr(&headers, &header::LOCATION), "/staff");
}

#[tokio::test]
async fn a_session_id_sent_before_login_is_never_the_one_returned() {
    let app = app().await;
    // A value an attacker planted.
    let planted = "plantedPLANTEDplantedPLANTEDplantedPLANTED_";
    assert_eq!(planted.len(), 43);
    let (status, headers, _) = submit(&app, "sato", PASSWORD, &[(SESSION, planted)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let issued = cookie_value(&set_cookie(&headers, SESSION).unwrap()).to_owned();
    assert_ne!(issued, planted);
    assert_eq!(staff(&app, planted).await.0, StatusCode::SEE_OTHER);
    assert_eq!(staff(&app, &issued).await.0, StatusCode::OK);

    // A live session is replaced too, and ends.
    let (_, headers, _) = submit(&app, "sato", PASSWORD, &[(SESSION, &issued)]).await;
    let second = cookie_value(&set_cookie(&headers, SESSION).unwrap()).to_owned();
    assert_ne!(second, issued);
    assert_eq!(staff(&app, &issued).await.0, StatusCode::SEE_OTHER);
    assert_eq!(staff(&app, &second).await.0, StatusCode::OK);
}

#[tokio::test]
async fn logging_out_needs_the_sessions_csrf_token() {
    let app = app().await;
    let token = sign_in(&app).await;
    let (_, _, page) = staff(&app, &token).await;
    let csrf = hidden_csrf(&page);

    for fields in [vec![], vec![("csrf", "wrong")], vec![("csrf", "")]] {
        let (status, headers, body) = app
            .post_form("/logout", &fields, &[(SESSION, &token)])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{fields:?}");
        assert!(body.contains("<html lang=\"ja\">") && body.contains("受け付けられません"));
        assert!(set_cookie(&headers, SESSION).is_none());
        assert_eq!(
            staff(&app, &token).await.0,
            StatusCode::OK,
            "still signed in"
        );
    }
    // Another session's token is not this one's.
    let other = sign_in(&app).await;
    let (_, _, other_page) = staff(&app, &other).await;
    let (status, _, _) = app
        .post_form(
            "/logout",
            &[("csrf", &hidden_csrf(&other_page))],
            &[(SESSION, &token)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, headers, _) = app
        .post_form("/logout", &[("csrf", &csrf)], &[(SESSION, &token)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(hdr(&headers, &header::LOCATION), "/");
    let cleared = set_cookie(&headers, SESSION).unwrap();
    assert!(
        cleared.contains("Max-Age=0") && cleared.starts_with("keikaku_session=;"),
        "{cleared}"
    );
    // The server-side session is gone: the old cookie no longer works.
    let (status, headers, _) = staff(&app, &token).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(hdr(&headers, &header::LOCATION), "/login");
    assert_eq!(staff(&app, &other).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_login_form_needs_its_csrf_cookie_and_field_to_agree() {
    let app = app().await;
    let csrf = login_token(&app).await;
    let other = login_token(&TestApp::new().await).await;
    let cases: [(Pairs, Pairs); 4] = [
        // No cookie.
        (&[("csrf", &csrf)], &[]),
        // No field.
        (&[], &[(LOGIN_CSRF, &csrf)]),
        // Both, different.
        (&[("csrf", &other)], &[(LOGIN_CSRF, &csrf)]),
        // Both empty.
        (&[("csrf", "")], &[(LOGIN_CSRF, "")]),
    ];
    for (extra_fields, cookies) in cases {
        let mut fields = vec![("login_id", "sato"), ("password", PASSWORD)];
        fields.extend_from_slice(extra_fields);
        let (status, headers, body) = app.post_form("/login", &fields, cookies).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{fields:?} {cookies:?}");
        assert!(set_cookie(&headers, SESSION).is_none());
        assert!(body.contains("<html lang=\"ja\">"), "{body}");
        assert!(body.contains("この操作は受け付けられません"), "{body}");
        assert_eq!(hdr(&headers, &header::CACHE_CONTROL), "no-store");
    }
}

/// The seconds of a `Retry-After` header (0 when missing).
fn retry_after(headers: &HeaderMap) -> u64 {
    hdr(headers, &header::RETRY_AFTER).parse().unwrap_or(0)
}

#[tokio::test]
async fn the_sixth_attempt_after_five_wrong_passwords_waits_with_429() {
    let app = app().await;
    for i in 0..5 {
        let (status, _, body) = submit(&app, "sato", "not the password", &[]).await;
        assert_eq!(status, StatusCode::OK, "attempt {i}: {body}");
    }
    // A minute after the fifth failure (the requests take far less than that).
    let (status, headers, body) = submit(&app, "sato", PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(set_cookie(&headers, SESSION).is_none());
    assert!((1..=60).contains(&retry_after(&headers)), "{headers:?}");
    assert!(
        body.contains("role=\"alert\"")
            && body.contains("ログインの失敗が続いたため、しばらくログインできません。")
            && body.contains("ほど待ってから再度お試しください"),
        "{body}"
    );
    assert!(body.contains("<html lang=\"ja\">"));
}

/// A login form request from a client address (as the connection gives it).
fn from(
    csrf: &str,
    ip: &str,
    login: &str,
    password: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut request = form_request(
        "/login",
        &[("login_id", login), ("password", password), ("csrf", csrf)],
        &[(LOGIN_CSRF, csrf)],
    );
    request.extensions_mut().insert(ConnectInfo(
        format!("{ip}:40000").parse::<SocketAddr>().unwrap(),
    ));
    request
}

#[tokio::test]
async fn wrong_guesses_from_one_address_do_not_stop_the_user_at_another() {
    let app = app().await;
    let csrf = login_token(&app).await;
    for i in 0..5 {
        let (status, _, _) = app
            .send(from(&csrf, "192.0.2.66", "sato", "not the password"))
            .await;
        assert_eq!(status, StatusCode::OK, "attempt {i}");
    }
    // The guesser waits (the password is not even checked) ...
    let (status, headers, _) = app.send(from(&csrf, "192.0.2.66", "sato", PASSWORD)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&headers) > 0, "{headers:?}");
    // ... and sato, at her own desk, signs in.
    let (status, headers, body) = app
        .send(from(&csrf, "198.51.100.20", "sato", PASSWORD))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(set_cookie(&headers, SESSION).is_some());
}

#[tokio::test]
async fn many_failures_from_an_address_do_not_refuse_another_accounts_password() {
    let app = app().await;
    let csrf = login_token(&app).await;
    // A shared address (a proxy, a NAT) from which someone guesses at 25 login ids.
    for i in 0..25 {
        let (status, _, _) = app
            .send(from(
                &csrf,
                "192.0.2.10",
                &format!("guess{i}"),
                "not the password",
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "attempt {i}");
    }
    // A colleague behind the same address signs in with her right password ...
    let (status, _, body) = app.send(from(&csrf, "192.0.2.10", "sato", PASSWORD)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // ... while the ids guessed at from there wait.
    let (status, headers, _) = app
        .send(from(&csrf, "192.0.2.10", "guess3", "not the password"))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&headers) > 0, "{headers:?}");
}

#[tokio::test]
async fn markup_in_a_display_name_is_shown_escaped() {
    let app = app().await;
    let name = "<script>alert(1)</script>";
    app.add_user("mallory", name, PASSWORD).await;
    let (status, headers, _) = submit(&app, "mallory", PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let token = cookie_value(&set_cookie(&headers, SESSION).unwrap()).to_owned();
    let (status, _, body) = staff(&app, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_shows_escaped("/staff", &body, name);
}

#[tokio::test]
async fn a_login_form_that_is_not_utf8_is_refused() {
    let app = app().await;
    let csrf = login_token(&app).await;
    let body = format!("login_id=sato%FF&password=correct+horse+battery&csrf={csrf}");
    let request = axum::http::Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("{LOGIN_CSRF}={csrf}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, headers, page) = app.send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(set_cookie(&headers, SESSION).is_none());
    assert!(
        page.contains("ログインフォームの項目「login_id」に、UTF-8として読めない文字"),
        "{page}"
    );
}

#[tokio::test]
async fn staff_pages_say_who_is_signed_in_and_public_pages_do_not() {
    let app = TestApp::new().await;
    app.add_staff(
        "tanaka",
        "田中 一郎",
        keikaku_domain::account::Role::DepartmentEditor,
        "農政課",
        PASSWORD,
    )
    .await;
    let session = app.sign_in("tanaka", PASSWORD).await;
    let cookies = [(SESSION, session.as_str())];
    for path in ["/staff", "/staff/population", "/staff/implementation-plans"] {
        let (status, _, page) = app.get_with_cookies(path, &cookies).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let header = &page[..page.find("</header>").unwrap()];
        assert!(
            header.contains("田中 一郎") && header.contains("（所管課担当（農政課））"),
            "{path}: {header}"
        );
        assert!(
            header.contains("action=\"/logout\"") && header.contains(&hidden_csrf(header)),
            "{path}"
        );
    }
    // The public pages stay the same for everyone (shared caches keep them).
    for path in ["/", "/population", "/plans/sogo-keikaku"] {
        let (_, _, page) = app.get_with_cookies(path, &cookies).await;
        assert!(
            !page.contains("田中 一郎") && !page.contains("action=\"/logout\""),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_read_only_element_names_its_choices() {
    let app = TestApp::new().await;
    app.add_staff(
        "kikaku",
        "企画 花子",
        keikaku_domain::account::Role::PlanningOffice,
        "",
        PASSWORD,
    )
    .await;
    let session = app.sign_in("kikaku", PASSWORD).await;
    // The comprehensive plan is published, so its elements are shown read-only.
    let (status, _, page) = app
        .get_with_cookies(
            "/staff/plans/sogo-keikaku/elements/field-3-1",
            &[(SESSION, session.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let values = &page[page.find("element-values").expect("read-only values")..];
    assert!(!values.contains(">goal-3<"), "{values}");
    assert!(
        values.contains("自ら輝きながら 次代の担い手を応援するまち"),
        "{values}"
    );
}
