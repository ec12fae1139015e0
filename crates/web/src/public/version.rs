//! A stored version read as pages (`/plans/{plan}/versions/{n}`, and for staff
//! `/staff/plans/{plan}/versions/{n}`): the plan as it was frozen — the draft as it stood on
//! the day of the council's meeting —, every element with its content in display order, under
//! a banner naming the version, its date, its name and reason, and linking to the current
//! published text. The public sees published versions only; staff every version, with the form
//! that names it when they may.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::history;
use keikaku_domain::plan::diff::outline;

use crate::AppState;
use crate::clock::jst_label;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::public::history::Scope;
use crate::views::{Layout, plan_href};

struct EntryView {
    anchor: String,
    /// 2 to 4: the heading level.
    level: usize,
    kind: &'static str,
    title: String,
    place: String,
    content: Vec<(&'static str, String)>,
}

/// The form that names a version, as staff see it.
pub(crate) struct NoteForm {
    pub(crate) csrf: String,
    pub(crate) revision: u32,
    pub(crate) label: String,
    pub(crate) reason: String,
    /// Field name → message.
    pub(crate) errors: BTreeMap<String, String>,
    /// A conflict: the message and the name and reason stored now.
    pub(crate) conflict: Option<(String, String, String)>,
    pub(crate) saved: bool,
}

impl NoteForm {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

#[derive(Template)]
#[template(path = "public/version.html")]
struct VersionPage {
    layout: Layout,
    plan_title: String,
    version_title: String,
    at: String,
    status: &'static str,
    reason: String,
    /// The current published text, when there is one.
    current_href: Option<String>,
    versions_href: String,
    entries: Vec<EntryView>,
    action: String,
    form: Option<NoteForm>,
}

/// The version number of a path (`1` or more).
pub(crate) fn number_of(raw: &str) -> Result<u32, WebError> {
    raw.parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or(WebError::NotFound(None))
}

/// `GET /plans/{plan}/versions/{number}`: a published version read as pages.
pub(crate) async fn version(
    State(state): State<AppState>,
    PagePath((plan, number)): PagePath<(String, String)>,
) -> Result<Response, WebError> {
    version_page(&state, Scope::Public, &plan, &number, None, StatusCode::OK).await
}

/// A version read as pages, as the scope may see it; `form` is the staff's note form when the
/// user may name versions (filled from the version unless a refused save is shown again).
pub(crate) async fn version_page(
    state: &AppState,
    scope: Scope,
    plan: &str,
    number: &str,
    form: Option<NoteForm>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let id = plan_id(plan)?;
    let number = number_of(number)?;
    let cx = state.catalog.context();
    let (summary, stored) = match &scope {
        Scope::Public => history::published_version(&cx, &id, number).await?,
        Scope::Staff(granted) => history::any_version(&cx, granted, &id, number).await?,
    };
    let base = match scope {
        Scope::Public => "/plans",
        Scope::Staff(_) => "/staff/plans",
    };
    let entries: Vec<EntryView> = outline(&stored)
        .into_iter()
        .skip(1)
        .map(|e| EntryView {
            anchor: e.id.as_ref().map_or_else(String::new, ToString::to_string),
            level: (e.depth + 1).clamp(2, 4),
            kind: e.kind.map_or("計画", |k| k.label()),
            title: e.title,
            place: e.place,
            content: e
                .content
                .into_iter()
                .filter(|s| s.label != "名称")
                .map(|s| (s.label, s.text))
                .collect(),
        })
        .collect();
    let header = outline(&stored)
        .into_iter()
        .next()
        .map(|e| {
            e.content
                .into_iter()
                .filter(|s| s.label != "名称")
                .map(|s| (s.label, s.text))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut all = vec![EntryView {
        anchor: "plan".to_owned(),
        level: 2,
        kind: "計画",
        title: stored.header().title.clone(),
        place: String::new(),
        content: header,
    }];
    all.extend(entries);
    let plan_title = stored.header().title.clone();
    let version_title = summary.note.title(number);
    let versions_href = format!("{base}/{id}/versions");
    let first = match scope {
        Scope::Public => (plan_title.as_str(), plan_href(&id)),
        Scope::Staff(_) => ("職員用ページ", "/staff".to_owned()),
    };
    let form = match (&scope, form) {
        (Scope::Staff(g), None) if permits(Some(&g.user().roles), Action::NameVersions) => {
            let csrf = crate::staff::who::current()
                .map(|w| w.csrf)
                .unwrap_or_default();
            Some(NoteForm {
                csrf,
                revision: summary.note_revision,
                label: summary.note.label.clone(),
                reason: summary.note.reason.clone(),
                errors: BTreeMap::new(),
                conflict: None,
                saved: false,
            })
        }
        (Scope::Staff(_), form) => form,
        (Scope::Public, _) => None,
    };
    let page = VersionPage {
        layout: Layout::new(&site, &format!("{plan_title} {version_title}"), "")
            .crumbs(&[first, ("版の一覧", versions_href.clone())]),
        plan_title,
        version_title,
        at: jst_label(summary.at),
        status: summary.status.label(),
        reason: summary.note.reason.clone(),
        current_href: site.plan(&id).map(|_| plan_href(&id)),
        versions_href,
        entries: all,
        action: format!("/staff/plans/{id}/versions/{number}/note"),
        form,
    };
    let cache = match scope {
        Scope::Public => "no-cache",
        Scope::Staff(_) => "no-store",
    };
    let mut response = (
        [(axum::http::header::CACHE_CONTROL, cache)],
        Html(page.render()?),
    )
        .into_response();
    *response.status_mut() = status;
    Ok(response)
}

/// The grant a staff version page is read with (the route's own is `ReadDrafts`).
pub(crate) fn reader(granted: &Granted) -> Result<Granted, WebError> {
    Ok(Granted::check(granted.user().clone(), Action::ReadDrafts)?)
}
