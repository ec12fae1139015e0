//! PostgreSQL adapter of the keikaku storage port: for shared deployments where several municipalities use one database.
//!
//! Link targets are checked by deferred foreign keys when a transaction commits;
//! the schema comes from the migrations embedded in this crate. Row shapes and their
//! conversion to the domain are shared with the SQLite adapter through
//! [`keikaku_storage::rows`]; only the SQL is this crate's own.
//!
//! ```no_run
//! # async fn run() -> Result<(), keikaku_storage::StoreError> {
//! use keikaku_storage::PlanStore;
//! let store = keikaku_storage_postgres::PostgresStore::connect("postgres://localhost/keikaku").await?;
//! store.migrate().await?;
//! # Ok(()) }
//! ```

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId, PlanKind};
use keikaku_storage::rows::{self, ElementRow, LinkRow, PlanRow, PlanRows};
use keikaku_storage::{ExistingPlan, PlanStore, PlanSummary, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Row, Transaction};

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

/// The PostgreSQL store.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl PostgresStore {
    /// Connects to a `postgres://` URL. The database must exist; [`PlanStore::migrate`] creates
    /// the tables.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(Self { pool })
    }

    /// The connection pool, for tests that manage databases.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

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

fn plan_row(r: &PgRow) -> Result<PlanRow, sqlx::Error> {
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

fn element_row(r: &PgRow) -> Result<ElementRow, sqlx::Error> {
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

fn link_row(r: &PgRow) -> Result<LinkRow, sqlx::Error> {
    Ok(LinkRow {
        from_id: r.try_get("from_id")?,
        kind: r.try_get("kind")?,
        to_plan_id: r.try_get("to_plan_id")?,
        to_id: r.try_get("to_id")?,
        position: r.try_get("position")?,
    })
}

async fn insert_rows(
    tx: &mut Transaction<'_, sqlx::Postgres>,
    rows: &PlanRows,
) -> Result<(), sqlx::Error> {
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
    let insert_element = concat!(
        "INSERT INTO plan_element (municipality_code, plan_id, ",
        element_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
    );
    for e in &rows.elements {
        sqlx::query(insert_element)
            .bind(&p.municipality_code)
            .bind(&p.id)
            .bind(&e.id)
            .bind(&e.kind)
            .bind(&e.parent_id)
            .bind(e.position)
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
            .execute(&mut **tx)
            .await?;
    }
    for l in &rows.links {
        sqlx::query(
            "INSERT INTO plan_link (municipality_code, plan_id, from_id, kind, to_plan_id, to_id, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&p.municipality_code)
        .bind(&p.id)
        .bind(&l.from_id)
        .bind(&l.kind)
        .bind(&l.to_plan_id)
        .bind(&l.to_id)
        .bind(l.position)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Whether an error is a violated foreign key (a link whose target would disappear).
fn is_foreign_key(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation() || d.message().contains("FOREIGN KEY"))
}

#[async_trait]
impl PlanStore for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
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
        plans: &[Plan],
        existing: ExistingPlan,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
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
        for plan in plans {
            let rows = rows::flatten(plan);
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

    async fn delete_plan(&self, code: &MunicipalityCode, id: &PlanId) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let done = sqlx::query("DELETE FROM plan WHERE municipality_code = $1 AND id = $2")
            .bind(code.as_str())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("UPDATE municipality SET data_version = data_version + 1 WHERE code = $1")
            .bind(code.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(|e| {
            if is_foreign_key(&e) {
                StoreError::Backend("他の計画からリンクされているため、削除できません。".to_owned())
            } else {
                backend(e)
            }
        })?;
        Ok(done.rows_affected() > 0)
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
}

fn municipality(r: &PgRow) -> Result<Municipality, StoreError> {
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
