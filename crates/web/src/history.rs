//! The version history of a plan: the list of published versions and the differences
//! between any two, with the changed text marked. Councils use it to see what changed after
//! their remarks.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use keikaku_app::history;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::diff::{Change, TextPart};
use keikaku_domain::era::{CivilDate, format_date};

use crate::AppState;
use crate::error::WebError;
use crate::pages::{PagePath, missing, plan_id};
use crate::views::{Layout, YEAR_STYLE, element_href, plan_href};

/// 「令和7年11月26日 15:15」 in Japan time (UTC+9, no daylight saving).
pub fn jst_label(at: Timestamp) -> String {
    const NINE_HOURS: i64 = 9 * 3600 * 1000;
    let shifted = Timestamp::from_millis(at.as_millis().saturating_add(NINE_HOURS)).unwrap_or(at);
    let iso = shifted.to_iso(); // 2026-11-26T06:15:00.000Z
    let date = iso
        .get(..10)
        .and_then(|d| CivilDate::parse_iso(d).ok())
        .map(|d| format_date(d, YEAR_STYLE));
    match (date, iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => iso,
    }
}

struct VersionRow {
    number: u32,
    at: String,
    previous: u32,
    changes_href: Option<String>,
}

#[derive(Template)]
#[template(path = "versions.html")]
struct VersionsPage {
    layout: Layout,
    plan_title: String,
    versions: Vec<VersionRow>,
    compare_action: String,
}

/// `GET /plans/{plan}/versions`.
pub async fn versions(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let id = plan_id(&plan)?;
    let p = missing(site.plan(&id))?;
    let list =
        history::published_versions(state.catalog.store(), &site.municipality.code, &id).await?;
    let rows = list
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let previous = i.checked_sub(1).map(|j| list[j].number);
            VersionRow {
                number: v.number,
                at: jst_label(v.at),
                previous: previous.unwrap_or(0),
                changes_href: previous
                    .map(|prev| format!("/plans/{id}/compare?from={prev}&to={}", v.number)),
            }
        })
        .collect();
    let title = p.header().title.clone();
    let page = VersionsPage {
        layout: Layout::new(&site, "版の一覧", "").crumbs(&[(title.as_str(), plan_href(&id))]),
        plan_title: title,
        versions: rows,
        compare_action: format!("/plans/{id}/compare"),
    };
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-cache")],
        Html(page.render()?),
    )
        .into_response())
}

struct FieldView {
    field: &'static str,
    old_parts: Vec<TextPart>,
    new_parts: Vec<TextPart>,
}

struct ChangeView {
    label: &'static str,
    kind: &'static str,
    title: String,
    href: Option<String>,
    note: String,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    layout: Layout,
    plan_title: String,
    from: u32,
    to: u32,
    from_at: String,
    to_at: String,
    added: usize,
    removed: usize,
    changed: usize,
    changes: Vec<ChangeView>,
    versions_href: String,
}

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
pub async fn compare(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let site = state.catalog.site().await?;
    let id = plan_id(&plan)?;
    let current = missing(site.plan(&id))?;
    let from = version_number(&params, "from")?;
    let to = version_number(&params, "to")?;
    let cmp = history::compare_versions(
        state.catalog.store(),
        &site.municipality.code,
        &id,
        from,
        to,
    )
    .await?;
    let (added, removed, changed) = cmp.diff.counts();
    let changes = cmp
        .diff
        .changes
        .iter()
        .map(|c| {
            let kind = c.kind.map_or("計画", |k| k.label());
            // Link to the element's current page when it still exists in the published plan.
            let href = match (&c.kind, &c.id) {
                (Some(k), Some(e)) if current.element_kind(e) == Some(*k) => {
                    Some(element_href(current, *k, e))
                }
                (None, None) => Some(plan_href(&id)),
                _ => None,
            };
            let (note, fields) = match &c.change {
                Change::Added => ("この版で追加されました。".to_owned(), Vec::new()),
                Change::Removed => ("この版で削除されました。".to_owned(), Vec::new()),
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
                        })
                        .collect(),
                ),
            };
            ChangeView {
                label: c.change.label(),
                kind,
                title: c.title.clone(),
                href,
                note,
                fields,
            }
        })
        .collect();
    let title = current.header().title.clone();
    let versions_href = format!("/plans/{id}/versions");
    let page = ComparePage {
        layout: Layout::new(&site, &format!("第{from}版と第{to}版の違い"), "").crumbs(&[
            (title.as_str(), plan_href(&id)),
            ("版の一覧", versions_href.clone()),
        ]),
        plan_title: title,
        from,
        to,
        from_at: jst_label(cmp.from.at),
        to_at: jst_label(cmp.to.at),
        added,
        removed,
        changed,
        changes,
        versions_href,
    };
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-cache")],
        Html(page.render()?),
    )
        .into_response())
}
