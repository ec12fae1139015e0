//! The conformance stories of backup and restore: no table is left out, a snapshot loads
//! into an empty database exactly (hashes, sessions and tokens included), and a restore that
//! cannot be done writes nothing.

use keikaku_domain::account::Role;
use keikaku_domain::audit::{Timestamp, verify_chain};
use keikaku_storage::backup::{RestoreRefusal, Snapshot, TABLES, Value};
use keikaku_storage::{ExistingPlan, SessionRecord, Store, TokenRecord};

use crate::{author, change, example, put, user};

/// The tables the backup carries are exactly the tables the database has: a migration that
/// adds a table fails here until the table is added to [`TABLES`].
pub async fn the_backup_carries_every_table(store: &dyn Store) {
    let mut listed: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    listed.sort();
    assert_eq!(store.schema_tables().await.unwrap(), listed);
    let snapshot = store.snapshot().await.unwrap();
    let names: Vec<&str> = snapshot.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, TABLES);
    assert!(snapshot.schema > 0);
    assert!(snapshot.tables.iter().all(|t| t.rows.is_empty()));
}

/// Fills a store with a little of everything: plans (imported and replaced), users, a
/// session and a token.
async fn fill(store: &dyn Store) {
    let file = example();
    let code = &file.municipality.code;
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    put(
        store,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    let sato = user("sato", &[Role::PlanningOffice, Role::Administrator]);
    store
        .create_user(
            code,
            &sato,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            &author(),
            &change("user.create"),
        )
        .await
        .unwrap();
    let at = Timestamp::from_millis(1_764_000_000_000).unwrap();
    store
        .create_session(
            code,
            &SessionRecord {
                token_hash: "a".repeat(64),
                login_id: sato.login_id.clone(),
                csrf_token: "csrf-「引用」".to_owned(),
                created_at: at,
                last_seen_at: at,
            },
        )
        .await
        .unwrap();
    store
        .create_token(
            code,
            &TokenRecord {
                id: "tok1".to_owned(),
                login_id: sato.login_id,
                name: "集計 \"スクリプト\"\n2行目".to_owned(),
                token_hash: "b".repeat(64),
                created_at: at,
                last_used_at: None,
                expires_at: Some(at),
                revoked_at: None,
            },
            &author(),
        )
        .await
        .unwrap();
    let file = example();
    let with_indicators = file
        .plans
        .iter()
        .find(|p| !p.indicators().is_empty())
        .unwrap();
    let indicator = with_indicators.indicators()[0].indicator.id.clone();
    let plan = with_indicators.header().id.clone();
    store
        .save_kpi_values(
            code,
            &plan,
            &[keikaku_storage::ValueWrite {
                indicator,
                fiscal_year: keikaku_domain::era::FiscalYear::new(2016).unwrap(),
                target: None,
                actual: Some(rust_decimal::Decimal::new(1450, 3)),
                state: keikaku_domain::kpi::ValueState::Confirmed,
                note: "確定".to_owned(),
                expected: None,
            }],
            &author(),
        )
        .await
        .unwrap();
    store
        .save_kpi_settings(
            code,
            &plan,
            &keikaku_domain::kpi::PlanSettings::default(),
            None,
            &author(),
        )
        .await
        .unwrap();
    fill_round(
        store,
        code,
        &plan,
        &with_indicators.indicators()[0].indicator.id,
    )
    .await;
    crate::programs::fill(store, code).await;
    crate::population::fill(store, code).await;
    crate::departments::fill(store, code).await;
    crate::themes::fill(
        store,
        code,
        &plan,
        &with_indicators.indicators()[0].indicator.id,
    )
    .await;
    crate::history::fill(store, code, file.plans[0].id()).await;
}

/// A published round of FY2016 with a submission and an assessment (every round table).
async fn fill_round(
    store: &dyn Store,
    code: &keikaku_domain::MunicipalityCode,
    plan: &keikaku_domain::PlanId,
    indicator: &keikaku_domain::ElementId,
) {
    use keikaku_storage::{AssessmentPart, AssessmentWrite, RoundChange};
    let year = keikaku_domain::era::FiscalYear::new(2016).unwrap();
    let write = AssessmentWrite {
        indicator: indicator.clone(),
        part: AssessmentPart::Department {
            analysis: "要因\n2行目".to_owned(),
            course: Some(keikaku_domain::kpi::FutureCourse::Continue),
            department: "企画調整課".to_owned(),
        },
        expected: 0,
    };
    store
        .save_assessments(code, plan, year, &[write], None, &author())
        .await
        .unwrap();
    let submitted = keikaku_domain::kpi::SubmissionState::Submitted;
    store
        .save_submission(code, plan, year, "企画調整課", submitted, "", 0, &author())
        .await
        .unwrap();
    let report = RoundChange::Publish {
        report: "{\"opinion\":\"妥当\"}".to_owned(),
        made_at: None,
    };
    store
        .save_round(code, plan, year, &report, 0, &author())
        .await
        .unwrap();
}

/// A snapshot restored into an empty database gives the same snapshot back, and the restored
/// database answers as the original: the plans, the audit chain (intact), users, sessions
/// and tokens.
pub async fn a_snapshot_restores_exactly_into_an_empty_database(
    source: &dyn Store,
    target: &dyn Store,
) {
    fill(source).await;
    let snapshot = source.snapshot().await.unwrap();
    for name in TABLES {
        let table = snapshot.tables.iter().find(|t| t.name == *name).unwrap();
        assert!(!table.rows.is_empty(), "表 {name} が空です");
    }
    target.restore(&snapshot).await.unwrap().unwrap();
    assert_eq!(target.snapshot().await.unwrap(), snapshot);

    let file = example();
    let code = &file.municipality.code;
    for plan in &file.plans {
        assert_eq!(
            target.plan(code, plan.id()).await.unwrap().as_ref(),
            Some(plan)
        );
    }
    assert_eq!(
        target.data_version(code).await.unwrap(),
        source.data_version(code).await.unwrap()
    );
    let entries = target.audit_entries(code, 0, 1000).await.unwrap();
    assert_eq!(entries, source.audit_entries(code, 0, 1000).await.unwrap());
    assert_eq!(verify_chain(&entries), Ok(entries.len() as u64));
    assert!(
        target
            .session(code, &"a".repeat(64))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        target
            .token_by_hash(code, &"b".repeat(64))
            .await
            .unwrap()
            .is_some()
    );
    // The restored database goes on as the original would: the next write extends the chain.
    put(
        target,
        &file.municipality,
        &file.plans[..1],
        ExistingPlan::Replace,
    )
    .await
    .unwrap();
    let entries = target.audit_entries(code, 0, 1000).await.unwrap();
    assert_eq!(verify_chain(&entries), Ok(entries.len() as u64));
}

/// A restore into a database that holds data, or of a snapshot whose schema or tables are not
/// the target's, is refused and writes nothing.
pub async fn a_restore_that_cannot_be_done_writes_nothing(source: &dyn Store, target: &dyn Store) {
    fill(source).await;
    let snapshot = source.snapshot().await.unwrap();

    // Another schema version.
    let mut other = snapshot.clone();
    other.schema += 1;
    assert!(matches!(
        target.restore(&other).await.unwrap(),
        Err(RestoreRefusal::Schema { .. })
    ));
    // A column missing.
    let mut other = snapshot.clone();
    other.tables[1].columns.pop();
    for row in &mut other.tables[1].rows {
        row.pop();
    }
    assert!(matches!(
        target.restore(&other).await.unwrap(),
        Err(RestoreRefusal::Layout(_))
    ));
    // A value of the wrong type.
    let mut other = snapshot.clone();
    other.tables[0].rows[0][0] = Value::Integer(1);
    assert!(matches!(
        target.restore(&other).await.unwrap(),
        Err(RestoreRefusal::Layout(_))
    ));
    // A row the database refuses (an audit entry of a municipality not in the snapshot):
    // the transaction is rolled back, the tables before it included.
    let mut other = snapshot.clone();
    let audit = other
        .tables
        .iter_mut()
        .find(|t| t.name == "audit_entry")
        .unwrap();
    audit.rows[0][0] = Value::Text("99999".to_owned());
    assert!(target.restore(&other).await.is_err());
    assert_empty(&target.snapshot().await.unwrap());

    // Into a database that holds data.
    target.restore(&snapshot).await.unwrap().unwrap();
    assert!(matches!(
        target.restore(&snapshot).await.unwrap(),
        Err(RestoreRefusal::NotEmpty(_))
    ));
    assert_eq!(target.snapshot().await.unwrap(), snapshot);
}

/// A snapshot taken while writes go on is one moment: every write adds one audit entry and
/// one frozen version, and each snapshot holds as many of the one as of the other (the audit
/// log is read before the versions, so a later write seen half would show more versions).
pub async fn a_snapshot_is_one_moment_while_writes_go_on(store: &dyn Store) {
    let file = example();
    put(store, &file.municipality, &file.plans, ExistingPlan::Refuse)
        .await
        .unwrap();
    let writer = async {
        for _ in 0..30 {
            put(
                store,
                &file.municipality,
                &file.plans[..1],
                ExistingPlan::Replace,
            )
            .await
            .unwrap();
            tokio::task::yield_now().await;
        }
    };
    let reader = async {
        let mut snapshots = Vec::new();
        for _ in 0..30 {
            snapshots.push(store.snapshot().await.unwrap());
            tokio::task::yield_now().await;
        }
        snapshots
    };
    let ((), snapshots) = tokio::join!(writer, reader);
    let rows = |s: &Snapshot, name: &str| {
        s.tables
            .iter()
            .find(|t| t.name == name)
            .map_or(0, |t| t.rows.len())
    };
    for s in &snapshots {
        assert_eq!(rows(s, "audit_entry"), rows(s, "plan_version"));
        assert!(rows(s, "audit_entry") >= 2);
    }
}

fn assert_empty(snapshot: &Snapshot) {
    for table in &snapshot.tables {
        assert!(
            table.rows.is_empty(),
            "表 {} に行が残っています",
            table.name
        );
    }
}
