//! The staff side: signing in and out, and the staff page that lists every plan of the
//! municipality, drafts included.
//!
//! A session is a cookie, `keikaku_session`, holding a random token made at each sign-in
//! (HttpOnly, SameSite=Lax, Path=/, Secure when [`AppState::secure_cookies`] says the site is
//! served over HTTPS; no Max-Age: the server ends it after 30 idle minutes or 12 hours).
//! Only the token's SHA-256 is stored. Every POST checks a CSRF token ([`require_csrf`]): the
//! session's own for `/logout`, and for the login form, which has no session yet, a
//! double-submit cookie `keikaku_login_csrf` set by `GET /login` that must equal the form's
//! hidden field. Staff pages are never cached (`Cache-Control: no-store`), and the public
//! pages carry nothing of the signed-in user, so their cache stays shared.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::auth::{self, LoginError, Signed};
use keikaku_domain::PlanStatus;
use keikaku_domain::audit::Timestamp;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::views::{self, Layout, plan_href};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "keikaku_session";
/// The login form's double-submit CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "keikaku_login_csrf";

const HTML: &str = "text/html; charset=utf-8";

/// The time of a request (the web edge reads the clock and passes it to the use cases).
pub(crate) fn now() -> Result<Timestamp, WebError> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| WebError::Internal(format!("clock: {e}")))?
        .as_millis();
    Timestamp::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
        .map_err(|e| WebError::Internal(format!("clock: {e}")))
}

// ---------------------------------------------------------------- cookies

/// The value of the first cookie with this name in the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` value. Tokens are unpadded URL-safe base64, so they need no quoting.
fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    secure: bool,
    clear: bool,
) -> Result<HeaderValue, WebError> {
    let mut text = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if clear {
        text.push_str("; Max-Age=0");
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).map_err(|e| WebError::Internal(format!("cookie: {e}")))
}

fn session_cookie(state: &AppState, token: &str) -> Result<HeaderValue, WebError> {
    set_cookie(SESSION_COOKIE, token, "/", state.secure_cookies, false)
}

fn clear_session_cookie(state: &AppState) -> Result<HeaderValue, WebError> {
    set_cookie(SESSION_COOKIE, "", "/", state.secure_cookies, true)
}

fn login_csrf_cookie(state: &AppState, token: &str) -> Result<HeaderValue, WebError> {
    set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        "/login",
        state.secure_cookies,
        false,
    )
}

fn clear_login_csrf_cookie(state: &AppState) -> Result<HeaderValue, WebError> {
    set_cookie(LOGIN_CSRF_COOKIE, "", "/login", state.secure_cookies, true)
}

// ---------------------------------------------------------------- requests

/// The address of the client, from the connection (`ConnectInfo<SocketAddr>`, which the
/// binary provides); `0.0.0.0` when the router runs without one (tests).
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
}

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
    Ok(auth::current_session(
        state.catalog.store(),
        state.catalog.municipality_code(),
        token,
        now()?,
    )
    .await?)
}

/// The roles of the request's signed-in user (`None`: not signed in), for the
/// authorization layer.
pub(crate) async fn session_roles(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Vec<keikaku_domain::account::Role>>, WebError> {
    Ok(signed_in(state, headers).await?.map(|s| s.user.roles))
}

/// The `Set-Cookie` that clears a session cookie the request carries but that names no live
/// session (so the browser stops sending it).
pub(crate) fn clear_stale_cookie(state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    cookie(headers, SESSION_COOKIE)?;
    clear_session_cookie(state).ok()
}

/// The signed-in user of the request, if any (for pages in other modules).
pub(crate) async fn signed_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<keikaku_domain::account::User>, WebError> {
    Ok(signed_in(state, headers).await?.map(|s| s.user))
}

/// An HTML response that no cache keeps (for pages in other modules).
pub(crate) fn private_response(status: StatusCode, body: String) -> Response {
    private_page(status, body)
}

/// The layout of a staff page (for pages in other modules).
pub(crate) async fn staff_layout(state: &AppState, title: &str) -> Result<Layout, WebError> {
    layout(state, title).await
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
fn private_page(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A 303 redirect that no cache keeps.
fn see_other(location: &'static str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    h.insert(header::LOCATION, HeaderValue::from_static(location));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn layout(state: &AppState, title: &str) -> Result<Layout, WebError> {
    let site = state.catalog.site().await?;
    Ok(Layout::new(&site, title, "").crumbs(&[]))
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
        layout: layout(state, heading).await?,
        heading: heading.to_owned(),
        message: "フォームの有効期限が切れたか、このサイト以外から送信された可能性があります。ページを読み込み直してから、もう一度お試しください。".to_owned(),
        status: StatusCode::FORBIDDEN.as_u16(),
        error_id: None,
    };
    Ok(private_page(StatusCode::FORBIDDEN, page.render()?))
}

// ---------------------------------------------------------------- login

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
        layout: layout(state, "職員ログイン").await?,
        csrf,
        login_id,
        error,
    };
    Ok(private_page(status, page.render()?))
}

/// `GET /login`: the sign-in form, with a login CSRF cookie (kept if the browser has one).
/// Someone signed in already goes to the staff page.
pub async fn login_page(
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
/// typed, never the password; too many failures answer 429.
pub async fn login_submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Ok(Form(form)) = form else {
        return Err(WebError::BadRequest(
            "ログインフォームの内容を読み取れませんでした。ログインページからやり直してください。"
                .to_owned(),
        ));
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE);
    if require_csrf(expected, form.csrf.as_deref()).is_err() {
        return forbidden(&state).await;
    }
    let csrf = expected.unwrap_or_default().to_owned();
    let store = state.catalog.store();
    let code = state.catalog.municipality_code();
    let result = auth::login(
        store,
        code,
        &state.limiter,
        &form.login_id,
        &form.password,
        addr,
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
                auth::logout(store, code, old).await?;
            }
            tracing::info!(login_id = %session.user.login_id, "signed in");
            let mut response = see_other("/staff");
            let h = response.headers_mut();
            h.append(header::SET_COOKIE, session_cookie(&state, &session.token)?);
            h.append(header::SET_COOKIE, clear_login_csrf_cookie(&state)?);
            Ok(response)
        }
        Err(e @ (LoginError::Invalid | LoginError::Disabled)) => {
            tracing::info!(login_id = %logged, %addr, "sign-in refused");
            login_form(&state, StatusCode::OK, csrf, login_id, Some(e.to_string())).await
        }
        Err(e @ LoginError::Locked) => {
            tracing::warn!(login_id = %logged, %addr, "sign-in locked");
            login_form(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                csrf,
                login_id,
                Some(e.to_string()),
            )
            .await
        }
        Err(LoginError::Failed(e)) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- logout

/// The fields of the sign-out form.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /logout`: ends the session (the form must carry the session's CSRF token, else 403)
/// and clears the cookie; then the home page (303). Without a live session there is nothing
/// to end: the cookie is cleared all the same.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Result<Response, WebError> {
    let given = form.ok().and_then(|Form(f)| f.csrf);
    if let Some(signed) = signed_in(&state, &headers).await? {
        if require_csrf(Some(&signed.csrf), given.as_deref()).is_err() {
            return forbidden(&state).await;
        }
        if let Some(token) = cookie(&headers, SESSION_COOKIE) {
            auth::logout(
                state.catalog.store(),
                state.catalog.municipality_code(),
                token,
            )
            .await?;
        }
        tracing::info!(login_id = %signed.user.login_id, "signed out");
    }
    let mut response = see_other("/");
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(&state)?);
    Ok(response)
}

// ---------------------------------------------------------------- staff page

struct PlanRow {
    id: String,
    status_code: &'static str,
    /// The statuses the plan may move to: code and label.
    next: Vec<(&'static str, &'static str)>,
    title: String,
    href: Option<String>,
    kind: &'static str,
    status: &'static str,
    period: String,
}

#[derive(Template)]
#[template(path = "staff/staff.html")]
struct StaffPage {
    layout: Layout,
    display_name: String,
    login_id: String,
    department: String,
    roles: String,
    csrf: String,
    plans: Vec<PlanRow>,
    may_change_status: bool,
    may_edit: bool,
    may_administer: bool,
    notice: Option<String>,
}

/// `GET /staff`: who is signed in, a sign-out button, and every plan of the municipality with
/// its status (drafts too, for users whose roles may read them). Without a session: 303 to
/// `/login`.
pub async fn staff_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let Some(signed) = signed_in(&state, &headers).await? else {
        let mut response = see_other("/login");
        if cookie(&headers, SESSION_COOKIE).is_some() {
            response
                .headers_mut()
                .append(header::SET_COOKIE, clear_session_cookie(&state)?);
        }
        return Ok(response);
    };
    let user = &signed.user;
    let drafts = user.may_read_drafts();
    let summaries = state
        .catalog
        .store()
        .plan_summaries(state.catalog.municipality_code())
        .await
        .map_err(keikaku_app::AppError::from)?;
    let plans = summaries
        .iter()
        .filter(|s| drafts || s.header.status == PlanStatus::Published)
        .map(|s| {
            let published = s.header.status == PlanStatus::Published;
            PlanRow {
                id: s.header.id.to_string(),
                status_code: s.header.status.code(),
                next: s
                    .header
                    .status
                    .next()
                    .iter()
                    .map(|n| (n.code(), n.label()))
                    .collect(),
                title: s.header.title.clone(),
                href: published.then(|| plan_href(&s.header.id)),
                kind: s.kind.label(),
                status: s.header.status.label(),
                period: views::period(&s.header.period),
            }
        })
        .collect();
    let page = StaffPage {
        layout: layout(&state, "職員用ページ").await?,
        display_name: user.display_name.clone(),
        login_id: user.login_id.to_string(),
        department: user.department.clone(),
        roles: views::roles_label(&user.roles),
        csrf: signed.csrf.clone(),
        plans,
        may_change_status: permits(Some(&user.roles), Action::ChangePlanStatus),
        may_edit: permits(Some(&user.roles), Action::EditPlan),
        may_administer: permits(Some(&user.roles), Action::ReadAudit),
        notice: query
            .get("changed")
            .map(|id| format!("計画「{id}」の状態を変更しました。変更は監査ログに記録され、新しい版として保存されました。")),
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

// ---------------------------------------------------------------- plan status

/// The fields of a status-change form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "staff/message.html")]
struct MessagePage {
    layout: Layout,
    heading: String,
    message: String,
}

/// `POST /staff/plans/{plan}/status`: moves a plan to its next status (planning office and
/// administrators; the route table says so). The form carries the status the user saw, so a
/// change made meanwhile by someone else is reported, never overwritten.
pub async fn change_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    crate::pages::PagePath(plan): crate::pages::PagePath<String>,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Some(signed) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/login"));
    };
    let Ok(Form(form)) = form else {
        return Err(WebError::BadRequest(
            "フォームの内容を読み取れません。".to_owned(),
        ));
    };
    if require_csrf(Some(&signed.csrf), form.csrf.as_deref()).is_err() {
        return forbidden(&state).await;
    }
    let plan_id = crate::pages::plan_id(&plan)?;
    let status = |code: &str| {
        PlanStatus::from_code(code)
            .ok_or_else(|| WebError::BadRequest(format!("状態「{code}」はありません。")))
    };
    let (from, to) = (status(&form.from)?, status(&form.to)?);
    let granted = Granted::check(signed.user.clone(), Action::ChangePlanStatus)?;
    let result = keikaku_app::status::change_status(
        &granted,
        state.catalog.store(),
        state.catalog.municipality_code(),
        &plan_id,
        from,
        to,
        now()?,
    )
    .await;
    let (code, heading, message) = match result {
        Ok(_) => {
            state.catalog.invalidate().await?;
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, to = to.code(), "plan status changed");
            return redirect(&format!("/staff?changed={plan_id}"));
        }
        Err(keikaku_app::AppError::Conflict(m)) => {
            (StatusCode::CONFLICT, "状態を変更できませんでした", m)
        }
        Err(keikaku_app::AppError::Invalid(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "状態を変更できませんでした",
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(other) => return Err(other.into()),
    };
    let page = MessagePage {
        layout: layout(&state, heading).await?,
        heading: heading.to_owned(),
        message,
    };
    Ok(private_page(code, page.render()?))
}
