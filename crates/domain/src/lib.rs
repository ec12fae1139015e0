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
//! - [`validate::Problem`]: every problem found in a plan, with its place, so that an import can
//!   report all of them at once and write nothing.
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
pub mod comprehensive;
pub mod diff;
pub mod era;
pub mod ids;
pub mod plan;
pub mod search;
pub mod strategy;
pub mod validate;

pub use comprehensive::{
    Approach, BasicPlan, ComprehensivePlan, Field, Goal, Half, Measure, Principle, PriorityProject,
    Vision,
};
pub use ids::{ElementId, ElementRef, IdError, MunicipalityCode, PlanId};
pub use plan::{ElementKind, Municipality, Period, Plan, PlanHeader, PlanKind, PlanStatus};
pub use strategy::{
    BasicObjective, Direction, Indicator, IndicatorType, KpiDefinition, NumericalTarget, Strategy,
    StrategyMeasure, YearValue,
};
