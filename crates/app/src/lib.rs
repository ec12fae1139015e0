//! The use cases of keikaku: what a user can do, whatever the transport (web, API, CLI) and
//! whatever the database.
//!
//! - [`Catalog`] serves the public, read-only view of one municipality's published plans: the
//!   plans, their search index, and a version number that changes whenever the data does.
//!   It reloads from storage only when the store's data version has moved.
//! - [`admin`] holds the operator's use cases (import, export, example data); they need an
//!   [`access::Operator`] capability, which only the binary can hand out.
//! - [`users`] holds the administrators' management of user accounts (create, change,
//!   disable, new password); each takes an [`access::Granted`] for `ManageUsers`.
//! - [`tokens`] holds personal access tokens for the API (make, list, revoke, and find the
//!   user a bearer secret acts for).
//!
//! Handlers stay thin: decode → authorize → one use case here → encode.

pub mod access;
pub mod admin;
pub mod auth;
mod catalog;
pub mod edit;
pub mod history;
pub mod search;
pub mod status;
pub mod tokens;
pub mod users;

pub use catalog::{Catalog, Site};

use keikaku_storage::StoreError;

/// What a use case can fail with, in words a transport can map to a status or an exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("{0}")]
    NotFound(String),
    /// The input was refused; every problem is listed with its place.
    #[error("入力に{}件の問題があります。", .0.len())]
    Invalid(Vec<keikaku_planfile::FileProblem>),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with stored data (e.g. the plan exists already).
    #[error("{0}")]
    Conflict(String),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::PlanExists(id) => Self::Conflict(format!(
                "計画「{id}」は既に登録されています。置き換える場合は --replace を指定してください。"
            )),
            StoreError::Referenced(m) => Self::Conflict(m),
            other => Self::Store(other),
        }
    }
}

/// Every stored plan of a municipality, in display order (drafts included).
pub(crate) async fn stored_plans(
    store: &dyn keikaku_storage::PlanStore,
    code: &keikaku_domain::MunicipalityCode,
) -> Result<Vec<keikaku_domain::Plan>, AppError> {
    let mut plans = Vec::new();
    for s in store.plan_summaries(code).await? {
        if let Some(p) = store.plan(code, &s.header.id).await? {
            plans.push(p);
        }
    }
    Ok(plans)
}
