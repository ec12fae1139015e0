//! The storage port: what keikaku asks of a database, in domain words.
//!
//! [`PlanStore`] is implemented once per backend (`keikaku-storage-sqlite`,
//! `keikaku-storage-postgres`), and `keikaku-storage-tests` runs one conformance suite against
//! both. The adapters do not each invent a table layout: [`rows`] flattens a [`Plan`] into the
//! rows of the shared schema and assembles it back, so the only thing an adapter owns is SQL.
//!
//! Every method is scoped by municipality: several cities can share one database.

#[allow(missing_docs)] // row structs mirror the columns one to one
pub mod rows;

use async_trait::async_trait;
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanHeader, PlanId, PlanKind};

/// What can go wrong in storage, in words the use cases can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A plan with this id is already stored for the municipality.
    #[error("計画「{0}」は既に登録されています。")]
    PlanExists(PlanId),
    /// The municipality is not stored.
    #[error("市町村コード「{0}」の団体が登録されていません。")]
    UnknownMunicipality(MunicipalityCode),
    /// Stored data could not be turned back into the domain (a bug or a hand edit).
    #[error("保存されたデータが不正です: {0}")]
    Corrupt(String),
    /// The database refused or failed.
    #[error("データベースのエラー: {0}")]
    Backend(String),
}

/// How [`PlanStore::insert_plans`] treats a plan whose id is already stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExistingPlan {
    /// Refuse the whole batch with [`StoreError::PlanExists`].
    Refuse,
    /// Replace the stored plan (in the same transaction).
    Replace,
}

/// A plan's header with its kind, for listings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSummary {
    /// Which kind of plan.
    pub kind: PlanKind,
    /// Identity, purpose, scope, period, status.
    pub header: PlanHeader,
}

/// The storage port. Writes are transactional: a batch is stored whole or not at all.
#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Which backend this is ("sqlite", "postgres"), for logs.
    fn backend(&self) -> &'static str;

    /// Brings the schema up to date (embedded migrations).
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Every municipality stored, by code.
    async fn municipalities(&self) -> Result<Vec<Municipality>, StoreError>;

    /// One municipality.
    async fn municipality(
        &self,
        code: &MunicipalityCode,
    ) -> Result<Option<Municipality>, StoreError>;

    /// The plans of a municipality, in display order.
    async fn plan_summaries(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<Vec<PlanSummary>, StoreError>;

    /// One whole plan.
    async fn plan(
        &self,
        municipality: &MunicipalityCode,
        id: &PlanId,
    ) -> Result<Option<Plan>, StoreError>;

    /// Stores the municipality (inserted or updated) and the plans, in one transaction.
    async fn insert_plans(
        &self,
        municipality: &Municipality,
        plans: &[Plan],
        existing: ExistingPlan,
    ) -> Result<(), StoreError>;

    /// Removes a plan; returns whether it existed.
    async fn delete_plan(
        &self,
        municipality: &MunicipalityCode,
        id: &PlanId,
    ) -> Result<bool, StoreError>;

    /// A number that grows with every write to the municipality's data, so that caches of
    /// rendered pages can tell whether they are still fresh with one cheap query.
    async fn data_version(&self, municipality: &MunicipalityCode) -> Result<i64, StoreError>;
}
