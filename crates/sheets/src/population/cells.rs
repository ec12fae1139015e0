//! Reading the cells of the population sheets: counts of people (whole, never negative, with
//! thousands separators and full-width digits as people type them) and the places of problems.

use crate::error::{SheetError, cell_name, to_u32};
use crate::grid::{Grid, Raw};

/// The largest count a cell may hold: 10 billion, more than any population, so that no sum
/// of a sheet's counts comes near overflowing.
pub(super) const MAX_COUNT: u64 = 10_000_000_000;

/// What a dash alone (「-」, 「－」, 「―」) means in a count cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dash {
    /// 0 people, as statistical tables write it.
    Zero,
    /// No figure, like a blank cell.
    NoValue,
}

/// Reads a count of people: `Ok(None)` for a blank cell (and for a dash when it means no
/// value). `what` names the count in the messages: 「25〜29歳・男の人数」.
pub(super) fn count(raw: &Raw, dash: Dash, what: &str) -> Result<Option<u64>, String> {
    if raw.is_blank() {
        return Ok(None);
    }
    let shown = raw.text();
    let value = match raw.number() {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Ok(match dash {
                Dash::Zero => Some(0),
                Dash::NoValue => None,
            });
        }
        Err(_) if matches!(raw, Raw::Text(_)) => {
            return Err(format!("{what}「{shown}」は数値として読めません。"));
        }
        Err(reason) => return Err(format!("{what}: {reason}")),
    };
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!("{what}「{shown}」は0以上で入力してください。"));
    }
    if !value.fract().is_zero() {
        return Err(format!("{what}「{shown}」は整数で入力してください。"));
    }
    match u64::try_from(value.trunc()) {
        Ok(n) if n <= MAX_COUNT => Ok(Some(n)),
        _ => Err(format!("{what}「{shown}」は大きすぎます。")),
    }
}

/// A count as people read it: 「54,055」.
pub(super) fn people(n: u64) -> String {
    keikaku_domain::format::group_digits(&n.to_string())
}

/// A problem of a grid at a 0-based cell under a column header, or of the sheet as a whole.
pub(super) fn at(
    grid: &Grid,
    cell: Option<(usize, usize)>,
    header: Option<&str>,
    message: String,
) -> SheetError {
    SheetError {
        sheet: grid.name.clone(),
        cell: cell.map(|(r, c)| cell_name(to_u32(r), to_u32(c))),
        row: cell.map(|(r, _)| to_u32(r) + 1),
        header: header.map(str::to_owned),
        message,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn text(s: &str) -> Raw {
        Raw::Text(s.to_owned())
    }

    #[test]
    fn counts_as_statistical_tables_write_them() {
        let ok = [
            (text("1,234"), Some(1234)),
            (text("１２，３４５"), Some(12345)),
            (text(" 7 "), Some(7)),
            (text("-"), Some(0)),
            (text("－"), Some(0)),
            (text("―"), Some(0)),
            (text("0"), Some(0)),
            (Raw::Number(Decimal::from(54_055)), Some(54_055)),
            (Raw::Number("12.0".parse().unwrap_or_default()), Some(12)),
            (Raw::Empty, None),
            (text("  "), None),
        ];
        for (raw, want) in ok {
            assert_eq!(count(&raw, Dash::Zero, "人数"), Ok(want), "{raw:?}");
        }
        assert_eq!(count(&text("-"), Dash::NoValue, "人口"), Ok(None));
        let refused = [
            (text("12.5"), "人数「12.5」は整数で入力してください。"),
            (text("-5"), "人数「-5」は0以上で入力してください。"),
            (text("△3"), "人数「△3」は0以上で入力してください。"),
            (text("x"), "人数「x」は数値として読めません。"),
            (text("…"), "人数「…」は数値として読めません。"),
            (text("12,3a"), "人数「12,3a」は数値として読めません。"),
            (
                text("10,000,000,001"),
                "人数「10,000,000,001」は大きすぎます。",
            ),
            (
                Raw::Bool(true),
                "人数: 真偽値（TRUE）は数値として読めません。",
            ),
        ];
        for (raw, want) in refused {
            assert_eq!(count(&raw, Dash::Zero, "人数"), Err(want.to_owned()));
        }
    }
}
