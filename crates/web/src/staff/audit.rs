//! The audit log for administrators (`GET /staff/audit`): the result of checking the log's
//! hash chain, a filter (who, what, plan, from–to in any date form the date reader takes —
//! a GET form, so a filtered log is a link), and the entries a page at a time, newest first,
//! each with the names of who acted and what changed, the fields before → after, and a link
//! to the element (or to the last version holding a deleted one).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keikaku_app::audit::{self, ACTIONS, AuditFilter, FieldChange, FilterInput, Link};
use keikaku_app::{AppError, history};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::AppState;
use crate::clock::jst_label;
use crate::error::WebError;
use crate::routes::{Route, route};
use crate::staff::edit::element_href;
use crate::staff::extract::StaffUser;
use crate::staff::restore::version_element_href;
use crate::staff::{private_page, staff_layout};
use crate::views;

pub(crate) const ROUTES: &[Route] =
    &[route!(GET "/staff/audit" => audit, ReadAudit, "/staff/audit?action=element.update&page=1")];

/// The address of what a link names.
fn href(link: &Link) -> String {
    match link {
        Link::Plan(p) => format!("/staff/plans/{p}"),
        Link::Element { plan, id } => element_href(plan, id),
        Link::ElementInVersion { plan, number, id } => version_element_href(plan, *number, id),
        Link::Versions(p) => format!("/staff/plans/{p}/versions"),
        Link::Kpi(p) => format!("/staff/plans/{p}/kpi"),
        Link::KpiRound { plan, year } => format!("/staff/plans/{plan}/kpi/{year}/review"),
        Link::User(login) => format!(
            "/staff/users/{}",
            utf8_percent_encode(login, NON_ALPHANUMERIC)
        ),
        Link::Edition(year) => format!("/staff/implementation-plans/{year}"),
        Link::Population => "/staff/population".to_owned(),
        Link::Departments => "/staff/departments".to_owned(),
    }
}

/// What a link's note says beside the name.
fn link_note(link: &Link) -> Option<String> {
    match link {
        Link::ElementInVersion { number, .. } => {
            Some(format!("削除前の内容（第{number}版）を見る・復元する"))
        }
        Link::Versions(_) => Some("版の一覧を見る".to_owned()),
        _ => None,
    }
}

struct EntryRow {
    sequence: u64,
    at: String,
    actor: String,
    action: String,
    target: String,
    href: Option<String>,
    note: Option<String>,
    fields: Vec<FieldChange>,
    changes_note: Option<String>,
}

/// One choice of a `<select>`: value, label, selected.
type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: views::Layout,
    chain: String,
    actors: Vec<Choice>,
    actions: Vec<Choice>,
    plans: Vec<Choice>,
    from: String,
    to: String,
    /// `(field id, message)`.
    errors: Vec<(String, String)>,
    filtered: bool,
    total: usize,
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
    entries: Vec<EntryRow>,
}

impl AuditPage {
    /// The message of a field, if it has one.
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn choices(list: Vec<(String, String)>, chosen: &str) -> Vec<Choice> {
    list.into_iter()
        .map(|(v, l)| {
            let selected = v == chosen.trim();
            (v, l, selected)
        })
        .collect()
}

/// The query of a page of the same filter.
fn page_href(input: &FilterInput, page: usize) -> String {
    let enc = |s: &str| utf8_percent_encode(s.trim(), NON_ALPHANUMERIC).to_string();
    format!(
        "/staff/audit?actor={}&action={}&plan={}&from={}&to={}&page={page}",
        enc(&input.actor),
        enc(&input.action),
        enc(&input.plan),
        enc(&input.from),
        enc(&input.to)
    )
}

/// `GET /staff/audit?actor=&action=&plan=&from=&to=&page=`.
async fn audit(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let chain = match history::verify_audit(&cx, &granted).await? {
        Ok(n) => {
            format!("{n}件の記録を検証しました。ハッシュの連鎖に改ざんは見つかりませんでした。")
        }
        Err(broken) => format!(
            "警告: 記録 {} 番が壊れています（{broken}）。",
            broken.sequence()
        ),
    };
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let input = FilterInput {
        actor: get("actor"),
        action: get("action"),
        plan: get("plan"),
        from: get("from"),
        to: get("to"),
        page: get("page"),
    };
    let offered = audit::filter_choices(&cx, &granted).await?;
    let mut page = AuditPage {
        layout: staff_layout(&state, "監査ログ", &[]).await?,
        chain,
        actors: choices(offered.actors, &input.actor),
        actions: choices(
            ACTIONS
                .iter()
                .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                .collect(),
            &input.action,
        ),
        plans: choices(offered.plans, &input.plan),
        from: input.from.clone(),
        to: input.to.clone(),
        errors: Vec::new(),
        filtered: false,
        total: 0,
        page: 1,
        pages: 1,
        previous: None,
        next: None,
        entries: Vec::new(),
    };
    let (filter, number) = match AuditFilter::read(&input) {
        Ok(read) => read,
        Err(AppError::Invalid(problems)) => {
            page.errors = problems
                .into_iter()
                .map(|p| (format!("filter-{}", p.path), p.message))
                .collect();
            return Ok(
                private_page(StatusCode::UNPROCESSABLE_ENTITY, page.render()?).into_response(),
            );
        }
        Err(e) => return Err(e.into()),
    };
    let log = audit::audit_log(&cx, &granted, &filter, number, audit::PER_PAGE).await?;
    page.filtered = !filter.is_empty();
    page.total = log.total;
    page.page = log.page;
    page.pages = log.pages;
    page.previous = (log.page > 1).then(|| page_href(&input, log.page - 1));
    page.next = (log.page < log.pages).then(|| page_href(&input, log.page + 1));
    page.entries = log
        .entries
        .into_iter()
        .map(|e| EntryRow {
            sequence: e.sequence,
            at: jst_label(e.at),
            actor: e.actor.label,
            action: e.action_label,
            href: e.target.link.as_ref().map(href),
            note: e.target.link.as_ref().and_then(link_note),
            target: e.target.label,
            fields: e.changes.fields,
            changes_note: e.changes.note,
        })
        .collect();
    Ok(private_page(StatusCode::OK, page.render()?).into_response())
}
