//! The staff side: signing in and out, the staff page with every plan of the municipality
//! (drafts included), editing plans, their version history for staff, the administrators'
//! audit log and user management, and personal API tokens.
//!
//! Staff pages are never cached (`Cache-Control: no-store`), and the public pages carry
//! nothing of the signed-in user, so their cache stays shared. Every form carries the
//! session's CSRF token.

pub(crate) mod extract;
pub(crate) mod session;

mod audit;
pub(crate) mod departments;
mod edit;
mod history;
pub(crate) mod home;
mod kpi;
mod list_form;
mod login;
mod population;
mod programs;
pub(crate) mod restore;
pub(crate) mod themes;
mod tokens;
mod users;
pub(crate) mod who;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::WebError;
use crate::routes::Route;
use crate::views::Layout;

const HTML: &str = "text/html; charset=utf-8";

/// The staff side's routes.
pub(crate) fn routes() -> Vec<Route> {
    [
        login::ROUTES,
        home::ROUTES,
        tokens::ROUTES,
        history::ROUTES,
        edit::ROUTES,
        kpi::ROUTES,
        programs::ROUTES,
        population::ROUTES,
        audit::ROUTES,
        restore::ROUTES,
        users::ROUTES,
        departments::ROUTES,
        themes::ROUTES,
    ]
    .concat()
}

/// A 303 to a location, never cached (the answer to a form that worked).
pub(crate) fn redirect(location: &str) -> Result<Response, WebError> {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    h.insert(
        header::LOCATION,
        HeaderValue::from_str(location).map_err(|e| WebError::Internal(e.to_string()))?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// An HTML response that no cache keeps.
pub(crate) fn private_page(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A 303 redirect that no cache keeps.
pub(crate) fn see_other(location: &'static str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    h.insert(header::LOCATION, HeaderValue::from_static(location));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The layout of a staff page: the site's, with no breadcrumbs.
pub(crate) async fn staff_layout(
    state: &AppState,
    title: &str,
    trail: &[(&str, String)],
) -> Result<Layout, WebError> {
    let site = state.catalog.site().await?;
    let mut layout = Layout::new(&site, title, "").crumbs(trail);
    layout.signed_in = who::current();
    Ok(layout)
}

#[derive(Template)]
#[template(path = "components/error.html")]
struct ForbiddenPage {
    layout: Layout,
    heading: String,
    message: String,
    status: u16,
    error_id: Option<String>,
}

/// The Japanese 403 page for a form whose CSRF token did not match.
pub(crate) async fn forbidden(state: &AppState) -> Result<Response, WebError> {
    let heading = "この操作は受け付けられません";
    let page = ForbiddenPage {
        layout: staff_layout(state, heading, &[]).await?,
        heading: heading.to_owned(),
        message: "フォームの有効期限が切れたか、このサイト以外から送信された可能性があります。ページを読み込み直してから、もう一度お試しください。".to_owned(),
        status: StatusCode::FORBIDDEN.as_u16(),
        error_id: None,
    };
    Ok(private_page(StatusCode::FORBIDDEN, page.render()?))
}
