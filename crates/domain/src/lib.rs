//! The planning domain of keikaku: what a Japanese municipality's plans are made of.
//!
//! This crate is pure: no IO, no async, no SQL, no HTTP and no serde. Everything here can be
//! tested with plain values, and every other crate speaks in these types.
//!
//! The principal types:
//!
//! - [`Plan`]: one plan of a municipality, either a [`ComprehensivePlan`] (総合計画) or a
//!   [`Strategy`] (まち・ひと・しごと創生総合戦略), each with a [`PlanHeader`] that carries its
//!   purpose, scope and [`Period`].
//! - [`era::FiscalYear`] and [`era::Era`]: 年度 and 和暦, parsed and formatted the way plans
//!   write them (平成37年, 令和元年度, H27, full-width digits).
//! - [`plan::kinds`]: the one vocabulary of element kinds, links and fields with their
//!   Japanese labels.
//! - [`plan::validate::Problem`]: every problem found in a plan, with its place, so that an import can
//!   report all of them at once and write nothing.
//! - [`format`]: years, values, numbers and 千円 as people read them.
//! - [`search::SearchIndex`]: a character-bigram index that finds Japanese text without word
//!   boundaries.
//!
//! ```
//! use keikaku_domain::era::{FiscalYear, YearStyle};
//! let fy = FiscalYear::parse("平成37年").unwrap();
//! assert_eq!(fy.format(YearStyle::WarekiWithWestern), "令和7年度（2025年度）");
//! ```

pub mod account;
pub mod audit;
pub mod deliberation;
pub mod department;
pub mod era;
pub mod format;
pub mod ids;
pub mod kpi;
pub mod plan;
pub mod population;
pub mod program;
pub mod search;
pub mod theme;

pub use ids::{ElementId, ElementRef, IdError, MunicipalityCode, PlanId};
pub use plan::comprehensive::{
    Approach, BasicPlan, ComprehensivePlan, Field, Goal, Half, Measure, Principle, PriorityProject,
    Vision,
};
pub use plan::strategy::{
    BasicObjective, DefinitionChange, Direction, Indicator, IndicatorType, KpiDefinition,
    NumericalTarget, Strategy, StrategyMeasure, YearValue,
};
pub use plan::{
    ElementField, ElementKind, FieldDef, HeaderField, LinkKind, Municipality, Period, Plan,
    PlanHeader, PlanKind, PlanStatus, ValueType,
};
