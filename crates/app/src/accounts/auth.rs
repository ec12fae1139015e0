//! Signing in: staff accounts with argon2id password hashes, server-side sessions found by the
//! SHA-256 of a random token, idle and absolute expiry, and a limiter of failed logins.
//!
//! - [`create_user`] checks a new user and password, hashes the password (argon2id, PHC
//!   string) and stores both with an audit entry that never holds the password or its hash.
//! - [`login`] checks a password and opens a session: a fresh random token (the cookie value;
//!   only its SHA-256 is stored) and a CSRF token forms must carry. Failures are counted per
//!   login id and client address, and per address, by a [`LoginLimiter`] (its module,
//!   `limiter`, states the rule), which throttles guessing without locking anyone out.
//! - [`current_session`] finds the session of a token, ends it when it has been idle for
//!   [`SessionPolicy::IDLE`] or open for [`SessionPolicy::ABSOLUTE`], and records its use.
//! - [`logout`] ends a session.
//!
//! The time is always passed in: this module reads no clock, so tests need none.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{Error as HashError, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use keikaku_domain::account::{
    LoginId, MAX_PASSWORD_CHARS, User, check_new_password, normalize_roles,
};
use keikaku_domain::audit::Timestamp;
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, SessionRecord, StoreError, UserChange};
use sha2::{Digest, Sha256};

pub use super::limiter::LoginLimiter;
use crate::access::Operator;
use crate::{AppError, Context};

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/// Random bytes in a token (256 bits).
const TOKEN_BYTES: usize = 32;
/// Characters of a token: 32 bytes in unpadded URL-safe base64.
const TOKEN_CHARS: usize = 43;

/// A fault below the use cases (random numbers, the hashing task). [`AppError`] has no variant
/// of its own for these; they are reported like a failing backend.
fn fault(what: &str) -> AppError {
    AppError::Store(StoreError::Backend(what.into()))
}

/// A new random token: 32 bytes from the operating system, as 43 characters of unpadded
/// URL-safe base64 (safe in a cookie and a form field as is).
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| fault(&format!("乱数を取得できません: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether a text has the shape of a token made by [`random_token`]; anything else is
/// refused before it reaches the database.
pub fn is_token_shaped(token: &str) -> bool {
    token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The hex SHA-256 of a session token: what storage keeps instead of the token, so that a
/// copy of the database does not let anyone act as a signed-in user.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Compares two tokens in time that depends only on their lengths, not on where they differ
/// (CSRF tokens are compared with this).
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---------------------------------------------------------------------------------------------
// Password hashing (CPU-heavy: always on the blocking pool)
// ---------------------------------------------------------------------------------------------

/// Hashes a password with argon2id and the default parameters of the argon2 crate, which are
/// OWASP's recommendation (m = 19 MiB, t = 2, p = 1), with a random salt; a PHC string.
pub(crate) async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    on_hashing_thread(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| fault(&format!("パスワードのハッシュ計算が中断されました: {e}")))?
    .map_err(|e| fault(&format!("パスワードのハッシュを計算できません: {e}")))
}

/// Threads that compute argon2id hashes. Each hash takes 19 MiB: a fixed, small set of threads
/// bounds the memory a burst of sign-ins can take (the allocator keeps what a thread used for
/// reuse by that thread), and queues the rest instead of starting a thread per sign-in.
const HASHING_THREADS: usize = 2;

type HashJob = Box<dyn FnOnce() + Send>;

fn hashing_queue() -> Option<&'static std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>> {
    static QUEUE: OnceLock<Option<std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>>> =
        OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (send, receive) = std::sync::mpsc::channel::<HashJob>();
            let receive = std::sync::Arc::new(std::sync::Mutex::new(receive));
            for i in 0..HASHING_THREADS {
                let receive = std::sync::Arc::clone(&receive);
                let started = std::thread::Builder::new()
                    .name(format!("keikaku-hash-{i}"))
                    .spawn(move || {
                        loop {
                            let job = match receive.lock() {
                                Ok(r) => r.recv(),
                                Err(poisoned) => poisoned.into_inner().recv(),
                            };
                            match job {
                                Ok(job) => job(),
                                Err(_) => return,
                            }
                        }
                    });
                if started.is_err() {
                    return None;
                }
            }
            Some(std::sync::Mutex::new(send))
        })
        .as_ref()
}

/// Runs a hashing job on one of the [`HASHING_THREADS`] and waits for it without blocking the
/// async threads.
async fn on_hashing_thread<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (send, receive) = tokio::sync::oneshot::channel();
    let queue = hashing_queue().ok_or("ハッシュ計算用のスレッドを起動できません")?;
    let boxed: HashJob = Box::new(move || {
        let _ = send.send(job());
    });
    match queue.lock() {
        Ok(q) => q.send(boxed),
        Err(poisoned) => poisoned.into_inner().send(boxed),
    }
    .map_err(|e| e.to_string())?;
    receive.await.map_err(|e| e.to_string())
}

/// A hash of a password nobody knows, verified against when the login id is unknown so that
/// an unknown id takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut salt = [0u8; 16];
        // Without randomness a fixed salt does as well: the hash only has to cost the same.
        let _ = getrandom::fill(&mut salt);
        Argon2::default()
            .hash_password_with_salt(b"keikaku: no such user", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Verifies a password against a stored PHC string (or, for `None`, against the dummy hash,
/// which never matches). `Ok(false)`: wrong password.
async fn verify_password(password: &str, stored: Option<String>) -> Result<bool, AppError> {
    let password = password.to_owned();
    on_hashing_thread(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        match Argon2::default().verify_password(password.as_bytes(), hash.as_str()) {
            Ok(()) => Ok(known),
            Err(HashError::PasswordInvalid) => Ok(false),
            Err(e) if known => Err(AppError::Store(StoreError::Corrupt(format!(
                "保存されたパスワードのハッシュを読めません: {e}"
            )))),
            Err(_) => Ok(false),
        }
    })
    .await
    .map_err(|e| fault(&format!("パスワードの確認が中断されました: {e}")))?
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

/// What the audit log keeps of a user: login id, name, department, roles, whether disabled.
/// Never the password or its hash.
pub(crate) fn audit_text(user: &User) -> String {
    let roles: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
    format!(
        "login_id: {}\ndisplay_name: {}\ndepartment: {}\nroles: {}\ndisabled: {}",
        user.login_id,
        user.display_name,
        user.department,
        roles.join(", "),
        user.disabled
    )
}

/// Creates a staff user with a password, as the operator. Every problem with the user's fields
/// and the password is reported at once ([`AppError::Invalid`], the path being the field's
/// name: `display_name`, `department`, `roles`, `password`); a login id in use is an
/// [`AppError::Conflict`]. The password is hashed with argon2id; the audit entry
/// (`user.create`) holds the user's fields only.
pub async fn create_user(
    cx: &Context<'_>,
    operator: &Operator,
    user: User,
    password: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    store_new_user(cx, operator.actor(), user, password, at).await
}

/// The checks, hashing and write of [`create_user`], for any actor (the operator, or an
/// administrator through [`crate::users::create_user`]).
pub(crate) async fn store_new_user(
    cx: &Context<'_>,
    actor: &str,
    user: User,
    password: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    let user = User {
        roles: normalize_roles(user.roles),
        ..user
    };
    let mut problems: Vec<FileProblem> = user
        .problems()
        .into_iter()
        .map(|(field, message)| FileProblem {
            path: field.to_owned(),
            message,
        })
        .collect();
    if let Err(e) = check_new_password(&user.login_id, password) {
        problems.push(FileProblem {
            path: "password".to_owned(),
            message: e.0,
        });
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let hash = hash_password(password).await?;
    let author = Author {
        actor: actor.to_owned(),
        at,
    };
    let change = UserChange {
        action: "user.create".to_owned(),
        before: None,
        after: Some(audit_text(&user)),
    };
    match cx
        .store
        .create_user(cx.municipality, &user, &hash, &author, &change)
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::UserExists(id)) => Err(AppError::Conflict(format!(
            "ログインID「{id}」は既に使われています。別のログインIDを指定してください。"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Every user of the municipality, by login id, as the operator sees them.
pub async fn users(
    cx: &Context<'_>,
    authority: &impl crate::access::Authority,
) -> Result<Vec<User>, AppError> {
    crate::access::require(authority, crate::access::Action::ManageUsers)?;
    Ok(cx.store.users(cx.municipality).await?)
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

/// How long a session lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute: Duration,
}

impl SessionPolicy {
    /// Idle expiry: 30 minutes.
    pub const IDLE: Duration = Duration::from_secs(30 * 60);
    /// Absolute expiry: 12 hours (a working day).
    pub const ABSOLUTE: Duration = Duration::from_secs(12 * 60 * 60);
    /// The policy the use cases apply.
    pub const STANDARD: Self = Self {
        idle: Self::IDLE,
        absolute: Self::ABSOLUTE,
    };
    /// The last use of a session is written at most this often (limits writes).
    pub const TOUCH_INTERVAL: Duration = Duration::from_secs(60);

    /// Whether a session has ended at `at`: idle for [`SessionPolicy::idle`] or more, or open
    /// for [`SessionPolicy::absolute`] or more.
    pub fn expired(&self, session: &SessionRecord, at: Timestamp) -> bool {
        let idle = at
            .as_millis()
            .saturating_sub(session.last_seen_at.as_millis());
        let open = at
            .as_millis()
            .saturating_sub(session.created_at.as_millis());
        idle >= millis(self.idle) || open >= millis(self.absolute)
    }
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self::STANDARD
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn minus(at: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_millis(at.as_millis().saturating_sub(millis(d))).unwrap_or(Timestamp::MIN)
}

/// A session just opened by [`login`].
#[derive(Clone, Debug)]
pub struct NewSession {
    /// The session token: the cookie's value. Only its SHA-256 is stored.
    pub token: String,
    /// The CSRF token forms of this session must carry.
    pub csrf: String,
    /// Who signed in.
    pub user: User,
}

/// A signed-in user, as found by [`current_session`].
#[derive(Clone, Debug)]
pub struct Signed {
    /// The user.
    pub user: User,
    /// The CSRF token of the session: forms that change data must carry it.
    pub csrf: String,
    /// The stored hash of the session token.
    pub token_hash: String,
}

/// Why a login was refused. Unknown login ids and wrong passwords are one and the same to the
/// caller.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown login id or wrong password.
    #[error("ログインIDまたはパスワードが違います。")]
    Invalid,
    /// Too many failures of the login id from the address (or of the address for a login id
    /// it has been failing): the attempt was not checked; try again after `retry_after`.
    #[error(
        "ログインの失敗が続いたため、しばらくログインできません。{}ほど待ってから再度お試しください。",
        wait_label(*retry_after)
    )]
    Locked {
        /// How long until the next attempt is checked.
        retry_after: Duration,
    },
    /// The password was right but the account is disabled.
    #[error("このアカウントは現在利用できません。管理者にお問い合わせください。")]
    Disabled,
    /// Storage or another fault.
    #[error(transparent)]
    Failed(#[from] AppError),
}

/// 「30秒」, 「2分」: a wait as people read it (whole minutes, rounded up, from one minute).
fn wait_label(wait: Duration) -> String {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if seconds < 60 {
        format!("{}秒", seconds.max(1))
    } else {
        format!("{}分", seconds.div_ceil(60))
    }
}

/// Signs a user in: checks the limiter, the password (argon2id, on the blocking pool; for an
/// unknown login id a dummy hash is verified so that it takes as long) and the account, and
/// opens a new session with a new random token — never a value the client sent, so a session
/// id planted before sign-in is worthless (fixation). A throttled attempt is refused before
/// its password is checked; failures are counted; a success clears the failures of the login
/// id from this address. Expired sessions of the municipality are removed on the way.
pub async fn login(
    cx: &Context<'_>,
    limiter: &LoginLimiter,
    login_id: &str,
    password: &str,
    addr: IpAddr,
    at: Timestamp,
) -> Result<NewSession, LoginError> {
    let login_id = login_id.trim();
    if let Some(retry_after) = limiter.retry_after(login_id, addr, at) {
        return Err(LoginError::Locked { retry_after });
    }
    // A password longer than any accepted one cannot be right; its hash is still computed
    // (argon2 pre-hashes, so length costs little) so that the answer takes as long.
    let plausible = password.chars().count() <= MAX_PASSWORD_CHARS;
    let found = match LoginId::parse(login_id) {
        Ok(id) if plausible => cx
            .store
            .user(cx.municipality, &id)
            .await
            .map_err(AppError::from)?,
        _ => None,
    };
    let (user, stored) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let checked: &str = if plausible { password } else { "" };
    let ok = verify_password(checked, stored).await?;
    let user = match user {
        Some(user) if ok => user,
        _ => {
            limiter.record_failure(login_id, addr, at);
            return Err(LoginError::Invalid);
        }
    };
    if user.disabled {
        return Err(LoginError::Disabled);
    }
    limiter.clear(login_id, addr);
    let policy = SessionPolicy::STANDARD;
    cx.store
        .delete_expired_sessions(
            cx.municipality,
            minus(at, policy.idle),
            minus(at, policy.absolute),
        )
        .await
        .map_err(AppError::from)?;
    let token = random_token()?;
    let csrf = random_token()?;
    cx.store
        .create_session(
            cx.municipality,
            &SessionRecord {
                token_hash: token_hash(&token),
                login_id: user.login_id.clone(),
                csrf_token: csrf.clone(),
                created_at: at,
                last_seen_at: at,
            },
        )
        .await
        .map_err(AppError::from)?;
    Ok(NewSession { token, csrf, user })
}

/// The signed-in user of a session token (the cookie's value), or `None` when the token is
/// unknown, the session has expired ([`SessionPolicy::STANDARD`]; it is then removed) or the
/// user is gone or disabled. Records the use of the session at most once per
/// [`SessionPolicy::TOUCH_INTERVAL`].
pub async fn current_session(
    cx: &Context<'_>,
    token: &str,
    at: Timestamp,
) -> Result<Option<Signed>, AppError> {
    if !is_token_shaped(token) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(session) = cx.store.session(cx.municipality, &hash).await? else {
        return Ok(None);
    };
    if SessionPolicy::STANDARD.expired(&session, at) {
        cx.store.delete_session(cx.municipality, &hash).await?;
        return Ok(None);
    }
    let user = match cx.store.user(cx.municipality, &session.login_id).await? {
        Some((user, _)) if !user.disabled => user,
        _ => {
            cx.store.delete_session(cx.municipality, &hash).await?;
            return Ok(None);
        }
    };
    let since = at
        .as_millis()
        .saturating_sub(session.last_seen_at.as_millis());
    if since >= millis(SessionPolicy::TOUCH_INTERVAL) {
        cx.store.touch_session(cx.municipality, &hash, at).await?;
    }
    Ok(Some(Signed {
        user,
        csrf: session.csrf_token,
        token_hash: hash,
    }))
}

/// Ends the session of a token (sign-out). An unknown token is not an error.
pub async fn logout(cx: &Context<'_>, token: &str) -> Result<(), AppError> {
    if is_token_shaped(token) {
        cx.store
            .delete_session(cx.municipality, &token_hash(token))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_shaped() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert!(is_token_shaped(&a), "{a}");
        assert!(!is_token_shaped("short"));
        assert!(!is_token_shaped(&format!("{}=", &a[..42])));
        assert_eq!(token_hash("abc").len(), 64);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn waits_read_in_seconds_then_whole_minutes() {
        for (ms, label) in [
            (1, "1秒"),
            (999, "1秒"),
            (30_000, "30秒"),
            (59_001, "1分"),
            (60_000, "1分"),
            (60_001, "2分"),
            (900_000, "15分"),
        ] {
            assert_eq!(wait_label(Duration::from_millis(ms)), label, "{ms} ms");
        }
    }

    #[test]
    fn tokens_compare() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
        assert!(!same_token("", "a"));
    }
}
