//! The program list of the implementation plan (実施計画 事業一覧): written as XLSX
//! ([`to_xlsx`]) and CSV ([`to_csv`]) from a neutral [`ProgramSheet`], and read back — the same
//! sheet or the one a department makes itself — as [`Program`]s ([`read_programs`]).
//!
//! The layout, one row per program under a single header row, the same in the XLSX sheet
//! 「事業一覧」 and in the CSV:
//!
//! | 事業コード | 事業名 | 所管課 | 事業区分 | 目標 | 分野 | 施策 | 施策など（ID） | 目的 | 対象 | 手段 | 開始年度 | 終了年度 | 会計 | 経費区分 | 活動指標 | 活動指標の単位 | 令和8年度（2026年度）事業費 | …国庫支出金 | …県支出金 | …地方債 | …その他 | …一般財源 | …活動指標の目標値 | (each year) | サンプル |
//!
//! - Amounts are in 千円, exact: 1,234,567 yen is written 1234.567, so that a sheet read back
//!   gives the same yen. A year the program has not entered is six blank cells, never 0.
//! - 目標 / 分野 / 施策 are for people only and are not read; 施策など（ID） holds the elements
//!   the program serves as `plan_id/element_id`, one per line.
//! - The XLSX has a title row and the note 「（単位：千円）…」 above the header, and a second
//!   sheet 「集計」 with the [`TotalsSection`]s given, rounded to whole 千円 by the sheet's
//!   [`Rounding`] and ending with its note.
//!
//! Reading finds the header row (the first with a cell 「事業コード」) below any title rows,
//! takes the columns in any order (unknown ones are skipped; a year header may be written
//! 「R8事業費」 or 「令和9年度一般財源」, with full-width digits), and returns every problem of
//! the file at once, each at its cell — the domain's own checks ([`Program::problems`])
//! included. Whether a 施策 or a department exists is the app's check, placed with
//! [`ParsedProgram::error`].
//!
//! ```
//! use keikaku_domain::era::FiscalYear;
//! use keikaku_domain::format::Rounding;
//! use keikaku_domain::program::{
//!     Account, Activity, ExpenseType, Funding, Program, ProgramCategory, ProgramCode,
//!     ProgramYear, Yen,
//! };
//! use keikaku_sheets::CsvEncoding;
//! use keikaku_sheets::programs::{self, ProgramSheet, SheetProgram};
//!
//! let years: Vec<FiscalYear> = (2026..=2028).map(|y| FiscalYear::new(y).unwrap()).collect();
//! let program = Program {
//!     code: ProgramCode::parse("02-01-003").unwrap(),
//!     name: "新規就農者支援事業".into(),
//!     department: "農政課".into(),
//!     links: vec![],
//!     purpose: String::new(),
//!     target_group: String::new(),
//!     means: String::new(),
//!     start_year: years[0],
//!     end_year: None,
//!     account: Account::General,
//!     expense_type: ExpenseType::Other,
//!     activity: Activity::default(),
//!     category: ProgramCategory::New,
//!     years: vec![ProgramYear::new(years[0], Funding::general_only(Yen::new(1_234_567)))],
//!     sample: false,
//! };
//! let sheet = ProgramSheet {
//!     title: "一関市実施計画 令和7年度版".into(),
//!     years: years.clone(),
//!     rows: vec![SheetProgram { program: program.clone(), place: Default::default() }],
//!     totals: vec![],
//!     rounding: Rounding::HalfUp,
//! };
//! let csv = programs::to_csv(&sheet, CsvEncoding::Utf8Bom).unwrap();
//! let read = programs::read_programs("事業一覧.csv", &csv, &years).unwrap();
//! assert_eq!(read.programs[0].program, program);
//! ```

mod column;
mod export_csv;
mod export_xlsx;
mod read;
mod row;
mod table;

use std::sync::Arc;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{Funding, Program};

pub use crate::csv_write::CsvEncoding;
pub use crate::error::{ExportError, SheetError, Unencodable};
pub use column::Column;
pub use export_csv::to_csv;
pub use export_xlsx::{SHEET_NAME, TOTALS_SHEET_NAME, to_xlsx};
pub use read::{read_programs, read_programs_partly};

/// The program list to write: an edition's programs with the years it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramSheet {
    /// The title row, e.g. 「一関市実施計画 令和7年度版（令和8年度〜令和10年度）」.
    pub title: String,
    /// The fiscal years the edition covers, in column order. A program's amounts of any other
    /// year have no column and are not written (`Program::problems` reports them).
    pub years: Vec<FiscalYear>,
    /// One row per program, in row order.
    pub rows: Vec<SheetProgram>,
    /// The sections of the XLSX's second sheet 「集計」 (none: no such sheet). The CSV has no
    /// place for them.
    pub totals: Vec<TotalsSection>,
    /// The edition's rule for whole 千円, used by 「集計」 and its note.
    pub rounding: Rounding,
}

/// One program's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetProgram {
    /// The program.
    pub program: Program,
    /// 目標, 分野 and 施策 as displayed (「1 地域資源を活かした産業の振興」); empty when none.
    pub place: [String; 3],
}

/// A table of totals on the 「集計」 sheet, e.g. per department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotalsSection {
    /// The table's title, e.g. 「所管課別」.
    pub title: String,
    /// Its rows.
    pub rows: Vec<TotalsRow>,
}

/// One row of totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotalsRow {
    /// 区分: what the row adds up, e.g. 「農政課」 or 「合計」.
    pub label: String,
    /// 事業数.
    pub programs: usize,
    /// The totals of each year of [`ProgramSheet::years`], in the same order and as many.
    pub years: Vec<Funding>,
}

/// The programs read from a sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedPrograms {
    /// The sheet they come from (for a CSV: the file name without its extension, as Excel
    /// names the sheet).
    pub sheet: String,
    /// The programs, in sheet order.
    pub programs: Vec<ParsedProgram>,
}

/// One program read from a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedProgram {
    /// The row, 1-based as Excel shows it (for a CSV, the record number).
    pub row: u32,
    /// The program as the row gives it.
    pub program: Program,
    /// Where each column of the sheet was (0-based), shared by every row of the sheet.
    columns: Arc<[(Column, u32)]>,
}

impl ParsedProgram {
    /// A problem the app finds in this row (an unknown 施策 id, a department the user may not
    /// touch …), placed at the column's cell — or at the row when the sheet has no such
    /// column.
    pub fn error(&self, sheet: &str, column: Column, message: impl Into<String>) -> SheetError {
        place(sheet, self.row, &self.columns, column, message.into())
    }

    /// Whether the sheet has the column: a program read from a sheet without 目的, say, has
    /// an empty purpose that says nothing about the stored one.
    pub fn has_column(&self, column: Column) -> bool {
        self.columns.iter().any(|(c, _)| *c == column)
    }
}

/// A problem placed at a column's cell of a 1-based row (at the row when there is no such
/// column), the column named by its header as written.
fn place(
    sheet: &str,
    row: u32,
    columns: &[(Column, u32)],
    column: Column,
    message: String,
) -> SheetError {
    let col = index(columns, column);
    SheetError {
        sheet: sheet.to_owned(),
        cell: col.map(|c| crate::error::cell_name(row.saturating_sub(1), c)),
        row: Some(row),
        header: Some(column.header()),
        message,
    }
}

/// The 0-based index of a column in the sheet.
fn index(columns: &[(Column, u32)], column: Column) -> Option<u32> {
    columns.iter().find(|(c, _)| *c == column).map(|(_, i)| *i)
}
