//! An edition of the implementation plan and the yearly roll.

use super::{Program, ProgramCategory, ProgramCode};
use crate::era::FiscalYear;

/// An edition of the 実施計画: the one made in fiscal year N covers N+1, N+2 and N+3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edition {
    /// The fiscal year it is made in (N).
    pub made_in: FiscalYear,
    /// Its programs, in display order.
    pub programs: Vec<Program>,
}

impl Edition {
    /// The three fiscal years it covers: N+1, N+2, N+3.
    pub fn covers(&self) -> [FiscalYear; 3] {
        let first = self.made_in.next();
        let second = first.next();
        [first, second, second.next()]
    }

    /// The program with this code.
    pub fn program(&self, code: &ProgramCode) -> Option<&Program> {
        self.programs.iter().find(|p| &p.code == code)
    }
}

/// What the roll did with a program of the edition rolled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RolledProgram {
    /// Carried into the new edition.
    Carried(ProgramCode),
    /// Not carried: it ends before the new edition's first year.
    Ended(ProgramCode, FiscalYear),
    /// Not carried: 廃止 or 完了 in the edition rolled.
    Discontinued(ProgramCode, ProgramCategory),
}

impl RolledProgram {
    /// What happened, in Japanese, for the planning office's summary.
    pub fn message(&self) -> String {
        match self {
            Self::Carried(c) => format!("事業「{c}」を引き継ぎました。"),
            Self::Ended(c, y) => format!(
                "事業「{c}」は{}に終了するため、引き継いでいません。",
                crate::format::fiscal_year(*y)
            ),
            Self::Discontinued(c, k) => {
                format!("事業「{c}」は{}のため、引き継いでいません。", k.label())
            }
        }
    }
}

impl RolledProgram {
    /// What the roll into an edition whose first year is `first` does with a program of this
    /// code, category and end year: the one rule, which storage's roll follows too.
    pub fn of(
        code: &ProgramCode,
        category: ProgramCategory,
        end_year: Option<FiscalYear>,
        first: FiscalYear,
    ) -> Self {
        if category.ends() {
            Self::Discontinued(code.clone(), category)
        } else if let Some(end) = end_year.filter(|e| *e < first) {
            Self::Ended(code.clone(), end)
        } else {
            Self::Carried(code.clone())
        }
    }
}

/// Rolls edition N into edition N+1 (covering N+2 … N+4), leaving edition N as it is: a
/// program carried keeps its code and everything it says, and its amounts for N+2 and N+3;
/// N+4 starts empty (not entered); a 新規, 拡充 or 縮小 program becomes 継続 (a 休止 one
/// stays 休止). Not carried: programs ending before N+2, and those 廃止 or 完了.
pub fn roll(edition: &Edition) -> (Edition, Vec<RolledProgram>) {
    let made_in = edition.made_in.next();
    let first = made_in.next();
    let mut programs = Vec::new();
    let mut outcomes = Vec::new();
    for p in &edition.programs {
        let outcome = RolledProgram::of(&p.code, p.category, p.end_year, first);
        if !matches!(outcome, RolledProgram::Carried(_)) {
            outcomes.push(outcome);
            continue;
        }
        let mut carried = p.clone();
        carried.years.retain(|y| y.fiscal_year >= first);
        if carried.category != ProgramCategory::Suspended {
            carried.category = ProgramCategory::Continued;
        }
        outcomes.push(RolledProgram::Carried(p.code.clone()));
        programs.push(carried);
    }
    (Edition { made_in, programs }, outcomes)
}
