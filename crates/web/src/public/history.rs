//! The version history of a plan: the list of published versions and the differences
//! between any two, with the changed text marked. Councils use it to see what changed after
//! their remarks.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use keikaku_app::access::Granted;
use keikaku_app::{Site, history};
use keikaku_domain::PlanId;
use keikaku_domain::plan::diff::{Change, TextPart};

use crate::AppState;
use crate::clock::jst_label;
use crate::error::WebError;
use crate::paths::{PagePath, missing, plan_id};
use crate::routes::{Route, route};
use crate::views::{Layout, element_href, plan_href};

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/plans/{plan}/versions" => versions,
        ReadPublished,
        "/plans/sogo-keikaku/versions"
    ),
    route!(
        GET "/plans/{plan}/compare" => compare,
        ReadPublished,
        "/plans/sogo-keikaku/compare?from=1&to=1"
    ),
    route!(
        GET "/plans/{plan}/versions/{number}" => crate::public::version::version,
        ReadPublished,
        "/plans/sogo-keikaku/versions/1"
    ),
];

struct VersionRow {
    number: u32,
    status: &'static str,
    at: String,
    previous: u32,
    changes_href: Option<String>,
    /// The version read as pages.
    href: String,
    label: String,
    reason: String,
    /// Versions before this one that the list does not show (public: not published).
    unlisted: u32,
}

#[derive(Template)]
#[template(path = "public/versions.html")]
struct VersionsPage {
    layout: Layout,
    plan_title: String,
    versions: Vec<VersionRow>,
    compare_action: String,
    show_status: bool,
    /// Staff may compare with the working copy.
    working_copy: bool,
    /// Whether the numbers jump (the public list: versions not published are counted but not
    /// listed).
    any_unlisted: bool,
}

/// Who is looking: the public (published versions only) or staff who may read drafts (every
/// version, under `/staff/plans/…`, never cached).
pub(crate) enum Scope {
    Public,
    Staff(Granted),
}

impl Scope {
    fn base(&self) -> &'static str {
        match self {
            Self::Public => "/plans",
            Self::Staff(_) => "/staff/plans",
        }
    }
}

/// The title of a plan the scope may see: published plans from the catalog, any stored plan
/// for staff.
async fn plan_title(
    state: &AppState,
    site: &Site,
    scope: &Scope,
    id: &PlanId,
) -> Result<String, WebError> {
    match scope {
        Scope::Public => Ok(missing(site.plan(id))?.header().title.clone()),
        Scope::Staff(granted) => {
            let stored =
                keikaku_app::plans::working_copy(&state.catalog.context(), granted, id).await?;
            Ok(missing(stored)?.header().title.clone())
        }
    }
}

fn respond(scope: &Scope, body: String) -> Response {
    let cache = match scope {
        Scope::Public => "no-cache",
        Scope::Staff(_) => "no-store",
    };
    ([(axum::http::header::CACHE_CONTROL, cache)], Html(body)).into_response()
}

/// `GET /plans/{plan}/versions`.
async fn versions(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
) -> Result<Response, WebError> {
    versions_page(&state, Scope::Public, &plan).await
}

/// The list of a plan's versions, as the scope may see them.
pub(crate) async fn versions_page(
    state: &AppState,
    scope: Scope,
    plan: &str,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let id = plan_id(plan)?;
    let title = plan_title(state, &site, &scope, &id).await?;
    let cx = state.catalog.context();
    let list = match &scope {
        Scope::Public => history::published_versions(&cx, &id).await?,
        Scope::Staff(granted) => history::all_versions(&cx, granted, &id).await?,
    };
    let base = scope.base();
    let numbers: Vec<u32> = list.iter().map(|v| v.number).collect();
    let unlisted = keikaku_domain::plan::version_note::unlisted_before(&numbers);
    let rows: Vec<VersionRow> = list
        .iter()
        .zip(unlisted)
        .enumerate()
        .map(|(i, (v, unlisted))| {
            let previous = i.checked_sub(1).map(|j| list[j].number);
            VersionRow {
                number: v.number,
                status: v.status.label(),
                at: jst_label(v.at),
                previous: previous.unwrap_or(0),
                changes_href: previous
                    .map(|prev| format!("{base}/{id}/compare?from={prev}&to={}", v.number)),
                href: format!("{base}/{id}/versions/{}", v.number),
                label: v.note.label.clone(),
                reason: v.note.reason.clone(),
                unlisted,
            }
        })
        .collect();
    let any_unlisted = rows.iter().any(|r| r.unlisted > 0);
    let layout = Layout::new(&site, "版の一覧", "");
    let layout = match scope {
        Scope::Public => layout.crumbs(&[(title.as_str(), plan_href(&id))]),
        Scope::Staff(_) => layout.crumbs(&[("職員用ページ", "/staff".to_owned())]),
    };
    let page = VersionsPage {
        layout,
        plan_title: title,
        versions: rows,
        compare_action: format!("{base}/{id}/compare"),
        show_status: matches!(scope, Scope::Staff(_)),
        working_copy: matches!(scope, Scope::Staff(_)),
        any_unlisted,
    };
    Ok(respond(&scope, page.render()?))
}

struct FieldView {
    field: &'static str,
    old_parts: Vec<TextPart>,
    new_parts: Vec<TextPart>,
    /// A value: both sides shown whole, 「0 → 5」.
    value: bool,
    old: String,
    new: String,
}

struct ChangeView {
    label: &'static str,
    kind: &'static str,
    title: String,
    href: Option<String>,
    note: String,
    fields: Vec<FieldView>,
    /// Staff: the removed element as the older version holds it, where it can be restored.
    restore_href: Option<String>,
    /// An added or removed element's content: (label, text).
    content: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "public/compare.html")]
struct ComparePage {
    layout: Layout,
    plan_title: String,
    from: String,
    to: String,
    from_at: String,
    to_at: String,
    added: usize,
    removed: usize,
    changed: usize,
    changes: Vec<ChangeView>,
    versions_href: String,
}

/// The `to` value that names the working copy (staff only).
pub(crate) const WORKING_COPY: &str = "current";

fn version_number(params: &HashMap<String, String>, key: &str) -> Result<u32, WebError> {
    let raw = params
        .get(key)
        .ok_or_else(|| WebError::BadRequest(format!("比べる版（{key}）を指定してください。")))?;
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "版の番号「{raw}」は1以上の整数で指定してください。"
            ))
        })
}

/// `GET /plans/{plan}/compare?from=1&to=2`.
async fn compare(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    compare_page(&state, Scope::Public, &plan, &params).await
}

/// The differences between two versions, as the scope may see them.
#[allow(clippy::too_many_lines)] // one page model, change by change
pub(crate) async fn compare_page(
    state: &AppState,
    scope: Scope,
    plan: &str,
    params: &HashMap<String, String>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let id = plan_id(plan)?;
    let title = plan_title(state, &site, &scope, &id).await?;
    // Links to current pages exist only for a published plan.
    let current = site.plan(&id);
    let from = version_number(params, "from")?;
    // Staff may compare with the working copy (`to=current`).
    let working_copy = matches!(scope, Scope::Staff(_))
        && params.get("to").map(String::as_str) == Some(WORKING_COPY);
    let to = if working_copy {
        0
    } else {
        version_number(params, "to")?
    };
    let cx = state.catalog.context();
    let cmp = match &scope {
        Scope::Public => history::compare_versions(&cx, &id, from, to).await?,
        Scope::Staff(granted) if working_copy => {
            history::compare_with_working_copy(&cx, granted, &id, from).await?
        }
        Scope::Staff(granted) => history::compare_any_versions(&cx, granted, &id, from, to).await?,
    };
    let (added, removed, changed) = cmp.diff.counts();
    let changes = cmp
        .diff
        .changes
        .iter()
        .map(|c| {
            let kind = c.kind.map_or("計画", |k| k.label());
            // Link to the element's current page when it still exists in the published plan.
            let href = match (current, &c.kind, &c.id) {
                (Some(p), Some(k), Some(e)) if p.element_kind(e) == Some(*k) => {
                    Some(element_href(p, *k, e))
                }
                (Some(_), None, None) => Some(plan_href(&id)),
                _ => None,
            };
            let (note, fields) = match &c.change {
                Change::Added => (format!("{}として追加されました。", c.place), Vec::new()),
                Change::Removed => (
                    format!("{}にあったものが削除されました。", c.place),
                    Vec::new(),
                ),
                Change::Moved {
                    from_position,
                    to_position,
                } => (
                    format!(
                        "並び順が{}番目から{}番目に変わりました。",
                        from_position + 1,
                        to_position + 1
                    ),
                    Vec::new(),
                ),
                Change::Changed(fields) => (
                    String::new(),
                    fields
                        .iter()
                        .map(|f| FieldView {
                            field: f.field,
                            old_parts: f.old_parts.clone(),
                            new_parts: f.new_parts.clone(),
                            value: f.value,
                            old: f.old.clone(),
                            new: f.new.clone(),
                        })
                        .collect(),
                ),
            };
            let restore_href = match (&scope, &c.change, &c.id) {
                (Scope::Staff(_), Change::Removed, Some(e)) => Some(
                    crate::staff::restore::version_element_href(&id, from, e.as_str()),
                ),
                _ => None,
            };
            ChangeView {
                restore_href,
                label: c.change.label(),
                kind,
                title: c.title.clone(),
                href,
                note,
                fields,
                content: c
                    .content
                    .iter()
                    .map(|s| (s.label, s.text.clone()))
                    .collect(),
            }
        })
        .collect();
    let versions_href = format!("{}/{id}/versions", scope.base());
    let first = match scope {
        Scope::Public => (title.as_str(), plan_href(&id)),
        Scope::Staff(_) => ("職員用ページ", "/staff".to_owned()),
    };
    let from_label = cmp.from.note.title(from);
    let to_label = if working_copy {
        "作業中の内容（現在）".to_owned()
    } else {
        cmp.to.note.title(to)
    };
    let page = ComparePage {
        layout: Layout::new(&site, &format!("{from_label}と{to_label}の違い"), "")
            .crumbs(&[first, ("版の一覧", versions_href.clone())]),
        plan_title: title,
        from: from_label,
        to: to_label,
        from_at: jst_label(cmp.from.at),
        to_at: if working_copy {
            String::new()
        } else {
            jst_label(cmp.to.at)
        },
        added,
        removed,
        changed,
        changes,
        versions_href,
    };
    Ok(respond(&scope, page.render()?))
}
