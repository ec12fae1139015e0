//! The workbook written: 「説明」 first (two columns, key and value), then one sheet per
//! element kind with its header row frozen and filtered, every value a text cell.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::{ElementBook, KindSheet, NOTES_SHEET, Width};
use crate::error::ExportError;
use crate::xlsx_write::{Formats, col, row, set_up_print, write_error};

/// Writes the workbook: 「説明」 and the kind sheets, in order. Every value is a text cell,
/// so that what is read back is what was written (codes with leading zeros, decimals with
/// every digit, years as 「令和7年度（2025年度）」).
pub fn to_xlsx(book: &ElementBook) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let mut formats = Formats::new();
    write_notes(workbook.add_worksheet(), book, &formats).map_err(write_error)?;
    for sheet in &book.sheets {
        write_sheet(workbook.add_worksheet(), sheet, &mut formats).map_err(write_error)?;
    }
    workbook.save_to_buffer().map_err(write_error)
}

fn write_notes(ws: &mut Worksheet, book: &ElementBook, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(NOTES_SHEET)?;
    ws.set_column_width(0, 18.0)?;
    ws.set_column_width(1, 90.0)?;
    ws.write_string_with_format(0, 0, "項目", &f.header)?;
    ws.write_string_with_format(0, 1, "内容", &f.header)?;
    for (i, (key, value)) in book.notes.iter().enumerate() {
        let r = row(i + 1)?;
        ws.write_string_with_format(r, 0, key, &f.text)?;
        ws.write_string_with_format(r, 1, value, &f.wrapped)?;
    }
    set_up_print(ws);
    Ok(())
}

fn write_sheet(ws: &mut Worksheet, sheet: &KindSheet, f: &mut Formats) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    for (i, c) in sheet.columns.iter().enumerate() {
        let width = match c.width {
            Width::Narrow => 12.0,
            Width::Line => 24.0,
            Width::Text => 40.0,
            Width::Hidden => 8.0,
        };
        ws.set_column_width(col(i)?, width)?;
        if c.width == Width::Hidden {
            ws.set_column_hidden(col(i)?)?;
        }
        ws.write_string_with_format(0, col(i)?, &c.header, &f.header)?;
    }
    for (r, values) in sheet.rows.iter().enumerate() {
        for (i, value) in values.iter().enumerate() {
            let wrap = sheet.columns.get(i).is_some_and(|c| c.width == Width::Text);
            let format = if wrap { &f.wrapped } else { &f.text };
            ws.write_string_with_format(row(r + 1)?, col(i)?, value, format)?;
        }
    }
    let last = col(sheet.columns.len().saturating_sub(1))?;
    ws.autofilter(0, 0, row(sheet.rows.len())?, last)?;
    ws.set_freeze_panes(1, 1)?;
    ws.set_repeat_rows(0, 0)?;
    set_up_print(ws);
    Ok(())
}
