//! Reading `application/x-www-form-urlencoded` text strictly: form bodies and API queries whose
//! percent-decoded bytes are not UTF-8 are refused, where the lenient decoding of axum's `Form`
//! and `Query` would turn them into U+FFFD (「�」) and store that. [`UrlForm`] is the form
//! extractor of every HTML form (`StaffForm` and the login form read their fields through it);
//! [`not_utf8`] is the check, which the API's query extractor applies too.

use axum::Form;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::WebError;

/// Where a urlencoded text is not UTF-8 once percent-decoded: the name of the first such
/// field (`None` when the name itself is not UTF-8).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct NotUtf8 {
    /// The field's name.
    pub(crate) field: Option<String>,
}

impl NotUtf8 {
    /// The Japanese message, naming the field (`what`: 「フォーム」, 「URLのクエリ」).
    pub(crate) fn message(&self, what: &str) -> String {
        match &self.field {
            Some(name) => format!(
                "{what}の項目「{name}」に、UTF-8として読めない文字（%FF など）が含まれています（UTF-8で送ってください）。"
            ),
            None => format!(
                "{what}の項目名に、UTF-8として読めない文字（%FF など）が含まれています（UTF-8で送ってください）。"
            ),
        }
    }
}

/// The first field of a urlencoded text (`a=1&b=%E3%81%82`) whose name or value is not UTF-8
/// once decoded (`+` is a space, `%XX` a byte; a `%` without two hex digits stays as it is, as
/// the lenient decoder keeps it), or `None` when all are UTF-8.
pub(crate) fn not_utf8(text: &[u8]) -> Option<NotUtf8> {
    for pair in text.split(|b| *b == b'&') {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        let name = String::from_utf8(decode(name));
        let value_ok = std::str::from_utf8(&decode(value)).is_ok();
        match name {
            Err(_) => return Some(NotUtf8 { field: None }),
            Ok(name) if !value_ok => return Some(NotUtf8 { field: Some(name) }),
            Ok(_) => {}
        }
    }
    None
}

/// Percent-decodes one name or value into bytes (`+` is a space).
fn decode(part: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = part
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&spaced).collect()
}

/// A form body (`application/x-www-form-urlencoded`) read into `T`, refused when a field is
/// not UTF-8 once percent-decoded.
pub(crate) struct UrlForm<T>(pub(crate) T);

/// Why a form body was not read.
#[derive(Debug)]
pub(crate) enum FormRefused {
    /// A field is not UTF-8.
    NotUtf8(NotUtf8),
    /// Not a form, a body that cannot be read, or fields that do not fit the form.
    Unreadable,
}

impl IntoResponse for FormRefused {
    /// The 400 page; extractors that know their form say more (see `StaffForm`, the login).
    fn into_response(self) -> Response {
        let message = match self {
            Self::NotUtf8(e) => e.message("フォーム"),
            Self::Unreadable => "フォームの内容を読み取れません。".to_owned(),
        };
        WebError::BadRequest(message).into_response()
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for UrlForm<T> {
    type Rejection = FormRefused;

    async fn from_request(request: Request, state: &S) -> Result<Self, FormRefused> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';').next().is_some_and(|m| {
                    m.trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            });
        if !is_form {
            return Err(FormRefused::Unreadable);
        }
        let (parts, body) = request.into_parts();
        // Read the body once (within the body limit the request carries), check it, and hand
        // the same bytes to axum's form reader.
        let mut reading = Request::new(body);
        *reading.extensions_mut() = parts.extensions.clone();
        let bytes = Bytes::from_request(reading, state)
            .await
            .map_err(|_| FormRefused::Unreadable)?;
        if let Some(e) = not_utf8(&bytes) {
            return Err(FormRefused::NotUtf8(e));
        }
        match Form::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state).await {
            Ok(Form(form)) => Ok(Self(form)),
            Err(_) => Err(FormRefused::Unreadable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_bytes_must_be_utf8() {
        let field = |name: &str| {
            Some(NotUtf8 {
                field: Some(name.to_owned()),
            })
        };
        for (text, expected) in [
            ("", None),
            ("a=1&b=%E3%81%82", None),
            ("title=%EF%BF%BD", None),
            ("a=%&b=%4&c=%zz&d=100%25", None),
            ("a=+&b", None),
            ("csrf=x&title=%FF%FE", field("title")),
            ("title=%e3%81", field("title")),
            ("a=1&%FF=2", Some(NotUtf8 { field: None })),
            ("note=\u{3042}", None),
        ] {
            assert_eq!(not_utf8(text.as_bytes()), expected, "{text}");
        }
        // Raw bytes that are not UTF-8 count too.
        assert_eq!(not_utf8(b"title=\xff"), field("title"));
    }
}
