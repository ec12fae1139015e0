//! The department list: the port's [`DepartmentStore`] for this backend — read whole, replaced
//! whole in one transaction against the revision the editor read, audited through `tx`.

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::department::{Department, list_text};
use keikaku_storage::{Author, DepartmentStore, StoreError, UserChange};
use sqlx::Row;

use super::{backend, corrupt, tx};
use crate::{Db, Store};

async fn read<'e, E>(executor: E, code: &MunicipalityCode) -> Result<Vec<Department>, StoreError>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT name, phone, email, website FROM department \
         WHERE municipality_code = $1 ORDER BY position, name",
    )
    .bind(code.as_str())
    .fetch_all(executor)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            Ok(Department {
                name: r.try_get("name").map_err(corrupt)?,
                phone: r.try_get("phone").map_err(corrupt)?,
                email: r.try_get("email").map_err(corrupt)?,
                website: r.try_get("website").map_err(corrupt)?,
            })
        })
        .collect()
}

async fn revision<'e, E>(executor: E, code: &MunicipalityCode) -> Result<i64, StoreError>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let row = sqlx::query("SELECT revision FROM department_list WHERE municipality_code = $1")
        .bind(code.as_str())
        .fetch_optional(executor)
        .await
        .map_err(backend)?;
    row.map_or(Ok(0), |r| r.try_get::<i64, _>("revision").map_err(corrupt))
}

#[async_trait]
impl DepartmentStore for Store {
    async fn departments(
        &self,
        code: &MunicipalityCode,
    ) -> Result<(Vec<Department>, i64), StoreError> {
        // One transaction, so that the list and its revision belong together.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let list = read(&mut *tx, code).await?;
        let revision = revision(&mut *tx, code).await?;
        tx::commit(tx).await?;
        Ok((list, revision))
    }

    async fn save_departments(
        &self,
        code: &MunicipalityCode,
        list: &[Department],
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = revision(&mut *tx, code).await?;
        if stored != expected {
            return Err(StoreError::Stale("departments".to_owned()));
        }
        let before = read(&mut *tx, code).await?;
        sqlx::query("DELETE FROM department WHERE municipality_code = $1")
            .bind(code.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for (position, d) in list.iter().enumerate() {
            sqlx::query(
                "INSERT INTO department (municipality_code, name, position, phone, email, website) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(code.as_str())
            .bind(&d.name)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(&d.phone)
            .bind(&d.email)
            .bind(&d.website)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        let next = stored + 1;
        sqlx::query(
            "INSERT INTO department_list (municipality_code, revision) VALUES ($1, $2) \
             ON CONFLICT (municipality_code) DO UPDATE SET revision = excluded.revision",
        )
        .bind(code.as_str())
        .bind(next)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let change = UserChange {
            action: "departments".to_owned(),
            before: Some(list_text(&before)),
            after: Some(list_text(list)),
        };
        tx::append_audit(&mut tx, code, author, &change, "departments").await?;
        tx::commit(tx).await?;
        Ok(next)
    }
}
