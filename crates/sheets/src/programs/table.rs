//! The program list as a table of typed cells: the one layout both the XLSX and the CSV
//! writer put out, so that the two cannot drift apart.

use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{Funding, Program, ProgramYear, Yen};
use rust_decimal::Decimal;

use super::SheetProgram;
use super::column::{Column, YearField};

/// A column of the table: one that is read back, or one of the place columns (目標, 分野,
/// 施策), which are for people only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Data(Column),
    /// 目標 (0), 分野 (1) or 施策 (2).
    Place(usize),
}

const PLACE_HEADERS: [&str; 3] = ["目標", "分野", "施策"];

impl Slot {
    pub(crate) fn header(self) -> String {
        match self {
            Self::Data(c) => c.header(),
            Self::Place(i) => PLACE_HEADERS.get(i).copied().unwrap_or_default().to_owned(),
        }
    }
}

/// One cell of the table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// Nothing (a year not entered is blank, never 0).
    Blank,
    /// Text, as given.
    Text(String),
    /// A fiscal year as its Western year number: 2026.
    Year(i32),
    /// An amount in 千円, exact (1234.567 for 1,234,567 yen).
    Thousands(Decimal),
    /// A decimal with the places it was given (an activity target).
    Number(Decimal),
}

impl Cell {
    /// The cell as a CSV field: numbers plain, without thousands separators.
    pub(crate) fn field(&self) -> String {
        match self {
            Self::Blank => String::new(),
            Self::Text(t) => t.clone(),
            Self::Year(y) => y.to_string(),
            Self::Thousands(v) | Self::Number(v) => v.to_string(),
        }
    }
}

/// One program's row.
pub(crate) struct TableRow {
    /// The 事業コード (for messages).
    pub code: String,
    /// One cell per slot.
    pub cells: Vec<Cell>,
}

/// The columns of a sheet of these years, in order.
pub(crate) fn slots(years: &[FiscalYear]) -> Vec<Slot> {
    use Column as C;
    let mut out: Vec<Slot> = [C::Code, C::Name, C::Department, C::Category]
        .map(Slot::Data)
        .into();
    out.extend((0..3).map(Slot::Place));
    out.extend(
        [
            C::Links,
            C::Purpose,
            C::TargetGroup,
            C::Means,
            C::StartYear,
            C::EndYear,
            C::Account,
            C::ExpenseType,
            C::ActivityName,
            C::ActivityUnit,
        ]
        .map(Slot::Data),
    );
    for &year in years {
        out.extend(YearField::all().map(|f| Slot::Data(f.of(year))));
    }
    out.push(Slot::Data(C::Sample));
    out
}

/// An amount in yen as exact 千円: 1,234,567 → 1234.567, 1,000,000 → 1000.
pub(crate) fn thousands(yen: Yen) -> Decimal {
    Decimal::new(yen.yen(), 3).normalize()
}

/// The program's row, one cell per slot: the sheet's years decide the columns, so a year of
/// the program outside them has none.
pub(crate) fn row(p: &SheetProgram, slots: &[Slot]) -> TableRow {
    let cells = slots
        .iter()
        .map(|slot| match slot {
            Slot::Place(i) => text(p.place.get(*i).map_or("", String::as_str)),
            Slot::Data(c) => cell(&p.program, *c),
        })
        .collect();
    TableRow {
        code: p.program.code.to_string(),
        cells,
    }
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Blank
    } else {
        Cell::Text(s.to_owned())
    }
}

fn cell(p: &Program, column: Column) -> Cell {
    match column {
        Column::Code => text(p.code.as_str()),
        Column::Name => text(&p.name),
        Column::Department => text(&p.department),
        Column::Category => text(p.category.label()),
        Column::Links => {
            let links: Vec<String> = p
                .links
                .iter()
                .map(|l| format!("{}/{}", l.plan, l.element))
                .collect();
            text(&links.join("\n"))
        }
        Column::Purpose => text(&p.purpose),
        Column::TargetGroup => text(&p.target_group),
        Column::Means => text(&p.means),
        Column::StartYear => Cell::Year(p.start_year.year()),
        Column::EndYear => p.end_year.map_or(Cell::Blank, |y| Cell::Year(y.year())),
        Column::Account => text(p.account.label()),
        Column::ExpenseType => text(p.expense_type.label()),
        Column::ActivityName => text(&p.activity.name),
        Column::ActivityUnit => text(&p.activity.unit),
        Column::Sample => text(if p.sample { "○" } else { "" }),
        Column::Cost(y) => amount(p, y, |f| f.cost),
        Column::Part(y, part) => amount(p, y, |f| f.part(part)),
        Column::ActivityTarget(y) => year_of(p, y)
            .and_then(|py| py.activity_target)
            .map_or(Cell::Blank, Cell::Number),
    }
}

fn year_of(p: &Program, year: FiscalYear) -> Option<&ProgramYear> {
    p.years.iter().find(|y| y.fiscal_year == year)
}

fn amount(p: &Program, year: FiscalYear, of: impl Fn(&Funding) -> Yen) -> Cell {
    p.year(year)
        .map_or(Cell::Blank, |f| Cell::Thousands(thousands(of(f))))
}
