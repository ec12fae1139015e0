//! The storage conformance suite on SQLite: each test gets its own database file.
#![allow(clippy::unwrap_used)]

use keikaku_storage_sqlite::SqliteStore;

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn fresh() -> Option<(SqliteStore, TempDir)> {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("keikaku-sqlite-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("test.db").display());
    Some((SqliteStore::connect(&url).await.unwrap(), TempDir(dir)))
}

keikaku_storage_tests::conformance_tests!(fresh);
