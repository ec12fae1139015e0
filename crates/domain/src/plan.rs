//! A plan of a municipality: the header every plan carries, and the two kinds of plan.

use crate::comprehensive::ComprehensivePlan;
use crate::era::{FiscalYear, YearStyle};
use crate::ids::{MunicipalityCode, PlanId};
use crate::strategy::Strategy;

/// A municipality (市町村) that owns plans. Every stored row carries its code, so that several
/// municipalities can share one database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Municipality {
    /// 市町村コード.
    pub code: MunicipalityCode,
    /// The municipality's name, e.g. 一関市.
    pub name: String,
    /// The prefecture's name, e.g. 岩手県.
    pub prefecture: String,
}

/// Which kind of plan this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlanKind {
    /// 総合計画.
    Comprehensive,
    /// まち・ひと・しごと創生総合戦略.
    Strategy,
}

impl PlanKind {
    /// The stable code used in files, the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Comprehensive => "comprehensive_plan",
            Self::Strategy => "strategy",
        }
    }

    /// Parses [`PlanKind::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Comprehensive, Self::Strategy]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// The Japanese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Comprehensive => "総合計画",
            Self::Strategy => "総合戦略",
        }
    }
}

/// Where a plan stands in its life. The public site shows only [`PlanStatus::Published`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanStatus {
    /// 草案.
    Draft,
    /// 審議中.
    UnderDeliberation,
    /// 決定.
    Adopted,
    /// 公開.
    Published,
}

impl PlanStatus {
    /// Every status, in the order a plan passes through them.
    pub const ALL: [Self; 4] = [
        Self::Draft,
        Self::UnderDeliberation,
        Self::Adopted,
        Self::Published,
    ];

    /// The stable code used in files, the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::UnderDeliberation => "under_deliberation",
            Self::Adopted => "adopted",
            Self::Published => "published",
        }
    }

    /// Parses [`PlanStatus::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The statuses a plan may move to from this one: one step forward (草案 → 審議中 →
    /// 決定 → 公開), back to 草案 while under deliberation (the council sent it back), or from
    /// 決定 or 公開 back to 審議中 to revise it. Only 草案 and 審議中 are edited; the public
    /// keeps seeing the last published version until the revision is published.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Draft => &[Self::UnderDeliberation],
            Self::UnderDeliberation => &[Self::Adopted, Self::Draft],
            Self::Adopted => &[Self::Published, Self::UnderDeliberation],
            Self::Published => &[Self::UnderDeliberation],
        }
    }

    /// The Japanese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "草案",
            Self::UnderDeliberation => "審議中",
            Self::Adopted => "決定",
            Self::Published => "公開",
        }
    }
}

/// 期間: the fiscal years a plan covers, both ends included, with the wording the plan uses
/// (e.g. 「目標年次を平成37年（2025年）とする10か年計画」).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// The first fiscal year.
    pub start: FiscalYear,
    /// The last fiscal year.
    pub end: FiscalYear,
    /// How the plan itself words its period; may be empty.
    pub description: String,
}

impl Period {
    /// Number of fiscal years covered.
    pub fn years(&self) -> i32 {
        self.end.year() - self.start.year() + 1
    }

    /// Whether the fiscal year lies in the period.
    pub fn contains(&self, fy: FiscalYear) -> bool {
        self.start <= fy && fy <= self.end
    }

    /// 「平成28年度（2016年度）〜令和7年度（2025年度）」.
    pub fn format(&self, style: YearStyle) -> String {
        format!("{}〜{}", self.start.format(style), self.end.format(style))
    }
}

/// What every plan carries: identity, purpose, scope and period (the seed's first table compares
/// these for the two plans).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanHeader {
    /// The plan's id, unique within the municipality.
    pub id: PlanId,
    /// The municipality that owns the plan.
    pub municipality: MunicipalityCode,
    /// Full title, e.g. 一関市総合計画.
    pub title: String,
    /// 目的.
    pub purpose: String,
    /// 範囲.
    pub scope: String,
    /// 期間.
    pub period: Period,
    /// Where the plan stands.
    pub status: PlanStatus,
    /// Display order among the municipality's plans.
    pub position: i32,
}

/// A plan of a municipality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// 総合計画.
    Comprehensive(ComprehensivePlan),
    /// 総合戦略.
    Strategy(Strategy),
}

impl Plan {
    /// The header every plan carries.
    pub fn header(&self) -> &PlanHeader {
        match self {
            Self::Comprehensive(p) => &p.header,
            Self::Strategy(s) => &s.header,
        }
    }

    /// The kind of plan.
    pub fn kind(&self) -> PlanKind {
        match self {
            Self::Comprehensive(_) => PlanKind::Comprehensive,
            Self::Strategy(_) => PlanKind::Strategy,
        }
    }

    /// The plan's id.
    pub fn id(&self) -> &PlanId {
        &self.header().id
    }
}

/// The kinds of element a plan is made of; with a plan id and an element id they locate
/// anything a page, a search hit or (later) an opinion or a program can point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElementKind {
    /// まちづくりの考え方.
    Principle,
    /// まちづくりの目標.
    Goal,
    /// まちづくりの進め方 (vision or basic plan).
    Approach,
    /// 基本計画.
    BasicPlan,
    /// 重点プロジェクト.
    PriorityProject,
    /// 分野.
    Field,
    /// 施策 of a comprehensive plan.
    Measure,
    /// 基本目標.
    BasicObjective,
    /// 数値目標.
    NumericalTarget,
    /// 施策 of a strategy.
    StrategyMeasure,
    /// KPI.
    Kpi,
}

impl ElementKind {
    /// Japanese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Principle => "まちづくりの考え方",
            Self::Goal => "まちづくりの目標",
            Self::Approach => "まちづくりの進め方",
            Self::BasicPlan => "基本計画",
            Self::PriorityProject => "重点プロジェクト",
            Self::Field => "分野",
            Self::Measure => "施策",
            Self::BasicObjective => "基本目標",
            Self::NumericalTarget => "数値目標",
            Self::StrategyMeasure => "施策",
            Self::Kpi => "KPI",
        }
    }
}

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
                if v.approaches.iter().any(|x| &x.id == id)
                    || p.basic_plans
                        .iter()
                        .any(|bp| bp.approaches.iter().any(|x| &x.id == id))
                {
                    return Some(ElementKind::Approach);
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
                p.measure(id).map(|_| ElementKind::Measure)
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
