//! The plan file's JSON shapes, as serde types. They are written canonically by
//! [`crate::to_json`], returned by the JSON API, and described in the OpenAPI document.
//! Reading goes through [`crate::read`] instead, which reports every error at once.

use serde::Serialize;
use utoipa::ToSchema;

/// A plan file: one municipality and one or more of its plans.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlanFileDto {
    /// Always `keikaku-plan-file`.
    pub format: String,
    /// Format version; this is version 1.
    pub version: u32,
    /// The municipality that owns the plans.
    pub municipality: MunicipalityDto,
    /// The plans, in display order.
    pub plans: Vec<PlanDto>,
}

/// A municipality.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MunicipalityDto {
    /// 市町村コード, five digits (e.g. `03209`).
    pub code: String,
    /// Name, e.g. 一関市.
    pub name: String,
    /// Prefecture, e.g. 岩手県.
    pub prefecture: String,
}

/// A plan: a comprehensive plan or a strategy, told apart by `kind`.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(tag = "kind")]
pub enum PlanDto {
    /// 総合計画.
    #[serde(rename = "comprehensive_plan")]
    ComprehensivePlan(ComprehensivePlanDto),
    /// 総合戦略.
    #[serde(rename = "strategy")]
    Strategy(StrategyDto),
}

/// 期間: fiscal years (the Western year in which the fiscal year's April falls), both included.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PeriodDto {
    /// First fiscal year, e.g. 2016 (平成28年度). On import, 和暦 text such as `平成28年度` is
    /// accepted too.
    pub start: i32,
    /// Last fiscal year.
    pub end: i32,
    /// How the plan words its period.
    pub description: String,
}

/// 総合計画.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComprehensivePlanDto {
    /// Plan id, unique within the municipality: lowercase ASCII, digits, `-`, `_`.
    pub id: String,
    /// Title.
    pub title: String,
    /// 目的.
    pub purpose: String,
    /// 範囲.
    pub scope: String,
    /// 期間.
    pub period: PeriodDto,
    /// `draft`, `under_deliberation`, `adopted` or `published`.
    pub status: String,
    /// 基本構想.
    pub vision: VisionDto,
    /// 基本計画.
    pub basic_plans: Vec<BasicPlanDto>,
}

/// 基本構想.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VisionDto {
    /// 将来像.
    pub future_image: String,
    /// Explanation of the future image.
    pub future_image_note: String,
    /// まちづくりの考え方.
    pub principles: Vec<ItemDto>,
    /// まちづくりの目標.
    pub goals: Vec<ItemDto>,
    /// まちづくりの進め方.
    pub approaches: Vec<ItemDto>,
}

/// A numbered item with a title and an explanation (principle, goal, approach).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ItemDto {
    /// Element id, unique within the plan.
    pub id: String,
    /// Display number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Explanation.
    pub description: String,
}

/// 基本計画.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BasicPlanDto {
    /// Element id.
    pub id: String,
    /// `first` (前期) or `second` (後期).
    pub half: String,
    /// Title.
    pub title: String,
    /// First fiscal year.
    pub start: i32,
    /// Last fiscal year.
    pub end: i32,
    /// Explanation.
    pub description: String,
    /// 重点プロジェクト.
    pub priority_projects: Vec<PriorityProjectDto>,
    /// 分野別計画.
    pub fields: Vec<FieldDto>,
    /// まちづくりの進め方 in detail.
    pub approaches: Vec<ItemDto>,
}

/// 重点プロジェクト.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PriorityProjectDto {
    /// Element id.
    pub id: String,
    /// Display number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Explanation.
    pub description: String,
    /// Ids of the measures (施策) of the same basic plan the project draws on.
    pub measures: Vec<String>,
    /// Illustrative sample data (サンプル).
    pub sample: bool,
}

/// 分野.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldDto {
    /// Element id.
    pub id: String,
    /// Id of the goal (まちづくりの目標) the field is grouped under.
    pub goal: String,
    /// Display number.
    pub number: String,
    /// Title.
    pub title: String,
    /// 現状と課題.
    pub current_state: String,
    /// 所管課.
    pub department: String,
    /// 施策.
    pub measures: Vec<MeasureDto>,
    /// 成果指標 of the field (version 2).
    pub indicators: Vec<IndicatorDto>,
    /// Illustrative sample data (サンプル).
    pub sample: bool,
}

/// 施策.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeasureDto {
    /// Element id.
    pub id: String,
    /// Display number.
    pub number: String,
    /// Title.
    pub title: String,
    /// 展開方法.
    pub course_of_action: String,
    /// 市民の参画.
    pub citizen_participation: String,
    /// 所管課.
    pub department: String,
    /// 成果指標 of the measure (version 2).
    pub indicators: Vec<IndicatorDto>,
    /// Illustrative sample data (サンプル).
    pub sample: bool,
}

/// 総合戦略.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StrategyDto {
    /// Plan id.
    pub id: String,
    /// Title.
    pub title: String,
    /// 目的.
    pub purpose: String,
    /// 範囲.
    pub scope: String,
    /// 期間.
    pub period: PeriodDto,
    /// Status code.
    pub status: String,
    /// 基本目標.
    pub basic_objectives: Vec<BasicObjectiveDto>,
}

/// 基本目標.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BasicObjectiveDto {
    /// Element id.
    pub id: String,
    /// Display number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Explanation.
    pub description: String,
    /// 数値目標.
    pub numerical_targets: Vec<IndicatorDto>,
    /// 施策.
    pub measures: Vec<StrategyMeasureDto>,
    /// Illustrative sample data (サンプル).
    pub sample: bool,
}

/// 施策 of the strategy.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StrategyMeasureDto {
    /// Element id.
    pub id: String,
    /// Display number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Explanation.
    pub description: String,
    /// 所管課.
    pub department: String,
    /// KPI (重要業績評価指標).
    pub kpis: Vec<IndicatorDto>,
    /// Measures of a comprehensive plan this measure corresponds to.
    pub linked_measures: Vec<ElementRefDto>,
    /// Priority projects of a comprehensive plan this measure corresponds to.
    pub linked_priority_projects: Vec<ElementRefDto>,
    /// Illustrative sample data (サンプル).
    pub sample: bool,
}

/// A link to an element of another plan of the same municipality.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ElementRefDto {
    /// Plan id.
    pub plan: String,
    /// Element id in that plan.
    pub element: String,
}

/// An indicator definition (数値目標, KPI or 成果指標).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IndicatorDto {
    /// Element id.
    pub id: String,
    /// 指標コード (version 2): the key of departments' sheets, unique in the plan; `""`: none
    /// (the id is the key).
    pub code: String,
    /// Name.
    pub title: String,
    /// Unit.
    pub unit: String,
    /// `higher`, `lower` or `maintain`.
    pub direction: String,
    /// `level`, `cumulative` or `rate`.
    pub indicator_type: String,
    /// 基準値, or null.
    pub baseline: Option<YearValueDto>,
    /// 目標値, or null.
    pub target: Option<YearValueDto>,
    /// 中間目標値 (version 2), each strictly between the baseline's and the target's year.
    pub interim_targets: Vec<YearValueDto>,
    /// 許容幅 ± of a maintain-type indicator as a decimal string (version 2), or null.
    pub tolerance: Option<String>,
    /// How a cumulative indicator's actuals are entered (version 2): `running_totals` or
    /// `yearly_amounts`.
    pub cumulative_entry: String,
    /// Decimal places to display, 0–6 (version 2), or null: as entered.
    pub decimals: Option<u32>,
    /// 算出方法.
    pub calculation_method: String,
    /// 出典.
    pub data_source: String,
    /// 把握方法 (version 2).
    pub acquisition: String,
    /// Years after the fiscal year until the value is known (version 2), or null.
    pub lag_years: Option<u32>,
    /// 定義の変更 (version 2).
    pub definition_changes: Vec<DefinitionChangeDto>,
    /// 所管課.
    pub department: String,
    /// Illustrative sample data (サンプル).
    pub sample: bool,
}

/// A change of an indicator's definition (version 2).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DefinitionChangeDto {
    /// The first fiscal year the new definition applies to.
    pub year: i32,
    /// What changed.
    pub note: String,
}

/// A value in a fiscal year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct YearValueDto {
    /// The value as a decimal string (exact), e.g. `"105.5"`.
    pub value: String,
    /// Fiscal year.
    pub year: i32,
}
