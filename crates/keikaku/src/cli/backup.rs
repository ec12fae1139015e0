//! `keikaku backup` and `keikaku restore`: the whole database into one file and back.

use std::path::PathBuf;

use clap::Args;
use keikaku_app::access::Operator;
use keikaku_app::backup;

use super::transfer::{read_input, write_output};
use super::{Failure, connect_store, open_store, refused};

/// The options of `keikaku backup`.
#[derive(Debug, Args)]
pub(super) struct BackupArgs {
    /// 出力先（省略すると標準出力）/ Output file (standard output when omitted)
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// The options of `keikaku restore`.
#[derive(Debug, Args)]
pub(super) struct RestoreArgs {
    /// バックアップファイル（「-」で標準入力）/ Backup file ("-" for standard input)
    file: PathBuf,
}

/// Writes the backup of the database named by `--database`.
pub(super) async fn backup(
    operator: &Operator,
    database: &str,
    args: BackupArgs,
) -> Result<(), Failure> {
    let store = open_store(database).await?;
    let text = backup::create(operator, store.as_ref()).await?;
    write_output(args.output.as_deref(), &text)
}

/// Restores a backup into the (empty) database named by `--database`.
#[allow(clippy::print_stdout)] // the report is the command's output
pub(super) async fn restore(
    operator: &Operator,
    database: &str,
    args: RestoreArgs,
) -> Result<(), Failure> {
    let text = read_input(&args.file)?;
    let store = connect_store(database).await?;
    let report = backup::restore(operator, store.as_ref(), &text)
        .await
        .map_err(|e| refused("復元できません（何も書き込んでいません）", e))?;
    let rows: Vec<String> = report
        .tables
        .iter()
        .map(|(name, n)| format!("{name} {n}行"))
        .collect();
    println!(
        "「{}」を復元しました（{}）。",
        args.file.display(),
        rows.join("、")
    );
    Ok(())
}
