//! Editing the working copy at the use-case boundary: saving from a version, conflicts,
//! department scope, validation by field, adding, deleting, moving and the plan's own texts,
//! each with its audit entry — without any transport in between.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::edit::{self, Placement, Step, Submission};
use keikaku_app::{AppError, Context, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{ElementKind, MunicipalityCode, PlanId};
use keikaku_storage::{ExistingPlan, HistoryStore, Store};
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

fn granted(role: Role, department: &str) -> Granted {
    let user = User {
        login_id: LoginId::parse("tester").unwrap(),
        display_name: "試験 太郎".to_owned(),
        department: department.to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, Action::EditPlan).unwrap()
}

/// The example with the comprehensive plan under deliberation (editable).
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

async fn actions(store: &SqliteStore) -> Vec<String> {
    store
        .audit_entries(&code(), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// The stored form values of an element, changed as given.
async fn submission(cx: &Context<'_>, id: &str, changes: &[(&str, &str)]) -> Submission {
    let draft = edit::draft(cx, &plan()).await.unwrap();
    let mut values = draft.values(id);
    for (k, v) in changes {
        values.insert((*k).to_owned(), (*v).to_owned());
    }
    Submission {
        version: draft.version(id),
        values,
        links: None,
    }
}

#[tokio::test]
async fn a_save_from_the_current_version_lands_once_and_a_stale_one_is_a_conflict() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let first = submission(&cx, "measure-1-1-1", &[("title", "担い手の確保")]).await;
    let stale = submission(&cx, "measure-1-1-1", &[("title", "別の名称")]).await;
    let saved = edit::update_element(&cx, &office, &plan(), "measure-1-1-1", &first, at())
        .await
        .unwrap();
    // The answer is the element as this save stored it.
    assert_eq!(saved.version, first.version + 1);
    assert_eq!(saved.values["title"], "担い手の確保");
    assert_eq!(
        saved.values,
        keikaku_app::edit::draft(&cx, &plan())
            .await
            .unwrap()
            .values("measure-1-1-1")
    );
    let err = edit::update_element(&cx, &office, &plan(), "measure-1-1-1", &stale, at())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("施策「担い手の確保」は、あなたが編集を始めた後に")),
        "{err:?}"
    );
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(
        draft.element("measure-1-1-1").unwrap().title,
        "担い手の確保"
    );
    assert_eq!(
        actions(&store).await.last().map(String::as_str),
        Some("element.update")
    );
}

#[tokio::test]
async fn department_editors_change_only_their_own_content() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let own = granted(Role::DepartmentEditor, "農政課");
    // A change of the 所管課 is refused with the field, and nothing else of the save lands.
    let before = actions(&store).await.len();
    let moved = submission(
        &cx,
        "measure-1-1-1",
        &[
            ("course_of_action", "新しい展開方法"),
            ("department", "商工課"),
        ],
    )
    .await;
    let err = edit::update_element(&cx, &own, &plan(), "measure-1-1-1", &moved, at())
        .await
        .unwrap_err();
    match &err {
        AppError::Invalid(problems) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].path, "department");
            assert!(
                problems[0].message.contains("所管課は")
                    && problems[0].message.contains("企画（計画担当）"),
                "{}",
                problems[0].message
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(actions(&store).await.len(), before, "nothing written");
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(
        draft
            .element("measure-1-1-1")
            .unwrap()
            .department
            .as_deref(),
        Some("農政課")
    );
    assert_ne!(
        draft.values("measure-1-1-1")["course_of_action"],
        "新しい展開方法"
    );
    // The 所管課 sent unchanged (as the form and the API's GET give it), or left out, is
    // no change: the save lands and the 所管課 stays.
    for department in [Some("農政課"), None] {
        let mut s = submission(
            &cx,
            "measure-1-1-1",
            &[("course_of_action", "新しい展開方法")],
        )
        .await;
        match department {
            Some(d) => {
                s.values.insert("department".to_owned(), d.to_owned());
            }
            None => {
                s.values.remove("department");
            }
        }
        edit::update_element(&cx, &own, &plan(), "measure-1-1-1", &s, at())
            .await
            .unwrap();
        let draft = edit::draft(&cx, &plan()).await.unwrap();
        let kept = draft.element("measure-1-1-1").unwrap();
        assert_eq!(kept.department.as_deref(), Some("農政課"), "所管課 stays");
        assert_eq!(
            draft.values("measure-1-1-1")["course_of_action"],
            "新しい展開方法"
        );
    }
    let other = granted(Role::DepartmentEditor, "商工課");
    let s = submission(&cx, "measure-1-1-1", &[("title", "x")]).await;
    let err = edit::update_element(&cx, &other, &plan(), "measure-1-1-1", &s, at())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let err = edit::create_element(
        &cx,
        &own,
        &plan(),
        Placement {
            kind: ElementKind::Measure,
            parent: Some("field-1-1"),
        },
        &Submission::default(),
        at(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AppError::Forbidden(m) if m.starts_with("要素を追加できるのは")),
        "{err:?}"
    );
}

#[tokio::test]
async fn every_problem_is_reported_by_field_and_nothing_is_written() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let before = actions(&store).await.len();
    let office = granted(Role::PlanningOffice, "");
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let basic_plan = draft
        .elements
        .iter()
        .find(|e| e.kind == ElementKind::BasicPlan)
        .unwrap()
        .id
        .clone();
    let s = submission(&cx, &basic_plan, &[("title", " "), ("start_year", "来年")]).await;
    let Err(AppError::Invalid(problems)) =
        edit::update_element(&cx, &office, &plan(), &basic_plan, &s, at()).await
    else {
        panic!("invalid input is refused");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(fields, ["title", "start_year"]);
    assert_eq!(problems[0].message, "名称を入力してください。");
    assert_eq!(actions(&store).await.len(), before);
}

#[tokio::test]
async fn adding_moving_and_deleting_an_element() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "");
    let mut values = std::collections::BTreeMap::new();
    values.insert("title".to_owned(), "新しい施策".to_owned());
    values.insert("number".to_owned(), "1-1-9".to_owned());
    let id = edit::create_element(
        &cx,
        &office,
        &plan(),
        Placement {
            kind: ElementKind::Measure,
            parent: Some("field-1-1"),
        },
        &Submission {
            version: 0,
            values,
            links: None,
        },
        at(),
    )
    .await
    .unwrap();
    assert!(id.starts_with("measure-"), "{id}");
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let order = |d: &edit::Draft| -> Vec<String> {
        d.children(Some("field-1-1"), ElementKind::Measure)
            .iter()
            .map(|e| e.id.clone())
            .collect()
    };
    assert_eq!(order(&draft).last(), Some(&id));
    edit::move_element(&cx, &office, &plan(), &id, Step::Up, at())
        .await
        .unwrap();
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(order(&draft)[0], id);
    // A field with measures cannot go; the new measure can.
    let err = edit::delete_element(&cx, &office, &plan(), "field-1-1", 1, at())
        .await
        .unwrap_err();
    assert!(matches!(&err, AppError::Conflict(m) if m.contains("件の要素があるため")));
    let version = draft.version(&id);
    edit::delete_element(&cx, &office, &plan(), &id, version, at())
        .await
        .unwrap();
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert!(draft.element(&id).is_none());
    let tail: Vec<String> = actions(&store).await.into_iter().rev().take(3).collect();
    assert_eq!(tail, ["element.delete", "element.move", "element.create"]);
}

#[tokio::test]
async fn the_plans_own_texts_are_edited_from_their_revision() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "");
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let mut values = draft.header_values();
    values.insert("purpose".to_owned(), "新しい目的".to_owned());
    let s = Submission {
        version: draft.versions.revision,
        values,
        links: None,
    };
    let revision = edit::update_header(&cx, &office, &plan(), &s, at())
        .await
        .unwrap();
    assert_eq!(revision.version, s.version + 1);
    let err = edit::update_header(&cx, &office, &plan(), &s, at())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    let editor = granted(Role::DepartmentEditor, "農政課");
    let err = edit::update_header(&cx, &editor, &plan(), &s, at())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    assert_eq!(
        edit::draft(&cx, &plan()).await.unwrap().header_values()["purpose"],
        "新しい目的"
    );
}

#[tokio::test]
async fn a_department_editor_cannot_move_a_field_to_another_goal() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let assign = submission(&cx, "field-1-1", &[("department", "農政課")]).await;
    edit::update_element(&cx, &office, &plan(), "field-1-1", &assign, at())
        .await
        .unwrap();
    let goal = edit::draft(&cx, &plan()).await.unwrap().values("field-1-1")["goal_id"].clone();
    let own = granted(Role::DepartmentEditor, "農政課");
    let moved = submission(&cx, "field-1-1", &[("goal_id", "goal-2"), ("title", "x")]).await;
    let err = edit::update_element(&cx, &own, &plan(), "field-1-1", &moved, at())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(p) if p.len() == 1 && p[0].path == "goal_id"),
        "{err:?}"
    );
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(draft.values("field-1-1")["goal_id"], goal);
    assert_ne!(draft.element("field-1-1").unwrap().title, "x");
}

#[tokio::test]
async fn the_sample_flag_is_the_planning_offices_and_kept_when_left_out() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let id = "measure-1-1-1";
    assert_eq!(
        edit::draft(&cx, &plan()).await.unwrap().values(id)["sample"],
        "yes"
    );
    // Cleared by the form's empty value, set again by 「yes」.
    let cleared = submission(&cx, id, &[("sample", "")]).await;
    let saved = edit::update_element(&cx, &office, &plan(), id, &cleared, at())
        .await
        .unwrap();
    assert_eq!(saved.values["sample"], "");
    let entries = store.audit_entries(&code, 0, 1000).await.unwrap();
    let last = entries.last().unwrap();
    assert!(
        last.before
            .as_deref()
            .unwrap()
            .contains("\"sample\":\"yes\"")
    );
    assert!(last.after.as_deref().unwrap().contains("\"sample\":\"\""));
    // Left out (a client that does not know the flag): kept as it is.
    let mut without = submission(&cx, id, &[("sample", "yes")]).await;
    without.values.remove("sample");
    let saved = edit::update_element(&cx, &office, &plan(), id, &without, at())
        .await
        .unwrap();
    assert_eq!(saved.values["sample"], "");
    // Anything but yes or empty is a problem of the field.
    let odd = submission(&cx, id, &[("sample", "たぶん")]).await;
    let err = edit::update_element(&cx, &office, &plan(), id, &odd, at())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(p) if p[0].path == "sample"),
        "{err:?}"
    );
    // A department editor leaves it as the planning office set it.
    let editor = granted(Role::DepartmentEditor, "農政課");
    let changed = submission(&cx, id, &[("sample", "yes")]).await;
    let err = edit::update_element(&cx, &editor, &plan(), id, &changed, at())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(p) if p[0].path == "sample" && p[0].message.contains("企画（計画担当）")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_suspicious_value_is_saved_and_warned_about() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let id = "outcome-1-1-1-1";
    assert!(
        edit::draft(&cx, &plan())
            .await
            .unwrap()
            .warnings(id)
            .is_empty()
    );
    let far = submission(&cx, id, &[("target_year", "R15")]).await;
    edit::update_element(&cx, &office, &plan(), id, &far, at())
        .await
        .unwrap();
    let warnings = edit::draft(&cx, &plan()).await.unwrap().warnings(id);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].field.name(), "target_year");
    assert!(
        warnings[0]
            .message
            .starts_with("目標値の年度 令和15年度（2033年度）は前期基本計画の期間（"),
        "{warnings:?}"
    );
}
