//! History: the port's [`HistoryStore`] for this backend — reading the audit log and the
//! frozen versions of plans. Both are written by `tx`, inside the transaction of the write
//! they record.

use async_trait::async_trait;
use keikaku_domain::audit::{AuditEntry, Timestamp};
use keikaku_domain::{MunicipalityCode, PlanId, PlanStatus};
use keikaku_storage::{HistoryStore, StoreError, VersionSummary};
use sqlx::Row;

use super::tx::audit_row;
use super::{backend, corrupt};
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
    })
}
