//! `GET|POST /staff/plans/{plan}/kpi/settings`: a plan's evaluation settings (評価の設定) —
//! the rate graded, the form of 達成率 for lower-is-better indicators, the grade scale and the
//! word for a missing actual — for the planning office.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::kpi::evaluation;
use keikaku_app::kpi::settings::{SettingsInput, save_settings};
use keikaku_domain::PlanId;
use keikaku_domain::kpi::{LowerForm, RateKind};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::kpi::kpi_href;
use crate::staff::staff_layout;
use crate::staff::{private_page, redirect};
use crate::views::Layout;

#[derive(Template)]
#[template(path = "staff/kpi_settings.html")]
struct SettingsPage {
    layout: Layout,
    plan_title: String,
    action: String,
    back: String,
    csrf: String,
    input: SettingsInput,
    rates: Vec<(&'static str, &'static str)>,
    lower_forms: Vec<(&'static str, &'static str)>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
}

impl SettingsPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(id, _)| id == &format!("settings-{field}"))
            .map(|(_, m)| m.as_str())
    }
}

async fn page(
    state: &AppState,
    plan: &PlanId,
    csrf: &str,
    status: StatusCode,
    input: SettingsInput,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
) -> Result<Response, WebError> {
    let e = evaluation(&state.catalog.context(), plan, None).await?;
    let header = e.plan.header();
    let page = SettingsPage {
        layout: staff_layout(
            state,
            "評価の設定",
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&header.title, format!("/staff/plans/{plan}")),
                ("KPI評価", kpi_href(plan)),
            ],
        )
        .await?,
        plan_title: header.title.clone(),
        action: format!("/staff/plans/{plan}/kpi/settings"),
        back: kpi_href(plan),
        csrf: csrf.to_owned(),
        input,
        rates: RateKind::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        lower_forms: LowerForm::ALL
            .iter()
            .map(|f| (f.code(), f.label()))
            .collect(),
        errors,
        conflict,
    };
    Ok(private_page(status, page.render()?))
}

/// `GET /staff/plans/{plan}/kpi/settings`.
pub(super) async fn settings_page(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffUser { signed, .. }: StaffUser,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let e = evaluation(&state.catalog.context(), &plan, None).await?;
    let input = SettingsInput {
        basis: e.settings.scale.basis.code().to_owned(),
        lower_form: e.settings.lower_form.code().to_owned(),
        grades: e.settings.scale.grades_text(),
        missing_label: e.settings.missing_label.clone(),
        revision: e
            .settings_revision
            .map(|r| r.to_string())
            .unwrap_or_default(),
    };
    page(
        &state,
        &plan,
        &signed.csrf,
        StatusCode::OK,
        input,
        Vec::new(),
        None,
    )
    .await
}

/// The settings form.
#[derive(Debug, Deserialize)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    lower_form: String,
    #[serde(default)]
    grades: String,
    #[serde(default)]
    missing_label: String,
    #[serde(default)]
    revision: String,
}

impl StaffFields for SettingsForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// `POST /staff/plans/{plan}/kpi/settings`.
pub(super) async fn settings_save(
    State(state): State<AppState>,
    PagePath(plan): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<SettingsForm>,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let input = SettingsInput {
        basis: form.basis,
        lower_form: form.lower_form,
        grades: form.grades.replace("\r\n", "\n"),
        missing_label: form.missing_label,
        revision: form.revision,
    };
    match save_settings(&state.catalog.context(), &granted, &plan, &input, now()?).await {
        Ok(_) => redirect(&kpi_href(&plan)),
        Err(AppError::Invalid(problems)) => {
            let errors = problems
                .into_iter()
                .map(|p| (format!("settings-{}", p.path), p.message))
                .collect();
            page(
                &state,
                &plan,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                input,
                errors,
                None,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            page(
                &state,
                &plan,
                &signed.csrf,
                StatusCode::CONFLICT,
                input,
                Vec::new(),
                Some(m),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
