//! 総合計画: the vision (基本構想), the basic plans (基本計画) with their priority projects and
//! field plans. The tree of a city is data: goals, fields and measures are whatever the city
//! enters, in the order and with the numbering it gives.

use crate::era::FiscalYear;
use crate::ids::ElementId;
use crate::plan::PlanHeader;
use crate::plan::strategy::Indicator;

/// 総合計画.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComprehensivePlan {
    /// Identity, purpose, scope, period.
    pub header: PlanHeader,
    /// 基本構想.
    pub vision: Vision,
    /// 基本計画, usually a first and a second half.
    pub basic_plans: Vec<BasicPlan>,
}

/// 基本構想.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vision {
    /// 将来像, e.g. みつけよう育てよう 郷土の宝 いのち輝く一関.
    pub future_image: String,
    /// Explanation of the future image; may be empty.
    pub future_image_note: String,
    /// まちづくりの考え方.
    pub principles: Vec<Principle>,
    /// まちづくりの目標.
    pub goals: Vec<Goal>,
    /// まちづくりの進め方.
    pub approaches: Vec<Approach>,
}

/// まちづくりの考え方: a basic idea that citizens and the city share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principle {
    /// Stable id.
    pub id: ElementId,
    /// Display number, e.g. "1"; may be empty.
    pub number: String,
    /// The principle as the plan writes it.
    pub title: String,
    /// Explanation; may be empty.
    pub description: String,
}

/// まちづくりの目標: the direction of the measures; fields are grouped under goals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goal {
    /// Stable id.
    pub id: ElementId,
    /// Display number, e.g. "1".
    pub number: String,
    /// The goal as the plan writes it.
    pub title: String,
    /// Explanation; may be empty.
    pub description: String,
}

/// まちづくりの進め方 (in the vision) or its detailed form in a basic plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approach {
    /// Stable id.
    pub id: ElementId,
    /// Display number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Explanation; may be empty.
    pub description: String,
}

/// Which half of the plan period a basic plan covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Half {
    /// 前期.
    First,
    /// 後期.
    Second,
}

impl Half {
    /// The stable code used in files, the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::First => "first",
            Self::Second => "second",
        }
    }

    /// Parses [`Half::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::First, Self::Second]
            .into_iter()
            .find(|h| h.code() == code)
    }

    /// 前期 / 後期.
    pub fn label(self) -> &'static str {
        match self {
            Self::First => "前期",
            Self::Second => "後期",
        }
    }
}

/// 基本計画 (前期 or 後期).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicPlan {
    /// Stable id.
    pub id: ElementId,
    /// 前期 / 後期.
    pub half: Half,
    /// Title, e.g. 前期基本計画.
    pub title: String,
    /// First fiscal year covered.
    pub start: FiscalYear,
    /// Last fiscal year covered.
    pub end: FiscalYear,
    /// Explanation; may be empty.
    pub description: String,
    /// 重点プロジェクト.
    pub priority_projects: Vec<PriorityProject>,
    /// 分野別計画, each field grouped under a goal of the vision.
    pub fields: Vec<Field>,
    /// まちづくりの進め方 in detail.
    pub approaches: Vec<Approach>,
}

/// 重点プロジェクト: a cross-cutting theme that links to measures in many fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityProject {
    /// Stable id.
    pub id: ElementId,
    /// Display number.
    pub number: String,
    /// Title as the plan writes it.
    pub title: String,
    /// 施策の考え方・進め方; may be empty.
    pub description: String,
    /// The measures (in any field of the same basic plan) the project draws on.
    pub measures: Vec<ElementId>,
    /// Whether this element is illustrative sample data (サンプル).
    pub sample: bool,
}

/// 分野: one field plan under a goal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Stable id.
    pub id: ElementId,
    /// The goal of the vision this field serves.
    pub goal: ElementId,
    /// Display number, e.g. "1-2".
    pub number: String,
    /// Name, e.g. 農林水産業.
    pub title: String,
    /// 現状と課題; may be empty.
    pub current_state: String,
    /// 所管課; may be empty.
    pub department: String,
    /// 施策.
    pub measures: Vec<Measure>,
    /// 成果指標 of the field as a whole.
    pub indicators: Vec<Indicator>,
    /// Whether this element is illustrative sample data (サンプル).
    pub sample: bool,
}

/// 施策: a measure of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measure {
    /// Stable id.
    pub id: ElementId,
    /// Display number, e.g. "1-2-3".
    pub number: String,
    /// Title.
    pub title: String,
    /// 展開方法.
    pub course_of_action: String,
    /// 市民の参画.
    pub citizen_participation: String,
    /// 所管課.
    pub department: String,
    /// 成果指標 of the measure.
    pub indicators: Vec<Indicator>,
    /// Whether this element is illustrative sample data (サンプル).
    pub sample: bool,
}

impl ComprehensivePlan {
    /// The goal with this id.
    pub fn goal(&self, id: &ElementId) -> Option<&Goal> {
        self.vision.goals.iter().find(|g| &g.id == id)
    }

    /// Every field of every basic plan, with the basic plan it belongs to.
    pub fn fields(&self) -> impl Iterator<Item = (&BasicPlan, &Field)> {
        self.basic_plans
            .iter()
            .flat_map(|bp| bp.fields.iter().map(move |f| (bp, f)))
    }

    /// The field with this id, with its basic plan.
    pub fn field(&self, id: &ElementId) -> Option<(&BasicPlan, &Field)> {
        self.fields().find(|(_, f)| &f.id == id)
    }

    /// The measure with this id, with its basic plan and field.
    pub fn measure(&self, id: &ElementId) -> Option<(&BasicPlan, &Field, &Measure)> {
        self.fields()
            .flat_map(|(bp, f)| f.measures.iter().map(move |m| (bp, f, m)))
            .find(|(_, _, m)| &m.id == id)
    }

    /// The 成果指標 with this id, with its field and, when it belongs to a measure, the measure.
    pub fn outcome_indicator(
        &self,
        id: &ElementId,
    ) -> Option<(&Field, Option<&Measure>, &Indicator)> {
        self.fields().find_map(|(_, f)| {
            if let Some(i) = f.indicators.iter().find(|i| &i.id == id) {
                return Some((f, None, i));
            }
            f.measures.iter().find_map(|m| {
                m.indicators
                    .iter()
                    .find(|i| &i.id == id)
                    .map(|i| (f, Some(m), i))
            })
        })
    }

    /// The priority project with this id, with its basic plan.
    pub fn priority_project(&self, id: &ElementId) -> Option<(&BasicPlan, &PriorityProject)> {
        self.basic_plans
            .iter()
            .flat_map(|bp| bp.priority_projects.iter().map(move |p| (bp, p)))
            .find(|(_, p)| &p.id == id)
    }

    /// The priority projects that link to a measure.
    pub fn projects_of_measure<'a>(
        &'a self,
        measure: &'a ElementId,
    ) -> impl Iterator<Item = &'a PriorityProject> + 'a {
        self.basic_plans
            .iter()
            .flat_map(|bp| bp.priority_projects.iter())
            .filter(move |p| p.measures.contains(measure))
    }

    /// The basic plan with this id.
    pub fn basic_plan(&self, id: &ElementId) -> Option<&BasicPlan> {
        self.basic_plans.iter().find(|bp| &bp.id == id)
    }
}

impl BasicPlan {
    /// The fields of this basic plan that serve a goal, in display order.
    pub fn fields_of_goal<'a>(&'a self, goal: &'a ElementId) -> impl Iterator<Item = &'a Field> {
        self.fields.iter().filter(move |f| &f.goal == goal)
    }
}
