//! The storage conformance suite on PostgreSQL: each test gets its own database, dropped
//! afterwards. The server is `KEIKAKU_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached the suite is
//! skipped with a visible message, except under CI (`CI=true`), where that is a failure.
#![allow(clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

use keikaku_storage_postgres::PostgresStore;
use sqlx::Connection;

fn admin_url() -> String {
    std::env::var("KEIKAKU_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn with_database(url: &str, db: &str) -> String {
    match url.rfind('/') {
        Some(i) if url[..i].contains("://") && !url[..i].ends_with('/') => {
            let rest = url[i + 1..]
                .find('?')
                .map(|q| &url[i + 1 + q..])
                .unwrap_or("");
            format!("{}/{db}{rest}", &url[..i])
        }
        _ => format!("{url}/{db}"),
    }
}

/// Drops the test database when the test ends.
struct TestDatabase {
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop cannot await, and the test's runtime is blocked while we wait here: use a
        // small runtime of our own on another thread. FORCE ends the store's connections.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let mut admin = sqlx::PgConnection::connect(&admin_url()).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .unwrap();
            });
        })
        .join();
    }
}

async fn fresh() -> Option<(PostgresStore, TestDatabase)> {
    let mut admin = match sqlx::PgConnection::connect(&admin_url()).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true ですが PostgreSQL（{}）に接続できません: {e}",
                    admin_url()
                );
            }
            eprintln!(
                "\n*** PostgreSQL（{}）に接続できないため、このテストを省略します: {e}\n*** PostgreSQL を起動するか KEIKAKU_TEST_POSTGRES_URL を設定してください。\n",
                admin_url()
            );
            return None;
        }
    };
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("keikaku_test_{}_{n}_{nanos}", std::process::id());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .unwrap();
    let guard = TestDatabase { name: name.clone() };
    let store = PostgresStore::connect(&with_database(&admin_url(), &name))
        .await
        .unwrap();
    Some((store, guard))
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
