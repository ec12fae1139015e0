//! 進捗率 and 達成率 of an indicator in a fiscal year, exactly (decimals, never floats), and
//! why an indicator cannot be evaluated when it cannot (評価不能).
//!
//! - 進捗率 (progress, the default): (A − B) / (T − B) × 100. One formula for both directions:
//!   for a lower-is-better indicator T − B and A − B are both negative when it improves.
//! - 達成率 (achievement, a plan's option): A / T × 100 for higher-is-better; for
//!   lower-is-better the form the plan states ([`LowerForm`]).
//! - Before the target year (after the baseline year) the actual is compared with the
//!   expectation for that year: the plan's interim target when it has one, else the straight
//!   line E = B + (T − B) × (year − baseline year) / (target year − baseline year).
//! - A maintain-type indicator is judged by its tolerance band: |A − T| ≤ tolerance.
//! - A missing value is missing: no 0, no carrying over; the outcome says which one.

use rust_decimal::Decimal;

use crate::era::FiscalYear;
use crate::plan::strategy::{Direction, Indicator, YearValue};

/// Which rate a plan grades by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateKind {
    /// 進捗率: (A − B) / (T − B) × 100.
    Progress,
    /// 達成率: A / T × 100 (lower-is-better: [`LowerForm`]).
    Achievement,
}

impl RateKind {
    /// Both rates.
    pub const ALL: [Self; 2] = [Self::Progress, Self::Achievement];

    /// The stable code used in the database and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::Achievement => "achievement",
        }
    }

    /// Parses [`RateKind::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Progress => "進捗率",
            Self::Achievement => "達成率",
        }
    }
}

/// How a plan states the 達成率 of a lower-is-better indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LowerForm {
    /// T / A × 100 (目標値 ÷ 実績値).
    TargetOverActual,
    /// (2 − A / T) × 100: 100 at the target, more below it, and defined for A = 0.
    TwoMinusRatio,
}

impl LowerForm {
    /// Both forms.
    pub const ALL: [Self; 2] = [Self::TargetOverActual, Self::TwoMinusRatio];

    /// The stable code used in the database and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Self::TargetOverActual => "target_over_actual",
            Self::TwoMinusRatio => "two_minus_ratio",
        }
    }

    /// Parses [`LowerForm::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The formula in words, for the settings page and the sheets.
    pub const fn label(self) -> &'static str {
        match self {
            Self::TargetOverActual => "目標値 ÷ 実績値 × 100",
            Self::TwoMinusRatio => "(2 − 実績値 ÷ 目標値) × 100",
        }
    }
}

/// Why an indicator cannot be evaluated for a year (評価不能).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unevaluable {
    /// No actual for the year (未把握).
    MissingActual,
    /// No baseline (基準値).
    MissingBaseline,
    /// No target (目標値).
    MissingTarget,
    /// The target equals the baseline: there is no distance to make progress on.
    TargetEqualsBaseline,
    /// The year's expectation equals the baseline (an interim target at the baseline value).
    ExpectationEqualsBaseline,
    /// 達成率 with a target of 0 (or, for T / A, an actual of 0).
    DivisionByZero,
    /// A maintain-type indicator without a tolerance band.
    MissingTolerance,
    /// A cumulative indicator entered as yearly amounts lacks the amount of a year.
    MissingYear(FiscalYear),
}

impl Unevaluable {
    /// The reason in Japanese, for pages, sheets and reports.
    pub fn reason(self) -> String {
        match self {
            Self::MissingActual => "実績値が未把握です。".to_owned(),
            Self::MissingBaseline => "基準値がありません。".to_owned(),
            Self::MissingTarget => "目標値がありません。".to_owned(),
            Self::TargetEqualsBaseline => {
                "目標値が基準値と同じため、進捗率を計算できません。".to_owned()
            }
            Self::ExpectationEqualsBaseline => {
                "この年度の中間目標が基準値と同じため、進捗率を計算できません。".to_owned()
            }
            Self::DivisionByZero => "0で割ることになるため、達成率を計算できません。".to_owned(),
            Self::MissingTolerance => "維持を目指す指標に許容幅が設定されていません。".to_owned(),
            Self::MissingYear(year) => format!(
                "累計の計算に必要な{}の実績値が未把握です。",
                crate::format::fiscal_year(year)
            ),
        }
    }
}

/// What the actual was compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference {
    /// The target (目標値), in or after the target year.
    Target(Decimal),
    /// The year's expectation before the target year: the plan's interim target, or the
    /// straight line from the baseline to the target.
    Interim {
        /// The expected value.
        expected: Decimal,
        /// Whether it is the plan's own interim target (else the straight line).
        stated: bool,
    },
}

impl Reference {
    /// The value compared with.
    pub fn value(self) -> Decimal {
        match self {
            Self::Target(v) | Self::Interim { expected: v, .. } => v,
        }
    }
}

/// The outcome of evaluating an indicator for a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A rate in percent (exact), and what it was measured against.
    Rate {
        /// The rate, in percent.
        percent: Decimal,
        /// What the actual was compared with.
        against: Reference,
    },
    /// A maintain-type indicator: whether the actual is within the band around the target.
    Maintained {
        /// Within the tolerance band.
        within: bool,
        /// A − T.
        deviation: Decimal,
    },
    /// Not evaluable, and why.
    Unevaluable(Unevaluable),
}

/// What evaluating an indicator needs besides its definition.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings<'a> {
    /// The plan's interim targets of this indicator, by fiscal year.
    pub interim: &'a [YearValue],
    /// The tolerance band of a maintain-type indicator, in its unit (±).
    pub tolerance: Option<Decimal>,
    /// The plan's form of 達成率 for lower-is-better indicators (default: T / A).
    pub lower_form: Option<LowerForm>,
}

impl<'a> Settings<'a> {
    /// The settings the indicator's own definition carries (its interim targets and
    /// tolerance), with the plan's form of 達成率 for lower-is-better indicators.
    pub fn of(indicator: &'a Indicator, lower_form: Option<LowerForm>) -> Self {
        Self {
            interim: &indicator.interim_targets,
            tolerance: indicator.tolerance,
            lower_form,
        }
    }
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// The indicator's rate for the actual of a year (`None`: not entered — 未把握).
pub fn evaluate(
    indicator: &Indicator,
    kind: RateKind,
    actual: Option<YearValue>,
    settings: &Settings<'_>,
) -> Outcome {
    match rate(indicator, kind, actual, settings) {
        Ok(outcome) => outcome,
        Err(why) => Outcome::Unevaluable(why),
    }
}

fn rate(
    indicator: &Indicator,
    kind: RateKind,
    actual: Option<YearValue>,
    settings: &Settings<'_>,
) -> Result<Outcome, Unevaluable> {
    let actual = actual.ok_or(Unevaluable::MissingActual)?;
    let target = indicator.target.ok_or(Unevaluable::MissingTarget)?;
    if indicator.direction == Direction::Maintain {
        let tolerance = settings.tolerance.ok_or(Unevaluable::MissingTolerance)?;
        let deviation = actual.value - target.value;
        return Ok(Outcome::Maintained {
            within: deviation.abs() <= tolerance.abs(),
            deviation,
        });
    }
    let reference = reference(indicator, actual.year, settings.interim)?;
    let a = actual.value;
    let r = reference.value();
    let percent = match kind {
        RateKind::Progress => {
            let b = indicator
                .baseline
                .ok_or(Unevaluable::MissingBaseline)?
                .value;
            if r == b {
                return Err(match reference {
                    Reference::Target(_) => Unevaluable::TargetEqualsBaseline,
                    Reference::Interim { .. } => Unevaluable::ExpectationEqualsBaseline,
                });
            }
            divide(a - b, r - b)?
        }
        RateKind::Achievement => match (indicator.direction, settings.lower_form) {
            (Direction::Lower, Some(LowerForm::TwoMinusRatio)) => {
                (Decimal::TWO * HUNDRED - divide(a, r)?).normalize()
            }
            (Direction::Lower, _) => divide(r, a)?,
            _ => divide(a, r)?,
        },
    };
    Ok(Outcome::Rate {
        percent,
        against: reference,
    })
}

/// x × 100 / y in decimals (multiplied first, so a repeating quotient keeps Decimal's 28
/// significant digits); division by zero is not evaluable.
fn divide(x: Decimal, y: Decimal) -> Result<Decimal, Unevaluable> {
    x.checked_mul(HUNDRED)
        .and_then(|p| p.checked_div(y))
        .map(|q| q.normalize())
        .ok_or(Unevaluable::DivisionByZero)
}

/// What a year's actual is compared with: the target in or after its year; before it (and
/// after the baseline year), the interim target for the year or the straight line.
pub fn reference(
    indicator: &Indicator,
    year: FiscalYear,
    interim: &[YearValue],
) -> Result<Reference, Unevaluable> {
    let target = indicator.target.ok_or(Unevaluable::MissingTarget)?;
    if year >= target.year {
        return Ok(Reference::Target(target.value));
    }
    if let Some(stated) = interim.iter().find(|v| v.year == year) {
        return Ok(Reference::Interim {
            expected: stated.value,
            stated: true,
        });
    }
    let Some(baseline) = indicator.baseline else {
        // Without a baseline there is no line to interpolate on: the target itself.
        return Ok(Reference::Target(target.value));
    };
    if year <= baseline.year || target.year <= baseline.year {
        return Ok(Reference::Target(target.value));
    }
    let elapsed = Decimal::from(year.year() - baseline.year.year());
    let span = Decimal::from(target.year.year() - baseline.year.year());
    let expected = baseline.value + (target.value - baseline.value) * elapsed / span;
    Ok(Reference::Interim {
        expected: expected.normalize(),
        stated: false,
    })
}

/// How a cumulative indicator's actuals are entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entered {
    /// Each year's amount (単年度の実績): the total is the baseline plus the amounts since.
    YearlyAmounts,
    /// The running total (累計) itself.
    RunningTotals,
}

/// The actual of a cumulative indicator in `year`, from the values entered per fiscal year:
/// a running total as entered, or the baseline plus every yearly amount after the baseline
/// year up to `year` (a missing year makes it not evaluable — it is never taken as 0).
pub fn cumulative_actual(
    entered: Entered,
    baseline: Option<YearValue>,
    values: &[YearValue],
    year: FiscalYear,
) -> Result<YearValue, Unevaluable> {
    let of = |y: FiscalYear| values.iter().find(|v| v.year == y).map(|v| v.value);
    match entered {
        Entered::RunningTotals => of(year)
            .map(|value| YearValue { value, year })
            .ok_or(Unevaluable::MissingActual),
        Entered::YearlyAmounts => {
            let baseline = baseline.ok_or(Unevaluable::MissingBaseline)?;
            of(year).ok_or(Unevaluable::MissingActual)?;
            let mut total = baseline.value;
            let mut y = baseline.year.next();
            while y <= year {
                total += of(y).ok_or(Unevaluable::MissingYear(y))?;
                y = y.next();
            }
            Ok(YearValue { value: total, year })
        }
    }
}
