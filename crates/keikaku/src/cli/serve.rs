//! `keikaku serve`: the server's configuration (address, HTTPS, trusted proxies, timeouts and
//! limits), the listener and the shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args};
use keikaku_app::Catalog;
use keikaku_app::access::Operator;
use keikaku_app::transfer::{self, ExampleOutcome};
use keikaku_web::identity::{CityIdentity, Emblem};
use keikaku_web::{ServerLimits, TrustedProxies, TrustedProxy};

use super::{Failure, choose_municipality, now, open_store};

/// The options of `keikaku serve`.
#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// 待ち受けるアドレス / Address to listen on
    #[arg(long, env = "KEIKAKU_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// 空のデータベースに例を読み込んでから起動します（ichinoseki）/ Load an example into an empty database first
    #[arg(long)]
    example: Option<String>,
    /// 公開する団体の市町村コード（団体が1つなら省略可）/ Municipality to serve
    #[arg(long, env = "KEIKAKU_MUNICIPALITY")]
    municipality: Option<String>,
    /// HTTPSで公開するとき（プロキシの後ろを含む）に指定します。クッキーに Secure を付け、HSTS を送ります / The site is served over HTTPS: Secure cookies and HSTS
    #[arg(
        long,
        env = "KEIKAKU_HTTPS",
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new()
    )]
    https: bool,
    /// --https の旧名 / Former name of --https
    #[arg(
        long,
        hide = true,
        env = "KEIKAKU_SECURE_COOKIES",
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new()
    )]
    secure_cookies: bool,
    /// X-Forwarded-For / Forwarded を信用するリバースプロキシのアドレスまたはCIDR（複数可）/ Reverse proxy whose forwarded headers are believed (address or CIDR; repeatable)
    #[arg(
        long = "trusted-proxy",
        env = "KEIKAKU_TRUSTED_PROXIES",
        value_name = "ADDR|CIDR",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<TrustedProxy>,
    /// リクエストのヘッダーを受信し終えるまでの上限（秒）。待機中の keep-alive 接続もこの時間で閉じます / Seconds to receive a request's head (also the keep-alive idle timeout)
    #[arg(long, env = "KEIKAKU_HEADER_TIMEOUT", value_name = "SECONDS", default_value = "10", value_parser = timeout)]
    header_timeout: Duration,
    /// ヘッダーの受信後、本文の受信を含めて応答するまでの上限（秒）。超えると 408 / Seconds from the head to the response, body included (408 past it)
    #[arg(long, env = "KEIKAKU_REQUEST_TIMEOUT", value_name = "SECONDS", default_value = "30", value_parser = timeout)]
    request_timeout: Duration,
    /// 同時に開いておく接続の上限。超えた接続は受け付けを待ちます / Connections open at once; further ones wait to be accepted
    #[arg(long, env = "KEIKAKU_MAX_CONNECTIONS", value_name = "N", default_value = "512", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// 停止の合図の後、処理中のリクエストを待つ時間（秒）。過ぎると接続を切って終了します / Seconds in-flight requests get after SIGTERM
    #[arg(long, env = "KEIKAKU_SHUTDOWN_GRACE", value_name = "SECONDS", default_value = "10", value_parser = grace)]
    shutdown_grace: Duration,
    /// 市のホームページのアドレス。全ページのヘッダーとフッターからリンクします / The city's own website, linked from every page
    #[arg(long, env = "KEIKAKU_CITY_WEBSITE", value_name = "URL")]
    city_website: Option<String>,
    /// 市章の画像ファイル（PNG・SVG・JPEG・WebP・GIF、1 MB まで）。サイト名の横に表示します / The city's emblem shown beside the site's name
    #[arg(long, env = "KEIKAKU_CITY_EMBLEM", value_name = "FILE")]
    city_emblem: Option<std::path::PathBuf>,
}

impl ServeArgs {
    /// The city's website and emblem, read and checked before the server starts.
    fn identity(&self) -> Result<CityIdentity, Failure> {
        let website = self
            .city_website
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(CityIdentity::check_website)
            .transpose()
            .map_err(Failure::Environment)?;
        let emblem = match &self.city_emblem {
            None => None,
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| {
                    Failure::Environment(format!(
                        "市章の画像「{}」を読めません: {e}",
                        path.display()
                    ))
                })?;
                let name = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                Some(Emblem::from_file(&name, bytes).map_err(Failure::Environment)?)
            }
        };
        Ok(CityIdentity { website, emblem })
    }

    fn limits(&self) -> ServerLimits {
        ServerLimits {
            header_read_timeout: self.header_timeout,
            request_timeout: self.request_timeout,
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            shutdown_grace: self.shutdown_grace,
        }
    }
}

/// Seconds, possibly fractional (`0.5`), at least zero.
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("「{text}」は秒数ではありません（例: 10、0.5）"))
}

/// A timeout: seconds, more than zero.
fn timeout(text: &str) -> Result<Duration, String> {
    match seconds(text)? {
        Duration::ZERO => Err("0秒より長くしてください".to_owned()),
        d => Ok(d),
    }
}

/// The shutdown grace: seconds, zero allowed (connections are dropped at once).
fn grace(text: &str) -> Result<Duration, String> {
    seconds(text)
}

/// Opens the database, loads the example when asked, and serves until a signal.
pub(super) async fn run(
    operator: &Operator,
    database: &str,
    args: ServeArgs,
) -> Result<(), Failure> {
    let store = open_store(database).await?;
    if let Some(name) = &args.example {
        match transfer::load_example(operator, store.as_ref(), name, now()?).await? {
            ExampleOutcome::Loaded(r) => {
                tracing::info!(municipality = %r.municipality.name, plans = r.plans.len(), "example loaded");
            }
            ExampleOutcome::AlreadyPresent(m) => {
                tracing::info!(municipality = %m.name, "example already present; nothing loaded");
            }
        }
    }
    let code = choose_municipality(store.as_ref(), args.municipality.as_deref()).await?;
    let catalog = Arc::new(Catalog::open(store, code).await?);
    serve(&args, catalog).await
}

async fn serve(args: &ServeArgs, catalog: Arc<Catalog>) -> Result<(), Failure> {
    let https = args.https || args.secure_cookies;
    let proxies = TrustedProxies::new(args.trusted_proxies.iter().copied());
    let state = keikaku_web::AppState::new(catalog)
        .with_identity(args.identity()?)
        .with_https(https)
        .with_trusted_proxies(proxies.clone());
    let app = keikaku_web::router(state);
    let addr = args.addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Environment(format!("アドレス {addr} で待ち受けできません: {e}")))?;
    // The address bound (with the port chosen by the system when asked for port 0).
    let addr = listener.local_addr().unwrap_or(addr);
    let limits = args.limits();
    let shutdown = shutdown_signal()?;
    let trusted: Vec<String> = proxies.iter().map(ToString::to_string).collect();
    tracing::info!(
        %addr,
        https,
        trusted_proxies = %trusted.join(","),
        header_timeout = limits.header_read_timeout.as_secs_f64(),
        request_timeout = limits.request_timeout.as_secs_f64(),
        max_connections = limits.max_connections,
        shutdown_grace = limits.shutdown_grace.as_secs_f64(),
        "serving on http://{addr}/"
    );
    keikaku_web::server::serve(listener, app, limits, shutdown).await;
    tracing::info!("stopped");
    Ok(())
}

/// The shutdown signal, listened for from now on: resolves on Ctrl-C or SIGTERM; in-flight
/// requests then get the shutdown grace to finish. The handlers are installed when this is
/// called, not when the future is first polled, so that a SIGTERM that comes right after
/// "serving on" is logged stops the server gracefully instead of killing the process.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, Failure> {
    let listen = |e: std::io::Error| {
        Failure::Environment(format!("停止の合図（シグナル）を受け取れません: {e}"))
    };
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(listen)?;
    #[cfg(unix)]
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(listen)?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {},
            _ = interrupt.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        Probe::try_parse_from(std::iter::once("serve").chain(args.iter().copied())).map(|p| p.serve)
    }

    #[test]
    fn the_flags_defaults_are_the_web_crates_defaults() {
        assert_eq!(parse(&[]).unwrap().limits(), ServerLimits::default());
    }

    #[test]
    fn limits_and_proxies_are_read_from_the_flags() {
        let args = parse(&[
            "--header-timeout",
            "0.25",
            "--request-timeout",
            "5",
            "--max-connections",
            "3",
            "--shutdown-grace",
            "0",
            "--trusted-proxy",
            "127.0.0.1",
            "--trusted-proxy",
            "10.0.0.0/8,::1",
        ])
        .unwrap();
        assert_eq!(
            args.limits(),
            ServerLimits {
                header_read_timeout: Duration::from_millis(250),
                request_timeout: Duration::from_secs(5),
                max_connections: 3,
                shutdown_grace: Duration::ZERO,
            }
        );
        let shown: Vec<String> = args.trusted_proxies.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown, ["127.0.0.1", "10.0.0.0/8", "::1"]);
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in [
            &["--header-timeout", "0"][..],
            &["--request-timeout", "-1"],
            &["--shutdown-grace", "soon"],
            &["--max-connections", "0"],
            &["--trusted-proxy", "proxy.example.jp"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
