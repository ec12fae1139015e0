//! How a staff handler receives its caller: [`StaffUser`] for a page, [`StaffForm`] for a
//! form. Both yield the signed-in user (the one the route's guard found, so the session is
//! looked up once per request) and the [`Granted`] of the route's action; a form comes with
//! its fields, read and checked against the session's CSRF token before the handler runs.
//!
//! A request reaches these only after the guard has let it through, so their refusals are
//! what the guard itself would answer: 303 to `/login` without a session, 403 without the
//! role. What is theirs alone: a form that cannot be read is a 400 (or, for a form that
//! carries nothing but its token, the CSRF refusal), a field that is not UTF-8 once
//! percent-decoded is a 400 naming the field, whatever the form, and a token that does not match the
//! session's is the Japanese 403 page 「この操作は受け付けられません」.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use keikaku_app::access::{Action, Granted};
use keikaku_app::auth::Signed;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::WebError;
use crate::routes::{RouteAction, sign_in_first};
use crate::staff::forbidden;
use crate::staff::session::{require_csrf, signed_in};
use crate::urlencoded::{FormRefused, UrlForm};

/// The signed-in user of a staff page, granted the route's action.
pub(crate) struct StaffUser {
    /// The user and the session's CSRF token (for the forms the page shows).
    pub(crate) signed: Signed,
    /// The route's action, granted to the user.
    pub(crate) granted: Granted,
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let signed = signed(parts, state).await?;
        let granted = route_action(parts)
            .and_then(|action| grant(action, &signed))
            .map_err(IntoResponse::into_response)?;
        Ok(Self { signed, granted })
    }
}

/// A staff form that the signed-in user sent with the session's CSRF token, granted the
/// route's action.
pub(crate) struct StaffForm<T> {
    /// The user and the session's CSRF token (for the form shown again).
    pub(crate) signed: Signed,
    /// The route's action, granted to the user.
    pub(crate) granted: Granted,
    /// The form's fields.
    pub(crate) form: T,
}

/// The fields of a staff form, which carry the session's CSRF token.
pub(crate) trait StaffFields: DeserializeOwned {
    /// How a form that cannot be read at all (not form-encoded, fields that do not fit) is
    /// answered.
    const UNREADABLE: Unreadable = Unreadable::BadRequest;

    /// The CSRF token the form carries.
    fn csrf(&self) -> Option<&str>;
}

/// The answer to a form that cannot be read.
pub(crate) enum Unreadable {
    /// 400 「フォームの内容を読み取れません。」.
    BadRequest,
    /// The CSRF refusal, as for a form without its token: for forms that carry nothing else.
    MissingToken,
}

/// A form that carries nothing but the CSRF token (sign out, revoke a token).
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: Option<String>,
}

impl StaffFields for CsrfOnly {
    const UNREADABLE: Unreadable = Unreadable::MissingToken;

    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

impl<T: StaffFields + Send> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let signed = signed(&parts, state).await?;
        let action = route_action(&parts).map_err(IntoResponse::into_response)?;
        let form = match UrlForm::<T>::from_request(Request::from_parts(parts, body), state).await {
            Ok(UrlForm(form)) => form,
            // Never saved as 「�」: the field is named, whatever the form.
            Err(FormRefused::NotUtf8(e)) => {
                return Err(WebError::BadRequest(format!(
                    "{}何も保存していません。",
                    e.message("フォーム")
                ))
                .into_response());
            }
            Err(FormRefused::Unreadable) => {
                return Err(match T::UNREADABLE {
                    Unreadable::BadRequest => {
                        WebError::BadRequest("フォームの内容を読み取れません。".to_owned())
                            .into_response()
                    }
                    Unreadable::MissingToken => csrf_refusal(state).await,
                });
            }
        };
        if require_csrf(Some(&signed.csrf), form.csrf()).is_err() {
            return Err(csrf_refusal(state).await);
        }
        let granted = grant(action, &signed).map_err(IntoResponse::into_response)?;
        Ok(Self {
            signed,
            granted,
            form,
        })
    }
}

/// The signed-in user: the one the guard found, or (on a public route) the session's.
async fn signed(parts: &Parts, state: &AppState) -> Result<Signed, Response> {
    if let Some(signed) = parts.extensions.get::<Signed>() {
        return Ok(signed.clone());
    }
    match signed_in(state, &parts.headers).await {
        Ok(Some(signed)) => Ok(signed),
        Ok(None) => Err(sign_in_first(state, &parts.headers)),
        Err(e) => Err(e.into_response()),
    }
}

/// The action of the route the request was routed to, which its guard put there.
fn route_action(parts: &Parts) -> Result<Action, WebError> {
    parts
        .extensions
        .get::<RouteAction>()
        .map(|a| a.0)
        .ok_or_else(|| {
            WebError::Internal("a staff handler was reached without its route's guard".to_owned())
        })
}

fn grant(action: Action, signed: &Signed) -> Result<Granted, WebError> {
    Ok(Granted::check(signed.user.clone(), action)?)
}

async fn csrf_refusal(state: &AppState) -> Response {
    match forbidden(state).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}
