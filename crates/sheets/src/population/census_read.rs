//! Reading a census table (年齢（5歳階級），男女別人口): the sheet is chosen, its header row
//! found below any title rows, every row's label and counts read, 90歳以上 folded from its
//! parts, and the table's own sums checked — every problem kept.

use std::collections::HashMap;

use keikaku_domain::population::{BySex, GROUPS, group_label};

use super::CensusSheet;
use super::cells::{Dash, at, count, people};
use super::label::{CountColumn, Label, OLD_FROM, count_column, recognise};
use crate::error::{SheetError, cell_name, to_u32};
use crate::grid::{Grid, no_sheet, read_grids};

/// Reads a municipality's population by sex × five-year age group from a census table; the
/// file name's extension says the format (`.xlsx`, `.xlsm`, `.csv`, any case).
///
/// An XLSX is read from its first sheet whose name contains 「人口」 and that has a header
/// row, else from its first sheet with one. A CSV may be UTF-8 with or without a BOM, or
/// Shift_JIS (CP932). The accepted layouts are described in the [module](super) docs.
///
/// Every problem is returned at once, each with its sheet, cell, row and column: no header
/// row, an age group missing or given twice (90歳以上 with its parts, a part missing), an age
/// label that is not one, a count that is blank, not a whole number or negative, a row whose
/// 総数 is not 男 + 女, a 総数 row that is not the sum of the age groups and 年齢不詳 of its
/// column. Nothing is returned partly.
pub fn read_census(file_name: &str, bytes: &[u8]) -> Result<CensusSheet, Vec<SheetError>> {
    let grids = read_grids(file_name, bytes)?;
    let has_header = |g: &&Grid| header(g).is_some();
    let chosen = grids
        .iter()
        .filter(has_header)
        .find(|g| g.name.contains("人口"))
        .or_else(|| grids.iter().find(has_header))
        .or_else(|| grids.iter().find(|g| !g.is_blank()))
        .or(grids.first());
    chosen.map_or_else(|| Err(no_sheet(file_name)), read_grid)
}

/// A count column of the header row.
#[derive(Clone, Debug)]
struct Col {
    /// 0-based.
    index: usize,
    /// The header as written (for the places of problems).
    header: String,
}

/// The header row and its columns.
struct Header {
    row: usize,
    male: Col,
    female: Col,
    total: Option<Col>,
    /// The header of the ages' column as written (the first header of the label columns
    /// with 「年齢」 in it), else 「年齢」.
    label_header: String,
    /// Whether 男 or 女 is given more than once (the first is read).
    repeated: bool,
}

impl Header {
    /// The columns left of the first count column, where the labels are.
    fn labels_end(&self) -> usize {
        let first = self.male.index.min(self.female.index);
        self.total.as_ref().map_or(first, |t| first.min(t.index))
    }

    /// The column of a kind, when the sheet has it.
    fn column(&self, kind: CountColumn) -> Option<Col> {
        match kind {
            CountColumn::Total => self.total.clone(),
            CountColumn::Male => Some(self.male.clone()),
            CountColumn::Female => Some(self.female.clone()),
        }
    }

    /// 総数, 男, 女 (総数 when there is such a column).
    fn columns(&self) -> Vec<(CountColumn, &Col)> {
        let mut out = Vec::new();
        if let Some(t) = &self.total {
            out.push((CountColumn::Total, t));
        }
        out.push((CountColumn::Male, &self.male));
        out.push((CountColumn::Female, &self.female));
        out
    }
}

/// The first row with a 男 and a 女 column.
fn header(grid: &Grid) -> Option<Header> {
    grid.cells.iter().enumerate().find_map(|(r, cells)| {
        let mut found: HashMap<&'static str, Vec<Col>> = HashMap::new();
        for (c, raw) in cells.iter().enumerate() {
            let text = raw.text();
            if let Some(kind) = count_column(&text) {
                found.entry(kind.label()).or_default().push(Col {
                    index: c,
                    header: text,
                });
            }
        }
        let first = |kind: CountColumn| found.get(kind.label()).and_then(|v| v.first()).cloned();
        let (male, female) = (first(CountColumn::Male)?, first(CountColumn::Female)?);
        let repeated = [CountColumn::Male, CountColumn::Female]
            .iter()
            .any(|k| found.get(k.label()).is_some_and(|v| v.len() > 1));
        let h = Header {
            row: r,
            male,
            female,
            total: first(CountColumn::Total),
            label_header: String::new(),
            repeated,
        };
        let label_header = (0..h.labels_end())
            .map(|c| grid.get(r, c).text())
            .find(|t| t.contains("年齢"))
            .unwrap_or_else(|| "年齢".to_owned());
        Some(Header { label_header, ..h })
    })
}

/// A row's label: the first text left of the counts that is a label of a census table.
enum RowLabel {
    Blank,
    Known(Label, usize),
    Unrecognised(String, usize),
}

fn row_label(grid: &Grid, r: usize, end: usize) -> RowLabel {
    let mut last = None;
    for c in 0..end {
        let text = grid.get(r, c).text();
        if text.is_empty() {
            continue;
        }
        if let Some(label) = recognise(&text) {
            return RowLabel::Known(label, c);
        }
        last = Some((text, c));
    }
    last.map_or(RowLabel::Blank, |(t, c)| RowLabel::Unrecognised(t, c))
}

/// A row read: where its label is and its counts (総数, 男, 女; `None` when blank or wrong).
struct Found {
    row: usize,
    label_col: usize,
    total: Option<u64>,
    male: Option<u64>,
    female: Option<u64>,
}

/// What the rows gave, by label.
#[derive(Default)]
struct Rows {
    groups: [Option<Found>; GROUPS - 1],
    /// The parts of 90歳以上: (first age, open), in sheet order.
    old: Vec<((u32, bool), Found)>,
    total: Option<Found>,
    unknown: Option<Found>,
    /// Whether any count cell of a table row holds something.
    any_count: bool,
    /// Whether any table row was found.
    any_row: bool,
}

struct Reader<'g> {
    grid: &'g Grid,
    head: Header,
    errors: Vec<SheetError>,
    /// Which of `errors` are blank counts: dropped for one problem when the whole table is
    /// blank.
    blanks: Vec<usize>,
    /// Whether a count or an age group is missing or wrong, so that sums would mislead.
    doubtful: bool,
}

fn read_grid(grid: &Grid) -> Result<CensusSheet, Vec<SheetError>> {
    if grid.is_blank() {
        return Err(vec![at(grid, None, None, "シートが空です。".to_owned())]);
    }
    let Some(head) = header(grid) else {
        return Err(vec![at(
            grid,
            None,
            None,
            "見出しの行（「男」と「女」の列、例:「年齢（5歳階級）」「総数」「男」「女」）が見つかりません。"
                .to_owned(),
        )]);
    };
    if head.labels_end() == 0 {
        let col = head.male.index.min(head.female.index);
        return Err(vec![at(
            grid,
            Some((head.row, col)),
            Some(&head.male.header),
            "年齢の列が見つかりません。年齢（「0〜4歳」など）は「男」「女」「総数」の列より左に置いてください。"
                .to_owned(),
        )]);
    }
    let mut reader = Reader {
        grid,
        head,
        errors: Vec::new(),
        blanks: Vec::new(),
        doubtful: false,
    };
    let rows = reader.rows();
    reader.finish(rows)
}

impl Reader<'_> {
    fn error(&mut self, cell: (usize, usize), header: &str, message: String) {
        self.errors
            .push(at(self.grid, Some(cell), Some(header), message));
    }

    /// A problem of a label at its 0-based cell, under its column's header (「年齢」 when the
    /// header row has none there).
    fn label_error(&mut self, (r, c): (usize, usize), message: String) {
        let text = self.grid.get(self.head.row, c).text();
        let header = if text.is_empty() {
            self.head.label_header.clone()
        } else {
            text
        };
        self.error((r, c), &header, message);
    }

    /// Reads every row below the header.
    fn rows(&mut self) -> Rows {
        let mut rows = Rows::default();
        let mut restated = false;
        let end = self.head.labels_end();
        for r in self.head.row + 1..self.grid.cells.len() {
            if restated {
                break;
            }
            let counts_blank = self
                .head
                .columns()
                .iter()
                .all(|(_, c)| self.grid.get(r, c.index).is_blank());
            match row_label(self.grid, r, end) {
                RowLabel::Blank if counts_blank => {}
                RowLabel::Blank => self.label_error(
                    (r, end - 1),
                    "年齢が空ですが、人数が入力されています。".to_owned(),
                ),
                RowLabel::Unrecognised(_, _) if counts_blank => {}
                RowLabel::Unrecognised(text, c) => {
                    self.label_error(
                        (r, c),
                        format!(
                            "年齢「{text}」を読めません。「0〜4歳」「90歳以上」「総数」「年齢不詳」のように書いてください。"
                        ),
                    );
                }
                RowLabel::Known(Label::Restated, _) => restated = counts_blank,
                RowLabel::Known(Label::Aggregate, _) => {}
                RowLabel::Known(label, c) => {
                    rows.any_row = true;
                    rows.any_count |= !counts_blank;
                    let found = self.counts(r, c, label);
                    self.place(&mut rows, label, found);
                }
            }
        }
        rows
    }

    /// Reads a table row's counts; 男 and 女 are required but on the 総数 row.
    fn counts(&mut self, r: usize, label_col: usize, label: Label) -> Found {
        let name = label.canonical();
        let mut found = Found {
            row: r,
            label_col,
            total: None,
            male: None,
            female: None,
        };
        let mut complete = true;
        for (kind, col) in self.head.columns() {
            let what = format!("{name}・{}の人数", kind.label());
            let raw = self.grid.get(r, col.index);
            let value = match count(raw, Dash::Zero, &what) {
                Ok(v) => v,
                Err(message) => {
                    complete = false;
                    self.doubtful = true;
                    self.errors.push(at(
                        self.grid,
                        Some((r, col.index)),
                        Some(&col.header),
                        message,
                    ));
                    continue;
                }
            };
            if value.is_none() && kind != CountColumn::Total && label != Label::Total {
                complete = false;
                self.doubtful = true;
                self.blanks.push(self.errors.len());
                self.errors.push(at(
                    self.grid,
                    Some((r, col.index)),
                    Some(&col.header),
                    format!("{what}が入力されていません（0人のときは0を入力してください）。"),
                ));
            }
            match kind {
                CountColumn::Total => found.total = value,
                CountColumn::Male => found.male = value,
                CountColumn::Female => found.female = value,
            }
        }
        if let (true, Some(t), Some(m), Some(f)) = (complete, found.total, found.male, found.female)
            && t != m + f
            && let Some(col) = &self.head.total
        {
            self.errors.push(at(
                self.grid,
                Some((r, col.index)),
                Some(&col.header),
                format!(
                    "{name}の総数 {} が、男 {} と女 {} の計 {} と一致しません。",
                    people(t),
                    people(m),
                    people(f),
                    people(m + f)
                ),
            ));
        }
        found
    }

    /// Keeps a row under its label, refusing a label given twice.
    fn place(&mut self, rows: &mut Rows, label: Label, found: Found) {
        let slot = match label {
            Label::Group(i) => rows.groups.get_mut(i),
            Label::Total => Some(&mut rows.total),
            Label::Unknown => Some(&mut rows.unknown),
            Label::Old { from, open } => {
                let first = rows.old.iter().find(|(k, _)| *k == (from, open));
                if let Some((_, first)) = first {
                    let row = first.row;
                    self.twice(label, row, &found);
                } else {
                    rows.old.push(((from, open), found));
                }
                return;
            }
            Label::Aggregate | Label::Restated => None,
        };
        let Some(slot) = slot else {
            return;
        };
        if let Some(first) = slot {
            let row = first.row;
            self.twice(label, row, &found);
        } else {
            *slot = Some(found);
        }
    }

    fn twice(&mut self, label: Label, first_row: usize, found: &Found) {
        self.doubtful = true;
        self.label_error(
            (found.row, found.label_col),
            format!(
                "「{}」の行が2つあります（{}行目と{}行目）。1つにしてください。",
                label.canonical(),
                first_row + 1,
                found.row + 1
            ),
        );
    }

    fn finish(mut self, rows: Rows) -> Result<CensusSheet, Vec<SheetError>> {
        if !rows.any_row {
            self.errors.push(at(
                self.grid,
                None,
                None,
                "年齢階級の行（「0〜4歳」…「90歳以上」）が見つかりません。".to_owned(),
            ));
            return Err(self.errors);
        }
        if !rows.any_count {
            let errors = std::mem::take(&mut self.errors);
            self.errors = errors
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !self.blanks.contains(i))
                .map(|(_, e)| e)
                .collect();
            self.errors.push(at(
                self.grid,
                None,
                None,
                "男・女の人数が入力されていません。".to_owned(),
            ));
            return Err(self.errors);
        }
        for (i, g) in rows.groups.iter().enumerate() {
            if g.is_none() {
                self.missing(format!("「{}」の行がありません。", group_label(i)));
            }
        }
        let old = self.fold_old(&rows.old);
        let mut counts = BySex::filled(0u64);
        for (i, g) in rows.groups.iter().enumerate() {
            if let Some(g) = g {
                counts.male[i] = g.male.unwrap_or(0);
                counts.female[i] = g.female.unwrap_or(0);
            }
        }
        counts.male[GROUPS - 1] = old.iter().map(|f| f.male.unwrap_or(0)).sum();
        counts.female[GROUPS - 1] = old.iter().map(|f| f.female.unwrap_or(0)).sum();
        let unknown = rows
            .unknown
            .as_ref()
            .map_or([0, 0], |u| [u.male.unwrap_or(0), u.female.unwrap_or(0)]);
        if let (Some(total), false) = (&rows.total, self.doubtful) {
            self.check_total(total, &counts, unknown);
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let mut notes = Vec::new();
        if rows.old.len() > 1 {
            let mut parts: Vec<(u32, bool)> = rows.old.iter().map(|(k, _)| *k).collect();
            parts.sort_unstable();
            let names: Vec<String> = parts
                .into_iter()
                .map(|(from, open)| Label::Old { from, open }.canonical())
                .collect();
            notes.push(format!("{}を90歳以上にまとめました。", names.join("・")));
        }
        if self.head.repeated {
            notes.push(format!(
                "男・女の列が複数あるため、最初の列（セル{}、{}）を読みました。",
                cell_name(to_u32(self.head.row), to_u32(self.head.male.index)),
                cell_name(to_u32(self.head.row), to_u32(self.head.female.index)),
            ));
        }
        if rows.unknown.is_none() {
            notes.push("年齢不詳の行がないため、年齢不詳は0人としました。".to_owned());
        }
        match &rows.total {
            None => notes.push("総数の行がないため、合計の検算はしていません。".to_owned()),
            Some(t) if t.total.is_none() && t.male.is_none() && t.female.is_none() => {
                notes.push("総数の行が空欄のため、合計の検算はしていません。".to_owned());
            }
            Some(_) => {}
        }
        Ok(CensusSheet {
            sheet: self.grid.name.clone(),
            counts,
            unknown,
            notes,
        })
    }

    fn missing(&mut self, message: String) {
        self.doubtful = true;
        let header = self.head.label_header.clone();
        self.errors
            .push(at(self.grid, None, Some(&header), message));
    }

    /// The rows 90歳以上 is made of, checked: one open group (「○歳以上」) and every five-year
    /// part from 90 up to it, once.
    fn fold_old<'r>(&mut self, parts: &'r [((u32, bool), Found)]) -> Vec<&'r Found> {
        let old = |(from, open): (u32, bool)| Label::Old { from, open }.canonical();
        if parts.is_empty() {
            self.missing("「90歳以上」の行がありません。".to_owned());
            return Vec::new();
        }
        let lowest_open = parts
            .iter()
            .filter(|((_, open), _)| *open)
            .min_by_key(|((from, _), _)| *from);
        let Some(((low, _), low_row)) = lowest_open else {
            let last = parts.iter().map(|((f, _), _)| *f).max().unwrap_or(OLD_FROM);
            self.missing(format!(
                "「{}歳以上」の行がありません（90歳以上にまとめるには、最後の年齢階級「○歳以上」が必要です）。",
                last + 5
            ));
            return Vec::new();
        };
        let low = *low;
        let low_label = old((low, true));
        let mut inside: Vec<(u32, bool)> = parts
            .iter()
            .map(|(k, _)| *k)
            .filter(|&(from, open)| from >= low && (from, open) != (low, true))
            .collect();
        inside.sort_unstable();
        if !inside.is_empty() {
            let names: String = inside.iter().map(|k| format!("「{}」", old(*k))).collect();
            self.doubtful = true;
            self.label_error(
                (low_row.row, low_row.label_col),
                format!("「{low_label}」と、その内訳の{names}の両方があります。どちらか一方にしてください。"),
            );
        }
        for from in (OLD_FROM..low).step_by(5) {
            if !parts.iter().any(|(k, _)| *k == (from, false)) {
                self.missing(format!(
                    "「{}」の行がありません（「{low_label}」までを90歳以上にまとめるのに必要です）。",
                    old((from, false))
                ));
            }
        }
        parts.iter().map(|(_, f)| f).collect()
    }

    /// The 総数 row against the sum of the age groups and 年齢不詳, column by column.
    fn check_total(&mut self, total: &Found, counts: &BySex<u64>, unknown: [u64; 2]) {
        let men: u64 = counts.male.iter().sum();
        let women: u64 = counts.female.iter().sum();
        let expected = [
            (
                CountColumn::Total,
                total.total,
                men + women,
                unknown[0] + unknown[1],
            ),
            (CountColumn::Male, total.male, men, unknown[0]),
            (CountColumn::Female, total.female, women, unknown[1]),
        ];
        for (kind, given, sum, unknown) in expected {
            let (Some(given), Some(col)) = (given, self.head.column(kind)) else {
                continue;
            };
            if given == sum + unknown {
                continue;
            }
            let parts = if unknown == 0 {
                format!("年齢階級の計 {}", people(sum))
            } else {
                format!(
                    "年齢階級の計 {} と年齢不詳 {} の合計 {}",
                    people(sum),
                    people(unknown),
                    people(sum + unknown)
                )
            };
            self.error(
                (total.row, col.index),
                &col.header,
                format!(
                    "総数の行の{} {} が、{parts} と一致しません。",
                    kind.label(),
                    people(given)
                ),
            );
        }
    }
}
