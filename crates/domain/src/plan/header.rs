//! A plan of a municipality: the header every plan carries, and the two kinds of plan.

use crate::era::{FiscalYear, YearStyle};
use crate::ids::{MunicipalityCode, PlanId};
use crate::plan::comprehensive::ComprehensivePlan;
use crate::plan::strategy::Strategy;

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
