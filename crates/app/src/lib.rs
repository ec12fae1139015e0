//! The use cases of keikaku: what a user can do, whatever the transport (web, API, CLI) and
//! whatever the database. One module per capability:
//!
//! - [`plans`]: the public [`Catalog`] of published plans and its search, editing the working
//!   copy ([`plans::edit`]), the status workflow ([`plans::status`]) and moving plans in and
//!   out as plan files ([`plans::transfer`]).
//! - [`accounts`]: sign-in and sessions ([`accounts::auth`]), the administrators' management
//!   of users ([`accounts::users`]) and personal access tokens ([`accounts::tokens`]).
//! - [`kpi`]: the yearly values of indicators, their evaluation (進捗率・達成率, grades) and
//!   their entry by departments.
//! - [`programs`]: the 実施計画 — editions, their programs with 事業費 and 財源内訳, the
//!   yearly roll, the departments' submissions, the 一覧, aggregates and the budget guide.
//! - [`history`]: the audit log and the versions of plans.
//! - [`backup`]: the whole database into one backup file and back into an empty database.
//! - [`access`]: the one permission table (who may do what, and how far it reaches) and the
//!   capabilities use cases take; [`forms`]: the fields of every form, from the domain's
//!   vocabulary.
//!
//! Every use case that reads or writes data takes a [`Context`] — the store and the
//! municipality it acts for — and returns app or domain types, never storage rows.
//!
//! Handlers stay thin: decode → authorize → one use case here → encode.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod backup;
pub mod departments;
pub mod forms;
pub mod history;
pub mod kpi;
pub mod plans;
pub mod population;
pub mod programs;
pub mod themes;

pub use accounts::{auth, tokens, users};
pub use plans::catalog::{Catalog, Publication, Site};
pub use plans::{edit, search, status, transfer};

use keikaku_domain::{MunicipalityCode, Plan};
use keikaku_storage::{Store, StoreError};

/// What every use case acts on: the store, and the municipality whose data it reads and
/// writes (every query is scoped by it).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The store.
    pub store: &'a dyn Store,
    /// The municipality.
    pub municipality: &'a MunicipalityCode,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("backend", &self.store.backend())
            .field("municipality", self.municipality)
            .finish()
    }
}

impl<'a> Context<'a> {
    /// The context of a store and a municipality.
    pub fn new(store: &'a dyn Store, municipality: &'a MunicipalityCode) -> Self {
        Self {
            store,
            municipality,
        }
    }
}

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
pub(crate) async fn stored_plans(cx: &Context<'_>) -> Result<Vec<Plan>, AppError> {
    let mut plans = Vec::new();
    for s in cx.store.plan_summaries(cx.municipality).await? {
        if let Some(p) = cx.store.plan(cx.municipality, &s.header.id).await? {
            plans.push(p);
        }
    }
    Ok(plans)
}
