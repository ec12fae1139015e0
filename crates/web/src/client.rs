//! The client's address: the connection's peer, or — only when the peer is a trusted reverse
//! proxy — the address the proxies report in `X-Forwarded-For` (or RFC 7239 `Forwarded`).
//!
//! Each proxy appends the address it received the request from, so the list is read from the
//! right: the right-most address that is not itself a trusted proxy is the client. Whatever
//! the client wrote into the header sits further left and is never reached, and a header from
//! a peer that is not a trusted proxy is ignored altogether (anyone can send one).
//! `X-Forwarded-For` is read when present (the header nginx and most proxies set); `Forwarded`
//! only when it is absent.

use std::convert::Infallible;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::AppState;

/// An address or a network (CIDR) whose forwarded headers are believed: `127.0.0.1`,
/// `10.0.0.0/8`, `::1`, `fd00::/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedProxy(IpNet);

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(addr) = s.parse::<IpAddr>() {
            return Ok(Self(IpNet::from(addr.to_canonical())));
        }
        s.parse::<IpNet>()
            .map(|net| Self(net.trunc()))
            .map_err(|_| {
                format!(
                    "「{s}」はIPアドレスでもCIDR（例: 127.0.0.1、10.0.0.0/8、::1）でもありません"
                )
            })
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A single address is shown without its /32 or /128.
        if self.0.prefix_len() == self.0.max_prefix_len() {
            self.0.addr().fmt(f)
        } else {
            self.0.fmt(f)
        }
    }
}

/// The reverse proxies in front of the server. Empty (the default): no forwarded header is
/// believed, the client is always the connection's peer.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[TrustedProxy]>);

impl TrustedProxies {
    /// These proxies.
    pub fn new(proxies: impl IntoIterator<Item = TrustedProxy>) -> Self {
        Self(proxies.into_iter().collect())
    }

    /// Whether an address belongs to a trusted proxy.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        self.0.iter().any(|p| p.0.contains(&addr))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The proxies, for the log.
    pub fn iter(&self) -> impl Iterator<Item = &TrustedProxy> {
        self.0.iter()
    }

    /// The client of a request that came from `peer` with these headers.
    ///
    /// Walking the forwarded addresses from the right, each trusted address passes the
    /// question on to the one before it; the first untrusted address is the client. An entry
    /// that is not an address (`unknown`, an obfuscated name, garbage) stops the walk at the
    /// last trusted hop, which then counts as the client; so does a list of trusted addresses
    /// only (the left-most of them, the furthest hop known).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        for hop in forwarded_chain(headers).iter().rev() {
            let Some(addr) = hop else {
                return client;
            };
            client = addr.to_canonical();
            if !self.contains(client) {
                return client;
            }
        }
        client
    }
}

/// The forwarded addresses, left to right, from every `X-Forwarded-For` header in order, or
/// when there is none, from the `for=` of every `Forwarded` element. `None` is an entry that
/// is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or("\u{0}"))
        .collect();
    if !xff.is_empty() {
        return xff
            .iter()
            .flat_map(|v| v.split(','))
            .map(|entry| node_address(entry.trim()))
            .collect();
    }
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|v| forwarded_elements(v.to_str().unwrap_or("\u{0}")))
        .collect()
}

/// The `for=` addresses of a `Forwarded` header value, one per element (`None` for an
/// element without `for` or with one that is not an address).
fn forwarded_elements(value: &str) -> Vec<Option<IpAddr>> {
    split_outside_quotes(value, ',')
        .into_iter()
        .map(|element| {
            split_outside_quotes(element, ';')
                .into_iter()
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, v)| {
                    let v = v.trim();
                    let v = v
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(v);
                    node_address(v)
                })
        })
        .collect()
}

/// Splits at `sep` where it is not inside a quoted string.
fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, with or
/// without a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn node_address(text: &str) -> Option<IpAddr> {
    if let Ok(addr) = text.parse::<IpAddr>() {
        return Some(addr);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .and_then(|t| t.parse::<IpAddr>().ok())
}

/// The address of the client of a request: the connection's peer (`ConnectInfo<SocketAddr>`,
/// which [`crate::server::serve`] puts into every request), or the address forwarded by a
/// trusted proxy ([`TrustedProxies::client`]). `0.0.0.0` when the router runs without a
/// connection (tests through `oneshot`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Self(state.trusted_proxies.client(peer, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use axum::http::HeaderValue;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|p| p.parse().unwrap()))
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    fn client(trusted: &[&str], peer: &str, pairs: &[(&'static str, &'static str)]) -> String {
        proxies(trusted)
            .client(peer.parse().unwrap(), &headers(pairs))
            .to_string()
    }

    #[test]
    fn parses_addresses_and_networks() {
        for (text, shown) in [
            ("127.0.0.1", "127.0.0.1"),
            (" 10.0.0.0/8 ", "10.0.0.0/8"),
            ("10.1.2.3/8", "10.0.0.0/8"),
            ("::1", "::1"),
            ("fd00::/8", "fd00::/8"),
            ("::ffff:127.0.0.1", "127.0.0.1"),
        ] {
            assert_eq!(text.parse::<TrustedProxy>().unwrap().to_string(), shown);
        }
        for bad in ["", "localhost", "10.0.0.0/33", "1.2.3", "127.0.0.1:80"] {
            let e = bad.parse::<TrustedProxy>().unwrap_err();
            assert!(e.contains("CIDR"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_ignored() {
        let xff = [("x-forwarded-for", "203.0.113.9")];
        assert_eq!(client(&[], "192.0.2.1", &xff), "192.0.2.1");
        assert_eq!(client(&["127.0.0.1"], "192.0.2.1", &xff), "192.0.2.1");
        let fwd = [("forwarded", "for=203.0.113.9")];
        assert_eq!(client(&["127.0.0.1"], "192.0.2.1", &fwd), "192.0.2.1");
    }

    #[test]
    fn a_trusted_peer_forwards_the_right_most_untrusted_address() {
        let t = &["127.0.0.1", "10.0.0.0/8"];
        // No header: the proxy itself.
        assert_eq!(client(t, "127.0.0.1", &[]), "127.0.0.1");
        assert_eq!(
            client(t, "127.0.0.1", &[("x-forwarded-for", "192.0.2.7")]),
            "192.0.2.7"
        );
        // What the client wrote is left of what the proxies appended.
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[("x-forwarded-for", "203.0.113.9, 192.0.2.7, 10.1.1.1")]
            ),
            "192.0.2.7"
        );
        // Several headers are one list, in order.
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[
                    ("x-forwarded-for", "203.0.113.9"),
                    ("x-forwarded-for", "192.0.2.7")
                ]
            ),
            "192.0.2.7"
        );
        // Only trusted hops: the furthest one.
        assert_eq!(
            client(t, "127.0.0.1", &[("x-forwarded-for", "10.0.0.5, 10.0.0.6")]),
            "10.0.0.5"
        );
        // Ports and brackets.
        assert_eq!(
            client(t, "127.0.0.1", &[("x-forwarded-for", "192.0.2.7:4711")]),
            "192.0.2.7"
        );
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[("x-forwarded-for", "[2001:db8::17]:4711")]
            ),
            "2001:db8::17"
        );
        // An IPv4 peer seen on an IPv6 socket is the same address.
        assert_eq!(
            client(
                t,
                "::ffff:127.0.0.1",
                &[("x-forwarded-for", "::ffff:192.0.2.7")]
            ),
            "192.0.2.7"
        );
    }

    #[test]
    fn an_entry_that_is_not_an_address_stops_at_the_last_trusted_hop() {
        let t = &["127.0.0.1", "10.0.0.0/8"];
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[("x-forwarded-for", "192.0.2.7, garbage, 10.0.0.9")]
            ),
            "10.0.0.9"
        );
        assert_eq!(
            client(t, "127.0.0.1", &[("x-forwarded-for", "")]),
            "127.0.0.1"
        );
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let t = &["127.0.0.1"];
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[(
                    "forwarded",
                    "for=203.0.113.9;proto=http, For=\"[2001:db8:cafe::17]:4711\";by=127.0.0.1"
                )]
            ),
            "2001:db8:cafe::17"
        );
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[
                    ("forwarded", "for=192.0.2.7"),
                    ("forwarded", "for=127.0.0.1")
                ]
            ),
            "192.0.2.7"
        );
        assert_eq!(
            client(t, "127.0.0.1", &[("forwarded", "for=unknown")]),
            "127.0.0.1"
        );
        // Quoted text may contain the separators.
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[("forwarded", "for=192.0.2.7;x=\"a,b;c\", for=127.0.0.1")]
            ),
            "192.0.2.7"
        );
        // X-Forwarded-For wins: a proxy that sets it passes a client's Forwarded through.
        assert_eq!(
            client(
                t,
                "127.0.0.1",
                &[
                    ("forwarded", "for=203.0.113.9"),
                    ("x-forwarded-for", "192.0.2.7")
                ]
            ),
            "192.0.2.7"
        );
    }
}
