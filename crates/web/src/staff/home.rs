//! The staff page (`/staff`): who is signed in, and every plan of the municipality with its
//! status — drafts too, for users whose roles may read them — with the forms that move a plan
//! to its next status (`POST /staff/plans/{plan}/status`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::access::{Action, permits};
use keikaku_domain::PlanStatus;
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::routes::{Route, route};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::{self, Layout, plan_href};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff" => staff_page, ReadDrafts, "/staff"),
    route!(
        POST "/staff/plans/{plan}/status" => change_status,
        ChangePlanStatus,
        "/staff/plans/sogo-keikaku/status"
    ),
];

struct PlanRow {
    id: String,
    status_code: &'static str,
    /// The statuses the plan may move to: code and label.
    next: Vec<(&'static str, &'static str)>,
    title: String,
    href: Option<String>,
    kind: &'static str,
    status: &'static str,
    period: String,
}

#[derive(Template)]
#[template(path = "staff/staff.html")]
struct StaffPage {
    layout: Layout,
    display_name: String,
    login_id: String,
    department: String,
    roles: String,
    csrf: String,
    plans: Vec<PlanRow>,
    may_change_status: bool,
    may_edit: bool,
    may_administer: bool,
    /// Whether the user keeps the department list.
    may_manage_departments: bool,
    may_manage_themes: bool,
    notice: Option<String>,
}

/// `GET /staff`: who is signed in, a sign-out button, and every plan of the municipality with
/// its status (drafts too, for users whose roles may read them).
async fn staff_page(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let user = &signed.user;
    let drafts = user.may_read_drafts();
    let summaries = keikaku_app::plans::working_copies(&state.catalog.context(), &granted).await?;
    let plans = summaries
        .iter()
        .filter(|s| drafts || s.header.status == PlanStatus::Published)
        .map(|s| {
            let published = s.header.status == PlanStatus::Published;
            PlanRow {
                id: s.header.id.to_string(),
                status_code: s.header.status.code(),
                next: s
                    .header
                    .status
                    .next()
                    .iter()
                    .map(|n| (n.code(), n.label()))
                    .collect(),
                title: s.header.title.clone(),
                href: published.then(|| plan_href(&s.header.id)),
                kind: s.kind.label(),
                status: s.header.status.label(),
                period: views::period(&s.header.period),
            }
        })
        .collect();
    let page = StaffPage {
        layout: staff_layout(&state, "職員用ページ", &[]).await?,
        display_name: user.display_name.clone(),
        login_id: user.login_id.to_string(),
        department: user.department.clone(),
        roles: views::roles_label(&user.roles),
        csrf: signed.csrf.clone(),
        plans,
        may_change_status: permits(Some(&user.roles), Action::ChangePlanStatus),
        may_edit: permits(Some(&user.roles), Action::EditPlan),
        may_administer: permits(Some(&user.roles), Action::ReadAudit),
        may_manage_departments: permits(Some(&user.roles), Action::ManageDepartments),
        may_manage_themes: permits(Some(&user.roles), Action::ManageThemes),
        // Named by its title and new status (an id the page does not know is not echoed).
        notice: query.get("changed").and_then(|id| {
            summaries
                .iter()
                .find(|s| s.header.id.as_str() == id)
                .map(|s| {
                    format!(
                        "「{}」の状態を「{}」に変更しました。変更は監査ログに記録され、新しい版として保存されました。",
                        s.header.title,
                        s.header.status.label()
                    )
                })
        }),
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

// ---------------------------------------------------------------- plan status

impl StaffFields for StatusForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// The fields of a status-change form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `yes` from the confirmation page; without it the page is shown first.
    #[serde(default)]
    confirm: Option<String>,
    /// The name of the version the change freezes (パブコメ案, 議決 …), from the confirmation
    /// page.
    #[serde(default)]
    label: String,
    /// Why the version is made.
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "staff/status_confirm.html")]
struct StatusConfirmPage {
    layout: Layout,
    heading: String,
    plan_id: String,
    plan_title: String,
    from: &'static str,
    to: &'static str,
    from_label: &'static str,
    to_label: &'static str,
    consequence: &'static str,
    csrf: String,
}

/// What moving a plan to `to` does, as the confirmation page says it.
fn consequence(to: PlanStatus) -> &'static str {
    match to {
        PlanStatus::Published => {
            "公開すると、今の作業中の内容が新しい版として保存され、市民向けのページとAPIにすぐ表示されます。"
        }
        PlanStatus::UnderDeliberation | PlanStatus::Draft => {
            "作業中の内容を編集できるようになります。市民向けのページには、次に公開するまで今の公開版が表示されます。"
        }
        PlanStatus::Adopted => {
            "作業中の内容が新しい版として保存され、編集できなくなります。市民向けのページは、公開するまで変わりません。"
        }
    }
}

#[derive(Template)]
#[template(path = "staff/message.html")]
pub(crate) struct MessagePage {
    pub(crate) layout: Layout,
    pub(crate) heading: String,
    pub(crate) message: String,
    /// Ways back to where the user was, before 職員用ページへ戻る.
    pub(crate) back: Vec<(String, String)>,
}

/// `POST /staff/plans/{plan}/status`: moves a plan to its next status (planning office and
/// administrators; the route table says so). The form carries the status the user saw, so a
/// change made meanwhile by someone else is reported, never overwritten.
async fn change_status(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<StatusForm>,
) -> Result<Response, WebError> {
    let plan_id = plan_id(&plan)?;
    let status = |code: &str| {
        PlanStatus::from_code(code)
            .ok_or_else(|| WebError::BadRequest(format!("状態「{code}」はありません。")))
    };
    let (from, to) = (status(&form.from)?, status(&form.to)?);
    // The button on /staff asks first: the confirmation page says what the change does.
    if form.confirm.as_deref() != Some("yes") {
        // Whoever may change a plan's status may read its working copy.
        let reader = keikaku_app::access::Granted::check(
            signed.user.clone(),
            keikaku_app::access::Action::ReadDrafts,
        )?;
        let summaries =
            keikaku_app::plans::working_copies(&state.catalog.context(), &reader).await?;
        let plan_title = summaries
            .iter()
            .find(|s| s.header.id == plan_id)
            .map(|s| s.header.title.clone())
            .ok_or(WebError::NotFound(None))?;
        let heading = "計画の状態を変更しますか";
        let page = StatusConfirmPage {
            layout: staff_layout(&state, heading, &[("職員用ページ", "/staff".to_owned())]).await?,
            heading: heading.to_owned(),
            plan_id: plan_id.to_string(),
            plan_title,
            from: from.code(),
            to: to.code(),
            from_label: from.label(),
            to_label: to.label(),
            consequence: consequence(to),
            csrf: signed.csrf.clone(),
        };
        return Ok(private_page(StatusCode::OK, page.render()?));
    }
    let result =
        match keikaku_domain::plan::version_note::VersionNote::check(&form.label, &form.reason) {
            Ok(note) => {
                keikaku_app::status::change_status_with_note(
                    &state.catalog.context(),
                    &granted,
                    &plan_id,
                    from,
                    to,
                    &note,
                    now()?,
                )
                .await
            }
            Err(problems) => Err(keikaku_app::AppError::Invalid(
                problems
                    .into_iter()
                    .map(|(field, message)| keikaku_planfile::FileProblem {
                        path: field.name().to_owned(),
                        message,
                    })
                    .collect(),
            )),
        };
    let (code, heading, message) = match result {
        Ok(_) => {
            state.catalog.invalidate().await?;
            tracing::info!(login_id = %signed.user.login_id, plan = %plan_id, to = to.code(), "plan status changed");
            return redirect(&format!("/staff?changed={plan_id}"));
        }
        Err(keikaku_app::AppError::Conflict(m)) => {
            (StatusCode::CONFLICT, "状態を変更できませんでした", m)
        }
        Err(keikaku_app::AppError::Invalid(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "状態を変更できませんでした",
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(other) => return Err(other.into()),
    };
    let page = MessagePage {
        layout: staff_layout(&state, heading, &[]).await?,
        heading: heading.to_owned(),
        message,
        back: vec![(
            "/staff#plans-heading".to_owned(),
            "計画の一覧に戻る".to_owned(),
        )],
    };
    Ok(private_page(code, page.render()?))
}
