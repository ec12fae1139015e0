//! Spreadsheets of keikaku: every XLSX and CSV the product writes or reads, Shift_JIS
//! included. The crate turns values into bytes and bytes into values, in memory: no files,
//! no clock, no async — the app and the CLI do the IO.
//!
//! - [`kpi`]: the KPI evaluation sheet (KPI評価シート). [`kpi::to_xlsx`] and [`kpi::to_csv`]
//!   write it from a neutral [`kpi::EvaluationSheet`]; [`kpi::read_values`] reads the yearly
//!   values back from it, or from the simple sheet a department makes (a 指標ID column and one
//!   column per fiscal year), with every problem and its cell.
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
mod error;
mod grid;
pub mod kpi;
mod value;
mod xlsx_write;

pub use csv_write::CsvEncoding;
pub use error::{ExportError, SheetError, Unencodable};
