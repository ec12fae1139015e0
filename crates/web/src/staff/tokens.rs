//! Personal access tokens, the staff pages: users make, list and revoke their own tokens for
//! the API (the API's side, bearer authentication, is `api::auth`).
//!
//! `GET /staff/tokens` lists the signed-in user's tokens with a form to make one (name and an
//! optional expiry in days); `POST /staff/tokens` makes it and shows the secret on the result
//! page — once: only its hash is stored; `POST /staff/tokens/{id}/revoke` revokes one. Every
//! POST carries the session's CSRF token; the pages are `no-store`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use keikaku_app::AppError;
use keikaku_app::access::Granted;
use keikaku_app::tokens::{self, TokenRecord, TokenState};
use keikaku_domain::audit::Timestamp;
use serde::Deserialize;

use crate::AppState;
use crate::clock::{jst_label, now};
use crate::error::WebError;
use crate::paths::PagePath;
use crate::routes::{Route, route};
use crate::staff::extract::{CsrfOnly, StaffFields, StaffForm, StaffUser};
use crate::staff::staff_layout;
use crate::staff::{private_page, redirect};
use crate::views::Layout;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/staff/tokens" => list, ManageOwnTokens, "/staff/tokens"),
    route!(POST "/staff/tokens" => create, ManageOwnTokens, "/staff/tokens"),
    route!(
        POST "/staff/tokens/{id}/revoke" => revoke,
        ManageOwnTokens,
        "/staff/tokens/0123456789abcdef/revoke"
    ),
];

struct TokenRow {
    id: String,
    name: String,
    created: String,
    expires: String,
    last_used: String,
    state: &'static str,
    active: bool,
}

fn row(t: &TokenRecord, at: Timestamp) -> TokenRow {
    let state = TokenState::of(t, at);
    TokenRow {
        id: t.id.clone(),
        name: t.name.clone(),
        created: jst_label(t.created_at),
        expires: t.expires_at.map_or_else(|| "無期限".to_owned(), jst_label),
        last_used: t
            .last_used_at
            .map_or_else(|| "未使用".to_owned(), jst_label),
        state: state.label(),
        active: state == TokenState::Active,
    }
}

#[derive(Template)]
#[template(path = "staff/tokens.html")]
struct TokensPage {
    layout: Layout,
    csrf: String,
    tokens: Vec<TokenRow>,
    notice: Option<String>,
    /// Whether the form came back with problems (the summary is shown).
    has_errors: bool,
    /// A message for the whole form (e.g. too many tokens).
    form_error: Option<String>,
    name: String,
    name_error: Option<String>,
    days: String,
    days_error: Option<String>,
    max_name: usize,
    max_days: u32,
}

#[derive(Template)]
#[template(path = "staff/token_created.html")]
struct CreatedPage {
    layout: Layout,
    name: String,
    expires: String,
    secret: String,
}

const TITLE: &str = "APIアクセストークン";

/// The form typed so far and what was wrong with it.
#[derive(Default)]
struct Typed {
    name: String,
    days: String,
    name_error: Option<String>,
    days_error: Option<String>,
    form_error: Option<String>,
}

async fn list_page(
    state: &AppState,
    granted: &Granted,
    csrf: &str,
    status: StatusCode,
    notice: Option<String>,
    typed: Typed,
) -> Result<Response, WebError> {
    let at = now()?;
    let tokens = tokens::own_tokens(&state.catalog.context(), granted).await?;
    let page = TokensPage {
        layout: staff_layout(state, TITLE, &[("職員用ページ", "/staff".to_owned())]).await?,
        csrf: csrf.to_owned(),
        tokens: tokens.iter().map(|t| row(t, at)).collect(),
        notice,
        has_errors: typed.form_error.is_some()
            || typed.name_error.is_some()
            || typed.days_error.is_some(),
        form_error: typed.form_error,
        name: typed.name,
        name_error: typed.name_error,
        days: typed.days,
        days_error: typed.days_error,
        max_name: tokens::MAX_NAME_CHARS,
        max_days: tokens::MAX_EXPIRY_DAYS,
    };
    Ok(private_page(status, page.render()?))
}

/// `GET /staff/tokens`: the signed-in user's tokens, newest first, and the form to make one.
async fn list(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    StaffUser { signed, granted }: StaffUser,
) -> Result<Response, WebError> {
    let notice = match query.get("revoked") {
        Some(id) => {
            let cx = state.catalog.context();
            tokens::own_tokens(&cx, &granted)
                .await?
                .into_iter()
                .find(|t| &t.id == id && t.revoked_at.is_some())
                .map(|t| format!("トークン「{}」を失効させました。このトークンを使った要求は、今後すべて拒否されます。", t.name))
        }
        None => None,
    };
    list_page(
        &state,
        &granted,
        &signed.csrf,
        StatusCode::OK,
        notice,
        Typed::default(),
    )
    .await
}

/// The fields of the form that makes a token.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
}

impl StaffFields for CreateForm {
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// The expiry field: blank is no expiry; digits (full-width ones too) are days.
fn parse_days(text: &str) -> Result<Option<u32>, String> {
    let digits: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            c => c,
        })
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    match digits.parse::<u32>() {
        Ok(days) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(days)),
        _ => Err(format!(
            "有効期限は1から{}までの日数を数字で入力してください（無期限の場合は空欄にします）。",
            tokens::MAX_EXPIRY_DAYS
        )),
    }
}

/// `POST /staff/tokens`: makes a token and shows its secret, once. Problems with the form show
/// the list page again with the messages next to their fields (422), a user with too many
/// tokens gets 409.
async fn create(
    State(state): State<AppState>,
    StaffForm {
        signed,
        granted,
        form,
    }: StaffForm<CreateForm>,
) -> Result<Response, WebError> {
    let mut typed = Typed {
        name: form.name.chars().take(tokens::MAX_NAME_CHARS * 2).collect(),
        days: form.expires_in_days.chars().take(8).collect(),
        ..Typed::default()
    };
    let days = match parse_days(&form.expires_in_days) {
        Ok(days) => days,
        Err(message) => {
            typed.days_error = Some(message);
            // The name is checked too, so that every problem shows at once.
            typed.name_error = tokens::problems(form.name.trim(), None)
                .into_iter()
                .next()
                .map(|p| p.message);
            return list_page(
                &state,
                &granted,
                &signed.csrf,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                typed,
            )
            .await;
        }
    };
    let result =
        tokens::create_token(&state.catalog.context(), &granted, &form.name, days, now()?).await;
    let status = match result {
        Ok(made) => {
            tracing::info!(login_id = %signed.user.login_id, token = %made.token.id, "API token created");
            return created_page(&state, made).await;
        }
        Err(AppError::Invalid(problems)) => {
            for p in problems {
                match p.path.as_str() {
                    "name" => typed.name_error = Some(p.message),
                    "expires_in_days" => typed.days_error = Some(p.message),
                    _ => typed.form_error = Some(p.message),
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Conflict(message)) => {
            typed.form_error = Some(message);
            StatusCode::CONFLICT
        }
        Err(other) => return Err(other.into()),
    };
    list_page(&state, &granted, &signed.csrf, status, None, typed).await
}

/// The page that shows a token just made, with its secret — the only time it is shown.
async fn created_page(state: &AppState, made: tokens::NewToken) -> Result<Response, WebError> {
    let page = CreatedPage {
        layout: staff_layout(
            state,
            "トークンを作成しました",
            &[
                ("職員用ページ", "/staff".to_owned()),
                (TITLE, "/staff/tokens".to_owned()),
            ],
        )
        .await?,
        name: made.token.name.clone(),
        expires: made
            .token
            .expires_at
            .map_or_else(|| "無期限".to_owned(), jst_label),
        secret: made.secret,
    };
    Ok(private_page(StatusCode::OK, page.render()?))
}

/// `POST /staff/tokens/{id}/revoke`: revokes one of the signed-in user's tokens, then back to
/// the list (303). Someone else's token, an unknown one or one already revoked: 404.
async fn revoke(
    State(state): State<AppState>,
    PagePath(id): PagePath<String>,
    StaffForm {
        signed, granted, ..
    }: StaffForm<CsrfOnly>,
) -> Result<Response, WebError> {
    let revoked = tokens::revoke_own_token(&state.catalog.context(), &granted, &id, now()?).await?;
    tracing::info!(login_id = %signed.user.login_id, token = %revoked.id, "API token revoked");
    redirect(&format!("/staff/tokens?revoked={}", revoked.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_days_are_read_leniently_but_not_guessed() {
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days("  "), Ok(None));
        assert_eq!(parse_days("30"), Ok(Some(30)));
        assert_eq!(parse_days(" ９０ "), Ok(Some(90)));
        assert!(parse_days("+30").is_err());
        assert!(parse_days("30日").is_err());
        assert!(parse_days("-1").is_err());
        assert!(parse_days("99999999999").is_err());
    }
}
