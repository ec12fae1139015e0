//! Reading the 人口ビジョン's rows back into the domain, and the text form of its
//! floating-point numbers (see the schema, 0009): `{:?}` writes the shortest decimal that
//! reads back as the same bits, and `str::parse` reads it.

use std::collections::BTreeMap;

use keikaku_domain::population::{
    ActualSource, ActualTotal, Assumptions, Basis, BySex, Census, Derivation, PopulationVision,
    Projected, Reference, Scenario, ScenarioId, ScenarioResult, Sex, TargetPoint,
};
use keikaku_domain::{ElementId, ElementRef, MunicipalityCode, PlanId};
use keikaku_storage::{
    CensusRecord, PopulationData, PopulationVisionRecord, ScenarioRecord, StoreError,
};
use sqlx::{Row, Transaction};

use super::rounds::{all, optional, text_of, time_of};
use super::{backend, corrupt};
use crate::{Db, DbRow};

const VISION: &str = "SELECT published, target_note, updated_by, updated_at_millis, revision \
     FROM population_vision WHERE municipality_code = $1";
const TARGETS: &str =
    "SELECT year, total FROM population_target WHERE municipality_code = $1 ORDER BY year";
const ACTUALS: &str = "SELECT year, total, source, note FROM population_actual \
     WHERE municipality_code = $1 ORDER BY year";
const REFERENCES: &str = "SELECT position, name FROM population_reference \
     WHERE municipality_code = $1 ORDER BY position";
const REFERENCE_POINTS: &str = "SELECT position, year, total FROM population_reference_point \
     WHERE municipality_code = $1 ORDER BY position, year";
const LINKS: &str = "SELECT plan_id, element_id FROM population_link \
     WHERE municipality_code = $1 ORDER BY position";
const CENSUSES: &str = "SELECT year, source, unknown_male, unknown_female, sample, updated_by, \
     updated_at_millis, revision FROM population_census WHERE municipality_code = $1 \
     ORDER BY year";
const CENSUS_COUNTS: &str = "SELECT year, sex, age_group, people FROM population_census_count \
     WHERE municipality_code = $1";
const SCENARIOS: &str = "SELECT scenario_id, name, description, base_year, horizon, \
     derived_from, rule, factor, base_tfr, sex_ratio, published, sample, updated_by, \
     updated_at_millis, revision FROM population_scenario WHERE municipality_code = $1 \
     ORDER BY position, scenario_id";
const RATES: &str = "SELECT scenario_id, kind, step, sex, age_group, rate FROM population_rate \
     WHERE municipality_code = $1";
const CWRS: &str = "SELECT scenario_id, step, ratio FROM population_cwr \
     WHERE municipality_code = $1 ORDER BY scenario_id, step";
const TFR_POINTS: &str = "SELECT scenario_id, year, tfr FROM population_tfr_point \
     WHERE municipality_code = $1 ORDER BY scenario_id, year";
const RESULTS: &str = "SELECT scenario_id, computed_at_millis, input_hash, notes \
     FROM population_result WHERE municipality_code = $1";
const RESULT_CELLS: &str = "SELECT scenario_id, year, sex, age_group, people \
     FROM population_result_cell WHERE municipality_code = $1";

/// A number as stored.
pub(super) fn float_text(v: f64) -> String {
    format!("{v:?}")
}

fn float_of(r: &DbRow, column: &str) -> Result<f64, StoreError> {
    let t = text_of(r, column)?;
    t.parse().map_err(|_| corrupt(format!("{column} {t}")))
}

fn optional_float(r: &DbRow, column: &str) -> Result<Option<f64>, StoreError> {
    let t: Option<String> = r.try_get(column).map_err(backend)?;
    t.map(|t| t.parse().map_err(|_| corrupt(format!("{column} {t}"))))
        .transpose()
}

/// An integer column: BIGINT or, in PostgreSQL, INTEGER (positions, steps, age groups).
fn int(r: &DbRow, column: &str) -> Result<i64, StoreError> {
    match r.try_get::<i64, _>(column) {
        Ok(v) => Ok(v),
        Err(_) => r.try_get::<i32, _>(column).map(i64::from).map_err(backend),
    }
}

fn year(r: &DbRow, column: &str) -> Result<i32, StoreError> {
    r.try_get(column).map_err(backend)
}

fn count(r: &DbRow, column: &str) -> Result<u64, StoreError> {
    u64::try_from(int(r, column)?).map_err(corrupt)
}

/// A (sex, age group) cell's place.
fn cell(r: &DbRow) -> Result<(Sex, usize), StoreError> {
    let sex = text_of(r, "sex")?;
    let sex = Sex::from_key(&sex).ok_or_else(|| corrupt(format!("sex {sex}")))?;
    let group = usize::try_from(int(r, "age_group")?).map_err(corrupt)?;
    if group >= keikaku_domain::population::GROUPS {
        return Err(corrupt(format!("age_group {group}")));
    }
    Ok((sex, group))
}

fn id_of(r: &DbRow, column: &str) -> Result<ScenarioId, StoreError> {
    ScenarioId::parse(&text_of(r, column)?).map_err(corrupt)
}

/// Everything of a municipality, read in the transaction.
pub(super) async fn read_population(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
) -> Result<PopulationData, StoreError> {
    let q = |sql: &'static str| sqlx::query(sql).bind(code.as_str().to_owned());
    let vision = read_population_vision(tx, code).await?;
    let mut censuses = all(tx, q(CENSUSES), census_row).await?;
    for row in q(CENSUS_COUNTS)
        .fetch_all(&mut **tx)
        .await
        .map_err(backend)?
    {
        let y = year(&row, "year")?;
        let (sex, group) = cell(&row)?;
        let people = count(&row, "people")?;
        if let Some(c) = censuses.iter_mut().find(|c| c.census.year == y) {
            c.census.counts.of_mut(sex)[group] = people;
        }
    }
    let mut scenarios = Vec::new();
    let rows = q(SCENARIOS).fetch_all(&mut **tx).await.map_err(backend)?;
    let rates = q(RATES).fetch_all(&mut **tx).await.map_err(backend)?;
    let cwrs = q(CWRS).fetch_all(&mut **tx).await.map_err(backend)?;
    let tfrs = q(TFR_POINTS).fetch_all(&mut **tx).await.map_err(backend)?;
    let results = q(RESULTS).fetch_all(&mut **tx).await.map_err(backend)?;
    let cells = q(RESULT_CELLS)
        .fetch_all(&mut **tx)
        .await
        .map_err(backend)?;
    for row in &rows {
        let id = id_of(row, "scenario_id")?;
        let mine = |r: &&DbRow| text_of(r, "scenario_id").is_ok_and(|s| s == id.as_str());
        let mut record = scenario_row(row, &id)?;
        match &mut record.scenario.basis {
            Basis::Assumed(a) => {
                let mut survival: BTreeMap<usize, BySex<f64>> = BTreeMap::new();
                let mut migration: BTreeMap<usize, BySex<f64>> = BTreeMap::new();
                for r in rates.iter().filter(mine) {
                    let step = usize::try_from(int(r, "step")?).map_err(corrupt)?;
                    let (sex, group) = cell(r)?;
                    let target = match text_of(r, "kind")?.as_str() {
                        "survival" => &mut survival,
                        "migration" => &mut migration,
                        other => return Err(corrupt(format!("kind {other}"))),
                    };
                    target.entry(step).or_insert(BySex::filled(0.0)).of_mut(sex)[group] =
                        float_of(r, "rate")?;
                }
                a.survival = survival.into_values().collect();
                a.migration = migration.into_values().collect();
                a.child_woman_ratio = cwrs
                    .iter()
                    .filter(mine)
                    .map(|r| float_of(r, "ratio"))
                    .collect::<Result<_, _>>()?;
            }
            Basis::Derived {
                rule: Derivation::Fertility { points, .. },
                ..
            } => {
                *points = tfrs
                    .iter()
                    .filter(mine)
                    .map(|r| Ok((year(r, "year")?, float_of(r, "tfr")?)))
                    .collect::<Result<_, StoreError>>()?;
            }
            Basis::Derived { .. } => {}
        }
        if let Some(r) = results.iter().find(mine) {
            let mut years: BTreeMap<i32, BySex<f64>> = BTreeMap::new();
            for c in cells.iter().filter(mine) {
                let (sex, group) = cell(c)?;
                years
                    .entry(year(c, "year")?)
                    .or_insert(BySex::filled(0.0))
                    .of_mut(sex)[group] = float_of(c, "people")?;
            }
            let notes = text_of(r, "notes")?;
            record.result = Some(ScenarioResult {
                computed_at: time_of(r, "computed_at_millis")?,
                input_hash: text_of(r, "input_hash")?,
                years: years
                    .into_iter()
                    .map(|(year, population)| Projected { year, population })
                    .collect(),
                notes: notes
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            });
        }
        scenarios.push(record);
    }
    censuses.sort_by_key(|c| c.census.year);
    Ok(PopulationData {
        vision,
        censuses,
        scenarios,
    })
}

/// The vision's record, if stored.
pub(super) async fn read_population_vision(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
) -> Result<Option<PopulationVisionRecord>, StoreError> {
    let q = |sql: &'static str| sqlx::query(sql).bind(code.as_str().to_owned());
    let Some(mut record) = optional(tx, q(VISION), vision_row).await? else {
        return Ok(None);
    };
    let v = &mut record.vision;
    v.target = all(tx, q(TARGETS), |r| {
        Ok(TargetPoint {
            year: year(r, "year")?,
            total: count(r, "total")?,
        })
    })
    .await?;
    v.actuals = all(tx, q(ACTUALS), |r| {
        let source = text_of(r, "source")?;
        Ok(ActualTotal {
            year: year(r, "year")?,
            total: count(r, "total")?,
            source: ActualSource::parse(&source)
                .ok_or_else(|| corrupt(format!("source {source}")))?,
            note: text_of(r, "note")?,
        })
    })
    .await?;
    let references = all(tx, q(REFERENCES), |r| {
        Ok((int(r, "position")?, text_of(r, "name")?))
    })
    .await?;
    let points = all(tx, q(REFERENCE_POINTS), |r| {
        Ok((int(r, "position")?, year(r, "year")?, count(r, "total")?))
    })
    .await?;
    v.references = references
        .into_iter()
        .map(|(position, name)| Reference {
            name,
            points: points
                .iter()
                .filter(|p| p.0 == position)
                .map(|p| (p.1, p.2))
                .collect(),
        })
        .collect();
    v.links = all(tx, q(LINKS), |r| {
        Ok(ElementRef {
            plan: PlanId::parse(&text_of(r, "plan_id")?).map_err(corrupt)?,
            element: ElementId::parse(&text_of(r, "element_id")?).map_err(corrupt)?,
        })
    })
    .await?;
    Ok(Some(record))
}

fn vision_row(r: &DbRow) -> Result<PopulationVisionRecord, StoreError> {
    Ok(PopulationVisionRecord {
        vision: PopulationVision {
            published: r.try_get("published").map_err(backend)?,
            target_note: text_of(r, "target_note")?,
            ..PopulationVision::default()
        },
        updated_by: text_of(r, "updated_by")?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: int(r, "revision")?,
    })
}

pub(super) fn census_row(r: &DbRow) -> Result<CensusRecord, StoreError> {
    Ok(CensusRecord {
        census: Census {
            year: year(r, "year")?,
            source: text_of(r, "source")?,
            counts: BySex::filled(0),
            unknown: [count(r, "unknown_male")?, count(r, "unknown_female")?],
            sample: r.try_get("sample").map_err(backend)?,
        },
        updated_by: text_of(r, "updated_by")?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: int(r, "revision")?,
    })
}

fn scenario_row(r: &DbRow, id: &ScenarioId) -> Result<ScenarioRecord, StoreError> {
    let from: Option<String> = r.try_get("derived_from").map_err(backend)?;
    let rule: Option<String> = r.try_get("rule").map_err(backend)?;
    let basis = match (from, rule.as_deref()) {
        (None, None) => Basis::Assumed(Assumptions {
            survival: Vec::new(),
            migration: Vec::new(),
            child_woman_ratio: Vec::new(),
            sex_ratio: optional_float(r, "sex_ratio")?
                .ok_or_else(|| corrupt(format!("scenario {id}: sex_ratio NULL")))?,
        }),
        (Some(from), Some(rule)) => Basis::Derived {
            from: ScenarioId::parse(&from).map_err(corrupt)?,
            rule: match rule {
                "zero_migration" => Derivation::ZeroMigration,
                "scaled_migration" => Derivation::ScaledMigration {
                    factor: optional_float(r, "factor")?
                        .ok_or_else(|| corrupt(format!("scenario {id}: factor NULL")))?,
                },
                "fertility" => Derivation::Fertility {
                    base_tfr: optional_float(r, "base_tfr")?
                        .ok_or_else(|| corrupt(format!("scenario {id}: base_tfr NULL")))?,
                    points: Vec::new(),
                },
                other => return Err(corrupt(format!("rule {other}"))),
            },
        },
        _ => return Err(corrupt(format!("scenario {id}: derived_from and rule"))),
    };
    Ok(ScenarioRecord {
        scenario: Scenario {
            id: id.clone(),
            name: text_of(r, "name")?,
            description: text_of(r, "description")?,
            base_year: year(r, "base_year")?,
            horizon: year(r, "horizon")?,
            basis,
            published: r.try_get("published").map_err(backend)?,
            sample: r.try_get("sample").map_err(backend)?,
        },
        result: None,
        updated_by: text_of(r, "updated_by")?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: int(r, "revision")?,
    })
}
