//! Signing in and out: `GET /login` (the form, with its double-submit CSRF cookie),
//! `POST /login` (the password check, a new session) and `POST /logout` (ends the session;
//! the form carries the session's CSRF token).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use keikaku_app::auth::{self, LoginError};
use serde::Deserialize;

use crate::AppState;
use crate::client::ClientAddress;
use crate::clock::now;
use crate::error::WebError;
use crate::routes::{Route, route};
use crate::staff::extract::{CsrfOnly, StaffForm};
use crate::staff::session::{
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, clear_login_csrf_cookie, clear_session_cookie, cookie,
    login_csrf_cookie, require_csrf, session_cookie, signed_in,
};
use crate::staff::{forbidden, private_page, see_other, staff_layout};
use crate::urlencoded::{FormRefused, UrlForm};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/login" => login_page, SignIn, "/login"),
    route!(POST "/login" => login_submit, SignIn, "/login"),
    route!(POST "/logout" => logout, SignOut, "/logout"),
];

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    login_id: String,
    error: Option<String>,
}

async fn login_form(
    state: &AppState,
    status: StatusCode,
    csrf: String,
    login_id: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let page = LoginPage {
        layout: staff_layout(state, "職員ログイン", &[]).await?,
        csrf,
        login_id,
        error,
    };
    Ok(private_page(status, page.render()?))
}

/// `GET /login`: the sign-in form, with a login CSRF cookie (kept if the browser has one).
/// Someone signed in already goes to the staff page.
async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(see_other("/staff"));
    }
    let csrf = match cookie(&headers, LOGIN_CSRF_COOKIE).filter(|c| auth::is_token_shaped(c)) {
        Some(existing) => existing.to_owned(),
        None => auth::random_token()?,
    };
    let mut response =
        login_form(&state, StatusCode::OK, csrf.clone(), String::new(), None).await?;
    response
        .headers_mut()
        .append(header::SET_COOKIE, login_csrf_cookie(&state, &csrf)?);
    Ok(response)
}

/// The fields of the sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /login`: checks the login CSRF token, then the password. Success opens a new session
/// (a new token, whatever cookie came in; a session the browser still had is ended) and goes
/// to `/staff` (303). A wrong password shows the form again with the message and the login id
/// typed, never the password; a throttled attempt (see `keikaku_app::auth::LoginLimiter`) is
/// answered 429 with `Retry-After`, its password unchecked.
async fn login_submit(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    form: Result<UrlForm<LoginForm>, FormRefused>,
) -> Result<Response, WebError> {
    let form = match form {
        Ok(UrlForm(form)) => form,
        Err(FormRefused::NotUtf8(e)) => {
            return Err(WebError::BadRequest(e.message("ログインフォーム")));
        }
        Err(FormRefused::Unreadable) => {
            return Err(WebError::BadRequest(
                "ログインフォームの内容を読み取れませんでした。ログインページからやり直してください。"
                    .to_owned(),
            ));
        }
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE);
    if require_csrf(expected, form.csrf.as_deref()).is_err() {
        return forbidden(&state).await;
    }
    let csrf = expected.unwrap_or_default().to_owned();
    let cx = state.catalog.context();
    let result = auth::login(
        &cx,
        &state.limiter,
        &form.login_id,
        &form.password,
        client,
        now()?,
    )
    .await;
    let login_id: String = form.login_id.trim().chars().take(64).collect();
    // Logged only when it has the shape of a login id: a password typed into the wrong field
    // must not end up in the log.
    let logged = keikaku_domain::account::LoginId::parse(&login_id)
        .map_or_else(|_| "-".to_owned(), |id| id.to_string());
    match result {
        Ok(session) => {
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                auth::logout(&cx, old).await?;
            }
            tracing::info!(login_id = %session.user.login_id, %client, "signed in");
            let mut response = see_other("/staff");
            let h = response.headers_mut();
            h.append(header::SET_COOKIE, session_cookie(&state, &session.token)?);
            h.append(header::SET_COOKIE, clear_login_csrf_cookie(&state)?);
            Ok(response)
        }
        Err(e @ (LoginError::Invalid | LoginError::Disabled)) => {
            tracing::warn!(login_id = %logged, %client, "sign-in refused");
            login_form(&state, StatusCode::OK, csrf, login_id, Some(e.to_string())).await
        }
        Err(e @ LoginError::Locked { retry_after }) => {
            tracing::warn!(login_id = %logged, %client, "sign-in throttled");
            let mut response = login_form(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                csrf,
                login_id,
                Some(e.to_string()),
            )
            .await?;
            // Whole seconds, rounded up: a client that waits this long is checked again.
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            Ok(response)
        }
        Err(LoginError::Failed(e)) => Err(e.into()),
    }
}

/// `POST /logout`: ends the session (the form must carry the session's CSRF token, else 403)
/// and clears the cookie; then the home page (303). Without a live session the route's guard
/// sends the browser to `/login` (clearing a stale cookie): there is nothing to end.
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    StaffForm { signed, .. }: StaffForm<CsrfOnly>,
) -> Result<Response, WebError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        auth::logout(&state.catalog.context(), token).await?;
    }
    tracing::info!(login_id = %signed.user.login_id, "signed out");
    let mut response = see_other("/");
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(&state)?);
    Ok(response)
}
