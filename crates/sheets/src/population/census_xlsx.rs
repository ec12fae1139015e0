//! The census template: the layout [`super::read_census`] reads, as an XLSX a clerk fills in
//! (empty) or checks (filled from a stored census) — a title row, a note row, the header
//! 「年齢（5歳階級）・総数・男・女」, the 総数 row, the nineteen age groups and 年齢不詳.

use keikaku_domain::population::{Census, GROUPS, Sex, group_label};
use rust_decimal::Decimal;
use rust_xlsxwriter::{DataValidation, DataValidationRule, Workbook, Worksheet, XlsxError};

use super::ExportError;
use crate::xlsx_write::{Formats, set_up_page, write_decimal, write_error};

/// The template's sheet name (「人口」 in it makes [`super::read_census`] prefer it).
pub const CENSUS_SHEET_NAME: &str = "年齢別人口";

/// The 0-based row of the header (row 3 as Excel shows it).
const HEADER_ROW: u32 = 2;

const HEADERS: [&str; 4] = ["年齢（5歳階級）", "総数", "男", "女"];

/// The note of an empty template: what to enter, and that a blank is not 0.
const EMPTY_NOTE: &str = "男・女の列に人数を入力してください（0人は0。空欄のままでは読み込めません）。総数の列と総数の行は検算に使います（空欄のままでもかまいません）。90歳以上は国勢調査の90〜94歳・95〜99歳・100歳以上の合計です（この行を3行に分けて入力しても読み込めます）。";

/// Writes the census template as an XLSX workbook with one sheet, 「年齢別人口」.
///
/// With a census, every count is filled in (総数 = 男 + 女 on each row, the 総数 row the sum
/// of the age groups and 年齢不詳), so that [`super::read_census`] reads the same counts and
/// 年齢不詳 back. Without one, the age labels are there and every count is blank: a blank is
/// refused when read, so a row the clerk missed is never taken for 0. The count cells accept
/// whole numbers from 0 only (Excel's data validation).
pub fn write_census_xlsx(
    census: Option<&Census>,
    municipality_name: &str,
) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    write(workbook.add_worksheet(), census, municipality_name).map_err(write_error)?;
    workbook.save_to_buffer().map_err(write_error)
}

/// The rows under the header: label and (男, 女) when filled.
fn rows(census: Option<&Census>) -> Vec<(String, Option<[u64; 2]>)> {
    let mut out = vec![(
        "総数".to_owned(),
        census.map(|c| Sex::ALL.map(|s| c.known(s).saturating_add(c.unknown(s)))),
    )];
    for i in 0..GROUPS {
        let counts = census.map(|c| [c.counts.male[i], c.counts.female[i]]);
        out.push((group_label(i), counts));
    }
    out.push(("年齢不詳".to_owned(), census.map(|c| c.unknown)));
    out
}

fn write(ws: &mut Worksheet, census: Option<&Census>, name: &str) -> Result<(), XlsxError> {
    let mut formats = Formats::new();
    ws.set_name(CENSUS_SHEET_NAME)?;
    let title = match census {
        Some(c) => format!("{name}　年齢（5歳階級）、男女別人口（{}年）", c.year),
        None => format!("{name}　年齢（5歳階級）、男女別人口"),
    };
    ws.write_string_with_format(0, 0, title, &formats.title)?;
    let note = match census {
        Some(c) => format!(
            "出典：{}。総数には年齢不詳を含みます。人数を直すときは、総数の列と総数の行も合わせてください（読み込むときに検算します）。",
            c.source
        ),
        None => EMPTY_NOTE.to_owned(),
    };
    ws.write_string_with_format(1, 0, note, &formats.remark)?;
    for (c, header) in (0u16..).zip(HEADERS) {
        ws.write_string_with_format(HEADER_ROW, c, header, &formats.header)?;
        ws.set_column_width(c, if c == 0 { 18 } else { 14 })?;
    }
    let number = formats.number("#,##0");
    let mut r = HEADER_ROW;
    for (label, counts) in rows(census) {
        r += 1;
        ws.write_string_with_format(r, 0, label, &formats.text)?;
        match counts {
            Some([m, f]) => {
                let values = [m.saturating_add(f), m, f].map(Decimal::from);
                for (c, v) in (1u16..).zip(values) {
                    write_decimal(ws, (r, c), v, &number, || v.to_string())?;
                }
            }
            None => {
                for c in 1..=3 {
                    ws.write_blank(r, c, &number)?;
                }
            }
        }
    }
    let validation = DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_error_title("人数")?
        .set_error_message("0以上の整数を入力してください。")?;
    ws.add_data_validation(HEADER_ROW + 1, 1, r, 3, &validation)?;
    set_up_page(ws, HEADER_ROW, 1)
}
