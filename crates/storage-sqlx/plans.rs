//! Plans: the port's [`PlanStore`] for this backend — reading municipalities and plans, the
//! data version, the versions an edit starts from, and the mapping of plan rows. Writing
//! whole plans is in `import`, editing them in `edit`.

use async_trait::async_trait;
use keikaku_domain::{Municipality, MunicipalityCode, Plan, PlanId, PlanKind, PlanStatus};
use keikaku_storage::rows::{self, ElementRow, LinkRow, PlanRow, PlanRows};
use keikaku_storage::{
    Author, EditVersions, ExistingPlan, PlanBatch, PlanEdit, PlanStore, PlanSummary, StoreError,
};
use sqlx::Row;

use super::{backend, corrupt, edit, import};
use crate::{Db, DbRow, Store};

#[async_trait]
impl PlanStore for Store {
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
        batches: &[PlanBatch],
        existing: ExistingPlan,
        author: &Author,
    ) -> Result<(), StoreError> {
        import::insert_plans(&self.pool, batches, existing, author).await
    }

    async fn edit_plan(
        &self,
        code: &MunicipalityCode,
        edit: &PlanEdit,
        author: &Author,
    ) -> Result<(), StoreError> {
        edit::edit_plan(&self.pool, code, edit, author).await
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
        import::delete_plan(&self.pool, code, id, author, before).await
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

/// A plan's revision and its elements' versions, read inside a transaction or from the pool.
/// The plan's revision comes with the empty id.
pub(crate) async fn read_versions<'e, E>(
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
        code: r.try_get("code")?,
        decimals: r.try_get("decimals")?,
        interim_targets: r.try_get("interim_targets")?,
        tolerance: r.try_get("tolerance")?,
        cumulative_entry: r.try_get("cumulative_entry")?,
        acquisition: r.try_get("acquisition")?,
        lag_years: r.try_get("lag_years")?,
        definition_changes: r.try_get("definition_changes")?,
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
