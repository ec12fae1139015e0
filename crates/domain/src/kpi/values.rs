//! Yearly values of indicators (年度ごとの目標値・実績値), outside the plan's versioned
//! definitions: per indicator and fiscal year an optional target and an optional actual, a
//! state (速報値 / 確定値), a note, who entered it and when, and a version for optimistic
//! concurrency. And the evaluation of a year from a definition and its values — the one place
//! that decides which actual and which expectation a year is judged by.

use rust_decimal::Decimal;

use crate::audit::Timestamp;
use crate::era::FiscalYear;
use crate::ids::ElementId;
use crate::kpi::evaluate::{
    Entered, LowerForm, Outcome, RateKind, Settings, Unevaluable, cumulative_actual, evaluate,
};
use crate::kpi::grade::GradeScale;
use crate::plan::strategy::{Indicator, IndicatorType, YearValue};

/// Whether an actual is provisional or confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueState {
    /// 速報値: may still change.
    Provisional,
    /// 確定値.
    Confirmed,
}

impl ValueState {
    /// Both states.
    pub const ALL: [Self; 2] = [Self::Provisional, Self::Confirmed];

    /// The stable code used in the database, files and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Provisional => "provisional",
            Self::Confirmed => "confirmed",
        }
    }

    /// Parses [`ValueState::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Provisional => "速報値",
            Self::Confirmed => "確定値",
        }
    }
}

/// The values of one indicator in one fiscal year, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearlyValue {
    /// The indicator (an element of the plan).
    pub indicator: ElementId,
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// 目標値 of the year, when the city sets one beside the plan's.
    pub target: Option<Decimal>,
    /// 実績値; `None` is 未把握 (never 0).
    pub actual: Option<Decimal>,
    /// 速報値 or 確定値 (of the actual).
    pub state: ValueState,
    /// A note (e.g. how this year's value was obtained); may be empty.
    pub note: String,
    /// Who entered it last (login id, or `cli`).
    pub entered_by: String,
    /// When.
    pub entered_at: Timestamp,
    /// Grows with every change; a write names the version it started from.
    pub version: i64,
}

/// How a plan evaluates its indicators: the grade scale (and with it the rate graded), the
/// form of 達成率 for lower-is-better indicators, and the word shown for a missing actual.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSettings {
    /// The grade scale; its `basis` is the rate the plan grades (進捗率 by default).
    pub scale: GradeScale,
    /// The plan's form of 達成率 for lower-is-better indicators.
    pub lower_form: LowerForm,
    /// The word for a missing actual (「未把握」 unless the city uses its own).
    pub missing_label: String,
}

/// The word for a missing actual unless a plan sets its own.
pub const MISSING: &str = "未把握";

impl Default for PlanSettings {
    fn default() -> Self {
        Self {
            scale: GradeScale::letters(RateKind::Progress),
            lower_form: LowerForm::TargetOverActual,
            missing_label: MISSING.to_owned(),
        }
    }
}

/// One year of an indicator as evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearResult {
    /// The fiscal year.
    pub year: FiscalYear,
    /// The target entered for the year, if any.
    pub target: Option<Decimal>,
    /// The actual as entered (for a cumulative indicator entered as yearly amounts: the
    /// year's amount).
    pub entered: Option<Decimal>,
    /// The actual the year is judged by (for yearly amounts: the running total).
    pub actual: Option<Decimal>,
    /// Whether the actual is provisional (速報値).
    pub provisional: bool,
    /// The outcome.
    pub outcome: Outcome,
}

/// The values of `indicator` among `values` (any indicators), by fiscal year.
pub fn values_of<'a>(indicator: &ElementId, values: &'a [YearlyValue]) -> Vec<&'a YearlyValue> {
    let mut out: Vec<&YearlyValue> = values
        .iter()
        .filter(|v| &v.indicator == indicator)
        .collect();
    out.sort_by_key(|v| v.fiscal_year);
    out
}

/// The values of every indicator among `values`, each indicator's by fiscal year: one pass
/// for a whole plan, where [`values_of`] per indicator would read all values each time.
pub fn values_by_indicator(
    values: &[YearlyValue],
) -> std::collections::HashMap<&ElementId, Vec<&YearlyValue>> {
    let mut out: std::collections::HashMap<&ElementId, Vec<&YearlyValue>> =
        std::collections::HashMap::new();
    for v in values {
        out.entry(&v.indicator).or_default().push(v);
    }
    for own in out.values_mut() {
        own.sort_by_key(|v| v.fiscal_year);
    }
    out
}

/// Evaluates `year` of an indicator from its definition and its yearly values (of this
/// indicator only). The actual is the year's value — for a cumulative indicator entered as
/// yearly amounts, the baseline plus every amount since (a missing year makes it 評価不能).
/// The expectation of a year before the target year is the plan's interim target for the
/// year; where the plan states none, the target entered for the year; else the straight line.
pub fn evaluate_year(
    indicator: &Indicator,
    values: &[&YearlyValue],
    year: FiscalYear,
    rate: RateKind,
    lower_form: LowerForm,
) -> YearResult {
    let of = |y: FiscalYear| values.iter().find(|v| v.fiscal_year == y);
    let this = of(year);
    let entered = this.and_then(|v| v.actual);
    let yearly_amounts = indicator.indicator_type == IndicatorType::Cumulative
        && indicator.cumulative_entry == Entered::YearlyAmounts;
    let actual: Result<Option<YearValue>, Unevaluable> = if yearly_amounts {
        let amounts: Vec<YearValue> = values
            .iter()
            .filter_map(|v| {
                v.actual.map(|value| YearValue {
                    value,
                    year: v.fiscal_year,
                })
            })
            .collect();
        cumulative_actual(Entered::YearlyAmounts, indicator.baseline, &amounts, year).map(Some)
    } else {
        Ok(entered.map(|value| YearValue { value, year }))
    };
    let mut interim = indicator.interim_targets.clone();
    for v in values {
        if let Some(t) = v.target
            && !interim.iter().any(|i| i.year == v.fiscal_year)
        {
            interim.push(YearValue {
                value: t,
                year: v.fiscal_year,
            });
        }
    }
    let settings = Settings {
        interim: &interim,
        tolerance: indicator.tolerance,
        lower_form: Some(lower_form),
    };
    let (actual, outcome) = match actual {
        Ok(a) => (a.map(|v| v.value), evaluate(indicator, rate, a, &settings)),
        Err(why) => (None, Outcome::Unevaluable(why)),
    };
    YearResult {
        year,
        target: this.and_then(|v| v.target),
        entered,
        actual,
        provisional: this.is_some_and(|v| v.actual.is_some() && v.state == ValueState::Provisional),
        outcome,
    }
}

/// The latest fiscal year up to `until` with an actual entered, if any: the year an
/// indicator's current state is read from.
pub fn latest_actual_year(values: &[&YearlyValue], until: FiscalYear) -> Option<FiscalYear> {
    values
        .iter()
        .filter(|v| v.actual.is_some() && v.fiscal_year <= until)
        .map(|v| v.fiscal_year)
        .max()
}
