//! The ids in a page's URL path. A path that names nothing — an id that is not an id, or one
//! that is not there — is the Japanese 404 page, never axum's plain-text rejection.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use keikaku_domain::{ElementId, PlanId};

use crate::error::WebError;

/// The parameters of a page's path. A path that cannot even be read (percent-encoded bytes
/// that are not UTF-8, such as `/plans/%FF`) names no page: the Japanese 404 page, not axum's
/// plain-text 400.
pub(crate) struct PagePath<T>(pub T);

impl<S, T> FromRequestParts<S> for PagePath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(_) => Err(WebError::NotFound(None)),
        }
    }
}

pub(crate) fn plan_id(s: &str) -> Result<PlanId, WebError> {
    PlanId::parse(s).map_err(|_| WebError::NotFound(None))
}

pub(crate) fn element_id(s: &str) -> Result<ElementId, WebError> {
    ElementId::parse(s).map_err(|_| WebError::NotFound(None))
}

pub(crate) fn missing<T>(found: Option<T>) -> Result<T, WebError> {
    found.ok_or(WebError::NotFound(None))
}
