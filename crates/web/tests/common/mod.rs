//! Shared helpers of the HTTP tests: a [`TestApp`] that holds an in-memory SQLite store with
//! the Ichinoseki example (or a given plan file), the catalog over it and the whole router,
//! and sends requests through the router without a socket.

#![allow(dead_code, clippy::unwrap_used)]

pub mod population;
pub mod programs;

use keikaku_domain::audit::Timestamp;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use http_body_util::BodyExt;
use keikaku_app::Catalog;
use keikaku_app::access::Operator;
use keikaku_app::transfer::{self, ExampleOutcome};
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_storage::{AccountStore, ExistingPlan, Store};
use keikaku_storage_sqlite::SqliteStore;
use keikaku_web::AppState;
use serde_json::Value;
use tower::ServiceExt;

/// The municipality code of the example (一関市).
pub const ICHINOSEKI: &str = "03209";

/// The application under test.
pub struct TestApp {
    /// The store behind the catalog.
    pub store: Arc<SqliteStore>,
    /// The catalog the router serves.
    pub catalog: Arc<Catalog>,
    /// The whole application.
    pub router: Router,
}

/// An in-memory store with the schema.
async fn empty_store() -> Arc<SqliteStore> {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    Arc::new(store)
}

impl TestApp {
    /// The application over the Ichinoseki example.
    pub async fn new() -> Self {
        let store = empty_store().await;
        let outcome =
            transfer::load_example(&Operator::at_console(), store.as_ref(), "ichinoseki", at())
                .await
                .unwrap();
        assert!(matches!(outcome, ExampleOutcome::Loaded(_)), "{outcome:?}");
        Self::over(store).await
    }

    /// The application over the plans of a plan file (the example's municipality).
    pub async fn with_plan_file(text: &str) -> Self {
        let store = empty_store().await;
        transfer::import(
            &Operator::at_console(),
            store.as_ref(),
            text,
            ExistingPlan::Refuse,
            at(),
        )
        .await
        .unwrap();
        Self::over(store).await
    }

    /// The application over a database restored from a backup file.
    pub async fn restored(backup: &str) -> Self {
        let store = empty_store().await;
        keikaku_app::backup::restore(&Operator::at_console(), store.as_ref(), backup)
            .await
            .unwrap();
        Self::over(store).await
    }

    async fn over(store: Arc<SqliteStore>) -> Self {
        let dyn_store: Arc<dyn Store> = store.clone();
        let code = MunicipalityCode::parse(ICHINOSEKI).unwrap();
        let catalog = Arc::new(Catalog::open(dyn_store, code).await.unwrap());
        let router = keikaku_web::router(AppState::new(catalog.clone()));
        Self {
            store,
            catalog,
            router,
        }
    }

    /// The same application with the city's website and emblem configured.
    pub fn with_identity(mut self, identity: keikaku_web::identity::CityIdentity) -> Self {
        self.router =
            keikaku_web::router(AppState::new(self.catalog.clone()).with_identity(identity));
        self
    }

    /// The same application served over HTTPS (cookies marked `Secure`, HSTS).
    pub fn with_https(mut self) -> Self {
        self.router = keikaku_web::router(AppState::new(self.catalog.clone()).with_https(true));
        self
    }

    /// Creates a staff user through the use case, as the operator (role: planning office).
    pub async fn add_user(&self, login_id: &str, display_name: &str, password: &str) {
        self.add_user_with(login_id, display_name, Role::PlanningOffice, password)
            .await;
    }

    /// Creates a staff user with one role through the use case, as the operator.
    pub async fn add_user_with(
        &self,
        login_id: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) {
        self.add_staff(login_id, display_name, role, "企画政策課", password)
            .await;
    }

    /// Creates a staff user with one role in a department through the use case, as the
    /// operator.
    pub async fn add_staff(
        &self,
        login_id: &str,
        display_name: &str,
        role: Role,
        department: &str,
        password: &str,
    ) {
        let user = User {
            login_id: LoginId::parse(login_id).unwrap(),
            display_name: display_name.to_owned(),
            department: department.to_owned(),
            roles: vec![role],
            disabled: false,
        };
        keikaku_app::auth::create_user(
            &self.catalog.context(),
            &Operator::at_console(),
            user,
            password,
            at(),
        )
        .await
        .unwrap();
    }

    /// Signs a user in through the login form (GET /login, then POST with its CSRF token);
    /// the session token of the cookie.
    pub async fn sign_in(&self, login_id: &str, password: &str) -> String {
        let (_, headers, _) = self.get("/login").await;
        let csrf = cookie_value(&set_cookie(&headers, "keikaku_login_csrf").unwrap()).to_owned();
        let (status, headers, body) = self
            .post_form(
                "/login",
                &[
                    ("login_id", login_id),
                    ("password", password),
                    ("csrf", &csrf),
                ],
                &[("keikaku_login_csrf", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        cookie_value(&set_cookie(&headers, "keikaku_session").unwrap()).to_owned()
    }

    /// `GET path` with cookies.
    pub async fn get_with_cookies(
        &self,
        path: &str,
        cookies: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(path);
        if !cookies.is_empty() {
            request = request.header(axum::http::header::COOKIE, cookie_header(cookies));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// `POST path` with a form body (`application/x-www-form-urlencoded`) and cookies.
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookies: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        self.send(form_request(path, fields, cookies)).await
    }

    /// Imports a plan file over the stored plans (replacing those with the same ids) and tells
    /// the catalog, as a write through this process does.
    pub async fn replace(&self, text: &str) {
        transfer::import(
            &Operator::at_console(),
            self.store.as_ref(),
            text,
            ExistingPlan::Replace,
            at(),
        )
        .await
        .unwrap();
        self.catalog.invalidate().await.unwrap();
    }

    /// `GET path`: status, headers and body as text.
    pub async fn get(&self, path: &str) -> (StatusCode, HeaderMap, String) {
        self.get_with(path, &[]).await
    }

    /// `GET path` with request headers.
    pub async fn get_with(
        &self,
        path: &str,
        headers: &[(HeaderName, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(path);
        for (name, value) in headers {
            request = request.header(name, HeaderValue::from_str(value).unwrap());
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Sends any request; the body as text (pages and JSON are UTF-8; a file download such as
    /// an XLSX is not — use [`TestApp::send_bytes`] for those).
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let (status, headers, bytes) = self.send_bytes(request).await;
        let text = match headers.get(axum::http::header::CONTENT_DISPOSITION) {
            // A download's bytes, as they come (lossy): routes tested only for access.
            Some(_) => String::from_utf8_lossy(&bytes).into_owned(),
            None => String::from_utf8(bytes).expect("the body is UTF-8"),
        };
        (status, headers, text)
    }

    /// Sends any request; the body as bytes.
    pub async fn send_bytes(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// An API request with an optional bearer token and JSON body; the status and the
    /// answer as JSON (a body that is not JSON as a JSON string).
    pub async fn call_json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            request = request.header("authorization", format!("Bearer {t}"));
        }
        let request = match body {
            Some(b) => request
                .header("content-type", "application/json")
                .body(Body::from(b)),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let (status, _, text) = self.send(request).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// `GET path` that must answer 200 with JSON; the parsed body.
    pub async fn get_json(&self, path: &str) -> Value {
        let (status, headers, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        assert_eq!(content_type(&headers), "application/json", "GET {path}");
        serde_json::from_str(&body).unwrap()
    }

    /// `GET path` that must answer 200 with an HTML page; the page.
    pub async fn page(&self, path: &str) -> String {
        let (status, headers, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        assert_eq!(
            content_type(&headers),
            "text/html; charset=utf-8",
            "GET {path}"
        );
        body
    }
}

/// The `Content-Type` of a response, or "".
pub fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A header as text, or "".
pub fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The example plan file as JSON, to be modified.
pub fn example_json() -> Value {
    serde_json::from_str(keikaku_planfile::example("ichinoseki").unwrap()).unwrap()
}

/// A plan file as text.
pub fn to_text(file: &Value) -> String {
    serde_json::to_string_pretty(file).unwrap()
}

/// The example's plan with the given id.
pub fn plan_mut<'a>(file: &'a mut Value, id: &str) -> &'a mut Value {
    file["plans"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["id"] == id)
        .unwrap()
}

/// The element with the given id anywhere under a value (depth first).
pub fn element_mut<'a>(value: &'a mut Value, id: &str) -> Option<&'a mut Value> {
    if value.get("id").and_then(Value::as_str) == Some(id) {
        return Some(value);
    }
    match value {
        Value::Object(map) => map.values_mut().find_map(|v| element_mut(v, id)),
        Value::Array(items) => items.iter_mut().find_map(|v| element_mut(v, id)),
        _ => None,
    }
}

/// The same-origin links of a page (`href` values starting with a single `/`), with the
/// fragment removed and `&amp;` decoded.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        let href = unescape(&rest[..end]);
        rest = &rest[end..];
        if !href.starts_with('/') || href.starts_with("//") {
            continue;
        }
        let href = href.split('#').next().unwrap_or_default().to_owned();
        if !href.is_empty() {
            out.push(href);
        }
    }
    out
}

/// How often a needle occurs in a text.
pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// HTML escaping as the templates do it (`&`, `<`, `>`, `"`, `'` as numeric character
/// references), to look for data in pages.
pub fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Undoes the escaping of the five special characters, in either the named or the numeric
/// form, to read the text of a page.
pub fn unescape(s: &str) -> String {
    let mut out = s.to_owned();
    for (from, to) in [
        ("&lt;", "<"),
        ("&#60;", "<"),
        ("&#x3c;", "<"),
        ("&gt;", ">"),
        ("&#62;", ">"),
        ("&#x3e;", ">"),
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#x22;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&apos;", "'"),
        ("&amp;", "&"),
        ("&#38;", "&"),
        ("&#x26;", "&"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// Asserts that a page shows a text with its markup characters escaped: the text is there
/// once the page is read, and not as raw markup.
pub fn assert_shows_escaped(what: &str, html: &str, text: &str) {
    assert!(
        !html.contains(text),
        "{what}: {text:?} is in the page unescaped"
    );
    assert!(
        unescape(html).contains(text),
        "{what}: {text:?} is not shown"
    );
}

impl TestApp {
    /// Every public page reachable from `/` through same-origin links (not `/static`, not
    /// `/api`), with status, headers and body. Links that answer with a file (a CSV or XLSX
    /// download) are not pages: they are left out.
    pub async fn crawl(
        &self,
    ) -> std::collections::BTreeMap<String, (StatusCode, HeaderMap, String)> {
        let mut seen = std::collections::BTreeMap::new();
        let mut files = std::collections::BTreeSet::new();
        let mut queue = vec!["/".to_owned()];
        while let Some(path) = queue.pop() {
            if seen.contains_key(&path) || files.contains(&path) {
                continue;
            }
            let (status, headers, body) = self
                .send_bytes(Request::get(path.as_str()).body(Body::empty()).unwrap())
                .await;
            let html = headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|t| t.starts_with("text/html"));
            if status == StatusCode::OK && !html {
                files.insert(path);
                continue;
            }
            let body = String::from_utf8(body).unwrap();
            for link in links(&body) {
                let ignored =
                    link.starts_with("/static/") || link == "/api" || link.starts_with("/api/");
                if !ignored && !seen.contains_key(&link) {
                    queue.push(link);
                }
            }
            seen.insert(path, (status, headers, body));
        }
        seen
    }
}

/// The time of every change in these tests (no wall clock).
pub fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

/// A `Cookie` header value.
pub fn cookie_header(cookies: &[(&str, &str)]) -> String {
    cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Percent-encodes a form value (`application/x-www-form-urlencoded`).
pub fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A `POST` request with a form body and cookies.
pub fn form_request(
    path: &str,
    fields: &[(&str, &str)],
    cookies: &[(&str, &str)],
) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(n, v)| format!("{}={}", form_encode(n), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut request = Request::post(path).header(
        axum::http::header::CONTENT_TYPE,
        "application/x-www-form-urlencoded",
    );
    if !cookies.is_empty() {
        request = request.header(axum::http::header::COOKIE, cookie_header(cookies));
    }
    request.body(Body::from(body)).unwrap()
}

/// The `Set-Cookie` line of a response for the cookie with this name, if any.
pub fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value of a `Set-Cookie` line (`name=value; …` → `value`).
pub fn cookie_value(line: &str) -> &str {
    line.split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .map_or("", |(_, v)| v)
}

impl TestApp {
    /// Makes an API token for a stored user through the use case (as if on `/staff/tokens`),
    /// without expiry; the secret.
    pub async fn token_for(&self, login_id: &str) -> String {
        self.token_with(login_id, None, at()).await
    }

    /// Makes an API token for a stored user, made at `made_at` and valid for `days` days (or
    /// without expiry); the secret.
    pub async fn token_with(
        &self,
        login_id: &str,
        days: Option<u32>,
        made_at: Timestamp,
    ) -> String {
        let (user, _) = self
            .store
            .user(
                self.catalog.municipality_code(),
                &LoginId::parse(login_id).unwrap(),
            )
            .await
            .unwrap()
            .unwrap();
        let granted =
            keikaku_app::access::Granted::check(user, keikaku_app::access::Action::ManageOwnTokens)
                .unwrap();
        keikaku_app::tokens::create_token(
            &self.catalog.context(),
            &granted,
            "テスト用",
            days,
            made_at,
        )
        .await
        .unwrap()
        .secret
    }
}

/// A multipart upload of one file with the form's CSRF token: (content type, body).
pub fn multipart(csrf: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "keikaku-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The value of the first hidden (or other) input named `name` of a page.
pub fn input_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {page}"))
        + marker.len();
    unescape(page[at..].split('"').next().unwrap())
}
