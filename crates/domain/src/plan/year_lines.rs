//! Lists by fiscal year written as text, one line per year: an indicator's 中間目標値
//! (「令和3年度 105」) and its 定義の変更 (「令和3年度 調査方法を変更」). This is how a clerk
//! types them into a form (or pastes two columns from Excel: the year, a tab, the value) and
//! how the database stores them.
//!
//! Reading is lenient: the year as plans write it (2021, 令和3年度, R3, 平成33年度, full-width
//! digits), then spaces, a tab or 「：」, then the value (full-width digits and thousands
//! separators accepted) or the note; blank lines are skipped. Writing is canonical: the
//! Western year, one space, the value in plain notation or the note, lines joined by `\n`
//! (「2021 105\n2023 108」). Reading a canonical text gives back the same list.
//!
//! ```
//! use keikaku_domain::plan::year_lines;
//! let targets = year_lines::parse_year_values("令和3年度\t１，０５０\nR5 1100").unwrap();
//! assert_eq!(year_lines::year_values_text(&targets), "2021 1050\n2023 1100");
//! let err = year_lines::parse_year_values("2021 105\n来年 110").unwrap_err();
//! assert!(err.starts_with("2行目"));
//! ```

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::era::FiscalYear;
use crate::plan::strategy::{DefinitionChange, YearValue};

/// Splits a line into its year and the rest, at the first space, tab or 「：」.
fn split(line: &str) -> Option<(&str, &str)> {
    let at = line.find(|c: char| c.is_whitespace() || c == ':' || c == '：')?;
    let (year, rest) = line.split_at(at);
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '：');
    Some((year, rest.trim_end()))
}

/// Reads a decimal the way people type it: full-width digits, 「，」 or 「,」 separators,
/// full-width point and minus.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let normal: String = text
        .trim()
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            '．' => Some('.'),
            '－' | '−' => Some('-'),
            ',' | '，' => None,
            other => Some(other),
        })
        .collect();
    Decimal::from_str(&normal).ok()
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn year(n: usize, line: &str, year: &str) -> Result<FiscalYear, String> {
    FiscalYear::parse(year).map_err(|e| format!("{n}行目「{line}」: {}", e.message))
}

/// Reads values by year, one line each (「令和3年度 105」); the message names the line.
pub fn parse_year_values(text: &str) -> Result<Vec<YearValue>, String> {
    lines(text)
        .map(|(n, line)| {
            let (y, v) = split(line).ok_or_else(|| {
                format!(
                    "{n}行目「{line}」: 年度と値を空白で区切ってください（例: 令和3年度 105）。"
                )
            })?;
            let year = year(n, line, y)?;
            let value = parse_decimal(v).ok_or_else(|| {
                format!("{n}行目「{line}」: 「{v}」は数値として読めません（例: 令和3年度 105）。")
            })?;
            Ok(YearValue { value, year })
        })
        .collect()
}

/// Reads notes by year, one line each (「令和3年度 調査方法を変更」); the message names the line.
pub fn parse_definition_changes(text: &str) -> Result<Vec<DefinitionChange>, String> {
    lines(text)
        .map(|(n, line)| {
            let (y, note) = split(line).ok_or_else(|| {
                format!(
                    "{n}行目「{line}」: 年度と内容を空白で区切ってください（例: 令和3年度 調査方法を変更）。"
                )
            })?;
            let year = year(n, line, y)?;
            if note.is_empty() {
                return Err(format!("{n}行目「{line}」: 変更の内容を書いてください。"));
            }
            Ok(DefinitionChange {
                year,
                note: note.to_owned(),
            })
        })
        .collect()
}

/// The canonical text of values by year: 「2021 105\n2023 108」.
pub fn year_values_text(values: &[YearValue]) -> String {
    values
        .iter()
        .map(|v| format!("{} {}", v.year.year(), v.value))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The canonical text of definition changes: 「2021 調査方法を変更」, one per line.
pub fn definition_changes_text(changes: &[DefinitionChange]) -> String {
    changes
        .iter()
        .map(|c| format!("{} {}", c.year.year(), c.note))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_clerks_type_them_and_written_canonically() {
        let v = parse_year_values("\n令和3年度 105\r\nR4：106.5\n2023\t1,100\n 平成33年度  7 \n")
            .unwrap();
        assert_eq!(
            year_values_text(&v),
            "2021 105\n2022 106.5\n2023 1100\n2021 7"
        );
        assert_eq!(parse_year_values(&year_values_text(&v)).unwrap(), v);
        assert_eq!(parse_year_values("  \n").unwrap(), Vec::new());
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = |t: &str| parse_year_values(t).unwrap_err();
        assert!(e("2021").starts_with("1行目「2021」: 年度と値を空白で区切って"));
        assert!(e("2021 105\n\n令和0年度 3").starts_with("3行目「令和0年度 3」: "));
        assert!(e("2021 多い").contains("「多い」は数値として読めません"));
        let d = |t: &str| parse_definition_changes(t).unwrap_err();
        assert!(d("2021：").contains("変更の内容"));
        assert!(d("そのうち 変更").starts_with("1行目"));
    }

    #[test]
    fn notes_keep_their_text() {
        let c = parse_definition_changes("令和3年度 調査方法を変更（郵送→web）\n2024 対象を拡大")
            .unwrap();
        assert_eq!(c[0].note, "調査方法を変更（郵送→web）");
        let text = definition_changes_text(&c);
        assert_eq!(text, "2021 調査方法を変更（郵送→web）\n2024 対象を拡大");
        assert_eq!(parse_definition_changes(&text).unwrap(), c);
    }
}
