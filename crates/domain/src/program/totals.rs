//! Totals of an edition: 事業費 and 財源内訳 per fiscal year of any set of programs (a goal,
//! a field, a department, the whole edition …), and the budget guide (予算編成の指針): the
//! 一般財源 the programs need per year against the fiscal frame (財政計画の枠) the planning
//! office enters, for the city and per department.
//!
//! Totals are summed in yen and rounded once when shown (see
//! [`crate::format::Rounding`]); amounts are bounded by [`super::Funding::LIMIT`], so the sums
//! cannot overflow.

use super::{Edition, Funding, Program, Yen};
use crate::era::FiscalYear;

/// 事業費 and 財源内訳 per fiscal year of a set of programs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearTotals {
    /// How many programs were added.
    pub programs: usize,
    /// Each fiscal year with its totals, in the order given.
    pub years: Vec<(FiscalYear, Funding)>,
}

impl YearTotals {
    /// Empty totals of these years.
    pub fn new(years: &[FiscalYear]) -> Self {
        Self {
            programs: 0,
            years: years.iter().map(|&y| (y, Funding::default())).collect(),
        }
    }

    /// The totals of some programs.
    pub fn of<'a>(years: &[FiscalYear], programs: impl IntoIterator<Item = &'a Program>) -> Self {
        let mut totals = Self::new(years);
        for p in programs {
            totals.add(p);
        }
        totals
    }

    /// Adds a program's amounts of the years (a year it has not entered adds nothing).
    pub fn add(&mut self, program: &Program) {
        self.programs += 1;
        for (year, sum) in &mut self.years {
            if let Some(f) = program.year(*year) {
                *sum = sum.saturating_add(f);
            }
        }
    }

    /// The totals of a year (zero for a year not among them).
    pub fn year(&self, year: FiscalYear) -> Funding {
        self.years
            .iter()
            .find(|(y, _)| *y == year)
            .map_or_else(Funding::default, |(_, f)| *f)
    }

    /// The totals of all the years together.
    pub fn all_years(&self) -> Funding {
        self.years
            .iter()
            .fold(Funding::default(), |sum, (_, f)| sum.saturating_add(f))
    }
}

/// The totals of an edition's programs grouped by a key, in the order the keys first appear
/// (a program with several keys counts in each; one with none in no group).
pub fn group_totals<K: PartialEq>(
    edition: &Edition,
    keys: impl Fn(&Program) -> Vec<K>,
) -> Vec<(K, YearTotals)> {
    let years = edition.covers();
    let mut out: Vec<(K, YearTotals)> = Vec::new();
    for p in &edition.programs {
        for key in keys(p) {
            let index = match out.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    out.push((key, YearTotals::new(&years)));
                    out.len() - 1
                }
            };
            out[index].1.add(p);
        }
    }
    out
}

/// A fiscal frame (財政計画の枠): the 一般財源 the city can give the 実施計画's programs in a
/// fiscal year, for the whole city or for one department (枠配分).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The department; empty for the whole city.
    pub department: String,
    /// The 一般財源 available.
    pub general: Yen,
}

/// One line of the budget guide: the 一般財源 needed in a year against its frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetLine {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// The 一般財源 the programs need.
    pub needed: Yen,
    /// The frame, when one is entered.
    pub frame: Option<Yen>,
}

impl BudgetLine {
    /// How much the need exceeds the frame (negative: room left); `None` without a frame.
    pub fn overrun(&self) -> Option<Yen> {
        self.frame
            .map(|f| Yen::new(self.needed.yen().saturating_sub(f.yen())))
    }

    /// Whether the need exceeds the frame.
    pub fn over(&self) -> bool {
        self.overrun().is_some_and(|o| o > Yen::ZERO)
    }
}

/// The budget guide of an edition: the city's lines per year and each department's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetGuide {
    /// The whole city, one line per fiscal year the edition covers.
    pub city: Vec<BudgetLine>,
    /// Each department (those with programs, then those with only a frame), one line per year.
    pub departments: Vec<(String, Vec<BudgetLine>)>,
}

/// The budget guide of an edition with the frames entered for it.
pub fn budget_guide(edition: &Edition, frames: &[Frame]) -> BudgetGuide {
    let years = edition.covers();
    let frame = |department: &str, year: FiscalYear| {
        frames
            .iter()
            .find(|f| f.fiscal_year == year && f.department.trim() == department)
            .map(|f| f.general)
    };
    let lines = |department: &str, totals: &YearTotals| -> Vec<BudgetLine> {
        years
            .iter()
            .map(|&y| BudgetLine {
                fiscal_year: y,
                needed: totals.year(y).general,
                frame: frame(department, y),
            })
            .collect()
    };
    let city = lines("", &YearTotals::of(&years, &edition.programs));
    let mut departments: Vec<(String, Vec<BudgetLine>)> =
        group_totals(edition, |p| vec![p.department.trim().to_owned()])
            .into_iter()
            .map(|(d, totals)| {
                let l = lines(&d, &totals);
                (d, l)
            })
            .collect();
    for f in frames {
        let d = f.department.trim();
        if !d.is_empty() && !departments.iter().any(|(name, _)| name == d) {
            let l = lines(d, &YearTotals::new(&years));
            departments.push((d.to_owned(), l));
        }
    }
    BudgetGuide { city, departments }
}
