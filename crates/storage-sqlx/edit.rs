//! Editing a plan change by change ([`keikaku_storage::PlanStore::edit_plan`]): every change
//! that carries the version it started from is checked in the transaction, and the whole edit
//! is refused ([`StoreError::Stale`]) when one is no longer current.

use keikaku_domain::{MunicipalityCode, PlanStatus};
use keikaku_storage::rows::{ElementRow, LinkRow, PlanRow};
use keikaku_storage::{Author, Change, PlanEdit, StoreError};
use sqlx::{Pool, Transaction};

use super::import::{bind_content, insert_element, insert_link};
use super::{backend, tx};
use crate::Db;

/// Why an edit is refused when it commits: something it removes is referred to.
const REFERENCED: &str = "ほかの要素や計画から参照されている要素がなくなるため、保存できません。";

/// Applies an edit to one plan in one transaction, with its audit entry and, when asked, a
/// frozen version.
pub(crate) async fn edit_plan(
    pool: &Pool<Db>,
    code: &MunicipalityCode,
    edit: &PlanEdit,
    author: &Author,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    tx::lock_municipality(&mut tx, code).await?;
    let plan_id = edit.plan.as_str();
    if plan_status(&mut tx, code, plan_id).await?.is_none() {
        return Err(StoreError::Stale("plan".to_owned()));
    }
    let scope = Scope { code, plan_id };
    for change in &edit.changes {
        apply_change(&mut tx, scope, change).await?;
    }
    let entry = tx::append_audit(&mut tx, code, author, &edit.record, &edit.target).await?;
    if let Some(freeze) = &edit.freeze {
        let status = plan_status(&mut tx, code, plan_id)
            .await?
            .ok_or_else(|| StoreError::Stale("plan".to_owned()))?;
        let status = PlanStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("状態「{status}」")))?;
        tx::insert_version(
            &mut tx,
            &entry,
            plan_id,
            status,
            &freeze.snapshot,
            &freeze.note,
        )
        .await?;
    }
    tx::commit_plans(tx, REFERENCED).await
}

/// The plan an edit changes.
#[derive(Clone, Copy)]
struct Scope<'a> {
    code: &'a MunicipalityCode,
    plan_id: &'a str,
}

/// The plan's status code, read in the transaction (`None`: no such plan).
async fn plan_status(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan_id: &str,
) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar("SELECT status FROM plan WHERE municipality_code = $1 AND id = $2")
        .bind(code.as_str())
        .bind(plan_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)
}

/// Applies one change of an edit inside its transaction.
async fn apply_change(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    change: &Change,
) -> Result<(), StoreError> {
    match change {
        Change::Header { row, expected } => update_header(tx, at, row, *expected).await,
        Change::StatusIn(allowed) => require_status(tx, at, allowed).await,
        Change::Unchanged { since } => {
            if tx::written_since(tx, at.code, *since).await? {
                return Err(stale("plan"));
            }
            Ok(())
        }
        Change::Status { from, to } => change_status(tx, at, *from, *to).await,
        Change::Update { row, expected } => update_element(tx, at, row, *expected).await,
        Change::Insert { row } => add_element(tx, at, row).await,
        Change::Delete { id, expected } => delete_element(tx, at, id, *expected).await,
        Change::Position { id, from, position } => reposition(tx, at, id, *from, *position).await,
        Change::Links {
            from_id,
            kind,
            links,
        } => replace_links(tx, at, from_id, kind, links).await,
    }
}

fn stale(id: &str) -> StoreError {
    StoreError::Stale(id.to_owned())
}

/// A version as the `INTEGER` the schema stores.
fn version_param(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Refuses the edit as stale unless a conditional statement found its row.
fn written(done: <Db as sqlx::Database>::QueryResult, id: &str) -> Result<(), StoreError> {
    if done.rows_affected() == 0 {
        return Err(stale(id));
    }
    Ok(())
}

async fn update_header(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    row: &PlanRow,
    expected: u32,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE plan SET title = $3, purpose = $4, scope = $5, period_start = $6, \
         period_end = $7, period_description = $8, future_image = $9, \
         future_image_note = $10, revision = revision + 1 \
         WHERE municipality_code = $1 AND id = $2 AND revision = $11",
    )
    .bind(at.code.as_str())
    .bind(at.plan_id)
    .bind(&row.title)
    .bind(&row.purpose)
    .bind(&row.scope)
    .bind(row.period_start)
    .bind(row.period_end)
    .bind(&row.period_description)
    .bind(&row.future_image)
    .bind(&row.future_image_note)
    .bind(version_param(expected))
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    written(done, "plan")
}

async fn require_status(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    allowed: &[PlanStatus],
) -> Result<(), StoreError> {
    let status = plan_status(tx, at.code, at.plan_id).await?;
    let ok = status
        .as_deref()
        .and_then(PlanStatus::from_code)
        .is_some_and(|s| allowed.contains(&s));
    if !ok {
        return Err(stale("status"));
    }
    Ok(())
}

async fn change_status(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    from: PlanStatus,
    to: PlanStatus,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE plan SET status = $3 WHERE municipality_code = $1 AND id = $2 AND status = $4",
    )
    .bind(at.code.as_str())
    .bind(at.plan_id)
    .bind(to.code())
    .bind(from.code())
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    written(done, "plan")
}

async fn update_element(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    e: &ElementRow,
    expected: u32,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE plan_element SET number = $4, title = $5, description = $6, goal_id = $7, \
         current_state = $8, course_of_action = $9, citizen_participation = $10, \
         department = $11, half = $12, start_year = $13, end_year = $14, unit = $15, \
         direction = $16, indicator_type = $17, baseline_value = $18, baseline_year = $19, \
         target_value = $20, target_year = $21, calculation_method = $22, \
         data_source = $23, sample = $24, code = $25, decimals = $26, interim_targets = $27, \
         tolerance = $28, cumulative_entry = $29, acquisition = $30, lag_years = $31, \
         definition_changes = $32, version = version + 1 \
         WHERE municipality_code = $1 AND plan_id = $2 AND id = $3 AND version = $33",
    )
    .bind(at.code.as_str())
    .bind(at.plan_id)
    .bind(&e.id);
    let done = bind_content(query, e)
        .bind(version_param(expected))
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    written(done, &e.id)
}

/// Inserts a new element; an id taken meanwhile makes the edit stale.
async fn add_element(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    row: &ElementRow,
) -> Result<(), StoreError> {
    insert_element(tx, at.code.as_str(), at.plan_id, row)
        .await
        .map_err(|e| {
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation())
            {
                stale(&row.id)
            } else {
                backend(e)
            }
        })
}

/// Deletes an element at the version the user saw, and only while it has no children.
async fn delete_element(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    id: &str,
    expected: u32,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "DELETE FROM plan_element WHERE municipality_code = $1 AND plan_id = $2 AND id = $3 \
         AND version = $4 AND NOT EXISTS (SELECT 1 FROM plan_element c \
         WHERE c.municipality_code = $1 AND c.plan_id = $2 AND c.parent_id = $3)",
    )
    .bind(at.code.as_str())
    .bind(at.plan_id)
    .bind(id)
    .bind(version_param(expected))
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    written(done, id)
}

async fn reposition(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    id: &str,
    from: i32,
    position: i32,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE plan_element SET position = $4 WHERE municipality_code = $1 AND plan_id = $2 \
         AND id = $3 AND position = $5",
    )
    .bind(at.code.as_str())
    .bind(at.plan_id)
    .bind(id)
    .bind(position)
    .bind(from)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    written(done, id)
}

async fn replace_links(
    tx: &mut Transaction<'_, Db>,
    at: Scope<'_>,
    from_id: &str,
    kind: &str,
    links: &[LinkRow],
) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM plan_link WHERE municipality_code = $1 AND plan_id = $2 AND from_id = $3 \
         AND kind = $4",
    )
    .bind(at.code.as_str())
    .bind(at.plan_id)
    .bind(from_id)
    .bind(kind)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    for l in links {
        insert_link(tx, at.code.as_str(), at.plan_id, l)
            .await
            .map_err(backend)?;
    }
    Ok(())
}
