//! Writing a table as CSV the way Excel on Japanese Windows opens it with a double click:
//! CRLF line ends, UTF-8 with a BOM or Shift_JIS (CP932). Characters outside CP932 are
//! reported with their place ([`Unencodable`]), never replaced — but for the few that Unicode
//! and Windows write differently (〜 WAVE DASH and ～, — and ―, − and －, ‖ ¢ £ ¬ ¦), which
//! CP932 writes as Windows does.
//!
//! A text field that a spreadsheet would take for a formula (one beginning with `=`, `+`,
//! `-`, `@`, a tab or a carriage return, that is not a number) is written with a leading `'`,
//! so that opening the file never runs it (CSV injection); reading takes the `'` off again.

use encoding_rs::SHIFT_JIS;

use crate::error::{ExportError, Unencodable, to_u32};

/// The character encoding of a CSV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 beginning with a byte order mark, so that Excel does not take it for CP932.
    Utf8Bom,
    /// Shift_JIS as Windows writes it (CP932, the WHATWG `Shift_JIS`).
    ShiftJis,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A table to write: the header row, then one line per row with the row's key (for the
/// places of [`Unencodable`] characters).
pub(crate) struct CsvTable {
    /// The header of the key column: 「指標ID」, 「事業コード」.
    pub key_header: String,
    /// The header row.
    pub headers: Vec<String>,
    /// Each row's key and fields.
    pub rows: Vec<(String, Vec<String>)>,
}

/// The characters whose CP932 form is another code point: (Unicode's, Windows').
const WINDOWS_FORMS: [(char, char); 8] = [
    ('\u{301C}', '\u{FF5E}'), // 〜 → ～
    ('\u{2014}', '\u{2015}'), // — → ―
    ('\u{2212}', '\u{FF0D}'), // − → －
    ('\u{2016}', '\u{2225}'), // ‖ → ∥
    ('\u{00A2}', '\u{FFE0}'), // ¢ → ￠
    ('\u{00A3}', '\u{FFE1}'), // £ → ￡
    ('\u{00AC}', '\u{FFE2}'), // ¬ → ￢
    ('\u{00A6}', '\u{FFE4}'), // ¦ → ￤
];

/// A field as Windows' CP932 writes it (see [`WINDOWS_FORMS`]).
fn windows_forms(field: &str) -> String {
    field
        .chars()
        .map(|c| {
            WINDOWS_FORMS
                .iter()
                .find(|(u, _)| *u == c)
                .map_or(c, |(_, w)| *w)
        })
        .collect()
}

/// Whether a field would be taken for a formula by a spreadsheet: it begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return, and is not a number.
fn looks_like_formula(field: &str) -> bool {
    let starts = field
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    starts && field.trim().parse::<f64>().is_err()
}

/// A field as written: a would-be formula gets a leading `'`.
fn guard(field: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(field) {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// A field as read: the `'` [`guard`] added is taken off.
pub(crate) fn unguard(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => field,
    }
}

/// Writes the table in the encoding; with [`CsvEncoding::ShiftJis`], every character CP932
/// cannot hold is returned ([`ExportError::Unencodable`]) with its line, its row's key and
/// its column's header.
pub(crate) fn write(table: &CsvTable, encoding: CsvEncoding) -> Result<Vec<u8>, ExportError> {
    let converted;
    let table = if encoding == CsvEncoding::ShiftJis {
        converted = CsvTable {
            key_header: table.key_header.clone(),
            headers: table.headers.iter().map(|h| windows_forms(h)).collect(),
            rows: table
                .rows
                .iter()
                .map(|(k, f)| (k.clone(), f.iter().map(|x| windows_forms(x)).collect()))
                .collect(),
        };
        &converted
    } else {
        table
    };
    if encoding == CsvEncoding::ShiftJis {
        let bad = unencodable(table);
        if !bad.is_empty() {
            return Err(ExportError::Unencodable(bad));
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let header = std::iter::once(&table.headers);
    for fields in header.chain(table.rows.iter().map(|(_, f)| f)) {
        writer
            .write_record(fields.iter().map(|f| guard(f).into_owned()))
            .map_err(|e| ExportError::Write(e.to_string()))?;
    }
    let text = writer
        .into_inner()
        .map_err(|e| ExportError::Write(e.to_string()))?;
    Ok(match encoding {
        CsvEncoding::Utf8Bom => [BOM, &text].concat(),
        CsvEncoding::ShiftJis => {
            let text = String::from_utf8_lossy(&text);
            SHIFT_JIS.encode(&text).0.into_owned()
        }
    })
}

/// Every character of the table that CP932 cannot hold, in reading order.
fn unencodable(table: &CsvTable) -> Vec<Unencodable> {
    let header = std::iter::once(("", &table.headers));
    let lines = header.chain(table.rows.iter().map(|(k, f)| (k.as_str(), f)));
    let mut out = Vec::new();
    for (i, (key, fields)) in lines.enumerate() {
        for (field, header) in fields.iter().zip(&table.headers) {
            if !SHIFT_JIS.encode(field).2 {
                continue;
            }
            let mut buf = [0u8; 4];
            for c in field.chars() {
                if SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2 {
                    out.push(Unencodable {
                        character: c,
                        row: to_u32(i + 1),
                        key: key.to_owned(),
                        key_header: table.key_header.clone(),
                        header: header.clone(),
                    });
                }
            }
        }
    }
    out
}
