//! `keikaku audit verify|list`.

use clap::Subcommand;
use keikaku_app::access::Operator;
use keikaku_app::{Context, history};

use super::{Failure, choose_municipality, open_store};

#[derive(Debug, Subcommand)]
/// The subcommands of `keikaku audit`.
pub(super) enum AuditCommand {
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

#[allow(clippy::print_stdout)] // the report is the command's output
pub(super) async fn audit(
    operator: &Operator,
    database: &str,
    command: AuditCommand,
) -> Result<(), Failure> {
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
