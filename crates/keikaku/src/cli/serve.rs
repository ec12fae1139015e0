//! `keikaku serve`: the server's configuration, the listener and the shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args};
use keikaku_app::Catalog;
use keikaku_app::access::Operator;
use keikaku_app::transfer::{self, ExampleOutcome};

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
    /// HTTPSで公開するとき（プロキシの後ろを含む）に指定します。クッキーに Secure を付けます / Mark cookies Secure (site served over HTTPS)
    #[arg(
        long,
        env = "KEIKAKU_SECURE_COOKIES",
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new()
    )]
    secure_cookies: bool,
}

/// Opens the database, loads the example when asked, and serves until a signal.
pub(super) async fn run(
    operator: &Operator,
    database: &str,
    args: ServeArgs,
) -> Result<(), Failure> {
    let store = open_store(database).await?;
    if let Some(name) = args.example {
        match transfer::load_example(operator, store.as_ref(), &name, now()?).await? {
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
    serve(args.addr, catalog, args.secure_cookies).await
}

async fn serve(
    addr: SocketAddr,
    catalog: Arc<Catalog>,
    secure_cookies: bool,
) -> Result<(), Failure> {
    let state = keikaku_web::AppState::new(catalog).with_secure_cookies(secure_cookies);
    let app = keikaku_web::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Environment(format!("アドレス {addr} で待ち受けできません: {e}")))?;
    // The address bound (with the port chosen by the system when asked for port 0).
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(%addr, secure_cookies, "serving on http://{addr}/");
    // The client's address reaches the handlers (failed sign-ins are counted per address).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| Failure::Internal(format!("サーバーが停止しました: {e}")))?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the server stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
