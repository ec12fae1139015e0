//! Errors at the HTTP edge. A handler returns a [`WebError`]; the response carries it as an
//! extension, and [`render_errors`] turns it into the Japanese error page with the site's
//! layout. Only real faults become 500s, each logged with an id that the page shows.

use std::sync::atomic::{AtomicU32, Ordering};

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::views::Layout;

/// What went wrong, as far as the visitor is concerned.
#[derive(Clone, Debug)]
pub enum WebError {
    /// Nothing here (404), with an optional explanation.
    NotFound(Option<String>),
    /// The request itself is wrong (400).
    BadRequest(String),
    /// The signed-in user may not do this (403).
    Forbidden,
    /// The request conflicts with the stored data, e.g. someone else changed it first (409).
    Conflict(String),
    /// A fault on our side (500); the text goes to the log, never to the page.
    Internal(String),
}

impl WebError {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<keikaku_app::AppError> for WebError {
    fn from(e: keikaku_app::AppError) -> Self {
        match e {
            keikaku_app::AppError::NotFound(m) => Self::NotFound(Some(m)),
            keikaku_app::AppError::Forbidden(_) => Self::Forbidden,
            keikaku_app::AppError::Conflict(m) => Self::Conflict(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

/// An id for a fault, unique enough to find its log line.
pub fn error_id() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "E{:08X}{:04X}",
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed) & 0xFFFF
    )
}

/// A fault that happened; the id is logged with the detail and shown to the user.
#[derive(Clone, Debug)]
pub(crate) struct Fault {
    pub(crate) error: WebError,
    pub(crate) id: Option<String>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let id = match &self {
            Self::Internal(detail) => {
                let id = error_id();
                tracing::error!(error_id = %id, %detail, "internal error");
                Some(id)
            }
            _ => None,
        };
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Fault { error: self, id });
        response
    }
}

#[derive(Template)]
#[template(path = "components/error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
    status: u16,
    error_id: Option<String>,
}

/// Renders the error page for responses that carry a [`WebError`].
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let Some(fault) = response.extensions().get::<Fault>().cloned() else {
        return response;
    };
    let (heading, message) = match &fault.error {
        WebError::NotFound(detail) => (
            "ページが見つかりません".to_owned(),
            detail.clone().unwrap_or_else(|| {
                "お探しのページは見つかりませんでした。アドレスが正しいか確かめるか、検索をお使いください。".to_owned()
            }),
        ),
        WebError::BadRequest(m) => ("リクエストに誤りがあります".to_owned(), m.clone()),
        WebError::Conflict(m) => ("保存できませんでした".to_owned(), m.clone()),
        WebError::Forbidden => (
            "このページを見る権限がありません".to_owned(),
            "お使いのアカウントの役割では、このページを表示・操作できません。必要な場合はシステム管理者にお問い合わせください。".to_owned(),
        ),
        WebError::Internal(_) => (
            "システムエラーが発生しました".to_owned(),
            "申し訳ありません。処理中に問題が発生しました。時間をおいて再度お試しください。".to_owned(),
        ),
    };
    let layout = match state.catalog.site().await {
        Ok(site) => Layout::new(&site, &heading, ""),
        Err(_) => Layout::bare(&heading),
    };
    let page = ErrorPage {
        layout,
        heading,
        message,
        status: fault.error.status().as_u16(),
        error_id: fault.id,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "エラーが発生しました。".to_owned());
    let mut out = (fault.error.status(), body).into_response();
    // Keep what the failing response said besides its body (e.g. the authorization layer's
    // refusal marker, cookies to clear).
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    out.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}
