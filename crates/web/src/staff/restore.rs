//! Restoring a deleted element from a frozen version, without JavaScript: the element as the
//! version holds it (`/staff/plans/{plan}/versions/{n}/elements/{id}`), 「この版から復元する」,
//! a confirmation page (with the elements below it, optionally restored too), and the POST
//! that restores. A restore that cannot be done (the parent is gone, the element is there, the
//! plan is adopted) is explained, with the way back.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::edit::{self, RestorePreview};
use keikaku_domain::PlanId;
use serde::Deserialize;

use crate::AppState;
use crate::clock::{jst_label, now};
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::routes::{Route, route};
use crate::staff::edit::element_href;
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::home::MessagePage;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(
        GET "/staff/plans/{plan}/versions/{number}/elements/{id}" => version_element,
        ReadDrafts,
        "/staff/plans/sogo-keikaku/versions/1/elements/measure-1-1-1"
    ),
    route!(
        GET "/staff/plans/{plan}/versions/{number}/elements/{id}/restore" => confirm_page,
        EditPlan,
        "/staff/plans/sogo-keikaku/versions/1/elements/measure-1-1-1/restore"
    ),
    route!(
        POST "/staff/plans/{plan}/versions/{number}/elements/{id}/restore" => restore,
        EditPlan,
        "/staff/plans/sogo-keikaku/versions/1/elements/measure-1-1-1/restore"
    ),
];

/// The address of an element as a version holds it.
pub(crate) fn version_element_href(plan: &PlanId, number: u32, id: &str) -> String {
    format!("/staff/plans/{plan}/versions/{number}/elements/{id}")
}

fn number(raw: &str) -> Result<u32, WebError> {
    raw.parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or(WebError::NotFound(None))
}

#[derive(Template)]
#[template(path = "staff/version_element.html")]
struct VersionElementPage {
    layout: Layout,
    p: RestorePreview,
    at: String,
    element_href: String,
    restore_href: String,
    versions_href: String,
}

async fn preview(
    state: &AppState,
    granted: &keikaku_app::access::Granted,
    plan: &str,
    raw_number: &str,
    id: &str,
) -> Result<(PlanId, u32, RestorePreview), WebError> {
    let plan_id = plan_id(plan)?;
    let n = number(raw_number)?;
    let p = edit::restore_preview(&state.catalog.context(), granted, &plan_id, n, id).await?;
    Ok((plan_id, n, p))
}

/// `GET /staff/plans/{plan}/versions/{n}/elements/{id}`: the element as version n holds it.
async fn version_element(
    State(state): State<AppState>,
    PagePath((plan, raw, id)): PagePath<(String, String, String)>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let (plan_id, n, p) = preview(&state, &granted, &plan, &raw, &id).await?;
    let versions_href = format!("/staff/plans/{plan_id}/versions");
    let title = format!("第{n}版の{}", p.element.name);
    let page = VersionElementPage {
        layout: staff_layout(&state, &title, &[("版の一覧", versions_href.clone())]).await?,
        at: jst_label(p.at),
        element_href: element_href(&plan_id, &id),
        restore_href: format!("{}/restore", version_element_href(&plan_id, n, &id)),
        versions_href,
        p,
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

#[derive(Template)]
#[template(path = "staff/restore_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    p: RestorePreview,
    at: String,
    csrf: String,
    action: String,
    back_href: String,
}

/// A restore not done, explained, with the way back.
async fn refused(
    state: &AppState,
    plan_id: &PlanId,
    n: u32,
    id: &str,
    message: String,
) -> Result<Response, WebError> {
    let page = MessagePage {
        layout: staff_layout(state, "復元できません", &[]).await?,
        heading: "復元できません".to_owned(),
        message,
        back: vec![
            (
                version_element_href(plan_id, n, id),
                format!("第{n}版の内容に戻る"),
            ),
            (
                format!("/staff/plans/{plan_id}/versions"),
                "版の一覧に戻る".to_owned(),
            ),
            (
                format!("/staff/plans/{plan_id}"),
                "計画の構成に戻る".to_owned(),
            ),
        ],
    };
    Ok(private_page(StatusCode::CONFLICT, page.render()?))
}

/// `GET …/restore`: what restoring would do, and the button; or why it cannot be done.
async fn confirm_page(
    State(state): State<AppState>,
    PagePath((plan, raw, id)): PagePath<(String, String, String)>,
    StaffUser { granted, signed }: StaffUser,
) -> Result<Response, WebError> {
    let (plan_id, n, p) = preview(&state, &granted, &plan, &raw, &id).await?;
    if let Some(why) = p.refusal.clone() {
        return refused(&state, &plan_id, n, &id, why).await;
    }
    let back_href = version_element_href(&plan_id, n, &id);
    let page = ConfirmPage {
        layout: staff_layout(
            &state,
            "要素の復元の確認",
            &[
                ("版の一覧", format!("/staff/plans/{plan_id}/versions")),
                (&format!("第{n}版の内容"), back_href.clone()),
            ],
        )
        .await?,
        at: jst_label(p.at),
        csrf: signed.csrf.clone(),
        action: format!("{back_href}/restore"),
        back_href,
        p,
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

/// The restore form: the CSRF token and whether the elements below come back too.
#[derive(Deserialize)]
pub(crate) struct RestoreForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    children: Option<String>,
}

impl StaffFields for RestoreForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST …/restore`: restores, then shows the element's form.
async fn restore(
    State(state): State<AppState>,
    PagePath((plan, raw, id)): PagePath<(String, String, String)>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<RestoreForm>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let n = number(&raw)?;
    let with_children = form.children.as_deref() == Some("yes");
    let result = edit::restore_element(
        &state.catalog.context(),
        &granted,
        &plan_id,
        n,
        &id,
        with_children,
        now()?,
    )
    .await;
    match result {
        Ok(done) => {
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, element = %id, version = n, "element restored");
            let done = if done.dropped_links.is_empty() {
                "restored"
            } else {
                "restored_partly"
            };
            redirect(&format!("{}?done={done}", element_href(&plan_id, &id)))
        }
        Err(AppError::Conflict(message)) => refused(&state, &plan_id, n, &id, message).await,
        Err(e) => Err(e.into()),
    }
}
