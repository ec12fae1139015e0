// The SQL and the row mapping of keikaku's storage adapters, shared by the SQLite and the
// PostgreSQL adapter: each crate defines `Db`, `DbRow`, `Store` and `BACKEND` and includes
// this file (`include!`), so the two adapters cannot drift apart while each keeps its own
// crate, connection setup and migrations. The queries are written in the SQL both databases
// understand (`$1` parameters, `ON CONFLICT`, `COALESCE`); the schemas differ only in integer
// widths and in how the audit log's append-only triggers are written.
//
// (A plain `//` header: an included file cannot carry `//!` module docs.)

use async_trait::async_trait;
use keikaku_domain::Plan;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::{AuditEntry, ChainHash, NewEntry, Timestamp};
use keikaku_domain::{Municipality, MunicipalityCode, PlanId, PlanKind, PlanStatus};
use keikaku_storage::rows::{self, ElementRow, LinkRow, PlanRow, PlanRows};
use keikaku_storage::{
    Author, Change, EditVersions, ExistingPlan, PlanEdit, PlanStore, PlanSummary, PlanWrite,
    SessionRecord, StoreError, UserChange, VersionSummary,
};
use sqlx::{Row, Transaction};

macro_rules! audit_columns {
    () => {
        "municipality_code, sequence, at_millis, actor, action, target, before_value, after_value, \
         previous_hash, hash"
    };
}

macro_rules! version_columns {
    () => {
        "plan_id, number, status, at_millis, actor, audit_sequence"
    };
}

macro_rules! token_columns {
    () => {
        "id, login_id, name, token_hash, created_at_millis, last_used_at_millis, \
         expires_at_millis, revoked_at_millis"
    };
}

// Column lists as macros, so that every query stays a `&'static str` (sqlx refuses
// dynamically built SQL).
macro_rules! plan_columns {
    () => {
        "municipality_code, id, kind, title, purpose, scope, period_start, period_end, \
    period_description, status, position, future_image, future_image_note"
    };
}

macro_rules! element_columns {
    () => {
        "id, kind, parent_id, position, number, title, description, goal_id, \
    current_state, course_of_action, citizen_participation, department, half, start_year, end_year, \
    unit, direction, indicator_type, baseline_value, baseline_year, target_value, target_year, \
    calculation_method, data_source, sample"
    };
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl Store {
    async fn plan_rows(&self, code: &str, id: &str) -> Result<Option<PlanRows>, StoreError> {
        let Some(plan) = sqlx::query(concat!(
            "SELECT ",
            plan_columns!(),
            " FROM plan WHERE municipality_code = $1 AND id = $2"
        ))
        .bind(code)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?
        else {
            return Ok(None);
        };
        let elements = sqlx::query(concat!(
            "SELECT ",
            element_columns!(),
            " FROM plan_element WHERE municipality_code = $1 AND plan_id = $2"
        ))
        .bind(code)
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let links = sqlx::query(
            "SELECT from_id, kind, to_plan_id, to_id, position FROM plan_link WHERE municipality_code = $1 AND plan_id = $2",
        )
        .bind(code)
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        Ok(Some(PlanRows {
            plan: plan_row(&plan).map_err(backend)?,
            elements: elements
                .iter()
                .map(element_row)
                .collect::<Result<_, _>>()
                .map_err(backend)?,
            links: links
                .iter()
                .map(link_row)
                .collect::<Result<_, _>>()
                .map_err(backend)?,
        }))
    }
}

fn plan_row(r: &DbRow) -> Result<PlanRow, sqlx::Error> {
    Ok(PlanRow {
        municipality_code: r.try_get("municipality_code")?,
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        purpose: r.try_get("purpose")?,
        scope: r.try_get("scope")?,
        period_start: r.try_get("period_start")?,
        period_end: r.try_get("period_end")?,
        period_description: r.try_get("period_description")?,
        status: r.try_get("status")?,
        position: r.try_get("position")?,
        future_image: r.try_get("future_image")?,
        future_image_note: r.try_get("future_image_note")?,
    })
}

fn element_row(r: &DbRow) -> Result<ElementRow, sqlx::Error> {
    Ok(ElementRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        parent_id: r.try_get("parent_id")?,
        position: r.try_get("position")?,
        number: r.try_get("number")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        goal_id: r.try_get("goal_id")?,
        current_state: r.try_get("current_state")?,
        course_of_action: r.try_get("course_of_action")?,
        citizen_participation: r.try_get("citizen_participation")?,
        department: r.try_get("department")?,
        half: r.try_get("half")?,
        start_year: r.try_get("start_year")?,
        end_year: r.try_get("end_year")?,
        unit: r.try_get("unit")?,
        direction: r.try_get("direction")?,
        indicator_type: r.try_get("indicator_type")?,
        baseline_value: r.try_get("baseline_value")?,
        baseline_year: r.try_get("baseline_year")?,
        target_value: r.try_get("target_value")?,
        target_year: r.try_get("target_year")?,
        calculation_method: r.try_get("calculation_method")?,
        data_source: r.try_get("data_source")?,
        sample: r.try_get("sample")?,
    })
}

fn link_row(r: &DbRow) -> Result<LinkRow, sqlx::Error> {
    Ok(LinkRow {
        from_id: r.try_get("from_id")?,
        kind: r.try_get("kind")?,
        to_plan_id: r.try_get("to_plan_id")?,
        to_id: r.try_get("to_id")?,
        position: r.try_get("position")?,
    })
}

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

async fn insert_element(
    tx: &mut Transaction<'_, Db>,
    code: &str,
    plan_id: &str,
    e: &ElementRow,
) -> Result<(), sqlx::Error> {
    let query = sqlx::query(concat!(
        "INSERT INTO plan_element (municipality_code, plan_id, ",
        element_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
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

type DbQuery<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// Binds an element's content, the columns after `position` in `element_columns!` (number …
/// sample), in that order: the insert and the update of an element share it.
fn bind_content<'q>(query: DbQuery<'q>, e: &ElementRow) -> DbQuery<'q> {
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
}

async fn insert_link(
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

/// A plan's revision and its elements' versions, read inside a transaction or from the pool.
async fn read_versions<'e, E>(
    exec: E,
    code: &str,
    plan_id: &str,
) -> Result<Vec<(String, i32)>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT '' AS id, revision AS version FROM plan WHERE municipality_code = $1 AND id = $2 \
         UNION ALL \
         SELECT id, version FROM plan_element WHERE municipality_code = $1 AND plan_id = $2",
    )
    .bind(code)
    .bind(plan_id)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String, _>("id")?,
                r.try_get::<i32, _>("version")?,
            ))
        })
        .collect()
}

/// A version as the `INTEGER` the schema stores.
fn version_param(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Applies one change of an edit inside its transaction.
async fn apply_change(
    tx: &mut Transaction<'_, Db>,
    code: &str,
    plan_id: &str,
    change: &Change,
) -> Result<(), StoreError> {
    let stale = |id: &str| StoreError::Stale(id.to_owned());
    match change {
        Change::Header { row, expected } => {
            let done = sqlx::query(
                "UPDATE plan SET title = $3, purpose = $4, scope = $5, period_start = $6, \
                 period_end = $7, period_description = $8, future_image = $9, \
                 future_image_note = $10, revision = revision + 1 \
                 WHERE municipality_code = $1 AND id = $2 AND revision = $11",
            )
            .bind(code)
            .bind(plan_id)
            .bind(&row.title)
            .bind(&row.purpose)
            .bind(&row.scope)
            .bind(row.period_start)
            .bind(row.period_end)
            .bind(&row.period_description)
            .bind(&row.future_image)
            .bind(&row.future_image_note)
            .bind(version_param(*expected))
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 0 {
                return Err(stale("plan"));
            }
        }
        Change::StatusIn(allowed) => {
            let status: Option<String> = sqlx::query_scalar(
                "SELECT status FROM plan WHERE municipality_code = $1 AND id = $2",
            )
            .bind(code)
            .bind(plan_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend)?;
            let ok = status
                .as_deref()
                .and_then(PlanStatus::from_code)
                .is_some_and(|s| allowed.contains(&s));
            if !ok {
                return Err(stale("status"));
            }
        }
        Change::Unchanged { since } => {
            // The transaction's first statement added one.
            let now: i64 =
                sqlx::query_scalar("SELECT data_version FROM municipality WHERE code = $1")
                    .bind(code)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(backend)?;
            if now != since.saturating_add(1) {
                return Err(stale("plan"));
            }
        }
        Change::Status { from, to } => {
            let done = sqlx::query(
                "UPDATE plan SET status = $3 WHERE municipality_code = $1 AND id = $2 AND status = $4",
            )
            .bind(code)
            .bind(plan_id)
            .bind(to.code())
            .bind(from.code())
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 0 {
                return Err(stale("plan"));
            }
        }
        Change::Update { row: e, expected } => {
            let query = sqlx::query(
                "UPDATE plan_element SET number = $4, title = $5, description = $6, goal_id = $7, \
                 current_state = $8, course_of_action = $9, citizen_participation = $10, \
                 department = $11, half = $12, start_year = $13, end_year = $14, unit = $15, \
                 direction = $16, indicator_type = $17, baseline_value = $18, baseline_year = $19, \
                 target_value = $20, target_year = $21, calculation_method = $22, \
                 data_source = $23, sample = $24, version = version + 1 \
                 WHERE municipality_code = $1 AND plan_id = $2 AND id = $3 AND version = $25",
            )
            .bind(code)
            .bind(plan_id)
            .bind(&e.id);
            let done = bind_content(query, e)
                .bind(version_param(*expected))
                .execute(&mut **tx)
                .await
                .map_err(backend)?;
            if done.rows_affected() == 0 {
                return Err(stale(&e.id));
            }
        }
        Change::Insert { row } => insert_element(tx, code, plan_id, row).await.map_err(|e| {
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation())
            {
                stale(&row.id)
            } else {
                backend(e)
            }
        })?,
        Change::Delete { id, expected } => {
            let done = sqlx::query(
                "DELETE FROM plan_element WHERE municipality_code = $1 AND plan_id = $2 AND id = $3 \
                 AND version = $4 AND NOT EXISTS (SELECT 1 FROM plan_element c \
                 WHERE c.municipality_code = $1 AND c.plan_id = $2 AND c.parent_id = $3)",
            )
            .bind(code)
            .bind(plan_id)
            .bind(id)
            .bind(version_param(*expected))
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 0 {
                return Err(stale(id));
            }
        }
        Change::Position { id, from, position } => {
            let done = sqlx::query(
                "UPDATE plan_element SET position = $4 WHERE municipality_code = $1 AND plan_id = $2 \
                 AND id = $3 AND position = $5",
            )
            .bind(code)
            .bind(plan_id)
            .bind(id)
            .bind(*position)
            .bind(*from)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 0 {
                return Err(stale(id));
            }
        }
        Change::Links {
            from_id,
            kind,
            links,
        } => {
            sqlx::query(
                "DELETE FROM plan_link WHERE municipality_code = $1 AND plan_id = $2 AND from_id = $3 \
                 AND kind = $4",
            )
            .bind(code)
            .bind(plan_id)
            .bind(from_id)
            .bind(kind)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
            for l in links {
                insert_link(tx, code, plan_id, l).await.map_err(backend)?;
            }
        }
    }
    Ok(())
}

/// Whether an error is a violated foreign key (a link whose target would disappear).
fn is_foreign_key(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation() || d.message().contains("FOREIGN KEY"))
}

#[async_trait]
impl PlanStore for Store {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))
    }

    async fn municipalities(&self) -> Result<Vec<Municipality>, StoreError> {
        let rows = sqlx::query("SELECT code, name, prefecture FROM municipality ORDER BY code")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(municipality).collect()
    }

    async fn municipality(
        &self,
        code: &MunicipalityCode,
    ) -> Result<Option<Municipality>, StoreError> {
        let row = sqlx::query("SELECT code, name, prefecture FROM municipality WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(municipality).transpose()
    }

    async fn plan_summaries(
        &self,
        code: &MunicipalityCode,
    ) -> Result<Vec<PlanSummary>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            plan_columns!(),
            " FROM plan WHERE municipality_code = $1 ORDER BY position, kind, id"
        ))
        .bind(code.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let row = plan_row(r).map_err(backend)?;
                summary(&row)
            })
            .collect()
    }

    async fn plan(&self, code: &MunicipalityCode, id: &PlanId) -> Result<Option<Plan>, StoreError> {
        match self.plan_rows(code.as_str(), id.as_str()).await? {
            None => Ok(None),
            Some(rows) => rows::assemble(&rows).map(Some).map_err(StoreError::Corrupt),
        }
    }

    async fn insert_plans(
        &self,
        m: &Municipality,
        plans: &[PlanWrite],
        existing: ExistingPlan,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // The first statement writes, so this transaction holds the write lock from here on:
        // audit entries of concurrent writers cannot interleave.
        sqlx::query(
            "INSERT INTO municipality (code, name, prefecture, data_version) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, prefecture = excluded.prefecture, \
             data_version = municipality.data_version + 1",
        )
        .bind(m.code.as_str())
        .bind(&m.name)
        .bind(&m.prefecture)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let mut last = last_entry(&mut tx, &m.code).await?;
        for write in plans {
            let plan = &write.plan;
            let rows = rows::flatten(plan);
            let mut carried = Vec::new();
            let found = sqlx::query("SELECT 1 FROM plan WHERE municipality_code = $1 AND id = $2")
                .bind(m.code.as_str())
                .bind(&rows.plan.id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .is_some();
            if found {
                if existing == ExistingPlan::Refuse {
                    return Err(StoreError::PlanExists(plan.id().clone()));
                }
                // Versions carry over, one higher: an edit form opened before the
                // replacement is stale afterwards, whatever the new text.
                carried = read_versions(&mut *tx, m.code.as_str(), &rows.plan.id)
                    .await
                    .map_err(backend)?;
                // Links into this plan from other plans are kept: they are checked again
                // against the new elements when the transaction commits.
                sqlx::query("DELETE FROM plan WHERE municipality_code = $1 AND id = $2")
                    .bind(m.code.as_str())
                    .bind(&rows.plan.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            insert_rows(&mut tx, &rows).await.map_err(backend)?;
            for (id, version) in carried {
                let next = version.saturating_add(1);
                if id.is_empty() {
                    sqlx::query(
                        "UPDATE plan SET revision = $3 WHERE municipality_code = $1 AND id = $2",
                    )
                    .bind(m.code.as_str())
                    .bind(&rows.plan.id)
                    .bind(next)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                } else {
                    sqlx::query(
                        "UPDATE plan_element SET version = $4 \
                         WHERE municipality_code = $1 AND plan_id = $2 AND id = $3",
                    )
                    .bind(m.code.as_str())
                    .bind(&rows.plan.id)
                    .bind(id)
                    .bind(next)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
            }
            let entry = AuditEntry::append(
                last.as_ref(),
                NewEntry {
                    municipality: m.code.clone(),
                    at: author.at,
                    actor: author.actor.clone(),
                    action: write.action.clone().unwrap_or_else(|| {
                        if found { "plan.replace" } else { "plan.import" }.to_owned()
                    }),
                    target: plan.id().to_string(),
                    before: write.before.clone(),
                    after: Some(write.after.clone()),
                },
            );
            insert_entry(&mut tx, &entry).await?;
            insert_version(
                &mut tx,
                &entry,
                plan.id().as_str(),
                plan.header().status,
                &write.after,
            )
            .await?;
            last = Some(entry);
        }
        tx.commit().await.map_err(|e| {
            if is_foreign_key(&e) {
                StoreError::Backend(
                    "他の計画からリンクされている要素がなくなるため、保存できません。".to_owned(),
                )
            } else {
                backend(e)
            }
        })
    }

    async fn edit_plan(
        &self,
        code: &MunicipalityCode,
        edit: &PlanEdit,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        lock_municipality(&mut tx, code).await?;
        let plan_id = edit.plan.as_str();
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM plan WHERE municipality_code = $1 AND id = $2")
                .bind(code.as_str())
                .bind(plan_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
        if status.is_none() {
            return Err(StoreError::Stale("plan".to_owned()));
        }
        for change in &edit.changes {
            apply_change(&mut tx, code.as_str(), plan_id, change).await?;
        }
        let entry = append_audit(&mut tx, code, author, &edit.record, &edit.target).await?;
        if let Some(snapshot) = &edit.freeze {
            let status: String = sqlx::query_scalar(
                "SELECT status FROM plan WHERE municipality_code = $1 AND id = $2",
            )
            .bind(code.as_str())
            .bind(plan_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            let status = PlanStatus::from_code(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("状態「{status}」")))?;
            insert_version(&mut tx, &entry, plan_id, status, snapshot).await?;
        }
        tx.commit().await.map_err(|e| {
            if is_foreign_key(&e) {
                StoreError::Referenced(
                    "ほかの要素や計画から参照されている要素がなくなるため、保存できません。"
                        .to_owned(),
                )
            } else {
                backend(e)
            }
        })
    }

    async fn edit_versions(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Option<EditVersions>, StoreError> {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM plan WHERE municipality_code = $1 AND id = $2")
                .bind(code.as_str())
                .bind(plan.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        let Some(status) = status else {
            return Ok(None);
        };
        let mut out = EditVersions {
            status: PlanStatus::from_code(&status),
            ..EditVersions::default()
        };
        for (id, version) in read_versions(&self.pool, code.as_str(), plan.as_str())
            .await
            .map_err(backend)?
        {
            let version = u32::try_from(version).map_err(corrupt)?;
            if id.is_empty() {
                out.revision = version;
            } else {
                out.elements.insert(id, version);
            }
        }
        Ok(Some(out))
    }

    async fn delete_plan(
        &self,
        code: &MunicipalityCode,
        id: &PlanId,
        author: &Author,
        before: Option<String>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let bumped =
            sqlx::query("UPDATE municipality SET data_version = data_version + 1 WHERE code = $1")
                .bind(code.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        if bumped.rows_affected() == 0 {
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
        append_audit(&mut tx, code, author, &change, id.as_str()).await?;
        tx.commit().await.map_err(|e| {
            if is_foreign_key(&e) {
                StoreError::Backend("他の計画からリンクされているため、削除できません。".to_owned())
            } else {
                backend(e)
            }
        })?;
        Ok(true)
    }

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

    async fn create_user(
        &self,
        code: &MunicipalityCode,
        user: &User,
        password_hash: &str,
        author: &Author,
        change: &UserChange,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        lock_municipality(&mut tx, code).await?;
        let exists =
            sqlx::query("SELECT 1 FROM app_user WHERE municipality_code = $1 AND login_id = $2")
                .bind(code.as_str())
                .bind(user.login_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .is_some();
        if exists {
            return Err(StoreError::UserExists(user.login_id.clone()));
        }
        sqlx::query(
            "INSERT INTO app_user (municipality_code, login_id, display_name, department, roles, \
             password_hash, disabled, created_at_millis) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(code.as_str())
        .bind(user.login_id.as_str())
        .bind(&user.display_name)
        .bind(&user.department)
        .bind(role_codes(&user.roles))
        .bind(password_hash)
        .bind(user.disabled)
        .bind(author.at.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        append_audit(&mut tx, code, author, change, user.login_id.as_str()).await?;
        tx.commit().await.map_err(backend)
    }

    async fn update_user(
        &self,
        code: &MunicipalityCode,
        user: &User,
        expected: Option<&User>,
        password_hash: Option<&str>,
        author: &Author,
        change: &UserChange,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        lock_municipality(&mut tx, code).await?;
        if let Some(expected) = expected {
            let row = sqlx::query(
                "SELECT login_id, display_name, department, roles, disabled FROM app_user \
                 WHERE municipality_code = $1 AND login_id = $2",
            )
            .bind(code.as_str())
            .bind(user.login_id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            match row.as_ref().map(user_row).transpose()? {
                None => return Ok(false),
                Some(stored) if stored != *expected => {
                    return Err(StoreError::Stale(user.login_id.to_string()));
                }
                Some(_) => {}
            }
        }
        let done = sqlx::query(
            "UPDATE app_user SET display_name = $3, department = $4, roles = $5, disabled = $6, \
             password_hash = COALESCE($7, password_hash) WHERE municipality_code = $1 AND login_id = $2",
        )
        .bind(code.as_str())
        .bind(user.login_id.as_str())
        .bind(&user.display_name)
        .bind(&user.department)
        .bind(role_codes(&user.roles))
        .bind(user.disabled)
        .bind(password_hash)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if user.disabled || password_hash.is_some() {
            sqlx::query("DELETE FROM app_session WHERE municipality_code = $1 AND login_id = $2")
                .bind(code.as_str())
                .bind(user.login_id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        append_audit(&mut tx, code, author, change, user.login_id.as_str()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn user(
        &self,
        code: &MunicipalityCode,
        login_id: &LoginId,
    ) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT login_id, display_name, department, roles, password_hash, disabled FROM app_user \
             WHERE municipality_code = $1 AND login_id = $2",
        )
        .bind(code.as_str())
        .bind(login_id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                user_row(&r)?,
                r.try_get("password_hash").map_err(backend)?,
            ))),
        }
    }

    async fn users(&self, code: &MunicipalityCode) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(
            "SELECT login_id, display_name, department, roles, disabled FROM app_user \
             WHERE municipality_code = $1 ORDER BY login_id",
        )
        .bind(code.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(user_row).collect()
    }

    async fn create_session(
        &self,
        code: &MunicipalityCode,
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO app_session (token_hash, municipality_code, login_id, csrf_token, \
             created_at_millis, last_seen_millis) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(code.as_str())
        .bind(session.login_id.as_str())
        .bind(&session.csrf_token)
        .bind(session.created_at.as_millis())
        .bind(session.last_seen_at.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn session(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, login_id, csrf_token, created_at_millis, last_seen_millis \
             FROM app_session WHERE municipality_code = $1 AND token_hash = $2",
        )
        .bind(code.as_str())
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(r) = row else { return Ok(None) };
        let login: String = r.try_get("login_id").map_err(backend)?;
        Ok(Some(SessionRecord {
            token_hash: r.try_get("token_hash").map_err(backend)?,
            login_id: LoginId::parse(&login).map_err(corrupt)?,
            csrf_token: r.try_get("csrf_token").map_err(backend)?,
            created_at: Timestamp::from_millis(r.try_get("created_at_millis").map_err(backend)?)
                .map_err(corrupt)?,
            last_seen_at: Timestamp::from_millis(r.try_get("last_seen_millis").map_err(backend)?)
                .map_err(corrupt)?,
        }))
    }

    async fn touch_session(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE app_session SET last_seen_millis = $3 WHERE municipality_code = $1 AND token_hash = $2",
        )
        .bind(code.as_str())
        .bind(token_hash)
        .bind(at.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn delete_session(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM app_session WHERE municipality_code = $1 AND token_hash = $2")
            .bind(code.as_str())
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_expired_sessions(
        &self,
        code: &MunicipalityCode,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM app_session WHERE municipality_code = $1 \
             AND (last_seen_millis < $2 OR created_at_millis < $3)",
        )
        .bind(code.as_str())
        .bind(idle_before.as_millis())
        .bind(created_before.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn data_version(&self, code: &MunicipalityCode) -> Result<i64, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT data_version FROM municipality WHERE code = $1")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        Ok(v.unwrap_or(0))
    }

    async fn create_token(
        &self,
        code: &MunicipalityCode,
        token: &keikaku_storage::TokenRecord,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        lock_municipality(&mut tx, code).await?;
        sqlx::query(concat!(
            "INSERT INTO api_token (municipality_code, ",
            token_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(code.as_str())
        .bind(&token.id)
        .bind(token.login_id.as_str())
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(token.created_at.as_millis())
        .bind(token.last_used_at.map(Timestamp::as_millis))
        .bind(token.expires_at.map(Timestamp::as_millis))
        .bind(token.revoked_at.map(Timestamp::as_millis))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let change = UserChange {
            action: "token.create".to_owned(),
            before: None,
            after: Some(token_audit_text(token)),
        };
        append_audit(&mut tx, code, author, &change, &token.id).await?;
        tx.commit().await.map_err(backend)
    }

    async fn tokens(
        &self,
        code: &MunicipalityCode,
        login_id: &LoginId,
    ) -> Result<Vec<keikaku_storage::TokenRecord>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_token WHERE municipality_code = $1 AND login_id = $2 \
             ORDER BY created_at_millis DESC, id DESC"
        ))
        .bind(code.as_str())
        .bind(login_id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(token_row).collect()
    }

    async fn token_by_hash(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<Option<keikaku_storage::TokenRecord>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_token WHERE municipality_code = $1 AND token_hash = $2"
        ))
        .bind(code.as_str())
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn touch_token(
        &self,
        code: &MunicipalityCode,
        id: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE api_token SET last_used_at_millis = $3 WHERE municipality_code = $1 AND id = $2",
        )
        .bind(code.as_str())
        .bind(id)
        .bind(at.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn revoke_token(
        &self,
        code: &MunicipalityCode,
        id: &str,
        owner: Option<&LoginId>,
        author: &Author,
    ) -> Result<Option<keikaku_storage::TokenRecord>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        lock_municipality(&mut tx, code).await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_token WHERE municipality_code = $1 AND id = $2 AND revoked_at_millis IS NULL"
        ))
        .bind(code.as_str())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(mut token) = row.as_ref().map(token_row).transpose()? else {
            return Ok(None);
        };
        if owner.is_some_and(|o| *o != token.login_id) {
            return Ok(None);
        }
        sqlx::query(
            "UPDATE api_token SET revoked_at_millis = $3 WHERE municipality_code = $1 AND id = $2",
        )
        .bind(code.as_str())
        .bind(id)
        .bind(author.at.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let before = token_audit_text(&token);
        token.revoked_at = Some(author.at);
        let change = UserChange {
            action: "token.revoke".to_owned(),
            before: Some(before),
            after: Some(token_audit_text(&token)),
        };
        append_audit(&mut tx, code, author, &change, &token.id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(Some(token))
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn audit_row(r: &DbRow) -> Result<AuditEntry, StoreError> {
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

fn role_codes(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

fn user_row(r: &DbRow) -> Result<User, StoreError> {
    let login: String = r.try_get("login_id").map_err(backend)?;
    let roles: String = r.try_get("roles").map_err(backend)?;
    Ok(User {
        login_id: LoginId::parse(&login).map_err(corrupt)?,
        display_name: r.try_get("display_name").map_err(backend)?,
        department: r.try_get("department").map_err(backend)?,
        roles: roles
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| Role::from_code(c).ok_or_else(|| corrupt(format!("役割「{c}」"))))
            .collect::<Result<_, _>>()?,
        disabled: r.try_get("disabled").map_err(backend)?,
    })
}

/// Takes the municipality's write lock for this transaction (its first statement writes),
/// and refuses an unknown municipality.
async fn lock_municipality(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
) -> Result<(), StoreError> {
    let done =
        sqlx::query("UPDATE municipality SET data_version = data_version + 1 WHERE code = $1")
            .bind(code.as_str())
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownMunicipality(code.clone()));
    }
    Ok(())
}

/// Appends one audit entry after the latest one. Call it inside a transaction that already
/// holds the municipality's write lock (its first statement wrote the municipality row), so
/// that no other writer appends in between.
async fn append_audit(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    author: &Author,
    change: &UserChange,
    target: &str,
) -> Result<AuditEntry, StoreError> {
    let last = last_entry(tx, code).await?;
    let entry = AuditEntry::append(
        last.as_ref(),
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
async fn last_entry(
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

async fn insert_version(
    tx: &mut Transaction<'_, Db>,
    entry: &AuditEntry,
    plan_id: &str,
    status: PlanStatus,
    snapshot: &str,
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
        ", snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(entry.municipality.as_str())
    .bind(plan_id)
    .bind(next)
    .bind(status.code())
    .bind(entry.at.as_millis())
    .bind(&entry.actor)
    .bind(i64::try_from(entry.sequence).map_err(corrupt)?)
    .bind(snapshot)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

fn municipality(r: &DbRow) -> Result<Municipality, StoreError> {
    let code: String = r.try_get("code").map_err(backend)?;
    Ok(Municipality {
        code: MunicipalityCode::parse(&code).map_err(|e| StoreError::Corrupt(e.0))?,
        name: r.try_get("name").map_err(backend)?,
        prefecture: r.try_get("prefecture").map_err(backend)?,
    })
}

fn summary(row: &PlanRow) -> Result<PlanSummary, StoreError> {
    // A header alone assembles like a plan without elements.
    let plan = rows::assemble(&PlanRows {
        plan: row.clone(),
        ..PlanRows::default()
    })
    .map_err(StoreError::Corrupt)?;
    Ok(PlanSummary {
        kind: PlanKind::from_code(&row.kind).unwrap_or(plan.kind()),
        header: plan.header().clone(),
    })
}

fn token_row(r: &DbRow) -> Result<keikaku_storage::TokenRecord, StoreError> {
    let login: String = r.try_get("login_id").map_err(backend)?;
    let at = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        r.try_get::<Option<i64>, _>(column)
            .map_err(backend)?
            .map(Timestamp::from_millis)
            .transpose()
            .map_err(corrupt)
    };
    Ok(keikaku_storage::TokenRecord {
        id: r.try_get("id").map_err(backend)?,
        login_id: LoginId::parse(&login).map_err(corrupt)?,
        name: r.try_get("name").map_err(backend)?,
        token_hash: r.try_get("token_hash").map_err(backend)?,
        created_at: Timestamp::from_millis(r.try_get("created_at_millis").map_err(backend)?)
            .map_err(corrupt)?,
        last_used_at: at("last_used_at_millis")?,
        expires_at: at("expires_at_millis")?,
        revoked_at: at("revoked_at_millis")?,
    })
}

/// What the audit log keeps of a token: id, name, owner, expiry and revocation — never the
/// secret or its hash.
fn token_audit_text(t: &keikaku_storage::TokenRecord) -> String {
    let iso = |at: Option<Timestamp>| at.map_or_else(|| "-".to_owned(), Timestamp::to_iso);
    format!(
        "id: {}\nname: {}\nlogin_id: {}\nexpires_at: {}\nrevoked_at: {}",
        t.id,
        t.name,
        t.login_id,
        iso(t.expires_at),
        iso(t.revoked_at)
    )
}
