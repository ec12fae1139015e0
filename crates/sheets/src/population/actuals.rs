//! Reading actual totals (実績人口) by year: a header row with 年 and 人口 (and optionally 出典
//! and 備考) below any title rows, then one year per row, every problem kept.

use std::collections::HashMap;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::population::{ActualSource, YEARS};

use super::ActualRow;
use super::cells::{Dash, at, count};
use super::label::header_name;
use crate::error::{SheetError, to_u32};
use crate::grid::{Grid, Raw, no_sheet, read_grids};
use crate::value::fold_width;

/// The columns of an actual totals sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    Year,
    Total,
    Source,
    Note,
}

impl Field {
    const ALL: [Self; 4] = [Self::Year, Self::Total, Self::Source, Self::Note];

    /// The headers a reader recognises, the first as this crate names the column.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Year => &["年", "年次", "年度", "調査年", "西暦"],
            Self::Total => &["人口", "総人口", "総数", "人口総数", "実績人口"],
            Self::Source => &["出典", "資料", "出所"],
            Self::Note => &["備考", "注記", "注"],
        }
    }

    fn of(text: &str) -> Option<Self> {
        let name = header_name(text);
        Self::ALL
            .into_iter()
            .find(|f| f.headers().contains(&name.as_str()))
    }
}

/// Reads actual totals from a file's bytes; the file name's extension says the format
/// (`.xlsx`, `.xlsm`, `.csv`, any case).
///
/// An XLSX is read from its first sheet with a header row (a cell 年 / 年次 / 年度 / 調査年 /
/// 西暦 and a cell 人口 / 総人口 / 総数 / 人口総数 in the same row); 出典 (国勢調査, 住民基本台帳,
/// 住基, 推計人口 …) and 備考 are optional. A CSV may be UTF-8 with or without a BOM, or
/// Shift_JIS (CP932). Years may be written 2020, 2020年, 令和2年, R2, H27, 平成27年 (full-width
/// digits too) or be number cells. Rows with a year and no population (blank or a dash, and
/// nothing else) are skipped, as are blank rows and text below the table with no population.
///
/// Every problem is returned at once, each with its sheet, cell, row and column: no header
/// row, a year that is not one or is outside 1900–2300, a year given twice, a population that
/// is not a whole number or is negative, a population without a year, an unknown source.
/// Nothing is returned partly.
pub fn read_actuals(file_name: &str, bytes: &[u8]) -> Result<Vec<ActualRow>, Vec<SheetError>> {
    let grids = read_grids(file_name, bytes)?;
    let chosen = grids
        .iter()
        .find(|g| header(g).is_some())
        .or_else(|| grids.iter().find(|g| !g.is_blank()))
        .or(grids.first());
    chosen.map_or_else(|| Err(no_sheet(file_name)), read_grid)
}

/// Each field's first column (0-based) with its header as written.
type Columns = HashMap<Field, (usize, String)>;

/// The header row and its columns.
fn header(grid: &Grid) -> Option<(usize, Columns)> {
    grid.cells.iter().enumerate().find_map(|(r, cells)| {
        let mut found = HashMap::new();
        for (c, raw) in cells.iter().enumerate() {
            let text = raw.text();
            if let Some(field) = Field::of(&text) {
                found.entry(field).or_insert((c, text));
            }
        }
        (found.contains_key(&Field::Year) && found.contains_key(&Field::Total))
            .then_some((r, found))
    })
}

fn read_grid(grid: &Grid) -> Result<Vec<ActualRow>, Vec<SheetError>> {
    if grid.is_blank() {
        return Err(vec![at(grid, None, None, "シートが空です。".to_owned())]);
    }
    let Some((head, columns)) = header(grid) else {
        return Err(vec![at(
            grid,
            None,
            None,
            "見出しの行（「年」と「人口」の列。出典・備考の列は任意）が見つかりません。".to_owned(),
        )]);
    };
    let mut errors = Vec::new();
    let mut rows: Vec<ActualRow> = Vec::new();
    let mut years: HashMap<i32, u32> = HashMap::new();
    for r in head + 1..grid.cells.len() {
        let cell = |f: Field| {
            columns
                .get(&f)
                .map(|(c, h)| (grid.get(r, *c), *c, h.as_str()))
        };
        let text = |f: Field| cell(f).map(|(raw, _, _)| raw.text()).unwrap_or_default();
        let Some((year_raw, year_col, year_header)) = cell(Field::Year) else {
            continue;
        };
        let Some((total_raw, total_col, total_header)) = cell(Field::Total) else {
            continue;
        };
        let mut fail =
            |c: usize, h: &str, m: String| errors.push(at(grid, Some((r, c)), Some(h), m));
        let year = year_of(year_raw);
        let total = count(total_raw, Dash::NoValue, "人口");
        let (source, note) = (text(Field::Source), text(Field::Note));
        let others_blank = source.is_empty() && note.is_empty();
        match (&year, &total) {
            // Blank rows, text under the table, a year without its figure yet.
            (Err(None), Ok(None)) => continue,
            (Err(Some(_)), Ok(None)) | (Ok(_), Ok(None)) if others_blank => continue,
            _ => {}
        }
        let total = match total {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                fail(
                    total_col,
                    total_header,
                    "人口が入力されていません。".to_owned(),
                );
                None
            }
            Err(message) => {
                fail(total_col, total_header, message);
                None
            }
        };
        let year = match year {
            Ok(y) => Some(y),
            Err(None) => {
                fail(
                    year_col,
                    year_header,
                    "年が空ですが、人口が入力されています。".to_owned(),
                );
                None
            }
            Err(Some(message)) => {
                fail(year_col, year_header, message);
                None
            }
        };
        let source = match cell(Field::Source) {
            Some((_, c, h)) if !source.is_empty() => match ActualSource::parse(&source) {
                Some(s) => Some(s),
                None => {
                    let labels: Vec<&str> = ActualSource::ALL.iter().map(|s| s.label()).collect();
                    fail(
                        c,
                        h,
                        format!(
                            "出典「{source}」を読めません。{}のいずれかを入力してください。",
                            labels.join("・")
                        ),
                    );
                    None
                }
            },
            _ => None,
        };
        let row = to_u32(r) + 1;
        if let Some(y) = year {
            if let Some(first) = years.get(&y) {
                fail(
                    year_col,
                    year_header,
                    format!("{y}年は{first}行目にもあります。1つの年は1行にしてください。"),
                );
            } else {
                years.insert(y, row);
            }
        }
        if let (Some(year), Some(total)) = (year, total) {
            rows.push(ActualRow {
                year,
                total,
                source,
                note,
                row,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A calendar year as written: a number cell, 2020, 2020年, 令和2年, R2, H27, 平成27年.
/// `Err(None)` for a blank cell; `Err(Some(message))` otherwise.
fn year_of(raw: &Raw) -> Result<i32, Option<String>> {
    if raw.is_blank() {
        return Err(None);
    }
    let text = raw.text();
    let refused = || format!("年「{text}」を読めません（例: 2020、2020年、令和2年、R2、H27）。");
    let year = match raw {
        Raw::Number(n) if n.fract().is_zero() => i32::try_from(n.trunc()).map_err(|_| refused()),
        Raw::Text(t) => FiscalYear::parse(t)
            .map(FiscalYear::year)
            .or_else(|_| western(t).ok_or_else(refused)),
        Raw::Invalid(reason) => Err(format!("年: {reason}")),
        _ => Err(refused()),
    }
    .map_err(Some)?;
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(Some(format!(
            "年「{text}」は{}年から{}年の間で入力してください。",
            YEARS.start(),
            YEARS.end()
        )))
    }
}

/// A Western year outside the years an era can name (「1800」, 「1800年」), for its message.
fn western(text: &str) -> Option<i32> {
    let folded = fold_width(text.trim());
    let digits = folded.strip_suffix('年').unwrap_or(&folded);
    digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())
        .flatten()
}
