//! Editing plans in the browser: the outline, element forms, validation next to the field,
//! two editors saving the same element (one wins, the other sees both texts), department
//! editors limited to their own elements, adding, reordering and deleting, XSS payloads in
//! every field, and the public site keeping the published version while a plan is revised.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, assert_shows_escaped, at, example_json, plan_mut, to_text, unescape};
use keikaku_app::access::Operator;
use keikaku_app::{edit, forms};
use keikaku_domain::ElementKind;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::{PlanId, PlanStatus};
use keikaku_web::routes::ROUTES;

const PASSWORD: &str = "correct horse battery";

/// The example with both plans under deliberation (editable), and a planning-office user
/// signed in: the app, the session token and its CSRF token.
async fn editing_app() -> (TestApp, String, String) {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-keikaku")["status"] = "under_deliberation".into();
    plan_mut(&mut file, "sogo-senryaku")["status"] = "under_deliberation".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let csrf = csrf_of(&app, &token).await;
    (app, token, csrf)
}

async fn csrf_of(app: &TestApp, token: &str) -> String {
    let (_, _, page) = app
        .get_with_cookies("/staff", &[("keikaku_session", token)])
        .await;
    hidden(&page, "csrf")
}

/// The value of a hidden input in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {page}"))
        + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

async fn draft(app: &TestApp, plan: &str) -> edit::Draft {
    edit::draft(&app.catalog.context(), &PlanId::parse(plan).unwrap())
        .await
        .unwrap()
}

/// The form's fields as stored, to submit with some changed.
async fn stored_fields(app: &TestApp, plan: &str, id: &str) -> Vec<(String, String)> {
    let d = draft(app, plan).await;
    d.values(id).into_iter().collect()
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

async fn save(
    app: &TestApp,
    token: &str,
    path: &str,
    fields: &[(String, String)],
) -> (StatusCode, String, String) {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (status, headers, body) = app
        .post_form(path, &pairs, &[("keikaku_session", token)])
        .await;
    let location = headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, body)
}

fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        fields.iter().filter(|(n, _)| n != name).cloned().collect();
    out.push((name.to_owned(), value.to_owned()));
    out
}

fn form(csrf: &str, version: &str, fields: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = vec![
        ("csrf".to_owned(), csrf.to_owned()),
        ("version".to_owned(), version.to_owned()),
    ];
    out.extend(fields.iter().cloned());
    out
}

const MEASURE: &str = "/staff/plans/sogo-keikaku/elements/measure-1-1-1";

#[tokio::test]
async fn the_outline_and_the_form_show_the_working_copy() {
    let (app, token, _) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, headers, page) = app
        .get_with_cookies("/staff/plans/sogo-keikaku", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    assert!(page.contains("作業中の内容"));
    assert!(page.contains(&format!("href=\"{MEASURE}\"")), "{page}");
    assert!(page.contains("＋施策を追加"));
    let (status, _, page) = app.get_with_cookies(MEASURE, &cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"version\" value=\"1\""));
    assert!(
        page.contains(
            "<label for=\"field-title\">名称 <span class=\"required\">必須</span></label>"
        )
    );
    // A member reads the same draft, without a form.
    app.add_user_with("iin", "委員 花子", Role::Member, PASSWORD)
        .await;
    let member = app.sign_in("iin", PASSWORD).await;
    let (status, _, page) = app
        .get_with_cookies(MEASURE, &[("keikaku_session", &member)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<form class=\"edit-form\""));
    assert!(page.contains("編集する権限がありません"));
    // Anonymous visitors are sent to the login.
    assert_eq!(app.get(MEASURE).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn two_editors_saving_the_same_element_one_wins_and_nothing_typed_is_lost() {
    let (app, token_a, csrf_a) = editing_app().await;
    app.add_user("kikaku2", "企画 次郎", PASSWORD).await;
    let token_b = app.sign_in("kikaku2", PASSWORD).await;
    let csrf_b = csrf_of(&app, &token_b).await;
    let fields = stored_fields(&app, "sogo-keikaku", "measure-1-1-1").await;
    // Both open the form at version 1.
    for t in [&token_a, &token_b] {
        let (_, _, page) = app
            .get_with_cookies(MEASURE, &[("keikaku_session", t)])
            .await;
        assert_eq!(hidden(&page, "version"), "1");
    }
    let text_a = "Aさんの展開方法\n二行目";
    let text_b = "Bさんの<b>展開方法</b>";
    let (status, location, _) = save(
        &app,
        &token_a,
        MEASURE,
        &form(&csrf_a, "1", &with(&fields, "course_of_action", text_a)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{MEASURE}?done=saved"));
    let before = audit_count(&app).await;
    let (status, _, page) = save(
        &app,
        &token_b,
        MEASURE,
        &form(&csrf_b, "1", &with(&fields, "course_of_action", text_b)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("ほかの人が先に保存しました"));
    // B's text is in the form, A's is shown as the current text, and the form now carries
    // the current version so that B can save deliberately.
    assert!(
        unescape(&page).contains(&format!(">{text_b}</textarea>")),
        "{page}"
    );
    assert!(unescape(&page).contains(text_a));
    assert!(page.contains("違いあり"));
    assert_eq!(hidden(&page, "version"), "2");
    assert_eq!(
        audit_count(&app).await,
        before,
        "the refused save wrote nothing"
    );
    let d = draft(&app, "sogo-keikaku").await;
    assert_eq!(
        d.values("measure-1-1-1")
            .get("course_of_action")
            .map(String::as_str),
        Some(text_a)
    );
    // B merges and saves from the current version.
    let merged = format!("{text_a}\n{text_b}");
    let (status, _, _) = save(
        &app,
        &token_b,
        MEASURE,
        &form(&csrf_b, "2", &with(&fields, "course_of_action", &merged)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let d = draft(&app, "sogo-keikaku").await;
    assert_eq!(
        d.values("measure-1-1-1")
            .get("course_of_action")
            .map(String::as_str),
        Some(merged.as_str())
    );
    assert_eq!(d.version("measure-1-1-1"), 3);
    // Both saves are in the audit log with their before and after.
    let entries = keikaku_storage::HistoryStore::audit_entries(
        app.store.as_ref(),
        app.catalog.municipality_code(),
        0,
        10_000,
    )
    .await
    .unwrap();
    let saves: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "element.update")
        .collect();
    assert_eq!(saves.len(), 2);
    assert_eq!(saves[0].actor, "kikaku");
    assert_eq!(saves[1].actor, "kikaku2");
    assert!(
        saves[1]
            .after
            .as_deref()
            .unwrap()
            .contains("Bさんの<b>展開方法</b>")
    );
}

#[tokio::test]
async fn problems_are_shown_next_to_their_field_and_nothing_is_saved() {
    let (app, token, csrf) = editing_app().await;
    let fields = stored_fields(&app, "sogo-keikaku", "measure-1-1-1").await;
    let before = audit_count(&app).await;
    let mut bad = with(&fields, "title", "  ");
    bad = with(&bad, "citizen_participation", "残す文章");
    let (status, _, page) = save(&app, &token, MEASURE, &form(&csrf, "1", &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("入力内容に1件の問題があります"));
    assert!(page.contains(
        "<span class=\"field-error\" id=\"error-title\">名称を入力してください。</span>"
    ));
    assert!(page.contains("aria-invalid=\"true\" aria-describedby=\"error-title\""));
    assert!(
        page.contains(">残す文章</textarea>"),
        "the user's text is kept"
    );
    assert_eq!(audit_count(&app).await, before);
    // Indicators: numbers, years and choices are checked too.
    let kpi = draft(&app, "sogo-senryaku")
        .await
        .elements
        .iter()
        .find(|e| e.kind == ElementKind::Kpi)
        .unwrap()
        .id
        .clone();
    let path = format!("/staff/plans/sogo-senryaku/elements/{kpi}");
    let fields = stored_fields(&app, "sogo-senryaku", &kpi).await;
    let mut bad = with(&fields, "target_value", "たくさん");
    bad = with(&bad, "target_year", "来年");
    bad = with(&bad, "direction", "sideways");
    let (status, _, page) = save(&app, &token, &path, &form(&csrf, "1", &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("目標値は数値で入力してください"), "{page}");
    assert!(page.contains("id=\"error-target_year\""));
    assert!(page.contains("目指す方向を選んでください。"));
    // The summary names each field once.
    assert!(
        !page.contains("目標値の年度: 目標値の年度") && !page.contains("目標値: 目標値"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"#field-target_year\">目標値の年度: "),
        "{page}"
    );
    // Full-width digits and 和暦 are accepted.
    let mut good = with(&fields, "target_value", "１，２００");
    good = with(&good, "target_year", "令和7年度");
    let (status, _, page) = save(&app, &token, &path, &form(&csrf, "1", &good)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let d = draft(&app, "sogo-senryaku").await;
    let values = d.values(&kpi);
    assert_eq!(values["target_value"], "1200");
    assert_eq!(values["target_year"], "2025");
}

#[tokio::test]
async fn department_editors_edit_only_their_departments_elements() {
    let (app, _, _) = editing_app().await;
    let user = User {
        login_id: LoginId::parse("nousei").unwrap(),
        display_name: "農政 一郎".to_owned(),
        department: "農政課".to_owned(),
        roles: vec![Role::DepartmentEditor],
        disabled: false,
    };
    keikaku_app::auth::create_user(
        &app.catalog.context(),
        &Operator::at_console(),
        user,
        PASSWORD,
        at(),
    )
    .await
    .unwrap();
    let token = app.sign_in("nousei", PASSWORD).await;
    let csrf = csrf_of(&app, &token).await;
    let d = draft(&app, "sogo-keikaku").await;
    let own = d.element("measure-1-1-1").unwrap().clone();
    assert_eq!(own.department.as_deref(), Some("農政課"));
    let other = d
        .elements
        .iter()
        .find(|e| e.kind == ElementKind::Measure && e.department.as_deref() != Some("農政課"))
        .unwrap()
        .clone();
    let fields = stored_fields(&app, "sogo-keikaku", &own.id).await;
    // The form shows the 所管課 read-only; a post that changes it anyway is refused with the
    // field, nothing saved, and the form shows the stored 所管課 again.
    let changed = with(&fields, "title", "農政課が直した施策名");
    let forged = with(&changed, "department", "商工労働課");
    let before = audit_count(&app).await;
    let (status, _, body) = save(&app, &token, MEASURE, &form(&csrf, "1", &forged)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("id=\"error-department\">所管課は企画（計画担当）と管理者だけが変更できます"),
        "{body}"
    );
    assert!(
        body.contains("value=\"農政課\""),
        "the stored 所管課 is shown: {body}"
    );
    assert!(!body.contains("商工労働課"), "{body}");
    assert_eq!(audit_count(&app).await, before);
    assert_eq!(
        draft(&app, "sogo-keikaku").await.element("measure-1-1-1"),
        Some(&own)
    );
    // The form as the browser sends it (the read-only 所管課 unchanged) saves.
    let (status, _, body) = save(&app, &token, MEASURE, &form(&csrf, "1", &changed)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let row = draft(&app, "sogo-keikaku")
        .await
        .element("measure-1-1-1")
        .unwrap()
        .clone();
    assert_eq!(row.title, "農政課が直した施策名");
    assert_eq!(row.department.as_deref(), Some("農政課"), "所管課 is kept");
    let fields = stored_fields(&app, "sogo-keikaku", &other.id).await;
    let before = audit_count(&app).await;
    let (status, _, _) = save(
        &app,
        &token,
        &format!("/staff/plans/sogo-keikaku/elements/{}", other.id),
        &form(&csrf, "1", &with(&fields, "title", "他課の施策")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(audit_count(&app).await, before);
    // Nor may they add, delete or reorder.
    let (status, _, _) = save(
        &app,
        &token,
        &format!("{MEASURE}/move"),
        &[
            ("csrf".to_owned(), csrf.clone()),
            ("direction".to_owned(), "down".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(audit_count(&app).await, before);
}

#[tokio::test]
async fn elements_are_added_reordered_and_deleted() {
    let (app, token, csrf) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    let (status, _, page) = app
        .get_with_cookies("/staff/plans/sogo-keikaku/new?kind=goal", &cookies)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("まちづくりの目標を追加"));
    let fields = vec![
        ("kind".to_owned(), "goal".to_owned()),
        ("number".to_owned(), "6".to_owned()),
        ("title".to_owned(), "新しい目標".to_owned()),
        ("description".to_owned(), String::new()),
    ];
    let (status, location, body) = save(
        &app,
        &token,
        "/staff/plans/sogo-keikaku/elements",
        &form(&csrf, "0", &fields),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id = location
        .trim_start_matches("/staff/plans/sogo-keikaku/elements/")
        .trim_end_matches("?done=created")
        .to_owned();
    let goals = |d: &edit::Draft| -> Vec<String> { d.goals().into_iter().map(|g| g.0).collect() };
    let d = draft(&app, "sogo-keikaku").await;
    assert_eq!(goals(&d).last(), Some(&id));
    // Up one place.
    let (status, _, _) = save(
        &app,
        &token,
        &format!("/staff/plans/sogo-keikaku/elements/{id}/move"),
        &[
            ("csrf".to_owned(), csrf.clone()),
            ("direction".to_owned(), "up".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let d = draft(&app, "sogo-keikaku").await;
    let order = goals(&d);
    assert_eq!(order[order.len() - 2], id);
    // A goal that fields belong to cannot be deleted; the new one can.
    let (status, _, page) = save(
        &app,
        &token,
        "/staff/plans/sogo-keikaku/elements/goal-1/delete",
        &[
            ("csrf".to_owned(), csrf.clone()),
            ("version".to_owned(), "1".to_owned()),
            ("confirm".to_owned(), "yes".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("参照されているため削除できません"), "{page}");
    // Explained, with the way back to the element and the outline.
    assert!(
        page.contains("<h1>削除できませんでした</h1>")
            && page.contains("href=\"/staff/plans/sogo-keikaku/elements/goal-1\"")
            && page.contains("計画の構成に戻る"),
        "{page}"
    );
    // The delete button leads to a confirmation page first: nothing is deleted yet.
    let (status, _, page) = save(
        &app,
        &token,
        &format!("/staff/plans/sogo-keikaku/elements/{id}/delete"),
        &[
            ("csrf".to_owned(), csrf.clone()),
            ("version".to_owned(), "1".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>まちづくりの目標「"), "{page}");
    assert!(page.contains("を削除しますか</h1>"), "{page}");
    assert!(
        page.contains(&format!(
            "action=\"/staff/plans/sogo-keikaku/elements/{id}/delete\" method=\"post\""
        )) && page.contains("name=\"confirm\" value=\"yes\"")
            && page.contains("class=\"button--danger\""),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<a href=\"/staff/plans/sogo-keikaku/elements/{id}\">削除しないで戻る</a>"
    )));
    assert!(goals(&draft(&app, "sogo-keikaku").await).contains(&id));
    // For an element that cannot be deleted, the confirmation says why and offers no button.
    let (status, _, page) = save(
        &app,
        &token,
        "/staff/plans/sogo-keikaku/elements/goal-1/delete",
        &[
            ("csrf".to_owned(), csrf.clone()),
            ("version".to_owned(), "1".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("参照されているため削除できません"), "{page}");
    assert!(!page.contains("name=\"confirm\""), "{page}");
    assert!(page.contains("計画の構成に戻る"));
    let (status, location, _) = save(
        &app,
        &token,
        &format!("/staff/plans/sogo-keikaku/elements/{id}/delete"),
        &[
            ("csrf".to_owned(), csrf.clone()),
            ("version".to_owned(), "1".to_owned()),
            ("confirm".to_owned(), "yes".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/staff/plans/sogo-keikaku?done=deleted");
    assert!(!goals(&draft(&app, "sogo-keikaku").await).contains(&id));
    // Links of a priority project are chosen with checkboxes.
    let path = "/staff/plans/sogo-keikaku/elements/priority-project-1";
    let mut fields = form(
        &csrf,
        "1",
        &stored_fields(&app, "sogo-keikaku", "priority-project-1").await,
    );
    fields.push(("links_present".to_owned(), "1".to_owned()));
    fields.push(("link".to_owned(), "sogo-keikaku/measure-1-1-1".to_owned()));
    let (status, _, body) = save(&app, &token, path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        draft(&app, "sogo-keikaku")
            .await
            .links("priority-project-1"),
        vec!["sogo-keikaku/measure-1-1-1".to_owned()]
    );
}

/// A payload that is markup, a quote and SQL at once.
const PAYLOAD: &str =
    "<script>alert(\"x\")</script><img src=x onerror=alert(1)>'; DROP TABLE plan;--";

#[tokio::test]
async fn xss_payloads_in_every_field_of_every_kind_are_stored_exactly_and_rendered_inert() {
    let (app, token, csrf) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    for plan in ["sogo-keikaku", "sogo-senryaku"] {
        let d = draft(&app, plan).await;
        // One element of every kind.
        let mut seen = Vec::new();
        let rows: Vec<_> = d
            .elements
            .iter()
            .filter(|e| {
                let new = !seen.contains(&e.kind);
                seen.push(e.kind);
                new
            })
            .cloned()
            .collect();
        for row in rows {
            let path = format!("/staff/plans/{plan}/elements/{}", row.id);
            let mut fields: Vec<(String, String)> = Vec::new();
            let mut texts = Vec::new();
            for spec in forms::fields(row.kind) {
                let value = match spec.input {
                    // An indicator code is an identifier; its rules refuse the payload.
                    forms::Input::Line if spec.name == "code" => {
                        d.values(&row.id)[spec.name].clone()
                    }
                    forms::Input::Line => format!("{}{PAYLOAD}", spec.label),
                    forms::Input::Text => format!("{PAYLOAD}\n{}", spec.label),
                    _ => d.values(&row.id)[spec.name].clone(),
                };
                if matches!(spec.input, forms::Input::Line | forms::Input::Text)
                    && spec.name != "code"
                {
                    texts.push((spec.name, value.clone()));
                }
                fields.push((spec.name.to_owned(), value));
            }
            let (status, _, body) = save(&app, &token, &path, &form(&csrf, "1", &fields)).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{} {body}", row.id);
            let after = draft(&app, plan).await;
            let stored = after.values(&row.id);
            for (name, value) in &texts {
                assert_eq!(&stored[*name], value, "{} {name} stored exactly", row.id);
            }
            let (_, _, page) = app.get_with_cookies(&path, &cookies).await;
            assert_shows_escaped(&row.id, &page, PAYLOAD);
        }
        let (_, _, outline) = app
            .get_with_cookies(&format!("/staff/plans/{plan}"), &cookies)
            .await;
        assert_shows_escaped(plan, &outline, PAYLOAD);
    }
    // Published, the public pages and the API show the same text, inert.
    for plan in ["sogo-keikaku", "sogo-senryaku"] {
        for (from, to) in [("under_deliberation", "adopted"), ("adopted", "published")] {
            let (status, _, body) = save(
                &app,
                &token,
                &format!("/staff/plans/{plan}/status"),
                &[
                    ("csrf".to_owned(), csrf.clone()),
                    ("from".to_owned(), from.to_owned()),
                    ("to".to_owned(), to.to_owned()),
                    ("confirm".to_owned(), "yes".to_owned()),
                ],
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        }
    }
    let pages = app.crawl().await;
    let mut shown = 0;
    for (path, (_, _, html)) in &pages {
        if unescape(html).contains(PAYLOAD) {
            assert_shows_escaped(path, html, PAYLOAD);
            shown += 1;
        }
    }
    assert!(shown > 10, "the payload is on {shown} public pages");
    let json = app.get_json("/api/v1/plans/sogo-keikaku").await.to_string();
    assert!(json.contains("DROP TABLE plan;--"));
}

#[tokio::test]
async fn the_public_keeps_the_published_version_while_a_plan_is_revised() {
    let app = TestApp::new().await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.sign_in("kikaku", PASSWORD).await;
    let csrf = csrf_of(&app, &token).await;
    let public_before = app.page("/plans/sogo-keikaku/measures/measure-1-1-1").await;
    // A published plan cannot be edited: the form says why.
    let fields = stored_fields(&app, "sogo-keikaku", "measure-1-1-1").await;
    let (status, _, page) = save(
        &app,
        &token,
        MEASURE,
        &form(&csrf, "1", &with(&fields, "title", "改訂中の施策名")),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("「公開」のため編集できません"), "{page}");
    let status_change = |from: &'static str, to: &'static str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("from".to_owned(), from.to_owned()),
            ("to".to_owned(), to.to_owned()),
            ("confirm".to_owned(), "yes".to_owned()),
        ]
    };
    for (from, to) in [("published", "under_deliberation")] {
        let (status, _, _) = save(
            &app,
            &token,
            "/staff/plans/sogo-keikaku/status",
            &status_change(from, to),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (status, _, _) = save(
        &app,
        &token,
        MEASURE,
        &form(&csrf, "1", &with(&fields, "title", "改訂中の施策名")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Citizens still read the published version, unchanged, while the plan is revised; only
    // the notice of where the plan stands says so (改定中).
    let public = app.page("/plans/sogo-keikaku/measures/measure-1-1-1").await;
    assert!(public.contains("standing__label\">改定中"), "{public}");
    assert_eq!(without_standing(&public), without_standing(&public_before));
    assert!(!public.contains("改訂中の施策名"));
    for (from, to) in [("under_deliberation", "adopted"), ("adopted", "published")] {
        save(
            &app,
            &token,
            "/staff/plans/sogo-keikaku/status",
            &status_change(from, to),
        )
        .await;
    }
    let public = app.page("/plans/sogo-keikaku/measures/measure-1-1-1").await;
    assert!(public.contains("改訂中の施策名"));
    let stored = keikaku_storage::PlanStore::plan(
        app.store.as_ref(),
        app.catalog.municipality_code(),
        &PlanId::parse("sogo-keikaku").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stored.header().status, PlanStatus::Published);
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_request_without_a_valid_csrf_token() {
    let (app, _, _) = editing_app().await;
    app.add_user_with("kanri", "管理 者", Role::Administrator, PASSWORD)
        .await;
    let token = app.sign_in("kanri", PASSWORD).await;
    let before = audit_count(&app).await;
    let mut checked = 0;
    for route in ROUTES.iter().filter(|r| r.method == Method::POST) {
        // The login form has its own double-submit token (tested in tests/staff.rs); the API
        // takes bearer tokens, never cookies.
        if route.path == "/login" || route.path.starts_with("/api/") {
            continue;
        }
        for csrf in [None, Some("wrong-token-wrong-token-wrong-token-xx")] {
            let mut fields: Vec<(&str, &str)> = vec![
                ("version", "1"),
                ("title", "CSRF"),
                ("direction", "up"),
                ("from", "under_deliberation"),
                ("to", "adopted"),
                ("kind", "goal"),
            ];
            if let Some(c) = csrf {
                fields.push(("csrf", c));
            }
            let (status, _, body) = app
                .post_form(route.example, &fields, &[("keikaku_session", &token)])
                .await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{} {} with {csrf:?}: {body}",
                route.method,
                route.example
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} requests checked");
    assert_eq!(audit_count(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn a_save_into_an_element_deleted_meanwhile_keeps_the_users_text() {
    let (app, token, csrf) = editing_app().await;
    let fields = vec![
        ("kind".to_owned(), "goal".to_owned()),
        ("title".to_owned(), "消される目標".to_owned()),
    ];
    let (_, location, _) = save(
        &app,
        &token,
        "/staff/plans/sogo-keikaku/elements",
        &form(&csrf, "0", &fields),
    )
    .await;
    let path = location.trim_end_matches("?done=created").to_owned();
    // Someone deletes it while this user is typing.
    let (status, _, _) = save(
        &app,
        &token,
        &format!("{path}/delete"),
        &[
            ("csrf".to_owned(), csrf.clone()),
            ("version".to_owned(), "1".to_owned()),
            ("confirm".to_owned(), "yes".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let typed = "長い時間をかけて書いた<説明>";
    let (status, _, page) = save(
        &app,
        &token,
        &path,
        &form(
            &csrf,
            "1",
            &[
                ("title".to_owned(), "消される目標".to_owned()),
                ("description".to_owned(), typed.to_owned()),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("ほかの人が削除しました"), "{page}");
    assert!(page.contains("<label for=\"kept-"));
    assert_shows_escaped("kept text", &page, typed);
}

#[tokio::test]
async fn staff_compare_a_version_with_the_working_copy() {
    let (app, token, csrf) = editing_app().await;
    let cookies = [("keikaku_session", token.as_str())];
    let fields = stored_fields(&app, "sogo-keikaku", "measure-1-1-1").await;
    let (status, _, _) = save(
        &app,
        &token,
        MEASURE,
        &form(
            &csrf,
            "1",
            &with(&fields, "title", "審議会の意見で直した施策名"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, outline) = app
        .get_with_cookies("/staff/plans/sogo-keikaku", &cookies)
        .await;
    let link = "/staff/plans/sogo-keikaku/compare?from=1&amp;to=current";
    assert!(outline.contains(link), "{outline}");
    let (status, _, page) = app
        .get_with_cookies(
            "/staff/plans/sogo-keikaku/compare?from=1&to=current",
            &cookies,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("第1版と作業中の内容（現在）の違い"));
    assert!(page.contains("<ins>"), "{page}");
    assert!(unescape(&page).contains("審議会の意見で直した"));
    // The public comparison knows no working copy: a bad request.
    let public = TestApp::new().await;
    assert_eq!(
        public
            .get("/plans/sogo-keikaku/compare?from=1&to=current")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_stale_form_with_a_problem_is_a_conflict_not_a_silent_overwrite() {
    let (app, token, csrf) = editing_app().await;
    let fields = stored_fields(&app, "sogo-keikaku", "measure-1-1-1").await;
    // Someone saves first (version 1 → 2).
    let (status, _, _) = save(
        &app,
        &token,
        MEASURE,
        &form(
            &csrf,
            "1",
            &with(&fields, "course_of_action", "先に保存された文章"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The stale form also has a problem: the answer is the conflict page (both texts), not a
    // 422 form that would carry version 2 and overwrite the other text on the next save.
    let (status, _, page) = save(
        &app,
        &token,
        MEASURE,
        &form(
            &csrf,
            "1",
            &with(
                &with(&fields, "title", ""),
                "course_of_action",
                "古い画面の文章",
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(unescape(&page).contains("先に保存された文章"));
    assert!(unescape(&page).contains("古い画面の文章"));
    // A problem in a current form keeps the form's version.
    let (status, _, page) = save(
        &app,
        &token,
        MEASURE,
        &form(&csrf, "2", &with(&fields, "title", "")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hidden(&page, "version"), "2");
}

#[tokio::test]
async fn department_editors_do_not_move_a_field_to_another_goal() {
    let (app, office, office_csrf) = editing_app().await;
    // The planning office assigns the field to a department.
    let fields = stored_fields(&app, "sogo-keikaku", "field-1-1").await;
    let (status, _, _) = save(
        &app,
        &office,
        "/staff/plans/sogo-keikaku/elements/field-1-1",
        &form(&office_csrf, "1", &with(&fields, "department", "農政課")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let d = draft(&app, "sogo-keikaku").await;
    let field = d.element("field-1-1").unwrap().clone();
    let goal = d.values("field-1-1")["goal_id"].clone();
    let department = field.department.clone().unwrap();
    let user = User {
        login_id: LoginId::parse("bunya").unwrap(),
        display_name: "分野 担当".to_owned(),
        department,
        roles: vec![Role::DepartmentEditor],
        disabled: false,
    };
    keikaku_app::auth::create_user(
        &app.catalog.context(),
        &Operator::at_console(),
        user,
        PASSWORD,
        at(),
    )
    .await
    .unwrap();
    let token = app.sign_in("bunya", PASSWORD).await;
    let csrf = csrf_of(&app, &token).await;
    let fields = stored_fields(&app, "sogo-keikaku", "field-1-1").await;
    let retitled = with(&fields, "title", "直した分野名");
    // The goal is a disabled choice for them (the browser does not send it); a post that
    // moves the field anyway is refused with the field.
    let moved = with(&retitled, "goal_id", "goal-2");
    let (status, _, body) = save(
        &app,
        &token,
        "/staff/plans/sogo-keikaku/elements/field-1-1",
        &form(&csrf, "2", &moved),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("id=\"error-goal_id\">"), "{body}");
    assert_ne!(
        draft(&app, "sogo-keikaku")
            .await
            .element("field-1-1")
            .unwrap()
            .title,
        "直した分野名"
    );
    let sent: Vec<(String, String)> = retitled
        .into_iter()
        .filter(|(n, _)| n != "goal_id")
        .collect();
    let (status, _, body) = save(
        &app,
        &token,
        "/staff/plans/sogo-keikaku/elements/field-1-1",
        &form(&csrf, "2", &sent),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let after = draft(&app, "sogo-keikaku").await;
    assert_eq!(after.element("field-1-1").unwrap().title, "直した分野名");
    assert_eq!(
        after.values("field-1-1")["goal_id"],
        goal,
        "the goal is kept"
    );
}

#[tokio::test]
async fn a_form_field_that_is_not_utf8_is_refused_and_nothing_is_saved() {
    let (app, token, csrf) = editing_app().await;
    let before = audit_count(&app).await;
    let stored = draft(&app, "sogo-keikaku").await;
    // What a browser never sends for a UTF-8 page: %FF%FE decodes to no text at all.
    let body = format!("csrf={csrf}&version=1&number=1-1-1&title=%FF%FE");
    let request = axum::http::Request::post(MEASURE)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("keikaku_session={token}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, _, page) = app.send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("<html lang=\"ja\">"), "{page}");
    assert!(
        page.contains("フォームの項目「title」に、UTF-8として読めない文字"),
        "{page}"
    );
    assert!(page.contains("何も保存していません"), "{page}");
    assert_eq!(audit_count(&app).await, before);
    assert_eq!(
        draft(&app, "sogo-keikaku").await.element("measure-1-1-1"),
        stored.element("measure-1-1-1")
    );
}

/// A public page without its notice of where the plan stands (which follows the working
/// copy's status: 改定中 while a published plan is revised).
fn without_standing(page: &str) -> String {
    let Some(start) = page.find("<div class=\"standing") else {
        return page.to_owned();
    };
    let end = page[start..]
        .find("</div>")
        .map_or(page.len(), |e| start + e + "</div>".len());
    format!("{}{}", &page[..start], &page[end..])
}
