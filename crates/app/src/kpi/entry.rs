//! Entering a fiscal year's values (目標値・実績値, 速報値 / 確定値, a note) for the indicators
//! one may reach: a department editor those of their own department (所管課), the planning
//! office all. Saved all or nothing; a cell someone else changed since the form was opened is
//! a conflict that shows both values, never a silent overwrite.

use keikaku_domain::PlanStatus;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{ValueState, YearlyValue};
use keikaku_domain::{PlanId, format};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, StoreError, ValueWrite};
use rust_decimal::Decimal;

use crate::access::{Action, Granted};
use crate::kpi::evaluation::{Evaluation, evaluation};
use crate::{AppError, Context};

/// Longest note accepted (characters).
const NOTE_MAX: usize = 2_000;

/// What was typed for one indicator's cell of the year.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellInput {
    /// The indicator's id.
    pub indicator: String,
    /// 目標値 as typed (blank, 「―」 or 「-」: none).
    pub target: String,
    /// 実績値 as typed (blank, 「―」 or 「-」: 未把握).
    pub actual: String,
    /// `provisional` (速報値) or `confirmed` (確定値).
    pub state: String,
    /// 備考.
    pub note: String,
    /// The cell's version when the form was opened (blank: there was no value).
    pub version: String,
}

/// Why values were not saved.
#[derive(Debug)]
pub enum EntryError {
    /// Some cells were refused; each problem names its cell (`{indicator}.actual` …).
    Invalid(Vec<FileProblem>),
    /// Someone else changed some of the cells first; nothing was saved. Holds the values as
    /// they are stored now, for the cells submitted.
    Conflict {
        /// The message.
        message: String,
        /// The stored values now.
        current: Vec<YearlyValue>,
    },
    /// Anything else.
    App(AppError),
}

impl From<AppError> for EntryError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<StoreError> for EntryError {
    fn from(e: StoreError) -> Self {
        Self::App(AppError::from(e))
    }
}

/// The indicators a user may enter values for in a year, evaluated.
#[derive(Clone, Debug)]
pub struct EntrySheet {
    /// The plan's evaluation, narrowed to the indicators the user reaches (and to the chosen
    /// department).
    pub evaluation: Evaluation,
    /// The fiscal year entered.
    pub year: FiscalYear,
    /// Whether values may be entered now (the plan is adopted or published).
    pub open: bool,
    /// The departments that have indicators the user reaches, for the planning office's
    /// choice of one.
    pub departments: Vec<String>,
    /// The department shown (`None`: all the user reaches).
    pub department: Option<String>,
}

fn check_granted(granted: &Granted) -> Result<(), AppError> {
    if granted.action() == Action::EnterKpiValues {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "実績値を入力する権限がありません。".to_owned(),
        ))
    }
}

/// Whether values of a plan in this status may be entered.
pub fn open_for_entry(status: PlanStatus) -> bool {
    matches!(status, PlanStatus::Adopted | PlanStatus::Published)
}

fn check_year(evaluation: &Evaluation, year: FiscalYear) -> Result<(), AppError> {
    if evaluation.years.contains(&year) {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "{}は計画期間（{}）の外です。",
            format::fiscal_year(year),
            format::period(&evaluation.plan.header().period)
        )))
    }
}

/// The entry sheet of a fiscal year: the plan's indicators that the user reaches (a
/// department editor: those of their own department), optionally one department's only.
pub async fn entry_sheet(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    department: Option<&str>,
) -> Result<EntrySheet, AppError> {
    check_granted(granted)?;
    let mut evaluation = evaluation(cx, plan_id, Some(year)).await?;
    check_year(&evaluation, year)?;
    evaluation
        .indicators
        .retain(|r| granted.scope().reaches(granted.user(), Some(&r.department)));
    let mut departments: Vec<String> = Vec::new();
    for r in &evaluation.indicators {
        if !r.department.is_empty() && !departments.contains(&r.department) {
            departments.push(r.department.clone());
        }
    }
    let department = department
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    if let Some(d) = &department {
        evaluation.retain(|r| &r.department == d);
    }
    Ok(EntrySheet {
        open: open_for_entry(evaluation.plan.header().status),
        evaluation,
        year,
        departments,
        department,
    })
}

/// Reads a value as people type it: full-width digits, thousands separators, a 「%」 suffix;
/// blank and the dashes 「―」「－」「-」 are no value (never 0).
pub fn parse_value(text: &str) -> Result<Option<Decimal>, String> {
    let t = text.trim();
    if t.is_empty() || matches!(t, "―" | "－" | "-" | "ー" | "‐" | "—") {
        return Ok(None);
    }
    let number = t.trim_end_matches(['%', '％']).trim_end();
    crate::forms::parse_decimal(number)
        .map(Some)
        .ok_or_else(|| format!("「{t}」は数値として読めません。"))
}

/// Saves the cells of a year, all or nothing (see the module's description). Returns the
/// cells as stored.
#[allow(clippy::too_many_lines)] // one pass over the cells, collecting every problem
pub async fn save_entries(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    year: FiscalYear,
    inputs: &[CellInput],
    at: Timestamp,
) -> Result<Vec<YearlyValue>, EntryError> {
    check_granted(granted)?;
    let evaluation = evaluation(cx, plan_id, Some(year)).await?;
    check_year(&evaluation, year)?;
    if !open_for_entry(evaluation.plan.header().status) {
        return Err(AppError::Conflict(format!(
            "この計画は「{}」です。実績値を入力できるのは、決定または公開された計画です。",
            evaluation.plan.header().status.label()
        ))
        .into());
    }
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    for input in inputs {
        let id = input.indicator.trim();
        let Some(report) = evaluation.indicator(id) else {
            problems.push(FileProblem {
                path: format!("{id}.indicator"),
                message: format!("指標「{id}」はこの計画にありません。"),
            });
            continue;
        };
        let name = &report.indicator.title;
        if !granted
            .scope()
            .reaches(granted.user(), Some(&report.department))
        {
            problems.push(FileProblem {
                path: format!("{id}.indicator"),
                message: format!("指標「{name}」は、あなたの課の指標ではありません。"),
            });
            continue;
        }
        let mut cell = |field: &str, label: &str, text: &str| match parse_value(text) {
            Ok(v) => v,
            Err(why) => {
                problems.push(FileProblem {
                    path: format!("{id}.{field}"),
                    message: format!("{name}の{label}: {why}"),
                });
                None
            }
        };
        let target = cell("target", "目標値", &input.target);
        let actual = cell("actual", "実績値", &input.actual);
        let state = if input.state.trim().is_empty() {
            ValueState::Provisional
        } else if let Some(s) = ValueState::from_code(input.state.trim()) {
            s
        } else {
            problems.push(FileProblem {
                path: format!("{id}.state"),
                message: format!(
                    "{name}の値の状態: 「{}」は速報値（provisional）か確定値（confirmed）です。",
                    input.state.trim()
                ),
            });
            ValueState::Provisional
        };
        if input.note.chars().count() > NOTE_MAX {
            problems.push(FileProblem {
                path: format!("{id}.note"),
                message: format!("{name}の備考: {NOTE_MAX}文字以内で入力してください。"),
            });
        }
        // Stored cells start at version 1.
        let expected = match crate::forms::parse_revision(&input.version) {
            Ok(None) => None,
            Ok(Some(n)) if n > 0 => Some(n),
            _ => {
                problems.push(FileProblem {
                    path: format!("{id}.version"),
                    message: format!("{name}: 版の番号「{}」が不正です。", input.version.trim()),
                });
                None
            }
        };
        if writes
            .iter()
            .any(|w: &ValueWrite| w.indicator == report.indicator.id)
        {
            problems.push(FileProblem {
                path: format!("{id}.indicator"),
                message: format!("指標「{name}」が2回送られています。"),
            });
            continue;
        }
        writes.push(ValueWrite {
            indicator: report.indicator.id.clone(),
            fiscal_year: year,
            target,
            actual,
            state,
            note: input.note.replace("\r\n", "\n").trim_end().to_owned(),
            expected,
        });
    }
    if !problems.is_empty() {
        return Err(EntryError::Invalid(problems));
    }
    let author = Author {
        actor: granted.user().login_id.to_string(),
        at,
    };
    match cx
        .store
        .save_kpi_values(cx.municipality, plan_id, &writes, &author)
        .await
    {
        Ok(saved) => Ok(saved),
        Err(StoreError::Stale(_)) => {
            let now = cx.store.kpi_values(cx.municipality, plan_id).await?;
            let current = now
                .into_iter()
                .filter(|v| {
                    v.fiscal_year == year && writes.iter().any(|w| w.indicator == v.indicator)
                })
                .collect();
            Err(EntryError::Conflict {
                message: "あなたが入力を始めた後に、ほかの人がこの年度の値を変更しています。あなたの入力は保存されていません。保存されている値とあなたの入力を見比べて、もう一度保存してください。".to_owned(),
                current,
            })
        }
        Err(e) => Err(e.into()),
    }
}
