//! まち・ひと・しごと創生総合戦略: basic objectives with numerical targets, measures with KPI
//! definitions, and links from the strategy's measures to the comprehensive plan.
//!
//! Only definitions live here; yearly values and their verification come with the KPI work.

use rust_decimal::Decimal;

use crate::era::FiscalYear;
use crate::ids::{ElementId, ElementRef};
use crate::kpi::Entered;
use crate::plan::PlanHeader;

/// 総合戦略.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strategy {
    /// Identity, purpose, scope, period.
    pub header: PlanHeader,
    /// 基本目標.
    pub basic_objectives: Vec<BasicObjective>,
}

/// 基本目標: an objective of the strategy, measured by numerical targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicObjective {
    /// Stable id.
    pub id: ElementId,
    /// Display number, e.g. "1".
    pub number: String,
    /// Title.
    pub title: String,
    /// Explanation; may be empty.
    pub description: String,
    /// 数値目標.
    pub numerical_targets: Vec<NumericalTarget>,
    /// 施策 of the strategy.
    pub measures: Vec<StrategyMeasure>,
    /// Whether this element is illustrative sample data (サンプル).
    pub sample: bool,
}

/// 施策 of the strategy, with its KPIs and links into the comprehensive plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrategyMeasure {
    /// Stable id.
    pub id: ElementId,
    /// Display number, e.g. "1-2".
    pub number: String,
    /// Title.
    pub title: String,
    /// Explanation; may be empty.
    pub description: String,
    /// 所管課; may be empty.
    pub department: String,
    /// 重要業績評価指標.
    pub kpis: Vec<KpiDefinition>,
    /// Measures of a comprehensive plan this measure corresponds to.
    pub linked_measures: Vec<ElementRef>,
    /// Priority projects of a comprehensive plan this measure corresponds to.
    pub linked_priority_projects: Vec<ElementRef>,
    /// Whether this element is illustrative sample data (サンプル).
    pub sample: bool,
}

/// Which way an indicator should move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// 増加が望ましい.
    Higher,
    /// 減少が望ましい.
    Lower,
    /// 維持が望ましい.
    Maintain,
}

impl Direction {
    /// Every direction.
    pub const ALL: [Self; 3] = [Self::Higher, Self::Lower, Self::Maintain];

    /// The stable code used in files, the database and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Higher => "higher",
            Self::Lower => "lower",
            Self::Maintain => "maintain",
        }
    }

    /// Parses [`Direction::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Higher => "増加を目指す",
            Self::Lower => "減少を目指す",
            Self::Maintain => "維持を目指す",
        }
    }
}

/// How an indicator's yearly values relate to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndicatorType {
    /// 単年度値: the level in that year.
    Level,
    /// 累計値: summed since the baseline.
    Cumulative,
    /// 割合: a rate or percentage.
    Rate,
}

impl IndicatorType {
    /// Every type.
    pub const ALL: [Self; 3] = [Self::Level, Self::Cumulative, Self::Rate];

    /// The stable code used in files, the database and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Level => "level",
            Self::Cumulative => "cumulative",
            Self::Rate => "rate",
        }
    }

    /// Parses [`IndicatorType::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Level => "単年度値",
            Self::Cumulative => "累計値",
            Self::Rate => "割合",
        }
    }
}

/// A value of an indicator in a fiscal year (基準値, 目標値).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearValue {
    /// The value, exact (never floating point).
    pub value: Decimal,
    /// The fiscal year it refers to.
    pub year: FiscalYear,
}

/// The definition of an indicator: what is measured, how, and towards what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indicator {
    /// Stable id.
    pub id: ElementId,
    /// Name of the indicator.
    pub title: String,
    /// Unit, e.g. 人, 件, %.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Level, cumulative or rate.
    pub indicator_type: IndicatorType,
    /// 基準値.
    pub baseline: Option<YearValue>,
    /// 目標値.
    pub target: Option<YearValue>,
    /// 算出方法; may be empty.
    pub calculation_method: String,
    /// 出典; may be empty.
    pub data_source: String,
    /// 所管課; may be empty.
    pub department: String,
    /// Whether this element is illustrative sample data (サンプル).
    pub sample: bool,
    /// 指標コード: the key departments' sheets use, stable and unique in the plan; may be empty
    /// (then the id is the key).
    pub code: String,
    /// Decimal places to display (`None`: as entered).
    pub decimals: Option<u32>,
    /// 中間目標値: the plan's targets for years before the target year.
    pub interim_targets: Vec<YearValue>,
    /// 許容幅 (±, in the unit) of a maintain-type indicator.
    pub tolerance: Option<Decimal>,
    /// How the actuals of a cumulative indicator are entered.
    pub cumulative_entry: Entered,
    /// 把握方法: how the value is obtained; may be empty.
    pub acquisition: String,
    /// How many years after the fiscal year the value becomes known (e.g. 2 for a census
    /// value); `None`: in the year itself or not stated.
    pub lag_years: Option<u32>,
    /// 定義の変更: changes of definition, with the year each took effect.
    pub definition_changes: Vec<DefinitionChange>,
}

/// A change of an indicator's definition, and the fiscal year it took effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionChange {
    /// The first fiscal year the new definition applies to.
    pub year: FiscalYear,
    /// What changed.
    pub note: String,
}

impl Indicator {
    /// The key of the indicator in sheets and the API: its code, or its id when it has none.
    pub fn key(&self) -> &str {
        if self.code.trim().is_empty() {
            self.id.as_str()
        } else {
            self.code.trim()
        }
    }
}

/// 数値目標 of a basic objective.
pub type NumericalTarget = Indicator;
/// KPI (重要業績評価指標) of a strategy measure.
pub type KpiDefinition = Indicator;

impl Strategy {
    /// The basic objective with this id.
    pub fn objective(&self, id: &ElementId) -> Option<&BasicObjective> {
        self.basic_objectives.iter().find(|o| &o.id == id)
    }

    /// The measure with this id, with its objective.
    pub fn measure(&self, id: &ElementId) -> Option<(&BasicObjective, &StrategyMeasure)> {
        self.basic_objectives
            .iter()
            .flat_map(|o| o.measures.iter().map(move |m| (o, m)))
            .find(|(_, m)| &m.id == id)
    }

    /// Every strategy measure that links to an element of another plan.
    pub fn measures_linking_to<'a>(
        &'a self,
        target: &'a ElementRef,
    ) -> impl Iterator<Item = (&'a BasicObjective, &'a StrategyMeasure)> + 'a {
        self.basic_objectives
            .iter()
            .flat_map(|o| o.measures.iter().map(move |m| (o, m)))
            .filter(move |(_, m)| {
                m.linked_measures.contains(target) || m.linked_priority_projects.contains(target)
            })
    }
}
