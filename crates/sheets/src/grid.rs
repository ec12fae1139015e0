//! A file's bytes as grids of raw cells, for every sheet's reader: an XLSX through calamine
//! (each worksheet a grid), a CSV through csv after its encoding is found (BOM → UTF-8, valid
//! UTF-8 → UTF-8, else Shift_JIS (CP932)), with rows numbered as Excel shows them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use encoding_rs::SHIFT_JIS;
use rust_decimal::Decimal;

use crate::error::SheetError;
use crate::value;

/// A cell as the file gave it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Raw {
    Empty,
    Text(String),
    /// A number cell (XLSX), exact.
    Number(Decimal),
    /// A TRUE / FALSE cell (XLSX).
    Bool(bool),
    /// A cell that cannot hold a value, with the Japanese reason.
    Invalid(String),
}

impl Raw {
    fn from_data(d: &Data) -> Self {
        match d {
            Data::Empty => Self::Empty,
            Data::String(s) => Self::Text(s.clone()),
            Data::Int(i) => Self::Number(Decimal::from(*i)),
            Data::Float(f) => match value::parse_float(*f) {
                Ok(v) => Self::Number(v),
                Err(e) => Self::Invalid(e),
            },
            Data::Bool(b) => Self::Bool(*b),
            Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Self::Invalid(
                "日付・時刻のセルは数値として読めません（セルの表示形式を「標準」か「数値」にしてください）。"
                    .to_owned(),
            ),
            Data::Error(e) => Self::Invalid(format!("セルがエラー値（{e}）です。")),
        }
    }

    /// The cell as text, surrounding spaces removed (numbers in their shortest form, TRUE and
    /// FALSE as Excel shows them), for keys and headers.
    pub(crate) fn text(&self) -> String {
        match self {
            Self::Empty | Self::Invalid(_) => String::new(),
            Self::Text(t) => t.trim().to_owned(),
            Self::Number(n) => n.normalize().to_string(),
            Self::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        }
    }

    /// Whether the cell holds nothing (spaces only count as nothing).
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(t) => t.trim().is_empty(),
            Self::Number(_) | Self::Bool(_) | Self::Invalid(_) => false,
        }
    }

    /// The cell as a number: `Ok(None)` for blank or a dash alone (no value, never 0); the
    /// error is the Japanese sentence for the user.
    pub(crate) fn number(&self) -> Result<Option<Decimal>, String> {
        match self {
            Self::Empty => Ok(None),
            Self::Text(t) => value::parse_text(t),
            Self::Number(n) => Ok(Some(*n)),
            Self::Bool(b) => Err(format!(
                "真偽値（{}）は数値として読めません。",
                if *b { "TRUE" } else { "FALSE" }
            )),
            Self::Invalid(reason) => Err(reason.clone()),
        }
    }
}

/// A sheet's cells: `cells[r][c]` is the cell at 0-based row `r`, column `c`.
pub(crate) struct Grid {
    /// The worksheet's name (for a CSV: the file name without its extension, as Excel names
    /// the sheet).
    pub name: String,
    /// The rows.
    pub cells: Vec<Vec<Raw>>,
}

impl Grid {
    /// The cell at 0-based row and column; empty outside the used range.
    pub(crate) fn get(&self, row: usize, col: usize) -> &Raw {
        self.cells
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&Raw::Empty)
    }

    /// Whether no cell holds anything.
    pub(crate) fn is_blank(&self) -> bool {
        self.cells.iter().flatten().all(Raw::is_blank)
    }
}

/// The grids of a file; its name's extension says the format (`.xlsx`, `.xlsm`, `.csv`, any
/// case). An XLSX gives one grid per worksheet, in workbook order; a CSV, one.
pub(crate) fn read_grids(file_name: &str, bytes: &[u8]) -> Result<Vec<Grid>, Vec<SheetError>> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        xlsx_grids(file_name, bytes)
    } else if lower.ends_with(".csv") {
        Ok(vec![csv_grid(file_name, bytes)?])
    } else {
        Err(vec![SheetError::file(format!(
            "ファイル「{file_name}」の形式には対応していません。Excelファイル（.xlsx）かCSVファイル（.csv）を指定してください。"
        ))])
    }
}

/// The refusal of a file without any worksheet.
pub(crate) fn no_sheet(file_name: &str) -> Vec<SheetError> {
    vec![SheetError::file(format!(
        "ファイル「{file_name}」にシートがありません。"
    ))]
}

fn xlsx_grids(file_name: &str, bytes: &[u8]) -> Result<Vec<Grid>, Vec<SheetError>> {
    // The reader's own words (English, about ZIP entries and XML) help no clerk: the message
    // says what can be done instead.
    let unreadable = || {
        vec![SheetError::file(format!(
            "ファイル「{file_name}」をExcelファイル（.xlsx）として読めません（壊れているか、.xlsx ではない形式です。.xls・.csv・パスワード付きのブックは読めません）。Excelで開けるか確かめ、「Excelブック（*.xlsx）」として保存し直してください。"
        ))]
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let mut grids = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|_| unreadable())?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let (r0, c0) = (r0 as usize, c0 as usize);
        let mut cells = vec![Vec::new(); r0];
        for row in range.rows() {
            let mut out = vec![Raw::Empty; c0];
            out.extend(row.iter().map(Raw::from_data));
            cells.push(out);
        }
        grids.push(Grid { name, cells });
    }
    Ok(grids)
}

fn csv_grid(file_name: &str, bytes: &[u8]) -> Result<Grid, Vec<SheetError>> {
    let text = decode(bytes).ok_or_else(|| {
        vec![SheetError::file(format!(
            "ファイル「{file_name}」の文字コードを判別できません。UTF-8かShift_JISで保存してください。"
        ))]
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut cells: Vec<Vec<Raw>> = Vec::new();
    // Excel shows a blank line (which the reader skips) as an empty row and a record with a
    // line break inside a quoted field as one row: a record's row is the number of line ends
    // before its end, less the breaks inside fields so far and its own line end.
    let mut inner_breaks = 0usize;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(vec![SheetError::file(format!(
                    "ファイル「{file_name}」をCSVとして読めません（{e}）。"
                ))]);
            }
        }
        inner_breaks += record
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>();
        let end = usize::try_from(reader.position().byte()).unwrap_or(text.len());
        let head = text.get(..end.min(text.len())).unwrap_or(&text);
        let row = head
            .matches('\n')
            .count()
            .saturating_sub(inner_breaks)
            .saturating_sub(usize::from(head.ends_with('\n')));
        while cells.len() < row {
            cells.push(Vec::new());
        }
        cells.push(
            record
                .iter()
                .map(|f| Raw::Text(crate::csv_write::unguard(f).to_owned()))
                .collect(),
        );
    }
    // Excel names a CSV's one sheet after the file.
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let name = base
        .rsplit_once('.')
        .map_or(base, |(stem, _)| stem)
        .to_owned();
    Ok(Grid { name, cells })
}

/// BOM → UTF-8; valid UTF-8 → UTF-8; otherwise Shift_JIS (CP932), refused when malformed.
fn decode(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).ok();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(s.to_owned());
    }
    SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
}
