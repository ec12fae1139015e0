//! The POSTs of the editing forms: save an element or the plan's own texts, add, delete and
//! move an element. A refused save shows its form again (`form::element_page_for`): `422`
//! with the problems, `409` with the user's text next to the stored one.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::auth::Signed;
use keikaku_app::edit::{self, Step, Submission};
use keikaku_app::forms;
use keikaku_domain::ElementKind;
use keikaku_domain::PlanId;
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::edit::form::{Outcome, Target, element_page_for};
use crate::staff::edit::{element_href, load_draft};
use crate::staff::extract::{StaffFields, StaffForm};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

/// A submitted form: the CSRF token, the version, the fields and the chosen links. Read from
/// the fields in order, so a name that repeats keeps its last value (the links collect).
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(super) struct Posted {
    csrf: Option<String>,
    kind: Option<String>,
    parent: Option<String>,
    pub(super) submission: Submission,
    version_text: Option<String>,
}

impl Posted {
    /// The submission with the version the form carried; refused when it carries none.
    pub(super) fn versioned(&mut self) -> Result<&Submission, AppError> {
        self.submission.version = edit::parse_version(self.version_text.as_deref().unwrap_or(""))?;
        Ok(&self.submission)
    }
}

impl From<Vec<(String, String)>> for Posted {
    fn from(pairs: Vec<(String, String)>) -> Self {
        posted(pairs)
    }
}

impl StaffFields for Posted {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
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

/// The user's text of a save whose element was deleted meanwhile.
#[derive(Template)]
#[template(path = "staff/kept.html")]
struct KeptPage {
    layout: Layout,
    message: String,
    values: Vec<(String, String)>,
    back: String,
}

/// What a refused save was saving: an element, a new element (its kind and parent), or the
/// plan's own texts.
#[derive(Clone, Copy)]
pub(super) enum Saving<'a> {
    Element(&'a str),
    New(ElementKind, Option<&'a str>),
    Header,
}

/// Turns a refused save into the form again: 422 with the problems, or 409 with the user's
/// text next to the current text. Other errors propagate.
pub(super) async fn refused(
    state: &AppState,
    signed: &Signed,
    plan_id: &PlanId,
    saving: Saving<'_>,
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
        AppError::NotFound(_) if matches!(saving, Saving::Element(_)) => (
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
    let target = match saving {
        Saving::Header => Target::Header,
        Saving::Element(id) => match draft.element(id) {
            Some(element) => Target::Element(element),
            None => {
                // Deleted meanwhile: nothing to save into, but the user's text is shown so
                // that it can be copied elsewhere.
                let page = KeptPage {
                    layout: staff_layout(state, "保存できませんでした", &[]).await?,
                    // Named by the title the user was editing, not by its id.
                    message: format!(
                        "{}は、あなたが編集している間にほかの人が削除しました。あなたの入力は保存されていません。",
                        submission
                            .values
                            .get("title")
                            .map(|t| t.trim())
                            .filter(|t| !t.is_empty())
                            .map_or_else(|| "この要素".to_owned(), |t| format!("要素「{t}」"))
                    ),
                    values: submission
                        .values
                        .iter()
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(n, v)| (forms::label_of(n).to_owned(), v.clone()))
                        .collect(),
                    back: format!("/staff/plans/{plan_id}"),
                };
                return Ok(private_page(StatusCode::CONFLICT, page.render()?));
            }
        },
        Saving::New(kind, parent) => Target::New { kind, parent },
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
    Ok(private_page(status, page.render()?))
}

/// `POST /staff/plans/{plan}/elements/{id}`: saves an element.
pub(super) async fn element_save(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form: mut posted,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let result = match posted.versioned() {
        Ok(submission) => {
            edit::update_element(
                &state.catalog.context(),
                &granted,
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
                Saving::Element(&id),
                &posted.submission,
                e,
            )
            .await
        }
    }
}

/// `POST /staff/plans/{plan}/elements`: adds an element.
pub(super) async fn element_create(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form: posted,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let asked = posted.kind.as_deref().unwrap_or_default();
    let Some(kind) = ElementKind::from_code(asked) else {
        return Err(WebError::BadRequest(
            "ここには「要素」を追加できません。".to_owned(),
        ));
    };
    let result = edit::create_element(
        &state.catalog.context(),
        &granted,
        &plan_id,
        edit::Placement {
            kind,
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
                Saving::New(kind, posted.parent.as_deref()),
                &posted.submission,
                e,
            )
            .await
        }
    }
}

/// `POST /staff/plans/{plan}/elements/{id}/delete`.
pub(super) async fn element_delete(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form: posted,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let version = edit::parse_version(posted.version_text.as_deref().unwrap_or(""))
        .map_err(|_| WebError::BadRequest("版の番号がありません。".to_owned()))?;
    // The button on the element's form asks first: the confirmation page names the element
    // and says whether it can be deleted, and only its own button deletes.
    if posted.submission.values.get("confirm").map(String::as_str) != Some("yes") {
        return delete_confirmation(&state, &signed, &plan_id, &id, version).await;
    }
    let result = edit::delete_element(
        &state.catalog.context(),
        &granted,
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
        // Children, references or a change made meanwhile: explained, with the way back.
        Err(AppError::Conflict(message)) => {
            refused_delete(
                &state,
                &plan_id,
                &id,
                "削除できませんでした",
                StatusCode::CONFLICT,
                message,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "staff/delete_confirm.html")]
struct DeleteConfirmPage {
    layout: Layout,
    heading: String,
    kind_label: &'static str,
    name: String,
    plan_title: String,
    /// Why it cannot be deleted now; no button then.
    refusal: Option<String>,
    action: String,
    element_href: String,
    outline_href: String,
    version: u32,
    csrf: String,
}

/// The confirmation of a deletion: the element, what deleting does, or why it cannot be done.
async fn delete_confirmation(
    state: &AppState,
    signed: &Signed,
    plan_id: &PlanId,
    id: &str,
    version: u32,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let (element, refusal) = edit::deletion_check(&cx, plan_id, id).await?;
    let draft = load_draft(state, plan_id).await?;
    let plan_title = draft.plan.header().title.clone();
    let heading = format!("{}を削除しますか", element.name());
    let name = format!("{} {}", element.number, element.title)
        .trim()
        .to_owned();
    let page = DeleteConfirmPage {
        layout: staff_layout(
            state,
            &heading,
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&plan_title, format!("/staff/plans/{plan_id}")),
            ],
        )
        .await?,
        heading,
        kind_label: element.kind.label(),
        name,
        plan_title,
        refusal,
        action: format!("{}/delete", element_href(plan_id, id)),
        element_href: element_href(plan_id, id),
        outline_href: format!("/staff/plans/{plan_id}"),
        version,
        csrf: signed.csrf.clone(),
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

/// A deletion not done, explained, with the way back to the element and the outline.
async fn refused_delete(
    state: &AppState,
    plan_id: &PlanId,
    id: &str,
    heading: &str,
    status: StatusCode,
    message: String,
) -> Result<Response, WebError> {
    let page = crate::staff::home::MessagePage {
        layout: staff_layout(state, heading, &[]).await?,
        heading: heading.to_owned(),
        message,
        back: vec![
            (element_href(plan_id, id), "要素の編集に戻る".to_owned()),
            (
                format!("/staff/plans/{plan_id}"),
                "計画の構成に戻る".to_owned(),
            ),
        ],
    };
    Ok(private_page(status, page.render()?))
}

/// `POST /staff/plans/{plan}/elements/{id}/move` with `direction=up|down`.
pub(super) async fn element_move(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    StaffForm {
        granted,
        form: posted,
        ..
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let step = match posted
        .submission
        .values
        .get("direction")
        .map(String::as_str)
    {
        Some("up") => Step::Up,
        Some("down") => Step::Down,
        _ => {
            return Err(WebError::BadRequest(
                "移動の向き（up または down）がありません。".to_owned(),
            ));
        }
    };
    let result = edit::move_element(
        &state.catalog.context(),
        &granted,
        &plan_id,
        &id,
        step,
        now()?,
    )
    .await;
    match result {
        Ok(()) => redirect(&format!("/staff/plans/{plan_id}?done=moved#{id}")),
        Err(AppError::Conflict(m)) => Err(WebError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}

/// `POST /staff/plans/{plan}/header`.
pub(super) async fn header_save(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form: mut posted,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let result = match posted.versioned() {
        Ok(submission) => {
            edit::update_header(
                &state.catalog.context(),
                &granted,
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
                Saving::Header,
                &posted.submission,
                e,
            )
            .await
        }
    }
}
