//! Static assets, compiled into the binary: no CDN, nothing fetched from elsewhere (many
//! municipal PCs are on closed networks).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::cache::Entry;
use crate::error::WebError;
use crate::paths::PagePath;
use crate::routes::{Route, route};

const CSS: &str = include_str!("../assets/keikaku.css");
const FAVICON: &str = include_str!("../assets/favicon.svg");

/// The stylesheet and the icon.
pub(crate) const ROUTES: &[Route] =
    &[route!(GET "/static/{file}" => serve, ReadPublished, "/static/keikaku.css")];

/// A short fingerprint of the stylesheet, appended to its URL so that browsers refetch it
/// after an upgrade.
pub fn css_version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let e = Entry::new(0, "text/css", CSS);
        e.etag.to_str().unwrap_or("0").trim_matches('"')[..8].to_owned()
    });
    &VERSION
}

/// `GET /static/{file}`.
async fn serve(PagePath(file): PagePath<String>, headers: HeaderMap) -> Result<Response, WebError> {
    let entry = match file.as_str() {
        "keikaku.css" => Entry::new(0, "text/css; charset=utf-8", CSS),
        "favicon.svg" => Entry::new(0, "image/svg+xml", FAVICON),
        _ => return Err(WebError::NotFound(None)),
    };
    let mut response = entry.respond(&headers);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response.into_response())
}
