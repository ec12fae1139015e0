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

const SECOND: i64 = 1_000;

fn at_s(seconds: i64) -> Timestamp {
    Timestamp::from_millis(t0().as_millis() + seconds * SECOND).unwrap()
}

/// One step of a limiter table: at a time (seconds from t0), from an address, for a login id.
enum Step {
    /// A failed attempt is counted.
    Fail,
    /// The wait the next attempt would get (seconds; `None`: checked now).
    Expect(Option<u64>),
    /// The login id signed in from the address.
    SignedIn,
}

/// Runs a table against a fresh limiter; each row names the step for the message.
fn run(table: &[(i64, &str, &str, Step)]) {
    let limiter = LoginLimiter::new();
    for (row, (seconds, ip, id, step)) in table.iter().enumerate() {
        let (a, t) = (addr(ip), at_s(*seconds));
        match step {
            Step::Fail => limiter.record_failure(id, a, t),
            Step::SignedIn => limiter.clear(id, a),
            Step::Expect(wait) => assert_eq!(
                limiter.retry_after(id, a, t).map(|d| d.as_secs()),
                *wait,
                "row {row}: {id} from {ip} at {seconds} s"
            ),
        }
    }
}

const A: &str = "192.0.2.1";
const B: &str = "198.51.100.7";

#[test]
fn failures_of_a_login_id_from_an_address_grow_its_wait() {
    use Step::{Expect, Fail, SignedIn};
    let mut table = Vec::new();
    // Five free failures, a minute apart.
    for i in 0..5 {
        table.push((i * 60, A, "sato", Expect(None)));
        table.push((i * 60, A, "sato", Fail));
    }
    table.extend([
        // Then a minute after the fifth, two after the sixth, four, eight, fifteen at most.
        (240, A, "sato", Expect(Some(60))),
        (299, A, "sato", Expect(Some(1))),
        (300, A, "sato", Expect(None)),
        (300, A, "sato", Fail),
        (300, A, "sato", Expect(Some(120))),
        (420, A, "sato", Fail),
        (420, A, "sato", Expect(Some(240))),
        (660, A, "sato", Fail),
        (660, A, "sato", Expect(Some(480))),
        (1140, A, "sato", Fail),
        (1140, A, "sato", Expect(Some(900))),
        (2040, A, "sato", Fail),
        (2040, A, "sato", Expect(Some(900))),
        // The same id however typed.
        (2040, A, " SATO ", Expect(Some(900))),
        // The owner from another address, and another id from the same address: no wait.
        (2040, B, "sato", Expect(None)),
        (2040, A, "suzuki", Expect(None)),
        // A sign-in from A clears A's count for sato (B's would stay): five free again.
        (2940, A, "sato", SignedIn),
        (2940, A, "sato", Expect(None)),
    ]);
    for i in 0..5 {
        table.push((3000 + i, A, "sato", Fail));
    }
    table.push((3004, A, "sato", Expect(Some(60))));
    run(&table);
}

#[test]
fn a_pair_is_forgotten_a_day_after_its_last_failure() {
    use Step::{Expect, Fail};
    let day = 24 * 60 * 60;
    let mut table = Vec::new();
    for i in 0..6 {
        table.push((i, A, "sato", Fail));
    }
    table.extend([
        (5, A, "sato", Expect(Some(120))),
        (5 + day - 1, A, "sato", Expect(None)),
        // Still remembered a second before the day is over: the next failure is the seventh.
        (5 + day - 1, A, "sato", Fail),
        (5 + day - 1, A, "sato", Expect(Some(240))),
        // A day after that, forgotten: counting starts again at one.
        (5 + 2 * day, A, "sato", Fail),
        (5 + 2 * day, A, "sato", Expect(None)),
    ]);
    run(&table);
}

#[test]
fn an_address_failing_many_ids_waits_only_for_the_ids_it_has_been_failing() {
    use Step::{Expect, Fail};
    let mut table = Vec::new();
    // Twenty ids guessed once each from A (a spray, or a shared proxy with an attacker).
    for i in 0..20 {
        let id: &'static str = Box::leak(format!("guess{i}").into_boxed_str());
        table.push((i, A, id, Expect(None)));
        table.push((i, A, id, Fail));
    }
    table.extend([
        // An id A has been failing waits until A is below twenty failures in 15 minutes
        // (the first one, at 0 s, leaves the window at 900 s) ...
        (20, A, "guess3", Expect(Some(880))),
        // ... from A only.
        (20, B, "guess3", Expect(None)),
        // An id A has not been failing is checked: a colleague's right password signs in.
        (20, A, "sato", Expect(None)),
        // A wrong one is counted; then sato waits like the others while A is over the limit
        // (now the failure at 1 s is the oldest of A's latest twenty).
        (20, A, "sato", Fail),
        (20, A, "sato", Expect(Some(881))),
        (900, A, "guess3", Expect(Some(1))),
        // Below the limit again, one failure each is no wait.
        (901, A, "guess3", Expect(None)),
        (901, A, "sato", Expect(None)),
    ]);
    run(&table);
    // IPv6 counts per /64.
    let limiter = LoginLimiter::new();
    for i in 0..20 {
        limiter.record_failure(&format!("v6user{i}"), addr("2001:db8::1"), after(0));
    }
    assert!(limiter.is_locked("v6user0", addr("2001:db8::ffff"), after(1)));
    assert!(!limiter.is_locked("v6user0", addr("2001:db8:0:1::1"), after(1)));
    assert!(!limiter.is_locked("someone", addr("2001:db8::ffff"), after(1)));
}

#[test]
fn the_limiter_stays_bounded_and_keeps_the_pairs_under_attack() {
    let limiter = LoginLimiter::new();
    let a = addr(A);
    for i in 0..7 {
        limiter.record_failure("sato", a, after(i));
    }
    for i in 0..(LoginLimiter::MAX_KEYS + 500) {
        let ip = IpAddr::from(u32::try_from(i).unwrap().to_be_bytes());
        limiter.record_failure(&format!("u{i}"), ip, after(7));
    }
    let (pairs, addrs) = limiter.tracked();
    assert!(pairs <= LoginLimiter::MAX_KEYS, "{pairs}");
    assert!(addrs <= LoginLimiter::MAX_KEYS, "{addrs}");
    // The flood of single failures went first; sato's seven from A are still counted.
    assert!(limiter.is_locked("sato", a, after(7)));
    // Once a day has passed, old keys are swept.
    limiter.record_failure("late", addr("192.0.2.200"), after(7 + 24 * 60));
    assert_eq!(limiter.tracked(), (1, 1));
}

/// A store with `sato` and a second user, `suzuki`.
async fn two_users() -> SqliteStore {
    let store = store().await;
    auth::create_user(
        &Context::new(&store, &code()),
        &Operator::at_console(),
        user("suzuki", "鈴木 一郎"),
        PASSWORD,
        t0(),
    )
    .await
    .unwrap();
    store
}

#[tokio::test]
async fn wrong_guesses_from_one_address_do_not_stop_the_owner_elsewhere() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let limiter = LoginLimiter::new();
    let attempt = |password: &'static str, ip: &'static str, seconds: i64| {
        login(&cx, &limiter, "sato", password, addr(ip), at_s(seconds))
    };
    for i in 0..5 {
        let err = attempt("wrong password here", A, i).await.unwrap_err();
        assert!(matches!(err, LoginError::Invalid), "{err:?}");
    }
    // From A, even the right password now waits (it is not checked).
    let err = attempt(PASSWORD, A, 10).await.unwrap_err();
    match &err {
        LoginError::Locked { retry_after } => assert_eq!(retry_after.as_secs(), 54),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "ログインの失敗が続いたため、しばらくログインできません。54秒ほど待ってから再度お試しください。"
    );
    // The owner from B signs in; A's count is A's.
    attempt(PASSWORD, B, 10).await.unwrap();
    assert!(limiter.is_locked("sato", addr(A), at_s(10)));
    // After the wait, A is checked again; a success there clears A's count.
    attempt(PASSWORD, A, 64).await.unwrap();
    assert!(!limiter.is_locked("sato", addr(A), at_s(64)));
    let err = attempt("wrong password here", A, 64).await.unwrap_err();
    assert!(matches!(err, LoginError::Invalid), "{err:?}");
}

#[tokio::test]
async fn failures_for_many_ids_from_an_address_do_not_refuse_another_accounts_password() {
    let store = two_users().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let limiter = LoginLimiter::new();
    // Unknown ids and a real one, wrong passwords, from A: the same answer for each.
    for i in 0..24 {
        let id = if i == 0 {
            "sato".to_owned()
        } else {
            format!("guess{i}")
        };
        let err = login(&cx, &limiter, &id, "wrong password here", addr(A), at_s(i))
            .await
            .unwrap_err();
        assert!(matches!(err, LoginError::Invalid), "{id}: {err:?}");
    }
    // suzuki, whom A has not been failing, signs in from A with the right password.
    login(&cx, &limiter, "suzuki", PASSWORD, addr(A), at_s(30))
        .await
        .unwrap();
    // The ids A has been failing wait, known or not, with the same answer: until the oldest
    // of A's latest twenty failures (at 4 s) is 15 minutes old.
    for id in ["sato", "guess5"] {
        let err = login(&cx, &limiter, id, PASSWORD, addr(A), at_s(30))
            .await
            .unwrap_err();
        assert!(
            matches!(err, LoginError::Locked { retry_after } if retry_after.as_secs() == 874),
            "{id}: {err:?}"
        );
    }
    // sato from B is not affected.
    login(&cx, &limiter, "sato", PASSWORD, addr(B), at_s(30))
        .await
        .unwrap();
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
