//! The server loop over a real loopback socket: header and request timeouts, the connection
//! cap, the graceful shutdown and its grace, HSTS, and the client address behind a trusted
//! proxy. Timeouts are configured small and every wait has a generous upper bound, so a slow
//! machine makes the tests slower, never wrong.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{TestApp, cookie_value, set_cookie};
use keikaku_web::{AppState, ServerLimits, TrustedProxies};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The upper bound of every wait: far above the configured timeouts.
const PATIENCE: Duration = Duration::from_secs(10);

/// Limits with long timeouts, to be shortened by each test where it matters.
fn limits() -> ServerLimits {
    ServerLimits {
        header_read_timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(60),
        max_connections: 64,
        shutdown_grace: Duration::from_secs(60),
    }
}

/// A server loop on a loopback port, running in the test's runtime.
struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// Starts the loop over the example's application, with this state's options.
    async fn start(limits: ServerLimits, state: impl FnOnce(AppState) -> AppState) -> Self {
        let app = TestApp::new().await;
        let router = keikaku_web::router(state(AppState::new(app.catalog.clone())));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(keikaku_web::server::serve(
            listener,
            router,
            limits,
            async move {
                let _ = stopped.await;
            },
        ));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }

    /// Sends the shutdown signal.
    fn signal_shutdown(&mut self) {
        self.stop.take().unwrap().send(()).unwrap();
    }

    /// Waits (at most [`PATIENCE`]) until the loop has returned.
    async fn stopped(self) {
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the server loop did not return")
            .unwrap();
    }
}

/// Everything the server sends until it closes the connection; panics when it is still open
/// after [`PATIENCE`]. A reset counts as closed.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return,
                Err(e) => panic!("read: {e}"),
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&out).into_owned();
    assert!(read.is_ok(), "the server kept the connection open: {text}");
    text
}

/// One response (head and `Content-Length` body) from a connection that stays open.
async fn one_response(stream: &mut TcpStream) -> String {
    tokio::time::timeout(PATIENCE, async {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let text = String::from_utf8_lossy(&out).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let length: usize = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if out.len() >= end + 4 + length {
                    return text;
                }
            }
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before the response was complete: {text}");
            out.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("no response")
}

async fn send(stream: &mut TcpStream, text: &str) {
    stream.write_all(text.as_bytes()).await.unwrap();
}

/// `GET path` on a new connection that asks to be closed: the whole response.
async fn get(server: &Running, path: &str, extra: &str) -> String {
    let mut stream = server.connect().await;
    send(
        &mut stream,
        &format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra}Connection: close\r\n\r\n"),
    )
    .await;
    until_closed(&mut stream).await
}

#[tokio::test]
async fn a_half_sent_head_is_closed_after_the_header_timeout() {
    let server = Running::start(
        ServerLimits {
            header_read_timeout: Duration::from_millis(200),
            ..limits()
        },
        |s| s,
    )
    .await;
    // Half a request line, half a head, nothing at all.
    for partial in ["GET / HT", "GET / HTTP/1.1\r\nHost: test\r\n", ""] {
        let mut stream = server.connect().await;
        send(&mut stream, partial).await;
        let answer = until_closed(&mut stream).await;
        // hyper closes without an answer (there is no request to answer).
        assert!(!answer.contains("200 OK"), "{partial:?}: {answer}");
    }
    // A complete request on a new connection is still served.
    let response = get(&server, "/healthz", "").await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_when_idle_for_the_header_timeout() {
    let server = Running::start(
        ServerLimits {
            header_read_timeout: Duration::from_millis(200),
            ..limits()
        },
        |s| s,
    )
    .await;
    let mut stream = server.connect().await;
    send(&mut stream, "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").await;
    // Keep-alive: the connection stays open after the response, until the idle timeout.
    let rest = until_closed(&mut stream).await;
    assert!(rest.starts_with("HTTP/1.1 200"), "{rest}");
    assert!(!rest.contains("connection: close"), "{rest}");
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_answered_408_and_closed() {
    let server = Running::start(
        ServerLimits {
            request_timeout: Duration::from_millis(300),
            ..limits()
        },
        |s| s,
    )
    .await;
    let mut stream = server.connect().await;
    send(
        &mut stream,
        "POST /login HTTP/1.1\r\nHost: test\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
         login_id=sa",
    )
    .await;
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert!(answer.contains("時間内に終わりませんでした"), "{answer}");
}

#[tokio::test]
async fn beyond_the_connection_cap_a_connection_waits_until_one_closes() {
    let server = Running::start(
        ServerLimits {
            max_connections: 1,
            ..limits()
        },
        |s| s,
    )
    .await;
    // The first connection is accepted and served, and stays open (keep-alive).
    let mut first = server.connect().await;
    send(&mut first, "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").await;
    assert!(one_response(&mut first).await.starts_with("HTTP/1.1 200"));
    // The second waits in the backlog: no answer while the first is open.
    let mut second = server.connect().await;
    send(
        &mut second,
        "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    )
    .await;
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), second.read(&mut byte)).await;
    assert!(early.is_err(), "answered beyond the cap: {early:?}");
    // Once the first closes, the second is served.
    drop(first);
    let answer = until_closed(&mut second).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn shutdown_drops_a_half_sent_request_after_the_grace() {
    let mut server = Running::start(
        ServerLimits {
            shutdown_grace: Duration::from_millis(200),
            ..limits()
        },
        |s| s,
    )
    .await;
    let mut stream = server.connect().await;
    send(&mut stream, "GET / HTTP/1.1\r\nHost: te").await;
    // The head is not complete; the header timeout (60 s) would not end it in time.
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut byte)).await;
    assert!(early.is_err(), "closed before the shutdown: {early:?}");
    server.signal_shutdown();
    let answer = until_closed(&mut stream).await;
    assert_eq!(answer, "");
    server.stopped().await;
}

#[tokio::test]
async fn shutdown_lets_a_request_in_progress_finish() {
    let mut server = Running::start(limits(), |s| s).await;
    let addr = server.addr;
    let mut stream = server.connect().await;
    let body = "login_id=sato&password=x";
    send(
        &mut stream,
        &format!(
            "POST /login HTTP/1.1\r\nHost: test\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n\
             login_id=",
            body.len()
        ),
    )
    .await;
    // Let the server take the head before the shutdown starts (a second, generous on a loaded
    // machine): an idle connection is closed at once, a busy one may finish.
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut byte)).await;
    assert!(early.is_err(), "answered before the body: {early:?}");
    server.signal_shutdown();
    // The listener closes first.
    tokio::time::timeout(PATIENCE, async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("still accepting after the shutdown signal");
    send(&mut stream, &body["login_id=".len()..]).await;
    let answer = until_closed(&mut stream).await;
    // Answered (403: the form carries no CSRF token), and the connection closed after it.
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    // The loop ends as soon as the connection is done, long before its 60 s grace.
    server.stopped().await;
}

#[tokio::test]
async fn hsts_is_sent_only_over_https() {
    for https in [false, true] {
        let server = Running::start(limits(), |s| s.with_https(https)).await;
        for path in ["/", "/healthz", "/login", "/no-such-page", "/api/v1/plans"] {
            let response = get(&server, path, "").await.to_ascii_lowercase();
            let head = &response[..response.find("\r\n\r\n").unwrap()];
            assert_eq!(
                head.contains("\r\nstrict-transport-security: max-age=31536000\r\n"),
                https,
                "https={https} {path}: {head}"
            );
        }
    }
}

/// A log of this thread's events, as text.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A failed sign-in through the server with these extra request headers; the `client` of
/// its log line.
async fn failed_sign_in_logs_client(server: &Running, csrf: &str, extra: &str) -> String {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The test's runtime runs on this thread only, the server's tasks included.
    let _guard = tracing::subscriber::set_default(subscriber);
    let body = format!("login_id=nobody&password=not-the-password&csrf={csrf}");
    let mut stream = server.connect().await;
    send(
        &mut stream,
        &format!(
            "POST /login HTTP/1.1\r\nHost: test\r\n{extra}Cookie: keikaku_login_csrf={csrf}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let text = log.text();
    let line = text
        .lines()
        .find(|l| l.contains("sign-in refused"))
        .unwrap_or_else(|| panic!("no failed sign-in in the log: {text}"));
    assert!(line.contains("WARN"), "{line}");
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("client="))
        .unwrap_or_else(|| panic!("no client in {line}"))
        .to_owned()
}

#[tokio::test]
async fn the_client_address_is_forwarded_only_by_a_trusted_proxy() {
    // A login CSRF token (any token the cookie and the field share).
    let csrf = {
        let app = TestApp::new().await;
        let (_, headers, _) = app.get("/login").await;
        cookie_value(&set_cookie(&headers, "keikaku_login_csrf").unwrap()).to_owned()
    };
    let forged = "X-Forwarded-For: 203.0.113.9, 198.51.100.7\r\n";
    // Nobody trusted: the header is ignored, the client is the peer.
    let server = Running::start(limits(), |s| s).await;
    assert_eq!(
        failed_sign_in_logs_client(&server, &csrf, forged).await,
        "127.0.0.1"
    );
    // Another address trusted, not this peer: ignored too.
    let server = Running::start(limits(), |s| {
        s.with_trusted_proxies(TrustedProxies::new(["192.0.2.1".parse().unwrap()]))
    })
    .await;
    assert_eq!(
        failed_sign_in_logs_client(&server, &csrf, forged).await,
        "127.0.0.1"
    );
    // The peer is a trusted proxy: the right-most forwarded address that is not one.
    let server = Running::start(limits(), |s| {
        s.with_trusted_proxies(TrustedProxies::new(["127.0.0.0/8".parse().unwrap()]))
    })
    .await;
    assert_eq!(
        failed_sign_in_logs_client(&server, &csrf, forged).await,
        "198.51.100.7"
    );
    assert_eq!(
        failed_sign_in_logs_client(
            &server,
            &csrf,
            "X-Forwarded-For: 203.0.113.9, 198.51.100.7, 127.0.0.5\r\n"
        )
        .await,
        "198.51.100.7"
    );
    assert_eq!(
        failed_sign_in_logs_client(&server, &csrf, "Forwarded: for=\"[2001:db8::7]:4711\"\r\n")
            .await,
        "2001:db8::7"
    );
    // Without a header, the proxy itself.
    assert_eq!(
        failed_sign_in_logs_client(&server, &csrf, "").await,
        "127.0.0.1"
    );
}
