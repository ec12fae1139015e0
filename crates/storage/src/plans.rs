//! Plans: the municipalities, reading plans, importing and replacing them, editing them change
//! by change, deleting them, and the data version that caches compare.

use async_trait::async_trait;
use keikaku_domain::{
    Municipality, MunicipalityCode, Plan, PlanHeader, PlanId, PlanKind, PlanStatus,
};

use crate::{Author, StoreError, UserChange, rows};

/// The plans of one municipality that [`PlanStore::insert_plans`] writes.
#[derive(Clone, Debug)]
pub struct PlanBatch {
    /// The municipality, inserted or updated.
    pub municipality: Municipality,
    /// Its plans, in the order they are written.
    pub plans: Vec<PlanWrite>,
}

/// How [`PlanStore::insert_plans`] treats a plan whose id is already stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExistingPlan {
    /// Refuse the whole batch with [`StoreError::PlanExists`].
    Refuse,
    /// Replace the stored plan (in the same transaction).
    Replace,
}

/// A plan to store, with what the audit log and the version history keep of it. The use
/// case prepares the texts (plan files of one plan); storage keeps them as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanWrite {
    /// The plan.
    pub plan: Plan,
    /// The stored plan it replaces, as a plan file, if any.
    pub before: Option<String>,
    /// The plan as a plan file; also the snapshot of the new version.
    pub after: String,
    /// The audit action; `None` records `plan.import` or `plan.replace`.
    pub action: Option<String>,
}

/// One change of a [`PlanEdit`], in rows of the shared schema ([`rows`]). Changes that
/// carry an `expected` version are refused with [`StoreError::Stale`] when the stored version
/// differs, so an edit made from an old page never overwrites a newer one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Update the plan's own texts (title, purpose, scope, period, future image); the plan's
    /// revision grows by one.
    Header {
        /// The new `plan` row (its status and position are not written).
        row: rows::PlanRow,
        /// The revision the edit started from.
        expected: u32,
    },
    /// Nothing of the municipality was written since this data version
    /// ([`PlanStore::data_version`], read before the plan the edit is based on): for changes
    /// whose audit text or frozen snapshot is the whole plan.
    Unchanged {
        /// The data version read before the plan.
        since: i64,
    },
    /// Move the plan from one status to another.
    Status {
        /// The status the user saw.
        from: PlanStatus,
        /// The new status.
        to: PlanStatus,
    },
    /// Update an element's content (everything but its id, kind, parent and position); its
    /// version grows by one.
    Update {
        /// The new row.
        row: rows::ElementRow,
        /// The version the edit started from.
        expected: u32,
    },
    /// Add an element (version 1).
    Insert {
        /// The new row.
        row: rows::ElementRow,
    },
    /// Remove an element and its outgoing links; refused ([`StoreError::Stale`]) while it has
    /// children (one may have been added since the user looked).
    Delete {
        /// The element.
        id: String,
        /// The version the user saw.
        expected: u32,
    },
    /// Give an element another position among its siblings (its version does not change:
    /// order belongs to the parent, and reordering must not invalidate open edit forms).
    /// Refused when its position is no longer `from` (a concurrent reordering).
    Position {
        /// The element.
        id: String,
        /// The position the reordering started from.
        from: i32,
        /// Its new position.
        position: i32,
    },
    /// The plan's status is one of these (checked in the transaction): edits of elements
    /// start with it, so that an edit cannot land after the plan was adopted.
    StatusIn(Vec<PlanStatus>),
    /// Replace an element's outgoing links of one kind.
    Links {
        /// The element the links start from.
        from_id: String,
        /// The link kind ([`rows::link`]).
        kind: String,
        /// The new links, in order.
        links: Vec<rows::LinkRow>,
    },
}

/// A change to one plan, stored in one transaction with one audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanEdit {
    /// The plan.
    pub plan: PlanId,
    /// What changes, applied in order.
    pub changes: Vec<Change>,
    /// What the audit log keeps (action, before, after).
    pub record: UserChange,
    /// The audit entry's target, e.g. `sogo-keikaku/measure-1-1-1`.
    pub target: String,
    /// When set, a version of the plan is frozen: adopting and publishing do this.
    pub freeze: Option<Freeze>,
}

/// A version to freeze with an edit: the snapshot and the name and reason given with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Freeze {
    /// A plan file of the plan after the change.
    pub snapshot: String,
    /// The version's name and reason (may be empty, and given later).
    pub note: keikaku_domain::plan::version_note::VersionNote,
}

/// The versions an edit starts from: the plan's revision and status, and each element's
/// version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditVersions {
    /// The plan row's revision.
    pub revision: u32,
    /// The plan's status.
    pub status: Option<PlanStatus>,
    /// Element id → version.
    pub elements: std::collections::HashMap<String, u32>,
}

/// A plan's header with its kind, for listings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSummary {
    /// Which kind of plan.
    pub kind: PlanKind,
    /// Identity, purpose, scope, period, status.
    pub header: PlanHeader,
}

/// Municipalities and their plans. Every write is one transaction with one audit entry (see
/// [`crate::HistoryStore`]); a write of a whole plan also freezes a version of it.
#[async_trait]
pub trait PlanStore: Send + Sync {
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

    /// Stores each batch's municipality (inserted or updated) and its plans — every batch in
    /// one transaction, so that several plan files are written all or not at all — with one
    /// audit entry (`plan.import` or `plan.replace`) and one new version per plan. Refused
    /// whole with [`StoreError::PlanExists`] (unless replacing) or [`StoreError::Referenced`]
    /// when a replacement removes an element that another plan links to (checked when the
    /// transaction commits).
    async fn insert_plans(
        &self,
        batches: &[PlanBatch],
        existing: ExistingPlan,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// Applies an edit to one plan in one transaction, with one audit entry (and a frozen
    /// version when asked). Refused whole with [`StoreError::Stale`] when a change's expected
    /// version is not the stored one, or [`StoreError::Referenced`] when a link would dangle.
    async fn edit_plan(
        &self,
        municipality: &MunicipalityCode,
        edit: &PlanEdit,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// The plan's revision and its elements' versions (`None`: no such plan).
    async fn edit_versions(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Option<EditVersions>, StoreError>;

    /// Removes a plan, recording `plan.delete` with the plan file it had (`before`); returns
    /// whether it existed. Its versions are kept. Refused with [`StoreError::Referenced`]
    /// while another plan links to one of its elements.
    async fn delete_plan(
        &self,
        municipality: &MunicipalityCode,
        id: &PlanId,
        author: &Author,
        before: Option<String>,
    ) -> Result<bool, StoreError>;

    /// A number that grows with every write to the municipality's data, so that caches of
    /// rendered pages can tell whether they are still fresh with one cheap query.
    async fn data_version(&self, municipality: &MunicipalityCode) -> Result<i64, StoreError>;
}
