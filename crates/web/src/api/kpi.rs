//! The KPI API (tag `kpi`): a plan's indicators evaluated, for staff (`GET
//! /api/v1/plans/{plan}/kpi`), and the entry of a fiscal year's values by script (`PUT
//! /api/v1/plans/{plan}/kpi/{year}`) — the use cases of the staff pages (`keikaku_app::kpi`),
//! so the same rules: a department editor enters only its own department's indicators, only
//! while the plan is adopted or published, within its period, all cells or none, and a cell
//! changed since it was read is a `409` carrying the stored cells.
//!
//! Values are decimal strings, exactly as stored or computed (never floats); a missing value
//! is `null`, never `0`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::access::Action;
use keikaku_app::kpi::{CellInput, EntryError, Evaluation, IndicatorReport, save_entries};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::kpi::{
    GradeScale, Outcome, Reference, Tally, Unevaluable, ValueState, YearResult, YearlyValue,
};
use keikaku_domain::plan::strategy::YearValue;
use keikaku_planfile::FileProblem;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::auth::ApiUser;
use crate::api::edit::{bad_json, granted, no_store, plan_id};
use crate::api::{ApiError, ApiPath, ApiQuery, only_params};
use crate::clock::now;
use crate::error::{Current, FieldProblem};
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/api/v1/plans/{plan}/kpi" => get_evaluation,
        ReadDrafts,
        "/api/v1/plans/sogo-senryaku/kpi"
    ),
    route!(
        PUT "/api/v1/plans/{plan}/kpi/{year}" => put_values,
        EnterKpiValues,
        "/api/v1/plans/sogo-senryaku/kpi/2019"
    ),
];

// ---------------------------------------------------------------- the evaluation

/// A plan's indicators evaluated up to a fiscal year.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiEvaluation {
    /// The plan.
    pub plan: String,
    /// The fiscal year evaluated up to: each indicator's latest actual on or before it counts.
    pub until: i32,
    /// The fiscal years of the plan's period.
    pub years: Vec<i32>,
    /// How the plan evaluates.
    pub settings: KpiSettings,
    /// Every indicator (数値目標, KPI, 成果指標), in plan order.
    pub indicators: Vec<KpiIndicator>,
    /// The grades counted over the plan and per outermost group.
    pub tally: KpiTally,
}

/// How a plan evaluates its indicators.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiSettings {
    /// The rate graded and given as `outcome.percent`: `progress` (進捗率) or `achievement`
    /// (達成率).
    pub basis: String,
    /// The form of 達成率 for lower-is-better indicators: `target_over_actual` or
    /// `two_minus_ratio`.
    pub lower_form: String,
    /// The grades, best first.
    pub grades: Vec<KpiGrade>,
    /// The word for a missing actual (「未把握」 unless the plan sets its own).
    pub missing_label: String,
}

/// One grade of the scale.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiGrade {
    /// Its label (A, ◎ …).
    pub label: String,
    /// The lowest rate in percent that earns it (decimal string); `null` for the lowest grade.
    pub at_least: Option<String>,
}

/// An element an indicator rolls up into.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiGroup {
    /// Its kind (`basic_objective`, `goal`, `field`, …).
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Its display number (may be empty).
    pub number: String,
    /// Its title.
    pub title: String,
}

/// A value with the fiscal year it refers to.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiYearValue {
    /// The value (decimal string).
    pub value: String,
    /// The fiscal year.
    pub fiscal_year: i32,
}

/// One indicator, evaluated.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiIndicator {
    /// Its id (the `indicator` of a write).
    pub id: String,
    /// 指標コード (may be empty).
    pub code: String,
    /// 指標名.
    pub title: String,
    /// `numerical_target`, `kpi` or `outcome_indicator`.
    pub kind: String,
    /// Unit (may be empty).
    pub unit: String,
    /// `higher`, `lower` or `maintain`.
    pub direction: String,
    /// `level`, `cumulative` or `rate`.
    pub indicator_type: String,
    /// 所管課 (its own, else its group's; may be empty).
    pub department: String,
    /// The groups it rolls up into, outermost first.
    pub groups: Vec<KpiGroup>,
    /// 基準値, or `null`.
    pub baseline: Option<KpiYearValue>,
    /// 目標値, or `null`.
    pub target: Option<KpiYearValue>,
    /// Every fiscal year of the plan's period.
    pub years: Vec<KpiYear>,
    /// The latest year with an actual on or before `until`; `null`: none yet (未把握).
    pub latest: Option<KpiYear>,
    /// The grade of `latest`; `null` when not evaluable or without an actual.
    pub grade: Option<String>,
}

/// One fiscal year of an indicator: its stored cell and its evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiYear {
    /// The fiscal year.
    pub fiscal_year: i32,
    /// 目標値 entered for the year, or `null`.
    pub target: Option<String>,
    /// 実績値 as entered, or `null` (未把握).
    pub actual: Option<String>,
    /// The actual the year is judged by (for a cumulative indicator entered as yearly
    /// amounts: the running total), or `null`.
    pub evaluated_actual: Option<String>,
    /// The stored cell's state, `provisional` (速報値) or `confirmed` (確定値); `null`
    /// without a stored cell.
    pub state: Option<String>,
    /// 備考 (empty without one).
    pub note: String,
    /// The stored cell's version, to send back with a write; `null` without a stored cell.
    pub version: Option<i64>,
    /// Who entered the cell last, or `null`.
    pub entered_by: Option<String>,
    /// When (ISO 8601, UTC), or `null`.
    pub entered_at: Option<String>,
    /// The evaluation of the year.
    pub outcome: KpiOutcome,
    /// The grade of the year; `null` when not evaluable.
    pub grade: Option<String>,
}

/// The outcome of evaluating a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiOutcome {
    /// `rate`, `maintained` or `unevaluable`.
    pub kind: String,
    /// For `rate`: the plan's rate (`settings.basis`) in percent, exact (decimal string).
    pub percent: Option<String>,
    /// For `rate`: what the actual was compared with.
    pub against: Option<KpiReference>,
    /// For `maintained`: whether the actual is within the tolerance band.
    pub within: Option<bool>,
    /// For `maintained`: actual − target (decimal string).
    pub deviation: Option<String>,
    /// For `unevaluable`: why, as a code (`missing_actual`, `missing_baseline`,
    /// `missing_target`, `target_equals_baseline`, `expectation_equals_baseline`,
    /// `division_by_zero`, `missing_tolerance`, `missing_year`).
    pub unevaluable: Option<String>,
    /// For `unevaluable`: why, in Japanese.
    pub reason: Option<String>,
}

/// What an actual was compared with.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReference {
    /// `target` (目標値, in or after the target year), `interim` (the plan's interim target or
    /// the target entered for the year) or `straight_line` (from the baseline to the target).
    pub kind: String,
    /// The value compared with (decimal string).
    pub value: String,
}

/// Grades counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiCounts {
    /// Each grade's label and count, in the scale's order.
    pub counts: Vec<KpiGradeCount>,
    /// How many could not be evaluated (評価不能, no actual yet included).
    pub unevaluable: usize,
    /// All indicators counted.
    pub total: usize,
}

/// One grade's count.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiGradeCount {
    /// The grade.
    pub label: String,
    /// How many indicators have it.
    pub count: usize,
}

/// The grades counted over the whole plan and per outermost group (基本目標, まちづくりの目標).
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiTally {
    /// The whole plan.
    pub plan: KpiCounts,
    /// Each outermost group, in plan order.
    pub groups: Vec<KpiGroupTally>,
}

/// The grades counted under one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiGroupTally {
    /// The group.
    pub group: KpiGroup,
    /// Its counts.
    pub tally: KpiCounts,
}

fn decimal(d: Decimal) -> String {
    d.to_string()
}

fn year_value(v: Option<&YearValue>) -> Option<KpiYearValue> {
    v.map(|v| KpiYearValue {
        value: decimal(v.value),
        fiscal_year: v.year.year(),
    })
}

fn unevaluable_code(why: Unevaluable) -> &'static str {
    match why {
        Unevaluable::MissingActual => "missing_actual",
        Unevaluable::MissingBaseline => "missing_baseline",
        Unevaluable::MissingTarget => "missing_target",
        Unevaluable::TargetEqualsBaseline => "target_equals_baseline",
        Unevaluable::ExpectationEqualsBaseline => "expectation_equals_baseline",
        Unevaluable::DivisionByZero => "division_by_zero",
        Unevaluable::MissingTolerance => "missing_tolerance",
        Unevaluable::MissingYear(_) => "missing_year",
    }
}

fn outcome(o: &Outcome) -> KpiOutcome {
    let empty = |kind: &str| KpiOutcome {
        kind: kind.to_owned(),
        percent: None,
        against: None,
        within: None,
        deviation: None,
        unevaluable: None,
        reason: None,
    };
    match *o {
        Outcome::Rate { percent, against } => KpiOutcome {
            percent: Some(decimal(percent.normalize())),
            against: Some(KpiReference {
                kind: match against {
                    Reference::Target(_) => "target",
                    Reference::Interim { stated: true, .. } => "interim",
                    Reference::Interim { stated: false, .. } => "straight_line",
                }
                .to_owned(),
                value: decimal(against.value()),
            }),
            ..empty("rate")
        },
        Outcome::Maintained { within, deviation } => KpiOutcome {
            within: Some(within),
            deviation: Some(decimal(deviation)),
            ..empty("maintained")
        },
        Outcome::Unevaluable(why) => KpiOutcome {
            unevaluable: Some(unevaluable_code(why).to_owned()),
            reason: Some(why.reason()),
            ..empty("unevaluable")
        },
    }
}

fn year(report: &IndicatorReport, scale: &GradeScale, result: &YearResult) -> KpiYear {
    let stored = report.value(result.year);
    KpiYear {
        fiscal_year: result.year.year(),
        target: result.target.map(decimal),
        actual: result.entered.map(decimal),
        evaluated_actual: result.actual.map(decimal),
        state: stored.map(|v| v.state.code().to_owned()),
        note: stored.map(|v| v.note.clone()).unwrap_or_default(),
        version: stored.map(|v| v.version),
        entered_by: stored.map(|v| v.entered_by.clone()),
        entered_at: stored.map(|v| v.entered_at.to_iso()),
        outcome: outcome(&result.outcome),
        grade: scale.of(&result.outcome).map(|g| g.label.clone()),
    }
}

fn group(g: &keikaku_app::kpi::GroupRef) -> KpiGroup {
    KpiGroup {
        kind: g.kind.code().to_owned(),
        id: g.id.to_string(),
        number: g.number.clone(),
        title: g.title.clone(),
    }
}

fn counts(t: Tally) -> KpiCounts {
    KpiCounts {
        total: t.total(),
        unevaluable: t.unevaluable,
        counts: t
            .counts
            .into_iter()
            .map(|(label, count)| KpiGradeCount { label, count })
            .collect(),
    }
}

fn indicator(e: &Evaluation, r: &IndicatorReport) -> KpiIndicator {
    let scale = &e.settings.scale;
    let i = &r.indicator;
    KpiIndicator {
        id: i.id.to_string(),
        code: i.code.clone(),
        title: i.title.clone(),
        kind: r.kind.code().to_owned(),
        unit: i.unit.clone(),
        direction: i.direction.code().to_owned(),
        indicator_type: i.indicator_type.code().to_owned(),
        department: r.department.clone(),
        groups: r.groups.iter().map(group).collect(),
        baseline: year_value(i.baseline.as_ref()),
        target: year_value(i.target.as_ref()),
        years: r.years.iter().map(|y| year(r, scale, y)).collect(),
        latest: r.latest.as_ref().map(|y| year(r, scale, y)),
        grade: r.grade.clone(),
    }
}

fn evaluation_dto(e: &Evaluation) -> KpiEvaluation {
    let scale = &e.settings.scale;
    KpiEvaluation {
        plan: e.plan.id().to_string(),
        until: e.until.year(),
        years: e.years.iter().map(|y| y.year()).collect(),
        settings: KpiSettings {
            basis: scale.basis.code().to_owned(),
            lower_form: e.settings.lower_form.code().to_owned(),
            grades: scale
                .grades
                .iter()
                .map(|g| KpiGrade {
                    label: g.label.clone(),
                    at_least: g.at_least.map(decimal),
                })
                .collect(),
            missing_label: e.settings.missing_label.clone(),
        },
        indicators: e.indicators.iter().map(|r| indicator(e, r)).collect(),
        tally: KpiTally {
            plan: counts(e.tally(e.indicators.iter())),
            groups: e
                .top_groups()
                .into_iter()
                .map(|g| KpiGroupTally {
                    group: group(g),
                    tally: counts(e.tally(e.under(&g.id))),
                })
                .collect(),
        },
    }
}

/// Reads a fiscal year as the pages do (2019, 令和元年度, R1, H27 …).
pub(crate) fn fiscal_year(what: &str, text: &str) -> Result<FiscalYear, ApiError> {
    FiscalYear::parse(text.trim())
        .map_err(|e| ApiError::BadRequest(format!("{what}を年度として読めません: {e}")))
}

/// The plan's indicators evaluated, with their yearly values (the working copy's
/// definitions: staff read drafts).
#[utoipa::path(get, path = "/api/v1/plans/{plan}/kpi", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("until" = Option<String>, Query, description = "The fiscal year evaluated up to (2019, 令和元年度, R1 …); default: the last year of the plan's period", example = "2019")),
    security(("token" = [])),
    responses((status = 200, body = KpiEvaluation), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope),
        (status = 403, body = crate::error::ErrorEnvelope), (status = 404, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn get_evaluation(
    State(state): State<AppState>,
    _user: ApiUser,
    ApiPath(plan): ApiPath<String>,
    ApiQuery(params): ApiQuery,
) -> Result<Response, ApiError> {
    only_params(&params, &["until"])?;
    let plan = plan_id(&plan)?;
    let until = match params.get("until").map(|u| u.trim()) {
        None | Some("") => None,
        Some(u) => Some(fiscal_year("until", u)?),
    };
    let e = state.catalog.evaluation(&plan, until).await?;
    Ok(no_store(StatusCode::OK, evaluation_dto(&e)))
}

// ---------------------------------------------------------------- entering values

/// The values of a fiscal year, one cell per indicator. Each cell is written whole: a member
/// left out is `null` (or empty), so a cell sent without its `target` clears that target.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiValuesChange {
    /// The cells, each indicator at most once.
    pub values: Vec<KpiCellChange>,
}

/// One indicator's cell of the year.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiCellChange {
    /// The indicator's id (`indicators[].id` of the evaluation).
    pub indicator: String,
    /// 目標値 of the year as a decimal string (full-width digits, thousands separators and a
    /// trailing 「%」 are read); `null`, empty or 「-」: none.
    #[serde(default)]
    #[schema(example = "330")]
    pub target: Option<String>,
    /// 実績値 as a decimal string; `null`, empty or 「-」: 未把握 (never 0).
    #[serde(default)]
    #[schema(example = "312.5")]
    pub actual: Option<String>,
    /// 速報値 or 確定値; left out: `provisional`.
    #[serde(default)]
    pub state: Option<KpiValueState>,
    /// 備考 (at most 2,000 characters).
    #[serde(default)]
    pub note: Option<String>,
    /// The cell's version as read (`years[].version`); `null` for a cell not stored yet.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub version: Option<i64>,
}

/// Whether an actual is provisional or confirmed.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KpiValueState {
    /// 速報値.
    Provisional,
    /// 確定値.
    Confirmed,
}

impl From<KpiValueState> for ValueState {
    fn from(s: KpiValueState) -> Self {
        match s {
            KpiValueState::Provisional => Self::Provisional,
            KpiValueState::Confirmed => Self::Confirmed,
        }
    }
}

/// A stored cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiCell {
    /// The indicator.
    pub indicator: String,
    /// The fiscal year.
    pub fiscal_year: i32,
    /// 目標値 of the year (decimal string), or `null`.
    pub target: Option<String>,
    /// 実績値 (decimal string), or `null` (未把握).
    pub actual: Option<String>,
    /// `provisional` or `confirmed`.
    pub state: String,
    /// 備考.
    pub note: String,
    /// Who entered it last.
    pub entered_by: String,
    /// When (ISO 8601, UTC).
    pub entered_at: String,
    /// Its version, to send with the next write.
    pub version: i64,
}

impl From<&YearlyValue> for KpiCell {
    fn from(v: &YearlyValue) -> Self {
        Self {
            indicator: v.indicator.to_string(),
            fiscal_year: v.fiscal_year.year(),
            target: v.target.map(decimal),
            actual: v.actual.map(decimal),
            state: v.state.code().to_owned(),
            note: v.note.clone(),
            entered_by: v.entered_by.clone(),
            entered_at: v.entered_at.to_iso(),
            version: v.version,
        }
    }
}

/// The cells as stored by a write.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiSavedValues {
    /// The plan.
    pub plan: String,
    /// The fiscal year.
    pub fiscal_year: i32,
    /// The cells written, as stored now.
    pub values: Vec<KpiCell>,
}

/// What was sent, as the use case takes it.
fn cell(c: KpiCellChange) -> CellInput {
    CellInput {
        indicator: c.indicator,
        target: c.target.unwrap_or_default(),
        actual: c.actual.unwrap_or_default(),
        state: ValueState::from(c.state.unwrap_or(KpiValueState::Provisional))
            .code()
            .to_owned(),
        note: c.note.unwrap_or_default(),
        version: c.version.map(|v| v.to_string()).unwrap_or_default(),
    }
}

/// The use case's problems, named `{indicator}.{field}`, by JSON path of the request's member
/// `list`, whose elements name the indicators `ids` in order (`$.values[2].actual`). It
/// reports them in the order of the elements, so each is the first element of its indicator
/// from the previous problem's on: an indicator sent twice is named at its second place.
pub(crate) fn by_json_path(found: Vec<FileProblem>, list: &str, ids: &[&str]) -> Vec<FieldProblem> {
    let mut from = 0;
    found
        .into_iter()
        .map(|p| {
            let (id, field) = p.path.rsplit_once('.').unwrap_or((p.path.as_str(), ""));
            let at = ids
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, i)| i.trim() == id)
                .map(|(i, _)| i);
            let field = match at {
                Some(i) => {
                    from = i;
                    format!("$.{list}[{i}].{field}")
                }
                None => format!("$.{list}"),
            };
            FieldProblem {
                field,
                message: p.message,
            }
        })
        .collect()
}

/// Enters the values of a fiscal year for some indicators, all or none.
#[utoipa::path(put, path = "/api/v1/plans/{plan}/kpi/{year}", tag = "kpi",
    params(("plan" = String, Path, description = "Plan id", example = "sogo-senryaku", pattern = "^[a-z0-9][a-z0-9_-]{0,63}$"),
        ("year" = String, Path, description = "The fiscal year (2019; 令和元年度, R1 … are read too); within the plan's period", example = "2019")),
    request_body = KpiValuesChange, security(("token" = [])),
    responses((status = 200, body = KpiSavedValues), (status = 400, body = crate::error::ErrorEnvelope),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such plan, or the year is outside its period", body = crate::error::ErrorEnvelope),
        (status = 409, description = "A cell changed since it was read (`current`: the stored cells), or the plan is not open for entry", body = crate::error::ErrorEnvelope),
        (status = 422, description = "Every refused cell, by JSON path (`$.values[2].actual`)", body = crate::error::ErrorEnvelope)))]
pub(crate) async fn put_values(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((plan, year)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery,
    body: Result<Json<KpiValuesChange>, JsonRejection>,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    let plan = plan_id(&plan)?;
    let year = fiscal_year("URLの年度", &year)?;
    let Json(change) = body.map_err(|e| bad_json(&e))?;
    let granted = granted(user, Action::EnterKpiValues)?;
    if change.values.is_empty() {
        return Err(ApiError::Invalid(vec![FieldProblem {
            field: "$.values".to_owned(),
            message: "保存する値がありません（values に1件以上の指標を送ってください）。"
                .to_owned(),
        }]));
    }
    let inputs: Vec<CellInput> = change.values.into_iter().map(cell).collect();
    let at = now().map_err(|e| ApiError::Internal(format!("{e:?}")))?;
    match save_entries(&state.catalog.context(), &granted, &plan, year, &inputs, at).await {
        Ok(saved) => Ok(no_store(
            StatusCode::OK,
            KpiSavedValues {
                plan: plan.to_string(),
                fiscal_year: year.year(),
                values: saved.iter().map(KpiCell::from).collect(),
            },
        )),
        Err(EntryError::Invalid(found)) => {
            let ids: Vec<&str> = inputs.iter().map(|c| c.indicator.as_str()).collect();
            Err(ApiError::Invalid(by_json_path(found, "values", &ids)))
        }
        Err(EntryError::Conflict { message, current }) => Err(ApiError::Conflict {
            message,
            current: Some(Current::Values(current.iter().map(KpiCell::from).collect())),
        }),
        Err(EntryError::App(e)) => Err(e.into()),
    }
}
