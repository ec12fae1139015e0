//! Personal access tokens (make, list, revoke, authenticate) against an in-memory SQLite store
//! holding the example municipality. Times are passed in; no clock.
#![allow(clippy::unwrap_used)]

use keikaku_app::AppError;
use keikaku_app::Context;
use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::auth::token_hash;
use keikaku_app::tokens::{
    self, MAX_LIVE_TOKENS, SECRET_PREFIX, TokenState, authenticate_token, create_token, own_tokens,
    revoke_own_token, revoke_user_token, user_tokens,
};
use keikaku_app::transfer;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_storage::{AccountStore, Author, HistoryStore, Store, UserChange};
use keikaku_storage_sqlite::SqliteStore;

const SECOND: i64 = 1_000;
const DAY: i64 = 86_400_000;

fn t0() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn after(millis: i64) -> Timestamp {
    Timestamp::from_millis(t0().as_millis() + millis).unwrap()
}

fn code() -> MunicipalityCode {
    MunicipalityCode::parse("03209").unwrap()
}

fn user(id: &str, role: Role) -> User {
    User {
        login_id: LoginId::parse(id).unwrap(),
        display_name: format!("{id}さん"),
        department: "企画政策課".to_owned(),
        roles: vec![role],
        disabled: false,
    }
}

fn change(action: &str) -> UserChange {
    UserChange {
        action: action.to_owned(),
        before: None,
        after: None,
    }
}

fn cli() -> Author {
    Author {
        actor: "cli".to_owned(),
        at: t0(),
    }
}

/// A store with the example municipality and the users `sato` (planning office), `abe`
/// (member) and `admin` (administrator). Users are stored directly: no password is needed.
async fn store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", t0())
        .await
        .unwrap();
    for u in [
        user("sato", Role::PlanningOffice),
        user("abe", Role::Member),
        user("admin", Role::Administrator),
    ] {
        store
            .create_user(&code(), &u, "h", &cli(), &change("user.create"))
            .await
            .unwrap();
    }
    store
}

fn granted(id: &str, role: Role, action: Action) -> Granted {
    Granted::check(user(id, role), action).unwrap()
}

fn own(id: &str, role: Role) -> Granted {
    granted(id, role, Action::ManageOwnTokens)
}

#[tokio::test]
async fn a_token_is_made_once_and_only_its_hash_is_stored() {
    let store = store().await;
    let sato = own("sato", Role::PlanningOffice);
    let made = create_token(
        &Context::new(&store, &code()),
        &sato,
        "  進捗集計  ",
        Some(30),
        t0(),
    )
    .await
    .unwrap();
    assert!(made.secret.starts_with(SECRET_PREFIX), "{}", made.secret);
    assert!(tokens::is_secret_shaped(&made.secret));
    assert_eq!(made.token.name, "進捗集計");
    assert_eq!(made.token.token_hash, token_hash(&made.secret));
    assert_eq!(made.token.expires_at, Some(after(30 * DAY)));
    assert_eq!(made.token.login_id.as_str(), "sato");
    let listed = own_tokens(&Context::new(&store, &code()), &sato)
        .await
        .unwrap();
    assert_eq!(listed, vec![made.token.clone()]);
    // The secret is nowhere in storage: not in the token, not in the audit log.
    let entries = store.audit_entries(&code(), 0, 100).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "token.create");
    assert_eq!(last.actor, "sato");
    assert_eq!(last.target, made.token.id);
    for e in &entries {
        for text in [&e.before, &e.after].into_iter().flatten() {
            assert!(!text.contains(&made.secret[3..]), "{e:?}");
            assert!(!text.contains(&made.token.token_hash), "{e:?}");
        }
    }
    // Two tokens never share a secret or an id.
    let other = create_token(&Context::new(&store, &code()), &sato, "別", None, after(1))
        .await
        .unwrap();
    assert_ne!(other.secret, made.secret);
    assert_ne!(other.token.id, made.token.id);
    assert_eq!(other.token.expires_at, None);
    // Newest first.
    let ids: Vec<String> = own_tokens(&Context::new(&store, &code()), &sato)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, vec![other.token.id, made.token.id]);
}

#[tokio::test]
async fn bad_names_and_expiries_are_refused_with_their_field() {
    let store = store().await;
    let sato = own("sato", Role::PlanningOffice);
    let refused = create_token(&Context::new(&store, &code()), &sato, " ", Some(400), t0()).await;
    let Err(AppError::Invalid(problems)) = refused else {
        panic!("{refused:?}");
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["name", "expires_in_days"]);
    assert!(
        own_tokens(&Context::new(&store, &code()), &sato)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_user_holds_a_bounded_number_of_working_tokens() {
    let store = store().await;
    let sato = own("sato", Role::PlanningOffice);
    let mut first = None;
    for i in 0..MAX_LIVE_TOKENS {
        let made = create_token(
            &Context::new(&store, &code()),
            &sato,
            &format!("t{i}"),
            None,
            t0(),
        )
        .await
        .unwrap();
        first.get_or_insert(made.token.id);
    }
    let refused = create_token(
        &Context::new(&store, &code()),
        &sato,
        "one more",
        None,
        t0(),
    )
    .await;
    assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
    // Revoking one makes room.
    revoke_own_token(&Context::new(&store, &code()), &sato, &first.unwrap(), t0())
        .await
        .unwrap();
    create_token(
        &Context::new(&store, &code()),
        &sato,
        "one more",
        None,
        t0(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_bearer_secret_acts_for_its_user_until_revoked() {
    let store = store().await;
    let sato = own("sato", Role::PlanningOffice);
    let made = create_token(&Context::new(&store, &code()), &sato, "集計", None, t0())
        .await
        .unwrap();
    let found = authenticate_token(&Context::new(&store, &code()), &made.secret, after(SECOND))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.login_id.as_str(), "sato");
    assert_eq!(found.roles, vec![Role::PlanningOffice]);
    // Malformed or unknown secrets find nobody.
    for bad in [
        "",
        "kk_",
        &made.secret[3..],
        &format!("{}x", made.secret),
        &format!("kk_{}", "A".repeat(43)),
    ] {
        assert_eq!(
            authenticate_token(&Context::new(&store, &code()), bad, after(SECOND))
                .await
                .unwrap(),
            None,
            "{bad}"
        );
    }
    // Someone else cannot revoke it; its owner can, once.
    let abe = own("abe", Role::Member);
    let theirs = revoke_own_token(
        &Context::new(&store, &code()),
        &abe,
        &made.token.id,
        after(2 * SECOND),
    )
    .await;
    assert!(matches!(theirs, Err(AppError::NotFound(_))), "{theirs:?}");
    let revoked = revoke_own_token(
        &Context::new(&store, &code()),
        &sato,
        &made.token.id,
        after(2 * SECOND),
    )
    .await
    .unwrap();
    assert_eq!(revoked.revoked_at, Some(after(2 * SECOND)));
    assert_eq!(
        TokenState::of(&revoked, after(3 * SECOND)),
        TokenState::Revoked
    );
    let again = revoke_own_token(
        &Context::new(&store, &code()),
        &sato,
        &made.token.id,
        after(3 * SECOND),
    )
    .await;
    assert!(matches!(again, Err(AppError::NotFound(_))), "{again:?}");
    let shapeless = revoke_own_token(
        &Context::new(&store, &code()),
        &sato,
        "../x",
        after(3 * SECOND),
    )
    .await;
    assert!(
        matches!(shapeless, Err(AppError::NotFound(_))),
        "{shapeless:?}"
    );
    assert_eq!(
        authenticate_token(
            &Context::new(&store, &code()),
            &made.secret,
            after(3 * SECOND)
        )
        .await
        .unwrap(),
        None
    );
    let actions: Vec<(String, String)> = store
        .audit_entries(&code(), 0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("token."))
        .map(|e| (e.action, e.actor))
        .collect();
    assert_eq!(
        actions,
        [
            ("token.create".to_owned(), "sato".to_owned()),
            ("token.revoke".to_owned(), "sato".to_owned())
        ]
    );
}

#[tokio::test]
async fn expired_tokens_and_tokens_of_disabled_users_find_nobody() {
    let store = store().await;
    let sato = own("sato", Role::PlanningOffice);
    let made = create_token(
        &Context::new(&store, &code()),
        &sato,
        "一日だけ",
        Some(1),
        t0(),
    )
    .await
    .unwrap();
    let just_before = after(DAY - 1);
    assert!(
        authenticate_token(&Context::new(&store, &code()), &made.secret, just_before)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        authenticate_token(&Context::new(&store, &code()), &made.secret, after(DAY))
            .await
            .unwrap(),
        None
    );
    let listed = own_tokens(&Context::new(&store, &code()), &sato)
        .await
        .unwrap();
    assert_eq!(TokenState::of(&listed[0], after(DAY)), TokenState::Expired);
    assert_eq!(TokenState::of(&listed[0], t0()), TokenState::Active);
    // Disabling the user stops their tokens at once; enabling them again brings them back
    // (revoke them to end them for good).
    let forever = create_token(&Context::new(&store, &code()), &sato, "無期限", None, t0())
        .await
        .unwrap();
    let mut off = user("sato", Role::PlanningOffice);
    off.disabled = true;
    store
        .update_user(&code(), &off, None, None, &cli(), &change("user.update"))
        .await
        .unwrap();
    assert_eq!(
        authenticate_token(
            &Context::new(&store, &code()),
            &forever.secret,
            after(SECOND)
        )
        .await
        .unwrap(),
        None
    );
    off.disabled = false;
    store
        .update_user(&code(), &off, None, None, &cli(), &change("user.update"))
        .await
        .unwrap();
    assert!(
        authenticate_token(
            &Context::new(&store, &code()),
            &forever.secret,
            after(SECOND)
        )
        .await
        .unwrap()
        .is_some()
    );
    // A disabled user is granted nothing, tokens included.
    let mut disabled = user("abe", Role::Member);
    disabled.disabled = true;
    assert!(Granted::check(disabled, Action::ManageOwnTokens).is_err());
}

#[tokio::test]
async fn the_last_use_is_written_at_most_once_a_minute() {
    let store = store().await;
    let sato = own("sato", Role::PlanningOffice);
    let made = create_token(&Context::new(&store, &code()), &sato, "集計", None, t0())
        .await
        .unwrap();
    let last_used = || async {
        own_tokens(&Context::new(&store, &code()), &sato)
            .await
            .unwrap()[0]
            .last_used_at
    };
    assert_eq!(last_used().await, None);
    for (at, expected) in [
        (SECOND, SECOND),
        (30 * SECOND, SECOND),
        (61 * SECOND, 61 * SECOND),
        (62 * SECOND, 61 * SECOND),
    ] {
        authenticate_token(&Context::new(&store, &code()), &made.secret, after(at))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(last_used().await, Some(after(expected)), "at {at}");
    }
}

#[tokio::test]
async fn administrators_see_and_revoke_anyones_tokens() {
    let store = store().await;
    let abe = own("abe", Role::Member);
    let made = create_token(
        &Context::new(&store, &code()),
        &abe,
        "委員の集計",
        None,
        t0(),
    )
    .await
    .unwrap();
    let admin = granted("admin", Role::Administrator, Action::ManageUsers);
    let listed = user_tokens(&Context::new(&store, &code()), &admin, &made.token.login_id)
        .await
        .unwrap();
    assert_eq!(listed, vec![made.token.clone()]);
    // A grant for another action does not do.
    let refused = user_tokens(&Context::new(&store, &code()), &abe, &made.token.login_id).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    let refused =
        revoke_user_token(&Context::new(&store, &code()), &abe, &made.token.id, t0()).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    revoke_user_token(
        &Context::new(&store, &code()),
        &admin,
        &made.token.id,
        after(SECOND),
    )
    .await
    .unwrap();
    let last = store
        .audit_entries(&code(), 0, 100)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("token.revoke", "admin")
    );
    assert_eq!(
        authenticate_token(
            &Context::new(&store, &code()),
            &made.secret,
            after(2 * SECOND)
        )
        .await
        .unwrap(),
        None
    );
}
