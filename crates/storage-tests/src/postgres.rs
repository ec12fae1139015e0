//! Databases of their own on the PostgreSQL test server, for every test that needs one (the
//! PostgreSQL conformance suite, the backup round trips across backends).
//!
//! The server is `KEIKAKU_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached the test is
//! skipped with a visible message, except under CI (`CI=true`), where that is a failure.

use sqlx::Connection;

/// The URL of the test server's administrative database.
pub fn admin_url() -> String {
    std::env::var("KEIKAKU_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The URL with another database name.
pub fn with_database(url: &str, db: &str) -> String {
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

/// A database made for one test, dropped (with its connections) when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    /// The database's URL.
    pub url: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop cannot await, and the test's runtime may be blocked while we wait here: use a
        // small runtime of our own on another thread. FORCE ends the store's connections.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url()).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}

/// A new empty database on the test server, or `None` (with a message) when the server
/// cannot be reached outside CI.
///
/// # Panics
///
/// Under CI when the server cannot be reached, or when the database cannot be created.
#[allow(clippy::print_stderr, clippy::panic)] // a test's visible skip, a test's failure
pub async fn database() -> Option<TestDatabase> {
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
    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
    {
        panic!("テスト用のデータベース {name} を作れません: {e}");
    }
    Some(TestDatabase {
        url: with_database(&admin_url(), &name),
        name,
    })
}
