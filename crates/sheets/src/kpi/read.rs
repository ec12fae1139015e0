//! Reading yearly values from a sheet: the file's bytes become a grid of raw cells (XLSX
//! through calamine, CSV through csv after its encoding is found), then the grid's header row,
//! key column and year columns are found and every row's values read, every problem kept.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use encoding_rs::SHIFT_JIS;
use rust_decimal::Decimal;

use super::value::{self, header_key};
use super::{
    KeyColumn, ParsedCell, ParsedRow, ParsedValues, SheetError, ValueColumn, cell_name,
    table::year_header,
};

/// A cell as the file gave it.
#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Empty,
    Text(String),
    /// A number cell (XLSX), exact.
    Number(Decimal),
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
            Data::Bool(b) => Self::Invalid(format!(
                "真偽値（{}）は数値として読めません。",
                if *b { "TRUE" } else { "FALSE" }
            )),
            Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Self::Invalid(
                "日付・時刻のセルは数値として読めません（セルの表示形式を「標準」か「数値」にしてください）。"
                    .to_owned(),
            ),
            Data::Error(e) => Self::Invalid(format!("セルがエラー値（{e}）です。")),
        }
    }

    /// The cell as text (numbers in their shortest form), for keys and headers.
    fn text(&self) -> String {
        match self {
            Self::Empty | Self::Invalid(_) => String::new(),
            Self::Text(t) => t.trim().to_owned(),
            Self::Number(n) => n.normalize().to_string(),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(t) => t.trim().is_empty(),
            Self::Number(_) | Self::Invalid(_) => false,
        }
    }
}

/// A sheet's cells: `cells[r][c]` is the cell at 0-based row `r`, column `c`.
struct Grid {
    name: String,
    cells: Vec<Vec<Raw>>,
}

impl Grid {
    fn get(&self, row: usize, col: usize) -> &Raw {
        self.cells
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&Raw::Empty)
    }
}

/// Reads the yearly values of a sheet from a file's bytes; the file name's extension says
/// the format (`.xlsx`, `.xlsm`, `.csv`, any case).
///
/// An XLSX is read from its first worksheet that has a header row (a cell 指標ID, 指標コード
/// or 指標名). A CSV may be UTF-8 with or without a BOM, or Shift_JIS (CP932).
///
/// Every problem of the sheet is returned at once, each with its cell: a value that is not a
/// number, a missing key column, no year column, a year column given twice, a key given
/// twice, a value in a row without a key, an empty sheet, an unreadable file.
pub fn read_values(file_name: &str, bytes: &[u8]) -> Result<ParsedValues, Vec<SheetError>> {
    let lower = file_name.to_lowercase();
    let grids = if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        xlsx_grids(file_name, bytes)?
    } else if lower.ends_with(".csv") {
        vec![csv_grid(file_name, bytes)?]
    } else {
        return Err(vec![file_error(format!(
            "ファイル「{file_name}」の形式には対応していません。Excelファイル（.xlsx）かCSVファイル（.csv）を指定してください。"
        ))]);
    };
    let chosen = grids
        .iter()
        .find(|g| header_row(g).is_some())
        .or_else(|| {
            grids
                .iter()
                .find(|g| g.cells.iter().flatten().any(|c| !c.is_blank()))
        })
        .or(grids.first());
    match chosen {
        Some(grid) => read_grid(grid),
        None => Err(vec![file_error(format!(
            "ファイル「{file_name}」にシートがありません。"
        ))]),
    }
}

fn file_error(message: String) -> SheetError {
    SheetError {
        sheet: String::new(),
        cell: None,
        row: None,
        header: None,
        message,
    }
}

fn xlsx_grids(file_name: &str, bytes: &[u8]) -> Result<Vec<Grid>, Vec<SheetError>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        vec![file_error(format!(
            "ファイル「{file_name}」をExcelファイル（.xlsx）として読めません（{e}）。Excelで開けるか確かめ、「Excelブック（*.xlsx）」として保存し直してください。"
        ))]
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut grids = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| unreadable(&e))?;
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
        vec![file_error(format!(
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
                return Err(vec![file_error(format!(
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
        cells.push(record.iter().map(|f| Raw::Text(f.to_owned())).collect());
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

/// The key column headers, by preference.
const KEYS: [KeyColumn; 3] = [KeyColumn::Id, KeyColumn::Code, KeyColumn::Title];

fn key_kind(text: &str) -> Option<KeyColumn> {
    let k = header_key(text);
    KEYS.into_iter()
        .find(|kc| k == kc.header() || (*kc == KeyColumn::Id && k.eq_ignore_ascii_case("指標id")))
}

/// The first row with a key column header.
fn header_row(grid: &Grid) -> Option<usize> {
    grid.cells
        .iter()
        .position(|row| row.iter().any(|c| key_kind(&c.text()).is_some()))
}

/// A year column of the header row.
struct YearColumn {
    col: usize,
    year: keikaku_domain::era::FiscalYear,
    column: ValueColumn,
    header: String,
    label: String,
}

#[allow(clippy::too_many_lines)] // one pass over the sheet that keeps every problem it finds
fn read_grid(grid: &Grid) -> Result<ParsedValues, Vec<SheetError>> {
    let mut errors = Vec::new();
    let error =
        |cell: Option<(usize, usize)>, header: Option<String>, message: String| SheetError {
            sheet: grid.name.clone(),
            cell: cell.map(|(r, c)| cell_name(to_u32(r), to_u32(c))),
            row: cell.map(|(r, _)| to_u32(r) + 1),
            header,
            message,
        };
    if grid.cells.iter().flatten().all(Raw::is_blank) {
        return Err(vec![error(None, None, "シートが空です。".to_owned())]);
    }
    let year_row = || {
        grid.cells.iter().position(|row| {
            row.iter()
                .any(|c| value::parse_year_header(&c.text()).is_some())
        })
    };
    let Some(head) = header_row(grid).or_else(year_row) else {
        return Err(vec![
            error(None, None, missing_key_message()),
            error(None, None, missing_year_message()),
        ]);
    };
    let header_cells = &grid.cells[head];
    let key = KEYS.into_iter().find_map(|kind| {
        header_cells
            .iter()
            .position(|c| key_kind(&c.text()) == Some(kind))
            .map(|col| (kind, col))
    });
    if key.is_none() {
        errors.push(SheetError {
            row: Some(to_u32(head) + 1),
            ..error(None, None, missing_key_message())
        });
    }
    let mut years: Vec<YearColumn> = Vec::new();
    let mut seen: HashMap<(i32, ValueColumn), usize> = HashMap::new();
    for (col, c) in header_cells.iter().enumerate() {
        let text = c.text();
        if key_kind(&text).is_some() {
            continue;
        }
        let Some((year, column)) = value::parse_year_header(&text) else {
            continue;
        };
        let label = year_header(year, column);
        if let Some(first) = seen.insert((year.year(), column), col) {
            errors.push(error(
                Some((head, col)),
                Some(label.clone()),
                format!(
                    "{label}の列が2つあります（セル{}と{}）。どちらか一方にしてください。",
                    cell_name(to_u32(head), to_u32(first)),
                    cell_name(to_u32(head), to_u32(col))
                ),
            ));
            continue;
        }
        years.push(YearColumn {
            col,
            year,
            column,
            header: text,
            label,
        });
    }
    if years.is_empty() {
        errors.push(SheetError {
            row: Some(to_u32(head) + 1),
            ..error(None, None, missing_year_message())
        });
    }
    let Some((key_column, key_col)) = key else {
        return Err(errors);
    };
    let key_label = key_column.header().to_owned();
    let mut rows = Vec::new();
    let mut keys: HashMap<String, usize> = HashMap::new();
    for r in head + 1..grid.cells.len() {
        let key_raw = grid.get(r, key_col);
        let key_text = key_raw.text();
        let mut cells = Vec::new();
        let mut any_value = false;
        for y in &years {
            let raw = grid.get(r, y.col);
            let place = Some((r, y.col));
            let parsed = match raw {
                Raw::Empty => Ok(None),
                Raw::Text(t) => value::parse_text(t),
                Raw::Number(n) => Ok(Some(*n)),
                Raw::Invalid(reason) => Err(reason.clone()),
            };
            match parsed {
                Ok(None) => {}
                Ok(Some(v)) => {
                    any_value = true;
                    cells.push(ParsedCell {
                        year: y.year,
                        column: y.column,
                        value: v,
                        cell: cell_name(to_u32(r), to_u32(y.col)),
                        header: y.header.clone(),
                    });
                }
                Err(message) => {
                    any_value = true;
                    errors.push(error(place, Some(y.label.clone()), message));
                }
            }
        }
        if let Raw::Invalid(reason) = key_raw {
            errors.push(error(
                Some((r, key_col)),
                Some(key_label.clone()),
                reason.clone(),
            ));
            continue;
        }
        if key_text.is_empty() {
            if any_value {
                errors.push(error(
                    Some((r, key_col)),
                    Some(key_label.clone()),
                    format!("{key_label}が空ですが、値が入力されています。"),
                ));
            }
            continue;
        }
        if let Some(first) = keys.insert(key_text.clone(), r) {
            errors.push(error(
                Some((r, key_col)),
                Some(key_label.clone()),
                format!(
                    "{key_label}「{key_text}」は{}行目にもあります。1つの指標は1行にしてください。",
                    first + 1
                ),
            ));
            continue;
        }
        rows.push(ParsedRow {
            row: to_u32(r) + 1,
            key: key_text,
            key_cell: cell_name(to_u32(r), to_u32(key_col)),
            cells,
        });
    }
    if errors.is_empty() {
        Ok(ParsedValues {
            sheet: grid.name.clone(),
            key_column,
            rows,
        })
    } else {
        Err(errors)
    }
}

fn missing_key_message() -> String {
    "指標を示す列（見出しが「指標ID」「指標コード」「指標名」のいずれか）が見つかりません。"
        .to_owned()
}

fn missing_year_message() -> String {
    "年度の列（見出しの例: 「令和元年度」「R1」「2019年度」「2019」、目標値の列は「R1目標値」）が見つかりません。".to_owned()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
