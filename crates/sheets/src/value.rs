//! Reading what people type into cells, for every sheet: values (「1,234.5」, 「１２３」,
//! 「95.5%」, 「△3」, and 「―」 for no value), headers compared without width or spaces, and
//! year headers (「H27」, 「令和元年度実績値」, 「R8事業費」, 「２０１５」).

use keikaku_domain::era::FiscalYear;
use rust_decimal::Decimal;

/// Dashes that mean "no value given" when they are a cell's whole text.
const NO_VALUE: [char; 7] = [
    '-',        // HYPHEN-MINUS
    '－',       // FULLWIDTH HYPHEN-MINUS
    '―',        // HORIZONTAL BAR
    '—',        // EM DASH
    '–',        // EN DASH
    '‐',        // HYPHEN
    '\u{2212}', // MINUS SIGN
];

/// Whether a text cell means "no value given": blank, or one of the dashes alone.
pub(crate) fn is_no_value(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || (t.chars().count() == 1 && t.chars().all(|c| NO_VALUE.contains(&c)))
}

/// Full-width ASCII (U+FF01–U+FF5E) folded to ASCII; other characters kept.
pub(crate) fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

/// A header as compared with the known names: width folded, every space removed.
pub(crate) fn header_key(text: &str) -> String {
    fold_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Reads a value typed as text. `Ok(None)` only for blank or a dash; the error is the Japanese
/// sentence for the user.
pub(crate) fn parse_text(text: &str) -> Result<Option<Decimal>, String> {
    if is_no_value(text) {
        return Ok(None);
    }
    let refused = || format!("「{}」は数値として読めません。", text.trim());
    let folded = fold_width(text.trim());
    let mut s = folded.trim();
    if let Some(rest) = s.strip_suffix('%') {
        s = rest.trim_end();
    }
    let (negative, body) = match s.chars().next() {
        Some('△' | '▲' | '-') => (true, &s[s.chars().next().map_or(0, char::len_utf8)..]),
        Some('+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if !valid_integer_part(int) || frac.is_some_and(|f| f.is_empty() || !all_digits(f)) {
        return Err(refused());
    }
    let digits: String = int.chars().filter(|c| *c != ',').collect();
    let plain = match frac {
        Some(f) => format!("{}{digits}.{f}", if negative { "-" } else { "" }),
        None => format!("{}{digits}", if negative { "-" } else { "" }),
    };
    plain
        .parse::<Decimal>()
        .map(Some)
        .map_err(|_| format!("「{}」は大きすぎて扱えません。", text.trim()))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Digits, or digits grouped by three with commas (「1,234,567」).
fn valid_integer_part(int: &str) -> bool {
    if !int.contains(',') {
        return all_digits(int);
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or_default();
    all_digits(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && all_digits(g))
}

/// Reads a number that a spreadsheet stored as f64, through its shortest round-trip text
/// (so 105.5 stays 105.5, never 105.4999…).
pub(crate) fn parse_float(f: f64) -> Result<Decimal, String> {
    let text = format!("{f}");
    text.parse::<Decimal>()
        .map_err(|_| format!("数値「{text}」は大きすぎて扱えません。"))
}

/// Separators and brackets around a year or its affix: 「R1_実績」, 「実績値（令和元年度）」.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || "_・/:：-()（）[]［］【】「」".contains(c)
}

/// Reads a year column's header: a fiscal year with one of the sheet's `affixes` (the words
/// that say what the column holds: 「目標値」, 「事業費」) before or after it, or a bare year,
/// which means `bare` (`None`: a bare year is no column of the sheet). `None` for any other
/// header.
pub(crate) fn parse_year_header<T: Copy>(
    text: &str,
    affixes: &[(&str, T)],
    bare: Option<T>,
) -> Option<(FiscalYear, T)> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    for &(word, column) in affixes {
        let rest = t.strip_suffix(word).or_else(|| t.strip_prefix(word));
        if let Some(rest) = rest {
            // 「令和7年度（2025年度）目標値」 keeps its brackets; 「実績値（令和元年度）」 loses them.
            let year = year_of(rest.trim()).or_else(|| year_of(rest.trim_matches(is_separator)));
            return year.map(|fy| (fy, column));
        }
    }
    bare.and_then(|column| year_of(t).map(|fy| (fy, column)))
}

fn year_of(text: &str) -> Option<FiscalYear> {
    if text.is_empty() {
        return None;
    }
    // A number header written by a program may read 「2019.0」.
    let text = text.strip_suffix(".0").unwrap_or(text);
    FiscalYear::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn values_are_read_as_people_type_them() {
        let ok = [
            ("105.5", "105.5"),
            ("1,234,567.25", "1234567.25"),
            ("１２３", "123"),
            ("１，２３４．５", "1234.5"),
            ("95.5%", "95.5"),
            ("95.5 ％", "95.5"),
            ("△3", "-3"),
            ("▲1,000", "-1000"),
            ("－5", "-5"),
            ("-0.5", "-0.5"),
            (" 7 ", "7"),
            ("+2", "2"),
        ];
        for (text, want) in ok {
            assert_eq!(parse_text(text), Ok(Some(d(want))), "{text}");
        }
        for none in ["", "  ", "―", "－", "-", "　"] {
            assert_eq!(parse_text(none), Ok(None), "{none:?}");
        }
        for bad in [
            "12,3a", "1,23", "12人", "1.2.3", "1e3", "abc", "1.", ".5", "--",
        ] {
            assert!(parse_text(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_text("12,3a"),
            Err("「12,3a」は数値として読めません。".to_owned())
        );
    }

    #[test]
    fn floats_go_through_their_shortest_text() {
        assert_eq!(parse_float(105.5), Ok(d("105.5")));
        assert_eq!(parse_float(0.1 + 0.2), Ok(d("0.30000000000000004")));
        assert_eq!(parse_float(2019.0), Ok(d("2019")));
    }
}
