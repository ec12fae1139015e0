//! The pages of a plan's elements: a field (分野) with its measures, a measure (施策), a
//! priority project (重点プロジェクト), a strategy's basic objective (基本目標) and measure with
//! their indicators, and the stable link to any element.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use keikaku_app::Site;
use keikaku_domain::{BasicPlan, ComprehensivePlan, ElementKind, ElementRef, Plan};

use crate::AppState;
use crate::error::WebError;
use crate::paths::{PagePath, element_id, missing, plan_id};
use crate::public::{cached, comprehensive, standing, strategy};
use crate::routes::{Route, route};
use crate::views::{self, IndicatorTable, Item, Layout, element_href, plan_href};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/plans/{plan}/fields/{id}" => field,
        ReadPublished,
        "/plans/sogo-keikaku/fields/field-1-1"
    ),
    route!(
        GET "/plans/{plan}/measures/{id}" => measure,
        ReadPublished,
        "/plans/sogo-keikaku/measures/measure-1-1-1"
    ),
    route!(
        GET "/plans/{plan}/priority-projects/{id}" => priority_project,
        ReadPublished,
        "/plans/sogo-keikaku/priority-projects/priority-project-1"
    ),
    route!(
        GET "/plans/{plan}/objectives/{id}" => objective,
        ReadPublished,
        "/plans/sogo-senryaku/objectives/objective-1"
    ),
    route!(
        GET "/plans/{plan}/strategy-measures/{id}" => strategy_measure,
        ReadPublished,
        "/plans/sogo-senryaku/strategy-measures/strategy-measure-1-1"
    ),
    route!(
        GET "/plans/{plan}/elements/{id}" => element,
        ReadPublished,
        "/plans/sogo-keikaku/elements/goal-1"
    ),
];

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

// ---------------------------------------------------------------- field

struct MeasureView {
    id: String,
    number: String,
    title: String,
    href: String,
    course_of_action: String,
    citizen_participation: String,
    department: String,
    /// How many 成果指標 the measure has.
    indicators: usize,
    sample: bool,
}

#[derive(Template)]
#[template(path = "public/field.html")]
struct FieldPage {
    layout: Layout,
    /// The themes the element is under: (address, name).
    themes: Vec<(String, String)>,
    number: String,
    title: String,
    sample: bool,
    goal_title: String,
    goal_href: String,
    basic_plan_title: String,
    basic_plan_href: String,
    department: String,
    contact: Option<views::Contact>,
    current_state: String,
    measures: Vec<MeasureView>,
    indicators: IndicatorTable,
    projects: Vec<Item>,
}

/// `GET /plans/{plan}/fields/{id}`.
async fn field(
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
        let goal_title =
            goal.map_or_else(String::new, |g| format!("目標{}　{}", g.number, g.title));
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
                indicators: m.indicators.len(),
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
        let sample = f.sample
            || measures.iter().any(|m| m.sample)
            || f.indicators.iter().any(|i| i.sample)
            || projects.iter().any(|p| p.sample);
        Ok(FieldPage {
            themes: crate::public::themes::links_of(site, &c.header.id, &f.id),
            layout: crumbs(
                Layout::new(site, &format!("分野 {}　{}", f.number, f.title), ""),
                &steps,
            )
            .sample(sample)
            .standing(standing::of_basic_plan(site, c, bp)),
            number: f.number.clone(),
            title: f.title.clone(),
            sample: f.sample,
            goal_title,
            goal_href,
            basic_plan_title: bp.title.clone(),
            basic_plan_href: format!("/plans/{pid}/basic-plans/{}", bp.id),
            department: f.department.clone(),
            contact: views::contact(site, &f.department),
            current_state: f.current_state.clone(),
            measures,
            indicators: IndicatorTable::new(
                pid,
                format!("分野{}の成果指標", f.number),
                &f.indicators,
            ),
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
    /// The themes the element is under: (address, name).
    themes: Vec<(String, String)>,
    number: String,
    title: String,
    sample: bool,
    field_title: String,
    field_href: String,
    goal_title: String,
    goal_href: String,
    department: String,
    contact: Option<views::Contact>,
    course_of_action: String,
    citizen_participation: String,
    indicators: IndicatorTable,
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
                title: format!("{}　{}", m.number, m.title),
                meta: format!("{}／基本目標{}", s.header.title, o.number),
                sample: m.sample,
                summary: String::new(),
            })
        })
        .collect()
}

/// `GET /plans/{plan}/measures/{id}`.
async fn measure(
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
        let goal_title =
            goal.map_or_else(String::new, |g| format!("目標{}　{}", g.number, g.title));
        let goal_href = format!("/plans/{pid}/goals/{}", f.goal);
        let field_title = format!("{}　{}", f.number, f.title);
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
            || m.indicators.iter().any(|i| i.sample)
            || projects.iter().any(|p| p.sample)
            || strategy_measures.iter().any(|s| s.sample);
        Ok(MeasurePage {
            themes: crate::public::themes::links_of(site, &c.header.id, &m.id),
            layout: crumbs(
                Layout::new(site, &format!("施策 {}　{}", m.number, m.title), ""),
                &steps,
            )
            .sample(sample)
            .standing(standing::of_basic_plan(site, c, bp)),
            number: m.number.clone(),
            title: m.title.clone(),
            sample: m.sample,
            field_title,
            field_href,
            goal_title,
            goal_href,
            department: m.department.clone(),
            contact: views::contact(site, &m.department),
            course_of_action: m.course_of_action.clone(),
            citizen_participation: m.citizen_participation.clone(),
            indicators: IndicatorTable::new(
                pid,
                format!("施策{}の成果指標", m.number),
                &m.indicators,
            ),
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
    /// The themes the element is under: (address, name).
    themes: Vec<(String, String)>,
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
async fn priority_project(
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
            themes: crate::public::themes::links_of(site, &c.header.id, &p.id),
            layout: crumbs(Layout::new(site, &p.title, ""), &bp_steps(c, bp))
                .sample(sample)
                .standing(standing::of_basic_plan(site, c, bp)),
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
    /// The themes the element is under: (address, name).
    themes: Vec<(String, String)>,
    number: String,
    title: String,
    sample: bool,
    description: String,
    targets: IndicatorTable,
    measures: Vec<Item>,
    /// Each measure's KPIs, on the objective's own page (no click to find them).
    kpis: Vec<(Item, String, IndicatorTable)>,
}

/// `GET /plans/{plan}/objectives/{id}`.
async fn objective(
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
                summary: String::new(),
            })
            .collect();
        let kpis = o
            .measures
            .iter()
            .zip(&measures)
            .filter(|(m, _)| !m.kpis.is_empty())
            .map(|(m, item)| {
                (
                    item.clone(),
                    format!("kpis-{}", m.id),
                    IndicatorTable::new(pid, format!("施策{}のKPI", m.number), &m.kpis),
                )
            })
            .collect();
        let sample = o.sample
            || o.numerical_targets.iter().any(|t| t.sample)
            || measures.iter().any(|m| m.sample);
        Ok(ObjectivePage {
            themes: crate::public::themes::links_of(site, &s.header.id, &o.id),
            layout: Layout::new(site, &format!("基本目標{}　{}", o.number, o.title), "")
                .crumbs(&[(s.header.title.as_str(), plan_href(pid))])
                .sample(sample)
                .standing(site.plan(pid).and_then(|p| standing::of_plan(site, p))),
            number: o.number.clone(),
            title: o.title.clone(),
            sample: o.sample,
            description: o.description.clone(),
            targets: IndicatorTable::new(
                pid,
                format!("基本目標{}の数値目標", o.number),
                &o.numerical_targets,
            ),
            measures,
            kpis,
        }
        .render()?)
    })
    .await
}

#[derive(Template)]
#[template(path = "public/strategy_measure.html")]
struct StrategyMeasurePage {
    layout: Layout,
    /// The themes the element is under: (address, name).
    themes: Vec<(String, String)>,
    number: String,
    title: String,
    sample: bool,
    description: String,
    department: String,
    contact: Option<views::Contact>,
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
                    format!("施策 {}　{}", x.number, x.title),
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
async fn strategy_measure(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let s = strategy(site, &plan)?;
        let (o, m) = missing(s.measure(&element_id(&id)?))?;
        let pid = &s.header.id;
        let objective_title = format!("基本目標{}　{}", o.number, o.title);
        let objective_href = format!("/plans/{pid}/objectives/{}", o.id);
        let links = strategy_links(site, m);
        let sample = m.sample || m.kpis.iter().any(|k| k.sample) || links.iter().any(|l| l.sample);
        Ok(StrategyMeasurePage {
            themes: crate::public::themes::links_of(site, &s.header.id, &m.id),
            layout: Layout::new(site, &format!("施策 {}　{}", m.number, m.title), "")
                .crumbs(&[
                    (s.header.title.as_str(), plan_href(pid)),
                    (objective_title.as_str(), objective_href.clone()),
                ])
                .sample(sample)
                .standing(site.plan(pid).and_then(|p| standing::of_plan(site, p))),
            number: m.number.clone(),
            title: m.title.clone(),
            sample: m.sample,
            description: m.description.clone(),
            department: m.department.clone(),
            contact: views::contact(site, &m.department),
            objective_title,
            objective_href,
            kpis: IndicatorTable::new(&s.header.id, format!("施策{}のKPI", m.number), &m.kpis),
            links,
        }
        .render()?)
    })
    .await
}

/// `GET /plans/{plan}/elements/{id}`: a stable link to any element, redirected to the page
/// that shows it.
async fn element(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let p = missing(site.plan(&plan_id(&plan)?))?;
    let id = element_id(&id)?;
    let kind = missing(p.element_kind(&id))?;
    Ok(Redirect::to(&element_href(p, kind, &id)).into_response())
}
