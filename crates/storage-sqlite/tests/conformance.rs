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

/// The audit log is append-only in the database itself, and tampering that goes around the
/// trigger is found by the hash chain.
#[tokio::test]
async fn audit_entries_cannot_be_changed_and_tampering_is_detected() {
    use keikaku_storage::{ExistingPlan, HistoryStore, PlanBatch, PlanStore, Store};
    let (store, _dir) = fresh().await.unwrap();
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
    // Someone with file access drops the trigger and edits an entry: the chain shows it.
    sqlx::query("DROP TRIGGER audit_entry_no_update")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_entry SET actor = 'mallory' WHERE sequence = 1")
        .execute(pool)
        .await
        .unwrap();
    let entries = store
        .audit_entries(&file.municipality.code, 0, 10)
        .await
        .unwrap();
    let broken = keikaku_domain::audit::verify_chain(&entries).unwrap_err();
    assert_eq!(broken.sequence(), 1);
}
