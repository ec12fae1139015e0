//! The vocabulary of plan elements, defined once: every kind of element a plan is made of,
//! with the code stored for it, its one Japanese label, where it may be added, which links it
//! has and which fields it carries (with their labels and value types). Storage, the forms,
//! the pages, the diff and the audit log all speak in these types, so that no layer matches
//! kinds or field names as strings of its own.

use crate::kpi::Entered;
use crate::plan::strategy::{Direction, IndicatorType};
use crate::plan::{Plan, PlanKind};

/// The kinds of element a plan is made of; with a plan id and an element id they locate
/// anything a page, a search hit or (later) an opinion or a program can point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElementKind {
    /// まちづくりの考え方.
    Principle,
    /// まちづくりの目標.
    Goal,
    /// まちづくりの進め方 of the 基本構想.
    VisionApproach,
    /// 基本計画.
    BasicPlan,
    /// 重点プロジェクト.
    PriorityProject,
    /// 分野.
    Field,
    /// 施策 of a comprehensive plan.
    Measure,
    /// まちづくりの進め方 of a 基本計画.
    PlanApproach,
    /// 基本目標.
    BasicObjective,
    /// 数値目標.
    NumericalTarget,
    /// 施策 of a strategy.
    StrategyMeasure,
    /// KPI.
    Kpi,
    /// 成果指標 of a 分野 or a 施策 of a comprehensive plan.
    OutcomeIndicator,
}

impl ElementKind {
    /// Every kind, comprehensive plan's first, in the order a plan presents them.
    pub const ALL: [Self; 13] = [
        Self::Principle,
        Self::Goal,
        Self::VisionApproach,
        Self::BasicPlan,
        Self::PriorityProject,
        Self::Field,
        Self::Measure,
        Self::PlanApproach,
        Self::BasicObjective,
        Self::NumericalTarget,
        Self::StrategyMeasure,
        Self::Kpi,
        Self::OutcomeIndicator,
    ];

    /// The stable code stored in the database (`plan_element.kind`) and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Principle => "principle",
            Self::Goal => "goal",
            Self::VisionApproach => "vision_approach",
            Self::BasicPlan => "basic_plan",
            Self::PriorityProject => "priority_project",
            Self::Field => "field",
            Self::Measure => "measure",
            Self::PlanApproach => "plan_approach",
            Self::BasicObjective => "basic_objective",
            Self::NumericalTarget => "numerical_target",
            Self::StrategyMeasure => "strategy_measure",
            Self::Kpi => "kpi",
            Self::OutcomeIndicator => "outcome_indicator",
        }
    }

    /// Parses [`ElementKind::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Japanese name shown to users, on the public site and in the staff workspace alike.
    pub fn label(self) -> &'static str {
        match self {
            Self::Principle => "まちづくりの考え方",
            Self::Goal => "まちづくりの目標",
            Self::VisionApproach | Self::PlanApproach => "まちづくりの進め方",
            Self::BasicPlan => "基本計画",
            Self::PriorityProject => "重点プロジェクト",
            Self::Field => "分野",
            Self::Measure | Self::StrategyMeasure => "施策",
            Self::BasicObjective => "基本目標",
            Self::NumericalTarget => "数値目標",
            Self::Kpi => "KPI",
            Self::OutcomeIndicator => "成果指標",
        }
    }

    /// The kind of plan elements of this kind belong to.
    pub fn plan_kind(self) -> PlanKind {
        match self {
            Self::BasicObjective | Self::NumericalTarget | Self::StrategyMeasure | Self::Kpi => {
                PlanKind::Strategy
            }
            _ => PlanKind::Comprehensive,
        }
    }

    /// Whether this is an indicator (数値目標, KPI, 成果指標): a value with a baseline and a
    /// target.
    pub fn is_indicator(self) -> bool {
        matches!(
            self,
            Self::NumericalTarget | Self::Kpi | Self::OutcomeIndicator
        )
    }

    /// Whether elements of this kind are assigned to a department (所管課), which then
    /// maintains them.
    pub fn has_department(self) -> bool {
        self.fields()
            .iter()
            .any(|f| f.field == ElementField::Department)
    }

    /// The kinds that may be added under a parent of this kind, in display order.
    pub fn children(self) -> &'static [Self] {
        match self {
            Self::BasicPlan => &[Self::PriorityProject, Self::Field, Self::PlanApproach],
            Self::Field => &[Self::Measure, Self::OutcomeIndicator],
            Self::Measure => &[Self::OutcomeIndicator],
            Self::BasicObjective => &[Self::NumericalTarget, Self::StrategyMeasure],
            Self::StrategyMeasure => &[Self::Kpi],
            _ => &[],
        }
    }

    /// The kinds that may be added at the top level of a plan of this kind, in display order
    /// (基本計画 are made with the plan's structure, not added one by one).
    pub fn top_level(plan: PlanKind) -> &'static [Self] {
        match plan {
            PlanKind::Comprehensive => &[Self::Principle, Self::Goal, Self::VisionApproach],
            PlanKind::Strategy => &[Self::BasicObjective],
        }
    }

    /// The kinds that may be added under `parent` (`None`: the top level) of this plan.
    pub fn addable_under(plan: PlanKind, parent: Option<Self>) -> &'static [Self] {
        match parent {
            None => Self::top_level(plan),
            Some(p) if p.plan_kind() == plan => p.children(),
            Some(_) => &[],
        }
    }

    /// The kinds of links that start at an element of this kind.
    pub fn links(self) -> &'static [LinkKind] {
        match self {
            Self::PriorityProject => &[LinkKind::ProjectMeasure],
            Self::StrategyMeasure => &[LinkKind::StrategyMeasure, LinkKind::StrategyProject],
            _ => &[],
        }
    }

    /// The fields of an element of this kind that users enter, in form order.
    pub fn fields(self) -> &'static [FieldDef<ElementField>] {
        match self {
            Self::Principle | Self::Goal | Self::VisionApproach | Self::PlanApproach => NUMBERED,
            Self::PriorityProject | Self::BasicObjective => NUMBERED_SAMPLE,
            Self::BasicPlan => BASIC_PLAN,
            Self::Field => FIELD,
            Self::Measure => MEASURE,
            Self::StrategyMeasure => STRATEGY_MEASURE,
            Self::NumericalTarget | Self::Kpi | Self::OutcomeIndicator => INDICATOR,
        }
    }
}

/// A kind of many-to-many link between elements (stored in `plan_link.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// 重点プロジェクト → 施策 (関連する施策).
    ProjectMeasure,
    /// 総合戦略の施策 → 総合計画の施策.
    StrategyMeasure,
    /// 総合戦略の施策 → 重点プロジェクト.
    StrategyProject,
}

impl LinkKind {
    /// Every link kind.
    pub const ALL: [Self; 3] = [
        Self::ProjectMeasure,
        Self::StrategyMeasure,
        Self::StrategyProject,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::ProjectMeasure => "priority_project_measure",
            Self::StrategyMeasure => "strategy_measure_measure",
            Self::StrategyProject => "strategy_measure_priority_project",
        }
    }

    /// Parses [`LinkKind::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Japanese name of the link, as a form and a diff show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::ProjectMeasure | Self::StrategyMeasure => "関連する施策",
            Self::StrategyProject => "関連する重点プロジェクト",
        }
    }

    /// The kind of element a link of this kind points at.
    pub fn target(self) -> ElementKind {
        match self {
            Self::ProjectMeasure | Self::StrategyMeasure => ElementKind::Measure,
            Self::StrategyProject => ElementKind::PriorityProject,
        }
    }
}

/// An attribute of an element that users enter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElementField {
    /// 番号 (e.g. 「1-2」).
    Number,
    /// 名称.
    Title,
    /// 説明.
    Description,
    /// The まちづくりの目標 a field belongs to.
    Goal,
    /// 現状と課題.
    CurrentState,
    /// 展開方法.
    CourseOfAction,
    /// 市民の参画.
    CitizenParticipation,
    /// 所管課.
    Department,
    /// 開始年度 of a basic plan.
    StartYear,
    /// 終了年度 of a basic plan.
    EndYear,
    /// 単位.
    Unit,
    /// 目指す方向.
    Direction,
    /// 値の種類.
    IndicatorType,
    /// 基準値.
    BaselineValue,
    /// 基準値の年度.
    BaselineYear,
    /// 目標値.
    TargetValue,
    /// 目標値の年度.
    TargetYear,
    /// 算出方法.
    CalculationMethod,
    /// 出典.
    DataSource,
    /// 指標コード.
    Code,
    /// 表示する小数点以下の桁数.
    Decimals,
    /// 中間目標値, one line per fiscal year.
    InterimTargets,
    /// 許容幅 (±) of a maintain-type indicator.
    Tolerance,
    /// How a cumulative indicator's actuals are entered.
    CumulativeEntry,
    /// 把握方法.
    Acquisition,
    /// 把握時期: years until the value is known.
    LagYears,
    /// 定義の変更, one line per fiscal year.
    DefinitionChanges,
    /// サンプル: the element is illustrative sample data, marked as such on every page.
    Sample,
}

impl ElementField {
    /// Every element field.
    pub const ALL: [Self; 28] = [
        Self::Number,
        Self::Title,
        Self::Description,
        Self::Goal,
        Self::CurrentState,
        Self::CourseOfAction,
        Self::CitizenParticipation,
        Self::Department,
        Self::StartYear,
        Self::EndYear,
        Self::Unit,
        Self::Direction,
        Self::IndicatorType,
        Self::BaselineValue,
        Self::BaselineYear,
        Self::TargetValue,
        Self::TargetYear,
        Self::CalculationMethod,
        Self::DataSource,
        Self::Code,
        Self::Decimals,
        Self::InterimTargets,
        Self::Tolerance,
        Self::CumulativeEntry,
        Self::Acquisition,
        Self::LagYears,
        Self::DefinitionChanges,
        Self::Sample,
    ];

    /// The stable name of the field: the form field, the JSON key of the API and the audit
    /// text, and the database column.
    pub fn name(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Title => "title",
            Self::Description => "description",
            Self::Goal => "goal_id",
            Self::CurrentState => "current_state",
            Self::CourseOfAction => "course_of_action",
            Self::CitizenParticipation => "citizen_participation",
            Self::Department => "department",
            Self::StartYear => "start_year",
            Self::EndYear => "end_year",
            Self::Unit => "unit",
            Self::Direction => "direction",
            Self::IndicatorType => "indicator_type",
            Self::BaselineValue => "baseline_value",
            Self::BaselineYear => "baseline_year",
            Self::TargetValue => "target_value",
            Self::TargetYear => "target_year",
            Self::CalculationMethod => "calculation_method",
            Self::DataSource => "data_source",
            Self::Code => "code",
            Self::Decimals => "decimals",
            Self::InterimTargets => "interim_targets",
            Self::Tolerance => "tolerance",
            Self::CumulativeEntry => "cumulative_entry",
            Self::Acquisition => "acquisition",
            Self::LagYears => "lag_years",
            Self::DefinitionChanges => "definition_changes",
            Self::Sample => "sample",
        }
    }

    /// Parses [`ElementField::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What kind of value the field holds.
    pub fn value_type(self) -> ValueType {
        match self {
            Self::Number
            | Self::Title
            | Self::Department
            | Self::Unit
            | Self::DataSource
            | Self::Code => ValueType::Line,
            Self::Description
            | Self::CurrentState
            | Self::CourseOfAction
            | Self::CitizenParticipation
            | Self::CalculationMethod
            | Self::Acquisition => ValueType::Text,
            Self::Goal => ValueType::Goal,
            Self::StartYear | Self::EndYear | Self::BaselineYear | Self::TargetYear => {
                ValueType::FiscalYear
            }
            Self::BaselineValue | Self::TargetValue | Self::Tolerance => ValueType::Decimal,
            Self::Direction => ValueType::Choice(DIRECTIONS),
            Self::IndicatorType => ValueType::Choice(INDICATOR_TYPES),
            Self::CumulativeEntry => ValueType::Choice(CUMULATIVE_ENTRIES),
            Self::Decimals | Self::LagYears => ValueType::Count,
            Self::InterimTargets => ValueType::YearValues,
            Self::DefinitionChanges => ValueType::YearNotes,
            Self::Sample => ValueType::Flag,
        }
    }

    /// Whether a department editor may change it: the 所管課 and the goal place an element in
    /// the plan and in the departments' work, and an indicator's code is the key of the
    /// departments' sheets, which the planning office decides.
    pub fn decided_by_planning_office(self) -> bool {
        matches!(
            self,
            Self::Department | Self::Goal | Self::Code | Self::Sample
        )
    }

    /// How to fill the field in, shown under its label; `None` when the label says enough.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            Self::Code => Some(
                "半角英数字と「-」「_」「.」、32文字以内（例: K1-1-1）。空欄なら要素IDで識別します。",
            ),
            Self::Decimals => Some("0〜6。空欄なら入力したとおりに表示します。"),
            Self::InterimTargets => Some(
                "1行に1年度、年度と値を空白かタブで区切って入力します（例: 令和3年度 105）。Excelの2列を貼り付けることもできます。",
            ),
            Self::Tolerance => {
                Some("維持を目指す指標で、目標値からこの幅の内にあれば達成とみなします。")
            }
            Self::CumulativeEntry => Some("累計値の指標で、毎年度どちらの値を入力するか。"),
            Self::LagYears => Some("例: 国勢調査の値が2年後に判明するなら 2。"),
            Self::Sample => Some(
                "例示用の値のときにチェックします。市民向けのページで「サンプル」と表示されます。",
            ),
            Self::DefinitionChanges => Some(
                "1行に1件、変更が適用された最初の年度と内容を空白で区切って入力します（例: 令和3年度 調査方法を郵送からWebに変更）。",
            ),
            _ => None,
        }
    }
}

/// An attribute of the plan itself (its 基本事項), edited like an element's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeaderField {
    /// 計画の名称.
    Title,
    /// 目的.
    Purpose,
    /// 範囲.
    Scope,
    /// 期間の説明.
    PeriodDescription,
    /// 将来像 (総合計画 only).
    FutureImage,
    /// 将来像の説明 (総合計画 only).
    FutureImageNote,
}

impl HeaderField {
    /// The stable name of the field (form field, JSON key, column).
    pub fn name(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Purpose => "purpose",
            Self::Scope => "scope",
            Self::PeriodDescription => "period_description",
            Self::FutureImage => "future_image",
            Self::FutureImageNote => "future_image_note",
        }
    }

    /// What kind of value the field holds.
    pub fn value_type(self) -> ValueType {
        match self {
            Self::Title | Self::FutureImage => ValueType::Line,
            Self::Purpose | Self::Scope | Self::PeriodDescription | Self::FutureImageNote => {
                ValueType::Text
            }
        }
    }
}

impl PlanKind {
    /// The fields of the plan's own texts, in form order.
    pub fn header_fields(self) -> &'static [FieldDef<HeaderField>] {
        match self {
            Self::Comprehensive => HEADER_COMPREHENSIVE,
            Self::Strategy => HEADER_STRATEGY,
        }
    }
}

/// What kind of value a field holds, which decides how it is entered and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// One line of text.
    Line,
    /// Several lines of text.
    Text,
    /// A fiscal year (2025, 令和7年度, R7 …), stored as the Western year.
    FiscalYear,
    /// A decimal number (full-width digits and thousands separators accepted).
    Decimal,
    /// One of fixed codes, with their labels.
    Choice(&'static [(&'static str, &'static str)]),
    /// One of the plan's まちづくりの目標.
    Goal,
    /// A whole number ≥ 0 (全角 digits accepted), or empty.
    Count,
    /// Values by fiscal year, one line each: 「令和3年度 105」 (see [`crate::plan::year_lines`]).
    YearValues,
    /// Notes by fiscal year, one line each: 「令和3年度 調査方法を変更」.
    YearNotes,
    /// Yes or no (a checkbox).
    Flag,
}

/// One field of an element kind (or of the plan's own texts): which field, its label there,
/// and whether it must not be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef<F> {
    /// The field.
    pub field: F,
    /// Its Japanese label for this kind (an indicator's 名称 is 「指標名」).
    pub label: &'static str,
    /// Whether it must not be empty.
    pub required: bool,
}

const fn def<F>(field: F, label: &'static str, required: bool) -> FieldDef<F> {
    FieldDef {
        field,
        label,
        required,
    }
}

/// The choices of [`Direction`], as codes and labels.
pub const DIRECTIONS: &[(&str, &str)] = &[
    (Direction::Higher.code(), Direction::Higher.label()),
    (Direction::Lower.code(), Direction::Lower.label()),
    (Direction::Maintain.code(), Direction::Maintain.label()),
];

/// The choices of [`IndicatorType`], as codes and labels.
pub const INDICATOR_TYPES: &[(&str, &str)] = &[
    (IndicatorType::Level.code(), IndicatorType::Level.label()),
    (
        IndicatorType::Cumulative.code(),
        IndicatorType::Cumulative.label(),
    ),
    (IndicatorType::Rate.code(), IndicatorType::Rate.label()),
];

/// The choices of [`Entered`] (how a cumulative indicator's actuals are entered).
pub const CUMULATIVE_ENTRIES: &[(&str, &str)] = &[
    (
        Entered::RunningTotals.code(),
        Entered::RunningTotals.label(),
    ),
    (
        Entered::YearlyAmounts.code(),
        Entered::YearlyAmounts.label(),
    ),
];

impl Entered {
    /// Both ways of entry; the first is the default.
    pub const ALL: [Self; 2] = [Self::RunningTotals, Self::YearlyAmounts];

    /// The stable code used in files, the database and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Self::RunningTotals => "running_totals",
            Self::YearlyAmounts => "yearly_amounts",
        }
    }

    /// Parses [`Entered::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// Japanese label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::RunningTotals => "累計を入力する",
            Self::YearlyAmounts => "各年度の実績を入力する（累計は計算）",
        }
    }
}

use ElementField as E;

const NUMBERED: &[FieldDef<ElementField>] = &[
    def(E::Number, "番号", false),
    def(E::Title, "名称", true),
    def(E::Description, "説明", false),
];
/// The label of the sample flag, the same on every kind that has one.
const SAMPLE: FieldDef<ElementField> = def(E::Sample, "サンプルデータ（例示用の値）", false);
const NUMBERED_SAMPLE: &[FieldDef<ElementField>] = &[
    def(E::Number, "番号", false),
    def(E::Title, "名称", true),
    def(E::Description, "説明", false),
    SAMPLE,
];
const BASIC_PLAN: &[FieldDef<ElementField>] = &[
    def(E::Title, "名称", true),
    def(E::StartYear, "開始年度", true),
    def(E::EndYear, "終了年度", true),
    def(E::Description, "説明", false),
];
const FIELD: &[FieldDef<ElementField>] = &[
    def(E::Number, "番号", false),
    def(E::Title, "名称", true),
    def(E::Goal, "まちづくりの目標", true),
    def(E::CurrentState, "現状と課題", false),
    def(E::Department, "所管課", false),
    SAMPLE,
];
const MEASURE: &[FieldDef<ElementField>] = &[
    def(E::Number, "番号", false),
    def(E::Title, "名称", true),
    def(E::CourseOfAction, "展開方法", false),
    def(E::CitizenParticipation, "市民の参画", false),
    def(E::Department, "所管課", false),
    SAMPLE,
];
const STRATEGY_MEASURE: &[FieldDef<ElementField>] = &[
    def(E::Number, "番号", false),
    def(E::Title, "名称", true),
    def(E::Description, "説明", false),
    def(E::Department, "所管課", false),
    SAMPLE,
];
const INDICATOR: &[FieldDef<ElementField>] = &[
    def(E::Title, "指標名", true),
    def(E::Unit, "単位", false),
    def(E::Direction, "目指す方向", true),
    def(E::IndicatorType, "値の種類", true),
    def(E::BaselineValue, "基準値", false),
    def(E::BaselineYear, "基準値の年度", false),
    def(E::TargetValue, "目標値", false),
    def(E::TargetYear, "目標値の年度", false),
    def(E::Code, "指標コード", false),
    def(E::Decimals, "表示する小数点以下の桁数", false),
    def(E::InterimTargets, "中間目標値", false),
    def(E::Tolerance, "許容幅（±）", false),
    def(E::CumulativeEntry, "累計値の実績の入力方法", false),
    def(E::CalculationMethod, "算出方法", false),
    def(E::DataSource, "出典", false),
    def(E::Acquisition, "把握方法", false),
    def(E::LagYears, "把握時期（判明までの年数）", false),
    def(E::DefinitionChanges, "定義の変更", false),
    def(E::Department, "所管課", false),
    SAMPLE,
];
const HEADER_COMPREHENSIVE: &[FieldDef<HeaderField>] = &[
    def(HeaderField::Title, "計画の名称", true),
    def(HeaderField::Purpose, "目的", false),
    def(HeaderField::Scope, "範囲", false),
    def(HeaderField::PeriodDescription, "期間の説明", false),
    def(HeaderField::FutureImage, "将来像", true),
    def(HeaderField::FutureImageNote, "将来像の説明", false),
];
const HEADER_STRATEGY: &[FieldDef<HeaderField>] = &[
    def(HeaderField::Title, "計画の名称", true),
    def(HeaderField::Purpose, "目的", false),
    def(HeaderField::Scope, "範囲", false),
    def(HeaderField::PeriodDescription, "期間の説明", false),
];

impl Plan {
    /// What kind of element the id names in this plan, if any.
    pub fn element_kind(&self, id: &crate::ids::ElementId) -> Option<ElementKind> {
        match self {
            Self::Comprehensive(p) => {
                let v = &p.vision;
                if v.principles.iter().any(|x| &x.id == id) {
                    return Some(ElementKind::Principle);
                }
                if v.goals.iter().any(|x| &x.id == id) {
                    return Some(ElementKind::Goal);
                }
                if v.approaches.iter().any(|x| &x.id == id) {
                    return Some(ElementKind::VisionApproach);
                }
                if p.basic_plans
                    .iter()
                    .any(|bp| bp.approaches.iter().any(|x| &x.id == id))
                {
                    return Some(ElementKind::PlanApproach);
                }
                if p.basic_plan(id).is_some() {
                    return Some(ElementKind::BasicPlan);
                }
                if p.priority_project(id).is_some() {
                    return Some(ElementKind::PriorityProject);
                }
                if p.field(id).is_some() {
                    return Some(ElementKind::Field);
                }
                if p.measure(id).is_some() {
                    return Some(ElementKind::Measure);
                }
                p.outcome_indicator(id)
                    .map(|_| ElementKind::OutcomeIndicator)
            }
            Self::Strategy(s) => {
                for o in &s.basic_objectives {
                    if &o.id == id {
                        return Some(ElementKind::BasicObjective);
                    }
                    if o.numerical_targets.iter().any(|t| &t.id == id) {
                        return Some(ElementKind::NumericalTarget);
                    }
                    for m in &o.measures {
                        if &m.id == id {
                            return Some(ElementKind::StrategyMeasure);
                        }
                        if m.kpis.iter().any(|k| &k.id == id) {
                            return Some(ElementKind::Kpi);
                        }
                    }
                }
                None
            }
        }
    }
}
