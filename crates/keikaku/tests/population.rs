//! `keikaku population project` as a user runs it: a one-step case checked by hand, the input
//! read from standard input, and a broken input refused with every problem at its JSON path,
//! exit status 3 and nothing on standard output.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;

use common::workdir;

fn keikaku(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(args)
        // The command needs no database; one that cannot be opened shows it is not touched.
        .env("KEIKAKU_DATABASE_URL", "sqlite:///nonexistent/dir/k.db")
        .env("KEIKAKU_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    // Closed before waiting, so that a command reading standard input sees its end.
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Men 100 and women 200 in every group; survival 0.75 (men) and 0.875 (women), 0.5 for the
/// 90+ of both; migration +0.125 (men) and −0.125 (women); CWR 0.25; 105 boys per 100 girls.
/// Every rate is exact in binary, so the hand computation below is exact too.
const ONE_STEP: &str = r#"{
  "base_year": 2015,
  "steps": 1,
  "pop": {
    "M": [100,100,100,100,100,100,100,100,100,100,100,100,100,100,100,100,100,100,100],
    "F": [200,200,200,200,200,200,200,200,200,200,200,200,200,200,200,200,200,200,200]
  },
  "survival": {
    "M": [0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.75,0.5],
    "F": [0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.875,0.5]
  },
  "migration": {
    "M": [0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125],
    "F": [-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125,-0.125]
  },
  "cwr": 0.25,
  "sex_ratio": 105
}"#;

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_f64().unwrap())
        .collect()
}

#[test]
fn one_step_checked_by_hand() {
    let dir = workdir("population-one-step");
    let file = dir.0.join("input.json");
    std::fs::write(&file, ONE_STEP).unwrap();
    let out = keikaku(
        &["population", "project", "--input", file.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let result: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let years = result.as_array().unwrap();
    assert_eq!(years.len(), 2, "the base year and one step");

    // 2015: the input as given; total 19 × 100 + 19 × 200 = 5,700.
    assert_eq!(years[0]["year"], 2015);
    assert_eq!(numbers(&years[0]["M"]), [100.0; 19]);
    assert_eq!(numbers(&years[0]["F"]), [200.0; 19]);
    assert_eq!(years[0]["total"], 5700.0);

    // 2020, men: each group a+1 = 100 × (0.75 + 0.125) = 87.5; the 90+ keep
    // 100 × (0.75 + 0.125) from 85–89 plus 100 × (0.5 + 0.125) of their own = 87.5 + 62.5 = 150.
    // Women: 200 × (0.875 − 0.125) = 150; 90+: 150 + 200 × (0.5 − 0.125) = 150 + 75 = 225.
    // Births: CWR × the women aged 15–49 in 2020 (groups 3–9: 7 × 150 = 1,050) = 262.5;
    // boys 262.5 × 105 ÷ 205 ≈ 134.4512, girls 262.5 × 100 ÷ 205 ≈ 128.0488.
    let y = &years[1];
    assert_eq!(y["year"], 2020);
    let men = numbers(&y["M"]);
    let women = numbers(&y["F"]);
    assert_eq!(men[0], 262.5 * 105.0 / 205.0);
    assert_eq!(women[0], 262.5 * 100.0 / 205.0);
    assert_eq!(&men[1..18], [87.5; 17]);
    assert_eq!(men[18], 150.0);
    assert_eq!(&women[1..18], [150.0; 17]);
    assert_eq!(women[18], 225.0);
    // Total: births 262.5 + men 17 × 87.5 + 150 + women 17 × 150 + 225 = 4,675, summed as
    // the projection sums it (men in index order, then women, then the two).
    let sum = |v: &[f64]| v.iter().fold(0.0, |s, x| s + x);
    let total = y["total"].as_f64().unwrap();
    assert_eq!(total, sum(&men) + sum(&women));
    assert!((total - 4675.0).abs() < 1e-9, "{total}");
    // Written in the shortest form that reads back to the same number.
    assert!(
        text(&out.stdout).contains(&format!("[{:?},87.5,", 262.5 * 105.0 / 205.0)),
        "{}",
        text(&out.stdout)
    );
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn the_input_may_come_from_standard_input() {
    let from_stdin = keikaku(&["population", "project", "--input", "-"], Some(ONE_STEP));
    assert_eq!(
        from_stdin.status.code(),
        Some(0),
        "{}",
        text(&from_stdin.stderr)
    );
    let dir = workdir("population-stdin");
    let file = dir.0.join("input.json");
    std::fs::write(&file, ONE_STEP).unwrap();
    let from_file = keikaku(
        &["population", "project", "-i", file.to_str().unwrap()],
        None,
    );
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

#[test]
fn a_broken_input_is_refused_with_every_problem() {
    let broken = ONE_STEP
        .replace("\"steps\": 1", "\"steps\": 9")
        .replace(
            "\"cwr\": 0.25",
            "\"cwr\": [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]",
        )
        .replace(
            "\"M\": [0.75,0.75,0.75,0.75,",
            "\"M\": [0.75,0.75,0.75,-0.1,",
        )
        .replace(
            "\"sex_ratio\": 105",
            "\"sex_ratio\": 105, \"sexratio\": 105",
        );
    let out = keikaku(&["population", "project", "--input", "-"], Some(&broken));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "nothing on standard output");
    let said = text(&out.stderr);
    assert!(
        said.contains("推計できません: 入力に3件の問題があります。"),
        "{said}"
    );
    for line in [
        "  $.sexratio: 「sexratio」という項目はこの形式にありません。",
        "  $.survival.M[3]: 生残率が負の値です（-0.1）。",
        "  $.cwr: 期ごとの値は推計の期数（9）と同じ9個が必要ですが、8個です。",
    ] {
        assert!(said.lines().any(|l| l == line), "{line}\n{said}");
    }

    // Not JSON at all, and a file that cannot be read.
    let out = keikaku(
        &["population", "project", "--input", "-"],
        Some("{\"steps\": "),
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("$: JSONとして読めません"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let out = keikaku(
        &[
            "population",
            "project",
            "--input",
            "/nonexistent/input.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text(&out.stderr).contains("ファイル「/nonexistent/input.json」を読めません"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}
