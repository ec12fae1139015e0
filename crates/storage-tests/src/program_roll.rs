//! The conformance story of the 実施計画's yearly roll: done by the database (`INSERT …
//! SELECT`), equal to the domain's `roll` on the same programs, refused twice and from an
//! edition that does not exist, leaving the edition rolled as it was, carrying the frames of
//! the years it keeps and no department's part; and a program's history across editions.

use keikaku_domain::audit::verify_chain;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{
    Edition, EditionState, Frame, Program, ProgramCategory, ProgramCode, SubmissionState, Yen, roll,
};
use keikaku_storage::{EditionChange, ExistingPlan, ProgramWrite, Store};

use crate::programs::{edition, fy, program, save, stale};
use crate::{author, example, put};

/// The roll done by the database equals the domain's, as the module says.
pub async fn the_roll_is_the_domains_roll(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let made_in = fy(2025);
    stale(store.roll_edition(code, made_in, &author()).await, "from");
    store
        .create_edition(code, &edition(2025), &author())
        .await
        .unwrap();
    let years = [(2026, 1_000, 0), (2027, 2_000, 1_000), (2028, 3_000, 0)];
    let programs = vec![
        program("A-NEW", "農政課", ProgramCategory::New, None, &years),
        program(
            "B-EXP",
            "農政課",
            ProgramCategory::Expanded,
            Some(2027),
            &years[..2],
        ),
        program(
            "C-END",
            "商工課",
            ProgramCategory::Continued,
            Some(2026),
            &years[..1],
        ),
        program("D-ABO", "商工課", ProgramCategory::Abolished, None, &years),
        program("E-DONE", "商工課", ProgramCategory::Completed, None, &years),
        program("F-PAUSE", "商工課", ProgramCategory::Suspended, None, &[]),
        program(
            "G-RED",
            "商工課",
            ProgramCategory::Reduced,
            Some(2028),
            &years,
        ),
    ];
    let writes: Vec<ProgramWrite> = programs.iter().cloned().map(|p| save(p, None)).collect();
    store
        .save_programs(code, made_in, &writes, None, &author())
        .await
        .unwrap();
    store
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
    let frames = vec![
        Frame {
            fiscal_year: fy(2026),
            department: String::new(),
            general: Yen::new(5),
        },
        Frame {
            fiscal_year: fy(2027),
            department: "農政課".to_owned(),
            general: Yen::new(6),
        },
    ];
    store
        .save_edition(code, made_in, &EditionChange::Frames(frames), 1, &author())
        .await
        .unwrap();
    let old = store.edition(code, made_in).await.unwrap().unwrap();

    let outcomes = store.roll_edition(code, made_in, &author()).await.unwrap();
    let domain_edition = Edition {
        made_in,
        programs: programs.clone(),
    };
    let (expected, expected_outcomes) = roll(&domain_edition);
    assert_eq!(outcomes, expected_outcomes);
    let rolled = store.edition(code, fy(2026)).await.unwrap().unwrap();
    let got: Vec<&Program> = rolled.programs.iter().map(|p| &p.program).collect();
    let want: Vec<&Program> = expected.programs.iter().collect();
    assert_eq!(got, want);
    assert!(rolled.programs.iter().all(|p| p.revision == 1));
    assert_eq!(rolled.edition.state, EditionState::Draft);
    assert_eq!(rolled.edition.rounding, Rounding::Down);
    assert_eq!(rolled.edition.plan, old.edition.plan);
    assert!(rolled.parts.is_empty(), "every department starts 未提出");
    assert_eq!(
        rolled.frames,
        [Frame {
            fiscal_year: fy(2027),
            department: "農政課".to_owned(),
            general: Yen::new(6),
        }]
    );
    // The edition rolled is as it was; rolling it again is refused, writing nothing.
    assert_eq!(store.edition(code, made_in).await.unwrap().unwrap(), old);
    let version = store.data_version(code).await.unwrap();
    stale(
        store.roll_edition(code, made_in, &author()).await,
        "edition",
    );
    assert_eq!(
        store.edition(code, fy(2026)).await.unwrap().unwrap(),
        rolled
    );
    assert!(store.data_version(code).await.unwrap() >= version);
    let entries = store.audit_entries(code, 0, 10_000).await.unwrap();
    let roll_entry = entries
        .iter()
        .find(|e| e.action == "implementation_plan.roll")
        .unwrap();
    assert_eq!(roll_entry.target, "implementation-plan/2026");
    assert!(
        roll_entry
            .after
            .as_deref()
            .unwrap()
            .contains("事業「D-ABO」は廃止のため、引き継いでいません。")
    );
    assert_eq!(verify_chain(entries.iter()), Ok(entries.len() as u64));

    // The history of a program: every edition that holds it, oldest first.
    let history = store
        .program_history(code, &ProgramCode::parse("A-NEW").unwrap())
        .await
        .unwrap();
    let seen: Vec<(i32, ProgramCategory, usize)> = history
        .iter()
        .map(|(e, p)| (e.made_in.year(), p.program.category, p.program.years.len()))
        .collect();
    assert_eq!(
        seen,
        [
            (2025, ProgramCategory::New, 3),
            (2026, ProgramCategory::Continued, 2)
        ]
    );
    let gone = store
        .program_history(code, &ProgramCode::parse("D-ABO").unwrap())
        .await
        .unwrap();
    assert_eq!(gone.len(), 1);
    assert!(
        store
            .program_history(code, &ProgramCode::parse("NONE").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
}
