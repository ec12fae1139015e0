//! History: the port's [`HistoryStore`] for this backend — reading the audit log and the
//! frozen versions of plans. Both are written by `tx`, inside the transaction of the write
//! they record; a version's name and reason are written here, through `tx` too.

use async_trait::async_trait;
use keikaku_domain::audit::{AuditEntry, Timestamp};
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{MunicipalityCode, PlanId, PlanStatus};
use keikaku_storage::{Author, HistoryStore, StoreError, UserChange, VersionSummary};
use sqlx::Row;

use super::tx::audit_row;
use super::{backend, corrupt, tx};
use crate::{DbRow, Store};

#[async_trait]
impl HistoryStore for Store {
    async fn audit_entries(
        &self,
        code: &MunicipalityCode,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_entry WHERE municipality_code = $1 AND sequence > $2 ORDER BY sequence LIMIT $3"
        ))
        .bind(code.as_str())
        .bind(i64::try_from(after).unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(audit_row).collect()
    }

    async fn plan_versions(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Vec<VersionSummary>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            " FROM plan_version WHERE municipality_code = $1 AND plan_id = $2 ORDER BY number"
        ))
        .bind(code.as_str())
        .bind(plan.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(version_row).collect()
    }

    async fn plan_version(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        number: u32,
    ) -> Result<Option<(VersionSummary, String)>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            ", snapshot FROM plan_version WHERE municipality_code = $1 AND plan_id = $2 AND number = $3"
        ))
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(i64::from(number))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                version_row(&r)?,
                r.try_get("snapshot").map_err(backend)?,
            ))),
        }
    }

    async fn save_version_note(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        number: u32,
        note: &VersionNote,
        expected: u32,
        author: &Author,
    ) -> Result<Option<u32>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let row = sqlx::query(
            "SELECT label, reason, note_revision FROM plan_version \
             WHERE municipality_code = $1 AND plan_id = $2 AND number = $3",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(i64::from(number))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stored: i64 = row.try_get("note_revision").map_err(backend)?;
        if stored != i64::from(expected) {
            return Err(StoreError::Stale("version".to_owned()));
        }
        let before = VersionNote {
            label: row.try_get("label").map_err(backend)?,
            reason: row.try_get("reason").map_err(backend)?,
        };
        let next = expected + 1;
        sqlx::query(
            "UPDATE plan_version SET label = $1, reason = $2, note_revision = $3 \
             WHERE municipality_code = $4 AND plan_id = $5 AND number = $6 AND note_revision = $7",
        )
        .bind(&note.label)
        .bind(&note.reason)
        .bind(i64::from(next))
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(i64::from(number))
        .bind(i64::from(expected))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let change = UserChange {
            action: "version.note".to_owned(),
            before: Some(before.audit_text()),
            after: Some(note.audit_text()),
        };
        let target = format!("{plan}/versions/{number}");
        tx::append_audit(&mut tx, code, author, &change, &target).await?;
        tx::commit(tx).await?;
        Ok(Some(next))
    }
}

fn version_row(r: &DbRow) -> Result<VersionSummary, StoreError> {
    let plan: String = r.try_get("plan_id").map_err(backend)?;
    let number: i64 = r.try_get("number").map_err(backend)?;
    let status: String = r.try_get("status").map_err(backend)?;
    let sequence: i64 = r.try_get("audit_sequence").map_err(backend)?;
    Ok(VersionSummary {
        plan: PlanId::parse(&plan).map_err(corrupt)?,
        number: u32::try_from(number).map_err(corrupt)?,
        status: PlanStatus::from_code(&status)
            .ok_or_else(|| corrupt(format!("状態「{status}」")))?,
        at: Timestamp::from_millis(r.try_get("at_millis").map_err(backend)?).map_err(corrupt)?,
        actor: r.try_get("actor").map_err(backend)?,
        audit_sequence: u64::try_from(sequence).map_err(corrupt)?,
        note: VersionNote {
            label: r.try_get("label").map_err(backend)?,
            reason: r.try_get("reason").map_err(backend)?,
        },
        note_revision: u32::try_from(r.try_get::<i64, _>("note_revision").map_err(backend)?)
            .map_err(corrupt)?,
    })
}
