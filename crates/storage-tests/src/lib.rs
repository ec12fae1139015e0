//! The conformance suite every storage adapter must pass: one story, run on SQLite and on
//! PostgreSQL alike.
//!
//! An adapter's test file calls [`conformance_tests!`] with an async factory that returns a
//! fresh, empty store (or `None` when the backend is unreachable and skipping is allowed):
//!
//! ```text
//! async fn fresh() -> Option<(SqliteStore, TempDir)> { … }
//! keikaku_storage_tests::conformance_tests!(fresh);
//! ```
#![allow(clippy::unwrap_used, clippy::panic)] // a test suite: a failed expectation panics

use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::{Timestamp, verify_chain};
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId, PlanStatus};
use keikaku_planfile::PlanFile;
use keikaku_storage::{
    Author, ExistingPlan, PlanWrite, SessionRecord, Store, StoreError, TokenRecord, UserChange,
};

/// The example plans (Ichinoseki), parsed.
pub fn example() -> PlanFile {
    keikaku_planfile::parse(keikaku_planfile::example("ichinoseki").unwrap(), &[]).unwrap()
}

fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn plan_id(s: &str) -> PlanId {
    PlanId::parse(s).unwrap()
}

/// The author of every write in the suite, at a fixed time (tests use no wall clock).
pub fn author() -> Author {
    Author {
        actor: "tester".to_owned(),
        at: Timestamp::from_millis(1_764_000_000_000).unwrap(),
    }
}

/// Plans as writes, with plan-file snapshots the way the use cases make them.
pub fn writes(municipality: &Municipality, plans: &[Plan]) -> Vec<PlanWrite> {
    plans
        .iter()
        .map(|p| PlanWrite {
            plan: p.clone(),
            before: None,
            after: keikaku_planfile::to_json(municipality, std::slice::from_ref(p)),
            action: None,
        })
        .collect()
}

/// Stores plans through the port.
async fn put(
    store: &dyn Store,
    m: &Municipality,
    plans: &[Plan],
    existing: ExistingPlan,
) -> Result<(), StoreError> {
    store
        .insert_plans(m, &writes(m, plans), existing, &author())
        .await
}

fn comprehensive(file: &PlanFile) -> Plan {
    file.plans[0].clone()
}

/// Every test of the suite, by name, for [`conformance_tests!`].
#[macro_export]
macro_rules! conformance_tests {
    ($factory:path) => {
        $crate::conformance_tests!(@each $factory,
            stores_and_loads_the_example_exactly,
            lists_plans_in_display_order,
            refuses_an_existing_plan_and_writes_nothing,
            replaces_a_plan_in_one_transaction,
            refuses_a_replacement_that_breaks_links,
            deletes_plans_but_not_link_targets,
            data_version_grows_with_every_write,
            municipalities_are_isolated,
            keeps_text_exactly,
            unknown_plan_is_none,
            every_write_is_audited_in_an_intact_chain,
            every_write_freezes_a_version,
            users_are_created_updated_and_audited,
            sessions_are_found_touched_and_expired,
            edits_check_versions_and_are_audited,
            tokens_are_created_listed_touched_and_revoked
        );
    };
    (@each $factory:path, $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let Some((store, _guard)) = $factory().await else { return };
                keikaku_storage::Store::migrate(&store).await.unwrap();
                $crate::$name(&store).await;
            }
        )*
    };
}

/// The example goes in and comes out equal, field for field.
pub async fn stores_and_loads_the_example_exactly(store: &dyn Store) {
    let file = example();
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    for plan in &file.plans {
        let loaded = store
            .plan(&file.municipality.code, plan.id())
            .await
            .unwrap();
        assert_eq!(loaded.as_ref(), Some(plan), "plan {}", plan.id());
    }
    assert_eq!(
        store.municipalities().await.unwrap(),
        vec![file.municipality.clone()]
    );
    assert_eq!(
        store.municipality(&file.municipality.code).await.unwrap(),
        Some(file.municipality.clone())
    );
    // Migrating again is harmless.
    store.migrate().await.unwrap();
}

/// Plans are listed by position.
pub async fn lists_plans_in_display_order(store: &dyn Store) {
    let file = example();
    let reversed: Vec<Plan> = file.plans.iter().rev().cloned().collect();
    put(store, &file.municipality, &reversed, ExistingPlan::Refuse)
        .await
        .unwrap();
    let summaries = store.plan_summaries(&file.municipality.code).await.unwrap();
    let ids: Vec<&str> = summaries.iter().map(|s| s.header.id.as_str()).collect();
    assert_eq!(ids, vec!["sogo-keikaku", "sogo-senryaku"]);
    assert_eq!(&summaries[0].header, file.plans[0].header());
    assert_eq!(summaries[1].kind, file.plans[1].kind());
}

/// Importing the same plan twice is refused; a batch with one new and one existing plan writes
/// neither.
pub async fn refuses_an_existing_plan_and_writes_nothing(store: &dyn Store) {
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
    let version = store.data_version(code).await.unwrap();
    let err = put(
        store,
        &file.municipality,
        &[file.plans[1].clone(), file.plans[0].clone()],
        ExistingPlan::Refuse,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::PlanExists(ref id) if id.as_str() == "sogo-keikaku"),
        "{err}"
    );
    assert_eq!(
        store.plan(code, &plan_id("sogo-senryaku")).await.unwrap(),
        None
    );
    assert_eq!(store.plan_summaries(code).await.unwrap().len(), 1);
    assert_eq!(store.data_version(code).await.unwrap(), version);
}

/// Replacing a plan swaps it whole.
pub async fn replaces_a_plan_in_one_transaction(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let Plan::Comprehensive(mut changed) = comprehensive(&file) else {
        panic!()
    };
    changed.header.title = "一関市総合計画（改訂）".to_owned();
    changed.basic_plans[0].fields[0].current_state = "新しい現状と課題".to_owned();
    changed.basic_plans[1].title = "後期基本計画（案）".to_owned();
    let changed = Plan::Comprehensive(changed);
    put(
        store,
        &file.municipality,
        std::slice::from_ref(&changed),
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    assert_eq!(store.plan(code, changed.id()).await.unwrap(), Some(changed));
    // The strategy that links into it is untouched.
    assert_eq!(
        store.plan(code, file.plans[1].id()).await.unwrap().as_ref(),
        Some(&file.plans[1])
    );
}

/// A replacement that removes a measure another plan links to is refused, and nothing changes.
pub async fn refuses_a_replacement_that_breaks_links(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let Plan::Comprehensive(mut broken) = comprehensive(&file) else {
        panic!()
    };
    broken.header.title = "壊れた計画".to_owned();
    // measure-1-2-1 is linked from the strategy.
    broken.basic_plans[0].fields[1].measures.clear();
    for pp in &mut broken.basic_plans[0].priority_projects {
        pp.measures.retain(|m| m.as_str() != "measure-1-2-1");
    }
    let result = put(
        store,
        &file.municipality,
        &[Plan::Comprehensive(broken)],
        ExistingPlan::Replace,
    )
    .await;
    assert!(result.is_err(), "a replacement that breaks links must fail");
    assert_eq!(
        store.plan(code, file.plans[0].id()).await.unwrap().as_ref(),
        Some(&file.plans[0])
    );
}

/// A plan can be deleted; a plan that another links to cannot.
pub async fn deletes_plans_but_not_link_targets(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    assert!(
        store
            .delete_plan(code, file.plans[0].id(), &author(), None)
            .await
            .is_err()
    );
    assert!(
        store
            .plan(code, file.plans[0].id())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .delete_plan(code, file.plans[1].id(), &author(), None)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_plan(code, file.plans[1].id(), &author(), None)
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_plan(code, file.plans[0].id(), &author(), None)
            .await
            .unwrap()
    );
    assert!(store.plan_summaries(code).await.unwrap().is_empty());
}

/// The data version moves on every write and only then.
pub async fn data_version_grows_with_every_write(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    assert_eq!(store.data_version(code).await.unwrap(), 0);
    put(
        store,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    let v1 = store.data_version(code).await.unwrap();
    let _ = store.plan(code, file.plans[0].id()).await.unwrap();
    assert_eq!(store.data_version(code).await.unwrap(), v1);
    put(
        store,
        &file.municipality,
        &file.plans[1..],
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    let v2 = store.data_version(code).await.unwrap();
    assert!(v2 > v1);
    store
        .delete_plan(code, file.plans[1].id(), &author(), None)
        .await
        .unwrap();
    assert!(store.data_version(code).await.unwrap() > v2);
}

/// Two municipalities with the same plan ids see only their own plans.
pub async fn municipalities_are_isolated(store: &dyn Store) {
    let file = example();
    let other = Municipality {
        code: code("03201"),
        name: "盛岡市".to_owned(),
        prefecture: "岩手県".to_owned(),
    };
    let Plan::Comprehensive(mut theirs) = comprehensive(&file) else {
        panic!()
    };
    theirs.header.municipality = other.code.clone();
    theirs.header.title = "盛岡市総合計画".to_owned();
    let theirs = Plan::Comprehensive(theirs);
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    put(
        store,
        &other,
        std::slice::from_ref(&theirs),
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    assert_eq!(
        store.plan(&other.code, theirs.id()).await.unwrap(),
        Some(theirs.clone())
    );
    assert_eq!(
        store
            .plan(&file.municipality.code, theirs.id())
            .await
            .unwrap()
            .as_ref(),
        Some(&file.plans[0])
    );
    assert_eq!(store.plan_summaries(&other.code).await.unwrap().len(), 1);
    assert_eq!(store.municipalities().await.unwrap().len(), 2);
    store
        .delete_plan(&other.code, theirs.id(), &author(), None)
        .await
        .unwrap();
    assert!(
        store
            .plan(&file.municipality.code, theirs.id())
            .await
            .unwrap()
            .is_some()
    );
}

/// Whatever a user typed comes back byte for byte: markup, SQL, IVS, emoji, line breaks.
pub async fn keeps_text_exactly(store: &dyn Store) {
    let file = example();
    let Plan::Comprehensive(mut p) = comprehensive(&file) else {
        panic!()
    };
    let texts = [
        "<script>alert('x')</script>&amp;\"",
        "'; DROP TABLE plan; --",
        "葛\u{E0100}城市と邉\u{E0101}、髙﨑 🏯",
        "一行目\n二行目\r\n\t三行目　全角空白",
    ];
    p.header.title = texts[0].to_owned();
    p.vision.future_image = texts[1].to_owned();
    p.basic_plans[0].fields[0].current_state = texts[2].to_owned();
    p.basic_plans[0].fields[3].measures[0].course_of_action = texts[3].to_owned();
    let p = Plan::Comprehensive(p);
    put(
        store,
        &file.municipality,
        std::slice::from_ref(&p),
        ExistingPlan::Refuse,
    )
    .await
    .unwrap();
    assert_eq!(
        store.plan(&file.municipality.code, p.id()).await.unwrap(),
        Some(p)
    );
}

/// An unknown plan or municipality is simply absent.
pub async fn unknown_plan_is_none(store: &dyn Store) {
    let c = code("03209");
    assert_eq!(store.plan(&c, &plan_id("nothing")).await.unwrap(), None);
    assert_eq!(store.municipality(&c).await.unwrap(), None);
    assert!(store.plan_summaries(&c).await.unwrap().is_empty());
    assert!(
        !store
            .delete_plan(&c, &plan_id("nothing"), &author(), None)
            .await
            .unwrap()
    );
}

/// Imports, replacements and deletions each leave one audit entry, chained by hashes.
pub async fn every_write_is_audited_in_an_intact_chain(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    put(
        store,
        &file.municipality,
        &file.plans[1..],
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    // A refused write leaves no entry.
    assert!(
        put(
            store,
            &file.municipality,
            &file.plans[..1],
            ExistingPlan::Refuse
        )
        .await
        .is_err()
    );
    assert!(
        store
            .delete_plan(code, file.plans[1].id(), &author(), Some("{}".to_owned()))
            .await
            .unwrap()
    );
    let entries = store.audit_entries(code, 0, 100).await.unwrap();
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("plan.import", "sogo-keikaku"),
            ("plan.import", "sogo-senryaku"),
            ("plan.replace", "sogo-senryaku"),
            ("plan.delete", "sogo-senryaku"),
        ]
    );
    assert_eq!(verify_chain(&entries), Ok(4));
    assert!(
        entries
            .iter()
            .all(|e| e.actor == "tester" && e.at == author().at)
    );
    assert_eq!(entries[3].before.as_deref(), Some("{}"));
    assert_eq!(entries[3].after, None);
    // Paging.
    let tail = store.audit_entries(code, 2, 1).await.unwrap();
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0], entries[2]);
    // Another municipality has its own chain.
    let other = Municipality {
        code: code_of("03201"),
        name: "盛岡市".to_owned(),
        prefecture: "岩手県".to_owned(),
    };
    assert!(
        store
            .audit_entries(&other.code, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

fn code_of(s: &str) -> MunicipalityCode {
    code(s)
}

/// Every write of a plan freezes the next version with its snapshot; versions outlive a
/// deleted plan.
pub async fn every_write_freezes_a_version(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let Plan::Strategy(mut draft) = file.plans[1].clone() else {
        panic!()
    };
    draft.header.status = PlanStatus::Draft;
    let draft = Plan::Strategy(draft);
    put(
        store,
        &file.municipality,
        std::slice::from_ref(&draft),
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    let versions = store.plan_versions(code, draft.id()).await.unwrap();
    let numbers: Vec<(u32, PlanStatus)> = versions.iter().map(|v| (v.number, v.status)).collect();
    assert_eq!(
        numbers,
        vec![(1, PlanStatus::Published), (2, PlanStatus::Draft)]
    );
    let (summary, snapshot) = store
        .plan_version(code, draft.id(), 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary, versions[1]);
    assert_eq!(
        snapshot,
        keikaku_planfile::to_json(&file.municipality, std::slice::from_ref(&draft))
    );
    assert_eq!(store.plan_version(code, draft.id(), 3).await.unwrap(), None);
    let entries = store.audit_entries(code, 0, 100).await.unwrap();
    assert_eq!(versions[1].audit_sequence, entries.last().unwrap().sequence);
    store
        .delete_plan(code, draft.id(), &author(), None)
        .await
        .unwrap();
    assert_eq!(
        store.plan_versions(code, draft.id()).await.unwrap().len(),
        2
    );
    assert_eq!(
        store
            .plan_versions(code, file.plans[0].id())
            .await
            .unwrap()
            .len(),
        1
    );
}

fn user(login: &str, roles: &[Role]) -> User {
    User {
        login_id: LoginId::parse(login).unwrap(),
        display_name: "佐藤 花子".to_owned(),
        department: "企画調整課".to_owned(),
        roles: roles.to_vec(),
        disabled: false,
    }
}

fn change(action: &str) -> UserChange {
    UserChange {
        action: action.to_owned(),
        before: None,
        after: Some(action.to_owned()),
    }
}

/// Users: create (once), read with the hash, list, update (roles, name, password), each with
/// an audit entry; unknown municipality refused.
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

/// API tokens: stored by hash with an audit entry (never the hash or a secret in it), listed
/// newest first per user, found by hash, touched, revoked once (only the owner's when an owner
/// is given), scoped by municipality.
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

fn element_row(plan: &Plan, id: &str) -> keikaku_storage::rows::ElementRow {
    keikaku_storage::rows::flatten(plan)
        .elements
        .into_iter()
        .find(|e| e.id == id)
        .unwrap()
}

fn record(action: &str) -> UserChange {
    UserChange {
        action: action.to_owned(),
        before: Some("before".to_owned()),
        after: Some("after".to_owned()),
    }
}

fn edit(plan: &str, change: keikaku_storage::Change) -> keikaku_storage::PlanEdit {
    keikaku_storage::PlanEdit {
        plan: plan_id(plan),
        changes: vec![change],
        record: record("element.update"),
        target: plan.to_owned(),
        freeze: None,
    }
}

/// Element edits: each checks the version it started from, so of two editors saving the same
/// element from the same version exactly one succeeds; each is audited; reordering keeps
/// versions; a replacement makes open forms stale; a link target cannot be deleted.
pub async fn edits_check_versions_and_are_audited(store: &dyn Store) {
    use keikaku_storage::Change;
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let pid = plan_id("sogo-keikaku");
    let versions = store.edit_versions(code, &pid).await.unwrap().unwrap();
    assert_eq!(versions.revision, 1);
    assert_eq!(versions.status, Some(PlanStatus::Published));
    assert_eq!(versions.elements["measure-1-1-1"], 1);
    assert!(
        store
            .edit_versions(code, &plan_id("nope"))
            .await
            .unwrap()
            .is_none()
    );

    // Two editors start from version 1; the first wins, the second is refused.
    let plan = comprehensive(&file);
    let mut first = element_row(&plan, "measure-1-1-1");
    first.title = "一人目の<script>編集</script>".to_owned();
    let mut second = first.clone();
    second.title = "二人目の編集".to_owned();
    store
        .edit_plan(
            code,
            &edit(
                "sogo-keikaku",
                Change::Update {
                    row: first.clone(),
                    expected: 1,
                },
            ),
            &author(),
        )
        .await
        .unwrap();
    let err = store
        .edit_plan(
            code,
            &edit(
                "sogo-keikaku",
                Change::Update {
                    row: second,
                    expected: 1,
                },
            ),
            &author(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Stale(ref id) if id == "measure-1-1-1"),
        "{err:?}"
    );
    let stored = store.plan(code, &pid).await.unwrap().unwrap();
    assert_eq!(element_row(&stored, "measure-1-1-1").title, first.title);
    let versions = store.edit_versions(code, &pid).await.unwrap().unwrap();
    assert_eq!(versions.elements["measure-1-1-1"], 2);

    // Insert, reorder (versions kept), relink, delete.
    let mut added = element_row(&stored, "measure-1-1-1");
    added.id = "measure-new-1".to_owned();
    added.position = 1;
    added.title = "新しい施策".to_owned();
    store
        .edit_plan(
            code,
            &edit("sogo-keikaku", Change::Insert { row: added }),
            &author(),
        )
        .await
        .unwrap();
    let mut swap = edit(
        "sogo-keikaku",
        Change::Position {
            id: "measure-new-1".to_owned(),
            from: 1,
            position: 0,
        },
    );
    swap.changes.push(Change::Position {
        id: "measure-1-1-1".to_owned(),
        from: 0,
        position: 1,
    });
    store.edit_plan(code, &swap, &author()).await.unwrap();
    // The same reordering again starts from positions that are no longer there.
    assert!(matches!(
        store.edit_plan(code, &swap, &author()).await,
        Err(StoreError::Stale(_))
    ));
    // An element with a child cannot be deleted (one may have been added meanwhile).
    let field_version = store
        .edit_versions(code, &pid)
        .await
        .unwrap()
        .unwrap()
        .elements["field-1-1"];
    assert!(matches!(
        store
            .edit_plan(
                code,
                &edit(
                    "sogo-keikaku",
                    Change::Delete {
                        id: "field-1-1".to_owned(),
                        expected: field_version,
                    },
                ),
                &author(),
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    // Element edits can require the plan to be in a status (checked in the transaction).
    assert!(matches!(
        store
            .edit_plan(
                code,
                &edit(
                    "sogo-keikaku",
                    Change::StatusIn(vec![PlanStatus::Draft, PlanStatus::UnderDeliberation]),
                ),
                &author(),
            )
            .await,
        Err(StoreError::Stale(ref s)) if s == "status"
    ));
    let stored = store.plan(code, &pid).await.unwrap().unwrap();
    let Plan::Comprehensive(c) = &stored else {
        panic!()
    };
    let ids: Vec<&str> = c.basic_plans[0].fields[0]
        .measures
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(ids, vec!["measure-new-1", "measure-1-1-1"]);
    let versions = store.edit_versions(code, &pid).await.unwrap().unwrap();
    assert_eq!(versions.elements["measure-1-1-1"], 2);
    let relink = edit(
        "sogo-keikaku",
        Change::Links {
            from_id: "priority-project-1".to_owned(),
            kind: keikaku_storage::rows::link::PROJECT_MEASURE.to_owned(),
            links: vec![keikaku_storage::rows::LinkRow {
                from_id: "priority-project-1".to_owned(),
                kind: keikaku_storage::rows::link::PROJECT_MEASURE.to_owned(),
                to_plan_id: "sogo-keikaku".to_owned(),
                to_id: "measure-new-1".to_owned(),
                position: 0,
            }],
        },
    );
    store.edit_plan(code, &relink, &author()).await.unwrap();
    let stored = store.plan(code, &pid).await.unwrap().unwrap();
    let Plan::Comprehensive(c) = &stored else {
        panic!()
    };
    let linked: Vec<&str> = c.basic_plans[0].priority_projects[0]
        .measures
        .iter()
        .map(|m| m.as_str())
        .collect();
    assert_eq!(linked, vec!["measure-new-1"]);
    // Deleting from a stale version is refused; a measure a strategy links to cannot go.
    let stale = store
        .edit_plan(
            code,
            &edit(
                "sogo-keikaku",
                Change::Delete {
                    id: "measure-1-1-1".to_owned(),
                    expected: 1,
                },
            ),
            &author(),
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Stale(_)), "{stale:?}");
    let linked_target = file.plans[1].clone();
    let Plan::Strategy(s) = &linked_target else {
        panic!()
    };
    let target = s
        .basic_objectives
        .iter()
        .flat_map(|o| &o.measures)
        .flat_map(|m| &m.linked_measures)
        .next()
        .unwrap()
        .element
        .clone();
    let version = store
        .edit_versions(code, &pid)
        .await
        .unwrap()
        .unwrap()
        .elements[target.as_str()];
    let refused = store
        .edit_plan(
            code,
            &edit(
                "sogo-keikaku",
                Change::Delete {
                    id: target.to_string(),
                    expected: version,
                },
            ),
            &author(),
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Referenced(_)), "{refused:?}");
    assert!(
        store
            .edit_versions(code, &pid)
            .await
            .unwrap()
            .unwrap()
            .elements
            .contains_key(target.as_str())
    );
    // The priority project links to the new measure: it goes only with the link.
    let mut delete = edit(
        "sogo-keikaku",
        Change::Delete {
            id: "measure-new-1".to_owned(),
            expected: 1,
        },
    );
    assert!(matches!(
        store.edit_plan(code, &delete, &author()).await,
        Err(StoreError::Referenced(_))
    ));
    let keikaku_storage::Change::Links { from_id, kind, .. } = &relink.changes[0] else {
        panic!()
    };
    delete.changes.insert(
        0,
        Change::Links {
            from_id: from_id.clone(),
            kind: kind.clone(),
            links: Vec::new(),
        },
    );
    store.edit_plan(code, &delete, &author()).await.unwrap();

    // The header has its own revision; a status change can freeze a version.
    let mut header = keikaku_storage::rows::flatten(&stored).plan;
    header.title = "改訂".to_owned();
    store
        .edit_plan(
            code,
            &edit(
                "sogo-keikaku",
                Change::Header {
                    row: header.clone(),
                    expected: 1,
                },
            ),
            &author(),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .edit_plan(
                code,
                &edit(
                    "sogo-keikaku",
                    Change::Header {
                        row: header,
                        expected: 1
                    }
                ),
                &author()
            )
            .await,
        Err(StoreError::Stale(_))
    ));
    let before = store.plan_versions(code, &pid).await.unwrap().len();
    let mut adopt = edit(
        "sogo-keikaku",
        Change::Status {
            from: PlanStatus::Published,
            to: PlanStatus::Adopted,
        },
    );
    adopt.freeze = Some("snapshot".to_owned());
    store.edit_plan(code, &adopt, &author()).await.unwrap();
    assert!(matches!(
        store.edit_plan(code, &adopt, &author()).await,
        Err(StoreError::Stale(_))
    ));
    let versions = store.plan_versions(code, &pid).await.unwrap();
    assert_eq!(versions.len(), before + 1);
    assert_eq!(versions.last().unwrap().status, PlanStatus::Adopted);
    let stored = store.plan(code, &pid).await.unwrap().unwrap();
    assert_eq!(stored.header().status, PlanStatus::Adopted);
    assert_eq!(stored.header().title, "改訂");

    // A replacement carries versions over, one higher.
    put(
        store,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    let versions = store.edit_versions(code, &pid).await.unwrap().unwrap();
    assert_eq!(versions.elements["measure-1-1-1"], 3);
    assert_eq!(versions.revision, 3);

    // Every edit that went through is in an intact chain.
    let entries = store.audit_entries(code, 0, 1000).await.unwrap();
    assert!(verify_chain(&entries).is_ok());
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "element.update")
            .count(),
        7
    );
}
