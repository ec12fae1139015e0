//! The 実施計画's program list (事業一覧): written as XLSX and CSV and read back to the same
//! programs, the XLSX as calamine reads it (title, headers, the unit, blanks, 「集計」 with
//! rounded amounts and the rounding note), Shift_JIS refusals with their places, and every
//! problem of a filled-in sheet with its cell — a department's own layout included.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{
    Account, Activity, ExpenseType, Funding, Program, ProgramCategory, ProgramCode, ProgramYear,
    Yen,
};
use keikaku_domain::{ElementId, ElementRef, PlanId};
use keikaku_sheets::programs::{
    self, Column, ProgramSheet, SheetProgram, TotalsRow, TotalsSection,
};
use keikaku_sheets::{CsvEncoding, ExportError, Unencodable};
use rust_xlsxwriter::Workbook;

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// The edition made in 令和7年度: 令和8年度 … 令和10年度.
fn years() -> Vec<FiscalYear> {
    vec![fy(2026), fy(2027), fy(2028)]
}

/// 事業費 and its parts 国庫, 県, 地方債, その他, 一般財源, in yen.
fn funding(cost: i64, [national, prefectural, bonds, other, general]: [i64; 5]) -> Funding {
    Funding {
        cost: Yen::new(cost),
        national: Yen::new(national),
        prefectural: Yen::new(prefectural),
        bonds: Yen::new(bonds),
        other: Yen::new(other),
        general: Yen::new(general),
    }
}

fn link(plan: &str, element: &str) -> ElementRef {
    ElementRef {
        plan: PlanId::parse(plan).unwrap(),
        element: ElementId::parse(element).unwrap(),
    }
}

fn program(code: &str, name: &str) -> Program {
    Program {
        code: ProgramCode::parse(code).unwrap(),
        name: name.into(),
        department: "農政課".into(),
        links: vec![],
        purpose: String::new(),
        target_group: String::new(),
        means: String::new(),
        start_year: fy(2026),
        end_year: None,
        account: Account::General,
        expense_type: ExpenseType::Other,
        activity: Activity::default(),
        category: ProgramCategory::Continued,
        years: vec![],
        sample: false,
    }
}

/// Three programs: exotic text (𠮷, ①, line breaks), 1,234,567 yen, a year not entered, an
/// open end, a sample, several links, a code with leading zeros and a year of zeros.
fn programs() -> Vec<Program> {
    let mut a = program("02-01-003", "新規就農者支援事業（𠮷田地区）");
    a.links = vec![
        link("sogo-keikaku", "measure-1-1"),
        link("sogo-keikaku", "priority-2"),
        link("senryaku", "kpi-1-3"),
    ];
    a.purpose = "新規就農者を増やす。\n①研修\n②資金の助成".into();
    a.target_group = "就農を希望する人".into();
    a.means = "研修会を開き、\r\n資金を助成する。".into();
    a.category = ProgramCategory::New;
    a.expense_type = ExpenseType::Investment;
    a.activity = Activity {
        name: "研修会の開催回数".into(),
        unit: "回".into(),
    };
    a.years = vec![
        ProgramYear {
            fiscal_year: fy(2026),
            funding: funding(1_234_567, [234_567, 0, 0, 0, 1_000_000]),
            activity_target: Some("12".parse().unwrap()),
        },
        ProgramYear {
            fiscal_year: fy(2028),
            funding: funding(2_000_000, [0, 500_000, 0, 0, 1_500_000]),
            activity_target: Some("12.50".parse().unwrap()),
        },
    ];
    a.sample = true;
    let mut b = program("0007", "観光ＰＲ事業");
    b.department = "観光物産課".into();
    b.start_year = fy(2020);
    b.end_year = Some(fy(2027));
    b.account = Account::Special;
    b.years = [2026, 2027]
        .map(|y| {
            let f = funding(
                10_000_000,
                [1_000_000, 2_000_000, 3_000_000, 1_000_500, 2_999_500],
            );
            ProgramYear::new(fy(y), f)
        })
        .into();
    let mut c = program("H_3", "旧施設解体事業");
    c.department = "財産管理課".into();
    c.category = ProgramCategory::Completed;
    c.end_year = Some(fy(2026));
    c.years = vec![ProgramYear::new(fy(2026), Funding::default())];
    vec![a, b, c]
}

fn sheet_of(programs: Vec<Program>) -> ProgramSheet {
    let totals = |p: &[Program]| -> Vec<Funding> {
        years()
            .iter()
            .map(|&y| {
                p.iter()
                    .filter_map(|p| p.year(y))
                    .fold(Funding::default(), |s, f| s.saturating_add(f))
            })
            .collect()
    };
    ProgramSheet {
        title: "一関市実施計画 令和7年度版（令和8年度〜令和10年度）".into(),
        years: years(),
        totals: vec![
            TotalsSection {
                title: "所管課別".into(),
                rows: vec![TotalsRow {
                    label: "農政課".into(),
                    programs: 1,
                    years: totals(&programs[..1]),
                }],
            },
            TotalsSection {
                title: "全体".into(),
                rows: vec![TotalsRow {
                    label: "合計".into(),
                    programs: programs.len(),
                    years: totals(&programs),
                }],
            },
        ],
        rows: programs
            .into_iter()
            .map(|program| SheetProgram {
                program,
                place: [
                    "1 地域資源を活かした産業の振興".into(),
                    "1-1 農業".into(),
                    String::new(),
                ],
            })
            .collect(),
        rounding: Rounding::Down,
    }
}

fn read(file: &str, bytes: &[u8]) -> Vec<Program> {
    let read = programs::read_programs(file, bytes, &years()).unwrap_or_else(|e| {
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        panic!("{}", lines.join("\n"))
    });
    read.programs.into_iter().map(|p| p.program).collect()
}

#[test]
fn the_xlsx_reads_back_to_the_same_programs() {
    let bytes = programs::to_xlsx(&sheet_of(programs())).unwrap();
    let read = programs::read_programs("計画.xlsx", &bytes, &years()).unwrap();
    assert_eq!(read.sheet, "事業一覧");
    let rows: Vec<u32> = read.programs.iter().map(|p| p.row).collect();
    assert_eq!(rows, [4, 5, 6], "below the title, the note and the header");
    let back: Vec<Program> = read.programs.into_iter().map(|p| p.program).collect();
    assert_eq!(back, programs());
}

#[test]
fn both_csv_encodings_read_back_to_the_same_programs() {
    let utf8 = programs::to_csv(&sheet_of(programs()), CsvEncoding::Utf8Bom).unwrap();
    assert!(utf8.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    assert_eq!(read("事業一覧.csv", &utf8), programs());
    // CP932 has no 𠮷; 吉 stands in.
    let mut cp932 = programs();
    cp932[0].name = "新規就農者支援事業（吉田地区）".into();
    let sjis = programs::to_csv(&sheet_of(cp932.clone()), CsvEncoding::ShiftJis).unwrap();
    assert!(std::str::from_utf8(&sjis).is_err(), "CP932, not UTF-8");
    assert_eq!(read("JIGYO.CSV", &sjis), cp932);
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!bad);
    assert!(text.contains("①研修"), "{text}");
}

#[test]
fn the_csv_holds_the_header_and_one_line_per_program() {
    let csv = programs::to_csv(&sheet_of(programs()), CsvEncoding::Utf8Bom).unwrap();
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let records: Vec<Vec<String>> = records
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        records.len(),
        4,
        "the header and three programs, no title row"
    );
    assert_eq!(
        &records[0][..4],
        ["事業コード", "事業名", "所管課", "事業区分"]
    );
    assert_eq!(records[0].len(), 17 + 3 * 7 + 1);
    let a = &records[1];
    assert_eq!(
        &a[7],
        "sogo-keikaku/measure-1-1\nsogo-keikaku/priority-2\nsenryaku/kpi-1-3"
    );
    assert_eq!(a[11..13], ["2026", ""], "開始年度 and an open end");
    assert_eq!(
        &a[17..24],
        ["1234.567", "234.567", "0", "0", "0", "1000", "12"]
    );
    assert_eq!(
        &a[24..31],
        ["", "", "", "", "", "", ""],
        "a year not entered is blank"
    );
    assert_eq!(&a[38], "○");
    let c = &records[3];
    assert_eq!(
        &c[17..24],
        ["0", "0", "0", "0", "0", "0", ""],
        "a year of zeros stays 0"
    );
    // Four records end in CRLF; the fifth CRLF is the one inside 手段 of the first program.
    assert!(text.ends_with("\r\n") && text.matches("\r\n").count() == 5);
}

/// The text of a part of the XLSX package, e.g. `xl/styles.xml`.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
}

#[test]
fn calamine_reads_the_title_unit_headers_blanks_and_totals() {
    let bytes = programs::to_xlsx(&sheet_of(programs())).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["事業一覧", "集計"]);
    let range = wb.worksheet_range("事業一覧").unwrap();
    let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(
        cell(0, 0).to_string(),
        "一関市実施計画 令和7年度版（令和8年度〜令和10年度）"
    );
    assert!(
        cell(1, 0).to_string().starts_with("（単位：千円）"),
        "{}",
        cell(1, 0)
    );
    let headers: Vec<String> = (0..39).map(|c| cell(2, c).to_string()).collect();
    assert_eq!(
        headers[..17],
        [
            "事業コード",
            "事業名",
            "所管課",
            "事業区分",
            "目標",
            "分野",
            "施策",
            "施策など（ID）",
            "目的",
            "対象",
            "手段",
            "開始年度",
            "終了年度",
            "会計",
            "経費区分",
            "活動指標",
            "活動指標の単位"
        ]
    );
    assert_eq!(
        headers[17..24],
        [
            "令和8年度（2026年度）事業費",
            "令和8年度（2026年度）国庫支出金",
            "令和8年度（2026年度）県支出金",
            "令和8年度（2026年度）地方債",
            "令和8年度（2026年度）その他",
            "令和8年度（2026年度）一般財源",
            "令和8年度（2026年度）活動指標の目標値"
        ]
    );
    assert_eq!(headers[37], "令和10年度（2028年度）活動指標の目標値");
    assert_eq!(headers[38], "サンプル");
    assert_eq!(cell(4, 0), Data::String("0007".into()), "codes are text");
    assert_eq!(cell(3, 3), Data::String("新規".into()));
    assert_eq!(
        cell(3, 4),
        Data::String("1 地域資源を活かした産業の振興".into())
    );
    assert_eq!(cell(3, 11), Data::Float(2026.0));
    assert_eq!(cell(3, 17), Data::Float(1234.567), "exact 千円");
    assert_eq!(cell(3, 22), Data::Float(1000.0));
    for c in 24..31 {
        assert_eq!(
            cell(3, c),
            Data::Empty,
            "a year not entered is blank, not 0"
        );
    }
    assert_eq!(cell(5, 17), Data::Float(0.0), "a real 0 stays 0");
    assert_eq!(cell(3, 23), Data::Float(12.0));
    assert_eq!(cell(3, 37), Data::Float(12.5));

    let totals = wb.worksheet_range("集計").unwrap();
    let t = |r: u32, c: u32| totals.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(t(2, 0).to_string(), "所管課別");
    assert_eq!(
        [t(3, 0), t(3, 1), t(3, 2), t(3, 7)].map(|d| d.to_string()),
        [
            "区分",
            "事業数",
            "令和8年度（2026年度）事業費",
            "令和8年度（2026年度）一般財源"
        ]
    );
    assert_eq!(t(3, 19).to_string(), "令和10年度（2028年度）一般財源");
    assert_eq!(t(4, 0).to_string(), "農政課");
    // 1,234,567 yen and 234,567 yen cut down (切り捨て) to whole 千円.
    assert_eq!(
        [t(4, 1), t(4, 2), t(4, 3)],
        [1.0, 1234.0, 234.0].map(Data::Float)
    );
    assert_eq!(t(6, 0).to_string(), "全体");
    assert_eq!(t(8, 0).to_string(), "合計");
    // 1,234,567 + 10,000,000 + 0 yen; その他 1,000,500 yen (1,000.5千円) is cut to 1,000.
    assert_eq!(
        [t(8, 1), t(8, 2), t(8, 6)],
        [3.0, 11234.0, 1000.0].map(Data::Float)
    );
    assert_eq!(t(10, 0).to_string(), Rounding::Down.note());
}

#[test]
fn the_xlsx_is_set_up_for_printing_with_frozen_panes_and_formats() {
    let bytes = programs::to_xlsx(&sheet_of(programs())).unwrap();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane xSplit="2" ySplit="3" topLeftCell="C4""#),
        "the header rows, 事業コード and 事業名 frozen: {sheet}"
    );
    assert!(sheet.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#));
    assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">事業一覧!$3:$3</definedName>"#
        ),
        "{workbook}"
    );
    let styles = part(&bytes, "xl/styles.xml");
    for code in ["#,##0", "#,##0.###", "#,##0.00"] {
        assert!(
            styles.contains(&format!(r#"formatCode="{code}""#)),
            "{code}: {styles}"
        );
    }
    assert!(styles.contains(r#"wrapText="1""#), "text wraps");
}

#[test]
fn no_totals_no_totals_sheet_and_a_totals_row_must_have_every_year() {
    let mut sheet = sheet_of(programs());
    sheet.totals.clear();
    let bytes = programs::to_xlsx(&sheet).unwrap();
    let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["事業一覧"]);
    let mut sheet = sheet_of(programs());
    sheet.totals[1].rows[0].years.pop();
    let error = programs::to_xlsx(&sheet).unwrap_err();
    assert_eq!(
        error.to_string(),
        "集計「全体」の「合計」の行には年度が3個あるはずですが、2個です。"
    );
}

#[test]
fn shift_jis_reports_every_character_outside_cp932_with_its_program() {
    let mut p = programs();
    p[0].target_group = "𠮷田地区で就農を希望する人".into();
    p[1].name = "観光PR事業\u{1F600}".into();
    p[1].means = "4月\u{301C}3月".into();
    let Err(ExportError::Unencodable(chars)) =
        programs::to_csv(&sheet_of(p), CsvEncoding::ShiftJis)
    else {
        panic!("CP932 cannot hold 𠮷");
    };
    let at = |character, row, key: &str, header: &str| Unencodable {
        character,
        row,
        key: key.into(),
        key_header: "事業コード".into(),
        header: header.into(),
    };
    assert_eq!(
        chars,
        [
            at('𠮷', 2, "02-01-003", "事業名"),
            at('𠮷', 2, "02-01-003", "対象"),
            at('\u{1F600}', 3, "0007", "事業名"),
            // WAVE DASH is written as CP932's full-width tilde ～ (U+FF5E): not reported.
        ]
    );
    let message = ExportError::Unencodable(chars).to_string();
    assert!(
        message.contains("\n2行目（事業コード「02-01-003」）「対象」の「𠮷」（U+20BB7）"),
        "{message}"
    );
}

/// Reads a CSV named 「事業一覧.csv」 (so its sheet is 「事業一覧」) and expects exactly these
/// problems, as the user sees them.
fn check(csv: &str, expected: &[&str]) {
    match programs::read_programs("事業一覧.csv", csv.as_bytes(), &years()) {
        Ok(read) => panic!("expected problems, read {:?}", read.programs),
        Err(errors) => {
            let got: Vec<String> = errors.iter().map(ToString::to_string).collect();
            assert_eq!(got, expected, "{csv}");
        }
    }
}

/// A short sheet: A 事業コード, B 事業名, C 所管課, D 事業区分, E 開始年度, F 終了年度,
/// G 施策など（ID）, H R8事業費, I R8国庫支出金, J R8一般財源, K R8活動指標の目標値.
const HEAD: &str = "事業コード,事業名,所管課,事業区分,開始年度,終了年度,施策など（ID）,R8事業費,R8国庫支出金,R8一般財源,R8活動指標の目標値\n";

fn rows(lines: &[&str]) -> String {
    let mut out = HEAD.to_owned();
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[test]
fn funding_problems_are_placed_at_the_years_cells() {
    check(
        &rows(&["A-1,就農支援,農政課,新規,R8,,,\"1,300\",200,\"1,000\","]),
        &[
            "シート「事業一覧」 セルH2（行2・令和8年度（2026年度）事業費）: 財源の合計 1,200千円 が事業費 1,300千円 と一致しません。",
        ],
    );
    check(
        &rows(&["A-1,就農支援,農政課,新規,R8,,,1300,△100,1400,"]),
        &[
            "シート「事業一覧」 セルI2（行2・令和8年度（2026年度）国庫支出金）: 国庫支出金 -100千円 が負の値です。",
        ],
    );
    check(
        &rows(&["A-1,就農支援,農政課,新規,R8,,,1000.0004,,1000.0004,"]),
        &[
            "シート「事業一覧」 セルH2（行2・令和8年度（2026年度）事業費）: 1円未満の端数があります。",
            "シート「事業一覧」 セルJ2（行2・令和8年度（2026年度）一般財源）: 1円未満の端数があります。",
        ],
    );
    check(
        &rows(&["A-1,就農支援,農政課,新規,R8,,,12a,,―,-1"]),
        &[
            "シート「事業一覧」 セルH2（行2・令和8年度（2026年度）事業費）: 「12a」は数値として読めません。",
        ],
    );
    check(
        &rows(&["A-1,就農支援,農政課,新規,R8,,,0,0,0,-1"]),
        &[
            "シート「事業一覧」 セルK2（行2・令和8年度（2026年度）活動指標の目標値）: 令和8年度（2026年度）の活動指標の目標値が負の値です。",
        ],
    );
}

#[test]
fn every_cell_problem_of_a_file_in_row_then_column_order() {
    let csv = rows(&[
        "A-1,就農支援,農政課,新設,R8,,,,,,",
        "A-2,,農政課,継続,R8,,,,,,",
        "０１,観光振興,観光物産課,継続,R8,,,,,,",
        ",,,,,,,,,,",
        "A-1,重複した事業,農政課,継続,R8,,,,,,",
        "A-4,施策の誤り,農政課,継続,R8,,\"sogo-keikaku/measure-1、badlink\nSogo/m1\",,,,",
        "A-5,終わりが先,農政課,継続,R9,R8,,100,,100,",
        ",メモだけの行,,,,,,,,,",
        "A-6,年度の誤り,農政課,継続,来年度,,,,,,",
        "A-7,目標値だけ,農政課,継続,R8,,,,,,5",
    ]);
    check(
        &csv,
        &[
            "シート「事業一覧」 セルD2（行2・事業区分）: 事業区分「新設」は使えません。「新規」「継続」「拡充」「縮小」「休止」「廃止」「完了」のいずれかを入力してください。",
            "シート「事業一覧」 セルB3（行3・事業名）: 事業名が入力されていません。",
            "シート「事業一覧」 セルA4（行4・事業コード）: 事業コード「０１」は使えません。半角の英数字・「-」「_」の32文字以内で入力してください。",
            "シート「事業一覧」 セルA6（行6・事業コード）: 事業コード「A-1」は2行目にもあります。1つの事業は1行にしてください。",
            "シート「事業一覧」 セルG7（行7・施策など（ID））: 「badlink」は「計画ID/要素ID」の形で書いてください（例: sogo-keikaku/measure-1-1）。",
            "シート「事業一覧」 セルG7（行7・施策など（ID））: 計画ID「Sogo」は使えません。半角英小文字・数字・「-」「_」の64文字以内で、英数字で始めてください。",
            "シート「事業一覧」 セルF8（行8・終了年度）: 終了年度が開始年度より前です。",
            "シート「事業一覧」 セルH8（行8・令和8年度（2026年度）事業費）: 令和8年度（2026年度）は事業の期間（開始年度〜終了年度）の外ですが、事業費が入力されています。",
            "シート「事業一覧」 セルA9（行9・事業コード）: 事業コードが入力されていません（この行にはほかの入力があります）。",
            "シート「事業一覧」 セルC9（行9・所管課）: 所管課が入力されていません。",
            "シート「事業一覧」 セルD9（行9・事業区分）: 事業区分が入力されていません。「新規」「継続」「拡充」「縮小」「休止」「廃止」「完了」のいずれかを入力してください。",
            "シート「事業一覧」 セルE9（行9・開始年度）: 開始年度が入力されていません。",
            "シート「事業一覧」 セルE10（行10・開始年度）: 「来年度」は年度として解釈できません: 元号「来」を認識できません（使えるのは明治・大正・昭和・平成・令和、またはM・T・S・H・R）。",
            "シート「事業一覧」 セルK11（行11・令和8年度（2026年度）活動指標の目標値）: 活動指標の目標値がありますが、この年度の事業費と財源がすべて空欄です。事業費を入力してください（事業費がなければ0）。",
        ],
    );
}

#[test]
fn header_problems_name_the_column() {
    check(
        "事業コード,事業名,事業区分,R8事業費\nA-1,就農支援,新規,1\n",
        &[
            "シート「事業一覧」 行1: 見出しが「所管課」の列が見つかりません。",
            "シート「事業一覧」 行1: 見出しが「開始年度」の列が見つかりません。",
        ],
    );
    check(
        "事業コード,事業名,所管課,事業区分,開始年度,R8事業費,R12事業費,令和8年度事業費\nA-1,就農支援,農政課,新規,R8,1,,\n",
        &[
            "シート「事業一覧」 セルG1（行1・令和12年度（2030年度）事業費）: 令和12年度（2030年度）はこの版の計画期間の外です。",
            "シート「事業一覧」 セルH1（行1・令和8年度（2026年度）事業費）: 「令和8年度（2026年度）事業費」の列が2つあります（セルF1とH1）。どちらか一方にしてください。",
            "シート「事業一覧」 セルF2（行2・令和8年度（2026年度）事業費）: 財源の合計 0千円 が事業費 1千円 と一致しません。",
        ],
    );
    check(
        "実施計画\n事業名,所管課\n就農支援,農政課\n",
        &["シート「事業一覧」: 見出しが「事業コード」の列が見つかりません。"],
    );
    check(",,\n", &["シート「事業一覧」: シートが空です。"]);
}

/// A value a test cell holds.
enum V {
    T(&'static str),
    N(f64),
    B(bool),
    Date,
}

fn t(s: &'static str) -> V {
    V::T(s)
}

/// An XLSX with the sheets given, `rows[r][c]` at row r, column c (empty text = no cell).
fn xlsx(sheets: &[(&str, Vec<Vec<V>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
                match v {
                    V::T("") => {}
                    V::T(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    V::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    V::B(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    V::Date => {
                        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 4, 1).unwrap();
                        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy/mm/dd");
                        ws.write_datetime_with_format(r, c, &date, &format).unwrap();
                    }
                };
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_department_sheet_in_its_own_layout() {
    let rows = vec![
        vec![t("令和8年度 実施計画 事業調書（農政課）")],
        vec![t(""), t(""), t("単位：千円")],
        vec![
            t("備考"),
            t("事業名"),
            t("事業コード"),
            t("R8事業費"),
            t("R8国庫支出金"),
            t("令和9年度一般財源"),
            t("令和９年度 事業費"),
            t("R8一般財源"),
            t("事業区分"),
            t("所管課"),
            t("開始年度"),
            t("終了年度"),
            t("目的"),
            t("会計"),
            t("サンプル"),
        ],
        vec![
            t("新しい事業"),
            t(" 新規就農者支援事業 "),
            t("02-01-003"),
            t("１，２３４．５６７"),
            t("234.567"),
            V::N(500.0),
            t("500"),
            V::N(1000.0),
            t("新規"),
            t("農政課"),
            t("令和８年度"),
            t("―"),
            t("  就農者を増やす。\n研修と助成  "),
            t(""),
            t(""),
        ],
        vec![],
        vec![
            t(""),
            t("農道整備事業"),
            t("02-03-010"),
            t("12,000"),
            t("―"),
            t(""),
            t(""),
            t("12,000"),
            t("continued"),
            t("農政課"),
            V::N(2019.0),
            t("平成40年度"),
            t(""),
            t("特別会計"),
            t("〇"),
        ],
        vec![t("※ 金額は千円単位で記入")],
    ];
    let bytes = xlsx(&[
        ("記入要領", vec![vec![t("事業コードは変えないでください")]]),
        ("事業一覧", rows),
    ]);
    let read = programs::read_programs("農政課.xlsx", &bytes, &years()).unwrap();
    assert_eq!(
        read.sheet, "事業一覧",
        "the sheet of that name, not the first"
    );
    let mut a = program("02-01-003", "新規就農者支援事業");
    a.category = ProgramCategory::New;
    a.purpose = "  就農者を増やす。\n研修と助成  ".into();
    a.years = vec![
        ProgramYear::new(fy(2026), funding(1_234_567, [234_567, 0, 0, 0, 1_000_000])),
        ProgramYear::new(fy(2027), funding(500_000, [0, 0, 0, 0, 500_000])),
    ];
    let mut b = program("02-03-010", "農道整備事業");
    b.start_year = fy(2019);
    b.end_year = Some(fy(2028));
    b.account = Account::Special;
    b.sample = true;
    b.years = vec![ProgramYear::new(
        fy(2026),
        Funding::general_only(Yen::new(12_000_000)),
    )];
    let got: Vec<(u32, Program)> = read
        .programs
        .iter()
        .map(|p| (p.row, p.program.clone()))
        .collect();
    assert_eq!(got, [(4, a), (6, b)]);
}

#[test]
fn the_app_places_its_own_problems_at_a_programs_cells() {
    let csv = rows(&["A-1,就農支援,農政課,新規,R8,,sogo/measure-9,1000,,1000,"]);
    let read = programs::read_programs("事業一覧.csv", csv.as_bytes(), &years()).unwrap();
    let p = &read.programs[0];
    assert_eq!(
        p.error(
            &read.sheet,
            Column::Links,
            "施策「sogo/measure-9」はありません。"
        )
        .to_string(),
        "シート「事業一覧」 セルG2（行2・施策など（ID））: 施策「sogo/measure-9」はありません。"
    );
    assert_eq!(
        p.error(
            &read.sheet,
            Column::Cost(fy(2026)),
            "予算の枠を超えています。"
        )
        .cell,
        Some("H2".to_owned())
    );
    // A column the sheet does not have: the row, named by the column.
    assert_eq!(
        p.error(&read.sheet, Column::Purpose, "目的を入力してください。")
            .to_string(),
        "シート「事業一覧」 行2・目的: 目的を入力してください。"
    );
    assert!(p.has_column(Column::Links) && !p.has_column(Column::Purpose));
}

#[test]
fn excel_cells_of_other_types() {
    const HEADERS: [&str; 6] = [
        "事業コード",
        "事業名",
        "所管課",
        "事業区分",
        "開始年度",
        "サンプル",
    ];
    let head = || Vec::from(HEADERS.map(t));
    let row = |code, start, sample| {
        vec![
            t(code),
            t("就農支援"),
            t("農政課"),
            t("新規"),
            start,
            sample,
        ]
    };
    let sheet = |rows: Vec<Vec<V>>| xlsx(&[("事業一覧", rows)]);
    let ok = sheet(vec![
        head(),
        row("A-1", V::N(2026.0), V::B(true)),
        row("A-2", t("R8"), V::B(false)),
    ]);
    let read = read("a.xlsx", &ok);
    let samples: Vec<bool> = read.iter().map(|p| p.sample).collect();
    assert_eq!(samples, [true, false], "TRUE and FALSE cells");
    let dated = sheet(vec![head(), row("A-1", V::Date, t("×"))]);
    let errors: Vec<String> = programs::read_programs("b.xlsx", &dated, &years())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errors,
        [
            "シート「事業一覧」 セルE2（行2・開始年度）: 日付・時刻のセルは数値として読めません（セルの表示形式を「標準」か「数値」にしてください）。",
            "シート「事業一覧」 セルF2（行2・サンプル）: サンプル「×」は読めません。サンプルなら「○」、そうでなければ空欄にしてください。",
        ],
        "a date is one problem, not also a missing year"
    );
}

/// The fixture's programs with what CP932 cannot hold (𠮷) replaced.
fn cp932_programs() -> Vec<Program> {
    let mut p = programs();
    for x in &mut p {
        for t in [
            &mut x.name,
            &mut x.purpose,
            &mut x.target_group,
            &mut x.means,
        ] {
            *t = t.replace('𠮷', "吉");
        }
    }
    p
}

#[test]
fn shift_jis_writes_the_characters_windows_writes_differently_in_windows_form() {
    let mut p = cp932_programs();
    p[0].means = "4月\u{301C}3月\u{2014}通年\u{2212}1".into();
    let bytes = programs::to_csv(&sheet_of(p.clone()), CsvEncoding::ShiftJis).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(
        text.contains("4月\u{FF5E}3月\u{2015}通年\u{FF0D}1"),
        "{text}"
    );
}

#[test]
fn a_text_a_spreadsheet_would_run_is_written_guarded_and_read_back_as_typed() {
    let mut p = cp932_programs();
    p[0].name = "=HYPERLINK(\"http://evil.example/\",\"詳細\")".into();
    p[0].purpose = "@SUM(1)".into();
    p[1].means = "-伸ばす\n+広げる".into();
    for encoding in [CsvEncoding::Utf8Bom, CsvEncoding::ShiftJis] {
        let bytes = programs::to_csv(&sheet_of(p.clone()), encoding).unwrap();
        let text = match encoding {
            CsvEncoding::Utf8Bom => String::from_utf8(bytes.clone()).unwrap(),
            CsvEncoding::ShiftJis => encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned(),
        };
        assert!(
            text.contains(",\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"詳細\"\")\","),
            "{text}"
        );
        assert!(text.contains(",'@SUM(1),"), "{text}");
        assert!(!text.contains(",=") && !text.contains(",@"), "{text}");
        let read = programs::read_programs("一覧.csv", &bytes, &years()).unwrap();
        let back: Vec<Program> = read.programs.into_iter().map(|r| r.program).collect();
        assert_eq!(back, p, "{encoding:?}");
    }
}
