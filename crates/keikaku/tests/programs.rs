//! `keikaku implementation-plan …` as the planning office runs it: an edition opened and
//! filled from a JSON file (previewed first with --dry-run), rolled once and refused twice,
//! the 一覧 exported as JSON in the documented shape and as a department's CP932 CSV that
//! reads back as no change, and a broken sheet refused whole with its cell.
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

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../planfile/examples/");

#[test]
fn an_edition_is_filled_rolled_and_exported() {
    let dir = workdir("programs");
    let db = format!("sqlite://{}", dir.0.join("k.db").display());
    keikaku(&db, &["import", &format!("{EXAMPLES}ichinoseki.json")], 0);
    let programs = format!("{EXAMPLES}ichinoseki-programs.json");
    // No edition yet: the import says how to make one.
    let out = keikaku(&db, &["implementation-plan", "import", &programs], 5);
    assert!(
        text(&out.stderr).contains("版を作成する"),
        "{}",
        text(&out.stderr)
    );
    keikaku(
        &db,
        &["implementation-plan", "create", "--edition", "令和7年度"],
        0,
    );
    let out = keikaku(
        &db,
        &["implementation-plan", "import", &programs, "--dry-run"],
        0,
    );
    let preview = text(&out.stdout);
    assert!(
        preview.contains("追加 21件、削除 0件、変更 0件"),
        "{preview}"
    );
    assert!(
        preview.contains("--dry-run のため、保存していません。"),
        "{preview}"
    );
    let out = keikaku(&db, &["implementation-plan", "list"], 0);
    assert!(
        text(&out.stdout).contains("作成中\t事業0件"),
        "{}",
        text(&out.stdout)
    );
    let out = keikaku(&db, &["implementation-plan", "import", &programs], 0);
    assert!(text(&out.stdout).contains("21件の事業を保存しました。"));

    // Rolled once; twice is refused (exit 4), from an edition that does not exist too (5).
    let out = keikaku(&db, &["implementation-plan", "roll", "--from", "2025"], 0);
    let said = text(&out.stdout);
    assert!(
        said.contains("事業19件を引き継ぎ、2件は引き継いでいません。"),
        "{said}"
    );
    assert!(
        said.contains("事業「07-02-001」は廃止のため、引き継いでいません。"),
        "{said}"
    );
    let out = keikaku(&db, &["implementation-plan", "roll", "--from", "2025"], 4);
    assert!(text(&out.stderr).contains("ローリングは1年度に1回です"));
    keikaku(&db, &["implementation-plan", "roll", "--from", "2030"], 5);

    // The JSON of the newest edition, in the documented shape, amounts in yen.
    let out = keikaku(
        &db,
        &["implementation-plan", "export", "--format", "json"],
        0,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["edition"], 2026);
    assert_eq!(json["covers"], serde_json::json!([2027, 2028, 2029]));
    let first = &json["programs"][0];
    for key in [
        "code",
        "name",
        "department",
        "category",
        "start_year",
        "end_year",
        "measures",
        "years",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["measures"], serde_json::json!(["measure-1-1-1"]));
    let year = &first["years"][0];
    assert_eq!(year["fiscal_year"], 2027);
    let parts: i64 = ["national", "prefectural", "bonds", "other", "general"]
        .iter()
        .map(|k| year[k].as_i64().unwrap())
        .sum();
    assert_eq!(year["cost"].as_i64().unwrap(), parts);

    // A department's CP932 sheet reads back as no change; broken, it is refused with its cell.
    let sheet = dir.0.join("nosei.csv");
    keikaku(
        &db,
        &[
            "implementation-plan",
            "export",
            "--edition",
            "2026",
            "--format",
            "csv-sjis",
            "--department",
            "農政課",
            "-o",
            sheet.to_str().unwrap(),
        ],
        0,
    );
    let out = keikaku(
        &db,
        &["implementation-plan", "import", sheet.to_str().unwrap()],
        0,
    );
    assert!(
        text(&out.stdout).contains("追加 0件、削除 0件、変更 0件"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("変更はありません。"));
    keikaku(
        &db,
        &[
            "implementation-plan",
            "export",
            "--edition",
            "2026",
            "--format",
            "csv",
            "--department",
            "農政課",
            "-o",
            sheet.to_str().unwrap(),
        ],
        0,
    );
    let utf8 = std::fs::read_to_string(&sheet).unwrap();
    let broken = utf8.replacen(
        ",24000,12000,4000,0,0,8000,",
        ",25000,12000,4000,0,0,8000,",
        1,
    );
    assert_ne!(broken, utf8);
    std::fs::write(&sheet, broken).unwrap();
    let out = keikaku(
        &db,
        &["implementation-plan", "import", sheet.to_str().unwrap()],
        3,
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("セルR2（行2・令和9年度（2027年度）事業費）: 財源の合計 24,000千円 が事業費 25,000千円 と一致しません。"),
        "{err}"
    );
    assert!(err.contains("何も書き込んでいません"), "{err}");
    // The workbook for people is written to a file only.
    let xlsx = dir.0.join("ichiran.xlsx");
    keikaku(
        &db,
        &[
            "implementation-plan",
            "export",
            "--edition",
            "2025",
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
        0,
    );
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
}
