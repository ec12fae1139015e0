//! The 一覧 out of keikaku (XLSX with its 集計 sheet, CSV in UTF-8 with BOM or CP932, the JSON
//! of `keikaku_planfile::programs`), whole or one department's — the sheet a department fills
//! in for the next round —, and a department's sheet (or a JSON file) into keikaku: read,
//! checked whole like a form, shown as a preview (programs added, removed and changed, every
//! changed value) and applied all or nothing with the revisions the preview read.
//!
//! A sheet is the complete list of the programs of every department in it (and, for a
//! department editor, of their own department): a stored program of those departments that
//! the sheet lacks is removed — the preview says so before anything is written.

use std::collections::{HashMap, HashSet};

use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{
    Edition, EditionState, FundingPart, Program, ProgramChange, ProgramCode, diff,
};
use keikaku_planfile::FileProblem;
use keikaku_planfile::programs::{EditionFile, ProgramEntry, read_edition};
use keikaku_sheets::programs::{
    self as sheet, Column, CsvEncoding, ParsedProgram, ProgramSheet, SheetError, SheetProgram,
    TotalsRow, TotalsSection,
};
use keikaku_storage::{Author, ProgramRecord, ProgramWrite};
use sha2::{Digest, Sha256};

use super::editions::{EditionView, refusal, view};
use super::entry::{check, check_open, guard_of};
use super::listing::{Label, aggregates, listing};
use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// The forms the 一覧 is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgramFormat {
    /// Excel workbook (事業一覧 and 集計).
    Xlsx,
    /// CSV, UTF-8 with BOM.
    Csv,
    /// CSV, Shift_JIS (CP932).
    CsvShiftJis,
    /// JSON (amounts in yen).
    Json,
}

impl ProgramFormat {
    /// The format of a name as URLs and the command line give it (`xlsx`, `csv`, `csv-sjis`,
    /// `json`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim() {
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv),
            "csv-sjis" => Some(Self::CsvShiftJis),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv | Self::CsvShiftJis => "csv",
            Self::Json => "json",
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
            Self::CsvShiftJis => "text/csv; charset=Shift_JIS",
            Self::Json => "application/json",
        }
    }
}

/// The edition narrowed to one department's programs (`None`: all).
fn narrowed(view: &EditionView, department: Option<&str>) -> EditionView {
    let mut v = view.clone();
    if let Some(d) = department.map(str::trim) {
        v.programs.retain(|p| p.program.department.trim() == d);
        v.frames.retain(|f| f.department.trim() == d);
    }
    v
}

/// The programs in the order of the 一覧 (goal → field → measure, unplaced last), each with its
/// place as displayed.
fn in_listing_order(view: &EditionView) -> Vec<SheetProgram> {
    let list = listing(view);
    let mut out = Vec::new();
    for g in &list.goals {
        for f in &g.fields {
            for m in &f.measures {
                for &i in &m.programs {
                    out.push(SheetProgram {
                        program: view.programs[i].program.clone(),
                        place: [g.goal.display(), f.field.display(), m.measure.display()],
                    });
                }
            }
        }
    }
    for &i in &list.unplaced {
        out.push(SheetProgram {
            program: view.programs[i].program.clone(),
            place: Default::default(),
        });
    }
    out
}

fn section(title: &str, rows: &[(Label, keikaku_domain::program::YearTotals)]) -> TotalsSection {
    TotalsSection {
        title: title.to_owned(),
        rows: rows
            .iter()
            .map(|(label, t)| TotalsRow {
                label: label.display(),
                programs: t.programs,
                years: t.years.iter().map(|(_, f)| *f).collect(),
            })
            .collect(),
    }
}

/// The measures of the basis plan a program serves (the JSON's `measures`).
fn measures_of(view: &EditionView, p: &Program) -> Vec<String> {
    p.links
        .iter()
        .filter(|l| {
            l.plan == view.edition.plan
                && view.places().kind(l) == Some(keikaku_domain::ElementKind::Measure)
        })
        .map(|l| l.element.to_string())
        .collect()
}

/// A program of the edition as the JSON writes it (amounts in yen, `measures` the basis plan's
/// 施策 it serves).
pub fn program_entry(view: &EditionView, program: &Program) -> ProgramEntry {
    ProgramEntry::of(program, measures_of(view, program))
}

/// The edition as the JSON writes it (`keikaku_planfile::programs`): the export's JSON and the
/// API's edition. The caller has read the view with the access it needs.
pub fn edition_file(view: &EditionView) -> EditionFile {
    EditionFile {
        edition: view.made_in().year(),
        covers: view.covers().iter().map(|y| y.year()).collect(),
        plan: view.edition.plan.to_string(),
        state: view.edition.state.code().to_owned(),
        rounding: view.rounding().code().to_owned(),
        programs: view
            .programs
            .iter()
            .map(|p| program_entry(view, &p.program))
            .collect(),
    }
}

/// The edition (or one department's part of it) as a file. `city` names the municipality in
/// the title. The caller has read the view with the access it needs.
pub fn export(
    view: &EditionView,
    city: &str,
    department: Option<&str>,
    format: ProgramFormat,
) -> Result<Vec<u8>, AppError> {
    let view = narrowed(view, department);
    let failed = |e: keikaku_sheets::ExportError| {
        AppError::Invalid(vec![FileProblem {
            path: "format".to_owned(),
            message: e.to_string(),
        }])
    };
    if format == ProgramFormat::Json {
        let file = edition_file(&view);
        let mut text = serde_json::to_string_pretty(&file)
            .map_err(|e| AppError::Store(keikaku_storage::StoreError::Corrupt(e.to_string())))?;
        text.push('\n');
        return Ok(text.into_bytes());
    }
    let agg = aggregates(&view);
    let total = [(
        Label {
            title: "合計".to_owned(),
            ..Label::default()
        },
        agg.total.clone(),
    )];
    let mut totals = vec![section("合計（年度・財源別）", &total)];
    if department.is_none() {
        totals.push(section("まちづくりの目標別", &agg.by_goal));
        totals.push(section("分野別", &agg.by_field));
        totals.push(section(
            "重点プロジェクト別（事業は複数に計上されることがあります）",
            &agg.by_project,
        ));
        totals.push(section(
            "総合戦略の基本目標別（事業は複数に計上されることがあります）",
            &agg.by_objective,
        ));
        totals.push(section("所管課別", &agg.by_department));
    }
    totals.push(section("事業区分別", &agg.by_category));
    let whose = department
        .map(|d| format!(" {}", d.trim()))
        .unwrap_or_default();
    let table = ProgramSheet {
        title: format!(
            "{city}実施計画 {}　計画期間 {}{whose}",
            view.title(),
            view.period()
        ),
        years: view.covers().to_vec(),
        rows: in_listing_order(&view),
        totals,
        rounding: view.rounding(),
    };
    match format {
        ProgramFormat::Xlsx => sheet::to_xlsx(&table),
        ProgramFormat::Csv => sheet::to_csv(&table, CsvEncoding::Utf8Bom),
        ProgramFormat::CsvShiftJis => sheet::to_csv(&table, CsvEncoding::ShiftJis),
        ProgramFormat::Json => unreachable!("written above"),
    }
    .map_err(failed)
}

/// What an import would do, computed against the edition as it was read; applying it writes
/// exactly this, or nothing when anything changed in between.
#[derive(Clone, Debug)]
pub struct ImportPreview {
    /// The edition.
    pub made_in: FiscalYear,
    /// The sheet read (for a JSON file, its name).
    pub sheet: String,
    /// How many programs the file holds.
    pub rows: usize,
    /// Programs the file adds.
    pub added: Vec<Program>,
    /// Programs the file removes (of the departments it covers).
    pub removed: Vec<Program>,
    /// Programs it changes, with every change.
    pub changed: Vec<ProgramChange>,
    writes: Vec<ProgramWrite>,
    guard: Option<String>,
}

impl ImportPreview {
    /// Whether the file changes nothing.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// A hash of the writes: what is applied must be what was shown.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for w in &self.writes {
            h.update(format!("{w:?}\u{1e}"));
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The field key of a use-case problem as a sheet column.
fn column_of(key: &str) -> Column {
    let simple = [
        ("code", Column::Code),
        ("name", Column::Name),
        ("department", Column::Department),
        ("category", Column::Category),
        ("links", Column::Links),
        ("purpose", Column::Purpose),
        ("target_group", Column::TargetGroup),
        ("means", Column::Means),
        ("start_year", Column::StartYear),
        ("end_year", Column::EndYear),
        ("account", Column::Account),
        ("expense_type", Column::ExpenseType),
        ("activity_name", Column::ActivityName),
        ("activity_unit", Column::ActivityUnit),
    ];
    if let Some((_, c)) = simple.iter().find(|(k, _)| *k == key) {
        return *c;
    }
    let year_part = key
        .strip_prefix('y')
        .and_then(|rest| rest.split_once('.'))
        .and_then(|(y, part)| Some((FiscalYear::new(y.parse().ok()?).ok()?, part)));
    match year_part {
        Some((y, "cost")) => Column::Cost(y),
        Some((y, "activity_target")) => Column::ActivityTarget(y),
        Some((y, part)) => {
            FundingPart::from_code(part).map_or(Column::Cost(y), |p| Column::Part(y, p))
        }
        None => Column::Code,
    }
}

/// The JSON path of a use-case problem (its field key: `name`, `links`, `y2027.cost` …; see
/// [`super::entry`]) of a program read from JSON at `base` (`$.programs[3]` in a file, `$` in
/// an API request): `{base}.name`, and a year's amount at `{base}.years[i].cost`, where `i` is
/// the place of that fiscal year in the program's `years` as read (`{base}.years` when the year
/// is not among them); a problem of the program as a whole at `base`.
pub fn json_path(base: &str, program: &Program, key: &str) -> String {
    if key.is_empty() {
        return base.to_owned();
    }
    let Some((y, part)) = key.strip_prefix('y').and_then(|r| r.split_once('.')) else {
        return format!("{base}.{key}");
    };
    let j = program
        .years
        .iter()
        .position(|py| py.fiscal_year.year().to_string() == y);
    match j {
        Some(j) => format!("{base}.years[{j}].{part}"),
        None => format!("{base}.years"),
    }
}

/// A program read from a file with where it came from.
struct Incoming {
    program: Program,
    place: Place,
}

enum Place {
    Row(ParsedProgram),
    Json(usize),
}

/// Keeps what a sheet leaves out: a column the sheet does not have leaves that part of a stored
/// program as it is (a department's own sheet may bring only the columns it works on). A year
/// without any of its columns keeps its amounts; a year with amounts but no 活動指標の目標値
/// column keeps its target.
fn keep_missing(
    row: &ParsedProgram,
    incoming: &mut Program,
    stored: &Program,
    covers: &[FiscalYear],
) {
    let has = |c: Column| row.has_column(c);
    if !has(Column::Links) {
        incoming.links.clone_from(&stored.links);
    }
    for (column, field, kept) in [
        (Column::Purpose, &mut incoming.purpose, &stored.purpose),
        (
            Column::TargetGroup,
            &mut incoming.target_group,
            &stored.target_group,
        ),
        (Column::Means, &mut incoming.means, &stored.means),
        (
            Column::ActivityName,
            &mut incoming.activity.name,
            &stored.activity.name,
        ),
        (
            Column::ActivityUnit,
            &mut incoming.activity.unit,
            &stored.activity.unit,
        ),
    ] {
        if !has(column) {
            field.clone_from(kept);
        }
    }
    if !has(Column::EndYear) {
        incoming.end_year = stored.end_year;
    }
    if !has(Column::Account) {
        incoming.account = stored.account;
    }
    if !has(Column::ExpenseType) {
        incoming.expense_type = stored.expense_type;
    }
    if !has(Column::Sample) {
        incoming.sample = stored.sample;
    }
    for &y in covers {
        let amounts =
            has(Column::Cost(y)) || FundingPart::ALL.iter().any(|p| has(Column::Part(y, *p)));
        let kept = stored.years.iter().find(|py| py.fiscal_year == y).copied();
        if !amounts {
            incoming.years.retain(|py| py.fiscal_year != y);
            if let Some(k) = kept {
                incoming.years.push(k);
            }
        } else if !has(Column::ActivityTarget(y))
            && let Some(py) = incoming.years.iter_mut().find(|py| py.fiscal_year == y)
        {
            py.activity_target = kept.and_then(|k| k.activity_target);
        }
    }
    incoming.years.sort_by_key(|py| py.fiscal_year);
}

/// Reads the file: a JSON edition, or an XLSX/CSV 事業一覧.
fn read_file(
    file_name: &str,
    bytes: &[u8],
    view: &EditionView,
) -> Result<(String, Vec<Incoming>, Vec<SheetError>), AppError> {
    let is_json = file_name.to_ascii_lowercase().ends_with(".json")
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if is_json {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            AppError::Invalid(vec![FileProblem {
                path: "$".to_owned(),
                message: "JSONファイルはUTF-8で保存してください。".to_owned(),
            }])
        })?;
        let read = read_edition(text).map_err(AppError::Invalid)?;
        if read.edition != view.made_in() {
            return Err(AppError::Invalid(vec![FileProblem {
                path: "$.edition".to_owned(),
                message: format!(
                    "ファイルは{}版ですが、取り込み先は{}版です。",
                    keikaku_domain::format::fiscal_year(read.edition),
                    keikaku_domain::format::fiscal_year(view.made_in())
                ),
            }]));
        }
        let incoming = read
            .programs
            .into_iter()
            .enumerate()
            .map(|(i, program)| Incoming {
                program,
                place: Place::Json(i),
            })
            .collect();
        return Ok((file_name.to_owned(), incoming, Vec::new()));
    }
    let (parsed, errors) =
        sheet::read_programs_partly(file_name, bytes, &view.covers()).map_err(|errors| {
            AppError::Invalid(
                errors
                    .iter()
                    .map(|e| FileProblem {
                        path: String::new(),
                        message: e.to_string(),
                    })
                    .collect(),
            )
        })?;
    let incoming = parsed
        .programs
        .into_iter()
        .map(|p| Incoming {
            program: p.program.clone(),
            place: Place::Row(p),
        })
        .collect();
    Ok((parsed.sheet, incoming, errors))
}

/// The edition an import goes into: the one named, else the newest being made (作成中).
async fn target(cx: &Context<'_>, made_in: Option<FiscalYear>) -> Result<FiscalYear, AppError> {
    if let Some(y) = made_in {
        return Ok(y);
    }
    cx.store
        .editions(cx.municipality)
        .await?
        .into_iter()
        .find(|e| e.edition.state == EditionState::Draft)
        .map(|e| e.edition.made_in)
        .ok_or_else(|| {
            AppError::NotFound(
                "作成中の実施計画の版がありません。企画担当が版を作成してから取り込んでください。"
                    .to_owned(),
            )
        })
}

/// Reads a file for edition `made_in` (`None`: a JSON file's own edition, else the newest
/// edition being made) and compares it with what is stored; every problem refuses the whole
/// file, each with its cell (sheets) or JSON path.
pub async fn preview_import(
    cx: &Context<'_>,
    authority: &impl Authority,
    made_in: Option<FiscalYear>,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportPreview, AppError> {
    require(authority, Action::EditPrograms)?;
    let made_in = match made_in {
        Some(y) => y,
        None if file_name.to_ascii_lowercase().ends_with(".json") => {
            let text = std::str::from_utf8(bytes).unwrap_or_default();
            read_edition(text).map_err(AppError::Invalid)?.edition
        }
        None => target(cx, None).await?,
    };
    let view = view(cx, made_in, crate::stored_plans(cx).await?)
        .await
        .map_err(|e| match e {
            AppError::NotFound(m) => AppError::NotFound(format!(
                "{m}版を作成する（空の版、または前年度の版からのローリング）と、取り込めるようになります。"
            )),
            other => other,
        })?;
    let (sheet_name, incoming, sheet_errors) = read_file(file_name, bytes, &view)?;
    // The sheet's own problems and those found here, in row order.
    let mut placed: Vec<(u32, FileProblem)> = sheet_errors
        .iter()
        .map(|e| {
            (
                e.row.unwrap_or(0),
                FileProblem {
                    path: String::new(),
                    message: e.to_string(),
                },
            )
        })
        .collect();
    let mut problems = Vec::new();
    let mut covered: HashSet<String> = HashSet::new();
    let mut seen: HashMap<ProgramCode, usize> = HashMap::new();
    let mut programs = Vec::new();
    for (index, mut item) in incoming.into_iter().enumerate() {
        let stored = view.program(item.program.code.as_str());
        if let (Place::Row(row), Some(s)) = (&item.place, stored) {
            keep_missing(row, &mut item.program, &s.program, &view.covers());
        }
        let found = check(&view, authority, &mut item.program, stored);
        let mut push = |key: &str, message: String| match &item.place {
            Place::Row(row) => placed.push((
                row.row,
                FileProblem {
                    path: String::new(),
                    message: row.error(&sheet_name, column_of(key), message).to_string(),
                },
            )),
            Place::Json(i) => problems.push(FileProblem {
                path: json_path(&format!("$.programs[{i}]"), &item.program, key),
                message,
            }),
        };
        for p in found {
            push(&p.path, p.message);
        }
        if let Some(first) = seen.insert(item.program.code.clone(), index) {
            push(
                "code",
                format!(
                    "事業コード「{}」が2回あります（{}件目と同じ）。",
                    item.program.code,
                    first + 1
                ),
            );
        }
        covered.insert(item.program.department.trim().to_owned());
        programs.push(item.program);
    }
    placed.sort_by_key(|(row, _)| *row);
    problems.extend(placed.into_iter().map(|(_, p)| p));
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let guard = guard_of(authority);
    if let Some(g) = &guard {
        covered.insert(g.clone());
    }
    for d in &covered {
        check_open(&view, authority, d)?;
    }
    let incoming_codes: HashSet<&ProgramCode> = programs.iter().map(|p| &p.code).collect();
    let removed: Vec<&ProgramRecord> = view
        .programs
        .iter()
        .filter(|p| {
            covered.contains(p.program.department.trim())
                && !incoming_codes.contains(&p.program.code)
        })
        .collect();
    let mut writes = Vec::new();
    let same = |stored: &Program, p: &Program| {
        let mut s = stored.clone();
        super::entry::canonical_links(&view, &mut s.links);
        &s == p
    };
    for p in &programs {
        match view.program(p.code.as_str()) {
            Some(s) if same(&s.program, p) => {}
            Some(s) => writes.push(ProgramWrite::Save {
                program: p.clone(),
                expected: Some(s.revision),
            }),
            None => writes.push(ProgramWrite::Save {
                program: p.clone(),
                expected: None,
            }),
        }
    }
    for r in &removed {
        writes.push(ProgramWrite::Delete {
            code: r.program.code.clone(),
            expected: r.revision,
        });
    }
    let before = Edition {
        made_in,
        programs: view
            .programs
            .iter()
            .filter(|p| {
                covered.contains(p.program.department.trim())
                    || incoming_codes.contains(&p.program.code)
            })
            .map(|p| p.program.clone())
            .collect(),
    };
    let after = Edition {
        made_in,
        programs: programs.clone(),
    };
    let d = diff(&before, &after);
    Ok(ImportPreview {
        made_in,
        sheet: sheet_name,
        rows: programs.len(),
        added: programs
            .iter()
            .filter(|p| d.added.contains(&p.code))
            .cloned()
            .collect(),
        removed: removed.iter().map(|r| r.program.clone()).collect(),
        changed: d.changed,
        writes,
        guard,
    })
}

/// Stores what a preview showed, all or nothing; a change made since the preview refuses the
/// whole import as a conflict. Returns how many programs were written or removed.
pub async fn apply_import(
    cx: &Context<'_>,
    authority: &impl Authority,
    preview: &ImportPreview,
    at: Timestamp,
) -> Result<usize, AppError> {
    require(authority, Action::EditPrograms)?;
    if preview.writes.is_empty() {
        return Ok(0);
    }
    cx.store
        .save_programs(
            cx.municipality,
            preview.made_in,
            &preview.writes,
            preview.guard.as_deref(),
            &Author {
                actor: authority.actor(),
                at,
            },
        )
        .await
        .map_err(|e| refusal(e, preview.made_in))?;
    Ok(preview.writes.len())
}
