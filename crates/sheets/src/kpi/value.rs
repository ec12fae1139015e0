//! The KPI sheet's year headers: a fiscal year with 目標値 / 目標 / 実績値 / 実績 beside it
//! (「令和元年度実績値」, 「R3 目標」), or a bare year (「H27」, 「２０１５」), which is 実績値.

use keikaku_domain::era::FiscalYear;

use super::ValueColumn;

/// Words beside a year that say which value the column holds.
const AFFIXES: [(&str, ValueColumn); 4] = [
    ("目標値", ValueColumn::Target),
    ("実績値", ValueColumn::Actual),
    ("目標", ValueColumn::Target),
    ("実績", ValueColumn::Actual),
];

/// Reads a year column's header: a fiscal year with an optional 目標値 / 目標 / 実績値 / 実績
/// before or after it; a bare year is 実績値. `None` for any other header.
pub(crate) fn parse_year_header(text: &str) -> Option<(FiscalYear, ValueColumn)> {
    crate::value::parse_year_header(text, &AFFIXES, Some(ValueColumn::Actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_headers_in_every_common_form() {
        let fy = |y| FiscalYear::new(y).unwrap_or_else(|_| FiscalYear::new(2000).expect("2000"));
        let cases = [
            ("H27", 2015, ValueColumn::Actual),
            ("平成27年度", 2015, ValueColumn::Actual),
            ("R1", 2019, ValueColumn::Actual),
            ("令和元年度", 2019, ValueColumn::Actual),
            ("2015年度", 2015, ValueColumn::Actual),
            ("2015", 2015, ValueColumn::Actual),
            ("２０１５", 2015, ValueColumn::Actual),
            ("Ｒ２", 2020, ValueColumn::Actual),
            ("令和7年度（2025年度）目標値", 2025, ValueColumn::Target),
            ("令和7年度（2025年度）実績値", 2025, ValueColumn::Actual),
            ("R3 目標", 2021, ValueColumn::Target),
            ("実績値（令和元年度）", 2019, ValueColumn::Actual),
            ("H30_実績", 2018, ValueColumn::Actual),
            ("2019.0", 2019, ValueColumn::Actual),
        ];
        for (text, year, column) in cases {
            assert_eq!(parse_year_header(text), Some((fy(year), column)), "{text}");
        }
        for other in [
            "基準値",
            "基準年度",
            "目標年度",
            "目標値",
            "進捗率（%）",
            "評価",
            "備考",
            "指標名",
            "1",
            "",
        ] {
            assert_eq!(parse_year_header(other), None, "{other}");
        }
    }
}
