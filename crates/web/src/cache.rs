//! Rendered responses, cached per data version, with strong ETags.
//!
//! A public page changes only when the data does, so it is rendered once per data version and
//! then served from memory. The cache is bounded; search pages (unbounded keys) are not cached.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One rendered response.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The data version it was rendered from.
    pub version: i64,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Strong ETag (quoted).
    pub etag: HeaderValue,
    /// The body.
    pub body: Bytes,
}

impl Entry {
    /// Wraps a body, computing its ETag.
    pub fn new(version: i64, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        let body = body.into();
        let digest = Sha256::digest(&body);
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let etag = HeaderValue::from_str(&format!("\"{hex}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        Self {
            version,
            content_type,
            etag,
            body,
        }
    }

    /// The response, or `304 Not Modified` when the client already has this version.
    pub fn respond(&self, request_headers: &HeaderMap) -> Response {
        let fresh = request_headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/").as_bytes() == self.etag.as_bytes()
            });
        let headers = [
            (header::ETAG, self.etag.clone()),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=0, must-revalidate"),
            ),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            ),
        ];
        if fresh {
            (StatusCode::NOT_MODIFIED, headers).into_response()
        } else {
            (headers, self.body.clone()).into_response()
        }
    }
}

/// Bound on cached entries; beyond it the cache is cleared (the site has a few hundred pages).
const CAPACITY: usize = 4096;

/// The cache, keyed by path and query.
#[derive(Debug, Default)]
pub struct PageCache {
    entries: RwLock<HashMap<String, Entry>>,
}

impl PageCache {
    /// The entry for a key, if it was rendered from this data version.
    pub fn get(&self, key: &str, version: i64) -> Option<Entry> {
        let entries = self.entries.read().ok()?;
        entries.get(key).filter(|e| e.version == version).cloned()
    }

    /// Stores an entry.
    pub fn put(&self, key: String, entry: Entry) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key, entry);
        }
    }
}
