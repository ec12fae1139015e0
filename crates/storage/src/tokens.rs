//! API tokens: personal access tokens, stored only as the hash of their secret.

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::LoginId;
use keikaku_domain::audit::Timestamp;

use crate::{Author, StoreError};

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

/// API tokens. Making and revoking one append an audit entry; using one does not.
#[async_trait]
pub trait TokenStore: Send + Sync {
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
