//! The errors every sheet shares: why a sheet could not be written ([`ExportError`], with the
//! characters Shift_JIS cannot hold as [`Unencodable`]) and a problem of a sheet being read
//! with its place ([`SheetError`]), and the A1 names of cells they are placed at.

use std::fmt;

/// Why a sheet could not be written. Messages are Japanese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// A KPI row has not one year cell per year of the sheet.
    YearCount {
        /// The row's key.
        key: String,
        /// The number of years of the sheet.
        expected: usize,
        /// The number of year cells the row has.
        found: usize,
    },
    /// A row of the 実施計画's totals (集計) has not one amount per year of the sheet.
    TotalsYearCount {
        /// The section's title.
        section: String,
        /// The row's label (区分).
        label: String,
        /// The number of years of the sheet.
        expected: usize,
        /// The number of years the row has.
        found: usize,
    },
    /// A value to write is not a number (infinite or NaN), which no sheet can hold.
    NonFinite {
        /// The sheet or table, e.g. 「推計結果」.
        sheet: String,
        /// The row, by its key: 「独自推計 2040年」.
        row: String,
        /// The column's header.
        column: String,
    },
    /// The XLSX or CSV writer failed (its message).
    Write(String),
    /// Characters that Shift_JIS (CP932) cannot hold, every one of them.
    Unencodable(Vec<Unencodable>),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::YearCount {
                key,
                expected,
                found,
            } => write!(
                f,
                "指標ID「{key}」の行には年度が{expected}個あるはずですが、{found}個です。"
            ),
            Self::TotalsYearCount {
                section,
                label,
                expected,
                found,
            } => write!(
                f,
                "集計「{section}」の「{label}」の行には年度が{expected}個あるはずですが、{found}個です。"
            ),
            Self::NonFinite { sheet, row, column } => write!(
                f,
                "「{sheet}」の「{row}」の「{column}」が数値ではありません（無限大または非数）。"
            ),
            Self::Write(e) => write!(f, "ファイルを作成できません: {e}"),
            Self::Unencodable(chars) => {
                f.write_str("Shift_JIS（CP932）で書けない文字があります。UTF-8で出力するか、文字を置き換えてください。")?;
                for c in chars {
                    write!(f, "\n{c}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ExportError {}

/// A character that Shift_JIS (CP932) cannot hold, and where it is in the CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unencodable {
    /// The character.
    pub character: char,
    /// The CSV line, 1-based (the header row is line 1).
    pub row: u32,
    /// The key of the row (指標ID, 事業コード; empty on the header row).
    pub key: String,
    /// The header of the key's column: 「指標ID」, 「事業コード」.
    pub key_header: String,
    /// The header of the column.
    pub header: String,
}

impl fmt::Display for Unencodable {
    /// 「2行目（指標ID「001」）「指標名」の「𠮷」（U+20BB7）」.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.key.is_empty() {
            format!("{}行目「{}」", self.row, self.header)
        } else {
            format!(
                "{}行目（{}「{}」）「{}」",
                self.row, self.key_header, self.key, self.header
            )
        };
        write!(
            f,
            "{at}の「{}」（U+{:04X}）",
            self.character, self.character as u32
        )
    }
}

/// A problem of a sheet being read, with its place. Its Display is the Japanese message a
/// user sees: 「シート「KPI評価」 セルD7（行7・令和元年度（2019年度）実績値）: 「12,3a」は数値として読めません。」
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetError {
    /// The sheet (empty when the file itself could not be read).
    pub sheet: String,
    /// The cell, e.g. "D7".
    pub cell: Option<String>,
    /// The row, 1-based.
    pub row: Option<u32>,
    /// The column as it was understood (「令和元年度（2019年度）実績値」), or its header text.
    pub header: Option<String>,
    /// What is wrong, in Japanese.
    pub message: String,
}

impl SheetError {
    /// A problem of the file as a whole (unreadable, of an unknown type): no sheet, no cell.
    pub(crate) fn file(message: String) -> Self {
        Self {
            sheet: String::new(),
            cell: None,
            row: None,
            header: None,
            message,
        }
    }
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if !self.sheet.is_empty() {
            place.push(format!("シート「{}」", self.sheet));
        }
        let detail = match (self.row, &self.header) {
            (Some(r), Some(h)) => Some(format!("行{r}・{h}")),
            (Some(r), None) => Some(format!("行{r}")),
            (None, Some(h)) => Some(format!("列「{h}」")),
            (None, None) => None,
        };
        match (&self.cell, detail) {
            (Some(c), Some(d)) => place.push(format!("セル{c}（{d}）")),
            (Some(c), None) => place.push(format!("セル{c}")),
            (None, Some(d)) => place.push(d),
            (None, None) => {}
        }
        if place.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", place.join(" "), self.message)
        }
    }
}

impl std::error::Error for SheetError {}

/// The A1 name of a cell from 0-based row and column: (6, 3) → "D7".
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), row + 1)
}

/// The letters of a 0-based column: 0 → "A", 26 → "AA".
pub(crate) fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(r).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A count or index as a row or column number of a sheet (sheets are far below `u32::MAX`).
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(6, 3), "D7");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn errors_name_their_place() {
        let e = SheetError {
            sheet: "KPI評価".into(),
            cell: Some("D7".into()),
            row: Some(7),
            header: Some("令和元年度（2019年度）実績値".into()),
            message: "「12,3a」は数値として読めません。".into(),
        };
        assert_eq!(
            e.to_string(),
            "シート「KPI評価」 セルD7（行7・令和元年度（2019年度）実績値）: 「12,3a」は数値として読めません。"
        );
    }

    #[test]
    fn an_unencodable_character_names_its_row_by_its_key() {
        let c = |key: &str, key_header: &str| Unencodable {
            character: '𠮷',
            row: 3,
            key: key.into(),
            key_header: key_header.into(),
            header: "事業名".into(),
        };
        assert_eq!(
            c("02-01-003", "事業コード").to_string(),
            "3行目（事業コード「02-01-003」）「事業名」の「𠮷」（U+20BB7）"
        );
        assert_eq!(
            c("", "事業コード").to_string(),
            "3行目「事業名」の「𠮷」（U+20BB7）"
        );
    }
}
