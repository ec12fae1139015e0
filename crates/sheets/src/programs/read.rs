//! Reading programs from a sheet: the file's bytes become grids of raw cells (the crate's
//! `grid`), the sheet 「事業一覧」 (else the first) is taken, its header row found below any
//! title rows and its columns recognised in any order; then every row is read (`row`) and
//! every problem kept, in row then column order.

use std::collections::HashMap;
use std::sync::Arc;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{ProgramCode, ProgramProblem};

use super::column::{Column, REQUIRED};
use super::export_xlsx::SHEET_NAME;
use super::row;
use super::{ParsedProgram, ParsedPrograms, SheetError, index};
use crate::error::{cell_name, to_u32};
use crate::grid::{Grid, no_sheet, read_grids};

/// Reads the programs of a program list (事業一覧) from a file's bytes; the file name's
/// extension says the format (`.xlsx`, `.xlsm`, `.csv`, any case). `years` are the fiscal
/// years the edition covers: a year column for any other year is refused.
///
/// An XLSX is read from its sheet 「事業一覧」, else from its first sheet. A CSV may be UTF-8
/// with or without a BOM, or Shift_JIS (CP932). Rows above the header row (the first with a
/// cell 「事業コード」) and columns it does not know are skipped; blank rows too.
///
/// Every problem of the file is returned at once, each at its cell, in row then column order:
/// a missing required column (事業コード, 事業名, 所管課, 事業区分, 開始年度), a year column
/// outside the edition or given twice, a row without 事業コード, a code refused or given twice,
/// a missing or unknown value, a number that is not one or has a fraction of a yen, a link that
/// is not `plan_id/element_id`, and what [`keikaku_domain::program::Program::problems`] finds
/// (the funding identity, 終了年度 before 開始年度 …). Nothing is returned partly.
pub fn read_programs(
    file_name: &str,
    bytes: &[u8],
    years: &[FiscalYear],
) -> Result<ParsedPrograms, Vec<SheetError>> {
    match read_programs_partly(file_name, bytes, years)? {
        (parsed, errors) if errors.is_empty() => Ok(parsed),
        (_, errors) => Err(errors),
    }
}

/// Like [`read_programs`], for a caller that checks more of each row itself and must list its
/// own problems beside the sheet's: the rows read without a problem, and the problems of the
/// other rows. `Err` only when the sheet cannot be read as a program list at all (no sheet,
/// no header row, a required column or a year column missing or wrong).
pub fn read_programs_partly(
    file_name: &str,
    bytes: &[u8],
    years: &[FiscalYear],
) -> Result<(ParsedPrograms, Vec<SheetError>), Vec<SheetError>> {
    let grids = read_grids(file_name, bytes)?;
    let grid = grids
        .iter()
        .find(|g| g.name == SHEET_NAME)
        .or(grids.first())
        .ok_or_else(|| no_sheet(file_name))?;
    read_grid(grid, years)
}

/// A problem of the sheet at a 0-based cell, or of the sheet or a row as a whole.
fn sheet_error(grid: &Grid, cell: Option<(usize, usize)>, row: Option<usize>) -> SheetError {
    SheetError {
        sheet: grid.name.clone(),
        cell: cell.map(|(r, c)| cell_name(to_u32(r), to_u32(c))),
        row: cell.map(|(r, _)| r).or(row).map(|r| to_u32(r) + 1),
        header: None,
        message: String::new(),
    }
}

fn read_grid(
    grid: &Grid,
    years: &[FiscalYear],
) -> Result<(ParsedPrograms, Vec<SheetError>), Vec<SheetError>> {
    let fail = |message: &str| {
        let mut e = sheet_error(grid, None, None);
        e.message = message.to_owned();
        Err(vec![e])
    };
    if grid.is_blank() {
        return fail("シートが空です。");
    }
    let Some(head) = grid.cells.iter().position(|row| {
        row.iter()
            .any(|c| Column::recognise(&c.text()) == Some(Column::Code))
    }) else {
        return fail(&missing_column(Column::Code));
    };
    let (columns, mut errors) = read_header(grid, head, years);
    let missing: Vec<SheetError> = REQUIRED
        .into_iter()
        .filter(|&c| index(&columns, c).is_none())
        .map(|c| SheetError {
            message: missing_column(c),
            ..sheet_error(grid, None, Some(head))
        })
        .collect();
    if !missing.is_empty() || !errors.is_empty() {
        let mut rows = Vec::new();
        if missing.is_empty() {
            read_rows(grid, head, &columns.into(), years, &mut rows);
        }
        return Err(missing.into_iter().chain(errors).chain(rows).collect());
    }
    let programs = read_rows(grid, head, &columns.into(), years, &mut errors);
    Ok((
        ParsedPrograms {
            sheet: grid.name.clone(),
            programs,
        },
        errors,
    ))
}

fn missing_column(c: Column) -> String {
    format!("見出しが「{}」の列が見つかりません。", c.header())
}

/// The columns of the header row with their 0-based index, and the problems of the header:
/// a column given twice, a year the edition does not cover.
fn read_header(
    grid: &Grid,
    head: usize,
    years: &[FiscalYear],
) -> (Vec<(Column, u32)>, Vec<SheetError>) {
    let mut columns: Vec<(Column, u32)> = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in grid.cells[head].iter().enumerate() {
        let Some(column) = Column::recognise(&raw.text()) else {
            continue;
        };
        let at = |message: String| SheetError {
            header: Some(column.header()),
            message,
            ..sheet_error(grid, Some((head, i)), None)
        };
        if let Some((year, _)) = column.year().filter(|(y, _)| !years.contains(y)) {
            errors.push(at(ProgramProblem::YearOutside(year).message()));
        } else if let Some(first) = index(&columns, column) {
            errors.push(at(format!(
                "「{}」の列が2つあります（セル{}と{}）。どちらか一方にしてください。",
                column.header(),
                cell_name(to_u32(head), first),
                cell_name(to_u32(head), to_u32(i))
            )));
        } else {
            columns.push((column, to_u32(i)));
        }
    }
    (columns, errors)
}

/// Reads every row below the header; a row's problems go to `errors`, its program to the
/// result only when it has none.
fn read_rows(
    grid: &Grid,
    head: usize,
    columns: &Arc<[(Column, u32)]>,
    years: &[FiscalYear],
    errors: &mut Vec<SheetError>,
) -> Vec<ParsedProgram> {
    let mut programs = Vec::new();
    let mut codes: HashMap<ProgramCode, u32> = HashMap::new();
    for r in head + 1..grid.cells.len() {
        let blank = columns
            .iter()
            .all(|(_, c)| grid.get(r, *c as usize).is_blank());
        if blank {
            continue;
        }
        let row = to_u32(r) + 1;
        let mut read = row::read(grid, r, columns, years);
        if let Some(code) = read.code {
            if let Some(first) = codes.get(&code) {
                let message = format!(
                    "事業コード「{code}」は{first}行目にもあります。1つの事業は1行にしてください。"
                );
                let at = row::placed(grid, row, columns, Column::Code, message);
                read.problems.push(at);
            } else {
                codes.insert(code, row);
            }
        }
        match read.program {
            Some(program) if read.problems.is_empty() => programs.push(ParsedProgram {
                row,
                program,
                columns: Arc::clone(columns),
            }),
            _ => {
                read.problems.sort_by_key(|p| p.col);
                errors.extend(read.problems.into_iter().map(|p| p.error));
            }
        }
    }
    programs
}
