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
use keikaku_domain::account::{LoginId, User};
use keikaku_domain::audit::{AuditEntry, Timestamp};
use keikaku_domain::{
    Municipality, MunicipalityCode, Plan, PlanHeader, PlanId, PlanKind, PlanStatus,
};

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

/// Who makes a change, and when. The clock is read at the edge (binary, web) and passed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// Login id, or `cli` for the console operator.
    pub actor: String,
    /// When the change is made.
    pub at: Timestamp,
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
}

/// A signed-in session. Only the SHA-256 of its token is stored; the token is in the cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Hex SHA-256 of the session token.
    pub token_hash: String,
    /// Whose session it is.
    pub login_id: LoginId,
    /// The token forms must carry (CSRF protection).
    pub csrf_token: String,
    /// When it was created (absolute expiry counts from here).
    pub created_at: Timestamp,
    /// When it was last used (idle expiry counts from here).
    pub last_seen_at: Timestamp,
}

/// What the audit log keeps of a change to a user (never a password or its hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserChange {
    /// `user.create`, `user.update`, `user.password`, …
    pub action: String,
    /// The user before, as text, if any.
    pub before: Option<String>,
    /// The user after, as text.
    pub after: Option<String>,
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
    /// When set, a version of the plan is frozen with this snapshot (a plan file of the plan
    /// after the change): adopting and publishing do this.
    pub freeze: Option<String>,
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

/// The storage port. Writes are transactional: a batch is stored whole or not at all.
#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Which backend this is ("sqlite", "postgres"), for logs.
    fn backend(&self) -> &'static str;

    /// Brings the schema up to date (embedded migrations).
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Closes the connections, waiting for those in use (SQLite then merges its write-ahead
    /// log into the database file). Call it once, before the process exits.
    async fn close(&self);

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

    /// Stores the municipality (inserted or updated) and the plans, in one transaction, with
    /// one audit entry (`plan.import` or `plan.replace`) and one new version per plan.
    async fn insert_plans(
        &self,
        municipality: &Municipality,
        plans: &[PlanWrite],
        existing: ExistingPlan,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// Applies an edit to one plan in one transaction, with one audit entry (and a frozen
    /// version when asked). Refused whole with [`StoreError::Stale`] when a change's expected
    /// version is not the stored one, or [`StoreError::Backend`] when a link would dangle.
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
    /// whether it existed. Its versions are kept.
    async fn delete_plan(
        &self,
        municipality: &MunicipalityCode,
        id: &PlanId,
        author: &Author,
        before: Option<String>,
    ) -> Result<bool, StoreError>;

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

    /// Creates a user (refused with [`StoreError::UserExists`]), with an audit entry.
    async fn create_user(
        &self,
        municipality: &MunicipalityCode,
        user: &User,
        password_hash: &str,
        author: &Author,
        change: &UserChange,
    ) -> Result<(), StoreError>;

    /// Updates a user's name, department, roles and disabled flag, and the password hash when
    /// given, with an audit entry. With `expected`, refused with [`StoreError::Stale`] unless
    /// the stored user still is as expected (checked in the transaction). A disabled user or a new password ends the user's sessions.
    /// Returns whether the user existed.
    async fn update_user(
        &self,
        municipality: &MunicipalityCode,
        user: &User,
        expected: Option<&User>,
        password_hash: Option<&str>,
        author: &Author,
        change: &UserChange,
    ) -> Result<bool, StoreError>;

    /// A user with the stored password hash.
    async fn user(
        &self,
        municipality: &MunicipalityCode,
        login_id: &LoginId,
    ) -> Result<Option<(User, String)>, StoreError>;

    /// Every user, by login id.
    async fn users(&self, municipality: &MunicipalityCode) -> Result<Vec<User>, StoreError>;

    /// Stores a new session.
    async fn create_session(
        &self,
        municipality: &MunicipalityCode,
        session: &SessionRecord,
    ) -> Result<(), StoreError>;

    /// The session with this token hash.
    async fn session(
        &self,
        municipality: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError>;

    /// Records that the session was used now.
    async fn touch_session(
        &self,
        municipality: &MunicipalityCode,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Ends a session (logout); ending an unknown session is not an error.
    async fn delete_session(
        &self,
        municipality: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<(), StoreError>;

    /// Removes sessions idle since before `idle_before` or created before `created_before`;
    /// returns how many.
    async fn delete_expired_sessions(
        &self,
        municipality: &MunicipalityCode,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> Result<u64, StoreError>;

    /// A number that grows with every write to the municipality's data, so that caches of
    /// rendered pages can tell whether they are still fresh with one cheap query.
    async fn data_version(&self, municipality: &MunicipalityCode) -> Result<i64, StoreError>;

    /// Stores a new API token, with an audit entry `token.create` (target: the token's id;
    /// the entry holds its id, name, owner and expiry — never the secret or its hash). An
    /// unknown municipality is refused; the owner must be a stored user.
    async fn create_token(
        &self,
        municipality: &MunicipalityCode,
        token: &TokenRecord,
        author: &Author,
    ) -> Result<(), StoreError>;

    /// The tokens of one user, newest first, revoked and expired ones included.
    async fn tokens(
        &self,
        municipality: &MunicipalityCode,
        login_id: &LoginId,
    ) -> Result<Vec<TokenRecord>, StoreError>;

    /// The token whose secret has this hash, revoked or not.
    async fn token_by_hash(
        &self,
        municipality: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<Option<TokenRecord>, StoreError>;

    /// Records that the token was used at `at`.
    async fn touch_token(
        &self,
        municipality: &MunicipalityCode,
        id: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Revokes a token that is not revoked yet — when `owner` is given, only if it is theirs —
    /// at `author.at`, with an audit entry `token.revoke`. Returns the token as revoked, or
    /// `None` (nothing written) when there is no such live token.
    async fn revoke_token(
        &self,
        municipality: &MunicipalityCode,
        id: &str,
        owner: Option<&LoginId>,
        author: &Author,
    ) -> Result<Option<TokenRecord>, StoreError>;
}

/// A personal access token for the API. Only the SHA-256 of its secret is stored: the secret
/// is shown to its owner once, when the token is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    /// Random public id (in lists and URLs; not secret).
    pub id: String,
    /// Whose token it is: requests made with it act as this user, with the user's roles.
    pub login_id: LoginId,
    /// The label the user gave it.
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub token_hash: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was last used (written at most about once a minute).
    pub last_used_at: Option<Timestamp>,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}
