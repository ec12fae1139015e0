//! Versions for councils: a version named and given its reason when it is frozen (with the
//! status change) or afterwards (against the note revision read, audited), every version
//! readable whole by staff, published ones by everyone, and the comparison of two.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::status::change_status_with_note;
use keikaku_app::{AppError, Context, history, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{MunicipalityCode, PlanId, PlanStatus};
use keikaku_storage::{ExistingPlan, HistoryStore, Store};
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

/// The example with the strategy as a draft: version 1 of the strategy is a 草案.
async fn store_with_draft() -> (SqliteStore, MunicipalityCode, PlanId) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let mut file: serde_json::Value =
        serde_json::from_str(keikaku_planfile::example("ichinoseki").unwrap()).unwrap();
    file["plans"][1]["status"] = "draft".into();
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

#[tokio::test]
async fn a_status_change_freezes_a_named_version_and_the_name_can_be_changed_later() {
    let (store, code, id) = store_with_draft().await;
    let cx = Context::new(&store, &code);
    let status = Granted::check(user(Role::PlanningOffice), Action::ChangePlanStatus).unwrap();
    let note = VersionNote::check("パブコメ案", "パブリックコメントに付す案").unwrap();
    change_status_with_note(
        &cx,
        &status,
        &id,
        PlanStatus::Draft,
        PlanStatus::UnderDeliberation,
        &note,
        at(),
    )
    .await
    .unwrap();
    let namer = Granted::check(user(Role::PlanningOffice), Action::NameVersions).unwrap();
    let reader = Granted::check(user(Role::Member), Action::ReadDrafts).unwrap();
    let versions = history::all_versions(&cx, &reader, &id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].note, note);
    assert_eq!(versions[1].status, PlanStatus::UnderDeliberation);

    // Named afterwards, against the revision read.
    let saved = history::name_version(&cx, &namer, &id, 2, " 答申反映 ", "答申を反映", 0, at())
        .await
        .unwrap();
    assert_eq!(saved.note.label, "答申反映");
    assert_eq!(saved.note_revision, 1);
    // A second editor who read revision 0 is told, and nothing is written.
    let stale = history::name_version(&cx, &namer, &id, 2, "議決", "", 0, at()).await;
    assert!(matches!(stale, Err(AppError::Conflict(m)) if m.contains("第2版")));
    // Bad input: every problem by field, nothing written.
    let long = "あ".repeat(41);
    let Err(AppError::Invalid(problems)) =
        history::name_version(&cx, &namer, &id, 2, &long, "\u{7}", 1, at()).await
    else {
        panic!("a long name is refused")
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["label", "reason"]);
    assert!(problems[0].message.contains("40文字以内"));
    let (now, _) = store.plan_version(&code, &id, 2).await.unwrap().unwrap();
    assert_eq!(now.note.label, "答申反映");
    // No such version.
    assert!(matches!(
        history::name_version(&cx, &namer, &id, 9, "x", "", 0, at()).await,
        Err(AppError::NotFound(_))
    ));
    // Only the planning office may name versions.
    assert!(Granted::check(user(Role::Member), Action::NameVersions).is_err());
    assert!(Granted::check(user(Role::DepartmentEditor), Action::NameVersions).is_err());
    assert!(matches!(
        history::name_version(&cx, &reader, &id, 2, "x", "", 1, at()).await,
        Err(AppError::Forbidden(_))
    ));
    // The audit log keeps the note before and after.
    let entries = store.audit_entries(&code, 0, 100).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "version.note");
    assert_eq!(last.target, "sogo-senryaku/versions/2");
    assert_eq!(
        last.before.as_deref(),
        Some("名称: パブコメ案\n理由: パブリックコメントに付す案")
    );
    assert_eq!(
        last.after.as_deref(),
        Some("名称: 答申反映\n理由: 答申を反映")
    );
}

#[tokio::test]
async fn staff_read_every_version_and_the_public_only_published_ones() {
    let (store, code, id) = store_with_draft().await;
    let cx = Context::new(&store, &code);
    let reader = Granted::check(user(Role::Member), Action::ReadDrafts).unwrap();
    let (summary, plan) = history::any_version(&cx, &reader, &id, 1).await.unwrap();
    assert_eq!(summary.status, PlanStatus::Draft);
    assert_eq!(plan.id(), &id);
    // The draft is not public.
    assert!(matches!(
        history::published_version(&cx, &id, 1).await,
        Err(AppError::NotFound(m)) if m.contains("公開されていません")
    ));
    // The published comprehensive plan is.
    let published = PlanId::parse("sogo-keikaku").unwrap();
    let (summary, plan) = history::published_version(&cx, &published, 1)
        .await
        .unwrap();
    assert_eq!(summary.status, PlanStatus::Published);
    assert_eq!(plan.id(), &published);
    // Reading drafts needs the grant.
    let other = Granted::check(user(Role::Member), Action::ReadPublished).unwrap();
    assert!(matches!(
        history::any_version(&cx, &other, &id, 1).await,
        Err(AppError::Forbidden(_))
    ));
}
