//! Reading the workbook back: 「説明」's keyed lines, and each expected sheet's rows as text
//! under its headers (row 1), every problem of the sheets at its cell.

use std::collections::HashMap;

use super::{ExpectedSheet, NOTES_SHEET, ReadBook, ReadRow, ReadSheet};
use crate::error::{SheetError, cell_name, to_u32};
use crate::grid::{Grid, Raw, no_sheet, read_grids};
use crate::value::header_key;

/// Reads a workbook of elements (`.xlsx`; the file name's extension says the format).
///
/// The sheets named in `expected` are read from their header row (row 1): every expected
/// header must be there once (compared without width or spaces), other columns are skipped,
/// and so are rows blank in every expected column. An expected sheet the workbook lacks is
/// listed in [`ReadBook::missing`], any other sheet but 「説明」 in [`ReadBook::ignored`].
/// Every problem is returned at once, each at its cell: a header missing or repeated, and a
/// cell that holds no value the sheet can read (an error value such as `#REF!`, a date).
pub fn read_book(
    file_name: &str,
    bytes: &[u8],
    expected: &[ExpectedSheet],
) -> Result<ReadBook, Vec<SheetError>> {
    let grids = read_grids(file_name, bytes)?;
    if grids.is_empty() {
        return Err(no_sheet(file_name));
    }
    let mut book = ReadBook::default();
    let mut errors = Vec::new();
    for grid in &grids {
        if grid.name == NOTES_SHEET {
            book.notes = notes(grid);
        } else if !expected.iter().any(|e| e.name == grid.name) {
            book.ignored.push(grid.name.clone());
        }
    }
    for want in expected {
        match grids.iter().find(|g| g.name == want.name) {
            None => book.missing.push(want.name.clone()),
            Some(grid) => match read_sheet(grid, want) {
                Ok(sheet) => book.sheets.push(sheet),
                Err(mut e) => errors.append(&mut e),
            },
        }
    }
    if errors.is_empty() {
        Ok(book)
    } else {
        Err(errors)
    }
}

/// The keyed lines of a workbook's 「説明」 (empty when it has none), read before its sheets
/// so that a caller can tell a workbook of another plan from a broken one.
pub fn read_notes(file_name: &str, bytes: &[u8]) -> Result<Vec<(String, String)>, Vec<SheetError>> {
    Ok(read_grids(file_name, bytes)?
        .iter()
        .find(|g| g.name == NOTES_SHEET)
        .map(notes)
        .unwrap_or_default())
}

fn notes(grid: &Grid) -> Vec<(String, String)> {
    (1..grid.cells.len())
        .map(|r| (grid.get(r, 0).text(), grid.get(r, 1).text()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

fn error(grid: &Grid, (r, c): (usize, usize), header: &str, message: String) -> SheetError {
    SheetError {
        sheet: grid.name.clone(),
        cell: Some(cell_name(to_u32(r), to_u32(c))),
        row: Some(to_u32(r) + 1),
        header: (!header.is_empty()).then(|| header.to_owned()),
        message,
    }
}

fn read_sheet(grid: &Grid, want: &ExpectedSheet) -> Result<ReadSheet, Vec<SheetError>> {
    let width = grid.cells.first().map_or(0, Vec::len);
    let mut at: HashMap<String, Vec<usize>> = HashMap::new();
    for c in 0..width {
        let key = header_key(&grid.get(0, c).text());
        if !key.is_empty() {
            at.entry(key).or_default().push(c);
        }
    }
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    for header in &want.headers {
        match at.get(&header_key(header)).map(Vec::as_slice) {
            Some([c]) => columns.push(*c),
            Some(many) => {
                let place = many.get(1).copied().unwrap_or(0);
                errors.push(error(
                    grid,
                    (0, place),
                    "",
                    format!("列「{header}」が2つ以上あります。1つにしてください。"),
                ));
            }
            None => errors.push(SheetError {
                sheet: grid.name.clone(),
                cell: None,
                row: Some(1),
                header: None,
                message: format!(
                    "1行目に列「{header}」がありません（ダウンロードしたシートの見出しを消したり書き換えたりしないでください）。"
                ),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for r in 1..grid.cells.len() {
        let raw: Vec<&Raw> = columns.iter().map(|c| grid.get(r, *c)).collect();
        if raw.iter().all(|c| c.is_blank()) {
            continue;
        }
        for (i, cell) in raw.iter().enumerate() {
            if let Raw::Invalid(reason) = cell {
                let header = want.headers.get(i).map_or("", String::as_str);
                errors.push(error(grid, (r, columns[i]), header, reason.clone()));
            }
        }
        rows.push(ReadRow {
            row: to_u32(r) + 1,
            cells: raw.iter().map(|c| c.text()).collect(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ReadSheet {
        name: grid.name.clone(),
        columns: columns.into_iter().map(to_u32).collect(),
        rows,
    })
}
