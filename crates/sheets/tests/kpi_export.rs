//! The KPI evaluation sheet written out: read back by `read_values` with the same values
//! (XLSX and both CSV encodings), read by calamine with its headers, and its print setup,
//! frozen panes, number formats and notes as the XLSX's parts hold them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use keikaku_domain::era::FiscalYear;
use keikaku_sheets::kpi::{
    self, CsvEncoding, EvaluationSheet, ExportError, SheetRow, Unencodable, ValueColumn, YearCells,
};
use rust_decimal::Decimal;

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn cells(values: &[(Option<&str>, Option<&str>, bool)]) -> Vec<YearCells> {
    values
        .iter()
        .map(|(t, a, p)| YearCells {
            target: t.map(d),
            actual: a.map(d),
            provisional: *p,
        })
        .collect()
}

/// Three indicators over three years: places, blanks, a provisional actual, 評価不能, and
/// characters CP932 holds (髙, ①, ～).
fn sample() -> EvaluationSheet {
    EvaluationSheet {
        plan_title: "一関市まち・ひと・しごと創生総合戦略".into(),
        evaluated_year: Some(fy(2021)),
        years: vec![fy(2019), fy(2020), fy(2021)],
        rows: vec![
            SheetRow {
                key: "001".into(),
                group: "基本目標1 しごとをつくる".into(),
                title: "新規就農者数（累計）".into(),
                unit: "人".into(),
                department: "農政課".into(),
                decimals: Some(0),
                baseline: Some((fy(2014), d("100"))),
                target: Some((fy(2021), d("110"))),
                years: cells(&[
                    (Some("102"), Some("103"), false),
                    (Some("104"), None, false),
                    (Some("110"), Some("105"), true),
                ]),
                progress: Some(d("50")),
                rate_label: "進捗率".into(),
                grade: "C".into(),
                note: "髙橋係長が確認①".into(),
            },
            SheetRow {
                key: "1-2".into(),
                group: "基本目標1 しごとをつくる".into(),
                title: "観光客入込数".into(),
                unit: "千人".into(),
                department: "観光物産課".into(),
                decimals: Some(1),
                baseline: Some((fy(2014), d("2950.5"))),
                target: Some((fy(2021), d("3100"))),
                years: cells(&[
                    (None, Some("3012.25"), false),
                    (None, Some("1987.1"), false),
                    (Some("3100"), Some("0"), false),
                ]),
                progress: Some(d("33.33333333333333333333333333")),
                rate_label: "進捗率".into(),
                grade: "D".into(),
                note: "令和2年度～令和3年度は感染症の影響".into(),
            },
            SheetRow {
                key: "2-1".into(),
                group: "基本目標2 ひとの流れ".into(),
                title: "転入者数".into(),
                unit: "人".into(),
                department: "まちづくり推進課".into(),
                decimals: None,
                baseline: None,
                target: Some((fy(2021), d("1200"))),
                years: cells(&[
                    (None, None, false),
                    (None, None, false),
                    (None, None, false),
                ]),
                progress: None,
                rate_label: "進捗率".into(),
                grade: "評価不能".into(),
                note: "実績値がありません".into(),
            },
        ],
    }
}

/// (key, year, target?, value) for every value of the sheet's year columns.
fn expected(sheet: &EvaluationSheet) -> BTreeSet<(String, i32, bool, Decimal)> {
    let mut out = BTreeSet::new();
    for row in &sheet.rows {
        for (c, year) in row.years.iter().zip(&sheet.years) {
            if let Some(t) = c.target {
                out.insert((row.key.clone(), year.year(), true, t.normalize()));
            }
            if let Some(a) = c.actual {
                out.insert((row.key.clone(), year.year(), false, a.normalize()));
            }
        }
    }
    out
}

fn read_back(file: &str, bytes: &[u8]) -> BTreeSet<(String, i32, bool, Decimal)> {
    let values = kpi::read_values(file, bytes).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(values.key_column, kpi::KeyColumn::Id);
    let keys: Vec<&str> = values.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        ["001", "1-2", "2-1"],
        "every row comes back, the empty one too"
    );
    let mut out = BTreeSet::new();
    for row in values.rows {
        for c in row.cells {
            let target = c.column == ValueColumn::Target;
            out.insert((row.key.clone(), c.year.year(), target, c.value.normalize()));
        }
    }
    out
}

#[test]
fn the_xlsx_reads_back_with_the_same_values() {
    let sheet = sample();
    let bytes = kpi::to_xlsx(&sheet).unwrap();
    assert_eq!(read_back("kpi.xlsx", &bytes), expected(&sheet));
}

#[test]
fn both_csv_encodings_read_back_with_the_same_values() {
    let sheet = sample();
    let utf8 = kpi::to_csv(&sheet, CsvEncoding::Utf8Bom).unwrap();
    assert!(utf8.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let sjis = kpi::to_csv(&sheet, CsvEncoding::ShiftJis).unwrap();
    assert!(std::str::from_utf8(&sjis).is_err(), "CP932, not UTF-8");
    for (name, bytes) in [("kpi.csv", &utf8), ("KPI.CSV", &sjis)] {
        assert_eq!(read_back(name, bytes), expected(&sheet), "{name}");
    }
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!bad);
    assert!(text.contains("髙橋係長が確認①"), "{text}");
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    assert!(lines.iter().all(|l| l.ends_with("\r\n")), "CRLF line ends");
    assert_eq!(lines.len(), 4, "the header and three rows, no title row");
}

#[test]
fn the_csv_holds_the_table_with_blanks_rates_and_provisional_years() {
    let csv = kpi::to_csv(&sample(), CsvEncoding::Utf8Bom).unwrap();
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "指標ID,区分,指標名,単位,所管課,基準値,基準年度,目標値,目標年度,\
         令和元年度（2019年度）目標値,令和元年度（2019年度）実績値,\
         令和2年度（2020年度）目標値,令和2年度（2020年度）実績値,\
         令和3年度（2021年度）目標値,令和3年度（2021年度）実績値,進捗率（%）,評価,備考"
    );
    assert_eq!(
        lines[1],
        "001,基本目標1 しごとをつくる,新規就農者数（累計）,人,農政課,100,平成26年度（2014年度）,\
         110,令和3年度（2021年度）,102,103,104,,110,105,50.0,C,\
         髙橋係長が確認①／速報値: 令和3年度（2021年度）"
    );
    assert!(
        lines[2].contains(",2950.5,")
            && lines[2].contains(",3012.25,")
            && lines[2].contains(",0.0,33.3,D,"),
        "places kept, zeros added, never rounded away; the rate rounded: {}",
        lines[2]
    );
    assert!(
        lines[3].contains(",,,,,,,評価不能,実績値がありません"),
        "{}",
        lines[3]
    );
}

#[test]
fn mixed_rate_forms_get_one_column_and_say_the_form_in_the_note() {
    let mut sheet = sample();
    sheet.rows[1].rate_label = "達成率".into();
    let text = String::from_utf8(kpi::to_csv(&sheet, CsvEncoding::Utf8Bom).unwrap()).unwrap();
    assert!(text.contains(",進捗率・達成率（%）,評価,備考\r\n"));
    assert!(text.contains("感染症の影響／達成率で評価"));
}

#[test]
fn a_row_with_the_wrong_number_of_years_is_refused() {
    let mut sheet = sample();
    sheet.rows[2].years.pop();
    let expected = ExportError::YearCount {
        key: "2-1".into(),
        expected: 3,
        found: 2,
    };
    assert_eq!(kpi::to_xlsx(&sheet), Err(expected.clone()));
    assert_eq!(
        kpi::to_csv(&sheet, CsvEncoding::Utf8Bom),
        Err(expected.clone())
    );
    assert_eq!(
        expected.to_string(),
        "指標ID「2-1」の行には年度が3個あるはずですが、2個です。"
    );
}

#[test]
fn shift_jis_reports_every_character_outside_cp932_with_its_place() {
    let mut sheet = sample();
    sheet.rows[0].title = "𠮷田地区の新規就農者数".into();
    sheet.rows[2].department = "まちづくり推進課\u{1F600}".into();
    let Err(ExportError::Unencodable(chars)) = kpi::to_csv(&sheet, CsvEncoding::ShiftJis) else {
        panic!("CP932 cannot hold 𠮷");
    };
    assert_eq!(
        chars,
        [
            Unencodable {
                character: '𠮷',
                row: 2,
                key: "001".into(),
                key_header: "指標ID".into(),
                header: "指標名".into(),
            },
            Unencodable {
                character: '\u{1F600}',
                row: 4,
                key: "2-1".into(),
                key_header: "指標ID".into(),
                header: "所管課".into(),
            },
        ]
    );
    let message = ExportError::Unencodable(chars).to_string();
    assert!(
        message.contains("2行目（指標ID「001」）「指標名」の「𠮷」（U+20BB7）"),
        "{message}"
    );
    // UTF-8 holds it, unchanged.
    let utf8 = kpi::to_csv(&sheet, CsvEncoding::Utf8Bom).unwrap();
    assert!(String::from_utf8(utf8).unwrap().contains("𠮷田地区"));
}

fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn calamine_reads_the_title_headers_and_blank_cells() {
    let bytes = kpi::to_xlsx(&sample()).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["KPI評価"]);
    let range = wb.worksheet_range("KPI評価").unwrap();
    let text = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(
        text(0, 0),
        Data::String(
            "一関市まち・ひと・しごと創生総合戦略　KPI評価シート（令和3年度（2021年度）の評価）"
                .into()
        )
    );
    let headers: Vec<String> = (0..18).map(|c| text(2, c).to_string()).collect();
    assert_eq!(
        headers[..9],
        [
            "指標ID",
            "区分",
            "指標名",
            "単位",
            "所管課",
            "基準値",
            "基準年度",
            "目標値",
            "目標年度"
        ]
    );
    assert_eq!(headers[9], "令和元年度（2019年度）目標値");
    assert_eq!(headers[14], "令和3年度（2021年度）実績値");
    assert_eq!(headers[15..], ["進捗率（%）", "評価", "備考"]);
    assert_eq!(
        text(3, 0),
        Data::String("001".into()),
        "keys are text: leading zeros stay"
    );
    assert_eq!(text(3, 5), Data::Float(100.0));
    assert_eq!(text(3, 12), Data::Empty, "a missing actual is blank, not 0");
    assert_eq!(text(4, 14), Data::Float(0.0), "a real 0 stays 0");
    assert_eq!(
        text(4, 15),
        Data::Float(33.3),
        "the rate, rounded to one place"
    );
    assert_eq!(text(5, 15), Data::Empty, "no rate when not evaluable");
}

#[test]
fn the_xlsx_is_set_up_for_printing_with_frozen_panes_formats_and_notes() {
    let bytes = kpi::to_xlsx(&sample()).unwrap();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane xSplit="3" ySplit="3" topLeftCell="D4""#),
        "header rows and 指標ID・区分・指標名 frozen: {sheet}"
    );
    assert!(
        sheet.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#),
        "{sheet}"
    );
    assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    assert!(sheet.contains("<autoFilter ref=\"A3:R6\"/>"));
    assert!(sheet.contains("<cols>"), "column widths are set");
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">KPI評価!$3:$3</definedName>"#
        ),
        "{workbook}"
    );
    let styles = part(&bytes, "xl/styles.xml");
    for code in ["#,##0", "#,##0.0"] {
        assert!(
            styles.contains(&format!(r#"formatCode="{code}""#)),
            "{code}: {styles}"
        );
    }
    let notes = part(&bytes, "xl/comments1.xml");
    assert!(
        notes.contains(r#"<comment ref="O4""#),
        "the provisional actual's note: {notes}"
    );
    assert!(notes.contains("速報値"));
}

#[test]
fn a_decimal_that_an_f64_cannot_hold_is_written_as_text_and_reads_back_exact() {
    let mut sheet = sample();
    sheet.rows[0].years[0].actual = Some(d("1234567890.123456789"));
    sheet.rows[0].decimals = Some(9);
    let bytes = kpi::to_xlsx(&sheet).unwrap();
    let values = kpi::read_values("kpi.xlsx", &bytes).unwrap();
    let cell = &values.rows[0].cells[1];
    assert_eq!(
        (cell.cell.as_str(), cell.value),
        ("K4", d("1234567890.123456789"))
    );
}
