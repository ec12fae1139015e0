//! The edition the staff pages keep between requests (`Catalog::staff_edition`), at the app's
//! boundary: kept while nothing is written, read again after every write that could change
//! it — a program, a department's part, the fiscal frames, the edition's settings, the plan's
//! status and its elements —, and kept per reach, so that a department editor is never given
//! the city's view or another department's.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::edit::{self, Submission};
use keikaku_app::programs::{
    FrameAmount, ProgramForm, YearForm, listing, move_part, parse_form, roll, save_frame_amounts,
    save_program, save_settings,
};
use keikaku_app::{Catalog, status, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{EditionStep, SubmissionState, Yen};
use keikaku_domain::{MunicipalityCode, PlanId, PlanStatus};
use keikaku_storage::Store;
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn grant(role: Role, department: &str, action: Action) -> Granted {
    let user = User {
        login_id: LoginId::parse("tester").unwrap(),
        display_name: "実施 計子".to_owned(),
        department: department.to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, action).unwrap()
}

fn office(action: Action) -> Granted {
    grant(Role::PlanningOffice, "企画調整課", action)
}

async fn example() -> Catalog {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", at())
        .await
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    Catalog::open(store, MunicipalityCode::parse("03209").unwrap())
        .await
        .unwrap()
}

/// A new program of 農政課 for the edition made in 2026, in 千円.
fn new_program() -> ProgramForm {
    let mut years: Vec<(FiscalYear, YearForm)> = [2027, 2028, 2029]
        .into_iter()
        .map(|y| (fy(y), YearForm::default()))
        .collect();
    years[0].1 = YearForm {
        cost: "1,000".to_owned(),
        general: "1,000".to_owned(),
        ..YearForm::default()
    };
    ProgramForm {
        code: "01-01-009".to_owned(),
        name: "新しい事業".to_owned(),
        department: "農政課".to_owned(),
        category: "new".to_owned(),
        links: vec!["sogo-keikaku/measure-1-1-1".to_owned()],
        start_year: "2027".to_owned(),
        years,
        ..ProgramForm::default()
    }
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: each kind of write, then the read after it
async fn a_kept_edition_is_read_again_after_every_write_it_depends_on() {
    let catalog = example().await;
    let cx = catalog.context();
    let reader = office(Action::ReadPrograms);
    roll(&cx, &office(Action::ManageEditions), fy(2025), at())
        .await
        .unwrap();

    // Kept while nothing is written: the same edition, its aggregates made once.
    let first = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    let again = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "read once while nothing changes"
    );
    assert!(std::ptr::eq(first.aggregates(), again.aggregates()));
    let programs = first.view().programs.len();
    let cost_2027 = first.aggregates().total.year(fy(2027)).cost;

    // A program saved.
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    save_program(
        &cx,
        &nosei,
        fy(2026),
        parse_form(&new_program()).unwrap(),
        None,
        at(),
    )
    .await
    .unwrap();
    let kept = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    assert!(!Arc::ptr_eq(&first, &kept));
    assert!(kept.view().program("01-01-009").is_some());
    assert_eq!(kept.view().programs.len(), programs + 1);
    assert_eq!(
        kept.aggregates().total.year(fy(2027)).cost.yen(),
        cost_2027.yen() + 1_000_000,
        "the aggregates follow the program"
    );

    // A department's part submitted.
    let submit = grant(Role::DepartmentEditor, "農政課", Action::SubmitPrograms);
    move_part(
        &cx,
        &submit,
        fy(2026),
        "農政課",
        EditionStep::Submit,
        "",
        "0",
        at(),
    )
    .await
    .unwrap();
    let kept = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    assert_eq!(
        kept.view().part("農政課").unwrap().state,
        SubmissionState::Submitted
    );

    // The fiscal frames.
    let manage = office(Action::ManageEditions);
    let revision = kept.view().edition.revision.to_string();
    save_frame_amounts(
        &cx,
        &manage,
        fy(2026),
        &[FrameAmount {
            fiscal_year: fy(2027),
            department: String::new(),
            general: Yen::new(123_000_000),
        }],
        &revision,
        at(),
    )
    .await
    .unwrap();
    let kept = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    assert_eq!(kept.view().frames.len(), 1);
    let guide = &kept.aggregates().budget.city;
    assert_eq!(
        guide
            .iter()
            .find(|y| y.fiscal_year == fy(2027))
            .unwrap()
            .frame,
        Some(Yen::new(123_000_000)),
        "the budget guide follows the frames"
    );

    // The edition's settings.
    let revision = kept.view().edition.revision.to_string();
    save_settings(
        &cx,
        &manage,
        fy(2026),
        "sogo-keikaku",
        "down",
        &revision,
        at(),
    )
    .await
    .unwrap();
    let kept = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    assert_eq!(kept.view().rounding(), Rounding::Down);
    assert_eq!(kept.aggregates().rounding, Rounding::Down);

    // The basis plan: its status, then one of its elements.
    let plan = PlanId::parse("sogo-keikaku").unwrap();
    status::change_status(
        &cx,
        &office(Action::ChangePlanStatus),
        &plan,
        PlanStatus::Published,
        PlanStatus::UnderDeliberation,
        at(),
    )
    .await
    .unwrap();
    let kept = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    assert_eq!(
        kept.view().basis().unwrap().header().status,
        PlanStatus::UnderDeliberation,
        "the staff see the working copy"
    );
    let draft = edit::draft(&cx, &plan).await.unwrap();
    let mut values = draft.values("field-1-1");
    values.insert("title".to_owned(), "農林水産業の振興".to_owned());
    edit::update_element(
        &cx,
        &office(Action::EditPlan),
        &plan,
        "field-1-1",
        &Submission {
            version: draft.version("field-1-1"),
            values,
            links: None,
        },
        at(),
    )
    .await
    .unwrap();
    let kept = catalog.staff_edition(&reader, fy(2026)).await.unwrap();
    let fields: Vec<String> = kept
        .aggregates()
        .by_field
        .iter()
        .map(|(l, _)| l.title.clone())
        .collect();
    assert!(
        fields.contains(&"農林水産業の振興".to_owned()),
        "{fields:?}"
    );
    assert_eq!(
        listing(kept.view()).goals[0].fields[0].field.title,
        "農林水産業の振興"
    );
}

#[tokio::test]
async fn a_department_editor_is_given_only_their_own_departments_kept_edition() {
    let catalog = example().await;
    let city = office(Action::ReadPrograms);
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::ReadPrograms);
    let shoko = grant(Role::DepartmentEditor, "商工労働課", Action::ReadPrograms);
    let nobody = grant(Role::DepartmentEditor, "", Action::ReadPrograms);

    let all = catalog.staff_edition(&city, fy(2025)).await.unwrap();
    assert_eq!(all.view().programs.len(), 21);
    assert!(!all.view().narrowed);

    // Read after the city's view was kept: each department gets its own, and keeps it.
    let own = catalog.staff_edition(&nosei, fy(2025)).await.unwrap();
    assert!(own.view().narrowed);
    assert!(!own.view().programs.is_empty());
    assert!(
        own.view()
            .programs
            .iter()
            .all(|p| p.program.department == "農政課")
    );
    assert!(own.view().parts.iter().all(|p| p.department == "農政課"));
    assert_eq!(
        own.aggregates().by_department.len(),
        1,
        "the totals are the department's"
    );
    let theirs = catalog.staff_edition(&shoko, fy(2025)).await.unwrap();
    assert!(
        theirs
            .view()
            .programs
            .iter()
            .all(|p| p.program.department == "商工労働課")
    );
    assert!(!Arc::ptr_eq(&own, &theirs));
    let none = catalog.staff_edition(&nobody, fy(2025)).await.unwrap();
    assert!(
        none.view().programs.is_empty(),
        "no department reaches nothing"
    );

    // Kept per reach: the same again for each, the city's still whole.
    let again = catalog.staff_edition(&nosei, fy(2025)).await.unwrap();
    assert!(Arc::ptr_eq(&own, &again));
    let city_again = catalog.staff_edition(&city, fy(2025)).await.unwrap();
    assert!(Arc::ptr_eq(&all, &city_again));
    assert_eq!(city_again.view().programs.len(), 21);

    // Someone without a reading grant is refused, kept edition or not.
    let editor = grant(Role::DepartmentEditor, "農政課", Action::EditPlan);
    assert!(catalog.staff_edition(&editor, fy(2025)).await.is_err());
}
