//! The 実施計画 (implementation plan) as JSON: one edition and its programs, amounts in whole
//! yen as integers — the format `keikaku implementation-plan export --format json` writes,
//! `… import` reads, and the API returns (`docs/implementation-plan.md`).
//!
//! ```json
//! {"edition": 2025, "covers": [2026, 2027, 2028], "plan": "sogo-keikaku", "state": "published",
//!  "rounding": "half_up",
//!  "programs": [{"code": "01-001", "name": "…", "department": "農政課", "category": "new",
//!                "start_year": 2026, "end_year": null, "measures": ["measure-1-1-1"],
//!                "links": [{"plan": "sogo-keikaku", "element": "measure-1-1-1"}], …,
//!                "years": [{"fiscal_year": 2026, "cost": 1300000, "national": 500000,
//!                           "prefectural": 0, "bonds": 0, "other": 0, "general": 800000,
//!                           "activity_target": "12"}]}]}
//! ```
//!
//! Writing goes through the serde types ([`EditionFile`], [`ProgramEntry`]); reading walks the
//! JSON by hand ([`read_edition`], [`read_program`]) so that every problem comes back with its
//! JSON path. Reading checks shapes and vocabularies only: the funding identity, links that
//! exist and who may write what are the app's checks.

use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{
    Account, Activity, ExpenseType, Funding, Program, ProgramCategory, ProgramCode, ProgramYear,
    Yen,
};
use keikaku_domain::{ElementId, ElementRef, PlanId};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::FileProblem;
use crate::read::{Obj, Reader};

/// An edition of the 実施計画.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EditionFile {
    /// The fiscal year the edition is made in (N).
    pub edition: i32,
    /// The fiscal years it covers: N+1, N+2, N+3.
    pub covers: Vec<i32>,
    /// The comprehensive plan whose goals, fields and measures the 一覧 follows.
    pub plan: String,
    /// `draft` (作成中), `fixed` (確定) or `published` (公表).
    pub state: String,
    /// How amounts are shown in 千円: `half_up` (四捨五入), `down` (切り捨て), `up` (切り上げ).
    pub rounding: String,
    /// The programs, by code.
    pub programs: Vec<ProgramEntry>,
}

/// A program (事業) of an edition.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProgramEntry {
    /// 事業コード, the same in every edition.
    pub code: String,
    /// 事業名.
    pub name: String,
    /// 所管課.
    pub department: String,
    /// 事業区分: `new` 新規, `continued` 継続, `expanded` 拡充, `reduced` 縮小, `suspended`
    /// 休止, `abolished` 廃止, `completed` 完了 (the Japanese labels are read too).
    pub category: String,
    /// 開始年度.
    pub start_year: i32,
    /// 終了年度; `null` when open-ended.
    pub end_year: Option<i32>,
    /// The element ids of the basis plan's 施策 it serves (a summary of `links`).
    pub measures: Vec<String>,
    /// Every element it serves, in order: 施策, and optionally priority projects, strategy
    /// measures and indicators (its logic model's outcome indicators).
    pub links: Vec<LinkEntry>,
    /// 目的.
    pub purpose: String,
    /// 対象.
    pub target_group: String,
    /// 手段.
    pub means: String,
    /// 会計: `general` 一般会計, `special` 特別会計, `enterprise` 企業会計.
    pub account: String,
    /// 経費区分: `investment` 投資的経費, `other` その他.
    pub expense_type: String,
    /// 活動指標.
    pub activity: ActivityEntry,
    /// Whether it is sample data (サンプル).
    pub sample: bool,
    /// 事業費 and 財源内訳 per fiscal year entered.
    pub years: Vec<YearEntry>,
}

/// An element a program serves.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LinkEntry {
    /// The plan's id.
    pub plan: String,
    /// The element's id.
    pub element: String,
}

/// A program's activity indicator (活動指標).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityEntry {
    /// 活動指標名; empty: none.
    pub name: String,
    /// 単位.
    pub unit: String,
}

/// 事業費 and 財源内訳 of one fiscal year, in whole yen; 事業費 = the sum of the five parts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct YearEntry {
    /// The fiscal year.
    pub fiscal_year: i32,
    /// 事業費.
    pub cost: i64,
    /// 国庫支出金.
    pub national: i64,
    /// 県支出金.
    pub prefectural: i64,
    /// 地方債.
    pub bonds: i64,
    /// その他（特定財源）.
    pub other: i64,
    /// 一般財源.
    pub general: i64,
    /// The activity indicator's target of the year, an exact decimal as a string; `null`:
    /// none.
    pub activity_target: Option<String>,
}

impl ProgramEntry {
    /// A program as written, with the basis plan's measures it serves (`measures`).
    pub fn of(p: &Program, measures: Vec<String>) -> Self {
        Self {
            code: p.code.to_string(),
            name: p.name.clone(),
            department: p.department.clone(),
            category: p.category.code().to_owned(),
            start_year: p.start_year.year(),
            end_year: p.end_year.map(FiscalYear::year),
            measures,
            links: p
                .links
                .iter()
                .map(|l| LinkEntry {
                    plan: l.plan.to_string(),
                    element: l.element.to_string(),
                })
                .collect(),
            purpose: p.purpose.clone(),
            target_group: p.target_group.clone(),
            means: p.means.clone(),
            account: p.account.code().to_owned(),
            expense_type: p.expense_type.code().to_owned(),
            activity: ActivityEntry {
                name: p.activity.name.clone(),
                unit: p.activity.unit.clone(),
            },
            sample: p.sample,
            years: p
                .years
                .iter()
                .map(|y| YearEntry {
                    fiscal_year: y.fiscal_year.year(),
                    cost: y.funding.cost.yen(),
                    national: y.funding.national.yen(),
                    prefectural: y.funding.prefectural.yen(),
                    bonds: y.funding.bonds.yen(),
                    other: y.funding.other.yen(),
                    general: y.funding.general.yen(),
                    activity_target: y.activity_target.map(|t| t.to_string()),
                })
                .collect(),
        }
    }
}

/// An edition file as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadEdition {
    /// The fiscal year it is made in.
    pub edition: FiscalYear,
    /// The basis plan, when the file names one.
    pub plan: Option<PlanId>,
    /// The programs, in file order.
    pub programs: Vec<Program>,
}

const EDITION_KEYS: [&str; 6] = ["edition", "covers", "plan", "state", "rounding", "programs"];
const PROGRAM_KEYS: [&str; 17] = [
    "code",
    "name",
    "department",
    "category",
    "start_year",
    "end_year",
    "measures",
    "links",
    "purpose",
    "target_group",
    "means",
    "account",
    "expense_type",
    "activity",
    "sample",
    "years",
    "revision",
];
const YEAR_KEYS: [&str; 8] = [
    "fiscal_year",
    "cost",
    "national",
    "prefectural",
    "bonds",
    "other",
    "general",
    "activity_target",
];

/// Reads an edition file: every problem with its JSON path, or the edition.
pub fn read_edition(text: &str) -> Result<ReadEdition, Vec<FileProblem>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![FileProblem {
            path: "$".to_owned(),
            message: format!(
                "JSONとして読めません（{}行{}列）: {e}",
                e.line(),
                e.column()
            ),
        }]
    })?;
    let mut r = Reader {
        problems: Vec::new(),
        version: 2,
    };
    let o = r.object(&value, "$", &EDITION_KEYS);
    let edition = r.year(o, "edition", "$");
    let plan = match o.get("plan") {
        None | Some(Value::Null) => None,
        Some(_) => Some(r.parsed(
            o,
            "plan",
            "$",
            |s| PlanId::parse(s).map_err(|e| e.0),
            placeholder_plan(),
        )),
    };
    let programs = r.list(o, "programs", "$", |r, v, path| {
        program_at(r, v, path, plan.as_ref())
    });
    if o.get("programs").is_none() && !std::ptr::eq(o, crate::read::empty()) {
        r.problem("$.programs", "必須項目「programs」がありません。");
    }
    if r.problems.is_empty() {
        Ok(ReadEdition {
            edition,
            plan,
            programs,
        })
    } else {
        Err(r.problems)
    }
}

/// Reads one program at `path` (e.g. `$` for an API request's body); `basis` is the plan the
/// ids of `measures` belong to (used when `links` is absent). A `revision` member is allowed
/// and ignored here (the API reads it).
pub fn read_program(
    value: &Value,
    path: &str,
    basis: Option<&PlanId>,
) -> Result<Program, Vec<FileProblem>> {
    let mut r = Reader {
        problems: Vec::new(),
        version: 2,
    };
    let program = program_at(&mut r, value, path, basis);
    if r.problems.is_empty() {
        Ok(program)
    } else {
        Err(r.problems)
    }
}

fn placeholder_plan() -> PlanId {
    PlanId::parse("x").unwrap_or_else(|_| unreachable!("a valid plan id"))
}

fn program_at(r: &mut Reader, v: &Value, path: &str, basis: Option<&PlanId>) -> Program {
    let o = r.object(v, path, &PROGRAM_KEYS);
    let code = r.parsed(o, "code", path, ProgramCode::parse, placeholder_code());
    let category = r.parsed(
        o,
        "category",
        path,
        |s| {
            ProgramCategory::from_label(s).ok_or_else(|| {
                choices(
                    "事業区分",
                    s,
                    ProgramCategory::ALL.iter().map(|c| c.label()),
                )
            })
        },
        ProgramCategory::Continued,
    );
    let account = optional_coded(r, o, "account", path, Account::General, |s| {
        Account::from_label(s)
            .ok_or_else(|| choices("会計", s, Account::ALL.iter().map(|a| a.label())))
    });
    let expense_type = optional_coded(r, o, "expense_type", path, ExpenseType::Other, |s| {
        ExpenseType::from_label(s)
            .ok_or_else(|| choices("経費区分", s, ExpenseType::ALL.iter().map(|e| e.label())))
    });
    let start_year = r.year(o, "start_year", path);
    let end_year = match o.get("end_year") {
        None | Some(Value::Null) => None,
        Some(_) => Some(r.year(o, "end_year", path)),
    };
    let links = links_at(r, o, path, basis);
    let activity = match o.get("activity") {
        None | Some(Value::Null) => Activity::default(),
        Some(a) => {
            let at = format!("{path}.activity");
            let ao = r.object(a, &at, &["name", "unit"]);
            Activity {
                name: r.text(ao, "name", &at),
                unit: r.text(ao, "unit", &at),
            }
        }
    };
    let years = r.list(o, "years", path, year_at);
    if o.get("years").is_none() && !std::ptr::eq(o, crate::read::empty()) {
        r.problem(&format!("{path}.years"), "必須項目「years」がありません。");
    }
    Program {
        code,
        name: r.string(o, "name", path),
        department: r.string(o, "department", path),
        links,
        purpose: r.text(o, "purpose", path),
        target_group: r.text(o, "target_group", path),
        means: r.text(o, "means", path),
        start_year,
        end_year,
        account,
        expense_type,
        activity,
        category,
        years,
        sample: r.flag(o, "sample", path),
    }
}

fn placeholder_code() -> ProgramCode {
    ProgramCode::parse("x").unwrap_or_else(|_| unreachable!("a valid program code"))
}

fn choices<'a>(what: &str, given: &str, labels: impl Iterator<Item = &'a str>) -> String {
    format!(
        "{what}「{given}」は選択肢にありません（{}）。",
        labels.collect::<Vec<_>>().join("・")
    )
}

fn optional_coded<T>(
    r: &mut Reader,
    o: &Obj,
    key: &str,
    path: &str,
    default: T,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> T {
    match o.get(key) {
        None | Some(Value::Null) => default,
        Some(_) => r.parsed(o, key, path, parse, default),
    }
}

/// `links` as given, else the ids of `measures` in the basis plan.
fn links_at(r: &mut Reader, o: &Obj, path: &str, basis: Option<&PlanId>) -> Vec<ElementRef> {
    if o.get("links").is_some_and(|l| !l.is_null()) {
        return r.list(o, "links", path, |r, v, at| {
            let lo = r.object(v, at, &["plan", "element"]);
            ElementRef {
                plan: r.parsed(
                    lo,
                    "plan",
                    at,
                    |s| PlanId::parse(s).map_err(|e| e.0),
                    placeholder_plan(),
                ),
                element: r.element_id(lo, "element", at),
            }
        });
    }
    let ids = r.list(o, "measures", path, |r, v, at| match v.as_str() {
        Some(s) => ElementId::parse(s).map_err(|e| r.problem(at, e.0)).ok(),
        None => {
            r.problem(at, "文字列である必要があります。");
            None
        }
    });
    let ids: Vec<ElementId> = ids.into_iter().flatten().collect();
    match basis {
        Some(plan) => ids
            .into_iter()
            .map(|element| ElementRef {
                plan: plan.clone(),
                element,
            })
            .collect(),
        None if ids.is_empty() => Vec::new(),
        None => {
            r.problem(
                &format!("{path}.measures"),
                "計画（plan）が分からないため、measures を読めません。links で計画と要素を指定してください。",
            );
            Vec::new()
        }
    }
}

fn year_at(r: &mut Reader, v: &Value, path: &str) -> ProgramYear {
    let o = r.object(v, path, &YEAR_KEYS);
    let fiscal_year = r.year(o, "fiscal_year", path);
    let mut amount = |key: &str| -> Yen {
        let at = format!("{path}.{key}");
        match r.member(o, key, path) {
            Some(Value::Number(n)) => n.as_i64().map_or_else(
                || {
                    r.problem(&at, "金額は円単位の整数で指定してください。");
                    Yen::ZERO
                },
                Yen::new,
            ),
            Some(_) => {
                r.problem(&at, "金額は円単位の整数（数値）で指定してください。");
                Yen::ZERO
            }
            None => Yen::ZERO,
        }
    };
    let funding = Funding {
        cost: amount("cost"),
        national: amount("national"),
        prefectural: amount("prefectural"),
        bonds: amount("bonds"),
        other: amount("other"),
        general: amount("general"),
    };
    let at = format!("{path}.activity_target");
    let activity_target = match o.get("activity_target") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => s.trim().parse::<Decimal>().map_or_else(
            |_| {
                r.problem(&at, format!("「{s}」は数値として読めません。"));
                None
            },
            Some,
        ),
        Some(Value::Number(n)) => n.to_string().parse::<Decimal>().ok().or_else(|| {
            r.problem(&at, "数値として読めません。");
            None
        }),
        Some(_) => {
            r.problem(&at, "数値か、数値の文字列で指定してください。");
            None
        }
    };
    ProgramYear {
        fiscal_year,
        funding,
        activity_target,
    }
}
