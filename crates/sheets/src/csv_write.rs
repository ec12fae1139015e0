//! Writing a table as CSV the way Excel on Japanese Windows opens it with a double click:
//! CRLF line ends, UTF-8 with a BOM or Shift_JIS (CP932). Characters outside CP932 are
//! reported with their place ([`Unencodable`]), never replaced.

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

/// Writes the table in the encoding; with [`CsvEncoding::ShiftJis`], every character CP932
/// cannot hold is returned ([`ExportError::Unencodable`]) with its line, its row's key and
/// its column's header.
pub(crate) fn write(table: &CsvTable, encoding: CsvEncoding) -> Result<Vec<u8>, ExportError> {
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
            .write_record(fields)
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
