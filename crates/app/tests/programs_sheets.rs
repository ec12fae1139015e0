//! The 一覧 as files and a department's sheet back in, at the app's boundary: an export read
//! back changes nothing; a changed sheet previews its changes (added, removed, changed cells)
//! before anything is written; a department reaches only its own programs; every problem is
//! listed with its cell and nothing is written; a change made after the preview refuses it.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::programs::{ProgramFormat, apply_import, edition, export, preview_import, roll};
use keikaku_app::{AppError, Context, transfer};
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::Amount;
use keikaku_storage::Store;
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn grant(role: Role, department: &str, action: Action) -> Granted {
    let user = User {
        login_id: LoginId::parse("tester").unwrap(),
        display_name: "取込 太郎".to_owned(),
        department: department.to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, action).unwrap()
}

/// The example with its 2025 edition rolled into 2026 (作成中).
async fn rolled() -> (SqliteStore, MunicipalityCode) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", at())
        .await
        .unwrap();
    let code = MunicipalityCode::parse("03209").unwrap();
    roll(
        &Context::new(&store, &code),
        &Operator::at_console(),
        fy(2025),
        at(),
    )
    .await
    .unwrap();
    (store, code)
}

fn reader() -> Granted {
    grant(Role::Member, "", Action::ReadDrafts)
}

fn messages(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(p) => p
            .iter()
            .map(|p| format!("{}{}", p.path, p.message))
            .collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn an_export_read_back_changes_nothing_in_every_format() {
    let (store, code) = rolled().await;
    let cx = Context::new(&store, &code);
    let view = edition(&cx, &reader(), fy(2026)).await.unwrap();
    for format in [
        ProgramFormat::Xlsx,
        ProgramFormat::Csv,
        ProgramFormat::CsvShiftJis,
        ProgramFormat::Json,
    ] {
        let bytes = export(&view, "一関市", None, format).unwrap();
        let name = format!("一覧.{}", format.extension());
        let preview = preview_import(&cx, &Operator::at_console(), Some(fy(2026)), &name, &bytes)
            .await
            .unwrap();
        assert!(preview.is_empty(), "{format:?}: {preview:?}");
        assert_eq!(preview.rows, view.programs.len());
    }
    // A department's own sheet holds only its programs.
    let csv = export(&view, "一関市", Some("農政課"), ProgramFormat::Csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.matches(",農政課,").count(), 3, "{text}");
    assert!(!text.contains("商工労働課"), "{text}");
    assert!(text.starts_with('\u{feff}'));
}

fn change_csv(csv: &[u8], f: impl Fn(&str) -> String) -> Vec<u8> {
    f(std::str::from_utf8(csv).unwrap()).into_bytes()
}

#[tokio::test]
async fn a_departments_sheet_is_previewed_then_applied() {
    let (store, code) = rolled().await;
    let cx = Context::new(&store, &code);
    let view = edition(&cx, &reader(), fy(2026)).await.unwrap();
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    // 新規就農者育成支援事業: the 2027 cost and 一般財源 up by 1,000千円.
    let csv = export(&view, "一関市", Some("農政課"), ProgramFormat::Csv).unwrap();
    let changed = change_csv(&csv, |t| {
        t.replacen(
            ",24000,12000,4000,0,0,8000,",
            ",25000,12000,4000,0,0,9000,",
            1,
        )
    });
    let preview = preview_import(&cx, &nosei, None, "農政課.csv", &changed)
        .await
        .unwrap();
    assert_eq!(preview.made_in, fy(2026), "the edition being made");
    assert!(preview.added.is_empty() && preview.removed.is_empty());
    assert_eq!(preview.changed.len(), 1);
    let amounts: Vec<(Amount, i64, i64)> = preview.changed[0]
        .amounts
        .iter()
        .map(|a| (a.amount, a.old.unwrap().yen(), a.new.unwrap().yen()))
        .collect();
    assert_eq!(
        amounts,
        [
            (Amount::Cost, 24_000_000, 25_000_000),
            (
                Amount::Part(keikaku_domain::program::FundingPart::General),
                8_000_000,
                9_000_000
            )
        ]
    );
    // Nothing is written by a preview.
    let stored = edition(&cx, &reader(), fy(2026)).await.unwrap();
    assert_eq!(stored.program("01-01-001").unwrap().revision, 1);
    assert_eq!(apply_import(&cx, &nosei, &preview, at()).await.unwrap(), 1);
    let after = edition(&cx, &reader(), fy(2026)).await.unwrap();
    assert_eq!(
        after
            .program("01-01-001")
            .unwrap()
            .program
            .year(fy(2027))
            .unwrap()
            .cost
            .yen(),
        25_000_000
    );
    // The same preview again is stale: nothing is written twice.
    let again = apply_import(&cx, &nosei, &preview, at()).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    // The department's JSON without ほ場整備事業 and with a new program: one removed, one added.
    let json = export(&after, "一関市", Some("農政課"), ProgramFormat::Json).unwrap();
    let mut file: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let programs = file["programs"].as_array_mut().unwrap();
    programs.retain(|p| p["name"] != "ほ場整備事業");
    let mut added = programs[0].clone();
    added["code"] = "01-01-099".into();
    added["name"] = "農業DX推進事業".into();
    programs.push(added);
    let bytes = serde_json::to_vec(&file).unwrap();
    let preview = preview_import(&cx, &nosei, None, "農政課.json", &bytes)
        .await
        .unwrap();
    let added: Vec<&str> = preview.added.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(added, ["01-01-099"]);
    let removed: Vec<&str> = preview.removed.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(removed, ["01-01-003"]);
    assert!(preview.changed.is_empty());
    assert_eq!(apply_import(&cx, &nosei, &preview, at()).await.unwrap(), 2);
    let after = edition(&cx, &reader(), fy(2026)).await.unwrap();
    assert!(after.program("01-01-099").is_some());
    assert!(after.program("01-01-003").is_none());
    assert!(
        after.program("02-01-001").is_some(),
        "other departments are untouched"
    );
}

#[tokio::test]
async fn a_sheet_with_problems_is_refused_whole_with_its_cells() {
    let (store, code) = rolled().await;
    let cx = Context::new(&store, &code);
    let view = edition(&cx, &reader(), fy(2026)).await.unwrap();
    let csv = export(&view, "一関市", None, ProgramFormat::Csv).unwrap();
    let broken = change_csv(&csv, |t| {
        t.replacen(
            ",24000,12000,4000,0,0,8000,",
            ",25000,12000,4000,0,0,8000,",
            1,
        )
        .replacen(
            "sogo-keikaku/measure-1-2-1",
            "sogo-keikaku/measure-1-2-9",
            1,
        )
    });
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    let e = preview_import(&cx, &nosei, Some(fy(2026)), "一覧.csv", &broken)
        .await
        .unwrap_err();
    let all = messages(e);
    assert!(
        all.iter()
            .any(|m| m.contains("財源の合計 24,000千円 が事業費 25,000千円 と一致しません")),
        "{all:#?}"
    );
    assert!(
        all.iter()
            .any(|m| m.contains("「sogo-keikaku/measure-1-2-9」は計画にない要素です。")),
        "{all:#?}"
    );
    // Another department's rows are refused at their 所管課 cell.
    assert!(
        all.iter().any(
            |m| m.contains("所管課「商工労働課」の事業は入力できません") && m.contains("セルC")
        ),
        "{all:#?}"
    );
    // The planning office may import the whole 一覧, but not a broken one.
    let office = grant(Role::PlanningOffice, "企画調整課", Action::EditPrograms);
    let e = preview_import(&cx, &office, Some(fy(2026)), "一覧.csv", &broken)
        .await
        .unwrap_err();
    assert_eq!(messages(e).len(), 2);
    // A JSON file names its problems by path.
    let json = export(&view, "一関市", None, ProgramFormat::Json).unwrap();
    let bad = change_csv(&json, |t| {
        t.replacen("\"cost\": 24000000", "\"cost\": 24000001", 1)
    });
    let e = preview_import(&cx, &office, None, "一覧.json", &bad)
        .await
        .unwrap_err();
    assert_eq!(
        messages(e),
        [
            "$.programs[0].years[0].cost令和9年度（2027年度）: 財源の合計 24,000千円 が事業費 24,000千円 と一致しません（24,000,000円 と 24,000,001円）。"
        ]
    );
}

#[tokio::test]
async fn a_sheet_with_fewer_columns_changes_only_what_it_has() {
    let (store, code) = rolled().await;
    let cx = Context::new(&store, &code);
    let before = edition(&cx, &reader(), fy(2026)).await.unwrap();
    let stored = before.program("01-01-001").unwrap().program.clone();
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    // A department's own short sheet: the required columns and the 2027 amounts only; no 目的,
    // no links, no 2028/2029 columns, no 活動指標の目標値.
    let year = "令和9年度（2027年度）";
    let header = format!(
        "事業コード,事業名,所管課,事業区分,開始年度,{year}事業費,{year}国庫支出金,{year}県支出金,\
         {year}地方債,{year}その他,{year}一般財源\r\n"
    );
    let sheet = format!(
        "{header}01-01-001,新規就農者育成支援事業,農政課,継続,2016,25000,12000,4000,0,0,9000\r\n"
    );
    let preview = preview_import(&cx, &nosei, None, "農政課.csv", sheet.as_bytes())
        .await
        .unwrap();
    assert!(preview.added.is_empty(), "{:?}", preview.added);
    // The sheet is the department's list: its programs not in it are removed, as always.
    assert!(!preview.removed.is_empty());
    assert!(
        preview
            .removed
            .iter()
            .all(|p| p.department == "農政課" && p.code.as_str() != "01-01-001"),
        "{:?}",
        preview.removed
    );
    assert_eq!(preview.changed.len(), 1, "{:#?}", preview.changed);
    let amounts: Vec<(FiscalYear, Amount)> = preview.changed[0]
        .amounts
        .iter()
        .map(|a| (a.fiscal_year, a.amount))
        .collect();
    assert_eq!(
        amounts,
        [
            (fy(2027), Amount::Cost),
            (
                fy(2027),
                Amount::Part(keikaku_domain::program::FundingPart::General)
            )
        ]
    );
    apply_import(&cx, &nosei, &preview, at()).await.unwrap();
    let after = edition(&cx, &reader(), fy(2026)).await.unwrap();
    let program = &after.program("01-01-001").unwrap().program;
    assert_eq!(program.purpose, stored.purpose, "目的 is kept");
    let sorted = |p: &keikaku_domain::program::Program| {
        let mut l: Vec<String> = p.links.iter().map(|l| format!("{l:?}")).collect();
        l.sort();
        l
    };
    assert_eq!(sorted(program), sorted(&stored), "the links are kept");
    assert_eq!(
        program.activity.name, stored.activity.name,
        "活動指標 is kept"
    );
    let year_of = |p: &keikaku_domain::program::Program, y: i32| {
        p.years.iter().find(|py| py.fiscal_year == fy(y)).copied()
    };
    let entered = year_of(program, 2027).unwrap();
    assert_eq!(entered.funding.cost.yen(), 25_000_000);
    assert!(year_of(&stored, 2027).unwrap().activity_target.is_some());
    assert_eq!(
        entered.activity_target,
        year_of(&stored, 2027).unwrap().activity_target,
        "the target of a year without its column is kept"
    );
    assert!(year_of(&stored, 2028).is_some());
    assert_eq!(year_of(program, 2028), year_of(&stored, 2028));
    assert_eq!(
        year_of(program, 2029),
        year_of(&stored, 2029),
        "not entered yet"
    );
}

#[tokio::test]
async fn a_formula_in_a_name_is_written_inert_and_read_back_as_typed() {
    let (store, code) = rolled().await;
    let cx = Context::new(&store, &code);
    let view = edition(&cx, &reader(), fy(2026)).await.unwrap();
    let csv = export(&view, "一関市", Some("農政課"), ProgramFormat::Csv).unwrap();
    let named = change_csv(&csv, |t| {
        t.replacen("新規就農者育成支援事業", "=HYPERLINK(\"http://x\")", 1)
    });
    let nosei = grant(Role::DepartmentEditor, "農政課", Action::EditPrograms);
    // A hand-made CSV's `=` field is read as text, like any other.
    let preview = preview_import(&cx, &nosei, None, "農政課.csv", &named)
        .await
        .unwrap();
    assert_eq!(preview.changed.len(), 1);
    apply_import(&cx, &nosei, &preview, at()).await.unwrap();
    let after = edition(&cx, &reader(), fy(2026)).await.unwrap();
    let written = export(&after, "一関市", Some("農政課"), ProgramFormat::Csv).unwrap();
    let text = std::str::from_utf8(&written).unwrap();
    assert!(
        text.contains("'=HYPERLINK(\"\"http://x\"\")"),
        "the export guards the formula: {text}"
    );
    // Read back, the guard is taken off: nothing changes.
    let back = preview_import(&cx, &nosei, None, "農政課.csv", &written)
        .await
        .unwrap();
    assert!(back.is_empty(), "{back:#?}");
}
