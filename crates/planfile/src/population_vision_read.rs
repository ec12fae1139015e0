//! Reading the 人口ビジョン's JSON (see [`crate::population_vision`] for the shape): walked by
//! hand like the plan file, so that every problem comes with its JSON path.

use keikaku_domain::population::{
    ActualSource, ActualTotal, Assumptions, Basis, BySex, Census, Derivation, GROUPS,
    PopulationVision, Reference, Scenario, ScenarioId, TargetPoint,
};
use keikaku_domain::{ElementRef, PlanId};
use serde_json::Value;

use crate::FileProblem;
use crate::read::{Obj, Reader, empty};

/// A whole vision read from a file (the example).
#[derive(Clone, Debug)]
pub struct ReadPopulation {
    /// The vision's figures, if the file has them.
    pub vision: Option<PopulationVision>,
    /// The censuses.
    pub censuses: Vec<Census>,
    /// The scenarios, in the file's order.
    pub scenarios: Vec<Scenario>,
}

pub(crate) fn parse_json(text: &str) -> Result<Value, Vec<FileProblem>> {
    serde_json::from_str(text).map_err(|e| {
        vec![FileProblem {
            path: "$".to_owned(),
            message: format!(
                "JSONとして読めません（{}行{}列）: {e}",
                e.line(),
                e.column()
            ),
        }]
    })
}

fn reader() -> Reader {
    Reader {
        problems: Vec::new(),
        version: 2,
    }
}

fn done<T>(r: Reader, value: T) -> Result<T, Vec<FileProblem>> {
    if r.problems.is_empty() {
        Ok(value)
    } else {
        Err(r.problems)
    }
}

/// Reads a whole vision (`{"vision", "censuses", "scenarios"}`); every problem with its path.
pub fn read_population(text: &str) -> Result<ReadPopulation, Vec<FileProblem>> {
    let value = parse_json(text)?;
    let mut r = reader();
    let o = r.object(&value, "$", &["vision", "censuses", "scenarios"]);
    let vision = match o.get("vision") {
        None | Some(Value::Null) => None,
        Some(v) => Some(vision_at(&mut r, v, "$.vision")),
    };
    let censuses = r.list(o, "censuses", "$", census_at);
    let scenarios = r.list(o, "scenarios", "$", scenario_at);
    done(
        r,
        ReadPopulation {
            vision,
            censuses,
            scenarios,
        },
    )
}

/// Reads the vision's figures at `path` (an API request's body: `$`). A `revision` member is
/// allowed and ignored here.
pub fn read_population_vision(
    value: &Value,
    path: &str,
) -> Result<PopulationVision, Vec<FileProblem>> {
    let mut r = reader();
    let v = vision_at(&mut r, value, path);
    done(r, v)
}

/// Reads a census at `path`. A `revision` and a `total` member are allowed and ignored.
pub fn read_census(value: &Value, path: &str) -> Result<Census, Vec<FileProblem>> {
    let mut r = reader();
    let c = census_at(&mut r, value, path);
    done(r, c)
}

/// Reads a scenario at `path`. `revision` and `result` members are allowed and ignored.
pub fn read_scenario(value: &Value, path: &str) -> Result<Scenario, Vec<FileProblem>> {
    let mut r = reader();
    let s = scenario_at(&mut r, value, path);
    done(r, s)
}

fn integer(r: &mut Reader, o: &Obj, key: &str, path: &str) -> i64 {
    match r.member(o, key, path) {
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or(0),
        Some(_) => {
            r.problem(&format!("{path}.{key}"), "整数である必要があります。");
            0
        }
        None => 0,
    }
}

fn year(r: &mut Reader, o: &Obj, key: &str, path: &str) -> i32 {
    let y = integer(r, o, key, path);
    i32::try_from(y).unwrap_or_else(|_| {
        r.problem(
            &format!("{path}.{key}"),
            format!("年「{y}」は大きすぎます。"),
        );
        0
    })
}

fn count_value(r: &mut Reader, v: &Value, at: &str) -> u64 {
    match v.as_u64() {
        Some(n) => n,
        None => {
            r.problem(at, "0以上の整数（人数）である必要があります。");
            0
        }
    }
}

fn count(r: &mut Reader, o: &Obj, key: &str, path: &str) -> u64 {
    match r.member(o, key, path) {
        Some(v) => count_value(r, v, &format!("{path}.{key}")),
        None => 0,
    }
}

fn number_value(r: &mut Reader, v: &Value, at: &str) -> f64 {
    match v.as_f64() {
        Some(n) => n,
        None => {
            r.problem(at, "数値である必要があります。");
            0.0
        }
    }
}

fn number(r: &mut Reader, o: &Obj, key: &str, path: &str) -> f64 {
    match r.member(o, key, path) {
        Some(v) => number_value(r, v, &format!("{path}.{key}")),
        None => 0.0,
    }
}

/// 19 values of one sex at `path.key`.
fn groups<T: Copy + Default>(
    r: &mut Reader,
    o: &Obj,
    key: &str,
    path: &str,
    each: fn(&mut Reader, &Value, &str) -> T,
) -> [T; GROUPS] {
    let mut out = [T::default(); GROUPS];
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
                out[i] = each(r, v, &format!("{at}[{i}]"));
            }
        }
        Some(_) => r.problem(&at, "配列（[…]）である必要があります。"),
        None => {}
    }
    out
}

fn sex_rates(r: &mut Reader, v: &Value, path: &str) -> BySex<f64> {
    let o = r.object(v, path, &["M", "F"]);
    BySex {
        male: groups(r, o, "M", path, number_value),
        female: groups(r, o, "F", path, number_value),
    }
}

/// `{"M", "F"}` (every step) or a list of them (one per step).
fn rate_list(r: &mut Reader, o: &Obj, key: &str, path: &str) -> Vec<BySex<f64>> {
    let at = format!("{path}.{key}");
    match r.member(o, key, path) {
        Some(v @ Value::Object(_)) => vec![sex_rates(r, v, &at)],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| sex_rates(r, v, &format!("{at}[{i}]")))
            .collect(),
        Some(_) => {
            r.problem(
                &at,
                "{\"M\": […], \"F\": […]} か、その期ごとの配列である必要があります。",
            );
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn vision_at(r: &mut Reader, v: &Value, path: &str) -> PopulationVision {
    let o = r.object(
        v,
        path,
        &[
            "published",
            "target_note",
            "target",
            "actuals",
            "references",
            "links",
            "revision",
        ],
    );
    let point = |r: &mut Reader, v: &Value, at: &str| {
        let p = r.object(v, at, &["year", "total"]);
        TargetPoint {
            year: year(r, p, "year", at),
            total: count(r, p, "total", at),
        }
    };
    PopulationVision {
        published: r.flag(o, "published", path),
        target_note: r.text(o, "target_note", path),
        target: r.list(o, "target", path, point),
        actuals: r.list(o, "actuals", path, |r, v, at| {
            let a = r.object(v, at, &["year", "total", "source", "note"]);
            ActualTotal {
                year: year(r, a, "year", at),
                total: count(r, a, "total", at),
                source: r.parsed(
                    a,
                    "source",
                    at,
                    |s| {
                        ActualSource::parse(s).ok_or_else(|| {
                            format!(
                                "出典「{s}」は census（国勢調査）・resident_register（住民基本台帳）・estimate（推計人口）のいずれかにしてください。"
                            )
                        })
                    },
                    ActualSource::Census,
                ),
                note: r.text(a, "note", at),
            }
        }),
        references: r.list(o, "references", path, |r, v, at| {
            let x = r.object(v, at, &["name", "points"]);
            Reference {
                name: r.string(x, "name", at),
                points: r
                    .list(x, "points", at, point)
                    .into_iter()
                    .map(|p| (p.year, p.total))
                    .collect(),
            }
        }),
        links: r.list(o, "links", path, |r, v, at| {
            let l = r.object(v, at, &["plan", "element"]);
            ElementRef {
                plan: r.parsed(
                    l,
                    "plan",
                    at,
                    |s| PlanId::parse(s).map_err(|e| e.0),
                    PlanId::parse("x").unwrap_or_else(|_| unreachable!("a valid plan id")),
                ),
                element: r.element_id(l, "element", at),
            }
        }),
    }
}

fn census_at(r: &mut Reader, v: &Value, path: &str) -> Census {
    let o = r.object(
        v,
        path,
        &[
            "year", "source", "M", "F", "unknown", "sample", "total", "revision",
        ],
    );
    let unknown = match o.get("unknown") {
        None | Some(Value::Null) => [0, 0],
        Some(u) => {
            let at = format!("{path}.unknown");
            let uo = r.object(u, &at, &["M", "F"]);
            [count(r, uo, "M", &at), count(r, uo, "F", &at)]
        }
    };
    Census {
        year: year(r, o, "year", path),
        source: r.string(o, "source", path),
        counts: BySex {
            male: groups(r, o, "M", path, count_value),
            female: groups(r, o, "F", path, count_value),
        },
        unknown,
        sample: r.flag(o, "sample", path),
    }
}

fn scenario_at(r: &mut Reader, v: &Value, path: &str) -> Scenario {
    let o = r.object(
        v,
        path,
        &[
            "id",
            "name",
            "description",
            "base_year",
            "horizon",
            "published",
            "sample",
            "assumptions",
            "derived",
            "result",
            "revision",
        ],
    );
    let id = r.parsed(
        o,
        "id",
        path,
        ScenarioId::parse,
        ScenarioId::parse("x").unwrap_or_else(|_| unreachable!("a valid id")),
    );
    let basis = match (o.get("assumptions"), o.get("derived")) {
        (Some(a), None) => {
            let at = format!("{path}.assumptions");
            let ao = r.object(a, &at, &["survival", "migration", "cwr", "sex_ratio"]);
            let cwr = match r.member(ao, "cwr", &at) {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| number_value(r, v, &format!("{at}.cwr[{i}]")))
                    .collect(),
                Some(v) => vec![number_value(r, v, &format!("{at}.cwr"))],
                None => Vec::new(),
            };
            Basis::Assumed(Assumptions {
                survival: rate_list(r, ao, "survival", &at),
                migration: rate_list(r, ao, "migration", &at),
                child_woman_ratio: cwr,
                sex_ratio: number(r, ao, "sex_ratio", &at),
            })
        }
        (None, Some(d)) => {
            let at = format!("{path}.derived");
            let d = r.object(d, &at, &["from", "rule", "factor", "base_tfr", "points"]);
            let from = r.parsed(
                d,
                "from",
                &at,
                ScenarioId::parse,
                ScenarioId::parse("x").unwrap_or_else(|_| unreachable!("a valid id")),
            );
            let rule = r.string(d, "rule", &at);
            let rule = match rule.as_str() {
                "zero_migration" => Derivation::ZeroMigration,
                "scaled_migration" => Derivation::ScaledMigration {
                    factor: number(r, d, "factor", &at),
                },
                "fertility" => Derivation::Fertility {
                    base_tfr: number(r, d, "base_tfr", &at),
                    points: r
                        .list(d, "points", &at, |r, v, p| {
                            let po = r.object(v, p, &["year", "tfr"]);
                            (year(r, po, "year", p), number(r, po, "tfr", p))
                        })
                        .into_iter()
                        .collect(),
                },
                other => {
                    if !std::ptr::eq(d, empty()) && d.contains_key("rule") {
                        r.problem(
                            &format!("{at}.rule"),
                            format!(
                                "導き方「{other}」は zero_migration・scaled_migration・fertility のいずれかにしてください。"
                            ),
                        );
                    }
                    Derivation::ZeroMigration
                }
            };
            Basis::Derived { from, rule }
        }
        _ => {
            r.problem(
                path,
                "「assumptions」（前提）か「derived」（ほかの推計からの導き方）のどちらか一方が必要です。",
            );
            Basis::Derived {
                from: id.clone(),
                rule: Derivation::ZeroMigration,
            }
        }
    };
    Scenario {
        name: r.string(o, "name", path),
        description: r.text(o, "description", path),
        base_year: year(r, o, "base_year", path),
        horizon: year(r, o, "horizon", path),
        published: r.flag(o, "published", path),
        sample: r.flag(o, "sample", path),
        id,
        basis,
    }
}
