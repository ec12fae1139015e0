//! The 人口ビジョン (population vision): the municipality's census populations, its projection
//! scenarios and their results, and the vision's target path against the actual totals.
//!
//! - [`view`]: everything as the staff pages read it ([`PopulationView`]: each scenario with
//!   its input resolved and whether its result is current), and the public's part (only a
//!   public vision, only the scenarios marked public, as stored).
//! - [`records`]: the planning office's writes — the vision's figures, censuses, scenarios
//!   made or derived from another in one action, deleted, projected — each checked whole.
//! - [`sheets`]: the results as XLSX and CSV, a census table or actual totals read in, the
//!   census template.
//! - [`project_json`]: one projection of an input given whole as JSON, outside any stored
//!   scenario (the command line's `keikaku population project`).
//! - [`report`]: the tables every output shares — each scenario's totals and age bands per
//!   year, the comparison of target, actuals, scenarios and references year by year, the gap
//!   to the target.
//!
//! The arithmetic is `keikaku-projection`'s; `input` turns the stored records into its input
//! (年齢不詳 spread pro rata, a derived scenario's rule applied) and fingerprints it, so a
//! stored result knows whether it is still current.

mod adhoc;
pub(crate) mod example;
mod input;
pub mod records;
pub mod report;
pub mod sheets;
pub mod view;

pub use adhoc::project_json;
pub use input::{Resolved, resolve};
/// The age bands and a year's summary, as the projection defines them.
pub use keikaku_projection::{AGE_BANDS, AgeBand, Summary};
pub use records::{
    delete_census, delete_scenario, derive_scenario, run_all, run_scenario, save_census,
    save_scenario, save_vision,
};
pub use report::{ColumnKind, Comparison, ComparisonColumn, SummaryRow, comparison, summary};
pub use sheets::{
    ResultFormat, census_template, export_results, import_actuals, import_census, read_census_file,
    result_book,
};
pub use view::{
    LinkedIndicator, PopulationView, ScenarioView, indicator_choices, population,
    published_population,
};
