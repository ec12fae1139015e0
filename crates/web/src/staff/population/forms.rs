//! What the vision's forms post, read the way clerks type it: numbers with full-width digits,
//! separators and 「−」「△」 for minus; a fertility path as lines of 「年 出生率」; every field
//! by its name, so that a problem finds its field (`survival.M[3]`, `target[2].total` …).

use std::collections::BTreeMap;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::population::{BySex, Derivation, GROUPS, Sex};
use serde::Deserialize;

use crate::staff::extract::StaffFields;

/// A form as posted: every field by name (the last of a name given twice), and the token.
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(crate) struct Posted {
    csrf: Option<String>,
    pub(crate) values: BTreeMap<String, String>,
    /// Fields that may be given several times (checkboxes), in order.
    pub(crate) many: BTreeMap<String, Vec<String>>,
}

impl From<Vec<(String, String)>> for Posted {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut p = Self {
            csrf: None,
            values: BTreeMap::new(),
            many: BTreeMap::new(),
        };
        for (name, value) in pairs {
            if name == "csrf" {
                p.csrf = Some(value);
                continue;
            }
            p.many.entry(name.clone()).or_default().push(value.clone());
            p.values.insert(name, value);
        }
        p
    }
}

impl StaffFields for Posted {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

impl Posted {
    /// A field's text ("" when absent).
    pub(crate) fn get(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// Whether a checkbox was checked.
    pub(crate) fn checked(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Every value of a field given several times.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.many.get(name).cloned().unwrap_or_default()
    }
}

/// A problem of a form: the field's name and why.
pub(crate) type Problem = (String, String);

/// The text as ASCII: full-width digits, signs and separators, minus signs (「−」「－」「△」
/// 「▲」), spaces removed.
fn ascii(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            '．' => '.',
            '，' => ',',
            '＋' => '+',
            '－' | '−' | '△' | '▲' | '‐' => '-',
            'ｅ' | 'Ｅ' => 'e',
            other => other,
        })
        .collect()
}

/// A number as typed (`None`: blank); separators are taken off, a number that is not one is
/// `Err`.
pub(crate) fn number(text: &str) -> Result<Option<f64>, ()> {
    let t = ascii(text).replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

/// A whole number of people as typed (`None`: blank).
pub(crate) fn count(text: &str) -> Result<Option<u64>, ()> {
    let t = ascii(text).replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u64>().map(Some).map_err(|_| ())
}

/// A year as typed: 2030, 2030年, 令和12年, R12.
pub(crate) fn year(text: &str) -> Result<Option<i32>, ()> {
    let t = ascii(text);
    let t = t.trim_end_matches('年');
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(y) = t.parse::<i32>() {
        return Ok(Some(y));
    }
    FiscalYear::parse(&format!("{t}年度"))
        .map(|fy| Some(fy.year()))
        .map_err(|_| ())
}

/// Writes a number so that it reads back the same.
pub(crate) fn number_text(v: f64) -> String {
    format!("{v}")
}

/// The field of a rate: `survival.M[3]`, `migration.F[18]`.
pub(crate) fn rate_field(kind: &str, sex: Sex, group: usize) -> String {
    format!("{kind}.{}[{group}]", sex.key())
}

/// Reads 19 × 2 rates of a kind; every blank or unreadable cell is a problem by its field.
pub(crate) fn rates(
    posted: &Posted,
    kind: &str,
    what: &str,
    problems: &mut Vec<Problem>,
) -> BySex<f64> {
    let mut out = BySex::filled(0.0);
    for sex in Sex::ALL {
        for g in 0..GROUPS {
            let field = rate_field(kind, sex, g);
            let label = format!(
                "{what}（{}・{}）",
                sex.label(),
                keikaku_domain::population::group_label(g)
            );
            match number(&posted.get(&field)) {
                Ok(Some(v)) => out.of_mut(sex)[g] = v,
                Ok(None) => problems.push((field, format!("{label}を入力してください。"))),
                Err(()) => problems.push((
                    field.clone(),
                    format!(
                        "{label}: 「{}」は数値として読めません。",
                        posted.get(&field).trim()
                    ),
                )),
            }
        }
    }
    out
}

/// A derivation as the derive form and a derived scenario's form post it.
pub(crate) fn derivation(
    rule: &str,
    factor: &str,
    base_tfr: &str,
    points: &str,
) -> Result<Derivation, Vec<Problem>> {
    match rule.trim() {
        "zero_migration" => Ok(Derivation::ZeroMigration),
        "scaled_migration" => match number(factor) {
            Ok(Some(factor)) => Ok(Derivation::ScaledMigration { factor }),
            _ => Err(vec![(
                "factor".to_owned(),
                format!(
                    "純移動率に掛ける倍率を数値で入力してください（例: 0.5）。「{}」は読めません。",
                    factor.trim()
                ),
            )]),
        },
        "fertility" => {
            let mut problems = Vec::new();
            let base = match number(base_tfr) {
                Ok(Some(v)) => v,
                _ => {
                    problems.push((
                        "base_tfr".to_owned(),
                        "基準の合計特殊出生率を数値で入力してください（例: 1.45）。".to_owned(),
                    ));
                    0.0
                }
            };
            let mut list = Vec::new();
            for (i, line) in points.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let parts: Vec<&str> = line
                    .split(|c: char| {
                        c.is_whitespace() || matches!(c, ',' | '，' | ':' | '：' | '\t' | '　')
                    })
                    .filter(|p| !p.is_empty())
                    .collect();
                let read = match parts.as_slice() {
                    [y, v] => year(y).ok().flatten().zip(number(v).ok().flatten()),
                    _ => None,
                };
                match read {
                    Some(p) => list.push(p),
                    None => problems.push((
                        "points".to_owned(),
                        format!(
                            "出生率の経路の{}行目「{line}」を読めません。「2030 1.6」のように、年と合計特殊出生率を1行に1組ずつ入力してください。",
                            i + 1
                        ),
                    )),
                }
            }
            if problems.is_empty() {
                Ok(Derivation::Fertility {
                    base_tfr: base,
                    points: list,
                })
            } else {
                Err(problems)
            }
        }
        _ => Err(vec![(
            "rule".to_owned(),
            "導き方を選んでください。".to_owned(),
        )]),
    }
}

/// A fertility path as the form shows it: one 「年 出生率」 per line.
pub(crate) fn points_text(points: &[(i32, f64)]) -> String {
    points
        .iter()
        .map(|(y, v)| format!("{y} {}", number_text(*v)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The derivation rules a form offers: (code, label).
pub(crate) const RULES: [(&str, &str); 3] = [
    ("zero_migration", "移動均衡（純移動率をすべて0にする）"),
    ("scaled_migration", "純移動率に倍率を掛ける"),
    ("fertility", "合計特殊出生率の経路で子ども女性比を変える"),
];

/// The code of a derivation.
pub(crate) fn rule_code(d: &Derivation) -> &'static str {
    match d {
        Derivation::ZeroMigration => "zero_migration",
        Derivation::ScaledMigration { .. } => "scaled_migration",
        Derivation::Fertility { .. } => "fertility",
    }
}
