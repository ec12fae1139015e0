//! The evaluation sheet as an XLSX workbook a clerk prints as it is: a title row, a remark
//! row, one header row; the header and the key columns frozen; A4 landscape, fit to the
//! page width, the header row repeated on every page.

use rust_xlsxwriter::{Note, Workbook, Worksheet, XlsxError};

use super::table::{self, Cell, ColumnKind, FROZEN_COLUMNS, Table};
use super::{EvaluationSheet, ExportError};
use crate::xlsx_write::{
    self, Formats, col, places_pattern, set_up_page, write_decimal, write_error,
};

/// The sheet's name in the workbook.
pub const SHEET_NAME: &str = "KPI評価";

/// The 0-based row of the header (row 3 as Excel shows it).
pub(crate) const HEADER_ROW: u32 = 2;

/// The remark under the title: how blanks and provisional values read.
const REMARK: &str = "空欄は値がないことを示します（0ではありません）。速報値の実績値にはセルにメモ「速報値」を付け、備考にその年度を示しています。";

/// Writes the sheet as an XLSX workbook with one worksheet, 「KPI評価」.
///
/// Values are numbers with the row's decimal places (`#,##0.0`) and thousands separators; a
/// value that a spreadsheet number (f64) cannot hold exactly — more than 15 significant
/// digits — is written as text, so that reading it back gives the same decimal. Rates are
/// rounded half away from zero to one place before they are written. A provisional actual
/// carries the cell note 「速報値」 and is named in 備考.
pub fn to_xlsx(sheet: &EvaluationSheet) -> Result<Vec<u8>, ExportError> {
    let table = table::build(sheet)?;
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    write(worksheet, &table).map_err(write_error)?;
    workbook.save_to_buffer().map_err(write_error)
}

fn width(kind: ColumnKind) -> f64 {
    match kind {
        ColumnKind::Key => 10.0,
        ColumnKind::Group => 20.0,
        ColumnKind::Title => 34.0,
        ColumnKind::Short => 8.0,
        ColumnKind::Department => 14.0,
        ColumnKind::Value | ColumnKind::Rate => 12.0,
        ColumnKind::Year => 13.0,
        ColumnKind::Note => 36.0,
    }
}

fn write(ws: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let mut formats = Formats::new();
    ws.set_name(SHEET_NAME)?;
    ws.write_string_with_format(0, 0, &table.title, &formats.title)?;
    ws.write_string_with_format(1, 0, REMARK, &formats.remark)?;
    let last_col = col(table.columns.len().saturating_sub(1))?;
    for (i, (header, kind)) in table.columns.iter().enumerate() {
        let col = col(i)?;
        ws.write_string_with_format(HEADER_ROW, col, header, &formats.header)?;
        ws.set_column_width(col, width(*kind))?;
    }
    ws.set_row_height(HEADER_ROW, 45)?;
    for (i, row) in table.rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + xlsx_write::row(i)?;
        for (c, cell) in row.cells.iter().enumerate() {
            let col = col(c)?;
            let kind = table.columns[c].1;
            write_cell(ws, &mut formats, r, col, cell, kind)?;
        }
        for &c in &row.provisional {
            ws.insert_note(r, col(c)?, &Note::new("速報値").add_author_prefix(false))?;
        }
    }
    let last_row = HEADER_ROW + u32::try_from(table.rows.len()).unwrap_or(0);
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    set_up_page(ws, HEADER_ROW, FROZEN_COLUMNS)
}

fn write_cell(
    ws: &mut Worksheet,
    formats: &mut Formats,
    row: u32,
    col: u16,
    cell: &Cell,
    kind: ColumnKind,
) -> Result<(), XlsxError> {
    let text_format = match kind {
        ColumnKind::Title | ColumnKind::Group | ColumnKind::Note => &formats.wrapped,
        _ => &formats.text,
    };
    match cell {
        Cell::Blank => {
            ws.write_blank(row, col, text_format)?;
        }
        Cell::Text(t) if t.is_empty() => {
            ws.write_blank(row, col, text_format)?;
        }
        Cell::Text(t) => {
            ws.write_string_with_format(row, col, t, text_format)?;
        }
        Cell::Number { value, decimals } => {
            let format = formats.number(&places_pattern(*decimals));
            write_decimal(ws, (row, col), *value, &format, || {
                table::plain(*value, *decimals)
            })?;
        }
    }
    Ok(())
}
