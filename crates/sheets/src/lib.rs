//! Spreadsheets of keikaku: every XLSX and CSV the product writes or reads, Shift_JIS
//! included. The crate turns values into bytes and bytes into values, in memory: no files,
//! no clock, no async — the app and the CLI do the IO.
//!
//! - [`kpi`]: the KPI evaluation sheet (KPI評価シート). [`kpi::to_xlsx`] and [`kpi::to_csv`]
//!   write it from a neutral [`kpi::EvaluationSheet`]; [`kpi::read_values`] reads the yearly
//!   values back from it, or from the simple sheet a department makes (a 指標ID column and one
//!   column per fiscal year), with every problem and its cell.
//! - [`programs`]: the 実施計画's program list (事業一覧). [`programs::to_xlsx`] (with the
//!   totals sheet 「集計」) and [`programs::to_csv`] write it from a neutral
//!   [`programs::ProgramSheet`], amounts in exact 千円; [`programs::read_programs`] reads the
//!   programs back from it, or from a department's own sheet, with every problem at its cell.
//! - [`population`]: the 人口ビジョン's sheets. [`population::read_census`] reads a census
//!   table (男女・年齢（5歳階級）別人口, e-Stat's layout or a city's own) and
//!   [`population::read_actuals`] actual totals by year, with every problem at its cell;
//!   [`population::write_results_xlsx`] and [`population::write_results_csv`] write the
//!   projection results, [`population::write_census_xlsx`] the census template.
//!
//! - [`elements`]: a plan's elements (要素一覧), one sheet per element kind and 「説明」 with
//!   the plan's revision: [`elements::to_xlsx`] writes neutral sheets of text,
//!   [`elements::read_book`] reads them back with the cell of every value.
//!
//! What both share is at the root: [`SheetError`] (a problem of a sheet read, with its
//! place), [`ExportError`] and [`Unencodable`] (why a sheet could not be written), and
//! [`CsvEncoding`] (UTF-8 with BOM, or Shift_JIS as Windows writes it).
//!
//! ```
//! use keikaku_domain::era::FiscalYear;
//! use keikaku_sheets::kpi::{self, CsvEncoding, EvaluationSheet, SheetRow, YearCells};
//!
//! let fy = FiscalYear::new(2024).unwrap();
//! let sheet = EvaluationSheet {
//!     plan_title: "一関市まち・ひと・しごと創生総合戦略".into(),
//!     evaluated_year: Some(fy),
//!     years: vec![fy],
//!     rows: vec![SheetRow {
//!         key: "1-1-1".into(),
//!         title: "新規就農者数".into(),
//!         unit: "人".into(),
//!         years: vec![YearCells { target: None, actual: Some(12.into()), provisional: false }],
//!         ..SheetRow::default()
//!     }],
//! };
//! let csv = kpi::to_csv(&sheet, CsvEncoding::Utf8Bom).unwrap();
//! let values = kpi::read_values("kpi.csv", &csv).unwrap();
//! assert_eq!(values.rows[0].key, "1-1-1");
//! assert_eq!(values.rows[0].cells[0].value, 12.into());
//! ```

mod csv_write;
pub mod elements;
mod error;
mod grid;
pub mod kpi;
pub mod population;
pub mod programs;
mod value;
mod xlsx_write;

pub use csv_write::CsvEncoding;
pub use error::{ExportError, SheetError, Unencodable};
