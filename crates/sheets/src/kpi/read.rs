//! Reading yearly values from a sheet: the file's bytes become grids of raw cells (the
//! crate's `grid`), then the grid's header row, key column and year columns are found and
//! every row's values read, every problem kept.

use std::collections::HashMap;

use super::value;
use super::{KeyColumn, ParsedCell, ParsedRow, ParsedValues, ValueColumn, table::year_header};
use crate::error::{SheetError, cell_name, to_u32};
use crate::grid::{Grid, Raw, no_sheet, read_grids};
use crate::value::header_key;

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
    let grids = read_grids(file_name, bytes)?;
    let chosen = grids
        .iter()
        .find(|g| header_row(g).is_some())
        .or_else(|| grids.iter().find(|g| !g.is_blank()))
        .or(grids.first());
    chosen.map_or_else(|| Err(no_sheet(file_name)), read_grid)
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
    if grid.is_blank() {
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
            match raw.number() {
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
