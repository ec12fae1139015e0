//! Commands, configuration and error classification: the command tree and the failures with
//! their exit codes here, one file per command group beside it.

mod audit;
mod backup;
mod kpi;
mod plan;
mod population;
mod programs;
mod serve;
mod transfer;
mod users;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use keikaku_app::AppError;
use keikaku_app::access::Operator;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::audit::Timestamp;
use keikaku_storage::{PlanStore, Store, StoreError};
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
    Serve(serve::ServeArgs),
    /// データベースの構造を最新にします / Bring the database schema up to date
    Migrate,
    /// 計画ファイル（JSON）を取り込みます。誤りがあれば全件を表示し、何も書き込みません / Import plan files
    Import(transfer::ImportArgs),
    /// 監査ログを確認します / Audit log
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// 職員のアカウントを管理します / Staff accounts
    User {
        #[command(subcommand)]
        command: users::UserCommand,
    },
    /// 計画ファイル（JSON）を書き出します / Export plans as a plan file
    Export(transfer::ExportArgs),
    /// データベースの全体（計画・版・監査ログ・職員・トークン）を1つのファイルに書き出します / Back up the whole database
    Backup(backup::BackupArgs),
    /// バックアップを空のデータベース（--database）に復元します / Restore a backup into an empty database
    Restore(backup::RestoreArgs),
    /// 指標（KPI）の年度ごとの値を、シートで取り込み・書き出します / KPI values in and out as sheets
    Kpi {
        #[command(subcommand)]
        command: kpi::KpiCommand,
    },
    /// 実施計画: 版のローリング、事業一覧の取り込み・書き出し / The implementation plan
    #[command(name = "implementation-plan")]
    ImplementationPlan {
        #[command(subcommand)]
        command: programs::ProgramCommand,
    },
    /// 計画の要素をExcelで書き出し・取り込みます / A plan's elements in and out as XLSX
    Plan {
        #[command(subcommand)]
        command: plan::PlanCommand,
    },
    /// 人口ビジョン: 推計の入力（JSON）を推計します / The population projection
    Population {
        #[command(subcommand)]
        command: population::PopulationCommand,
    },
}

/// How a command failed; decides the message and the exit code.
#[derive(Debug)]
pub(super) enum Failure {
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
pub(super) async fn open_store(url: &str) -> Result<Arc<dyn Store>, Failure> {
    let store = connect_store(url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Opens the database named by the URL (creating a SQLite file's folder) as it is, without
/// migrating it (a restore first builds the schema of its backup).
pub(super) async fn connect_store(url: &str) -> Result<Arc<dyn Store>, Failure> {
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
    tracing::info!(backend = store.backend(), database = %redact(url), "database open");
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
pub(super) async fn choose_municipality(
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
pub(super) fn now() -> Result<Timestamp, Failure> {
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
        Command::Serve(args) => serve::run(&operator, &cli.database, args).await,
        Command::Import(args) => transfer::import(&operator, &cli.database, args).await,
        Command::Audit { command } => audit::audit(&operator, &cli.database, command).await,
        Command::User { command } => users::user(&operator, &cli.database, command).await,
        Command::Export(args) => transfer::export(&operator, &cli.database, args).await,
        Command::Backup(args) => backup::backup(&operator, &cli.database, args).await,
        Command::Restore(args) => backup::restore(&operator, &cli.database, args).await,
        Command::Kpi { command } => kpi::kpi(&operator, &cli.database, command).await,
        Command::ImplementationPlan { command } => {
            programs::programs(&operator, &cli.database, command).await
        }
        Command::Plan { command } => plan::plan(&operator, &cli.database, command).await,
        Command::Population { command } => population::population(command),
    }
}

/// A refused use case, with what was refused in front of the problems.
pub(super) fn refused(what: &str, e: AppError) -> Failure {
    match e {
        AppError::Invalid(problems) => {
            let mut text = format!(
                "{what}: {}件の問題があります（何も書き込んでいません）。\n",
                problems.len()
            );
            for p in problems {
                if p.path.is_empty() {
                    text.push_str(&format!("  {}\n", p.message));
                } else {
                    text.push_str(&format!("  {}: {}\n", p.path, p.message));
                }
            }
            Failure::Invalid(text.trim_end().to_owned())
        }
        other => Failure::from(other),
    }
}

/// The municipality to act on, which must be stored.
pub(super) async fn stored_municipality(
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
