//! The write API: reading an element with its version, changing it, the 409 with the current
//! element when someone saved first, 422 with every problem by field, adding, moving and
//! deleting, status changes, and tokens only (never the session cookie).
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, example_json, plan_mut, to_text};
use keikaku_domain::account::Role;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const ELEMENT: &str = "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1";

async fn app_with_token() -> (TestApp, String) {
    let mut file = example_json();
    plan_mut(&mut file, "sogo-keikaku")["status"] = "under_deliberation".into();
    let app = TestApp::with_plan_file(&to_text(&file)).await;
    app.add_user("kikaku", "企画 太郎", PASSWORD).await;
    let token = app.token_for("kikaku").await;
    (app, token)
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call_json(method, path, token, body.map(|b| b.to_string()))
        .await
}

#[tokio::test]
async fn an_element_is_read_and_changed_from_its_version() {
    let (app, token) = app_with_token().await;
    let (status, element) = call(&app, "GET", ELEMENT, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{element}");
    assert_eq!(element["version"], 1);
    assert_eq!(element["kind"], "measure");
    assert_eq!(element["editable"], true);
    let mut fields = element["fields"].clone();
    fields["title"] = "APIで直した施策名<script>".into();
    let (status, changed) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&token),
        Some(json!({"version": 1, "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["fields"]["title"], "APIで直した施策名<script>");
    // The same version again: someone else saved first.
    fields["title"] = "遅れた変更".into();
    let (status, conflict) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&token),
        Some(json!({"version": 1, "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["error"]["code"], "conflict");
    assert_eq!(conflict["error"]["current"]["version"], 2);
    assert_eq!(
        conflict["error"]["current"]["fields"]["title"],
        "APIで直した施策名<script>"
    );
    // Every problem, by field.
    fields["title"] = "".into();
    let (status, invalid) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&token),
        Some(json!({"version": 2, "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid["error"]["problems"][0]["field"], "title");
    assert_eq!(
        invalid["error"]["problems"][0]["message"],
        "名称を入力してください。"
    );
    // A version written as 2.0 is the number 2 (JSON does not tell them apart).
    fields["title"] = "小数点つきの版で保存".into();
    let (status, saved) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&token),
        Some(json!({"version": 2.0, "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 3);
    // Bad JSON is a 400 in the envelope.
    let (status, bad) = call(&app, "PUT", ELEMENT, Some(&token), Some(json!({"v": 1}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    assert_eq!(bad["error"]["code"], "bad_request");
}

#[tokio::test]
async fn elements_are_added_moved_and_deleted_and_the_status_changed() {
    let (app, token) = app_with_token().await;
    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/plans/sogo-keikaku/elements",
        Some(&token),
        Some(json!({"kind": "measure", "parent": "field-1-1", "fields": {"title": "新しい施策"}})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["parent"], "field-1-1");
    let path = format!("/api/v1/plans/sogo-keikaku/elements/{id}");
    let (status, _) = call(
        &app,
        "POST",
        &format!("{path}/move"),
        Some(&token),
        Some(json!({"direction": "up"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("{path}?version=9"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("{path}?version=1"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&app, "GET", &path, Some(&token), None).await.0,
        StatusCode::NOT_FOUND
    );
    // The header, then publishing.
    let (status, header) = call(
        &app,
        "GET",
        "/api/v1/plans/sogo-keikaku/header",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut fields = header["fields"].clone();
    fields["purpose"] = "APIで直した目的".into();
    let (status, header) = call(
        &app,
        "PUT",
        "/api/v1/plans/sogo-keikaku/header",
        Some(&token),
        Some(json!({"version": header["version"], "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{header}");
    for (from, to) in [("under_deliberation", "adopted"), ("adopted", "published")] {
        let (status, body) = call(
            &app,
            "POST",
            "/api/v1/plans/sogo-keikaku/status",
            Some(&token),
            Some(json!({"from": from, "to": to})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert!(
        app.page("/plans/sogo-keikaku")
            .await
            .contains("APIで直した目的")
    );
}

#[tokio::test]
async fn the_api_takes_tokens_only_and_the_roles_of_their_users() {
    let (app, _) = app_with_token().await;
    // No token.
    let (status, body) = call(&app, "GET", ELEMENT, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // A session cookie is not a token.
    let session = app.sign_in("kikaku", PASSWORD).await;
    let request = Request::builder()
        .method("PUT")
        .uri(ELEMENT)
        .header("cookie", format!("keikaku_session={session}"))
        .header("content-type", "application/json")
        .body(Body::from(json!({"version": 1, "fields": {}}).to_string()))
        .unwrap();
    assert_eq!(app.send(request).await.0, StatusCode::UNAUTHORIZED);
    // A member reads drafts but may not change them.
    app.add_user_with("iin", "委員 花子", Role::Member, PASSWORD)
        .await;
    let member = app.token_for("iin").await;
    let (status, element) = call(&app, "GET", ELEMENT, Some(&member), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(element["editable"], false);
    let (status, _) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&member),
        Some(json!({"version": 1, "fields": element["fields"]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The operations are in the OpenAPI document, with the token scheme.
    let doc = app.get_json("/api/v1/openapi.json").await;
    let put = &doc["paths"]["/api/v1/plans/{plan}/elements/{id}"]["put"];
    assert_eq!(put["security"][0]["token"], json!([]));
    assert!(doc["paths"]["/api/v1/plans/{plan}/status"]["post"].is_object());
}

#[tokio::test]
async fn unknown_query_parameters_are_refused_and_nothing_is_written() {
    let (app, token) = app_with_token().await;
    let (_, element) = call(&app, "GET", ELEMENT, Some(&token), None).await;
    let mut fields = element["fields"].clone();
    fields["title"] = "書き込まれてはならない".into();
    let header = "/api/v1/plans/sogo-keikaku/header";
    let (_, head) = call(&app, "GET", header, Some(&token), None).await;
    let cases: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("{ELEMENT}?fields=title"), None),
        ("GET", format!("{header}?x=1"), None),
        (
            "PUT",
            format!("{ELEMENT}?dry_run=1"),
            Some(json!({"version": 1, "fields": fields})),
        ),
        (
            "PUT",
            format!("{header}?x=1"),
            Some(json!({"version": head["version"], "fields": head["fields"]})),
        ),
        (
            "POST",
            "/api/v1/plans/sogo-keikaku/elements?x=1".to_owned(),
            Some(json!({"kind": "goal", "fields": {"title": "新しい目標"}})),
        ),
        (
            "POST",
            format!("{ELEMENT}/move?x=1"),
            Some(json!({"direction": "down"})),
        ),
        (
            "POST",
            "/api/v1/plans/sogo-keikaku/status?x=1".to_owned(),
            Some(json!({"from": "under_deliberation", "to": "draft"})),
        ),
        ("DELETE", format!("{ELEMENT}?version=1&force=1"), None),
    ];
    for (method, path, body) in cases {
        let (status, answer) = call(&app, method, &path, Some(&token), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "bad_request", "{method} {path}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("パラメータ「") && message.contains("」は使えません"),
            "{method} {path}: {message}"
        );
    }
    // Nothing was written.
    let (_, after) = call(&app, "GET", ELEMENT, Some(&token), None).await;
    assert_eq!(after, element);
    let (_, head_after) = call(&app, "GET", header, Some(&token), None).await;
    assert_eq!(head_after, head);
    // The known parameter still works (and a missing one is named).
    let (status, answer) = call(&app, "DELETE", ELEMENT, Some(&token), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("version"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_department_editors_change_of_the_department_is_refused_with_the_field() {
    let (app, _) = app_with_token().await;
    let user = keikaku_domain::account::User {
        login_id: keikaku_domain::account::LoginId::parse("nousei").unwrap(),
        display_name: "農政 一郎".to_owned(),
        department: "農政課".to_owned(),
        roles: vec![Role::DepartmentEditor],
        disabled: false,
    };
    keikaku_app::auth::create_user(
        &app.catalog.context(),
        &keikaku_app::access::Operator::at_console(),
        user,
        PASSWORD,
        common::at(),
    )
    .await
    .unwrap();
    let token = app.token_for("nousei").await;
    let (status, element) = call(&app, "GET", ELEMENT, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{element}");
    assert_eq!(element["fields"]["department"], "農政課");
    let mut fields = element["fields"].clone();
    fields["title"] = "農政課が直した施策名".into();
    fields["department"] = "商工労働課".into();
    let (status, answer) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&token),
        Some(json!({"version": 1, "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid");
    let problems = answer["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{answer}");
    assert_eq!(problems[0]["field"], "department");
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("所管課は企画（計画担当）と管理者だけが変更できます"),
        "{answer}"
    );
    let (_, after) = call(&app, "GET", ELEMENT, Some(&token), None).await;
    assert_eq!(after, element, "nothing written");
    // The department as read, or left out, is no change.
    fields["department"] = "農政課".into();
    let (status, saved) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&token),
        Some(json!({"version": 1, "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["fields"]["title"], "農政課が直した施策名");
    fields.as_object_mut().unwrap().remove("department");
    fields["title"] = "もう一度直した施策名".into();
    let (status, saved) = call(
        &app,
        "PUT",
        ELEMENT,
        Some(&token),
        Some(json!({"version": 2, "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["fields"]["department"], "農政課");
}

#[tokio::test]
async fn outcome_indicators_with_their_definitions_go_through_the_api() {
    let (app, token) = app_with_token().await;
    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/plans/sogo-keikaku/elements",
        Some(&token),
        Some(
            json!({"kind": "outcome_indicator", "parent": "field-1-2", "fields": {
                "title": "製造品出荷額等",
                "unit": "億円",
                "direction": "higher",
                "indicator_type": "level",
                "baseline_value": "2450.5",
                "baseline_year": "2015",
                "target_value": "2600",
                "target_year": "令和2年度",
                "code": "C1-2",
                "decimals": "1",
                "interim_targets": "2017 2500\n令和元年度 2550",
                "acquisition": "経済センサス",
                "lag_years": "2",
                "definition_changes": "2016 経済センサスの年は同調査の値"
            }}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["kind"], "outcome_indicator");
    assert_eq!(created["fields"]["interim_targets"], "2017 2500\n2019 2550");
    assert_eq!(created["fields"]["code"], "C1-2");
    // The rules of a definition come back as problems by field.
    let (status, refused) = call(
        &app,
        "POST",
        "/api/v1/plans/sogo-keikaku/elements",
        Some(&token),
        Some(
            json!({"kind": "outcome_indicator", "parent": "measure-1-2-1", "fields": {
                "title": "誘致企業数",
                "direction": "higher",
                "indicator_type": "level",
                "code": "C1-2",
                "interim_targets": "来年 3"
            }}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let problems = refused["error"]["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p["field"] == "interim_targets"
            && p["message"]
                .as_str()
                .unwrap()
                .starts_with("中間目標値の1行目「来年 3」")),
        "{refused}"
    );
    // The published plan's JSON carries the definitions and the 成果指標 (plan file version 2).
    let doc = app.get_json("/api/v1/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["DefinitionChangeDto"].is_object(), "{schemas}");
    assert!(schemas["IndicatorDto"]["properties"]["interim_targets"].is_object());
    assert!(schemas["FieldDto"]["properties"]["indicators"].is_object());
}

#[tokio::test]
async fn a_save_answers_with_the_warnings_of_what_it_stored() {
    let (app, token) = app_with_token().await;
    let path = "/api/v1/plans/sogo-keikaku/elements/outcome-1-1-1-1";
    let (status, element) = call(&app, "GET", path, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{element}");
    assert_eq!(element["warnings"], json!([]));
    let mut fields = element["fields"].clone();
    fields["target_year"] = "R15".into();
    let (status, saved) = call(
        &app,
        "PUT",
        path,
        Some(&token),
        Some(json!({"version": element["version"], "fields": fields})),
    )
    .await;
    // Saved all the same: a warning is not an error.
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["warnings"][0]["field"], "target_year");
    let message = saved["warnings"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("目標値の年度 令和15年度（2033年度）は前期基本計画の期間（"),
        "{message}"
    );
    assert_eq!(saved["warnings"].as_array().unwrap().len(), 1);
    // Back in the period: no warning left.
    fields["target_year"] = "R2".into();
    let (status, saved) = call(
        &app,
        "PUT",
        path,
        Some(&token),
        Some(json!({"version": saved["version"], "fields": fields})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["warnings"], json!([]));
}

#[tokio::test]
async fn a_deletion_refused_says_why_in_japanese_and_deletes_nothing() {
    let (app, token) = app_with_token().await;
    let (status, refused) = call(
        &app,
        "DELETE",
        "/api/v1/plans/sogo-keikaku/elements/goal-1?version=1",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "conflict");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("まちづくりの目標「")
            && message.contains("から参照されているため削除できません。先に参照を外してください。"),
        "{message}"
    );
    let (status, refused) = call(
        &app,
        "DELETE",
        "/api/v1/plans/sogo-keikaku/elements/field-1-1?version=1",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("件の要素があるため削除できません。先に下の要素を削除してください。"),
        "{message}"
    );
    let (status, _) = call(
        &app,
        "GET",
        "/api/v1/plans/sogo-keikaku/elements/goal-1",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_status_change_through_the_api_names_the_version_it_freezes() {
    let (app, token) = app_with_token().await;
    let status_path = "/api/v1/plans/sogo-keikaku/status";
    // A name that is too long: 422 at its field, the status unchanged.
    let (status, body) = call(
        &app,
        "POST",
        status_path,
        Some(&token),
        Some(json!({"from": "under_deliberation", "to": "adopted", "label": "あ".repeat(41)})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("label"), "{body}");
    for (from, to, label) in [
        ("under_deliberation", "adopted", "議決"),
        ("adopted", "published", "公表版"),
    ] {
        let (status, body) = call(
            &app,
            "POST",
            status_path,
            Some(&token),
            Some(json!({"from": from, "to": to, "label": label, "reason": "議会の議決による"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let list = app.page("/plans/sogo-keikaku/versions").await;
    assert!(list.contains("<strong>公表版</strong>"), "{list}");
    assert!(list.contains("議会の議決による"), "{list}");
}
