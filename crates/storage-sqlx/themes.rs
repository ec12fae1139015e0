//! The theme list and its tags: the port's [`ThemeStore`] for this backend — the list read
//! whole and replaced whole against its revision, an element's tags replaced against the tags
//! its editor saw, each in one transaction, audited through `tx`.

use async_trait::async_trait;
use keikaku_domain::theme::{Theme, list_text};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use keikaku_storage::{Author, StoreError, ThemeList, ThemeStore, ThemeTag, UserChange};
use sqlx::Row;

use super::{backend, corrupt, tx};
use crate::{Db, Store};

async fn read<'e, E>(executor: E, code: &MunicipalityCode) -> Result<Vec<Theme>, StoreError>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT code, name, description, words FROM theme \
         WHERE municipality_code = $1 ORDER BY position, code",
    )
    .bind(code.as_str())
    .fetch_all(executor)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            let words: String = r.try_get("words").map_err(corrupt)?;
            Ok(Theme {
                code: r.try_get("code").map_err(corrupt)?,
                name: r.try_get("name").map_err(corrupt)?,
                description: r.try_get("description").map_err(corrupt)?,
                words: words
                    .lines()
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}

async fn tags<'e, E>(
    executor: E,
    code: &MunicipalityCode,
    element: Option<(&PlanId, &ElementId)>,
) -> Result<Vec<ThemeTag>, StoreError>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let (plan, id) = element.map_or((None, None), |(p, e)| (Some(p.as_str()), Some(e.as_str())));
    let rows = sqlx::query(
        "SELECT plan_id, element_id, theme_code FROM theme_tag \
         WHERE municipality_code = $1 \
         AND ($2 IS NULL OR plan_id = $2) AND ($3 IS NULL OR element_id = $3) \
         ORDER BY plan_id, element_id, theme_code",
    )
    .bind(code.as_str())
    .bind(plan)
    .bind(id)
    .fetch_all(executor)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            let plan: String = r.try_get("plan_id").map_err(corrupt)?;
            let element: String = r.try_get("element_id").map_err(corrupt)?;
            Ok(ThemeTag {
                plan: PlanId::parse(&plan).map_err(corrupt)?,
                element: ElementId::parse(&element).map_err(corrupt)?,
                theme: r.try_get("theme_code").map_err(corrupt)?,
            })
        })
        .collect()
}

async fn revision<'e, E>(executor: E, code: &MunicipalityCode) -> Result<i64, StoreError>
where
    E: sqlx::Executor<'e, Database = Db>,
{
    let row = sqlx::query("SELECT revision FROM theme_list WHERE municipality_code = $1")
        .bind(code.as_str())
        .fetch_optional(executor)
        .await
        .map_err(backend)?;
    row.map_or(Ok(0), |r| r.try_get::<i64, _>("revision").map_err(corrupt))
}

fn sorted(codes: &[String]) -> Vec<String> {
    let mut codes = codes.to_vec();
    codes.sort();
    codes.dedup();
    codes
}

#[async_trait]
impl ThemeStore for Store {
    async fn themes(&self, code: &MunicipalityCode) -> Result<ThemeList, StoreError> {
        // One transaction, so that the list, its tags and its revision belong together.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let themes = read(&mut *tx, code).await?;
        let tags = tags(&mut *tx, code, None).await?;
        let revision = revision(&mut *tx, code).await?;
        tx::commit(tx).await?;
        Ok(ThemeList {
            themes,
            tags,
            revision,
        })
    }

    async fn save_themes(
        &self,
        code: &MunicipalityCode,
        list: &[Theme],
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = revision(&mut *tx, code).await?;
        if stored != expected {
            return Err(StoreError::Stale("themes".to_owned()));
        }
        let before = read(&mut *tx, code).await?;
        sqlx::query("DELETE FROM theme WHERE municipality_code = $1")
            .bind(code.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for (position, t) in list.iter().enumerate() {
            sqlx::query(
                "INSERT INTO theme (municipality_code, code, position, name, description, words) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(code.as_str())
            .bind(&t.code)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(&t.name)
            .bind(&t.description)
            .bind(t.words.join("\n"))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        // The tags of a theme that left the list go with it.
        sqlx::query(
            "DELETE FROM theme_tag WHERE municipality_code = $1 AND NOT EXISTS \
             (SELECT 1 FROM theme WHERE theme.municipality_code = theme_tag.municipality_code \
              AND theme.code = theme_tag.theme_code)",
        )
        .bind(code.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let next = stored + 1;
        sqlx::query(
            "INSERT INTO theme_list (municipality_code, revision) VALUES ($1, $2) \
             ON CONFLICT (municipality_code) DO UPDATE SET revision = excluded.revision",
        )
        .bind(code.as_str())
        .bind(next)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let change = UserChange {
            action: "themes".to_owned(),
            before: Some(list_text(&before)),
            after: Some(list_text(list)),
        };
        tx::append_audit(&mut tx, code, author, &change, "themes").await?;
        tx::commit(tx).await?;
        Ok(next)
    }

    async fn save_element_themes(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        element: &ElementId,
        seen: &[String],
        themes: &[String],
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let exists = sqlx::query(
            "SELECT 1 FROM plan_element WHERE municipality_code = $1 AND plan_id = $2 AND id = $3",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(element.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        if exists.is_none() {
            return Err(StoreError::Stale(element.as_str().to_owned()));
        }
        let before: Vec<String> = tags(&mut *tx, code, Some((plan, element)))
            .await?
            .into_iter()
            .map(|t| t.theme)
            .collect();
        if before != sorted(seen) {
            return Err(StoreError::Stale("themes".to_owned()));
        }
        let listed: Vec<String> = read(&mut *tx, code)
            .await?
            .into_iter()
            .map(|t| t.code)
            .collect();
        let after = sorted(themes);
        if let Some(unknown) = after.iter().find(|c| !listed.contains(c)) {
            return Err(StoreError::Referenced(format!(
                "テーマ「{unknown}」は一覧にありません。"
            )));
        }
        sqlx::query(
            "DELETE FROM theme_tag WHERE municipality_code = $1 AND plan_id = $2 AND element_id = $3",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(element.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        for theme in &after {
            sqlx::query(
                "INSERT INTO theme_tag (municipality_code, plan_id, element_id, theme_code) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(code.as_str())
            .bind(plan.as_str())
            .bind(element.as_str())
            .bind(theme)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        let change = UserChange {
            action: "element.themes".to_owned(),
            before: Some(before.join("\n")),
            after: Some(after.join("\n")),
        };
        let target = format!("{}/{}", plan.as_str(), element.as_str());
        tx::append_audit(&mut tx, code, author, &change, &target).await?;
        tx::commit(tx).await?;
        Ok(())
    }
}
