//! The route table: every route of the application with the [`Action`] it performs, an example
//! URL and its handler, declared once — with [`route!`] — by the module that serves it
//! (`public`, `staff`, `api`, and `/healthz` here). [`ROUTES`] concatenates the modules' tables.
//! The router is built from it ([`mount`]), and every handler is mounted behind an
//! authorization guard that carries its own entry's action, so a route cannot be served
//! without an action, and no handler decides on its own who may call it: the guard checks
//! the caller with [`keikaku_app::access::permits`] before the handler runs.

use std::fmt;
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use keikaku_app::access::{Action, permits};

use crate::error::WebError;
use crate::{AppState, api, assets, public, staff};

/// One route: method, path pattern (axum syntax), what it does, an example URL (used by the
/// authorization matrix test) and the handler.
#[derive(Clone)]
pub struct Route {
    /// HTTP method (`HEAD` is served with `GET`).
    pub method: Method,
    /// Path pattern, e.g. `/plans/{plan}`.
    pub path: &'static str,
    /// What the route does.
    pub action: Action,
    /// A concrete URL of the example data that exercises the route.
    pub example: &'static str,
    /// The handler for `method` (a function, so that a module's table can be a constant).
    pub(crate) handler: fn() -> MethodRouter<AppState>,
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("action", &self.action)
            .field("example", &self.example)
            .finish_non_exhaustive()
    }
}

/// One entry of a module's route table:
/// `route!(GET "/plans/{plan}" => plan, ReadPublished, "/plans/sogo-keikaku")` — method, path,
/// handler, [`Action`] and example URL, each written once.
macro_rules! route {
    ($method:ident $path:literal => $handler:path, $action:ident, $example:literal) => {
        $crate::routes::Route {
            method: ::axum::http::Method::$method,
            path: $path,
            action: ::keikaku_app::access::Action::$action,
            example: $example,
            handler: || ::axum::routing::on(::axum::routing::MethodFilter::$method, $handler),
        }
    };
}
pub(crate) use route;

/// Every route of the application (the `/api/v1` routes with their full path), module by
/// module.
pub static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    [
        public::routes(),
        staff::routes(),
        OWN.to_vec(),
        assets::ROUTES.to_vec(),
        api::routes(),
    ]
    .concat()
});

/// The routes of the site itself.
const OWN: &[Route] = &[
    route!(GET "/healthz" => healthz, ReadPublished, "/healthz"),
    route!(GET "/emblem" => emblem, ReadPublished, "/emblem"),
];

/// `GET /emblem`: the city's emblem as configured, or the 404 page when there is none. An SVG
/// is sent with a policy that lets it run nothing.
async fn emblem(State(state): State<AppState>) -> Result<Response, WebError> {
    let Some(emblem) = state.identity.emblem.clone() else {
        return Err(WebError::NotFound(None));
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(emblem.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            ),
        ],
        emblem.bytes.to_vec(),
    )
        .into_response())
}

/// `GET /healthz`: the server answers and its database does (for load balancers and the
/// browser check): `200 ok`, or `503` when the store does not answer.
async fn healthz(State(state): State<AppState>) -> Response {
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    match state.catalog.check_store().await {
        Ok(()) => (no_store, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                no_store,
                "database unavailable",
            )
                .into_response()
        }
    }
}

/// Where the API lives; its routes are nested there, behind the API's own fallbacks.
const API_PREFIX: &str = "/api/v1";

/// The router of the whole table, every handler passed through `wrap` (the authorization guard
/// in the application, a probe in the tests): the routes outside `/api/v1` at their path, the
/// `/api/v1` ones nested (see [`api::nested`]).
pub(crate) fn mount(
    mut wrap: impl FnMut(&Route, MethodRouter<AppState>) -> MethodRouter<AppState>,
) -> Router<AppState> {
    let mut site = Router::new();
    let mut nested = Router::new();
    for route in ROUTES.iter() {
        let handler = wrap(route, (route.handler)());
        match route.path.strip_prefix(API_PREFIX) {
            Some(rest) => nested = nested.route(rest, handler),
            None => site = site.route(route.path, handler),
        }
    }
    site.nest(API_PREFIX, api::nested(nested))
}

/// The routes of the table, each behind the guard of its own action.
pub(crate) fn guarded(state: &AppState) -> Router<AppState> {
    mount(|route, handler| {
        // Shared: the guard's state is cloned for every request, so it is one `Arc`.
        let guard = Arc::new(Guard {
            state: state.clone(),
            action: route.action,
            api: route.path.starts_with("/api/"),
        });
        handler.route_layer(middleware::from_fn_with_state(guard, authorize))
    })
}

/// What the guard of one route knows: the route's action, and whether it is an API route.
#[derive(Clone)]
struct Guard {
    state: AppState,
    action: Action,
    api: bool,
}

/// The action of the route a request was routed to, put into the request's extensions by its
/// guard (for the extractors that grant it to the signed-in user).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RouteAction(pub(crate) Action);

/// Header set on every response refused by authorization, so that tests (and logs) can tell
/// a refusal from other 403s such as a CSRF mismatch.
pub const DENIED_HEADER: &str = "x-keikaku-denied";

/// Checks a request against its route's action. Public actions cost nothing (no session is
/// looked up); for the others the session cookie is resolved once here, and the signed-in
/// user goes into the request's extensions for the handler. Under `/api/` the caller is the
/// user of the bearer token and the session cookie is never read (see
/// [`api::auth::authorize_api`]).
async fn authorize(State(guard): State<Arc<Guard>>, mut request: Request, next: Next) -> Response {
    let Guard { state, action, api } = guard.as_ref();
    let (state, action) = (state, *action);
    if *api {
        return api::auth::authorize_api(state, action, request, next).await;
    }
    // Public pages are the hot path: no session, no extensions.
    if permits(None, action) {
        return next.run(request).await;
    }
    request.extensions_mut().insert(RouteAction(action));
    let signed = match staff::session::signed_in(state, request.headers()).await {
        Ok(signed) => signed,
        Err(e) => return e.into_response(),
    };
    match signed {
        Some(signed) if permits(Some(&signed.user.roles), action) => {
            let who = signed.clone();
            request.extensions_mut().insert(signed);
            staff::who::scope(&who, next.run(request)).await
        }
        Some(_) => denied(WebError::Forbidden.into_response()),
        None => sign_in_first(state, request.headers()),
    }
}

/// The answer to an anonymous request for a staff page: 303 to `/login`, clearing a session
/// cookie that names no live session.
pub(crate) fn sign_in_first(state: &AppState, headers: &axum::http::HeaderMap) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/login"));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(clear) = staff::session::clear_stale_cookie(state, headers) {
        r.headers_mut().append(header::SET_COOKIE, clear);
    }
    denied(r)
}

/// Marks a refusal of the authorization layer.
pub(crate) fn denied(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(DENIED_HEADER, HeaderValue::from_static("1"));
    response
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use keikaku_app::Catalog;
    use keikaku_app::access::Operator;
    use keikaku_domain::MunicipalityCode;
    use keikaku_domain::audit::Timestamp;
    use keikaku_storage::Store;
    use keikaku_storage_sqlite::SqliteStore;
    use tower::ServiceExt;

    use super::*;

    #[test]
    fn no_two_routes_share_method_and_path() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} twice",
                    a.method,
                    a.path
                );
            }
        }
    }

    async fn example_state() -> AppState {
        let store = SqliteStore::connect("sqlite::memory:")
            .await
            .expect("in-memory store");
        store.migrate().await.expect("schema");
        let at = Timestamp::from_millis(1_764_000_000_000).expect("time");
        keikaku_app::transfer::load_example(&Operator::at_console(), &store, "ichinoseki", at)
            .await
            .expect("example");
        let store = Arc::new(store);
        let code = MunicipalityCode::parse("03209").expect("code");
        let catalog = Catalog::open(store, code).await.expect("catalog");
        AppState::new(Arc::new(catalog))
    }

    /// Every entry of the table is served by its own handler at its own method and path: the
    /// router is built from the table with a probe in front of each handler that answers with
    /// the entry it stands for, and every entry's example URL must reach that probe — not the
    /// 404 fallback, a 405 or another entry's handler.
    #[tokio::test]
    async fn every_route_reaches_its_own_handler() {
        let router = mount(|route, handler| {
            let entry = format!("{} {}", route.method, route.path);
            handler.route_layer(middleware::from_fn(move |_: Request, _: Next| {
                let entry = entry.clone();
                async move { ([("x-entry", entry)], "").into_response() }
            }))
        })
        .with_state(example_state().await);
        for route in ROUTES.iter() {
            let request = Request::builder()
                .method(route.method.clone())
                .uri(route.example)
                .body(Body::empty())
                .expect("request");
            let response = router.clone().oneshot(request).await.expect("response");
            let reached = response
                .headers()
                .get("x-entry")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("no handler");
            assert_eq!(
                reached,
                format!("{} {}", route.method, route.path),
                "{} {}",
                route.method,
                route.example
            );
        }
    }
}
