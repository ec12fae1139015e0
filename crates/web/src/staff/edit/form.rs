//! The form of one element (`GET /staff/plans/{plan}/elements/{id}`; read only without the
//! right to edit it or when the plan is not a draft), of a new one (`/new?kind=&parent=`) and
//! of the plan's own texts (`/header`); and the same form again for a refused save, with each
//! problem next to its field, or with the stored text next to the user's after a conflict.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::edit::{self, Draft, Element, Submission};
use keikaku_app::forms::{self, FieldSpec, Input};
use keikaku_domain::ElementKind;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::edit::{DoneQuery, done_notice, element_href, load_draft};
use crate::staff::extract::StaffUser;
use crate::staff::{private_page, staff_layout};
use crate::views::Layout;
use keikaku_app::auth::Signed;

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
    /// Something that looks wrong in the stored value, though it was saved.
    warning: Option<String>,
    readonly: bool,
    /// In a conflict: the text stored now (shown next to the user's).
    current: Option<String>,
    /// In a conflict: whether the stored text differs from what the user submitted.
    differs: bool,
}

impl FieldView {
    /// The value as a person reads it: a choice by its label (「安定した雇用を創出する」, not
    /// `goal-3`), other fields as they are.
    fn shown(&self) -> &str {
        self.options
            .iter()
            .find(|(code, _)| *code == self.value)
            .map_or(self.value.as_str(), |(_, label)| label.as_str())
    }
}

struct LinkView {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "staff/element.html")]
pub(crate) struct ElementPage {
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
    /// What looks wrong in the element as stored: the field's anchor and the message.
    warnings: Vec<(String, String)>,
    notice: Option<&'static str>,
    conflict: Option<String>,
    readonly_reason: Option<String>,
    delete_action: Option<String>,
    back_href: String,
    element_id: String,
    /// The names the 所管課 field offers (the department list, then names in use).
    department_names: Vec<String>,
    /// The themes the element is under, with the form that chooses them.
    themes: Option<crate::staff::themes::ElementThemes>,
}

fn hint(spec: &FieldSpec) -> &'static str {
    if !spec.hint.is_empty() {
        return spec.hint;
    }
    match spec.input {
        Input::Year => "例: 2025、令和7年度、R7",
        Input::Decimal => "例: 1234.5（全角数字・桁区切りも可）",
        Input::Count => "0以上の整数（例: 2）",
        _ => "",
    }
}

fn field_views(
    specs: &[FieldSpec],
    values: &BTreeMap<String, String>,
    draft: &Draft,
    everything: bool,
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
                // The options name the two states, for the read-only view and a conflict.
                Input::Flag => (
                    "checkbox",
                    vec![
                        (forms::FLAG_YES.to_owned(), "はい".to_owned()),
                        (String::new(), "いいえ".to_owned()),
                    ],
                ),
                Input::Text | Input::YearValues | Input::YearNotes => ("text", Vec::new()),
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
                warning: None,
                readonly: !everything && s.decided_by_planning_office(),
                current: None,
                differs: false,
            }
        })
        .collect()
}

fn link_views(
    draft: &Draft,
    kind: ElementKind,
    parent: Option<&str>,
    chosen: &[String],
) -> Vec<LinkView> {
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
pub(crate) enum Target<'a> {
    Element(&'a Element),
    New {
        kind: ElementKind,
        parent: Option<&'a str>,
    },
    Header,
}

/// Problems, a conflict, or nothing, for re-rendering a submitted form.
pub(crate) struct Outcome {
    pub(crate) problems: Vec<(String, String)>,
    pub(crate) conflict: Option<String>,
}

#[allow(clippy::too_many_lines)] // one page model, field by field
pub(crate) async fn element_page_for(
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
        Target::Element(element) => (
            Some(element.kind),
            forms::fields(element.kind),
            draft.values(&element.id),
            draft.version(&element.id),
            edit::may_edit(&signed.user, element),
            format!(
                "{}「{}」",
                element.kind.label(),
                if element.title.is_empty() {
                    &element.id
                } else {
                    &element.title
                }
            ),
            element.id.clone(),
            element.parent_id.clone(),
        ),
        Target::New { kind, parent } => (
            Some(*kind),
            forms::fields(*kind),
            BTreeMap::new(),
            0,
            everything,
            format!("{}を追加", kind.label()),
            String::new(),
            parent.map(str::to_owned),
        ),
        Target::Header => (
            None,
            forms::header_fields(draft.plan.kind()),
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
    let mut values = submitted
        .as_ref()
        .map_or_else(|| stored.clone(), |(s, _)| s.values.clone());
    // What a department editor cannot change shows what is stored, whatever was sent back:
    // a form refused for a changed 所管課 is then saved as it stands once corrected.
    for s in specs
        .iter()
        .filter(|s| !everything && s.decided_by_planning_office())
    {
        match stored.get(s.name) {
            Some(v) => values.insert(s.name.to_owned(), v.clone()),
            None => values.remove(s.name),
        };
    }
    // A form sent back for its problems keeps the version it started from (only a conflict
    // page moves it to the current one, next to the current text): otherwise a change saved
    // meanwhile by someone else would be overwritten by the corrected form.
    let version = match &submitted {
        Some((s, outcome)) if outcome.conflict.is_none() => s.version,
        _ => version,
    };
    let submitted_none = submitted.is_none();
    let mut fields = field_views(&specs, &values, draft, everything);
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
                    // The summary names the field, unless the message does already.
                    let line = if message.contains(f.label) {
                        message
                    } else {
                        format!("{}: {message}", f.label)
                    };
                    errors.push((format!("field-{name}"), line));
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
    // Warnings are about what is stored, so they show on every view of the element (after a
    // save first of all), never on a form sent back with the user's unsaved text.
    let mut warnings = Vec::new();
    if submitted_none && !element_id.is_empty() {
        for w in draft.warnings(&element_id) {
            let name = w.field.name();
            if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
                f.warning = Some(w.message.clone());
            }
            warnings.push((format!("field-{name}"), w.message));
        }
    }
    let show_links = kind.is_some_and(|k| !k.links().is_empty());
    let action = may_submit.then(|| match &target {
        Target::Element(element) => element_href(&plan_id, &element.id),
        Target::New { .. } => format!("/staff/plans/{plan_id}/elements"),
        Target::Header => format!("/staff/plans/{plan_id}/header"),
    });
    let delete_action = match &target {
        Target::Element(element)
            if may_submit && everything && element.kind != ElementKind::BasicPlan =>
        {
            Some(format!("{}/delete", element_href(&plan_id, &element.id)))
        }
        _ => None,
    };
    let back_href = if element_id.is_empty() {
        format!("/staff/plans/{plan_id}")
    } else {
        format!("/staff/plans/{plan_id}#{element_id}")
    };
    // The list's names as choices, where the 所管課 can be typed (a department editor's is
    // read-only: no choices to offer).
    let department_names = if fields.iter().any(|f| f.name == "department" && !f.readonly) {
        crate::staff::departments::offered_names(state).await?
    } else {
        Vec::new()
    };
    let themes = if matches!(target, Target::Element(_)) && !element_id.is_empty() {
        crate::staff::themes::element_box(state, &signed.user, &plan_id, &element_id).await?
    } else {
        None
    };
    Ok(ElementPage {
        themes,
        department_names,
        layout: staff_layout(state, &heading, &[]).await?,
        heading,
        plan_title,
        kind_label: kind.map_or("計画の基本事項", ElementKind::label),
        action,
        csrf: signed.csrf.clone(),
        version,
        new_kind: match &target {
            Target::New { kind, .. } => Some(kind.code().to_owned()),
            _ => None,
        },
        new_parent: if matches!(target, Target::New { .. }) {
            parent.clone()
        } else {
            None
        },
        links: match kind {
            Some(kind) if show_links => link_views(draft, kind, parent.as_deref(), &chosen),
            _ => Vec::new(),
        },
        show_links,
        links_readonly: !(everything && may_submit),
        fields,
        errors,
        warnings,
        notice,
        conflict,
        readonly_reason: if may_submit { None } else { readonly_reason },
        delete_action,
        back_href,
        element_id,
        plan_id: plan_id.to_string(),
    })
}

/// to edit it, or when the plan is not a draft).
pub(super) async fn element_page(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    Query(q): Query<DoneQuery>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let element = draft
        .element(&id)
        .ok_or_else(|| WebError::NotFound(Some(format!("要素「{id}」はこの計画にありません。"))))?;
    let page = element_page_for(
        &state,
        &signed,
        &draft,
        Target::Element(element),
        None,
        done_notice(q.done.as_deref()),
    )
    .await?;
    Ok(private_page(StatusCode::OK, page.render()?))
}

#[derive(Deserialize)]
pub struct NewQuery {
    kind: String,
    parent: Option<String>,
}

/// `GET /staff/plans/{plan}/new?kind=…&parent=…`: the form for a new element.
pub(super) async fn element_new(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(q): Query<NewQuery>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let draft = load_draft(&state, &plan_id).await?;
    let parent_kind = match q.parent.as_deref() {
        None | Some("") => None,
        Some(p) => Some(
            draft
                .element(p)
                .ok_or_else(|| {
                    WebError::NotFound(Some(format!("要素「{p}」はこの計画にありません。")))
                })?
                .kind,
        ),
    };
    let asked = ElementKind::from_code(&q.kind);
    let Some(kind) =
        asked.filter(|k| ElementKind::addable_under(draft.plan.kind(), parent_kind).contains(k))
    else {
        return Err(WebError::BadRequest(format!(
            "ここには「{}」を追加できません。",
            asked.map_or("要素", ElementKind::label)
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
    Ok(private_page(StatusCode::OK, page.render()?))
}

/// `GET /staff/plans/{plan}/header`: the plan's own texts.
pub(super) async fn header_page(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    Query(q): Query<DoneQuery>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
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
    Ok(private_page(StatusCode::OK, page.render()?))
}
