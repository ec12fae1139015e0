//! The 人口ビジョン's sheets: census tables and actual totals read in, and a census template
//! written out.
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

use keikaku_domain::population::{ActualSource, BySex, Census};

pub use crate::error::{ExportError, SheetError};
pub use actuals::read_actuals;
pub use census_read::read_census;
pub use census_xlsx::{CENSUS_SHEET_NAME, write_census_xlsx};

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
