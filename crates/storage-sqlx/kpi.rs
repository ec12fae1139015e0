//! Yearly values of indicators and evaluation settings: the port's [`KpiStore`] for this
//! backend. Every save goes through `tx` (the municipality's lock, one audit entry) and checks
//! each cell's version inside the transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{GradeScale, LowerForm, PlanSettings, RateKind, ValueState, YearlyValue};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use keikaku_storage::{Author, KpiStore, StoreError, UserChange, ValueWrite};
use rust_decimal::Decimal;
use sqlx::{QueryBuilder, Row, Transaction};

use super::{backend, corrupt, tx};
use crate::{Db, DbRow, Store};

#[async_trait]
impl KpiStore for Store {
    async fn kpi_values(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Vec<YearlyValue>, StoreError> {
        let rows = sqlx::query(
            "SELECT indicator_id, fiscal_year, target_value, actual_value, state, note, \
             entered_by, entered_at_millis, version FROM kpi_value \
             WHERE municipality_code = $1 AND plan_id = $2 ORDER BY indicator_id, fiscal_year",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(value_row).collect()
    }

    async fn save_kpi_values(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        writes: &[ValueWrite],
        author: &Author,
    ) -> Result<Vec<YearlyValue>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        // The stored cells of the written indicators, read once inside the transaction; each
        // write is checked against them as they stand after the writes before it.
        let mut indicators: Vec<&ElementId> = writes.iter().map(|w| &w.indicator).collect();
        indicators.sort();
        indicators.dedup();
        let mut stored = stored_values(&mut tx, code, plan, &indicators).await?;
        let mut pending: HashMap<(ElementId, FiscalYear), YearlyValue> = HashMap::new();
        let mut before = Vec::new();
        let mut after = Vec::new();
        let mut out = Vec::new();
        for w in writes {
            let key = (w.indicator.clone(), w.fiscal_year);
            let current = stored.get(&key);
            if current.map(|s| s.version) != w.expected {
                return Err(StoreError::Stale(format!(
                    "{}/{}",
                    w.indicator,
                    w.fiscal_year.year()
                )));
            }
            match current {
                Some(s) if w.matches(s) => {
                    out.push(s.clone());
                    continue;
                }
                None if w.is_empty() => continue,
                _ => {}
            }
            if let Some(s) = current {
                before.push(cell_text(s));
            }
            if w.is_empty() {
                pending.remove(&key);
                stored.remove(&key);
                sqlx::query(
                    "DELETE FROM kpi_value WHERE municipality_code = $1 AND plan_id = $2 \
                     AND indicator_id = $3 AND fiscal_year = $4",
                )
                .bind(code.as_str())
                .bind(plan.as_str())
                .bind(w.indicator.as_str())
                .bind(w.fiscal_year.year())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                after.push(format!("{} {}: -", w.indicator, w.fiscal_year.year()));
                continue;
            }
            let value = YearlyValue {
                indicator: w.indicator.clone(),
                fiscal_year: w.fiscal_year,
                target: w.target,
                actual: w.actual,
                state: w.state,
                note: w.note.clone(),
                entered_by: author.actor.clone(),
                entered_at: author.at,
                version: current.map_or(1, |s| s.version + 1),
            };
            after.push(cell_text(&value));
            out.push(value.clone());
            stored.insert(key.clone(), value.clone());
            pending.insert(key, value);
        }
        let pending: Vec<YearlyValue> = pending.into_values().collect();
        for chunk in pending.chunks(CHUNK) {
            upsert_values(&mut tx, code, plan, chunk).await?;
        }
        if !after.is_empty() {
            let change = UserChange {
                action: "kpi.values".to_owned(),
                before: (!before.is_empty()).then(|| before.join("\n")),
                after: Some(after.join("\n")),
            };
            tx::append_audit(&mut tx, code, author, &change, plan.as_str()).await?;
        }
        tx::commit(tx).await?;
        Ok(out)
    }

    async fn kpi_settings(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
    ) -> Result<Option<(PlanSettings, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT basis, lower_form, grades, missing_label, revision FROM kpi_settings \
             WHERE municipality_code = $1 AND plan_id = $2",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(settings_row).transpose()
    }

    async fn save_kpi_settings(
        &self,
        code: &MunicipalityCode,
        plan: &PlanId,
        settings: &PlanSettings,
        expected: Option<i64>,
        author: &Author,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let stored = sqlx::query(
            "SELECT basis, lower_form, grades, missing_label, revision FROM kpi_settings \
             WHERE municipality_code = $1 AND plan_id = $2",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let stored = stored.as_ref().map(settings_row).transpose()?;
        if stored.as_ref().map(|(_, r)| *r) != expected {
            return Err(StoreError::Stale("settings".to_owned()));
        }
        let revision = expected.map_or(1, |r| r + 1);
        sqlx::query(
            "INSERT INTO kpi_settings (municipality_code, plan_id, basis, lower_form, grades, \
             missing_label, revision) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (municipality_code, plan_id) DO UPDATE SET basis = excluded.basis, \
             lower_form = excluded.lower_form, grades = excluded.grades, \
             missing_label = excluded.missing_label, revision = excluded.revision",
        )
        .bind(code.as_str())
        .bind(plan.as_str())
        .bind(settings.scale.basis.code())
        .bind(settings.lower_form.code())
        .bind(settings.scale.grades_text())
        .bind(&settings.missing_label)
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let change = UserChange {
            action: "kpi.settings".to_owned(),
            before: stored.map(|(s, _)| settings_text(&s)),
            after: Some(settings_text(settings)),
        };
        tx::append_audit(&mut tx, code, author, &change, plan.as_str()).await?;
        tx::commit(tx).await?;
        Ok(revision)
    }
}

/// Rows per statement when cells are read or written in bulk: 11 parameters a row stays far
/// below SQLite's limit of 32,766 (and PostgreSQL's 65,535).
const CHUNK: usize = 1000;

/// The stored cells of some indicators of a plan, by indicator and fiscal year.
async fn stored_values(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan: &PlanId,
    indicators: &[&ElementId],
) -> Result<HashMap<(ElementId, FiscalYear), YearlyValue>, StoreError> {
    let mut out = HashMap::new();
    for chunk in indicators.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT indicator_id, fiscal_year, target_value, actual_value, state, note, \
             entered_by, entered_at_millis, version FROM kpi_value WHERE municipality_code = ",
        );
        q.push_bind(code.as_str())
            .push(" AND plan_id = ")
            .push_bind(plan.as_str())
            .push(" AND indicator_id IN (");
        let mut ids = q.separated(", ");
        for i in chunk {
            ids.push_bind(i.as_str());
        }
        q.push(")");
        for row in q.build().fetch_all(&mut **tx).await.map_err(backend)? {
            let v = value_row(&row)?;
            out.insert((v.indicator.clone(), v.fiscal_year), v);
        }
    }
    Ok(out)
}

/// Writes cells (new or replacing the stored ones) in one statement.
async fn upsert_values(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan: &PlanId,
    values: &[YearlyValue],
) -> Result<(), StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "INSERT INTO kpi_value (municipality_code, plan_id, indicator_id, fiscal_year, \
         target_value, actual_value, state, note, entered_by, entered_at_millis, version) ",
    );
    q.push_values(values, |mut row, v| {
        row.push_bind(code.as_str())
            .push_bind(plan.as_str())
            .push_bind(v.indicator.as_str())
            .push_bind(v.fiscal_year.year())
            .push_bind(v.target.map(|d| d.to_string()))
            .push_bind(v.actual.map(|d| d.to_string()))
            .push_bind(v.state.code())
            .push_bind(v.note.as_str())
            .push_bind(v.entered_by.as_str())
            .push_bind(v.entered_at.as_millis())
            .push_bind(v.version);
    });
    q.push(
        " ON CONFLICT (municipality_code, plan_id, indicator_id, fiscal_year) DO UPDATE SET \
         target_value = excluded.target_value, actual_value = excluded.actual_value, \
         state = excluded.state, note = excluded.note, entered_by = excluded.entered_by, \
         entered_at_millis = excluded.entered_at_millis, version = excluded.version",
    );
    q.build().execute(&mut **tx).await.map_err(backend)?;
    Ok(())
}

fn value_row(r: &DbRow) -> Result<YearlyValue, StoreError> {
    let decimal = |column: &str| -> Result<Option<Decimal>, StoreError> {
        r.try_get::<Option<String>, _>(column)
            .map_err(backend)?
            .map(|t| t.parse::<Decimal>().map_err(corrupt))
            .transpose()
    };
    let id: String = r.try_get("indicator_id").map_err(backend)?;
    let state: String = r.try_get("state").map_err(backend)?;
    Ok(YearlyValue {
        indicator: ElementId::parse(&id).map_err(corrupt)?,
        fiscal_year: FiscalYear::new(r.try_get::<i32, _>("fiscal_year").map_err(backend)?)
            .map_err(corrupt)?,
        target: decimal("target_value")?,
        actual: decimal("actual_value")?,
        state: ValueState::from_code(&state).ok_or_else(|| corrupt(format!("state {state}")))?,
        note: r.try_get("note").map_err(backend)?,
        entered_by: r.try_get("entered_by").map_err(backend)?,
        entered_at: keikaku_domain::audit::Timestamp::from_millis(
            r.try_get("entered_at_millis").map_err(backend)?,
        )
        .map_err(corrupt)?,
        version: r.try_get("version").map_err(backend)?,
    })
}

fn settings_row(r: &DbRow) -> Result<(PlanSettings, i64), StoreError> {
    let basis: String = r.try_get("basis").map_err(backend)?;
    let lower: String = r.try_get("lower_form").map_err(backend)?;
    let grades: String = r.try_get("grades").map_err(backend)?;
    let basis = RateKind::from_code(&basis).ok_or_else(|| corrupt(format!("basis {basis}")))?;
    let settings = PlanSettings {
        scale: GradeScale::parse(basis, &grades).map_err(|p| corrupt(p.join(" ")))?,
        lower_form: LowerForm::from_code(&lower)
            .ok_or_else(|| corrupt(format!("lower_form {lower}")))?,
        missing_label: r.try_get("missing_label").map_err(backend)?,
    };
    Ok((settings, r.try_get("revision").map_err(backend)?))
}

/// A cell as the audit log keeps it, one line.
fn cell_text(v: &YearlyValue) -> String {
    let d = |x: Option<Decimal>| x.map_or_else(|| "-".to_owned(), |d| d.to_string());
    format!(
        "{} {}: target={} actual={} state={} note={}",
        v.indicator,
        v.fiscal_year.year(),
        d(v.target),
        d(v.actual),
        v.state.code(),
        v.note.replace('\n', " ")
    )
}

fn settings_text(s: &PlanSettings) -> String {
    format!(
        "basis: {}\nlower_form: {}\ngrades: {}\nmissing_label: {}",
        s.scale.basis.code(),
        s.lower_form.code(),
        s.scale.grades_text().replace('\n', ", "),
        s.missing_label
    )
}
