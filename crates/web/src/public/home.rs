//! The home page: the comprehensive plan's future image, goals and priority projects, the
//! strategies' basic objectives, and the plans side by side.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use keikaku_app::Site;
use keikaku_domain::{ComprehensivePlan, Plan, Strategy};

use crate::AppState;
use crate::error::WebError;
use crate::public::cached;
use crate::routes::{Route, route};
use crate::views::{self, Item, Layout, plan_href};

pub(crate) const ROUTES: &[Route] = &[route!(GET "/" => home, ReadPublished, "/")];

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
    /// The city's themes: (address, name).
    themes: Vec<(String, String)>,
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
                        summary: crate::views::summary(&p.description, 80),
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
                summary: String::new(),
            })
            .collect(),
    }
}

/// `GET /`.
async fn home(
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
            themes: site
                .themes()
                .iter()
                .map(|t| (crate::public::themes::theme_href(&t.code), t.name.clone()))
                .collect(),
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
