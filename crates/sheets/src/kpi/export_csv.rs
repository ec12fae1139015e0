//! The evaluation sheet as CSV: the header row and one line per indicator (no title row),
//! CRLF line ends, UTF-8 with a BOM or Shift_JIS (CP932) — the two forms Excel on Japanese
//! Windows opens with a double click. Characters outside CP932 are reported, never replaced.

use super::table::{self, Cell};
use super::{EvaluationSheet, ExportError, KeyColumn};
use crate::csv_write::{self, CsvEncoding, CsvTable};

/// Writes the sheet as CSV. Values are plain decimals without thousands separators, with the
/// row's decimal places; rates are rounded like the XLSX's; a missing value is an empty field.
/// With [`CsvEncoding::ShiftJis`], every character CP932 cannot hold is returned
/// ([`ExportError::Unencodable`]) with its line, its row's key and its column's header.
pub fn to_csv(sheet: &EvaluationSheet, encoding: CsvEncoding) -> Result<Vec<u8>, ExportError> {
    let table = table::build(sheet)?;
    let csv = CsvTable {
        key_header: KeyColumn::Id.header().to_owned(),
        headers: table.columns.iter().map(|(h, _)| h.clone()).collect(),
        rows: table
            .rows
            .iter()
            .map(|row| (row.key.clone(), row.cells.iter().map(field).collect()))
            .collect(),
    };
    csv_write::write(&csv, encoding)
}

fn field(cell: &Cell) -> String {
    match cell {
        Cell::Blank => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Number { value, decimals } => table::plain(*value, *decimals),
    }
}
