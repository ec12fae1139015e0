//! `keikaku plan export-xlsx` and `keikaku plan import-xlsx` as an operator runs them: the
//! exported workbook read back as no change, a corrected one shown with --dry-run and then
//! stored once, a broken one refused whole with its sheet and cell, and a published plan left
//! alone.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

mod common;

use common::workdir;
use keikaku_app::Context;
use keikaku_app::edit;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_sheets::elements::{ElementBook, KindSheet, SheetColumn, Width, read_book, to_xlsx};
use keikaku_storage_sqlite::SqliteStore;

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

/// The workbook with one KPI's cell changed, as a clerk's Excel saves it again.
fn changed(database: &str, bytes: &[u8], id: &str, header: &str, value: &str) -> Vec<u8> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let expected = runtime.block_on(async {
        let store = SqliteStore::connect(database).await.unwrap();
        let code = MunicipalityCode::parse("03209").unwrap();
        let plan = PlanId::parse("sogo-senryaku").unwrap();
        let draft = edit::draft(&Context::new(&store, &code), &plan)
            .await
            .unwrap();
        edit::workbook::expected_sheets(&draft)
    });
    let read = read_book("in.xlsx", bytes, &expected).unwrap();
    let mut sheets: Vec<KindSheet> = expected
        .iter()
        .map(|want| KindSheet {
            name: want.name.clone(),
            columns: want
                .headers
                .iter()
                .map(|h| SheetColumn {
                    header: h.clone(),
                    width: Width::Narrow,
                })
                .collect(),
            rows: read
                .sheets
                .iter()
                .find(|s| s.name == want.name)
                .map(|s| s.rows.iter().map(|r| r.cells.clone()).collect())
                .unwrap_or_default(),
        })
        .collect();
    let kpi = sheets.iter_mut().find(|s| s.name == "KPI").unwrap();
    let col = kpi.columns.iter().position(|c| c.header == header).unwrap();
    let row = kpi.rows.iter_mut().find(|r| r[0] == id).unwrap();
    row[col] = value.to_owned();
    to_xlsx(&ElementBook {
        notes: read.notes,
        sheets,
    })
    .unwrap()
}

#[test]
fn a_corrected_workbook_is_previewed_then_stored() {
    let dir = workdir("plan-xlsx");
    let db = format!("sqlite://{}", dir.0.join("k.db").display());
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../planfile/examples/ichinoseki.json"
    );
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    file["plans"][1]["status"] = "under_deliberation".into();
    let plans = dir.0.join("plans.json");
    std::fs::write(&plans, file.to_string()).unwrap();
    keikaku(&db, &["import", plans.to_str().unwrap()], 0);

    let xlsx = dir.0.join("elements.xlsx");
    let xlsx = xlsx.to_str().unwrap();
    keikaku(
        &db,
        &["plan", "export-xlsx", "--plan", "sogo-senryaku", "-o", xlsx],
        0,
    );
    let out = keikaku(
        &db,
        &["plan", "import-xlsx", xlsx, "--plan", "sogo-senryaku"],
        0,
    );
    assert!(
        text(&out.stdout).contains("保存されている内容と違う要素はありません"),
        "{}",
        text(&out.stdout)
    );

    let bytes = std::fs::read(xlsx).unwrap();
    let corrected = dir.0.join("corrected.xlsx");
    std::fs::write(
        &corrected,
        changed(&db, &bytes, "kpi-1-1-1", "目標値", "12"),
    )
    .unwrap();
    let corrected = corrected.to_str().unwrap();
    let import = |dry: bool, expect: i32| {
        let mut args = vec!["plan", "import-xlsx", corrected, "--plan", "sogo-senryaku"];
        if dry {
            args.push("--dry-run");
        }
        keikaku(&db, &args, expect)
    };
    let preview = text(&import(true, 0).stdout);
    assert!(preview.contains("変更 1件、追加 0件"), "{preview}");
    assert!(preview.contains("目標値: 10 → 12"), "{preview}");
    assert!(
        preview.contains("--dry-run のため、保存していません"),
        "{preview}"
    );
    let stored = text(&import(false, 0).stdout);
    assert!(
        stored.contains("1件を変更し、0件を追加しました"),
        "{stored}"
    );
    // Stored once: the same file now changes nothing.
    let again = text(&import(false, 0).stdout);
    assert!(again.contains("違う要素はありません"), "{again}");

    let broken = dir.0.join("broken.xlsx");
    std::fs::write(
        &broken,
        changed(&db, &bytes, "kpi-2-1-1", "目標値", "たくさん"),
    )
    .unwrap();
    let out = keikaku(
        &db,
        &[
            "plan",
            "import-xlsx",
            broken.to_str().unwrap(),
            "--plan",
            "sogo-senryaku",
        ],
        3,
    );
    let err = text(&out.stderr);
    assert!(err.contains("何も書き込んでいません"), "{err}");
    assert!(
        err.contains("「KPI」シート J3: 目標値は数値で入力してください"),
        "{err}"
    );

    // The comprehensive plan is published: not edited.
    let other = dir.0.join("other.xlsx");
    let other = other.to_str().unwrap();
    keikaku(
        &db,
        &["plan", "export-xlsx", "--plan", "sogo-keikaku", "-o", other],
        0,
    );
    let out = keikaku(
        &db,
        &["plan", "import-xlsx", other, "--plan", "sogo-keikaku"],
        4,
    );
    assert!(
        text(&out.stderr).contains("編集できません"),
        "{}",
        text(&out.stderr)
    );
}
