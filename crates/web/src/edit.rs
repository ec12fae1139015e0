//! Editing plans in the browser: the working copy of a plan as an outline
//! (`/staff/plans/{plan}`), one form per element, adding, deleting and reordering, and the
//! plan's own texts. No JavaScript: every action is a form with the session's CSRF token.
//!
//! A form carries the version it was opened at. When someone else saved first, the answer is
//! `409` with the same form showing the user's text (kept in the fields) next to the current
//! text, and the current version, so the user can merge and save again — nothing typed is
//! lost. Validation problems answer `422` with each message next to its field.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted};
use keikaku_app::edit::{self, Draft, ElementRow, FieldSpec, Input, Submission};
use keikaku_domain::PlanId;
use keikaku_domain::account::User;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::pages::{PagePath, plan_id};
use crate::staff::{
    forbidden, now, private_response, redirect, require_csrf, signed_in, staff_layout,
};
use crate::views::Layout;
use keikaku_app::auth::Signed;

// ---------------------------------------------------------------- outline

/// One group of children (e.g. the measures of a field).
struct Group {
    label: &'static str,
    add: Option<String>,
}

/// One element in the outline.
struct Item {
    id: String,
    kind: &'static str,
    number: String,
    title: String,
    department: String,
    href: String,
    may_edit: bool,
    may_move: bool,
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
}

/// The kinds shown under a parent kind (`None`: top level), in display order.
fn shown_kinds(plan: &keikaku_domain::Plan, parent_kind: Option<&str>) -> Vec<&'static str> {
    use keikaku_app::edit::kind;
    let mut kinds: Vec<&'static str> = edit::child_kinds(plan, parent_kind).to_vec();
    if parent_kind.is_none() && matches!(plan, keikaku_domain::Plan::Comprehensive(_)) {
        kinds.push(kind::BASIC_PLAN);
    }
    kinds
}

fn element_href(plan: &PlanId, id: &str) -> String {
    format!("/staff/plans/{plan}/elements/{id}")
}

fn walk(
    draft: &Draft,
    user: &User,
    parent: Option<&ElementRow>,
    editable: bool,
    out: &mut Vec<Ev>,
) {
    let plan_id = draft.plan.id();
    let everything = edit::edits_everything(user) && editable;
    for kind in shown_kinds(&draft.plan, parent.map(|p| p.kind.as_str())) {
        let mut children: Vec<&ElementRow> = draft
            .rows
            .elements
            .iter()
            .filter(|e| e.kind == kind && e.parent_id.as_deref() == parent.map(|p| p.id.as_str()))
            .collect();
        children.sort_by_key(|e| e.position);
        let creatable =
            edit::child_kinds(&draft.plan, parent.map(|p| p.kind.as_str())).contains(&kind);
        if children.is_empty() && !(everything && creatable) {
            continue;
        }
        let add = (everything && creatable).then(|| {
            let mut href = format!("/staff/plans/{plan_id}/new?kind={kind}");
            if let Some(p) = parent {
                href.push_str("&parent=");
                href.push_str(&p.id);
            }
            href
        });
        out.push(Ev::Open(Group {
            label: edit::kind_label(kind),
            add,
        }));
        let n = children.len();
        for (i, row) in children.into_iter().enumerate() {
            out.push(Ev::Item(Item {
                id: row.id.clone(),
                kind: edit::kind_label(&row.kind),
                number: row.number.clone(),
                title: row.title.clone(),
                department: row.department.clone().unwrap_or_default(),
                href: element_href(plan_id, &row.id),
                may_edit: editable && edit::may_edit(user, row),
                may_move: everything && n > 1,
                first: i == 0,
                last: i + 1 == n,
            }));
            walk(draft, user, Some(row), editable, out);
            out.push(Ev::EndItem);
        }
        out.push(Ev::Close);
    }
}

#[derive(Deserialize)]
pub struct DraftQuery {
    done: Option<String>,
}

fn done_notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "saved" => Some("保存しました。"),
        "created" => Some("追加しました。"),
        "deleted" => Some("削除しました。"),
        "moved" => Some("並べ替えました。"),
        _ => None,
    }
}

async fn load_draft(state: &AppState, plan: &PlanId) -> Result<Draft, WebError> {
    Ok(edit::draft(
        state.catalog.store(),
        state.catalog.municipality_code(),
        plan,
    )
    .await?)
}

async fn signed(state: &AppState, headers: &HeaderMap) -> Result<Signed, WebError> {
    signed_in(state, headers).await?.ok_or(WebError::Forbidden)
}

/// `GET /staff/plans/{plan}`: the working copy of a plan, as an outline with edit links.
pub async fn draft_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(plan): PagePath<String>,
    Query(q): Query<DraftQuery>,
) -> Result<Response, WebError> {
    let signed = signed(&state, &headers).await?;
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let status = draft.plan.header().status;
    let editable = edit::editable_status(status);
    let mut events = Vec::new();
    walk(&draft, &signed.user, None, editable, &mut events);
    let site = state.catalog.site().await?;
    let title = draft.plan.header().title.clone();
    let page = DraftPage {
        layout: staff_layout(&state, &format!("{title}（作業中の内容）")).await?,
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
            &Granted::check(signed.user.clone(), Action::ReadDrafts)?,
            state.catalog.store(),
            state.catalog.municipality_code(),
            &plan_id,
        )
        .await?
        .last()
        .map(|v| v.number),
    };
    Ok(private_response(StatusCode::OK, page.render()?))
}

// ---------------------------------------------------------------- element form

/// One field of the form, ready to render.
struct FieldView {
    name: &'static str,
    label: &'static str,
    /// `line`, `text` or `select`.
    control: &'static str,
    value: String,
    options: Vec<(String, String)>,
    required: bool,
    hint: &'static str,
    error: Option<String>,
    readonly: bool,
    /// In a conflict: the text stored now (shown next to the user's).
    current: Option<String>,
    /// In a conflict: whether the stored text differs from what the user submitted.
    differs: bool,
}

struct LinkView {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "staff/element.html")]
struct ElementPage {
    layout: Layout,
    heading: String,
    plan_id: String,
    plan_title: String,
    kind_label: &'static str,
    /// Where the form posts; `None`: read only.
    action: Option<String>,
    csrf: String,
    version: u32,
    new_kind: Option<String>,
    new_parent: Option<String>,
    fields: Vec<FieldView>,
    links: Vec<LinkView>,
    show_links: bool,
    links_readonly: bool,
    errors: Vec<(String, String)>,
    notice: Option<&'static str>,
    conflict: Option<String>,
    readonly_reason: Option<String>,
    delete_action: Option<String>,
    back_href: String,
    element_id: String,
}

fn hint(spec: &FieldSpec) -> &'static str {
    match spec.input {
        Input::Year => "例: 2025、令和7年度、R7",
        Input::Decimal => "例: 1234.5（全角数字・桁区切りも可）",
        _ => "",
    }
}

fn field_views(
    specs: &[FieldSpec],
    values: &BTreeMap<String, String>,
    draft: &Draft,
    locked: &[&str],
) -> Vec<FieldView> {
    specs
        .iter()
        .map(|s| {
            let (control, options) = match s.input {
                Input::Choice(choices) => (
                    "select",
                    choices
                        .iter()
                        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                        .collect(),
                ),
                Input::Goal => ("select", draft.goals()),
                Input::Text => ("text", Vec::new()),
                _ => ("line", Vec::new()),
            };
            FieldView {
                name: s.name,
                label: s.label,
                control,
                value: values.get(s.name).cloned().unwrap_or_default(),
                options,
                required: s.required,
                hint: hint(s),
                error: None,
                readonly: locked.contains(&s.name),
                current: None,
                differs: false,
            }
        })
        .collect()
}

fn link_views(draft: &Draft, kind: &str, parent: Option<&str>, chosen: &[String]) -> Vec<LinkView> {
    draft
        .link_choices(kind, parent)
        .into_iter()
        .map(|(value, label)| LinkView {
            checked: chosen.contains(&value),
            value,
            label,
        })
        .collect()
}

/// What the page is about: an existing element, a new one, or the plan's own texts.
enum Target<'a> {
    Element(&'a ElementRow),
    New {
        kind: &'a str,
        parent: Option<&'a str>,
    },
    Header,
}

/// Problems, a conflict, or nothing, for re-rendering a submitted form.
struct Outcome {
    problems: Vec<(String, String)>,
    conflict: Option<String>,
}

#[allow(clippy::too_many_lines)] // one page model, field by field
async fn element_page_for(
    state: &AppState,
    signed: &Signed,
    draft: &Draft,
    target: Target<'_>,
    submitted: Option<(&Submission, Outcome)>,
    notice: Option<&'static str>,
) -> Result<ElementPage, WebError> {
    let plan_id = draft.plan.id().clone();
    let plan_title = draft.plan.header().title.clone();
    let status = draft.plan.header().status;
    let editable_status = edit::editable_status(status);
    let everything = edit::edits_everything(&signed.user);
    let (kind, specs, stored, version, may, heading, element_id, parent) = match &target {
        Target::Element(row) => (
            row.kind.clone(),
            edit::fields(&row.kind),
            draft.values(row),
            draft.version(&row.id),
            edit::may_edit(&signed.user, row),
            format!(
                "{}「{}」",
                edit::kind_label(&row.kind),
                if row.title.is_empty() {
                    &row.id
                } else {
                    &row.title
                }
            ),
            row.id.clone(),
            row.parent_id.clone(),
        ),
        Target::New { kind, parent } => (
            (*kind).to_owned(),
            edit::fields(kind),
            BTreeMap::new(),
            0,
            everything,
            format!("{}を追加", edit::kind_label(kind)),
            String::new(),
            parent.map(str::to_owned),
        ),
        Target::Header => (
            edit::PLAN_HEADER.to_owned(),
            edit::header_fields(&draft.plan),
            draft.header_values(),
            draft.versions.revision,
            everything,
            format!("計画「{plan_title}」の基本事項"),
            String::new(),
            None,
        ),
    };
    let may_submit = may && editable_status;
    let readonly_reason = if !editable_status {
        Some(format!(
            "この計画は「{}」のため編集できません。編集するには、職員用ページで計画の状態を「審議中」または「草案」に戻してください（市民向けのページには、次に公開するまで今の公開版が表示されます）。",
            status.label()
        ))
    } else if !may {
        Some("この要素を編集する権限がありません（所管課の職員は、自分の課が所管する分野・施策・指標を編集できます）。".to_owned())
    } else {
        None
    };
    let locked: &[&str] = if everything {
        &[]
    } else {
        edit::LOCKED_FOR_DEPARTMENTS
    };
    let values = submitted
        .as_ref()
        .map_or_else(|| stored.clone(), |(s, _)| s.values.clone());
    // A form sent back for its problems keeps the version it started from (only a conflict
    // page moves it to the current one, next to the current text): otherwise a change saved
    // meanwhile by someone else would be overwritten by the corrected form.
    let version = match &submitted {
        Some((s, outcome)) if outcome.conflict.is_none() => s.version,
        _ => version,
    };
    let mut fields = field_views(specs, &values, draft, locked);
    let mut errors = Vec::new();
    let mut conflict = None;
    let stored_links = if element_id.is_empty() {
        Vec::new()
    } else {
        draft.links(&element_id)
    };
    let chosen = submitted
        .as_ref()
        .and_then(|(s, _)| s.links.clone())
        .unwrap_or_else(|| stored_links.clone());
    if let Some((_, outcome)) = submitted {
        for (name, message) in outcome.problems {
            match fields.iter_mut().find(|f| f.name == name) {
                Some(f) => {
                    f.error = Some(message.clone());
                    errors.push((format!("field-{name}"), format!("{}: {message}", f.label)));
                }
                None => errors.push((String::new(), message)),
            }
        }
        if let Some(message) = outcome.conflict {
            for f in &mut fields {
                let now = stored.get(f.name).cloned().unwrap_or_default();
                f.differs = now != f.value.replace("\r\n", "\n");
                // A choice is shown by its label, as in the list.
                let shown = f
                    .options
                    .iter()
                    .find(|(code, _)| *code == now)
                    .map_or(now, |(_, label)| label.clone());
                f.current = Some(shown);
            }
            conflict = Some(message);
        }
    }
    let show_links = !edit::link_kinds(&kind).is_empty();
    let action = may_submit.then(|| match &target {
        Target::Element(row) => element_href(&plan_id, &row.id),
        Target::New { .. } => format!("/staff/plans/{plan_id}/elements"),
        Target::Header => format!("/staff/plans/{plan_id}/header"),
    });
    let delete_action = match &target {
        Target::Element(row) if may_submit && everything && row.kind != edit::kind::BASIC_PLAN => {
            Some(format!("{}/delete", element_href(&plan_id, &row.id)))
        }
        _ => None,
    };
    let back_href = if element_id.is_empty() {
        format!("/staff/plans/{plan_id}")
    } else {
        format!("/staff/plans/{plan_id}#{element_id}")
    };
    Ok(ElementPage {
        layout: staff_layout(state, &heading).await?,
        heading,
        plan_title,
        kind_label: edit::kind_label(&kind),
        action,
        csrf: signed.csrf.clone(),
        version,
        new_kind: matches!(target, Target::New { .. }).then(|| kind.clone()),
        new_parent: if matches!(target, Target::New { .. }) {
            parent.clone()
        } else {
            None
        },
        links: if show_links {
            link_views(draft, &kind, parent.as_deref(), &chosen)
        } else {
            Vec::new()
        },
        show_links,
        links_readonly: !(everything && may_submit),
        fields,
        errors,
        notice,
        conflict,
        readonly_reason: if may_submit { None } else { readonly_reason },
        delete_action,
        back_href,
        element_id,
        plan_id: plan_id.to_string(),
    })
}

#[derive(Deserialize)]
pub struct ElementQuery {
    done: Option<String>,
}

/// `GET /staff/plans/{plan}/elements/{id}`: the element's form (read only without the right
/// to edit it, or when the plan is not a draft).
pub async fn element_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath((plan, id)): PagePath<(String, String)>,
    Query(q): Query<ElementQuery>,
) -> Result<Response, WebError> {
    let signed = signed(&state, &headers).await?;
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let row = draft
        .row(&id)
        .ok_or_else(|| WebError::NotFound(Some(format!("要素「{id}」はこの計画にありません。"))))?;
    let page = element_page_for(
        &state,
        &signed,
        &draft,
        Target::Element(row),
        None,
        done_notice(q.done.as_deref()),
    )
    .await?;
    Ok(private_response(StatusCode::OK, page.render()?))
}

/// A submitted form: the CSRF token, the version, the fields and the chosen links.
struct Posted {
    csrf: Option<String>,
    kind: Option<String>,
    parent: Option<String>,
    submission: Submission,
    version_text: Option<String>,
}

impl Posted {
    /// The submission with the version the form carried; refused when it carries none.
    fn versioned(&mut self) -> Result<&Submission, AppError> {
        self.submission.version = edit::parse_version(self.version_text.as_deref().unwrap_or(""))?;
        Ok(&self.submission)
    }
}

fn posted(pairs: Vec<(String, String)>) -> Posted {
    let mut p = Posted {
        csrf: None,
        kind: None,
        parent: None,
        submission: Submission::default(),
        version_text: None,
    };
    let mut links = Vec::new();
    let mut links_present = false;
    for (name, value) in pairs {
        match name.as_str() {
            "csrf" => p.csrf = Some(value),
            "version" => p.version_text = Some(value),
            "kind" => p.kind = Some(value),
            "parent" => p.parent = (!value.is_empty()).then_some(value),
            "links_present" => links_present = true,
            "link" => links.push(value),
            _ => {
                p.submission.values.insert(name, value);
            }
        }
    }
    if links_present {
        p.submission.links = Some(links);
    }
    p
}

/// Reads a posted form and checks its CSRF token; `Err(response)` answers at once.
async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Result<(Signed, Posted, Granted), Response>, WebError> {
    let Some(signed) = signed_in(state, headers).await? else {
        return Ok(Err(redirect("/login")?));
    };
    let Ok(Form(pairs)) = form else {
        return Err(WebError::BadRequest(
            "フォームの内容を読み取れません。".to_owned(),
        ));
    };
    let posted = posted(pairs);
    if require_csrf(Some(&signed.csrf), posted.csrf.as_deref()).is_err() {
        return Ok(Err(forbidden(state).await?));
    }
    let granted = Granted::check(signed.user.clone(), Action::EditPlan)?;
    Ok(Ok((signed, posted, granted)))
}

/// The user's text of a save whose element was deleted meanwhile.
#[derive(Template)]
#[template(path = "staff/kept.html")]
struct KeptPage {
    layout: Layout,
    message: String,
    values: Vec<(String, String)>,
    back: String,
}

/// Turns a refused save into the form again: 422 with the problems, or 409 with the user's
/// text next to the current text. Other errors propagate.
async fn refused(
    state: &AppState,
    signed: &Signed,
    plan_id: &PlanId,
    target_id: Option<&str>,
    new: Option<(&str, Option<&str>)>,
    submission: &Submission,
    error: AppError,
) -> Result<Response, WebError> {
    let (status, outcome) = match error {
        AppError::Invalid(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Outcome {
                problems: problems.into_iter().map(|p| (p.path, p.message)).collect(),
                conflict: None,
            },
        ),
        AppError::Conflict(message) => (
            StatusCode::CONFLICT,
            Outcome {
                problems: Vec::new(),
                conflict: Some(message),
            },
        ),
        // The element is gone (deleted meanwhile): the kept-text page below.
        AppError::NotFound(_) if target_id.is_some_and(|id| id != edit::PLAN_HEADER) => (
            StatusCode::CONFLICT,
            Outcome {
                problems: Vec::new(),
                conflict: None,
            },
        ),
        other => return Err(other.into()),
    };
    // Read the current state again: a conflict shows what is stored now.
    let draft = load_draft(state, plan_id).await?;
    let target = match (target_id, new) {
        (Some(edit::PLAN_HEADER), _) => Target::Header,
        (Some(id), _) => match draft.row(id) {
            Some(row) => Target::Element(row),
            None => {
                // Deleted meanwhile: nothing to save into, but the user's text is shown so
                // that it can be copied elsewhere.
                let page = KeptPage {
                    layout: staff_layout(state, "保存できませんでした").await?,
                    message: format!(
                        "要素「{id}」は、あなたが編集している間にほかの人が削除しました。あなたの入力は保存されていません。"
                    ),
                    values: submission
                        .values
                        .iter()
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(n, v)| (edit::label_of(n).to_owned(), v.clone()))
                        .collect(),
                    back: format!("/staff/plans/{plan_id}"),
                };
                return Ok(private_response(StatusCode::CONFLICT, page.render()?));
            }
        },
        (None, Some((kind, parent))) => Target::New { kind, parent },
        (None, None) => Target::Header,
    };
    let page = element_page_for(
        state,
        signed,
        &draft,
        target,
        Some((submission, outcome)),
        None,
    )
    .await?;
    Ok(private_response(status, page.render()?))
}

/// `POST /staff/plans/{plan}/elements/{id}`: saves an element.
pub async fn element_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath((plan, id)): PagePath<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let (signed, mut posted, granted) = match accept(&state, &headers, form).await? {
        Ok(x) => x,
        Err(response) => return Ok(response),
    };
    let plan_id = plan_id(&plan)?;
    let result = match posted.versioned() {
        Ok(submission) => {
            edit::update_element(
                &granted,
                state.catalog.store(),
                state.catalog.municipality_code(),
                &plan_id,
                &id,
                submission,
                now()?,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, element = %id, "element saved");
            redirect(&format!("{}?done=saved", element_href(&plan_id, &id)))
        }
        Err(e) => {
            refused(
                &state,
                &signed,
                &plan_id,
                Some(&id),
                None,
                &posted.submission,
                e,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    kind: String,
    parent: Option<String>,
}

/// `GET /staff/plans/{plan}/new?kind=…&parent=…`: the form for a new element.
pub async fn element_new(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(plan): PagePath<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let signed = signed(&state, &headers).await?;
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let parent_kind = match q.parent.as_deref() {
        None | Some("") => None,
        Some(p) => Some(
            draft
                .row(p)
                .ok_or_else(|| {
                    WebError::NotFound(Some(format!("要素「{p}」はこの計画にありません。")))
                })?
                .kind
                .as_str(),
        ),
    };
    let Some(kind) = edit::child_kinds(&draft.plan, parent_kind)
        .iter()
        .find(|k| **k == q.kind)
    else {
        return Err(WebError::BadRequest(format!(
            "ここには「{}」を追加できません。",
            edit::kind_label(&q.kind)
        )));
    };
    let page = element_page_for(
        &state,
        &signed,
        &draft,
        Target::New {
            kind,
            parent: q.parent.as_deref().filter(|p| !p.is_empty()),
        },
        None,
        None,
    )
    .await?;
    Ok(private_response(StatusCode::OK, page.render()?))
}

/// `POST /staff/plans/{plan}/elements`: adds an element.
pub async fn element_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(plan): PagePath<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let (signed, posted, granted) = match accept(&state, &headers, form).await? {
        Ok(x) => x,
        Err(response) => return Ok(response),
    };
    let plan_id = plan_id(&plan)?;
    let kind = posted.kind.clone().unwrap_or_default();
    let result = edit::create_element(
        &granted,
        state.catalog.store(),
        state.catalog.municipality_code(),
        &plan_id,
        edit::Placement {
            kind: &kind,
            parent: posted.parent.as_deref(),
        },
        &posted.submission,
        now()?,
    )
    .await;
    match result {
        Ok(id) => {
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, element = %id, "element created");
            redirect(&format!("{}?done=created", element_href(&plan_id, &id)))
        }
        Err(AppError::Invalid(p)) if p.iter().any(|p| p.path == "kind") => {
            Err(WebError::BadRequest(
                p.into_iter()
                    .map(|p| p.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ))
        }
        Err(e) => {
            refused(
                &state,
                &signed,
                &plan_id,
                None,
                Some((&kind, posted.parent.as_deref())),
                &posted.submission,
                e,
            )
            .await
        }
    }
}

/// `POST /staff/plans/{plan}/elements/{id}/delete`.
pub async fn element_delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath((plan, id)): PagePath<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let (signed, posted, granted) = match accept(&state, &headers, form).await? {
        Ok(x) => x,
        Err(response) => return Ok(response),
    };
    let plan_id = plan_id(&plan)?;
    let version = edit::parse_version(posted.version_text.as_deref().unwrap_or(""))
        .map_err(|_| WebError::BadRequest("版の番号がありません。".to_owned()))?;
    let result = edit::delete_element(
        &granted,
        state.catalog.store(),
        state.catalog.municipality_code(),
        &plan_id,
        &id,
        version,
        now()?,
    )
    .await;
    match result {
        Ok(()) => {
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, element = %id, "element deleted");
            redirect(&format!("/staff/plans/{plan_id}?done=deleted"))
        }
        Err(AppError::Conflict(m)) => Err(WebError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}

/// `POST /staff/plans/{plan}/elements/{id}/move` with `direction=up|down`.
pub async fn element_move(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath((plan, id)): PagePath<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let (_, posted, granted) = match accept(&state, &headers, form).await? {
        Ok(x) => x,
        Err(response) => return Ok(response),
    };
    let plan_id = plan_id(&plan)?;
    let up = match posted
        .submission
        .values
        .get("direction")
        .map(String::as_str)
    {
        Some("up") => true,
        Some("down") => false,
        _ => {
            return Err(WebError::BadRequest(
                "移動の向き（up または down）がありません。".to_owned(),
            ));
        }
    };
    let result = edit::move_element(
        &granted,
        state.catalog.store(),
        state.catalog.municipality_code(),
        &plan_id,
        &id,
        up,
        now()?,
    )
    .await;
    match result {
        Ok(()) => redirect(&format!("/staff/plans/{plan_id}?done=moved#{id}")),
        Err(AppError::Conflict(m)) => Err(WebError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}

/// `GET /staff/plans/{plan}/header`: the plan's own texts.
pub async fn header_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(plan): PagePath<String>,
    Query(q): Query<ElementQuery>,
) -> Result<Response, WebError> {
    let signed = signed(&state, &headers).await?;
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let page = element_page_for(
        &state,
        &signed,
        &draft,
        Target::Header,
        None,
        done_notice(q.done.as_deref()),
    )
    .await?;
    Ok(private_response(StatusCode::OK, page.render()?))
}

/// `POST /staff/plans/{plan}/header`.
pub async fn header_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(plan): PagePath<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let (signed, mut posted, granted) = match accept(&state, &headers, form).await? {
        Ok(x) => x,
        Err(response) => return Ok(response),
    };
    let plan_id = plan_id(&plan)?;
    let result = match posted.versioned() {
        Ok(submission) => {
            edit::update_header(
                &granted,
                state.catalog.store(),
                state.catalog.municipality_code(),
                &plan_id,
                submission,
                now()?,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect(&format!("/staff/plans/{plan_id}/header?done=saved")),
        Err(e) => {
            refused(
                &state,
                &signed,
                &plan_id,
                Some(edit::PLAN_HEADER),
                None,
                &posted.submission,
                e,
            )
            .await
        }
    }
}
