//! Staff sessions: the session cookie, the login form's CSRF cookie, the CSRF check of every
//! staff form, and the signed-in user of a request.
//!
//! A session is a cookie, `keikaku_session`, holding a random token made at each sign-in
//! (HttpOnly, SameSite=Lax, Path=/, Secure when [`AppState::https`] says the site is
//! served over HTTPS; no Max-Age: the server ends it after 30 idle minutes or 12 hours).
//! Only the token's SHA-256 is stored. Every POST checks a CSRF token ([`require_csrf`]): the
//! session's own for staff forms, and for the login form, which has no session yet, a
//! double-submit cookie `keikaku_login_csrf` set by `GET /login` that must equal the form's
//! hidden field.

use axum::http::{HeaderMap, HeaderValue, header};
use keikaku_app::auth::{self, Signed};

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "keikaku_session";
/// The login form's double-submit CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "keikaku_login_csrf";

// ---------------------------------------------------------------- cookies

/// The value of the first cookie with this name in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` that stores a cookie. Tokens are unpadded URL-safe base64, so they need no
/// quoting.
fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
) -> Result<HeaderValue, WebError> {
    cookie_header(
        state,
        format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax"),
    )
}

/// A `Set-Cookie` that makes the browser drop a cookie.
fn expire_cookie(state: &AppState, name: &str, path: &str) -> Result<HeaderValue, WebError> {
    cookie_header(
        state,
        format!("{name}=; Path={path}; HttpOnly; SameSite=Lax; Max-Age=0"),
    )
}

/// The header, with `Secure` when the site is served over HTTPS.
fn cookie_header(state: &AppState, mut text: String) -> Result<HeaderValue, WebError> {
    if state.https {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).map_err(|e| WebError::Internal(format!("cookie: {e}")))
}

pub(crate) fn session_cookie(state: &AppState, token: &str) -> Result<HeaderValue, WebError> {
    set_cookie(state, SESSION_COOKIE, token, "/")
}

pub(crate) fn clear_session_cookie(state: &AppState) -> Result<HeaderValue, WebError> {
    expire_cookie(state, SESSION_COOKIE, "/")
}

pub(crate) fn login_csrf_cookie(state: &AppState, token: &str) -> Result<HeaderValue, WebError> {
    set_cookie(state, LOGIN_CSRF_COOKIE, token, "/login")
}

pub(crate) fn clear_login_csrf_cookie(state: &AppState) -> Result<HeaderValue, WebError> {
    expire_cookie(state, LOGIN_CSRF_COOKIE, "/login")
}

// ---------------------------------------------------------------- requests

/// The CSRF token did not match.
pub struct CsrfMismatch;

/// Checks the CSRF token a form carries against the one expected (the session's, or the login
/// cookie's), in constant time. Missing on either side is a mismatch.
pub fn require_csrf(expected: Option<&str>, given: Option<&str>) -> Result<(), CsrfMismatch> {
    match (expected, given) {
        (Some(e), Some(g)) if auth::is_token_shaped(e) && auth::same_token(e, g) => Ok(()),
        _ => Err(CsrfMismatch),
    }
}

/// The signed-in user of the request's session cookie, if any.
pub(crate) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Signed>, WebError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(auth::current_session(&state.catalog.context(), token, now()?).await?)
}

/// The `Set-Cookie` that clears a session cookie the request carries but that names no live
/// session (so the browser stops sending it).
pub(crate) fn clear_stale_cookie(state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    cookie(headers, SESSION_COOKIE)?;
    clear_session_cookie(state).ok()
}
