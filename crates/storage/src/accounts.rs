//! Accounts: the users of a municipality and their signed-in sessions.

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, User};
use keikaku_domain::audit::Timestamp;

use crate::{Author, StoreError, UserChange};

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

/// Users and sessions. Creating or changing a user appends an audit entry; sessions are not
/// audited.
#[async_trait]
pub trait AccountStore: Send + Sync {
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
}
