//! Reading departments' own sheets: title rows above the header, year headers in every
//! common form, values as people type them, and every problem of a sheet listed at once with
//! its cell. Test workbooks are built here with rust_xlsxwriter, CSV files as strings.
#![allow(clippy::unwrap_used, clippy::panic)]

use keikaku_domain::era::FiscalYear;
use keikaku_sheets::kpi::{self, KeyColumn, ParsedValues, ValueColumn};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A value a test cell holds.
enum V {
    T(&'static str),
    N(f64),
    B(bool),
    Date,
}

/// An XLSX with one sheet, `rows[r][c]` at row r, column c (empty text = no cell).
fn xlsx(sheet: &str, rows: &[Vec<V>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy/mm/dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            match v {
                V::T("") => {}
                V::T(t) => {
                    ws.write_string(r, c, *t).unwrap();
                }
                V::N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                V::B(b) => {
                    ws.write_boolean(r, c, *b).unwrap();
                }
                V::Date => {
                    let d = ExcelDateTime::from_ymd(2021, 4, 1).unwrap();
                    ws.write_datetime_with_format(r, c, &d, &date).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn t(s: &'static str) -> V {
    V::T(s)
}

/// "key: year kind value @cell" per value, in sheet order.
fn summary(values: &ParsedValues) -> Vec<String> {
    let mut out = Vec::new();
    for row in &values.rows {
        if row.cells.is_empty() {
            out.push(format!("{} @{}: (no values)", row.key, row.key_cell));
        }
        for c in &row.cells {
            let kind = match c.column {
                ValueColumn::Target => "目標",
                ValueColumn::Actual => "実績",
            };
            out.push(format!(
                "{}: {} {kind} {} @{} [{}]",
                row.key,
                c.year.year(),
                c.value,
                c.cell,
                c.header
            ));
        }
    }
    out
}

fn errors(file: &str, bytes: &[u8]) -> Vec<String> {
    match kpi::read_values(file, bytes) {
        Ok(v) => panic!("expected errors, read {:?}", summary(&v)),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_department_sheet_with_title_rows_and_every_year_form() {
    let rows = vec![
        vec![t("令和3年度 KPI実績報告（農政課）")],
        vec![t(""), t("※単位は指標ごと")],
        vec![
            t("指標コード"),
            t("指標名"),
            t("単位"),
            t("H27"),
            t("平成28年度"),
            t("R1"),
            t("令和２年度目標値"),
            t("令和2年度"),
            t("2021年度"),
            V::N(2022.0),
            t("２０２３"),
            t("基準値"),
            t("進捗率"),
            t("評価"),
            t("備考"),
        ],
        vec![
            t("A-01"),
            t("新規就農者数"),
            t("人"),
            V::N(10.0),
            t("1,234"),
            t("―"),
            t("95.5%"),
            V::N(105.5),
            t("１２"),
            t(""),
            t("△3"),
            V::N(99.0),
            t("50%"),
            t("C"),
            t("メモ"),
        ],
        vec![
            t("A-02"),
            t("農地集積率"),
            t("%"),
            t("－"),
            t("-"),
            t(" "),
            t(""),
            t("0"),
        ],
        vec![t("A-03"), t("まだ値のない指標")],
        vec![],
        vec![t(""), t("※ 注記: 値は速報値を含む")],
    ];
    let values = kpi::read_values("農政課.xlsx", &xlsx("実績", &rows)).unwrap();
    assert_eq!(values.sheet, "実績");
    assert_eq!(
        values.key_column,
        KeyColumn::Code,
        "指標コード before 指標名"
    );
    assert_eq!(
        summary(&values),
        [
            "A-01: 2015 実績 10 @D4 [H27]",
            "A-01: 2016 実績 1234 @E4 [平成28年度]",
            "A-01: 2020 目標 95.5 @G4 [令和２年度目標値]",
            "A-01: 2020 実績 105.5 @H4 [令和2年度]",
            "A-01: 2021 実績 12 @I4 [2021年度]",
            "A-01: 2023 実績 -3 @K4 [２０２３]",
            "A-02: 2020 実績 0 @H5 [令和2年度]",
            "A-03 @A6: (no values)",
        ]
    );
    assert_eq!(values.rows[0].row, 4);
}

#[test]
fn a_department_csv_in_shift_jis_keyed_by_title() {
    let text = "KPI実績（企画調整課）,,,\r\n\
                ,,,\r\n\
                指標名,平成30年度実績値,R1実績,R2 目標値\r\n\
                \"転入者数（髙田地区）\",\"1,050\",９８０,\"1,200\"\r\n\
                合計特殊出生率,1.45,―,1.8\r\n";
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad);
    let values = kpi::read_values("企画調整課.csv", &bytes).unwrap();
    assert_eq!(
        values.sheet, "企画調整課",
        "Excel names a CSV's sheet after the file"
    );
    assert_eq!(values.key_column, KeyColumn::Title);
    assert_eq!(
        summary(&values),
        [
            "転入者数（髙田地区）: 2018 実績 1050 @B4 [平成30年度実績値]",
            "転入者数（髙田地区）: 2019 実績 980 @C4 [R1実績]",
            "転入者数（髙田地区）: 2020 目標 1200 @D4 [R2 目標値]",
            "合計特殊出生率: 2018 実績 1.45 @B5 [平成30年度実績値]",
            "合計特殊出生率: 2020 目標 1.8 @D5 [R2 目標値]",
        ]
    );
    // The same text in UTF-8, with and without a BOM, reads the same.
    let plain = kpi::read_values("a.csv", text.as_bytes()).unwrap();
    let bom = kpi::read_values("a.csv", &[b"\xEF\xBB\xBF", text.as_bytes()].concat()).unwrap();
    assert_eq!(summary(&plain), summary(&values));
    assert_eq!(summary(&bom), summary(&values));
}

#[test]
fn a_header_in_row_one_and_the_id_column_first() {
    let text = "指標名,指標ＩＤ,2019\n観光客入込数,1-2,3012.25\n";
    let values = kpi::read_values("x.csv", text.as_bytes()).unwrap();
    assert_eq!(values.key_column, KeyColumn::Id);
    assert_eq!(summary(&values), ["1-2: 2019 実績 3012.25 @C2 [2019]"]);
    assert_eq!(values.rows[0].key_cell, "B2");
    let fy = FiscalYear::new(2019).unwrap();
    assert_eq!(values.rows[0].cells[0].year, fy);
    assert_eq!(values.rows[0].cells[0].value, Decimal::new(301_225, 2));
}

#[test]
fn every_problem_of_a_sheet_is_listed_at_once_with_its_cell() {
    let rows = vec![
        vec![t("KPI実績")],
        vec![
            t("指標ID"),
            t("指標名"),
            t("R1"),
            t("令和元年度"),
            t("R2"),
            t("R2目標"),
            t("備考"),
        ],
        vec![t("1-1"), t("a"), t("12,3a"), t("5"), V::B(true), t("")],
        vec![t("1-2"), t("b"), t(""), t(""), V::Date, t("12人")],
        vec![t("1-1"), t("c"), V::N(3.0)],
        vec![t(""), t("d"), V::N(5.0)],
        vec![
            t("1-4"),
            t("e"),
            t("1,23"),
            t(""),
            t(""),
            t(""),
            t("備考は読まない"),
        ],
    ];
    assert_eq!(
        errors("kpi.xlsx", &xlsx("KPI評価", &rows)),
        [
            "シート「KPI評価」 セルD2（行2・令和元年度（2019年度）実績値）: 令和元年度（2019年度）実績値の列が2つあります（セルC2とD2）。どちらか一方にしてください。",
            "シート「KPI評価」 セルC3（行3・令和元年度（2019年度）実績値）: 「12,3a」は数値として読めません。",
            "シート「KPI評価」 セルE3（行3・令和2年度（2020年度）実績値）: 真偽値（TRUE）は数値として読めません。",
            "シート「KPI評価」 セルE4（行4・令和2年度（2020年度）実績値）: 日付・時刻のセルは数値として読めません（セルの表示形式を「標準」か「数値」にしてください）。",
            "シート「KPI評価」 セルF4（行4・令和2年度（2020年度）目標値）: 「12人」は数値として読めません。",
            "シート「KPI評価」 セルA5（行5・指標ID）: 指標ID「1-1」は3行目にもあります。1つの指標は1行にしてください。",
            "シート「KPI評価」 セルA6（行6・指標ID）: 指標IDが空ですが、値が入力されています。",
            "シート「KPI評価」 セルC7（行7・令和元年度（2019年度）実績値）: 「1,23」は数値として読めません。",
        ]
    );
}

#[test]
fn a_sheet_without_key_or_year_columns_says_both() {
    let csv = "年度別実績\r\n名称,金額\r\n就農者,12\r\n";
    assert_eq!(
        errors("x.csv", csv.as_bytes()),
        [
            "シート「x」: 指標を示す列（見出しが「指標ID」「指標コード」「指標名」のいずれか）が見つかりません。",
            "シート「x」: 年度の列（見出しの例: 「令和元年度」「R1」「2019年度」「2019」、目標値の列は「R1目標値」）が見つかりません。",
        ]
    );
    let only_key = "指標ID,指標名,備考\r\n1-1,就農者,\r\n";
    assert_eq!(
        errors("y.csv", only_key.as_bytes()),
        [
            "シート「y」 行1: 年度の列（見出しの例: 「令和元年度」「R1」「2019年度」「2019」、目標値の列は「R1目標値」）が見つかりません。"
        ]
    );
    let only_years = "名称,R1,R2\r\n就農者,12,13\r\n";
    assert_eq!(
        errors("z.csv", only_years.as_bytes()),
        [
            "シート「z」 行1: 指標を示す列（見出しが「指標ID」「指標コード」「指標名」のいずれか）が見つかりません。"
        ]
    );
}

#[test]
fn empty_unreadable_and_unknown_files_are_refused_clearly() {
    assert_eq!(
        errors("empty.csv", b""),
        ["シート「empty」: シートが空です。"]
    );
    assert_eq!(
        errors("blank.csv", b",,\r\n , \r\n"),
        ["シート「blank」: シートが空です。"]
    );
    assert_eq!(
        errors("empty.xlsx", &xlsx("Sheet1", &[])),
        ["シート「Sheet1」: シートが空です。"]
    );
    let broken = errors("broken.xlsx", b"PK\x03\x04 not really a workbook");
    assert_eq!(broken.len(), 1);
    assert!(
        broken[0].starts_with("ファイル「broken.xlsx」をExcelファイル（.xlsx）として読めません（"),
        "{broken:?}"
    );
    // In Japanese only: not the reader's English about ZIP entries.
    let words = broken[0]
        .replace("broken.xlsx", "")
        .replace("*.xlsx", "")
        .replace(".xlsx", "")
        .replace(".xls", "")
        .replace(".csv", "")
        .replace("Excel", "");
    assert!(
        !words.chars().any(|c| c.is_ascii_alphabetic()),
        "{broken:?}"
    );
    assert_eq!(
        errors("values.xls", b"\xD0\xCF\x11\xE0"),
        [
            "ファイル「values.xls」の形式には対応していません。Excelファイル（.xlsx）かCSVファイル（.csv）を指定してください。"
        ]
    );
    // 0x81 0x20 is neither UTF-8 nor CP932.
    assert_eq!(
        errors("bad.csv", b"\x81\x20,1\r\n"),
        ["ファイル「bad.csv」の文字コードを判別できません。UTF-8かShift_JISで保存してください。"]
    );
}

#[test]
fn a_workbook_is_read_from_its_first_sheet_with_a_header_row() {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("記入要領").unwrap();
    notes
        .write_string(0, 0, "各課で実績値を記入してください")
        .unwrap();
    let data = wb.add_worksheet();
    data.set_name("実績").unwrap();
    data.write_string(0, 0, "指標ID").unwrap();
    data.write_string(0, 1, "R3").unwrap();
    data.write_string(1, 0, "1-1").unwrap();
    data.write_number(1, 1, 7.0).unwrap();
    let values = kpi::read_values("book.xlsx", &wb.save_to_buffer().unwrap()).unwrap();
    assert_eq!(values.sheet, "実績");
    assert_eq!(summary(&values), ["1-1: 2021 実績 7 @B2 [R3]"]);
}

#[test]
fn csv_rows_keep_the_numbers_excel_shows_blank_lines_and_breaks_in_fields_included() {
    let csv = "保育課の集計\r\n\r\n指標ID,R1,備考\r\nK1,\"x\",\"2行の\n備考\"\r\nK2,y,\r\n";
    let errors = keikaku_sheets::kpi::read_values("kodomo.csv", csv.as_bytes()).unwrap_err();
    let cells: Vec<Option<String>> = errors.iter().map(|e| e.cell.clone()).collect();
    assert_eq!(
        cells,
        [Some("B4".to_owned()), Some("B5".to_owned())],
        "{errors:?}"
    );
}
