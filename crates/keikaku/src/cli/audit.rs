//! `keikaku audit verify|list`.

use clap::Subcommand;
use keikaku_app::access::Operator;
use keikaku_app::audit::{self, AuditFilter, FilterInput};
use keikaku_app::{AppError, Context, history};

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
    /// 新しい順に記録を表示します（操作者・操作・計画・期間で絞り込み） / List entries, newest
    /// first, filtered by who, what, plan and dates
    List {
        /// 団体の市町村コード（団体が1つなら省略可）
        #[arg(long)]
        municipality: Option<String>,
        /// 表示する件数（1ページあたり）
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// ページ（1 = 最新）
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// 操作者のログインID（コマンドラインの操作は cli）
        #[arg(long)]
        actor: Option<String>,
        /// 操作（例: element.update、plan.status）
        #[arg(long)]
        action: Option<String>,
        /// 計画のID
        #[arg(long)]
        plan: Option<String>,
        /// 期間の開始日（日本時間。例: 令和7年4月1日、2025-04-01）
        #[arg(long)]
        from: Option<String>,
        /// 期間の終了日（この日を含む）
        #[arg(long)]
        to: Option<String>,
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
            page,
            actor,
            action,
            plan,
            from,
            to,
        } => {
            let code = choose_municipality(store.as_ref(), municipality.as_deref()).await?;
            let input = FilterInput {
                actor: actor.unwrap_or_default(),
                action: action.unwrap_or_default(),
                plan: plan.unwrap_or_default(),
                from: from.unwrap_or_default(),
                to: to.unwrap_or_default(),
                page: page.to_string(),
            };
            let (filter, page) = AuditFilter::read(&input).map_err(|e| match e {
                AppError::Invalid(problems) => Failure::Invalid(format!(
                    "絞り込みの条件に{}件の問題があります。\n{}",
                    problems.len(),
                    problems
                        .iter()
                        .map(|p| format!("  --{}: {}", p.path, p.message))
                        .collect::<Vec<_>>()
                        .join("\n")
                )),
                other => Failure::from(other),
            })?;
            let cx = Context::new(store.as_ref(), &code);
            let log = audit::audit_log(
                &cx,
                operator,
                &filter,
                page,
                usize::try_from(limit.max(1)).unwrap_or(usize::MAX),
            )
            .await?;
            for e in &log.entries {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    e.sequence, e.at, e.actor.label, e.action_label, e.target.label
                );
                for f in &e.changes.fields {
                    let label = if f.label.is_empty() { "行" } else { &f.label };
                    let shown = |v: &str| {
                        if v.is_empty() {
                            "（なし）".to_owned()
                        } else {
                            v.replace('\n', " / ")
                        }
                    };
                    println!("\t{label}: {} → {}", shown(&f.before), shown(&f.after));
                }
                if let Some(note) = &e.changes.note {
                    println!("\t{note}");
                }
            }
            println!("（{}件中 {} / {}ページ）", log.total, log.page, log.pages);
            Ok(())
        }
    }
}
