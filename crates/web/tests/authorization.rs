//! The authorization matrix, generated from the route table: every route × every role (and
//! anonymous), with the expected allow/deny written once below. A route added to the table
//! without an expectation here fails `every_route_has_an_expectation`.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, cookie_header};
use keikaku_domain::account::Role;
use keikaku_web::routes::{DENIED_HEADER, ROUTES};

const PASSWORD: &str = "correct horse battery";

/// Who asks: anonymous, or a user holding exactly one role.
const VIEWERS: [Option<Role>; 5] = [
    None,
    Some(Role::Administrator),
    Some(Role::PlanningOffice),
    Some(Role::DepartmentEditor),
    Some(Role::Member),
];

/// Expected access per route, in the order of [`VIEWERS`]:
/// anonymous, administrator, planning office, department editor, member.
const EXPECTED: &[(&str, &str, [bool; 5])] = &[
    ("GET", "/", [true; 5]),
    ("GET", "/search", [true; 5]),
    ("GET", "/themes", [true; 5]),
    ("GET", "/themes/{code}", [true; 5]),
    ("GET", "/api/v1/themes", [true; 5]),
    (
        "PUT",
        "/api/v1/plans/{plan}/elements/{id}/themes",
        [false, true, true, false, false],
    ),
    ("GET", "/plans/{plan}", [true; 5]),
    ("GET", "/plans/{plan}/vision", [true; 5]),
    ("GET", "/plans/{plan}/basic-plans/{id}", [true; 5]),
    ("GET", "/plans/{plan}/goals/{id}", [true; 5]),
    ("GET", "/plans/{plan}/fields/{id}", [true; 5]),
    ("GET", "/plans/{plan}/measures/{id}", [true; 5]),
    ("GET", "/plans/{plan}/priority-projects/{id}", [true; 5]),
    ("GET", "/plans/{plan}/objectives/{id}", [true; 5]),
    ("GET", "/plans/{plan}/strategy-measures/{id}", [true; 5]),
    ("GET", "/plans/{plan}/elements/{id}", [true; 5]),
    ("GET", "/plans/{plan}/versions", [true; 5]),
    ("GET", "/plans/{plan}/versions/{number}", [true; 5]),
    ("GET", "/implementation-plans", [true; 5]),
    ("GET", "/implementation-plans/{year}", [true; 5]),
    (
        "GET",
        "/implementation-plans/{year}/programs/{code}",
        [true; 5],
    ),
    ("GET", "/implementation-plans/{year}/aggregates", [true; 5]),
    ("GET", "/implementation-plans/{year}/diff", [true; 5]),
    ("GET", "/implementation-plans/{year}/download", [true; 5]),
    ("GET", "/population", [true; 5]),
    ("GET", "/population/download", [true; 5]),
    ("GET", "/population/scenarios/{id}", [true; 5]),
    ("GET", "/plans/{plan}/compare", [true; 5]),
    ("GET", "/plans/{plan}/kpi", [true; 5]),
    ("GET", "/plans/{plan}/kpi/{year}", [true; 5]),
    ("GET", "/plans/{plan}/kpi/indicators/{indicator}", [true; 5]),
    ("GET", "/login", [true; 5]),
    ("POST", "/login", [true; 5]),
    ("POST", "/logout", [false, true, true, true, true]),
    ("GET", "/staff", [false, true, true, true, true]),
    ("GET", "/staff/tokens", [false, true, true, true, true]),
    ("POST", "/staff/tokens", [false, true, true, true, true]),
    (
        "POST",
        "/staff/tokens/{id}/revoke",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/versions",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/compare",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/versions/{number}/elements/{id}",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/versions/{number}/elements/{id}/restore",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/versions/{number}/elements/{id}/restore",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/versions/{number}",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/plans/{plan}/versions/{number}/note",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/header",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/plans/{plan}/header",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/elements/{id}",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/plans/{plan}/elements/{id}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/elements/{id}/move",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/elements/{id}/delete",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/new",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/elements",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/basic-plans/{id}/start",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/basic-plans/{id}/start",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/table",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/plans/{plan}/table/{id}",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/workbook",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/import",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/import",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/import/apply",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/indicators/{id}",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/settings",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/settings",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/sheet",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/import",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/import/apply",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/{year}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/{year}/analysis",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}/analysis",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}/submit",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/{year}/review",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}/review",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/{year}/panel",
        [false, true, false, false, true],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}/panel",
        [false, true, false, false, true],
    ),
    (
        "GET",
        "/staff/plans/{plan}/kpi/{year}/responses",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}/responses",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}/publish",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/kpi/{year}/reopen",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/implementation-plans",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/implementation-plans",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/roll",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/implementation-plans/{year}",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/submit",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/review",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/state",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/delete",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/implementation-plans/{year}/programs/new",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/programs",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/implementation-plans/{year}/programs/{code}",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/programs/{code}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/programs/{code}/delete",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/implementation-plans/{year}/sheet",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/import",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/import/apply",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/staff/implementation-plans/{year}/aggregates",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/frames",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/implementation-plans/{year}/settings",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/implementation-plans/{year}/diff",
        [false, true, true, true, true],
    ),
    ("GET", "/staff/population", [false, true, true, true, true]),
    (
        "GET",
        "/staff/population/download",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/population/censuses/template",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/population/censuses/{year}",
        [false, true, true, true, true],
    ),
    (
        "GET",
        "/staff/population/scenarios/{id}",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/staff/population/run",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/derive",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/population/vision",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/vision",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/vision/actuals",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/population/censuses/new",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/censuses",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/censuses/upload",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/censuses/{year}",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/censuses/{year}/delete",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/staff/population/scenarios/new",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/scenarios",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/scenarios/{id}",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/scenarios/{id}/run",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/population/scenarios/{id}/delete",
        [false, true, true, false, false],
    ),
    ("GET", "/staff/audit", [false, true, false, false, false]),
    ("GET", "/staff/users", [false, true, false, false, false]),
    ("POST", "/staff/users", [false, true, false, false, false]),
    (
        "GET",
        "/staff/users/{login}",
        [false, true, false, false, false],
    ),
    (
        "POST",
        "/staff/users/{login}",
        [false, true, false, false, false],
    ),
    (
        "POST",
        "/staff/users/{login}/disable",
        [false, true, false, false, false],
    ),
    (
        "POST",
        "/staff/users/{login}/enable",
        [false, true, false, false, false],
    ),
    (
        "POST",
        "/staff/users/{login}/password",
        [false, true, false, false, false],
    ),
    (
        "POST",
        "/staff/plans/{plan}/status",
        [false, true, true, false, false],
    ),
    ("GET", "/healthz", [true; 5]),
    ("GET", "/emblem", [true; 5]),
    (
        "GET",
        "/staff/departments",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/staff/departments",
        [false, true, true, false, false],
    ),
    ("GET", "/staff/themes", [false, true, true, false, false]),
    ("POST", "/staff/themes", [false, true, true, false, false]),
    (
        "POST",
        "/staff/plans/{plan}/elements/{id}/themes",
        [false, true, true, false, false],
    ),
    ("GET", "/static/{file}", [true; 5]),
    ("GET", "/api/v1/municipality", [true; 5]),
    ("GET", "/api/v1/plans", [true; 5]),
    ("GET", "/api/v1/plans/{id}", [true; 5]),
    ("GET", "/api/v1/search", [true; 5]),
    ("GET", "/api/v1/openapi.json", [true; 5]),
    ("GET", "/api/v1/audit", [false, true, false, false, false]),
    (
        "GET",
        "/api/v1/plans/{plan}/elements/{id}",
        [false, true, true, true, true],
    ),
    (
        "PUT",
        "/api/v1/plans/{plan}/elements/{id}",
        [false, true, true, true, false],
    ),
    (
        "DELETE",
        "/api/v1/plans/{plan}/elements/{id}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/elements",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/plans/{plan}/basic-plans/{id}/start",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/basic-plans/{id}/start",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/elements/{id}/move",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/plans/{plan}/header",
        [false, true, true, true, true],
    ),
    (
        "PUT",
        "/api/v1/plans/{plan}/header",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/status",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/api/v1/plans/{plan}/kpi",
        [false, true, true, true, true],
    ),
    (
        "PUT",
        "/api/v1/plans/{plan}/kpi/{year}",
        [false, true, true, true, false],
    ),
    (
        "GET",
        "/api/v1/plans/{plan}/kpi/rounds/{year}",
        [false, true, true, true, true],
    ),
    (
        "PUT",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/analyses",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/submit",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/approve",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/departments/{department}/return",
        [false, true, true, false, false],
    ),
    (
        "PUT",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/panel",
        [false, true, false, false, true],
    ),
    (
        "PUT",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/responses",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/publish",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/plans/{plan}/kpi/rounds/{year}/reopen",
        [false, true, true, false, false],
    ),
    ("GET", "/api/v1/plans/{plan}/kpi/reports", [true; 5]),
    ("GET", "/api/v1/plans/{plan}/kpi/reports/{year}", [true; 5]),
    ("GET", "/api/v1/implementation-plans", [true; 5]),
    ("GET", "/api/v1/implementation-plans/{year}", [true; 5]),
    (
        "GET",
        "/api/v1/implementation-plans/{year}/programs/{code}",
        [true; 5],
    ),
    (
        "GET",
        "/api/v1/implementation-plans/{year}/aggregates",
        [true; 5],
    ),
    ("GET", "/api/v1/implementation-plans/{year}/diff", [true; 5]),
    (
        "GET",
        "/api/v1/staff/implementation-plans",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans",
        [false, true, true, false, false],
    ),
    (
        "GET",
        "/api/v1/staff/implementation-plans/{year}",
        [false, true, true, true, true],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans/{year}/roll",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans/{year}/fix",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans/{year}/unfix",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans/{year}/publish",
        [false, true, true, false, false],
    ),
    (
        "PUT",
        "/api/v1/staff/implementation-plans/{year}/frames",
        [false, true, true, false, false],
    ),
    (
        "PUT",
        "/api/v1/staff/implementation-plans/{year}/settings",
        [false, true, true, false, false],
    ),
    (
        "PUT",
        "/api/v1/staff/implementation-plans/{year}/programs/{code}",
        [false, true, true, true, false],
    ),
    (
        "DELETE",
        "/api/v1/staff/implementation-plans/{year}/programs/{code}",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans/{year}/departments/{department}/submit",
        [false, true, true, true, false],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans/{year}/departments/{department}/approve",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/staff/implementation-plans/{year}/departments/{department}/return",
        [false, true, true, false, false],
    ),
    ("GET", "/api/v1/population", [true; 5]),
    (
        "GET",
        "/api/v1/staff/population",
        [false, true, true, true, true],
    ),
    (
        "PUT",
        "/api/v1/staff/population/vision",
        [false, true, true, false, false],
    ),
    (
        "PUT",
        "/api/v1/staff/population/censuses/{year}",
        [false, true, true, false, false],
    ),
    (
        "DELETE",
        "/api/v1/staff/population/censuses/{year}",
        [false, true, true, false, false],
    ),
    (
        "PUT",
        "/api/v1/staff/population/scenarios/{id}",
        [false, true, true, false, false],
    ),
    (
        "DELETE",
        "/api/v1/staff/population/scenarios/{id}",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/staff/population/scenarios/{id}/run",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/staff/population/scenarios/{id}/derive",
        [false, true, true, false, false],
    ),
    (
        "POST",
        "/api/v1/staff/population/run",
        [false, true, true, false, false],
    ),
];

#[test]
fn every_route_has_an_expectation() {
    for r in ROUTES.iter() {
        assert!(
            EXPECTED
                .iter()
                .any(|(m, p, _)| *m == r.method.as_str() && *p == r.path),
            "{} {} has no expected access in tests/authorization.rs",
            r.method,
            r.path
        );
    }
    for (m, p, _) in EXPECTED {
        assert!(
            ROUTES
                .iter()
                .any(|r| r.method.as_str() == *m && r.path == *p),
            "{m} {p} is expected but not in the route table"
        );
    }
}

/// Creates a user with one role and signs them in through the login form; the session token.
async fn session_for(app: &TestApp, role: Role) -> String {
    let login = format!("user-{}", role.code().replace('_', "-"));
    app.add_user_with(&login, &format!("{}の職員", role.label()), role, PASSWORD)
        .await;
    app.sign_in(&login, PASSWORD).await
}

/// A bearer token of the user [`session_for`] made for a role: the API takes tokens, never
/// the session cookie.
async fn token_for(app: &TestApp, role: Role) -> String {
    app.token_for(&format!("user-{}", role.code().replace('_', "-")))
        .await
}

#[tokio::test]
async fn every_route_for_every_role_is_allowed_or_denied_as_expected() {
    let app = TestApp::new().await;
    let mut sessions = Vec::new();
    let mut tokens = Vec::new();
    for viewer in VIEWERS {
        sessions.push(match viewer {
            None => None,
            Some(role) => Some(session_for(&app, role).await),
        });
        tokens.push(match viewer {
            None => None,
            Some(role) => Some(token_for(&app, role).await),
        });
    }
    let mut failures = Vec::new();
    for (method, path, expected) in EXPECTED {
        let route = ROUTES
            .iter()
            .find(|r| r.method.as_str() == *method && r.path == *path)
            .unwrap();
        for (i, session) in sessions.iter().enumerate() {
            let mut request = Request::builder().method(*method).uri(route.example);
            let api = path.starts_with("/api/");
            if let (true, Some(token)) = (api, &tokens[i]) {
                request = request.header("authorization", format!("Bearer {token}"));
            } else if let Some(token) = session {
                request = request.header("cookie", cookie_header(&[("keikaku_session", token)]));
            }
            if *method == "POST" {
                request = request.header("content-type", "application/x-www-form-urlencoded");
            }
            let (status, headers, _) = app.send(request.body(Body::empty()).unwrap()).await;
            let denied = headers.contains_key(DENIED_HEADER);
            if denied == expected[i] {
                failures.push(format!(
                    "{method} {} as {:?}: expected {}, got {status}{}",
                    route.example,
                    VIEWERS[i],
                    if expected[i] { "allowed" } else { "denied" },
                    if denied { " (denied)" } else { "" }
                ));
            }
            // A refusal never leaks the page: anonymous users are sent to the sign-in page
            // (API: 401 asking for a token), signed-in users get 403.
            if denied {
                let want = match (session.is_none(), api) {
                    (true, false) => StatusCode::SEE_OTHER,
                    (true, true) => StatusCode::UNAUTHORIZED,
                    (false, _) => StatusCode::FORBIDDEN,
                };
                assert_eq!(status, want, "{method} {}", route.example);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
