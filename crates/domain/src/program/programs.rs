//! A program (事業) of the implementation plan as one edition carries it.

use std::fmt;

use rust_decimal::Decimal;

use super::{Funding, FundingProblem};
use crate::ElementRef;
use crate::era::FiscalYear;

/// 事業コード: the code that names a program in every edition (so editions can be compared
/// and rolled): ASCII letters, digits, 「-」 and 「_」, at most 32 characters, as the city's
/// own numbering has it (e.g. `02-01-003`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProgramCode(String);

impl ProgramCode {
    /// Parses a code; full-width letters and digits are refused with the reason.
    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim();
        let ok = !code.is_empty()
            && code.len() <= 32
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(code.to_owned()))
        } else {
            Err(format!(
                "事業コード「{input}」は使えません。半角の英数字・「-」「_」の32文字以内で入力してください。"
            ))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProgramCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! coded {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The stored code.
            pub const fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The label on pages and sheets.
            pub const fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)* }
            }

            /// The value of a stored code.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// The value of a label as people write it (sheets), or of its code.
            pub fn from_label(text: &str) -> Option<Self> {
                let t = text.trim();
                Self::ALL.iter().copied().find(|v| v.label() == t || v.code() == t)
            }
        }
    };
}

coded!(
    /// 事業区分 of a program in an edition.
    ProgramCategory {
        /// 新規.
        New => "new", "新規";
        /// 継続.
        Continued => "continued", "継続";
        /// 拡充.
        Expanded => "expanded", "拡充";
        /// 縮小.
        Reduced => "reduced", "縮小";
        /// 休止.
        Suspended => "suspended", "休止";
        /// 廃止.
        Abolished => "abolished", "廃止";
        /// 完了.
        Completed => "completed", "完了";
    }
);

impl ProgramCategory {
    /// Whether a program of this category ends with its edition (廃止, 完了): it is not
    /// carried into the next.
    pub const fn ends(self) -> bool {
        matches!(self, Self::Abolished | Self::Completed)
    }
}

coded!(
    /// 会計: the account a program is budgeted in.
    Account {
        /// 一般会計.
        General => "general", "一般会計";
        /// 特別会計.
        Special => "special", "特別会計";
        /// 企業会計.
        Enterprise => "enterprise", "企業会計";
    }
);

coded!(
    /// 経費区分.
    ExpenseType {
        /// 投資的経費.
        Investment => "investment", "投資的経費";
        /// その他の経費.
        Other => "other", "その他";
    }
);

/// A program's 事業費 and 財源内訳 of one fiscal year, and the year's target of its activity
/// indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramYear {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// Its cost and funding.
    pub funding: Funding,
    /// The year's target of the activity indicator (活動指標の目標値); `None`: not set.
    pub activity_target: Option<Decimal>,
}

impl ProgramYear {
    /// A year with its funding and no activity target.
    pub fn new(fiscal_year: FiscalYear, funding: Funding) -> Self {
        Self {
            fiscal_year,
            funding,
            activity_target: None,
        }
    }
}

/// The activity indicator (活動指標) of a program: what it does, counted (開催回数, 件数); the
/// first link of its logic model, beside the outcome indicators it contributes to (the
/// indicators among its links). An empty name: none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// 活動指標名, e.g. 「相談会の開催回数」.
    pub name: String,
    /// 単位, e.g. 「回」.
    pub unit: String,
}

impl Activity {
    /// Whether the program has one.
    pub fn is_set(&self) -> bool {
        !self.name.trim().is_empty()
    }
}

/// A program (事業) as an edition of the implementation plan carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// 事業コード, the same in every edition.
    pub code: ProgramCode,
    /// 事業名.
    pub name: String,
    /// 所管課.
    pub department: String,
    /// What it serves: the 施策 (measures) of the comprehensive plan, and optionally priority
    /// projects, strategy measures and indicators — elements of any of the city's plans.
    pub links: Vec<ElementRef>,
    /// 目的.
    pub purpose: String,
    /// 対象.
    pub target_group: String,
    /// 手段.
    pub means: String,
    /// 開始年度.
    pub start_year: FiscalYear,
    /// 終了年度 (`None`: open-ended).
    pub end_year: Option<FiscalYear>,
    /// 会計.
    pub account: Account,
    /// 経費区分.
    pub expense_type: ExpenseType,
    /// 活動指標.
    pub activity: Activity,
    /// 事業区分 in this edition.
    pub category: ProgramCategory,
    /// 事業費 and 財源内訳 per fiscal year the edition covers (a year without an entry is not
    /// entered yet).
    pub years: Vec<ProgramYear>,
    /// Whether it is sample data (サンプル).
    pub sample: bool,
}

/// What is wrong with a program in an edition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramProblem {
    /// An amount for a year the edition does not cover.
    YearOutside(FiscalYear),
    /// Two entries for one year.
    YearTwice(FiscalYear),
    /// The year's funding breaks the identity.
    Funding(FiscalYear, FundingProblem),
    /// It ends before it starts.
    EndsBeforeStart,
    /// A cost entered for a year outside its own period (開始年度 … 終了年度).
    CostOutsidePeriod(FiscalYear),
    /// An activity target that is negative.
    NegativeActivityTarget(FiscalYear),
}

impl ProgramProblem {
    /// What is wrong, in Japanese, with the year where there is one.
    pub fn message(&self) -> String {
        match self {
            Self::YearOutside(y) => format!(
                "{}はこの版の計画期間の外です。",
                crate::format::fiscal_year(*y)
            ),
            Self::YearTwice(y) => {
                format!("{}の事業費が2つあります。", crate::format::fiscal_year(*y))
            }
            Self::Funding(y, p) => format!("{}: {}", crate::format::fiscal_year(*y), p.message()),
            Self::EndsBeforeStart => "終了年度が開始年度より前です。".to_owned(),
            Self::CostOutsidePeriod(y) => format!(
                "{}は事業の期間（開始年度〜終了年度）の外ですが、事業費が入力されています。",
                crate::format::fiscal_year(*y)
            ),
            Self::NegativeActivityTarget(y) => format!(
                "{}の活動指標の目標値が負の値です。",
                crate::format::fiscal_year(*y)
            ),
        }
    }
}

impl Program {
    /// The funding of a year (`None`: not entered).
    pub fn year(&self, year: FiscalYear) -> Option<&Funding> {
        self.years
            .iter()
            .find(|y| y.fiscal_year == year)
            .map(|y| &y.funding)
    }

    /// Every problem of the program in an edition covering `covers`, in order.
    pub fn problems(&self, covers: &[FiscalYear]) -> Vec<ProgramProblem> {
        let mut out = Vec::new();
        if self.end_year.is_some_and(|e| e < self.start_year) {
            out.push(ProgramProblem::EndsBeforeStart);
        }
        let mut seen: Vec<FiscalYear> = Vec::new();
        for y in &self.years {
            if !covers.contains(&y.fiscal_year) {
                out.push(ProgramProblem::YearOutside(y.fiscal_year));
            }
            if seen.contains(&y.fiscal_year) {
                out.push(ProgramProblem::YearTwice(y.fiscal_year));
            }
            seen.push(y.fiscal_year);
            let outside =
                y.fiscal_year < self.start_year || self.end_year.is_some_and(|e| y.fiscal_year > e);
            if outside && y.funding.cost != super::Yen::ZERO {
                out.push(ProgramProblem::CostOutsidePeriod(y.fiscal_year));
            }
            if y.activity_target
                .is_some_and(|t| t.is_sign_negative() && !t.is_zero())
            {
                out.push(ProgramProblem::NegativeActivityTarget(y.fiscal_year));
            }
            out.extend(
                y.funding
                    .problems()
                    .into_iter()
                    .map(|p| ProgramProblem::Funding(y.fiscal_year, p)),
            );
        }
        out
    }
}
