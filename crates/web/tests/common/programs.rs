//! Helpers of the 実施計画's API tests (`api_programs.rs`, `api_program_edits.rs`): tokens,
//! calls, the problems' fields of a `422`, programs and parts of an edition as read, and a new
//! program of 農政課 for the edition made in FY2026.

use axum::http::StatusCode;
use keikaku_domain::account::Role;
use serde_json::{Value, json};

use super::{TestApp, form_encode};

/// The password of the users made here.
pub const PASSWORD: &str = "correct horse battery";
/// The public API of the 実施計画.
pub const PUBLIC: &str = "/api/v1/implementation-plans";
/// The staff API of the 実施計画.
pub const STAFF: &str = "/api/v1/staff/implementation-plans";
/// The department whose editor writes in these tests.
pub const NOSEI: &str = "農政課";

/// A user with one role and department, and a token of theirs.
pub async fn token(app: &TestApp, login: &str, role: Role, department: &str) -> String {
    app.add_staff(login, "実施 計子", role, department, PASSWORD)
        .await;
    app.token_for(login).await
}

/// An API request with an optional token and JSON body: the status and the answer.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    app.call_json(method, path, token, body.map(Value::to_string))
        .await
}

/// The fields of a `422`'s problems.
pub fn fields(error: &Value) -> Vec<&str> {
    error["error"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems in {error}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect()
}

/// A program of an edition as read, by code.
pub fn program<'a>(edition: &'a Value, code: &str) -> &'a Value {
    edition["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {edition}"))
}

/// A department's part of an edition as read.
pub fn part<'a>(edition: &'a Value, department: &str) -> &'a Value {
    edition["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["department"] == department)
        .unwrap_or_else(|| panic!("{department} in {edition}"))
}

/// The URL of a step of a department's part.
pub fn department_step(year: i32, department: &str, step: &str) -> String {
    format!(
        "{STAFF}/{year}/departments/{}/{step}",
        form_encode(department)
    )
}

/// A new program of 農政課 for edition 2026 (covering 2027–2029), amounts in yen.
pub fn new_program() -> Value {
    json!({
        "name": "スマート農業導入支援事業",
        "department": NOSEI,
        "category": "new",
        "start_year": 2027,
        "end_year": null,
        "links": [{"plan": "sogo-keikaku", "element": "measure-1-1-1"}],
        "purpose": "担い手の作業負担を減らす",
        "target_group": "認定農業者",
        "means": "機械導入の補助",
        "account": "general",
        "expense_type": "other",
        "activity": {"name": "補助件数", "unit": "件"},
        "sample": false,
        "years": [
            {"fiscal_year": 2027, "cost": 1_300_000, "national": 500_000, "prefectural": 200_000,
             "bonds": 0, "other": 0, "general": 600_000, "activity_target": "12"},
            {"fiscal_year": 2028, "cost": 1_000_500, "national": 400_000, "prefectural": 0,
             "bonds": 0, "other": 0, "general": 600_500, "activity_target": null}
        ]
    })
}

/// The staff edition now, read by `token`.
pub async fn staff_edition(app: &TestApp, token: &str, year: i32) -> Value {
    let (status, edition) = call(app, "GET", &format!("{STAFF}/{year}"), Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{edition}");
    edition
}
