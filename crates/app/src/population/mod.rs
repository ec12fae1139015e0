//! The 人口ビジョン (population vision): the municipality's census populations, its projection
//! scenarios and their results, and the vision's target path against the actual totals.
//!
//! - [`view`]: everything as the staff pages read it ([`PopulationView`]: each scenario with
//!   its input resolved and whether its result is current), and the public's part (only a
//!   public vision, only the scenarios marked public, as stored).
//! - [`records`]: the planning office's writes — the vision's figures, censuses, scenarios
//!   made or derived from another in one action, deleted, projected — each checked whole.
//! - [`report`]: the tables every output shares — each scenario's totals and age bands per
//!   year, the comparison of target, actuals, scenarios and references year by year, the gap
//!   to the target.
//!
//! The arithmetic is `keikaku-projection`'s; `input` turns the stored records into its input
//! (年齢不詳 spread pro rata, a derived scenario's rule applied) and fingerprints it, so a
//! stored result knows whether it is still current.

pub(crate) mod example;
mod input;
pub mod records;
pub mod report;
pub mod view;

pub use input::{Resolved, resolve};
pub use records::{
    delete_census, delete_scenario, derive_scenario, run_all, run_scenario, save_census,
    save_scenario, save_vision,
};
pub use report::{ColumnKind, Comparison, ComparisonColumn, SummaryRow, comparison, summary};
pub use view::{LinkedIndicator, PopulationView, ScenarioView, population, published_population};
