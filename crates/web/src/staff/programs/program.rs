//! A program's staff page: its form (amounts in 千円 per year, the measure it serves first, then
//! the projects, strategy measures and indicators it works towards) for whoever may change it
//! now, else its values read-only; with its history across editions. A refused save shows the
//! form again with what was typed — 422 with each problem next to its field, or 409 with the
//! stored program beside it and the revision moved on, so the user saves deliberately.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::{Action, Granted, permits};
use keikaku_app::programs::{
    EditionView, ProgramForm, Viewer, YearForm, delete_program, edition, form_problems, parse_form,
    program_history, save_program,
};
use keikaku_domain::account::User;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{Account, ExpenseType, ProgramCategory};
use serde::Deserialize;

use super::program_form::{
    ChoiceGroup, MeasureOptions, YearInputs, departments, field_id, link_groups, values_of,
    year_inputs,
};
use super::{edition_href, program_href, trail, year_of};
use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::ledger::{self, History};
use crate::paths::PagePath;
use crate::public::programs::{ProgramDetail, detail};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

/// A form as posted: every field by name, the links checked in order, and the CSRF token.
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(crate) struct Posted {
    csrf: Option<String>,
    values: BTreeMap<String, String>,
    links: Vec<String>,
}

impl From<Vec<(String, String)>> for Posted {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut p = Self {
            csrf: None,
            values: BTreeMap::new(),
            links: Vec::new(),
        };
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => p.csrf = Some(value),
                "link" => p.links.push(value),
                _ => {
                    p.values.insert(name, value);
                }
            }
        }
        p
    }
}

impl StaffFields for Posted {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

impl Posted {
    fn get(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// The posted fields as the use case's form: the primary measure first, then the links
    /// checked (each once).
    fn form(&self, years: &[FiscalYear]) -> ProgramForm {
        let mut links: Vec<String> = Vec::new();
        for l in std::iter::once(self.get("primary")).chain(self.links.iter().cloned()) {
            if !l.trim().is_empty() && !links.contains(&l) {
                links.push(l);
            }
        }
        ProgramForm {
            code: self.get("code"),
            name: self.get("name"),
            department: self.get("department"),
            category: self.get("category"),
            links,
            purpose: self.get("purpose"),
            target_group: self.get("target_group"),
            means: self.get("means"),
            start_year: self.get("start_year"),
            end_year: self.get("end_year"),
            account: self.get("account"),
            expense_type: self.get("expense_type"),
            activity_name: self.get("activity_name"),
            activity_unit: self.get("activity_unit"),
            sample: self.values.contains_key("sample"),
            years: years
                .iter()
                .map(|y| {
                    let g = |k: &str| self.get(&format!("y{}.{k}", y.year()));
                    (
                        *y,
                        YearForm {
                            cost: g("cost"),
                            national: g("national"),
                            prefectural: g("prefectural"),
                            bonds: g("bonds"),
                            other: g("other"),
                            general: g("general"),
                            activity_target: g("activity_target"),
                        },
                    )
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/program_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    edition_title: String,
    back: String,
    action: String,
    csrf: String,
    revision: String,
    new: bool,
    values: BTreeMap<String, String>,
    years: Vec<YearInputs>,
    measures: Vec<MeasureOptions>,
    groups: Vec<ChoiceGroup>,
    categories: Vec<(&'static str, &'static str)>,
    accounts: Vec<(&'static str, &'static str)>,
    expense_types: Vec<(&'static str, &'static str)>,
    departments: Vec<String>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    current: Option<ProgramDetail>,
    delete_action: Option<String>,
    history: Option<History>,
    rounding: Rounding,
}

/// A select of the form: (field, label, options as (code, label)).
type Select<'a> = (
    &'static str,
    &'static str,
    &'a [(&'static str, &'static str)],
);

impl FormPage {
    fn selects(&self) -> Vec<Select<'_>> {
        vec![
            ("category", "事業区分", &self.categories),
            ("account", "会計", &self.accounts),
            ("expense_type", "経費区分", &self.expense_types),
        ]
    }

    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn error(&self, name: &str) -> Option<&str> {
        let id = field_id(name);
        self.errors
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, m)| m.as_str())
    }
}

/// Whether `user` may change `program` of `view` now.
fn may_change(view: &EditionView, user: &User, department: &str) -> bool {
    if !super::editable(view.edition.state, &user.roles) {
        return false;
    }
    let everyone = keikaku_app::access::scope_of(user, Action::EditPrograms)
        == Some(keikaku_app::access::Scope::All);
    everyone
        || (user.department.trim() == department.trim()
            && view.part(department).is_none_or(|p| p.state.editable()))
}

struct Shown {
    values: BTreeMap<String, String>,
    links: Vec<String>,
    revision: String,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    status: StatusCode,
}

#[allow(clippy::too_many_arguments)] // the page's parts
async fn form_page(
    state: &AppState,
    view: &EditionView,
    csrf: &str,
    code: Option<&str>,
    shown: Shown,
    history: Option<History>,
) -> Result<Response, WebError> {
    let made_in = view.made_in();
    let (measures, groups) = link_groups(view, &shown.links);
    let stored_name = code
        .and_then(|c| view.program(c))
        .map(|p| p.program.name.clone());
    let heading = stored_name
        .clone()
        .unwrap_or_else(|| "事業を追加".to_owned());
    let edition_title = view.title();
    let mut crumbs = trail();
    crumbs.push((edition_title.as_str(), edition_href(made_in)));
    let page = FormPage {
        layout: staff_layout(state, &heading, &crumbs).await?,
        heading,
        back: edition_href(made_in),
        action: match code {
            Some(c) => program_href(made_in, c),
            None => format!("{}/programs", edition_href(made_in)),
        },
        csrf: csrf.to_owned(),
        revision: shown.revision,
        new: code.is_none(),
        values: shown.values,
        years: year_inputs(&view.covers()),
        measures,
        groups,
        categories: ProgramCategory::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        accounts: Account::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        expense_types: ExpenseType::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        departments: {
            // The department list first, then the names the edition and plans use.
            let mut names = crate::staff::departments::offered_names(state).await?;
            for d in departments(view) {
                if !names.contains(&d) {
                    names.push(d);
                }
            }
            names
        },
        errors: shown.errors,
        conflict: shown.conflict,
        current: if shown.status == StatusCode::CONFLICT {
            code.and_then(|c| detail(view, c, |_, _| String::new()))
        } else {
            None
        },
        delete_action: code.map(|c| format!("{}/delete", program_href(made_in, c))),
        history,
        rounding: view.rounding(),
        edition_title,
    };
    Ok(private_page(shown.status, page.render()?))
}

#[derive(Template)]
#[template(path = "staff/program_view.html")]
struct ViewPage {
    layout: Layout,
    edition_title: String,
    edition_href: String,
    p: ProgramDetail,
    history: History,
    why: String,
}

/// `GET /staff/implementation-plans/{year}/programs/{code}`.
pub(super) async fn program_page(
    State(state): State<AppState>,
    PagePath((year, code)): PagePath<(String, String)>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let cx = state.catalog.context();
    let view = edition(&cx, &granted, made_in).await?;
    let record = view.program(&code).ok_or(WebError::NotFound(None))?;
    let history = program_history(&cx, Viewer::Staff(&granted), &code).await?;
    let history = ledger::history(&history, |y| program_href(y, &code));
    if may_change(&view, &signed.user, &record.program.department) {
        let (values, links) = values_of(&record.program, &view);
        let shown = Shown {
            values,
            links,
            revision: record.revision.to_string(),
            errors: Vec::new(),
            conflict: None,
            status: StatusCode::OK,
        };
        return form_page(
            &state,
            &view,
            &signed.csrf,
            Some(&code),
            shown,
            Some(history),
        )
        .await;
    }
    let why = if !view.editable() {
        format!(
            "この版は「{}」のため、変更できません。",
            view.edition.state.label()
        )
    } else if !permits(Some(&signed.user.roles), Action::EditPrograms) {
        "この事業を変更する権限がありません。".to_owned()
    } else {
        "所管課の事業ではないか、所管課の事業が提出済み・承認済みのため、変更できません。"
            .to_owned()
    };
    let p = detail(&view, &code, staff_element_href).ok_or(WebError::NotFound(None))?;
    let edition_title = view.title();
    let page = ViewPage {
        layout: staff_layout(&state, &p.name, &{
            let mut t = trail();
            t.push((edition_title.as_str(), edition_href(made_in)));
            t
        })
        .await?,
        edition_href: edition_href(made_in),
        edition_title,
        p,
        history,
        why,
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

/// The staff page of a plan element (an indicator's KPI page, else the element's form).
fn staff_element_href(r: &keikaku_domain::ElementRef, indicator: bool) -> String {
    if indicator {
        format!("/staff/plans/{}/kpi/indicators/{}", r.plan, r.element)
    } else {
        format!("/staff/plans/{}/elements/{}", r.plan, r.element)
    }
}

/// `GET /staff/implementation-plans/{year}/programs/new`.
pub(super) async fn new_page(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    let view = edition(&state.catalog.context(), &granted, made_in).await?;
    if !super::editable(view.edition.state, &signed.user.roles) {
        return Err(AppError::Conflict(format!(
            "この版は「{}」のため、事業を追加できません。",
            view.edition.state.label()
        ))
        .into());
    }
    let mut values = BTreeMap::new();
    values.insert("department".to_owned(), signed.user.department.clone());
    values.insert(
        "category".to_owned(),
        ProgramCategory::New.code().to_owned(),
    );
    values.insert("start_year".to_owned(), view.covers()[0].year().to_string());
    let shown = Shown {
        values,
        links: Vec::new(),
        revision: String::new(),
        errors: Vec::new(),
        conflict: None,
        status: StatusCode::OK,
    };
    form_page(&state, &view, &signed.csrf, None, shown, None).await
}

async fn save_posted(
    state: &AppState,
    granted: &Granted,
    csrf: &str,
    made_in: FiscalYear,
    code: Option<&str>,
    posted: &Posted,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let view = edition(&cx, granted, made_in).await?;
    let mut form = posted.form(&view.covers());
    if let Some(c) = code {
        form.code = c.to_owned();
    }
    let expected = code.map(|_| {
        keikaku_app::forms::parse_revision(&posted.get("revision"))
            .ok()
            .flatten()
            .unwrap_or(0)
    });
    let result = match parse_form(&form) {
        Ok(program) => save_program(&cx, granted, made_in, program, expected, now()?)
            .await
            .map(|_| ()),
        // Every problem at once: those of reading the form and those a save would find.
        Err(_) => Err(AppError::Invalid(
            form_problems(&cx, granted, made_in, &form).await?,
        )),
    };
    let mut values = posted.values.clone();
    if let Some(c) = code {
        values.insert("code".to_owned(), c.to_owned());
    }
    let shown = |status, errors, conflict, revision: String| Shown {
        values: values.clone(),
        links: posted.links.clone(),
        revision,
        errors,
        conflict,
        status,
    };
    match result {
        Ok(()) => {
            state.catalog.invalidate().await?;
            redirect(&format!("{}?done=saved", edition_href(made_in)))
        }
        Err(AppError::Invalid(problems)) => {
            let errors = problems
                .into_iter()
                .map(|p| (field_id(&p.path), p.message))
                .collect();
            form_page(
                state,
                &view,
                csrf,
                code,
                shown(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    None,
                    posted.get("revision"),
                ),
                None,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            // Nothing typed is lost: the form keeps it, with the stored program beside it and
            // the revision moved on, so saving again is a deliberate choice.
            let view = edition(&cx, granted, made_in).await?;
            let revision = code
                .and_then(|c| view.program(c))
                .map(|p| p.revision.to_string())
                .unwrap_or_default();
            let message = format!(
                "{m} 入力した内容は下のフォームに残っています。保存されている内容と見比べて、必要なら直してからもう一度保存してください。"
            );
            form_page(
                state,
                &view,
                csrf,
                code,
                shown(StatusCode::CONFLICT, Vec::new(), Some(message), revision),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /staff/implementation-plans/{year}/programs`: a new program.
pub(super) async fn create(
    State(state): State<AppState>,
    PagePath(year): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    save_posted(&state, &granted, &signed.csrf, made_in, None, &form).await
}

/// `POST /staff/implementation-plans/{year}/programs/{code}`: a change.
pub(super) async fn save(
    State(state): State<AppState>,
    PagePath((year, code)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    save_posted(&state, &granted, &signed.csrf, made_in, Some(&code), &form).await
}

/// The program's form again after a refused delete, with the reason.
async fn delete_refused(
    state: &AppState,
    granted: &Granted,
    csrf: &str,
    made_in: FiscalYear,
    code: &str,
    status: StatusCode,
    conflict: String,
) -> Result<Response, WebError> {
    let view = edition(&state.catalog.context(), granted, made_in).await?;
    let Some(record) = view.program(code) else {
        return redirect(&format!("{}?done=deleted", edition_href(made_in)));
    };
    let (values, links) = values_of(&record.program, &view);
    let shown = Shown {
        values,
        links,
        revision: record.revision.to_string(),
        errors: Vec::new(),
        conflict: Some(conflict),
        status,
    };
    form_page(state, &view, csrf, Some(code), shown, None).await
}

/// `POST /staff/implementation-plans/{year}/programs/{code}/delete` (`revision`, `confirm`).
pub(super) async fn delete(
    State(state): State<AppState>,
    PagePath((year, code)): PagePath<(String, String)>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<Posted>,
) -> Result<Response, WebError> {
    let made_in = year_of(&year)?;
    if form.get("confirm") != "yes" {
        let message =
            "削除するには、「この事業を削除します」にチェックを入れてください。".to_owned();
        return delete_refused(
            &state,
            &granted,
            &signed.csrf,
            made_in,
            &code,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )
        .await;
    }
    let cx = state.catalog.context();
    match delete_program(&cx, &granted, made_in, &code, &form.get("revision"), now()?).await {
        Ok(()) => redirect(&format!("{}?done=deleted", edition_href(made_in))),
        Err(AppError::Conflict(m)) => {
            delete_refused(
                &state,
                &granted,
                &signed.csrf,
                made_in,
                &code,
                StatusCode::CONFLICT,
                m,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
