//! The storage conformance suite on PostgreSQL: each test gets its own database, dropped
//! afterwards. The server is `KEIKAKU_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached the suite is
//! skipped with a visible message, except under CI (`CI=true`), where that is a failure.
#![allow(clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

use keikaku_storage_postgres::PostgresStore;
use keikaku_storage_tests::postgres::{TestDatabase, database};

async fn fresh() -> Option<(PostgresStore, TestDatabase)> {
    let db = database().await?;
    let store = PostgresStore::connect(&db.url).await.unwrap();
    Some((store, db))
}

keikaku_storage_tests::conformance_tests!(fresh);

/// The audit log is append-only in the database itself.
#[tokio::test]
async fn audit_entries_cannot_be_changed() {
    use keikaku_storage::{ExistingPlan, HistoryStore, PlanBatch, PlanStore, Store};
    let Some((store, _guard)) = fresh().await else {
        return;
    };
    store.migrate().await.unwrap();
    let file = keikaku_storage_tests::example();
    let writes = keikaku_storage_tests::writes(&file.municipality, &file.plans);
    store
        .insert_plans(
            &[PlanBatch {
                municipality: file.municipality.clone(),
                plans: writes,
            }],
            ExistingPlan::Refuse,
            &keikaku_storage_tests::author(),
        )
        .await
        .unwrap();
    let pool = store.pool();
    assert!(
        sqlx::query("UPDATE audit_entry SET actor = 'mallory' WHERE sequence = 1")
            .execute(pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_entry WHERE sequence = 1")
            .execute(pool)
            .await
            .is_err()
    );
    let entries = store
        .audit_entries(&file.municipality.code, 0, 10)
        .await
        .unwrap();
    assert_eq!(keikaku_domain::audit::verify_chain(&entries), Ok(2));
}

/// A server that refuses the connection is reported at once with the driver's error, not
/// after the pool has retried until its acquire timeout.
#[tokio::test]
async fn a_refused_connection_fails_with_the_drivers_error() {
    // Port 1 on the loopback address: nothing listens there.
    let err = PostgresStore::connect("postgres://postgres@127.0.0.1:1/x")
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("データベースのエラー:"), "{message}");
    let source = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<sqlx::Error>())
        .unwrap_or_else(|| panic!("not the driver's error: {err:?}"));
    assert!(
        matches!(source, sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused),
        "{source:?}"
    );
}
