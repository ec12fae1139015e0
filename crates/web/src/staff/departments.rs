//! `GET|POST /staff/departments`: the department list (所管課の一覧) — each 所管課 with its
//! phone, e-mail and page — kept by the planning office. The public element pages show the
//! contact of their 所管課 from it; the department fields of the staff forms offer its names.
//! The form is a table of rows (no JavaScript): the list, then blank rows to add to; a row is
//! removed by ticking 「削除」 or by emptying it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::departments;
use keikaku_domain::department::Department;
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::routes::{Route, route};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::list_form;
use crate::staff::{private_page, redirect, staff_layout};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff/departments" => departments_page, ManageDepartments, "/staff/departments"),
    route!(POST "/staff/departments" => departments_save, ManageDepartments, "/staff/departments"),
];

/// Blank rows offered below the list.
const BLANK_ROWS: usize = 3;

/// One row of the form.
struct Row {
    department: Department,
    remove: bool,
}

#[derive(Template)]
#[template(path = "staff/departments.html")]
struct DepartmentsPage {
    layout: Layout,
    csrf: String,
    revision: String,
    rows: Vec<Row>,
    /// Names the plans and 実施計画 use that the list does not have.
    unlisted: Vec<String>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    saved: bool,
}

impl DepartmentsPage {
    fn error(&self, row: impl std::fmt::Display, field: &str) -> Option<&str> {
        let id = format!("dept-{row}-{field}");
        self.errors
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, m)| m.as_str())
    }
}

/// The 所管課 named by the working copies of the plans and by the 実施計画's programs that the
/// list does not have, sorted.
async fn unlisted(state: &AppState, list: &[Department]) -> Result<Vec<String>, WebError> {
    let mut names = departments::used_names(&state.catalog.context()).await?;
    names.retain(|n| keikaku_domain::department::find(list, n).is_none());
    Ok(names)
}

/// The names the department fields of the staff forms offer: the list first, then the names
/// already in use that it does not have.
pub(crate) async fn offered_names(state: &AppState) -> Result<Vec<String>, WebError> {
    let cx = state.catalog.context();
    let (list, _) = departments::list(&cx).await?;
    let mut names: Vec<String> = list.iter().map(|d| d.name.clone()).collect();
    for n in departments::used_names(&cx).await? {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    Ok(names)
}

#[allow(clippy::too_many_arguments)] // one page, its states
async fn page(
    state: &AppState,
    csrf: &str,
    status: StatusCode,
    revision: String,
    mut rows: Vec<Row>,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    saved: bool,
) -> Result<Response, WebError> {
    let listed: Vec<Department> = rows
        .iter()
        .filter(|r| !r.remove && !r.department.is_blank())
        .map(|r| r.department.normalized())
        .collect();
    let unlisted = unlisted(state, &listed).await?;
    rows.extend((0..BLANK_ROWS).map(|_| Row {
        department: Department::default(),
        remove: false,
    }));
    let page = DepartmentsPage {
        layout: staff_layout(
            state,
            "所管課の一覧",
            &[("職員用ページ", "/staff".to_owned())],
        )
        .await?,
        csrf: csrf.to_owned(),
        revision,
        rows,
        unlisted,
        errors,
        conflict,
        saved,
    };
    Ok(private_page(status, page.render()?))
}

/// `?done=saved` after a save.
#[derive(Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /staff/departments`.
async fn departments_page(
    State(state): State<AppState>,
    StaffUser { signed, .. }: StaffUser,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, WebError> {
    let (list, revision) = departments::list(&state.catalog.context()).await?;
    let rows = list
        .into_iter()
        .map(|department| Row {
            department,
            remove: false,
        })
        .collect();
    page(
        &state,
        &signed.csrf,
        StatusCode::OK,
        revision.to_string(),
        rows,
        Vec::new(),
        None,
        done.done.as_deref() == Some("saved"),
    )
    .await
}

/// The form: `revision`, then `name-N`, `phone-N`, `email-N`, `website-N`, `remove-N` for each
/// row N from 0.
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub(crate) struct DepartmentsForm {
    csrf: Option<String>,
    values: std::collections::BTreeMap<String, String>,
}

impl From<Vec<(String, String)>> for DepartmentsForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self {
            csrf: None,
            values: std::collections::BTreeMap::new(),
        };
        for (k, v) in pairs {
            if k == "csrf" {
                f.csrf = Some(v);
            } else {
                f.values.insert(k, v);
            }
        }
        f
    }
}

impl StaffFields for DepartmentsForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// The most rows a form may carry (a city has a few hundred 課 at most).
const MAX_ROWS: usize = 2000;

impl DepartmentsForm {
    fn get(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }

    /// The rows in their order: up to the highest row number sent.
    fn rows(&self) -> Vec<Row> {
        let last = self
            .values
            .keys()
            .filter_map(|k| k.rsplit_once('-'))
            .filter(|(field, _)| ["name", "phone", "email", "website", "remove"].contains(field))
            .filter_map(|(_, n)| n.parse::<usize>().ok())
            .filter(|n| *n < MAX_ROWS)
            .max();
        let Some(last) = last else {
            return Vec::new();
        };
        (0..=last)
            .map(|i| Row {
                department: Department {
                    name: self.get(&format!("name-{i}")),
                    phone: self.get(&format!("phone-{i}")),
                    email: self.get(&format!("email-{i}")),
                    website: self.get(&format!("website-{i}")),
                },
                remove: !self.get(&format!("remove-{i}")).is_empty(),
            })
            .collect()
    }
}

/// `POST /staff/departments`.
async fn departments_save(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<DepartmentsForm>,
) -> Result<Response, WebError> {
    let mut rows = form.rows();
    let kept: Vec<Department> = list_form::kept_items(
        &mut rows,
        |r| (&r.department, r.department.is_blank()),
        |r| r.remove,
    );
    let revision = form.get("revision");
    match departments::save(&state.catalog.context(), &granted, &kept, &revision, now()?).await {
        Ok(_) => {
            state.catalog.invalidate().await?;
            redirect("/staff/departments?done=saved")
        }
        Err(AppError::Invalid(problems)) => {
            let errors = problems
                .into_iter()
                .map(|p| {
                    let id = list_form::field_id(&p.path, "departments", "dept");
                    (id, p.message)
                })
                .collect();
            page(
                &state,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                revision,
                rows,
                errors,
                None,
                false,
            )
            .await
        }
        Err(AppError::Conflict(m)) => {
            page(
                &state,
                &signed.csrf,
                StatusCode::CONFLICT,
                revision,
                rows,
                Vec::new(),
                Some(m),
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
