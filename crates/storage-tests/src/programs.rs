//! The conformance stories of the 実施計画: an edition created, its programs saved exactly and
//! checked against the revision each writer saw (all or nothing), a department's part guarding
//! its programs once submitted, 確定 refused until every department is approved, nothing
//! changed once fixed, every write audited in an intact chain; the funding identity kept by
//! the database too; a draft edition deleted whole; municipalities kept apart. The yearly
//! roll is in `program_roll`.

use keikaku_domain::audit::verify_chain;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{
    Account, Activity, EditionState, ExpenseType, Frame, Funding, Program, ProgramCategory,
    ProgramCode, ProgramYear, SubmissionState, Yen,
};
use keikaku_domain::{ElementId, ElementRef, Municipality, PlanId};
use keikaku_storage::{
    EditionChange, EditionRecord, ExistingPlan, ProgramWrite, Store, StoreError,
};
use rust_decimal::Decimal;

use crate::{author, code_of, example, put};

pub(crate) fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// A program of the example's 施策 1-2-1 with the years given as (year, 事業費, 国庫支出金),
/// the rest 一般財源.
pub fn program(
    code: &str,
    department: &str,
    category: ProgramCategory,
    end: Option<i32>,
    years: &[(i32, i64, i64)],
) -> Program {
    Program {
        code: ProgramCode::parse(code).unwrap(),
        name: format!("事業「{code}」\n2行目"),
        department: department.to_owned(),
        links: vec![
            ElementRef {
                plan: PlanId::parse("sogo-keikaku").unwrap(),
                element: ElementId::parse("measure-1-2-1").unwrap(),
            },
            ElementRef {
                plan: PlanId::parse("sogo-senryaku").unwrap(),
                element: ElementId::parse("kpi-1-1-1").unwrap(),
            },
        ],
        purpose: "目的 𠮷野家 ①".to_owned(),
        target_group: "市内の事業者".to_owned(),
        means: "補助金の交付".to_owned(),
        start_year: fy(2020),
        end_year: end.map(fy),
        account: Account::Special,
        expense_type: ExpenseType::Investment,
        activity: Activity {
            name: "相談会の開催回数".to_owned(),
            unit: "回".to_owned(),
        },
        category,
        years: years
            .iter()
            .map(|&(y, cost, national)| ProgramYear {
                fiscal_year: fy(y),
                funding: Funding {
                    cost: Yen::new(cost),
                    national: Yen::new(national),
                    general: Yen::new(cost - national),
                    ..Funding::default()
                },
                activity_target: Some(Decimal::new(125, 1)),
            })
            .collect(),
        sample: true,
    }
}

pub(crate) fn edition(made_in: i32) -> EditionRecord {
    EditionRecord {
        made_in: fy(made_in),
        plan: PlanId::parse("sogo-keikaku").unwrap(),
        state: EditionState::Draft,
        rounding: Rounding::Down,
        updated_by: String::new(),
        updated_at: author().at,
        revision: 0,
    }
}

pub(crate) fn save(program: Program, expected: Option<i64>) -> ProgramWrite {
    ProgramWrite::Save { program, expected }
}

pub(crate) fn stale(result: Result<impl std::fmt::Debug, StoreError>, what: &str) {
    match result {
        Err(StoreError::Stale(s)) if s == what => {}
        other => panic!("expected Stale({what}), got {other:?}"),
    }
}

/// An edition from creation to publication, as the module says.
#[allow(clippy::too_many_lines)] // one story: the whole cycle of an edition
pub async fn an_edition_is_created_edited_fixed_and_audited(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let made_in = fy(2025);
    assert!(store.edition(code, made_in).await.unwrap().is_none());
    store
        .create_edition(code, &edition(2025), &author())
        .await
        .unwrap();
    stale(
        store.create_edition(code, &edition(2025), &author()).await,
        "edition",
    );
    let fresh = store.edition(code, made_in).await.unwrap().unwrap();
    assert_eq!(fresh.edition.state, EditionState::Draft);
    assert_eq!(fresh.edition.rounding, Rounding::Down);
    assert_eq!(fresh.edition.revision, 1);
    assert!(fresh.programs.is_empty() && fresh.parts.is_empty() && fresh.frames.is_empty());

    // Two programs, stored exactly (text, links in order, years, activity targets).
    let a = program(
        "01-001",
        "農政課",
        ProgramCategory::New,
        None,
        &[(2026, 1_300_000, 500_000), (2027, 1_000_000, 0)],
    );
    let b = program(
        "02-001",
        "商工課",
        ProgramCategory::Continued,
        Some(2027),
        &[],
    );
    let before = store.data_version(code).await.unwrap();
    let saved = store
        .save_programs(
            code,
            made_in,
            &[save(a.clone(), None), save(b.clone(), None)],
            None,
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
    assert!(saved.iter().all(|p| p.revision == 1));
    assert!(store.data_version(code).await.unwrap() > before);
    let stored = store.edition(code, made_in).await.unwrap().unwrap();
    let programs: Vec<&Program> = stored.programs.iter().map(|p| &p.program).collect();
    assert_eq!(programs, [&a, &b]);

    // A second writer from nothing is stale; all or nothing with a good write beside it.
    let mut a2 = a.clone();
    a2.years[0].funding.national = Yen::new(600_000);
    a2.years[0].funding.general = Yen::new(700_000);
    stale(
        store
            .save_programs(
                code,
                made_in,
                &[save(a2.clone(), Some(1)), save(b.clone(), None)],
                None,
                &author(),
            )
            .await,
        "02-001",
    );
    let unchanged = store.edition(code, made_in).await.unwrap().unwrap();
    assert_eq!(unchanged.programs[0].program, a, "nothing was written");
    let saved = store
        .save_programs(code, made_in, &[save(a2.clone(), Some(1))], None, &author())
        .await
        .unwrap();
    assert_eq!(saved[0].revision, 2);
    // A save equal to what is stored changes nothing (no revision, no audit entry).
    let version = store.data_version(code).await.unwrap();
    let same = store
        .save_programs(code, made_in, &[save(a2.clone(), Some(2))], None, &author())
        .await
        .unwrap();
    assert_eq!(same[0].revision, 2);
    assert!(store.data_version(code).await.unwrap() > version);

    // A department's part guards its programs once submitted.
    let rev = store
        .save_part(
            code,
            made_in,
            "農政課",
            SubmissionState::Submitted,
            "",
            0,
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(rev, 1);
    stale(
        store
            .save_programs(
                code,
                made_in,
                &[save(a.clone(), Some(2))],
                Some("農政課"),
                &author(),
            )
            .await,
        "農政課",
    );
    stale(
        store
            .save_part(
                code,
                made_in,
                "農政課",
                SubmissionState::Approved,
                "",
                0,
                &author(),
            )
            .await,
        "農政課",
    );

    // 確定 is refused while a department (商工課, with no part stored) is not approved.
    stale(
        store
            .save_edition(
                code,
                made_in,
                &EditionChange::State(EditionState::Fixed),
                1,
                &author(),
            )
            .await,
        "parts",
    );
    for (department, expected) in [("農政課", 1), ("商工課", 0)] {
        store
            .save_part(
                code,
                made_in,
                department,
                SubmissionState::Approved,
                "確認済み",
                expected,
                &author(),
            )
            .await
            .unwrap();
    }
    let frames = vec![
        Frame {
            fiscal_year: fy(2026),
            department: String::new(),
            general: Yen::new(900_000),
        },
        Frame {
            fiscal_year: fy(2026),
            department: "農政課".to_owned(),
            general: Yen::new(500_000),
        },
    ];
    let rev = store
        .save_edition(
            code,
            made_in,
            &EditionChange::Frames(frames.clone()),
            1,
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(rev, 2);
    stale(
        store
            .save_edition(
                code,
                made_in,
                &EditionChange::Frames(Vec::new()),
                1,
                &author(),
            )
            .await,
        "edition",
    );
    let rev = store
        .save_edition(
            code,
            made_in,
            &EditionChange::State(EditionState::Fixed),
            2,
            &author(),
        )
        .await
        .unwrap();
    let fixed = store.edition(code, made_in).await.unwrap().unwrap();
    assert_eq!(fixed.edition.state, EditionState::Fixed);
    assert_eq!(fixed.frames, frames);
    let parts: Vec<(&str, SubmissionState, &str)> = fixed
        .parts
        .iter()
        .map(|p| (p.department.as_str(), p.state, p.comment.as_str()))
        .collect();
    assert_eq!(
        parts,
        [
            ("商工課", SubmissionState::Approved, "確認済み"),
            ("農政課", SubmissionState::Approved, "確認済み"),
        ]
    );
    // Fixed: programs, parts, settings and frames stay as they are.
    stale(
        store
            .save_programs(code, made_in, &[save(a.clone(), Some(2))], None, &author())
            .await,
        "edition",
    );
    stale(
        store
            .save_part(
                code,
                made_in,
                "農政課",
                SubmissionState::Returned,
                "",
                2,
                &author(),
            )
            .await,
        "edition",
    );
    let settings = EditionChange::Settings {
        plan: PlanId::parse("sogo-keikaku").unwrap(),
        rounding: Rounding::HalfUp,
    };
    stale(
        store
            .save_edition(code, made_in, &settings, rev, &author())
            .await,
        "edition",
    );
    let rev = store
        .save_edition(
            code,
            made_in,
            &EditionChange::State(EditionState::Published),
            rev,
            &author(),
        )
        .await
        .unwrap();
    assert_eq!(rev, 4);

    // The editions list, newest first, with their program counts.
    store
        .create_edition(code, &edition(2026), &author())
        .await
        .unwrap();
    let list = store.editions(code).await.unwrap();
    let listed: Vec<(i32, EditionState, i64)> = list
        .iter()
        .map(|e| (e.edition.made_in.year(), e.edition.state, e.programs))
        .collect();
    assert_eq!(
        listed,
        [
            (2026, EditionState::Draft, 0),
            (2025, EditionState::Published, 2)
        ]
    );

    // Every write is in the audit chain, which is intact.
    let entries = store.audit_entries(code, 0, 10_000).await.unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("implementation_plan."))
        .collect();
    assert_eq!(
        actions,
        [
            "implementation_plan.create",
            "implementation_plan.programs",
            "implementation_plan.programs",
            "implementation_plan.part",
            "implementation_plan.part",
            "implementation_plan.part",
            "implementation_plan.frames",
            "implementation_plan.state",
            "implementation_plan.state",
            "implementation_plan.create",
        ]
    );
    let last_programs = entries
        .iter()
        .rfind(|e| e.action == "implementation_plan.programs")
        .unwrap();
    assert_eq!(last_programs.target, "implementation-plan/2025");
    assert!(
        last_programs
            .after
            .as_deref()
            .unwrap()
            .contains("national=600000")
    );
    assert!(
        last_programs
            .before
            .as_deref()
            .unwrap()
            .contains("national=500000")
    );
    assert_eq!(verify_chain(entries.iter()), Ok(entries.len() as u64));

    // Another municipality sees none of it.
    let other = Municipality {
        code: code_of("03215"),
        name: "奥州市".to_owned(),
        prefecture: "岩手県".to_owned(),
    };
    put(store, &other, &[], ExistingPlan::Refuse).await.unwrap();
    assert!(store.editions(&other.code).await.unwrap().is_empty());
    assert!(store.edition(&other.code, made_in).await.unwrap().is_none());
    stale(
        store.roll_edition(&other.code, made_in, &author()).await,
        "from",
    );
}

/// Deleting programs: checked against the revision, audited, gone with its years and links.
pub async fn programs_are_deleted_with_their_years(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    store
        .create_edition(code, &edition(2025), &author())
        .await
        .unwrap();
    let p = program(
        "X-1",
        "農政課",
        ProgramCategory::New,
        None,
        &[(2026, 10, 0)],
    );
    let made_in = fy(2025);
    store
        .save_programs(code, made_in, &[save(p.clone(), None)], None, &author())
        .await
        .unwrap();
    let delete = |expected| ProgramWrite::Delete {
        code: p.code.clone(),
        expected,
    };
    stale(
        store
            .save_programs(code, made_in, &[delete(2)], None, &author())
            .await,
        "X-1",
    );
    store
        .save_programs(code, made_in, &[delete(1)], None, &author())
        .await
        .unwrap();
    assert!(
        store
            .edition(code, made_in)
            .await
            .unwrap()
            .unwrap()
            .programs
            .is_empty()
    );
    // Added again, it starts from revision 1 with nothing left of before.
    let mut again = p.clone();
    again.years.clear();
    let saved = store
        .save_programs(code, made_in, &[save(again.clone(), None)], None, &author())
        .await
        .unwrap();
    assert_eq!(saved[0].revision, 1);
    let stored = store.edition(code, made_in).await.unwrap().unwrap();
    assert_eq!(stored.programs[0].program, again);
}

/// An edition with a program (years and links), a department's part and a frame: a row in
/// every table of the 実施計画, for the backup stories.
pub async fn fill(store: &dyn Store, code: &keikaku_domain::MunicipalityCode) {
    let made_in = fy(2025);
    store
        .create_edition(code, &edition(2025), &author())
        .await
        .unwrap();
    let p = program(
        "B-1",
        "農政課",
        ProgramCategory::New,
        Some(2028),
        &[(2026, 1_234_567, 1_000)],
    );
    store
        .save_programs(code, made_in, &[save(p, None)], None, &author())
        .await
        .unwrap();
    store
        .save_part(
            code,
            made_in,
            "農政課",
            SubmissionState::Returned,
            "再提出\n願います",
            0,
            &author(),
        )
        .await
        .unwrap();
    let frame = Frame {
        fiscal_year: fy(2026),
        department: String::new(),
        general: Yen::new(10_000_000),
    };
    store
        .save_edition(
            code,
            made_in,
            &EditionChange::Frames(vec![frame]),
            1,
            &author(),
        )
        .await
        .unwrap();
}

/// The funding identity is the database's too: a year whose parts do not add up to its cost,
/// or with a negative part, is refused by the store whatever the caller checked, and nothing
/// of the write is stored.
pub async fn the_database_keeps_the_funding_identity(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    store
        .create_edition(code, &edition(2025), &author())
        .await
        .unwrap();
    let made_in = fy(2025);
    let good = program(
        "G-1",
        "農政課",
        ProgramCategory::New,
        None,
        &[(2026, 100, 50)],
    );
    let mut mismatch = program(
        "B-1",
        "農政課",
        ProgramCategory::New,
        None,
        &[(2026, 100, 50)],
    );
    mismatch.years[0].funding.general = Yen::new(49);
    let mut negative = program("B-2", "農政課", ProgramCategory::New, None, &[(2026, 0, 0)]);
    negative.years[0].funding.national = Yen::new(-10);
    negative.years[0].funding.general = Yen::new(10);
    for bad in [mismatch, negative] {
        let result = store
            .save_programs(
                code,
                made_in,
                &[save(good.clone(), None), save(bad, None)],
                None,
                &author(),
            )
            .await;
        assert!(matches!(result, Err(StoreError::Backend(_))), "{result:?}");
        assert!(
            store
                .edition(code, made_in)
                .await
                .unwrap()
                .unwrap()
                .programs
                .is_empty(),
            "nothing of the write is stored"
        );
    }
    let frame = Frame {
        fiscal_year: fy(2026),
        department: String::new(),
        general: Yen::new(-1),
    };
    let result = store
        .save_edition(
            code,
            made_in,
            &EditionChange::Frames(vec![frame]),
            1,
            &author(),
        )
        .await;
    assert!(matches!(result, Err(StoreError::Backend(_))), "{result:?}");
}

/// An edition being made is deleted whole (programs, years, links, parts, frames), from the
/// revision the writer saw and audited; a fixed one is not.
pub async fn a_draft_edition_is_deleted_whole(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    fill(store, code).await;
    let made_in = fy(2025);
    stale(
        store.delete_edition(code, made_in, 1, &author()).await,
        "edition",
    );
    store
        .delete_edition(code, made_in, 2, &author())
        .await
        .unwrap();
    assert!(store.edition(code, made_in).await.unwrap().is_none());
    let backup = store.snapshot().await.unwrap();
    for t in backup
        .tables
        .iter()
        .filter(|t| t.name.starts_with("program"))
    {
        assert!(t.rows.is_empty(), "{} still has rows", t.name);
    }
    let entries = store.audit_entries(code, 0, 10_000).await.unwrap();
    assert_eq!(entries.last().unwrap().action, "implementation_plan.delete");
    // Created again, it is a new edition; once fixed, it cannot be deleted.
    store
        .create_edition(code, &edition(2025), &author())
        .await
        .unwrap();
    let p = program(
        "D-1",
        "農政課",
        ProgramCategory::New,
        None,
        &[(2026, 10, 0)],
    );
    store
        .save_programs(code, made_in, &[save(p, None)], None, &author())
        .await
        .unwrap();
    store
        .save_part(
            code,
            made_in,
            "農政課",
            SubmissionState::Approved,
            "",
            0,
            &author(),
        )
        .await
        .unwrap();
    let rev = store
        .save_edition(
            code,
            made_in,
            &EditionChange::State(EditionState::Fixed),
            1,
            &author(),
        )
        .await
        .unwrap();
    stale(
        store.delete_edition(code, made_in, rev, &author()).await,
        "edition",
    );
}
