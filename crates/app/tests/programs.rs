//! The 実施計画 at the app's boundary: the example's published edition, its 一覧 and
//! aggregates; rolling it (once); a department entering only its own programs in 千円 with
//! every problem by field; submission locking a department's programs until returned; 確定
//! only once every department is approved; the public seeing published editions only.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::programs::{
    FrameAmount, FrameInput, ProgramForm, Viewer, YearForm, aggregates, change_state, compare,
    create_edition, delete_edition, delete_program, edition, editions, form_problems, listing,
    move_part, parse_form, program_history, published_edition, published_editions, roll,
    save_frame_amounts, save_frames, save_program,
};
use keikaku_app::{AppError, Context, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{EditionState, EditionStep, ProgramCategory, SubmissionState, Yen};
use keikaku_domain::{MunicipalityCode, Plan};
use keikaku_storage::{HistoryStore, PlanStore, ProgramStore, Store};
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

async fn example() -> (SqliteStore, MunicipalityCode) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", at())
        .await
        .unwrap();
    (store, MunicipalityCode::parse("03209").unwrap())
}

fn problems(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(p) => p
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn the_example_is_a_published_edition_with_its_listing_and_aggregates() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let public = published_editions(&cx).await.unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].edition.made_in, fy(2025));
    assert_eq!(public[0].programs, 21);
    let plans: Vec<Plan> = vec![
        store
            .plan(
                &code,
                &keikaku_domain::PlanId::parse("sogo-keikaku").unwrap(),
            )
            .await
            .unwrap()
            .unwrap(),
        store
            .plan(
                &code,
                &keikaku_domain::PlanId::parse("sogo-senryaku").unwrap(),
            )
            .await
            .unwrap()
            .unwrap(),
    ];
    let view = published_edition(&cx, &plans, fy(2025)).await.unwrap();
    assert_eq!(view.title(), "令和7年度（2025年度）版");
    assert_eq!(view.period(), "令和8年度〜令和10年度（2026〜2028年度）");
    assert!(view.programs.iter().all(|p| p.program.sample));
    assert!(
        view.parts
            .iter()
            .all(|p| p.state == SubmissionState::Approved)
    );

    let list = listing(&view);
    let goals: Vec<String> = list.goals.iter().map(|g| g.goal.number.clone()).collect();
    assert_eq!(goals, ["1", "2", "3", "5"]);
    let first = &list.goals[0].fields[0].measures[0];
    assert_eq!(first.measure.display(), "1-1-1\u{3000}担い手の確保と育成");
    assert_eq!(first.programs.len(), 3);
    assert!(list.unplaced.is_empty());
    // Every program is in exactly one place of the 一覧, and the groups add up to the total.
    let placed: usize = list
        .goals
        .iter()
        .flat_map(|g| &g.fields)
        .flat_map(|f| &f.measures)
        .map(|m| m.programs.len())
        .sum();
    assert_eq!(placed, 21);
    let sum: i64 = list
        .goals
        .iter()
        .map(|g| g.totals.year(fy(2026)).cost.yen())
        .sum();
    assert_eq!(sum, list.total.year(fy(2026)).cost.yen());
    let total = list.total.year(fy(2026));
    assert_eq!(
        total.cost.yen(),
        [
            total.national,
            total.prefectural,
            total.bonds,
            total.other,
            total.general
        ]
        .iter()
        .map(|y| y.yen())
        .sum::<i64>(),
        "the funding identity holds for the totals too"
    );

    let agg = aggregates(&view);
    let projects: Vec<String> = agg.by_project.iter().map(|(l, _)| l.id.clone()).collect();
    assert_eq!(
        projects,
        [
            "priority-project-1",
            "priority-project-2",
            "priority-project-3",
            "priority-project-5"
        ]
    );
    let objectives: Vec<(String, usize)> = agg
        .by_objective
        .iter()
        .map(|(l, t)| (l.id.clone(), t.programs))
        .collect();
    assert_eq!(objectives[0].0, "objective-1");
    assert!(objectives.iter().all(|(_, n)| *n > 0));
    let departments: usize = agg.by_department.iter().map(|(_, t)| t.programs).sum();
    assert_eq!(departments, 21);
    assert_eq!(agg.budget.city.len(), 3);
    assert_eq!(agg.budget.city[0].needed, total.general);
    assert_eq!(agg.rounding, Rounding::HalfUp);
}

fn form(code: &str, department: &str) -> ProgramForm {
    let mut years: Vec<(FiscalYear, YearForm)> = [2027, 2028, 2029]
        .into_iter()
        .map(|y| (fy(y), YearForm::default()))
        .collect();
    years[0].1 = YearForm {
        cost: "１，３００".to_owned(),
        national: "500".to_owned(),
        prefectural: "200".to_owned(),
        general: "600".to_owned(),
        activity_target: "12".to_owned(),
        ..YearForm::default()
    };
    years[1].1 = YearForm {
        cost: "1,000.5".to_owned(),
        national: "400".to_owned(),
        ..YearForm::default()
    };
    ProgramForm {
        code: code.to_owned(),
        name: " 新しい事業 ".to_owned(),
        department: department.to_owned(),
        category: "new".to_owned(),
        links: vec!["sogo-keikaku/measure-1-1-1".to_owned()],
        purpose: "目的\r\n2行目".to_owned(),
        start_year: "令和9年度".to_owned(),
        years,
        ..ProgramForm::default()
    }
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: an edition rolled, entered, submitted, fixed
async fn an_edition_is_rolled_entered_submitted_and_fixed() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let office = grant(Role::PlanningOffice, "企画調整課", Action::ManageEditions);
    let outcomes = roll(&cx, &office, fy(2025), at()).await.unwrap();
    assert_eq!(outcomes.len(), 21);
    let again = roll(&cx, &office, fy(2025), at()).await.unwrap_err();
    assert!(
        matches!(&again, AppError::Conflict(m) if m.contains("令和8年度（2026年度）版の実施計画は既にあります")),
        "{again:?}"
    );
    assert!(matches!(
        roll(&cx, &office, fy(2030), at()).await,
        Err(AppError::NotFound(_))
    ));
    let reader = grant(Role::Member, "", Action::ReadDrafts);
    let view = edition(&cx, &reader, fy(2026)).await.unwrap();
    assert_eq!(view.edition.state, EditionState::Draft);
    assert!(view.program("07-02-001").is_none(), "廃止 is not carried");
    assert!(view.program("03-01-003").is_none(), "完了 is not carried");
    assert_eq!(
        view.program("02-01-002").unwrap().program.category,
        ProgramCategory::Continued
    );
    assert!(view.parts.iter().all(|p| p.state == SubmissionState::Draft));
    // The public does not see an edition being made.
    assert_eq!(published_editions(&cx).await.unwrap().len(), 1);
    assert!(matches!(
        published_edition(&cx, &[], fy(2026)).await,
        Err(AppError::NotFound(_))
    ));

    // A department editor enters a program of their own, in 千円 as typed.
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    let program = parse_form(&form("01-01-009", "農政課")).unwrap();
    assert_eq!(program.years.len(), 2);
    assert_eq!(program.years[0].funding.cost, Yen::new(1_300_000));
    assert_eq!(
        program.years[1].funding.general,
        Yen::new(600_500),
        "a blank 一般財源 is what the cost leaves"
    );
    let saved = save_program(&cx, &nosei, fy(2026), program.clone(), None, at())
        .await
        .unwrap();
    assert_eq!(saved.revision, 1);
    assert_eq!(saved.program.name, "新しい事業");
    assert_eq!(saved.program.purpose, "目的\n2行目");
    // The same code again is refused by field.
    let twice = save_program(&cx, &nosei, fy(2026), program.clone(), None, at()).await;
    assert_eq!(
        problems(twice.unwrap_err()),
        ["code: 事業コード「01-01-009」は既にこの版にあります。"]
    );
    // Another department's program: refused by field; the other's existing program: forbidden.
    let theirs = parse_form(&form("02-09-001", "商工労働課")).unwrap();
    assert_eq!(
        problems(
            save_program(&cx, &nosei, fy(2026), theirs, None, at())
                .await
                .unwrap_err()
        ),
        [
            "department: 所管課「商工労働課」の事業は入力できません（自分の課の事業だけを入力できます）。"
        ]
    );
    let stored = view.program("02-01-001").unwrap().clone();
    assert!(matches!(
        save_program(
            &cx,
            &nosei,
            fy(2026),
            stored.program.clone(),
            Some(stored.revision),
            at()
        )
        .await,
        Err(AppError::Forbidden(_))
    ));

    // Every problem at once, by field: the identity, an unknown link, a year outside the
    // edition's period, a fractional yen, an unknown category.
    let mut bad = form("01-01-010", "農政課");
    bad.years[0].1.general = "400".to_owned();
    bad.links.push("sogo-keikaku/measure-9-9-9".to_owned());
    let parsed = parse_form(&bad).unwrap();
    assert_eq!(
        problems(
            save_program(&cx, &nosei, fy(2026), parsed, None, at())
                .await
                .unwrap_err()
        ),
        [
            "y2027.cost: 令和9年度（2027年度）: 財源の合計 1,100千円 が事業費 1,300千円 と一致しません。",
            "links: 「sogo-keikaku/measure-9-9-9」は計画にない要素です。",
        ]
    );
    let mut bad = form("01-01-011", "農政課");
    bad.years[2].1.cost = "1.2345".to_owned();
    bad.category = "廃止予定".to_owned();
    assert_eq!(
        problems(AppError::Invalid(parse_form(&bad).unwrap_err())),
        [
            "category: 事業区分「廃止予定」は選択肢にありません。",
            "y2029.cost: 令和11年度（2029年度）の事業費: 「1.2345」には1円未満の端数があります（千円単位で小数点以下3桁まで）。",
        ]
    );

    // Submitted, the department's programs are locked until the planning office returns them.
    let submit = grant(Role::DepartmentEditor, "農政課", Action::SubmitPrograms);
    assert_eq!(
        move_part(
            &cx,
            &submit,
            fy(2026),
            "農政課",
            EditionStep::Submit,
            "",
            "0",
            at()
        )
        .await
        .unwrap(),
        SubmissionState::Submitted
    );
    assert!(matches!(
        move_part(
            &cx,
            &submit,
            fy(2026),
            "商工労働課",
            EditionStep::Submit,
            "",
            "0",
            at()
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    let mut change = saved.program.clone();
    change.name = "名前を変える".to_owned();
    let locked = save_program(&cx, &nosei, fy(2026), change.clone(), Some(1), at()).await;
    assert!(
        matches!(&locked, Err(AppError::Conflict(m)) if m.contains("提出済み")),
        "{locked:?}"
    );
    let review = grant(Role::PlanningOffice, "企画調整課", Action::ReviewPrograms);
    let no_reason = move_part(
        &cx,
        &review,
        fy(2026),
        "農政課",
        EditionStep::Return,
        " ",
        "1",
        at(),
    )
    .await;
    assert_eq!(
        problems(no_reason.unwrap_err()),
        ["comment: 差戻しの理由（コメント）を入力してください。"]
    );
    move_part(
        &cx,
        &review,
        fy(2026),
        "農政課",
        EditionStep::Return,
        "財源を確認してください",
        "1",
        at(),
    )
    .await
    .unwrap();
    let changed = save_program(&cx, &nosei, fy(2026), change, Some(1), at())
        .await
        .unwrap();
    assert_eq!(changed.revision, 2);
    // A stale revision is a conflict, and nothing is written.
    let stale = save_program(&cx, &nosei, fy(2026), saved.program.clone(), Some(1), at()).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    delete_program(&cx, &nosei, fy(2026), "01-01-009", "2", at())
        .await
        .unwrap();

    // 確定 only once every department is approved; then nothing changes until re-opened.
    let refused = change_state(&cx, &office, fy(2026), EditionStep::Fix, "1", at()).await;
    assert!(
        matches!(&refused, Err(AppError::Conflict(m)) if m.contains("承認されていない課")),
        "{refused:?}"
    );
    let view = edition(&cx, &reader, fy(2026)).await.unwrap();
    for part in &view.parts {
        let dept = grant(
            Role::DepartmentEditor,
            &part.department,
            Action::SubmitPrograms,
        );
        let r = if part.state == SubmissionState::Returned {
            part.revision
        } else {
            0
        };
        move_part(
            &cx,
            &dept,
            fy(2026),
            &part.department,
            EditionStep::Submit,
            "",
            &r.to_string(),
            at(),
        )
        .await
        .unwrap();
        move_part(
            &cx,
            &review,
            fy(2026),
            &part.department,
            EditionStep::Approve,
            "",
            &(r + 1).to_string(),
            at(),
        )
        .await
        .unwrap();
    }
    let frames = [FrameInput {
        fiscal_year: fy(2027),
        department: String::new(),
        amount: "1,000,000".to_owned(),
    }];
    save_frames(&cx, &office, fy(2026), &frames, "1", at())
        .await
        .unwrap();
    assert_eq!(
        change_state(&cx, &office, fy(2026), EditionStep::Fix, "2", at())
            .await
            .unwrap(),
        EditionState::Fixed
    );
    let frozen = save_program(
        &cx,
        &office_edit(),
        fy(2026),
        saved.program.clone(),
        None,
        at(),
    )
    .await;
    assert!(
        matches!(&frozen, Err(AppError::Conflict(m)) if m.contains("「確定」のため")),
        "{frozen:?}"
    );
    change_state(&cx, &office, fy(2026), EditionStep::Publish, "3", at())
        .await
        .unwrap();
    assert_eq!(published_editions(&cx).await.unwrap().len(), 2);

    // The two editions compared, publicly; a program's history across them.
    let cmp = compare(&cx, Viewer::Public(&[]), fy(2025), fy(2026))
        .await
        .unwrap();
    assert_eq!(cmp.diff.ended.len(), 2);
    let history = program_history(&cx, Viewer::Public(&[]), "02-01-002")
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert!(matches!(
        program_history(&cx, Viewer::Public(&[]), "NONE").await,
        Err(AppError::NotFound(_))
    ));
    let list = editions(&cx, &reader).await.unwrap();
    assert_eq!(list.len(), 2);
}

fn office_edit() -> Granted {
    grant(Role::PlanningOffice, "企画調整課", Action::EditPrograms)
}

#[tokio::test]
async fn an_edition_is_opened_empty_on_a_comprehensive_plan_only() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let office = grant(Role::PlanningOffice, "企画調整課", Action::ManageEditions);
    let on_strategy = create_edition(
        &cx,
        &office,
        fy(2030),
        "sogo-senryaku",
        Rounding::Down,
        at(),
    )
    .await;
    assert_eq!(
        problems(on_strategy.unwrap_err()),
        [
            "plan: 計画「一関市まち・ひと・しごと創生総合戦略」は総合計画ではありません。実施計画の施策は総合計画から選びます。"
        ]
    );
    create_edition(&cx, &office, fy(2030), "sogo-keikaku", Rounding::Down, at())
        .await
        .unwrap();
    assert!(matches!(
        create_edition(&cx, &office, fy(2030), "sogo-keikaku", Rounding::Down, at()).await,
        Err(AppError::Conflict(_))
    ));
    let editor = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    assert!(matches!(
        create_edition(&cx, &editor, fy(2031), "sogo-keikaku", Rounding::Down, at()).await,
        Err(AppError::Forbidden(_))
    ));
    let data = store.edition(&code, fy(2030)).await.unwrap().unwrap();
    assert_eq!(data.edition.rounding, Rounding::Down);
    assert!(data.programs.is_empty());
    let fix = change_state(&cx, &office, fy(2030), EditionStep::Fix, "1", at()).await;
    assert!(
        matches!(&fix, Err(AppError::Conflict(m)) if m.contains("事業が1件もない")),
        "{fix:?}"
    );
}

#[tokio::test]
async fn fiscal_frames_in_yen_follow_the_rules_of_the_form() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let office = grant(Role::PlanningOffice, "企画調整課", Action::ManageEditions);
    create_edition(
        &cx,
        &office,
        fy(2030),
        "sogo-keikaku",
        Rounding::HalfUp,
        at(),
    )
    .await
    .unwrap();
    let frame = |year: i32, department: &str, general: i64| FrameAmount {
        fiscal_year: fy(year),
        department: department.to_owned(),
        general: Yen::new(general),
    };
    let refused = save_frame_amounts(
        &cx,
        &office,
        fy(2030),
        &[
            frame(2030, "", 1),
            frame(2031, "農政課", -1),
            frame(2031, "", 1_000_000_000),
            frame(2031, " ", 5),
        ],
        "1",
        at(),
    )
    .await;
    assert_eq!(
        problems(refused.unwrap_err()),
        [
            "frames[0].fiscal_year: 令和12年度（2030年度）の市全体の枠: この版の計画期間の外です。",
            "frames[1].general: 令和13年度（2031年度）の農政課の枠が負の値です。",
            "frames[3]: 令和13年度（2031年度）の市全体の枠が2つあります。",
        ]
    );
    // The same frames typed in 千円 are refused by the form's names.
    let typed = [FrameInput {
        fiscal_year: fy(2030),
        department: String::new(),
        amount: "1".to_owned(),
    }];
    assert_eq!(
        problems(
            save_frames(&cx, &office, fy(2030), &typed, "1", at())
                .await
                .unwrap_err()
        ),
        ["frame.2030.: 令和12年度（2030年度）の市全体の枠: この版の計画期間の外です。"]
    );
    let revision = save_frame_amounts(
        &cx,
        &office,
        fy(2030),
        &[frame(2031, "", 1_234_567), frame(2032, "農政課", 0)],
        "1",
        at(),
    )
    .await
    .unwrap();
    assert_eq!(revision, 2);
    let data = store.edition(&code, fy(2030)).await.unwrap().unwrap();
    assert_eq!(data.frames.len(), 2);
    assert_eq!(data.frames[0].general, Yen::new(1_234_567));
    assert_eq!(data.frames[1].department, "農政課");
}

#[tokio::test]
async fn amounts_are_read_strictly_and_a_form_reports_every_problem_at_once() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    roll(&cx, &Operator::at_console(), fy(2025), at())
        .await
        .unwrap();
    // What a clerk types: 全角 digits and commas, a full-width minus; what is not an amount
    // is refused, never read as something else.
    for (typed, yen) in [
        ("１，２３４", Some(1_234_000)),
        ("1,234.5", Some(1_234_500)),
        ("0", Some(0)),
        ("1,23", None),
        ("12a", None),
        ("1 234", None),
        ("1e3", None),
        ("", None),
    ] {
        let mut f = form("01-01-020", "農政課");
        f.years[0].1 = YearForm {
            cost: typed.to_owned(),
            general: typed.to_owned(),
            ..YearForm::default()
        };
        let parsed = parse_form(&f);
        match yen {
            Some(yen) => {
                let p = parsed.unwrap();
                assert_eq!(p.years[0].funding.cost, Yen::new(yen), "{typed}");
            }
            None if typed.is_empty() => {
                assert!(
                    parsed
                        .unwrap()
                        .years
                        .iter()
                        .all(|y| y.fiscal_year != fy(2027))
                );
            }
            None => {
                let e = problems(AppError::Invalid(parsed.unwrap_err()));
                assert!(
                    e.iter()
                        .any(|m| m.starts_with("y2027.cost: ") && m.contains(typed)),
                    "{typed}: {e:?}"
                );
            }
        }
    }
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    let mut f = form("01-01-020", "農政課");
    f.years[0].1.cost = "－100".to_owned();
    f.years[0].1.general = "－100".to_owned();
    f.years[0].1.national = String::new();
    f.years[0].1.prefectural = String::new();
    let negative = form_problems(&cx, &nosei, fy(2026), &f).await.unwrap();
    assert!(
        negative
            .iter()
            .any(|p| p.path == "y2027.cost" && p.message.contains("事業費 -100千円 が負の値です")),
        "a negative amount is refused: {negative:#?}"
    );

    // Reading and saving problems together: a bad number, an unknown link, another
    // department's program — one list, each field once.
    let mut f = form("02-09-001", "商工労働課");
    f.years[1].1.cost = "1,00".to_owned();
    f.links.push("sogo-keikaku/measure-9-9-9".to_owned());
    let all = form_problems(&cx, &nosei, fy(2026), &f).await.unwrap();
    let mut fields: Vec<&str> = all.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        fields[0], "y2028.cost",
        "reading's problems first: {all:#?}"
    );
    fields.sort_unstable();
    assert_eq!(fields, ["department", "links", "y2028.cost"], "{all:#?}");
    // A good form has none.
    let good = form_problems(&cx, &nosei, fy(2026), &form("01-01-020", "農政課"))
        .await
        .unwrap();
    assert!(good.is_empty(), "{good:#?}");
}

#[tokio::test]
async fn an_edition_being_made_can_be_deleted_and_made_again() {
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let office = grant(Role::PlanningOffice, "企画調整課", Action::ManageEditions);
    roll(&cx, &office, fy(2025), at()).await.unwrap();
    let view = edition(&cx, &office, fy(2026)).await.unwrap();
    let revision = view.edition.revision.to_string();
    // Only the planning office; only with the revision the page showed.
    let editor = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    assert!(matches!(
        delete_edition(&cx, &editor, fy(2026), &revision, at()).await,
        Err(AppError::Forbidden(_))
    ));
    let stale = delete_edition(&cx, &office, fy(2026), "99", at()).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    // A published edition is never deleted.
    let published = edition(&cx, &office, fy(2025)).await.unwrap();
    let refused = delete_edition(
        &cx,
        &office,
        fy(2025),
        &published.edition.revision.to_string(),
        at(),
    )
    .await;
    assert!(
        matches!(&refused, Err(AppError::Conflict(m)) if m.contains("「公表」のため、削除できません")),
        "{refused:?}"
    );
    delete_edition(&cx, &office, fy(2026), &revision, at())
        .await
        .unwrap();
    assert!(matches!(
        edition(&cx, &office, fy(2026)).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(editions(&cx, &office).await.unwrap().len(), 1);
    // The roll can be made again, whole.
    assert_eq!(roll(&cx, &office, fy(2025), at()).await.unwrap().len(), 21);
    // The deletion is in the audit log.
    let log = store.audit_entries(&code, 0, 1000).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "implementation_plan.delete" && e.before.is_some()),
        "{log:#?}"
    );
}

#[tokio::test]
async fn an_element_a_program_serves_is_kept_from_deletion() {
    use keikaku_app::edit;
    use keikaku_app::status::change_status;
    use keikaku_domain::{PlanId, PlanStatus};
    let (store, code) = example().await;
    let cx = Context::new(&store, &code);
    let plan = PlanId::parse("sogo-keikaku").unwrap();
    let office = grant(Role::PlanningOffice, "", Action::ChangePlanStatus);
    change_status(
        &cx,
        &office,
        &plan,
        PlanStatus::Published,
        PlanStatus::UnderDeliberation,
        at(),
    )
    .await
    .unwrap();
    let editor = grant(Role::PlanningOffice, "", Action::EditPlan);
    let draft = edit::draft(&cx, &plan).await.unwrap();
    let id = "outcome-1-1-1-1";
    let err = edit::delete_element(&cx, &editor, &plan, id, draft.version(id), at())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m)
            if m.contains("実施計画令和7年度（2025年度）版の事業「")
                && m.contains("参照されているため削除できません")),
        "{err:?}"
    );
    // Nothing was deleted.
    assert!(edit::draft(&cx, &plan).await.unwrap().element(id).is_some());
}
