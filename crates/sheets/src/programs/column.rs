//! The columns of the program list (事業一覧): their header texts as written, and the headers
//! a reader recognises — the fixed ones by name, the year columns as a fiscal year in any
//! common form with the word of the amount (「R8事業費」, 「令和9年度一般財源」).

use keikaku_domain::era::FiscalYear;
use keikaku_domain::format;
use keikaku_domain::program::{Amount, FundingPart};

use crate::value::{header_key, parse_year_header};

/// A column of the program list that is read back (the place columns 目標 / 分野 / 施策 are
/// for display only and have none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// 事業コード.
    Code,
    /// 事業名.
    Name,
    /// 所管課.
    Department,
    /// 事業区分.
    Category,
    /// 施策など（ID）: the elements the program serves, `plan_id/element_id`.
    Links,
    /// 目的.
    Purpose,
    /// 対象.
    TargetGroup,
    /// 手段.
    Means,
    /// 開始年度.
    StartYear,
    /// 終了年度.
    EndYear,
    /// 会計.
    Account,
    /// 経費区分.
    ExpenseType,
    /// 活動指標.
    ActivityName,
    /// 活動指標の単位.
    ActivityUnit,
    /// サンプル.
    Sample,
    /// A year's 事業費 (in 千円).
    Cost(FiscalYear),
    /// A year's funding source (in 千円).
    Part(FiscalYear, FundingPart),
    /// A year's 活動指標の目標値.
    ActivityTarget(FiscalYear),
}

/// The columns without a year, with their headers.
const FIXED: [(Column, &str); 15] = [
    (Column::Code, "事業コード"),
    (Column::Name, "事業名"),
    (Column::Department, "所管課"),
    (Column::Category, "事業区分"),
    (Column::Links, "施策など（ID）"),
    (Column::Purpose, "目的"),
    (Column::TargetGroup, "対象"),
    (Column::Means, "手段"),
    (Column::StartYear, "開始年度"),
    (Column::EndYear, "終了年度"),
    (Column::Account, "会計"),
    (Column::ExpenseType, "経費区分"),
    (Column::ActivityName, "活動指標"),
    (Column::ActivityUnit, "活動指標の単位"),
    (Column::Sample, "サンプル"),
];

/// The columns a sheet must have to be read.
pub(crate) const REQUIRED: [Column; 5] = [
    Column::Code,
    Column::Name,
    Column::Department,
    Column::Category,
    Column::StartYear,
];

/// What a year column holds; its header is the year followed by the word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum YearField {
    /// 事業費 or a funding source, in 千円.
    Amount(Amount),
    /// 活動指標の目標値.
    ActivityTarget,
}

impl YearField {
    /// The fields of a year, in column order: the six amounts as sheets list them, then the
    /// activity target.
    pub(crate) fn all() -> [Self; 7] {
        let [a, b, c, d, e, f] = Amount::ALL.map(Self::Amount);
        [a, b, c, d, e, f, Self::ActivityTarget]
    }

    const fn word(self) -> &'static str {
        match self {
            Self::Amount(a) => a.label(),
            Self::ActivityTarget => "活動指標の目標値",
        }
    }

    /// The column of this field in a year.
    pub(crate) const fn of(self, year: FiscalYear) -> Column {
        match self {
            Self::Amount(Amount::Cost) => Column::Cost(year),
            Self::Amount(Amount::Part(p)) => Column::Part(year, p),
            Self::ActivityTarget => Column::ActivityTarget(year),
        }
    }
}

impl Column {
    /// The header text as written: 「事業コード」, 「令和8年度（2026年度）事業費」.
    pub fn header(self) -> String {
        match self.year() {
            Some((year, field)) => format!("{}{}", format::fiscal_year(year), field.word()),
            None => FIXED
                .iter()
                .find(|(c, _)| *c == self)
                .map_or_else(String::new, |(_, h)| (*h).to_owned()),
        }
    }

    /// The year and field of a year column.
    pub(crate) const fn year(self) -> Option<(FiscalYear, YearField)> {
        match self {
            Self::Cost(y) => Some((y, YearField::Amount(Amount::Cost))),
            Self::Part(y, p) => Some((y, YearField::Amount(Amount::Part(p)))),
            Self::ActivityTarget(y) => Some((y, YearField::ActivityTarget)),
            _ => None,
        }
    }

    /// The column a header names, as people write it: width and spaces do not matter, a year
    /// may be written in any form [`FiscalYear::parse`] reads, and an amount header may end
    /// in 「（千円）」. `None`: a column the reader does not know (目標, 備考 …).
    pub(crate) fn recognise(text: &str) -> Option<Self> {
        let key = header_key(text);
        if key.is_empty() {
            return None;
        }
        if let Some((c, _)) = FIXED.iter().find(|(_, h)| header_key(h) == key) {
            return Some(*c);
        }
        let key = key.strip_suffix("(千円)").unwrap_or(&key);
        let words = YearField::all().map(|f| (f.word(), f));
        parse_year_header(key, &words, None).map(|(year, field)| field.of(year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap_or_else(|_| FiscalYear::new(2000).expect("2000"))
    }

    #[test]
    fn headers_as_written_are_recognised() {
        let y = fy(2026);
        let mut columns: Vec<Column> = FIXED.iter().map(|(c, _)| *c).collect();
        columns.extend(YearField::all().map(|f| f.of(y)));
        for c in columns {
            assert_eq!(Column::recognise(&c.header()), Some(c), "{}", c.header());
        }
        assert_eq!(Column::Cost(y).header(), "令和8年度（2026年度）事業費");
        assert_eq!(
            Column::ActivityTarget(y).header(),
            "令和8年度（2026年度）活動指標の目標値"
        );
    }

    #[test]
    fn headers_as_people_write_them() {
        let y = fy(2026);
        let cases = [
            ("R8事業費", Column::Cost(y)),
            ("Ｒ８ 事業費", Column::Cost(y)),
            (
                "令和9年度一般財源",
                Column::Part(fy(2027), FundingPart::General),
            ),
            (
                "2026年度 国庫支出金",
                Column::Part(y, FundingPart::National),
            ),
            (
                "平成38年度県支出金",
                Column::Part(y, FundingPart::Prefectural),
            ),
            (
                "２０２６地方債（千円）",
                Column::Part(y, FundingPart::Bonds),
            ),
            ("R8その他", Column::Part(y, FundingPart::Other)),
            ("事業費（R8）", Column::Cost(y)),
            ("施策など(ID)", Column::Links),
            (" 事業コード ", Column::Code),
        ];
        for (text, column) in cases {
            assert_eq!(Column::recognise(text), Some(column), "{text}");
        }
        for other in [
            "目標",
            "分野",
            "施策",
            "備考",
            "R8",
            "2026",
            "事業費",
            "R8国・県支出金",
            "",
        ] {
            assert_eq!(Column::recognise(other), None, "{other}");
        }
    }
}
