//! The 人口ビジョン in and out of spreadsheets: the results (every scenario the view holds with
//! its totals, age bands and population by sex × age group, and the comparison with the
//! target, the actuals and the references) as XLSX or CSV; a census table read into a census,
//! saved whole or not at all; the census template; actual totals read into the vision.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::population::{ActualSource, ActualTotal};
use keikaku_planfile::FileProblem;
use keikaku_sheets::population::{
    self as sheet, CensusSheet, CsvEncoding, DetailRow, ResultBook, ResultTable, SheetError,
};

use super::report::{comparison, summary};
use super::view::PopulationView;
use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// The files the results are written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultFormat {
    /// The workbook of the three tables.
    Xlsx,
    /// One table as CSV, UTF-8 with BOM.
    Csv(ResultTable),
    /// One table as CSV, Shift_JIS (CP932).
    CsvShiftJis(ResultTable),
}

impl ResultFormat {
    /// The format of a URL's `format` and `table` (`xlsx`; `csv` or `csv-sjis` with `summary`,
    /// `detail` or `comparison`).
    pub fn from_names(format: &str, table: Option<&str>) -> Option<Self> {
        let table = match table.map(str::trim) {
            None | Some("" | "summary") => ResultTable::Summary,
            Some("detail") => ResultTable::Detail,
            Some("comparison") => ResultTable::Comparison,
            Some(_) => return None,
        };
        match format.trim() {
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv(table)),
            "csv-sjis" => Some(Self::CsvShiftJis(table)),
            _ => None,
        }
    }

    /// The file name, without the city's name.
    pub fn file_name(self) -> String {
        match self {
            Self::Xlsx => "人口ビジョン_推計結果.xlsx".to_owned(),
            Self::Csv(t) | Self::CsvShiftJis(t) => format!("人口ビジョン_{}.csv", t.sheet_name()),
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv(_) => "text/csv; charset=utf-8",
            Self::CsvShiftJis(_) => "text/csv; charset=Shift_JIS",
        }
    }
}

/// The results of a view as the sheets crate lays them out.
pub fn result_book(view: &PopulationView, city: &str) -> ResultBook {
    let mut notes: Vec<String> = Vec::new();
    let mut summary_rows = Vec::new();
    let mut detail = Vec::new();
    for s in &view.scenarios {
        let Some(result) = &s.record.result else {
            continue;
        };
        for n in &result.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
        for r in summary(s) {
            summary_rows.push(sheet::SummaryRow {
                scenario: r.name.clone(),
                year: r.summary.year,
                total: r.summary.total,
                bands: r.summary.bands,
                shares: r.summary.shares(),
            });
        }
        for p in &result.years {
            detail.push(DetailRow {
                scenario: s.record.scenario.name.clone(),
                year: p.year,
                population: p.population,
            });
        }
    }
    let c = comparison(view);
    ResultBook {
        title: format!("{city} 人口ビジョン 将来人口の推計"),
        notes,
        summary: summary_rows,
        detail,
        comparison: sheet::Comparison {
            columns: c
                .columns
                .iter()
                .map(|col| sheet::ComparisonColumn {
                    name: col.name.clone(),
                    values: c
                        .years
                        .iter()
                        .zip(&col.values)
                        .filter_map(|(y, v)| v.map(|v| (*y, v)))
                        .collect(),
                })
                .collect(),
        },
    }
}

/// The results as a file.
pub fn export_results(
    view: &PopulationView,
    city: &str,
    format: ResultFormat,
) -> Result<Vec<u8>, AppError> {
    let book = result_book(view, city);
    let written = match format {
        ResultFormat::Xlsx => sheet::write_results_xlsx(&book),
        ResultFormat::Csv(t) => sheet::write_results_csv(&book, t, CsvEncoding::Utf8Bom),
        ResultFormat::CsvShiftJis(t) => sheet::write_results_csv(&book, t, CsvEncoding::ShiftJis),
    };
    written.map_err(|e| {
        AppError::Invalid(vec![FileProblem {
            path: "format".to_owned(),
            message: e.to_string(),
        }])
    })
}

/// The census template (filled with a stored census, or empty).
pub fn census_template(
    view: &PopulationView,
    year: Option<i32>,
    city: &str,
) -> Result<Vec<u8>, AppError> {
    let census = year.and_then(|y| view.census(y)).map(|c| &c.census);
    sheet::write_census_xlsx(census, city).map_err(|e| {
        AppError::Invalid(vec![FileProblem {
            path: "year".to_owned(),
            message: e.to_string(),
        }])
    })
}

/// A sheet's problem for the app's error list: the message names the sheet and the cell.
fn problem(e: &SheetError) -> FileProblem {
    FileProblem {
        path: "file".to_owned(),
        message: e.to_string(),
    }
}

/// Reads a census table; every problem of the file with its cell.
pub fn read_census_file(file_name: &str, bytes: &[u8]) -> Result<CensusSheet, AppError> {
    sheet::read_census(file_name, bytes)
        .map_err(|errors| AppError::Invalid(errors.iter().map(problem).collect()))
}

/// Reads a census table and stores it as the census of `year` (`expected`: the stored
/// census's revision when it replaces one). Returns the notes of the reading (90歳以上 folded
/// …) and the new revision.
#[allow(clippy::too_many_arguments)] // one upload: the file, the year, its source and flag
pub async fn import_census(
    cx: &Context<'_>,
    authority: &impl Authority,
    year: i32,
    source: &str,
    sample: bool,
    file: (&str, &[u8]),
    expected: Option<i64>,
    at: Timestamp,
) -> Result<(Vec<String>, i64), AppError> {
    require(authority, Action::ManagePopulation)?;
    let read = read_census_file(file.0, file.1)?;
    let mut census = read.census(year, source.trim());
    census.sample = sample;
    let revision = super::save_census(cx, authority, census, expected, at).await?;
    Ok((read.notes, revision))
}

/// Reads actual totals and merges them into the vision (a year in the sheet replaces the
/// stored one; a row without 出典 keeps the stored year's, or is 国勢調査 for a new year).
/// Returns how many years were written.
pub async fn import_actuals(
    cx: &Context<'_>,
    authority: &impl Authority,
    file: (&str, &[u8]),
    at: Timestamp,
) -> Result<usize, AppError> {
    require(authority, Action::ManagePopulation)?;
    let rows = sheet::read_actuals(file.0, file.1)
        .map_err(|errors| AppError::Invalid(errors.iter().map(problem).collect()))?;
    let data = cx.store.population(cx.municipality).await?;
    let (mut vision, expected) = match data.vision {
        Some(v) => (v.vision, Some(v.revision)),
        None => (Default::default(), None),
    };
    for r in &rows {
        let stored = vision.actuals.iter().position(|a| a.year == r.year);
        let source = r
            .source
            .or_else(|| stored.map(|i| vision.actuals[i].source))
            .unwrap_or(ActualSource::Census);
        let actual = ActualTotal {
            year: r.year,
            total: r.total,
            source,
            note: r.note.clone(),
        };
        match stored {
            Some(i) => vision.actuals[i] = actual,
            None => vision.actuals.push(actual),
        }
    }
    super::save_vision(cx, authority, vision, expected, at).await?;
    Ok(rows.len())
}
