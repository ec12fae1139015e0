//! The theme list and an element's themes as use cases: who may keep them, every problem with
//! its row and column, the revision and the tags the editor saw, and the public view's search
//! that reads the themes' words and the themes' pages' elements.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::themes;
use keikaku_app::{AppError, Context, Site, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::theme::Theme;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::{PlanStore, Store};
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

async fn example() -> (SqliteStore, MunicipalityCode) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", at())
        .await
        .unwrap();
    (store, MunicipalityCode::parse("03209").unwrap())
}

fn theme(code: &str, name: &str, words: &[&str]) -> Theme {
    Theme {
        code: code.to_owned(),
        name: name.to_owned(),
        description: String::new(),
        words: words.iter().map(|w| (*w).to_owned()).collect(),
    }
}

async fn site(store: &SqliteStore, code: &MunicipalityCode) -> Site {
    let cx = Context::new(store, code);
    let m = store.municipality(code).await.unwrap().unwrap();
    let mut plans = Vec::new();
    for s in store.plan_summaries(code).await.unwrap() {
        plans.push(store.plan(code, &s.header.id).await.unwrap().unwrap());
    }
    Site::new(m, plans, 1).with_themes(themes::list(&cx).await.unwrap())
}

#[tokio::test]
async fn only_the_planning_office_keeps_the_list_and_every_problem_has_its_place() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let before = themes::list(&cx).await.unwrap();
    assert_eq!(before.themes.len(), 4);
    assert!(Granted::check(user(Role::DepartmentEditor), Action::ManageThemes).is_err());
    assert!(Granted::check(user(Role::Member), Action::ManageThemes).is_err());
    let granted = Granted::check(user(Role::PlanningOffice), Action::ManageThemes).unwrap();

    // Blank rows are skipped but keep their number in the messages.
    let rows = [
        theme("kosodate", "子育て", &[]),
        Theme::default(),
        theme("Kosodate!", "子育て", &[]),
    ];
    let revision = before.revision.to_string();
    let Err(AppError::Invalid(problems)) =
        themes::save(&cx, &granted, &rows, &revision, at()).await
    else {
        panic!("accepted");
    };
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.path.as_str(), p.message.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("themes[2].code", "3行目の記号"),
            ("themes[2].name", "3行目のテーマの名前"),
        ]
    );
    assert_eq!(themes::list(&cx).await.unwrap(), before);

    // A good save; then the same revision again is a conflict.
    let rows = [theme("kosodate", "子育て", &["こそだて", "すくすく"])];
    themes::save(&cx, &granted, &rows, &revision, at())
        .await
        .unwrap();
    let after = themes::list(&cx).await.unwrap();
    assert_eq!(after.themes, rows.to_vec());
    assert!(after.tags.iter().all(|t| t.theme == "kosodate"));
    assert!(matches!(
        themes::save(&cx, &granted, &rows, &revision, at()).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        themes::save(&cx, &granted, &rows, "x", at()).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn an_elements_themes_are_checked_against_what_its_editor_saw() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let granted = Granted::check(user(Role::PlanningOffice), Action::ManageThemes).unwrap();
    let plan = PlanId::parse("sogo-keikaku").unwrap();
    let list = themes::list(&cx).await.unwrap();
    assert_eq!(
        themes::codes_of(&list, &plan, "measure-3-1-1"),
        vec!["kosodate"]
    );
    let seen = vec!["kosodate".to_owned()];
    let chosen = vec!["kosodate".to_owned(), "bosai".to_owned()];
    themes::tag(&cx, &granted, &plan, "measure-3-1-1", &seen, &chosen, at())
        .await
        .unwrap();
    let list = themes::list(&cx).await.unwrap();
    assert_eq!(
        themes::codes_of(&list, &plan, "measure-3-1-1"),
        vec!["kosodate", "bosai"]
    );
    // The same form again is stale.
    assert!(matches!(
        themes::tag(&cx, &granted, &plan, "measure-3-1-1", &seen, &chosen, at()).await,
        Err(AppError::Conflict(_))
    ));
    // An unknown theme is refused with its place; an unknown element is not found.
    let Err(AppError::Invalid(p)) = themes::tag(
        &cx,
        &granted,
        &plan,
        "measure-3-1-1",
        &chosen,
        &["nai".to_owned()],
        at(),
    )
    .await
    else {
        panic!("accepted");
    };
    assert_eq!(p[0].path, "themes");
    assert!(matches!(
        themes::tag(&cx, &granted, &plan, "measure-9-9-9", &[], &chosen, at()).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(themes::list(&cx).await.unwrap(), list);
}

#[tokio::test]
async fn the_public_view_searches_with_the_themes_words_and_lists_their_elements() {
    let (store, code) = example().await;
    let site = site(&store, &code).await;
    let titles = |q: &str| -> Vec<String> {
        site.search(q, 100)
            .iter()
            .map(|h| h.document.title.clone())
            .collect()
    };
    for q in ["こそだて", "コソダテ", "育児"] {
        assert!(
            titles(q).contains(&"子育て世代への切れ目のない支援".to_owned()),
            "{q}"
        );
    }
    let tagged: Vec<&str> = site
        .tagged("kosodate")
        .iter()
        .map(|(l, _)| l.id.as_ref().unwrap().as_str())
        .collect();
    assert!(tagged.contains(&"measure-3-1-1"), "{tagged:?}");
    assert!(tagged.contains(&"strategy-measure-3-1"), "{tagged:?}");
    // The strategy measure's KPIs come with it (the 待機児童 KPI).
    let senryaku = site.plan(&PlanId::parse("sogo-senryaku").unwrap()).unwrap();
    let kpis: Vec<&str> = themes::indicators_of(
        senryaku,
        keikaku_domain::ElementKind::StrategyMeasure,
        &keikaku_domain::ElementId::parse("strategy-measure-3-1").unwrap(),
    )
    .iter()
    .map(|i| i.title.as_str())
    .collect();
    assert!(kpis.contains(&"保育所待機児童数"), "{kpis:?}");
}
