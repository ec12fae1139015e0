//! The elements workbook (要素一覧): written and read back unchanged, and every problem of a
//! sheet refused at its cell. Workbooks a clerk changed are built here with rust_xlsxwriter.

#![allow(clippy::unwrap_used, clippy::panic)]
use keikaku_sheets::SheetError;
use keikaku_sheets::elements::{
    ElementBook, ExpectedSheet, KindSheet, NOTES_SHEET, SheetColumn, Width, read_book, to_xlsx,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn headers() -> Vec<String> {
    ["ID", "親要素ID", "番号", "名称", "目標値", "版"]
        .map(str::to_owned)
        .to_vec()
}

fn expected() -> Vec<ExpectedSheet> {
    vec![
        ExpectedSheet {
            name: "KPI".into(),
            headers: headers(),
        },
        ExpectedSheet {
            name: "施策".into(),
            headers: headers(),
        },
    ]
}

fn book() -> ElementBook {
    ElementBook {
        notes: vec![
            ("計画ID".into(), "sogo-senryaku".into()),
            ("計画の版".into(), "3-0a1b2c".into()),
            (String::new(), "説明の文".into()),
        ],
        sheets: vec![KindSheet {
            name: "KPI".into(),
            columns: headers()
                .into_iter()
                .map(|h| SheetColumn {
                    header: h,
                    width: Width::Narrow,
                })
                .collect(),
            rows: vec![
                ["kpi-1", "sm-1", "001", "新規就農者数", "0.10", "2"]
                    .map(str::to_owned)
                    .to_vec(),
                ["kpi-2", "sm-1", "002", "複数行の\n説明", "", "1"]
                    .map(str::to_owned)
                    .to_vec(),
            ],
        }],
    }
}

fn read(bytes: &[u8]) -> Result<keikaku_sheets::elements::ReadBook, Vec<SheetError>> {
    read_book("elements.xlsx", bytes, &expected())
}

#[test]
fn a_workbook_reads_back_as_written() {
    let bytes = to_xlsx(&book()).unwrap();
    let back = read(&bytes).unwrap();
    assert_eq!(back.note("計画ID"), Some("sogo-senryaku"));
    assert_eq!(back.note("計画の版"), Some("3-0a1b2c"));
    assert_eq!(
        back.notes.len(),
        2,
        "instructions without a key are not notes"
    );
    assert_eq!(back.missing, vec!["施策".to_owned()]);
    assert!(back.ignored.is_empty());
    let sheet = &back.sheets[0];
    assert_eq!(sheet.name, "KPI");
    assert_eq!(sheet.rows.len(), 2);
    assert_eq!(sheet.rows[0].row, 2);
    assert_eq!(sheet.rows[0].cells, book().sheets[0].rows[0]);
    assert_eq!(sheet.rows[1].cells[3], "複数行の\n説明");
    assert_eq!(sheet.cell(&sheet.rows[1], 4), "E3");
}

/// A sheet 「KPI」 with these rows (row 1 the header), cells written as given.
fn workbook(rows: &[&[Cell]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("KPI").unwrap();
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, c, *t).unwrap();
                }
                Cell::Number(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                Cell::Date => {
                    let d = ExcelDateTime::from_ymd(2025, 4, 1).unwrap();
                    let f = Format::new().set_num_format("yyyy/mm/dd");
                    ws.write_datetime_with_format(r, c, &d, &f).unwrap();
                }
                Cell::Formula(f) => {
                    let formula = rust_xlsxwriter::Formula::new(*f).set_result("#DIV/0!");
                    ws.write_formula(r, c, formula).unwrap();
                }
                Cell::Empty => {}
            }
        }
    }
    wb.add_worksheet().set_name("メモ").unwrap();
    wb.save_to_buffer().unwrap()
}

enum Cell {
    Text(&'static str),
    Number(f64),
    Date,
    Formula(&'static str),
    Empty,
}

use Cell::{Date, Empty, Formula, Number, Text};

#[test]
fn columns_are_found_by_header_in_any_order_and_numbers_read_as_text() {
    let bytes = workbook(&[
        &[
            Text("名称"),
            Text("ＩＤ"),
            Text("メモ"),
            Text("親要素 ID"),
            Text("番号"),
            Text("目標値"),
            Text("版"),
        ],
        &[
            Text("就農者"),
            Text("kpi-1"),
            Text("自分用"),
            Text("sm-1"),
            Number(1.0),
            Number(105.5),
            Number(2.0),
        ],
        &[Empty, Empty, Text("メモだけの行")],
        &[],
        &[Text("新しい指標"), Empty, Empty, Text("sm-1")],
    ]);
    let back = read(&bytes).unwrap();
    assert_eq!(back.ignored, vec!["メモ".to_owned()]);
    let sheet = &back.sheets[0];
    assert_eq!(sheet.columns, vec![1, 3, 4, 0, 5, 6]);
    let rows: Vec<(u32, Vec<String>)> = sheet
        .rows
        .iter()
        .map(|r| (r.row, r.cells.clone()))
        .collect();
    let s = |v: [&str; 6]| v.map(str::to_owned).to_vec();
    assert_eq!(
        rows,
        vec![
            (2, s(["kpi-1", "sm-1", "1", "就農者", "105.5", "2"])),
            (5, s(["", "sm-1", "", "新しい指標", "", ""])),
        ],
        "a row blank in the expected columns is skipped, whatever other columns hold"
    );
    assert_eq!(sheet.cell(&sheet.rows[1], 3), "A5");
}

fn messages(errors: &[SheetError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_missing_or_repeated_header_is_refused_with_its_place() {
    let bytes = workbook(&[&[
        Text("ID"),
        Text("親要素ID"),
        Text("番号"),
        Text("目標値"),
        Text("版"),
        Text("目標値"),
    ]]);
    assert_eq!(
        messages(&read(&bytes).unwrap_err()),
        vec![
            "シート「KPI」 行1: 1行目に列「名称」がありません（ダウンロードしたシートの見出しを消したり書き換えたりしないでください）。",
            "シート「KPI」 セルF1（行1）: 列「目標値」が2つ以上あります。1つにしてください。",
        ]
    );
}

#[test]
fn cells_without_a_readable_value_are_refused_at_their_cell() {
    let bytes = workbook(&[
        &[
            Text("ID"),
            Text("親要素ID"),
            Text("番号"),
            Text("名称"),
            Text("目標値"),
            Text("版"),
        ],
        &[
            Text("kpi-1"),
            Text("sm-1"),
            Text("1"),
            Text("a"),
            Date,
            Text("1"),
        ],
        &[
            Text("kpi-2"),
            Text("sm-1"),
            Text("2"),
            Text("b"),
            Text("3"),
            Formula("=1/0"),
        ],
    ]);
    let errors = read(&bytes).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].cell.as_deref(), Some("E2"));
    assert_eq!(errors[0].header.as_deref(), Some("目標値"));
    assert!(errors[0].message.contains("日付"), "{}", errors[0].message);
    assert_eq!(errors[1].cell.as_deref(), Some("F3"));
    assert_eq!(errors[1].header.as_deref(), Some("版"));
}

#[test]
fn other_files_are_refused() {
    let errors = read_book("elements.pdf", b"%PDF", &expected()).unwrap_err();
    assert!(errors[0].message.contains("形式には対応していません"));
    let errors = read_book("elements.xlsx", b"not a zip", &expected()).unwrap_err();
    assert!(errors[0].message.contains("Excelファイル"));
    assert_eq!(NOTES_SHEET, "説明");
}
