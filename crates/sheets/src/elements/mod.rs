//! A plan's elements as a workbook a clerk checks and corrects in Excel (要素一覧): one sheet
//! per element kind with a header row in Japanese, and the sheet 「説明」 with the plan's id
//! and revision and how the workbook is read back.
//!
//! The crate knows nothing of element kinds or fields: the app hands it neutral sheets of
//! text ([`ElementBook`]) and, to read one back, the sheets and headers it expects
//! ([`ExpectedSheet`]). [`to_xlsx`] writes every value as a text cell, so codes keep their
//! leading zeros and decimals their exact digits; [`read_book`] returns every row of the
//! expected sheets as text with its row number and the column of each header, so the app can
//! name the cell of any problem it finds in a value, and refuses (every problem at once, each
//! at its cell) a sheet whose header row lacks a column or repeats one, and cells that hold no
//! value (error values, dates).

mod read;
mod write;

pub use read::{read_book, read_notes};
pub use write::to_xlsx;

use crate::error::cell_name;

/// The name of the sheet that carries the plan's id and revision and the instructions.
pub const NOTES_SHEET: &str = "説明";

/// The workbook to write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElementBook {
    /// The lines of the sheet 「説明」: a key (「計画ID」, 「計画の版」) and its value, or an
    /// instruction with an empty value. [`read_book`] gives back every line whose key is not
    /// empty.
    pub notes: Vec<(String, String)>,
    /// One sheet per element kind, in the order a plan presents them.
    pub sheets: Vec<KindSheet>,
}

/// One sheet of elements: its name, its columns and its rows of text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindSheet {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`).
    pub name: String,
    /// The columns, left to right.
    pub columns: Vec<SheetColumn>,
    /// The rows, one text per column.
    pub rows: Vec<Vec<String>>,
}

/// A column: its header and how wide it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetColumn {
    /// The header, as [`read_book`] expects it back.
    pub header: String,
    /// The width.
    pub width: Width,
}

/// How wide a column is written (the reader ignores it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// An id, a year, a number, a choice.
    Narrow,
    /// A title, a department.
    Line,
    /// Several lines of text, wrapped.
    Text,
    /// Not shown (a check value for the program that reads the workbook back).
    Hidden,
}

/// A sheet the reader looks for, with the headers it must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedSheet {
    /// The sheet's name.
    pub name: String,
    /// Its headers; every one must be present in the header row (row 1), once.
    pub headers: Vec<String>,
}

/// What [`read_book`] read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadBook {
    /// The keyed lines of 「説明」 (empty when the workbook has no such sheet).
    pub notes: Vec<(String, String)>,
    /// The expected sheets that were found, in the order expected.
    pub sheets: Vec<ReadSheet>,
    /// The expected sheets the workbook does not have.
    pub missing: Vec<String>,
    /// The workbook's other sheets (neither expected nor 「説明」), which are not read.
    pub ignored: Vec<String>,
}

impl ReadBook {
    /// The value of a line of 「説明」 by its key.
    pub fn note(&self, key: &str) -> Option<&str> {
        self.notes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A sheet read: its rows and where each expected header is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSheet {
    /// The sheet's name.
    pub name: String,
    /// The 0-based column of each expected header, in the order expected.
    pub columns: Vec<u32>,
    /// The rows that are not blank (in the expected columns), top to bottom.
    pub rows: Vec<ReadRow>,
}

impl ReadSheet {
    /// The A1 name of the cell of a row under the `header`-th expected header: 「C12」.
    pub fn cell(&self, row: &ReadRow, header: usize) -> String {
        cell_name(
            row.row.saturating_sub(1),
            self.columns.get(header).copied().unwrap_or(0),
        )
    }
}

/// A row read: its number as Excel shows it and the text under each expected header (spaces
/// around it removed; numbers in their shortest form).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadRow {
    /// The row, 1-based.
    pub row: u32,
    /// One text per expected header, in the order expected.
    pub cells: Vec<String>,
}
