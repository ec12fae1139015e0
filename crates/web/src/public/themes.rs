//! The themes on the public site: `/themes` (every theme with how many elements are under it)
//! and `/themes/{code}` (the elements under a theme, grouped by plan and kind, each with its
//! indicators — a measure's 成果指標, a strategy measure's KPIs). The element pages link to the
//! themes of their element (`links_of`).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use keikaku_app::Site;
use keikaku_app::search::Location;
use keikaku_domain::{ElementId, ElementKind, PlanId};

use crate::AppState;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::public::cached;
use crate::public::search::{hit_href, hit_is_sample};
use crate::routes::{Route, route};
use crate::views::{Layout, plan_href, public_indicator_href};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/themes" => themes_page, ReadPublished, "/themes"),
    route!(GET "/themes/{code}" => theme_page, ReadPublished, "/themes/kosodate"),
];

/// The address of a theme's page.
pub(crate) fn theme_href(code: &str) -> String {
    format!("/themes/{code}")
}

/// The themes an element is under, as (address, name), for the element's page.
pub(crate) fn links_of(site: &Site, plan: &PlanId, element: &ElementId) -> Vec<(String, String)> {
    site.themes_of(plan, element)
        .into_iter()
        .map(|t| (theme_href(&t.code), t.name.clone()))
        .collect()
}

struct ThemeCard {
    href: String,
    name: String,
    description: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "public/themes.html")]
struct ThemesPage {
    layout: Layout,
    themes: Vec<ThemeCard>,
}

/// `GET /themes`.
async fn themes_page(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let themes = site
            .themes()
            .iter()
            .map(|t| ThemeCard {
                href: theme_href(&t.code),
                name: t.name.clone(),
                description: t.description.clone(),
                count: site.tagged(&t.code).len(),
            })
            .collect();
        Ok(ThemesPage {
            layout: Layout::new(site, "テーマから探す", "/themes").crumbs(&[]),
            themes,
        }
        .render()?)
    })
    .await
}

/// An element under a theme, with its indicators.
struct TaggedView {
    href: String,
    title: String,
    trail: String,
    sample: bool,
    /// The element's indicators: (address, name with unit).
    indicators: Vec<(String, String)>,
}

/// The elements of one kind in one plan.
struct KindGroup {
    label: &'static str,
    items: Vec<TaggedView>,
}

/// The elements of one plan.
struct PlanGroup {
    title: String,
    href: String,
    kinds: Vec<KindGroup>,
}

#[derive(Template)]
#[template(path = "public/theme.html")]
struct ThemePage {
    layout: Layout,
    name: String,
    description: String,
    words: Vec<String>,
    count: usize,
    plans: Vec<PlanGroup>,
}

/// The indicators of a located element, as links.
pub(crate) fn indicator_links(site: &Site, loc: &Location) -> Vec<(String, String)> {
    let (Some(plan), Some(kind), Some(id)) = (site.plan(&loc.plan), loc.kind, &loc.id) else {
        return Vec::new();
    };
    if matches!(
        kind,
        ElementKind::OutcomeIndicator | ElementKind::NumericalTarget | ElementKind::Kpi
    ) {
        // An indicator is its own entry; it has no indicators under it.
        return Vec::new();
    }
    keikaku_app::themes::indicators_of(plan, kind, id)
        .into_iter()
        .map(|i| {
            let title = if i.unit.is_empty() {
                i.title.clone()
            } else {
                format!("{}（{}）", i.title, i.unit)
            };
            (public_indicator_href(&loc.plan, i.id.as_str()), title)
        })
        .collect()
}

fn group(site: &Site, tagged: &[(&Location, &str)]) -> Vec<PlanGroup> {
    let mut plans: Vec<PlanGroup> = Vec::new();
    for plan in &site.plans {
        let id = plan.id();
        let mut kinds: Vec<KindGroup> = Vec::new();
        for (loc, title) in tagged.iter().filter(|(l, _)| &l.plan == id) {
            let label = loc.kind.map_or("計画", ElementKind::label);
            let view = TaggedView {
                href: hit_href(site, loc),
                title: (*title).to_owned(),
                trail: loc.trail.join(" › "),
                sample: hit_is_sample(site, loc),
                indicators: indicator_links(site, loc),
            };
            match kinds.iter_mut().find(|k| k.label == label) {
                Some(k) => k.items.push(view),
                None => kinds.push(KindGroup {
                    label,
                    items: vec![view],
                }),
            }
        }
        if !kinds.is_empty() {
            plans.push(PlanGroup {
                title: plan.header().title.clone(),
                href: plan_href(id),
                kinds,
            });
        }
    }
    plans
}

/// `GET /themes/{code}`.
async fn theme_page(
    State(state): State<AppState>,
    PagePath(code): PagePath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    cached(&state, &uri, &headers, |site| {
        let theme = site.theme(&code).ok_or_else(|| {
            WebError::NotFound(Some(format!("テーマ「{code}」は見つかりません。")))
        })?;
        let tagged = site.tagged(&theme.code);
        let plans = group(site, &tagged);
        let sample = plans
            .iter()
            .flat_map(|p| &p.kinds)
            .flat_map(|k| &k.items)
            .any(|i| i.sample);
        Ok(ThemePage {
            layout: Layout::new(site, &format!("テーマ「{}」", theme.name), "")
                .crumbs(&[("テーマから探す", "/themes".to_owned())])
                .sample(sample),
            name: theme.name.clone(),
            description: theme.description.clone(),
            words: theme.words.clone(),
            count: tagged.len(),
            plans,
        }
        .render()?)
    })
    .await
}
