//! A program's cost of one fiscal year and where the money comes from.

use super::Yen;

/// One of the funding sources (財源) of a program's cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FundingPart {
    /// 国庫支出金.
    National,
    /// 県支出金.
    Prefectural,
    /// 地方債.
    Bonds,
    /// その他（特定財源）.
    Other,
    /// 一般財源.
    General,
}

impl FundingPart {
    /// Every funding source, in the order plan sheets list them.
    pub const ALL: [Self; 5] = [
        Self::National,
        Self::Prefectural,
        Self::Bonds,
        Self::Other,
        Self::General,
    ];

    /// The stored code (also the API's and the plan file's key).
    pub const fn code(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::Prefectural => "prefectural",
            Self::Bonds => "bonds",
            Self::Other => "other",
            Self::General => "general",
        }
    }

    /// The label on pages and sheets.
    pub const fn label(self) -> &'static str {
        match self {
            Self::National => "国庫支出金",
            Self::Prefectural => "県支出金",
            Self::Bonds => "地方債",
            Self::Other => "その他",
            Self::General => "一般財源",
        }
    }

    /// The part of this code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// 事業費 and its 財源内訳 for one program and fiscal year, in yen. The identity
/// 事業費 = 国庫支出金 + 県支出金 + 地方債 + その他 + 一般財源, every amount ≥ 0, is checked
/// by [`Funding::problems`], never assumed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Funding {
    /// 事業費.
    pub cost: Yen,
    /// 国庫支出金.
    pub national: Yen,
    /// 県支出金.
    pub prefectural: Yen,
    /// 地方債.
    pub bonds: Yen,
    /// その他（特定財源）.
    pub other: Yen,
    /// 一般財源.
    pub general: Yen,
}

/// How a [`Funding`] breaks the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingProblem {
    /// 事業費 below zero.
    NegativeCost(Yen),
    /// A funding source below zero.
    NegativePart(FundingPart, Yen),
    /// An amount above [`Funding::LIMIT`] (事業費 or a funding source, by its label).
    TooLarge(&'static str, Yen),
    /// The funding sources do not add up to the cost (`sum` is `None` when the sum does not
    /// even fit in an amount).
    Mismatch {
        /// The sum of the funding sources.
        sum: Option<Yen>,
        /// 事業費.
        cost: Yen,
    },
}

/// An amount in 千円, or in yen when it is not whole thousands (「-1円」 rather than 「0千円」).
fn shown(y: Yen) -> String {
    if y.yen() % 1_000 == 0 {
        y.thousands_text()
    } else {
        y.to_string()
    }
}

impl FundingProblem {
    /// What is wrong, in Japanese, amounts in 千円 as the sheets show them (the exact yen in
    /// brackets where rounding could hide the difference).
    pub fn message(&self) -> String {
        match self {
            Self::NegativeCost(y) => format!("事業費 {} が負の値です。", shown(*y)),
            Self::NegativePart(p, y) => format!("{} {} が負の値です。", p.label(), shown(*y)),
            Self::TooLarge(label, y) => format!(
                "{label} {} が大きすぎます（1事業・1年度あたり10兆円まで）。",
                y.thousands_text()
            ),
            Self::Mismatch { sum: Some(s), cost } => {
                let exact = if s.thousands_text() == cost.thousands_text() {
                    format!("（{s} と {cost}）")
                } else {
                    String::new()
                };
                format!(
                    "財源の合計 {} が事業費 {} と一致しません{exact}。",
                    s.thousands_text(),
                    cost.thousands_text()
                )
            }
            Self::Mismatch { sum: None, cost } => format!(
                "財源の合計が大きすぎて計算できません（事業費 {}）。",
                cost.thousands_text()
            ),
        }
    }
}

impl Funding {
    /// The largest amount one program may have in one year: 10兆円, above any municipality's
    /// whole budget. The bound keeps every total of an edition (and of a national deployment's
    /// aggregates) far inside the range of [`Yen`], so sums never overflow.
    pub const LIMIT: Yen = Yen::new(10_000_000_000_000);

    /// A cost paid wholly from 一般財源.
    pub fn general_only(cost: Yen) -> Self {
        Self {
            cost,
            general: cost,
            ..Self::default()
        }
    }

    /// The amount of a funding source.
    pub fn part(&self, part: FundingPart) -> Yen {
        match part {
            FundingPart::National => self.national,
            FundingPart::Prefectural => self.prefectural,
            FundingPart::Bonds => self.bonds,
            FundingPart::Other => self.other,
            FundingPart::General => self.general,
        }
    }

    /// The sum of the funding sources, or `None` when it does not fit.
    pub fn parts_sum(&self) -> Option<Yen> {
        Yen::checked_sum(FundingPart::ALL.map(|p| self.part(p)))
    }

    /// Every way it breaks the identity (empty: it holds).
    pub fn problems(&self) -> Vec<FundingProblem> {
        let mut out = Vec::new();
        if self.cost.is_negative() {
            out.push(FundingProblem::NegativeCost(self.cost));
        }
        if self.cost > Self::LIMIT {
            out.push(FundingProblem::TooLarge("事業費", self.cost));
        }
        for p in FundingPart::ALL {
            if self.part(p).is_negative() {
                out.push(FundingProblem::NegativePart(p, self.part(p)));
            }
            if self.part(p) > Self::LIMIT {
                out.push(FundingProblem::TooLarge(p.label(), self.part(p)));
            }
        }
        let sum = self.parts_sum();
        if sum != Some(self.cost) {
            out.push(FundingProblem::Mismatch {
                sum,
                cost: self.cost,
            });
        }
        out
    }

    /// The sum of two years' or programs' amounts, part by part, saturating at the largest
    /// amount (unreachable for amounts within [`Funding::LIMIT`]: totals of aggregates).
    pub fn saturating_add(&self, other: &Self) -> Self {
        let add = |a: Yen, b: Yen| Yen::new(a.yen().saturating_add(b.yen()));
        Self {
            cost: add(self.cost, other.cost),
            national: add(self.national, other.national),
            prefectural: add(self.prefectural, other.prefectural),
            bonds: add(self.bonds, other.bonds),
            other: add(self.other, other.other),
            general: add(self.general, other.general),
        }
    }

    /// The sum of two years' or programs' amounts, part by part (`None`: does not fit).
    pub fn checked_add(&self, other: &Self) -> Option<Self> {
        Some(Self {
            cost: self.cost.checked_add(other.cost)?,
            national: self.national.checked_add(other.national)?,
            prefectural: self.prefectural.checked_add(other.prefectural)?,
            bonds: self.bonds.checked_add(other.bonds)?,
            other: self.other.checked_add(other.other)?,
            general: self.general.checked_add(other.general)?,
        })
    }
}
