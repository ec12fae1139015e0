//! Accounts and sessions (create a user, log in, expiry, the login limiter) against an
//! in-memory SQLite store holding the example municipality. Times are passed in; no clock.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use keikaku_app::AppError;
use keikaku_app::Context;
use keikaku_app::access::Operator;
use keikaku_app::auth::{
    self, LoginError, LoginLimiter, SessionPolicy, current_session, login, logout, token_hash,
};
use keikaku_app::transfer;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_storage::{AccountStore, Author, HistoryStore, Store, UserChange};
use keikaku_storage_sqlite::SqliteStore;

const PASSWORD: &str = "correct horse battery";
const MINUTE: i64 = 60_000;

fn t0() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn after(minutes: i64) -> Timestamp {
    Timestamp::from_millis(t0().as_millis() + minutes * MINUTE).unwrap()
}

fn code() -> MunicipalityCode {
    MunicipalityCode::parse("03209").unwrap()
}

fn addr(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn user(id: &str, name: &str) -> User {
    User {
        login_id: LoginId::parse(id).unwrap(),
        display_name: name.to_owned(),
        department: "企画政策課".to_owned(),
        roles: vec![Role::PlanningOffice],
        disabled: false,
    }
}

/// A store with the example municipality and the user `sato`.
async fn store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", t0())
        .await
        .unwrap();
    auth::create_user(
        &Context::new(&store, &code()),
        &Operator::at_console(),
        user("sato", "佐藤 花子"),
        PASSWORD,
        t0(),
    )
    .await
    .unwrap();
    store
}

async fn sign_in(store: &SqliteStore, at: Timestamp) -> auth::NewSession {
    login(
        &Context::new(store, &code()),
        &LoginLimiter::new(),
        "sato",
        PASSWORD,
        addr("192.0.2.1"),
        at,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn login_opens_a_session_found_by_the_hash_of_its_token() {
    let store = store().await;
    let session = sign_in(&store, t0()).await;
    assert_eq!(session.user.display_name, "佐藤 花子");
    assert_ne!(session.token, session.csrf);
    // Only the hash is stored.
    assert!(
        store
            .session(&code(), &session.token)
            .await
            .unwrap()
            .is_none()
    );
    let record = store
        .session(&code(), &token_hash(&session.token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.csrf_token, session.csrf);

    let signed = current_session(&Context::new(&store, &code()), &session.token, after(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signed.user.login_id.as_str(), "sato");
    assert_eq!(signed.csrf, session.csrf);
    assert_eq!(signed.token_hash, token_hash(&session.token));

    // Every login makes a new token.
    let again = sign_in(&store, after(2)).await;
    assert_ne!(again.token, session.token);

    logout(&Context::new(&store, &code()), &session.token)
        .await
        .unwrap();
    assert!(
        current_session(&Context::new(&store, &code()), &session.token, after(3))
            .await
            .unwrap()
            .is_none()
    );
    // The other session is untouched; nonsense tokens find nothing.
    assert!(
        current_session(&Context::new(&store, &code()), &again.token, after(3))
            .await
            .unwrap()
            .is_some()
    );
    for junk in ["", "x", &"a".repeat(500)] {
        assert!(
            current_session(&Context::new(&store, &code()), junk, after(3))
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn an_idle_session_ends_after_thirty_minutes() {
    let store = store().await;
    let s = sign_in(&store, t0()).await;
    assert!(
        current_session(&Context::new(&store, &code()), &s.token, after(29))
            .await
            .unwrap()
            .is_some()
    );
    // Used at minute 29: idle counts from there.
    assert!(
        current_session(&Context::new(&store, &code()), &s.token, after(58))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        current_session(&Context::new(&store, &code()), &s.token, after(58 + 31))
            .await
            .unwrap()
            .is_none()
    );
    // The expired session was removed: it does not come back.
    assert!(
        store
            .session(&code(), &token_hash(&s.token))
            .await
            .unwrap()
            .is_none()
    );

    let s = sign_in(&store, t0()).await;
    assert!(
        current_session(&Context::new(&store, &code()), &s.token, after(31))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_login_however_busy() {
    let store = store().await;
    let s = sign_in(&store, t0()).await;
    let twelve_hours = 12 * 60;
    for minute in (10..twelve_hours).step_by(10) {
        assert!(
            current_session(&Context::new(&store, &code()), &s.token, after(minute))
                .await
                .unwrap()
                .is_some(),
            "minute {minute}"
        );
    }
    assert!(
        current_session(
            &Context::new(&store, &code()),
            &s.token,
            after(twelve_hours)
        )
        .await
        .unwrap()
        .is_none()
    );
    assert_eq!(
        SessionPolicy::STANDARD.absolute.as_secs(),
        12 * 3600,
        "the policy says 12 hours"
    );
}

#[tokio::test]
async fn use_is_recorded_at_most_once_a_minute() {
    let store = store().await;
    let s = sign_in(&store, t0()).await;
    let seen = |store: &SqliteStore| {
        let hash = token_hash(&s.token);
        let store = store.clone();
        async move {
            store
                .session(&code(), &hash)
                .await
                .unwrap()
                .unwrap()
                .last_seen_at
        }
    };
    let half_minute = Timestamp::from_millis(t0().as_millis() + 30_000).unwrap();
    current_session(&Context::new(&store, &code()), &s.token, half_minute)
        .await
        .unwrap();
    assert_eq!(seen(&store).await, t0());
    current_session(&Context::new(&store, &code()), &s.token, after(2))
        .await
        .unwrap();
    assert_eq!(seen(&store).await, after(2));
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer() {
    let store = store().await;
    let limiter = LoginLimiter::new();
    let a = addr("192.0.2.1");
    for (id, password) in [
        ("sato", "wrong password here"),
        ("nobody", PASSWORD),
        ("Not A Login", PASSWORD),
        ("sato", &"x".repeat(10_000)),
    ] {
        let err = login(
            &Context::new(&store, &code()),
            &limiter,
            id,
            password,
            a,
            t0(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, LoginError::Invalid), "{id}: {err:?}");
        assert_eq!(err.to_string(), "ログインIDまたはパスワードが違います。");
    }
}

#[tokio::test]
async fn five_failures_lock_the_login_id_for_fifteen_minutes() {
    let store = store().await;
    let limiter = LoginLimiter::new();
    // From different addresses: the count is per login id.
    for i in 0..5 {
        let err = login(
            &Context::new(&store, &code()),
            &limiter,
            "sato",
            "wrong password here",
            addr(&format!("192.0.2.{i}")),
            after(i),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, LoginError::Invalid), "{err:?}");
    }
    let locked = login(
        &Context::new(&store, &code()),
        &limiter,
        "sato",
        PASSWORD,
        addr("198.51.100.7"),
        after(5),
    )
    .await
    .unwrap_err();
    assert!(matches!(locked, LoginError::Locked), "{locked:?}");
    assert!(locked.to_string().contains("15分ほど待って"), "{locked}");
    // Other login ids from the same addresses are not affected.
    assert!(!limiter.is_locked("suzuki", addr("192.0.2.1"), after(5)));
    // Fifteen minutes after the first failure, one failure has left the window.
    login(
        &Context::new(&store, &code()),
        &limiter,
        "sato",
        PASSWORD,
        addr("192.0.2.1"),
        after(15),
    )
    .await
    .unwrap();
    // Success cleared the count.
    assert!(!limiter.is_locked("sato", addr("192.0.2.200"), after(16)));
}

#[test]
fn a_success_clears_the_login_ids_failures_but_not_the_addresses() {
    let limiter = LoginLimiter::new();
    let a = addr("192.0.2.1");
    for i in 0..4 {
        limiter.record_failure("sato", a, after(i));
    }
    limiter.clear("sato");
    for i in 0..4 {
        limiter.record_failure("sato", a, after(4 + i));
    }
    assert!(!limiter.is_locked("sato", a, after(8)));
    limiter.record_failure("sato", a, after(8));
    assert!(limiter.is_locked("sato", a, after(8)));
    assert!(
        limiter.is_locked("SATO ", a, after(8)),
        "same id, other case"
    );
}

#[test]
fn twenty_failures_lock_the_address() {
    let limiter = LoginLimiter::new();
    let a = addr("203.0.113.9");
    for i in 0..20 {
        // Four ids, five failures each would lock the ids too; use twenty ids.
        limiter.record_failure(&format!("user{i}"), a, after(0));
        if i < 19 {
            assert!(!limiter.is_locked("someone", a, after(0)), "after {i}");
        }
    }
    assert!(limiter.is_locked("someone", a, after(1)));
    assert!(!limiter.is_locked("someone", addr("203.0.113.10"), after(1)));
    // The same /64 counts as one address.
    let v6 = addr("2001:db8::1");
    for i in 0..20 {
        limiter.record_failure(&format!("v6user{i}"), v6, after(0));
    }
    assert!(limiter.is_locked("someone", addr("2001:db8::ffff"), after(1)));
    assert!(!limiter.is_locked("someone", addr("2001:db8:0:1::1"), after(1)));
    // After the window the address is free again.
    assert!(!limiter.is_locked("someone", a, after(15)));
}

#[test]
fn the_limiter_stays_bounded() {
    let limiter = LoginLimiter::new();
    for i in 0..(LoginLimiter::MAX_KEYS + 500) {
        let ip = IpAddr::from(u32::try_from(i).unwrap().to_be_bytes());
        limiter.record_failure(&format!("u{i}"), ip, after(0));
    }
    let (ids, addrs) = limiter.tracked();
    assert!(ids <= LoginLimiter::MAX_KEYS, "{ids}");
    assert!(addrs <= LoginLimiter::MAX_KEYS, "{addrs}");
    // Once the window has passed, old keys are swept.
    limiter.record_failure("late", addr("192.0.2.1"), after(16));
    assert_eq!(limiter.tracked(), (1, 1));
}

#[tokio::test]
async fn new_users_and_passwords_are_checked() {
    let store = store().await;
    let op = Operator::at_console();
    let mut bad = user("suzuki", " ");
    bad.roles.clear();
    match auth::create_user(&Context::new(&store, &code()), &op, bad, "short", t0()).await {
        Err(AppError::Invalid(problems)) => {
            let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
            assert_eq!(paths, ["display_name", "roles", "password"]);
            assert!(problems[2].message.contains("12文字以上"), "{problems:?}");
        }
        other => panic!("{other:?}"),
    }
    match auth::create_user(
        &Context::new(&store, &code()),
        &op,
        user("suzuki", "鈴木"),
        "my suzuki password",
        t0(),
    )
    .await
    {
        Err(AppError::Invalid(problems)) => {
            assert!(problems[0].message.contains("ログインID"), "{problems:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        store
            .user(&code(), &LoginId::parse("suzuki").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_login_id_is_used_once() {
    let store = store().await;
    let err = auth::create_user(
        &Context::new(&store, &code()),
        &Operator::at_console(),
        user("sato", "佐藤 次郎"),
        "another long password",
        t0(),
    )
    .await
    .unwrap_err();
    match err {
        AppError::Conflict(m) => assert!(m.contains("sato") && m.contains("既に"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_password_is_hashed_and_never_audited() {
    let store = store().await;
    let (stored, hash) = store
        .user(&code(), &LoginId::parse("sato").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.roles, vec![Role::PlanningOffice]);
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
    let entries = store.audit_entries(&code(), 0, 100).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "user.create");
    assert_eq!(last.actor, "cli");
    let after = last.after.clone().unwrap();
    assert!(
        after.contains("sato") && after.contains("佐藤 花子"),
        "{after}"
    );
    assert!(after.contains("planning_office"), "{after}");
    assert!(
        !after.contains(PASSWORD) && !after.contains("$argon2"),
        "{after}"
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_log_in_and_loses_their_sessions() {
    let store = store().await;
    let s = sign_in(&store, t0()).await;
    let mut sato = user("sato", "佐藤 花子");
    sato.disabled = true;
    let author = Author {
        actor: "cli".to_owned(),
        at: after(1),
    };
    let change = UserChange {
        action: "user.update".to_owned(),
        before: None,
        after: None,
    };
    assert!(
        store
            .update_user(&code(), &sato, None, None, &author, &change)
            .await
            .unwrap()
    );
    assert!(
        current_session(&Context::new(&store, &code()), &s.token, after(2))
            .await
            .unwrap()
            .is_none()
    );
    let limiter = LoginLimiter::new();
    let a = addr("192.0.2.1");
    let err = login(
        &Context::new(&store, &code()),
        &limiter,
        "sato",
        PASSWORD,
        a,
        after(2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LoginError::Disabled), "{err:?}");
    // A wrong password says nothing about the account.
    let err = login(
        &Context::new(&store, &code()),
        &limiter,
        "sato",
        "wrong password!!",
        a,
        after(2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LoginError::Invalid), "{err:?}");
}
