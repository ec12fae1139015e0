//! The projection results as an XLSX workbook a clerk prints as it is: three sheets
//! (「推計結果」, 「男女・年齢別」, 「目標と実績」), each with a title row, note rows and one header
//! row; exact values shown to the whole person; the header and key columns frozen; A4
//! landscape, fit to the page width, the header row repeated.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::results::{self, Cell, Kind, SHARE_DECIMALS, Table};
use super::{ExportError, ResultBook, ResultTable};
use crate::xlsx_write::{self, Formats, col, set_up_page, write_error};

/// The number format of people: whole persons with thousands separators.
const PEOPLE: &str = "#,##0";

/// The note every sheet starts with: how its values are shown.
fn note(table: ResultTable) -> &'static str {
    match table {
        ResultTable::Summary => {
            "人口は推計値を小数のまま収め、1人単位で表示しています（表示上、総人口と内訳の計が一致しない場合があります）。割合は0.1%単位で表示しています。"
        }
        ResultTable::Detail => {
            "人口は推計値を小数のまま収め、1人単位で表示しています（表示上、総数・計と内訳の計が一致しない場合があります）。"
        }
        ResultTable::Comparison => {
            "人口は1人単位で表示しています（推計値は小数のまま収めています）。空欄はその年の値がないことを示します（0ではありません）。"
        }
    }
}

/// Writes the book as an XLSX workbook with the sheets 「推計結果」, 「男女・年齢別」 and
/// 「目標と実績」.
///
/// People are numbers holding the exact f64 values, shown as whole persons (`#,##0`); shares
/// are fractions shown as percent with one place (`0.0%`); years are plain numbers (2040).
/// Each sheet has the title, a note on how values are shown, the book's notes (one row each)
/// and the header row, which is frozen with the key columns and repeated on every printed
/// page. Refuses a value that is not a number ([`ExportError::NonFinite`]).
pub fn write_results_xlsx(book: &ResultBook) -> Result<Vec<u8>, ExportError> {
    let tables = ResultTable::ALL
        .into_iter()
        .map(|t| results::build(book, t).map(|laid| (t, laid)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut workbook = Workbook::new();
    for (which, table) in &tables {
        write_sheet(workbook.add_worksheet(), book, *which, table).map_err(write_error)?;
    }
    workbook.save_to_buffer().map_err(write_error)
}

fn width(kind: Kind) -> f64 {
    match kind {
        Kind::Name => 22.0,
        Kind::Year => 8.0,
        Kind::Age => 14.0,
        Kind::Value => 14.0,
    }
}

fn write_sheet(
    ws: &mut Worksheet,
    book: &ResultBook,
    which: ResultTable,
    table: &Table,
) -> Result<(), XlsxError> {
    let mut formats = Formats::new();
    ws.set_name(which.sheet_name())?;
    ws.write_string_with_format(0, 0, &book.title, &formats.title)?;
    let notes = std::iter::once(note(which)).chain(book.notes.iter().map(String::as_str));
    let mut header_row = 1;
    for n in notes {
        ws.write_string_with_format(header_row, 0, n, &formats.remark)?;
        header_row += 1;
    }
    for (i, (header, kind)) in table.columns.iter().enumerate() {
        ws.write_string_with_format(header_row, col(i)?, header, &formats.header)?;
        ws.set_column_width(col(i)?, width(*kind))?;
    }
    ws.set_row_height(header_row, 45)?;
    let people = formats.number(PEOPLE);
    let share = formats.number(&format!("0.{}%", "0".repeat(SHARE_DECIMALS as usize)));
    // A year is a plain number: 2040, never 2,040.
    let year = formats.number("0");
    for (i, (_, cells)) in table.rows.iter().enumerate() {
        let r = header_row + 1 + xlsx_write::row(i)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = col(c)?;
            match cell {
                Cell::Blank => ws.write_blank(r, c, &people)?,
                Cell::Text(t) => ws.write_string_with_format(r, c, t, &formats.text)?,
                Cell::Year(y) => ws.write_number_with_format(r, c, f64::from(*y), &year)?,
                Cell::People(v) => ws.write_number_with_format(r, c, *v, &people)?,
                Cell::Share(v) => ws.write_number_with_format(r, c, *v / 100.0, &share)?,
            };
        }
    }
    let last_row = header_row + xlsx_write::row(table.rows.len())?;
    let last_col = col(table.columns.len().saturating_sub(1))?;
    ws.autofilter(header_row, 0, last_row, last_col)?;
    set_up_page(ws, header_row, table.frozen)
}
