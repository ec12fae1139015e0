//! The API's authentication: under `/api/`, the route table's guard calls [`authorize_api`],
//! which takes the caller from `Authorization: Bearer kk_…` and nothing else — **the API never
//! reads the session cookie**, so a page on another site cannot make a signed-in browser call
//! it (no CSRF through the API), and every API write needs a token. A missing token where one
//! is needed, or a bad, revoked or expired token (or one of a disabled user) anywhere under
//! `/api/`, answers 401 with `WWW-Authenticate: Bearer`; a token whose user lacks the role,
//! 403. The resolved user goes into the request's extensions: API handlers take [`ApiUser`]
//! and make a `Granted` from it. Tokens are made on the staff pages (`staff::tokens`).

use axum::extract::{FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use keikaku_app::access::{Action, permits};
use keikaku_app::tokens;
use keikaku_domain::account::User;

use crate::AppState;
use crate::api::ApiError;
use crate::clock::now;
use crate::routes::denied;

/// The user an API request acts for, resolved from its bearer token by [`authorize_api`].
/// As an extractor it refuses (401) a request without one, which only happens on public
/// routes: the layer has already refused the others.
#[derive(Clone, Debug)]
pub(crate) struct ApiUser(pub(crate) User);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        api_user(&parts.extensions)
            .map(Self)
            .ok_or(ApiError::Unauthorized {
                invalid_token: false,
            })
    }
}

/// The user of an API request's bearer token, if it carried a valid one.
pub(crate) fn api_user(extensions: &Extensions) -> Option<User> {
    extensions.get::<ApiUser>().map(|u| u.0.clone())
}

/// What an `Authorization` header holds, as far as the API is concerned.
enum Credentials<'a> {
    /// No header, or a scheme other than Bearer (not ours: treated as no credentials).
    None,
    /// `Bearer` and a value.
    Bearer(&'a str),
    /// `Bearer` without a usable value.
    Malformed,
}

fn credentials(headers: &HeaderMap) -> Credentials<'_> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credentials::None;
    };
    let Ok(text) = value.to_str() else {
        return Credentials::Malformed;
    };
    let text = text.trim();
    let (scheme, rest) = text.split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::None;
    }
    match rest.trim() {
        "" => Credentials::Malformed,
        secret => Credentials::Bearer(secret),
    }
}

/// A refusal of the authorization layer, in the error envelope.
fn refuse(error: ApiError) -> Response {
    denied(error.into_response())
}

/// Authorizes a request under `/api/` for a route's action from its bearer token alone (the
/// session cookie is ignored). A bearer token is checked whenever one is sent, public route
/// or not; the resolved user is put into the request's extensions ([`ApiUser`]).
pub(crate) async fn authorize_api(
    state: &AppState,
    action: Action,
    mut request: Request,
    next: Next,
) -> Response {
    let user = match credentials(request.headers()) {
        Credentials::None => None,
        Credentials::Malformed => {
            return refuse(ApiError::Unauthorized {
                invalid_token: true,
            });
        }
        Credentials::Bearer(secret) => {
            let at = match now() {
                Ok(at) => at,
                Err(e) => return ApiError::Internal(format!("{e:?}")).into_response(),
            };
            match tokens::authenticate_token(&state.catalog.context(), secret, at).await {
                Ok(Some(user)) => Some(user),
                Ok(None) => {
                    // Never the secret: only where it was sent (the whole path: inside the
                    // nested API router the URI lacks `/api/v1`).
                    let path = request
                        .extensions()
                        .get::<OriginalUri>()
                        .map_or_else(|| request.uri().path(), |u| u.path());
                    tracing::info!(path = %path, "API token refused");
                    return refuse(ApiError::Unauthorized {
                        invalid_token: true,
                    });
                }
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
    };
    let roles = user.as_ref().map(|u| u.roles.as_slice());
    if !permits(roles, action) {
        return refuse(match user {
            None => ApiError::Unauthorized {
                invalid_token: false,
            },
            Some(_) => ApiError::Forbidden,
        });
    }
    if let Some(user) = user {
        request.extensions_mut().insert(ApiUser(user));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn only_bearer_credentials_count() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("x")),
            );
            h
        };
        assert!(matches!(credentials(&HeaderMap::new()), Credentials::None));
        assert!(matches!(
            credentials(&with("Basic YTpi")),
            Credentials::None
        ));
        assert!(matches!(
            credentials(&with("Bearer kk_x")),
            Credentials::Bearer("kk_x")
        ));
        assert!(matches!(
            credentials(&with("bearer  kk_x ")),
            Credentials::Bearer("kk_x")
        ));
        assert!(matches!(
            credentials(&with("Bearer")),
            Credentials::Malformed
        ));
        assert!(matches!(
            credentials(&with("Bearer ")),
            Credentials::Malformed
        ));
    }
}
