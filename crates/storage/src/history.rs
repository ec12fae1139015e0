//! History: the audit log (one hash-chained entry per write, whatever the capability) and the
//! frozen versions of plans.

use async_trait::async_trait;
use keikaku_domain::audit::{AuditEntry, Timestamp};
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{MunicipalityCode, PlanId, PlanStatus};

use crate::{Author, StoreError};

/// What the audit log keeps of a change (never a password, a secret or their hashes). Users
/// were the first to need it; edits and deletions of plans use it too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserChange {
    /// `user.create`, `user.update`, `user.password`, `element.update`, …
    pub action: String,
    /// The thing before, as text, if any.
    pub before: Option<String>,
    /// The thing after, as text.
    pub after: Option<String>,
}

/// One frozen version of a plan: every write of a plan creates the next version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSummary {
    /// The plan.
    pub plan: PlanId,
    /// 1, 2, 3 … per plan.
    pub number: u32,
    /// The plan's status in that version.
    pub status: PlanStatus,
    /// When it was written.
    pub at: Timestamp,
    /// Who wrote it.
    pub actor: String,
    /// The audit entry that recorded it.
    pub audit_sequence: u64,
    /// Its name and reason (empty until someone gives them).
    pub note: VersionNote,
    /// How many times the name and reason were saved: 0 until the first save after freezing;
    /// a save names the revision its editor read.
    pub note_revision: u32,
}

/// Reading what was recorded. Entries and versions are written by the other capabilities, in
/// their own transactions; the only write here is a version's name and reason.
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Audit entries with a sequence number above `after`, in order, at most `limit`.
    async fn audit_entries(
        &self,
        municipality: &MunicipalityCode,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    /// The versions of a plan, oldest first.
    async fn plan_versions(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Vec<VersionSummary>, StoreError>;

    /// One version of a plan with its snapshot (a plan file of that one plan).
    async fn plan_version(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        number: u32,
    ) -> Result<Option<(VersionSummary, String)>, StoreError>;

    /// Names a version and gives its reason, against the note revision the editor read
    /// ([`StoreError::Stale`] `version` otherwise, nothing written), with one `version.note`
    /// audit entry (target `plan/versions/n`, the note before and after). The frozen snapshot
    /// never changes. `Ok(None)`: no such version. Returns the new note revision.
    async fn save_version_note(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        number: u32,
        note: &VersionNote,
        expected: u32,
        author: &Author,
    ) -> Result<Option<u32>, StoreError>;
}
