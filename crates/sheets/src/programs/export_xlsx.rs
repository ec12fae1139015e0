//! The program list as an XLSX workbook a clerk prints as it is: the sheet 「事業一覧」 (a
//! title row, the unit note, one header row; the header and 事業コード・事業名 frozen; A4
//! landscape, fit to the page width, the header row repeated) and, when totals are given, the
//! sheet 「集計」 with amounts rounded to whole 千円 and the rounding note.

use keikaku_domain::program::{Amount, FundingPart};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::column::{Column, YearField};
use super::table::{self, Cell, Slot};
use super::{ExportError, ProgramSheet, TotalsSection};
use crate::xlsx_write::{
    self, Formats, col, places_pattern, set_up_page, set_up_print, write_decimal, write_error,
};

/// The name of the program list's sheet in the workbook.
pub const SHEET_NAME: &str = "事業一覧";

/// The name of the totals' sheet.
pub const TOTALS_SHEET_NAME: &str = "集計";

/// The 0-based row of the header (row 3 as Excel shows it).
const HEADER_ROW: u32 = 2;

/// 事業コード and 事業名 stay in view when scrolling right.
const FROZEN_COLUMNS: u16 = 2;

/// The note under the title: the unit, and how blanks and fractions read.
const NOTE: &str = "（単位：千円）金額は円単位まで示しています（1,234.567は1,234,567円）。空欄の年度は未入力です（0ではありません）。";

/// Writes the program list as an XLSX workbook: the sheet 「事業一覧」, and 「集計」 when
/// [`ProgramSheet::totals`] has sections.
///
/// Amounts are numbers in 千円 holding the exact yen (`#,##0` when whole 千円, `#,##0.###`
/// otherwise); 事業コード is text, so leading zeros stay; 開始年度 and 終了年度 are Western
/// year numbers. Refuses a totals row without one amount per year of the sheet.
pub fn to_xlsx(sheet: &ProgramSheet) -> Result<Vec<u8>, ExportError> {
    check_totals(sheet)?;
    let mut workbook = Workbook::new();
    write_programs(workbook.add_worksheet(), sheet).map_err(write_error)?;
    if !sheet.totals.is_empty() {
        write_totals(workbook.add_worksheet(), sheet).map_err(write_error)?;
    }
    workbook.save_to_buffer().map_err(write_error)
}

fn check_totals(sheet: &ProgramSheet) -> Result<(), ExportError> {
    for section in &sheet.totals {
        for row in &section.rows {
            if row.years.len() != sheet.years.len() {
                return Err(ExportError::TotalsYearCount {
                    section: section.title.clone(),
                    label: row.label.clone(),
                    expected: sheet.years.len(),
                    found: row.years.len(),
                });
            }
        }
    }
    Ok(())
}

fn width(slot: Slot) -> f64 {
    match slot {
        Slot::Place(_) => 18.0,
        Slot::Data(c) => match c {
            Column::Code | Column::Department => 12.0,
            Column::Name | Column::ActivityName => 24.0,
            Column::Links => 22.0,
            Column::Purpose | Column::TargetGroup | Column::Means => 30.0,
            Column::Cost(_) | Column::Part(..) | Column::ActivityTarget(_) => 12.0,
            Column::Category
            | Column::StartYear
            | Column::EndYear
            | Column::Account
            | Column::ExpenseType
            | Column::ActivityUnit
            | Column::Sample => 9.0,
        },
    }
}

fn write_programs(ws: &mut Worksheet, sheet: &ProgramSheet) -> Result<(), XlsxError> {
    let mut formats = Formats::new();
    ws.set_name(SHEET_NAME)?;
    ws.write_string_with_format(0, 0, &sheet.title, &formats.title)?;
    ws.write_string_with_format(1, 0, NOTE, &formats.remark)?;
    let slots = table::slots(&sheet.years);
    for (i, slot) in slots.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, col(i)?, slot.header(), &formats.header)?;
        ws.set_column_width(col(i)?, width(*slot))?;
    }
    ws.set_row_height(HEADER_ROW, 60)?;
    for (i, p) in sheet.rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + xlsx_write::row(i)?;
        for (c, cell) in table::row(p, &slots).cells.iter().enumerate() {
            write_cell(ws, &mut formats, (r, col(c)?), cell)?;
        }
    }
    let last_row = HEADER_ROW + xlsx_write::row(sheet.rows.len())?;
    ws.autofilter(HEADER_ROW, 0, last_row, col(slots.len().saturating_sub(1))?)?;
    set_up_page(ws, HEADER_ROW, FROZEN_COLUMNS)
}

fn write_cell(
    ws: &mut Worksheet,
    formats: &mut Formats,
    (row, col): (u32, u16),
    cell: &Cell,
) -> Result<(), XlsxError> {
    let (value, pattern) = match cell {
        Cell::Blank => {
            ws.write_blank(row, col, &formats.wrapped)?;
            return Ok(());
        }
        Cell::Text(t) => {
            ws.write_string_with_format(row, col, t, &formats.wrapped)?;
            return Ok(());
        }
        // A year is a plain number: 2026, never 2,026.
        Cell::Year(y) => (Decimal::from(*y), "0".to_owned()),
        Cell::Thousands(v) if v.fract().is_zero() => (*v, "#,##0".to_owned()),
        Cell::Thousands(v) => (*v, "#,##0.###".to_owned()),
        Cell::Number(v) => (*v, places_pattern(v.scale())),
    };
    let format = formats.number(&pattern);
    write_decimal(ws, (row, col), value, &format, || value.to_string())
}

/// 「集計」: each section as its title, a header row and its rows, amounts rounded to whole
/// 千円 by the sheet's rule; the rule's note last.
fn write_totals(ws: &mut Worksheet, sheet: &ProgramSheet) -> Result<(), XlsxError> {
    let mut formats = Formats::new();
    ws.set_name(TOTALS_SHEET_NAME)?;
    ws.write_string_with_format(0, 0, format!("{}　集計", sheet.title), &formats.title)?;
    let mut headers = vec!["区分".to_owned(), "事業数".to_owned()];
    for &year in &sheet.years {
        let amounts = Amount::ALL.map(|a| YearField::Amount(a).of(year));
        headers.extend(amounts.map(Column::header));
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 8)?;
    for i in 2..headers.len() {
        ws.set_column_width(col(i)?, 12)?;
    }
    let mut r = 2;
    for section in &sheet.totals {
        r = write_section(ws, &mut formats, sheet, section, &headers, r)? + 1;
    }
    ws.write_string_with_format(r, 0, sheet.rounding.note(), &formats.remark)?;
    set_up_print(ws);
    Ok(())
}

/// Writes a section from row `r`; returns the row after it.
fn write_section(
    ws: &mut Worksheet,
    formats: &mut Formats,
    sheet: &ProgramSheet,
    section: &TotalsSection,
    headers: &[String],
    mut r: u32,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(
        r,
        0,
        &section.title,
        &formats.title.clone().set_font_size(11),
    )?;
    r += 1;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(r, col(i)?, h, &formats.header)?;
    }
    ws.set_row_height(r, 45)?;
    let whole = formats.number("#,##0");
    for row in &section.rows {
        r += 1;
        ws.write_string_with_format(r, 0, &row.label, &formats.wrapped)?;
        let count = Decimal::from(row.programs);
        write_decimal(ws, (r, 1), count, &whole, || count.to_string())?;
        let amounts = row.years.iter().flat_map(|f| {
            let parts = FundingPart::ALL.map(|p| f.part(p));
            std::iter::once(f.cost).chain(parts)
        });
        for (i, yen) in amounts.enumerate() {
            let v = Decimal::from(sheet.rounding.thousands(yen.yen()));
            write_decimal(ws, (r, col(i + 2)?), v, &whole, || v.to_string())?;
        }
    }
    Ok(r + 1)
}
