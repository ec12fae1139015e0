//! The city's own identity on every page: a link back to its website and its emblem, as the
//! binary's configuration gives them (no rebuild: a restart with other settings). The router
//! runs every request inside [`scope`]; [`crate::views::Layout`] reads it back with [`current`],
//! so no handler has to pass it down.

use std::sync::Arc;

/// The city's emblem (市章), served at `/emblem`.
#[derive(Clone, Debug)]
pub struct Emblem {
    /// The image.
    pub bytes: Arc<[u8]>,
    /// Its media type: `image/png`, `image/svg+xml`, `image/jpeg`, `image/webp` or `image/gif`.
    pub content_type: &'static str,
}

impl Emblem {
    /// The largest emblem accepted (it is sent with every first visit).
    pub const MAX_BYTES: usize = 1024 * 1024;

    /// An emblem from a file's name and contents: the type from the extension, checked against
    /// the contents' signature. The error says why, in Japanese.
    pub fn from_file(name: &str, bytes: Vec<u8>) -> Result<Self, String> {
        if bytes.len() > Self::MAX_BYTES {
            return Err(format!(
                "市章の画像「{name}」が大きすぎます（{} バイト。1 MB までにしてください）。",
                bytes.len()
            ));
        }
        let ext = name
            .rsplit('.')
            .next()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let (content_type, ok) = match ext.as_str() {
            "png" => ("image/png", bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
            "jpg" | "jpeg" => ("image/jpeg", bytes.starts_with(&[0xFF, 0xD8, 0xFF])),
            "gif" => ("image/gif", bytes.starts_with(b"GIF8")),
            "webp" => (
                "image/webp",
                bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
            ),
            "svg" => (
                "image/svg+xml",
                std::str::from_utf8(&bytes).is_ok_and(|t| t.contains("<svg")),
            ),
            _ => {
                return Err(format!(
                    "市章の画像「{name}」の形式が分かりません（PNG、SVG、JPEG、WebP、GIF のいずれかにしてください）。"
                ));
            }
        };
        if !ok {
            return Err(format!(
                "市章の画像「{name}」の中身が拡張子（.{ext}）の形式ではありません。"
            ));
        }
        Ok(Self {
            bytes: bytes.into(),
            content_type,
        })
    }
}

/// What the header and footer show of the city itself.
#[derive(Clone, Debug, Default)]
pub struct CityIdentity {
    /// The city's own website (`https://…`), linked from the header and the footer.
    pub website: Option<String>,
    /// The emblem shown beside the site's name.
    pub emblem: Option<Emblem>,
}

impl CityIdentity {
    /// Checks a website address: an absolute `http(s)://` URL without spaces or quotes.
    pub fn check_website(url: &str) -> Result<String, String> {
        let url = url.trim();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        let host = url.split("://").nth(1).unwrap_or("");
        if !scheme_ok
            || host.is_empty()
            || host.starts_with('/')
            || url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`".contains(c))
        {
            return Err(format!(
                "市のホームページのアドレス「{url}」は使えません（https:// で始まるアドレスを書いてください）。"
            ));
        }
        Ok(url.to_owned())
    }
}

/// What a page's layout needs: the website, and whether there is an emblem.
#[derive(Clone, Debug, Default)]
pub struct CityLinks {
    /// The city's own website.
    pub website: Option<String>,
    /// Whether `/emblem` serves an emblem.
    pub emblem: bool,
}

tokio::task_local! {
    static CITY: CityLinks;
}

/// Runs `f` with the city's identity available to the layouts.
pub(crate) async fn scope<F: Future>(identity: &CityIdentity, f: F) -> F::Output {
    let links = CityLinks {
        website: identity.website.clone(),
        emblem: identity.emblem.is_some(),
    };
    CITY.scope(links, f).await
}

/// The city's identity for the request being answered (none outside a request).
pub(crate) fn current() -> CityLinks {
    CITY.try_with(Clone::clone).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn emblems_are_checked_against_their_extension() {
        assert!(Emblem::from_file("a.png", b"\x89PNG\r\n\x1a\nrest".to_vec()).is_ok());
        assert!(Emblem::from_file("a.svg", b"<?xml?><svg></svg>".to_vec()).is_ok());
        let e = Emblem::from_file("a.png", b"<svg></svg>".to_vec()).unwrap_err();
        assert!(e.contains("拡張子"), "{e}");
        let e = Emblem::from_file("a.bmp", b"BM".to_vec()).unwrap_err();
        assert!(e.contains("形式が分かりません"), "{e}");
        let e = Emblem::from_file("a.png", vec![0; Emblem::MAX_BYTES + 1]).unwrap_err();
        assert!(e.contains("大きすぎます"), "{e}");
    }

    #[test]
    fn websites_must_be_absolute_addresses() {
        assert_eq!(
            CityIdentity::check_website(" https://www.city.ichinoseki.iwate.jp/ ").unwrap(),
            "https://www.city.ichinoseki.iwate.jp/"
        );
        for bad in [
            "www.city.example.jp",
            "javascript:alert(1)",
            "https://",
            "https://a b",
            "https://a\"b",
        ] {
            assert!(CityIdentity::check_website(bad).is_err(), "{bad}");
        }
    }
}
