//! The conformance stories of accounts: users (created once, updated, audited without their
//! passwords) and sessions (found, touched, expired, ended by a new password or disabling).

use keikaku_domain::account::Role;
use keikaku_domain::audit::{Timestamp, verify_chain};
use keikaku_storage::{ExistingPlan, SessionRecord, Store, StoreError};

use crate::{author, change, example, put, user};

/// Users: create (once), read with the hash, list, update (roles, name, password), each with
/// an audit entry; unknown municipality refused.
#[allow(clippy::too_many_lines)] // one story: a user's whole life, step by step
pub async fn users_are_created_updated_and_audited(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    let sato = user("sato", &[Role::Administrator, Role::PlanningOffice]);
    let refused = store
        .create_user(
            code,
            &sato,
            "$argon2id$hash",
            &author(),
            &change("user.create"),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::UnknownMunicipality(_))),
        "{refused:?}"
    );
    put(
        store,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    store
        .create_user(
            code,
            &sato,
            "$argon2id$hash",
            &author(),
            &change("user.create"),
        )
        .await
        .unwrap();
    let again = store
        .create_user(code, &sato, "other", &author(), &change("user.create"))
        .await;
    assert!(
        matches!(again, Err(StoreError::UserExists(ref l)) if l.as_str() == "sato"),
        "{again:?}"
    );
    assert_eq!(
        store.user(code, &sato.login_id).await.unwrap(),
        Some((sato.clone(), "$argon2id$hash".to_owned()))
    );
    let mut changed = sato.clone();
    changed.display_name = "佐藤 花子（企画）".to_owned();
    changed.roles = vec![Role::Member];
    assert!(
        store
            .update_user(
                code,
                &changed,
                None,
                None,
                &author(),
                &change("user.update")
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.user(code, &sato.login_id).await.unwrap(),
        Some((changed.clone(), "$argon2id$hash".to_owned()))
    );
    assert!(
        store
            .update_user(
                code,
                &changed,
                None,
                Some("$argon2id$new"),
                &author(),
                &change("user.password")
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.user(code, &sato.login_id).await.unwrap().unwrap().1,
        "$argon2id$new"
    );
    // A change from a stale state is refused and writes nothing; from the stored state it
    // goes through.
    let mut second = changed.clone();
    second.department = "総務課".to_owned();
    let stale = store
        .update_user(
            code,
            &second,
            Some(&sato),
            None,
            &author(),
            &change("user.update"),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    assert_eq!(
        store.user(code, &sato.login_id).await.unwrap().unwrap().0,
        changed
    );
    assert!(
        store
            .update_user(
                code,
                &second,
                Some(&changed),
                None,
                &author(),
                &change("user.update")
            )
            .await
            .unwrap()
    );
    let ghost = user("nobody", &[Role::Member]);
    assert!(
        !store
            .update_user(code, &ghost, None, None, &author(), &change("user.update"))
            .await
            .unwrap()
    );
    store
        .create_user(
            code,
            &user("abe", &[Role::DepartmentEditor]),
            "h",
            &author(),
            &change("user.create"),
        )
        .await
        .unwrap();
    let ids: Vec<String> = store
        .users(code)
        .await
        .unwrap()
        .iter()
        .map(|u| u.login_id.to_string())
        .collect();
    assert_eq!(ids, vec!["abe", "sato"]);
    let entries = store.audit_entries(code, 0, 100).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "plan.import",
            "user.create",
            "user.update",
            "user.password",
            "user.update",
            "user.create"
        ]
    );
    assert_eq!(entries[1].target, "sato");
    assert_eq!(verify_chain(&entries), Ok(6));
    assert!(
        entries
            .iter()
            .all(|e| !e.after.as_deref().unwrap_or("").contains("argon2"))
    );
}

/// Sessions: stored by token hash, touched, deleted, expired; a password change or disabling
/// the user ends them.
#[allow(clippy::too_many_lines)] // one story: a session's whole life, step by step
pub async fn sessions_are_found_touched_and_expired(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(
        store,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    let sato = user("sato", &[Role::PlanningOffice]);
    store
        .create_user(code, &sato, "h", &author(), &change("user.create"))
        .await
        .unwrap();
    let t = |ms: i64| Timestamp::from_millis(1_764_000_000_000 + ms).unwrap();
    let session = |hash: &str, created: i64| SessionRecord {
        token_hash: hash.to_owned(),
        login_id: sato.login_id.clone(),
        csrf_token: format!("csrf-{hash}"),
        created_at: t(created),
        last_seen_at: t(created),
    };
    store.create_session(code, &session("a", 0)).await.unwrap();
    store
        .create_session(code, &session("b", 1_000))
        .await
        .unwrap();
    assert_eq!(
        store.session(code, "a").await.unwrap(),
        Some(session("a", 0))
    );
    assert_eq!(store.session(code, "zzz").await.unwrap(), None);
    store.touch_session(code, "a", t(5_000)).await.unwrap();
    assert_eq!(
        store
            .session(code, "a")
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        t(5_000)
    );
    // Idle before 2,000 ms: only "b" (last seen at 1,000) goes.
    assert_eq!(
        store
            .delete_expired_sessions(code, t(2_000), t(0))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.session(code, "b").await.unwrap(), None);
    // Created before 1 ms: "a" goes by absolute expiry although recently used.
    store.create_session(code, &session("c", 10)).await.unwrap();
    assert_eq!(
        store
            .delete_expired_sessions(code, t(0), t(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.session(code, "a").await.unwrap(), None);
    assert!(store.session(code, "c").await.unwrap().is_some());
    store.delete_session(code, "c").await.unwrap();
    store.delete_session(code, "c").await.unwrap();
    assert_eq!(store.session(code, "c").await.unwrap(), None);
    // A new password ends every session of the user.
    store.create_session(code, &session("d", 20)).await.unwrap();
    store
        .update_user(
            code,
            &sato,
            None,
            Some("h2"),
            &author(),
            &change("user.password"),
        )
        .await
        .unwrap();
    assert_eq!(store.session(code, "d").await.unwrap(), None);
    // So does disabling the user.
    store.create_session(code, &session("e", 30)).await.unwrap();
    let mut off = sato.clone();
    off.disabled = true;
    store
        .update_user(code, &off, None, None, &author(), &change("user.update"))
        .await
        .unwrap();
    assert_eq!(store.session(code, "e").await.unwrap(), None);
}
