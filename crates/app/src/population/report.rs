//! The tables every output of the vision shares (pages, sheets, the API): each scenario's
//! totals and age bands per year, and the comparison year by year of the target path, the
//! actual totals, the scenarios and the reference projections, with the gap to the target.

use keikaku_domain::population::{ScenarioId, target_at};
use keikaku_projection::{Cohorts, Step, Summary};

use super::view::{PopulationView, ScenarioView};

/// A scenario's year, summed.
#[derive(Clone, Debug)]
pub struct SummaryRow {
    /// The scenario.
    pub scenario: ScenarioId,
    /// Its name.
    pub name: String,
    /// The year's totals and age bands.
    pub summary: Summary,
}

/// Every year of a scenario's stored result, summed (empty without a result).
pub fn summary(s: &ScenarioView) -> Vec<SummaryRow> {
    let Some(result) = &s.record.result else {
        return Vec::new();
    };
    result
        .years
        .iter()
        .map(|p| SummaryRow {
            scenario: s.id().clone(),
            name: s.record.scenario.name.clone(),
            summary: Summary::of(&Step {
                year: p.year,
                population: Cohorts {
                    male: p.population.male,
                    female: p.population.female,
                },
            }),
        })
        .collect()
}

/// What a column of the comparison holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// The target path (目標人口).
    Target,
    /// The actual totals (実績).
    Actual,
    /// A scenario's projection.
    Scenario,
    /// A reference projection (社人研推計 …).
    Reference,
}

/// A column of the comparison: one value (or none) per year of [`Comparison::years`].
#[derive(Clone, Debug)]
pub struct ComparisonColumn {
    /// Its heading.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
    /// Its values, by year.
    pub values: Vec<Option<f64>>,
    /// For the target: which values are read between the path's points (直線補間).
    pub between: Vec<bool>,
}

/// The vision year by year.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Every year any column has a value for, in order.
    pub years: Vec<i32>,
    /// Target, actuals, each scenario, each reference — in that order, those that exist.
    pub columns: Vec<ComparisonColumn>,
}

impl Comparison {
    /// The target column, if there is a target path.
    pub fn target(&self) -> Option<&ComparisonColumn> {
        self.columns.iter().find(|c| c.kind == ColumnKind::Target)
    }

    /// The difference of a column's value from the target in row `i` (value − target).
    pub fn gap(&self, column: &ComparisonColumn, i: usize) -> Option<f64> {
        let target = self.target()?.values.get(i).copied().flatten()?;
        let value = column.values.get(i).copied().flatten()?;
        Some(value - target)
    }
}

/// The comparison of a view (its scenarios as the view holds them: for the public, those
/// shown). The target is given at its own years and read between them at the others'.
pub fn comparison(view: &PopulationView) -> Comparison {
    let vision = view.vision.as_ref().map(|v| &v.vision);
    let mut years: Vec<i32> = Vec::new();
    if let Some(v) = vision {
        years.extend(v.target.iter().map(|t| t.year));
        years.extend(v.actuals.iter().map(|a| a.year));
        for r in &v.references {
            years.extend(r.points.iter().map(|p| p.0));
        }
    }
    for s in &view.scenarios {
        if let Some(r) = &s.record.result {
            years.extend(r.years.iter().map(|p| p.year));
        }
    }
    years.sort_unstable();
    years.dedup();
    let mut columns = Vec::new();
    if let Some(v) = vision {
        if !v.target.is_empty() {
            columns.push(ComparisonColumn {
                name: "目標人口".to_owned(),
                kind: ColumnKind::Target,
                values: years
                    .iter()
                    .map(|y| target_at(&v.target, *y).map(|t| t as f64))
                    .collect(),
                between: years
                    .iter()
                    .map(|y| {
                        target_at(&v.target, *y).is_some() && !v.target.iter().any(|t| t.year == *y)
                    })
                    .collect(),
            });
        }
        if !v.actuals.is_empty() {
            columns.push(ComparisonColumn {
                name: "実績".to_owned(),
                kind: ColumnKind::Actual,
                values: years
                    .iter()
                    .map(|y| {
                        v.actuals
                            .iter()
                            .find(|a| a.year == *y)
                            .map(|a| a.total as f64)
                    })
                    .collect(),
                between: vec![false; years.len()],
            });
        }
    }
    for s in &view.scenarios {
        let Some(r) = &s.record.result else { continue };
        columns.push(ComparisonColumn {
            name: s.record.scenario.name.clone(),
            kind: ColumnKind::Scenario,
            values: years
                .iter()
                .map(|y| {
                    r.years
                        .iter()
                        .find(|p| p.year == *y)
                        .map(|p| p.population.total())
                })
                .collect(),
            between: vec![false; years.len()],
        });
    }
    if let Some(v) = vision {
        for reference in &v.references {
            columns.push(ComparisonColumn {
                name: reference.name.clone(),
                kind: ColumnKind::Reference,
                values: years
                    .iter()
                    .map(|y| {
                        reference
                            .points
                            .iter()
                            .find(|p| p.0 == *y)
                            .map(|p| p.1 as f64)
                    })
                    .collect(),
                between: vec![false; years.len()],
            });
        }
    }
    Comparison { years, columns }
}
