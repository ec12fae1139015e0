//! The tables of a [`ResultBook`] as typed cells: the one layout both the XLSX and the CSV
//! writer put out, with every value checked to be a number before anything is written.

use keikaku_domain::population::{BySex, GROUPS, group_label};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{ExportError, ResultBook, ResultTable};

/// One cell of a results table.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Cell {
    /// Nothing (a year a series has no value for).
    Blank,
    /// Text, as given.
    Text(String),
    /// A year: 2040.
    Year(i32),
    /// People, exact (an estimate, with its fraction).
    People(f64),
    /// A share in percent (12.3 for 12.3 %).
    Share(f64),
}

/// The places a share is shown with, in percent.
pub(super) const SHARE_DECIMALS: u32 = 1;

impl Cell {
    /// The cell as a CSV field: people rounded half away from zero to whole persons, shares
    /// to 0.1 %, without thousands separators.
    pub(super) fn field(&self) -> String {
        match self {
            Self::Blank => String::new(),
            Self::Text(t) => t.clone(),
            Self::Year(y) => y.to_string(),
            Self::People(v) => rounded(*v, 0),
            Self::Share(v) => rounded(*v, SHARE_DECIMALS),
        }
    }
}

/// A value rounded half away from zero (四捨五入) to `places`, through its shortest decimal
/// text, with its trailing zeros kept: 12.25 → 「12.3」, 1234.5 → 「1235」.
fn rounded(value: f64, places: u32) -> String {
    let Ok(d) = crate::value::parse_float(value) else {
        // Beyond a decimal's range (far beyond any population): the float's own rounding.
        return format!("{value:.prec$}", prec = places as usize);
    };
    let mut r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r = Decimal::ZERO;
    }
    format!("{r:.prec$}", prec = places as usize)
}

/// How wide a column is and whether it is a key column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Name,
    Year,
    Age,
    Value,
}

/// A table laid out.
pub(super) struct Table {
    /// The header of the column that names a row in messages: 「推計」 or 「年」.
    pub key_header: &'static str,
    /// The columns: header and kind.
    pub columns: Vec<(String, Kind)>,
    /// Each row's key (for messages) and cells.
    pub rows: Vec<(String, Vec<Cell>)>,
    /// The columns that stay in view when scrolling right.
    pub frozen: u16,
}

/// The three age bands of the summary with their ages.
const BANDS: [&str; 3] = [
    "年少人口（0〜14歳）",
    "生産年齢人口（15〜64歳）",
    "老年人口（65歳以上）",
];

const SHARES: [&str; 3] = [
    "年少人口割合（%）",
    "生産年齢人口割合（%）",
    "老年人口割合（%）",
];

/// Lays a table out; refuses a value that is not a number.
pub(super) fn build(book: &ResultBook, which: ResultTable) -> Result<Table, ExportError> {
    let table = match which {
        ResultTable::Summary => summary(book),
        ResultTable::Detail => detail(book),
        ResultTable::Comparison => comparison(book),
    };
    for (key, cells) in &table.rows {
        for (cell, (header, _)) in cells.iter().zip(&table.columns) {
            if let Cell::People(v) | Cell::Share(v) = cell
                && !v.is_finite()
            {
                return Err(ExportError::NonFinite {
                    sheet: which.sheet_name().to_owned(),
                    row: key.clone(),
                    column: header.clone(),
                });
            }
        }
    }
    Ok(table)
}

fn summary(book: &ResultBook) -> Table {
    let mut columns = vec![
        ("推計".to_owned(), Kind::Name),
        ("年".to_owned(), Kind::Year),
        ("総人口".to_owned(), Kind::Value),
    ];
    columns.extend(BANDS.iter().map(|b| ((*b).to_owned(), Kind::Value)));
    columns.extend(SHARES.iter().map(|s| ((*s).to_owned(), Kind::Value)));
    let rows = book
        .summary
        .iter()
        .map(|s| {
            let mut cells = vec![
                Cell::Text(s.scenario.clone()),
                Cell::Year(s.year),
                Cell::People(s.total),
            ];
            cells.extend(s.bands.iter().map(|b| Cell::People(*b)));
            cells.extend(s.shares.iter().map(|v| v.map_or(Cell::Blank, Cell::Share)));
            (format!("{} {}年", s.scenario, s.year), cells)
        })
        .collect();
    Table {
        key_header: "推計",
        columns,
        rows,
        frozen: 2,
    }
}

/// The labels of the detail's rows: 総数, then every age group.
fn age_rows(population: &BySex<f64>) -> Vec<(String, f64, f64, f64)> {
    let men: f64 = population.male.iter().sum();
    let women: f64 = population.female.iter().sum();
    let mut out = vec![("総数".to_owned(), men, women, population.total())];
    for i in 0..GROUPS {
        let (m, f) = (population.male[i], population.female[i]);
        out.push((group_label(i), m, f, m + f));
    }
    out
}

fn detail(book: &ResultBook) -> Table {
    let columns = vec![
        ("推計".to_owned(), Kind::Name),
        ("年".to_owned(), Kind::Year),
        ("年齢（5歳階級）".to_owned(), Kind::Age),
        ("男".to_owned(), Kind::Value),
        ("女".to_owned(), Kind::Value),
        ("計".to_owned(), Kind::Value),
    ];
    let mut rows = Vec::new();
    for d in &book.detail {
        for (age, m, f, t) in age_rows(&d.population) {
            let key = format!("{} {}年 {age}", d.scenario, d.year);
            let cells = vec![
                Cell::Text(d.scenario.clone()),
                Cell::Year(d.year),
                Cell::Text(age),
                Cell::People(m),
                Cell::People(f),
                Cell::People(t),
            ];
            rows.push((key, cells));
        }
    }
    Table {
        key_header: "推計",
        columns,
        rows,
        frozen: 3,
    }
}

fn comparison(book: &ResultBook) -> Table {
    let mut columns = vec![("年".to_owned(), Kind::Year)];
    columns.extend(
        book.comparison
            .columns
            .iter()
            .map(|c| (c.name.clone(), Kind::Value)),
    );
    let rows = book
        .comparison
        .years()
        .into_iter()
        .map(|year| {
            let mut cells = vec![Cell::Year(year)];
            cells.extend(book.comparison.columns.iter().map(|c| {
                c.values
                    .get(&year)
                    .map_or(Cell::Blank, |v| Cell::People(*v))
            }));
            (format!("{year}年"), cells)
        })
        .collect();
    Table {
        key_header: "年",
        columns,
        rows,
        frozen: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_rounded_half_away_from_zero() {
        let cases = [
            (Cell::People(1234.5), "1235"),
            (Cell::People(1_234.499_999), "1234"),
            (Cell::People(-0.4), "0"),
            (Cell::People(-2.5), "-3"),
            (Cell::People(82_277.0), "82277"),
            (Cell::Share(12.25), "12.3"),
            (Cell::Share(12.0), "12.0"),
            (Cell::Share(33.349_999), "33.3"),
            (Cell::Share(0.05), "0.1"),
            (Cell::Year(2040), "2040"),
            (Cell::Blank, ""),
        ];
        for (cell, want) in cases {
            assert_eq!(cell.field(), want, "{cell:?}");
        }
    }
}
