//! Commands, configuration and error classification.

use std::io::{BufRead, IsTerminal, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Parser, Subcommand};
use keikaku_app::access::Operator;
use keikaku_app::transfer::{self, ExampleOutcome};
use keikaku_app::{AppError, Catalog, Context};
use keikaku_app::{auth, history};
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::{ExistingPlan, PlanStore, Store, StoreError};
use keikaku_storage_postgres::PostgresStore;
use keikaku_storage_sqlite::SqliteStore;

/// The default database: a SQLite file under ./data.
const DEFAULT_DATABASE: &str = "sqlite://data/keikaku.db";

#[derive(Debug, Parser)]
#[command(
    name = "keikaku",
    version,
    about = "自治体の総合計画・総合戦略を作成・運用・公開するシステム / A municipality's planning system"
)]
struct Cli {
    /// データベースのURL: sqlite://PATH（既定）または postgres://USER@HOST/DB
    #[arg(long, global = true, env = "KEIKAKU_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 公開サイトとAPIを起動します / Serve the public site and the API
    Serve {
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
    },
    /// データベースの構造を最新にします / Bring the database schema up to date
    Migrate,
    /// 計画ファイル（JSON）を取り込みます。誤りがあれば全件を表示し、何も書き込みません / Import plan files
    Import {
        /// 計画ファイル（「-」で標準入力）/ Plan files ("-" for standard input)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 同じIDの計画があれば置き換えます / Replace plans with the same id
        #[arg(long)]
        replace: bool,
    },
    /// 監査ログを確認します / Audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 職員のアカウントを管理します / Staff accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// 計画ファイル（JSON）を書き出します / Export plans as a plan file
    Export {
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
        /// 書き出す計画のID（省略するとすべて）
        #[arg(long = "plan")]
        plans: Vec<String>,
        /// 出力先（省略すると標準出力）
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// ハッシュの連鎖を検証し、最初に壊れている記録を報告します / Check the hash chain
    Verify {
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
    },
    /// 新しい順に記録を表示します / List recent entries, newest first
    List {
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
        /// 表示する件数
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// 職員を登録します。パスワードは端末で2回入力するか、--password-stdin で標準入力から渡します / Add a staff user
    Add {
        /// ログインID（半角英小文字・数字・「.」「_」「-」の3〜32文字）
        login_id: String,
        /// 氏名
        #[arg(long)]
        name: String,
        /// 所属（課など）
        #[arg(long, default_value = "")]
        department: String,
        /// 管理者の役割を与えます
        #[arg(long)]
        admin: bool,
        /// 役割（繰り返し指定可）: planning_office（企画担当）、department_editor（所管課担当）、member（委員）
        #[arg(long = "role", value_parser = ["planning_office", "department_editor", "member"])]
        roles: Vec<String>,
        /// パスワードを標準入力の1行目から読みます
        #[arg(long)]
        password_stdin: bool,
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
    },
    /// 職員の一覧を表示します（ログインID、氏名、所属、役割、状態）/ List staff users
    List {
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
    },
}

/// How a command failed; decides the message and the exit code.
#[derive(Debug)]
enum Failure {
    /// The input was wrong (exit 3); every problem is listed.
    Invalid(String),
    /// The request conflicts with stored data (exit 4).
    Conflict(String),
    /// Something named does not exist (exit 5).
    NotFound(String),
    /// Configuration or environment: database unreachable, address in use (exit 6).
    Environment(String),
    /// The audit chain is broken (exit 7).
    Tampered(String),
    /// A fault (exit 1).
    Internal(String),
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Internal(_) => 1,
            Self::Invalid(_) => 3,
            Self::Conflict(_) => 4,
            Self::NotFound(_) => 5,
            Self::Environment(_) => 6,
            Self::Tampered(_) => 7,
        }
    }

    fn message(&self) -> &str {
        match self {
            Self::Invalid(m)
            | Self::Tampered(m)
            | Self::Conflict(m)
            | Self::NotFound(m)
            | Self::Environment(m)
            | Self::Internal(m) => m,
        }
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(problems) => {
                let mut text = format!(
                    "取り込めません: {}件の問題があります（何も書き込んでいません）。\n",
                    problems.len()
                );
                for p in problems {
                    text.push_str(&format!("  {}: {}\n", p.path, p.message));
                }
                Self::Invalid(text.trim_end().to_owned())
            }
            AppError::Conflict(m) => Self::Conflict(m),
            AppError::Forbidden(m) => Self::Invalid(m),
            AppError::NotFound(m) => Self::NotFound(m),
            AppError::Store(e) => Self::from(e),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Backend(m) => Self::Environment(format!("データベースのエラー: {m}")),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Entry point: parse, run, report.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(&Failure::Internal(format!("実行環境を準備できません: {e}"))),
    };
    let outcome = runtime.block_on(async {
        let outcome = run(cli).await;
        close_stores().await;
        outcome
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
}

/// The stores this process opened, closed before it exits: SQLite merges its write-ahead log
/// into the database file when the last connection closes, so that copying `keikaku.db`
/// alone is a complete backup.
static OPENED: std::sync::Mutex<Vec<Arc<dyn Store>>> = std::sync::Mutex::new(Vec::new());

async fn close_stores() {
    let stores = match OPENED.lock() {
        Ok(mut g) => std::mem::take(&mut *g),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    for store in stores {
        store.close().await;
    }
}

#[allow(clippy::print_stderr)] // the binary is where errors are printed
fn report(failure: &Failure) -> ExitCode {
    eprintln!("keikaku: エラー: {}", failure.message());
    ExitCode::from(failure.exit_code())
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KEIKAKU_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("KEIKAKU_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Opens the database named by the URL (creating a SQLite file's folder) and migrates it.
async fn open_store(url: &str) -> Result<Arc<dyn Store>, Failure> {
    let store: Arc<dyn Store> = if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or_default();
        if !path.is_empty()
            && path != ":memory:"
            && let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::Environment(format!("フォルダ「{}」を作れません: {e}", dir.display()))
            })?;
        }
        Arc::new(SqliteStore::connect(url).await.map_err(|e| {
            Failure::Environment(format!("SQLiteデータベース「{url}」を開けません: {e}"))
        })?)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(PostgresStore::connect(url).await.map_err(|e| {
            Failure::Environment(format!(
                "PostgreSQL（{}）に接続できません: {e}",
                redact(url)
            ))
        })?)
    } else {
        return Err(Failure::Environment(format!(
            "データベースのURL「{}」は使えません。sqlite://PATH か postgres://… を指定してください。",
            redact(url)
        )));
    };
    store.migrate().await?;
    tracing::info!(backend = store.backend(), database = %redact(url), "database ready");
    match OPENED.lock() {
        Ok(mut g) => g.push(Arc::clone(&store)),
        Err(poisoned) => poisoned.into_inner().push(Arc::clone(&store)),
    }
    Ok(store)
}

/// The URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The municipality to act on: the one named, or the only one stored.
async fn choose_municipality(
    store: &dyn PlanStore,
    named: Option<&str>,
) -> Result<MunicipalityCode, Failure> {
    if let Some(code) = named {
        return MunicipalityCode::parse(code).map_err(|e| Failure::Invalid(e.0));
    }
    let all = store.municipalities().await?;
    match all.as_slice() {
        [only] => Ok(only.code.clone()),
        [] => Err(Failure::NotFound(
            "データベースに団体がありません。`keikaku serve --example ichinoseki` で例を読み込むか、`keikaku import FILE` で計画を取り込んでください。".to_owned(),
        )),
        many => Err(Failure::Invalid(format!(
            "団体が複数あります。--municipality で市町村コードを指定してください（{}）。",
            many.iter().map(|m| format!("{} {}", m.code, m.name)).collect::<Vec<_>>().join("、")
        ))),
    }
}

/// The time of a change, read from the system clock (the only clock keikaku reads).
fn now() -> Result<Timestamp, Failure> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| Failure::Environment(format!("システム時計が不正です: {e}")))?
        .as_millis();
    Timestamp::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
        .map_err(|e| Failure::Environment(format!("システム時計が不正です: {e}")))
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let operator = Operator::at_console();
    match cli.command {
        Command::Migrate => {
            open_store(&cli.database).await?;
            Ok(())
        }
        Command::Serve {
            addr,
            example,
            municipality,
            secure_cookies,
        } => {
            let store = open_store(&cli.database).await?;
            if let Some(name) = example {
                match transfer::load_example(&operator, store.as_ref(), &name, now()?).await? {
                    ExampleOutcome::Loaded(r) => {
                        tracing::info!(municipality = %r.municipality.name, plans = r.plans.len(), "example loaded");
                    }
                    ExampleOutcome::AlreadyPresent(m) => {
                        tracing::info!(municipality = %m.name, "example already present; nothing loaded");
                    }
                }
            }
            let code = choose_municipality(store.as_ref(), municipality.as_deref()).await?;
            let catalog = Arc::new(Catalog::open(store, code).await?);
            serve(addr, catalog, secure_cookies).await
        }
        Command::Import { files, replace } => {
            let store = open_store(&cli.database).await?;
            let existing = if replace {
                ExistingPlan::Replace
            } else {
                ExistingPlan::Refuse
            };
            for file in files {
                let text = read_input(&file)?;
                let report = transfer::import(&operator, store.as_ref(), &text, existing, now()?)
                    .await
                    .map_err(|e| prefix(Failure::from(e), &file))?;
                tracing::info!(
                    file = %file.display(),
                    municipality = %report.municipality.name,
                    plans = ?report.plans.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "imported"
                );
            }
            Ok(())
        }
        Command::Audit { command } => audit(&operator, &cli.database, command).await,
        Command::User { command } => user(&operator, &cli.database, command).await,
        Command::Export {
            municipality,
            plans,
            output,
        } => {
            let store = open_store(&cli.database).await?;
            let code = choose_municipality(store.as_ref(), municipality.as_deref()).await?;
            let ids = plans
                .iter()
                .map(|p| PlanId::parse(p).map_err(|e| Failure::Invalid(e.0)))
                .collect::<Result<Vec<_>, _>>()?;
            let text =
                transfer::export(&Context::new(store.as_ref(), &code), &operator, &ids).await?;
            write_output(output.as_deref(), &text)
        }
    }
}

#[allow(clippy::print_stdout)] // the report is the command's output
async fn audit(operator: &Operator, database: &str, command: AuditCommand) -> Result<(), Failure> {
    let store = open_store(database).await?;
    match command {
        AuditCommand::Verify { municipality } => {
            let code = choose_municipality(store.as_ref(), municipality.as_deref()).await?;
            match history::verify_audit(&Context::new(store.as_ref(), &code), operator).await? {
                Ok(n) => {
                    println!("監査ログ {n}件を検証しました。ハッシュの連鎖は完全です。");
                    Ok(())
                }
                Err(broken) => Err(Failure::Tampered(format!(
                    "監査ログの記録 {} 番が壊れています: {broken}",
                    broken.sequence()
                ))),
            }
        }
        AuditCommand::List {
            municipality,
            limit,
        } => {
            let code = choose_municipality(store.as_ref(), municipality.as_deref()).await?;
            for e in
                history::recent_audit(&Context::new(store.as_ref(), &code), operator, limit).await?
            {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    e.sequence, e.at, e.actor, e.action, e.target
                );
            }
            Ok(())
        }
    }
}

/// The municipality to act on, which must be stored.
async fn stored_municipality(
    store: &dyn PlanStore,
    named: Option<&str>,
) -> Result<MunicipalityCode, Failure> {
    let code = choose_municipality(store, named).await?;
    if store.municipality(&code).await?.is_none() {
        return Err(Failure::NotFound(format!(
            "市町村コード「{code}」の団体は登録されていません。"
        )));
    }
    Ok(code)
}

#[allow(clippy::print_stdout)] // the list is the command's output
async fn user(operator: &Operator, database: &str, command: UserCommand) -> Result<(), Failure> {
    match command {
        UserCommand::Add {
            login_id,
            name,
            department,
            admin,
            roles,
            password_stdin,
            municipality,
        } => {
            let login_id = LoginId::parse(&login_id).map_err(|e| Failure::Invalid(e.0))?;
            let mut all: Vec<Role> = roles.iter().filter_map(|r| Role::from_code(r)).collect();
            if admin {
                all.push(Role::Administrator);
            }
            let store = open_store(database).await?;
            let code = stored_municipality(store.as_ref(), municipality.as_deref()).await?;
            let password = read_password(password_stdin)?;
            let user = User {
                login_id,
                display_name: name,
                department,
                roles: all,
                disabled: false,
            };
            let shown = format!("「{}」（{}）", user.login_id, user.display_name);
            auth::create_user(
                &Context::new(store.as_ref(), &code),
                operator,
                user,
                &password,
                now()?,
            )
            .await
            .map_err(|e| refused("職員を登録できません", e))?;
            println!("職員{shown}を登録しました。");
            Ok(())
        }
        UserCommand::List { municipality } => {
            let store = open_store(database).await?;
            let code = stored_municipality(store.as_ref(), municipality.as_deref()).await?;
            for u in auth::users(&Context::new(store.as_ref(), &code), operator).await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.label()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.login_id,
                    u.display_name,
                    u.department,
                    roles.join("、"),
                    if u.disabled { "利用停止" } else { "有効" }
                );
            }
            Ok(())
        }
    }
}

/// A refused use case, with what was refused in front of the problems.
fn refused(what: &str, e: AppError) -> Failure {
    match e {
        AppError::Invalid(problems) => {
            let mut text = format!("{what}: {}件の問題があります。\n", problems.len());
            for p in problems {
                text.push_str(&format!("  {}: {}\n", p.path, p.message));
            }
            Failure::Invalid(text.trim_end().to_owned())
        }
        other => Failure::from(other),
    }
}

/// A new password: the first line of standard input (`--password-stdin`), or typed twice on
/// the terminal without echo.
fn read_password(from_stdin: bool) -> Result<String, Failure> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Invalid(format!("標準入力からパスワードを読めません: {e}")))?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return Ok(line.to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Invalid(
            "パスワードを入力する端末がありません。標準入力から渡す場合は --password-stdin を指定してください（1行目をパスワードとして読みます）。".to_owned(),
        ));
    }
    let tty =
        |e: std::io::Error| Failure::Environment(format!("端末からパスワードを読めません: {e}"));
    let first = rpassword::prompt_password("パスワード: ").map_err(tty)?;
    let second = rpassword::prompt_password("パスワード（確認）: ").map_err(tty)?;
    if first != second {
        return Err(Failure::Invalid(
            "2回入力したパスワードが一致しません。何も登録していません。".to_owned(),
        ));
    }
    Ok(first)
}

fn prefix(failure: Failure, file: &Path) -> Failure {
    let at = |m: String| format!("{}: {m}", file.display());
    match failure {
        Failure::Invalid(m) => Failure::Invalid(at(m)),
        Failure::Conflict(m) => Failure::Conflict(at(m)),
        other => other,
    }
}

fn read_input(file: &Path) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let result = if file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(file).map(|b| bytes = b)
    };
    result.map_err(|e| {
        Failure::NotFound(format!("ファイル「{}」を読めません: {e}", file.display()))
    })?;
    // A BOM is harmless in a plan file; Excel-era tools add one.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Failure::Invalid(format!(
            "ファイル「{}」はUTF-8ではありません（{}バイト目）。計画ファイルはUTF-8で保存してください。",
            file.display(),
            e.utf8_error().valid_up_to() + 1
        ))
    })
}

#[allow(clippy::print_stdout)] // export writes the file to standard output when asked to
fn write_output(output: Option<&Path>, text: &str) -> Result<(), Failure> {
    match output {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => {
            // Write next to the target and rename, so that a failure never leaves half a file.
            let tmp = path.with_extension("json.tmp");
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, path))
                .map_err(|e| {
                    Failure::Environment(format!("「{}」に書き出せません: {e}", path.display()))
                })
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/k.db"), "sqlite://data/k.db");
    }
}
