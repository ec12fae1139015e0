//! The 人口ビジョン's sheets: census tables as e-Stat and cities publish them (title rows,
//! （再掲） rows, 90〜94歳・95〜99歳・100歳以上 folded into 90歳以上, 年齢不詳) read from CSV
//! (UTF-8, Shift_JIS) and XLSX with every problem at its cell; actual totals by year; the
//! census template and the results workbook read back with calamine; the results as CSV.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use keikaku_domain::population::{ActualSource, BySex, Census, GROUPS};
use keikaku_sheets::population::{
    self, ActualRow, CensusSheet, Comparison, ComparisonColumn, DetailRow, ResultBook, ResultTable,
    SummaryRow,
};
use keikaku_sheets::{CsvEncoding, ExportError, Unencodable};
use rust_xlsxwriter::Workbook;

/// 男・女 by age as a census publishes them for a city of about 200,000: 0〜4歳 … 85〜89歳,
/// then 90〜94歳, 95〜99歳 and 100歳以上.
const AGES: [(&str, u64, u64); 21] = [
    ("0～4歳", 3_420, 3_260),
    ("5～9歳", 3_980, 3_790),
    ("10～14歳", 4_350, 4_120),
    ("15～19歳", 4_480, 4_210),
    ("20～24歳", 3_560, 3_120),
    ("25～29歳", 3_790, 3_410),
    ("30～34歳", 4_300, 3_980),
    ("35～39歳", 4_980, 4_720),
    ("40～44歳", 5_680, 5_430),
    ("45～49歳", 5_960, 5_800),
    ("50～54歳", 5_930, 5_860),
    ("55～59歳", 6_520, 6_640),
    ("60～64歳", 7_610, 7_790),
    ("65～69歳", 8_540, 8_880),
    ("70～74歳", 7_260, 8_040),
    ("75～79歳", 5_420, 6_880),
    ("80～84歳", 4_690, 6_720),
    ("85～89歳", 3_210, 5_980),
    ("90～94歳", 1_180, 3_640),
    ("95～99歳", 260, 1_310),
    ("100歳以上", 25, 243),
];

/// 年齢不詳: 男, 女.
const UNKNOWN: [u64; 2] = [312, 198];

fn expected_counts() -> BySex<u64> {
    let mut out = BySex::filled(0);
    for (i, (_, m, f)) in AGES.iter().enumerate() {
        let g = i.min(GROUPS - 1);
        out.male[g] += m;
        out.female[g] += f;
    }
    out
}

fn men() -> u64 {
    AGES.iter().map(|a| a.1).sum::<u64>() + UNKNOWN[0]
}

fn women() -> u64 {
    AGES.iter().map(|a| a.2).sum::<u64>() + UNKNOWN[1]
}

/// 「54,055」.
fn commas(n: u64) -> String {
    keikaku_domain::format::group_digits(&n.to_string())
}

/// A table as the text of its cells, row by row.
type Table = Vec<Vec<String>>;

fn cells(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| (*t).to_owned()).collect()
}

fn counts_row(label: &str, m: u64, f: u64) -> Vec<String> {
    vec![label.to_owned(), commas(m + f), commas(m), commas(f)]
}

/// A census table laid out as e-Stat's 「年齢（5歳階級），男女別人口」: title and note rows, the
/// header, 総数 first, the ages up to 100歳以上, 年齢「不詳」, the （再掲） rows, 平均年齢 and
/// the footnotes.
fn estat() -> Table {
    let mut t = vec![
        cells(&["第3-1表　年齢（5歳階級），男女別人口－一関市"]),
        cells(&["令和2年国勢調査　人口等基本集計"]),
        vec![],
        cells(&["", "", "", "（単位：人）"]),
        cells(&["年齢（5歳階級）", "総数", "男", "女"]),
        counts_row("総数", men(), women()),
    ];
    for (label, m, f) in AGES {
        t.push(counts_row(label, m, f));
    }
    t.push(counts_row("年齢「不詳」", UNKNOWN[0], UNKNOWN[1]));
    let band = |from: usize, to: usize| {
        let m: u64 = AGES[from..to].iter().map(|a| a.1).sum();
        let f: u64 = AGES[from..to].iter().map(|a| a.2).sum();
        (m, f)
    };
    for (label, (m, f)) in [
        ("（再掲）15歳未満", band(0, 3)),
        ("（再掲）15～64歳", band(3, 13)),
        ("（再掲）65歳以上", band(13, 21)),
        ("（再掲）75歳以上", band(15, 21)),
        ("（再掲）90歳以上", band(18, 21)),
    ] {
        t.push(counts_row(label, m, f));
    }
    t.push(cells(&["平均年齢", "52.3", "50.8", "53.7"]));
    t.push(cells(&["注）総数には年齢「不詳」を含む。"]));
    t.push(cells(&["資料：総務省統計局「令和2年国勢調査」"]));
    t
}

/// The table as CSV text, fields with a comma or a quote quoted, LF line ends.
fn csv(table: &Table) -> String {
    let mut out = String::new();
    for row in table {
        let fields: Vec<String> = row
            .iter()
            .map(|f| {
                if f.contains([',', '"']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// The 1-based row whose first cell is `label`.
fn line(table: &Table, label: &str) -> usize {
    table
        .iter()
        .position(|r| r.first().is_some_and(|c| c == label))
        .unwrap_or_else(|| panic!("no row {label}"))
        + 1
}

fn census(file: &str, bytes: &[u8]) -> CensusSheet {
    population::read_census(file, bytes).unwrap_or_else(|e| {
        panic!(
            "{:#?}",
            e.iter().map(ToString::to_string).collect::<Vec<_>>()
        )
    })
}

fn census_errors(file: &str, bytes: &[u8]) -> Vec<String> {
    match population::read_census(file, bytes) {
        Ok(c) => panic!("expected errors, read {c:?}"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

const FOLDED: &str = "90〜94歳・95〜99歳・100歳以上を90歳以上にまとめました。";

#[test]
fn an_estat_table_with_titles_restated_rows_and_100_plus_folded() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), csv(&estat()).as_bytes()].concat();
    let read = census("第3-1表.csv", &bytes);
    assert_eq!(read.sheet, "第3-1表");
    assert_eq!(read.counts, expected_counts());
    assert_eq!(read.counts.male[18], 1_180 + 260 + 25);
    assert_eq!(read.counts.female[18], 3_640 + 1_310 + 243);
    assert_eq!(read.unknown, UNKNOWN);
    assert_eq!(read.notes, [FOLDED]);
    let c = read.census(2020, "国勢調査（令和2年10月1日）");
    assert_eq!(c.total(), men() + women());
    assert_eq!(c.unknown, UNKNOWN);
    assert!(!c.sample);

    // The same without a BOM, and with CRLF line ends.
    let crlf = csv(&estat()).replace('\n', "\r\n");
    assert_eq!(census("t.csv", crlf.as_bytes()).counts, expected_counts());
}

/// A city's own table: 計 last, 男性 / 女性, ages in several forms and full-width digits, 「－」
/// for 0, 不詳, no 総数 row, and a （再掲） heading with the rows under it.
fn city_table() -> Table {
    let labels = [
        "０－４歳",
        "5-9",
        "10 ～ 14 歳",
        "15歳～19歳",
        "２０～２４",
        "25～29歳",
        "30～34歳",
        "35～39歳",
        "40～44歳",
        "45～49歳",
        "50～54歳",
        "55～59歳",
        "60～64歳",
        "65～69歳",
        "70～74歳",
        "75～79歳",
        "80～84歳",
        "85～89歳",
    ];
    let mut t = vec![
        cells(&["男女・年齢別人口（令和2年10月1日現在）"]),
        cells(&["区分", "男性", "女性", "計"]),
    ];
    for (label, (_, m, f)) in labels.iter().zip(AGES) {
        t.push(vec![
            (*label).to_owned(),
            m.to_string(),
            f.to_string(),
            (m + f).to_string(),
        ]);
    }
    let (m, f) = (1_465, 5_193);
    t.push(cells(&[
        "９０歳以上",
        "１，４６５",
        "５，１９３",
        "６，６５８",
    ]));
    assert_eq!((m, f), (1_180 + 260 + 25, 3_640 + 1_310 + 243));
    t.push(cells(&["不詳", "－", "－", "－"]));
    t.push(vec![]);
    t.push(cells(&["（再掲）"]));
    t.push(cells(&["15歳未満", "11,750", "11,170", "22,920"]));
    t.push(cells(&["90歳以上", "1,465", "5,193", "6,658"]));
    t.push(cells(&["外国人", "120", "260", "380"]));
    t
}

#[test]
fn a_shift_jis_csv_from_a_city_with_its_own_words() {
    let text = csv(&city_table()).replace('\n', "\r\n");
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really Shift_JIS");
    let read = census("市の人口.CSV", &bytes);
    assert_eq!(read.sheet, "市の人口");
    assert_eq!(read.counts, expected_counts());
    assert_eq!(read.unknown, [0, 0], "「－」 is 0");
    assert_eq!(
        read.notes,
        ["総数の行がないため、合計の検算はしていません。"]
    );
}

/// A value a test cell holds.
enum V {
    T(String),
    N(f64),
}

fn t(s: &str) -> V {
    V::T(s.to_owned())
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
                    V::T(s) if s.is_empty() => {}
                    V::T(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    V::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// A workbook as a city keeps it: a cover sheet first, then the sheet 「人口」 with the city's
/// name in column A, the ages in column B, a two-row header (人口 over 総数・男・女, then 構成比
/// over 男・女), number cells.
fn city_workbook() -> Vec<u8> {
    let cover = vec![
        vec![t("一関市 人口統計")],
        vec![t("令和2年国勢調査より作成")],
    ];
    let n = |v: u64| V::N(v as f64);
    let mut rows = vec![
        vec![t("年齢（5歳階級）、男女別人口")],
        vec![t(""), t(""), t("人口"), t(""), t(""), t("構成比（%）")],
        vec![
            t("地域"),
            t(""),
            t("総数"),
            t("男"),
            t("女"),
            t("男"),
            t("女"),
        ],
        vec![
            t("一関市"),
            t("総数"),
            n(men() + women()),
            n(men()),
            n(women()),
        ],
    ];
    for (label, m, f) in AGES {
        let share = |v: u64, all: u64| V::N((v as f64 / all as f64 * 1000.0).round() / 10.0);
        rows.push(vec![
            t(""),
            t(label),
            n(m + f),
            n(m),
            n(f),
            share(m, men()),
            share(f, women()),
        ]);
    }
    rows.push(vec![t(""), t("不詳"), n(510), n(312), n(198)]);
    xlsx(&[("表紙", cover), ("人口", rows)])
}

#[test]
fn an_xlsx_with_a_cover_sheet_labels_in_the_second_column_and_a_second_block() {
    let read = census("一関市.xlsx", &city_workbook());
    assert_eq!(read.sheet, "人口");
    assert_eq!(read.counts, expected_counts());
    assert_eq!(read.unknown, UNKNOWN);
    assert_eq!(
        read.notes,
        [
            FOLDED,
            "男・女の列が複数あるため、最初の列（セルD3、E3）を読みました。"
        ]
    );
}

#[test]
fn a_problem_of_a_label_in_a_second_column_is_placed_there() {
    let n = |v: u64| V::N(v as f64);
    let mut rows = vec![vec![t("地域"), t(""), t("男"), t("女")]];
    for (label, m, f) in AGES {
        rows.push(vec![t(""), t(label), n(m), n(f)]);
    }
    rows.push(vec![t("一関市"), t("不詳"), n(312), n(198)]);
    rows.push(vec![t(""), t("年齢不詳"), n(1), n(2)]);
    rows.push(vec![t(""), t("外国人"), n(120), n(260)]);
    rows.push(vec![t(""), t(""), n(5), t("")]);
    let bytes = xlsx(&[("Sheet1", rows)]);
    assert_eq!(
        census_errors("a.xlsx", &bytes),
        [
            "シート「Sheet1」 セルB24（行24・年齢）: 「年齢不詳」の行が2つあります（23行目と24行目）。1つにしてください。",
            "シート「Sheet1」 セルB25（行25・年齢）: 年齢「外国人」を読めません。「0〜4歳」「90歳以上」「総数」「年齢不詳」のように書いてください。",
            "シート「Sheet1」 セルB26（行26・年齢）: 年齢が空ですが、人数が入力されています。",
        ]
    );
}

/// The e-Stat table with a change, as a CSV named 人口.csv (sheet 「人口」).
fn estat_with(change: impl FnOnce(&mut Table)) -> (Table, Vec<u8>) {
    let mut table = estat();
    change(&mut table);
    let bytes = csv(&table).into_bytes();
    (table, bytes)
}

fn set(table: &mut Table, label: &str, col: usize, value: &str) {
    let r = line(table, label) - 1;
    table[r][col] = value.to_owned();
}

#[test]
fn a_missing_or_duplicated_age_group_and_an_unknown_label() {
    let (_, bytes) = estat_with(|t| {
        let r = line(t, "25～29歳") - 1;
        t.remove(r);
    });
    assert_eq!(
        census_errors("人口.csv", &bytes),
        ["シート「人口」 列「年齢（5歳階級）」: 「25〜29歳」の行がありません。"]
    );

    let (table, bytes) = estat_with(|t| {
        let r = line(t, "30～34歳") - 1;
        let copy = t[r].clone();
        t.insert(r + 1, copy);
        set(t, "25～29歳", 0, "25～30歳");
    });
    let dup = line(&table, "30～34歳");
    let odd = line(&table, "25～30歳");
    assert_eq!(
        census_errors("人口.csv", &bytes),
        [
            format!(
                "シート「人口」 セルA{odd}（行{odd}・年齢（5歳階級））: 年齢「25～30歳」を読めません。「0〜4歳」「90歳以上」「総数」「年齢不詳」のように書いてください。"
            ),
            format!(
                "シート「人口」 セルA{}（行{}・年齢（5歳階級））: 「30〜34歳」の行が2つあります（{dup}行目と{}行目）。1つにしてください。",
                dup + 1,
                dup + 1,
                dup + 1
            ),
            "シート「人口」 列「年齢（5歳階級）」: 「25〜29歳」の行がありません。".to_owned(),
        ]
    );
}

#[test]
fn ninety_and_over_must_be_given_once_whole() {
    // 90歳以上 beside its parts.
    let (table, bytes) = estat_with(|t| {
        let r = line(t, "年齢「不詳」") - 1;
        t.insert(r, counts_row("90歳以上", 1_465, 5_193));
    });
    let at = line(&table, "90歳以上");
    assert_eq!(
        census_errors("人口.csv", &bytes),
        [format!(
            "シート「人口」 セルA{at}（行{at}・年齢（5歳階級））: 「90歳以上」と、その内訳の「90〜94歳」「95〜99歳」「100歳以上」の両方があります。どちらか一方にしてください。"
        )]
    );

    // The last group missing, then a part in the middle.
    let (_, bytes) = estat_with(|t| {
        let r = line(t, "100歳以上") - 1;
        t.remove(r);
    });
    assert_eq!(
        census_errors("人口.csv", &bytes),
        [
            "シート「人口」 列「年齢（5歳階級）」: 「100歳以上」の行がありません（90歳以上にまとめるには、最後の年齢階級「○歳以上」が必要です）。"
        ]
    );
    let (_, bytes) = estat_with(|t| {
        let r = line(t, "95～99歳") - 1;
        t.remove(r);
    });
    assert_eq!(
        census_errors("人口.csv", &bytes),
        [
            "シート「人口」 列「年齢（5歳階級）」: 「95〜99歳」の行がありません（「100歳以上」までを90歳以上にまとめるのに必要です）。"
        ]
    );

    // Nothing above 85〜89歳.
    let (_, bytes) = estat_with(|t| {
        for label in ["90～94歳", "95～99歳", "100歳以上"] {
            let r = line(t, label) - 1;
            t.remove(r);
        }
    });
    assert_eq!(
        census_errors("人口.csv", &bytes),
        ["シート「人口」 列「年齢（5歳階級）」: 「90歳以上」の行がありません。"]
    );
}

#[test]
fn counts_must_be_whole_numbers_from_zero_and_given() {
    let (table, bytes) = estat_with(|t| {
        set(t, "5～9歳", 2, "3,980.5");
        set(t, "10～14歳", 3, "△12");
        set(t, "15～19歳", 2, "x");
        set(t, "20～24歳", 3, "");
        set(t, "20～24歳", 1, "");
    });
    let r = |l: &str| line(&table, l);
    assert_eq!(
        census_errors("人口.csv", &bytes),
        [
            format!(
                "シート「人口」 セルC{0}（行{0}・男）: 5〜9歳・男の人数「3,980.5」は整数で入力してください。",
                r("5～9歳")
            ),
            format!(
                "シート「人口」 セルD{0}（行{0}・女）: 10〜14歳・女の人数「△12」は0以上で入力してください。",
                r("10～14歳")
            ),
            format!(
                "シート「人口」 セルC{0}（行{0}・男）: 15〜19歳・男の人数「x」は数値として読めません。",
                r("15～19歳")
            ),
            format!(
                "シート「人口」 セルD{0}（行{0}・女）: 20〜24歳・女の人数が入力されていません（0人のときは0を入力してください）。",
                r("20～24歳")
            ),
        ]
    );
}

#[test]
fn a_row_total_and_the_total_row_are_checked() {
    let (table, bytes) = estat_with(|t| {
        set(t, "40～44歳", 1, "11,100");
        // 男 of 総数 one short; 女 of 総数 right; 総数 of 総数 = 男 + 女 of that row, so only
        // its sum against the groups is wrong.
        let short = commas(men() - 1);
        set(t, "総数", 2, &short);
        set(t, "総数", 1, &commas(men() - 1 + women()));
    });
    let r = |l: &str| line(&table, l);
    let known_m = men() - UNKNOWN[0];
    let known_all = men() + women() - UNKNOWN[0] - UNKNOWN[1];
    assert_eq!(
        census_errors("人口.csv", &bytes),
        [
            format!(
                "シート「人口」 セルB{0}（行{0}・総数）: 40〜44歳の総数 11,100 が、男 5,680 と女 5,430 の計 11,110 と一致しません。",
                r("40～44歳")
            ),
            format!(
                "シート「人口」 セルB{0}（行{0}・総数）: 総数の行の総数 {1} が、年齢階級の計 {2} と年齢不詳 510 の合計 {3} と一致しません。",
                r("総数"),
                commas(men() + women() - 1),
                commas(known_all),
                commas(men() + women()),
            ),
            format!(
                "シート「人口」 セルC{0}（行{0}・男）: 総数の行の男 {1} が、年齢階級の計 {2} と年齢不詳 312 の合計 {3} と一致しません。",
                r("総数"),
                commas(men() - 1),
                commas(known_m),
                commas(men()),
            ),
        ]
    );
}

#[test]
fn every_problem_of_a_sheet_at_once_and_nothing_partly() {
    let (table, bytes) = estat_with(|t| {
        set(t, "0～4歳", 2, "3420人");
        set(t, "65～69歳", 0, "65～69才");
        let r = line(t, "85～89歳") - 1;
        t.remove(r);
    });
    let r = |l: &str| line(&table, l);
    assert_eq!(
        census_errors("人口.csv", &bytes),
        [
            format!(
                "シート「人口」 セルC{0}（行{0}・男）: 0〜4歳・男の人数「3420人」は数値として読めません。",
                r("0～4歳")
            ),
            format!(
                "シート「人口」 セルA{0}（行{0}・年齢（5歳階級））: 年齢「65～69才」を読めません。「0〜4歳」「90歳以上」「総数」「年齢不詳」のように書いてください。",
                r("65～69才")
            ),
            "シート「人口」 列「年齢（5歳階級）」: 「65〜69歳」の行がありません。".to_owned(),
            "シート「人口」 列「年齢（5歳階級）」: 「85〜89歳」の行がありません。".to_owned(),
        ]
    );
}

#[test]
fn a_sheet_without_a_header_or_without_ages() {
    let no_header = "年齢,人口\n0～4歳,100\n";
    assert_eq!(
        census_errors("人口.csv", no_header.as_bytes()),
        [
            "シート「人口」: 見出しの行（「男」と「女」の列、例:「年齢（5歳階級）」「総数」「男」「女」）が見つかりません。"
        ]
    );
    let counts_first = "男,女,年齢\n1,2,0～4歳\n";
    assert_eq!(
        census_errors("人口.csv", counts_first.as_bytes()),
        [
            "シート「人口」 セルA1（行1・男）: 年齢の列が見つかりません。年齢（「0〜4歳」など）は「男」「女」「総数」の列より左に置いてください。"
        ]
    );
    let single_years = "年齢,男,女\n0歳,10,11\n1歳,12,13\n";
    assert_eq!(
        census_errors("人口.csv", single_years.as_bytes()),
        [
            "シート「人口」 セルA2（行2・年齢）: 年齢「0歳」を読めません。「0〜4歳」「90歳以上」「総数」「年齢不詳」のように書いてください。",
            "シート「人口」 セルA3（行3・年齢）: 年齢「1歳」を読めません。「0〜4歳」「90歳以上」「総数」「年齢不詳」のように書いてください。",
            "シート「人口」: 年齢階級の行（「0〜4歳」…「90歳以上」）が見つかりません。",
        ]
    );
    assert_eq!(
        census_errors("人口.csv", b""),
        ["シート「人口」: シートが空です。"]
    );
    assert_eq!(
        census_errors("人口.txt", b"x"),
        [
            "ファイル「人口.txt」の形式には対応していません。Excelファイル（.xlsx）かCSVファイル（.csv）を指定してください。"
        ]
    );
}

fn actuals(file: &str, bytes: &[u8]) -> Vec<ActualRow> {
    population::read_actuals(file, bytes).unwrap_or_else(|e| {
        panic!(
            "{:#?}",
            e.iter().map(ToString::to_string).collect::<Vec<_>>()
        )
    })
}

fn actual_errors(file: &str, bytes: &[u8]) -> Vec<String> {
    match population::read_actuals(file, bytes) {
        Ok(rows) => panic!("expected errors, read {rows:?}"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn actual(year: i32, total: u64, source: Option<ActualSource>, note: &str, row: u32) -> ActualRow {
    ActualRow {
        year,
        total,
        source,
        note: note.into(),
        row,
    }
}

#[test]
fn actual_totals_with_years_in_every_form() {
    let text = "人口の推移（一関市）\n\n年次,人口,出典,備考\n平成22年,\"127,642\",国勢調査,10月1日現在\nH27,121583,国調,\n令和2年,１１１，９３２,国勢調査,\nR3,\"110,500\",住基,3月31日現在\n2022年,109800,住民基本台帳,\n２０２３,108900,推計人口,\n令和6年（2024年）,－,,\n\n資料：国勢調査、住民基本台帳\n";
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    use ActualSource::{Census, Estimate, ResidentRegister};
    let want = [
        actual(2010, 127_642, Some(Census), "10月1日現在", 4),
        actual(2015, 121_583, Some(Census), "", 5),
        actual(2020, 111_932, Some(Census), "", 6),
        actual(2021, 110_500, Some(ResidentRegister), "3月31日現在", 7),
        actual(2022, 109_800, Some(ResidentRegister), "", 8),
        actual(2023, 108_900, Some(Estimate), "", 9),
    ];
    assert_eq!(actuals("推移.csv", text.as_bytes()), want);
    assert_eq!(actuals("推移.csv", &sjis), want);

    // An XLSX with number years, other header words and no source column.
    let bytes = xlsx(&[(
        "実績",
        vec![
            vec![t("調査年"), t("総人口（人）"), t("注")],
            vec![V::N(2015.0), V::N(121_583.0), t("")],
            vec![V::N(2020.0), V::N(111_932.0), t("速報値から確定値に更新")],
        ],
    )]);
    assert_eq!(
        actuals("実績.xlsx", &bytes),
        [
            actual(2015, 121_583, None, "", 2),
            actual(2020, 111_932, None, "速報値から確定値に更新", 3),
        ]
    );
}

#[test]
fn every_problem_of_the_actual_totals_with_its_cell() {
    let text = "年,人口,出典\n2015,121583,国勢調査\n2015年,121000,住基\n令和2年,12.5,国勢調査\nR3,-100,\n平成,110000,\n1800,100,\n,109000,\n2023,108900,町の調べ\n2024,,推計人口\n2025,2025年は集計中,\n";
    assert_eq!(
        actual_errors("推移.csv", text.as_bytes()),
        [
            "シート「推移」 セルA3（行3・年）: 2015年は2行目にもあります。1つの年は1行にしてください。",
            "シート「推移」 セルB4（行4・人口）: 人口「12.5」は整数で入力してください。",
            "シート「推移」 セルB5（行5・人口）: 人口「-100」は0以上で入力してください。",
            "シート「推移」 セルA6（行6・年）: 年「平成」を読めません（例: 2020、2020年、令和2年、R2、H27）。",
            "シート「推移」 セルA7（行7・年）: 年「1800」は1900年から2300年の間で入力してください。",
            "シート「推移」 セルA8（行8・年）: 年が空ですが、人口が入力されています。",
            "シート「推移」 セルC9（行9・出典）: 出典「町の調べ」を読めません。国勢調査・住民基本台帳・推計人口のいずれかを入力してください。",
            "シート「推移」 セルB10（行10・人口）: 人口が入力されていません。",
            "シート「推移」 セルB11（行11・人口）: 人口「2025年は集計中」は数値として読めません。",
        ]
    );
    assert_eq!(
        actual_errors("推移.csv", "年度,数\n2020,1\n".as_bytes()),
        [
            "シート「推移」: 見出しの行（「年」と「人口」の列。出典・備考の列は任意）が見つかりません。"
        ]
    );
}

/// The text of a part of the XLSX package, e.g. `xl/styles.xml`.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
}

fn stored_census() -> Census {
    let mut counts = expected_counts();
    counts.female[18] = 5_193;
    Census {
        year: 2020,
        source: "国勢調査（令和2年10月1日）".into(),
        counts,
        unknown: UNKNOWN,
        sample: false,
    }
}

/// Every cell of the first sheet of an XLSX as calamine reads it.
fn grid(bytes: &[u8]) -> (String, Vec<Vec<Data>>) {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let rows = range.rows().map(<[Data]>::to_vec).collect();
    (name, rows)
}

#[test]
fn a_filled_template_reads_back_exactly() {
    let census = stored_census();
    let bytes = population::write_census_xlsx(Some(&census), "一関市").unwrap();
    let read = population::read_census("template.xlsx", &bytes).unwrap();
    assert_eq!(read.sheet, population::CENSUS_SHEET_NAME);
    assert_eq!(read.counts, census.counts);
    assert_eq!(read.unknown, census.unknown);
    assert!(read.notes.is_empty(), "{:?}", read.notes);
    assert_eq!(read.census(2020, census.source.clone()), census);

    let (name, rows) = grid(&bytes);
    assert_eq!(name, "年齢別人口");
    assert_eq!(
        rows[0][0].to_string(),
        "一関市　年齢（5歳階級）、男女別人口（2020年）"
    );
    assert!(
        rows[1][0]
            .to_string()
            .starts_with("出典：国勢調査（令和2年10月1日）。")
    );
    assert_eq!(
        rows[2][..4]
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["年齢（5歳階級）", "総数", "男", "女"]
    );
    assert_eq!(rows[3][0].to_string(), "総数");
    assert_eq!(rows[3][1], Data::Float(census.total() as f64));
    assert_eq!(rows[4][0].to_string(), "0〜4歳");
    assert_eq!(rows[4][1..4], [6_680.0, 3_420.0, 3_260.0].map(Data::Float));
    assert_eq!(rows[22][0].to_string(), "90歳以上");
    assert_eq!(rows[23][0].to_string(), "年齢不詳");
    assert_eq!(rows[23][2..4], [312.0, 198.0].map(Data::Float));
    assert_eq!(rows.len(), 24);

    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(r#"<pane xSplit="1" ySplit="3" topLeftCell="B4""#),
        "the header and the ages frozen: {xml}"
    );
    assert!(xml.contains(r#"orientation="landscape""#));
    assert!(
        xml.contains(r#"<dataValidation type="whole" operator="greaterThanOrEqual" allowBlank="1" showInputMessage="1" showErrorMessage="1" errorTitle="人数" error="0以上の整数を入力してください。" sqref="B4:D24"><formula1>0</formula1>"#),
        "whole numbers from 0 in every count cell: {xml}"
    );

    // A census of nobody of unknown age: the row says 0.
    let mut none_unknown = census;
    none_unknown.unknown = [0, 0];
    let bytes = population::write_census_xlsx(Some(&none_unknown), "一関市").unwrap();
    assert_eq!(census_of(&bytes).unknown, [0, 0]);
}

fn census_of(bytes: &[u8]) -> CensusSheet {
    census("template.xlsx", bytes)
}

/// The calamine grid as CSV text, `fill` deciding what goes into each blank count cell.
fn as_csv(rows: &[Vec<Data>], fill: impl Fn(usize, usize) -> Option<String>) -> String {
    let table: Table = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, d)| match d {
                    Data::Empty => fill(r, c).unwrap_or_default(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    csv(&table)
}

#[test]
fn an_empty_template_has_the_labels_and_blanks_that_must_be_filled() {
    let bytes = population::write_census_xlsx(None, "一関市").unwrap();
    let (_, rows) = grid(&bytes);
    assert_eq!(
        rows[0][0].to_string(),
        "一関市　年齢（5歳階級）、男女別人口"
    );
    assert!(
        rows[1][0]
            .to_string()
            .contains("空欄のままでは読み込めません")
    );
    let labels: Vec<String> = rows[3..].iter().map(|r| r[0].to_string()).collect();
    let mut want = vec!["総数".to_owned()];
    want.extend((0..GROUPS).map(keikaku_domain::population::group_label));
    want.push("年齢不詳".to_owned());
    assert_eq!(labels, want);
    for row in &rows[3..] {
        assert_eq!(row[1..4], [Data::Empty, Data::Empty, Data::Empty]);
    }
    assert_eq!(
        census_errors("template.xlsx", &bytes),
        ["シート「年齢別人口」: 男・女の人数が入力されていません。"]
    );

    // Filled in but for two cells: those two are named; a dash is 0.
    let counts = expected_counts();
    let fill = |skip: &[(usize, usize)]| {
        let skip = skip.to_vec();
        as_csv(&rows, move |r, c| {
            if skip.contains(&(r, c)) || !(2..=3).contains(&c) {
                return None;
            }
            match r {
                4..=22 if c == 2 => Some(counts.male[r - 4].to_string()),
                4..=22 => Some(counts.female[r - 4].to_string()),
                23 if c == 2 => Some("-".to_owned()),
                23 => Some("198".to_owned()),
                _ => None,
            }
        })
    };
    assert_eq!(
        census_errors("template.csv", fill(&[(9, 2), (22, 3)]).as_bytes()),
        [
            "シート「template」 セルC10（行10・男）: 25〜29歳・男の人数が入力されていません（0人のときは0を入力してください）。",
            "シート「template」 セルD23（行23・女）: 90歳以上・女の人数が入力されていません（0人のときは0を入力してください）。",
        ]
    );
    let read = census("template.csv", fill(&[]).as_bytes());
    assert_eq!(read.counts, counts);
    assert_eq!(read.unknown, [0, 198]);
    assert_eq!(
        read.notes,
        ["総数の行が空欄のため、合計の検算はしていません。"]
    );
}

/// A population with every group given: 男 100 + i, 女 200 + i, with a fraction.
fn population_of(base: f64) -> BySex<f64> {
    let mut p = BySex::filled(0.0);
    for i in 0..GROUPS {
        p.male[i] = base + i as f64 + 0.25;
        p.female[i] = 2.0 * base + i as f64 + 0.5;
    }
    p
}

fn book() -> ResultBook {
    let summary = |scenario: &str, year: i32, total: f64, bands: [f64; 3]| SummaryRow {
        scenario: scenario.into(),
        year,
        total,
        bands,
        shares: bands.map(|b| Some(b / total * 100.0)),
    };
    let series = |name: &str, points: &[(i32, f64)]| ComparisonColumn {
        name: name.into(),
        values: points.iter().copied().collect::<BTreeMap<_, _>>(),
    };
    ResultBook {
        title: "一関市人口ビジョン　将来人口の推計".into(),
        notes: vec![
            "2020年の年齢不詳（男 312人、女 198人）は、男女それぞれ年齢別の人数に比例して各年齢階級に配分しています。"
                .into(),
        ],
        summary: vec![
            summary(
                "独自推計",
                2020,
                111_932.0,
                [12_345.5, 58_000.25, 41_586.25],
            ),
            summary("独自推計", 2040, 89_123.456, [9_000.0, 41_000.0, 39_123.456]),
            SummaryRow {
                scenario: "移動均衡".into(),
                year: 2040,
                total: 0.0,
                bands: [0.0; 3],
                shares: [None; 3],
            },
        ],
        detail: vec![
            DetailRow {
                scenario: "独自推計".into(),
                year: 2020,
                population: population_of(100.0),
            },
            DetailRow {
                scenario: "独自推計".into(),
                year: 2040,
                population: population_of(80.0),
            },
        ],
        comparison: Comparison {
            columns: vec![
                series("目標人口", &[(2020, 111_932.0), (2040, 95_000.0), (2060, 80_000.0)]),
                series("実績人口", &[(2015, 121_583.0), (2020, 111_932.0)]),
                series("独自推計", &[(2020, 111_932.0), (2040, 89_123.456)]),
                series("社人研推計（平成25年3月）", &[(2040, 82_277.0)]),
            ],
        },
    }
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn texts(row: &[Data]) -> Vec<String> {
    row.iter().map(ToString::to_string).collect()
}

#[test]
fn the_results_workbook_keeps_exact_values_under_its_titles_and_notes() {
    let book = book();
    let bytes = population::write_results_xlsx(&book).unwrap();
    let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(wb.sheet_names(), ["推計結果", "男女・年齢別", "目標と実績"]);

    let s = sheet(&bytes, "推計結果");
    assert_eq!(s[0][0].to_string(), book.title);
    assert!(
        s[1][0]
            .to_string()
            .starts_with("人口は推計値を小数のまま収め")
    );
    assert_eq!(s[2][0].to_string(), book.notes[0]);
    assert_eq!(
        texts(&s[3]),
        [
            "推計",
            "年",
            "総人口",
            "年少人口（0〜14歳）",
            "生産年齢人口（15〜64歳）",
            "老年人口（65歳以上）",
            "年少人口割合（%）",
            "生産年齢人口割合（%）",
            "老年人口割合（%）"
        ]
    );
    assert_eq!(s[4][0], Data::String("独自推計".into()));
    assert_eq!(s[4][1], Data::Float(2020.0));
    assert_eq!(
        s[5][2..6],
        [89_123.456, 9_000.0, 41_000.0, 39_123.456].map(Data::Float),
        "exact, not rounded"
    );
    assert_eq!(s[4][6], Data::Float(12_345.5 / 111_932.0 * 100.0 / 100.0));
    assert_eq!(
        s[6][6..9],
        [Data::Empty, Data::Empty, Data::Empty],
        "no share of 0"
    );
    assert_eq!(s.len(), 7);

    let d = sheet(&bytes, "男女・年齢別");
    assert_eq!(
        texts(&d[3]),
        ["推計", "年", "年齢（5歳階級）", "男", "女", "計"]
    );
    let p = population_of(100.0);
    let men: f64 = p.male.iter().sum();
    let women: f64 = p.female.iter().sum();
    assert_eq!(
        d[4],
        [
            Data::String("独自推計".into()),
            Data::Float(2020.0),
            Data::String("総数".into()),
            Data::Float(men),
            Data::Float(women),
            Data::Float(p.total()),
        ]
    );
    assert_eq!(texts(&d[5])[2], "0〜4歳");
    assert_eq!(d[5][3..6], [100.25, 200.5, 300.75].map(Data::Float));
    assert_eq!(texts(&d[23])[2], "90歳以上");
    assert_eq!(d[24][1], Data::Float(2040.0));
    assert_eq!(d.len(), 4 + 2 * (GROUPS + 1));

    let c = sheet(&bytes, "目標と実績");
    assert_eq!(
        texts(&c[3]),
        [
            "年",
            "目標人口",
            "実績人口",
            "独自推計",
            "社人研推計（平成25年3月）"
        ]
    );
    let years: Vec<Data> = c[4..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(years, [2015.0, 2020.0, 2040.0, 2060.0].map(Data::Float));
    assert_eq!(c[4][1], Data::Empty, "no target in 2015: blank, not 0");
    assert_eq!(c[4][2], Data::Float(121_583.0));
    assert_eq!(
        c[6][1..5],
        [
            Data::Float(95_000.0),
            Data::Empty,
            Data::Float(89_123.456),
            Data::Float(82_277.0)
        ]
    );
}

#[test]
fn the_results_workbook_is_set_up_for_printing_with_formats() {
    let bytes = population::write_results_xlsx(&book()).unwrap();
    // Title, the sheet's note and the book's note above the header on row 4.
    for (sheet, pane) in [
        ("sheet1", r#"<pane xSplit="2" ySplit="4" topLeftCell="C5""#),
        ("sheet2", r#"<pane xSplit="3" ySplit="4" topLeftCell="D5""#),
        ("sheet3", r#"<pane xSplit="1" ySplit="4" topLeftCell="B5""#),
    ] {
        let xml = part(&bytes, &format!("xl/worksheets/{sheet}.xml"));
        assert!(xml.contains(pane), "{sheet}: {xml}");
        assert!(
            xml.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#),
            "{sheet}"
        );
    }
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">推計結果!$4:$4</definedName>"#
        ),
        "{workbook}"
    );
    let styles = part(&bytes, "xl/styles.xml");
    for code in ["#,##0", "0.0%"] {
        assert!(
            styles.contains(&format!(r#"formatCode="{code}""#)),
            "{code}: {styles}"
        );
    }
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap().to_vec()).unwrap()
}

#[test]
fn each_table_as_csv_rounded_to_whole_persons_and_tenths_of_a_percent() {
    let book = book();
    let summary =
        population::write_results_csv(&book, ResultTable::Summary, CsvEncoding::Utf8Bom).unwrap();
    assert_eq!(
        text_of(&summary),
        [
            "推計,年,総人口,年少人口（0〜14歳）,生産年齢人口（15〜64歳）,老年人口（65歳以上）,年少人口割合（%）,生産年齢人口割合（%）,老年人口割合（%）",
            // 12,345.5 → 12,346 (half away from zero); 11.03 %, 51.82 %, 37.15 %.
            "独自推計,2020,111932,12346,58000,41586,11.0,51.8,37.2",
            "独自推計,2040,89123,9000,41000,39123,10.1,46.0,43.9",
            "移動均衡,2040,0,0,0,0,,,",
            "",
        ]
        .join("\r\n")
    );
    let detail =
        population::write_results_csv(&book, ResultTable::Detail, CsvEncoding::Utf8Bom).unwrap();
    let detail = text_of(&detail);
    let lines: Vec<&str> = detail.split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 2 * (GROUPS + 1) + 1);
    assert_eq!(lines[0], "推計,年,年齢（5歳階級）,男,女,計");
    // 男 100.25 … 118.25 sum to 2,075.75; 女 200.5 … 218.5 to 3,980.5, rounded up.
    assert_eq!(lines[1], "独自推計,2020,総数,2076,3981,6056");
    assert_eq!(lines[2], "独自推計,2020,0〜4歳,100,201,301");
    assert_eq!(lines[19], "独自推計,2020,85〜89歳,117,218,335");
    assert_eq!(lines[20], "独自推計,2020,90歳以上,118,219,337");
    assert_eq!(lines[21], "独自推計,2040,総数,1696,3221,4916");
    assert_eq!(lines[22], "独自推計,2040,0〜4歳,80,161,241");

    let comparison =
        population::write_results_csv(&book, ResultTable::Comparison, CsvEncoding::ShiftJis)
            .unwrap();
    let (text, _, malformed) = encoding_rs::SHIFT_JIS.decode(&comparison);
    assert!(!malformed);
    assert_eq!(
        text,
        [
            "年,目標人口,実績人口,独自推計,社人研推計（平成25年3月）",
            "2015,,121583,,",
            "2020,111932,111932,111932,",
            "2040,95000,,89123,82277",
            "2060,80000,,,",
            "",
        ]
        .join("\r\n")
    );
}

#[test]
fn a_csv_or_workbook_refuses_what_it_cannot_hold() {
    let mut book = book();
    book.summary[1].scenario = "𠮷田地区推計".into();
    let error = population::write_results_csv(&book, ResultTable::Summary, CsvEncoding::ShiftJis)
        .unwrap_err();
    assert_eq!(
        error,
        ExportError::Unencodable(vec![Unencodable {
            character: '𠮷',
            row: 3,
            key: "𠮷田地区推計 2040年".into(),
            key_header: "推計".into(),
            header: "推計".into(),
        }])
    );
    assert!(
        population::write_results_csv(&book, ResultTable::Summary, CsvEncoding::Utf8Bom).is_ok()
    );

    let mut book = self::book();
    book.detail[1].population.female[3] = f64::NAN;
    let error = population::write_results_xlsx(&book).unwrap_err();
    assert_eq!(
        error.to_string(),
        "「男女・年齢別」の「独自推計 2040年 総数」の「女」が数値ではありません（無限大または非数）。"
    );
    let error = population::write_results_csv(&book, ResultTable::Detail, CsvEncoding::Utf8Bom)
        .unwrap_err();
    assert!(matches!(error, ExportError::NonFinite { .. }));
    book.comparison.columns[0]
        .values
        .insert(2070, f64::INFINITY);
    let error = population::write_results_csv(&book, ResultTable::Comparison, CsvEncoding::Utf8Bom)
        .unwrap_err();
    assert_eq!(
        error,
        ExportError::NonFinite {
            sheet: "目標と実績".into(),
            row: "2070年".into(),
            column: "目標人口".into(),
        }
    );
}

#[test]
fn an_empty_book_still_has_its_sheets_and_headers() {
    let book = ResultBook {
        title: "一関市人口ビジョン".into(),
        ..ResultBook::default()
    };
    let bytes = population::write_results_xlsx(&book).unwrap();
    let c = sheet(&bytes, "目標と実績");
    // No notes of the book: the header right under the sheet's own note.
    assert!(
        c[1][0]
            .to_string()
            .starts_with("人口は1人単位で表示しています")
    );
    assert_eq!(texts(&c[2]), ["年"]);
    assert_eq!(c.len(), 3);
    for table in ResultTable::ALL {
        let csv = population::write_results_csv(&book, table, CsvEncoding::Utf8Bom).unwrap();
        assert_eq!(
            text_of(&csv).matches("\r\n").count(),
            1,
            "{table:?}: the header only"
        );
    }
}
