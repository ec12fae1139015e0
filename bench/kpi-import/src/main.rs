//! Benchmark of the KPI sheet import: generates a sheet of 5,000 indicators × 10 fiscal
//! years in the export layout, writes it to the path given, then times a plain calamine read
//! of every cell and `keikaku_sheets::kpi::read_values` on the same bytes. Prints `key=value`
//! lines for bench/kpi-import.sh.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::Cursor;
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};
use keikaku_domain::era::FiscalYear;
use keikaku_sheets::kpi::{self, EvaluationSheet, SheetRow, YearCells};
use rust_decimal::Decimal;

const INDICATORS: usize = 5_000;
const YEARS: i32 = 10;
const RUNS: usize = 5;

/// A small deterministic generator, so that every run reads the same file.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn value(&mut self) -> Decimal {
        // Up to 1,000,000.0 with one decimal place.
        Decimal::new(i64::try_from(self.next() % 10_000_000).unwrap(), 1)
    }
}

fn sheet() -> EvaluationSheet {
    let years: Vec<FiscalYear> = (0..YEARS)
        .map(|i| FiscalYear::new(2015 + i).unwrap())
        .collect();
    let mut rng = Lcg(20_251_126);
    let rows = (0..INDICATORS)
        .map(|i| {
            let cells = years
                .iter()
                .map(|_| YearCells {
                    target: (rng.next() % 4 != 0).then(|| rng.value()),
                    actual: (rng.next() % 10 != 0).then(|| rng.value()),
                    provisional: rng.next() % 50 == 0,
                })
                .collect();
            SheetRow {
                key: format!("KPI-{i:05}"),
                group: format!("基本目標{} 施策{}", i % 4 + 1, i % 17 + 1),
                title: format!("指標{i}（人口千人当たりの件数）"),
                unit: "件".into(),
                department: format!("第{}課", i % 30 + 1),
                decimals: Some(1),
                baseline: Some((years[0], rng.value())),
                target: Some((years[9], rng.value())),
                years: cells,
                progress: Some(Decimal::new(i64::try_from(rng.next() % 15_000).unwrap(), 2)),
                rate_label: "進捗率".into(),
                grade: "B".into(),
                note: String::new(),
            }
        })
        .collect();
    EvaluationSheet {
        plan_title: "ベンチマーク市まち・ひと・しごと創生総合戦略".into(),
        evaluated_year: Some(years[9]),
        years,
        rows,
    }
}

/// The fastest of `RUNS` runs, and what the last run returned.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let r = f();
        best = best.min(start.elapsed());
        out = Some(r);
    }
    (best, out.unwrap())
}

fn calamine_cells(bytes: &[u8]) -> usize {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .used_cells()
        .filter(|(_, _, c)| **c != Data::Empty)
        .count()
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: kpi-import-bench OUT.xlsx");
    let start = Instant::now();
    let bytes = kpi::to_xlsx(&sheet()).unwrap();
    let generate = start.elapsed();
    std::fs::write(&path, &bytes).unwrap();
    let (calamine, cells) = time(|| calamine_cells(&bytes));
    let (keikaku, values) = time(|| kpi::read_values("bench.xlsx", &bytes).unwrap());
    let read: usize = values.rows.iter().map(|r| r.cells.len()).sum();
    println!("file={path}");
    println!("bytes={}", bytes.len());
    println!("indicators={}", values.rows.len());
    println!("cells={cells}");
    println!("values={read}");
    println!("generate_ms={:.1}", generate.as_secs_f64() * 1e3);
    println!("calamine_ms={:.1}", calamine.as_secs_f64() * 1e3);
    println!("keikaku_ms={:.1}", keikaku.as_secs_f64() * 1e3);
}
