//! Benchmark of the 実施計画's yearly roll at national scale, run through
//! bench/implementation-plan.sh:
//!
//! - `pg-load URL [MUNICIPALITIES] [PROGRAMS]`: every municipality's edition made in 2025
//!   (published; 500 programs with 3 years of 事業費 and 財源内訳, links, parts, frames) loaded
//!   into PostgreSQL with `COPY`; the served municipality (03209) must be stored already,
//!   with the example's plans.
//! - `pg-roll URL WORKERS…`: every edition rolled into 2026 by one hand-written
//!   `INSERT … SELECT` per table, then through `keikaku_app::programs::roll` (the use case
//!   the staff page calls) with each number of municipalities at a time, then by hand again;
//!   each result checked to be the same rows.
//! - `sqlite DIR [PROGRAMS] [RUNS]`: one municipality's edition rolled both ways on SQLite.
//!
//! Prints `key=value` lines; progress goes to stderr.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

mod data;
mod pg;
mod sql;
mod sqlite;

use std::time::Duration;

/// Milliseconds, with one decimal.
fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The time now in milliseconds since the epoch.
fn now_millis() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// The `p`th percentile of sorted durations (nearest rank).
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i)
        .map(|a| a.parse().unwrap_or_else(|_| panic!("bad argument {a}")))
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: implementation-plan-bench pg-load URL [MUNICIPALITIES] [PROGRAMS] | \
                 pg-roll URL WORKERS… | sqlite DIR [PROGRAMS] [RUNS]";
    match args.get(1).map(String::as_str) {
        Some("pg-load") => {
            let url = args.get(2).expect(usage);
            pg::load(url, arg(&args, 3, 1741), arg(&args, 4, 500)).await;
        }
        Some("pg-roll") => {
            let url = args.get(2).expect(usage);
            let workers: Vec<usize> = args[3..].iter().map(|a| a.parse().unwrap()).collect();
            pg::rolls(
                url,
                if workers.is_empty() {
                    &[1, 2, 4]
                } else {
                    &workers
                },
            )
            .await;
        }
        Some("sqlite") => {
            let dir = args.get(2).expect(usage);
            sqlite::rolls(dir, arg(&args, 3, 500), arg(&args, 4, 5)).await;
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
