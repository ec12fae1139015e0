//! The operator's use cases (import, export, example data) against an in-memory SQLite store.
#![allow(clippy::unwrap_used)]

use keikaku_app::AppError;
use keikaku_app::Context;
use keikaku_app::access::Operator;
use keikaku_app::transfer::{self, ExampleOutcome};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{MunicipalityCode, Plan, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_storage::{ExistingPlan, PlanStore, Store};
use keikaku_storage_sqlite::SqliteStore;

const COMPREHENSIVE: &str = "sogo-keikaku";
const STRATEGY: &str = "sogo-senryaku";

async fn empty_store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    store
}

fn example() -> &'static str {
    keikaku_planfile::example("ichinoseki").unwrap()
}

fn ichinoseki() -> MunicipalityCode {
    MunicipalityCode::parse("03209").unwrap()
}

fn id(s: &str) -> PlanId {
    PlanId::parse(s).unwrap()
}

fn op() -> Operator {
    Operator::at_console()
}

/// The problems of an `Invalid` error; panics on anything else.
#[track_caller]
fn invalid<T: std::fmt::Debug>(result: Result<T, AppError>) -> Vec<FileProblem> {
    match result {
        Err(AppError::Invalid(problems)) => problems,
        other => panic!("expected AppError::Invalid, got {other:?}"),
    }
}

fn paths(problems: &[FileProblem]) -> Vec<&str> {
    problems.iter().map(|p| p.path.as_str()).collect()
}

/// The ids of the plans stored for Ichinoseki, in display order.
async fn stored_ids(store: &SqliteStore) -> Vec<String> {
    store
        .plan_summaries(&ichinoseki())
        .await
        .unwrap()
        .iter()
        .map(|s| s.header.id.to_string())
        .collect()
}

async fn export_all(store: &SqliteStore) -> String {
    transfer::export(&Context::new(store, &ichinoseki()), &op(), &[])
        .await
        .unwrap()
}

/// A store holding the example.
async fn store_with_example() -> SqliteStore {
    let store = empty_store().await;
    transfer::import(&op(), &store, example(), ExistingPlan::Refuse, at())
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn import_then_export_gives_the_same_text() {
    let store = empty_store().await;
    let report = transfer::import(&op(), &store, example(), ExistingPlan::Refuse, at())
        .await
        .unwrap();
    assert_eq!(report.municipality.name, "一関市");
    assert_eq!(report.municipality.code, ichinoseki());
    assert_eq!(report.plans, [id(COMPREHENSIVE), id(STRATEGY)]);
    assert_eq!(stored_ids(&store).await, [COMPREHENSIVE, STRATEGY]);
    assert_eq!(export_all(&store).await, example());
}

#[tokio::test]
async fn importing_a_stored_plan_again_is_refused_and_writes_nothing() {
    let store = store_with_example().await;
    let version = store.data_version(&ichinoseki()).await.unwrap();
    assert!(version > 0);

    let problems =
        invalid(transfer::import(&op(), &store, example(), ExistingPlan::Refuse, at()).await);
    assert_eq!(paths(&problems), ["$.plans[0].id", "$.plans[1].id"]);
    assert!(
        problems[0]
            .message
            .contains("計画「sogo-keikaku」は既に登録されています")
    );
    assert!(problems[0].message.contains("--replace"));

    assert_eq!(store.data_version(&ichinoseki()).await.unwrap(), version);
    assert_eq!(export_all(&store).await, example());
}

#[tokio::test]
async fn a_file_with_one_stored_plan_is_refused_whole() {
    let store = empty_store().await;
    let comprehensive_only = {
        let full = store_with_example().await;
        transfer::export(
            &Context::new(&full, &ichinoseki()),
            &op(),
            &[id(COMPREHENSIVE)],
        )
        .await
        .unwrap()
    };
    transfer::import(
        &op(),
        &store,
        &comprehensive_only,
        ExistingPlan::Refuse,
        at(),
    )
    .await
    .unwrap();
    let version = store.data_version(&ichinoseki()).await.unwrap();

    // The strategy is new, the comprehensive plan is not: nothing is written.
    let problems =
        invalid(transfer::import(&op(), &store, example(), ExistingPlan::Refuse, at()).await);
    assert_eq!(paths(&problems), ["$.plans[0].id"]);
    assert_eq!(stored_ids(&store).await, [COMPREHENSIVE]);
    assert_eq!(store.data_version(&ichinoseki()).await.unwrap(), version);
}

#[tokio::test]
async fn replace_overwrites_stored_plans() {
    let store = store_with_example().await;
    let version = store.data_version(&ichinoseki()).await.unwrap();
    let revised = example().replacen(
        "\"title\": \"一関市総合計画\"",
        "\"title\": \"一関市総合計画（改訂版）\"",
        1,
    );
    assert_ne!(revised, example());

    let report = transfer::import(&op(), &store, &revised, ExistingPlan::Replace, at())
        .await
        .unwrap();
    assert_eq!(report.plans, [id(COMPREHENSIVE), id(STRATEGY)]);
    assert_eq!(export_all(&store).await, revised);
    assert!(store.data_version(&ichinoseki()).await.unwrap() > version);

    // Replace also imports plans that are not stored yet.
    let fresh = empty_store().await;
    transfer::import(&op(), &fresh, example(), ExistingPlan::Replace, at())
        .await
        .unwrap();
    assert_eq!(export_all(&fresh).await, example());
}

#[tokio::test]
async fn an_invalid_file_writes_nothing() {
    let store = empty_store().await;
    let broken = example()
        .replacen("\"id\": \"goal-1\"", "\"id\": \"Goal-1\"", 1)
        .replacen("\"year\": 2019", "\"year\": \"令和0年度\"", 1);
    let problems =
        invalid(transfer::import(&op(), &store, &broken, ExistingPlan::Refuse, at()).await);
    assert_eq!(
        paths(&problems),
        [
            "$.plans[0].vision.goals[0].id",
            "$.plans[1].basic_objectives[0].numerical_targets[0].target.year",
            // The fields of goal-1 no longer find it.
            "$.plans[0].basic_plans[0].fields[0].goal",
            "$.plans[0].basic_plans[0].fields[1].goal",
            "$.plans[0].basic_plans[0].fields[2].goal",
            "$.plans[0].basic_plans[0].fields[3].goal",
            "$.plans[0].basic_plans[0].fields[4].goal",
        ],
        "{problems:#?}"
    );
    assert!(store.municipalities().await.unwrap().is_empty());
    assert_eq!(store.data_version(&ichinoseki()).await.unwrap(), 0);

    // Not JSON at all: one problem, nothing written.
    let problems = invalid(transfer::import(&op(), &store, "{", ExistingPlan::Replace, at()).await);
    assert_eq!(paths(&problems), ["$"]);
    assert!(store.municipalities().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_strategy_may_link_to_a_stored_comprehensive_plan() {
    let (comprehensive_only, strategy_only) = {
        let full = store_with_example().await;
        (
            transfer::export(
                &Context::new(&full, &ichinoseki()),
                &op(),
                &[id(COMPREHENSIVE)],
            )
            .await
            .unwrap(),
            transfer::export(&Context::new(&full, &ichinoseki()), &op(), &[id(STRATEGY)])
                .await
                .unwrap(),
        )
    };
    assert!(!strategy_only.contains("\"kind\": \"comprehensive_plan\""));
    assert!(strategy_only.contains("\"plan\": \"sogo-keikaku\""));

    // Into an empty store, every link of the strategy points nowhere.
    let store = empty_store().await;
    let problems =
        invalid(transfer::import(&op(), &store, &strategy_only, ExistingPlan::Refuse, at()).await);
    let expected = link_paths(example());
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(
        paths(&problems),
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(
        problems[0].path,
        "$.plans[0].basic_objectives[0].measures[0].linked_measures[0]"
    );
    assert!(
        problems
            .iter()
            .all(|p| p.message == "リンク先の計画「sogo-keikaku」が見つかりません。"),
        "{problems:#?}"
    );
    assert!(store.municipalities().await.unwrap().is_empty());

    // With the comprehensive plan stored first, the same file imports fine.
    transfer::import(
        &op(),
        &store,
        &comprehensive_only,
        ExistingPlan::Refuse,
        at(),
    )
    .await
    .unwrap();
    let report = transfer::import(&op(), &store, &strategy_only, ExistingPlan::Refuse, at())
        .await
        .unwrap();
    assert_eq!(report.plans, [id(STRATEGY)]);
    assert_eq!(export_all(&store).await, example());
}

/// The paths of every link of the example's strategy, as they read in a file holding only
/// the strategy.
fn link_paths(text: &str) -> Vec<String> {
    let file = keikaku_planfile::parse(text, &[]).unwrap();
    let Some(Plan::Strategy(s)) = file.plans.iter().find(|p| p.id().as_str() == STRATEGY) else {
        panic!("no strategy in the example");
    };
    let mut paths = Vec::new();
    for (o, objective) in s.basic_objectives.iter().enumerate() {
        for (m, measure) in objective.measures.iter().enumerate() {
            let at = format!("$.plans[0].basic_objectives[{o}].measures[{m}]");
            for j in 0..measure.linked_measures.len() {
                paths.push(format!("{at}.linked_measures[{j}]"));
            }
            for j in 0..measure.linked_priority_projects.len() {
                paths.push(format!("{at}.linked_priority_projects[{j}]"));
            }
        }
    }
    paths
}

#[tokio::test]
async fn replacing_a_comprehensive_plan_rechecks_the_links_in_the_file() {
    let store = store_with_example().await;
    // The strategy in the file links to measure-1-2-1, which the revised plan drops.
    let revised = example().replace("measure-1-2-1", "measure-1-2-9");
    let revised = revised.replacen(
        "\"element\": \"measure-1-2-9\"",
        "\"element\": \"measure-1-2-1\"",
        1,
    );
    let problems =
        invalid(transfer::import(&op(), &store, &revised, ExistingPlan::Replace, at()).await);
    assert_eq!(
        paths(&problems),
        ["$.plans[1].basic_objectives[0].measures[0].linked_measures[0]"],
        "{problems:#?}"
    );
    assert_eq!(export_all(&store).await, example());
}

#[tokio::test]
async fn export_of_selected_plans() {
    let store = store_with_example().await;
    let strategy = transfer::export(&Context::new(&store, &ichinoseki()), &op(), &[id(STRATEGY)])
        .await
        .unwrap();
    let stored: Vec<Plan> = {
        let file = keikaku_planfile::parse(example(), &[]).unwrap();
        file.plans
    };
    let file = keikaku_planfile::parse(&strategy, &stored).unwrap();
    assert_eq!(file.municipality.name, "一関市");
    assert_eq!(
        file.plans
            .iter()
            .map(|p| p.id().as_str())
            .collect::<Vec<_>>(),
        [STRATEGY]
    );
    assert!(strategy.ends_with("}\n"));

    // Both, named in any order: the stored order, the same as exporting all.
    let both = transfer::export(
        &Context::new(&store, &ichinoseki()),
        &op(),
        &[id(STRATEGY), id(COMPREHENSIVE)],
    )
    .await
    .unwrap();
    assert_eq!(both, example());
}

#[tokio::test]
async fn export_of_unknown_things_is_not_found() {
    let store = store_with_example().await;
    let err = transfer::export(
        &Context::new(&store, &ichinoseki()),
        &op(),
        &[id(STRATEGY), id("no-such-plan")],
    )
    .await
    .unwrap_err();
    match err {
        AppError::NotFound(message) => assert!(message.contains("no-such-plan"), "{message}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    let elsewhere = MunicipalityCode::parse("13101").unwrap();
    let err = transfer::export(&Context::new(&store, &elsewhere), &op(), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::NotFound(ref m) if m.contains("13101")),
        "{err:?}"
    );
}

#[tokio::test]
async fn load_example_only_into_an_empty_store() {
    let store = empty_store().await;
    match transfer::load_example(&op(), &store, "ichinoseki", at())
        .await
        .unwrap()
    {
        ExampleOutcome::Loaded(report) => {
            assert_eq!(report.municipality.name, "一関市");
            assert_eq!(report.plans, [id(COMPREHENSIVE), id(STRATEGY)]);
        }
        other => panic!("expected Loaded, got {other:?}"),
    }
    let version = store.data_version(&ichinoseki()).await.unwrap();

    match transfer::load_example(&op(), &store, "ichinoseki", at())
        .await
        .unwrap()
    {
        ExampleOutcome::AlreadyPresent(m) => assert_eq!(m.code, ichinoseki()),
        other => panic!("expected AlreadyPresent, got {other:?}"),
    }
    assert_eq!(store.data_version(&ichinoseki()).await.unwrap(), version);
    assert_eq!(export_all(&store).await, example());

    let err = transfer::load_example(&op(), &store, "tokyo", at())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::NotFound(ref m) if m.contains("ichinoseki")),
        "{err:?}"
    );
}

#[tokio::test]
async fn replacing_a_plan_that_stored_links_point_into_is_checked() {
    let store = store_with_example().await;
    let version = store.data_version(&ichinoseki()).await.unwrap();
    let comprehensive_only = transfer::export(
        &Context::new(&store, &ichinoseki()),
        &op(),
        &[id(COMPREHENSIVE)],
    )
    .await
    .unwrap();

    // The stored strategy links to measure-1-2-1 and priority-project-1; the revised plan
    // renames both.
    let revised = comprehensive_only
        .replace("measure-1-2-1", "measure-1-2-9")
        .replace("\"priority-project-1\"", "\"priority-project-9\"");
    let problems =
        invalid(transfer::import(&op(), &store, &revised, ExistingPlan::Replace, at()).await);
    assert_eq!(
        paths(&problems),
        ["$.plans[0]", "$.plans[0]"],
        "{problems:#?}"
    );
    assert!(
        problems[0].message.contains("登録済みの計画「sogo-senryaku」の施策「strategy-measure-1-1」がリンクしている施策「measure-1-2-1」"),
        "{}",
        problems[0].message
    );
    assert!(
        problems[1]
            .message
            .contains("重点プロジェクト「priority-project-1」"),
        "{}",
        problems[1].message
    );
    assert_eq!(store.data_version(&ichinoseki()).await.unwrap(), version);
    assert_eq!(export_all(&store).await, example());

    // A revision that keeps the linked elements replaces the plan.
    let kept = comprehensive_only.replace("一関市総合計画", "一関市総合計画（改訂版）");
    transfer::import(&op(), &store, &kept, ExistingPlan::Replace, at())
        .await
        .unwrap();
    assert_eq!(
        export_all(&store).await,
        example().replace("一関市総合計画", "一関市総合計画（改訂版）")
    );
}

/// The time of every change in these tests (no wall clock).
pub fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}
