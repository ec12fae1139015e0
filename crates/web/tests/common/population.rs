//! Helpers of the 人口ビジョン's API tests (`api_population.rs`, `api_population_runs.rs`): the
//! URLs, the planning office's token, the staff read, a scenario of a document by id, the ids
//! and states of its scenarios, the public `ETag`, and numbers compared to the last bits that
//! matter.

use axum::http::{StatusCode, header};
use keikaku_domain::account::Role;
use serde_json::Value;

use super::TestApp;
use super::programs::{call, token};

/// The public read.
pub const PUBLIC: &str = "/api/v1/population";
/// The staff API.
pub const STAFF: &str = "/api/v1/staff/population";

/// The whole vision as `token` reads it from the staff API.
pub async fn staff(app: &TestApp, token: &str) -> Value {
    let (status, body) = call(app, "GET", STAFF, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A planning office user (`kikaku`) and a token of theirs.
pub async fn office(app: &TestApp) -> String {
    token(app, "kikaku", Role::PlanningOffice, "企画調整課").await
}

/// A scenario of a document (public or staff) by id.
pub fn scenario<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {doc}"))
}

/// The ids of a document's scenarios, in order.
pub fn ids(doc: &Value) -> Vec<&str> {
    doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect()
}

/// Each scenario's id and state, in order.
pub fn states(doc: &Value) -> Vec<(&str, &str)> {
    doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["state"].as_str().unwrap()))
        .collect()
}

/// A list sorted (the problems' fields, whose order is not the point).
pub fn sorted(mut fields: Vec<&str>) -> Vec<&str> {
    fields.sort_unstable();
    fields
}

/// Whether a JSON number is `b` within a millionth (sums of projected populations).
pub fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-6
}

/// The `ETag` of the public read, which must answer 200.
pub async fn public_etag(app: &TestApp) -> String {
    let (status, headers, body) = app.get(PUBLIC).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    super::header(&headers, &header::ETAG).to_owned()
}
