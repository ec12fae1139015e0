//! Administrators' management of user accounts: the list with a form to add a user, and per
//! user a page to change name, department and roles, disable or re-enable the account and set
//! a new password. The route table allows them to administrators only.
//!
//! Every form carries the session's CSRF token and, on a user's page, the user's fingerprint
//! as shown, so that a change made meanwhile by someone else is refused rather than
//! overwritten. Problems are shown next to their field (status 422) with what was typed kept —
//! except passwords, which are never sent back.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keikaku_app::access::Granted;
use keikaku_app::{AppError, auth, users};
use keikaku_domain::account::{LoginId, Role};
use serde::Deserialize;

use crate::AppState;
use crate::clock::now;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::routes::{Route, route};
use crate::staff::extract::{StaffFields, StaffForm, StaffUser};
use crate::staff::{private_page, redirect, staff_layout};
use crate::views;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff/users" => users, ManageUsers, "/staff/users"),
    route!(POST "/staff/users" => create_user, ManageUsers, "/staff/users"),
    route!(
        GET "/staff/users/{login}" => user,
        ManageUsers,
        "/staff/users/e2e-admin"
    ),
    route!(
        POST "/staff/users/{login}" => update_user,
        ManageUsers,
        "/staff/users/e2e-admin"
    ),
    route!(
        POST "/staff/users/{login}/disable" => disable_user,
        ManageUsers,
        "/staff/users/e2e-admin/disable"
    ),
    route!(
        POST "/staff/users/{login}/enable" => enable_user,
        ManageUsers,
        "/staff/users/e2e-admin/enable"
    ),
    route!(
        POST "/staff/users/{login}/password" => reset_password,
        ManageUsers,
        "/staff/users/e2e-admin/password"
    ),
];

/// What pages say about each role besides its name.
fn role_hint(role: Role) -> &'static str {
    match role {
        Role::Administrator => "利用者の管理と監査ログの閲覧を含む、すべての操作ができます。",
        Role::PlanningOffice => {
            "企画（計画担当）: すべての計画の閲覧・編集と、計画の状態の変更（公開を含む）ができます。"
        }
        Role::DepartmentEditor => "所管課: 公開前の計画を閲覧し、担当する項目を編集できます。",
        Role::Member => "審議会等の委員: 公開前の計画を閲覧できます。",
    }
}

/// A role's checkbox.
struct RoleChoice {
    code: &'static str,
    label: &'static str,
    hint: &'static str,
    checked: bool,
}

fn role_choices(selected: &[Role]) -> Vec<RoleChoice> {
    Role::ALL
        .into_iter()
        .map(|r| RoleChoice {
            code: r.code(),
            label: r.label(),
            hint: role_hint(r),
            checked: selected.contains(&r),
        })
        .collect()
}

/// Problems of a form, by field name (`login_id`, `display_name`, `department`, `roles`,
/// `password`, `disabled`).
#[derive(Default)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn from_app(problems: Vec<keikaku_planfile::FileProblem>) -> Self {
        Self(problems.into_iter().map(|p| (p.path, p.message)).collect())
    }

    fn one(field: &str, message: String) -> Self {
        Self(vec![(field.to_owned(), message)])
    }

    /// The problems of one field, joined (templates show them next to the field).
    fn get(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self
            .0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join(" "))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem, with the id of the field it belongs to (for the summary's links).
    fn summary(&self, ids: &[(&str, &'static str)]) -> Vec<(&'static str, String)> {
        self.0
            .iter()
            .map(|(field, message)| {
                let id = ids
                    .iter()
                    .find(|(f, _)| f == field)
                    .map_or("main", |(_, id)| *id);
                (id, message.clone())
            })
            .collect()
    }
}

/// The element ids of the fields, for the error summaries.
const FIELD_IDS: &[(&str, &str)] = &[
    ("login_id", "user-login-id"),
    ("display_name", "user-name"),
    ("department", "user-department"),
    ("roles", "user-role-administrator"),
    ("password", "user-password"),
    ("disabled", "state-heading"),
];

/// The name, department and roles fields as a form shows them.
struct UserFields {
    display_name: String,
    department: String,
    roles: Vec<RoleChoice>,
}

/// A form's fields in order; a field may repeat (the role checkboxes).
#[derive(Deserialize)]
#[serde(transparent)]
struct Fields(Vec<(String, String)>);

impl StaffFields for Fields {
    fn csrf(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == "csrf")
            .map(|(_, v)| v.as_str())
    }
}

/// The first value of a field, or "".
fn value<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .0
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The roles ticked in a form; an unknown role code is a bad request.
fn roles(fields: &Fields) -> Result<Vec<Role>, WebError> {
    fields
        .0
        .iter()
        .filter(|(n, _)| n == "roles")
        .map(|(_, code)| {
            Role::from_code(code)
                .ok_or_else(|| WebError::BadRequest(format!("役割「{code}」はありません。")))
        })
        .collect()
}

fn login_id(path: &str) -> Result<LoginId, WebError> {
    LoginId::parse(path).map_err(|_| WebError::NotFound(None))
}

fn user_href(login_id: &LoginId) -> String {
    format!("/staff/users/{login_id}")
}

struct UserRow {
    login_id: String,
    href: String,
    name: String,
    department: String,
    roles: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "staff/users.html")]
struct UsersPage {
    layout: views::Layout,
    csrf: String,
    notice: Option<String>,
    users: Vec<UserRow>,
    login_id: String,
    form: UserFields,
    problems: Problems,
    summary: Vec<(&'static str, String)>,
}

/// The input of the form to add a user (the password is never shown again).
struct NewUserInput {
    login_id: String,
    display_name: String,
    department: String,
    roles: Vec<Role>,
}

async fn users_page(
    state: &AppState,
    granted: &Granted,
    csrf: String,
    status: StatusCode,
    created: Option<&str>,
    input: NewUserInput,
    problems: Problems,
) -> Result<Response, WebError> {
    let users = auth::users(&state.catalog.context(), granted).await?;
    let notice = created
        .and_then(|c| users.iter().find(|u| u.login_id.as_str() == c))
        .map(|u| {
            format!(
                "利用者「{}」（ログインID: {}）を登録しました。初期パスワードは本人に安全な方法で伝えてください。",
                u.display_name, u.login_id
            )
        });
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            login_id: u.login_id.to_string(),
            href: user_href(&u.login_id),
            name: u.display_name,
            department: u.department,
            roles: views::roles_label(&u.roles),
            state: if u.disabled { "利用停止" } else { "有効" },
        })
        .collect();
    let title = if problems.is_empty() {
        "利用者の管理".to_owned()
    } else {
        "入力内容に問題があります：利用者の管理".to_owned()
    };
    let page = UsersPage {
        layout: staff_layout(state, &title, &[]).await?,
        csrf,
        notice,
        users: rows,
        login_id: input.login_id,
        form: UserFields {
            display_name: input.display_name,
            department: input.department,
            roles: role_choices(&input.roles),
        },
        summary: problems.summary(FIELD_IDS),
        problems,
    };
    Ok(private_page(status, page.render()?).into_response())
}

/// `GET /staff/users`: every user, with a link to each user's page, and the form to add a
/// user. `?created=<login id>` confirms a user just added.
async fn users(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let csrf = signed.csrf;
    let input = NewUserInput {
        login_id: String::new(),
        display_name: String::new(),
        department: String::new(),
        roles: Vec::new(),
    };
    users_page(
        &state,
        &granted,
        csrf,
        StatusCode::OK,
        query.get("created").map(String::as_str),
        input,
        Problems::default(),
    )
    .await
}

/// `POST /staff/users`: adds a user (login id, name, department, roles, initial password).
/// Success: 303 to the list with a confirmation. Problems: the list again with each problem
/// next to its field (422; 409 when the login id is taken), the input kept but the password.
async fn create_user(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form: fields,
    }: StaffForm<Fields>,
) -> Result<Response, WebError> {
    let csrf = signed.csrf;
    let new = users::NewUser {
        login_id: value(&fields, "login_id").to_owned(),
        display_name: value(&fields, "display_name").to_owned(),
        department: value(&fields, "department").to_owned(),
        roles: roles(&fields)?,
        password: value(&fields, "password").to_owned(),
    };
    let input = NewUserInput {
        login_id: new.login_id.clone(),
        display_name: new.display_name.clone(),
        department: new.department.clone(),
        roles: new.roles.clone(),
    };
    let cx = state.catalog.context();
    let (status, problems) = match users::create_user(&cx, &granted, new, now()?).await {
        Ok(user) => {
            tracing::info!(by = %granted.user().login_id, login_id = %user.login_id, "user created");
            return redirect(&format!("/staff/users?created={}", user.login_id));
        }
        Err(AppError::Invalid(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Problems::from_app(problems),
        ),
        Err(AppError::Conflict(message)) => {
            (StatusCode::CONFLICT, Problems::one("login_id", message))
        }
        Err(other) => return Err(other.into()),
    };
    users_page(&state, &granted, csrf, status, None, input, problems).await
}

#[derive(Template)]
#[template(path = "staff/user_form.html")]
struct UserPage {
    layout: views::Layout,
    csrf: String,
    login_id: String,
    href: String,
    seen: String,
    disabled: bool,
    is_self: bool,
    notice: Option<String>,
    conflict: Option<String>,
    form: UserFields,
    problems: Problems,
    summary: Vec<(&'static str, String)>,
}

/// What a user's page shows besides the stored user.
struct UserView {
    status: StatusCode,
    /// The fingerprint the forms carry (what the administrator saw); `None`: the stored one.
    seen: Option<String>,
    /// The name, department and roles typed, shown instead of the stored ones.
    input: Option<users::UserEdit>,
    notice: Option<String>,
    conflict: Option<String>,
    problems: Problems,
}

impl UserView {
    fn ok(notice: Option<String>) -> Self {
        Self {
            status: StatusCode::OK,
            seen: None,
            input: None,
            notice,
            conflict: None,
            problems: Problems::default(),
        }
    }
}

async fn user_page(
    state: &AppState,
    granted: &Granted,
    csrf: String,
    login_id: &LoginId,
    view: UserView,
) -> Result<Response, WebError> {
    let user = users::user(&state.catalog.context(), granted, login_id).await?;
    let form = match view.input {
        Some(input) => UserFields {
            display_name: input.display_name,
            department: input.department,
            roles: role_choices(&input.roles),
        },
        None => UserFields {
            display_name: user.display_name.clone(),
            department: user.department.clone(),
            roles: role_choices(&user.roles),
        },
    };
    let prefix = if view.problems.is_empty() && view.conflict.is_none() {
        ""
    } else {
        "入力内容に問題があります："
    };
    let title = format!("{prefix}利用者「{}」の変更", user.login_id);
    let page = UserPage {
        layout: staff_layout(state, &title, &[]).await?,
        csrf,
        login_id: user.login_id.to_string(),
        href: user_href(&user.login_id),
        seen: view.seen.unwrap_or_else(|| users::fingerprint(&user)),
        disabled: user.disabled,
        is_self: granted.user().login_id == user.login_id,
        notice: view.notice,
        conflict: view.conflict,
        form,
        summary: view.problems.summary(FIELD_IDS),
        problems: view.problems,
    };
    Ok(private_page(view.status, page.render()?).into_response())
}

/// `GET /staff/users/{login}`: the forms to change a user, disable or re-enable them and set
/// a new password. `?done=saved|disabled|enabled|password` confirms what was just done.
async fn user(
    State(state): State<AppState>,
    PagePath(login): PagePath<String>,
    Query(query): Query<HashMap<String, String>>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let csrf = signed.csrf;
    let login_id = login_id(&login)?;
    let notice = query.get("done").and_then(|done| match done.as_str() {
        "saved" => Some("利用者の情報を保存しました。変更は監査ログに記録されました。"),
        "disabled" => Some(
            "この利用者の利用を停止しました。ログイン中のセッションも終了しました。変更は監査ログに記録されました。",
        ),
        "enabled" => Some("この利用者の利用を再開しました。変更は監査ログに記録されました。"),
        "password" => Some(
            "パスワードを再設定しました。この利用者のログイン中のセッションは終了しました。新しいパスワードは本人に安全な方法で伝えてください。",
        ),
        _ => None,
    });
    user_page(
        &state,
        &granted,
        csrf,
        &login_id,
        UserView::ok(notice.map(str::to_owned)),
    )
    .await
}

/// The page again after a refused change: 422 with the problems next to their fields, or 409
/// with the stored user as it is now when someone else changed it meanwhile.
async fn refused(
    state: &AppState,
    granted: &Granted,
    csrf: String,
    login_id: &LoginId,
    seen: &str,
    input: Option<users::UserEdit>,
    error: AppError,
) -> Result<Response, WebError> {
    let view = match error {
        AppError::Invalid(problems) => UserView {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            seen: Some(seen.to_owned()),
            input,
            notice: None,
            conflict: None,
            problems: Problems::from_app(problems),
        },
        AppError::Conflict(message) => UserView {
            status: StatusCode::CONFLICT,
            conflict: Some(message),
            ..UserView::ok(None)
        },
        other => return Err(other.into()),
    };
    user_page(state, granted, csrf, login_id, view).await
}

/// `POST /staff/users/{login}`: saves name, department and roles.
async fn update_user(
    State(state): State<AppState>,
    PagePath(login): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form: fields,
    }: StaffForm<Fields>,
) -> Result<Response, WebError> {
    let csrf = signed.csrf;
    let login_id = login_id(&login)?;
    let seen = value(&fields, "seen");
    let edit = users::UserEdit {
        display_name: value(&fields, "display_name").to_owned(),
        department: value(&fields, "department").to_owned(),
        roles: roles(&fields)?,
    };
    let cx = state.catalog.context();
    match users::update_user(&cx, &granted, &login_id, seen, edit.clone(), now()?).await {
        Ok(_) => {
            tracing::info!(by = %granted.user().login_id, %login_id, "user changed");
            redirect(&format!("{}?done=saved", user_href(&login_id)))
        }
        Err(e) => refused(&state, &granted, csrf, &login_id, seen, Some(edit), e).await,
    }
}

async fn set_disabled(
    state: AppState,
    login: String,
    form: StaffForm<Fields>,
    disabled: bool,
) -> Result<Response, WebError> {
    let StaffForm {
        signed,
        granted,
        form: fields,
    } = form;
    let csrf = signed.csrf;
    let login_id = login_id(&login)?;
    let seen = value(&fields, "seen");
    let cx = state.catalog.context();
    match users::set_disabled(&cx, &granted, &login_id, seen, disabled, now()?).await {
        Ok(_) => {
            tracing::info!(by = %granted.user().login_id, %login_id, disabled, "user state changed");
            let done = if disabled { "disabled" } else { "enabled" };
            redirect(&format!("{}?done={done}", user_href(&login_id)))
        }
        Err(e) => refused(&state, &granted, csrf, &login_id, seen, None, e).await,
    }
}

/// `POST /staff/users/{login}/disable`: the user can no longer sign in; their sessions end.
async fn disable_user(
    State(state): State<AppState>,
    PagePath(login): PagePath<String>,
    form: StaffForm<Fields>,
) -> Result<Response, WebError> {
    set_disabled(state, login, form, true).await
}

/// `POST /staff/users/{login}/enable`: the user may sign in again.
async fn enable_user(
    State(state): State<AppState>,
    PagePath(login): PagePath<String>,
    form: StaffForm<Fields>,
) -> Result<Response, WebError> {
    set_disabled(state, login, form, false).await
}

/// `POST /staff/users/{login}/password`: sets a new password; the user's sessions end.
async fn reset_password(
    State(state): State<AppState>,
    PagePath(login): PagePath<String>,
    StaffForm {
        signed,
        granted,
        form: fields,
    }: StaffForm<Fields>,
) -> Result<Response, WebError> {
    let csrf = signed.csrf;
    let login_id = login_id(&login)?;
    let seen = value(&fields, "seen");
    let password = value(&fields, "password");
    let cx = state.catalog.context();
    match users::reset_password(&cx, &granted, &login_id, seen, password, now()?).await {
        Ok(_) => {
            tracing::info!(by = %granted.user().login_id, %login_id, "password reset");
            redirect(&format!("{}?done=password", user_href(&login_id)))
        }
        Err(e) => refused(&state, &granted, csrf, &login_id, seen, None, e).await,
    }
}
