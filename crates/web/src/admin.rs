//! Administrators' pages: the audit log (with the result of checking its hash chain) and the
//! list of user accounts. The route table allows them to administrators only.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use keikaku_app::access::{Action, Granted};
use keikaku_app::{auth, history};

use crate::AppState;
use crate::error::WebError;
use crate::history::jst_label;
use crate::staff::{private_response, signed_user, staff_layout};
use crate::views;

/// Entries shown at most.
const AUDIT_LIMIT: u32 = 200;

/// The Japanese name of an audit action.
fn action_label(action: &str) -> &str {
    match action {
        "plan.import" => "計画の取り込み",
        "plan.replace" => "計画の置き換え",
        "plan.delete" => "計画の削除",
        "plan.status" => "計画の状態の変更",
        "user.create" => "利用者の登録",
        "user.update" => "利用者の変更",
        "user.password" => "パスワードの変更",
        other => other,
    }
}

struct EntryRow {
    sequence: u64,
    at: String,
    actor: String,
    action: String,
    target: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: views::Layout,
    chain: String,
    limit: u32,
    entries: Vec<EntryRow>,
}

async fn granted(
    state: &AppState,
    headers: &HeaderMap,
    action: Action,
) -> Result<Granted, WebError> {
    let user = signed_user(state, headers)
        .await?
        .ok_or(WebError::Forbidden)?;
    Ok(Granted::check(user, action)?)
}

/// `GET /staff/audit`.
pub async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let granted = granted(&state, &headers, Action::ReadAudit).await?;
    let code = state.catalog.municipality_code();
    let store = state.catalog.store();
    let chain = match history::verify_audit(&granted, store, code).await? {
        Ok(n) => {
            format!("{n}件の記録を検証しました。ハッシュの連鎖に改ざんは見つかりませんでした。")
        }
        Err(broken) => format!(
            "警告: 記録 {} 番が壊れています（{broken}）。",
            broken.sequence()
        ),
    };
    let entries = history::recent_audit(&granted, store, code, AUDIT_LIMIT)
        .await?
        .into_iter()
        .map(|e| EntryRow {
            sequence: e.sequence,
            at: jst_label(e.at),
            actor: e.actor,
            action: action_label(&e.action).to_owned(),
            target: e.target,
        })
        .collect();
    let page = AuditPage {
        layout: staff_layout(&state, "監査ログ").await?,
        chain,
        limit: AUDIT_LIMIT,
        entries,
    };
    Ok(private_response(StatusCode::OK, page.render()?).into_response())
}

struct UserRow {
    login_id: String,
    name: String,
    department: String,
    roles: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: views::Layout,
    users: Vec<UserRow>,
}

/// `GET /staff/users`.
pub async fn users(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let granted = granted(&state, &headers, Action::ManageUsers).await?;
    let users = auth::users(
        &granted,
        state.catalog.store(),
        state.catalog.municipality_code(),
    )
    .await?
    .into_iter()
    .map(|u| UserRow {
        login_id: u.login_id.to_string(),
        name: u.display_name,
        department: u.department,
        roles: views::roles_label(&u.roles),
        state: if u.disabled { "利用停止" } else { "有効" },
    })
    .collect();
    let page = UsersPage {
        layout: staff_layout(&state, "利用者の一覧").await?,
        users,
    };
    Ok(private_response(StatusCode::OK, page.render()?).into_response())
}
