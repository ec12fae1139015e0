//! The conformance stories of history: every write leaves one audit entry in an intact hash
//! chain, every write of a plan freezes a version, and a version is named against the note
//! revision its editor read.

use keikaku_domain::audit::verify_chain;
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId, PlanStatus};
use keikaku_storage::{ExistingPlan, Store, StoreError};

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

fn note(label: &str, reason: &str) -> VersionNote {
    VersionNote {
        label: label.to_owned(),
        reason: reason.to_owned(),
    }
}

/// A version's name and reason are saved against the revision read — the second of two
/// editors who read the same revision is refused and nothing is written —, audited with the
/// note before and after, kept exactly, and never change the frozen snapshot.
pub async fn a_version_is_named_against_its_revision(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let plan = file.plans[0].id();
    let (before, snapshot) = store.plan_version(code, plan, 1).await.unwrap().unwrap();
    assert_eq!(before.note, VersionNote::default());
    assert_eq!(before.note_revision, 0);
    let first = note(
        "パブコメ案",
        "パブリックコメントに付す案\n「引用」<b>も</b>そのまま",
    );
    assert_eq!(
        store
            .save_version_note(code, plan, 1, &first, 0, &author())
            .await
            .unwrap(),
        Some(1)
    );
    let since = store.data_version(code).await.unwrap();
    // A second editor who read revision 0 is refused; nothing is written.
    assert!(matches!(
        store
            .save_version_note(code, plan, 1, &note("答申反映", ""), 0, &author())
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(store.data_version(code).await.unwrap(), since);
    let (after, same) = store.plan_version(code, plan, 1).await.unwrap().unwrap();
    assert_eq!(after.note, first);
    assert_eq!(after.note_revision, 1);
    assert_eq!(same, snapshot);
    assert_eq!(store.plan_versions(code, plan).await.unwrap()[0], after);
    // No such version.
    assert_eq!(
        store
            .save_version_note(code, plan, 9, &first, 0, &author())
            .await
            .unwrap(),
        None
    );
    let entries = store.audit_entries(code, 0, 100).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "version.note");
    assert_eq!(last.target, format!("{plan}/versions/1"));
    assert_eq!(last.before.as_deref(), Some("名称: \n理由: "));
    assert_eq!(last.after.as_deref(), Some(first.audit_text().as_str()));
    assert!(verify_chain(&entries).is_ok());
    // Another municipality's version of the same plan id is not reached.
    let other = code_of("03201");
    assert!(matches!(
        store
            .save_version_note(&other, plan, 1, &first, 0, &author())
            .await,
        Err(StoreError::UnknownMunicipality(_)) | Ok(None)
    ));
}

/// Names the first version of the first plan (for the backup's fill).
pub async fn fill(store: &dyn Store, code: &MunicipalityCode, plan: &PlanId) {
    store
        .save_version_note(
            code,
            plan,
            1,
            &note("審議会諮問案", "総合計画審議会への諮問"),
            0,
            &crate::author(),
        )
        .await
        .unwrap();
}
