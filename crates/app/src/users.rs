//! Administrators manage user accounts: create a user, change a user's name, department and
//! roles, disable and re-enable an account, and set a new password.
//!
//! Every use case takes a [`Granted`] for [`Action::ManageUsers`] and the time of the change,
//! and writes through the storage port with an audit entry (`user.create`, `user.update`,
//! `user.disable`, `user.enable`, `user.password`) that holds the user's fields only — never a
//! password or its hash.
//!
//! - **Lock-out protection:** administrators cannot disable themselves or take the
//!   administrator role away from themselves, so the acting administrator always remains one.
//! - **Concurrency:** a change carries the [`fingerprint`] of the user as the administrator saw
//!   it; when the stored user no longer has that fingerprint (someone changed it meanwhile)
//!   the change is refused as an [`AppError::Conflict`] instead of overwriting. The check and
//!   the write are two calls of the port, so two changes landing within the same instant can
//!   still both pass; the port has no compare-and-set for users yet.

use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User, check_new_password, normalize_roles};
use keikaku_domain::audit::Timestamp;
use keikaku_planfile::FileProblem;
use keikaku_storage::{AccountStore, Author, UserChange};

use crate::AppError;
use crate::access::{Action, Granted, require};
use crate::auth::{audit_text, hash_password, store_new_user, token_hash};

/// A user to create, as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    /// Login id (checked with [`LoginId::parse`] after trimming).
    pub login_id: String,
    /// Name shown on pages.
    pub display_name: String,
    /// 所管課; may be empty.
    pub department: String,
    /// Roles (at least one).
    pub roles: Vec<Role>,
    /// The initial password (checked with [`check_new_password`]).
    pub password: String,
}

/// The fields of a user an administrator may change.
#[derive(Clone, Debug, Default)]
pub struct UserEdit {
    /// Name shown on pages.
    pub display_name: String,
    /// 所管課; may be empty.
    pub department: String,
    /// Roles (at least one).
    pub roles: Vec<Role>,
}

/// A short text that changes whenever the user's login id, name, department, roles or
/// disabled flag change (the hex SHA-256 of what the audit log keeps of the user). Forms carry
/// it so that a change made meanwhile is noticed. It does not depend on the password.
pub fn fingerprint(user: &User) -> String {
    token_hash(&audit_text(user))
}

/// One user of the municipality with its [`fingerprint`], or [`AppError::NotFound`].
pub async fn user(
    granted: &Granted,
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    login_id: &LoginId,
) -> Result<User, AppError> {
    require(granted, Action::ManageUsers)?;
    current(store, code, login_id).await
}

async fn current(
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    login_id: &LoginId,
) -> Result<User, AppError> {
    match store.user(code, login_id).await? {
        Some((user, _)) => Ok(user),
        None => Err(AppError::NotFound(format!(
            "ログインID「{login_id}」の利用者は登録されていません。"
        ))),
    }
}

fn problem(path: &str, message: impl Into<String>) -> FileProblem {
    FileProblem {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Creates a user with an initial password. Every problem is reported at once
/// ([`AppError::Invalid`], the path being the field: `login_id`, `display_name`, `department`,
/// `roles`, `password`); a login id in use is an [`AppError::Conflict`]. The audit entry
/// (`user.create`) names the administrator.
pub async fn create_user(
    granted: &Granted,
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    new: NewUser,
    at: Timestamp,
) -> Result<User, AppError> {
    require(granted, Action::ManageUsers)?;
    let login_id = LoginId::parse(new.login_id.trim());
    let user = User {
        // When the login id is refused, the other fields are still checked (every problem at
        // once); the administrator's own id stands in for it meanwhile.
        login_id: login_id
            .clone()
            .unwrap_or_else(|_| granted.user().login_id.clone()),
        display_name: new.display_name.trim().to_owned(),
        department: new.department.trim().to_owned(),
        roles: normalize_roles(new.roles),
        disabled: false,
    };
    let mut problems = Vec::new();
    if let Err(e) = &login_id {
        problems.push(problem("login_id", e.0.clone()));
    }
    problems.extend(
        user.problems()
            .into_iter()
            .map(|(field, message)| problem(field, message)),
    );
    if let Err(e) = check_new_password(&user.login_id, &new.password) {
        problems.push(problem("password", e.0));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let actor = granted.user().login_id.to_string();
    store_new_user(&actor, store, code, user.clone(), &new.password, at).await?;
    Ok(user)
}

/// Loads the user the administrator changes and checks that it is still as they saw it.
async fn as_seen(
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    login_id: &LoginId,
    seen: &str,
) -> Result<User, AppError> {
    let user = current(store, code, login_id).await?;
    if !crate::auth::same_token(&fingerprint(&user), seen) {
        return Err(AppError::Conflict(format!(
            "利用者「{login_id}」は、この画面を開いた後にほかの人が変更しています。変更は保存していません。画面を開き直し、最新の内容を確かめてからもう一度操作してください。"
        )));
    }
    Ok(user)
}

/// Writes a changed user with its audit entry; `password_hash` replaces the password.
async fn write(
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    author: &Author,
    action: &str,
    before: &User,
    after: &User,
    password_hash: Option<&str>,
) -> Result<(), AppError> {
    let change = UserChange {
        action: action.to_owned(),
        before: Some(audit_text(before)),
        after: Some(audit_text(after)),
    };
    if store
        .update_user(code, after, Some(before), password_hash, author, &change)
        .await
        .map_err(|e| match e {
            keikaku_storage::StoreError::Stale(_) => AppError::Conflict(format!(
                "利用者「{}」は、この画面を開いた後にほかの人が変更しています。変更は保存していません。画面を開き直し、最新の内容を確かめてからもう一度操作してください。",
                after.login_id
            )),
            other => AppError::from(other),
        })?
    {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "ログインID「{}」の利用者は登録されていません。",
            after.login_id
        )))
    }
}

/// The administrator acting, at a time, for the audit log.
fn author(granted: &Granted, at: Timestamp) -> Author {
    Author {
        actor: granted.user().login_id.to_string(),
        at,
    }
}

/// Whether the acting administrator is this user.
fn is_self(granted: &Granted, login_id: &LoginId) -> bool {
    granted.user().login_id == *login_id
}

/// Changes a user's name, department and roles. `seen` is the [`fingerprint`] of the user as
/// the administrator saw it (else [`AppError::Conflict`]). Problems with the fields are
/// [`AppError::Invalid`] with the field as the path; administrators cannot take the
/// administrator role away from themselves (`roles`). Nothing is written (and nothing
/// audited) when nothing changes. Role changes apply to the user's open sessions at once.
pub async fn update_user(
    granted: &Granted,
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    login_id: &LoginId,
    seen: &str,
    edit: UserEdit,
    at: Timestamp,
) -> Result<User, AppError> {
    require(granted, Action::ManageUsers)?;
    let before = as_seen(store, code, login_id, seen).await?;
    let after = User {
        display_name: edit.display_name.trim().to_owned(),
        department: edit.department.trim().to_owned(),
        roles: normalize_roles(edit.roles),
        ..before.clone()
    };
    let mut problems: Vec<FileProblem> = after
        .problems()
        .into_iter()
        .map(|(field, message)| problem(field, message))
        .collect();
    if is_self(granted, login_id) && !after.has(Role::Administrator) {
        problems.push(problem(
            "roles",
            "自分自身の「管理者」の役割は外せません（管理できる人がいなくなるのを防ぐため）。ほかの管理者に依頼してください。",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    if after == before {
        return Ok(after);
    }
    let author = author(granted, at);
    write(store, code, &author, "user.update", &before, &after, None).await?;
    Ok(after)
}

/// Disables (`disabled: true`) or re-enables a user. A disabled user cannot sign in and their
/// open sessions end at once; the account stays for the audit log. `seen` as for
/// [`update_user`]. Administrators cannot disable themselves ([`AppError::Invalid`], path
/// `disabled`). Nothing is written when the user is already in that state.
pub async fn set_disabled(
    granted: &Granted,
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    login_id: &LoginId,
    seen: &str,
    disabled: bool,
    at: Timestamp,
) -> Result<User, AppError> {
    require(granted, Action::ManageUsers)?;
    let before = as_seen(store, code, login_id, seen).await?;
    if disabled && is_self(granted, login_id) {
        return Err(AppError::Invalid(vec![problem(
            "disabled",
            "自分自身のアカウントは利用停止にできません（管理できる人がいなくなるのを防ぐため）。ほかの管理者に依頼してください。",
        )]));
    }
    if before.disabled == disabled {
        return Ok(before);
    }
    let after = User {
        disabled,
        ..before.clone()
    };
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    write(
        store,
        code,
        &author(granted, at),
        action,
        &before,
        &after,
        None,
    )
    .await?;
    Ok(after)
}

/// Sets a new password for a user (checked with [`check_new_password`]: problems are
/// [`AppError::Invalid`] with the path `password`) and ends the user's open sessions. `seen` as
/// for [`update_user`]. The audit entry (`user.password`) records that the password was
/// changed and by whom, never the password or its hash.
pub async fn reset_password(
    granted: &Granted,
    store: &dyn AccountStore,
    code: &MunicipalityCode,
    login_id: &LoginId,
    seen: &str,
    password: &str,
    at: Timestamp,
) -> Result<User, AppError> {
    require(granted, Action::ManageUsers)?;
    let user = as_seen(store, code, login_id, seen).await?;
    if let Err(e) = check_new_password(login_id, password) {
        return Err(AppError::Invalid(vec![problem("password", e.0)]));
    }
    let hash = hash_password(password).await?;
    write(
        store,
        code,
        &author(granted, at),
        "user.password",
        &user,
        &user,
        Some(&hash),
    )
    .await?;
    Ok(user)
}
