//! The vision's form: public or not, the note of the target (将来展望), the target path, the
//! actual totals, the reference projections and the strategy's indicators the vision rests
//! on — rows as a table with a few empty rows to add, every problem next to its cell; and the
//! actual totals read from a sheet.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::access::Granted;
use keikaku_app::population::{import_actuals, indicator_choices, population, save_vision};
use keikaku_domain::ElementRef;
use keikaku_domain::population::{
    ActualSource, ActualTotal, PopulationVision, Reference, TargetPoint,
};
use keikaku_domain::{ElementId, PlanId};

use super::forms::{Posted, Problem, count, year};
use super::{HOME, problems_of, trail};
use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::staff::extract::{StaffForm, StaffUser};
use crate::staff::session::require_csrf;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

/// Empty rows offered below the stored ones.
const SPARE: usize = 3;

/// A row of the target or actuals table as the form shows it.
struct RowView {
    index: usize,
    year: String,
    total: String,
    source: String,
    note: String,
}

/// A reference projection as the form shows it.
struct ReferenceView {
    index: usize,
    name: String,
    points: String,
}

#[derive(Template)]
#[template(path = "staff/population_vision.html")]
struct VisionPage {
    layout: Layout,
    csrf: String,
    revision: String,
    summary: Vec<(String, String)>,
    errors: Vec<Problem>,
    published: bool,
    target_note: String,
    target: Vec<RowView>,
    actuals: Vec<RowView>,
    references: Vec<ReferenceView>,
    choices: Vec<(String, String, bool)>,
    sources: Vec<(&'static str, &'static str)>,
}

impl VisionPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn id_of(field: &str) -> String {
    format!(
        "vision-{}",
        field.replace(['[', ']', '.'], "-").trim_end_matches('-')
    )
}

fn points_text(points: &[(i32, u64)]) -> String {
    points
        .iter()
        .map(|(y, t)| format!("{y} {t}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The form's rows of a stored (or posted) vision, with spare rows.
#[allow(clippy::too_many_arguments)] // one page: what it shows, its problems and its token
async fn page(
    state: &AppState,
    granted: &Granted,
    csrf: &str,
    status: StatusCode,
    revision: String,
    vision: &PopulationVision,
    raw: Option<&Posted>,
    errors: Vec<Problem>,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let choices = indicator_choices(&cx, granted).await?;
    let get = |name: &str, stored: String| match raw {
        Some(p) => p.get(name),
        None => stored,
    };
    let rows = raw.map_or(vision.target.len(), |p| rows_in(p, "target")) + SPARE;
    let target = (0..rows)
        .map(|i| {
            let t = vision.target.get(i);
            RowView {
                index: i,
                year: get(
                    &format!("target[{i}].year"),
                    t.map(|t| t.year.to_string()).unwrap_or_default(),
                ),
                total: get(
                    &format!("target[{i}].total"),
                    t.map(|t| t.total.to_string()).unwrap_or_default(),
                ),
                source: String::new(),
                note: String::new(),
            }
        })
        .collect();
    let rows = raw.map_or(vision.actuals.len(), |p| rows_in(p, "actuals")) + SPARE;
    let actuals = (0..rows)
        .map(|i| {
            let a = vision.actuals.get(i);
            RowView {
                index: i,
                year: get(
                    &format!("actuals[{i}].year"),
                    a.map(|a| a.year.to_string()).unwrap_or_default(),
                ),
                total: get(
                    &format!("actuals[{i}].total"),
                    a.map(|a| a.total.to_string()).unwrap_or_default(),
                ),
                source: get(
                    &format!("actuals[{i}].source"),
                    a.map(|a| a.source.code().to_owned())
                        .unwrap_or_else(|| "census".to_owned()),
                ),
                note: get(
                    &format!("actuals[{i}].note"),
                    a.map(|a| a.note.clone()).unwrap_or_default(),
                ),
            }
        })
        .collect();
    let rows = raw.map_or(vision.references.len(), |p| rows_in(p, "references")) + 1;
    let references = (0..rows)
        .map(|i| {
            let r = vision.references.get(i);
            ReferenceView {
                index: i,
                name: get(
                    &format!("references[{i}].name"),
                    r.map(|r| r.name.clone()).unwrap_or_default(),
                ),
                points: get(
                    &format!("references[{i}].points"),
                    r.map(|r| points_text(&r.points)).unwrap_or_default(),
                ),
            }
        })
        .collect();
    let linked: Vec<String> = match raw {
        Some(p) => p.all("link"),
        None => vision
            .links
            .iter()
            .map(|l| format!("{}/{}", l.plan, l.element))
            .collect(),
    };
    let page = VisionPage {
        layout: staff_layout(state, "目標人口・実績人口", &trail()).await?,
        csrf: csrf.to_owned(),
        revision,
        summary: errors
            .iter()
            .map(|(f, m)| {
                (
                    if f.is_empty() {
                        "vision-form".to_owned()
                    } else {
                        id_of(f)
                    },
                    m.clone(),
                )
            })
            .collect(),
        errors,
        published: raw.map_or(vision.published, |p| p.checked("published")),
        target_note: get("target_note", vision.target_note.clone()),
        target,
        actuals,
        references,
        choices: choices
            .into_iter()
            .map(|(l, label)| {
                let value = format!("{}/{}", l.plan, l.element);
                let on = linked.contains(&value);
                (value, label, on)
            })
            .collect(),
        sources: ActualSource::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
    };
    Ok(private_page(status, page.render()?))
}

/// How many rows of a table a form posted (the highest index + 1).
fn rows_in(p: &Posted, table: &str) -> usize {
    p.values
        .keys()
        .filter_map(|k| k.strip_prefix(&format!("{table}[")))
        .filter_map(|k| k.split(']').next()?.parse::<usize>().ok())
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
}

/// `GET /staff/population/vision`.
pub(super) async fn vision_page(
    State(state): State<AppState>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let view = population(&state.catalog.context(), &granted).await?;
    let (vision, revision) = match &view.vision {
        Some(v) => (v.vision.clone(), v.revision.to_string()),
        None => (PopulationVision::default(), String::new()),
    };
    page(
        &state,
        &granted,
        &signed.csrf,
        StatusCode::OK,
        revision,
        &vision,
        None,
        Vec::new(),
    )
    .await
}

/// The vision as posted, the form row of each entry (to place the use case's problems), and
/// the problems of reading it.
struct Read {
    vision: PopulationVision,
    target_rows: Vec<usize>,
    actual_rows: Vec<usize>,
    reference_rows: Vec<usize>,
    problems: Vec<Problem>,
}

#[allow(clippy::too_many_lines)] // one form: four tables and the links, each read by cell
fn read(p: &Posted) -> Read {
    let mut problems = Vec::new();
    let mut vision = PopulationVision {
        published: p.checked("published"),
        target_note: p.get("target_note").trim().to_owned(),
        ..PopulationVision::default()
    };
    let mut target_rows = Vec::new();
    for i in 0..rows_in(p, "target") {
        let (yf, tf) = (format!("target[{i}].year"), format!("target[{i}].total"));
        let (y, t) = (p.get(&yf), p.get(&tf));
        if y.trim().is_empty() && t.trim().is_empty() {
            continue;
        }
        let year = year(&y);
        let total = count(&t);
        match (year, total) {
            (Ok(Some(year)), Ok(Some(total))) => {
                vision.target.push(TargetPoint { year, total });
                target_rows.push(i);
            }
            (year, total) => {
                if !matches!(year, Ok(Some(_))) {
                    problems.push((
                        yf,
                        format!(
                            "目標人口の{}行目: 年を入力してください（例: 2040）。",
                            i + 1
                        ),
                    ));
                }
                if !matches!(total, Ok(Some(_))) {
                    problems.push((
                        tf,
                        format!(
                            "目標人口の{}行目: 人口を0以上の整数で入力してください。",
                            i + 1
                        ),
                    ));
                }
            }
        }
    }
    let mut actual_rows = Vec::new();
    for i in 0..rows_in(p, "actuals") {
        let f = |k: &str| format!("actuals[{i}].{k}");
        let (y, t, note) = (p.get(&f("year")), p.get(&f("total")), p.get(&f("note")));
        if y.trim().is_empty() && t.trim().is_empty() && note.trim().is_empty() {
            continue;
        }
        let source = ActualSource::parse(&p.get(&f("source")));
        match (year(&y), count(&t), source) {
            (Ok(Some(year)), Ok(Some(total)), Some(source)) => {
                vision.actuals.push(ActualTotal {
                    year,
                    total,
                    source,
                    note: note.trim().to_owned(),
                });
                actual_rows.push(i);
            }
            (year, total, source) => {
                if !matches!(year, Ok(Some(_))) {
                    problems.push((
                        f("year"),
                        format!(
                            "実績人口の{}行目: 年を入力してください（例: 2020）。",
                            i + 1
                        ),
                    ));
                }
                if !matches!(total, Ok(Some(_))) {
                    problems.push((
                        f("total"),
                        format!(
                            "実績人口の{}行目: 人口を0以上の整数で入力してください。",
                            i + 1
                        ),
                    ));
                }
                if source.is_none() {
                    problems.push((
                        f("source"),
                        format!("実績人口の{}行目: 出典を選んでください。", i + 1),
                    ));
                }
            }
        }
    }
    let mut reference_rows = Vec::new();
    for i in 0..rows_in(p, "references") {
        let (nf, pf) = (
            format!("references[{i}].name"),
            format!("references[{i}].points"),
        );
        let (name, text) = (p.get(&nf), p.get(&pf));
        if name.trim().is_empty() && text.trim().is_empty() {
            continue;
        }
        let mut points = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let parts: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | ':' | '：'))
                .filter(|s| !s.is_empty())
                .collect();
            if parts.is_empty() {
                continue;
            }
            match parts.as_slice() {
                [y, t] => match (year(y), count(t)) {
                    (Ok(Some(y)), Ok(Some(t))) => points.push((y, t)),
                    _ => problems.push((pf.clone(), format!("参考推計「{}」の{}行目「{}」を読めません。「2040 82277」のように、年と人口を1行に1組ずつ入力してください。", name.trim(), n + 1, line.trim()))),
                },
                _ => problems.push((pf.clone(), format!("参考推計「{}」の{}行目「{}」を読めません。「2040 82277」のように、年と人口を1行に1組ずつ入力してください。", name.trim(), n + 1, line.trim()))),
            }
        }
        vision.references.push(Reference {
            name: name.trim().to_owned(),
            points,
        });
        reference_rows.push(i);
    }
    for l in p.all("link") {
        let parsed = l.split_once('/').and_then(|(plan, element)| {
            Some(ElementRef {
                plan: PlanId::parse(plan).ok()?,
                element: ElementId::parse(element).ok()?,
            })
        });
        match parsed {
            Some(r) if !vision.links.contains(&r) => vision.links.push(r),
            Some(_) => {}
            None => problems.push(("links".to_owned(), format!("指標「{l}」を読めません。"))),
        }
    }
    Read {
        vision,
        target_rows,
        actual_rows,
        reference_rows,
        problems,
    }
}

/// A use case's problem (`target[1].year` of the entries given) at its form row.
fn placed(field: &str, r: &Read) -> String {
    for (table, rows) in [
        ("target", &r.target_rows),
        ("actuals", &r.actual_rows),
        ("references", &r.reference_rows),
    ] {
        let found = field
            .strip_prefix(&format!("{table}["))
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(k, tail)| Some((rows.get(k.parse::<usize>().ok()?)?, tail)));
        if let Some((row, tail)) = found {
            // A reference's points are one field of the form.
            let tail = if table == "references" && tail.starts_with(".points") {
                ".points"
            } else {
                tail
            };
            return format!("{table}[{row}]{tail}");
        }
    }
    field.to_owned()
}

/// `POST /staff/population/vision`.
pub(super) async fn save(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let revision = form.get("revision");
    let expected = keikaku_app::forms::parse_revision(&revision)
        .map_err(|_| WebError::BadRequest("版の番号が不正です。".to_owned()))?;
    let r = read(&form);
    if !r.problems.is_empty() {
        let errors = r.problems.clone();
        return page(
            &state,
            &granted,
            &signed.csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            revision,
            &r.vision,
            Some(&form),
            errors,
        )
        .await;
    }
    match save_vision(
        &state.catalog.context(),
        &granted,
        r.vision.clone(),
        expected,
        now()?,
    )
    .await
    {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{HOME}?done=vision"))
        }
        Err(e) => {
            let (status, problems) = problems_of(e)?;
            let errors = problems
                .into_iter()
                .map(|(f, m)| (placed(&f, &r), m))
                .collect();
            page(
                &state,
                &granted,
                &signed.csrf,
                status,
                revision,
                &r.vision,
                Some(&form),
                errors,
            )
            .await
        }
    }
}

/// `POST /staff/population/vision/actuals` (multipart: `csrf`, `file`): actual totals from a
/// sheet, merged into the vision by year.
pub(super) async fn upload_actuals(
    State(state): State<AppState>,
    StaffUser { signed, granted }: StaffUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let Ok(multipart) = multipart else {
        return Err(WebError::Forbidden);
    };
    let upload = super::census::read_upload(multipart).await?;
    if require_csrf(Some(&signed.csrf), upload.csrf.as_deref()).is_err() {
        return Err(WebError::Forbidden);
    }
    let view = population(&state.catalog.context(), &granted).await?;
    let (vision, revision) = match &view.vision {
        Some(v) => (v.vision.clone(), v.revision.to_string()),
        None => (PopulationVision::default(), String::new()),
    };
    let Some((name, bytes)) = upload.file else {
        let none = vec![(
            "actuals-file".to_owned(),
            "取り込むファイル（.xlsx または .csv）を選んでください。".to_owned(),
        )];
        return page(
            &state,
            &granted,
            &signed.csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            revision,
            &vision,
            None,
            none,
        )
        .await;
    };
    match import_actuals(&state.catalog.context(), &granted, (&name, &bytes), now()?).await {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{HOME}?done=vision"))
        }
        Err(e) => {
            let (status, problems) = problems_of(e)?;
            let errors = problems
                .into_iter()
                .map(|(_, m)| ("actuals-file".to_owned(), m))
                .collect();
            page(
                &state,
                &granted,
                &signed.csrf,
                status,
                revision,
                &vision,
                None,
                errors,
            )
            .await
        }
    }
}
