//! The evaluation sheet as CSV: the header row and one line per indicator (no title row),
//! CRLF line ends, UTF-8 with a BOM or Shift_JIS (CP932) — the two forms Excel on Japanese
//! Windows opens with a double click. Characters outside CP932 are reported, never replaced.

use encoding_rs::SHIFT_JIS;

use super::table::{self, Cell};
use super::{EvaluationSheet, ExportError, Unencodable};

/// The character encoding of a CSV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 beginning with a byte order mark, so that Excel does not take it for CP932.
    Utf8Bom,
    /// Shift_JIS as Windows writes it (CP932, the WHATWG `Shift_JIS`).
    ShiftJis,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes the sheet as CSV. Values are plain decimals without thousands separators, with the
/// row's decimal places; rates are rounded like the XLSX's; a missing value is an empty field.
/// With [`CsvEncoding::ShiftJis`], every character CP932 cannot hold is returned
/// ([`ExportError::Unencodable`]) with its line, its row's key and its column's header.
pub fn to_csv(sheet: &EvaluationSheet, encoding: CsvEncoding) -> Result<Vec<u8>, ExportError> {
    let table = table::build(sheet)?;
    let headers: Vec<String> = table.columns.iter().map(|(h, _)| h.clone()).collect();
    let mut lines: Vec<(String, Vec<String>)> = vec![(String::new(), headers.clone())];
    for row in &table.rows {
        let fields = row.cells.iter().map(field).collect();
        lines.push((row.key.clone(), fields));
    }
    if encoding == CsvEncoding::ShiftJis {
        let bad = unencodable(&lines, &headers);
        if !bad.is_empty() {
            return Err(ExportError::Unencodable(bad));
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for (_, fields) in &lines {
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

fn field(cell: &Cell) -> String {
    match cell {
        Cell::Blank => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Number { value, decimals } => table::plain(*value, *decimals),
    }
}

/// Every character of the lines that CP932 cannot hold, in reading order.
fn unencodable(lines: &[(String, Vec<String>)], headers: &[String]) -> Vec<Unencodable> {
    let mut out = Vec::new();
    for (i, (key, fields)) in lines.iter().enumerate() {
        for (field, header) in fields.iter().zip(headers) {
            if !SHIFT_JIS.encode(field).2 {
                continue;
            }
            let mut buf = [0u8; 4];
            for c in field.chars() {
                if SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2 {
                    out.push(Unencodable {
                        character: c,
                        row: u32::try_from(i + 1).unwrap_or(u32::MAX),
                        key: key.clone(),
                        header: header.clone(),
                    });
                }
            }
        }
    }
    out
}
