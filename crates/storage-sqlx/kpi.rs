//! Yearly values of indicators and evaluation settings: the port's [`KpiStore`] for this
//! backend. Every save goes through `tx` (the municipality's lock, one audit entry) and checks
//! each cell's version inside the transaction.

use async_trait::async_trait;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{GradeScale, LowerForm, PlanSettings, RateKind, ValueState, YearlyValue};
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};
use keikaku_storage::{Author, KpiStore, StoreError, UserChange, ValueWrite};
use rust_decimal::Decimal;
use sqlx::{Row, Transaction};

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
        let mut before = Vec::new();
        let mut after = Vec::new();
        let mut out = Vec::new();
        for w in writes {
            let stored = stored_value(&mut tx, code, plan, &w.indicator, w.fiscal_year).await?;
            if stored.as_ref().map(|s| s.version) != w.expected {
                return Err(StoreError::Stale(format!(
                    "{}/{}",
                    w.indicator,
                    w.fiscal_year.year()
                )));
            }
            match &stored {
                Some(s) if w.matches(s) => {
                    out.push(s.clone());
                    continue;
                }
                None if w.is_empty() => continue,
                _ => {}
            }
            if let Some(s) = &stored {
                before.push(cell_text(s));
            }
            if w.is_empty() {
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
                version: stored.as_ref().map_or(1, |s| s.version + 1),
            };
            sqlx::query(
                "INSERT INTO kpi_value (municipality_code, plan_id, indicator_id, fiscal_year, \
                 target_value, actual_value, state, note, entered_by, entered_at_millis, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (municipality_code, plan_id, indicator_id, fiscal_year) DO UPDATE SET \
                 target_value = excluded.target_value, actual_value = excluded.actual_value, \
                 state = excluded.state, note = excluded.note, entered_by = excluded.entered_by, \
                 entered_at_millis = excluded.entered_at_millis, version = excluded.version",
            )
            .bind(code.as_str())
            .bind(plan.as_str())
            .bind(value.indicator.as_str())
            .bind(value.fiscal_year.year())
            .bind(value.target.map(|d| d.to_string()))
            .bind(value.actual.map(|d| d.to_string()))
            .bind(value.state.code())
            .bind(&value.note)
            .bind(&value.entered_by)
            .bind(value.entered_at.as_millis())
            .bind(value.version)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            after.push(cell_text(&value));
            out.push(value);
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

async fn stored_value(
    tx: &mut Transaction<'_, Db>,
    code: &MunicipalityCode,
    plan: &PlanId,
    indicator: &ElementId,
    year: FiscalYear,
) -> Result<Option<YearlyValue>, StoreError> {
    let row = sqlx::query(
        "SELECT indicator_id, fiscal_year, target_value, actual_value, state, note, \
         entered_by, entered_at_millis, version FROM kpi_value \
         WHERE municipality_code = $1 AND plan_id = $2 AND indicator_id = $3 AND fiscal_year = $4",
    )
    .bind(code.as_str())
    .bind(plan.as_str())
    .bind(indicator.as_str())
    .bind(year.year())
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    row.as_ref().map(value_row).transpose()
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
