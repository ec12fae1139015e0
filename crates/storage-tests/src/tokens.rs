//! The conformance story of API tokens: stored by hash and audited without it, listed,
//! found, touched and revoked once, scoped by municipality.

use keikaku_domain::account::{Role, User};
use keikaku_domain::audit::{Timestamp, verify_chain};
use keikaku_storage::{Author, ExistingPlan, Store, StoreError, TokenRecord};

use crate::{author, change, code_of, example, put, user};

/// API tokens: stored by hash with an audit entry (never the hash or a secret in it), listed
/// newest first per user, found by hash, touched, revoked once (only the owner's when an owner
/// is given), scoped by municipality.
#[allow(clippy::too_many_lines)] // one story: a token's whole life, step by step
pub async fn tokens_are_created_listed_touched_and_revoked(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    let t = |ms: i64| Timestamp::from_millis(1_764_000_000_000 + ms).unwrap();
    let sato = user("sato", &[Role::PlanningOffice]);
    let abe = user("abe", &[Role::Member]);
    let token = |id: &str, owner: &User, created: i64| TokenRecord {
        id: id.to_owned(),
        login_id: owner.login_id.clone(),
        name: format!("集計スクリプト {id}"),
        token_hash: format!("{:0>64}", id),
        created_at: t(created),
        last_used_at: None,
        expires_at: (id == "t1").then(|| t(86_400_000)),
        revoked_at: None,
    };
    let refused = store
        .create_token(code, &token("t1", &sato, 0), &author())
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
    for u in [&sato, &abe] {
        store
            .create_user(code, u, "h", &author(), &change("user.create"))
            .await
            .unwrap();
    }
    let (t1, t2, t3) = (
        token("t1", &sato, 0),
        token("t2", &sato, 10),
        token("t3", &abe, 5),
    );
    for tok in [&t1, &t2, &t3] {
        store.create_token(code, tok, &author()).await.unwrap();
    }
    // A token of nobody, or with a hash in use, is refused and writes nothing.
    let ghost = token("t4", &user("nobody", &[Role::Member]), 20);
    assert!(store.create_token(code, &ghost, &author()).await.is_err());
    let mut twin = token("t5", &sato, 30);
    twin.token_hash = t1.token_hash.clone();
    assert!(store.create_token(code, &twin, &author()).await.is_err());
    assert_eq!(
        store.tokens(code, &sato.login_id).await.unwrap(),
        vec![t2.clone(), t1.clone()]
    );
    assert_eq!(
        store.tokens(code, &abe.login_id).await.unwrap(),
        vec![t3.clone()]
    );
    assert_eq!(
        store.token_by_hash(code, &t1.token_hash).await.unwrap(),
        Some(t1.clone())
    );
    assert_eq!(store.token_by_hash(code, "0").await.unwrap(), None);
    assert_eq!(
        store
            .token_by_hash(&code_of("03201"), &t1.token_hash)
            .await
            .unwrap(),
        None
    );
    store.touch_token(code, "t1", t(500)).await.unwrap();
    assert_eq!(
        store
            .token_by_hash(code, &t1.token_hash)
            .await
            .unwrap()
            .unwrap()
            .last_used_at,
        Some(t(500))
    );
    // Someone else's token is not revoked through an owner filter.
    let revoker = Author {
        actor: "sato".to_owned(),
        at: t(1_000),
    };
    assert_eq!(
        store
            .revoke_token(code, "t1", Some(&abe.login_id), &revoker)
            .await
            .unwrap(),
        None
    );
    let revoked = store
        .revoke_token(code, "t1", Some(&sato.login_id), &revoker)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(t(1_000)));
    assert_eq!(revoked.last_used_at, Some(t(500)));
    assert_eq!(
        store
            .token_by_hash(code, &t1.token_hash)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(t(1_000))
    );
    // Revoking twice, or an unknown token, changes nothing.
    assert_eq!(
        store
            .revoke_token(code, "t1", Some(&sato.login_id), &revoker)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .revoke_token(code, "zz", None, &revoker)
            .await
            .unwrap(),
        None
    );
    // Without an owner filter (an administrator), anyone's token.
    assert!(
        store
            .revoke_token(code, "t3", None, &revoker)
            .await
            .unwrap()
            .is_some()
    );
    let entries = store.audit_entries(code, 0, 100).await.unwrap();
    let tokens: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.action.starts_with("token."))
        .map(|e| (e.action.as_str(), e.target.as_str()))
        .collect();
    assert_eq!(
        tokens,
        vec![
            ("token.create", "t1"),
            ("token.create", "t2"),
            ("token.create", "t3"),
            ("token.revoke", "t1"),
            ("token.revoke", "t3"),
        ]
    );
    let revoke = entries.iter().rfind(|e| e.target == "t1").unwrap();
    assert_eq!(revoke.actor, "sato");
    assert!(
        revoke
            .after
            .as_deref()
            .unwrap()
            .contains("集計スクリプト t1"),
        "{revoke:?}"
    );
    for e in &entries {
        for text in [&e.before, &e.after].into_iter().flatten() {
            assert!(!text.contains(&t1.token_hash), "{e:?}");
        }
    }
    assert_eq!(verify_chain(&entries), Ok(entries.len() as u64));
}
