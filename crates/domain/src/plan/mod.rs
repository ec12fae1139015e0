//! Plans: what a municipality's 総合計画 and 総合戦略 are made of, how they are checked, and how
//! two versions of a plan differ.
//!
//! - [`header`]: the municipality, the plan's header (purpose, scope, period, status) and the
//!   two kinds of plan.
//! - [`comprehensive`] and [`strategy`]: the element trees of each kind of plan.
//! - [`kinds`]: the one vocabulary of element kinds, links and fields, with their Japanese
//!   labels, used by storage, forms and pages alike.
//! - [`indicators`]: every indicator of a plan with its groups and department.
//! - [`validate`]: every problem of a plan with its place.
//! - [`diff`]: what changed between two versions.
//! - [`successor`]: a basic plan started from the one before it (前期 → 後期), links
//!   re-pointed to the copies.
//! - [`warnings`]: input that is valid but probably not meant (a target year outside the
//!   period), shown after a save.
//! - [`year_lines`]: lists by fiscal year (中間目標値, 定義の変更) as one line per year.

pub mod comprehensive;
pub mod diff;
pub mod header;
pub mod indicators;
pub mod kinds;
pub mod phase;
pub mod strategy;
pub mod successor;
pub mod validate;
pub mod version_note;
pub mod warnings;
pub mod year_lines;

pub use header::{Municipality, Period, Plan, PlanHeader, PlanKind, PlanStatus};
pub use kinds::{ElementField, ElementKind, FieldDef, HeaderField, LinkKind, ValueType};
