//! A plan's own pages: its overview, the basic vision (基本構想), a basic plan (基本計画) and a
//! goal with its fields.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use keikaku_domain::{ElementId, Plan, PlanId};

use crate::AppState;
use crate::error::WebError;
use crate::paths::{PagePath, element_id, missing, plan_id};
use crate::public::{cached, comprehensive, standing};
use crate::routes::{Route, route};
use crate::views::{self, Item, Layout, plan_href};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/plans/{plan}" => plan, ReadPublished, "/plans/sogo-keikaku"),
    route!(
        GET "/plans/{plan}/vision" => vision,
        ReadPublished,
        "/plans/sogo-keikaku/vision"
    ),
    route!(
        GET "/plans/{plan}/basic-plans/{id}" => basic_plan,
        ReadPublished,
        "/plans/sogo-keikaku/basic-plans/basic-plan-first"
    ),
    route!(
        GET "/plans/{plan}/goals/{id}" => goal,
        ReadPublished,
        "/plans/sogo-keikaku/goals/goal-1"
    ),
];

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
    /// The published verification reports: (href, label).
    reports: Vec<(String, String)>,
    /// The KPI dashboard.
    kpi_href: String,
    /// Whether the plan has indicators (the dashboard is linked then).
    has_indicators: bool,
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
                    summary: String::new(),
                })
                .collect(),
        }],
    }
}

/// `GET /plans/{plan}`.
async fn plan(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let p = missing(site.plan(&plan_id(&plan)?))?;
        let h = p.header();
        let reports = site
            .reports(&h.id)
            .iter()
            .map(|r| {
                (
                    format!("/plans/{}/kpi/{}", h.id, r.fiscal_year.year()),
                    format!(
                        "{}の効果検証の結果",
                        keikaku_domain::format::fiscal_year(r.fiscal_year)
                    ),
                )
            })
            .collect();
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
                .sample(sample)
                .standing(standing::of_plan(site, p)),
            title: h.title.clone(),
            kind_label: p.kind().label(),
            status_label: h.status.label(),
            period: views::period(&h.period),
            period_description: h.period.description.clone(),
            purpose: h.purpose.clone(),
            scope: h.scope.clone(),
            sections,
            reports,
            kpi_href: format!("/plans/{}/kpi", h.id),
            has_indicators: !p.indicators().is_empty(),
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
async fn vision(
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
                .crumbs(&[(c.header.title.as_str(), plan_href(id))])
                .standing(site.plan(id).and_then(|p| standing::of_plan(site, p))),
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
        summary: String::new(),
    }
}

/// `GET /plans/{plan}/basic-plans/{id}`.
async fn basic_plan(
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
                summary: views::summary(&p.description, 120),
                ..Item::default()
            })
            .collect();
        let sample = priority_projects.iter().any(|p| p.sample)
            || goals.iter().any(|g| g.fields.iter().any(|f| f.sample));
        let href = format!("/plans/{pid}/basic-plans/{}", bp.id);
        Ok(BasicPlanPage {
            layout: Layout::new(site, &bp.title, &href)
                .crumbs(&[(c.header.title.as_str(), plan_href(pid))])
                .sample(sample)
                .standing(standing::of_basic_plan(site, c, bp)),
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
async fn goal(
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
            layout: Layout::new(site, &format!("目標{}　{}", g.number, g.title), "")
                .standing(site.plan(pid).and_then(|p| standing::of_plan(site, p)))
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
