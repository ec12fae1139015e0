//! The 人口ビジョン's writes. Each is one transaction: the municipality's lock, the record's
//! revision checked against the writer's, its rows replaced, one audit entry (`population.*`).

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::population::{
    Basis, BySex, Census, Derivation, PopulationVision, Scenario, ScenarioId, ScenarioResult, Sex,
};
use keikaku_storage::{
    Author, PopulationData, PopulationStore, StoreError, UserChange, scenario_text, vision_text,
};
use sqlx::{QueryBuilder, Transaction};

use super::population_rows::{census_row, float_text, read_population, read_population_vision};
use super::rounds::optional;
use super::{backend, tx};
use crate::{Db, Store};

const UPSERT_VISION: &str = "INSERT INTO population_vision (municipality_code, published, \
     target_note, updated_by, updated_at_millis, revision) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (municipality_code) DO UPDATE SET published = excluded.published, \
     target_note = excluded.target_note, updated_by = excluded.updated_by, \
     updated_at_millis = excluded.updated_at_millis, revision = excluded.revision";
const CENSUS: &str = "SELECT year, source, unknown_male, unknown_female, sample, updated_by, \
     updated_at_millis, revision FROM population_census \
     WHERE municipality_code = $1 AND year = $2";
const UPSERT_CENSUS: &str = "INSERT INTO population_census (municipality_code, year, source, \
     unknown_male, unknown_female, sample, updated_by, updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (municipality_code, year) \
     DO UPDATE SET source = excluded.source, unknown_male = excluded.unknown_male, \
     unknown_female = excluded.unknown_female, sample = excluded.sample, \
     updated_by = excluded.updated_by, updated_at_millis = excluded.updated_at_millis, \
     revision = excluded.revision";
const SCENARIO_REVISION: &str = "SELECT revision FROM population_scenario \
     WHERE municipality_code = $1 AND scenario_id = $2";
const NEXT_POSITION: &str = "SELECT CAST(COALESCE(MAX(position), -1) + 1 AS BIGINT) AS position \
     FROM population_scenario WHERE municipality_code = $1";
const UPSERT_SCENARIO: &str = "INSERT INTO population_scenario (municipality_code, \
     scenario_id, position, name, description, base_year, horizon, derived_from, rule, factor, \
     base_tfr, sex_ratio, published, sample, updated_by, updated_at_millis, revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
     ON CONFLICT (municipality_code, scenario_id) DO UPDATE SET name = excluded.name, \
     description = excluded.description, base_year = excluded.base_year, \
     horizon = excluded.horizon, derived_from = excluded.derived_from, rule = excluded.rule, \
     factor = excluded.factor, base_tfr = excluded.base_tfr, sex_ratio = excluded.sex_ratio, \
     published = excluded.published, sample = excluded.sample, \
     updated_by = excluded.updated_by, updated_at_millis = excluded.updated_at_millis, \
     revision = excluded.revision";
const TOUCH_SCENARIO: &str = "UPDATE population_scenario SET updated_by = $3, \
     updated_at_millis = $4, revision = $5 WHERE municipality_code = $1 AND scenario_id = $2";
const USES_CENSUS: &str = "SELECT scenario_id FROM population_scenario \
     WHERE municipality_code = $1 AND base_year = $2 ORDER BY position";
const DERIVED_FROM: &str = "SELECT scenario_id FROM population_scenario \
     WHERE municipality_code = $1 AND derived_from = $2 ORDER BY position";

/// The vision's rows, below its own.
const VISION_TABLES: [&str; 5] = [
    "population_target",
    "population_actual",
    "population_reference_point",
    "population_reference",
    "population_link",
];
/// A scenario's rows, below its own.
const SCENARIO_TABLES: [&str; 5] = [
    "population_rate",
    "population_cwr",
    "population_tfr_point",
    "population_result_cell",
    "population_result",
];

/// At most this many rows in one multi-row INSERT (SQLite binds at most 32,766 values).
const CHUNK: usize = 2_000;

async fn audit(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    author: &Author,
    action: &str,
    target: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), StoreError> {
    let change = UserChange {
        action: action.to_owned(),
        before,
        after,
    };
    tx::append_audit(tx, code, author, &change, target).await?;
    Ok(())
}

fn stale(what: &str) -> StoreError {
    StoreError::Stale(what.to_owned())
}

/// Checks the revision read against the writer's.
fn check(current: Option<i64>, expected: Option<i64>, what: &str) -> Result<i64, StoreError> {
    if current == expected {
        Ok(expected.unwrap_or(0) + 1)
    } else {
        Err(stale(what))
    }
}

async fn delete_rows(
    tx: &mut Transaction<'_, Db>,
    table: &str,
    condition: &str,
    code: &MunicipalityCode,
    key: Option<&str>,
) -> Result<(), StoreError> {
    let mut q = QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE municipality_code = "));
    q.push_bind(code.as_str());
    if let Some(k) = key {
        q.push(format!(" AND {condition} = "));
        q.push_bind(k);
    }
    q.build().execute(&mut **tx).await.map_err(backend)?;
    Ok(())
}

/// One (sex, group, value) row per cell of `values`, with the row's leading columns.
async fn insert_cells<T: Copy>(
    tx: &mut Transaction<'_, Db>,
    head: &str,
    rows: &[(Vec<Bound>, BySex<T>)],
    value: impl Fn(T) -> Bound,
) -> Result<(), StoreError> {
    let mut all = Vec::new();
    for (lead, cells) in rows {
        for (sex, group, v) in cells.cells() {
            let mut row = lead.clone();
            row.push(Bound::Text(sex.key().to_owned()));
            row.push(Bound::Int(i64::try_from(group).unwrap_or(0)));
            row.push(value(v));
            all.push(row);
        }
    }
    insert_rows(tx, head, &all).await
}

/// A value bound into a multi-row INSERT.
#[derive(Clone)]
enum Bound {
    Int(i64),
    Text(String),
}

async fn insert_rows(
    tx: &mut Transaction<'_, Db>,
    head: &str,
    rows: &[Vec<Bound>],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new(head);
        q.push_values(chunk, |mut b, row| {
            for v in row {
                match v {
                    Bound::Int(i) => b.push_bind(*i),
                    Bound::Text(t) => b.push_bind(t.clone()),
                };
            }
        });
        q.build().execute(&mut **tx).await.map_err(backend)?;
    }
    Ok(())
}

fn code_bound(code: &MunicipalityCode) -> Bound {
    Bound::Text(code.as_str().to_owned())
}

fn count(n: u64) -> Bound {
    Bound::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

async fn write_vision_rows(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    v: &PopulationVision,
) -> Result<(), StoreError> {
    for table in VISION_TABLES {
        delete_rows(tx, table, "", code, None).await?;
    }
    let c = || code_bound(code);
    let targets: Vec<Vec<Bound>> = v
        .target
        .iter()
        .map(|t| vec![c(), Bound::Int(t.year.into()), count(t.total)])
        .collect();
    if !targets.is_empty() {
        insert_rows(
            tx,
            "INSERT INTO population_target (municipality_code, year, total) ",
            &targets,
        )
        .await?;
    }
    let actuals: Vec<Vec<Bound>> = v
        .actuals
        .iter()
        .map(|a| {
            vec![
                c(),
                Bound::Int(a.year.into()),
                count(a.total),
                Bound::Text(a.source.code().to_owned()),
                Bound::Text(a.note.clone()),
            ]
        })
        .collect();
    if !actuals.is_empty() {
        insert_rows(
            tx,
            "INSERT INTO population_actual (municipality_code, year, total, source, note) ",
            &actuals,
        )
        .await?;
    }
    let positions = 0_i64..;
    let references: Vec<Vec<Bound>> = v
        .references
        .iter()
        .zip(positions.clone())
        .map(|(r, i)| vec![c(), Bound::Int(i), Bound::Text(r.name.clone())])
        .collect();
    if !references.is_empty() {
        insert_rows(
            tx,
            "INSERT INTO population_reference (municipality_code, position, name) ",
            &references,
        )
        .await?;
    }
    let points: Vec<Vec<Bound>> = v
        .references
        .iter()
        .zip(positions.clone())
        .flat_map(|(r, i)| {
            r.points
                .iter()
                .map(move |(y, t)| vec![c(), Bound::Int(i), Bound::Int((*y).into()), count(*t)])
        })
        .collect();
    if !points.is_empty() {
        insert_rows(
            tx,
            "INSERT INTO population_reference_point (municipality_code, position, year, total) ",
            &points,
        )
        .await?;
    }
    let links: Vec<Vec<Bound>> = v
        .links
        .iter()
        .zip(positions)
        .map(|(l, i)| {
            vec![
                c(),
                Bound::Int(i),
                Bound::Text(l.plan.as_str().to_owned()),
                Bound::Text(l.element.as_str().to_owned()),
            ]
        })
        .collect();
    if !links.is_empty() {
        insert_rows(
            tx,
            "INSERT INTO population_link (municipality_code, position, plan_id, element_id) ",
            &links,
        )
        .await?;
    }
    Ok(())
}

async fn write_scenario_rows(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    s: &Scenario,
) -> Result<(), StoreError> {
    for table in ["population_rate", "population_cwr", "population_tfr_point"] {
        delete_rows(tx, table, "scenario_id", code, Some(s.id.as_str())).await?;
    }
    let lead = |extra: Vec<Bound>| {
        let mut v = vec![code_bound(code), Bound::Text(s.id.as_str().to_owned())];
        v.extend(extra);
        v
    };
    match &s.basis {
        Basis::Assumed(a) => {
            let mut rows = Vec::new();
            for (kind, list) in [("survival", &a.survival), ("migration", &a.migration)] {
                for (k, cells) in list.iter().enumerate() {
                    let step = Bound::Int(i64::try_from(k).unwrap_or(0));
                    rows.push((lead(vec![Bound::Text(kind.to_owned()), step]), *cells));
                }
            }
            insert_cells(
                tx,
                "INSERT INTO population_rate (municipality_code, scenario_id, kind, step, sex, \
                 age_group, rate) ",
                &rows,
                |v| Bound::Text(float_text(v)),
            )
            .await?;
            let cwr: Vec<Vec<Bound>> = a
                .child_woman_ratio
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    lead(vec![
                        Bound::Int(i64::try_from(k).unwrap_or(0)),
                        Bound::Text(float_text(*v)),
                    ])
                })
                .collect();
            if !cwr.is_empty() {
                insert_rows(
                    tx,
                    "INSERT INTO population_cwr (municipality_code, scenario_id, step, ratio) ",
                    &cwr,
                )
                .await?;
            }
        }
        Basis::Derived {
            rule: Derivation::Fertility { points, .. },
            ..
        } if !points.is_empty() => {
            let rows: Vec<Vec<Bound>> = points
                .iter()
                .map(|(y, v)| lead(vec![Bound::Int((*y).into()), Bound::Text(float_text(*v))]))
                .collect();
            insert_rows(
                tx,
                "INSERT INTO population_tfr_point (municipality_code, scenario_id, year, tfr) ",
                &rows,
            )
            .await?;
        }
        Basis::Derived { .. } => {}
    }
    Ok(())
}

/// The columns of a scenario's own row that say where its assumptions come from:
/// (derived_from, rule, factor, base_tfr, sex_ratio).
type BasisColumns = (
    Option<String>,
    Option<&'static str>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn basis_columns(basis: &Basis) -> BasisColumns {
    match basis {
        Basis::Assumed(a) => (None, None, None, None, Some(float_text(a.sex_ratio))),
        Basis::Derived { from, rule } => {
            let from = Some(from.as_str().to_owned());
            match rule {
                Derivation::ZeroMigration => (from, Some("zero_migration"), None, None, None),
                Derivation::ScaledMigration { factor } => (
                    from,
                    Some("scaled_migration"),
                    Some(float_text(*factor)),
                    None,
                    None,
                ),
                Derivation::Fertility { base_tfr, .. } => (
                    from,
                    Some("fertility"),
                    None,
                    Some(float_text(*base_tfr)),
                    None,
                ),
            }
        }
    }
}

fn ids(rows: &[crate::DbRow]) -> Vec<String> {
    use sqlx::Row;
    rows.iter()
        .filter_map(|r| r.try_get::<String, _>("scenario_id").ok())
        .collect()
}

#[async_trait]
impl PopulationStore for Store {
    async fn population(&self, code: &MunicipalityCode) -> Result<PopulationData, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let data = read_population(&mut tx, code).await?;
        tx.commit().await.map_err(backend)?;
        Ok(data)
    }

    async fn save_vision(
        &self,
        code: &MunicipalityCode,
        vision: &PopulationVision,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let current = read_population_vision(&mut tx, code).await?;
        let revision = check(current.as_ref().map(|c| c.revision), expected, "vision")?;
        sqlx::query(UPSERT_VISION)
            .bind(code.as_str())
            .bind(vision.published)
            .bind(&vision.target_note)
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        write_vision_rows(&mut tx, code, vision).await?;
        audit(
            &mut tx,
            code,
            author,
            "population.vision",
            "population",
            current.map(|c| vision_text(&c.vision)),
            Some(vision_text(vision)),
        )
        .await?;
        tx::commit(tx).await?;
        Ok(revision)
    }

    async fn save_census(
        &self,
        code: &MunicipalityCode,
        census: &Census,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = read_population(&mut tx, code).await?;
        let current = stored.census(census.year);
        let revision = check(current.map(|c| c.revision), expected, "census")?;
        sqlx::query(UPSERT_CENSUS)
            .bind(code.as_str())
            .bind(census.year)
            .bind(&census.source)
            .bind(i64::try_from(census.unknown[0]).unwrap_or(i64::MAX))
            .bind(i64::try_from(census.unknown[1]).unwrap_or(i64::MAX))
            .bind(census.sample)
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let year = census.year.to_string();
        sqlx::query(
            "DELETE FROM population_census_count WHERE municipality_code = $1 AND year = $2",
        )
        .bind(code.as_str())
        .bind(census.year)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        insert_cells(
            &mut tx,
            "INSERT INTO population_census_count (municipality_code, year, sex, age_group, \
             people) ",
            &[(
                vec![code_bound(code), Bound::Int(census.year.into())],
                census.counts,
            )],
            count,
        )
        .await?;
        let text = |c: &Census| {
            let mut lines = vec![format!(
                "{}年 {}（総数 {}人、年齢不詳 男 {}人・女 {}人）",
                c.year,
                c.source,
                c.total(),
                c.unknown[0],
                c.unknown[1]
            )];
            for sex in Sex::ALL {
                let cells: Vec<String> = c.counts.of(sex).iter().map(u64::to_string).collect();
                lines.push(format!("{}: {}", sex.label(), cells.join(" ")));
            }
            lines.join("\n")
        };
        let before = current.map(|c| text(&c.census));
        audit(
            &mut tx,
            code,
            author,
            "population.census",
            &format!("population/census/{year}"),
            before,
            Some(text(census)),
        )
        .await?;
        tx::commit(tx).await?;
        Ok(revision)
    }

    async fn delete_census(
        &self,
        code: &MunicipalityCode,
        year: i32,
        expected: i64,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let q = sqlx::query(CENSUS).bind(code.as_str()).bind(year);
        let current = optional(&mut tx, q, census_row).await?;
        check(
            current.as_ref().map(|c| c.revision),
            Some(expected),
            "census",
        )?;
        let users = sqlx::query(USES_CENSUS)
            .bind(code.as_str())
            .bind(year)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
        if !users.is_empty() {
            return Err(StoreError::Referenced(format!(
                "{year}年の人口は、推計（{}）の基準人口に使われているため削除できません。",
                ids(&users).join("、")
            )));
        }
        sqlx::query(
            "DELETE FROM population_census_count WHERE municipality_code = $1 AND year = $2",
        )
        .bind(code.as_str())
        .bind(year)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        sqlx::query("DELETE FROM population_census WHERE municipality_code = $1 AND year = $2")
            .bind(code.as_str())
            .bind(year)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        audit(
            &mut tx,
            code,
            author,
            "population.census_delete",
            &format!("population/census/{year}"),
            current.map(|c| format!("{}年 {}", c.census.year, c.census.source)),
            None,
        )
        .await?;
        tx::commit(tx).await
    }

    async fn save_scenario(
        &self,
        code: &MunicipalityCode,
        scenario: &Scenario,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = read_population(&mut tx, code).await?;
        let current = stored.scenario(&scenario.id);
        let revision = check(current.map(|c| c.revision), expected, scenario.id.as_str())?;
        if stored.census(scenario.base_year).is_none() {
            return Err(StoreError::Referenced(format!(
                "基準年 {}年の人口（男女・年齢階級別）が登録されていません。先に登録してください。",
                scenario.base_year
            )));
        }
        if let Basis::Derived { from, .. } = &scenario.basis {
            let assumed = stored
                .scenario(from)
                .is_some_and(|s| matches!(s.scenario.basis, Basis::Assumed(_)));
            if !assumed {
                return Err(StoreError::Referenced(format!(
                    "推計「{from}」がないか、それ自体がほかの推計から導かれているため、そこから導くことはできません。"
                )));
            }
        }
        let position: i64 = match current {
            Some(_) => 0, // kept by the upsert's update
            None => {
                use sqlx::Row;
                sqlx::query(NEXT_POSITION)
                    .bind(code.as_str())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend)?
                    .try_get("position")
                    .map_err(backend)?
            }
        };
        let (from, rule, factor, base_tfr, sex_ratio) = basis_columns(&scenario.basis);
        sqlx::query(UPSERT_SCENARIO)
            .bind(code.as_str())
            .bind(scenario.id.as_str())
            .bind(position)
            .bind(&scenario.name)
            .bind(&scenario.description)
            .bind(scenario.base_year)
            .bind(scenario.horizon)
            .bind(from)
            .bind(rule)
            .bind(factor)
            .bind(base_tfr)
            .bind(sex_ratio)
            .bind(scenario.published)
            .bind(scenario.sample)
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        write_scenario_rows(&mut tx, code, scenario).await?;
        audit(
            &mut tx,
            code,
            author,
            "population.scenario",
            &format!("population/scenario/{}", scenario.id),
            current.map(|c| scenario_text(&c.scenario)),
            Some(scenario_text(scenario)),
        )
        .await?;
        tx::commit(tx).await?;
        Ok(revision)
    }

    async fn delete_scenario(
        &self,
        code: &MunicipalityCode,
        id: &ScenarioId,
        expected: i64,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = read_population(&mut tx, code).await?;
        let current = stored.scenario(id);
        check(current.map(|c| c.revision), Some(expected), id.as_str())?;
        let derived = sqlx::query(DERIVED_FROM)
            .bind(code.as_str())
            .bind(id.as_str())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
        if !derived.is_empty() {
            return Err(StoreError::Referenced(format!(
                "推計「{id}」からは、ほかの推計（{}）が導かれているため削除できません。先にそれらを削除してください。",
                ids(&derived).join("、")
            )));
        }
        for table in SCENARIO_TABLES {
            delete_rows(&mut tx, table, "scenario_id", code, Some(id.as_str())).await?;
        }
        delete_rows(
            &mut tx,
            "population_scenario",
            "scenario_id",
            code,
            Some(id.as_str()),
        )
        .await?;
        audit(
            &mut tx,
            code,
            author,
            "population.scenario_delete",
            &format!("population/scenario/{id}"),
            current.map(|c| scenario_text(&c.scenario)),
            None,
        )
        .await?;
        tx::commit(tx).await
    }

    async fn save_result(
        &self,
        code: &MunicipalityCode,
        id: &ScenarioId,
        result: &ScenarioResult,
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let current: Option<i64> = {
            use sqlx::Row;
            sqlx::query(SCENARIO_REVISION)
                .bind(code.as_str())
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .map(|r| r.try_get("revision"))
                .transpose()
                .map_err(backend)?
        };
        let revision = check(current, Some(expected), id.as_str())?;
        sqlx::query(TOUCH_SCENARIO)
            .bind(code.as_str())
            .bind(id.as_str())
            .bind(&author.actor)
            .bind(author.at.as_millis())
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for table in ["population_result_cell", "population_result"] {
            delete_rows(&mut tx, table, "scenario_id", code, Some(id.as_str())).await?;
        }
        let head = vec![code_bound(code), Bound::Text(id.as_str().to_owned())];
        let mut row = head.clone();
        row.extend([
            Bound::Int(result.computed_at.as_millis()),
            Bound::Text(result.input_hash.clone()),
            Bound::Text(result.notes.join("\n")),
        ]);
        insert_rows(
            &mut tx,
            "INSERT INTO population_result (municipality_code, scenario_id, computed_at_millis, \
             input_hash, notes) ",
            &[row],
        )
        .await?;
        let rows: Vec<(Vec<Bound>, BySex<f64>)> = result
            .years
            .iter()
            .map(|p| {
                let mut lead = head.clone();
                lead.push(Bound::Int(p.year.into()));
                (lead, p.population)
            })
            .collect();
        insert_cells(
            &mut tx,
            "INSERT INTO population_result_cell (municipality_code, scenario_id, year, sex, \
             age_group, people) ",
            &rows,
            |v| Bound::Text(float_text(v)),
        )
        .await?;
        let summary: Vec<String> = result
            .years
            .iter()
            .map(|p| format!("{}年 {:.0}人", p.year, p.population.total()))
            .collect();
        audit(
            &mut tx,
            code,
            author,
            "population.run",
            &format!("population/scenario/{id}"),
            None,
            Some(summary.join("\n")),
        )
        .await?;
        tx::commit(tx).await?;
        Ok(revision)
    }
}
