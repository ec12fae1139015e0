//! The KPI evaluation sheet (KPI評価シート): written as XLSX ([`to_xlsx`]) and CSV
//! ([`to_csv`]) from a neutral [`EvaluationSheet`], and read back — the same sheet or the
//! simple one a department makes itself — as yearly values ([`read_values`]).
//!
//! The sheet's layout, one row per indicator under a single header row:
//!
//! | 指標ID | 区分 | 指標名 | 単位 | 所管課 | 基準値 | 基準年度 | 目標値 | 目標年度 | 令和7年度（2025年度）目標値 | 令和7年度（2025年度）実績値 | … | 進捗率（%） | 評価 | 備考 |
//!
//! - A missing value is a blank cell, never 0.
//! - A provisional actual (速報値) carries a cell note 「速報値」 in the XLSX, and in both
//!   formats the 備考 column says which years are provisional (「速報値: 令和6年度（2024年度）」),
//!   because a CSV has no notes. Reading does not bring the mark back.
//! - The rate column is 「進捗率（%）」 or 「達成率（%）」 when every row uses the same form;
//!   with both forms it is 「進捗率・達成率（%）」 and 備考 names the form of each row. Rates are
//!   rounded half away from zero (四捨五入) to [`keikaku_domain::format::PERCENT_DECIMALS`]
//!   places, the one rounding rule of `keikaku_domain::format::percent`.
//!
//! Reading accepts that layout and the simplest one a department makes: a header row with a
//! key column (指標ID, else 指標コード, else 指標名) and one column per fiscal year (H27,
//! 平成27年度, R1, 令和元年度, 2015年度, 2015, full-width digits, with an optional 目標値 or
//! 実績値 beside it; a bare year is 実績値). Rows above the header row (titles) and columns it
//! does not know (基準値, 進捗率, 評価, 備考 …) are skipped. Every problem of a sheet is returned
//! at once, each with its cell.

mod export_csv;
mod export_xlsx;
mod read;
mod table;
mod value;

use keikaku_domain::era::FiscalYear;
use rust_decimal::Decimal;

pub use crate::csv_write::CsvEncoding;
pub use crate::error::{ExportError, SheetError, Unencodable};
pub use export_csv::to_csv;
pub use export_xlsx::to_xlsx;
pub use read::read_values;

/// The sheet to write: a plan's indicators with their values for some fiscal years.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvaluationSheet {
    /// The plan's title, written in the title row.
    pub plan_title: String,
    /// The fiscal year being evaluated, named in the title row when given.
    pub evaluated_year: Option<FiscalYear>,
    /// The fiscal years that get a 目標値 / 実績値 column pair, in column order.
    pub years: Vec<FiscalYear>,
    /// One row per indicator, in row order.
    pub rows: Vec<SheetRow>,
}

/// One indicator's row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SheetRow {
    /// 指標ID: the key a department keeps when it fills the sheet in (the indicator's code,
    /// or its id when it has none). Written as text, so leading zeros stay.
    pub key: String,
    /// 区分: where the indicator belongs, e.g. 「基本目標1 結婚・出産・子育ての希望をかなえる」.
    pub group: String,
    /// 指標名.
    pub title: String,
    /// 単位, e.g. 「人」 or 「%」.
    pub unit: String,
    /// 所管課.
    pub department: String,
    /// Decimal places the values are shown with; `None`: as many as the row's values have.
    pub decimals: Option<u32>,
    /// 基準値 with its year.
    pub baseline: Option<(FiscalYear, Decimal)>,
    /// 目標値 with its (target) year.
    pub target: Option<(FiscalYear, Decimal)>,
    /// The values of each year of [`EvaluationSheet::years`], in the same order and as many.
    pub years: Vec<YearCells>,
    /// 進捗率 or 達成率 in percent, exact; `None` when not evaluable.
    pub progress: Option<Decimal>,
    /// The rate's name: 「進捗率」 or 「達成率」.
    pub rate_label: String,
    /// 評価: the grade's label, or 「評価不能」.
    pub grade: String,
    /// 備考: the reason when not evaluable, or the department's comment.
    pub note: String,
}

/// One fiscal year's values of a row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YearCells {
    /// The year's target (the interim target, or the final one in the target year).
    pub target: Option<Decimal>,
    /// The year's actual.
    pub actual: Option<Decimal>,
    /// Whether the actual is provisional (速報値).
    pub provisional: bool,
}

/// The values read from a sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedValues {
    /// The sheet the values come from (for a CSV: the file name without its extension, as
    /// Excel names the sheet).
    pub sheet: String,
    /// Which column gave the rows' keys.
    pub key_column: KeyColumn,
    /// The rows with a key, in sheet order; a row without any value is kept (with no cells).
    pub rows: Vec<ParsedRow>,
}

/// The column that identifies a row's indicator, in order of preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyColumn {
    /// 指標ID (the column the export writes).
    Id,
    /// 指標コード.
    Code,
    /// 指標名: the indicator's title; the app matches it to an indicator.
    Title,
}

impl KeyColumn {
    /// The header text of the column: 「指標ID」, 「指標コード」 or 「指標名」.
    pub const fn header(self) -> &'static str {
        match self {
            Self::Id => "指標ID",
            Self::Code => "指標コード",
            Self::Title => "指標名",
        }
    }
}

/// One row with a key.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedRow {
    /// The row number, 1-based as Excel shows it (for a CSV, the record number).
    pub row: u32,
    /// The key as written, surrounding spaces removed.
    pub key: String,
    /// The key's cell, e.g. "A7", for the app's own messages.
    pub key_cell: String,
    /// The cells that hold a value, in column order.
    pub cells: Vec<ParsedCell>,
}

/// Which value of a year a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueColumn {
    /// 目標値.
    Target,
    /// 実績値 (a bare year header means this).
    Actual,
}

impl ValueColumn {
    /// 「目標値」 or 「実績値」.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Target => "目標値",
            Self::Actual => "実績値",
        }
    }
}

/// One cell that holds a value.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedCell {
    /// The column's fiscal year.
    pub year: FiscalYear,
    /// Target or actual.
    pub column: ValueColumn,
    /// The value, exact.
    pub value: Decimal,
    /// The cell, e.g. "D7".
    pub cell: String,
    /// The column's header as written in the sheet, e.g. 「R1」.
    pub header: String,
}
