//! Starting an empty basic plan from the one before it (前期 → 後期): the outline's button
//! leads to `GET /staff/plans/{plan}/basic-plans/{id}/start`, a confirmation saying what will
//! be copied (counts per kind) or why it cannot be; its button posts to the same path, which
//! makes the copy in one transaction and returns to the outline. A refusal (the target has
//! content, the plan changed meanwhile) is a page that explains it, with the ways back.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::edit::{self, SuccessorPreview};
use keikaku_domain::PlanId;
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::home::MessagePage;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

#[derive(Template)]
#[template(path = "staff/successor_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    heading: String,
    plan_id: String,
    preview: SuccessorPreview,
    /// 「分野」「35」: what will be copied.
    counts: Vec<(&'static str, usize)>,
    /// Why the button is not offered (the preview's refusal, or the user's role).
    refusal: Option<String>,
    csrf: String,
}

/// What a confirmation's button posts.
#[derive(Debug, Deserialize)]
pub(super) struct StartForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    revision: String,
}

impl StaffFields for StartForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

fn outline_href(plan: &PlanId) -> String {
    format!("/staff/plans/{plan}")
}

/// `GET /staff/plans/{plan}/basic-plans/{id}/start`: what the copy would do.
pub(super) async fn confirm_page(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let preview = edit::successor_preview(&state.catalog.context(), &plan_id, &id).await?;
    let refusal = preview.refusal.clone().or_else(|| {
        (!edit::edits_everything(&signed.user))
            .then(|| "基本計画の写しを作成できるのは、企画（計画担当）と管理者です。".to_owned())
    });
    let heading = match &preview.source_title {
        Some(source) => format!("{}を{source}から始めますか", preview.target_title),
        None => format!("{}を始める", preview.target_title),
    };
    let page = ConfirmPage {
        layout: staff_layout(
            &state,
            &heading,
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&preview.plan_title, outline_href(&plan_id)),
            ],
        )
        .await?,
        heading,
        plan_id: plan_id.to_string(),
        counts: preview
            .counts
            .iter()
            .map(|(k, n)| (k.label(), *n))
            .collect(),
        preview,
        refusal,
        csrf: signed.csrf,
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

/// `POST /staff/plans/{plan}/basic-plans/{id}/start`: makes the copy.
pub(super) async fn start(
    State(state): State<AppState>,
    PagePath((plan, id)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<StartForm>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let revision = edit::parse_version(&form.revision)
        .map_err(|_| WebError::BadRequest("確認した版の番号がありません。".to_owned()))?;
    let result = edit::start_from_predecessor(
        &state.catalog.context(),
        &granted,
        &plan_id,
        &id,
        revision,
        now()?,
    )
    .await;
    match result {
        Ok(started) => {
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, basic_plan = %id, source = %started.source_id, "basic plan started from its predecessor");
            redirect(&format!("{}?done=started#{id}", outline_href(&plan_id)))
        }
        Err(AppError::Conflict(message)) => {
            let heading = "写しを作成できませんでした";
            let page = MessagePage {
                layout: staff_layout(&state, heading, &[]).await?,
                heading: heading.to_owned(),
                message,
                back: vec![
                    (
                        format!("{}/basic-plans/{id}/start", outline_href(&plan_id)),
                        "確認の画面を開き直す".to_owned(),
                    ),
                    (outline_href(&plan_id), "計画の構成に戻る".to_owned()),
                ],
            };
            Ok(private_page(StatusCode::CONFLICT, page.render()?))
        }
        Err(e) => Err(e.into()),
    }
}
