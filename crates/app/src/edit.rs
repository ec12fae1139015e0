//! Editing a plan element by element: the forms' fields per element kind, who may edit what,
//! and the use cases that save, add, delete and reorder elements and edit the plan's own texts.
//!
//! Every edit carries the version it started from (an element's `version`, the plan's
//! `revision`); storage refuses a stale one ([`keikaku_storage::StoreError::Stale`]), which
//! becomes [`AppError::Conflict`] — the transport then shows the user's text next to the
//! current one, so nothing typed is lost. Only drafts are edited (草案, 審議中): an adopted or
//! published plan is moved back a step first, and the public keeps seeing its last published
//! version meanwhile.
//!
//! The planning office and administrators edit everything; a department editor (所管課) edits
//! only the fields, measures, strategy measures and indicators whose 所管課 is their own
//! department, without changing the 所管課, links or structure.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use keikaku_domain::account::{Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::plan::validate::{Segment, validate_plan};
use keikaku_domain::{MunicipalityCode, Plan, PlanId, PlanStatus};
use keikaku_planfile::FileProblem;
use keikaku_storage::rows::{self, LinkRow, PlanRow, PlanRows, link};
pub use keikaku_storage::rows::{ElementRow, kind};
use keikaku_storage::{Author, Change, EditVersions, PlanEdit, PlanStore, StoreError, UserChange};
use rust_decimal::Decimal;

use crate::AppError;
use crate::access::{Action, Granted};

/// How a field is entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Line,
    /// Several lines of text.
    Text,
    /// A fiscal year (2025, 令和7年度, R7 …), stored as the Western year.
    Year,
    /// A decimal number (full-width digits and thousands separators accepted).
    Decimal,
    /// One of fixed codes, with their labels.
    Choice(&'static [(&'static str, &'static str)]),
    /// One of the plan's まちづくりの目標 (goals).
    Goal,
}

/// One field of an element's form: the column it writes, its label, how it is entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The column (and form field) name.
    pub name: &'static str,
    /// Japanese label.
    pub label: &'static str,
    /// How it is entered.
    pub input: Input,
    /// Whether it must not be empty.
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, input: Input, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        label,
        input,
        required,
    }
}

/// The name under which the plan's own texts are edited, like an element.
pub const PLAN_HEADER: &str = "plan";

const DIRECTIONS: &[(&str, &str)] = &[
    ("higher", "増加を目指す"),
    ("lower", "減少を目指す"),
    ("maintain", "維持を目指す"),
];
const INDICATOR_TYPES: &[(&str, &str)] = &[
    ("level", "単年度値"),
    ("cumulative", "累計値"),
    ("rate", "割合"),
];

const NUMBERED: &[FieldSpec] = &[
    f("number", "番号", Input::Line, false),
    f("title", "名称", Input::Line, true),
    f("description", "説明", Input::Text, false),
];
const BASIC_PLAN: &[FieldSpec] = &[
    f("title", "名称", Input::Line, true),
    f("start_year", "開始年度", Input::Year, true),
    f("end_year", "終了年度", Input::Year, true),
    f("description", "説明", Input::Text, false),
];
const FIELD: &[FieldSpec] = &[
    f("number", "番号", Input::Line, false),
    f("title", "名称", Input::Line, true),
    f("goal_id", "まちづくりの目標", Input::Goal, true),
    f("current_state", "現状と課題", Input::Text, false),
    f("department", "所管課", Input::Line, false),
];
const MEASURE: &[FieldSpec] = &[
    f("number", "番号", Input::Line, false),
    f("title", "名称", Input::Line, true),
    f("course_of_action", "展開方法", Input::Text, false),
    f("citizen_participation", "市民の参画", Input::Text, false),
    f("department", "所管課", Input::Line, false),
];
const STRATEGY_MEASURE: &[FieldSpec] = &[
    f("number", "番号", Input::Line, false),
    f("title", "名称", Input::Line, true),
    f("description", "説明", Input::Text, false),
    f("department", "所管課", Input::Line, false),
];
const INDICATOR: &[FieldSpec] = &[
    f("title", "指標名", Input::Line, true),
    f("unit", "単位", Input::Line, false),
    f("direction", "目指す方向", Input::Choice(DIRECTIONS), true),
    f(
        "indicator_type",
        "値の種類",
        Input::Choice(INDICATOR_TYPES),
        true,
    ),
    f("baseline_value", "基準値", Input::Decimal, false),
    f("baseline_year", "基準値の年度", Input::Year, false),
    f("target_value", "目標値", Input::Decimal, false),
    f("target_year", "目標値の年度", Input::Year, false),
    f("calculation_method", "算出方法", Input::Text, false),
    f("data_source", "出典", Input::Line, false),
    f("department", "所管課", Input::Line, false),
];
const HEADER_COMPREHENSIVE: &[FieldSpec] = &[
    f("title", "計画の名称", Input::Line, true),
    f("purpose", "目的", Input::Text, false),
    f("scope", "範囲", Input::Text, false),
    f("period_description", "期間の説明", Input::Text, false),
    f("future_image", "将来像", Input::Line, true),
    f("future_image_note", "将来像の説明", Input::Text, false),
];
const HEADER_STRATEGY: &[FieldSpec] = &[
    f("title", "計画の名称", Input::Line, true),
    f("purpose", "目的", Input::Text, false),
    f("scope", "範囲", Input::Text, false),
    f("period_description", "期間の説明", Input::Text, false),
];

/// The fields of an element kind's form ([`PLAN_HEADER`] for the plan's own texts of a
/// comprehensive plan; see [`header_fields`]).
pub fn fields(element_kind: &str) -> &'static [FieldSpec] {
    match element_kind {
        kind::BASIC_PLAN => BASIC_PLAN,
        kind::FIELD => FIELD,
        kind::MEASURE => MEASURE,
        kind::STRATEGY_MEASURE => STRATEGY_MEASURE,
        kind::NUMERICAL_TARGET | kind::KPI => INDICATOR,
        PLAN_HEADER => HEADER_COMPREHENSIVE,
        _ => NUMBERED,
    }
}

/// The fields of a plan's own texts.
pub fn header_fields(plan: &Plan) -> &'static [FieldSpec] {
    match plan {
        Plan::Comprehensive(_) => HEADER_COMPREHENSIVE,
        Plan::Strategy(_) => HEADER_STRATEGY,
    }
}

/// The label of a form field, whatever the kind (the name itself when unknown).
pub fn label_of(name: &str) -> &str {
    [
        NUMBERED,
        BASIC_PLAN,
        FIELD,
        MEASURE,
        STRATEGY_MEASURE,
        INDICATOR,
        HEADER_COMPREHENSIVE,
    ]
    .iter()
    .flat_map(|specs| specs.iter())
    .find(|s| s.name == name)
    .map_or(name, |s| s.label)
}

/// The Japanese name of an element kind.
pub fn kind_label(element_kind: &str) -> &'static str {
    match element_kind {
        kind::PRINCIPLE => "まちづくりの考え方",
        kind::GOAL => "まちづくりの目標",
        kind::VISION_APPROACH => "まちづくりの進め方（基本構想）",
        kind::BASIC_PLAN => "基本計画",
        kind::PRIORITY_PROJECT => "重点プロジェクト",
        kind::FIELD => "分野",
        kind::MEASURE => "施策",
        kind::PLAN_APPROACH => "まちづくりの進め方（基本計画）",
        kind::BASIC_OBJECTIVE => "基本目標",
        kind::NUMERICAL_TARGET => "数値目標",
        kind::STRATEGY_MEASURE => "具体的な施策",
        kind::KPI => "重要業績評価指標（KPI）",
        PLAN_HEADER => "計画の基本事項",
        _ => "要素",
    }
}

/// The kinds of elements that may be added under a parent kind (`None`: the plan's top
/// level), in display order.
pub fn child_kinds(plan: &Plan, parent_kind: Option<&str>) -> &'static [&'static str] {
    match (plan, parent_kind) {
        (Plan::Comprehensive(_), None) => &[kind::PRINCIPLE, kind::GOAL, kind::VISION_APPROACH],
        (Plan::Comprehensive(_), Some(kind::BASIC_PLAN)) => {
            &[kind::PRIORITY_PROJECT, kind::FIELD, kind::PLAN_APPROACH]
        }
        (Plan::Comprehensive(_), Some(kind::FIELD)) => &[kind::MEASURE],
        (Plan::Strategy(_), None) => &[kind::BASIC_OBJECTIVE],
        (Plan::Strategy(_), Some(kind::BASIC_OBJECTIVE)) => {
            &[kind::NUMERICAL_TARGET, kind::STRATEGY_MEASURE]
        }
        (Plan::Strategy(_), Some(kind::STRATEGY_MEASURE)) => &[kind::KPI],
        _ => &[],
    }
}

/// The link kinds an element kind has (priority project → measures; strategy measure →
/// measures and priority projects of a comprehensive plan).
pub fn link_kinds(element_kind: &str) -> &'static [&'static str] {
    match element_kind {
        kind::PRIORITY_PROJECT => &[link::PROJECT_MEASURE],
        kind::STRATEGY_MEASURE => &[link::STRATEGY_MEASURE, link::STRATEGY_PROJECT],
        _ => &[],
    }
}

/// Whether a plan in this status may be edited.
pub fn editable_status(status: PlanStatus) -> bool {
    matches!(status, PlanStatus::Draft | PlanStatus::UnderDeliberation)
}

/// Whether the user edits everything (planning office, administrators).
pub fn edits_everything(user: &User) -> bool {
    !user.disabled && (user.has(Role::Administrator) || user.has(Role::PlanningOffice))
}

/// Whether the user may edit this element's content.
pub fn may_edit(user: &User, row: &ElementRow) -> bool {
    if edits_everything(user) {
        return true;
    }
    let assigned = matches!(
        row.kind.as_str(),
        kind::FIELD | kind::MEASURE | kind::STRATEGY_MEASURE | kind::NUMERICAL_TARGET | kind::KPI
    );
    !user.disabled
        && user.has(Role::DepartmentEditor)
        && assigned
        && !user.department.trim().is_empty()
        && row.department.as_deref().map(str::trim) == Some(user.department.trim())
}

/// What a user submitted: the version they started from, the fields' texts, and (for kinds
/// with links) the chosen link targets as `plan/element`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Submission {
    /// The version (or, for the plan's own texts, the revision) the edit started from.
    pub version: u32,
    /// Field name → text, exactly as typed.
    pub values: BTreeMap<String, String>,
    /// Link targets (`plan/element`); `None` leaves the links as they are.
    pub links: Option<Vec<String>>,
}

/// The working copy of a plan, as an editor sees it: the plan, its rows, and the versions.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The plan (any status).
    pub plan: Plan,
    /// Its rows.
    pub rows: PlanRows,
    /// Plan revision and element versions.
    pub versions: EditVersions,
    /// The other plans of the municipality (link targets).
    pub others: Vec<Plan>,
}

impl Draft {
    /// One element's row.
    pub fn row(&self, id: &str) -> Option<&ElementRow> {
        self.rows.elements.iter().find(|e| e.id == id)
    }

    /// An element's version.
    pub fn version(&self, id: &str) -> u32 {
        self.versions.elements.get(id).copied().unwrap_or(1)
    }

    /// The values of an element's form fields, as stored.
    pub fn values(&self, row: &ElementRow) -> BTreeMap<String, String> {
        fields(&row.kind)
            .iter()
            .map(|s| (s.name.to_owned(), element_value(row, s.name)))
            .collect()
    }

    /// The plan's own texts, as stored.
    pub fn header_values(&self) -> BTreeMap<String, String> {
        header_fields(&self.plan)
            .iter()
            .map(|s| (s.name.to_owned(), header_value(&self.rows.plan, s.name)))
            .collect()
    }

    /// An element's links (`plan/element`), by link kind.
    pub fn links(&self, from: &str) -> Vec<String> {
        let mut out: Vec<&LinkRow> = self
            .rows
            .links
            .iter()
            .filter(|l| l.from_id == from)
            .collect();
        out.sort_by_key(|l| (l.kind.clone(), l.position));
        out.iter()
            .map(|l| format!("{}/{}", l.to_plan_id, l.to_id))
            .collect()
    }

    /// What an element of this kind may link to: `(plan/element, label)` in plan order.
    pub fn link_choices(&self, element_kind: &str, parent: Option<&str>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |plan: &Plan, kinds: &[&str], under: Option<&str>| {
            let rows = rows::flatten(plan);
            for e in &rows.elements {
                if !kinds.contains(&e.kind.as_str()) {
                    continue;
                }
                if let Some(bp) = under
                    && basic_plan_of(&rows, &e.id) != Some(bp)
                {
                    continue;
                }
                let label = if e.number.is_empty() {
                    e.title.clone()
                } else {
                    format!("{} {}", e.number, e.title)
                };
                out.push((
                    format!("{}/{}", plan.id(), e.id),
                    format!("{}：{label}", kind_label(&e.kind)),
                ));
            }
        };
        match element_kind {
            kind::PRIORITY_PROJECT => push(&self.plan, &[kind::MEASURE], parent),
            kind::STRATEGY_MEASURE => {
                for p in &self.others {
                    if matches!(p, Plan::Comprehensive(_)) {
                        push(p, &[kind::PRIORITY_PROJECT, kind::MEASURE], None);
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The goals a field may belong to: `(id, label)`.
    pub fn goals(&self) -> Vec<(String, String)> {
        let mut goals: Vec<&ElementRow> = self
            .rows
            .elements
            .iter()
            .filter(|e| e.kind == kind::GOAL)
            .collect();
        goals.sort_by_key(|e| e.position);
        goals
            .iter()
            .map(|g| {
                (
                    g.id.clone(),
                    format!("{} {}", g.number, g.title).trim().to_owned(),
                )
            })
            .collect()
    }
}

/// The basic plan an element sits in (itself, its parent, or its grandparent).
fn basic_plan_of<'a>(rows: &'a PlanRows, id: &str) -> Option<&'a str> {
    let mut current = rows.elements.iter().find(|e| e.id == id)?;
    for _ in 0..4 {
        if current.kind == kind::BASIC_PLAN {
            return Some(&current.id);
        }
        let parent = current.parent_id.as_deref()?;
        current = rows.elements.iter().find(|e| e.id == parent)?;
    }
    None
}

fn element_value(row: &ElementRow, name: &str) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let year = |v: Option<i32>| v.map(|y| y.to_string()).unwrap_or_default();
    match name {
        "number" => row.number.clone(),
        "title" => row.title.clone(),
        "description" => row.description.clone(),
        "goal_id" => text(&row.goal_id),
        "current_state" => text(&row.current_state),
        "course_of_action" => text(&row.course_of_action),
        "citizen_participation" => text(&row.citizen_participation),
        "department" => text(&row.department),
        "start_year" => year(row.start_year),
        "end_year" => year(row.end_year),
        "unit" => text(&row.unit),
        "direction" => text(&row.direction),
        "indicator_type" => text(&row.indicator_type),
        "baseline_value" => text(&row.baseline_value),
        "baseline_year" => year(row.baseline_year),
        "target_value" => text(&row.target_value),
        "target_year" => year(row.target_year),
        "calculation_method" => text(&row.calculation_method),
        "data_source" => text(&row.data_source),
        _ => String::new(),
    }
}

fn header_value(row: &PlanRow, name: &str) -> String {
    match name {
        "title" => row.title.clone(),
        "purpose" => row.purpose.clone(),
        "scope" => row.scope.clone(),
        "period_description" => row.period_description.clone(),
        "future_image" => row.future_image.clone().unwrap_or_default(),
        "future_image_note" => row.future_image_note.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Longest accepted texts (characters): a line, and several lines.
const LINE_MAX: usize = 500;
const TEXT_MAX: usize = 20_000;

fn problem(name: &str, message: String) -> FileProblem {
    FileProblem {
        path: name.to_owned(),
        message,
    }
}

/// Reads a decimal the way people type it: full-width digits, `，` or `,` separators.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let normal: String = text
        .trim()
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            '．' => Some('.'),
            '－' | '−' => Some('-'),
            ',' | '，' => None,
            other => Some(other),
        })
        .collect();
    Decimal::from_str(&normal).ok()
}

/// The checked, normalised value of one field.
enum Value {
    Text(String),
    Year(Option<i32>),
}

fn check_field(spec: &FieldSpec, raw: &str, goals: &[(String, String)]) -> Result<Value, String> {
    // Browsers send CRLF; stored text uses LF.
    let text = raw.replace("\r\n", "\n");
    let empty = text.trim().is_empty();
    if spec.required && empty {
        return Err(format!("{}を入力してください。", spec.label));
    }
    let chars = text.chars().count();
    if text
        .chars()
        .any(|c| c.is_control() && !(c == '\n' || c == '\t'))
    {
        return Err(format!(
            "{}に制御文字（改行とタブのほかの、表示されない文字）が含まれています。",
            spec.label
        ));
    }
    match spec.input {
        Input::Line if text.contains('\n') => {
            Err(format!("{}は1行で入力してください。", spec.label))
        }
        Input::Line if chars > LINE_MAX => Err(format!(
            "{}は{LINE_MAX}文字以内で入力してください（{chars}文字あります）。",
            spec.label
        )),
        Input::Text if chars > TEXT_MAX => Err(format!(
            "{}は{TEXT_MAX}文字以内で入力してください（{chars}文字あります）。",
            spec.label
        )),
        Input::Line | Input::Text => Ok(Value::Text(text)),
        Input::Year if empty => Ok(Value::Year(None)),
        Input::Year => FiscalYear::parse(text.trim())
            .map(|y| Value::Year(Some(y.year())))
            .map_err(|e| format!("{}: {e}（例: 2025、令和7年度）", spec.label)),
        Input::Decimal if empty => Ok(Value::Text(String::new())),
        Input::Decimal => parse_decimal(&text)
            .map(|d| Value::Text(d.to_string()))
            .ok_or_else(|| format!("{}は数値で入力してください（例: 1234.5）。", spec.label)),
        Input::Choice(choices) => {
            if choices.iter().any(|(code, _)| *code == text) {
                Ok(Value::Text(text))
            } else {
                Err(format!("{}を選んでください。", spec.label))
            }
        }
        Input::Goal => {
            if goals.iter().any(|(id, _)| *id == text) {
                Ok(Value::Text(text))
            } else {
                Err(format!("{}を選んでください。", spec.label))
            }
        }
    }
}

fn opt(text: String) -> Option<String> {
    Some(text)
}

fn set_element(row: &mut ElementRow, name: &str, value: Value) {
    match value {
        Value::Year(y) => match name {
            "start_year" => row.start_year = y,
            "end_year" => row.end_year = y,
            "baseline_year" => row.baseline_year = y,
            "target_year" => row.target_year = y,
            _ => {}
        },
        Value::Text(t) => match name {
            "number" => row.number = t,
            "title" => row.title = t,
            "description" => row.description = t,
            "goal_id" => row.goal_id = opt(t),
            "current_state" => row.current_state = opt(t),
            "course_of_action" => row.course_of_action = opt(t),
            "citizen_participation" => row.citizen_participation = opt(t),
            "department" => row.department = opt(t),
            "unit" => row.unit = opt(t),
            "direction" => row.direction = opt(t),
            "indicator_type" => row.indicator_type = opt(t),
            "baseline_value" => row.baseline_value = (!t.is_empty()).then_some(t),
            "target_value" => row.target_value = (!t.is_empty()).then_some(t),
            "calculation_method" => row.calculation_method = opt(t),
            "data_source" => row.data_source = opt(t),
            _ => {}
        },
    }
}

fn set_header(row: &mut PlanRow, name: &str, value: Value) {
    if let Value::Text(t) = value {
        match name {
            "title" => row.title = t,
            "purpose" => row.purpose = t,
            "scope" => row.scope = t,
            "period_description" => row.period_description = t,
            "future_image" => row.future_image = Some(t),
            "future_image_note" => row.future_image_note = Some(t),
            _ => {}
        }
    }
}

/// Pairs of a value and its year must come together.
fn pair_problems(row: &ElementRow) -> Vec<FileProblem> {
    let mut out = Vec::new();
    for (value, year, vname, yname, label) in [
        (
            &row.baseline_value,
            row.baseline_year,
            "baseline_value",
            "baseline_year",
            "基準値",
        ),
        (
            &row.target_value,
            row.target_year,
            "target_value",
            "target_year",
            "目標値",
        ),
    ] {
        match (value.is_some(), year.is_some()) {
            (true, false) => out.push(problem(
                yname,
                format!("{label}を入力したときは、その年度も入力してください。"),
            )),
            (false, true) => out.push(problem(
                vname,
                format!("{label}の年度を入力したときは、{label}も入力してください。"),
            )),
            _ => {}
        }
    }
    out
}

/// Maps a validation path's last member to the form field it concerns.
fn field_of(path: &keikaku_domain::plan::validate::Path) -> String {
    let last = path.0.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(*k),
        Segment::Index(_) => None,
    });
    match last.unwrap_or("") {
        "goal" => "goal_id".to_owned(),
        "start" => "start_year".to_owned(),
        "end" => "end_year".to_owned(),
        "baseline" => "baseline_value".to_owned(),
        "target" => "target_value".to_owned(),
        "period" => "period_description".to_owned(),
        "measures" | "linked_measures" | "linked_priority_projects" => "links".to_owned(),
        other => other.to_owned(),
    }
}

/// The problems the changed plan has that the stored one did not, by form field.
fn new_problems(draft: &Draft, changed: &PlanRows) -> Result<Vec<FileProblem>, AppError> {
    let plan = rows::assemble(changed)
        .map_err(|e| AppError::Invalid(vec![problem("", format!("保存できません: {e}"))]))?;
    let others: Vec<&Plan> = draft.others.iter().collect();
    let before: Vec<String> = validate_plan(&draft.plan, &others)
        .into_iter()
        .map(|p| p.message)
        .collect();
    Ok(validate_plan(&plan, &others)
        .into_iter()
        .filter(|p| !before.contains(&p.message))
        .map(|p| problem(&field_of(&p.path), p.message))
        .collect())
}

/// Loads the working copy of a plan for editing (any signed-in reader of drafts).
pub async fn draft(
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    plan_id: &PlanId,
) -> Result<Draft, AppError> {
    let not_found = || AppError::NotFound(format!("計画「{plan_id}」は登録されていません。"));
    let versions = store
        .edit_versions(code, plan_id)
        .await?
        .ok_or_else(not_found)?;
    // Versions first: a write landing in between makes the edit stale (a needless 409 at
    // worst), never lets an old text pass for a newer version.
    let mut others = crate::stored_plans(store, code).await?;
    let at = others
        .iter()
        .position(|p| p.id() == plan_id)
        .ok_or_else(not_found)?;
    let plan = others.remove(at);
    Ok(Draft {
        rows: rows::flatten(&plan),
        plan,
        versions,
        others,
    })
}

fn check_granted(granted: &Granted) -> Result<(), AppError> {
    if granted.action() == Action::EditPlan {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn forbidden() -> AppError {
    AppError::Forbidden("この要素を編集する権限がありません。".to_owned())
}

fn check_status(draft: &Draft) -> Result<(), AppError> {
    let status = draft.plan.header().status;
    if editable_status(status) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "計画「{}」は「{}」のため編集できません。編集するには、計画の状態を「審議中」または「草案」に戻してください（市民向けのページには、次に公開するまで今の公開版が表示されます）。",
            draft.plan.header().title,
            status.label()
        )))
    }
}

/// The first change of every edit: the plan is still a draft when the edit commits.
fn still_a_draft() -> Change {
    Change::StatusIn(vec![PlanStatus::Draft, PlanStatus::UnderDeliberation])
}

fn author(granted: &Granted, at: Timestamp) -> Author {
    Author {
        actor: granted.user().login_id.to_string(),
        at,
    }
}

/// The audit text of an element: its kind, id and form values, and its links.
fn audit_text(row: &ElementRow, links: &[String]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), row.id.clone().into());
    map.insert("kind".into(), row.kind.clone().into());
    for spec in fields(&row.kind) {
        map.insert(spec.name.into(), element_value(row, spec.name).into());
    }
    if !link_kinds(&row.kind).is_empty() {
        map.insert("links".into(), links.to_vec().into());
    }
    serde_json::Value::Object(map).to_string()
}

fn header_text(row: &PlanRow, specs: &[FieldSpec]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), row.id.clone().into());
    for spec in specs {
        map.insert(spec.name.into(), header_value(row, spec.name).into());
    }
    serde_json::Value::Object(map).to_string()
}

fn conflict(e: StoreError, what: &str) -> AppError {
    match e {
        StoreError::Stale(id) if id == "status" => AppError::Conflict(
            "計画の状態が、あなたが編集を始めた後に変わりました（決定・公開の計画は編集できません）。あなたの入力は保存されていません。".to_owned(),
        ),
        StoreError::Stale(_) => AppError::Conflict(format!(
            "{what}は、あなたが編集を始めた後に、ほかの人が変更（または削除）しています。あなたの入力は保存されていません。"
        )),
        other => AppError::from(other),
    }
}

/// Fields a department editor sees but does not change: who owns the element (所管課) and
/// where it sits in the plan (the goal a field belongs to).
pub const LOCKED_FOR_DEPARTMENTS: &[&str] = &["department", "goal_id"];

/// Applies a submission's fields to a row; problems by field. A department editor's
/// 所管課 stays as it is.
fn apply(
    row: &mut ElementRow,
    submission: &Submission,
    goals: &[(String, String)],
    everything: bool,
) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    for spec in fields(&row.kind) {
        if LOCKED_FOR_DEPARTMENTS.contains(&spec.name) && !everything {
            continue;
        }
        let raw = submission.values.get(spec.name).map_or("", String::as_str);
        match check_field(spec, raw, goals) {
            Ok(v) => set_element(row, spec.name, v),
            Err(m) => problems.push(problem(spec.name, m)),
        }
    }
    if problems.is_empty() {
        problems.extend(pair_problems(row));
    }
    problems
}

/// The link rows a submission asks for, checked against what this kind may link to.
fn link_changes(
    draft: &Draft,
    row: &ElementRow,
    chosen: &[String],
) -> Result<Vec<Change>, Vec<FileProblem>> {
    let choices = draft.link_choices(&row.kind, row.parent_id.as_deref());
    let mut by_kind: HashMap<&str, Vec<LinkRow>> = HashMap::new();
    let mut problems = Vec::new();
    for target in chosen {
        if !choices.iter().any(|(c, _)| c == target) {
            problems.push(problem(
                "links",
                format!("「{target}」はこの要素の関連先に選べません。"),
            ));
            continue;
        }
        let Some((to_plan, to_id)) = target.split_once('/') else {
            continue;
        };
        let target_kind = [&draft.plan]
            .into_iter()
            .chain(draft.others.iter())
            .find(|p| p.id().as_str() == to_plan)
            .and_then(|p| {
                rows::flatten(p)
                    .elements
                    .into_iter()
                    .find(|e| e.id == to_id)
            })
            .map(|e| e.kind)
            .unwrap_or_default();
        let link_kind = match (row.kind.as_str(), target_kind.as_str()) {
            (kind::PRIORITY_PROJECT, _) => link::PROJECT_MEASURE,
            (_, kind::PRIORITY_PROJECT) => link::STRATEGY_PROJECT,
            _ => link::STRATEGY_MEASURE,
        };
        let list = by_kind.entry(link_kind).or_default();
        if list
            .iter()
            .any(|l| l.to_plan_id == to_plan && l.to_id == to_id)
        {
            continue;
        }
        let position = i32::try_from(list.len()).unwrap_or(i32::MAX);
        list.push(LinkRow {
            from_id: row.id.clone(),
            kind: link_kind.to_owned(),
            to_plan_id: to_plan.to_owned(),
            to_id: to_id.to_owned(),
            position,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(link_kinds(&row.kind)
        .iter()
        .map(|k| Change::Links {
            from_id: row.id.clone(),
            kind: (*k).to_owned(),
            links: by_kind.remove(k).unwrap_or_default(),
        })
        .collect())
}

fn with_links(rows: &PlanRows, changes: &[Change]) -> PlanRows {
    let mut out = rows.clone();
    for c in changes {
        if let Change::Links {
            from_id,
            kind,
            links,
        } = c
        {
            out.links
                .retain(|l| !(l.from_id == *from_id && l.kind == *kind));
            out.links.extend(links.iter().cloned());
        }
    }
    out
}

/// Saves an element's fields (and links, for the planning office). Returns its new version.
pub async fn update_element(
    granted: &Granted,
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    plan_id: &PlanId,
    id: &str,
    submission: &Submission,
    at: Timestamp,
) -> Result<u32, AppError> {
    check_granted(granted)?;
    let draft = draft(store, code, plan_id).await?;
    let current = draft
        .row(id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("要素「{id}」はこの計画にありません。")))?;
    if !may_edit(granted.user(), &current) {
        return Err(forbidden());
    }
    check_status(&draft)?;
    // A stale form is a conflict before anything else: its text must be compared with the
    // current one, whatever else is wrong with it.
    if submission.version != draft.version(id) {
        return Err(conflict(
            StoreError::Stale(id.to_owned()),
            &format!("{}「{}」", kind_label(&current.kind), current.title),
        ));
    }
    let everything = edits_everything(granted.user());
    if !everything
        && let Some(chosen) = &submission.links
        && *chosen != draft.links(id)
    {
        return Err(AppError::Forbidden(
            "関連する施策・重点プロジェクトを変更できるのは、企画（計画担当）と管理者です。"
                .to_owned(),
        ));
    }
    let mut row = current.clone();
    let mut problems = apply(&mut row, submission, &draft.goals(), everything);
    let mut changes = vec![
        still_a_draft(),
        Change::Update {
            row: row.clone(),
            expected: submission.version,
        },
    ];
    let mut links_after = draft.links(id);
    if let (Some(chosen), true) = (&submission.links, everything) {
        match link_changes(&draft, &row, chosen) {
            Ok(c) => {
                changes.extend(c);
                links_after = chosen.clone();
            }
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        let mut changed = with_links(&draft.rows, &changes);
        if let Some(r) = changed.elements.iter_mut().find(|e| e.id == id) {
            *r = row.clone();
        }
        problems = new_problems(&draft, &changed)?;
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes,
        record: UserChange {
            action: "element.update".to_owned(),
            before: Some(audit_text(&current, &draft.links(id))),
            after: Some(audit_text(&row, &links_after)),
        },
        target: format!("{plan_id}/{id}"),
        freeze: None,
    };
    store
        .edit_plan(code, &edit, &author(granted, at))
        .await
        .map_err(|e| {
            conflict(
                e,
                &format!("{}「{}」", kind_label(&row.kind), current.title),
            )
        })?;
    Ok(submission.version.saturating_add(1))
}

/// Where a new element goes: its kind, under which parent (`None`: the plan's top level).
#[derive(Clone, Copy, Debug)]
pub struct Placement<'a> {
    /// The new element's kind.
    pub kind: &'a str,
    /// Its parent element.
    pub parent: Option<&'a str>,
}

/// A new element's id: the kind and a random suffix (`measure-3f9a0c1e`). Never a number
/// counted from the elements there are now: a deleted element's id must not come back, or an
/// old form or API call for the deleted element would reach the new one (same id, version 1).
fn new_id(draft: &Draft, element_kind: &str) -> Result<String, AppError> {
    let prefix = element_kind.replace('_', "-");
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| {
            AppError::Store(StoreError::Backend(
                format!("乱数を取得できません: {e}").into(),
            ))
        })?;
        let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let id = format!("{prefix}-{suffix}");
        if draft.row(&id).is_none() {
            return Ok(id);
        }
    }
}

/// Adds an element of a kind under a parent (`None`: the plan's top level), at the end of
/// its siblings. Returns the new element's id. The planning office and administrators only.
pub async fn create_element(
    granted: &Granted,
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    plan_id: &PlanId,
    place: Placement<'_>,
    submission: &Submission,
    at: Timestamp,
) -> Result<String, AppError> {
    let Placement {
        kind: element_kind,
        parent,
    } = place;
    check_granted(granted)?;
    if !edits_everything(granted.user()) {
        return Err(AppError::Forbidden(
            "要素を追加できるのは、企画（計画担当）と管理者です。".to_owned(),
        ));
    }
    let draft = draft(store, code, plan_id).await?;
    check_status(&draft)?;
    let parent_kind = match parent {
        None => None,
        Some(p) => Some(
            draft
                .row(p)
                .ok_or_else(|| AppError::NotFound(format!("要素「{p}」はこの計画にありません。")))?
                .kind
                .as_str(),
        ),
    };
    if !child_kinds(&draft.plan, parent_kind).contains(&element_kind) {
        return Err(AppError::Invalid(vec![problem(
            "kind",
            format!("ここには「{}」を追加できません。", kind_label(element_kind)),
        )]));
    }
    let position = draft
        .rows
        .elements
        .iter()
        .filter(|e| e.kind == element_kind && e.parent_id.as_deref() == parent)
        .map(|e| e.position.saturating_add(1))
        .max()
        .unwrap_or(0);
    let mut row = ElementRow {
        id: new_id(&draft, element_kind)?,
        kind: element_kind.to_owned(),
        parent_id: parent.map(str::to_owned),
        position,
        ..ElementRow::default()
    };
    let mut problems = apply(&mut row, submission, &draft.goals(), true);
    let mut changes = vec![still_a_draft(), Change::Insert { row: row.clone() }];
    let chosen = submission.links.clone().unwrap_or_default();
    if !link_kinds(element_kind).is_empty() {
        match link_changes(&draft, &row, &chosen) {
            Ok(c) => changes.extend(c),
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        let mut changed = draft.rows.clone();
        changed.elements.push(row.clone());
        let changed = with_links(&changed, &changes);
        problems = new_problems(&draft, &changed)?;
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes,
        record: UserChange {
            action: "element.create".to_owned(),
            before: None,
            after: Some(audit_text(&row, &chosen)),
        },
        target: format!("{plan_id}/{}", row.id),
        freeze: None,
    };
    store
        .edit_plan(code, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, "追加先"))?;
    Ok(row.id)
}

/// Deletes an element that has no children and that nothing refers to (the planning office
/// and administrators only).
pub async fn delete_element(
    granted: &Granted,
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    plan_id: &PlanId,
    id: &str,
    version: u32,
    at: Timestamp,
) -> Result<(), AppError> {
    check_granted(granted)?;
    if !edits_everything(granted.user()) {
        return Err(AppError::Forbidden(
            "要素を削除できるのは、企画（計画担当）と管理者です。".to_owned(),
        ));
    }
    let draft = draft(store, code, plan_id).await?;
    let row = draft
        .row(id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("要素「{id}」はこの計画にありません。")))?;
    check_status(&draft)?;
    let name = format!("{}「{}」", kind_label(&row.kind), row.title);
    if row.kind == kind::BASIC_PLAN {
        return Err(AppError::Conflict(format!("{name}は削除できません。")));
    }
    let children = draft
        .rows
        .elements
        .iter()
        .filter(|e| e.parent_id.as_deref() == Some(id))
        .count();
    if children > 0 {
        return Err(AppError::Conflict(format!(
            "{name}の下に{children}件の要素があるため削除できません。先に下の要素を削除してください。"
        )));
    }
    let mut referrers: Vec<String> = draft
        .rows
        .elements
        .iter()
        .filter(|e| e.goal_id.as_deref() == Some(id))
        .map(|e| format!("{}「{}」", kind_label(&e.kind), e.title))
        .collect();
    for p in std::iter::once(&draft.plan).chain(draft.others.iter()) {
        let rows = rows::flatten(p);
        for l in rows
            .links
            .iter()
            .filter(|l| l.to_plan_id == plan_id.as_str() && l.to_id == id)
        {
            if let Some(e) = rows.elements.iter().find(|e| e.id == l.from_id) {
                referrers.push(format!("{}「{}」", kind_label(&e.kind), e.title));
            }
        }
    }
    if !referrers.is_empty() {
        return Err(AppError::Conflict(format!(
            "{name}は{}から参照されているため削除できません。先に参照を外してください。",
            referrers.join("、")
        )));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes: vec![
            still_a_draft(),
            Change::Delete {
                id: id.to_owned(),
                expected: version,
            },
        ],
        record: UserChange {
            action: "element.delete".to_owned(),
            before: Some(audit_text(&row, &draft.links(id))),
            after: None,
        },
        target: format!("{plan_id}/{id}"),
        freeze: None,
    };
    store
        .edit_plan(code, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, &name))
}

/// Moves an element one place up or down among its siblings of the same kind (the planning
/// office and administrators only).
pub async fn move_element(
    granted: &Granted,
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    plan_id: &PlanId,
    id: &str,
    up: bool,
    at: Timestamp,
) -> Result<(), AppError> {
    check_granted(granted)?;
    if !edits_everything(granted.user()) {
        return Err(AppError::Forbidden(
            "並べ替えができるのは、企画（計画担当）と管理者です。".to_owned(),
        ));
    }
    let draft = draft(store, code, plan_id).await?;
    let row = draft
        .row(id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("要素「{id}」はこの計画にありません。")))?;
    check_status(&draft)?;
    let mut siblings: Vec<&ElementRow> = draft
        .rows
        .elements
        .iter()
        .filter(|e| e.kind == row.kind && e.parent_id == row.parent_id)
        .collect();
    siblings.sort_by_key(|e| e.position);
    let Some(i) = siblings.iter().position(|e| e.id == id) else {
        return Ok(());
    };
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    let Some(other) = j.and_then(|j| siblings.get(j)) else {
        return Ok(()); // already first (or last): nothing to do
    };
    let (a, b) = (siblings[i].position, other.position);
    // Equal positions (from a hand-made file) are separated by the index.
    let (a, b) = if a == b {
        let k = i32::try_from(i).unwrap_or(0);
        if up { (k - 1, k) } else { (k + 1, k) }
    } else {
        (b, a)
    };
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes: vec![
            still_a_draft(),
            Change::Position {
                id: id.to_owned(),
                from: siblings[i].position,
                position: a,
            },
            Change::Position {
                id: other.id.clone(),
                from: other.position,
                position: b,
            },
        ],
        record: UserChange {
            action: "element.move".to_owned(),
            before: Some(format!("{}: {}", id, siblings[i].position)),
            after: Some(format!("{}: {}", id, a)),
        },
        target: format!("{plan_id}/{id}"),
        freeze: None,
    };
    store
        .edit_plan(code, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, &format!("{}「{}」", kind_label(&row.kind), row.title)))
}

/// Saves the plan's own texts (title, purpose, scope, period wording, future image); the
/// planning office and administrators only. Returns the new revision.
pub async fn update_header(
    granted: &Granted,
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    plan_id: &PlanId,
    submission: &Submission,
    at: Timestamp,
) -> Result<u32, AppError> {
    check_granted(granted)?;
    if !edits_everything(granted.user()) {
        return Err(AppError::Forbidden(
            "計画の基本事項を編集できるのは、企画（計画担当）と管理者です。".to_owned(),
        ));
    }
    let draft = draft(store, code, plan_id).await?;
    check_status(&draft)?;
    if submission.version != draft.versions.revision {
        return Err(conflict(
            StoreError::Stale("plan".to_owned()),
            &format!("計画「{}」の基本事項", draft.plan.header().title),
        ));
    }
    let specs = header_fields(&draft.plan);
    let mut row = draft.rows.plan.clone();
    let mut problems = Vec::new();
    for spec in specs {
        let raw = submission.values.get(spec.name).map_or("", String::as_str);
        match check_field(spec, raw, &[]) {
            Ok(v) => set_header(&mut row, spec.name, v),
            Err(m) => problems.push(problem(spec.name, m)),
        }
    }
    if problems.is_empty() {
        let changed = PlanRows {
            plan: row.clone(),
            ..draft.rows.clone()
        };
        problems = new_problems(&draft, &changed)?;
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes: vec![
            still_a_draft(),
            Change::Header {
                row: row.clone(),
                expected: submission.version,
            },
        ],
        record: UserChange {
            action: "plan.update".to_owned(),
            before: Some(header_text(&draft.rows.plan, specs)),
            after: Some(header_text(&row, specs)),
        },
        target: plan_id.to_string(),
        freeze: None,
    };
    store
        .edit_plan(code, &edit, &author(granted, at))
        .await
        .map_err(|e| {
            conflict(
                e,
                &format!("計画「{}」の基本事項", draft.plan.header().title),
            )
        })?;
    Ok(submission.version.saturating_add(1))
}

/// Parses the version a form or request carries.
pub fn parse_version(text: &str) -> Result<u32, AppError> {
    text.trim().parse::<u32>().map_err(|_| {
        AppError::Invalid(vec![problem(
            "version",
            "編集を始めた版の番号がありません。画面を開き直してください。".to_owned(),
        )])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(input: Input, required: bool) -> FieldSpec {
        f("x", "値", input, required)
    }

    #[test]
    fn decimals_are_read_as_typed() {
        assert_eq!(
            parse_decimal("１，２３４．５"),
            Decimal::from_str("1234.5").ok()
        );
        assert_eq!(parse_decimal(" 12,000 "), Decimal::from_str("12000").ok());
        assert_eq!(parse_decimal("－3"), Decimal::from_str("-3").ok());
        assert_eq!(parse_decimal("abc"), None);
    }

    #[test]
    fn fields_are_checked_with_japanese_messages() {
        let e = |input, required, raw: &str| match check_field(&spec(input, required), raw, &[]) {
            Ok(_) => String::new(),
            Err(m) => m,
        };
        assert_eq!(e(Input::Line, true, " "), "値を入力してください。");
        assert_eq!(e(Input::Line, false, "a\nb"), "値は1行で入力してください。");
        assert!(e(Input::Line, false, &"あ".repeat(501)).contains("500文字以内"));
        assert_eq!(e(Input::Text, false, "a\r\nb"), "");
        assert_eq!(e(Input::Text, false, "a\tb"), "");
        assert!(e(Input::Line, false, "a\u{0}b").contains("制御文字"));
        assert!(e(Input::Text, false, "a\rb").contains("制御文字"));
        assert_eq!(e(Input::Year, false, "令和7年度"), "");
        assert!(e(Input::Year, false, "来年").starts_with("値: "));
        assert_eq!(e(Input::Decimal, false, "1.5"), "");
        assert!(e(Input::Decimal, false, "多い").contains("数値"));
        assert!(e(Input::Choice(DIRECTIONS), true, "up").contains("選んで"));
        assert_eq!(e(Input::Choice(DIRECTIONS), true, "higher"), "");
        match check_field(&spec(Input::Year, false), "R7", &[]) {
            Ok(Value::Year(Some(2025))) => {}
            _ => panic!("R7 is 2025"),
        }
    }

    #[test]
    fn department_editors_edit_only_their_own() {
        let user = |roles: Vec<Role>, department: &str| User {
            login_id: keikaku_domain::account::LoginId::parse("tester")
                .unwrap_or_else(|_| panic!()),
            display_name: "u".into(),
            department: department.into(),
            roles,
            disabled: false,
        };
        let row = |k: &str, d: &str| ElementRow {
            kind: k.into(),
            department: Some(d.into()),
            ..ElementRow::default()
        };
        let editor = user(vec![Role::DepartmentEditor], "農政課");
        assert!(may_edit(&editor, &row(kind::MEASURE, "農政課")));
        assert!(may_edit(&editor, &row(kind::KPI, " 農政課")));
        assert!(!may_edit(&editor, &row(kind::MEASURE, "商工課")));
        assert!(!may_edit(&editor, &row(kind::GOAL, "農政課")));
        assert!(!may_edit(
            &user(vec![Role::DepartmentEditor], ""),
            &row(kind::MEASURE, "")
        ));
        assert!(!may_edit(
            &user(vec![Role::Member], "農政課"),
            &row(kind::MEASURE, "農政課")
        ));
        assert!(may_edit(
            &user(vec![Role::PlanningOffice], ""),
            &row(kind::GOAL, "")
        ));
        assert!(edits_everything(&user(vec![Role::Administrator], "")));
    }

    #[test]
    fn only_drafts_are_edited() {
        assert!(editable_status(PlanStatus::Draft));
        assert!(editable_status(PlanStatus::UnderDeliberation));
        assert!(!editable_status(PlanStatus::Adopted));
        assert!(!editable_status(PlanStatus::Published));
    }
}
