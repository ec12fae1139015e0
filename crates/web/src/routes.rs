//! The route table: every route of the application with the [`Action`] it performs. The
//! router is built from this table and the `authorize` layer checks each request against it
//! with [`keikaku_app::access::permits`], so a route cannot exist without an entry, and no
//! handler decides on its own who may call it.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, delete, get, post, put};
use keikaku_app::access::{Action, permits};

use crate::error::WebError;
use crate::{AppState, admin, api, api_edit, assets, edit, history, pages, staff, tokens};

/// One route: method, path pattern (axum syntax), what it does, and an example URL (used by
/// the authorization matrix test).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// HTTP method (`HEAD` is served with `GET`).
    pub method: Method,
    /// Path pattern, e.g. `/plans/{plan}`.
    pub path: &'static str,
    /// What the route does.
    pub action: Action,
    /// A concrete URL of the example data that exercises the route.
    pub example: &'static str,
}

const fn spec(
    method: Method,
    path: &'static str,
    action: Action,
    example: &'static str,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        action,
        example,
    }
}

use Action::{
    ChangePlanStatus, EditPlan, ManageUsers, ReadAudit, ReadDrafts, ReadPublished, SignIn, SignOut,
};

/// Every route of the application (the `/api/v1` routes with their full path).
pub const ROUTES: &[RouteSpec] = &[
    spec(Method::GET, "/", ReadPublished, "/"),
    spec(
        Method::GET,
        "/search",
        ReadPublished,
        "/search?q=%E5%AD%90%E8%82%B2%E3%81%A6",
    ),
    spec(
        Method::GET,
        "/plans/{plan}",
        ReadPublished,
        "/plans/sogo-keikaku",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/vision",
        ReadPublished,
        "/plans/sogo-keikaku/vision",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/basic-plans/{id}",
        ReadPublished,
        "/plans/sogo-keikaku/basic-plans/basic-plan-first",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/goals/{id}",
        ReadPublished,
        "/plans/sogo-keikaku/goals/goal-1",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/fields/{id}",
        ReadPublished,
        "/plans/sogo-keikaku/fields/field-1-1",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/measures/{id}",
        ReadPublished,
        "/plans/sogo-keikaku/measures/measure-1-1-1",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/priority-projects/{id}",
        ReadPublished,
        "/plans/sogo-keikaku/priority-projects/priority-project-1",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/objectives/{id}",
        ReadPublished,
        "/plans/sogo-senryaku/objectives/objective-1",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/strategy-measures/{id}",
        ReadPublished,
        "/plans/sogo-senryaku/strategy-measures/strategy-measure-1-1",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/elements/{id}",
        ReadPublished,
        "/plans/sogo-keikaku/elements/goal-1",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/versions",
        ReadPublished,
        "/plans/sogo-keikaku/versions",
    ),
    spec(
        Method::GET,
        "/plans/{plan}/compare",
        ReadPublished,
        "/plans/sogo-keikaku/compare?from=1&to=1",
    ),
    spec(Method::GET, "/login", SignIn, "/login"),
    spec(Method::POST, "/login", SignIn, "/login"),
    spec(Method::POST, "/logout", SignOut, "/logout"),
    spec(Method::GET, "/staff", ReadDrafts, "/staff"),
    spec(
        Method::GET,
        "/staff/tokens",
        Action::ManageOwnTokens,
        "/staff/tokens",
    ),
    spec(
        Method::POST,
        "/staff/tokens",
        Action::ManageOwnTokens,
        "/staff/tokens",
    ),
    spec(
        Method::POST,
        "/staff/tokens/{id}/revoke",
        Action::ManageOwnTokens,
        "/staff/tokens/0123456789abcdef/revoke",
    ),
    spec(
        Method::GET,
        "/staff/plans/{plan}/versions",
        ReadDrafts,
        "/staff/plans/sogo-keikaku/versions",
    ),
    spec(
        Method::GET,
        "/staff/plans/{plan}/compare",
        ReadDrafts,
        "/staff/plans/sogo-keikaku/compare?from=1&to=1",
    ),
    spec(
        Method::GET,
        "/staff/plans/{plan}",
        ReadDrafts,
        "/staff/plans/sogo-keikaku",
    ),
    spec(
        Method::GET,
        "/staff/plans/{plan}/header",
        ReadDrafts,
        "/staff/plans/sogo-keikaku/header",
    ),
    spec(
        Method::POST,
        "/staff/plans/{plan}/header",
        EditPlan,
        "/staff/plans/sogo-keikaku/header",
    ),
    spec(
        Method::GET,
        "/staff/plans/{plan}/elements/{id}",
        ReadDrafts,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1",
    ),
    spec(
        Method::POST,
        "/staff/plans/{plan}/elements/{id}",
        EditPlan,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1",
    ),
    spec(
        Method::POST,
        "/staff/plans/{plan}/elements/{id}/move",
        EditPlan,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1/move",
    ),
    spec(
        Method::POST,
        "/staff/plans/{plan}/elements/{id}/delete",
        EditPlan,
        "/staff/plans/sogo-keikaku/elements/measure-1-1-1/delete",
    ),
    spec(
        Method::GET,
        "/staff/plans/{plan}/new",
        EditPlan,
        "/staff/plans/sogo-keikaku/new?kind=goal",
    ),
    spec(
        Method::POST,
        "/staff/plans/{plan}/elements",
        EditPlan,
        "/staff/plans/sogo-keikaku/elements",
    ),
    spec(Method::GET, "/staff/audit", ReadAudit, "/staff/audit"),
    spec(Method::GET, "/staff/users", ManageUsers, "/staff/users"),
    spec(Method::POST, "/staff/users", ManageUsers, "/staff/users"),
    spec(
        Method::GET,
        "/staff/users/{login}",
        ManageUsers,
        "/staff/users/e2e-admin",
    ),
    spec(
        Method::POST,
        "/staff/users/{login}",
        ManageUsers,
        "/staff/users/e2e-admin",
    ),
    spec(
        Method::POST,
        "/staff/users/{login}/disable",
        ManageUsers,
        "/staff/users/e2e-admin/disable",
    ),
    spec(
        Method::POST,
        "/staff/users/{login}/enable",
        ManageUsers,
        "/staff/users/e2e-admin/enable",
    ),
    spec(
        Method::POST,
        "/staff/users/{login}/password",
        ManageUsers,
        "/staff/users/e2e-admin/password",
    ),
    spec(
        Method::POST,
        "/staff/plans/{plan}/status",
        ChangePlanStatus,
        "/staff/plans/sogo-keikaku/status",
    ),
    spec(Method::GET, "/healthz", ReadPublished, "/healthz"),
    spec(
        Method::GET,
        "/static/{file}",
        ReadPublished,
        "/static/keikaku.css",
    ),
    spec(
        Method::GET,
        "/api/v1/municipality",
        ReadPublished,
        "/api/v1/municipality",
    ),
    spec(Method::GET, "/api/v1/plans", ReadPublished, "/api/v1/plans"),
    spec(
        Method::GET,
        "/api/v1/plans/{id}",
        ReadPublished,
        "/api/v1/plans/sogo-keikaku",
    ),
    spec(
        Method::GET,
        "/api/v1/search",
        ReadPublished,
        "/api/v1/search?q=%E5%AD%90%E8%82%B2%E3%81%A6",
    ),
    spec(
        Method::GET,
        "/api/v1/openapi.json",
        ReadPublished,
        "/api/v1/openapi.json",
    ),
    spec(Method::GET, "/api/v1/audit", ReadAudit, "/api/v1/audit"),
    spec(
        Method::GET,
        "/api/v1/plans/{plan}/elements/{id}",
        ReadDrafts,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1",
    ),
    spec(
        Method::PUT,
        "/api/v1/plans/{plan}/elements/{id}",
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1",
    ),
    spec(
        Method::DELETE,
        "/api/v1/plans/{plan}/elements/{id}",
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1?version=1",
    ),
    spec(
        Method::POST,
        "/api/v1/plans/{plan}/elements",
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements",
    ),
    spec(
        Method::POST,
        "/api/v1/plans/{plan}/elements/{id}/move",
        EditPlan,
        "/api/v1/plans/sogo-keikaku/elements/measure-1-1-1/move",
    ),
    spec(
        Method::GET,
        "/api/v1/plans/{plan}/header",
        ReadDrafts,
        "/api/v1/plans/sogo-keikaku/header",
    ),
    spec(
        Method::PUT,
        "/api/v1/plans/{plan}/header",
        EditPlan,
        "/api/v1/plans/sogo-keikaku/header",
    ),
    spec(
        Method::POST,
        "/api/v1/plans/{plan}/status",
        ChangePlanStatus,
        "/api/v1/plans/sogo-keikaku/status",
    ),
];

/// The handler of a route in [`ROUTES`]; a route without a handler is a bug that the router
/// test finds at once (the router panics while being built).
pub(crate) fn handler(spec: &RouteSpec) -> MethodRouter<AppState> {
    match (spec.method.as_str(), spec.path) {
        ("GET", "/") => get(pages::home),
        ("GET", "/search") => get(pages::search),
        ("GET", "/plans/{plan}") => get(pages::plan),
        ("GET", "/plans/{plan}/vision") => get(pages::vision),
        ("GET", "/plans/{plan}/basic-plans/{id}") => get(pages::basic_plan),
        ("GET", "/plans/{plan}/goals/{id}") => get(pages::goal),
        ("GET", "/plans/{plan}/fields/{id}") => get(pages::field),
        ("GET", "/plans/{plan}/measures/{id}") => get(pages::measure),
        ("GET", "/plans/{plan}/priority-projects/{id}") => get(pages::priority_project),
        ("GET", "/plans/{plan}/objectives/{id}") => get(pages::objective),
        ("GET", "/plans/{plan}/strategy-measures/{id}") => get(pages::strategy_measure),
        ("GET", "/plans/{plan}/elements/{id}") => get(pages::element),
        ("GET", "/plans/{plan}/versions") => get(history::versions),
        ("GET", "/plans/{plan}/compare") => get(history::compare),
        ("GET", "/login") => get(staff::login_page),
        ("POST", "/login") => post(staff::login_submit),
        ("POST", "/logout") => post(staff::logout),
        ("GET", "/staff") => get(staff::staff_page),
        ("GET", "/staff/tokens") => get(tokens::list),
        ("POST", "/staff/tokens") => post(tokens::create),
        ("POST", "/staff/tokens/{id}/revoke") => post(tokens::revoke),
        ("GET", "/staff/plans/{plan}/versions") => get(history::staff_versions),
        ("GET", "/staff/plans/{plan}/compare") => get(history::staff_compare),
        ("POST", "/staff/plans/{plan}/status") => post(staff::change_status),
        ("GET", "/staff/plans/{plan}") => get(edit::draft_page),
        ("GET", "/staff/plans/{plan}/header") => get(edit::header_page),
        ("POST", "/staff/plans/{plan}/header") => post(edit::header_save),
        ("GET", "/staff/plans/{plan}/elements/{id}") => get(edit::element_page),
        ("POST", "/staff/plans/{plan}/elements/{id}") => post(edit::element_save),
        ("POST", "/staff/plans/{plan}/elements/{id}/move") => post(edit::element_move),
        ("POST", "/staff/plans/{plan}/elements/{id}/delete") => post(edit::element_delete),
        ("GET", "/staff/plans/{plan}/new") => get(edit::element_new),
        ("POST", "/staff/plans/{plan}/elements") => post(edit::element_create),
        ("GET", "/staff/audit") => get(admin::audit),
        ("GET", "/staff/users") => get(admin::users),
        ("POST", "/staff/users") => post(admin::create_user),
        ("GET", "/staff/users/{login}") => get(admin::user),
        ("POST", "/staff/users/{login}") => post(admin::update_user),
        ("POST", "/staff/users/{login}/disable") => post(admin::disable_user),
        ("POST", "/staff/users/{login}/enable") => post(admin::enable_user),
        ("POST", "/staff/users/{login}/password") => post(admin::reset_password),
        ("GET", "/healthz") => get(|| async { "ok" }),
        ("GET", "/static/{file}") => get(assets::serve),
        ("GET", "/api/v1/municipality") => get(api::municipality),
        ("GET", "/api/v1/plans") => get(api::list_plans),
        ("GET", "/api/v1/plans/{id}") => get(api::get_plan),
        ("GET", "/api/v1/search") => get(api::search),
        ("GET", "/api/v1/openapi.json") => get(api::openapi_json),
        ("GET", "/api/v1/audit") => get(api::audit),
        ("GET", "/api/v1/plans/{plan}/elements/{id}") => get(api_edit::get_element),
        ("PUT", "/api/v1/plans/{plan}/elements/{id}") => put(api_edit::put_element),
        ("DELETE", "/api/v1/plans/{plan}/elements/{id}") => delete(api_edit::delete_element),
        ("POST", "/api/v1/plans/{plan}/elements") => post(api_edit::create_element),
        ("POST", "/api/v1/plans/{plan}/elements/{id}/move") => post(api_edit::move_element),
        ("GET", "/api/v1/plans/{plan}/header") => get(api_edit::get_header),
        ("PUT", "/api/v1/plans/{plan}/header") => put(api_edit::put_header),
        ("POST", "/api/v1/plans/{plan}/status") => post(api_edit::change_status),
        // Unreachable while every entry of ROUTES is matched above; answering 404 keeps a
        // forgotten handler visible without taking the server down.
        _ => any(pages::not_found),
    }
}

/// Whether a path matches a pattern: `{name}` matches one segment, `{*rest}` the rest.
fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some(w), _) if w.starts_with("{*") => return true,
            (Some(w), Some(h)) if w.starts_with('{') && w.ends_with('}') && !h.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

/// The route a request is for, if any (HEAD counts as GET).
pub fn find(method: &Method, path: &str) -> Option<&'static RouteSpec> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    ROUTES
        .iter()
        .find(|r| r.method == *method && matches(r.path, path))
}

/// Header set on every response refused by authorization, so that tests (and logs) can tell
/// a refusal from other 403s such as a CSRF mismatch.
pub const DENIED_HEADER: &str = "x-keikaku-denied";

/// Checks every request against the route table. Public actions cost nothing (no session is
/// looked up); for the others the session cookie is resolved once here. Under `/api/` the
/// caller is the user of the bearer token and the session cookie is never read (see
/// [`tokens::authorize_api`]).
pub async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(route) = find(request.method(), request.uri().path()) else {
        // Not a route: the 404 fallback (or 405) answers, and they are public.
        return next.run(request).await;
    };
    if request.uri().path().starts_with("/api/") {
        return tokens::authorize_api(&state, route.action, request, next).await;
    }
    if permits(None, route.action) {
        return next.run(request).await;
    }
    let roles = match staff::session_roles(&state, request.headers()).await {
        Ok(roles) => roles,
        Err(e) => return e.into_response(),
    };
    if permits(roles.as_deref(), route.action) {
        return next.run(request).await;
    }
    let mut response = if roles.is_some() {
        WebError::Forbidden.into_response()
    } else {
        let mut r = StatusCode::SEE_OTHER.into_response();
        r.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/login"));
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(clear) = staff::clear_stale_cookie(&state, request.headers()) {
            r.headers_mut().append(header::SET_COOKIE, clear);
        }
        r
    };
    response
        .headers_mut()
        .insert(DENIED_HEADER, HeaderValue::from_static("1"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segments() {
        assert!(matches("/plans/{plan}", "/plans/sogo-keikaku"));
        assert!(!matches("/plans/{plan}", "/plans/"));
        assert!(!matches("/plans/{plan}", "/plans/a/b"));
        assert!(matches("/api/{*rest}", "/api/v2/x"));
        assert!(matches("/", "/"));
        assert!(!matches("/", "/x"));
        assert_eq!(
            find(&Method::HEAD, "/staff").map(|r| r.action),
            Some(Action::ReadDrafts)
        );
        assert_eq!(find(&Method::GET, "/nope"), None);
    }

    #[test]
    fn every_route_has_one_entry() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} twice",
                    a.method,
                    a.path
                );
            }
            assert_eq!(
                find(&a.method, a.example.split('?').next().unwrap_or("")),
                Some(a),
                "{}",
                a.example
            );
        }
    }
}
