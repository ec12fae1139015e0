//! The writing transaction, shared by every capability: the municipality's write lock and
//! data version, the audit chain (read its end, append one entry), the frozen versions of
//! plans, and the commit that tells a broken reference from a failing database.
//!
//! Every write goes through here, so there is one audit chain per municipality and one way of
//! extending it: the transaction's first statement writes the municipality row (SQLite: the
//! transaction holds the write lock from then on; PostgreSQL: the row is locked), and only then
//! is the chain's last entry read.

use keikaku_domain::audit::{AuditEntry, ChainHash, NewEntry, Timestamp};
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{Municipality, MunicipalityCode, PlanStatus};
use keikaku_storage::{Author, StoreError, UserChange};
use sqlx::{Row, Transaction};

use super::{backend, corrupt};
use crate::{Db, DbRow};

/// Adds one to the municipality's data version: the transaction's first statement, which
/// takes the municipality's write lock. Returns whether the municipality is stored.
pub(crate) async fn bump_data_version(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE municipality SET data_version = data_version + 1 WHERE code = $1")
            .bind(code.as_str())
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    Ok(done.rows_affected() > 0)
}

/// Takes the municipality's write lock for this transaction (its first statement writes),
/// and refuses an unknown municipality.
pub(crate) async fn lock_municipality(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
) -> Result<(), StoreError> {
    if bump_data_version(tx, code).await? {
        Ok(())
    } else {
        Err(StoreError::UnknownMunicipality(code.clone()))
    }
}

/// Stores the municipality (inserted, or its name and prefecture updated) and adds one to its
/// data version: like [`lock_municipality`], the first statement of the transaction, for
/// writes that may bring the municipality.
pub(crate) async fn upsert_municipality(
    tx: &mut Transaction<'_, Db>,
    m: &Municipality,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO municipality (code, name, prefecture, data_version) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, prefecture = excluded.prefecture, \
         data_version = municipality.data_version + 1",
    )
    .bind(m.code.as_str())
    .bind(&m.name)
    .bind(&m.prefecture)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Whether the municipality was written since data version `since`, other than by this
/// transaction (whose lock added one).
pub(crate) async fn written_since(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    since: i64,
) -> Result<bool, StoreError> {
    let now: i64 = sqlx::query_scalar("SELECT data_version FROM municipality WHERE code = $1")
        .bind(code.as_str())
        .fetch_one(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(now != since.saturating_add(1))
}

/// Appends one audit entry after the latest one. Call it inside a transaction that already
/// holds the municipality's write lock (its first statement wrote the municipality row), so
/// that no other writer appends in between.
pub(crate) async fn append_audit(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    author: &Author,
    change: &UserChange,
    target: &str,
) -> Result<AuditEntry, StoreError> {
    let last = last_entry(tx, code).await?;
    append_after(tx, last.as_ref(), code, author, change, target).await
}

/// Appends one audit entry after `last`, the chain's end as the writer last saw it inside the
/// same transaction (a write of several plans appends one entry per plan).
pub(crate) async fn append_after(
    tx: &mut Transaction<'_, Db>,
    last: Option<&AuditEntry>,
    code: &MunicipalityCode,
    author: &Author,
    change: &UserChange,
    target: &str,
) -> Result<AuditEntry, StoreError> {
    let entry = AuditEntry::append(
        last,
        NewEntry {
            municipality: code.clone(),
            at: author.at,
            actor: author.actor.clone(),
            action: change.action.clone(),
            target: target.to_owned(),
            before: change.before.clone(),
            after: change.after.clone(),
        },
    );
    insert_entry(tx, &entry).await?;
    Ok(entry)
}

/// The latest audit entry of a municipality, read inside the writing transaction.
pub(crate) async fn last_entry(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
) -> Result<Option<AuditEntry>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_entry WHERE municipality_code = $1 ORDER BY sequence DESC LIMIT 1"
    ))
    .bind(code.as_str())
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    row.as_ref().map(audit_row).transpose()
}

async fn insert_entry(tx: &mut Transaction<'_, Db>, e: &AuditEntry) -> Result<(), StoreError> {
    sqlx::query(concat!(
        "INSERT INTO audit_entry (",
        audit_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(e.municipality.as_str())
    .bind(i64::try_from(e.sequence).map_err(corrupt)?)
    .bind(e.at.as_millis())
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.target)
    .bind(&e.before)
    .bind(&e.after)
    .bind(e.previous_hash.to_string())
    .bind(e.hash.to_string())
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// An `audit_entry` row (the columns of `audit_columns!`) as the domain's entry.
pub(crate) fn audit_row(r: &DbRow) -> Result<AuditEntry, StoreError> {
    let code: String = r.try_get("municipality_code").map_err(backend)?;
    let sequence: i64 = r.try_get("sequence").map_err(backend)?;
    let previous: String = r.try_get("previous_hash").map_err(backend)?;
    let hash: String = r.try_get("hash").map_err(backend)?;
    Ok(AuditEntry {
        sequence: u64::try_from(sequence).map_err(corrupt)?,
        municipality: MunicipalityCode::parse(&code).map_err(corrupt)?,
        at: Timestamp::from_millis(r.try_get("at_millis").map_err(backend)?).map_err(corrupt)?,
        actor: r.try_get("actor").map_err(backend)?,
        action: r.try_get("action").map_err(backend)?,
        target: r.try_get("target").map_err(backend)?,
        before: r.try_get("before_value").map_err(backend)?,
        after: r.try_get("after_value").map_err(backend)?,
        previous_hash: ChainHash::parse(&previous).map_err(corrupt)?,
        hash: ChainHash::parse(&hash).map_err(corrupt)?,
    })
}

/// Freezes the next version of a plan, recorded by `entry`, with its snapshot.
pub(crate) async fn insert_version(
    tx: &mut Transaction<'_, Db>,
    entry: &AuditEntry,
    plan_id: &str,
    status: PlanStatus,
    snapshot: &str,
    note: &VersionNote,
) -> Result<(), StoreError> {
    let next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM plan_version WHERE municipality_code = $1 AND plan_id = $2",
    )
    .bind(entry.municipality.as_str())
    .bind(plan_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(backend)?;
    sqlx::query(concat!(
        "INSERT INTO plan_version (municipality_code, ",
        version_columns!(),
        ", snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)"
    ))
    .bind(entry.municipality.as_str())
    .bind(plan_id)
    .bind(next)
    .bind(status.code())
    .bind(entry.at.as_millis())
    .bind(&entry.actor)
    .bind(i64::try_from(entry.sequence).map_err(corrupt)?)
    .bind(&note.label)
    .bind(&note.reason)
    .bind(snapshot)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Commits a write of plans. Links between plans, and a field's goal, are foreign keys checked
/// when the transaction commits (`DEFERRABLE INITIALLY DEFERRED`), so a target removed by
/// this write — or by a concurrent one — shows only here: that is
/// [`StoreError::Referenced`] with `refusal`, a conflict the user can resolve, and nothing is
/// written. Any other failure is the database's.
pub(crate) async fn commit_plans(tx: Transaction<'_, Db>, refusal: &str) -> Result<(), StoreError> {
    tx.commit().await.map_err(|e| {
        if is_foreign_key(&e) {
            StoreError::Referenced(refusal.to_owned())
        } else {
            backend(e)
        }
    })
}

/// Commits a write that no deferred foreign key refers to (users, sessions, tokens).
pub(crate) async fn commit(tx: Transaction<'_, Db>) -> Result<(), StoreError> {
    tx.commit().await.map_err(backend)
}

/// Whether an error is a violated foreign key (a link whose target would disappear).
/// PostgreSQL says so by its SQLSTATE; SQLite, at commit, only in its message.
fn is_foreign_key(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation() || d.message().contains("FOREIGN KEY"))
}
