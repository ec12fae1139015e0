//! `keikaku import` and `keikaku export`: plan files in and out.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use keikaku_app::Context;
use keikaku_app::access::Operator;
use keikaku_app::transfer::{self, PlanFileText};
use keikaku_domain::PlanId;
use keikaku_storage::ExistingPlan;

use super::{Failure, choose_municipality, now, open_store};

/// The options of `keikaku import`.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// 計画ファイル（「-」で標準入力）/ Plan files ("-" for standard input)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// 同じIDの計画があれば置き換えます / Replace plans with the same id
    #[arg(long)]
    replace: bool,
}

/// The options of `keikaku export`.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// 団体の市町村コード（団体が1つなら省略可）
    #[arg(long)]
    municipality: Option<String>,
    /// 書き出す計画のID（省略するとすべて）
    #[arg(long = "plan")]
    plans: Vec<String>,
    /// 出力先（省略すると標準出力）
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Imports the files named as one: every file is read and checked first, and all of them
/// are written in one transaction, or none is.
pub(super) async fn import(
    operator: &Operator,
    database: &str,
    args: ImportArgs,
) -> Result<(), Failure> {
    let texts = args
        .files
        .iter()
        .map(|file| read_input(file))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let files: Vec<PlanFileText<'_>> = names
        .iter()
        .zip(&texts)
        .map(|(name, text)| PlanFileText { name, text })
        .collect();
    let store = open_store(database).await?;
    let existing = if args.replace {
        ExistingPlan::Replace
    } else {
        ExistingPlan::Refuse
    };
    let reports =
        transfer::import_files(operator, store.as_ref(), &files, existing, now()?).await?;
    for (name, report) in names.iter().zip(reports) {
        tracing::info!(
            file = %name,
            municipality = %report.municipality.name,
            plans = ?report.plans.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "imported"
        );
    }
    Ok(())
}

/// Writes the municipality's plans (all, or those named) as one plan file.
pub(super) async fn export(
    operator: &Operator,
    database: &str,
    args: ExportArgs,
) -> Result<(), Failure> {
    let store = open_store(database).await?;
    let code = choose_municipality(store.as_ref(), args.municipality.as_deref()).await?;
    let ids = args
        .plans
        .iter()
        .map(|p| PlanId::parse(p).map_err(|e| Failure::Invalid(e.0)))
        .collect::<Result<Vec<_>, _>>()?;
    let text = transfer::export(&Context::new(store.as_ref(), &code), operator, &ids).await?;
    write_output(args.output.as_deref(), &text)
}

pub(super) fn read_input(file: &Path) -> Result<String, Failure> {
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
            "ファイル「{}」はUTF-8ではありません（{}バイト目）。UTF-8で保存してください。",
            file.display(),
            e.utf8_error().valid_up_to() + 1
        ))
    })
}

#[allow(clippy::print_stdout)] // export writes the file to standard output when asked to
pub(super) fn write_output(output: Option<&Path>, text: &str) -> Result<(), Failure> {
    match output {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => write_bytes(path, text.as_bytes()),
    }
}

/// Writes a file whole: next to the target, flushed to the disk and renamed, so that a
/// failure never leaves half a file (a backup is worth nothing unless it is whole).
pub(super) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::Environment(format!("「{}」に書き出せません: {e}", path.display()))
    })
}
