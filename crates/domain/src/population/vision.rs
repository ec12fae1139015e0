//! The vision itself: the city's target path, the actual totals, reference projections, the
//! strategy's numerical targets it rests on, and the comparison year by year.

use super::{PopulationProblem, YEARS, check_year};
use crate::ElementRef;

/// One point of the target path (目標人口): the total the city aims at in a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetPoint {
    /// The year.
    pub year: i32,
    /// The total aimed at.
    pub total: u64,
}

/// Where an actual total comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActualSource {
    /// 国勢調査 (10月1日).
    Census,
    /// 住民基本台帳 (as of a date the note gives).
    ResidentRegister,
    /// 推計人口 (the prefecture's estimate between censuses).
    Estimate,
}

impl ActualSource {
    /// Every source, in the order forms list them.
    pub const ALL: [Self; 3] = [Self::Census, Self::ResidentRegister, Self::Estimate];

    /// 「国勢調査」, 「住民基本台帳」, 「推計人口」.
    pub fn label(self) -> &'static str {
        match self {
            Self::Census => "国勢調査",
            Self::ResidentRegister => "住民基本台帳",
            Self::Estimate => "推計人口",
        }
    }

    /// The code files and the database use: `census`, `resident_register`, `estimate`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Census => "census",
            Self::ResidentRegister => "resident_register",
            Self::Estimate => "estimate",
        }
    }

    /// The source of a code or a label.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.code() == t || s.label() == t)
            .or(match t {
                "住基" | "住民基本台帳人口" => Some(Self::ResidentRegister),
                "国調" => Some(Self::Census),
                _ => None,
            })
    }
}

/// An actual total of one year (実績値).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActualTotal {
    /// The year.
    pub year: i32,
    /// The population.
    pub total: u64,
    /// Where it comes from.
    pub source: ActualSource,
    /// E.g. 「10月1日現在」「3月31日現在」.
    pub note: String,
}

/// A projection made by someone else (社人研推計, the prefecture's), for comparison: totals
/// by year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Its name, e.g. 「国立社会保障・人口問題研究所 推計（平成25年3月）」.
    pub name: String,
    /// (year, total), by year.
    pub points: Vec<(i32, u64)>,
}

/// The vision's figures and settings (one record per municipality).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PopulationVision {
    /// Whether the public site shows the vision (the target path, the actual totals, the
    /// references and the scenarios marked public).
    pub published: bool,
    /// What the target stands for (将来展望), shown with the path.
    pub target_note: String,
    /// The target path, by year.
    pub target: Vec<TargetPoint>,
    /// The actual totals, by year.
    pub actuals: Vec<ActualTotal>,
    /// Reference projections.
    pub references: Vec<Reference>,
    /// The strategy's numerical targets and KPIs the vision rests on (births, migration …).
    pub links: Vec<ElementRef>,
}

impl PopulationVision {
    /// Every problem, by field (`target[2].year`, `actuals[0].total`, `references[1].name`
    /// …), in the order given: years out of range or given twice, a reference without a name
    /// or points. The order itself is free ([`PopulationVision::sorted`] puts it right).
    pub fn problems(&self) -> Vec<PopulationProblem> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for (i, p) in self.target.iter().enumerate() {
            check_year(&format!("target[{i}].year"), "目標の年", p.year, &mut out);
            if seen.contains(&p.year) {
                out.push(PopulationProblem::new(
                    format!("target[{i}].year"),
                    format!("目標人口の{}年が2回あります。", p.year),
                ));
            }
            seen.push(p.year);
        }
        let mut seen = Vec::new();
        for (i, a) in self.actuals.iter().enumerate() {
            check_year(&format!("actuals[{i}].year"), "実績の年", a.year, &mut out);
            if seen.contains(&a.year) {
                out.push(PopulationProblem::new(
                    format!("actuals[{i}].year"),
                    format!("実績人口の{}年が2回あります。", a.year),
                ));
            }
            seen.push(a.year);
        }
        for (i, r) in self.references.iter().enumerate() {
            if r.name.trim().is_empty() {
                out.push(PopulationProblem::new(
                    format!("references[{i}].name"),
                    "参考推計の名前を入力してください。",
                ));
            }
            if r.points.is_empty() {
                out.push(PopulationProblem::new(
                    format!("references[{i}].points"),
                    "参考推計の年と人口を1つ以上入力してください。",
                ));
            }
            let mut seen = Vec::new();
            for (j, (y, _)) in r.points.iter().enumerate() {
                if !YEARS.contains(y) {
                    out.push(PopulationProblem::new(
                        format!("references[{i}].points[{j}].year"),
                        format!(
                            "参考推計の年（{y}）は{}〜{}年で入力してください。",
                            YEARS.start(),
                            YEARS.end()
                        ),
                    ));
                } else if seen.contains(y) {
                    out.push(PopulationProblem::new(
                        format!("references[{i}].points[{j}].year"),
                        format!("参考推計「{}」の{y}年が2回あります。", r.name),
                    ));
                }
                seen.push(*y);
            }
        }
        out
    }

    /// The vision in its canonical order: target, actuals and reference points by year.
    pub fn sorted(mut self) -> Self {
        self.target.sort_by_key(|p| p.year);
        self.actuals.sort_by_key(|a| a.year);
        for r in &mut self.references {
            r.points.sort_by_key(|p| p.0);
        }
        self
    }
}

/// The target in `year`: the path's value there, or on the straight line between the points
/// around it (rounded to a whole person, half away from zero); `None` outside the path.
pub fn target_at(target: &[TargetPoint], year: i32) -> Option<u64> {
    let mut points: Vec<TargetPoint> = target.to_vec();
    points.sort_by_key(|p| p.year);
    if let Some(p) = points.iter().find(|p| p.year == year) {
        return Some(p.total);
    }
    let after = points.iter().position(|p| p.year > year)?;
    let before = points.get(after.checked_sub(1)?)?;
    let after = points[after];
    let span = i128::from(after.year - before.year);
    let gone = i128::from(year - before.year);
    let diff = i128::from(after.total) - i128::from(before.total);
    // before + diff × gone ÷ span, rounded half away from zero, in integers.
    let scaled = diff * gone;
    let q = scaled / span;
    let r = scaled % span;
    let rounded = if 2 * r.abs() >= span {
        q + scaled.signum()
    } else {
        q
    };
    u64::try_from(i128::from(before.total) + rounded).ok()
}

/// A year's comparison with the target path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gap {
    /// The year.
    pub year: i32,
    /// The target there ([`target_at`]).
    pub target: u64,
    /// The figure compared: an actual total, or a projection's total.
    pub value: f64,
    /// value − target (negative: short of the target).
    pub difference: f64,
}

/// The gap to the target for each (year, value) within the target path.
pub fn gaps(target: &[TargetPoint], values: &[(i32, f64)]) -> Vec<Gap> {
    values
        .iter()
        .filter_map(|&(year, value)| {
            let t = target_at(target, year)?;
            Some(Gap {
                year,
                target: t,
                value,
                difference: value - t as f64,
            })
        })
        .collect()
}
