//! Moving a plan through its statuses: the allowed steps, the check that nobody changed it
//! meanwhile, the capability, and the audit entry and version each change leaves.
#![allow(clippy::unwrap_used)]

use keikaku_app::AppError;
use keikaku_app::Context;
use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::status::change_status;
use keikaku_app::transfer;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::{Timestamp, verify_chain};
use keikaku_domain::{MunicipalityCode, PlanId, PlanStatus};
use keikaku_storage::{ExistingPlan, HistoryStore, PlanStore, Store};
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn user(role: Role) -> User {
    User {
        login_id: LoginId::parse("kikaku").unwrap(),
        display_name: "企画 太郎".to_owned(),
        department: "企画調整課".to_owned(),
        roles: vec![role],
        disabled: false,
    }
}

async fn store_with_draft() -> (SqliteStore, MunicipalityCode, PlanId) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let mut file: serde_json::Value =
        serde_json::from_str(keikaku_planfile::example("ichinoseki").unwrap()).unwrap();
    file["plans"][1]["status"] = "draft".into();
    transfer::import(
        &Operator::at_console(),
        &store,
        &file.to_string(),
        ExistingPlan::Refuse,
        at(),
    )
    .await
    .unwrap();
    (
        store,
        MunicipalityCode::parse("03209").unwrap(),
        PlanId::parse("sogo-senryaku").unwrap(),
    )
}

#[tokio::test]
async fn a_draft_goes_step_by_step_to_published_with_audit_and_versions() {
    let (store, code, id) = store_with_draft().await;
    let granted = Granted::check(user(Role::PlanningOffice), Action::ChangePlanStatus).unwrap();
    let steps = [
        (PlanStatus::Draft, PlanStatus::UnderDeliberation),
        (PlanStatus::UnderDeliberation, PlanStatus::Adopted),
        (PlanStatus::Adopted, PlanStatus::Published),
    ];
    for (from, to) in steps {
        let plan = change_status(&Context::new(&store, &code), &granted, &id, from, to, at())
            .await
            .unwrap();
        assert_eq!(plan.header().status, to);
        assert_eq!(
            store
                .plan(&code, &id)
                .await
                .unwrap()
                .unwrap()
                .header()
                .status,
            to
        );
    }
    let versions = store.plan_versions(&code, &id).await.unwrap();
    let statuses: Vec<PlanStatus> = versions.iter().map(|v| v.status).collect();
    assert_eq!(
        statuses,
        vec![
            PlanStatus::Draft,
            PlanStatus::UnderDeliberation,
            PlanStatus::Adopted,
            PlanStatus::Published
        ]
    );
    let entries = store.audit_entries(&code, 0, 100).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.actor.as_str(),
            last.target.as_str()
        ),
        ("plan.status", "kikaku", "sogo-senryaku")
    );
    assert!(
        last.before
            .as_deref()
            .unwrap()
            .contains("\"status\": \"adopted\"")
    );
    assert!(
        last.after
            .as_deref()
            .unwrap()
            .contains("\"status\": \"published\"")
    );
    assert_eq!(verify_chain(&entries), Ok(5));
}

#[tokio::test]
async fn a_stale_or_skipping_change_is_refused_and_nothing_changes() {
    let (store, code, id) = store_with_draft().await;
    let granted = Granted::check(user(Role::Administrator), Action::ChangePlanStatus).unwrap();
    // Someone saw the plan as 審議中, but it is still a draft.
    let stale = change_status(
        &Context::new(&store, &code),
        &granted,
        &id,
        PlanStatus::UnderDeliberation,
        PlanStatus::Adopted,
        at(),
    )
    .await;
    assert!(
        matches!(stale, Err(AppError::Conflict(ref m)) if m.contains("草案")),
        "{stale:?}"
    );
    // A draft cannot be published in one step.
    let skip = change_status(
        &Context::new(&store, &code),
        &granted,
        &id,
        PlanStatus::Draft,
        PlanStatus::Published,
        at(),
    )
    .await;
    assert!(
        matches!(skip, Err(AppError::Invalid(ref p)) if p[0].message.contains("「審議中」")),
        "{skip:?}"
    );
    let unknown = change_status(
        &Context::new(&store, &code),
        &granted,
        &PlanId::parse("nothing").unwrap(),
        PlanStatus::Draft,
        PlanStatus::UnderDeliberation,
        at(),
    )
    .await;
    assert!(matches!(unknown, Err(AppError::NotFound(_))));
    assert_eq!(
        store
            .plan(&code, &id)
            .await
            .unwrap()
            .unwrap()
            .header()
            .status,
        PlanStatus::Draft
    );
    assert_eq!(store.plan_versions(&code, &id).await.unwrap().len(), 1);
}

#[test]
fn only_the_planning_office_and_administrators_are_granted() {
    for (role, ok) in [
        (Role::Administrator, true),
        (Role::PlanningOffice, true),
        (Role::DepartmentEditor, false),
        (Role::Member, false),
    ] {
        assert_eq!(
            Granted::check(user(role), Action::ChangePlanStatus).is_ok(),
            ok,
            "{role:?}"
        );
    }
    let mut disabled = user(Role::Administrator);
    disabled.disabled = true;
    assert!(matches!(
        Granted::check(disabled, Action::ChangePlanStatus),
        Err(AppError::Forbidden(_))
    ));
}
