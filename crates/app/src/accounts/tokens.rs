//! Personal access tokens for the API: a signed-in user makes a token for a script or another
//! system, and requests that carry it (`Authorization: Bearer kk_…`) act as that user, with the
//! user's roles — never more.
//!
//! - The secret is `kk_` and 32 random bytes in unpadded URL-safe base64 (the same source of
//!   randomness as session tokens, [`auth::random_token`]). It is returned once, by
//!   [`create_token`]; storage keeps only its SHA-256 ([`auth::token_hash`]), so it can neither
//!   be shown again nor recovered from a copy of the database.
//! - Each token has a random public id (16 hex digits, for lists and URLs), the name its owner
//!   gave it, and an optional expiry (1 to [`MAX_EXPIRY_DAYS`] days).
//! - [`authenticate_token`] refuses unknown, revoked and expired tokens and tokens of disabled
//!   users, and records the last use at most once per [`TOUCH_INTERVAL`].
//! - Owners list and revoke their own tokens (`ManageOwnTokens`); administrators may list and
//!   revoke anyone's (`ManageUsers`). Making and revoking are audited (`token.create`,
//!   `token.revoke`), without the secret.
//!
//! The time is always passed in.

use std::time::Duration;

use keikaku_domain::account::{LoginId, User};
use keikaku_domain::audit::Timestamp;
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, StoreError};

/// A stored token (its hash, never the secret), as the use cases return it.
pub use keikaku_storage::TokenRecord;

use crate::access::{Action, Granted, require};
use crate::auth;
use crate::{AppError, Context};

/// What every secret starts with, so that a leaked one is recognisable (secret scanners,
/// logs) and cannot be mistaken for a session token.
pub const SECRET_PREFIX: &str = "kk_";
/// The longest name of a token, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// The longest expiry a token may be given, in days.
pub const MAX_EXPIRY_DAYS: u32 = 365;
/// The most tokens one user may hold that still work (neither revoked nor expired).
pub const MAX_LIVE_TOKENS: usize = 20;
/// The last use of a token is written at most this often (limits writes).
pub const TOUCH_INTERVAL: Duration = Duration::from_secs(60);

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;
/// Random bytes of a token's public id.
const ID_BYTES: usize = 8;

/// A token just made: the secret (shown once, never stored) and what is stored.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// The secret the owner must copy now: `kk_` and 43 characters.
    pub secret: String,
    /// The stored token (its hash, not the secret).
    pub token: TokenRecord,
}

/// Whether a token works at a time, for lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenState {
    /// Usable.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
}

impl TokenState {
    /// The state of a token at `at` (revocation wins over expiry).
    pub fn of(token: &TokenRecord, at: Timestamp) -> Self {
        if token.revoked_at.is_some() {
            Self::Revoked
        } else if token.expires_at.is_some_and(|e| e <= at) {
            Self::Expired
        } else {
            Self::Active
        }
    }

    /// The Japanese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "有効",
            Self::Expired => "期限切れ",
            Self::Revoked => "失効",
        }
    }
}

/// Whether a text has the shape of a secret made by [`create_token`]; anything else is
/// refused before it reaches the database.
pub fn is_secret_shaped(secret: &str) -> bool {
    secret
        .strip_prefix(SECRET_PREFIX)
        .is_some_and(auth::is_token_shaped)
}

/// Whether a text has the shape of a token's public id (16 lowercase hex digits).
pub fn is_id_shaped(id: &str) -> bool {
    id.len() == ID_BYTES * 2 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn new_id() -> Result<String, AppError> {
    let mut bytes = [0u8; ID_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::Store(StoreError::Backend(
            format!("乱数を取得できません: {e}").into(),
        ))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The problems of a token's name and expiry, by field (`name`, `expires_in_days`); none
/// when [`create_token`] would accept them (the name is taken trimmed).
pub fn problems(name: &str, expires_in_days: Option<u32>) -> Vec<FileProblem> {
    let mut out = Vec::new();
    let problem = |path: &str, message: String| FileProblem {
        path: path.to_owned(),
        message,
    };
    if name.is_empty() {
        out.push(problem(
            "name",
            "トークンの名前を入力してください（例: 進捗集計スクリプト）。".to_owned(),
        ));
    } else if name.chars().count() > MAX_NAME_CHARS {
        out.push(problem(
            "name",
            format!("トークンの名前は{MAX_NAME_CHARS}文字以内にしてください。"),
        ));
    } else if name.chars().any(char::is_control) {
        out.push(problem(
            "name",
            "トークンの名前に改行や制御文字は使えません。".to_owned(),
        ));
    }
    if expires_in_days.is_some_and(|d| !(1..=MAX_EXPIRY_DAYS).contains(&d)) {
        out.push(problem(
            "expires_in_days",
            format!(
                "有効期限は1から{MAX_EXPIRY_DAYS}までの日数で指定してください（無期限の場合は空欄にします）。"
            ),
        ));
    }
    out
}

/// Makes a token for the signed-in user: checks the name (1 to [`MAX_NAME_CHARS`] characters,
/// no control characters) and the expiry (1 to [`MAX_EXPIRY_DAYS`] days, or none), refuses a
/// user who already holds [`MAX_LIVE_TOKENS`] working tokens ([`AppError::Conflict`]), and
/// stores the token with an audit entry `token.create`. The secret is in the result and
/// nowhere else.
pub async fn create_token(
    cx: &Context<'_>,
    granted: &Granted,
    name: &str,
    expires_in_days: Option<u32>,
    at: Timestamp,
) -> Result<NewToken, AppError> {
    require(granted, Action::ManageOwnTokens)?;
    let name = name.trim();
    let problems = problems(name, expires_in_days);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let user = granted.user();
    let live = cx
        .store
        .tokens(cx.municipality, &user.login_id)
        .await?
        .iter()
        .filter(|t| TokenState::of(t, at) == TokenState::Active)
        .count();
    if live >= MAX_LIVE_TOKENS {
        return Err(AppError::Conflict(format!(
            "有効なトークンは1人{MAX_LIVE_TOKENS}個までです。使っていないトークンを失効させてから作成してください。"
        )));
    }
    let expires_at = expires_in_days.map(|days| {
        let millis = i64::from(days).saturating_mul(DAY_MILLIS);
        Timestamp::from_millis(at.as_millis().saturating_add(millis)).unwrap_or(Timestamp::MAX)
    });
    let secret = format!("{SECRET_PREFIX}{}", auth::random_token()?);
    let token = TokenRecord {
        id: new_id()?,
        login_id: user.login_id.clone(),
        name: name.to_owned(),
        token_hash: auth::token_hash(&secret),
        created_at: at,
        last_used_at: None,
        expires_at,
        revoked_at: None,
    };
    cx.store
        .create_token(cx.municipality, &token, &author(user, at))
        .await?;
    Ok(NewToken { secret, token })
}

fn author(user: &User, at: Timestamp) -> Author {
    Author {
        actor: user.login_id.to_string(),
        at,
    }
}

/// The signed-in user's tokens, newest first (revoked and expired ones too).
pub async fn own_tokens(cx: &Context<'_>, granted: &Granted) -> Result<Vec<TokenRecord>, AppError> {
    require(granted, Action::ManageOwnTokens)?;
    Ok(cx
        .store
        .tokens(cx.municipality, &granted.user().login_id)
        .await?)
}

fn no_such_token(id: &str) -> AppError {
    AppError::NotFound(format!(
        "トークン「{id}」は見つからないか、既に失効しています。"
    ))
}

/// Revokes one of the signed-in user's tokens, with an audit entry `token.revoke`. Another
/// user's token, an unknown one and one already revoked are all [`AppError::NotFound`].
pub async fn revoke_own_token(
    cx: &Context<'_>,
    granted: &Granted,
    id: &str,
    at: Timestamp,
) -> Result<TokenRecord, AppError> {
    require(granted, Action::ManageOwnTokens)?;
    if !is_id_shaped(id) {
        return Err(no_such_token(id));
    }
    let user = granted.user();
    cx.store
        .revoke_token(cx.municipality, id, Some(&user.login_id), &author(user, at))
        .await?
        .ok_or_else(|| no_such_token(id))
}

/// Another user's tokens, newest first, as an administrator sees them.
pub async fn user_tokens(
    cx: &Context<'_>,
    granted: &Granted,
    login_id: &LoginId,
) -> Result<Vec<TokenRecord>, AppError> {
    require(granted, Action::ManageUsers)?;
    Ok(cx.store.tokens(cx.municipality, login_id).await?)
}

/// Revokes anyone's token, as an administrator, with an audit entry `token.revoke` naming
/// the administrator.
pub async fn revoke_user_token(
    cx: &Context<'_>,
    granted: &Granted,
    id: &str,
    at: Timestamp,
) -> Result<TokenRecord, AppError> {
    require(granted, Action::ManageUsers)?;
    if !is_id_shaped(id) {
        return Err(no_such_token(id));
    }
    cx.store
        .revoke_token(cx.municipality, id, None, &author(granted.user(), at))
        .await?
        .ok_or_else(|| no_such_token(id))
}

/// The user a bearer secret acts for, or `None` when the secret is malformed or unknown, the
/// token is revoked or expired, or its user is gone or disabled. Records the use at most once
/// per [`TOUCH_INTERVAL`].
pub async fn authenticate_token(
    cx: &Context<'_>,
    secret: &str,
    at: Timestamp,
) -> Result<Option<User>, AppError> {
    if !is_secret_shaped(secret) {
        return Ok(None);
    }
    let Some(token) = cx
        .store
        .token_by_hash(cx.municipality, &auth::token_hash(secret))
        .await?
    else {
        return Ok(None);
    };
    if TokenState::of(&token, at) != TokenState::Active {
        return Ok(None);
    }
    let user = match cx.store.user(cx.municipality, &token.login_id).await? {
        Some((user, _)) if !user.disabled => user,
        _ => return Ok(None),
    };
    let interval = i64::try_from(TOUCH_INTERVAL.as_millis()).unwrap_or(i64::MAX);
    let due = token
        .last_used_at
        .is_none_or(|last| at.as_millis().saturating_sub(last.as_millis()) >= interval);
    if due {
        cx.store.touch_token(cx.municipality, &token.id, at).await?;
    }
    Ok(Some(user))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_ids_have_their_shape() {
        let secret = format!("{SECRET_PREFIX}{}", auth::random_token().unwrap());
        assert_eq!(secret.len(), 46);
        assert!(is_secret_shaped(&secret));
        assert!(!is_secret_shaped(&secret[3..]));
        assert!(!is_secret_shaped(&format!("{secret}x")));
        assert!(!is_secret_shaped(""));
        let id = new_id().unwrap();
        assert!(is_id_shaped(&id), "{id}");
        assert_ne!(id, new_id().unwrap());
        assert!(!is_id_shaped("0123456789ABCDEF"));
        assert!(!is_id_shaped("../../etc/passwd"));
    }

    #[test]
    fn names_and_expiry_are_checked() {
        assert!(problems("集計", None).is_empty());
        assert!(problems("集計", Some(1)).is_empty());
        assert!(problems("集計", Some(MAX_EXPIRY_DAYS)).is_empty());
        let paths = |p: Vec<FileProblem>| p.into_iter().map(|p| p.path).collect::<Vec<_>>();
        assert_eq!(paths(problems("", Some(0))), ["name", "expires_in_days"]);
        assert_eq!(paths(problems(&"あ".repeat(51), None)), ["name"]);
        assert_eq!(paths(problems("a\nb", None)), ["name"]);
        assert_eq!(
            paths(problems("x", Some(MAX_EXPIRY_DAYS + 1))),
            ["expires_in_days"]
        );
    }
}
