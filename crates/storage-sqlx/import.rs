//! Writing whole plans: importing and replacing them (`insert_plans`), deleting them, and the
//! inserts of plan, element and link rows that editing shares.

use keikaku_domain::audit::AuditEntry;
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::rows::{self, ElementRow, LinkRow, PlanRows};
use keikaku_storage::{Author, ExistingPlan, PlanBatch, PlanWrite, StoreError, UserChange};
use sqlx::{Pool, Transaction};

use super::plans::read_versions;
use super::{backend, tx};
use crate::Db;

/// Why a write of plans is refused when it commits: an element another plan links to would
/// be gone (removed by this replacement, or by a write that came first).
const LINK_TARGET_GONE: &str = "他の計画からリンクされている要素がなくなるため、保存できません。";

/// Why a deletion is refused when it commits: another plan links to the plan's elements.
const PLAN_LINKED: &str = "他の計画からリンクされているため、削除できません。";

/// Stores the municipalities and their plans in one transaction, one audit entry and one new
/// version per plan ([`keikaku_storage::PlanStore::insert_plans`]).
pub(crate) async fn insert_plans(
    pool: &Pool<Db>,
    batches: &[PlanBatch],
    existing: ExistingPlan,
    author: &Author,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    // The first statements write, so this transaction holds the write locks from here on:
    // audit entries of concurrent writers cannot interleave. The municipalities are locked
    // in the order of their codes, so two imports cannot wait for each other.
    let mut order: Vec<&PlanBatch> = batches.iter().collect();
    order.sort_by(|a, b| a.municipality.code.cmp(&b.municipality.code));
    for batch in &order {
        tx::upsert_municipality(&mut tx, &batch.municipality).await?;
    }
    for batch in batches {
        let code = &batch.municipality.code;
        let mut last = tx::last_entry(&mut tx, code).await?;
        for write in &batch.plans {
            let entry = store_plan(&mut tx, code, write, existing, last.as_ref(), author).await?;
            last = Some(entry);
        }
    }
    tx::commit_plans(tx, LINK_TARGET_GONE).await
}

/// Stores one plan of an import — replacing the stored one if allowed — with its audit entry
/// after `last` and its new version; returns the entry.
async fn store_plan(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    write: &PlanWrite,
    existing: ExistingPlan,
    last: Option<&AuditEntry>,
    author: &Author,
) -> Result<AuditEntry, StoreError> {
    let plan = &write.plan;
    let rows = rows::flatten(plan);
    let carried = if plan_exists(tx, code, &rows.plan.id).await? {
        if existing == ExistingPlan::Refuse {
            return Err(StoreError::PlanExists(plan.id().clone()));
        }
        Some(remove_for_replacement(tx, code, &rows.plan.id).await?)
    } else {
        None
    };
    insert_rows(tx, &rows).await.map_err(backend)?;
    if let Some(carried) = &carried {
        carry_versions(tx, code, &rows.plan.id, carried).await?;
    }
    let replaced = if carried.is_some() {
        "plan.replace"
    } else {
        "plan.import"
    };
    let change = UserChange {
        action: write.action.clone().unwrap_or_else(|| replaced.to_owned()),
        before: write.before.clone(),
        after: Some(write.after.clone()),
    };
    let entry = tx::append_after(tx, last, code, author, &change, plan.id().as_str()).await?;
    let status = plan.header().status;
    tx::insert_version(
        tx,
        &entry,
        plan.id().as_str(),
        status,
        &write.after,
        &VersionNote::default(),
    )
    .await?;
    Ok(entry)
}

/// Whether the plan is stored.
async fn plan_exists(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan_id: &str,
) -> Result<bool, StoreError> {
    let found = sqlx::query("SELECT 1 FROM plan WHERE municipality_code = $1 AND id = $2")
        .bind(code.as_str())
        .bind(plan_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(found.is_some())
}

/// Removes a stored plan that is about to be written again, returning the versions it had
/// (its revision under the empty id, then its elements'). Links into it from other plans are
/// kept: they are checked again against the new elements when the transaction commits.
async fn remove_for_replacement(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan_id: &str,
) -> Result<Vec<(String, i32)>, StoreError> {
    let versions = read_versions(&mut **tx, code.as_str(), plan_id)
        .await
        .map_err(backend)?;
    sqlx::query("DELETE FROM plan WHERE municipality_code = $1 AND id = $2")
        .bind(code.as_str())
        .bind(plan_id)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(versions)
}

/// Gives the plan written again the versions it had, one higher: an edit form opened before
/// the replacement is stale afterwards, whatever the new text.
async fn carry_versions(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan_id: &str,
    carried: &[(String, i32)],
) -> Result<(), StoreError> {
    for (id, version) in carried {
        let next = version.saturating_add(1);
        if id.is_empty() {
            sqlx::query("UPDATE plan SET revision = $3 WHERE municipality_code = $1 AND id = $2")
                .bind(code.as_str())
                .bind(plan_id)
                .bind(next)
                .execute(&mut **tx)
                .await
                .map_err(backend)?;
        } else {
            sqlx::query(
                "UPDATE plan_element SET version = $4 \
                 WHERE municipality_code = $1 AND plan_id = $2 AND id = $3",
            )
            .bind(code.as_str())
            .bind(plan_id)
            .bind(id)
            .bind(next)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
        }
    }
    Ok(())
}

/// Removes a plan with an audit entry `plan.delete` ([`keikaku_storage::PlanStore::delete_plan`]).
pub(crate) async fn delete_plan(
    pool: &Pool<Db>,
    code: &MunicipalityCode,
    id: &PlanId,
    author: &Author,
    before: Option<String>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    if !tx::bump_data_version(&mut tx, code).await? {
        return Ok(false);
    }
    let done = sqlx::query("DELETE FROM plan WHERE municipality_code = $1 AND id = $2")
        .bind(code.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    // The port's change record (action, before, after) serves plan deletions too.
    let change = UserChange {
        action: "plan.delete".to_owned(),
        before,
        after: None,
    };
    tx::append_audit(&mut tx, code, author, &change, id.as_str()).await?;
    tx::commit_plans(tx, PLAN_LINKED).await?;
    Ok(true)
}

/// Inserts a plan's rows: the plan, its elements, its links.
async fn insert_rows(tx: &mut Transaction<'_, Db>, rows: &PlanRows) -> Result<(), sqlx::Error> {
    let p = &rows.plan;
    sqlx::query(concat!(
        "INSERT INTO plan (",
        plan_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(&p.municipality_code)
    .bind(&p.id)
    .bind(&p.kind)
    .bind(&p.title)
    .bind(&p.purpose)
    .bind(&p.scope)
    .bind(p.period_start)
    .bind(p.period_end)
    .bind(&p.period_description)
    .bind(&p.status)
    .bind(p.position)
    .bind(&p.future_image)
    .bind(&p.future_image_note)
    .execute(&mut **tx)
    .await?;
    for e in &rows.elements {
        insert_element(tx, &p.municipality_code, &p.id, e).await?;
    }
    for l in &rows.links {
        insert_link(tx, &p.municipality_code, &p.id, l).await?;
    }
    Ok(())
}

/// Inserts one element row (version 1).
pub(crate) async fn insert_element(
    tx: &mut Transaction<'_, Db>,
    code: &str,
    plan_id: &str,
    e: &ElementRow,
) -> Result<(), sqlx::Error> {
    let query = sqlx::query(concat!(
        "INSERT INTO plan_element (municipality_code, plan_id, ",
        element_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, \
         $35)"
    ))
    .bind(code)
    .bind(plan_id)
    .bind(&e.id)
    .bind(&e.kind)
    .bind(&e.parent_id)
    .bind(e.position);
    bind_content(query, e).execute(&mut **tx).await?;
    Ok(())
}

pub(crate) type DbQuery<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// Binds an element's content, the columns after `position` in `element_columns!` (number …
/// definition_changes), in that order: the insert and the update of an element share it.
pub(crate) fn bind_content<'q>(query: DbQuery<'q>, e: &ElementRow) -> DbQuery<'q> {
    query
        .bind(&e.number)
        .bind(&e.title)
        .bind(&e.description)
        .bind(&e.goal_id)
        .bind(&e.current_state)
        .bind(&e.course_of_action)
        .bind(&e.citizen_participation)
        .bind(&e.department)
        .bind(&e.half)
        .bind(e.start_year)
        .bind(e.end_year)
        .bind(&e.unit)
        .bind(&e.direction)
        .bind(&e.indicator_type)
        .bind(&e.baseline_value)
        .bind(e.baseline_year)
        .bind(&e.target_value)
        .bind(e.target_year)
        .bind(&e.calculation_method)
        .bind(&e.data_source)
        .bind(e.sample)
        .bind(&e.code)
        .bind(e.decimals)
        .bind(&e.interim_targets)
        .bind(&e.tolerance)
        .bind(&e.cumulative_entry)
        .bind(&e.acquisition)
        .bind(e.lag_years)
        .bind(&e.definition_changes)
}

/// Inserts one link row.
pub(crate) async fn insert_link(
    tx: &mut Transaction<'_, Db>,
    code: &str,
    plan_id: &str,
    l: &LinkRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO plan_link (municipality_code, plan_id, from_id, kind, to_plan_id, to_id, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code)
    .bind(plan_id)
    .bind(&l.from_id)
    .bind(&l.kind)
    .bind(&l.to_plan_id)
    .bind(&l.to_id)
    .bind(l.position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
