//! The KPI evaluation sheet (KPI評価シート) out of and the departments' sheets into keikaku:
//! the evaluation turned into the sheets crate's neutral table (XLSX, CSV in UTF-8 with BOM or
//! CP932, and the JSON for scripts), and a filled-in sheet read, matched to the plan's
//! indicators, checked whole and shown as a preview (old → new per cell) before it is stored.

use std::collections::{HashMap, HashSet};

use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{Outcome, RateKind, ValueState, YearlyValue, evaluate_year};
use keikaku_domain::{Indicator, PlanId, format};
use keikaku_sheets::kpi::{
    self as sheet, CsvEncoding, EvaluationSheet, KeyColumn, SheetError, SheetRow, ValueColumn,
    YearCells,
};
use keikaku_storage::{Author, StoreError, ValueWrite};
use rust_decimal::Decimal;

use crate::access::{Action, Authority};
use crate::kpi::evaluation::{Evaluation, IndicatorReport, evaluation};
use crate::{AppError, Context};

/// The forms a sheet is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetFormat {
    /// Excel workbook.
    Xlsx,
    /// CSV, UTF-8 with BOM.
    Csv,
    /// CSV, Shift_JIS (CP932).
    CsvShiftJis,
    /// JSON for scripts and checks.
    Json,
}

/// The target shown for a year: the one entered for it, else the plan's interim target for
/// it, else the plan's target in its target year.
fn year_target(
    indicator: &Indicator,
    stored: Option<&YearlyValue>,
    year: FiscalYear,
) -> Option<Decimal> {
    stored
        .and_then(|v| v.target)
        .or_else(|| {
            indicator
                .interim_targets
                .iter()
                .find(|i| i.year == year)
                .map(|i| i.value)
        })
        .or_else(|| indicator.target.filter(|t| t.year == year).map(|t| t.value))
}

fn group_label(r: &IndicatorReport) -> String {
    r.groups.last().map(|g| g.label()).unwrap_or_default()
}

/// The evaluation as the sheets crate's table (every fiscal year of the plan's period).
pub fn evaluation_sheet(e: &Evaluation) -> EvaluationSheet {
    let rows = e
        .indicators
        .iter()
        .map(|r| {
            let ind = &r.indicator;
            let (progress, note) = match r.latest.as_ref().map(|l| &l.outcome) {
                Some(Outcome::Rate { percent, .. }) => (Some(*percent), String::new()),
                Some(Outcome::Maintained { within, .. }) => (
                    None,
                    if *within {
                        "許容幅内（維持）"
                    } else {
                        "許容幅外"
                    }
                    .to_owned(),
                ),
                Some(Outcome::Unevaluable(why)) => (None, why.reason()),
                None => (None, format!("実績値が{}です。", e.settings.missing_label)),
            };
            SheetRow {
                key: ind.key().to_owned(),
                group: group_label(r),
                title: ind.title.clone(),
                unit: ind.unit.clone(),
                department: r.department.clone(),
                decimals: ind.decimals,
                baseline: ind.baseline.map(|b| (b.year, b.value)),
                target: ind.target.map(|t| (t.year, t.value)),
                years: e
                    .years
                    .iter()
                    .map(|&y| {
                        let stored = r.value(y);
                        YearCells {
                            target: year_target(ind, stored, y),
                            actual: stored.and_then(|v| v.actual),
                            provisional: stored.is_some_and(|v| {
                                v.actual.is_some() && v.state == ValueState::Provisional
                            }),
                        }
                    })
                    .collect(),
                progress,
                rate_label: e.settings.scale.basis.label().to_owned(),
                grade: r
                    .grade
                    .clone()
                    .unwrap_or_else(|| keikaku_domain::kpi::UNEVALUABLE.to_owned()),
                note,
            }
        })
        .collect();
    EvaluationSheet {
        plan_title: e.plan.header().title.clone(),
        evaluated_year: Some(e.until),
        years: e.years.clone(),
        rows,
    }
}

/// The evaluation as JSON for scripts: `{"indicators": [{"id", "code", "title", "years":
/// [{"fiscal_year", "target", "actual", "state", "progress_pct", "achievement_pct",
/// "grade"}]}]}` with decimals as strings and `null` where missing or not evaluable.
pub fn evaluation_json(e: &Evaluation) -> serde_json::Value {
    let decimal = |d: Option<Decimal>| {
        d.map_or(serde_json::Value::Null, |d| {
            d.normalize().to_string().into()
        })
    };
    let rate = |o: &Outcome| match o {
        Outcome::Rate { percent, .. } => decimal(Some(*percent)),
        _ => serde_json::Value::Null,
    };
    let indicators: Vec<serde_json::Value> = e
        .indicators
        .iter()
        .map(|r| {
            let ind = &r.indicator;
            let own: Vec<&YearlyValue> = r.values.iter().collect();
            let years: Vec<serde_json::Value> = e
                .years
                .iter()
                .map(|&y| {
                    let stored = r.value(y);
                    // The graded rate is the evaluation's own; only the other one is computed.
                    let other = match e.settings.scale.basis {
                        RateKind::Progress => RateKind::Achievement,
                        RateKind::Achievement => RateKind::Progress,
                    };
                    let computed = evaluate_year(ind, &own, y, other, e.settings.lower_form);
                    let graded = r.year(y).cloned().unwrap_or_else(|| {
                        evaluate_year(ind, &own, y, e.settings.scale.basis, e.settings.lower_form)
                    });
                    let (progress, achievement) = if other == RateKind::Achievement {
                        (&graded, &computed)
                    } else {
                        (&computed, &graded)
                    };
                    let graded = &graded;
                    serde_json::json!({
                        "fiscal_year": y.year(),
                        "target": decimal(year_target(ind, stored, y)),
                        "actual": decimal(graded.actual),
                        "entered": decimal(stored.and_then(|v| v.actual)),
                        "state": stored.filter(|v| v.actual.is_some()).map(|v| v.state.code()),
                        "progress_pct": rate(&progress.outcome),
                        "achievement_pct": rate(&achievement.outcome),
                        "grade": e.settings.scale.of(&graded.outcome).map(|g| g.label.clone()),
                    })
                })
                .collect();
            serde_json::json!({
                "id": ind.id.as_str(),
                "code": ind.key(),
                "title": ind.title,
                "unit": ind.unit,
                "department": r.department,
                "years": years,
            })
        })
        .collect();
    serde_json::json!({
        "plan": e.plan.header().id.as_str(),
        "basis": e.settings.scale.basis.code(),
        "indicators": indicators,
    })
}

/// The evaluation of a plan written as a sheet, up to `year` (default: the period's end).
pub async fn export(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan: &PlanId,
    year: Option<FiscalYear>,
    form: SheetFormat,
) -> Result<Vec<u8>, AppError> {
    crate::access::require(authority, Action::ReadDrafts)?;
    let e = evaluation(cx, plan, year).await?;
    if year.is_some_and(|y| !e.years.contains(&y)) {
        return Err(AppError::NotFound(format!(
            "{}は計画期間（{}）の外です。",
            year.map(format::fiscal_year).unwrap_or_default(),
            format::period(&e.plan.header().period)
        )));
    }
    let refused = |e: sheet::ExportError| {
        AppError::Invalid(vec![keikaku_planfile::FileProblem {
            path: "sheet".to_owned(),
            message: e.to_string(),
        }])
    };
    match form {
        SheetFormat::Json => {
            let mut text = serde_json::to_string_pretty(&evaluation_json(&e))
                .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))?;
            text.push('\n');
            Ok(text.into_bytes())
        }
        SheetFormat::Xlsx => sheet::to_xlsx(&evaluation_sheet(&e)).map_err(refused),
        SheetFormat::Csv => {
            sheet::to_csv(&evaluation_sheet(&e), CsvEncoding::Utf8Bom).map_err(refused)
        }
        SheetFormat::CsvShiftJis => {
            sheet::to_csv(&evaluation_sheet(&e), CsvEncoding::ShiftJis).map_err(refused)
        }
    }
}

/// One cell a sheet changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellChange {
    /// The indicator's id.
    pub indicator: String,
    /// Its title.
    pub title: String,
    /// The fiscal year.
    pub year: FiscalYear,
    /// 目標値 or 実績値.
    pub column: &'static str,
    /// The stored value (`None`: none).
    pub old: Option<Decimal>,
    /// The sheet's value.
    pub new: Decimal,
    /// Where it is in the sheet, e.g. 「D7」.
    pub cell: String,
}

/// What importing a sheet would change, and the writes that make it so.
#[derive(Clone, Debug)]
pub struct Preview {
    /// The sheet read.
    pub sheet: String,
    /// The key column used (指標ID, 指標コード or 指標名).
    pub key_column: &'static str,
    /// The rows read.
    pub rows: usize,
    /// Every changed cell, in sheet order.
    pub changes: Vec<CellChange>,
    writes: Vec<ValueWrite>,
}

/// A sheet's problem for the app's error list: the message names the sheet and the cell
/// itself, so the path stays empty.
fn problem(e: &SheetError) -> keikaku_planfile::FileProblem {
    keikaku_planfile::FileProblem {
        path: String::new(),
        message: e.to_string(),
    }
}

/// Reads a sheet and compares it with the stored values: every problem (a cell that is not a
/// number, a key that names no indicator of the plan — or one the importer may not reach —,
/// a year outside the plan's period) refuses the whole sheet, listed with its cell. A blank
/// or 「―」 cell changes nothing (it never deletes a value).
#[allow(clippy::too_many_lines)] // the matching of keys, then of cells, each with its errors
pub async fn preview(
    cx: &Context<'_>,
    importer: &impl Authority,
    plan: &PlanId,
    file_name: &str,
    bytes: &[u8],
) -> Result<Preview, AppError> {
    crate::access::require(importer, Action::EnterKpiValues)?;
    let parsed = sheet::read_values(file_name, bytes)
        .map_err(|errors| AppError::Invalid(errors.iter().map(problem).collect()))?;
    let e = evaluation(cx, plan, None).await?;
    let at = |cell: &str, row: u32, header: Option<String>, message: String| SheetError {
        sheet: parsed.sheet.clone(),
        cell: Some(cell.to_owned()),
        row: Some(row),
        header,
        message,
    };
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    let mut writes: Vec<ValueWrite> = Vec::new();
    // The plan's indicators by the sheet's key (an 指標ID matches the code or the id), read
    // once; and the indicators a row was already read for.
    let mut by_key: HashMap<&str, Vec<&IndicatorReport>> = HashMap::new();
    for r in &e.indicators {
        let i = &r.indicator;
        let mut keys = match parsed.key_column {
            KeyColumn::Id => vec![i.key(), i.id.as_str()],
            KeyColumn::Code => vec![i.code.trim()],
            KeyColumn::Title => vec![i.title.trim()],
        };
        keys.dedup();
        for k in keys {
            by_key.entry(k).or_default().push(r);
        }
    }
    let mut seen: HashSet<&str> = HashSet::new();
    for row in &parsed.rows {
        let found: &[&IndicatorReport] = by_key.get(row.key.as_str()).map_or(&[], Vec::as_slice);
        let report = match found {
            [one] => *one,
            [] => {
                errors.push(at(
                    &row.key_cell,
                    row.row,
                    Some(parsed.key_column.header().to_owned()),
                    format!(
                        "{}「{}」の指標は、計画「{}」にありません。",
                        parsed.key_column.header(),
                        row.key,
                        e.plan.header().title
                    ),
                ));
                continue;
            }
            _ => {
                errors.push(at(
                    &row.key_cell,
                    row.row,
                    Some(parsed.key_column.header().to_owned()),
                    format!(
                        "{}「{}」の指標が計画に{}件あり、どれか決められません。{}",
                        parsed.key_column.header(),
                        row.key,
                        found.len(),
                        if parsed.key_column == KeyColumn::Title {
                            "指標IDの列を使ってください。"
                        } else {
                            "計画の指標コードを重ならないように直してください。"
                        }
                    ),
                ));
                continue;
            }
        };
        if !importer.reaches(Some(&report.department)) {
            errors.push(at(
                &row.key_cell,
                row.row,
                Some(parsed.key_column.header().to_owned()),
                format!(
                    "指標「{}」（所管課: {}）は、あなたの課の指標ではありません。",
                    report.indicator.title,
                    if report.department.is_empty() {
                        "未設定"
                    } else {
                        &report.department
                    }
                ),
            ));
            continue;
        }
        if !seen.insert(report.indicator.id.as_str()) {
            errors.push(at(
                &row.key_cell,
                row.row,
                Some(parsed.key_column.header().to_owned()),
                format!("指標「{}」の行が2つあります。", report.indicator.title),
            ));
            continue;
        }
        let mut years: Vec<FiscalYear> = row.cells.iter().map(|c| c.year).collect();
        years.dedup();
        for year in years {
            let cells: Vec<_> = row.cells.iter().filter(|c| c.year == year).collect();
            if !e.years.contains(&year) {
                for c in &cells {
                    errors.push(at(
                        &c.cell,
                        row.row,
                        Some(c.header.clone()),
                        format!(
                            "{}は計画期間（{}）の外です。",
                            format::fiscal_year(year),
                            format::period(&e.plan.header().period)
                        ),
                    ));
                }
                continue;
            }
            let stored = report.value(year);
            let mut target = stored.and_then(|v| v.target);
            let mut actual = stored.and_then(|v| v.actual);
            // The sheet shows a year without a target of its own the plan's target for it:
            // reading that back is no change.
            let shown_target = year_target(&report.indicator, stored, year);
            for c in &cells {
                let (slot, label, shown) = match c.column {
                    ValueColumn::Target => (&mut target, "目標値", shown_target),
                    ValueColumn::Actual => (&mut actual, "実績値", stored.and_then(|v| v.actual)),
                };
                if shown != Some(c.value) {
                    changes.push(CellChange {
                        indicator: report.indicator.id.to_string(),
                        title: report.indicator.title.clone(),
                        year,
                        column: label,
                        old: shown,
                        new: c.value,
                        cell: c.cell.clone(),
                    });
                    *slot = Some(c.value);
                }
            }
            if target != stored.and_then(|v| v.target) || actual != stored.and_then(|v| v.actual) {
                writes.push(ValueWrite {
                    indicator: report.indicator.id.clone(),
                    fiscal_year: year,
                    target,
                    actual,
                    state: stored.map_or(ValueState::Provisional, |v| v.state),
                    note: stored.map(|v| v.note.clone()).unwrap_or_default(),
                    expected: stored.map(|v| v.version),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors.iter().map(problem).collect()));
    }
    Ok(Preview {
        sheet: parsed.sheet,
        key_column: parsed.key_column.header(),
        rows: parsed.rows.len(),
        changes,
        writes,
    })
}

/// Stores what a preview showed, all or nothing: a cell someone changed since the preview
/// was read is a conflict and nothing is written.
pub async fn apply(
    cx: &Context<'_>,
    importer: &impl Authority,
    plan: &PlanId,
    preview: &Preview,
    at: keikaku_domain::audit::Timestamp,
) -> Result<usize, AppError> {
    crate::access::require(importer, Action::EnterKpiValues)?;
    if preview.writes.is_empty() {
        return Ok(0);
    }
    let author = Author {
        actor: importer.actor(),
        at,
    };
    match cx
        .store
        .save_kpi_values(cx.municipality, plan, &preview.writes, &author)
        .await
    {
        Ok(_) => Ok(preview.writes.len()),
        Err(StoreError::Stale(cell)) => Err(AppError::Conflict(format!(
            "取り込みの確認の後に、ほかの人が値を変更しています（{cell}）。何も保存していません。もう一度取り込んでください。"
        ))),
        Err(e) => Err(e.into()),
    }
}
