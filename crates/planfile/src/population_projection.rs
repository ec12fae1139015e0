//! One population projection as JSON, outside any stored scenario (`keikaku population
//! project`, `docs/population.md`): its input read by hand, like the plan file, so that every
//! problem comes back with its JSON path, and its result written by serde.
//!
//! The input:
//!
//! ```json
//! {
//!   "base_year": 2015,
//!   "steps": 9,
//!   "pop":       {"M": [19 numbers], "F": [19 numbers]},
//!   "survival":  {"M": [19 numbers], "F": [19 numbers]},
//!   "migration": {"M": [19 numbers], "F": [19 numbers]},
//!   "cwr": 0.21,
//!   "sex_ratio": 105.2
//! }
//! ```
//!
//! Index 0 is ages 0–4 and 18 is 90+. `survival[18]` is the share of the 90+ still alive five
//! years later; `migration[a]` is the net migrants over five years per person of group `a` at
//! the start of a step (negative for a net outflow); `cwr` (子ども女性比) is one number for
//! every step or a list of one per step; `sex_ratio` is boys per 100 girls aged 0–4
//! (`keikaku_projection::Assumptions::sex_ratio`). The numbers map onto
//! [`keikaku_projection::Input`] one to one; the projection's own checks
//! ([`Input::problems`]) decide which values are allowed (a net migration rate may be
//! negative as long as survival plus migration is not).
//!
//! Members other than these seven are refused with their path: a misspelt member (`sexratio`)
//! would otherwise be ignored silently, and a later version of the format can give new
//! members a meaning without old files having meant something else by them.
//!
//! The result, [`ProjectedYear`] per year from the base year on, is written one year per line
//! with every number in Rust's shortest round-trip form, so reading it back gives the same
//! bits.

use keikaku_domain::population::YEARS;
use keikaku_projection::{Assumptions, Cohorts, GROUPS, Input, MAX_STEPS, Rates, Step};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::FileProblem;
use crate::population_vision_read::parse_json;
use crate::read::{Obj, Reader};

/// The members of the input, in the order the documentation gives them.
const MEMBERS: &[&str] = &[
    "base_year",
    "steps",
    "pop",
    "survival",
    "migration",
    "cwr",
    "sex_ratio",
];

/// Reads one projection's input (see the module); every problem with its JSON path
/// (`$.survival.M[3]`, `$.cwr`), those of the shape and those of the values alike.
pub fn read_projection_input(text: &str) -> Result<Input, Vec<FileProblem>> {
    let value = parse_json(text)?;
    let mut r = Reader {
        problems: Vec::new(),
        version: 2,
    };
    if !value.is_object() {
        // Not an input at all: one problem, not one per missing member.
        r.object(&value, "$", &[]);
        return Err(r.problems);
    }
    let o = r.object(&value, "$", MEMBERS);
    let base_year = base_year(&mut r, o);
    let steps = steps(&mut r, o);
    let population = cohorts(&mut r, o, "pop");
    let survival = cohorts(&mut r, o, "survival");
    let migration = cohorts(&mut r, o, "migration");
    let child_woman_ratio = cwr(&mut r, o);
    let sex_ratio = match r.member(o, "sex_ratio", "$") {
        Some(v) => number(&mut r, v, "$.sex_ratio"),
        None => f64::NAN,
    };
    let input = Input {
        base_year,
        steps: steps.unwrap_or(1),
        population,
        assumptions: Assumptions {
            survival: Rates::Constant(survival),
            migration: Rates::Constant(migration),
            child_woman_ratio,
            sex_ratio,
        },
    };
    // The values' own problems, as the projection states them. A value that could not be read
    // stands as NaN (JSON has no way to write one), so the projection's "not a number" about
    // it is left out: the problem of reading it already says what to fix.
    let unread = unread_cells(&input);
    for p in input.problems() {
        let path = format!("$.{}", p.path);
        let on_unread_steps = steps.is_none() && path == "$.cwr";
        if !on_unread_steps && !unread.contains(&path) {
            r.problem(&path, p.message);
        }
    }
    if r.problems.is_empty() {
        Ok(input)
    } else {
        Err(r.problems)
    }
}

fn base_year(r: &mut Reader, o: &Obj) -> i32 {
    let fallback = *YEARS.start();
    let Some(v) = r.member(o, "base_year", "$") else {
        return fallback;
    };
    match v.as_i64() {
        Some(y) => match i32::try_from(y).ok().filter(|y| YEARS.contains(y)) {
            Some(y) => y,
            None => {
                r.problem(
                    "$.base_year",
                    format!(
                        "基準年「{y}」は{}年から{}年の間で入力してください。",
                        YEARS.start(),
                        YEARS.end()
                    ),
                );
                fallback
            }
        },
        None => {
            r.problem(
                "$.base_year",
                "基準年は整数（例: 2015）である必要があります。",
            );
            fallback
        }
    }
}

/// The number of steps, `None` when it could not be read or is out of range (reported).
fn steps(r: &mut Reader, o: &Obj) -> Option<usize> {
    let v = r.member(o, "steps", "$")?;
    let n = match (v.as_u64(), v.as_i64()) {
        (Some(n), _) => i128::from(n),
        (None, Some(n)) => i128::from(n),
        (None, None) => {
            r.problem(
                "$.steps",
                format!("推計の期数は1〜{MAX_STEPS}の整数である必要があります。"),
            );
            return None;
        }
    };
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_STEPS).contains(&n) => Some(n),
        _ => {
            r.problem(
                "$.steps",
                format!("推計の期数は1〜{MAX_STEPS}です（{n}）。"),
            );
            None
        }
    }
}

/// A number at `at`; NaN (and a problem) when it is not one.
fn number(r: &mut Reader, v: &Value, at: &str) -> f64 {
    match v.as_f64() {
        Some(n) if n.is_finite() => n,
        Some(_) => {
            r.problem(at, "数値が大きすぎます。");
            f64::NAN
        }
        None => {
            r.problem(at, "数値である必要があります。");
            f64::NAN
        }
    }
}

/// `{"M": [19 numbers], "F": [19 numbers]}` at `$.key`; a value not read stays NaN.
fn cohorts(r: &mut Reader, o: &Obj, key: &str) -> Cohorts {
    let mut out = Cohorts::filled(f64::NAN);
    let Some(v) = r.member(o, key, "$") else {
        return out;
    };
    let path = format!("$.{key}");
    let by_sex = r.object(v, &path, &["M", "F"]);
    sex(r, by_sex, "M", &path, &mut out.male);
    sex(r, by_sex, "F", &path, &mut out.female);
    out
}

fn sex(r: &mut Reader, o: &Obj, key: &str, path: &str, out: &mut [f64; GROUPS]) {
    let at = format!("{path}.{key}");
    match r.member(o, key, path) {
        Some(Value::Array(items)) => {
            if items.len() != GROUPS {
                r.problem(
                    &at,
                    format!(
                        "年齢階級ごとの値は{GROUPS}個（0〜4歳 … 85〜89歳、90歳以上）必要ですが、{}個です。",
                        items.len()
                    ),
                );
            }
            for (i, v) in items.iter().enumerate().take(GROUPS) {
                out[i] = number(r, v, &format!("{at}[{i}]"));
            }
        }
        Some(_) => r.problem(
            &at,
            format!("{GROUPS}個の数値の配列（[…]）である必要があります。"),
        ),
        None => {}
    }
}

/// `cwr`: one number for every step, or a list of one per step.
fn cwr(r: &mut Reader, o: &Obj) -> Rates<f64> {
    match r.member(o, "cwr", "$") {
        Some(Value::Array(items)) => Rates::PerStep(
            items
                .iter()
                .enumerate()
                .map(|(k, v)| number(r, v, &format!("$.cwr[{k}]")))
                .collect(),
        ),
        Some(v @ Value::Number(_)) => Rates::Constant(number(r, v, "$.cwr")),
        Some(_) => {
            r.problem(
                "$.cwr",
                "数値か、期ごとの数値の配列（[…]）である必要があります。",
            );
            Rates::Constant(f64::NAN)
        }
        None => Rates::Constant(f64::NAN),
    }
}

/// The paths of the values that could not be read (they stand as NaN).
fn unread_cells(input: &Input) -> Vec<String> {
    let a = &input.assumptions;
    let mut out = Vec::new();
    let mut cohorts = |name: &str, c: &Cohorts| {
        for (sex, i, v) in c.cells() {
            if v.is_nan() {
                out.push(format!("$.{name}.{sex}[{i}]"));
            }
        }
    };
    cohorts("pop", &input.population);
    for (name, rates) in [("survival", &a.survival), ("migration", &a.migration)] {
        if let Rates::Constant(c) = rates {
            cohorts(name, c);
        }
    }
    match &a.child_woman_ratio {
        Rates::Constant(v) if v.is_nan() => out.push("$.cwr".to_owned()),
        Rates::Constant(_) => {}
        Rates::PerStep(list) => out.extend(
            list.iter()
                .enumerate()
                .filter(|(_, v)| v.is_nan())
                .map(|(k, _)| format!("$.cwr[{k}]")),
        ),
    }
    if a.sex_ratio.is_nan() {
        out.push("$.sex_ratio".to_owned());
    }
    out
}

/// One year of a projection's result: the population by sex and age group and its total
/// ([`Step::total`]: men summed in index order, then women, then the two).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectedYear {
    /// The year.
    pub year: i32,
    /// Men by age group, 0–4 … 90+.
    #[serde(rename = "M")]
    pub male: [f64; GROUPS],
    /// Women by age group, 0–4 … 90+.
    #[serde(rename = "F")]
    pub female: [f64; GROUPS],
    /// Both sexes together.
    pub total: f64,
}

impl From<&Step> for ProjectedYear {
    fn from(s: &Step) -> Self {
        Self {
            year: s.year,
            male: s.population.male,
            female: s.population.female,
            total: s.total(),
        }
    }
}

/// Writes a projection's result: a JSON array of [`ProjectedYear`], one year per line, numbers
/// in their shortest round-trip form. Refused when a value is not finite (the input's numbers
/// were so large that a product overflowed): JSON cannot write it, and `null` would not be
/// the result.
pub fn write_projection(steps: &[Step]) -> Result<String, Vec<FileProblem>> {
    let years: Vec<ProjectedYear> = steps.iter().map(ProjectedYear::from).collect();
    let overflow = years.iter().find_map(|y| {
        let (sex, i) = Cohorts {
            male: y.male,
            female: y.female,
        }
        .cells()
        .find(|(_, _, v)| !v.is_finite())
        .map(|(sex, i, _)| (sex.to_string(), i.to_string()))
        .or_else(|| (!y.total.is_finite()).then(|| ("total".to_owned(), String::new())))?;
        let place = if i.is_empty() {
            sex
        } else {
            format!("{sex}[{i}]")
        };
        Some(format!(
            "{}年の {place} が大きすぎて数値になりません。入力の人口や率を見直してください。",
            y.year
        ))
    });
    if let Some(message) = overflow {
        return Err(vec![FileProblem {
            path: "$".to_owned(),
            message,
        }]);
    }
    let mut text = String::from("[");
    for (k, y) in years.iter().enumerate() {
        let line = serde_json::to_string(y).map_err(|e| {
            vec![FileProblem {
                path: format!("$[{k}]"),
                message: format!("書き出せません: {e}"),
            }]
        })?;
        text.push_str(if k == 0 { "\n  " } else { ",\n  " });
        text.push_str(&line);
    }
    text.push_str("\n]\n");
    Ok(text)
}
