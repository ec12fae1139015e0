//! Errors at the HTTP edge, in one place.
//!
//! - [`Failure`] is the one mapping of a [`keikaku_app::AppError`] — and of the storage error
//!   inside it — onto HTTP: which status it is, for pages and the API alike.
//! - Pages return a [`WebError`]; the response carries it as an extension, and
//!   [`render_errors`] turns it into the Japanese error page with the site's layout.
//! - The API returns an [`ApiError`], answered in the one envelope every API error uses, reads
//!   and writes alike: `{"error":{"code","message","error_id"?,"problems"?,"current"?}}`
//!   ([`ErrorEnvelope`]).
//!
//! Only real faults become 500s, each logged with an id that the page or the envelope shows.

use std::sync::atomic::{AtomicU32, Ordering};

use askama::Template;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use keikaku_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::edit::ElementDto;
use crate::api::kpi::KpiCell;
use crate::api::population::{StaffCensus, StaffPopulation, StaffScenario, StaffVision};
use crate::api::program_editions::StaffEdition;
use crate::api::program_edits::StaffProgram;
use crate::api::rounds::KpiRound;
use crate::views::Layout;

// ---------------------------------------------------------------- the mapping

/// What an application error is to the caller over HTTP.
#[derive(Debug)]
pub(crate) enum Failure {
    /// 404: nothing there (or nothing the caller may see).
    NotFound(String),
    /// 422: the input was refused, every problem with its place.
    Invalid(Vec<keikaku_planfile::FileProblem>),
    /// 403: the caller may not do this.
    Forbidden,
    /// 409: the request conflicts with what is stored (someone else changed it first, it
    /// exists already, something refers to it).
    Conflict(String),
    /// 500: a fault on our side; the detail is logged, never shown.
    Fault(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(m) => Self::NotFound(m),
            AppError::Invalid(problems) => Self::Invalid(problems),
            AppError::Forbidden(_) => Self::Forbidden,
            AppError::Conflict(m) => Self::Conflict(m),
            // The use cases turn the storage errors that are the caller's doing (a plan or a
            // login id that exists, a stale version, a reference in the way) into `Conflict`;
            // one that reaches the edge is a fault (and the web crate does not depend on the
            // storage crate to look inside).
            AppError::Store(e) => Self::Fault(e.to_string()),
        }
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

// ---------------------------------------------------------------- pages

/// What went wrong, as far as the visitor of a page is concerned.
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
    /// The page does not answer this method (405): a form's address opened as a page.
    MethodNotAllowed,
    /// The input was refused (422); pages with a form show the problems in the form instead,
    /// this is for the others.
    Invalid(String),
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
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match Failure::from(e) {
            Failure::NotFound(m) => Self::NotFound(Some(m)),
            Failure::Invalid(problems) => Self::Invalid(
                problems
                    .into_iter()
                    .map(|p| p.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Failure::Forbidden => Self::Forbidden,
            Failure::Conflict(m) => Self::Conflict(m),
            Failure::Fault(detail) => Self::Internal(detail),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
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

/// The heading and the message of the error page.
fn wording(error: &WebError) -> (String, String) {
    match error {
        WebError::NotFound(detail) => (
            "ページが見つかりません".to_owned(),
            detail.clone().unwrap_or_else(|| {
                "お探しのページは見つかりませんでした。アドレスが正しいか確かめるか、検索をお使いください。".to_owned()
            }),
        ),
        WebError::BadRequest(m) => ("リクエストに誤りがあります".to_owned(), m.clone()),
        WebError::Conflict(m) => ("保存できませんでした".to_owned(), m.clone()),
        WebError::MethodNotAllowed => (
            "この方法ではページを開けません".to_owned(),
            "このアドレスは、フォームの送信などでだけ使われます。前のページに戻って、操作をやり直してください。".to_owned(),
        ),
        WebError::Invalid(m) => ("入力内容に問題があります".to_owned(), m.clone()),
        WebError::Forbidden => (
            "このページを見る権限がありません".to_owned(),
            "お使いのアカウントの役割では、このページを表示・操作できません。必要な場合はシステム管理者にお問い合わせください。".to_owned(),
        ),
        WebError::Internal(_) => (
            "システムエラーが発生しました".to_owned(),
            "申し訳ありません。処理中に問題が発生しました。時間をおいて再度お試しください。".to_owned(),
        ),
    }
}

/// Renders the error page for responses that carry a [`WebError`].
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let fault = match response.extensions().get::<Fault>().cloned() {
        Some(fault) => fault,
        // A page asked for with a method it does not answer (a form's address opened as a
        // page, say): the Japanese page, not the router's empty answer.
        None if response.status() == StatusCode::METHOD_NOT_ALLOWED && !api => Fault {
            error: WebError::MethodNotAllowed,
            id: None,
        },
        None => return response,
    };
    let (heading, message) = wording(&fault.error);
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

// ---------------------------------------------------------------- the API

/// The error envelope every API error uses, reads and writes alike.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code: `not_found`, `bad_request`, `method_not_allowed`,
    /// `unauthorized`, `forbidden`, `invalid`, `conflict`, `internal`.
    pub code: &'static str,
    /// Human-readable message (Japanese).
    pub message: String,
    /// For `internal` errors: the id under which the fault was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// For `invalid`: every problem, by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
    /// For `conflict`: what is stored now — the element, the KPI cells written, the
    /// verification round, the 実施計画's program or edition, or the 人口ビジョン's figures,
    /// census, scenario or the whole vision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Current>,
}

/// What a conflicting write meets: the element as it is stored now, for KPI values the cells
/// of the year as they are stored now, for a step of a verification round the round now, for
/// the 実施計画 the program or the edition now, for the 人口ビジョン the record written now (the
/// whole vision for a run of every scenario).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Current {
    /// The element now (boxed: an error stays small where it is passed on).
    Element(Box<ElementDto>),
    /// The stored KPI cells of the ones submitted.
    Values(Vec<KpiCell>),
    /// The verification round as stored now, as the writer reaches it (boxed, like the
    /// element).
    Round(Box<KpiRound>),
    /// A program of the 実施計画 as stored now (a program written or deleted).
    Program(Box<StaffProgram>),
    /// An edition of the 実施計画 as stored now (a step, the frames, the settings, a
    /// department's part).
    Edition(Box<StaffEdition>),
    /// The 人口ビジョン's figures as stored now.
    Vision(Box<StaffVision>),
    /// A census of the 人口ビジョン as stored now.
    Census(Box<StaffCensus>),
    /// A scenario of the 人口ビジョン as stored now.
    Scenario(Box<StaffScenario>),
    /// The whole 人口ビジョン as stored now (a run of every scenario).
    Population(Box<StaffPopulation>),
}

/// One refused field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field (or `links`, `kind`, `version`; empty for the element as a whole); for KPI
    /// values, the JSON path of the request member (`$.values[2].actual`).
    pub field: String,
    /// Why (Japanese).
    pub message: String,
}

/// An API error.
#[derive(Debug)]
pub enum ApiError {
    /// 404.
    NotFound(String),
    /// 400.
    BadRequest(String),
    /// 405: the URL does not take this method.
    MethodNotAllowed,
    /// 403: the caller's token is valid but its user may not do this.
    Forbidden,
    /// 401: a token is needed and none was sent (`invalid_token: false`), or the token sent is
    /// malformed, unknown, revoked or expired, or its user is disabled (`true`).
    Unauthorized {
        /// Whether a token was sent but refused.
        invalid_token: bool,
    },
    /// 422: a write was refused; every problem by field.
    Invalid(Vec<FieldProblem>),
    /// 409: a write conflicts with what is stored, with what is stored now (the element, or
    /// the KPI cells) when the write was to one.
    Conflict {
        /// Why (Japanese).
        message: String,
        /// What is stored now.
        current: Option<Current>,
    },
    /// 500; the detail is logged, not returned.
    Internal(String),
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match Failure::from(e) {
            Failure::NotFound(m) => Self::NotFound(m),
            Failure::Invalid(problems) => Self::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldProblem {
                        field: p.path,
                        message: p.message,
                    })
                    .collect(),
            ),
            Failure::Forbidden => Self::Forbidden,
            Failure::Conflict(message) => Self::Conflict {
                message,
                current: None,
            },
            Failure::Fault(detail) => Self::Internal(detail),
        }
    }
}

impl ApiError {
    /// The status code.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The envelope's body.
    fn body(self) -> ErrorBody {
        let body = |code, message: &str| ErrorBody {
            code,
            message: message.to_owned(),
            error_id: None,
            problems: Vec::new(),
            current: None,
        };
        match self {
            Self::NotFound(m) => body("not_found", &m),
            Self::BadRequest(m) => body("bad_request", &m),
            Self::MethodNotAllowed => body(
                "method_not_allowed",
                "このURLでは、このHTTPメソッドは使えません（使えるメソッドは Allow ヘッダーのとおりです）。",
            ),
            Self::Forbidden => body("forbidden", "この操作をする権限がありません。"),
            Self::Unauthorized {
                invalid_token: true,
            } => body(
                "unauthorized",
                "アクセストークンが無効です（誤り・失効・期限切れ、または利用停止中のアカウントのトークンです）。",
            ),
            Self::Unauthorized {
                invalid_token: false,
            } => body(
                "unauthorized",
                "このAPIを使うには、アクセストークンを Authorization: Bearer ヘッダーで送ってください。",
            ),
            Self::Invalid(problems) => {
                let message = format!("入力に{}件の問題があります。", problems.len());
                ErrorBody {
                    problems,
                    ..body("invalid", &message)
                }
            }
            Self::Conflict { message, current } => ErrorBody {
                current,
                ..body("conflict", &message)
            },
            Self::Internal(detail) => {
                let id = error_id();
                tracing::error!(error_id = %id, %detail, "internal error (api)");
                ErrorBody {
                    error_id: Some(id),
                    ..body("internal", "サーバー内部でエラーが発生しました。")
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let challenge = match &self {
            Self::Unauthorized {
                invalid_token: true,
            } => Some("Bearer realm=\"keikaku\", error=\"invalid_token\""),
            Self::Unauthorized {
                invalid_token: false,
            } => Some("Bearer realm=\"keikaku\""),
            _ => None,
        };
        // For a 405, axum's method router adds the `Allow` header of the path.
        let mut response = (
            status,
            [(header::CACHE_CONTROL, "no-store")],
            Json(ErrorEnvelope { error: self.body() }),
        )
            .into_response();
        if let Some(challenge) = challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use keikaku_planfile::FileProblem;
    use keikaku_storage::StoreError;

    use super::*;

    fn problem(path: &str, message: &str) -> FileProblem {
        FileProblem {
            path: path.to_owned(),
            message: message.to_owned(),
        }
    }

    /// The status a page and the API answer an application error with, and the API's code.
    fn check(error: impl Fn() -> AppError, status: StatusCode, code: &str) {
        let page = WebError::from(error());
        assert_eq!(page.status(), status, "page: {page:?}");
        let api = ApiError::from(error());
        assert_eq!(api.status(), status, "api: {api:?}");
        assert_eq!(api.body().code, code);
    }

    #[test]
    fn not_found_is_404() {
        check(
            || AppError::NotFound("計画「x」は登録されていません。".to_owned()),
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert!(matches!(
            WebError::from(AppError::NotFound("ない".to_owned())),
            WebError::NotFound(Some(m)) if m == "ない"
        ));
    }

    #[test]
    fn invalid_is_422_with_every_problem() {
        let invalid =
            || AppError::Invalid(vec![problem("title", "必須です。"), problem("", "全体")]);
        check(invalid, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let body = ApiError::from(invalid()).body();
        assert_eq!(body.message, "入力に2件の問題があります。");
        assert_eq!(
            body.problems
                .iter()
                .map(|p| (p.field.as_str(), p.message.as_str()))
                .collect::<Vec<_>>(),
            [("title", "必須です。"), ("", "全体")]
        );
        assert!(
            matches!(WebError::from(invalid()), WebError::Invalid(m) if m == "必須です。 全体")
        );
    }

    #[test]
    fn forbidden_is_403() {
        check(
            || AppError::Forbidden("この操作をする権限がありません。".to_owned()),
            StatusCode::FORBIDDEN,
            "forbidden",
        );
    }

    #[test]
    fn conflict_is_409_with_its_message() {
        check(
            || AppError::Conflict("ほかの人が先に変更しています。".to_owned()),
            StatusCode::CONFLICT,
            "conflict",
        );
        let body = ApiError::from(AppError::Conflict("先に変更".to_owned())).body();
        assert_eq!(body.message, "先に変更");
        assert!(body.current.is_none());
    }

    /// The use cases turn the storage errors that are the caller's doing into `Conflict`
    /// (`AppError::from` does so for `PlanExists` and `Referenced`); whatever storage error
    /// still reaches the edge is a fault, whose detail is logged, not shown.
    #[test]
    fn a_storage_error_inside_is_a_500_without_its_detail() {
        use keikaku_domain::account::LoginId;
        use keikaku_domain::{MunicipalityCode, PlanId};
        let every: [fn() -> StoreError; 7] = [
            || StoreError::PlanExists(PlanId::parse("sogo-keikaku").expect("plan id")),
            || StoreError::UnknownMunicipality(MunicipalityCode::parse("03209").expect("code")),
            || StoreError::UserExists(LoginId::parse("kanri").expect("login id")),
            || StoreError::Corrupt("壊れた行".to_owned()),
            || StoreError::Stale("goal-1".to_owned()),
            || StoreError::Referenced("参照あり".to_owned()),
            || StoreError::Backend("database is locked".into()),
        ];
        for inside in every {
            let store = || AppError::Store(inside());
            check(store, StatusCode::INTERNAL_SERVER_ERROR, "internal");
            let detail = inside().to_string();
            assert!(matches!(WebError::from(store()), WebError::Internal(d) if d == detail));
            let body = ApiError::from(store()).body();
            assert_ne!(body.message, detail);
            assert!(body.error_id.is_some());
        }
    }

    #[test]
    fn the_api_envelope_has_one_shape_for_reads_and_writes() {
        let json =
            |e: ApiError| serde_json::to_string(&ErrorEnvelope { error: e.body() }).expect("json");
        assert_eq!(
            json(ApiError::NotFound("そのAPIはありません。".to_owned())),
            r#"{"error":{"code":"not_found","message":"そのAPIはありません。"}}"#
        );
        assert_eq!(
            json(ApiError::Invalid(vec![FieldProblem {
                field: "title".to_owned(),
                message: "必須です。".to_owned()
            }])),
            r#"{"error":{"code":"invalid","message":"入力に1件の問題があります。","problems":[{"field":"title","message":"必須です。"}]}}"#
        );
        assert_eq!(
            json(ApiError::Conflict {
                message: "先に変更".to_owned(),
                current: None
            }),
            r#"{"error":{"code":"conflict","message":"先に変更"}}"#
        );
        let internal = json(ApiError::Internal("detail".to_owned()));
        assert!(internal.starts_with(r#"{"error":{"code":"internal","message":"サーバー内部でエラーが発生しました。","error_id":"E"#));
        assert!(!internal.contains("detail"));
    }
}
