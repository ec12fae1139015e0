//! Entering a year's values and evaluating them, at the app's boundary: who reaches which
//! indicators, every bad cell reported at once and nothing written, the plan's status, the
//! conflict that shows the stored value, and the evaluation the values give.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::kpi::{CellInput, EntryError, entry_sheet, evaluation, save_entries};
use keikaku_app::{AppError, Context, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{Outcome, ValueState};
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::{ExistingPlan, HistoryStore, KpiStore, Store};
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn user(login: &str, role: Role, department: &str) -> User {
    User {
        login_id: LoginId::parse(login).unwrap(),
        display_name: "入力 太郎".to_owned(),
        department: department.to_owned(),
        roles: vec![role],
        disabled: false,
    }
}

fn grant(login: &str, role: Role, department: &str) -> Granted {
    Granted::check(user(login, role, department), Action::EnterKpiValues).unwrap()
}

async fn store(status: &str) -> (SqliteStore, MunicipalityCode, PlanId) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let mut file: serde_json::Value =
        serde_json::from_str(keikaku_planfile::example("ichinoseki").unwrap()).unwrap();
    file["plans"][1]["status"] = status.into();
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

fn cell(indicator: &str, actual: &str) -> CellInput {
    CellInput {
        indicator: indicator.to_owned(),
        actual: actual.to_owned(),
        state: "provisional".to_owned(),
        ..CellInput::default()
    }
}

#[tokio::test]
async fn a_department_reaches_its_own_indicators_only() {
    let (store, code, plan) = store("published").await;
    let cx = Context::new(&store, &code);
    let kodomo = grant("kodomo", Role::DepartmentEditor, "こども家庭課");
    let sheet = entry_sheet(&cx, &kodomo, &plan, fy(2016), None)
        .await
        .unwrap();
    let ids: Vec<&str> = sheet
        .evaluation
        .indicators
        .iter()
        .map(|r| r.indicator.id.as_str())
        .collect();
    assert_eq!(ids, ["target-3-1", "kpi-3-1-1"]);
    assert!(sheet.open);
    // The planning office sees all eight, and may narrow to one department.
    let kikaku = grant("kikaku", Role::PlanningOffice, "政策企画課");
    let all = entry_sheet(&cx, &kikaku, &plan, fy(2016), None)
        .await
        .unwrap();
    assert_eq!(all.evaluation.indicators.len(), 8);
    assert!(all.departments.contains(&"観光物産課".to_owned()));
    let one = entry_sheet(&cx, &kikaku, &plan, fy(2016), Some("観光物産課"))
        .await
        .unwrap();
    assert_eq!(one.evaluation.indicators.len(), 1);
    // Another department's indicator is refused, and nothing is written.
    let refused = save_entries(
        &cx,
        &kodomo,
        &plan,
        fy(2016),
        &[cell("target-3-1", "1.46"), cell("kpi-2-1-1", "310")],
        at(),
    )
    .await;
    let Err(EntryError::Invalid(problems)) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .message
            .contains("あなたの課の指標ではありません")
    );
    assert!(store.kpi_values(&code, &plan).await.unwrap().is_empty());
    // A year outside the plan's period is refused.
    let outside = entry_sheet(&cx, &kikaku, &plan, fy(2030), None).await;
    assert!(matches!(outside, Err(AppError::NotFound(_))), "{outside:?}");
}

#[tokio::test]
async fn every_bad_cell_is_listed_and_nothing_is_written() {
    let (store, code, plan) = store("published").await;
    let cx = Context::new(&store, &code);
    let kikaku = grant("kikaku", Role::PlanningOffice, "政策企画課");
    let mut bad_state = cell("kpi-2-1-1", "310");
    bad_state.state = "final".to_owned();
    let result = save_entries(
        &cx,
        &kikaku,
        &plan,
        fy(2016),
        &[
            cell("target-3-1", "1.4a"),
            bad_state,
            cell("nai-1", "1"),
            cell("kpi-1-1-1", "３"),
        ],
        at(),
    )
    .await;
    let Err(EntryError::Invalid(problems)) = result else {
        panic!("{result:?}")
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["target-3-1.actual", "kpi-2-1-1.state", "nai-1.indicator"]
    );
    assert!(problems[0].message.contains("合計特殊出生率の実績値"));
    assert!(store.kpi_values(&code, &plan).await.unwrap().is_empty());
}

#[tokio::test]
async fn values_are_entered_only_for_adopted_or_published_plans() {
    let (store, code, plan) = store("draft").await;
    let cx = Context::new(&store, &code);
    let kikaku = grant("kikaku", Role::PlanningOffice, "政策企画課");
    let sheet = entry_sheet(&cx, &kikaku, &plan, fy(2016), None)
        .await
        .unwrap();
    assert!(!sheet.open);
    let refused = save_entries(
        &cx,
        &kikaku,
        &plan,
        fy(2016),
        &[cell("kpi-2-1-1", "1")],
        at(),
    )
    .await;
    assert!(
        matches!(&refused, Err(EntryError::App(AppError::Conflict(m))) if m.contains("草案")),
        "{refused:?}"
    );
    // And a grant for another action is no grant for this one.
    let other = Granted::check(user("kikaku", Role::PlanningOffice, ""), Action::EditPlan).unwrap();
    let refused = save_entries(&cx, &other, &plan, fy(2016), &[], at()).await;
    assert!(matches!(
        refused,
        Err(EntryError::App(AppError::Forbidden(_)))
    ));
}

#[tokio::test]
async fn a_second_writer_sees_the_stored_value_and_saving_freezes_no_version() {
    let (store, code, plan) = store("published").await;
    let cx = Context::new(&store, &code);
    let versions = store.plan_versions(&code, &plan).await.unwrap().len();
    let kanko = grant("kanko", Role::DepartmentEditor, "観光物産課");
    let kikaku = grant("kikaku", Role::PlanningOffice, "政策企画課");
    // Both open the form while the cell is empty; the department saves first.
    let saved = save_entries(
        &cx,
        &kanko,
        &plan,
        fy(2016),
        &[cell("kpi-2-1-1", "3,100")],
        at(),
    )
    .await
    .unwrap();
    assert_eq!(saved[0].version, 1);
    assert_eq!(saved[0].actual, Some("3100".parse().unwrap()));
    let late = save_entries(
        &cx,
        &kikaku,
        &plan,
        fy(2016),
        &[cell("kpi-2-1-1", "3050")],
        at(),
    )
    .await;
    let Err(EntryError::Conflict { current, .. }) = late else {
        panic!("{late:?}")
    };
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].entered_by, "kanko");
    // With the version seen, the planning office confirms it.
    let mut confirm = cell("kpi-2-1-1", "3050");
    confirm.version = "1".to_owned();
    confirm.state = "confirmed".to_owned();
    let saved = save_entries(&cx, &kikaku, &plan, fy(2016), &[confirm], at())
        .await
        .unwrap();
    assert_eq!(saved[0].state, ValueState::Confirmed);
    assert_eq!(saved[0].version, 2);
    assert_eq!(
        store.plan_versions(&code, &plan).await.unwrap().len(),
        versions
    );
    let log = store.audit_entries(&code, 0, 1000).await.unwrap();
    assert_eq!(log.last().unwrap().actor, "kikaku");
    assert_eq!(log.last().unwrap().action, "kpi.values");
}

#[tokio::test]
async fn the_evaluation_uses_the_values_and_counts_grades() {
    let (store, code, plan) = store("published").await;
    let cx = Context::new(&store, &code);
    let kikaku = grant("kikaku", Role::PlanningOffice, "政策企画課");
    // 観光入込客数 300 → 330 (2014 → 2019): 2019 at 315 is 50 % progress, grade C.
    // 保育所待機児童数 20 → 0 (lower is better): 2019 at 5 is 75 % progress, grade C too.
    save_entries(
        &cx,
        &kikaku,
        &plan,
        fy(2019),
        &[cell("kpi-2-1-1", "315"), cell("kpi-3-1-1", "5")],
        at(),
    )
    .await
    .unwrap();
    let e = evaluation(&cx, &plan, None).await.unwrap();
    let tourism = e.indicator("kpi-2-1-1").unwrap();
    assert_eq!(tourism.grade.as_deref(), Some("C"));
    assert!(matches!(
        tourism.latest.as_ref().unwrap().outcome,
        Outcome::Rate { .. }
    ));
    assert!(tourism.behind());
    let children = e.indicator("kpi-3-1-1").unwrap();
    assert_eq!(children.grade.as_deref(), Some("C"));
    // 2018 has no actual: 未把握, not 0.
    assert_eq!(tourism.year(fy(2018)).unwrap().actual, None);
    let tally = e.tally(e.indicators.iter());
    assert_eq!(tally.total(), 8);
    assert_eq!(tally.unevaluable, 6);
    assert_eq!(
        tally.counts,
        vec![
            ("A".to_owned(), 0),
            ("B".to_owned(), 0),
            ("C".to_owned(), 2),
            ("D".to_owned(), 0)
        ]
    );
}
