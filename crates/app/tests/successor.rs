//! Starting the 後期基本計画 from the 前期 at the use-case boundary: the confirmation's counts,
//! the copy stored in one edit (new ids, the projects' links re-pointed, the 前期 untouched,
//! one audit entry, the plan's revision one higher), the refusal once the 後期 has content, a
//! stale revision, who may do it, and a plan without basic plans.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::{AppError, Context, edit, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{ElementKind, MunicipalityCode, Plan, PlanId};
use keikaku_storage::{ExistingPlan, HistoryStore, PlanStore, Store};
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn code() -> MunicipalityCode {
    MunicipalityCode::parse("03209").unwrap()
}

fn plan() -> PlanId {
    PlanId::parse("sogo-keikaku").unwrap()
}

const SECOND: &str = "basic-plan-second";

fn granted(role: Role) -> Granted {
    let user = User {
        login_id: LoginId::parse("tester").unwrap(),
        display_name: "試験 太郎".to_owned(),
        department: "農政課".to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, Action::EditPlan).unwrap()
}

/// The example with the comprehensive plan under deliberation (editable); its 後期 is empty.
async fn store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let mut file: serde_json::Value =
        serde_json::from_str(keikaku_planfile::example("ichinoseki").unwrap()).unwrap();
    file["plans"][0]["status"] = "under_deliberation".into();
    transfer::import(
        &Operator::at_console(),
        &store,
        &file.to_string(),
        ExistingPlan::Refuse,
        at(),
    )
    .await
    .unwrap();
    store
}

async fn stored(store: &SqliteStore) -> keikaku_domain::ComprehensivePlan {
    match store.plan(&code(), &plan()).await.unwrap().unwrap() {
        Plan::Comprehensive(p) => p,
        Plan::Strategy(_) => panic!("not a comprehensive plan"),
    }
}

async fn audit_count(store: &SqliteStore) -> usize {
    store.audit_entries(&code(), 0, 10_000).await.unwrap().len()
}

#[tokio::test]
async fn the_second_half_starts_from_the_first_in_one_edit() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let preview = edit::successor_preview(&cx, &plan(), SECOND).await.unwrap();
    assert_eq!(preview.refusal, None);
    assert_eq!(preview.source_title.as_deref(), Some("前期基本計画"));
    assert_eq!(preview.target_title, "後期基本計画");
    let before = stored(&store).await;
    let first = before.basic_plans[0].clone();
    assert_eq!(preview.counts, first.element_counts());
    assert!(
        preview
            .counts
            .iter()
            .any(|(k, n)| *k == ElementKind::Measure && *n > 0)
    );
    let entries = audit_count(&store).await;

    let started = edit::start_from_predecessor(
        &cx,
        &granted(Role::PlanningOffice),
        &plan(),
        SECOND,
        preview.revision,
        at(),
    )
    .await
    .unwrap();
    assert_eq!(started.source_id, "basic-plan-first");
    assert_eq!(started.counts, preview.counts);
    assert_eq!(started.revision, preview.revision + 1);

    let after = stored(&store).await;
    assert_eq!(after.basic_plans[0], first, "the 前期 is untouched");
    let second = &after.basic_plans[1];
    assert_eq!(second.element_counts(), first.element_counts());
    assert_eq!(
        (
            second.title.as_str(),
            second.start.year(),
            second.end.year()
        ),
        ("後期基本計画", 2021, 2025)
    );
    // New ids everywhere; each copy is the element it was copied from.
    let copy_of = |source: &str| {
        started
            .copied
            .iter()
            .find(|(_, s, _)| s == source)
            .map(|(_, _, c)| c.clone())
            .unwrap()
    };
    for (f, g) in first.fields.iter().zip(&second.fields) {
        assert_ne!(f.id, g.id);
        assert_eq!(g.id.as_str(), copy_of(f.id.as_str()));
        assert_eq!((&f.title, &f.goal), (&g.title, &g.goal));
    }
    // Every project link points at the copy of the measure the 前期's project points at.
    for (p, q) in first
        .priority_projects
        .iter()
        .zip(&second.priority_projects)
    {
        let expected: Vec<String> = p.measures.iter().map(|m| copy_of(m.as_str())).collect();
        let got: Vec<String> = q.measures.iter().map(ToString::to_string).collect();
        assert_eq!(got, expected, "{}", q.title);
        assert!(q.measures.iter().all(|m| {
            after
                .measure(m)
                .is_some_and(|(bp, _, _)| bp.id == second.id)
        }));
    }
    // One audit entry, and the plan's revision one higher.
    let entries_after = store.audit_entries(&code, 0, 10_000).await.unwrap();
    assert_eq!(entries_after.len(), entries + 1);
    let last = entries_after.last().unwrap();
    assert_eq!(last.action, "basic_plan.start");
    assert_eq!(last.target, "sogo-keikaku/basic-plan-second");
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(draft.versions.revision, started.revision);
}

#[tokio::test]
async fn a_second_half_with_content_is_refused_and_nothing_changes() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice);
    let revision = edit::successor_preview(&cx, &plan(), SECOND)
        .await
        .unwrap()
        .revision;
    edit::start_from_predecessor(&cx, &office, &plan(), SECOND, revision, at())
        .await
        .unwrap();
    let preview = edit::successor_preview(&cx, &plan(), SECOND).await.unwrap();
    let refusal = preview.refusal.unwrap();
    assert!(
        refusal.starts_with("後期基本計画にはすでに重点プロジェクト"),
        "{refusal}"
    );
    let plan_before = stored(&store).await;
    let entries = audit_count(&store).await;
    let err = edit::start_from_predecessor(&cx, &office, &plan(), SECOND, preview.revision, at())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if *m == refusal),
        "{err:?}"
    );
    assert_eq!(stored(&store).await, plan_before);
    assert_eq!(audit_count(&store).await, entries);
    // The 前期 has nothing before it.
    let err = edit::start_from_predecessor(
        &cx,
        &office,
        &plan(),
        "basic-plan-first",
        preview.revision,
        at(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("最初の基本計画")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_stale_revision_is_a_conflict_and_nothing_is_written() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice);
    let revision = edit::successor_preview(&cx, &plan(), SECOND)
        .await
        .unwrap()
        .revision;
    // Someone changes the plan's own texts after the confirmation was opened.
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let mut values = draft.header_values();
    values.insert("title".to_owned(), "一関市総合計画（改）".to_owned());
    edit::update_header(
        &cx,
        &office,
        &plan(),
        &edit::Submission {
            version: draft.versions.revision,
            values,
            links: None,
        },
        at(),
    )
    .await
    .unwrap();
    let entries = audit_count(&store).await;
    let err = edit::start_from_predecessor(&cx, &office, &plan(), SECOND, revision, at())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("確認の画面を開いた後に変更されています")),
        "{err:?}"
    );
    assert!(stored(&store).await.basic_plans[1].is_empty());
    assert_eq!(audit_count(&store).await, entries);
}

#[tokio::test]
async fn only_the_planning_office_copies_and_only_basic_plans() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let revision = edit::successor_preview(&cx, &plan(), SECOND)
        .await
        .unwrap()
        .revision;
    let err = edit::start_from_predecessor(
        &cx,
        &granted(Role::DepartmentEditor),
        &plan(),
        SECOND,
        revision,
        at(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let strategy = PlanId::parse("sogo-senryaku").unwrap();
    let err = edit::successor_preview(&cx, &strategy, SECOND)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let err = edit::successor_preview(&cx, &plan(), "measure-1-1-1")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    assert!(stored(&store).await.basic_plans[1].is_empty());
}
