//! `keikaku kpi import` and `keikaku kpi export` as an operator runs them: a department's own
//! sheet previewed with --dry-run and then stored, a bad sheet refused whole with every cell
//! named, the exported workbook read back as no change, and the JSON for scripts.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

mod common;

use common::workdir;

fn keikaku(database: &str, args: &[&str], expect: i32) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(args)
        .env("KEIKAKU_DATABASE_URL", database)
        .env("KEIKAKU_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(expect),
        "keikaku {args:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn year<'a>(json: &'a serde_json::Value, id: &str, fy: i64) -> &'a serde_json::Value {
    json["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["fiscal_year"] == fy)
        .unwrap()
}

#[test]
fn a_departments_sheet_is_previewed_stored_and_exported() {
    let dir = workdir("kpi");
    let db = format!("sqlite://{}", dir.0.join("k.db").display());
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../planfile/examples/ichinoseki.json"
    );
    keikaku(&db, &["import", example], 0);
    // Two plans have indicators: the plan must be named.
    let out = keikaku(&db, &["kpi", "export", "--format", "json"], 3);
    assert!(text(&out.stderr).contains("--plan"));

    let sheet = dir.0.join("kodomo.csv");
    std::fs::write(
        &sheet,
        "\u{feff}保育課の集計\r\n\r\n指標ID,H30,令和元年度\r\nK3-1-1,５,3\r\nK2-1-1,―,\r\n",
    )
    .unwrap();
    let sheet = sheet.to_str().unwrap();
    let out = keikaku(
        &db,
        &[
            "kpi",
            "import",
            sheet,
            "--plan",
            "sogo-senryaku",
            "--dry-run",
        ],
        0,
    );
    let preview = text(&out.stdout);
    assert!(preview.contains("変更 2件"), "{preview}");
    assert!(
        preview.contains("B4 保育所待機児童数 平成30年度（2018年度）の実績値"),
        "{preview}"
    );
    assert!(preview.contains("保存していません"));
    let json = |db: &str| -> serde_json::Value {
        let out = keikaku(
            db,
            &[
                "kpi",
                "export",
                "--plan",
                "sogo-senryaku",
                "--format",
                "json",
            ],
            0,
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(
        year(&json(&db), "kpi-3-1-1", 2019)["actual"],
        serde_json::Value::Null
    );

    let out = keikaku(&db, &["kpi", "import", sheet, "--plan", "sogo-senryaku"], 0);
    assert!(text(&out.stdout).contains("2件（指標×年度）を保存しました"));
    let after = json(&db);
    let fy2019 = year(&after, "kpi-3-1-1", 2019);
    assert_eq!(fy2019["actual"], "3");
    // 20 → 0 (lower is better): 3 is (3 − 20) / (0 − 20) = 85 %.
    assert_eq!(fy2019["progress_pct"], "85");
    assert_eq!(fy2019["grade"], "B");
    // 「―」 and a blank cell change nothing; a missing actual stays null, never 0.
    assert_eq!(
        year(&after, "kpi-2-1-1", 2019)["actual"],
        serde_json::Value::Null
    );

    // A bad sheet: every bad cell listed, exit 3, nothing stored.
    let bad = dir.0.join("bad.csv");
    std::fs::write(&bad, "指標ID,R1\r\nK3-1-1,x\r\nK2-1-1,1.2.3\r\n").unwrap();
    let out = keikaku(
        &db,
        &[
            "kpi",
            "import",
            bad.to_str().unwrap(),
            "--plan",
            "sogo-senryaku",
        ],
        3,
    );
    let errors = text(&out.stderr);
    assert!(
        errors.contains("セルB2（行2・令和元年度（2019年度）実績値）"),
        "{errors}"
    );
    assert!(errors.contains("セルB3"), "{errors}");
    let unknown = dir.0.join("unknown.csv");
    std::fs::write(&unknown, "指標ID,R1\r\nK9-9-9,1\r\n").unwrap();
    let out = keikaku(
        &db,
        &[
            "kpi",
            "import",
            unknown.to_str().unwrap(),
            "--plan",
            "sogo-senryaku",
        ],
        3,
    );
    assert!(
        text(&out.stderr).contains("セルA2"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(json(&db), after);

    // The exported workbook read back changes nothing.
    let xlsx = dir.0.join("kpi.xlsx");
    let xlsx = xlsx.to_str().unwrap();
    keikaku(
        &db,
        &[
            "kpi",
            "export",
            "--plan",
            "sogo-senryaku",
            "--format",
            "xlsx",
            "-o",
            xlsx,
        ],
        0,
    );
    let out = keikaku(
        &db,
        &[
            "kpi",
            "import",
            xlsx,
            "--plan",
            "sogo-senryaku",
            "--dry-run",
        ],
        0,
    );
    assert!(
        text(&out.stdout).contains("変更 0件"),
        "{}",
        text(&out.stdout)
    );
    // Shift_JIS CSV for Excel on Japanese Windows.
    let out = keikaku(
        &db,
        &[
            "kpi",
            "export",
            "--plan",
            "sogo-senryaku",
            "--format",
            "csv-sjis",
        ],
        0,
    );
    assert!(
        std::str::from_utf8(&out.stdout).is_err(),
        "CP932, not UTF-8"
    );
    assert!(
        out.stdout.starts_with(&[0x8e, 0x77]),
        "starts with 指 in CP932"
    );
}
