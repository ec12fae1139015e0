//! A table of the projection results as CSV: the header row and one line per row (no title
//! or notes), CRLF line ends, UTF-8 with a BOM or Shift_JIS (CP932), values rounded.

use super::results::{self, Cell};
use super::{ExportError, ResultBook, ResultTable};
use crate::csv_write::{self, CsvEncoding, CsvTable};

/// Writes one table of the book as CSV.
///
/// People are rounded half away from zero (四捨五入) to whole persons and shares to 0.1 %
/// (「12.3」), without thousands separators; a year a series has no value for is an empty
/// field. The rounding is the CSV's only: the XLSX ([`super::write_results_xlsx`]) keeps the
/// exact values and only shows them rounded. Because every value is rounded on its own, a
/// row's 計 or 総数 may differ by a person from the sum of its rounded parts. The title and
/// notes are not written: a CSV holds one table.
///
/// Refuses a value that is not a number ([`ExportError::NonFinite`]); with
/// [`CsvEncoding::ShiftJis`], every character CP932 cannot hold is returned
/// ([`ExportError::Unencodable`]) with its line, its row's 推計 (or 年) and its column.
pub fn write_results_csv(
    book: &ResultBook,
    table: ResultTable,
    encoding: CsvEncoding,
) -> Result<Vec<u8>, ExportError> {
    let laid = results::build(book, table)?;
    let csv = CsvTable {
        key_header: laid.key_header.to_owned(),
        headers: laid.columns.iter().map(|(h, _)| h.clone()).collect(),
        rows: laid
            .rows
            .iter()
            .map(|(key, cells)| (key.clone(), cells.iter().map(Cell::field).collect()))
            .collect(),
    };
    csv_write::write(&csv, encoding)
}
