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
