//! The version history for staff who may read drafts (`/staff/plans/{plan}/versions`,
//! `/compare`): every version, drafts included, and the working copy as `to=current`; never
//! cached. The pages are the public history's (`public::history`) in the staff scope.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;

use crate::AppState;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::public::history::{Scope, compare_page, versions_page};
use crate::routes::{Route, route};
use crate::staff::extract::StaffUser;

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/staff/plans/{plan}/versions" => versions,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/versions"
    ),
    route!(
        GET "/staff/plans/{plan}/compare" => compare,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/compare?from=1&to=1"
    ),
];

/// `GET /staff/plans/{plan}/versions`: every version, drafts included.
async fn versions(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    versions_page(&state, Scope::Staff(granted), &plan).await
}

/// `GET /staff/plans/{plan}/compare?from=1&to=2` (or `to=current`): drafts included.
async fn compare(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(params): Query<HashMap<String, String>>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    compare_page(&state, Scope::Staff(granted), &plan, &params).await
}
