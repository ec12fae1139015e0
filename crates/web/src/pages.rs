//! The public pages: home, plan, vision, basic plan, goal, field, measure, priority project,
//! strategy objective and measure, search, and the 404 fallback.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use keikaku_app::Site;
use keikaku_domain::{
    BasicPlan, ComprehensivePlan, ElementId, ElementKind, ElementRef, Plan, PlanId, Strategy,
};

use crate::AppState;
use crate::cache::Entry;
use crate::error::WebError;
use crate::views::{self, IndicatorTable, Item, Layout, element_href, plan_href};

const HTML: &str = "text/html; charset=utf-8";

/// Serves a page from the cache, rendering it first if the data changed since.
async fn cached(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    render: impl FnOnce(&Site) -> Result<String, WebError>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let key = format!("html {}", uri.path());
    if let Some(entry) = state.cache.get(&key, site.version) {
        return Ok(entry.respond(headers));
    }
    let entry = Entry::new(site.version, HTML, render(&site)?);
    let response = entry.respond(headers);
    state.cache.put(key, entry);
    Ok(response)
}

/// The parameters of a page's path. A path that cannot even be read (percent-encoded bytes
/// that are not UTF-8, such as `/plans/%FF`) names no page: the Japanese 404 page, not axum's
/// plain-text 400.
pub(crate) struct PagePath<T>(pub T);

impl<S, T> FromRequestParts<S> for PagePath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(_) => Err(WebError::NotFound(None)),
        }
    }
}

pub(crate) fn plan_id(s: &str) -> Result<PlanId, WebError> {
    PlanId::parse(s).map_err(|_| WebError::NotFound(None))
}

fn element_id(s: &str) -> Result<ElementId, WebError> {
    ElementId::parse(s).map_err(|_| WebError::NotFound(None))
}

fn comprehensive<'a>(site: &'a Site, plan: &str) -> Result<&'a ComprehensivePlan, WebError> {
    match site.plan(&plan_id(plan)?) {
        Some(Plan::Comprehensive(c)) => Ok(c),
        _ => Err(WebError::NotFound(None)),
    }
}

fn strategy<'a>(site: &'a Site, plan: &str) -> Result<&'a Strategy, WebError> {
    match site.plan(&plan_id(plan)?) {
        Some(Plan::Strategy(s)) => Ok(s),
        _ => Err(WebError::NotFound(None)),
    }
}

pub(crate) fn missing<T>(found: Option<T>) -> Result<T, WebError> {
    found.ok_or(WebError::NotFound(None))
}

/// Breadcrumb steps down to a comprehensive plan's basic plan.
fn bp_steps(c: &ComprehensivePlan, bp: &BasicPlan) -> Vec<(String, String)> {
    vec![
        (c.header.title.clone(), plan_href(&c.header.id)),
        (
            bp.title.clone(),
            format!("/plans/{}/basic-plans/{}", c.header.id, bp.id),
        ),
    ]
}

fn crumbs(layout: Layout, steps: &[(String, String)]) -> Layout {
    let steps: Vec<(&str, String)> = steps.iter().map(|(l, h)| (l.as_str(), h.clone())).collect();
    layout.crumbs(&steps)
}

// ---------------------------------------------------------------- home

struct GoalCard {
    number: String,
    title: String,
    href: String,
    meta: String,
    /// Whether a field named in `meta` is sample data.
    sample: bool,
}

struct HomeComprehensive {
    future_image: String,
    vision_href: String,
    principles: Vec<Item>,
    goals: Vec<GoalCard>,
    priority_projects: Vec<Item>,
}

struct HomeStrategy {
    title: String,
    href: String,
    period: String,
    objectives: Vec<Item>,
}

struct ComparedPlan {
    title: String,
    href: String,
    purpose: String,
    scope: String,
    period: String,
    period_description: String,
}

struct Comparison {
    plans: Vec<ComparedPlan>,
}

fn comparison(site: &Site) -> Comparison {
    Comparison {
        plans: site
            .plans
            .iter()
            .map(|p| {
                let h = p.header();
                ComparedPlan {
                    title: h.title.clone(),
                    href: plan_href(&h.id),
                    purpose: h.purpose.clone(),
                    scope: h.scope.clone(),
                    period: views::period(&h.period),
                    period_description: h.period.description.clone(),
                }
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    layout: Layout,
    heading: String,
    comprehensive: Option<HomeComprehensive>,
    strategies: Vec<HomeStrategy>,
    comparison: Comparison,
}

fn home_comprehensive(c: &ComprehensivePlan) -> HomeComprehensive {
    let plan = c.header.id.clone();
    let first = c.basic_plans.iter().find(|bp| !bp.fields.is_empty());
    HomeComprehensive {
        future_image: c.vision.future_image.clone(),
        vision_href: format!("/plans/{plan}/vision"),
        principles: c
            .vision
            .principles
            .iter()
            .map(|p| Item {
                number: p.number.clone(),
                title: p.title.clone(),
                ..Item::default()
            })
            .collect(),
        goals: c
            .vision
            .goals
            .iter()
            .map(|g| {
                let fields: Vec<&keikaku_domain::Field> = first
                    .map(|bp| bp.fields_of_goal(&g.id).collect())
                    .unwrap_or_default();
                let sample = fields.iter().any(|f| f.sample);
                let fields: Vec<&str> = fields.iter().map(|f| f.title.as_str()).collect();
                GoalCard {
                    number: g.number.clone(),
                    title: g.title.clone(),
                    href: format!("/plans/{plan}/goals/{}", g.id),
                    meta: if fields.is_empty() {
                        "分野は未登録です".to_owned()
                    } else {
                        format!("{}分野：{}", fields.len(), fields.join("、"))
                    },
                    sample,
                }
            })
            .collect(),
        priority_projects: first
            .map(|bp| {
                bp.priority_projects
                    .iter()
                    .map(|p| Item {
                        href: format!("/plans/{plan}/priority-projects/{}", p.id),
                        title: p.title.clone(),
                        sample: p.sample,
                        ..Item::default()
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn home_strategy(s: &Strategy) -> HomeStrategy {
    HomeStrategy {
        title: s.header.title.clone(),
        href: plan_href(&s.header.id),
        period: views::period(&s.header.period),
        objectives: s
            .basic_objectives
            .iter()
            .map(|o| Item {
                href: format!("/plans/{}/objectives/{}", s.header.id, o.id),
                number: o.number.clone(),
                title: o.title.clone(),
                sample: o.sample,
                meta: String::new(),
            })
            .collect(),
    }
}

/// `GET /`.
pub async fn home(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let comprehensive = site.plans.iter().find_map(|p| match p {
            Plan::Comprehensive(c) => Some(home_comprehensive(c)),
            Plan::Strategy(_) => None,
        });
        let strategies: Vec<HomeStrategy> = site
            .plans
            .iter()
            .filter_map(|p| match p {
                Plan::Strategy(s) => Some(home_strategy(s)),
                Plan::Comprehensive(_) => None,
            })
            .collect();
        let sample = comprehensive.as_ref().is_some_and(|c| {
            c.priority_projects.iter().any(|p| p.sample) || c.goals.iter().any(|g| g.sample)
        }) || strategies
            .iter()
            .any(|s| s.objectives.iter().any(|o| o.sample));
        let heading = format!("{}の総合計画・総合戦略", site.municipality.name);
        Ok(HomePage {
            layout: Layout::new(site, "ホーム", "/").sample(sample),
            heading,
            comprehensive,
            strategies,
            comparison: comparison(site),
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- plan overview

struct Section {
    heading: String,
    note: String,
    empty: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "public/plan.html")]
struct PlanPage {
    layout: Layout,
    title: String,
    kind_label: &'static str,
    status_label: &'static str,
    period: String,
    period_description: String,
    purpose: String,
    scope: String,
    sections: Vec<Section>,
    versions_href: String,
}

fn plan_sections(plan: &Plan) -> Vec<Section> {
    let id = plan.id();
    match plan {
        Plan::Comprehensive(c) => vec![
            Section {
                heading: "基本構想".to_owned(),
                note:
                    "将来像、まちづくりの考え方、まちづくりの目標、まちづくりの進め方を示します。"
                        .to_owned(),
                empty: String::new(),
                items: vec![Item {
                    href: format!("/plans/{id}/vision"),
                    title: format!("基本構想（将来像：{}）", c.vision.future_image),
                    ..Item::default()
                }],
            },
            Section {
                heading: "基本計画".to_owned(),
                note: "重点プロジェクトと分野別計画を示します。".to_owned(),
                empty: "基本計画はまだ登録されていません。".to_owned(),
                items: c
                    .basic_plans
                    .iter()
                    .map(|bp| Item {
                        href: format!("/plans/{id}/basic-plans/{}", bp.id),
                        title: bp.title.clone(),
                        meta: format!(
                            "{}／{}分野・重点プロジェクト{}件",
                            views::span(bp.start, bp.end),
                            bp.fields.len(),
                            bp.priority_projects.len()
                        ),
                        ..Item::default()
                    })
                    .collect(),
            },
        ],
        Plan::Strategy(s) => vec![Section {
            heading: "基本目標".to_owned(),
            note: "基本目標ごとに数値目標を、施策ごとに重要業績評価指標（KPI）を設定します。"
                .to_owned(),
            empty: "基本目標はまだ登録されていません。".to_owned(),
            items: s
                .basic_objectives
                .iter()
                .map(|o| Item {
                    href: format!("/plans/{id}/objectives/{}", o.id),
                    number: format!("基本目標{}", o.number),
                    title: o.title.clone(),
                    meta: format!(
                        "数値目標{}件・施策{}件",
                        o.numerical_targets.len(),
                        o.measures.len()
                    ),
                    sample: o.sample,
                })
                .collect(),
        }],
    }
}

/// `GET /plans/{plan}`.
pub async fn plan(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let p = missing(site.plan(&plan_id(&plan)?))?;
        let h = p.header();
        let sections = plan_sections(p);
        let sample = sections.iter().any(|s| s.items.iter().any(|i| i.sample));
        let current = if matches!(p, Plan::Strategy(_)) {
            plan_href(&h.id)
        } else {
            String::new()
        };
        Ok(PlanPage {
            versions_href: format!("/plans/{}/versions", h.id),
            layout: Layout::new(site, &h.title, &current)
                .crumbs(&[])
                .sample(sample),
            title: h.title.clone(),
            kind_label: p.kind().label(),
            status_label: h.status.label(),
            period: views::period(&h.period),
            period_description: h.period.description.clone(),
            purpose: h.purpose.clone(),
            scope: h.scope.clone(),
            sections,
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- vision

struct VisionItem {
    id: String,
    number: String,
    title: String,
    description: String,
    href: String,
}

#[derive(Template)]
#[template(path = "public/vision.html")]
struct VisionPage {
    layout: Layout,
    plan_title: String,
    period: String,
    future_image: String,
    future_image_note: String,
    principles: Vec<VisionItem>,
    goals: Vec<VisionItem>,
    approaches: Vec<VisionItem>,
}

fn vision_item(
    id: &ElementId,
    number: &str,
    title: &str,
    description: &str,
    href: String,
) -> VisionItem {
    VisionItem {
        id: id.to_string(),
        number: number.to_owned(),
        title: title.to_owned(),
        description: description.to_owned(),
        href,
    }
}

/// `GET /plans/{plan}/vision`.
pub async fn vision(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let c = comprehensive(site, &plan)?;
        let v = &c.vision;
        let id = &c.header.id;
        Ok(VisionPage {
            layout: Layout::new(site, "基本構想", &format!("/plans/{id}/vision"))
                .crumbs(&[(c.header.title.as_str(), plan_href(id))]),
            plan_title: c.header.title.clone(),
            period: views::period(&c.header.period),
            future_image: v.future_image.clone(),
            future_image_note: v.future_image_note.clone(),
            principles: v
                .principles
                .iter()
                .map(|x| vision_item(&x.id, &x.number, &x.title, &x.description, String::new()))
                .collect(),
            goals: v
                .goals
                .iter()
                .map(|x| {
                    vision_item(
                        &x.id,
                        &x.number,
                        &x.title,
                        &x.description,
                        format!("/plans/{id}/goals/{}", x.id),
                    )
                })
                .collect(),
            approaches: v
                .approaches
                .iter()
                .map(|x| vision_item(&x.id, &x.number, &x.title, &x.description, String::new()))
                .collect(),
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- basic plan

struct GoalFields {
    number: String,
    title: String,
    href: String,
    fields: Vec<Item>,
}

#[derive(Template)]
#[template(path = "public/basic_plan.html")]
struct BasicPlanPage {
    layout: Layout,
    title: String,
    period: String,
    description: String,
    empty: bool,
    priority_projects: Vec<Item>,
    goals: Vec<GoalFields>,
    approaches: Vec<VisionItem>,
}

fn field_item(plan: &PlanId, f: &keikaku_domain::Field) -> Item {
    Item {
        href: format!("/plans/{plan}/fields/{}", f.id),
        number: f.number.clone(),
        title: f.title.clone(),
        meta: if f.measures.is_empty() {
            String::new()
        } else {
            format!("施策{}件", f.measures.len())
        },
        sample: f.sample || f.measures.iter().any(|m| m.sample),
    }
}

/// `GET /plans/{plan}/basic-plans/{id}`.
pub async fn basic_plan(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let c = comprehensive(site, &plan)?;
        let bp = missing(c.basic_plan(&element_id(&id)?))?;
        let pid = &c.header.id;
        let goals: Vec<GoalFields> = if bp.fields.is_empty() {
            Vec::new()
        } else {
            c.vision
                .goals
                .iter()
                .map(|g| GoalFields {
                    number: g.number.clone(),
                    title: g.title.clone(),
                    href: format!("/plans/{pid}/goals/{}", g.id),
                    fields: bp
                        .fields_of_goal(&g.id)
                        .map(|f| field_item(pid, f))
                        .collect(),
                })
                .collect()
        };
        let priority_projects: Vec<Item> = bp
            .priority_projects
            .iter()
            .map(|p| Item {
                href: format!("/plans/{pid}/priority-projects/{}", p.id),
                title: p.title.clone(),
                meta: if p.measures.is_empty() {
                    String::new()
                } else {
                    format!("関連する施策{}件", p.measures.len())
                },
                sample: p.sample,
                ..Item::default()
            })
            .collect();
        let sample = priority_projects.iter().any(|p| p.sample)
            || goals.iter().any(|g| g.fields.iter().any(|f| f.sample));
        let href = format!("/plans/{pid}/basic-plans/{}", bp.id);
        Ok(BasicPlanPage {
            layout: Layout::new(site, &bp.title, &href)
                .crumbs(&[(c.header.title.as_str(), plan_href(pid))])
                .sample(sample),
            title: bp.title.clone(),
            period: views::span(bp.start, bp.end),
            description: bp.description.clone(),
            empty: bp.fields.is_empty()
                && bp.priority_projects.is_empty()
                && bp.approaches.is_empty(),
            priority_projects,
            goals,
            approaches: bp
                .approaches
                .iter()
                .map(|x| vision_item(&x.id, &x.number, &x.title, &x.description, String::new()))
                .collect(),
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- goal

struct GoalBasicPlan {
    title: String,
    period: String,
    fields: Vec<Item>,
}

#[derive(Template)]
#[template(path = "public/goal.html")]
struct GoalPage {
    layout: Layout,
    number: String,
    title: String,
    description: String,
    basic_plans: Vec<GoalBasicPlan>,
}

/// `GET /plans/{plan}/goals/{id}`.
pub async fn goal(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let c = comprehensive(site, &plan)?;
        let g = missing(c.goal(&element_id(&id)?))?;
        let pid = &c.header.id;
        let basic_plans: Vec<GoalBasicPlan> = c
            .basic_plans
            .iter()
            .map(|bp| GoalBasicPlan {
                title: bp.title.clone(),
                period: views::span(bp.start, bp.end),
                fields: bp
                    .fields_of_goal(&g.id)
                    .map(|f| {
                        let mut item = field_item(pid, f);
                        if item.meta.is_empty() {
                            item.meta = "施策は未登録です".to_owned();
                        }
                        item
                    })
                    .collect(),
            })
            .collect();
        let sample = basic_plans
            .iter()
            .any(|b| b.fields.iter().any(|f| f.sample));
        Ok(GoalPage {
            layout: Layout::new(site, &format!("目標{} {}", g.number, g.title), "")
                .crumbs(&[
                    (c.header.title.as_str(), plan_href(pid)),
                    ("基本構想", format!("/plans/{pid}/vision")),
                ])
                .sample(sample),
            number: g.number.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            basic_plans,
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- field

struct MeasureView {
    id: String,
    number: String,
    title: String,
    href: String,
    course_of_action: String,
    citizen_participation: String,
    department: String,
    sample: bool,
}

#[derive(Template)]
#[template(path = "public/field.html")]
struct FieldPage {
    layout: Layout,
    number: String,
    title: String,
    sample: bool,
    goal_title: String,
    goal_href: String,
    basic_plan_title: String,
    basic_plan_href: String,
    department: String,
    current_state: String,
    measures: Vec<MeasureView>,
    projects: Vec<Item>,
}

/// `GET /plans/{plan}/fields/{id}`.
pub async fn field(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let c = comprehensive(site, &plan)?;
        let (bp, f) = missing(c.field(&element_id(&id)?))?;
        let pid = &c.header.id;
        let goal = c.goal(&f.goal);
        let goal_title = goal.map_or_else(String::new, |g| format!("目標{} {}", g.number, g.title));
        let goal_href = format!("/plans/{pid}/goals/{}", f.goal);
        let measures: Vec<MeasureView> = f
            .measures
            .iter()
            .map(|m| MeasureView {
                id: m.id.to_string(),
                number: m.number.clone(),
                title: m.title.clone(),
                href: format!("/plans/{pid}/measures/{}", m.id),
                course_of_action: m.course_of_action.clone(),
                citizen_participation: m.citizen_participation.clone(),
                department: m.department.clone(),
                sample: m.sample,
            })
            .collect();
        let mut projects: Vec<Item> = Vec::new();
        for p in f.measures.iter().flat_map(|m| c.projects_of_measure(&m.id)) {
            let href = format!("/plans/{pid}/priority-projects/{}", p.id);
            if !projects.iter().any(|i| i.href == href) {
                projects.push(Item {
                    href,
                    title: p.title.clone(),
                    sample: p.sample,
                    ..Item::default()
                });
            }
        }
        let mut steps = bp_steps(c, bp);
        steps.push((goal_title.clone(), goal_href.clone()));
        let sample =
            f.sample || measures.iter().any(|m| m.sample) || projects.iter().any(|p| p.sample);
        Ok(FieldPage {
            layout: crumbs(
                Layout::new(site, &format!("分野 {} {}", f.number, f.title), ""),
                &steps,
            )
            .sample(sample),
            number: f.number.clone(),
            title: f.title.clone(),
            sample: f.sample,
            goal_title,
            goal_href,
            basic_plan_title: bp.title.clone(),
            basic_plan_href: format!("/plans/{pid}/basic-plans/{}", bp.id),
            department: f.department.clone(),
            current_state: f.current_state.clone(),
            measures,
            projects,
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- measure

#[derive(Template)]
#[template(path = "public/measure.html")]
struct MeasurePage {
    layout: Layout,
    number: String,
    title: String,
    sample: bool,
    field_title: String,
    field_href: String,
    goal_title: String,
    goal_href: String,
    department: String,
    course_of_action: String,
    citizen_participation: String,
    projects: Vec<Item>,
    strategy_measures: Vec<Item>,
}

/// The strategy measures (of published strategies) that link to an element.
fn linking_strategy_measures(site: &Site, target: &ElementRef) -> Vec<Item> {
    site.plans
        .iter()
        .filter_map(|p| match p {
            Plan::Strategy(s) => Some(s),
            Plan::Comprehensive(_) => None,
        })
        .flat_map(|s| {
            s.measures_linking_to(target).map(move |(o, m)| Item {
                href: format!("/plans/{}/strategy-measures/{}", s.header.id, m.id),
                number: m.number.clone(),
                title: format!("{} {}", m.number, m.title),
                meta: format!("{}／基本目標{}", s.header.title, o.number),
                sample: m.sample,
            })
        })
        .collect()
}

/// `GET /plans/{plan}/measures/{id}`.
pub async fn measure(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let c = comprehensive(site, &plan)?;
        let (bp, f, m) = missing(c.measure(&element_id(&id)?))?;
        let pid = &c.header.id;
        let goal = c.goal(&f.goal);
        let goal_title = goal.map_or_else(String::new, |g| format!("目標{} {}", g.number, g.title));
        let goal_href = format!("/plans/{pid}/goals/{}", f.goal);
        let field_title = format!("{} {}", f.number, f.title);
        let field_href = format!("/plans/{pid}/fields/{}", f.id);
        let target = ElementRef {
            plan: pid.clone(),
            element: m.id.clone(),
        };
        let mut steps = bp_steps(c, bp);
        steps.push((goal_title.clone(), goal_href.clone()));
        steps.push((field_title.clone(), field_href.clone()));
        let projects: Vec<Item> = c
            .projects_of_measure(&m.id)
            .map(|p| Item {
                href: format!("/plans/{pid}/priority-projects/{}", p.id),
                title: p.title.clone(),
                sample: p.sample,
                ..Item::default()
            })
            .collect();
        let strategy_measures = linking_strategy_measures(site, &target);
        // The page shows the linked projects and strategy measures too: sample data among them
        // needs the notice as much as the measure itself.
        let sample = m.sample
            || projects.iter().any(|p| p.sample)
            || strategy_measures.iter().any(|s| s.sample);
        Ok(MeasurePage {
            layout: crumbs(
                Layout::new(site, &format!("施策 {} {}", m.number, m.title), ""),
                &steps,
            )
            .sample(sample),
            number: m.number.clone(),
            title: m.title.clone(),
            sample: m.sample,
            field_title,
            field_href,
            goal_title,
            goal_href,
            department: m.department.clone(),
            course_of_action: m.course_of_action.clone(),
            citizen_participation: m.citizen_participation.clone(),
            projects,
            strategy_measures,
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- priority project

struct ProjectField {
    number: String,
    title: String,
    href: String,
    measures: Vec<Item>,
}

#[derive(Template)]
#[template(path = "public/priority_project.html")]
struct PriorityProjectPage {
    layout: Layout,
    number: String,
    title: String,
    sample: bool,
    description: String,
    basic_plan_title: String,
    basic_plan_href: String,
    fields: Vec<ProjectField>,
    strategy_measures: Vec<Item>,
}

/// `GET /plans/{plan}/priority-projects/{id}`.
pub async fn priority_project(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let c = comprehensive(site, &plan)?;
        let (bp, p) = missing(c.priority_project(&element_id(&id)?))?;
        let pid = &c.header.id;
        // Group the linked measures by field, in the order of the fields.
        let fields: Vec<ProjectField> = bp
            .fields
            .iter()
            .filter_map(|f| {
                let measures: Vec<Item> = f
                    .measures
                    .iter()
                    .filter(|m| p.measures.contains(&m.id))
                    .map(|m| Item {
                        href: format!("/plans/{pid}/measures/{}", m.id),
                        number: m.number.clone(),
                        title: m.title.clone(),
                        sample: m.sample,
                        ..Item::default()
                    })
                    .collect();
                (!measures.is_empty()).then(|| ProjectField {
                    number: f.number.clone(),
                    title: f.title.clone(),
                    href: format!("/plans/{pid}/fields/{}", f.id),
                    measures,
                })
            })
            .collect();
        let target = ElementRef {
            plan: pid.clone(),
            element: p.id.clone(),
        };
        let strategy_measures = linking_strategy_measures(site, &target);
        let sample = p.sample
            || fields.iter().any(|f| f.measures.iter().any(|m| m.sample))
            || strategy_measures.iter().any(|s| s.sample);
        Ok(PriorityProjectPage {
            layout: crumbs(Layout::new(site, &p.title, ""), &bp_steps(c, bp)).sample(sample),
            number: p.number.clone(),
            title: p.title.clone(),
            sample: p.sample,
            description: p.description.clone(),
            basic_plan_title: bp.title.clone(),
            basic_plan_href: format!("/plans/{pid}/basic-plans/{}", bp.id),
            fields,
            strategy_measures,
        }
        .render()?)
    })
    .await
}

// ---------------------------------------------------------------- strategy

#[derive(Template)]
#[template(path = "public/objective.html")]
struct ObjectivePage {
    layout: Layout,
    number: String,
    title: String,
    sample: bool,
    description: String,
    targets: IndicatorTable,
    measures: Vec<Item>,
}

/// `GET /plans/{plan}/objectives/{id}`.
pub async fn objective(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let s = strategy(site, &plan)?;
        let o = missing(s.objective(&element_id(&id)?))?;
        let pid = &s.header.id;
        let measures: Vec<Item> = o
            .measures
            .iter()
            .map(|m| Item {
                href: format!("/plans/{pid}/strategy-measures/{}", m.id),
                number: m.number.clone(),
                title: m.title.clone(),
                meta: if m.kpis.is_empty() {
                    String::new()
                } else {
                    format!("KPI {}件", m.kpis.len())
                },
                sample: m.sample,
            })
            .collect();
        let sample = o.sample
            || o.numerical_targets.iter().any(|t| t.sample)
            || measures.iter().any(|m| m.sample);
        Ok(ObjectivePage {
            layout: Layout::new(site, &format!("基本目標{} {}", o.number, o.title), "")
                .crumbs(&[(s.header.title.as_str(), plan_href(pid))])
                .sample(sample),
            number: o.number.clone(),
            title: o.title.clone(),
            sample: o.sample,
            description: o.description.clone(),
            targets: IndicatorTable::new(
                format!("基本目標{}の数値目標", o.number),
                &o.numerical_targets,
            ),
            measures,
        }
        .render()?)
    })
    .await
}

#[derive(Template)]
#[template(path = "public/strategy_measure.html")]
struct StrategyMeasurePage {
    layout: Layout,
    number: String,
    title: String,
    sample: bool,
    description: String,
    department: String,
    objective_title: String,
    objective_href: String,
    kpis: IndicatorTable,
    links: Vec<Item>,
}

/// The comprehensive-plan elements a strategy measure links to, if their plan is published.
fn strategy_links(site: &Site, m: &keikaku_domain::StrategyMeasure) -> Vec<Item> {
    let mut out = Vec::new();
    for (r, kind) in m
        .linked_measures
        .iter()
        .map(|r| (r, ElementKind::Measure))
        .chain(
            m.linked_priority_projects
                .iter()
                .map(|r| (r, ElementKind::PriorityProject)),
        )
    {
        let Some(plan @ Plan::Comprehensive(c)) = site.plan(&r.plan) else {
            continue;
        };
        let title = match kind {
            ElementKind::Measure => c.measure(&r.element).map(|(_, f, x)| {
                (
                    format!("施策 {} {}", x.number, x.title),
                    f.title.clone(),
                    x.sample,
                )
            }),
            _ => c
                .priority_project(&r.element)
                .map(|(_, p)| (p.title.clone(), "重点プロジェクト".to_owned(), p.sample)),
        };
        if let Some((title, meta, sample)) = title {
            out.push(Item {
                href: element_href(plan, kind, &r.element),
                title,
                meta: format!("{}／{meta}", c.header.title),
                sample,
                ..Item::default()
            });
        }
    }
    out
}

/// `GET /plans/{plan}/strategy-measures/{id}`.
pub async fn strategy_measure(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let s = strategy(site, &plan)?;
        let (o, m) = missing(s.measure(&element_id(&id)?))?;
        let pid = &s.header.id;
        let objective_title = format!("基本目標{} {}", o.number, o.title);
        let objective_href = format!("/plans/{pid}/objectives/{}", o.id);
        let links = strategy_links(site, m);
        let sample = m.sample || m.kpis.iter().any(|k| k.sample) || links.iter().any(|l| l.sample);
        Ok(StrategyMeasurePage {
            layout: Layout::new(site, &format!("施策 {} {}", m.number, m.title), "")
                .crumbs(&[
                    (s.header.title.as_str(), plan_href(pid)),
                    (objective_title.as_str(), objective_href.clone()),
                ])
                .sample(sample),
            number: m.number.clone(),
            title: m.title.clone(),
            sample: m.sample,
            description: m.description.clone(),
            department: m.department.clone(),
            objective_title,
            objective_href,
            kpis: IndicatorTable::new(format!("施策{}のKPI", m.number), &m.kpis),
            links,
        }
        .render()?)
    })
    .await
}

/// `GET /plans/{plan}/elements/{id}`: a stable link to any element, redirected to the page
/// that shows it.
pub async fn element(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let p = missing(site.plan(&plan_id(&plan)?))?;
    let id = element_id(&id)?;
    let kind = missing(p.element_kind(&id))?;
    Ok(Redirect::to(&element_href(p, kind, &id)).into_response())
}

// ---------------------------------------------------------------- search

struct HitView {
    href: String,
    kind: &'static str,
    trail: String,
    title: Vec<keikaku_domain::search::SnippetPart>,
    snippet: Vec<keikaku_domain::search::SnippetPart>,
    sample: bool,
}

#[derive(Template)]
#[template(path = "public/search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    count_label: String,
    hits: Vec<HitView>,
}

/// The longest query accepted; longer ones are cut (nobody types more, and it bounds work).
pub const MAX_QUERY_CHARS: usize = 100;
/// Hits shown at most.
pub const MAX_HITS: usize = 100;

/// The link of a search hit.
pub fn hit_href(site: &Site, loc: &keikaku_app::search::Location) -> String {
    match (site.plan(&loc.plan), loc.kind, &loc.id) {
        (Some(p), Some(kind), Some(id)) => element_href(p, kind, id),
        _ => plan_href(&loc.plan),
    }
}

/// Whether the element a search hit points to is sample data.
fn hit_is_sample(site: &Site, loc: &keikaku_app::search::Location) -> bool {
    let (Some(kind), Some(id)) = (loc.kind, &loc.id) else {
        return false;
    };
    match site.plan(&loc.plan) {
        Some(Plan::Comprehensive(c)) => match kind {
            ElementKind::PriorityProject => c.priority_project(id).is_some_and(|(_, p)| p.sample),
            ElementKind::Field => c.field(id).is_some_and(|(_, f)| f.sample),
            ElementKind::Measure => c.measure(id).is_some_and(|(_, _, m)| m.sample),
            _ => false,
        },
        Some(Plan::Strategy(s)) => match kind {
            ElementKind::BasicObjective => s.objective(id).is_some_and(|o| o.sample),
            ElementKind::StrategyMeasure => s.measure(id).is_some_and(|(_, m)| m.sample),
            ElementKind::NumericalTarget => s
                .basic_objectives
                .iter()
                .flat_map(|o| &o.numerical_targets)
                .any(|t| &t.id == id && t.sample),
            ElementKind::Kpi => s
                .basic_objectives
                .iter()
                .flat_map(|o| &o.measures)
                .flat_map(|m| &m.kpis)
                .any(|k| &k.id == id && k.sample),
            _ => false,
        },
        None => false,
    }
}

/// `GET /search?q=…`. The query string is read leniently: a repeated `q` (the first counts) or
/// unknown parameters still give the search page, not a plain-text 400.
pub async fn search(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, WebError> {
    let site: Arc<Site> = state.catalog.site().await?;
    let params = query.map(|Query(p)| p).unwrap_or_default();
    let raw = params
        .iter()
        .find(|(k, _)| k == "q")
        .map_or("", |(_, v)| v.as_str());
    let q: String = raw.trim().chars().take(MAX_QUERY_CHARS).collect();
    let hits: Vec<HitView> = site
        .search(&q, MAX_HITS)
        .into_iter()
        .map(|h| {
            let loc = &h.document.key;
            HitView {
                href: hit_href(&site, loc),
                kind: loc.kind.map_or("計画", |k| k.label()),
                trail: loc.trail.join(" › "),
                title: h.title,
                snippet: h.snippet,
                sample: hit_is_sample(&site, loc),
            }
        })
        .collect();
    let count_label = if hits.len() >= MAX_HITS {
        format!("{MAX_HITS}件以上（上位{MAX_HITS}件を表示）")
    } else {
        format!("{}件", hits.len())
    };
    let title = if q.is_empty() {
        "計画の検索".to_owned()
    } else {
        format!("「{q}」の検索結果")
    };
    let sample = hits.iter().any(|h| h.sample);
    let mut layout = Layout::new(&site, &title, "/search")
        .crumbs(&[])
        .sample(sample);
    layout.query = q.clone();
    let page = SearchPage {
        layout,
        query: q,
        count_label,
        hits,
    };
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-cache")],
        axum::response::Html(page.render()?),
    )
        .into_response())
}

/// Every other URL: the Japanese 404 page.
pub async fn not_found() -> WebError {
    WebError::NotFound(None)
}
