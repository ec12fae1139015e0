//! Reading a plan file: walks the JSON by hand so that every problem is reported with its
//! JSON path (wrong types, missing or unknown members, bad ids and years), not only the first.

use std::str::FromStr;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::{
    Approach, BasicObjective, BasicPlan, ComprehensivePlan, ElementId, ElementRef, Field, Goal,
    Half, Measure, Municipality, MunicipalityCode, Period, Plan, PlanHeader, PlanId, PlanStatus,
    Principle, PriorityProject, Strategy, StrategyMeasure, Vision, YearValue,
};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::FileProblem;

pub(crate) type Obj = Map<String, Value>;

/// Collects problems while building domain values. Invalid leaves get a placeholder so that
/// reading goes on; the caller discards the result when any problem was found.
pub(crate) struct Reader {
    pub(crate) problems: Vec<FileProblem>,
    /// The file's format version (`version`); members added in version 2 are unknown in a
    /// version 1 file.
    pub(crate) version: u64,
}

static EMPTY_OBJECT: std::sync::LazyLock<Obj> = std::sync::LazyLock::new(Map::new);

/// The object that stands for a value that was not an object (its members are not reported
/// missing: the value itself already was).
pub(crate) fn empty() -> &'static Obj {
    &EMPTY_OBJECT
}

impl Reader {
    /// How many of a member list's names this file's version knows: the first `v2` in a
    /// version 2 file, the first `v1` in a version 1 file (members are added at the end of
    /// the lists).
    pub(crate) fn keys(&self, v2: usize, v1: usize) -> usize {
        if self.version >= 2 { v2 } else { v1 }
    }

    pub(crate) fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(FileProblem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// The object at `path`, refusing members not in `keys`.
    pub(crate) fn object<'v>(&mut self, v: &'v Value, path: &str, keys: &[&str]) -> &'v Obj {
        let Some(map) = v.as_object() else {
            self.problem(path, "オブジェクト（{…}）である必要があります。");
            return empty();
        };
        for k in map.keys() {
            if !keys.contains(&k.as_str()) {
                self.problem(
                    &format!("{path}.{k}"),
                    format!("「{k}」という項目はこの形式にありません。"),
                );
            }
        }
        map
    }

    pub(crate) fn member<'v>(&mut self, o: &'v Obj, key: &str, path: &str) -> Option<&'v Value> {
        let v = o.get(key);
        if v.is_none() && !std::ptr::eq(o, empty()) {
            self.problem(
                &format!("{path}.{key}"),
                format!("必須項目「{key}」がありません。"),
            );
        }
        v
    }

    pub(crate) fn string(&mut self, o: &Obj, key: &str, path: &str) -> String {
        match self.member(o, key, path) {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.problem(&format!("{path}.{key}"), "文字列である必要があります。");
                String::new()
            }
            None => String::new(),
        }
    }

    /// A string member that may be absent (then empty).
    pub(crate) fn text(&mut self, o: &Obj, key: &str, path: &str) -> String {
        match o.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.problem(&format!("{path}.{key}"), "文字列である必要があります。");
                String::new()
            }
        }
    }

    pub(crate) fn flag(&mut self, o: &Obj, key: &str, path: &str) -> bool {
        match o.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.problem(
                    &format!("{path}.{key}"),
                    "true か false である必要があります。",
                );
                false
            }
        }
    }

    pub(crate) fn parsed<T>(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
        fallback: T,
    ) -> T {
        // A value that is not a string is reported once, as such; only strings are parsed.
        match self.member(o, key, path) {
            Some(Value::String(s)) => match parse(s) {
                Ok(v) => v,
                Err(message) => {
                    self.problem(&format!("{path}.{key}"), message);
                    fallback
                }
            },
            Some(_) => {
                self.problem(&format!("{path}.{key}"), "文字列である必要があります。");
                fallback
            }
            None => fallback,
        }
    }

    pub(crate) fn element_id(&mut self, o: &Obj, key: &str, path: &str) -> ElementId {
        self.parsed(
            o,
            key,
            path,
            |s| ElementId::parse(s).map_err(|e| e.0),
            placeholder_id(),
        )
    }

    pub(crate) fn year(&mut self, o: &Obj, key: &str, path: &str) -> FiscalYear {
        let fallback = FiscalYear::new(2000).unwrap_or_else(|_| unreachable_placeholder());
        let at = format!("{path}.{key}");
        match self.member(o, key, path) {
            Some(Value::Number(n)) => match n.as_i64().and_then(|y| i32::try_from(y).ok()) {
                Some(y) => FiscalYear::new(y).unwrap_or_else(|e| {
                    self.problem(&at, e.message);
                    fallback
                }),
                None => {
                    self.problem(&at, "年度は整数（例: 2016）で指定してください。");
                    fallback
                }
            },
            Some(Value::String(s)) => FiscalYear::parse(s).unwrap_or_else(|e| {
                self.problem(&at, e.message);
                fallback
            }),
            Some(_) => {
                self.problem(
                    &at,
                    "年度は整数（例: 2016）か「平成28年度」のような文字列で指定してください。",
                );
                fallback
            }
            None => fallback,
        }
    }

    pub(crate) fn list<T>(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        mut item: impl FnMut(&mut Self, &Value, &str) -> T,
    ) -> Vec<T> {
        let at = format!("{path}.{key}");
        match o.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| item(self, v, &format!("{at}[{i}]")))
                .collect(),
            Some(_) => {
                self.problem(&at, "配列（[…]）である必要があります。");
                Vec::new()
            }
        }
    }

    pub(crate) fn municipality(&mut self, v: &Value, path: &str) -> Municipality {
        let o = self.object(v, path, &["code", "name", "prefecture"]);
        let code = self.parsed(
            o,
            "code",
            path,
            |s| MunicipalityCode::parse(s).map_err(|e| e.0),
            placeholder_code(),
        );
        let name = self.string(o, "name", path);
        if name.trim().is_empty() && o.contains_key("name") {
            self.problem(&format!("{path}.name"), "団体名を入力してください。");
        }
        Municipality {
            code,
            name,
            prefecture: self.text(o, "prefecture", path),
        }
    }

    fn header(
        &mut self,
        o: &Obj,
        path: &str,
        municipality: &MunicipalityCode,
        position: i32,
    ) -> PlanHeader {
        let period_path = format!("{path}.period");
        let period = match self.member(o, "period", path) {
            Some(v) => {
                let p = self.object(v, &period_path, &["start", "end", "description"]);
                Period {
                    start: self.year(p, "start", &period_path),
                    end: self.year(p, "end", &period_path),
                    description: self.text(p, "description", &period_path),
                }
            }
            None => Period {
                start: self.year(empty(), "start", ""),
                end: self.year(empty(), "end", ""),
                description: String::new(),
            },
        };
        PlanHeader {
            id: self.parsed(o, "id", path, |s| PlanId::parse(s).map_err(|e| e.0), placeholder_plan()),
            municipality: municipality.clone(),
            title: self.string(o, "title", path),
            purpose: self.text(o, "purpose", path),
            scope: self.text(o, "scope", path),
            period,
            status: match o.get("status") {
                None => PlanStatus::Published,
                Some(_) => self.parsed(o, "status", path, |s| {
                    PlanStatus::from_code(s).ok_or_else(|| format!("状態「{s}」は draft / under_deliberation / adopted / published のいずれかです。"))
                }, PlanStatus::Draft),
            },
            position,
        }
    }

    pub(crate) fn plan(
        &mut self,
        v: &Value,
        path: &str,
        municipality: &MunicipalityCode,
        position: i32,
    ) -> Option<Plan> {
        const HEADER: [&str; 7] = [
            "kind", "id", "title", "purpose", "scope", "period", "status",
        ];
        if !v.is_object() {
            self.object(v, path, &[]);
            return None;
        }
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "comprehensive_plan" => {
                let keys: Vec<&str> = HEADER
                    .iter()
                    .copied()
                    .chain(["vision", "basic_plans"])
                    .collect();
                let o = self.object(v, path, &keys);
                let header = self.header(o, path, municipality, position);
                let vision = self.vision(o, path);
                let basic_plans = self.list(o, "basic_plans", path, Self::basic_plan);
                Some(Plan::Comprehensive(ComprehensivePlan {
                    header,
                    vision,
                    basic_plans,
                }))
            }
            "strategy" => {
                let keys: Vec<&str> = HEADER.iter().copied().chain(["basic_objectives"]).collect();
                let o = self.object(v, path, &keys);
                let header = self.header(o, path, municipality, position);
                let basic_objectives = self.list(o, "basic_objectives", path, Self::objective);
                Some(Plan::Strategy(Strategy {
                    header,
                    basic_objectives,
                }))
            }
            _ => {
                self.problem(
                    &format!("{path}.kind"),
                    "計画の種類（kind）は comprehensive_plan か strategy です。",
                );
                None
            }
        }
    }

    fn item(&mut self, v: &Value, path: &str) -> Approach {
        let o = self.object(v, path, &["id", "number", "title", "description"]);
        Approach {
            id: self.element_id(o, "id", path),
            number: self.text(o, "number", path),
            title: self.string(o, "title", path),
            description: self.text(o, "description", path),
        }
    }

    fn vision(&mut self, o: &Obj, path: &str) -> Vision {
        let vpath = format!("{path}.vision");
        // A missing vision is reported once; its members are then not reported missing too.
        let Some(v) = self.member(o, "vision", path) else {
            return Vision {
                future_image: String::new(),
                future_image_note: String::new(),
                principles: Vec::new(),
                goals: Vec::new(),
                approaches: Vec::new(),
            };
        };
        let o = self.object(
            v,
            &vpath,
            &[
                "future_image",
                "future_image_note",
                "principles",
                "goals",
                "approaches",
            ],
        );
        Vision {
            future_image: self.string(o, "future_image", &vpath),
            future_image_note: self.text(o, "future_image_note", &vpath),
            principles: self
                .list(o, "principles", &vpath, Self::item)
                .into_iter()
                .map(|a| Principle {
                    id: a.id,
                    number: a.number,
                    title: a.title,
                    description: a.description,
                })
                .collect(),
            goals: self
                .list(o, "goals", &vpath, Self::item)
                .into_iter()
                .map(|a| Goal {
                    id: a.id,
                    number: a.number,
                    title: a.title,
                    description: a.description,
                })
                .collect(),
            approaches: self.list(o, "approaches", &vpath, Self::item),
        }
    }

    fn basic_plan(&mut self, v: &Value, path: &str) -> BasicPlan {
        let o = self.object(
            v,
            path,
            &[
                "id",
                "half",
                "title",
                "start",
                "end",
                "description",
                "priority_projects",
                "fields",
                "approaches",
            ],
        );
        BasicPlan {
            id: self.element_id(o, "id", path),
            half: self.parsed(
                o,
                "half",
                path,
                |s| {
                    Half::from_code(s).ok_or_else(|| {
                        format!("「{s}」: half は first（前期）か second（後期）です。")
                    })
                },
                Half::First,
            ),
            title: self.string(o, "title", path),
            start: self.year(o, "start", path),
            end: self.year(o, "end", path),
            description: self.text(o, "description", path),
            priority_projects: self.list(o, "priority_projects", path, Self::priority_project),
            fields: self.list(o, "fields", path, Self::field),
            approaches: self.list(o, "approaches", path, Self::item),
        }
    }

    fn id_list(&mut self, v: &Value, path: &str) -> ElementId {
        match v.as_str() {
            Some(s) => ElementId::parse(s).unwrap_or_else(|e| {
                self.problem(path, e.0);
                placeholder_id()
            }),
            None => {
                self.problem(path, "要素IDの文字列である必要があります。");
                placeholder_id()
            }
        }
    }

    fn priority_project(&mut self, v: &Value, path: &str) -> PriorityProject {
        let o = self.object(
            v,
            path,
            &["id", "number", "title", "description", "measures", "sample"],
        );
        PriorityProject {
            id: self.element_id(o, "id", path),
            number: self.text(o, "number", path),
            title: self.string(o, "title", path),
            description: self.text(o, "description", path),
            measures: self.list(o, "measures", path, Self::id_list),
            sample: self.flag(o, "sample", path),
        }
    }

    fn field(&mut self, v: &Value, path: &str) -> Field {
        let o = self.object(
            v,
            path,
            &[
                "id",
                "goal",
                "number",
                "title",
                "current_state",
                "department",
                "measures",
                "sample",
                "indicators",
            ][..self.keys(9, 8)],
        );
        Field {
            id: self.element_id(o, "id", path),
            goal: self.element_id(o, "goal", path),
            number: self.text(o, "number", path),
            title: self.string(o, "title", path),
            current_state: self.text(o, "current_state", path),
            department: self.text(o, "department", path),
            measures: self.list(o, "measures", path, Self::measure),
            indicators: self.list(o, "indicators", path, Self::indicator),
            sample: self.flag(o, "sample", path),
        }
    }

    fn measure(&mut self, v: &Value, path: &str) -> Measure {
        let o = self.object(
            v,
            path,
            &[
                "id",
                "number",
                "title",
                "course_of_action",
                "citizen_participation",
                "department",
                "sample",
                "indicators",
            ][..self.keys(8, 7)],
        );
        Measure {
            id: self.element_id(o, "id", path),
            number: self.text(o, "number", path),
            title: self.string(o, "title", path),
            course_of_action: self.text(o, "course_of_action", path),
            citizen_participation: self.text(o, "citizen_participation", path),
            department: self.text(o, "department", path),
            indicators: self.list(o, "indicators", path, Self::indicator),
            sample: self.flag(o, "sample", path),
        }
    }

    fn objective(&mut self, v: &Value, path: &str) -> BasicObjective {
        let o = self.object(
            v,
            path,
            &[
                "id",
                "number",
                "title",
                "description",
                "numerical_targets",
                "measures",
                "sample",
            ],
        );
        BasicObjective {
            id: self.element_id(o, "id", path),
            number: self.text(o, "number", path),
            title: self.string(o, "title", path),
            description: self.text(o, "description", path),
            numerical_targets: self.list(o, "numerical_targets", path, Self::indicator),
            measures: self.list(o, "measures", path, Self::strategy_measure),
            sample: self.flag(o, "sample", path),
        }
    }

    fn element_ref(&mut self, v: &Value, path: &str) -> ElementRef {
        let o = self.object(v, path, &["plan", "element"]);
        ElementRef {
            plan: self.parsed(
                o,
                "plan",
                path,
                |s| PlanId::parse(s).map_err(|e| e.0),
                placeholder_plan(),
            ),
            element: self.element_id(o, "element", path),
        }
    }

    fn strategy_measure(&mut self, v: &Value, path: &str) -> StrategyMeasure {
        let o = self.object(
            v,
            path,
            &[
                "id",
                "number",
                "title",
                "description",
                "department",
                "kpis",
                "linked_measures",
                "linked_priority_projects",
                "sample",
            ],
        );
        StrategyMeasure {
            id: self.element_id(o, "id", path),
            number: self.text(o, "number", path),
            title: self.string(o, "title", path),
            description: self.text(o, "description", path),
            department: self.text(o, "department", path),
            kpis: self.list(o, "kpis", path, Self::indicator),
            linked_measures: self.list(o, "linked_measures", path, Self::element_ref),
            linked_priority_projects: self.list(
                o,
                "linked_priority_projects",
                path,
                Self::element_ref,
            ),
            sample: self.flag(o, "sample", path),
        }
    }

    pub(crate) fn year_value(&mut self, o: &Obj, key: &str, path: &str) -> Option<YearValue> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.year_value_at(v, &format!("{path}.{key}"))),
        }
    }

    /// A year value (`{"value": "105", "year": 2021}`) at `at`.
    pub(crate) fn year_value_at(&mut self, v: &Value, at: &str) -> YearValue {
        let yo = self.object(v, at, &["value", "year"]);
        let value = match self.member(yo, "value", at) {
            Some(v) => self.decimal_value(v, &format!("{at}.value")),
            None => Decimal::ZERO,
        };
        YearValue {
            value,
            year: self.year(yo, "year", at),
        }
    }

    /// An exact decimal given as a string (`"105.5"`; a JSON number is accepted).
    pub(crate) fn decimal_value(&mut self, v: &Value, at: &str) -> Decimal {
        match v {
            Value::String(s) => Decimal::from_str(s.trim()).unwrap_or_else(|_| {
                self.problem(
                    at,
                    format!("「{s}」は数値として読めません（例: \"105.5\"）。"),
                );
                Decimal::ZERO
            }),
            Value::Number(n) => Decimal::from_str(&n.to_string()).unwrap_or_else(|_| {
                self.problem(at, format!("{n} は数値として扱えません。"));
                Decimal::ZERO
            }),
            _ => {
                self.problem(at, "数値を文字列（例: \"105.5\"）で指定してください。");
                Decimal::ZERO
            }
        }
    }
}

fn placeholder_id() -> ElementId {
    ElementId::parse("invalid").unwrap_or_else(|_| unreachable_placeholder())
}

fn placeholder_plan() -> PlanId {
    PlanId::parse("invalid").unwrap_or_else(|_| unreachable_placeholder())
}

fn placeholder_code() -> MunicipalityCode {
    MunicipalityCode::parse("01100").unwrap_or_else(|_| unreachable_placeholder())
}

#[allow(clippy::panic)]
fn unreachable_placeholder() -> ! {
    // The literals above are valid ids; this is only reached if the id rules change.
    panic!("placeholder id no longer valid")
}
