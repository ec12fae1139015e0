//! The difference between two editions of the implementation plan.

use rust_decimal::Decimal;

use super::{Edition, FundingPart, Program, ProgramCategory, ProgramCode, Yen};
use crate::era::FiscalYear;

/// Which amount of a year changed: 事業費 or one of the funding sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Amount {
    /// 事業費.
    Cost,
    /// A funding source.
    Part(FundingPart),
}

impl Amount {
    /// 事業費 and the funding sources, in the order sheets list them.
    pub const ALL: [Self; 6] = [
        Self::Cost,
        Self::Part(FundingPart::National),
        Self::Part(FundingPart::Prefectural),
        Self::Part(FundingPart::Bonds),
        Self::Part(FundingPart::Other),
        Self::Part(FundingPart::General),
    ];

    /// The label on pages and sheets.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Cost => "事業費",
            Self::Part(p) => p.label(),
        }
    }

    fn of(self, program: &Program, year: FiscalYear) -> Option<Yen> {
        program.year(year).map(|f| match self {
            Self::Cost => f.cost,
            Self::Part(p) => f.part(p),
        })
    }
}

/// One amount of one fiscal year that differs (`None`: not entered in that edition).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmountChange {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// Which amount.
    pub amount: Amount,
    /// In the older edition.
    pub old: Option<Yen>,
    /// In the newer edition.
    pub new: Option<Yen>,
}

/// A program in both editions that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramChange {
    /// Its code.
    pub code: ProgramCode,
    /// Its name in the newer edition.
    pub name: String,
    /// 事業区分, when it changed: (older, newer).
    pub category: Option<(ProgramCategory, ProgramCategory)>,
    /// The texts that changed, by label (事業名, 所管課, 目的, 対象, 手段, 開始年度, 終了年度,
    /// 会計, 経費区分, 施策など), older and newer.
    pub fields: Vec<(&'static str, String, String)>,
    /// The amounts that differ in the fiscal years both editions cover, by year, then in
    /// the order of [`Amount::ALL`].
    pub amounts: Vec<AmountChange>,
    /// The activity indicator's targets that differ in the years both cover: (year, older,
    /// newer).
    pub activity_targets: Vec<(FiscalYear, Option<Decimal>, Option<Decimal>)>,
}

/// What changed from one edition to another: programs added (新規 in the newer one, or
/// simply not in the older), ended (in the older only), and changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditionDiff {
    /// The fiscal years both editions cover: amounts are compared in these.
    pub compared_years: Vec<FiscalYear>,
    /// In the newer edition only, in its order.
    pub added: Vec<ProgramCode>,
    /// In the older edition only, in its order.
    pub ended: Vec<ProgramCode>,
    /// In both, and different, in the newer edition's order.
    pub changed: Vec<ProgramChange>,
}

fn year_text(y: Option<FiscalYear>) -> String {
    y.map_or_else(|| "（定めなし）".to_owned(), crate::format::fiscal_year)
}

fn activity(p: &Program) -> String {
    if p.activity.is_set() {
        format!("{}（{}）", p.activity.name.trim(), p.activity.unit.trim())
    } else {
        String::new()
    }
}

fn fields(old: &Program, new: &Program) -> Vec<(&'static str, String, String)> {
    // The first link places the program; the others are a set: their order is not a change.
    let links = |p: &Program| {
        let mut rest: Vec<String> = p
            .links
            .iter()
            .skip(1)
            .map(|l| format!("{}/{}", l.plan, l.element))
            .collect();
        rest.sort();
        p.links
            .first()
            .map(|l| format!("{}/{}", l.plan, l.element))
            .into_iter()
            .chain(rest)
            .collect::<Vec<_>>()
            .join("、")
    };
    let pairs = [
        ("事業名", old.name.clone(), new.name.clone()),
        ("所管課", old.department.clone(), new.department.clone()),
        ("目的", old.purpose.clone(), new.purpose.clone()),
        ("対象", old.target_group.clone(), new.target_group.clone()),
        ("手段", old.means.clone(), new.means.clone()),
        (
            "開始年度",
            year_text(Some(old.start_year)),
            year_text(Some(new.start_year)),
        ),
        ("終了年度", year_text(old.end_year), year_text(new.end_year)),
        (
            "会計",
            old.account.label().to_owned(),
            new.account.label().to_owned(),
        ),
        (
            "経費区分",
            old.expense_type.label().to_owned(),
            new.expense_type.label().to_owned(),
        ),
        ("施策など", links(old), links(new)),
        ("活動指標", activity(old), activity(new)),
    ];
    pairs.into_iter().filter(|(_, a, b)| a != b).collect()
}

/// The difference from `old` to `new` (any two editions, usually consecutive ones).
pub fn diff(old: &Edition, new: &Edition) -> EditionDiff {
    let compared_years: Vec<FiscalYear> = new
        .covers()
        .into_iter()
        .filter(|y| old.covers().contains(y))
        .collect();
    let added = new
        .programs
        .iter()
        .filter(|p| old.program(&p.code).is_none())
        .map(|p| p.code.clone())
        .collect();
    let ended = old
        .programs
        .iter()
        .filter(|p| new.program(&p.code).is_none())
        .map(|p| p.code.clone())
        .collect();
    let changed = new
        .programs
        .iter()
        .filter_map(|n| {
            let o = old.program(&n.code)?;
            let amounts: Vec<AmountChange> = compared_years
                .iter()
                .flat_map(|&y| {
                    Amount::ALL.into_iter().filter_map(move |a| {
                        let (before, after) = (a.of(o, y), a.of(n, y));
                        (before != after).then_some(AmountChange {
                            fiscal_year: y,
                            amount: a,
                            old: before,
                            new: after,
                        })
                    })
                })
                .collect();
            let target = |p: &Program, y: FiscalYear| {
                p.years
                    .iter()
                    .find(|py| py.fiscal_year == y)
                    .and_then(|py| py.activity_target)
            };
            let activity_targets = compared_years
                .iter()
                .map(|&y| (y, target(o, y), target(n, y)))
                .filter(|(_, a, b)| a != b)
                .collect();
            let change = ProgramChange {
                code: n.code.clone(),
                name: n.name.clone(),
                category: (o.category != n.category).then_some((o.category, n.category)),
                fields: fields(o, n),
                amounts,
                activity_targets,
            };
            let differs = change.category.is_some()
                || !change.fields.is_empty()
                || !change.amounts.is_empty()
                || !change.activity_targets.is_empty();
            differs.then_some(change)
        })
        .collect();
    EditionDiff {
        compared_years,
        added,
        ended,
        changed,
    }
}
