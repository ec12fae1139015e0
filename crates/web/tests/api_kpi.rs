//! The KPI API through the router: the evaluation with a token only (decimals as strings,
//! `null` where nothing is known), a fiscal year's values entered by script — a department
//! editor refused another department's indicator by JSON path, a good write seen in the
//! evaluation, a stale write answered with the stored cell (409), every bad cell by JSON path,
//! bodies and years refused, a draft plan's values refused as a conflict — and both paths in
//! the OpenAPI document.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use keikaku_domain::account::Role;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const EVALUATION: &str = "/api/v1/plans/sogo-senryaku/kpi";
/// 令和元年度, the last year of the strategy's period: the example has no values in it.
const YEAR: &str = "/api/v1/plans/sogo-senryaku/kpi/2019";

/// A user with one role and department, and a token of theirs.
async fn token(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    app.add_staff(login, "入力 花子", role, department, PASSWORD)
        .await;
    app.token_for(login).await
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Value) {
    app.call_json(method, path, token, body.map(str::to_owned))
        .await
}

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    call(app, "PUT", path, Some(token), Some(&body.to_string())).await
}

fn indicator<'a>(evaluation: &'a Value, id: &str) -> &'a Value {
    evaluation["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {evaluation}"))
}

fn fields(error: &Value) -> Vec<&str> {
    error["error"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems in {error}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_evaluation_needs_a_token_and_gives_exact_values() {
    let app = TestApp::new().await;
    let (status, refused) = call(&app, "GET", EVALUATION, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused["error"]["code"], "unauthorized");
    let member = token(&app, "giin", Role::Member, "").await;
    let (status, e) = call(&app, "GET", EVALUATION, Some(&member), None).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["plan"], "sogo-senryaku");
    assert_eq!(e["until"], 2019);
    assert_eq!(e["years"], json!([2015, 2016, 2017, 2018, 2019]));
    assert_eq!(e["settings"]["basis"], "progress");
    assert_eq!(e["settings"]["missing_label"], "未把握");
    assert_eq!(
        e["settings"]["grades"][0],
        json!({"label": "A", "at_least": "100"})
    );
    assert_eq!(e["settings"]["grades"][3]["at_least"], Value::Null);
    let tourism = indicator(&e, "kpi-2-1-1");
    assert_eq!(tourism["kind"], "kpi");
    assert_eq!(tourism["department"], "観光物産課");
    assert_eq!(
        tourism["baseline"],
        json!({"value": "300", "fiscal_year": 2014})
    );
    assert_eq!(tourism["target"]["value"], "330");
    assert!(tourism["groups"][0]["id"].is_string());
    let last = &tourism["years"][4];
    assert_eq!(last["fiscal_year"], 2019);
    // Nothing entered: null, never 0, and 評価不能 with its reason.
    assert_eq!(last["actual"], Value::Null);
    assert_eq!(last["version"], Value::Null);
    assert_eq!(last["state"], Value::Null);
    assert_eq!(last["outcome"]["kind"], "unevaluable");
    assert_eq!(last["outcome"]["unevaluable"], "missing_actual");
    assert_eq!(last["outcome"]["reason"], "実績値が未把握です。");
    assert_eq!(last["grade"], Value::Null);
    let total = &e["tally"]["plan"]["total"];
    assert_eq!(
        total.as_u64().unwrap() as usize,
        e["indicators"].as_array().unwrap().len()
    );
    assert!(!e["tally"]["groups"].as_array().unwrap().is_empty());
    // 和暦 as on the pages; unknown parameters and unreadable years refused.
    let heisei30 = format!("{EVALUATION}?until=%E5%B9%B3%E6%88%9030%E5%B9%B4%E5%BA%A6");
    let (status, e) = call(&app, "GET", &heisei30, Some(&member), None).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["until"], 2018);
    let (status, bad) = call(
        &app,
        "GET",
        &format!("{EVALUATION}?until=x"),
        Some(&member),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, bad) = call(
        &app,
        "GET",
        &format!("{EVALUATION}?year=2018"),
        Some(&member),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["code"], "bad_request");
    let (status, _) = call(&app, "GET", "/api/v1/plans/nai/kpi", Some(&member), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_department_editor_is_refused_another_departments_indicator() {
    let app = TestApp::new().await;
    let kanko = token(&app, "kanko", Role::DepartmentEditor, "観光物産課").await;
    let body = json!({"values": [
        {"indicator": "kpi-2-1-1", "actual": "312", "state": "confirmed"},
        {"indicator": "kpi-3-1-1", "actual": "18"},
    ]});
    let (status, refused) = put(&app, &kanko, YEAR, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields(&refused), ["$.values[1].indicator"]);
    assert_eq!(
        refused["error"]["problems"][0]["message"],
        "指標「保育所待機児童数」は、あなたの課の指標ではありません。"
    );
    // All or nothing: its own indicator was not written either.
    let (_, e) = call(&app, "GET", EVALUATION, Some(&kanko), None).await;
    assert_eq!(
        indicator(&e, "kpi-2-1-1")["years"][4]["actual"],
        Value::Null
    );
    // Its own alone is saved.
    let body = json!({"values": [{"indicator": "kpi-2-1-1", "actual": "312"}]});
    let (status, saved) = put(&app, &kanko, YEAR, &body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["values"][0]["entered_by"], "kanko");
}

#[tokio::test]
async fn a_write_is_evaluated_and_a_stale_one_meets_the_stored_value() {
    let app = TestApp::new().await;
    let kikaku = token(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let body = json!({"values": [{
        "indicator": "kpi-2-1-1", "target": null, "actual": "312.0", "state": "confirmed",
        "note": "観光統計", "version": null
    }]});
    let (status, saved) = put(&app, &kikaku, YEAR, &body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["plan"], "sogo-senryaku");
    assert_eq!(saved["fiscal_year"], 2019);
    let cell = &saved["values"][0];
    assert_eq!(cell["indicator"], "kpi-2-1-1");
    assert_eq!(cell["actual"], "312.0", "the decimal as entered");
    assert_eq!(cell["target"], Value::Null);
    assert_eq!(cell["state"], "confirmed");
    assert_eq!(cell["version"], 1);
    // In 2019 the target 330 is the reference: (312 − 300) / (330 − 300) = 40 %.
    let (_, e) = call(&app, "GET", EVALUATION, Some(&kikaku), None).await;
    let tourism = indicator(&e, "kpi-2-1-1");
    let year = &tourism["years"][4];
    assert_eq!(year["actual"], "312.0");
    assert_eq!(year["state"], "confirmed");
    assert_eq!(year["note"], "観光統計");
    assert_eq!(year["version"], 1);
    assert_eq!(year["outcome"]["kind"], "rate");
    assert_eq!(year["outcome"]["percent"], "40");
    assert_eq!(
        year["outcome"]["against"],
        json!({"kind": "target", "value": "330"})
    );
    assert_eq!(year["grade"], "D");
    assert_eq!(tourism["latest"]["fiscal_year"], 2019);
    assert_eq!(tourism["grade"], "D");
    // A second script that read the cell empty: 409 with the stored cell, nothing written.
    let late = json!({"values": [{"indicator": "kpi-2-1-1", "actual": "305"}]});
    let (status, conflict) = put(&app, &kikaku, YEAR, &late).await;
    assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
    assert_eq!(conflict["error"]["code"], "conflict");
    assert_eq!(conflict["error"]["current"][0]["actual"], "312.0");
    assert_eq!(conflict["error"]["current"][0]["version"], 1);
    // From the stored version, the write is a choice made in view of both.
    let again = json!({"values": [{"indicator": "kpi-2-1-1", "actual": "305", "version": 1}]});
    let (status, saved) = put(&app, &kikaku, YEAR, &again).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["values"][0]["version"], 2);
    assert_eq!(saved["values"][0]["note"], "");
}

#[tokio::test]
async fn bad_cells_bodies_and_years_are_refused() {
    let app = TestApp::new().await;
    let kikaku = token(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let body = json!({"values": [
        {"indicator": "kpi-2-1-1", "actual": "31o"},
        {"indicator": "kpi-3-1-1", "actual": "18", "version": 0},
        {"indicator": "no-such-kpi", "actual": "1"},
        {"indicator": "kpi-3-1-1", "target": "x"},
    ]});
    let (status, refused) = put(&app, &kikaku, YEAR, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid");
    assert_eq!(
        fields(&refused),
        [
            "$.values[0].actual",
            "$.values[1].version",
            "$.values[2].indicator",
            "$.values[3].target",
            "$.values[3].indicator",
        ]
    );
    assert_eq!(
        refused["error"]["problems"][0]["message"],
        "観光入込客数の実績値: 「31o」は数値として読めません。"
    );
    // Nothing to save.
    let (status, refused) = put(&app, &kikaku, YEAR, &json!({"values": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&refused), ["$.values"]);
    // Bodies that are not the shape: a number for a decimal string, an unknown member, an
    // unknown state, not JSON at all — 400 as in the edit API.
    for bad in [
        r#"{"values": [{"indicator": "kpi-2-1-1", "actual": 312}]}"#,
        r#"{"values": [{"indicator": "kpi-2-1-1", "actual": "312", "unit": "人"}]}"#,
        r#"{"values": [{"indicator": "kpi-2-1-1", "state": "final"}]}"#,
        r#"{"cells": []}"#,
        "values",
    ] {
        let (status, refused) = call(&app, "PUT", YEAR, Some(&kikaku), Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {refused}");
        assert_eq!(refused["error"]["code"], "bad_request");
    }
    let good = json!({"values": [{"indicator": "kpi-2-1-1", "actual": "312"}]});
    // Outside the plan's period: 404; not a year: 400; unknown parameters: 400.
    let (status, refused) = put(&app, &kikaku, "/api/v1/plans/sogo-senryaku/kpi/2020", &good).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
    let (status, _) = put(&app, &kikaku, "/api/v1/plans/sogo-senryaku/kpi/next", &good).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = put(&app, &kikaku, &format!("{YEAR}?dry=1"), &good).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Nothing was written by any of them; 令和元年度 in the path is 2019.
    let reiwa1 = "/api/v1/plans/sogo-senryaku/kpi/%E4%BB%A4%E5%92%8C%E5%85%83%E5%B9%B4%E5%BA%A6";
    let (status, saved) = put(&app, &kikaku, reiwa1, &good).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["fiscal_year"], 2019);
    assert_eq!(saved["values"][0]["version"], 1);
}

#[tokio::test]
async fn the_openapi_document_describes_the_kpi_api() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let paths = &doc["paths"];
    let read = &paths["/api/v1/plans/{plan}/kpi"]["get"];
    assert_eq!(read["tags"][0], "kpi");
    assert_eq!(read["security"][0]["token"], json!([]));
    assert!(
        read["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "until")
    );
    let write = &paths["/api/v1/plans/{plan}/kpi/{year}"]["put"];
    assert!(write["requestBody"].is_object());
    for status in ["200", "409", "422"] {
        assert!(write["responses"][status].is_object(), "{status}");
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "KpiEvaluation",
        "KpiIndicator",
        "KpiYear",
        "KpiOutcome",
        "KpiValuesChange",
        "KpiCellChange",
        "KpiCell",
        "Current",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
    // The plan file's indicator keeps its own schema.
    assert!(schemas["IndicatorDto"]["properties"]["interim_targets"].is_object());
    assert_eq!(
        schemas["KpiCellChange"]["additionalProperties"],
        Value::Bool(false)
    );
}

#[tokio::test]
async fn values_of_a_plan_not_adopted_are_refused_as_a_conflict() {
    let mut file = common::example_json();
    common::plan_mut(&mut file, "sogo-senryaku")["status"] = "draft".into();
    let app = TestApp::with_plan_file(&common::to_text(&file)).await;
    let kikaku = token(&app, "kikaku", Role::PlanningOffice, "政策企画課").await;
    let good = json!({"values": [{"indicator": "kpi-2-1-1", "actual": "312"}]});
    let (status, refused) = put(&app, &kikaku, YEAR, &good).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("決定または公開された計画です"),
        "{refused}"
    );
    assert_eq!(refused["error"]["current"], Value::Null);
    // The evaluation of a draft is there for staff.
    let (status, e) = call(&app, "GET", EVALUATION, Some(&kikaku), None).await;
    assert_eq!(status, StatusCode::OK, "{e}");
}
