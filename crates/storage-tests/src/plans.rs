//! The conformance stories of plans: storing and loading exactly, listing, refusing and
//! replacing whole plans, link protection, deletion, the data version, municipality isolation.

use keikaku_domain::{Municipality, Plan};
use keikaku_storage::{ExistingPlan, Store, StoreError};

use crate::{author, code, comprehensive, example, plan_id, put};

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

/// Removing an element another plan links to — by replacing its plan or by deleting it — is
/// refused when the transaction commits as [`StoreError::Referenced`], a conflict the user can
/// resolve (the import's own check may have passed before a concurrent write), and nothing is
/// written: no plan, no data version, no audit entry, no version.
pub async fn removing_a_link_target_is_referenced_and_writes_nothing(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let version = store.data_version(code).await.unwrap();
    let entries = store.audit_entries(code, 0, 100).await.unwrap();
    let versions = store.plan_versions(code, file.plans[0].id()).await.unwrap();
    let Plan::Comprehensive(mut broken) = comprehensive(&file) else {
        panic!()
    };
    // measure-1-2-1 is linked from the strategy.
    broken.basic_plans[0].fields[1].measures.clear();
    for pp in &mut broken.basic_plans[0].priority_projects {
        pp.measures.retain(|m| m.as_str() != "measure-1-2-1");
    }
    let replaced = put(
        store,
        &file.municipality,
        &[Plan::Comprehensive(broken)],
        ExistingPlan::Replace,
    )
    .await;
    assert!(
        matches!(replaced, Err(StoreError::Referenced(ref m)) if m.contains("リンク")),
        "{replaced:?}"
    );
    let deleted = store
        .delete_plan(code, file.plans[0].id(), &author(), None)
        .await;
    assert!(
        matches!(deleted, Err(StoreError::Referenced(ref m)) if m.contains("リンク")),
        "{deleted:?}"
    );
    assert_eq!(
        store.plan(code, file.plans[0].id()).await.unwrap().as_ref(),
        Some(&file.plans[0])
    );
    assert_eq!(store.data_version(code).await.unwrap(), version);
    assert_eq!(store.audit_entries(code, 0, 100).await.unwrap(), entries);
    assert_eq!(
        store.plan_versions(code, file.plans[0].id()).await.unwrap(),
        versions
    );
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
