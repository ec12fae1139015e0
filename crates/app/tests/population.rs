//! The 人口ビジョン at the app's boundary: the example's public vision with its projected
//! scenarios (checked against an independent computation of the same sample); the planning
//! office's writes checked whole, by field; a changed assumption making results out of date
//! until run again; a scenario derived in one action; the public seeing only what is public.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::population::{
    ColumnKind, comparison, delete_census, derive_scenario, population, published_population,
    run_all, save_census, save_scenario, save_vision, summary,
};
use keikaku_app::{AppError, Context, transfer};
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::population::{Basis, Derivation, ScenarioId};
use keikaku_domain::{ElementId, ElementRef, PlanId};
use keikaku_storage::Store;
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn grant(role: Role, action: Action) -> Granted {
    let user = User {
        login_id: LoginId::parse("tester").unwrap(),
        display_name: "人口 推子".to_owned(),
        department: "企画調整課".to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, action).unwrap()
}

async fn example() -> (SqliteStore, MunicipalityCode) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", at())
        .await
        .unwrap();
    (store, MunicipalityCode::parse("03209").unwrap())
}

fn paths(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(p) => p
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn id(s: &str) -> ScenarioId {
    ScenarioId::parse(s).unwrap()
}

#[tokio::test]
async fn the_example_is_a_public_vision_with_projected_scenarios() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let reader = grant(Role::Member, Action::ReadPopulation);
    let view = population(&cx, &reader).await.unwrap();
    assert_eq!(view.censuses.len(), 1);
    assert_eq!(view.census(2020).unwrap().census.total(), 111_932);
    let ids: Vec<&str> = view.scenarios.iter().map(|s| s.id().as_str()).collect();
    assert_eq!(ids, ["kihon", "ikou-kinkou", "shussei-koujou"]);
    assert!(view.scenarios.iter().all(|s| s.current()), "all projected");
    assert!(!view.needs_run());
    // The base scenario, computed independently (a plain Python loop over the same sample,
    // rounded): 2040 88,574 and 2060 61,203.
    let kihon = summary(view.scenario(&id("kihon")).unwrap());
    assert_eq!(kihon.len(), 9);
    assert_eq!(kihon[0].summary.year, 2020);
    assert!((kihon[0].summary.total - 111_932.0).abs() < 1e-6);
    assert_eq!(kihon[4].summary.total.round(), 88_574.0);
    assert_eq!(kihon[8].summary.total.round(), 61_203.0);
    // Zero net migration keeps more people; a higher fertility rate more children.
    let kinkou = summary(view.scenario(&id("ikou-kinkou")).unwrap());
    let shussei = summary(view.scenario(&id("shussei-koujou")).unwrap());
    assert!(kinkou[8].summary.total > kihon[8].summary.total);
    assert!(shussei[8].summary.bands[0] > kihon[8].summary.bands[0]);
    assert_eq!(kihon[4].summary.bands.len(), 3);
    let notes = &view
        .scenario(&id("kihon"))
        .unwrap()
        .record
        .result
        .as_ref()
        .unwrap()
        .notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("年齢不詳（男 312人、女 241人）")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("サンプル")), "{notes:?}");
    let rule = view
        .scenario(&id("shussei-koujou"))
        .unwrap()
        .rule()
        .unwrap();
    assert!(rule.contains("基準の合計特殊出生率（1.45）"), "{rule}");
    // The strategy's targets it rests on, by name.
    let names: Vec<String> = view
        .indicators
        .iter()
        .map(|i| i.title.clone().unwrap())
        .collect();
    assert_eq!(names, ["社会増減数", "合計特殊出生率"]);

    // The comparison: target (read between its points), actuals, three scenarios, the
    // national institute's figure.
    let c = comparison(&view);
    assert_eq!(c.years.first(), Some(&2010));
    assert_eq!(c.years.last(), Some(&2060));
    let kinds: Vec<ColumnKind> = c.columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ColumnKind::Target,
            ColumnKind::Actual,
            ColumnKind::Scenario,
            ColumnKind::Scenario,
            ColumnKind::Scenario,
            ColumnKind::Reference
        ]
    );
    let y2025 = c.years.iter().position(|y| *y == 2025).unwrap();
    let target = c.target().unwrap();
    // 111,932 − 10,932 × 5 ÷ 10 = 106,466.
    assert_eq!(target.values[y2025], Some(106_466.0));
    assert!(target.between[y2025]);
    let y2040 = c.years.iter().position(|y| *y == 2040).unwrap();
    assert_eq!(c.columns[5].values[y2040], Some(82_277.0));
    let gap = c.gap(&c.columns[2], y2040).unwrap();
    assert!((gap - (88_574.0 - 90_000.0)).abs() < 1.0, "{gap}");

    // The public sees it as stored.
    let public = published_population(&cx, &[]).await.unwrap();
    assert_eq!(public.scenarios.len(), 3);
    assert!(
        public.indicators.is_empty(),
        "no published plan given: none named"
    );
}

#[tokio::test]
async fn the_planning_office_changes_runs_and_derives() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let office = grant(Role::PlanningOffice, Action::ManagePopulation);
    let view = population(&cx, &office).await.unwrap();
    let kihon = view.scenario(&id("kihon")).unwrap().record.clone();

    // A change of the base assumptions: refused whole when a number is wrong, by its path.
    let mut changed = kihon.scenario.clone();
    let Basis::Assumed(a) = &mut changed.basis else {
        panic!("kihon has its own assumptions")
    };
    a.survival[0].male[4] = -0.1;
    a.migration[0].female[3] = -2.0;
    a.child_woman_ratio = vec![0.2, 0.21];
    let all = paths(
        save_scenario(&cx, &office, changed.clone(), Some(kihon.revision), at())
            .await
            .unwrap_err(),
    );
    assert_eq!(
        all,
        [
            "cwr: 子ども女性比は、全期共通の1組か、推計の期数（8）と同じ8組で入力してください（2組あります）。"
        ],
        "the definition first"
    );
    let Basis::Assumed(a) = &mut changed.basis else {
        unreachable!()
    };
    a.child_woman_ratio = vec![0.21];
    let all = paths(
        save_scenario(&cx, &office, changed.clone(), Some(kihon.revision), at())
            .await
            .unwrap_err(),
    );
    assert!(
        all.iter()
            .any(|m| m.starts_with("survival.M[4]: 生残率が負の値です")),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|m| m.starts_with("migration.F[3]: 生残率と純移動率の和が負です")),
        "{all:?}"
    );
    // A good change: the results are out of date until run again (the derived ones too).
    let Basis::Assumed(a) = &mut changed.basis else {
        unreachable!()
    };
    a.survival[0].male[4] = 0.9988;
    a.migration[0].female[3] = -0.22;
    save_scenario(&cx, &office, changed.clone(), Some(kihon.revision), at())
        .await
        .unwrap();
    let view = population(&cx, &office).await.unwrap();
    assert!(view.needs_run());
    assert!(view.scenarios.iter().all(|s| !s.current()));
    assert_eq!(view.scenarios[0].state_label(), "再計算が必要");
    // Stale: the revision the page showed is gone.
    assert!(matches!(
        save_scenario(&cx, &office, changed, Some(kihon.revision), at()).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(run_all(&cx, &office, at()).await.unwrap(), 3);
    let view = population(&cx, &office).await.unwrap();
    assert!(view.scenarios.iter().all(|s| s.current()));

    // Derived in one action, projected at once, not public until marked.
    derive_scenario(
        &cx,
        &office,
        &id("kihon"),
        id("hanbun"),
        String::new(),
        Derivation::ScaledMigration { factor: 0.5 },
        at(),
    )
    .await
    .unwrap();
    let view = population(&cx, &office).await.unwrap();
    let hanbun = view.scenario(&id("hanbun")).unwrap();
    assert!(hanbun.current());
    assert_eq!(hanbun.record.scenario.name, "基本推計（純移動率×0.5）");
    assert_eq!(
        published_population(&cx, &[])
            .await
            .unwrap()
            .scenarios
            .len(),
        3
    );
    // From a derived scenario: refused.
    let again = derive_scenario(
        &cx,
        &office,
        &id("hanbun"),
        id("hanbun2"),
        String::new(),
        Derivation::ZeroMigration,
        at(),
    )
    .await;
    assert!(matches!(again, Err(AppError::Invalid(_))), "{again:?}");

    // A census in use is kept; another year is not a duplicate of one stored.
    let census = view.census(2020).unwrap().clone();
    assert!(matches!(
        delete_census(&cx, &office, 2020, census.revision, at()).await,
        Err(AppError::Conflict(m)) if m.contains("基準人口に使われている")
    ));
    assert_eq!(
        paths(
            save_census(&cx, &office, census.census.clone(), None, at())
                .await
                .unwrap_err()
        ),
        [
            "year: 2020年の人口は既に登録されています。変更するときは、その年の人口を開いてください。"
        ]
    );

    // The vision's links must be the strategy's targets or KPIs.
    let mut vision = view.vision.clone().unwrap();
    vision.vision.links.push(ElementRef {
        plan: PlanId::parse("sogo-keikaku").unwrap(),
        element: ElementId::parse("measure-1-1-1").unwrap(),
    });
    assert_eq!(
        paths(
            save_vision(
                &cx,
                &office,
                vision.vision.clone(),
                Some(vision.revision),
                at()
            )
            .await
            .unwrap_err()
        ),
        [
            "links[2]: 「sogo-keikaku/measure-1-1-1」は、登録されている計画の数値目標・KPIではありません。"
        ]
    );
    // Unpublished: the public sees nothing.
    vision.vision.links.pop();
    vision.vision.published = false;
    save_vision(&cx, &office, vision.vision, Some(vision.revision), at())
        .await
        .unwrap();
    assert!(matches!(
        published_population(&cx, &[]).await,
        Err(AppError::NotFound(_))
    ));

    // Only the planning office writes; every staff member reads.
    let editor = grant(Role::DepartmentEditor, Action::EditPrograms);
    assert!(matches!(
        run_all(&cx, &editor, at()).await,
        Err(AppError::Forbidden(_))
    ));
    let reader = grant(Role::DepartmentEditor, Action::ReadPopulation);
    assert!(population(&cx, &reader).await.is_ok());
}
