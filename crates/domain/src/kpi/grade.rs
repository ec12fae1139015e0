//! Grade scales (評価の段階) per plan: thresholds on the rate and their labels, applied to
//! an [`Outcome`], and the roll-up that counts grades per objective, goal, field or plan.

use rust_decimal::Decimal;

use super::evaluate::{Outcome, RateKind};

/// One grade: its label and the lowest rate (percent) that earns it; the last grade of a
/// scale has no threshold and takes everything below the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    /// Label shown (A, ◎ …).
    pub label: String,
    /// The lowest rate in percent that earns it (`None`: the lowest grade).
    pub at_least: Option<Decimal>,
}

/// A plan's grade scale: which rate it grades and the grades, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeScale {
    /// The rate graded (進捗率 or 達成率).
    pub basis: RateKind,
    /// The grades, best first; thresholds descending; the last without a threshold.
    pub grades: Vec<Grade>,
}

/// The label of an outcome that has no grade.
pub const UNEVALUABLE: &str = "評価不能";

fn grade(label: &str, at_least: Option<i64>) -> Grade {
    Grade {
        label: label.to_owned(),
        at_least: at_least.map(Decimal::from),
    }
}

impl GradeScale {
    /// The default scale: A ≥ 100 %, B ≥ 80 %, C ≥ 50 %, D below.
    pub fn letters(basis: RateKind) -> Self {
        Self {
            basis,
            grades: vec![
                grade("A", Some(100)),
                grade("B", Some(80)),
                grade("C", Some(50)),
                grade("D", None),
            ],
        }
    }

    /// The ◎ ○ △ × preset with the same thresholds.
    pub fn marks(basis: RateKind) -> Self {
        Self {
            basis,
            grades: vec![
                grade("◎", Some(100)),
                grade("○", Some(80)),
                grade("△", Some(50)),
                grade("×", None),
            ],
        }
    }

    /// What is wrong with a scale a plan defines, in Japanese (empty: usable).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.grades.len() < 2 {
            out.push("評価の段階は2つ以上必要です。".to_owned());
        }
        for (i, g) in self.grades.iter().enumerate() {
            let last = i + 1 == self.grades.len();
            if g.label.trim().is_empty() {
                out.push(format!("{}番目の段階に名前がありません。", i + 1));
            }
            if self.grades[..i].iter().any(|o| o.label == g.label) {
                out.push(format!("段階の名前「{}」が重複しています。", g.label));
            }
            match (g.at_least, last) {
                (Some(_), true) => {
                    out.push("最後の段階には下限を付けません（それ未満のすべて）。".to_owned());
                }
                (None, false) => out.push(format!("段階「{}」に下限がありません。", g.label)),
                _ => {}
            }
            if let (Some(this), Some(Some(before))) = (
                g.at_least,
                i.checked_sub(1).map(|j| self.grades[j].at_least),
            ) && this >= before
            {
                out.push(format!(
                    "段階「{}」の下限は、一つ上の段階の下限より小さくしてください。",
                    g.label
                ));
            }
        }
        out
    }

    /// The scale's grades as text, one per line: `A=100`, …, and the last label alone — how
    /// storage keeps it and how the settings form shows it.
    pub fn grades_text(&self) -> String {
        self.grades
            .iter()
            .map(|g| match g.at_least {
                Some(min) => format!("{}={}", g.label, min.normalize()),
                None => g.label.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Reads [`GradeScale::grades_text`] (`≥` may stand for `=`; blank lines are skipped) and
    /// checks the result; every problem is returned in Japanese.
    pub fn parse(basis: RateKind, text: &str) -> Result<Self, Vec<String>> {
        let mut grades = Vec::new();
        let mut problems = Vec::new();
        for (i, line) in text.lines().map(str::trim).enumerate() {
            if line.is_empty() {
                continue;
            }
            let line = line.replace(['≥', '＝'], "=");
            match line.split_once('=') {
                None => grades.push(Grade {
                    label: line.clone(),
                    at_least: None,
                }),
                Some((label, min)) => {
                    match min.trim().trim_end_matches(['%', '％']).parse::<Decimal>() {
                        Ok(min) => grades.push(Grade {
                            label: label.trim().to_owned(),
                            at_least: Some(min),
                        }),
                        Err(_) => problems.push(format!(
                            "{}行目: 「{}」は下限の数値として読めません。",
                            i + 1,
                            min.trim()
                        )),
                    }
                }
            }
        }
        let scale = Self { basis, grades };
        problems.extend(scale.problems());
        if problems.is_empty() {
            Ok(scale)
        } else {
            Err(problems)
        }
    }

    /// The grade of a rate in percent.
    pub fn of_rate(&self, percent: Decimal) -> Option<&Grade> {
        self.grades
            .iter()
            .find(|g| g.at_least.is_none_or(|min| percent >= min))
    }

    /// The grade of an outcome: a rate by its threshold; a maintain-type indicator within its
    /// band the best grade, outside it the lowest; `None` when not evaluable (評価不能).
    pub fn of(&self, outcome: &Outcome) -> Option<&Grade> {
        match outcome {
            Outcome::Rate { percent, .. } => self.of_rate(*percent),
            Outcome::Maintained { within: true, .. } => self.grades.first(),
            Outcome::Maintained { within: false, .. } => self.grades.last(),
            Outcome::Unevaluable(_) => None,
        }
    }

    /// How many outcomes got each grade (in the scale's order) and how many were not
    /// evaluable: the roll-up of an objective, a goal, a field or a plan.
    pub fn tally<'a>(&self, outcomes: impl IntoIterator<Item = &'a Outcome>) -> Tally {
        let mut counts: Vec<(String, usize)> =
            self.grades.iter().map(|g| (g.label.clone(), 0)).collect();
        let mut unevaluable = 0;
        for outcome in outcomes {
            match self
                .of(outcome)
                .and_then(|g| counts.iter_mut().find(|(l, _)| *l == g.label))
            {
                Some((_, n)) => *n += 1,
                None => unevaluable += 1,
            }
        }
        Tally {
            counts,
            unevaluable,
        }
    }
}

/// Grades counted: each label with its number, in the scale's order, and the 評価不能.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Each grade's label and count.
    pub counts: Vec<(String, usize)>,
    /// How many could not be evaluated.
    pub unevaluable: usize,
}

impl Tally {
    /// Counts grades already given (`None`: 評価不能) under the labels of a scale, in its
    /// order — how a published report, which keeps grades as labels, is rolled up. A label
    /// the scale lacks (a scale changed since) is counted after the others.
    pub fn of_grades<'a>(
        labels: &[String],
        grades: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Self {
        let mut counts: Vec<(String, usize)> = labels.iter().map(|l| (l.clone(), 0)).collect();
        let mut unevaluable = 0;
        for grade in grades {
            match grade {
                None => unevaluable += 1,
                Some(g) => match counts.iter_mut().find(|(l, _)| l == g) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((g.to_owned(), 1)),
                },
            }
        }
        Self {
            counts,
            unevaluable,
        }
    }

    /// Every outcome counted.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum::<usize>() + self.unevaluable
    }
}
