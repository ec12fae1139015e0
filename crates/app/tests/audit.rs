//! The audit log as people read it, and restoring a deleted element from a version, at the
//! use-case boundary: names instead of ids, before/after by field, links, filters and pages;
//! restores with their refusals and audit entries.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::audit::{self, AuditFilter, FilterInput, Link};
use keikaku_app::edit::{self, Submission};
use keikaku_app::{AppError, Context, auth, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::{ExistingPlan, Store};
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    // 2025-11-24T16:00:00Z = 令和7年11月25日 01:00 in Japan.
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn code() -> MunicipalityCode {
    MunicipalityCode::parse("03209").unwrap()
}

fn plan() -> PlanId {
    PlanId::parse("sogo-keikaku").unwrap()
}

fn user() -> User {
    User {
        login_id: LoginId::parse("kikaku").unwrap(),
        display_name: "企画 花子".to_owned(),
        department: "企画調整課".to_owned(),
        roles: vec![Role::Administrator, Role::PlanningOffice],
        disabled: false,
    }
}

fn granted(action: Action) -> Granted {
    Granted::check(user(), action).unwrap()
}

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
    let code = code();
    let cx = Context::new(&store, &code);
    auth::create_user(
        &cx,
        &Operator::at_console(),
        user(),
        "correct horse battery",
        at(),
    )
    .await
    .unwrap();
    store
}

/// A leaf element of the working copy that can be deleted (nothing refers to it), with its
/// parent, deleted. Returns (id, parent id, the title).
async fn delete_a_leaf(cx: &Context<'_>) -> (String, Option<String>, String) {
    let draft = edit::draft(cx, &plan()).await.unwrap();
    let office = granted(Action::EditPlan);
    for e in draft.elements.iter().rev() {
        if draft
            .elements
            .iter()
            .any(|c| c.parent_id.as_deref() == Some(&e.id))
        {
            continue;
        }
        let version = draft.version(&e.id);
        if edit::delete_element(cx, &office, &plan(), &e.id, version, at())
            .await
            .is_ok()
        {
            return (e.id.clone(), e.parent_id.clone(), e.title.clone());
        }
    }
    panic!("no deletable leaf");
}

async fn log(cx: &Context<'_>, input: FilterInput) -> audit::AuditLog {
    let (filter, page) = AuditFilter::read(&input).unwrap();
    audit::audit_log(cx, &granted(Action::ReadAudit), &filter, page, 50)
        .await
        .unwrap()
}

#[tokio::test]
async fn entries_carry_names_changes_and_links() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let measure = draft
        .elements
        .iter()
        .find(|e| e.kind == keikaku_domain::ElementKind::Measure)
        .unwrap()
        .clone();
    let mut values = draft.values(&measure.id);
    values.insert("title".to_owned(), "新しい名称".to_owned());
    edit::update_element(
        &cx,
        &granted(Action::EditPlan),
        &plan(),
        &measure.id,
        &Submission {
            version: draft.version(&measure.id),
            values,
            links: None,
        },
        at(),
    )
    .await
    .unwrap();
    let page = log(&cx, FilterInput::default()).await;
    let newest = &page.entries[0];
    assert_eq!(newest.action_label, "要素の編集");
    assert_eq!(newest.actor.label, "企画 花子");
    assert_eq!(
        newest.target.label,
        format!(
            "施策「新しい名称」（計画「{}」）",
            draft.plan.header().title
        )
    );
    assert!(!newest.target.label.contains(&measure.id));
    assert_eq!(
        newest.target.link,
        Some(Link::Element {
            plan: plan(),
            id: measure.id.clone()
        })
    );
    let title = newest
        .changes
        .fields
        .iter()
        .find(|f| f.label == "名称")
        .unwrap();
    assert_eq!(
        (title.before.as_str(), title.after.as_str()),
        (measure.title.as_str(), "新しい名称")
    );
    // The import is the command line's, and names the plan.
    let first = page.entries.last().unwrap();
    assert_eq!(first.action, "plan.import");
    assert!(first.actor.label.contains("コマンドライン"));
    assert!(first.target.label.starts_with("計画「"));
}

#[tokio::test]
async fn a_deleted_element_is_named_and_linked_to_its_last_version() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let (id, _, title) = delete_a_leaf(&cx).await;
    let page = log(
        &cx,
        FilterInput {
            action: "element.delete".to_owned(),
            ..FilterInput::default()
        },
    )
    .await;
    assert_eq!(page.total, 1);
    let e = &page.entries[0];
    assert!(
        e.target.label.contains(&format!("「{title}」（削除済み）")),
        "{}",
        e.target.label
    );
    assert_eq!(
        e.target.link,
        Some(Link::ElementInVersion {
            plan: plan(),
            number: 1,
            id
        })
    );
}

#[tokio::test]
async fn filters_and_pages() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    delete_a_leaf(&cx).await;
    let all = log(&cx, FilterInput::default()).await;
    assert!(all.total >= 3);
    let by_actor = log(
        &cx,
        FilterInput {
            actor: "kikaku".to_owned(),
            ..FilterInput::default()
        },
    )
    .await;
    assert_eq!(by_actor.total, 1);
    let by_plan = log(
        &cx,
        FilterInput {
            plan: "sogo-keikaku".to_owned(),
            ..FilterInput::default()
        },
    )
    .await;
    assert!(
        by_plan
            .entries
            .iter()
            .all(|e| e.target.id.starts_with("sogo-keikaku"))
    );
    assert!(by_plan.total >= 2);
    // 令和7年11月25日 in Japan holds every entry; the day before none.
    let that_day = log(
        &cx,
        FilterInput {
            from: "令和7年11月25日".to_owned(),
            to: "2025-11-25".to_owned(),
            ..FilterInput::default()
        },
    )
    .await;
    assert_eq!(that_day.total, all.total);
    let day_before = log(
        &cx,
        FilterInput {
            to: "R7.11.24".to_owned(),
            ..FilterInput::default()
        },
    )
    .await;
    assert_eq!(day_before.total, 0);
    assert_eq!(day_before.pages, 1);
    // Pages of one entry, newest first.
    let (filter, _) = AuditFilter::read(&FilterInput::default()).unwrap();
    let second = audit::audit_log(&cx, &granted(Action::ReadAudit), &filter, 2, 1)
        .await
        .unwrap();
    assert_eq!(second.pages, all.total);
    assert_eq!(second.entries.len(), 1);
    assert_eq!(second.entries[0].sequence, all.entries[1].sequence);
}

#[tokio::test]
async fn only_administrators_read_the_log() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let editor = Granted::check(user(), Action::EditPlan).unwrap();
    let err = audit::audit_log(&cx, &editor, &AuditFilter::default(), 1, 50)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)));
}

#[tokio::test]
async fn a_deleted_element_is_restored_from_a_version_with_its_content() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let before = edit::draft(&cx, &plan()).await.unwrap();
    let (id, _, title) = delete_a_leaf(&cx).await;
    let values_before = before.values(&id);
    let preview = edit::restore_preview(&cx, &granted(Action::ReadDrafts), &plan(), 1, &id)
        .await
        .unwrap();
    assert_eq!(preview.refusal, None);
    assert!(preview.element.name.contains(&title));
    let done = edit::restore_element(&cx, &granted(Action::EditPlan), &plan(), 1, &id, true, at())
        .await
        .unwrap();
    assert_eq!(done.elements.len(), 1);
    let after = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(after.values(&id), values_before);
    let page = log(&cx, FilterInput::default()).await;
    assert_eq!(page.entries[0].action, "element.restore");
    assert!(page.entries[0].target.label.contains(&title));
    // A second restore is refused: the element is there.
    let again = edit::restore_element(&cx, &granted(Action::EditPlan), &plan(), 1, &id, true, at())
        .await
        .unwrap_err();
    assert!(
        matches!(&again, AppError::Conflict(m) if m.contains("現在の計画にあります")),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_child_without_its_parent_is_refused_and_the_parent_brings_it_back() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Action::EditPlan);
    // A parent whose only child is a leaf, both deletable.
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let mut pair = None;
    for p in &draft.elements {
        let kids: Vec<_> = draft
            .elements
            .iter()
            .filter(|c| c.parent_id.as_deref() == Some(&p.id))
            .collect();
        if kids.len() != 1
            || draft
                .elements
                .iter()
                .any(|g| g.parent_id.as_deref() == Some(&kids[0].id))
        {
            continue;
        }
        let child = kids[0];
        if edit::delete_element(
            &cx,
            &office,
            &plan(),
            &child.id,
            draft.version(&child.id),
            at(),
        )
        .await
        .is_err()
        {
            continue;
        }
        if edit::delete_element(&cx, &office, &plan(), &p.id, draft.version(&p.id), at())
            .await
            .is_ok()
        {
            pair = Some((p.id.clone(), child.id.clone()));
            break;
        }
        // Put the child back for the next try.
        edit::restore_element(&cx, &office, &plan(), 1, &child.id, false, at())
            .await
            .unwrap();
    }
    let (parent, child) = pair.expect("a deletable parent with one child");
    let preview = edit::restore_preview(&cx, &granted(Action::ReadDrafts), &plan(), 1, &child)
        .await
        .unwrap();
    assert!(preview.refusal.as_deref().unwrap().contains("上位の"));
    let err = edit::restore_element(&cx, &office, &plan(), 1, &child, false, at())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)));
    let parent_preview =
        edit::restore_preview(&cx, &granted(Action::ReadDrafts), &plan(), 1, &parent)
            .await
            .unwrap();
    assert_eq!(parent_preview.children.len(), 1);
    let done = edit::restore_element(&cx, &office, &plan(), 1, &parent, true, at())
        .await
        .unwrap();
    assert_eq!(done.elements.len(), 2);
    let now = edit::draft(&cx, &plan()).await.unwrap();
    assert!(now.element(&parent).is_some() && now.element(&child).is_some());
}

#[tokio::test]
async fn department_editors_cannot_restore() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let (id, _, _) = delete_a_leaf(&cx).await;
    let editor = Granted::check(
        User {
            login_id: LoginId::parse("nosei").unwrap(),
            display_name: "農政 次郎".to_owned(),
            department: "農政課".to_owned(),
            roles: vec![Role::DepartmentEditor],
            disabled: false,
        },
        Action::EditPlan,
    )
    .unwrap();
    let err = edit::restore_element(&cx, &editor, &plan(), 1, &id, false, at())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)));
}
