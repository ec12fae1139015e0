//! Administrators manage user accounts in the browser: adding a user, changing name,
//! department and roles, disabling and re-enabling, setting a new password — with CSRF,
//! escaping, lock-out protection and the conflict when someone else changed the user first.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{HeaderMap, StatusCode};
use common::{TestApp, assert_shows_escaped, count, unescape};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_storage::{AccountStore, HistoryStore};
use keikaku_web::routes::DENIED_HEADER;

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "purple monkey dishwasher";

/// The app with an administrator `admin` signed in: the app, the session token and the
/// session's CSRF token (read from the users page).
async fn admin_app() -> (TestApp, String, String) {
    let app = TestApp::new().await;
    app.add_user_with("admin", "管理 花子", Role::Administrator, PASSWORD)
        .await;
    let token = app.sign_in("admin", PASSWORD).await;
    let page = page(&app, &token, "/staff/users").await;
    let csrf = hidden(&page, "csrf");
    (app, token, csrf)
}

/// A page as a signed-in user; must answer 200.
async fn page(app: &TestApp, token: &str, path: &str) -> String {
    let (status, headers, body) = app
        .get_with_cookies(path, &[("keikaku_session", token)])
        .await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    assert_eq!(cache_control(&headers), "no-store", "GET {path}");
    body
}

fn cache_control(headers: &HeaderMap) -> &str {
    common::header(headers, &axum::http::header::CACHE_CONTROL)
}

fn location(headers: &HeaderMap) -> &str {
    common::header(headers, &axum::http::header::LOCATION)
}

/// The value of the first hidden field with this name.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{name}: {page}"))
        + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    app.post_form(path, fields, &[("keikaku_session", token)])
        .await
}

async fn stored(app: &TestApp, login_id: &str) -> Option<User> {
    app.store
        .user(
            app.catalog.municipality_code(),
            &LoginId::parse(login_id).unwrap(),
        )
        .await
        .unwrap()
        .map(|(user, _)| user)
}

/// The fingerprint an edit page carries for a user.
async fn seen(app: &TestApp, token: &str, login_id: &str) -> String {
    hidden(
        &page(app, token, &format!("/staff/users/{login_id}")).await,
        "seen",
    )
}

/// Adds a user through the form as the administrator; must succeed.
async fn add_through_form(
    app: &TestApp,
    token: &str,
    csrf: &str,
    login_id: &str,
    name: &str,
    department: &str,
    roles: &[&str],
) {
    let mut fields = vec![
        ("csrf", csrf),
        ("login_id", login_id),
        ("display_name", name),
        ("department", department),
        ("password", PASSWORD),
    ];
    fields.extend(roles.iter().map(|r| ("roles", *r)));
    let (status, headers, body) = post(app, token, "/staff/users", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        location(&headers),
        format!("/staff/users?created={login_id}")
    );
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, String)> {
    app.store
        .audit_entries(app.catalog.municipality_code(), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            let text = format!(
                "{}\n{}",
                e.before.unwrap_or_default(),
                e.after.unwrap_or_default()
            );
            (e.action, e.actor, text)
        })
        .collect()
}

#[tokio::test]
async fn an_administrator_adds_a_user_who_can_then_sign_in() {
    let (app, token, csrf) = admin_app().await;
    let list = page(&app, &token, "/staff/users").await;
    assert_eq!(count(&list, "<h1>"), 1);
    for text in [
        "利用者の追加",
        "for=\"user-login-id\"",
        "for=\"user-password\"",
        "管理者",
        "企画担当",
        "所管課担当",
        "委員",
        "企画（計画担当）",
        "審議会等の委員",
    ] {
        assert!(list.contains(text), "{text} missing:\n{list}");
    }
    assert!(!list.contains("<script"), "no JavaScript");

    add_through_form(
        &app,
        &token,
        &csrf,
        "k.sato",
        "佐藤 一郎",
        "農政課",
        &["department_editor", "member"],
    )
    .await;
    let confirmed = page(&app, &token, "/staff/users?created=k.sato").await;
    assert!(
        confirmed.contains("利用者「佐藤 一郎」（ログインID: k.sato）を登録しました"),
        "{confirmed}"
    );
    assert!(
        confirmed.contains("href=\"/staff/users/k.sato\""),
        "{confirmed}"
    );
    // A confirmation is shown only for a user that exists.
    let bogus = page(&app, &token, "/staff/users?created=nobody").await;
    assert!(!bogus.contains("を登録しました"), "{bogus}");

    let user = stored(&app, "k.sato").await.unwrap();
    assert_eq!(user.display_name, "佐藤 一郎");
    assert_eq!(user.department, "農政課");
    assert_eq!(user.roles, vec![Role::DepartmentEditor, Role::Member]);
    assert!(!user.disabled);

    // The new user signs in with the initial password.
    let theirs = app.sign_in("k.sato", PASSWORD).await;
    let staff = page(&app, &theirs, "/staff").await;
    assert!(staff.contains("佐藤 一郎"), "{staff}");

    // Audited as the administrator's act, without the password or its hash.
    let audit = audit_actions(&app).await;
    let (_, actor, text) = audit
        .iter()
        .rev()
        .find(|(a, _, _)| a == "user.create")
        .unwrap();
    assert_eq!(actor, "admin");
    assert!(text.contains("k.sato"), "{text}");
    assert!(
        !text.contains(PASSWORD) && !text.contains("argon2"),
        "{text}"
    );
}

#[tokio::test]
async fn a_weak_password_or_missing_fields_are_shown_next_to_the_fields_and_nothing_is_stored() {
    let (app, token, csrf) = admin_app().await;
    let (status, headers, body) = post(
        &app,
        &token,
        "/staff/users",
        &[
            ("csrf", &csrf),
            ("login_id", "tanaka"),
            ("display_name", "田中 次郎"),
            ("department", "建設課"),
            ("roles", "planning_office"),
            ("password", "short1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(cache_control(&headers), "no-store");
    assert!(
        body.contains("パスワードは12文字以上にしてください（6文字でした）。"),
        "{body}"
    );
    assert!(body.contains("id=\"user-password-error\""), "{body}");
    assert!(
        body.contains(
            "aria-invalid=\"true\" aria-describedby=\"user-password-hint user-password-error\""
        ),
        "{body}"
    );
    // What was typed is kept, except the password.
    assert!(body.contains("value=\"tanaka\""), "{body}");
    assert!(body.contains("value=\"田中 次郎\""), "{body}");
    assert!(body.contains("value=\"建設課\""), "{body}");
    assert!(body.contains("value=\"planning_office\" checked"), "{body}");
    assert!(!body.contains("short1"), "the password is never sent back");
    assert_eq!(count(&body, "<h1>"), 1);
    assert!(stored(&app, "tanaka").await.is_none());

    // Everything wrong at once: each problem next to its field.
    let (status, _, body) = post(
        &app,
        &token,
        "/staff/users",
        &[
            ("csrf", &csrf),
            ("login_id", "Bad Id"),
            ("display_name", " "),
            ("password", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for (id, text) in [
        ("user-login-id-error", "ログインID「Bad Id」は使えません"),
        ("user-name-error", "氏名を入力してください。"),
        ("user-roles-error", "役割を1つ以上選んでください。"),
        ("user-password-error", "パスワードは12文字以上"),
    ] {
        assert!(body.contains(&format!("id=\"{id}\"")), "{id}: {body}");
        assert!(body.contains(text), "{text}: {body}");
    }
    assert!(body.contains("入力内容に問題があります（4件）"), "{body}");
    let users = app
        .store
        .users(app.catalog.municipality_code())
        .await
        .unwrap();
    assert_eq!(users.len(), 1, "only the administrator");
}

#[tokio::test]
async fn a_login_id_in_use_is_refused() {
    let (app, token, csrf) = admin_app().await;
    add_through_form(
        &app,
        &token,
        &csrf,
        "kikaku",
        "企画 太郎",
        "",
        &["planning_office"],
    )
    .await;
    let (status, _, body) = post(
        &app,
        &token,
        "/staff/users",
        &[
            ("csrf", &csrf),
            ("login_id", "kikaku"),
            ("display_name", "別の 人"),
            ("roles", "member"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("ログインID「kikaku」は既に使われています"),
        "{body}"
    );
    assert!(body.contains("id=\"user-login-id-error\""), "{body}");
    assert_eq!(
        stored(&app, "kikaku").await.unwrap().display_name,
        "企画 太郎"
    );
}

#[tokio::test]
async fn an_administrator_changes_name_department_and_roles() {
    let (app, token, csrf) = admin_app().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let theirs = app.sign_in("kikaku", PASSWORD).await;
    let edit = page(&app, &token, "/staff/users/kikaku").await;
    assert_eq!(count(&edit, "<h1>"), 1);
    assert!(edit.contains("value=\"planning_office\" checked"), "{edit}");
    let seen = hidden(&edit, "seen");

    let (status, headers, body) = post(
        &app,
        &token,
        "/staff/users/kikaku",
        &[
            ("csrf", &csrf),
            ("seen", &seen),
            ("display_name", "企画 太郎（兼務）"),
            ("department", "総務課"),
            ("roles", "member"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&headers), "/staff/users/kikaku?done=saved");
    let done = page(&app, &token, "/staff/users/kikaku?done=saved").await;
    assert!(done.contains("利用者の情報を保存しました。"), "{done}");
    assert!(done.contains("value=\"member\" checked"), "{done}");
    assert!(
        !done.contains("value=\"planning_office\" checked"),
        "{done}"
    );

    let user = stored(&app, "kikaku").await.unwrap();
    assert_eq!(user.display_name, "企画 太郎（兼務）");
    assert_eq!(user.department, "総務課");
    assert_eq!(user.roles, vec![Role::Member]);
    // The new roles apply to the open session at once: a member may not change statuses.
    let (status, headers, _) = app
        .post_form(
            "/staff/plans/sogo-keikaku/status",
            &[("from", "published"), ("to", "draft")],
            &[("keikaku_session", &theirs)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(headers.contains_key(DENIED_HEADER));

    let audit = audit_actions(&app).await;
    let (action, actor, text) = audit.last().unwrap();
    assert_eq!((action.as_str(), actor.as_str()), ("user.update", "admin"));
    assert!(
        text.contains("planning_office") && text.contains("member"),
        "{text}"
    );
    let log = page(&app, &token, "/staff/audit").await;
    assert!(log.contains("利用者の変更"), "{log}");
}

#[tokio::test]
async fn disabling_ends_the_users_sessions_and_re_enabling_lets_them_back() {
    let (app, token, csrf) = admin_app().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let theirs = app.sign_in("kikaku", PASSWORD).await;
    page(&app, &theirs, "/staff").await;

    let seen_before = seen(&app, &token, "kikaku").await;
    let (status, headers, body) = post(
        &app,
        &token,
        "/staff/users/kikaku/disable",
        &[("csrf", &csrf), ("seen", &seen_before)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&headers), "/staff/users/kikaku?done=disabled");
    assert!(stored(&app, "kikaku").await.unwrap().disabled);
    let done = page(&app, &token, "/staff/users/kikaku?done=disabled").await;
    assert!(done.contains("利用を停止しました"), "{done}");
    assert!(done.contains("利用を再開する"), "{done}");
    let list = page(&app, &token, "/staff/users").await;
    assert!(list.contains("利用停止"), "{list}");

    // Their open session no longer works, and they cannot sign in.
    let (status, headers, _) = app
        .get_with_cookies("/staff", &[("keikaku_session", &theirs)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/login");
    let (_, login_headers, _) = app.get("/login").await;
    let login_csrf =
        common::cookie_value(&common::set_cookie(&login_headers, "keikaku_login_csrf").unwrap())
            .to_owned();
    let (status, _, body) = app
        .post_form(
            "/login",
            &[
                ("login_id", "kikaku"),
                ("password", PASSWORD),
                ("csrf", &login_csrf),
            ],
            &[("keikaku_login_csrf", &login_csrf)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("このアカウントは現在利用できません"),
        "{body}"
    );

    // Re-enabled: they sign in again.
    let seen_disabled = seen(&app, &token, "kikaku").await;
    assert_ne!(seen_before, seen_disabled);
    let (status, headers, body) = post(
        &app,
        &token,
        "/staff/users/kikaku/enable",
        &[("csrf", &csrf), ("seen", &seen_disabled)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&headers), "/staff/users/kikaku?done=enabled");
    assert!(!stored(&app, "kikaku").await.unwrap().disabled);
    let again = app.sign_in("kikaku", PASSWORD).await;
    page(&app, &again, "/staff").await;

    let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|a| a.0).collect();
    assert!(actions.ends_with(&["user.disable".to_owned(), "user.enable".to_owned()]));
    let log = page(&app, &token, "/staff/audit").await;
    assert!(
        log.contains("利用者の利用停止") && log.contains("利用者の利用再開"),
        "{log}"
    );
}

#[tokio::test]
async fn an_administrator_sets_a_new_password() {
    let (app, token, csrf) = admin_app().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let theirs = app.sign_in("kikaku", PASSWORD).await;
    let seen = seen(&app, &token, "kikaku").await;

    // A weak one is refused next to the field, and not shown again.
    let (status, _, body) = post(
        &app,
        &token,
        "/staff/users/kikaku/password",
        &[
            ("csrf", &csrf),
            ("seen", &seen),
            ("password", "kikaku-kikaku-1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("パスワードにログインIDを含めないでください。"),
        "{body}"
    );
    assert!(body.contains("id=\"user-password-error\""), "{body}");
    assert!(!body.contains("kikaku-kikaku-1"), "{body}");
    page(&app, &theirs, "/staff").await;

    let (status, headers, body) = post(
        &app,
        &token,
        "/staff/users/kikaku/password",
        &[("csrf", &csrf), ("seen", &seen), ("password", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&headers), "/staff/users/kikaku?done=password");
    let done = page(&app, &token, "/staff/users/kikaku?done=password").await;
    assert!(done.contains("パスワードを再設定しました。"), "{done}");
    // Their session ended; the old password no longer works, the new one does.
    let (status, _, _) = app
        .get_with_cookies("/staff", &[("keikaku_session", &theirs)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cx = app.catalog.context();
    let limiter = keikaku_app::auth::LoginLimiter::new();
    let addr = "192.0.2.1".parse().unwrap();
    assert!(
        keikaku_app::auth::login(&cx, &limiter, "kikaku", PASSWORD, addr, common::at())
            .await
            .is_err()
    );
    app.sign_in("kikaku", NEW_PASSWORD).await;

    let audit = audit_actions(&app).await;
    let (action, actor, text) = audit.last().unwrap();
    assert_eq!(
        (action.as_str(), actor.as_str()),
        ("user.password", "admin")
    );
    assert!(
        !text.contains(NEW_PASSWORD) && !text.contains("argon2"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_or_wrong_csrf_token_changes_nothing() {
    let (app, token, csrf) = admin_app().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let seen = seen(&app, &token, "kikaku").await;
    let before = stored(&app, "kikaku").await.unwrap();
    let entries = audit_actions(&app).await.len();
    let wrong = format!("{}A", &csrf[..csrf.len() - 1]);
    let wrong = if wrong == csrf {
        format!("{}B", &csrf[..csrf.len() - 1])
    } else {
        wrong
    };
    for given in [None, Some(""), Some(wrong.as_str())] {
        let with = |mut fields: Vec<(&'static str, String)>| {
            if let Some(g) = given {
                fields.push(("csrf", g.to_owned()));
            }
            fields
        };
        let requests: Vec<(&str, Vec<(&str, String)>)> = vec![
            (
                "/staff/users",
                with(vec![
                    ("login_id", "mallory".to_owned()),
                    ("display_name", "侵入者".to_owned()),
                    ("roles", "administrator".to_owned()),
                    ("password", NEW_PASSWORD.to_owned()),
                ]),
            ),
            (
                "/staff/users/kikaku",
                with(vec![
                    ("seen", seen.clone()),
                    ("display_name", "改ざん".to_owned()),
                    ("roles", "administrator".to_owned()),
                ]),
            ),
            (
                "/staff/users/kikaku/disable",
                with(vec![("seen", seen.clone())]),
            ),
            (
                "/staff/users/kikaku/password",
                with(vec![
                    ("seen", seen.clone()),
                    ("password", NEW_PASSWORD.to_owned()),
                ]),
            ),
        ];
        for (path, fields) in requests {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let (status, _, body) = post(&app, &token, path, &fields).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{path} with {given:?}: {body}"
            );
            assert!(body.contains("この操作は受け付けられません"), "{body}");
        }
    }
    assert!(stored(&app, "mallory").await.is_none());
    assert_eq!(stored(&app, "kikaku").await.unwrap(), before);
    assert_eq!(audit_actions(&app).await.len(), entries);
    // The password did not change either.
    app.sign_in("kikaku", PASSWORD).await;
}

#[tokio::test]
async fn other_roles_and_anonymous_visitors_are_refused() {
    let app = TestApp::new().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let (_, _, staff) = app
        .get_with_cookies("/staff", &[("keikaku_session", &token)])
        .await;
    let csrf = hidden(&staff, "csrf");
    let (status, headers, _) = post(
        &app,
        &token,
        "/staff/users",
        &[
            ("csrf", &csrf),
            ("login_id", "mallory"),
            ("display_name", "侵入者"),
            ("roles", "administrator"),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(headers.contains_key(DENIED_HEADER));
    let (status, _, _) = post(
        &app,
        &token,
        "/staff/users/kikaku",
        &[
            ("csrf", &csrf),
            ("display_name", "企画 太郎"),
            ("roles", "administrator"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .get_with_cookies("/staff/users/kikaku", &[("keikaku_session", &token)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, _) = app
        .post_form(
            "/staff/users/kikaku/password",
            &[("password", NEW_PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/login");
    assert!(stored(&app, "mallory").await.is_none());
    assert_eq!(
        stored(&app, "kikaku").await.unwrap().roles,
        vec![Role::PlanningOffice]
    );
    app.sign_in("kikaku", PASSWORD).await;
}

#[tokio::test]
async fn markup_in_names_is_stored_exactly_and_shown_escaped() {
    let (app, token, csrf) = admin_app().await;
    let payload = "<script>alert(1)</script>";
    let department = "\"><script>alert(1)</script>";
    add_through_form(&app, &token, &csrf, "xss", payload, department, &["member"]).await;
    let user = stored(&app, "xss").await.unwrap();
    assert_eq!(user.display_name, payload);
    assert_eq!(user.department, department);

    let list = page(&app, &token, "/staff/users?created=xss").await;
    assert_shows_escaped("list", &list, payload);
    assert_shows_escaped("list", &list, department);
    let edit = page(&app, &token, "/staff/users/xss").await;
    assert_shows_escaped("edit page", &edit, department);
    // In the form, the values come back escaped in the attribute.
    assert!(
        edit.contains(&format!("value=\"{}\"", common::escape(payload))),
        "{edit}"
    );
    assert!(unescape(&edit).contains(payload));

    // Changed through the edit form too: still exact, still escaped.
    let seen = hidden(&edit, "seen");
    let renamed = format!("{payload}<img src=x onerror=alert(2)>");
    let (status, _, body) = post(
        &app,
        &token,
        "/staff/users/xss",
        &[
            ("csrf", &csrf),
            ("seen", &seen),
            ("display_name", &renamed),
            ("department", department),
            ("roles", "member"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(stored(&app, "xss").await.unwrap().display_name, renamed);
    let list = page(&app, &token, "/staff/users").await;
    assert_shows_escaped("list", &list, &renamed);
}

#[tokio::test]
async fn administrators_cannot_lock_themselves_out() {
    let (app, token, csrf) = admin_app().await;
    let edit = page(&app, &token, "/staff/users/admin").await;
    assert!(
        edit.contains("自分自身のアカウントは利用停止にできません"),
        "{edit}"
    );
    assert!(
        !edit.contains("action=\"/staff/users/admin/disable\""),
        "{edit}"
    );
    let seen = hidden(&edit, "seen");

    // Disabling oneself (a crafted form): refused.
    let (status, _, body) = post(
        &app,
        &token,
        "/staff/users/admin/disable",
        &[("csrf", &csrf), ("seen", &seen)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("自分自身のアカウントは利用停止にできません（"),
        "{body}"
    );

    // Removing one's own administrator role: refused next to the roles, input kept.
    let (status, _, body) = post(
        &app,
        &token,
        "/staff/users/admin",
        &[
            ("csrf", &csrf),
            ("seen", &seen),
            ("display_name", "管理 花子"),
            ("department", "情報政策課"),
            ("roles", "planning_office"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("自分自身の「管理者」の役割は外せません"),
        "{body}"
    );
    assert!(body.contains("id=\"user-roles-error\""), "{body}");
    assert!(body.contains("value=\"情報政策課\""), "{body}");

    let me = stored(&app, "admin").await.unwrap();
    assert!(!me.disabled);
    assert_eq!(me.roles, vec![Role::Administrator]);
    assert_eq!(me.department, "企画政策課");
    page(&app, &token, "/staff/users").await;

    // Adding a role while keeping the administrator's is fine.
    let (status, _, body) = post(
        &app,
        &token,
        "/staff/users/admin",
        &[
            ("csrf", &csrf),
            ("seen", &seen),
            ("display_name", "管理 花子"),
            ("department", "企画政策課"),
            ("roles", "administrator"),
            ("roles", "planning_office"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        stored(&app, "admin").await.unwrap().roles,
        vec![Role::Administrator, Role::PlanningOffice]
    );
}

#[tokio::test]
async fn a_stale_form_is_refused_as_a_conflict() {
    let (app, token, csrf) = admin_app().await;
    app.add_user_with("second", "第二 管理者", Role::Administrator, PASSWORD)
        .await;
    let other = app.sign_in("second", PASSWORD).await;
    let other_csrf = hidden(&page(&app, &other, "/staff/users").await, "csrf");
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;

    // Both administrators open the page; the second one saves first.
    let mine = seen(&app, &token, "kikaku").await;
    let theirs = seen(&app, &other, "kikaku").await;
    assert_eq!(mine, theirs);
    let (status, _, body) = post(
        &app,
        &other,
        "/staff/users/kikaku",
        &[
            ("csrf", &other_csrf),
            ("seen", &theirs),
            ("display_name", "企画 太郎"),
            ("department", "財政課"),
            ("roles", "planning_office"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    let entries = audit_actions(&app).await.len();
    for (path, fields) in [
        (
            "/staff/users/kikaku",
            vec![
                ("display_name", "企画 太郎"),
                ("department", "企画政策課"),
                ("roles", "member"),
            ],
        ),
        ("/staff/users/kikaku/disable", vec![]),
        (
            "/staff/users/kikaku/password",
            vec![("password", NEW_PASSWORD)],
        ),
    ] {
        let mut all = vec![("csrf", csrf.as_str()), ("seen", mine.as_str())];
        all.extend(fields);
        let (status, headers, body) = post(&app, &token, path, &all).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {body}");
        assert_eq!(cache_control(&headers), "no-store");
        assert!(
            body.contains("この画面を開いた後にほかの人が変更しています。変更は保存していません。"),
            "{body}"
        );
        // The page shows the user as stored now, with the new fingerprint.
        assert!(body.contains("value=\"財政課\""), "{body}");
        assert_ne!(hidden(&body, "seen"), mine);
    }
    let user = stored(&app, "kikaku").await.unwrap();
    assert_eq!(user.department, "財政課");
    assert_eq!(user.roles, vec![Role::PlanningOffice]);
    assert!(!user.disabled);
    assert_eq!(audit_actions(&app).await.len(), entries);
    app.sign_in("kikaku", PASSWORD).await;
}

#[tokio::test]
async fn an_unknown_user_is_not_found() {
    let (app, token, csrf) = admin_app().await;
    let (status, _, body) = app
        .get_with_cookies("/staff/users/nobody", &[("keikaku_session", &token)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body.contains("ログインID「nobody」の利用者は登録されていません。"),
        "{body}"
    );
    let (status, _, _) = app
        .get_with_cookies("/staff/users/Not%20An%20Id", &[("keikaku_session", &token)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post(
        &app,
        &token,
        "/staff/users/nobody/disable",
        &[("csrf", &csrf), ("seen", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
