//! The conformance stories of history: every write leaves one audit entry in an intact hash
//! chain, and every write of a plan freezes a version.

use keikaku_domain::audit::verify_chain;
use keikaku_domain::{Municipality, Plan, PlanStatus};
use keikaku_storage::{ExistingPlan, Store};

use crate::{author, code_of, example, put};

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
