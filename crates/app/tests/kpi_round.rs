//! The verification round at the app's boundary: a department reaches only its own
//! indicators and part, the planning office returns and approves, the completeness board
//! says what is missing, the panel and the responses, publication only when every part is
//! approved, the frozen report the public reads, re-opening keeping it until republication.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::kpi::{
    AnalysisInput, PanelInput, ResponseInput, move_department, publish, published_report,
    published_reports, reopen, round, save_analyses, save_panel, save_responses,
};
use keikaku_app::{AppError, Context, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{RoundStep, SubmissionState};
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::{ExistingPlan, HistoryStore, RoundStore, Store};
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
        display_name: "検証 太郎".to_owned(),
        department: department.to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, action).unwrap()
}

async fn store() -> (SqliteStore, MunicipalityCode, PlanId) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::import(
        &Operator::at_console(),
        &store,
        keikaku_planfile::example("ichinoseki").unwrap(),
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

fn analysis(id: &str, text: &str, course: &str, revision: &str) -> AnalysisInput {
    AnalysisInput {
        indicator: id.to_owned(),
        analysis: text.to_owned(),
        course: course.to_owned(),
        revision: revision.to_owned(),
    }
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one story: a round from the first analysis to republication
async fn a_round_from_analysis_to_publication() {
    let (store, code, plan) = store().await;
    let cx = Context::new(&store, &code);
    let year = fy(2017);
    let kodomo = grant(
        Role::DepartmentEditor,
        "こども家庭課",
        Action::EnterKpiAnalysis,
    );
    let view = round(&cx, &kodomo, &plan, year).await.unwrap();
    let ids: Vec<&str> = view
        .evaluation
        .indicators
        .iter()
        .map(|r| r.indicator.id.as_str())
        .collect();
    assert_eq!(ids, ["target-3-1", "kpi-3-1-1"]);
    assert_eq!(view.departments.len(), 1);

    // Another department's indicator, a bad course and a too long text: nothing written.
    let refused = save_analyses(
        &cx,
        &kodomo,
        &plan,
        year,
        &[
            analysis("target-3-1", "出生数が減少", "expand", ""),
            analysis("kpi-2-1-1", "x", "", ""),
            analysis("kpi-3-1-1", &"あ".repeat(4_001), "more", ""),
        ],
        at(),
    )
    .await;
    let Err(AppError::Invalid(problems)) = refused else {
        panic!("{refused:?}")
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "kpi-2-1-1.indicator",
            "kpi-3-1-1.analysis",
            "kpi-3-1-1.course"
        ]
    );
    assert!(
        store
            .round(&code, &plan, year)
            .await
            .unwrap()
            .assessments
            .is_empty()
    );

    let saved = save_analyses(
        &cx,
        &kodomo,
        &plan,
        year,
        &[
            analysis("target-3-1", "出生数が減少", "expand", ""),
            analysis("kpi-3-1-1", "保育所の定員を拡大", "continue", ""),
        ],
        at(),
    )
    .await
    .unwrap();
    assert_eq!(saved.len(), 2);
    // A stale revision is a conflict.
    let stale = save_analyses(
        &cx,
        &kodomo,
        &plan,
        year,
        &[analysis("target-3-1", "別", "expand", "0")],
        at(),
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");

    // Submit; a department cannot submit another's part.
    let submit = grant(
        Role::DepartmentEditor,
        "こども家庭課",
        Action::SubmitKpiRound,
    );
    let other = move_department(
        &cx,
        &submit,
        &plan,
        year,
        "商工労働課",
        RoundStep::Submit,
        "",
        0,
        at(),
    )
    .await;
    assert!(matches!(other, Err(AppError::NotFound(_))), "{other:?}");
    let state = move_department(
        &cx,
        &submit,
        &plan,
        year,
        "こども家庭課",
        RoundStep::Submit,
        "",
        0,
        at(),
    )
    .await
    .unwrap();
    assert_eq!(state, SubmissionState::Submitted);
    // Submitted: no more changes by the department.
    let locked = save_analyses(
        &cx,
        &kodomo,
        &plan,
        year,
        &[analysis("target-3-1", "変更", "expand", "1")],
        at(),
    )
    .await;
    assert!(matches!(locked, Err(AppError::Invalid(_))), "{locked:?}");

    // The planning office: the board, a return needs a comment, the department sees it.
    let review = grant(Role::PlanningOffice, "政策企画課", Action::ReviewKpiRound);
    let board = round(&cx, &review, &plan, year).await.unwrap();
    assert_eq!(board.departments.len(), 6);
    let kd = board.department("こども家庭課").unwrap();
    assert_eq!(kd.state, SubmissionState::Submitted);
    assert!(kd.missing_analysis.is_empty());
    assert_eq!(kd.missing_actual.len(), 2);
    let shoko = board.department("商工労働課").unwrap();
    assert_eq!(shoko.state, SubmissionState::Draft);
    assert_eq!(shoko.missing_analysis.len(), 2);
    let empty = move_department(
        &cx,
        &review,
        &plan,
        year,
        "こども家庭課",
        RoundStep::Return,
        " ",
        1,
        at(),
    )
    .await;
    assert!(matches!(empty, Err(AppError::Invalid(_))), "{empty:?}");
    move_department(
        &cx,
        &review,
        &plan,
        year,
        "こども家庭課",
        RoundStep::Return,
        "根拠の数値を追記してください",
        1,
        at(),
    )
    .await
    .unwrap();
    let view = round(&cx, &kodomo, &plan, year).await.unwrap();
    assert_eq!(view.departments[0].comment, "根拠の数値を追記してください");
    assert_eq!(view.departments[0].state, SubmissionState::Returned);
    save_analyses(
        &cx,
        &kodomo,
        &plan,
        year,
        &[analysis(
            "target-3-1",
            "出生数が減少（人口動態統計）",
            "expand",
            "1",
        )],
        at(),
    )
    .await
    .unwrap();
    move_department(
        &cx,
        &submit,
        &plan,
        year,
        "こども家庭課",
        RoundStep::Submit,
        "",
        2,
        at(),
    )
    .await
    .unwrap();

    // The panel and the responses.
    let panel = grant(Role::Member, "", Action::AssessKpiRound);
    save_panel(
        &cx,
        &panel,
        &plan,
        year,
        &[PanelInput {
            indicator: "target-3-1".to_owned(),
            rating: "needs_improvement".to_owned(),
            remark: "若い世代への周知を".to_owned(),
            revision: "2".to_owned(),
        }],
        Some(("おおむね順調に進んでいる", "0")),
        at(),
    )
    .await
    .unwrap();
    let respond = grant(
        Role::PlanningOffice,
        "政策企画課",
        Action::RespondKpiRemarks,
    );
    save_responses(
        &cx,
        &respond,
        &plan,
        year,
        &[ResponseInput {
            indicator: "target-3-1".to_owned(),
            response: "広報とSNSで周知します".to_owned(),
            revision: "3".to_owned(),
        }],
        at(),
    )
    .await
    .unwrap();

    // A stale opinion writes nothing, not even the remarks beside it.
    let stale = save_panel(
        &cx,
        &panel,
        &plan,
        year,
        &[PanelInput {
            indicator: "target-3-1".to_owned(),
            rating: "appropriate".to_owned(),
            remark: "後から".to_owned(),
            revision: "4".to_owned(),
        }],
        Some(("別の意見", "0")),
        at(),
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    let data = store.round(&code, &plan, year).await.unwrap();
    let a = data
        .assessments
        .iter()
        .find(|a| a.indicator.as_str() == "target-3-1");
    assert_eq!(a.unwrap().remark, "若い世代への周知を");

    // Publication waits for every department's approval.
    let publisher = grant(Role::PlanningOffice, "政策企画課", Action::PublishKpiRound);
    let early = publish(&cx, &publisher, &plan, year, 1, at()).await;
    assert!(
        matches!(early, Err(AppError::Conflict(ref m)) if m.contains("商工労働課")),
        "{early:?}"
    );
    let board = round(&cx, &review, &plan, year).await.unwrap();
    for part in &board.departments {
        let mut revision = part.revision;
        if part.state != SubmissionState::Submitted {
            let anyone = grant(Role::PlanningOffice, "政策企画課", Action::SubmitKpiRound);
            move_department(
                &cx,
                &anyone,
                &plan,
                year,
                &part.department,
                RoundStep::Submit,
                "",
                revision,
                at(),
            )
            .await
            .unwrap();
            revision += 1;
        }
        move_department(
            &cx,
            &review,
            &plan,
            year,
            &part.department,
            RoundStep::Approve,
            "",
            revision,
            at(),
        )
        .await
        .unwrap();
    }
    assert!(published_reports(&cx, &plan).await.unwrap().is_empty());
    publish(&cx, &publisher, &plan, year, 1, at())
        .await
        .unwrap();
    let report = published_report(&cx, &plan, year).await.unwrap().unwrap();
    assert_eq!(report.number, 1);
    assert_eq!(report.opinion, "おおむね順調に進んでいる");
    assert_eq!(report.lines.len(), 8);
    let line = report
        .lines
        .iter()
        .find(|l| l.analysis.starts_with("出生数"))
        .unwrap();
    assert_eq!(line.course, "拡充");
    assert_eq!(line.rating, "改善が必要である");
    assert_eq!(line.response, "広報とSNSで周知します");
    assert_eq!(line.department, "こども家庭課");

    // Published: nothing changes; re-opened: the public keeps the report until republished.
    let after = save_panel(&cx, &panel, &plan, year, &[], Some(("変更", "2")), at()).await;
    assert!(matches!(after, Err(AppError::Conflict(_))), "{after:?}");
    reopen(&cx, &publisher, &plan, year, 2, at()).await.unwrap();
    save_panel(
        &cx,
        &panel,
        &plan,
        year,
        &[],
        Some(("改めて検証した", "3")),
        at(),
    )
    .await
    .unwrap();
    let kept = published_report(&cx, &plan, year).await.unwrap().unwrap();
    assert_eq!(kept.opinion, "おおむね順調に進んでいる");
    publish(&cx, &publisher, &plan, year, 4, at())
        .await
        .unwrap();
    let again = published_report(&cx, &plan, year).await.unwrap().unwrap();
    assert_eq!(
        (again.number, again.opinion.as_str()),
        (2, "改めて検証した")
    );
    assert!(
        published_report(&cx, &plan, fy(2018))
            .await
            .unwrap()
            .is_none()
    );
    let log = store.audit_entries(&code, 0, 10_000).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "kpi.round.publish")
            .count(),
        2
    );
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "kpi.round.reopen")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_grant_of_another_action_is_refused() {
    let (store, code, plan) = store().await;
    let cx = Context::new(&store, &code);
    let values = grant(Role::PlanningOffice, "政策企画課", Action::EnterKpiValues);
    let r = round(&cx, &values, &plan, fy(2017)).await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    let review = grant(Role::PlanningOffice, "政策企画課", Action::ReviewKpiRound);
    let r = publish(&cx, &review, &plan, fy(2017), 0, at()).await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    let r = save_analyses(&cx, &review, &plan, fy(2017), &[], at()).await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    assert!(
        Granted::check(
            User {
                login_id: LoginId::parse("member").unwrap(),
                display_name: "委員".to_owned(),
                department: String::new(),
                roles: vec![Role::Member],
                disabled: false,
            },
            Action::PublishKpiRound
        )
        .is_err()
    );
    let outside = round(&cx, &review, &plan, fy(2030)).await;
    assert!(matches!(outside, Err(AppError::NotFound(_))), "{outside:?}");
}
