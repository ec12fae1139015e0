//! The conformance story of editing: element by element, each change checked against the
//! version it started from, audited, with link targets protected.

use keikaku_domain::audit::verify_chain;
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{Plan, PlanStatus};
use keikaku_planfile::PlanFile;
use keikaku_storage::{Change, ExistingPlan, PlanEdit, Store, StoreError, UserChange};

use crate::{author, comprehensive, example, plan_id, put};

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

fn edit(plan: &str, change: Change) -> PlanEdit {
    PlanEdit {
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

    let stored = two_editors_one_wins(store, &file).await;
    let (relink, stored) = structure_changes(store, &file, &stored).await;
    link_targets_stay(store, &file, &relink).await;
    header_and_status(store, &file, &stored).await;

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

/// Two editors start from version 1; the first wins, the second is refused. Returns the plan
/// after the first edit.
async fn two_editors_one_wins(store: &dyn Store, file: &PlanFile) -> Plan {
    let code = &file.municipality.code;
    let pid = plan_id("sogo-keikaku");
    let plan = comprehensive(file);
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
    stored
}

/// Insert, reorder (versions kept), a delete and an edit refused, relink. Returns the
/// relinking edit and the plan after it.
#[allow(clippy::too_many_lines)] // one story: each structural change and its check, in the order an editor makes them
async fn structure_changes(store: &dyn Store, file: &PlanFile, stored: &Plan) -> (PlanEdit, Plan) {
    let code = &file.municipality.code;
    let pid = plan_id("sogo-keikaku");
    let mut added = element_row(stored, "measure-1-1-1");
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
            kind: keikaku_domain::LinkKind::ProjectMeasure.code().to_owned(),
            links: vec![keikaku_storage::rows::LinkRow {
                from_id: "priority-project-1".to_owned(),
                kind: keikaku_domain::LinkKind::ProjectMeasure.code().to_owned(),
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
    (relink, stored)
}

/// Deleting from a stale version is refused; a measure a strategy links to cannot go, and a
/// measure a priority project links to goes only with the link.
#[allow(clippy::too_many_lines)] // one story: a link target removed in each way an edit can, each refused
async fn link_targets_stay(store: &dyn Store, file: &PlanFile, relink: &PlanEdit) {
    let code = &file.municipality.code;
    let pid = plan_id("sogo-keikaku");
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
    let Change::Links { from_id, kind, .. } = &relink.changes[0] else {
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
}

/// The header has its own revision; a status change can freeze a version.
async fn header_and_status(store: &dyn Store, file: &PlanFile, stored: &Plan) {
    let code = &file.municipality.code;
    let pid = plan_id("sogo-keikaku");
    let mut header = keikaku_storage::rows::flatten(stored).plan;
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
    adopt.freeze = Some(keikaku_storage::Freeze {
        snapshot: "snapshot".to_owned(),
        note: VersionNote {
            label: "議決".to_owned(),
            reason: "議会の議決を経た版".to_owned(),
        },
    });
    store.edit_plan(code, &adopt, &author()).await.unwrap();
    assert!(matches!(
        store.edit_plan(code, &adopt, &author()).await,
        Err(StoreError::Stale(_))
    ));
    let versions = store.plan_versions(code, &pid).await.unwrap();
    assert_eq!(versions.len(), before + 1);
    assert_eq!(versions.last().unwrap().status, PlanStatus::Adopted);
    // The name and reason given with the status change are the version's, at revision 0.
    assert_eq!(versions.last().unwrap().note.label, "議決");
    assert_eq!(versions.last().unwrap().note.reason, "議会の議決を経た版");
    assert_eq!(versions.last().unwrap().note_revision, 0);
    let stored = store.plan(code, &pid).await.unwrap().unwrap();
    assert_eq!(stored.header().status, PlanStatus::Adopted);
    assert_eq!(stored.header().title, "改訂");
}
