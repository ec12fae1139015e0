//! Backup and restore of a whole database: the operator's use cases, and the backup file
//! (`file`, documented in `docs/backup.md`).
//!
//! A backup is everything the database holds — every municipality, plan, element, link,
//! version, audit entry (with its hash), user (with the password hash), session and token
//! (hashes) — read in one consistent snapshot while the server may go on writing. A restore
//! loads it into an empty database of either backend in one transaction. Neither is written
//! to the audit log: the restored log is the original, entry for entry, and backing up the
//! same data twice gives the same bytes.

mod file;

pub use file::{FORMAT, VERSION};

use keikaku_planfile::FileProblem;
use keikaku_storage::Store;
use keikaku_storage::backup::RestoreRefusal;

use crate::AppError;
use crate::access::Operator;

/// The backup of the whole database, as the text of a backup file.
pub async fn create(_: &Operator, store: &dyn Store) -> Result<String, AppError> {
    let snapshot = store.snapshot().await?;
    Ok(file::encode(&snapshot))
}

/// What a restore wrote: the rows of each table, in the order restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreReport {
    /// Each table's name and its number of rows.
    pub tables: Vec<(String, usize)>,
}

/// Restores a backup file into the store's database, which must be empty: everything in one
/// transaction, or — when the file is not a valid backup or the database holds data —
/// nothing. The database is given the schema the backup was made with, the rows are loaded,
/// and then the migrations that came after it run: a backup made by an older keikaku restores
/// into a newer one. A database already migrated past the backup's schema is refused.
pub async fn restore(
    _: &Operator,
    store: &dyn Store,
    text: &str,
) -> Result<RestoreReport, AppError> {
    let snapshot = file::decode(text).map_err(AppError::Invalid)?;
    store.migrate_to(snapshot.schema).await?;
    let outcome = store.restore(&snapshot).await?;
    if outcome.is_ok() {
        store.migrate().await?;
    }
    match outcome {
        Ok(()) => Ok(RestoreReport {
            tables: snapshot
                .tables
                .iter()
                .map(|t| (t.name.clone(), t.rows.len()))
                .collect(),
        }),
        Err(refusal @ RestoreRefusal::NotEmpty(_)) => Err(AppError::Conflict(refusal.to_string())),
        Err(refusal @ RestoreRefusal::Schema { .. }) => Err(AppError::Invalid(vec![FileProblem {
            path: "$.schema".to_owned(),
            message: refusal.to_string(),
        }])),
        Err(refusal @ RestoreRefusal::Layout(_)) => Err(AppError::Invalid(vec![FileProblem {
            path: "$.tables".to_owned(),
            message: refusal.to_string(),
        }])),
    }
}
