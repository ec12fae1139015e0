//! The web transport of keikaku: the public site (server-rendered Japanese HTML that works
//! without JavaScript), the staff pages, and the JSON API under `/api/v1`.
//!
//! [`router`] builds the whole application from an [`AppState`]. Handlers are thin: they
//! decode the request, take the current [`keikaku_app::Site`] from the catalog (or call one use
//! case), build a view and render it. Rendered pages and API bodies are cached per data
//! version ([`cache`]), so a page is rendered once per change of the data, and every response
//! carries an `ETag`.
//!
//! The code is laid out by audience: `public` (the pages everyone reads), `staff` (signing in
//! and out with a session cookie, [`SESSION_COOKIE`], and everything behind it; never cached)
//! and `api` (reads, writes, bearer tokens, the OpenAPI document), each module declaring its
//! own routes in the route table ([`routes`]); the router and the authorization guard of every
//! route are built from that one table. `error` maps application errors onto HTTP for all of
//! them. The public pages stay the same for everyone, signed in or not.
//!
//! [`server::serve`] runs it on a listener within [`ServerLimits`] (timeouts, a cap on
//! connections, a bounded graceful shutdown), and gives every request the connection's peer,
//! from which [`client::ClientAddress`] finds the client behind trusted proxies.
//!
//! ```no_run
//! # async fn run(catalog: std::sync::Arc<keikaku_app::Catalog>) {
//! let app = keikaku_web::router(keikaku_web::AppState::new(catalog));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! let limits = keikaku_web::ServerLimits::default();
//! keikaku_web::server::serve(listener, app, limits, std::future::pending()).await;
//! # }
//! ```

mod api;
mod assets;
pub mod cache;
mod charts;
pub mod client;
mod clock;
mod error;
pub mod identity;
mod ledger;
mod paths;
mod population_view;
mod public;
pub mod routes;
pub mod server;
mod staff;
mod tally;
mod urlencoded;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::any;
use keikaku_app::Catalog;
use keikaku_app::auth::LoginLimiter;

pub use api::ApiDoc;
pub use client::{TrustedProxies, TrustedProxy};
pub use error::WebError;
pub use server::ServerLimits;
pub use staff::session::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The public catalog of the municipality served.
    pub catalog: Arc<Catalog>,
    /// Rendered pages and API bodies, per data version.
    pub cache: Arc<cache::PageCache>,
    /// Failed sign-ins per login id and per client address.
    pub limiter: Arc<LoginLimiter>,
    /// Whether the site is served over HTTPS (directly or behind a proxy): cookies then carry
    /// `Secure`, and every response `Strict-Transport-Security`.
    pub https: bool,
    /// The reverse proxies whose forwarded headers name the client.
    pub trusted_proxies: TrustedProxies,
    /// The city's website and emblem shown on every page.
    pub identity: Arc<identity::CityIdentity>,
}

impl AppState {
    /// State for a catalog, with an empty cache and limiter, served over plain HTTP, behind
    /// no trusted proxy.
    pub fn new(catalog: Arc<Catalog>) -> Self {
        Self {
            catalog,
            cache: Arc::new(cache::PageCache::default()),
            limiter: Arc::new(LoginLimiter::new()),
            https: false,
            trusted_proxies: TrustedProxies::default(),
            identity: Arc::new(identity::CityIdentity::default()),
        }
    }

    /// Sets the city's website and emblem.
    pub fn with_identity(mut self, identity: identity::CityIdentity) -> Self {
        self.identity = Arc::new(identity);
        self
    }

    /// Sets whether the site is served over HTTPS, directly or behind a proxy (`Secure`
    /// cookies, HSTS).
    pub fn with_https(mut self, https: bool) -> Self {
        self.https = https;
        self
    }

    /// Sets the reverse proxies whose `X-Forwarded-For` / `Forwarded` is believed.
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = proxies;
        self
    }
}

/// The whole application: public pages, static assets, the JSON API and the fallback 404.
pub fn router(state: AppState) -> Router {
    // Every route comes from the route table, behind the guard of its action.
    routes::guarded(&state)
        // The rest of `/api` (`/api/v1/`, `/api/v2/…`) answers in JSON too, not with the HTML page.
        .route("/api", any(api::not_found))
        .route("/api/", any(api::not_found))
        .route("/api/{*rest}", any(api::not_found))
        .fallback(public::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.identity.clone(),
            city_identity,
        ))
        .layer(middleware::from_fn_with_state(
            state.https,
            security_headers,
        ))
        .with_state(state)
}

/// Runs every request with the city's identity available to the page layouts (error pages
/// included, hence outside `render_errors`).
async fn city_identity(
    axum::extract::State(identity): axum::extract::State<Arc<identity::CityIdentity>>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    identity::scope(&identity, next.run(request)).await
}

/// Headers every response carries: no sniffing, no framing, same-origin resources only; over
/// HTTPS, HSTS for a year (browsers then never try plain HTTP first).
async fn security_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}
