//! The storage port: what keikaku asks of a database, in domain words.
//!
//! The port is a set of capability traits, one per area of the data, each in its own module
//! with its record types:
//!
//! - [`PlanStore`] (`plans`): municipalities, reading plans, importing and replacing them,
//!   editing them change by change, deleting them, and the data version caches compare;
//! - [`HistoryStore`] (`history`): the audit log and the frozen versions of plans;
//! - [`AccountStore`] (`accounts`): users and their sessions;
//! - [`TokenStore`] (`tokens`): API tokens;
//! - [`KpiStore`] (`kpi`): the yearly values of indicators (目標値・実績値, 速報値 / 確定値) and
//!   each plan's evaluation settings, outside the plan's versioned rows;
//! - [`RoundStore`] (`rounds`): the yearly verification rounds (効果検証) — submissions,
//!   assessments, the panel's opinion and the reports frozen at publication;
//! - [`ProgramStore`] (`programs`): the 実施計画 — editions, their programs with 事業費 and
//!   財源内訳 per year, the departments' parts of the yearly cycle, the fiscal frames and the
//!   yearly roll;
//! - [`PopulationStore`] (`population`): the 人口ビジョン — censuses by sex × age group,
//!   projection scenarios with their stored results, the target path, actual totals and
//!   reference projections;
//! - [`BackupStore`] (`backup`): every table as stored, read in one snapshot and loaded back
//!   into an empty database ([`backup::TABLES`] lists them; a new table goes there).
//!
//! [`Store`] is all of them together, plus the lifecycle of a connection (`backend`,
//! `migrate`, `close`); an adapter implements every trait for its store, and the binary holds
//! an `Arc<dyn Store>`. A use case can take the narrowest trait it needs (`&dyn PlanStore`
//! to read plans), and a `&dyn Store` turns into any of them by itself.
//!
//! Capabilities still to come — deliberation (審議会・パブリックコメント) — get a trait of
//! their own in a module of their own here, next to these, added to the supertraits of
//! [`Store`]. They do not add methods to an existing trait.
//!
//! The adapters do not each invent a table layout: [`rows`] flattens a [`Plan`] into the rows
//! of the shared schema and assembles it back, so the only thing an adapter owns is SQL. Every
//! method is scoped by municipality: several cities can share one database.
//!
//! [`Plan`]: keikaku_domain::Plan

mod accounts;
pub mod backup;
mod departments;
mod history;
mod kpi;
mod plans;
mod population;
mod programs;
mod rounds;
#[allow(missing_docs)] // row structs mirror the columns one to one
pub mod rows;
mod themes;
mod tokens;

pub use accounts::{AccountStore, SessionRecord};
pub use backup::BackupStore;
pub use departments::DepartmentStore;
pub use history::{HistoryStore, UserChange, VersionSummary};
pub use kpi::{KpiStore, ValueWrite};
pub use plans::{
    Change, EditVersions, ExistingPlan, Freeze, PlanBatch, PlanEdit, PlanStore, PlanSummary,
    PlanWrite,
};
pub use population::{
    CensusRecord, PopulationData, PopulationStore, PopulationVisionRecord, ScenarioRecord,
    scenario_text, vision_text,
};
pub use programs::{
    EditionChange, EditionData, EditionRecord, EditionSummary, ProgramRecord, ProgramStore,
    ProgramWrite, program_text,
};
pub use rounds::{
    AssessmentPart, AssessmentRecord, AssessmentWrite, OpinionWrite, ReportRecord, RoundChange,
    RoundData, RoundRecord, RoundStore, SubmissionRecord,
};
pub use themes::{ThemeList, ThemeStore, ThemeTag};
pub use tokens::{TokenRecord, TokenStore};

use async_trait::async_trait;
use keikaku_domain::account::LoginId;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{MunicipalityCode, PlanId};

/// What can go wrong in storage, in words the use cases can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A plan with this id is already stored for the municipality.
    #[error("計画「{0}」は既に登録されています。")]
    PlanExists(PlanId),
    /// The municipality is not stored.
    #[error("市町村コード「{0}」の団体が登録されていません。")]
    UnknownMunicipality(MunicipalityCode),
    /// A user with this login id exists already.
    #[error("ログインID「{0}」は既に使われています。")]
    UserExists(LoginId),
    /// Stored data could not be turned back into the domain (a bug or a hand edit).
    #[error("保存されたデータが不正です: {0}")]
    Corrupt(String),
    /// An edit started from a version that is no longer current: someone else changed (or
    /// deleted) the element — or the plan's header or status — first. Nothing was written.
    /// Holds the element id, or `plan` for the plan's own row.
    #[error("「{0}」は、ほかの人が先に変更しています。")]
    Stale(String),
    /// The change would remove something that other elements or plans refer to (a link
    /// target, a goal with fields); nothing was written.
    #[error("{0}")]
    Referenced(String),
    /// The database refused or failed. The cause is kept as the error's source (for logs);
    /// the message repeats it, so that a user who sees only the message sees why.
    #[error("データベースのエラー: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Who makes a change, and when. The clock is read at the edge (binary, web) and passed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// Login id, or `cli` for the console operator.
    pub actor: String,
    /// When the change is made.
    pub at: Timestamp,
}

/// The whole port: every capability, and the lifecycle of the connections. Writes are
/// transactional: a batch is stored whole or not at all.
#[async_trait]
pub trait Store:
    PlanStore
    + HistoryStore
    + AccountStore
    + TokenStore
    + BackupStore
    + KpiStore
    + RoundStore
    + ProgramStore
    + PopulationStore
    + DepartmentStore
    + ThemeStore
    + Send
    + Sync
{
    /// Which backend this is ("sqlite", "postgres"), for logs.
    fn backend(&self) -> &'static str;

    /// Brings the schema up to date (embedded migrations).
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Applies the embedded migrations up to and including `version` only (a restore builds
    /// the schema its backup was made with, loads the rows, then migrates the rest).
    async fn migrate_to(&self, version: i64) -> Result<(), StoreError>;

    /// Closes the connections, waiting for those in use (SQLite then merges its write-ahead
    /// log into the database file). Call it once, before the process exits.
    async fn close(&self);
}

#[cfg(test)]
mod tests {
    use super::StoreError;
    use std::error::Error as _;

    #[test]
    fn a_backend_error_keeps_its_cause_and_names_it() {
        let cause = std::io::Error::other("接続が切れました");
        let e = StoreError::Backend(Box::new(cause));
        assert_eq!(e.to_string(), "データベースのエラー: 接続が切れました");
        // The cause is the original error, not a copy of its text.
        let source = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(
            source.map(ToString::to_string).as_deref(),
            Some("接続が切れました")
        );
    }
}
