//! The elements workbook at the use-case boundary: exported and read back unchanged, a
//! clerk's corrections previewed field by field and applied in one edit with its audit entry,
//! every problem at its sheet and cell with nothing stored, a plan changed since the preview
//! or since the download refused, and a department editor held to their own elements.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::HashMap;

use keikaku_app::access::{Action, Granted, Operator};
use keikaku_app::edit::{self, Submission, workbook};
use keikaku_app::{AppError, Context, transfer};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_sheets::elements::{ElementBook, KindSheet, SheetColumn, Width, read_book, to_xlsx};
use keikaku_storage::{ExistingPlan, HistoryStore, Store};
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn code() -> MunicipalityCode {
    MunicipalityCode::parse("03209").unwrap()
}

fn plan() -> PlanId {
    PlanId::parse("sogo-senryaku").unwrap()
}

fn granted(role: Role, department: &str) -> Granted {
    let user = User {
        login_id: LoginId::parse("tester").unwrap(),
        display_name: "試験 太郎".to_owned(),
        department: department.to_owned(),
        roles: vec![role],
        disabled: false,
    };
    Granted::check(user, Action::EditPlan).unwrap()
}

/// The example with the strategy under deliberation (editable).
async fn store() -> SqliteStore {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let mut file: serde_json::Value =
        serde_json::from_str(keikaku_planfile::example("ichinoseki").unwrap()).unwrap();
    file["plans"][1]["status"] = "under_deliberation".into();
    transfer::import(
        &Operator::at_console(),
        &store,
        &file.to_string(),
        ExistingPlan::Refuse,
        at(),
    )
    .await
    .unwrap();
    store
}

/// An edit of a workbook: the sheet, the row (an element's ID, or 「+name」 for a new row
/// appended), the header and the new text.
type Edit<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The workbook with these cells changed, written again as a clerk's Excel would save it.
async fn changed(cx: &Context<'_>, bytes: &[u8], edits: &[Edit<'_>]) -> Vec<u8> {
    let draft = edit::draft(cx, &plan()).await.unwrap();
    let expected = workbook::expected_sheets(&draft);
    let read = read_book("in.xlsx", bytes, &expected).unwrap();
    let mut book = ElementBook {
        notes: read.notes.clone(),
        sheets: Vec::new(),
    };
    for want in &expected {
        let rows = read
            .sheets
            .iter()
            .find(|s| s.name == want.name)
            .map(|s| s.rows.iter().map(|r| r.cells.clone()).collect())
            .unwrap_or_default();
        book.sheets.push(KindSheet {
            name: want.name.clone(),
            columns: want
                .headers
                .iter()
                .map(|h| SheetColumn {
                    header: h.clone(),
                    width: Width::Narrow,
                })
                .collect(),
            rows,
        });
    }
    let mut new_rows: HashMap<String, usize> = HashMap::new();
    for (sheet, row, header, value) in edits {
        let s = book.sheets.iter_mut().find(|s| s.name == *sheet).unwrap();
        let col = s.columns.iter().position(|c| c.header == *header).unwrap();
        let r = if row.starts_with('+') {
            *new_rows.entry((*row).to_owned()).or_insert_with(|| {
                s.rows.push(vec![String::new(); s.columns.len()]);
                s.rows.len() - 1
            })
        } else {
            s.rows.iter().position(|r| r[0] == *row).unwrap()
        };
        s.rows[r][col] = (*value).to_owned();
    }
    to_xlsx(&book).unwrap()
}

fn problems(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(p) => p
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[tokio::test]
async fn a_workbook_read_back_unchanged_changes_nothing() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let bytes = edit::export_workbook(&cx, &office, &plan()).await.unwrap();
    let preview = edit::preview_workbook(&cx, &office, &plan(), "s.xlsx", &bytes)
        .await
        .unwrap();
    assert!(preview.is_empty(), "{:?}", preview.changed);
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(preview.rows, draft.elements.len());
    assert_eq!(preview.not_in_file, 0);
    assert!(!preview.changed_since_file());
    assert!(preview.missing_sheets.is_empty() && preview.ignored_sheets.is_empty());
    assert_eq!(preview.revision, workbook::revision(&draft));
}

#[tokio::test]
async fn corrections_are_previewed_and_applied_in_one_edit() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let bytes = edit::export_workbook(&cx, &office, &plan()).await.unwrap();
    let file = changed(
        &cx,
        &bytes,
        &[
            ("KPI", "kpi-1-1-1", "目標値", "１２"),
            ("KPI", "kpi-1-1-1", "目標値の年度", "R1"),
            ("KPI", "kpi-2-1-1", "目指す方向", "減少を目指す"),
            ("KPI", "+new", "親要素ID", "strategy-measure-1-1"),
            ("KPI", "+new", "指標名", "新規創業件数"),
            ("KPI", "+new", "単位", "件"),
            ("KPI", "+new", "目指す方向", "増加を目指す"),
            ("KPI", "+new", "値の種類", "単年度値"),
        ],
    )
    .await;
    let preview = edit::preview_workbook(&cx, &office, &plan(), "s.xlsx", &file)
        .await
        .unwrap();
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(preview.rows, draft.elements.len() + 1);
    type Fields<'a> = Vec<(&'a str, String, String)>;
    let changes: Vec<(String, Fields)> = preview
        .changed
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                c.fields
                    .iter()
                    .map(|f| (f.label, f.before.clone(), f.after.clone()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (
                "kpi-1-1-1".to_owned(),
                vec![("目標値", "10".to_owned(), "12".to_owned())]
            ),
            (
                "kpi-2-1-1".to_owned(),
                vec![(
                    "目指す方向",
                    "増加を目指す".to_owned(),
                    "減少を目指す".to_owned()
                )]
            ),
        ],
        "the year R1 is the stored 2019: no change"
    );
    assert_eq!(preview.added.len(), 1);
    assert_eq!(preview.added[0].parent, "1-1 企業誘致と地元企業の振興");
    assert!(
        preview.added[0]
            .fields
            .contains(&("指標名", "新規創業件数".to_owned()))
    );
    // Nothing is stored by a preview.
    assert_eq!(
        edit::draft(&cx, &plan()).await.unwrap().values("kpi-1-1-1")["target_value"],
        "10"
    );
    let applied = edit::apply_workbook(
        &cx,
        &office,
        &plan(),
        "s.xlsx",
        &file,
        &preview.revision,
        at(),
    )
    .await
    .unwrap();
    assert_eq!((applied.changed, applied.added), (2, 1));
    let after = edit::draft(&cx, &plan()).await.unwrap();
    assert_eq!(after.values("kpi-1-1-1")["target_value"], "12");
    assert_eq!(after.version("kpi-1-1-1"), draft.version("kpi-1-1-1") + 1);
    assert_eq!(after.values("kpi-2-1-1")["direction"], "lower");
    let new: Vec<_> = after
        .children(
            Some("strategy-measure-1-1"),
            keikaku_domain::ElementKind::Kpi,
        )
        .into_iter()
        .filter(|e| e.title == "新規創業件数")
        .collect();
    assert_eq!(new.len(), 1, "added once, at the end of its siblings");
    let entries = store.audit_entries(&code, 0, 1000).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "element.import");
    assert_eq!(last.target, "sogo-senryaku");
    assert!(last.after.as_deref().unwrap().contains("新規創業件数"));
    assert!(last.before.as_deref().unwrap().contains("kpi-1-1-1"));
    // The same apply again: the plan moved since that preview.
    let again = edit::apply_workbook(
        &cx,
        &office,
        &plan(),
        "s.xlsx",
        &file,
        &preview.revision,
        at(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&again, AppError::Conflict(m) if m.contains("変更点を確認した後に変更されました")),
        "{again:?}"
    );
    assert_eq!(
        store.audit_entries(&code, 0, 1000).await.unwrap().len(),
        entries.len()
    );
}

#[tokio::test]
async fn every_problem_is_named_by_sheet_and_cell_and_nothing_is_stored() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let bytes = edit::export_workbook(&cx, &office, &plan()).await.unwrap();
    let file = changed(
        &cx,
        &bytes,
        &[
            ("KPI", "kpi-1-1-1", "目標値", "12a"),
            ("KPI", "kpi-1-1-1", "値の種類", "合計"),
            ("KPI", "kpi-2-1-1", "目標値の年度", "令和x年度"),
            ("KPI", "kpi-3-1-1", "親要素ID", "strategy-measure-1-1"),
            ("KPI", "+a", "ID", "kpi-9-9-9"),
            ("KPI", "+a", "指標名", "ない指標"),
            ("KPI", "+b", "親要素ID", "strategy-measure-9"),
            ("KPI", "+b", "指標名", "親のない指標"),
            ("KPI", "+c", "ID", "strategy-measure-1-1"),
            ("KPI", "+d", "親要素ID", "strategy-measure-1-1"),
            ("KPI", "+d", "指標名", ""),
            ("KPI", "+d", "目指す方向", "増加を目指す"),
            ("KPI", "+d", "値の種類", "単年度値"),
            ("KPI", "+d", "サンプルデータ（例示用の値）", "たぶん"),
        ],
    )
    .await;
    let before = store.audit_entries(&code, 0, 1000).await.unwrap().len();
    let err = edit::preview_workbook(&cx, &office, &plan(), "s.xlsx", &file)
        .await
        .unwrap_err();
    let got = problems(err);
    let has = |needle: &str| {
        assert!(
            got.iter().any(|p| p.contains(needle)),
            "no problem with {needle:?} in {got:#?}"
        );
    };
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let kpis = draft
        .elements
        .iter()
        .filter(|e| e.kind == keikaku_domain::ElementKind::Kpi)
        .count();
    let row = |n: usize| n + 2;
    // Columns found by their headers.
    let headers = &workbook::expected_sheets(&draft)
        .into_iter()
        .find(|s| s.name == "KPI")
        .unwrap()
        .headers;
    let col = |h: &str| {
        let i = headers.iter().position(|x| x == h).unwrap();
        char::from(b'A' + u8::try_from(i).unwrap())
    };
    has(&format!(
        "「KPI」シート {}2: 目標値は数値で入力してください",
        col("目標値")
    ));
    has(&format!(
        "「KPI」シート {}2: 値の種類「合計」は選べる値ではありません",
        col("値の種類")
    ));
    has(&format!(
        "「KPI」シート {}3: 目標値の年度",
        col("目標値の年度")
    ));
    has("「KPI」シート B4: 親要素は、このファイルでは変えられません");
    has(&format!(
        "「KPI」シート A{}: ID「kpi-9-9-9」の要素はこの計画にありません",
        row(kpis)
    ));
    has(&format!(
        "「KPI」シート B{}: 親要素ID「strategy-measure-9」の要素はこの計画にありません",
        row(kpis + 1)
    ));
    has(&format!(
        "「KPI」シート A{}: ID「strategy-measure-1-1」は施策の要素です",
        row(kpis + 2)
    ));
    has(&format!(
        "「KPI」シート {}{}: 指標名を入力してください",
        col("指標名"),
        row(kpis + 3)
    ));
    has(&format!(
        "「KPI」シート {}{}: サンプルデータ（例示用の値）は「はい」か空欄で",
        col("サンプルデータ（例示用の値）"),
        row(kpis + 3)
    ));
    assert_eq!(got.len(), 9, "{got:#?}");
    assert_eq!(
        store.audit_entries(&code, 0, 1000).await.unwrap().len(),
        before
    );
}

#[tokio::test]
async fn a_plan_rule_broken_by_a_row_is_placed_at_that_row() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let bytes = edit::export_workbook(&cx, &office, &plan()).await.unwrap();
    // Two KPIs may not share a code.
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let other_code = draft.values("kpi-1-1-1")["code"].clone();
    let file = changed(
        &cx,
        &bytes,
        &[("KPI", "kpi-2-1-1", "指標コード", &other_code)],
    )
    .await;
    let got = problems(
        edit::preview_workbook(&cx, &office, &plan(), "s.xlsx", &file)
            .await
            .unwrap_err(),
    );
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(got[0].starts_with("「KPI」シート "), "{got:#?}");
    assert!(got[0].contains('3'), "the row of kpi-2-1-1: {got:#?}");
}

#[tokio::test]
async fn a_row_of_an_element_changed_since_the_download_is_refused_at_its_version() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let bytes = edit::export_workbook(&cx, &office, &plan()).await.unwrap();
    // Someone saves kpi-1-1-1 after the download.
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let mut values = draft.values("kpi-1-1-1");
    values.insert("unit".into(), "社".into());
    let submission = Submission {
        version: draft.version("kpi-1-1-1"),
        values,
        links: None,
    };
    edit::update_element(&cx, &office, &plan(), "kpi-1-1-1", &submission, at())
        .await
        .unwrap();
    // The file's row of kpi-1-1-1 is as downloaded: it is kept as saved since, and the file's
    // other corrections go through.
    let other = changed(&cx, &bytes, &[("KPI", "kpi-2-1-1", "目標値", "11")]).await;
    let preview = edit::preview_workbook(&cx, &office, &plan(), "s.xlsx", &other)
        .await
        .unwrap();
    assert!(preview.changed_since_file());
    assert_eq!(preview.kept_newer, 1);
    assert_eq!(preview.changed.len(), 1);
    assert_eq!(preview.changed[0].id, "kpi-2-1-1");
    // A row corrected in the file whose element was saved since would undo that save: refused
    // at its 版 cell.
    let same = changed(&cx, &bytes, &[("KPI", "kpi-1-1-1", "目標値", "11")]).await;
    let got = problems(
        edit::preview_workbook(&cx, &office, &plan(), "s.xlsx", &same)
            .await
            .unwrap_err(),
    );
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains("ほかの人が変更しています（版1 → 版2）"),
        "{got:#?}"
    );
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let headers = &workbook::expected_sheets(&draft)
        .into_iter()
        .find(|s| s.name == "KPI")
        .unwrap()
        .headers;
    let version = headers.iter().position(|h| h == "版").unwrap();
    let cell = format!(
        "「KPI」シート {}2: ",
        char::from(b'A' + u8::try_from(version).unwrap())
    );
    assert!(got[0].starts_with(&cell), "row 2's 版 cell: {got:#?}");
}

#[tokio::test]
async fn a_department_editor_changes_only_their_own_elements_and_adds_none() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let bytes = edit::export_workbook(&cx, &office, &plan()).await.unwrap();
    let draft = edit::draft(&cx, &plan()).await.unwrap();
    let own = draft
        .element("kpi-1-1-1")
        .unwrap()
        .department
        .clone()
        .unwrap();
    let editor = granted(Role::DepartmentEditor, &own);
    let mine = changed(&cx, &bytes, &[("KPI", "kpi-1-1-1", "単位", "社")]).await;
    let preview = edit::preview_workbook(&cx, &editor, &plan(), "s.xlsx", &mine)
        .await
        .unwrap();
    edit::apply_workbook(
        &cx,
        &editor,
        &plan(),
        "s.xlsx",
        &mine,
        &preview.revision,
        at(),
    )
    .await
    .unwrap();
    let theirs = changed(
        &cx,
        &bytes,
        &[
            ("KPI", "kpi-2-1-1", "単位", "人"),
            ("KPI", "+n", "親要素ID", "strategy-measure-1-1"),
            ("KPI", "+n", "指標名", "追加"),
        ],
    )
    .await;
    let got = problems(
        edit::preview_workbook(&cx, &editor, &plan(), "s.xlsx", &theirs)
            .await
            .unwrap_err(),
    );
    assert!(
        got.iter().any(|p| p.contains("を変更する権限がありません")),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|p| p.contains("要素を追加できるのは")),
        "{got:#?}"
    );
}

#[tokio::test]
async fn a_workbook_of_another_plan_or_no_workbook_is_refused() {
    let store = store().await;
    let code = code();
    let cx = Context::new(&store, &code);
    let office = granted(Role::PlanningOffice, "企画調整課");
    let comprehensive = PlanId::parse("sogo-keikaku").unwrap();
    let other = edit::export_workbook(&cx, &office, &comprehensive)
        .await
        .unwrap();
    let got = problems(
        edit::preview_workbook(&cx, &office, &plan(), "k.xlsx", &other)
            .await
            .unwrap_err(),
    );
    assert!(
        got[0].contains("計画「sogo-keikaku」の要素です"),
        "{got:#?}"
    );
    let got = problems(
        edit::preview_workbook(&cx, &office, &plan(), "k.csv", b"a,b")
            .await
            .unwrap_err(),
    );
    assert!(got[0].contains("要素のシート"), "{got:#?}");
    // The comprehensive plan is published: no preview of it.
    let err = edit::preview_workbook(&cx, &office, &comprehensive, "k.xlsx", &other)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
}
