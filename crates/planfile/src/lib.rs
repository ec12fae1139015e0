//! The keikaku plan file: a documented, versioned JSON format for the plans of one
//! municipality (see `docs/plan-file.md`).
//!
//! - [`parse`] reads a file and returns the municipality and its plans, or every problem found
//!   with its JSON path (`$.plans[0].basic_plans[0].fields[3].goal`). Cross-plan rules (links
//!   between plans, duplicate ids) are checked here too, against the plans in the file and the
//!   `stored` plans the caller passes.
//! - [`to_json`] writes the canonical form; `parse` then `to_json` of a canonical file gives the
//!   same bytes.
//! - [`example`] gives the example data shipped with keikaku (Ichinoseki City).
//! - [`programs`]: the 実施計画 as JSON — one edition and its programs, amounts in yen.
//! - [`population_projection`]: one population projection's input and result as JSON (the
//!   command line's `keikaku population project`).
//!
//! ```
//! let text = keikaku_planfile::example("ichinoseki").unwrap();
//! let file = keikaku_planfile::parse(text, &[]).unwrap();
//! assert_eq!(file.municipality.name, "一関市");
//! assert_eq!(keikaku_planfile::to_json(&file.municipality, &file.plans), text);
//! ```

pub mod dto;
pub mod population_projection;
pub mod population_vision;
mod population_vision_read;
pub mod programs;
mod read;
mod read_indicator;
pub mod write;

use std::fmt;

use keikaku_domain::plan::validate::validate_plan;
use keikaku_domain::{Municipality, Plan};
use serde::Serialize;
use serde_json::Value;

/// The value of the `format` member.
pub const FORMAT: &str = "keikaku-plan-file";
/// The format version this build writes; it reads this one and every earlier one
/// ([`OLDEST_VERSION`] on).
pub const VERSION: u64 = 2;
/// The oldest format version this build still reads (a version 1 file's indicators get the
/// defaults of the members version 2 added, and its fields and measures no 成果指標).
pub const OLDEST_VERSION: u64 = 1;

/// A problem in a plan file: its JSON path and why (Japanese).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FileProblem {
    /// JSON path, e.g. `$.plans[0].vision.goals[2].title`.
    pub path: String,
    /// Why it is a problem.
    pub message: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The contents of a valid plan file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanFile {
    /// The municipality.
    pub municipality: Municipality,
    /// Its plans, in file order.
    pub plans: Vec<Plan>,
}

/// Reads a plan file. `stored` are the plans of the same municipality already stored, which
/// links may point to; a plan in the file with the same id as a stored one takes its place.
pub fn parse(text: &str, stored: &[Plan]) -> Result<PlanFile, Vec<FileProblem>> {
    parse_inner(text, Some(stored))
}

/// Reads a plan file that keikaku itself wrote earlier (a version snapshot): every value is
/// read and checked, but links to other plans are not resolved, since those plans may have
/// changed since.
pub fn read_snapshot(text: &str) -> Result<PlanFile, Vec<FileProblem>> {
    parse_inner(text, None)
}

#[allow(clippy::too_many_lines)] // one pass over the file's top-level members, each checked in place with its path
fn parse_inner(text: &str, stored: Option<&[Plan]>) -> Result<PlanFile, Vec<FileProblem>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![FileProblem {
            path: "$".to_owned(),
            message: format!(
                "JSONとして読めません（{}行{}列）: {}",
                e.line(),
                e.column(),
                e
            ),
        }]
    })?;
    let mut r = read::Reader {
        problems: Vec::new(),
        version: VERSION,
    };
    if !value.is_object() {
        // Not a plan file at all: one problem, not one per missing member.
        r.object(&value, "$", &[]);
        return Err(r.problems);
    }
    let root = r.object(&value, "$", &["format", "version", "municipality", "plans"]);
    let format = r.string(root, "format", "$");
    if root.contains_key("format") && format != FORMAT {
        r.problems.push(FileProblem {
            path: "$.format".to_owned(),
            message: format!("format は「{FORMAT}」である必要があります（「{format}」でした）。"),
        });
    }
    match root.get("version").and_then(Value::as_u64) {
        Some(v @ OLDEST_VERSION..=VERSION) => r.version = v,
        Some(v) => r.problems.push(FileProblem {
            path: "$.version".to_owned(),
            message: format!(
                "この版のkeikakuが読めるのは version {OLDEST_VERSION}〜{VERSION} です（{v} でした）。"
            ),
        }),
        None => r.problems.push(FileProblem {
            path: "$.version".to_owned(),
            message: "version（整数）がありません。".to_owned(),
        }),
    }
    let municipality = r.municipality(
        root.get("municipality").unwrap_or(&Value::Null),
        "$.municipality",
    );
    let code = municipality.code.clone();
    // Positions are kept (`None` for a plan that could not be read) so that problems found
    // later name the right `$.plans[i]`.
    let plans: Vec<Option<Plan>> = r.list(root, "plans", "$", |r, v, path| {
        let position = path
            .rsplit('[')
            .next()
            .and_then(|s| s.trim_end_matches(']').parse().ok())
            .unwrap_or(0);
        r.plan(v, path, &code, position)
    });
    let no_plans = match root.get("plans") {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    };
    if no_plans {
        r.problems.push(FileProblem {
            path: "$.plans".to_owned(),
            message: "計画が1つもありません。".to_owned(),
        });
    }
    // The consistency rules run even when some values could not be read, so that every
    // problem is reported at once; the problems that rest on an unread value are left out.
    let unread: Vec<String> = r.problems.iter().map(|p| p.path.clone()).collect();
    let mut checked = Vec::new();
    if let Some(stored) = stored {
        check_plans(&plans, stored, &mut checked);
    }
    r.problems.extend(
        checked
            .into_iter()
            .filter(|p| !rests_on_unread(&p.path, &unread)),
    );
    if r.problems.is_empty() {
        Ok(PlanFile {
            municipality,
            plans: plans.into_iter().flatten().collect(),
        })
    } else {
        Err(r.problems)
    }
}

/// Whether a problem found by the consistency rules rests on a value that could not be read.
/// Reading goes on past such a value with a placeholder (an empty text, the id `invalid`, the
/// year 2000); a rule that looked at the placeholder would speak of something that is not in
/// the file, and the reading problem already says what to fix.
fn rests_on_unread(path: &str, unread: &[String]) -> bool {
    // `place` is the unread value, or inside one (its object was not an object, …).
    let unread_at = |place: &str| {
        unread.iter().any(|r| {
            place
                .strip_prefix(r.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    };
    let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
    let mut places = vec![path.to_owned()];
    match last {
        // The order of a plan's period.
        "period" => places.extend([format!("{path}.start"), format!("{path}.end")]),
        // The years of a basic plan; `start` also reports a basic plan outside the period.
        "start" | "end" => {
            places.extend([format!("{parent}.start"), format!("{parent}.end")]);
            if let Some((plan, _)) = parent.rsplit_once(".basic_plans[") {
                places.extend([format!("{plan}.period.start"), format!("{plan}.period.end")]);
            }
        }
        // The order of an indicator's baseline and target years.
        "target" => places.extend([format!("{path}.year"), format!("{parent}.baseline.year")]),
        // An interim target's year against the baseline's and the target's; a repeated year
        // of a definition change; a tolerance against the direction.
        _ if last.starts_with("interim_targets[") => places.extend([
            format!("{path}.year"),
            format!("{parent}.baseline.year"),
            format!("{parent}.target.year"),
        ]),
        _ if last.starts_with("definition_changes[") => places.push(format!("{path}.year")),
        "tolerance" => places.push(format!("{parent}.direction")),
        // A link: its plan and element ids.
        _ if last.starts_with("linked_") => {
            places.extend([format!("{path}.plan"), format!("{path}.element")]);
        }
        _ => {}
    }
    places.iter().any(|place| unread_at(place))
}

/// Rules across plans: unique plan ids in the file, and each plan's own rules with links
/// resolved against the file's plans and the stored ones.
fn check_plans(plans: &[Option<Plan>], stored: &[Plan], problems: &mut Vec<FileProblem>) {
    let read = || {
        plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().map(|p| (i, p)))
    };
    for (i, p) in read() {
        if let Some((j, _)) = read().find(|(j, q)| *j < i && q.id() == p.id()) {
            problems.push(FileProblem {
                path: format!("$.plans[{i}].id"),
                message: format!("計画ID「{}」が $.plans[{j}] と重複しています。", p.id()),
            });
        }
    }
    let others: Vec<&Plan> = read()
        .map(|(_, p)| p)
        .chain(
            stored
                .iter()
                .filter(|s| read().all(|(_, p)| p.id() != s.id())),
        )
        .collect();
    for (i, p) in read() {
        for problem in validate_plan(p, &others) {
            let inner = problem.path.to_string();
            problems.push(FileProblem {
                path: format!("$.plans[{i}]{}", inner.trim_start_matches('$')),
                message: problem.message,
            });
        }
    }
}

/// The whole file as its serde shape.
pub fn to_dto(municipality: &Municipality, plans: &[Plan]) -> dto::PlanFileDto {
    dto::PlanFileDto {
        format: FORMAT.to_owned(),
        version: u32::try_from(VERSION).unwrap_or(u32::MAX),
        municipality: write::municipality(municipality),
        plans: plans.iter().map(write::plan).collect(),
    }
}

/// Writes the canonical plan file: pretty-printed JSON with two-space indents and a final
/// newline; Japanese text as is (not `\u` escaped).
pub fn to_json(municipality: &Municipality, plans: &[Plan]) -> String {
    let mut text = serde_json::to_string_pretty(&to_dto(municipality, plans))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The example data shipped with keikaku, by name. Only `ichinoseki` (一関市) for now.
pub fn example(name: &str) -> Option<&'static str> {
    match name {
        "ichinoseki" => Some(include_str!("../examples/ichinoseki.json")),
        _ => None,
    }
}

/// The sample yearly values of indicators that come with an example (JSON: `values`, each
/// with `plan`, `indicator`, `fiscal_year`, `actual` as a decimal string, `state` and
/// `note`). They are illustrative, marked サンプル in their notes, never real data.
pub fn example_values(name: &str) -> Option<&'static str> {
    match name {
        "ichinoseki" => Some(include_str!("../examples/ichinoseki-kpi-values.json")),
        _ => None,
    }
}

/// The sample verification rounds (効果検証) that come with an example (JSON: `rounds`, each
/// with `plan`, `fiscal_year`, `publish`, the panel's `opinion`, `assessments` — `indicator`,
/// `analysis`, `course`, and optionally `rating`, `remark`, `response` — and `submissions` —
/// `department`, `state`). Illustrative texts, marked サンプル, never real data.
pub fn example_rounds(name: &str) -> Option<&'static str> {
    match name {
        "ichinoseki" => Some(include_str!("../examples/ichinoseki-kpi-rounds.json")),
        _ => None,
    }
}

/// The sample 実施計画 that comes with an example: one edition in the format of
/// [`programs`] (made in FY2025, covering FY2026–2028, 公表), every program marked サンプル —
/// illustrative, not the city's real programs or budget.
pub fn example_programs(name: &str) -> Option<&'static str> {
    match name {
        "ichinoseki" => Some(include_str!("../examples/ichinoseki-programs.json")),
        _ => None,
    }
}

/// The 人口ビジョン of an example, as a [`population_vision`] file: the city's real census
/// totals and the national institute's figure for comparison; the age structure and the
/// assumptions are samples (marked サンプル).
pub fn example_population(name: &str) -> Option<&'static str> {
    match name {
        "ichinoseki" => Some(include_str!("../examples/ichinoseki-population.json")),
        _ => None,
    }
}

/// The department list of an example (所管課 and contacts): the city hall's switchboard and
/// top page stand in for each department's own (a sample the city replaces).
pub fn example_departments(name: &str) -> Option<&'static str> {
    match name {
        "ichinoseki" => Some(include_str!("../examples/ichinoseki-departments.json")),
        _ => None,
    }
}

/// One department of a department list file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentDto {
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    website: String,
}

/// A department list file: `{"departments": [{"name", "phone", "email", "website"}]}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentsDto {
    #[serde(default, rename = "_comment")]
    _comment: Option<String>,
    departments: Vec<DepartmentDto>,
}

/// Reads a department list file (the list is checked by the use case that stores it).
pub fn read_departments(
    text: &str,
) -> Result<Vec<keikaku_domain::department::Department>, FileProblem> {
    let dto: DepartmentsDto = serde_json::from_str(text).map_err(|e| FileProblem {
        path: "$".to_owned(),
        message: format!(
            "所管課の一覧を読めません（{}行{}列）。",
            e.line(),
            e.column()
        ),
    })?;
    Ok(dto
        .departments
        .into_iter()
        .map(|d| keikaku_domain::department::Department {
            name: d.name,
            phone: d.phone,
            email: d.email,
            website: d.website,
        })
        .collect())
}

/// The theme list of an example, with the elements each theme is put on (a sample the city
/// replaces).
pub fn example_themes(name: &str) -> Option<&'static str> {
    match name {
        "ichinoseki" => Some(include_str!("../examples/ichinoseki-themes.json")),
        _ => None,
    }
}

/// One element a theme is put on, in a theme list file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeElementDto {
    plan: String,
    element: String,
}

/// One theme of a theme list file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeDto {
    code: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    elements: Vec<ThemeElementDto>,
}

/// A theme list file: `{"themes": [{"code", "name", "description", "words": [], "elements":
/// [{"plan", "element"}]}]}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemesDto {
    #[serde(default, rename = "_comment")]
    _comment: Option<String>,
    themes: Vec<ThemeDto>,
}

/// A theme read from a theme list file, with the elements (plan id, element id) it is put on.
pub type ThemeWithElements = (keikaku_domain::theme::Theme, Vec<(String, String)>);

/// Reads a theme list file (the list is checked by the use case that stores it).
pub fn read_themes(text: &str) -> Result<Vec<ThemeWithElements>, FileProblem> {
    let dto: ThemesDto = serde_json::from_str(text).map_err(|e| FileProblem {
        path: "$".to_owned(),
        message: format!(
            "テーマの一覧を読めません（{}行{}列）。",
            e.line(),
            e.column()
        ),
    })?;
    Ok(dto
        .themes
        .into_iter()
        .map(|t| {
            (
                keikaku_domain::theme::Theme {
                    code: t.code,
                    name: t.name,
                    description: t.description,
                    words: t.words,
                },
                t.elements
                    .into_iter()
                    .map(|e| (e.plan, e.element))
                    .collect(),
            )
        })
        .collect())
}

/// The names [`example`] knows.
pub const EXAMPLES: &[&str] = &["ichinoseki"];

/// The municipality code of a plan file, read leniently (`None` when the file is not JSON or
/// has no valid code; [`parse`] then reports why).
pub fn peek_municipality(text: &str) -> Option<keikaku_domain::MunicipalityCode> {
    let value: Value = serde_json::from_str(text).ok()?;
    let code = value.get("municipality")?.get("code")?.as_str()?;
    keikaku_domain::MunicipalityCode::parse(code).ok()
}
