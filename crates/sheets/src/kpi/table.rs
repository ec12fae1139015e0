//! The evaluation sheet as a table of typed cells: the one layout both the XLSX and the CSV
//! writer put out, so that the two cannot drift apart.

use keikaku_domain::format::{self, PERCENT_DECIMALS};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{EvaluationSheet, ExportError, SheetRow, ValueColumn};

/// What a column holds; the XLSX writer sets widths and formats from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// 指標ID.
    Key,
    /// 区分.
    Group,
    /// 指標名.
    Title,
    /// 単位, 評価: a few characters.
    Short,
    /// 所管課.
    Department,
    /// A value of the indicator (基準値, 目標値, a year's values).
    Value,
    /// A fiscal year written out (基準年度, 目標年度).
    Year,
    /// 進捗率 or 達成率.
    Rate,
    /// 備考.
    Note,
}

/// One cell of the table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// Nothing: no value given (never 0).
    Blank,
    /// Text.
    Text(String),
    /// A number shown with `decimals` places.
    Number {
        /// The exact value.
        value: Decimal,
        /// Places it is shown with.
        decimals: u32,
    },
}

/// One row of the table.
pub(crate) struct TableRow {
    /// The indicator's key (for messages).
    pub key: String,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// Columns whose actual is provisional (速報値).
    pub provisional: Vec<usize>,
}

/// The whole table.
pub(crate) struct Table {
    /// The title line (for the XLSX title row).
    pub title: String,
    /// Header text and kind of each column.
    pub columns: Vec<(String, ColumnKind)>,
    /// The rows.
    pub rows: Vec<TableRow>,
}

/// Columns before the first year: 指標ID … 目標年度; the first three are frozen in the XLSX.
pub(crate) const LEADING: [(&str, ColumnKind); 9] = [
    ("指標ID", ColumnKind::Key),
    ("区分", ColumnKind::Group),
    ("指標名", ColumnKind::Title),
    ("単位", ColumnKind::Short),
    ("所管課", ColumnKind::Department),
    ("基準値", ColumnKind::Value),
    ("基準年度", ColumnKind::Year),
    ("目標値", ColumnKind::Value),
    ("目標年度", ColumnKind::Year),
];

/// The number of columns kept in view when scrolling right (指標ID, 区分, 指標名).
pub(crate) const FROZEN_COLUMNS: u16 = 3;

/// The header of a year's value column: 「令和7年度（2025年度）実績値」.
pub(crate) fn year_header(year: keikaku_domain::era::FiscalYear, column: ValueColumn) -> String {
    format!("{}{}", format::fiscal_year(year), column.label())
}

/// Lays the sheet out; refuses a row without one year cell per year.
pub(crate) fn build(sheet: &EvaluationSheet) -> Result<Table, ExportError> {
    for row in &sheet.rows {
        if row.years.len() != sheet.years.len() {
            return Err(ExportError::YearCount {
                key: row.key.clone(),
                expected: sheet.years.len(),
                found: row.years.len(),
            });
        }
    }
    let labels: Vec<&str> = sheet.rows.iter().map(|r| r.rate_label.trim()).collect();
    let mixed = labels.iter().any(|l| *l != labels[0]);
    let rate_header = match labels.first() {
        Some(l) if !mixed && !l.is_empty() => format!("{l}（%）"),
        Some(_) if mixed => "進捗率・達成率（%）".to_owned(),
        _ => "進捗率（%）".to_owned(),
    };
    let mut columns: Vec<(String, ColumnKind)> =
        LEADING.iter().map(|(h, k)| ((*h).to_owned(), *k)).collect();
    for &year in &sheet.years {
        for column in [ValueColumn::Target, ValueColumn::Actual] {
            columns.push((year_header(year, column), ColumnKind::Value));
        }
    }
    columns.push((rate_header, ColumnKind::Rate));
    columns.push(("評価".to_owned(), ColumnKind::Short));
    columns.push(("備考".to_owned(), ColumnKind::Note));
    let rows = sheet.rows.iter().map(|r| row(sheet, r, mixed)).collect();
    let title = match sheet.evaluated_year {
        Some(fy) => format!(
            "{}　KPI評価シート（{}の評価）",
            sheet.plan_title,
            format::fiscal_year(fy)
        ),
        None => format!("{}　KPI評価シート", sheet.plan_title),
    };
    Ok(Table {
        title,
        columns,
        rows,
    })
}

fn row(sheet: &EvaluationSheet, r: &SheetRow, mixed_rates: bool) -> TableRow {
    let decimals = r.decimals.unwrap_or_else(|| places(r));
    let number = |v: Option<Decimal>| match v {
        Some(value) => Cell::Number { value, decimals },
        None => Cell::Blank,
    };
    let text = |s: &str| Cell::Text(s.to_owned());
    let year = |y: Option<keikaku_domain::era::FiscalYear>| match y {
        Some(fy) => Cell::Text(format::fiscal_year(fy)),
        None => Cell::Blank,
    };
    let mut cells = vec![
        text(&r.key),
        text(&r.group),
        text(&r.title),
        text(&r.unit),
        text(&r.department),
        number(r.baseline.map(|b| b.1)),
        year(r.baseline.map(|b| b.0)),
        number(r.target.map(|t| t.1)),
        year(r.target.map(|t| t.0)),
    ];
    let mut provisional = Vec::new();
    let mut provisional_years = Vec::new();
    for (cells_of_year, &fy) in r.years.iter().zip(&sheet.years) {
        cells.push(number(cells_of_year.target));
        if cells_of_year.provisional && cells_of_year.actual.is_some() {
            provisional.push(cells.len());
            provisional_years.push(format::fiscal_year(fy));
        }
        cells.push(number(cells_of_year.actual));
    }
    cells.push(match r.progress {
        Some(p) => Cell::Number {
            value: p
                .round_dp_with_strategy(PERCENT_DECIMALS, RoundingStrategy::MidpointAwayFromZero),
            decimals: PERCENT_DECIMALS,
        },
        None => Cell::Blank,
    });
    cells.push(text(&r.grade));
    let mut note: Vec<String> = Vec::new();
    if !r.note.trim().is_empty() {
        note.push(r.note.trim().to_owned());
    }
    if mixed_rates && !r.rate_label.trim().is_empty() {
        note.push(format!("{}で評価", r.rate_label.trim()));
    }
    if !provisional_years.is_empty() {
        note.push(format!("速報値: {}", provisional_years.join("、")));
    }
    cells.push(Cell::Text(note.join("／")));
    TableRow {
        key: r.key.clone(),
        cells,
        provisional,
    }
}

/// The most decimal places among the row's values (for a row without its own).
fn places(r: &SheetRow) -> u32 {
    let years = r.years.iter().flat_map(|y| [y.target, y.actual]);
    [r.baseline.map(|b| b.1), r.target.map(|t| t.1)]
        .into_iter()
        .chain(years)
        .flatten()
        .map(|v| v.normalize().scale())
        .max()
        .unwrap_or(0)
}

/// A value as plain text with at least `decimals` places (zeros added, never rounded away):
/// 「105.50」. No thousands separators, so that any program reads it back.
pub(crate) fn plain(value: Decimal, decimals: u32) -> String {
    let mut v = value;
    if v.scale() < decimals {
        v.rescale(decimals);
    }
    v.to_string()
}
