//! The search page: every published plan searched at once, hits with their place in the plan
//! and the matched text marked.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use keikaku_app::Site;
use keikaku_domain::{ElementKind, Plan};

use crate::AppState;
use crate::error::WebError;
use crate::routes::{Route, route};
use crate::views::{Layout, element_href, plan_href};

pub(crate) const ROUTES: &[Route] = &[route!(
    GET "/search" => search,
    ReadPublished,
    "/search?q=%E5%AD%90%E8%82%B2%E3%81%A6"
)];

struct HitView {
    href: String,
    kind: &'static str,
    trail: String,
    title: Vec<keikaku_domain::search::SnippetPart>,
    snippet: Vec<keikaku_domain::search::SnippetPart>,
    sample: bool,
    /// A measure's (or field's, objective's) indicators: (address, name with unit).
    indicators: Vec<(String, String)>,
    /// The programs of the latest published 実施計画 that serve the element: (address, name).
    programs: Vec<(String, String)>,
}

/// The hits of one kind, in the order of their best hit.
struct KindGroup {
    label: &'static str,
    hits: Vec<HitView>,
}

#[derive(Template)]
#[template(path = "public/search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    count_label: String,
    count: usize,
    groups: Vec<KindGroup>,
    /// 「「こそだて」は「子育て」「育児」としても探しました。」: the themes' words used.
    also_searched: Vec<String>,
}

/// The hits grouped by kind; a group comes where its best hit does.
fn grouped(hits: Vec<HitView>) -> Vec<KindGroup> {
    let mut groups: Vec<KindGroup> = Vec::new();
    for h in hits {
        match groups.iter_mut().find(|g| g.label == h.kind) {
            Some(g) => g.hits.push(h),
            None => groups.push(KindGroup {
                label: h.kind,
                hits: vec![h],
            }),
        }
    }
    groups
}

/// The programs of the latest published edition that serve an element, by element.
async fn serving_programs(
    state: &AppState,
    site: &Site,
) -> Result<Vec<(keikaku_domain::ElementRef, String, String)>, WebError> {
    let Some(&made_in) = site.editions().first() else {
        return Ok(Vec::new());
    };
    let view =
        keikaku_app::programs::published_edition(&state.catalog.context(), &site.plans, made_in)
            .await?;
    let mut out = Vec::new();
    for p in &view.programs {
        let href = crate::public::programs::program_href(made_in, p.program.code.as_str());
        for link in &p.program.links {
            out.push((link.clone(), href.clone(), p.program.name.clone()));
        }
    }
    Ok(out)
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
pub(crate) fn hit_is_sample(site: &Site, loc: &keikaku_app::search::Location) -> bool {
    let (Some(kind), Some(id)) = (loc.kind, &loc.id) else {
        return false;
    };
    match site.plan(&loc.plan) {
        Some(Plan::Comprehensive(c)) => match kind {
            ElementKind::PriorityProject => c.priority_project(id).is_some_and(|(_, p)| p.sample),
            ElementKind::Field => c.field(id).is_some_and(|(_, f)| f.sample),
            ElementKind::Measure => c.measure(id).is_some_and(|(_, _, m)| m.sample),
            ElementKind::OutcomeIndicator => {
                c.outcome_indicator(id).is_some_and(|(_, _, i)| i.sample)
            }
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
async fn search(
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
    let found = site.search(&q, MAX_HITS);
    let programs = if found.is_empty() {
        Vec::new()
    } else {
        serving_programs(&state, &site).await?
    };
    let hits: Vec<HitView> = found
        .into_iter()
        .map(|h| {
            let loc = &h.document.key;
            let programs = loc
                .id
                .as_ref()
                .map(|id| {
                    programs
                        .iter()
                        .filter(|(r, _, _)| r.plan == loc.plan && &r.element == id)
                        .map(|(_, href, name)| (href.clone(), name.clone()))
                        .collect()
                })
                .unwrap_or_default();
            HitView {
                href: hit_href(&site, loc),
                kind: loc.kind.map_or("計画", |k| k.label()),
                trail: loc.trail.join(" › "),
                title: h.title,
                snippet: h.snippet,
                sample: hit_is_sample(&site, loc),
                indicators: crate::public::themes::indicator_links(&site, loc),
                programs,
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
        count_label,
        count: hits.len(),
        groups: grouped(hits),
        also_searched: site
            .also_searched(&q)
            .into_iter()
            .map(|(term, words)| {
                let words: Vec<String> = words.iter().map(|w| format!("「{w}」")).collect();
                format!("「{term}」は{}としても探しました。", words.join(""))
            })
            .collect(),
        query: q,
    };
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-cache")],
        axum::response::Html(page.render()?),
    )
        .into_response())
}
