//! The administrators' use cases for user accounts against an in-memory SQLite store holding
//! the example municipality: who may call them, lock-out protection, the conflict on a stale
//! fingerprint, and audit entries that never hold a password or its hash.
#![allow(clippy::unwrap_used)]

use keikaku_app::AppError;
use keikaku_app::Context;
use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::users::{self, NewUser, UserEdit, fingerprint};
use keikaku_app::{auth, transfer};
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_storage::{AccountStore, HistoryStore, Store};
use keikaku_storage_sqlite::SqliteStore;

const PASSWORD: &str = "correct horse battery";

fn t0() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn code() -> MunicipalityCode {
    MunicipalityCode::parse("03209").unwrap()
}

fn id(s: &str) -> LoginId {
    LoginId::parse(s).unwrap()
}

fn user(login: &str, role: Role) -> User {
    User {
        login_id: id(login),
        display_name: format!("{login} さん"),
        department: "企画政策課".to_owned(),
        roles: vec![role],
        disabled: false,
    }
}

/// A store with the example municipality, the administrator `admin` and the planning-office
/// user `kikaku`; and the administrator's grant to manage users.
async fn setup() -> (SqliteStore, Granted) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", t0())
        .await
        .unwrap();
    for (login, role) in [
        ("admin", Role::Administrator),
        ("kikaku", Role::PlanningOffice),
    ] {
        auth::create_user(
            &Context::new(&store, &code()),
            &Operator::at_console(),
            user(login, role),
            PASSWORD,
            t0(),
        )
        .await
        .unwrap();
    }
    let granted = Granted::check(user("admin", Role::Administrator), Action::ManageUsers).unwrap();
    (store, granted)
}

async fn stored(store: &SqliteStore, login: &str) -> (User, String) {
    store.user(&code(), &id(login)).await.unwrap().unwrap()
}

async fn audit_count(store: &SqliteStore) -> usize {
    store.audit_entries(&code(), 0, 1000).await.unwrap().len()
}

#[tokio::test]
async fn only_a_grant_to_manage_users_will_do() {
    let (store, _) = setup().await;
    let other = Granted::check(user("admin", Role::Administrator), Action::ReadAudit).unwrap();
    let kikaku = stored(&store, "kikaku").await.0;
    let seen = fingerprint(&kikaku);
    let refused = [
        users::create_user(
            &Context::new(&store, &code()),
            &other,
            NewUser {
                login_id: "mallory".to_owned(),
                display_name: "侵入者".to_owned(),
                roles: vec![Role::Administrator],
                password: PASSWORD.to_owned(),
                ..NewUser::default()
            },
            t0(),
        )
        .await
        .map(|_| ()),
        users::set_disabled(
            &Context::new(&store, &code()),
            &other,
            &id("kikaku"),
            &seen,
            true,
            t0(),
        )
        .await
        .map(|_| ()),
        users::reset_password(
            &Context::new(&store, &code()),
            &other,
            &id("kikaku"),
            &seen,
            "",
            t0(),
        )
        .await
        .map(|_| ()),
    ];
    for r in refused {
        assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    }
    // A user without the administrator's role gets no grant at all.
    assert!(Granted::check(user("kikaku", Role::PlanningOffice), Action::ManageUsers).is_err());
    assert_eq!(stored(&store, "kikaku").await.0, kikaku);
}

/// A NUL or other control character in a name is refused by the use case, with the field,
/// before any backend sees it (PostgreSQL used to fail with a 500, SQLite stored it).
#[tokio::test]
async fn control_characters_in_names_are_refused_by_field() {
    let (store, granted) = setup().await;
    let before = audit_count(&store).await;
    let err = users::create_user(
        &Context::new(&store, &code()),
        &granted,
        NewUser {
            login_id: "sato".to_owned(),
            display_name: "佐藤\u{0}花子".to_owned(),
            department: "企画\u{7}調整課".to_owned(),
            roles: vec![Role::Member],
            password: PASSWORD.to_owned(),
        },
        t0(),
    )
    .await
    .unwrap_err();
    let AppError::Invalid(problems) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(fields, ["display_name", "department"]);
    assert!(problems[0].message.starts_with("氏名に改行や制御文字"));
    assert_eq!(audit_count(&store).await, before, "nothing was written");
}

#[tokio::test]
async fn creating_checks_every_field_and_hashes_the_password() {
    let (store, granted) = setup().await;
    let before = audit_count(&store).await;
    let err = users::create_user(
        &Context::new(&store, &code()),
        &granted,
        NewUser {
            login_id: "佐藤".to_owned(),
            display_name: String::new(),
            department: "課".repeat(101),
            roles: vec![],
            password: "short".to_owned(),
        },
        t0(),
    )
    .await
    .unwrap_err();
    let AppError::Invalid(problems) = err else {
        panic!("{err:?}")
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "login_id",
            "display_name",
            "department",
            "roles",
            "password"
        ]
    );
    assert_eq!(audit_count(&store).await, before);

    let created = users::create_user(
        &Context::new(&store, &code()),
        &granted,
        NewUser {
            login_id: " sato ".to_owned(),
            display_name: "佐藤 花子".to_owned(),
            department: String::new(),
            roles: vec![Role::Member, Role::DepartmentEditor, Role::Member],
            password: PASSWORD.to_owned(),
        },
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(created.roles, vec![Role::DepartmentEditor, Role::Member]);
    let (user, hash) = stored(&store, "sato").await;
    assert_eq!(user, created);
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let entries = store.audit_entries(&code(), 0, 1000).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("user.create", "admin")
    );
    let text = format!("{:?}{:?}", last.before, last.after);
    assert!(!text.contains(PASSWORD) && !text.contains(&hash) && !text.contains("argon2"));

    let again = users::create_user(
        &Context::new(&store, &code()),
        &granted,
        NewUser {
            login_id: "sato".to_owned(),
            display_name: "別人".to_owned(),
            roles: vec![Role::Member],
            password: PASSWORD.to_owned(),
            ..NewUser::default()
        },
        t0(),
    )
    .await;
    assert!(
        matches!(again, Err(AppError::Conflict(ref m)) if m.contains("既に使われています")),
        "{again:?}"
    );
}

#[tokio::test]
async fn changes_are_audited_and_a_stale_fingerprint_is_a_conflict() {
    let (store, granted) = setup().await;
    let kikaku = stored(&store, "kikaku").await.0;
    let seen = fingerprint(&kikaku);
    let edit = UserEdit {
        display_name: "企画 太郎".to_owned(),
        department: "財政課".to_owned(),
        roles: vec![Role::Member],
    };
    let changed = users::update_user(
        &Context::new(&store, &code()),
        &granted,
        &id("kikaku"),
        &seen,
        edit.clone(),
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(stored(&store, "kikaku").await.0, changed);
    assert_ne!(fingerprint(&changed), seen);
    let count = audit_count(&store).await;

    // The same form again: the user changed since it was shown.
    for r in [
        users::update_user(
            &Context::new(&store, &code()),
            &granted,
            &id("kikaku"),
            &seen,
            edit.clone(),
            t0(),
        )
        .await,
        users::set_disabled(
            &Context::new(&store, &code()),
            &granted,
            &id("kikaku"),
            &seen,
            true,
            t0(),
        )
        .await,
        users::reset_password(
            &Context::new(&store, &code()),
            &granted,
            &id("kikaku"),
            &seen,
            "a new long password",
            t0(),
        )
        .await,
    ] {
        assert!(
            matches!(r, Err(AppError::Conflict(ref m)) if m.contains("ほかの人が変更しています")),
            "{r:?}"
        );
    }
    assert_eq!(audit_count(&store).await, count);

    // Saving what is stored writes nothing.
    let fresh = fingerprint(&changed);
    users::update_user(
        &Context::new(&store, &code()),
        &granted,
        &id("kikaku"),
        &fresh,
        edit,
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(audit_count(&store).await, count);

    // Disable, enable, new password: one audit entry each, never the password.
    let off = users::set_disabled(
        &Context::new(&store, &code()),
        &granted,
        &id("kikaku"),
        &fresh,
        true,
        t0(),
    )
    .await
    .unwrap();
    assert!(off.disabled);
    let on = users::set_disabled(
        &Context::new(&store, &code()),
        &granted,
        &id("kikaku"),
        &fingerprint(&off),
        false,
        t0(),
    )
    .await
    .unwrap();
    assert!(!on.disabled);
    let old_hash = stored(&store, "kikaku").await.1;
    users::reset_password(
        &Context::new(&store, &code()),
        &granted,
        &id("kikaku"),
        &fingerprint(&on),
        "a new long password",
        t0(),
    )
    .await
    .unwrap();
    let new_hash = stored(&store, "kikaku").await.1;
    assert_ne!(old_hash, new_hash);
    let entries = store.audit_entries(&code(), 0, 1000).await.unwrap();
    let actions: Vec<&str> = entries[count..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.disable", "user.enable", "user.password"]);
    for e in &entries[count..] {
        assert_eq!(e.actor, "admin");
        let text = format!("{:?}{:?}", e.before, e.after);
        assert!(
            !text.contains("a new long password") && !text.contains(&new_hash),
            "{text}"
        );
    }
}

#[tokio::test]
async fn administrators_cannot_lock_themselves_out() {
    let (store, granted) = setup().await;
    let me = stored(&store, "admin").await.0;
    let seen = fingerprint(&me);
    let r = users::set_disabled(
        &Context::new(&store, &code()),
        &granted,
        &id("admin"),
        &seen,
        true,
        t0(),
    )
    .await;
    assert!(
        matches!(&r, Err(AppError::Invalid(p)) if p[0].path == "disabled" && p[0].message.contains("利用停止にできません")),
        "{r:?}"
    );
    let r = users::update_user(
        &Context::new(&store, &code()),
        &granted,
        &id("admin"),
        &seen,
        UserEdit {
            display_name: me.display_name.clone(),
            department: me.department.clone(),
            roles: vec![Role::PlanningOffice],
        },
        t0(),
    )
    .await;
    assert!(
        matches!(&r, Err(AppError::Invalid(p)) if p[0].path == "roles" && p[0].message.contains("「管理者」の役割は外せません")),
        "{r:?}"
    );
    assert_eq!(stored(&store, "admin").await.0, me);
    // Another administrator's role may be removed.
    auth::create_user(
        &Context::new(&store, &code()),
        &Operator::at_console(),
        user("second", Role::Administrator),
        PASSWORD,
        t0(),
    )
    .await
    .unwrap();
    let second = stored(&store, "second").await.0;
    users::set_disabled(
        &Context::new(&store, &code()),
        &granted,
        &id("second"),
        &fingerprint(&second),
        true,
        t0(),
    )
    .await
    .unwrap();
}
