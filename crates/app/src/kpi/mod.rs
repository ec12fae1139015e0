//! KPIs and their yearly verification (効果検証): the evaluation of a plan's indicators from
//! their definitions and stored yearly values ([`evaluation`]), and the entry of this year's
//! values by departments and the planning office ([`entry`]), and the yearly verification
//! round — analyses, submissions, review, the panel's assessment, responses ([`round`]) — and
//! its published report ([`report`]).
//!
//! Values are entered while a plan is adopted or published (決定・公開), outside the plan's
//! draft-only editing: entering an actual never freezes a plan version.

pub mod entry;
pub mod evaluation;
pub(crate) mod example;
pub mod report;
pub mod round;
pub mod settings;
pub mod sheets;

pub use entry::{CellInput, EntryError, EntrySheet, entry_sheet, parse_value, save_entries};
pub use evaluation::{Evaluation, GroupRef, IndicatorReport, evaluation};
pub use report::{
    GroupTally, Report, ReportGroup, ReportLine, group_tallies, outcome_behind, publish,
    published_report, published_reports, read_report, reopen,
};
pub use round::{
    AnalysisInput, DepartmentPart, PanelInput, ResponseInput, RoundView, move_department, round,
    save_analyses, save_panel, save_responses,
};
