//! The HTTP/1.1 server loop: accepting connections up to a cap, hyper's connection handling
//! with a header-read timeout, a timeout for each whole request, and a graceful shutdown
//! bounded in time.
//!
//! - **Header read** ([`ServerLimits::header_read_timeout`]): a connection that has not sent
//!   a complete request head within this time is closed (hyper's own timer). The same timer
//!   runs while a kept-alive connection waits for its next request, so it is also the
//!   keep-alive idle timeout.
//! - **Request** ([`ServerLimits::request_timeout`]): from the end of the head to the
//!   response, reading the body included. Past it the request is answered `408` and the
//!   connection closed, so a body sent slowly cannot hold a connection.
//! - **Connections** ([`ServerLimits::max_connections`]): at the cap no further connection is
//!   accepted; new ones wait in the kernel's accept backlog (a burst is served late rather
//!   than refused) until one closes.
//! - **Shutdown** ([`ServerLimits::shutdown_grace`]): when the shutdown future resolves, the
//!   listener closes, idle connections close, requests in progress may finish and their
//!   connections then close; whatever is still open after the grace is dropped, and
//!   [`serve`] returns.
//!
//! Every request carries the connection's peer as `ConnectInfo<SocketAddr>`
//! ([`crate::client::ClientAddress`] starts from it).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Timeouts and limits of the server loop. The defaults suit a municipality's site behind a
/// reverse proxy or on an internal network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// The longest a connection may take to send a request's head, and the longest a
    /// kept-alive connection stays open waiting for its next request. Default 10 s: a browser
    /// sends its head at once, even on a slow mobile line; a half-sent head is an attack or
    /// a broken client.
    pub header_read_timeout: Duration,
    /// The longest from the end of a request's head to its response, reading the body
    /// included (`408` past it). Default 30 s: the largest form or plan file is well under
    /// the 2 MB body limit, and the slowest page (the audit log check) takes seconds.
    pub request_timeout: Duration,
    /// Connections open at the same time; further ones wait in the accept backlog.
    /// Default 512: far above the traffic of a city's planning site, well below the usual
    /// 1024 open files per process, and bounded memory (each connection's buffers are small).
    pub max_connections: usize,
    /// After the shutdown signal, how long requests in progress may take before their
    /// connections are dropped. Default 10 s, within systemd's default 90 s stop timeout and
    /// above the time of any ordinary page.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves, then shuts down
/// gracefully within [`ServerLimits::shutdown_grace`]. Errors of single connections are
/// logged, never returned; the loop ends only through `shutdown`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // Finished connections leave the set.
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break, // never closed
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = RequestService {
            app: app.clone(),
            peer,
            request_timeout: limits.request_timeout,
        };
        let connection = builder.serve_connection(
            TokioIo::new(stream),
            hyper::service::service_fn(move |r| service.clone().call(r)),
        );
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = limits.max_connections.max(1) - permits.available_permits();
    tracing::info!(
        connections = open,
        grace_seconds = limits.shutdown_grace.as_secs_f64(),
        "シャットダウンします: 処理中のリクエストの完了を待ちます"
    );
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        while connections.try_join_next().is_some() {}
        tracing::warn!(
            connections = connections.len(),
            "猶予時間内に終わらなかった接続を切断しました"
        );
    }
    connections.shutdown().await;
}

/// An accept error is the system's (out of file descriptors, a connection reset before it
/// was accepted): logged, and the loop goes on after a pause so that it does not spin.
async fn accept_failed(error: &std::io::Error) {
    tracing::warn!(%error, "接続を受け付けられませんでした");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Hands each request of one connection to the router, with the connection's peer and
/// within the request timeout.
#[derive(Clone)]
struct RequestService {
    app: Router,
    peer: SocketAddr,
    request_timeout: Duration,
}

impl RequestService {
    async fn call(self, mut request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let handled = self.app.oneshot(request.map(Body::new));
        match tokio::time::timeout(self.request_timeout, handled).await {
            Ok(response) => response,
            Err(_) => {
                tracing::info!(peer = %self.peer, "リクエストが時間内に終わりませんでした（408）");
                Ok(request_timeout())
            }
        }
    }
}

/// `408 Request Timeout`, closing the connection (the rest of the body is never read).
fn request_timeout() -> Response<Body> {
    let mut response = Response::new(Body::from(
        "リクエストの受信が時間内に終わりませんでした。もう一度お試しください。\n",
    ));
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
