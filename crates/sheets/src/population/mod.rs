//! The 人口ビジョン's sheets: census tables and actual totals read in, projection results and a
//! census template written out.
//!
//! - [`read_census`] reads a municipality's population by sex × five-year age group from a
//!   published census table (国勢調査 / e-Stat 「年齢（5歳階級），男女別人口」) or the city's own
//!   sheet, as an XLSX or a CSV (UTF-8 with or without BOM, Shift_JIS). Title and note rows
//!   above the header are skipped; the header row is the first with a 男 and a 女 column
//!   (男性 / 女性 too, and an optional 総数 / 計 / 合計 column); ages are read from the text
//!   cells left of the counts in every common form (「0～4歳」, 「０〜４歳」, 「0-4」, 「0 ～ 4
//!   歳」); 90〜94歳・95〜99歳・100歳以上 are folded into 90歳以上; 総数 and 年齢不詳 rows are
//!   recognised; （再掲） rows (and every row after a row saying only （再掲）), broad bands
//!   such as 15歳未満 / 15〜64歳 / 65歳以上, 平均年齢, blank rows and footnotes are skipped.
//!   Counts may have thousands separators and full-width digits; a dash alone is 0.
//! - [`read_actuals`] reads actual totals by year (年 / 年次 / 年度 / 調査年, 人口 / 総人口 /
//!   総数, optional 出典 and 備考), years written 2020, 2020年, 令和2年, R2, H27, 平成27年.
//! - [`write_results_xlsx`] writes a [`ResultBook`] as a workbook of three sheets
//!   (「推計結果」, 「男女・年齢別」, 「目標と実績」) with the exact projected values shown to the
//!   whole person; [`write_results_csv`] writes one of its tables as CSV, rounded.
//! - [`write_census_xlsx`] writes the census template in the layout [`read_census`] reads:
//!   filled from a [`Census`] (which reads back to the same counts) or empty for a clerk to
//!   fill in.
//!
//! Both readers return every problem of the sheet at once, each with its sheet, cell, row and
//! column, and nothing when there is any problem.
//!
//! ```
//! use keikaku_sheets::population;
//!
//! let mut csv = String::from("令和2年国勢調査　年齢（5歳階級），男女別人口\n年齢,総数,男,女\n");
//! for age in (0..90).step_by(5) {
//!     csv.push_str(&format!("{}～{}歳,30,10,20\n", age, age + 4));
//! }
//! csv.push_str("90～94歳,3,1,2\n95～99歳,3,1,2\n100歳以上,-,-,-\n年齢「不詳」,2,1,1\n");
//! csv.push_str("（再掲）65歳以上,168,56,112\n");
//! let read = population::read_census("一関市.csv", csv.as_bytes()).unwrap();
//! assert_eq!(read.counts.male[18], 2);
//! assert_eq!(read.unknown, [1, 1]);
//! let census = read.census(2020, "国勢調査");
//! assert_eq!(census.total(), 18 * 30 + 6 + 2);
//! ```

mod actuals;
mod cells;
mod census_read;
mod census_xlsx;
mod label;
mod results;
mod results_csv;
mod results_xlsx;

use std::collections::BTreeMap;

use keikaku_domain::population::{ActualSource, BySex, Census};

pub use crate::csv_write::CsvEncoding;
pub use crate::error::{ExportError, SheetError, Unencodable};
pub use actuals::read_actuals;
pub use census_read::read_census;
pub use census_xlsx::{CENSUS_SHEET_NAME, write_census_xlsx};
pub use results_csv::write_results_csv;
pub use results_xlsx::write_results_xlsx;

/// A census table as read: people by sex × age group and 年齢不詳.
#[derive(Clone, Debug, PartialEq)]
pub struct CensusSheet {
    /// The sheet the table was read from (for a CSV: the file name without its extension, as
    /// Excel names the sheet).
    pub sheet: String,
    /// People by sex and age group (0–4 … 85–89, 90+), 90+ folded from its parts when the
    /// table gives them.
    pub counts: BySex<u64>,
    /// 年齢不詳: men, women (0 when the table has no such row).
    pub unknown: [u64; 2],
    /// What the reader did that the user should know, in Japanese: 「90〜94歳・95〜99歳・
    /// 100歳以上を90歳以上にまとめました。」, a table without 年齢不詳 or 総数 row.
    pub notes: Vec<String>,
}

impl CensusSheet {
    /// The census of a year with its source, as the domain keeps it.
    pub fn census(&self, year: i32, source: impl Into<String>) -> Census {
        Census {
            year,
            source: source.into(),
            counts: self.counts,
            unknown: self.unknown,
            sample: false,
        }
    }
}

/// One actual total as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActualRow {
    /// The calendar year.
    pub year: i32,
    /// The population.
    pub total: u64,
    /// Where it comes from, when the sheet says.
    pub source: Option<ActualSource>,
    /// 備考, e.g. 「10月1日現在」 (empty when none).
    pub note: String,
    /// The row, 1-based as Excel shows it.
    pub row: u32,
}

/// Projection results to write: the title, notes, and three tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultBook {
    /// The title row of every sheet, e.g. 「一関市人口ビジョン 将来人口の推計」.
    pub title: String,
    /// Notes under the title, one row each (e.g. the census's `distribution_note`), after
    /// the workbook's own note on how values are shown.
    pub notes: Vec<String>,
    /// 推計結果: one row per scenario and year.
    pub summary: Vec<SummaryRow>,
    /// 男女・年齢別: one entry per scenario and year, written as one row per age group.
    pub detail: Vec<DetailRow>,
    /// 目標と実績: the target path, actual totals, scenarios' totals and reference
    /// projections year by year.
    pub comparison: Comparison,
}

/// A scenario's year, summed: the total and the three age bands with their shares.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The scenario's name.
    pub scenario: String,
    /// The year.
    pub year: i32,
    /// 総人口.
    pub total: f64,
    /// 年少人口 (0〜14歳), 生産年齢人口 (15〜64歳), 老年人口 (65歳以上).
    pub bands: [f64; 3],
    /// Each band's share of the total, in percent (12.3 for 12.3 %), as the pages show it;
    /// `None` when there is none (a total of 0).
    pub shares: [Option<f64>; 3],
}

/// A scenario's year by sex × age group.
#[derive(Clone, Debug, PartialEq)]
pub struct DetailRow {
    /// The scenario's name.
    pub scenario: String,
    /// The year.
    pub year: i32,
    /// The population by sex and age group.
    pub population: BySex<f64>,
}

/// The year-by-year comparison: one column per series, the rows the years any series has.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// The series in column order: e.g. 「目標人口」, 「実績人口」, each scenario's name, each
    /// reference projection's name.
    pub columns: Vec<ComparisonColumn>,
}

/// One series of the comparison.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComparisonColumn {
    /// The column's header.
    pub name: String,
    /// Its value in each year it has one; other years are blank.
    pub values: BTreeMap<i32, f64>,
}

impl Comparison {
    /// Every year any series has, in order.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self
            .columns
            .iter()
            .flat_map(|c| c.values.keys().copied())
            .collect();
        years.sort_unstable();
        years.dedup();
        years
    }
}

/// One table of a [`ResultBook`], as [`write_results_csv`] writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultTable {
    /// 推計結果.
    Summary,
    /// 男女・年齢別.
    Detail,
    /// 目標と実績.
    Comparison,
}

impl ResultTable {
    /// Every table, in the workbook's order.
    pub const ALL: [Self; 3] = [Self::Summary, Self::Detail, Self::Comparison];

    /// The table's sheet name in the workbook: 「推計結果」, 「男女・年齢別」, 「目標と実績」.
    pub const fn sheet_name(self) -> &'static str {
        match self {
            Self::Summary => "推計結果",
            Self::Detail => "男女・年齢別",
            Self::Comparison => "目標と実績",
        }
    }
}
