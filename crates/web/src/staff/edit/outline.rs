//! The working copy of a plan as an outline (`GET /staff/plans/{plan}`): groups of children
//! with 「＋…を追加」 links, each element with its 所管課 and, for an indicator, its 基準値 →
//! 目標値 (so that checking forty KPIs takes no click), quiet 上へ/下へ buttons that reorder
//! siblings, an empty basic plan's 「前期基本計画から始める」, and links to the table of each kind
//! of element.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::edit::{self, Draft, Element};
use keikaku_domain::account::User;
use keikaku_domain::{ElementKind, format};

use crate::AppState;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::edit::{DoneQuery, done_notice, element_href, load_draft};
use crate::staff::extract::StaffUser;
use crate::staff::{private_page, staff_layout};
use crate::views::Layout;

/// One group of children (e.g. the measures of a field).
struct Group {
    label: &'static str,
    add: Option<String>,
}

/// One element in the outline.
struct Item {
    id: String,
    number: String,
    title: String,
    department: String,
    /// An indicator's 「基準値 … → 目標値 …」; empty for other kinds.
    values: String,
    sample: bool,
    /// How the move buttons name the element: 「施策1-1」, or the kind and title.
    move_name: String,
    href: String,
    may_move: bool,
    /// For an empty basic plan with one before it: the confirmation page of the copy and the
    /// button's text (「前期基本計画から始める」).
    start: Option<(String, String)>,
    first: bool,
    last: bool,
}

/// The outline as a flat sequence of opening and closing events (templates do not recurse).
enum Ev {
    Open(Group),
    Item(Item),
    EndItem,
    Close,
}

#[derive(Template)]
#[template(path = "staff/draft.html")]
struct DraftPage {
    layout: Layout,
    plan_id: String,
    title: String,
    status: &'static str,
    editable: bool,
    everything: bool,
    notice: Option<&'static str>,
    csrf: String,
    events: Vec<Ev>,
    public_href: Option<String>,
    /// The latest frozen version, to compare the working copy with.
    latest_version: Option<u32>,
    /// The table of each kind of element: code, label, count.
    tables: Vec<(&'static str, &'static str, usize)>,
    /// Whether the user may import the elements workbook (edits some of the plan, which is
    /// a draft).
    imports: bool,
}

/// An indicator's values as the outline shows them: 「基準値 0件（平成26年度・2014年度）→ 目標値
/// 10件（令和元年度・2019年度）」; empty for an element that is not an indicator.
fn key_values(draft: &Draft, element: &Element) -> String {
    if !element.kind.is_indicator() {
        return String::new();
    }
    let Some(place) = keikaku_domain::ElementId::parse(&element.id)
        .ok()
        .and_then(|id| draft.plan.indicator(&id))
    else {
        return String::new();
    };
    let i = place.indicator;
    let side = |label: &str, v: &Option<keikaku_domain::plan::strategy::YearValue>| match v {
        Some(_) => format!("{label} {}", format::year_value_in(v, &i.unit, i.decimals)),
        None => format!("{label} 未設定"),
    };
    format!(
        "{} → {}",
        side("基準値", &i.baseline),
        side("目標値", &i.target)
    )
}

/// The kinds shown under a parent kind (`None`: top level), in display order: those that may
/// be added there, and at the top of a comprehensive plan its basic plans too.
fn shown_kinds(plan: &keikaku_domain::Plan, parent_kind: Option<ElementKind>) -> Vec<ElementKind> {
    let mut kinds = ElementKind::addable_under(plan.kind(), parent_kind).to_vec();
    if parent_kind.is_none() && matches!(plan, keikaku_domain::Plan::Comprehensive(_)) {
        kinds.push(ElementKind::BasicPlan);
    }
    kinds
}

/// The start of a copy from the basic plan before it, for an empty basic plan that has one.
fn start_from(draft: &Draft, element: &Element) -> Option<(String, String)> {
    let keikaku_domain::Plan::Comprehensive(plan) = &draft.plan else {
        return None;
    };
    if element.kind != ElementKind::BasicPlan {
        return None;
    }
    let id = keikaku_domain::ElementId::parse(&element.id).ok()?;
    if !plan.basic_plan(&id)?.is_empty() {
        return None;
    }
    let source = plan.predecessor(&id).filter(|s| !s.is_empty())?;
    Some((
        format!("/staff/plans/{}/basic-plans/{id}/start", plan.header.id),
        format!("{}から始める", source.title),
    ))
}

fn walk(draft: &Draft, user: &User, parent: Option<&Element>, editable: bool, out: &mut Vec<Ev>) {
    let plan_id = draft.plan.id();
    let everything = edit::edits_everything(user) && editable;
    let parent_kind = parent.map(|p| p.kind);
    for kind in shown_kinds(&draft.plan, parent_kind) {
        let children = draft.children(parent.map(|p| p.id.as_str()), kind);
        let creatable = ElementKind::addable_under(draft.plan.kind(), parent_kind).contains(&kind);
        if children.is_empty() && !(everything && creatable) {
            continue;
        }
        let add = (everything && creatable).then(|| {
            let mut href = format!("/staff/plans/{plan_id}/new?kind={}", kind.code());
            if let Some(p) = parent {
                href.push_str("&parent=");
                href.push_str(&p.id);
            }
            href
        });
        out.push(Ev::Open(Group {
            label: kind.label(),
            add,
        }));
        let n = children.len();
        for (i, element) in children.into_iter().enumerate() {
            out.push(Ev::Item(Item {
                id: element.id.clone(),
                number: element.number.clone(),
                title: element.title.clone(),
                department: element.department.clone().unwrap_or_default(),
                values: key_values(draft, element),
                sample: draft
                    .values(&element.id)
                    .get("sample")
                    .is_some_and(|v| v == keikaku_app::forms::FLAG_YES),
                move_name: if element.number.trim().is_empty() {
                    element.name()
                } else {
                    format!("{}{}", element.kind.label(), element.number.trim())
                },
                href: element_href(plan_id, &element.id),
                may_move: everything && n > 1,
                start: if everything {
                    start_from(draft, element)
                } else {
                    None
                },
                first: i == 0,
                last: i + 1 == n,
            }));
            walk(draft, user, Some(element), editable, out);
            out.push(Ev::EndItem);
        }
        out.push(Ev::Close);
    }
}

/// `GET /staff/plans/{plan}`: the working copy of a plan, as an outline with edit links.
pub(super) async fn draft_page(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(q): Query<DoneQuery>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let status = draft.plan.header().status;
    let editable = edit::editable_status(status);
    let mut events = Vec::new();
    walk(&draft, &signed.user, None, editable, &mut events);
    let site = state.catalog.site().await?;
    let title = draft.plan.header().title.clone();
    let page = DraftPage {
        layout: staff_layout(&state, &format!("{title}（作業中の内容）"), &[]).await?,
        public_href: site
            .plan(&plan_id)
            .map(|_| crate::views::plan_href(&plan_id)),
        plan_id: plan_id.to_string(),
        title,
        status: status.label(),
        editable,
        everything: edit::edits_everything(&signed.user),
        notice: done_notice(q.done.as_deref()),
        csrf: signed.csrf,
        events,
        latest_version: keikaku_app::history::all_versions(
            &state.catalog.context(),
            &granted,
            &plan_id,
        )
        .await?
        .last()
        .map(|v| v.number),
        tables: super::table::kinds_present(&draft)
            .into_iter()
            .map(|(k, n)| (k.code(), super::table::table_label(k), n))
            .collect(),
        imports: editable
            && keikaku_app::access::scope_of(&signed.user, keikaku_app::access::Action::EditPlan)
                .is_some(),
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}
