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
use keikaku_storage::{BackupStore, HistoryStore, PlanStore, Store};
use keikaku_storage_sqlite::SqliteStore;

fn t0() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

async fn memory() -> SqliteStore {
    SqliteStore::connect("sqlite::memory:").await.unwrap()
}

/// A backup as keikaku at schema 3 wrote it: without the `api_token` table (schema 4), the
/// indicator columns of `plan_element` (schema 5), the KPI tables (schema 6) and the
/// verification rounds (schema 7).
fn as_schema_3(text: &str) -> String {
    const LATER: [&str; 8] = [
        "code",
        "decimals",
        "interim_targets",
        "tolerance",
        "cumulative_entry",
        "acquisition",
        "lag_years",
        "definition_changes",
    ];
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["schema"] = serde_json::json!(3);
    let tables = v["tables"].as_array_mut().unwrap();
    tables.retain(|t| {
        ![
            "api_token",
            "kpi_value",
            "kpi_settings",
            "kpi_round",
            "kpi_round_submission",
            "kpi_assessment",
            "kpi_round_report",
            "program_edition",
            "program",
            "program_year",
            "program_link",
            "program_part",
            "program_frame",
            "department_list",
            "department",
            "theme_list",
            "theme",
            "theme_tag",
        ]
        .contains(&t["name"].as_str().unwrap())
            && !t["name"].as_str().unwrap().starts_with("population_")
    });
    // A version's name and reason came later too.
    const LATER_IN_VERSIONS: [&str; 3] = ["label", "reason", "note_revision"];
    for t in tables
        .iter_mut()
        .filter(|t| t["name"] == "plan_element" || t["name"] == "plan_version")
    {
        let later: &[&str] = if t["name"] == "plan_element" {
            &LATER
        } else {
            &LATER_IN_VERSIONS
        };
        let keep: Vec<bool> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| !later.contains(&c[0].as_str().unwrap()))
            .collect();
        let strip = |row: &mut serde_json::Value| {
            let mut i = 0;
            row.as_array_mut().unwrap().retain(|_| {
                i += 1;
                keep[i - 1]
            });
        };
        strip(&mut t["columns"]);
        t["rows"].as_array_mut().unwrap().iter_mut().for_each(strip);
    }
    serde_json::to_string(&v).unwrap()
}

#[tokio::test]
async fn a_backup_of_an_older_schema_restores_into_the_current_one() {
    let code = MunicipalityCode::parse("03209").unwrap();
    let operator = Operator::at_console();
    // A backup as an older keikaku made it: schema 3, before API tokens and before the
    // indicator definitions of schema 5. Today's code writes today's columns, so it is made
    // from a current database's backup without what schemas 4 and 5 added.
    let current = memory().await;
    current.migrate().await.unwrap();
    transfer::load_example(&operator, &current, "ichinoseki", t0())
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
        &Context::new(&current, &code),
        &operator,
        user,
        "correct horse battery",
        t0(),
    )
    .await
    .unwrap();
    let text = backup::create(&operator, &current).await.unwrap();
    assert!(text.contains("\"schema\": 12,") && text.contains("api_token"));
    let text = as_schema_3(&text);
    assert!(text.contains("\"schema\":3,") && !text.contains("api_token"));

    // Into a new database: restored at schema 3, then migrated to the current schema.
    let new = memory().await;
    let report = backup::restore(&operator, &new, &text).await.unwrap();
    // Tables that came after schema 3 (API tokens, KPI values and settings, rounds, the
    // 実施計画, the 人口ビジョン) are not in it.
    let later = [
        "api_token",
        "kpi_value",
        "kpi_settings",
        "kpi_round",
        "kpi_round_submission",
        "kpi_assessment",
        "kpi_round_report",
        "program_edition",
        "program",
        "program_year",
        "program_link",
        "program_part",
        "program_frame",
        "department_list",
        "department",
        "theme_list",
        "theme",
        "theme_tag",
    ];
    let population = TABLES
        .iter()
        .filter(|t| t.starts_with("population_"))
        .count();
    assert_eq!(population, 14);
    assert_eq!(report.tables.len(), TABLES.len() - later.len() - population);
    let mut all: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    all.sort();
    assert_eq!(new.schema_tables().await.unwrap(), all);
    let snapshot = new.snapshot().await.unwrap();
    assert_eq!(snapshot.schema, 12);
    // The plans read back, their indicators without the definitions schema 3 did not have.
    let strategy = new
        .plan(
            &code,
            &keikaku_domain::PlanId::parse("sogo-senryaku").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        strategy
            .indicators()
            .iter()
            .all(|p| p.indicator.code.is_empty())
    );
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
