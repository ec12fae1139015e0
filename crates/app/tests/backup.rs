//! Backup and restore as use cases: a backup made at an older schema version restores into
//! the current one (the schema of the backup first, the later migrations after the rows), and
//! a database already migrated past the backup is refused with the reason.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::Operator;
use keikaku_app::{AppError, Context, auth, backup, transfer};
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_storage::backup::TABLES;
use keikaku_storage::{BackupStore, HistoryStore, Store};
use keikaku_storage_sqlite::SqliteStore;

fn t0() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

async fn memory() -> SqliteStore {
    SqliteStore::connect("sqlite::memory:").await.unwrap()
}

#[tokio::test]
async fn a_backup_of_an_older_schema_restores_into_the_current_one() {
    let code = MunicipalityCode::parse("03209").unwrap();
    let operator = Operator::at_console();
    // A database as an older keikaku left it: schema 3, before API tokens.
    let old = memory().await;
    old.migrate_to(3).await.unwrap();
    transfer::import(
        &operator,
        &old,
        keikaku_planfile::example("ichinoseki").unwrap(),
        keikaku_storage::ExistingPlan::Refuse,
        t0(),
    )
    .await
    .unwrap();
    let user = User {
        login_id: LoginId::parse("sato").unwrap(),
        display_name: "佐藤 花子".to_owned(),
        department: "企画政策課".to_owned(),
        roles: vec![Role::PlanningOffice],
        disabled: false,
    };
    auth::create_user(
        &Context::new(&old, &code),
        &operator,
        user,
        "correct horse battery",
        t0(),
    )
    .await
    .unwrap();
    let text = backup::create(&operator, &old).await.unwrap();
    assert!(text.contains("\"schema\": 3,") && !text.contains("api_token"));

    // Into a new database: restored at schema 3, then migrated to the current schema.
    let new = memory().await;
    let report = backup::restore(&operator, &new, &text).await.unwrap();
    // Tables that came after schema 3 (API tokens, KPI values and settings) are not in it.
    let later = ["api_token", "kpi_value", "kpi_settings"];
    assert_eq!(report.tables.len(), TABLES.len() - later.len());
    let mut all: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    all.sort();
    assert_eq!(new.schema_tables().await.unwrap(), all);
    let snapshot = new.snapshot().await.unwrap();
    let current_schema = {
        let fresh = memory().await;
        fresh.migrate().await.unwrap();
        fresh.snapshot().await.unwrap().schema
    };
    assert_eq!(snapshot.schema, current_schema);
    assert!(snapshot.schema > old.snapshot().await.unwrap().schema);
    let entries = new.audit_entries(&code, 0, 100).await.unwrap();
    assert_eq!(
        keikaku_domain::audit::verify_chain(&entries),
        Ok(entries.len() as u64)
    );

    // Into a database already at the current schema: refused, with what to do instead.
    let current = memory().await;
    current.migrate().await.unwrap();
    match backup::restore(&operator, &current, &text).await {
        Err(AppError::Invalid(problems)) => {
            assert_eq!(problems[0].path, "$.schema");
            assert!(
                problems[0].message.contains("新しいデータベース"),
                "{problems:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}
