//! What every XLSX the crate writes shares: the cell formats (title, remark, header, text,
//! numbers), numbers written exactly or else as text, and the print setup a clerk expects
//! (A4 landscape, fit to the page width, the header row repeated, page numbers).

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::error::ExportError;

/// A4 in Excel's paper codes.
const PAPER_A4: u8 = 9;

/// The writer's failure as the crate's.
pub(crate) fn write_error(e: XlsxError) -> ExportError {
    ExportError::Write(e.to_string())
}

/// A 0-based column index as the writer's column number.
pub(crate) fn col(i: usize) -> Result<u16, XlsxError> {
    u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

/// A 0-based row index as the writer's row number.
pub(crate) fn row(i: usize) -> Result<u32, XlsxError> {
    u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

/// The formats of a sheet; number formats are made once per pattern.
pub(crate) struct Formats {
    /// The title row.
    pub title: Format,
    /// The remark under the title.
    pub remark: Format,
    /// Header cells: bold, wrapped, centred, shaded.
    pub header: Format,
    /// A text cell on one line.
    pub text: Format,
    /// A text cell that wraps.
    pub wrapped: Format,
    numbers: HashMap<String, Format>,
}

impl Formats {
    pub(crate) fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin);
        Self {
            title: Format::new().set_bold().set_font_size(14),
            remark: Format::new().set_font_size(9),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0x00D9_E1F2),
            text: cell.clone().set_align(FormatAlign::VerticalCenter),
            wrapped: cell.set_text_wrap().set_align(FormatAlign::VerticalCenter),
            numbers: HashMap::new(),
        }
    }

    /// A number cell with an Excel number format such as `#,##0.0`.
    pub(crate) fn number(&mut self, pattern: &str) -> Format {
        self.numbers
            .entry(pattern.to_owned())
            .or_insert_with(|| {
                Format::new()
                    .set_border(FormatBorder::Thin)
                    .set_align(FormatAlign::VerticalCenter)
                    .set_num_format(pattern)
            })
            .clone()
    }
}

/// Writes a decimal as a number cell when an f64 holds it exactly, else as right-aligned
/// text (`text`), so that reading it back gives the same decimal.
pub(crate) fn write_decimal(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    value: Decimal,
    format: &Format,
    text: impl FnOnce() -> String,
) -> Result<(), XlsxError> {
    match exact_f64(value) {
        Some(f) => ws.write_number_with_format(row, col, f, format)?,
        None => ws.write_string_with_format(
            row,
            col,
            text(),
            &format.clone().set_align(FormatAlign::Right),
        )?,
    };
    Ok(())
}

/// The value as an f64 when its shortest text reads back as the same decimal.
fn exact_f64(value: Decimal) -> Option<f64> {
    let f: f64 = value.to_string().parse().ok()?;
    let back: Decimal = format!("{f}").parse().ok()?;
    (back == value).then_some(f)
}

/// Freezes the rows down to the header and the first `frozen_columns` columns, and sets the
/// page up ([`set_up_print`]) with the header row repeated on every page.
pub(crate) fn set_up_page(
    ws: &mut Worksheet,
    header_row: u32,
    frozen_columns: u16,
) -> Result<(), XlsxError> {
    ws.set_freeze_panes(header_row + 1, frozen_columns)?;
    ws.set_repeat_rows(header_row, header_row)?;
    set_up_print(ws);
    Ok(())
}

/// A4 landscape, one page wide (as many pages down as it takes), 「1 / 3」 in the footer.
pub(crate) fn set_up_print(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_paper_size(PAPER_A4);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer("&C&P / &N");
}

/// The number format of values with `decimals` places and thousands separators: `#,##0`,
/// `#,##0.0`.
pub(crate) fn places_pattern(decimals: u32) -> String {
    if decimals == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(decimals as usize))
    }
}
