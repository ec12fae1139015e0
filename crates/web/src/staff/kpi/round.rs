//! The verification round's forms, one page per role, every indicator of the year on it (a
//! tablet user scrolls; nothing needs script): the department's 要因分析 and 今後の方向性 with
//! its 提出 (`…/analysis`), the expert panel's 委員評価 and 指摘事項 with the overall opinion
//! (`…/panel`), and the planning office's 対応方針 (`…/responses`). A refused save shows the
//! form again with what was typed: 422 with each message next to its indicator and a summary
//! linking to it, 409 when someone else saved first.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, permits};
use keikaku_app::kpi::round::OPINION;
use keikaku_app::kpi::{
    AnalysisInput, PanelInput, ResponseInput, RoundView, round, save_analyses, save_panel,
    save_responses,
};
use keikaku_domain::PlanId;
use keikaku_domain::format;
use keikaku_domain::kpi::{FutureCourse, PanelRating};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::{PagePath, plan_id};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::kpi::{kpi_href, outcome_text, parse_year, value_text};
use crate::staff::staff_layout;
use crate::staff::{private_page, redirect};
use crate::views::Layout;

/// Which of the three forms.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Analysis,
    Panel,
    Responses,
}

impl Mode {
    fn slug(self) -> &'static str {
        match self {
            Self::Analysis => "analysis",
            Self::Panel => "panel",
            Self::Responses => "responses",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Analysis => "要因分析と今後の方向性",
            Self::Panel => "有識者会議の評価",
            Self::Responses => "指摘事項への対応方針",
        }
    }
}

pub(super) fn round_href(plan: &PlanId, year: i32, slug: &str) -> String {
    format!("/staff/plans/{plan}/kpi/{year}/{slug}")
}

pub(super) struct Field {
    name: String,
    id: String,
    label: String,
    value: String,
    /// For a choice: (code, label); empty for a text.
    options: Vec<(String, String)>,
}

struct FormRow {
    id: String,
    title: String,
    place: String,
    facts: Vec<(String, String)>,
    fields: Vec<Field>,
    revision: String,
    editable: bool,
    error: Option<String>,
}

pub(super) struct DepartmentBox {
    pub(super) department: String,
    pub(super) state: String,
    pub(super) comment: String,
    pub(super) revision: i64,
    pub(super) can_submit: bool,
}

#[derive(Template)]
#[template(path = "staff/kpi_round_form.html")]
struct RoundFormPage {
    layout: Layout,
    heading: String,
    intro: String,
    plan_title: String,
    round_state: String,
    published: bool,
    action: String,
    csrf: String,
    rows: Vec<FormRow>,
    editable: bool,
    opinion: Option<Field>,
    opinion_revision: String,
    opinion_error: Option<String>,
    departments: Vec<DepartmentBox>,
    submit_action: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    back: String,
}

/// What came back in a refused form.
#[derive(Default)]
struct Typed {
    fields: BTreeMap<String, BTreeMap<String, String>>,
    opinion: Option<String>,
    errors: BTreeMap<String, String>,
    conflict: Option<String>,
}

fn choice<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "（選択してください）".to_owned())];
    out.extend(
        all.iter()
            .map(|&c| (code(c).to_owned(), label(c).to_owned())),
    );
    out
}

#[allow(clippy::too_many_lines, clippy::too_many_arguments)] // the three forms' rows from the view; the page's parts from the handler
async fn page(
    state: &AppState,
    plan: &PlanId,
    view: &RoundView,
    mode: Mode,
    csrf: &str,
    roles: &[keikaku_domain::account::Role],
    status: StatusCode,
    notice: Option<String>,
    typed: &Typed,
) -> Result<Response, WebError> {
    let e = &view.evaluation;
    let header = e.plan.header();
    let year = view.year;
    let published = view.published();
    let mut rows = Vec::new();
    for r in &e.indicators {
        let id = r.indicator.id.as_str();
        let a = view.assessment(id);
        let typed_row = typed.fields.get(id);
        let value = |field: &str, stored: String| {
            typed_row
                .and_then(|t| t.get(field).cloned())
                .unwrap_or(stored)
        };
        let department = if r.department.trim().is_empty() {
            "（所管課なし）"
        } else {
            &r.department
        };
        let part = view.department(department);
        let mut facts = vec![
            (
                "実績値".to_owned(),
                r.value(year).and_then(|v| v.actual).map_or_else(
                    || e.settings.missing_label.clone(),
                    |d| value_text(r, Some(d)),
                ),
            ),
            (
                "進捗".to_owned(),
                r.year(year)
                    .map(|y| outcome_text(&y.outcome))
                    .unwrap_or_default(),
            ),
            (
                "評価".to_owned(),
                r.year(year)
                    .and_then(|y| e.settings.scale.of(&y.outcome))
                    .map_or_else(|| "―".to_owned(), |g| g.label.clone()),
            ),
        ];
        let text_field = |field: &str, label: &str, stored: String| Field {
            name: format!("{field}.{id}"),
            id: format!("{field}-{id}"),
            label: label.to_owned(),
            value: value(field, stored),
            options: Vec::new(),
        };
        let editable;
        let fields = match mode {
            Mode::Analysis => {
                editable = !published && part.is_none_or(|p| p.state.editable());
                vec![
                    text_field(
                        "analysis",
                        "要因分析",
                        a.map(|a| a.analysis.clone()).unwrap_or_default(),
                    ),
                    Field {
                        options: choice(
                            &FutureCourse::ALL,
                            FutureCourse::code,
                            FutureCourse::label,
                        ),
                        ..text_field(
                            "course",
                            "今後の方向性",
                            a.and_then(|a| a.course)
                                .map(|c| c.code().to_owned())
                                .unwrap_or_default(),
                        )
                    },
                ]
            }
            Mode::Panel => {
                editable = !published;
                facts.push((
                    "要因分析".to_owned(),
                    a.map(|a| a.analysis.clone()).unwrap_or_default(),
                ));
                facts.push((
                    "今後の方向性".to_owned(),
                    a.and_then(|a| a.course)
                        .map(|c| c.label().to_owned())
                        .unwrap_or_default(),
                ));
                vec![
                    Field {
                        options: choice(&PanelRating::ALL, PanelRating::code, PanelRating::label),
                        ..text_field(
                            "rating",
                            "委員評価",
                            a.and_then(|a| a.rating)
                                .map(|c| c.code().to_owned())
                                .unwrap_or_default(),
                        )
                    },
                    text_field(
                        "remark",
                        "指摘事項",
                        a.map(|a| a.remark.clone()).unwrap_or_default(),
                    ),
                ]
            }
            Mode::Responses => {
                editable = !published;
                facts.push((
                    "委員評価".to_owned(),
                    a.and_then(|a| a.rating)
                        .map(|c| c.label().to_owned())
                        .unwrap_or_default(),
                ));
                facts.push((
                    "指摘事項".to_owned(),
                    a.map(|a| a.remark.clone()).unwrap_or_default(),
                ));
                vec![text_field(
                    "response",
                    "対応方針",
                    a.map(|a| a.response.clone()).unwrap_or_default(),
                )]
            }
        };
        rows.push(FormRow {
            id: id.to_owned(),
            title: r.indicator.title.clone(),
            place: format!(
                "{}　所管課: {department}",
                r.groups.last().map(|g| g.label()).unwrap_or_default()
            ),
            facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
            fields,
            revision: if typed.conflict.is_some() {
                a.map_or(0, |a| a.revision).to_string()
            } else {
                value("revision", a.map_or(0, |a| a.revision).to_string())
            },
            editable,
            error: typed.errors.get(id).cloned(),
        });
    }
    let year_label = format::fiscal_year(year);
    let slug = mode.slug();
    let may_submit = permits(Some(roles), Action::SubmitKpiRound);
    let page = RoundFormPage {
        layout: staff_layout(
            state,
            &format!("{year_label}の{}", mode.title()),
            &[
                ("職員用ページ", "/staff".to_owned()),
                (&header.title, format!("/staff/plans/{plan}")),
                ("KPI評価", kpi_href(plan)),
            ],
        )
        .await?,
        heading: format!("{year_label}の{}", mode.title()),
        intro: match mode {
            Mode::Analysis => "指標ごとに、実績の要因分析と今後の方向性を入力して保存し、課の分がそろったら「提出する」を押してください。提出した後は、企画担当が差し戻すまで変更できません。".to_owned(),
            Mode::Panel => "指標ごとに、実績と所管課の分析を読んで委員評価と指摘事項を入力し、最後に検証全体の総合意見を入力して保存してください。".to_owned(),
            Mode::Responses => "有識者会議の指摘事項ごとに、市の対応方針を入力して保存してください。".to_owned(),
        },
        plan_title: header.title.clone(),
        round_state: view.round.state.label().to_owned(),
        published,
        action: round_href(plan, year.year(), slug),
        csrf: csrf.to_owned(),
        editable: rows.iter().any(|r| r.editable),
        rows,
        opinion: (mode == Mode::Panel).then(|| Field {
            name: "opinion".to_owned(),
            id: "opinion".to_owned(),
            label: "総合意見".to_owned(),
            value: typed.opinion.clone().unwrap_or_else(|| view.round.opinion.clone()),
            options: Vec::new(),
        }),
        opinion_revision: view.round.revision.to_string(),
        opinion_error: typed.errors.get(OPINION).cloned(),
        departments: if mode == Mode::Analysis {
            view.departments
                .iter()
                .map(|d| DepartmentBox {
                    department: d.department.clone(),
                    state: d.state.label().to_owned(),
                    comment: d.comment.clone(),
                    revision: d.revision,
                    can_submit: may_submit && !published && d.state.editable(),
                })
                .collect()
        } else {
            Vec::new()
        },
        submit_action: round_href(plan, year.year(), "submit"),
        notice,
        errors: typed
            .errors
            .iter()
            .map(|(id, m)| {
                let anchor = if id == OPINION {
                    "opinion".to_owned()
                } else {
                    format!("row-{id}")
                };
                (anchor, m.clone())
            })
            .collect(),
        conflict: typed.conflict.clone(),
        back: kpi_href(plan),
    };
    Ok(private_page(status, page.render()?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    submitted: Option<String>,
}

async fn show(
    state: AppState,
    plan: String,
    year: String,
    query: SavedQuery,
    staff: StaffUser,
    mode: Mode,
) -> Result<Response, WebError> {
    let plan = plan_id(&plan)?;
    let year = parse_year(&year)?;
    let view = round(&state.catalog.context(), &staff.granted, &plan, year).await?;
    let notice = if query.submitted.is_some() {
        Some("提出しました。企画担当の確認をお待ちください。".to_owned())
    } else {
        query.saved.map(|_| "保存しました。".to_owned())
    };
    page(
        &state,
        &plan,
        &view,
        mode,
        &staff.signed.csrf,
        &staff.signed.user.roles,
        StatusCode::OK,
        notice,
        &Typed::default(),
    )
    .await
}

/// `GET /staff/plans/{plan}/kpi/{year}/analysis`.
pub(super) async fn analysis_page(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    Query(query): Query<SavedQuery>,
    staff: StaffUser,
) -> Result<Response, WebError> {
    show(state, plan, year, query, staff, Mode::Analysis).await
}

/// `GET /staff/plans/{plan}/kpi/{year}/panel`.
pub(super) async fn panel_page(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    Query(query): Query<SavedQuery>,
    staff: StaffUser,
) -> Result<Response, WebError> {
    show(state, plan, year, query, staff, Mode::Panel).await
}

/// `GET /staff/plans/{plan}/kpi/{year}/responses`.
pub(super) async fn responses_page(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    Query(query): Query<SavedQuery>,
    staff: StaffUser,
) -> Result<Response, WebError> {
    show(state, plan, year, query, staff, Mode::Responses).await
}

/// A posted round form: `csrf`, `opinion`, `opinion_revision`, and per indicator
/// `{field}.{id}` (`analysis`, `course`, `rating`, `remark`, `response`, `revision`).
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(crate) struct Posted {
    csrf: Option<String>,
    opinion: Option<String>,
    opinion_revision: String,
    fields: BTreeMap<String, BTreeMap<String, String>>,
}

impl From<Vec<(String, String)>> for Posted {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut posted = Self {
            csrf: None,
            opinion: None,
            opinion_revision: String::new(),
            fields: BTreeMap::new(),
        };
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => posted.csrf = Some(value),
                "opinion" => posted.opinion = Some(value),
                "opinion_revision" => posted.opinion_revision = value,
                _ => {
                    if let Some((field, id)) = name.split_once('.') {
                        posted
                            .fields
                            .entry(id.to_owned())
                            .or_default()
                            .insert(field.to_owned(), value);
                    }
                }
            }
        }
        posted
    }
}

impl StaffFields for Posted {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

async fn store(
    state: AppState,
    plan: String,
    year: String,
    posted: StaffForm<Posted>,
    mode: Mode,
) -> Result<Response, WebError> {
    let StaffForm {
        signed,
        granted,
        form,
    } = posted;
    let plan = plan_id(&plan)?;
    let year = parse_year(&year)?;
    let cx = state.catalog.context();
    let at = now()?;
    let get = |f: &BTreeMap<String, String>, k: &str| f.get(k).cloned().unwrap_or_default();
    let result = match mode {
        Mode::Analysis => {
            let inputs: Vec<AnalysisInput> = form
                .fields
                .iter()
                .map(|(id, f)| AnalysisInput {
                    indicator: id.clone(),
                    analysis: get(f, "analysis"),
                    course: get(f, "course"),
                    revision: get(f, "revision"),
                })
                .collect();
            save_analyses(&cx, &granted, &plan, year, &inputs, at)
                .await
                .map(|_| ())
        }
        Mode::Panel => {
            let inputs: Vec<PanelInput> = form
                .fields
                .iter()
                .map(|(id, f)| PanelInput {
                    indicator: id.clone(),
                    rating: get(f, "rating"),
                    remark: get(f, "remark"),
                    revision: get(f, "revision"),
                })
                .collect();
            let opinion = form
                .opinion
                .as_deref()
                .map(|o| (o, form.opinion_revision.as_str()));
            save_panel(&cx, &granted, &plan, year, &inputs, opinion, at).await
        }
        Mode::Responses => {
            let inputs: Vec<ResponseInput> = form
                .fields
                .iter()
                .map(|(id, f)| ResponseInput {
                    indicator: id.clone(),
                    response: get(f, "response"),
                    revision: get(f, "revision"),
                })
                .collect();
            save_responses(&cx, &granted, &plan, year, &inputs, at)
                .await
                .map(|_| ())
        }
    };
    let (status, typed) = match result {
        Ok(()) => {
            return redirect(&format!(
                "{}?saved=1",
                round_href(&plan, year.year(), mode.slug())
            ));
        }
        Err(AppError::Invalid(problems)) => {
            let mut errors = BTreeMap::new();
            for p in problems {
                let id = p.path.split_once('.').map_or(p.path.as_str(), |(id, _)| id);
                errors
                    .entry(id.to_owned())
                    .and_modify(|m: &mut String| {
                        m.push('　');
                        m.push_str(&p.message);
                    })
                    .or_insert(p.message);
            }
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Typed {
                    fields: form.fields,
                    opinion: form.opinion,
                    errors,
                    conflict: None,
                },
            )
        }
        Err(AppError::Conflict(message)) => (
            StatusCode::CONFLICT,
            Typed {
                fields: form.fields,
                opinion: form.opinion,
                errors: BTreeMap::new(),
                conflict: Some(message),
            },
        ),
        Err(e) => return Err(e.into()),
    };
    let view = round(&cx, &granted, &plan, year).await?;
    page(
        &state,
        &plan,
        &view,
        mode,
        &signed.csrf,
        &signed.user.roles,
        status,
        None,
        &typed,
    )
    .await
}

/// `POST /staff/plans/{plan}/kpi/{year}/analysis`.
pub(super) async fn analysis_save(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    form: StaffForm<Posted>,
) -> Result<Response, WebError> {
    store(state, plan, year, form, Mode::Analysis).await
}

/// `POST /staff/plans/{plan}/kpi/{year}/panel`.
pub(super) async fn panel_save(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    form: StaffForm<Posted>,
) -> Result<Response, WebError> {
    store(state, plan, year, form, Mode::Panel).await
}

/// `POST /staff/plans/{plan}/kpi/{year}/responses`.
pub(super) async fn responses_save(
    State(state): State<AppState>,
    PagePath((plan, year)): PagePath<(String, String)>,
    form: StaffForm<Posted>,
) -> Result<Response, WebError> {
    store(state, plan, year, form, Mode::Responses).await
}
