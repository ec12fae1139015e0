//! The public site: the pages everyone reads, signed in or not — home, search, the plans and
//! their elements, and the published version history. Pages are rendered once per data
//! version and served from the cache ([`cached`]); they never show anything of a signed-in
//! user, so the cache is shared by everyone.

mod elements;
pub(crate) mod history;
mod home;
mod kpi;
mod kpi_indicator;
mod plans;
pub(crate) mod population;
pub(crate) mod programs;
pub(crate) mod search;
pub(crate) mod standing;
pub(crate) mod themes;
pub(crate) mod version;

use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use keikaku_app::Site;
use keikaku_domain::{ComprehensivePlan, Plan, Strategy};

use crate::AppState;
use crate::cache::Entry;
use crate::error::WebError;
use crate::paths::plan_id;
use crate::routes::Route;

const HTML: &str = "text/html; charset=utf-8";

/// The public pages' routes.
pub(crate) fn routes() -> Vec<Route> {
    [
        home::ROUTES,
        search::ROUTES,
        plans::ROUTES,
        elements::ROUTES,
        history::ROUTES,
        kpi::ROUTES,
        programs::ROUTES,
        population::ROUTES,
        themes::ROUTES,
    ]
    .concat()
}

/// The fiscal year part of a page's cache key: plan pages say whether a plan's period is
/// current or over, which changes on 1 April without any write.
fn year_key() -> i32 {
    crate::clock::this_fiscal_year().map_or(0, |fy| fy.year())
}

/// Serves a page from the cache, rendering it first if the data changed since.
pub(crate) async fn cached(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    render: impl FnOnce(&Site) -> Result<String, WebError>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let key = format!("html {} {}", year_key(), uri.path());
    if let Some(entry) = state.cache.get(&key, site.version) {
        return Ok(entry.respond(headers));
    }
    let entry = Entry::new(site.version, HTML, render(&site)?);
    let response = entry.respond(headers);
    state.cache.put(key, entry);
    Ok(response)
}

/// Serves a page from the cache, rendering it first — with data the `Site` does not hold,
/// read asynchronously — if the published content changed since. The key is the path and the
/// query.
pub(crate) async fn cached_with<F, Fut>(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    render: F,
) -> Result<Response, WebError>
where
    F: FnOnce(std::sync::Arc<Site>) -> Fut,
    Fut: std::future::Future<Output = Result<String, WebError>>,
{
    let site = state.catalog.site().await?;
    let key = match uri.query() {
        Some(q) => format!("html {} {}?{q}", year_key(), uri.path()),
        None => format!("html {} {}", year_key(), uri.path()),
    };
    if let Some(entry) = state.cache.get(&key, site.version) {
        return Ok(entry.respond(headers));
    }
    let version = site.version;
    let entry = Entry::new(version, HTML, render(site).await?);
    let response = entry.respond(headers);
    state.cache.put(key, entry);
    Ok(response)
}

/// The published comprehensive plan of a path, or the 404 page.
pub(crate) fn comprehensive<'a>(
    site: &'a Site,
    plan: &str,
) -> Result<&'a ComprehensivePlan, WebError> {
    match site.plan(&plan_id(plan)?) {
        Some(Plan::Comprehensive(c)) => Ok(c),
        _ => Err(WebError::NotFound(None)),
    }
}

/// The published strategy of a path, or the 404 page.
pub(crate) fn strategy<'a>(site: &'a Site, plan: &str) -> Result<&'a Strategy, WebError> {
    match site.plan(&plan_id(plan)?) {
        Some(Plan::Strategy(s)) => Ok(s),
        _ => Err(WebError::NotFound(None)),
    }
}

/// Every other URL: the Japanese 404 page.
pub(crate) async fn not_found() -> WebError {
    WebError::NotFound(None)
}
