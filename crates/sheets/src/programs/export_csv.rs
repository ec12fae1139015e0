//! The program list as CSV: the header row and one line per program (no title row), CRLF
//! line ends, UTF-8 with a BOM or Shift_JIS (CP932). Characters outside CP932 are reported
//! with their line, 事業コード and column, never replaced.

use super::table::{self, Cell};
use super::{Column, ExportError, ProgramSheet};
use crate::csv_write::{self, CsvEncoding, CsvTable};

/// Writes the program list as CSV. Amounts are in 千円 as exact decimals without thousands
/// separators (1234.567); a year a program has not entered is six empty fields. The totals
/// (集計) are not written: a CSV holds one table.
///
/// With [`CsvEncoding::ShiftJis`], every character CP932 cannot hold is returned
/// ([`ExportError::Unencodable`]) with its line, its row's 事業コード and its column's header.
pub fn to_csv(sheet: &ProgramSheet, encoding: CsvEncoding) -> Result<Vec<u8>, ExportError> {
    let slots = table::slots(&sheet.years);
    let rows = sheet
        .rows
        .iter()
        .map(|p| {
            let row = table::row(p, &slots);
            (row.code, row.cells.iter().map(Cell::field).collect())
        })
        .collect();
    let csv = CsvTable {
        key_header: Column::Code.header(),
        headers: slots.iter().map(|s| s.header()).collect(),
        rows,
    };
    csv_write::write(&csv, encoding)
}
