//! How values are written for people: fiscal years in 和暦 with the Western year, periods,
//! values with their year, numbers with thousands separators and amounts in 千円. The pages,
//! the API's labels and (later) the reports and spreadsheets all format through here, so that
//! a year or an amount reads the same everywhere.
//!
//! ```
//! use keikaku_domain::era::FiscalYear;
//! use keikaku_domain::format;
//! assert_eq!(format::fiscal_year(FiscalYear::new(2025).unwrap()), "令和7年度（2025年度）");
//! assert_eq!(format::group_digits("1234567.5"), "1,234,567.5");
//! assert_eq!(format::thousand_yen(1_234_500), 1_235);
//! assert_eq!(format::percent("95.454545".parse().unwrap(), 2), "95.45%");
//! ```

use crate::era::{FiscalYear, YearStyle};
use crate::plan::Period;
use crate::plan::strategy::YearValue;

/// How years are shown: 「令和7年度（2025年度）」.
pub const YEAR_STYLE: YearStyle = YearStyle::WarekiWithWestern;

/// A fiscal year as pages show it.
pub fn fiscal_year(fy: FiscalYear) -> String {
    fy.format(YEAR_STYLE)
}

/// A fiscal year where it stands inside brackets already, so brackets do not nest:
/// 「令和7年度・2025年度」, as in 「105.5人（令和7年度・2025年度）」.
pub fn fiscal_year_inline(fy: FiscalYear) -> String {
    format!(
        "{}・{}",
        fy.format(YearStyle::Wareki),
        fy.format(YearStyle::Western)
    )
}

/// A calendar year (a census year, a year of a projection) as pages show it: 「令和7年（2025年）」,
/// the era being the one in effect on 1 October (the census day), so 2019 is 令和元年; a year
/// before 明治 is written 「1850年」.
pub fn calendar_year(year: i32) -> String {
    let day = crate::era::CivilDate::new(year, 10, 1).ok();
    match day.and_then(crate::era::Era::of_date) {
        Some(ey) => format!("{ey}（{year}年）"),
        None => format!("{year}年"),
    }
}

/// A period as pages show it.
pub fn period(p: &Period) -> String {
    p.format(YEAR_STYLE)
}

/// A span of fiscal years: 「令和3年度（2021年度）〜令和7年度（2025年度）」.
pub fn span(start: FiscalYear, end: FiscalYear) -> String {
    format!("{}〜{}", fiscal_year(start), fiscal_year(end))
}

/// 「105.5人（令和元年度・2019年度）」, or 「―」 when there is no value.
pub fn year_value(v: &Option<YearValue>, unit: &str) -> String {
    match v {
        Some(v) => format!(
            "{}{unit}（{}）",
            group_digits(&v.value.to_string()),
            fiscal_year(v.year)
        ),
        None => "―".to_owned(),
    }
}

/// 「105.5人（令和元年度・2019年度）」 with the indicator's display decimals (`None`: as
/// entered), or 「―」 when there is no value.
pub fn year_value_in(v: &Option<YearValue>, unit: &str, decimals: Option<u32>) -> String {
    match v {
        Some(v) => format!(
            "{}{unit}（{}）",
            value(v.value, decimals),
            fiscal_year_inline(v.year)
        ),
        None => "―".to_owned(),
    }
}

/// An indicator's value with thousands separators, rounded half away from zero (四捨五入) to
/// `decimals` places with trailing zeros kept (`None`: the digits as entered): 「1,234.50」.
pub fn value(value: rust_decimal::Decimal, decimals: Option<u32>) -> String {
    match decimals {
        Some(d) => {
            let rounded = value
                .round_dp_with_strategy(d, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            group_digits(&format!("{rounded:.prec$}", prec = d as usize))
        }
        None => group_digits(&value.to_string()),
    }
}

/// Thousands separators for the integer part of a decimal string: 「1,234.5」.
pub fn group_digits(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// How an amount in yen becomes whole 千円 on pages, sheets and reports: the one rounding
/// rule for money, chosen per edition of the 実施計画 (四捨五入 by default). Totals are summed
/// in yen and rounded once, so a total may differ from the sum of the rounded rows; every
/// table with totals says so with [`Rounding::note`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// 四捨五入: half away from zero.
    #[default]
    HalfUp,
    /// 切り捨て: towards zero.
    Down,
    /// 切り上げ: away from zero.
    Up,
}

impl Rounding {
    /// Every rule, in the order a form offers them.
    pub const ALL: [Self; 3] = [Self::HalfUp, Self::Down, Self::Up];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::HalfUp => "half_up",
            Self::Down => "down",
            Self::Up => "up",
        }
    }

    /// The rule of a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The Japanese name of the rule.
    pub const fn label(self) -> &'static str {
        match self {
            Self::HalfUp => "四捨五入",
            Self::Down => "切り捨て",
            Self::Up => "切り上げ",
        }
    }

    /// The amount in whole 千円 by this rule (negative amounts mirror positive ones).
    pub fn thousands(self, yen: i64) -> i64 {
        let (q, r) = (yen / 1_000, yen % 1_000);
        let away = match self {
            Self::HalfUp => r.abs() >= 500,
            Self::Down => false,
            Self::Up => r != 0,
        };
        if away { q + yen.signum() } else { q }
    }

    /// The amount as a 千円 column shows it: 「1,235」.
    pub fn thousands_text(self, yen: i64) -> String {
        group_digits(&self.thousands(yen).to_string())
    }

    /// The sentence printed next to every table of amounts in 千円.
    pub fn note(self) -> String {
        let done = match self {
            Self::HalfUp => "四捨五入している",
            Self::Down => "切り捨てている",
            Self::Up => "切り上げている",
        };
        format!(
            "単位：千円。金額は千円未満を{done}ため、合計と内訳の計が一致しない場合があります。"
        )
    }
}

/// An amount in yen as 千円, rounded half away from zero (四捨五入), the default rule of
/// [`Rounding`]: plan sheets show 事業費 in thousands of yen.
pub fn thousand_yen(yen: i64) -> i64 {
    Rounding::HalfUp.thousands(yen)
}

/// An amount in yen as a 千円 column shows it: 「1,235」.
pub fn thousand_yen_text(yen: i64) -> String {
    Rounding::HalfUp.thousands_text(yen)
}

/// Decimal places of a rate (進捗率・達成率) shown to people, unless a plan sets its own.
pub const PERCENT_DECIMALS: u32 = 1;

/// A rate in percent rounded half away from zero (四捨五入) to `decimals` places, with its
/// trailing zeros kept (「50.0%」): the one rounding rule for rates shown on pages, sheets and
/// reports; the rate itself stays exact.
pub fn percent(value: rust_decimal::Decimal, decimals: u32) -> String {
    let rounded = value.round_dp_with_strategy(
        decimals,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    format!(
        "{}%",
        group_digits(&format!("{rounded:.prec$}", prec = decimals as usize))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_by_each_rounding_rule() {
        for (yen, half, down, up) in [
            (0, 0, 0, 0),
            (1, 0, 0, 1),
            (499, 0, 0, 1),
            (500, 1, 0, 1),
            (1_000, 1, 1, 1),
            (1_499, 1, 1, 2),
            (1_500, 2, 1, 2),
            (-1_500, -2, -1, -2),
            (-1, 0, 0, -1),
        ] {
            assert_eq!(Rounding::HalfUp.thousands(yen), half, "{yen}");
            assert_eq!(Rounding::Down.thousands(yen), down, "{yen}");
            assert_eq!(Rounding::Up.thousands(yen), up, "{yen}");
        }
        assert_eq!(Rounding::default(), Rounding::HalfUp);
        for r in Rounding::ALL {
            assert_eq!(Rounding::from_code(r.code()), Some(r));
        }
        assert!(Rounding::Down.note().contains("千円未満を切り捨て"));
    }

    #[test]
    fn indicator_values_use_their_display_decimals() {
        let d = |s: &str| s.parse::<rust_decimal::Decimal>().expect("a decimal");
        assert_eq!(value(d("1234.5"), None), "1,234.5");
        assert_eq!(value(d("1234.5"), Some(0)), "1,235");
        assert_eq!(value(d("1.6"), Some(2)), "1.60");
        assert_eq!(value(d("-2.25"), Some(1)), "-2.3");
        let v = Some(YearValue {
            value: d("95"),
            year: FiscalYear::new(2020).expect("a year"),
        });
        assert_eq!(
            year_value_in(&v, "%", Some(1)),
            "95.0%（令和2年度・2020年度）"
        );
        assert_eq!(year_value_in(&None, "%", Some(1)), "―");
    }

    #[test]
    fn rates_round_half_away_from_zero_and_keep_their_places() {
        let d = |s: &str| s.parse::<rust_decimal::Decimal>().expect("a decimal");
        assert_eq!(percent(d("50"), 1), "50.0%");
        assert_eq!(percent(d("95.4545454545"), 2), "95.45%");
        assert_eq!(percent(d("95.45"), 1), "95.5%");
        assert_eq!(percent(d("-12.25"), 1), "-12.3%");
        assert_eq!(percent(d("1234.5"), 0), "1,235%");
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits("1234567"), "1,234,567");
        assert_eq!(group_digits("-1234.56"), "-1,234.56");
        assert_eq!(group_digits("100"), "100");
        assert_eq!(group_digits("0.5"), "0.5");
        assert_eq!(group_digits("123456"), "123,456");
    }

    #[test]
    fn thousands_of_yen_round_half_away_from_zero() {
        for (yen, expected) in [
            (0, 0),
            (499, 0),
            (500, 1),
            (1_499, 1),
            (1_500, 2),
            (-499, 0),
            (-500, -1),
            (-1_500, -2),
            (123_456_789, 123_457),
        ] {
            assert_eq!(thousand_yen(yen), expected, "{yen}");
        }
        assert_eq!(thousand_yen_text(1_234_567_890), "1,234,568");
    }
}
