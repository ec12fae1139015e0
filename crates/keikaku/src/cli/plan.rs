//! `keikaku plan export-xlsx` and `keikaku plan import-xlsx`: a plan's elements in and out as
//! the workbook the staff pages download (one sheet per element kind, 「説明」 with the plan's
//! revision); an import shows every change and stores all of it in one edit, or nothing.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use keikaku_app::Context;
use keikaku_app::access::Operator;
use keikaku_app::edit::{self, workbook};
use keikaku_domain::PlanId;

use super::{Failure, choose_municipality, now, open_store};

/// `keikaku plan …`.
#[derive(Debug, Subcommand)]
pub(super) enum PlanCommand {
    /// 計画の要素を、種類ごとのシートにしたExcel（.xlsx）で書き出します / Export a plan's elements as XLSX
    #[command(name = "export-xlsx")]
    ExportXlsx(ExportArgs),
    /// 直した要素一覧（.xlsx）を取り込みます。誤りがあれば全件をシートとセルで表示し、何も書き込みません / Import a plan's elements from XLSX
    #[command(name = "import-xlsx")]
    ImportXlsx(ImportArgs),
}

/// The options of `keikaku plan export-xlsx`.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// 計画のID（例: sogo-senryaku）
    #[arg(long)]
    plan: String,
    /// 出力先（省略すると標準出力）
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// 団体の市町村コード（団体が1つなら省略可）
    #[arg(long)]
    municipality: Option<String>,
}

/// The options of `keikaku plan import-xlsx`.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// 要素一覧のファイル（.xlsx）
    file: PathBuf,
    /// 計画のID（例: sogo-senryaku）
    #[arg(long)]
    plan: String,
    /// 団体の市町村コード（団体が1つなら省略可）
    #[arg(long)]
    municipality: Option<String>,
    /// 変更点を表示するだけで、保存しません / Show the changes, store nothing
    #[arg(long)]
    dry_run: bool,
}

pub(super) async fn plan(
    operator: &Operator,
    database: &str,
    command: PlanCommand,
) -> Result<(), Failure> {
    match command {
        PlanCommand::ExportXlsx(args) => export(operator, database, args).await,
        PlanCommand::ImportXlsx(args) => import(operator, database, args).await,
    }
}

fn plan_id(text: &str) -> Result<PlanId, Failure> {
    PlanId::parse(text).map_err(|e| Failure::Invalid(format!("--plan: {}", e.0)))
}

async fn export(operator: &Operator, database: &str, args: ExportArgs) -> Result<(), Failure> {
    let plan = plan_id(&args.plan)?;
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Failure::Invalid(
            "XLSXは端末に表示できません。-o FILE.xlsx で出力先を指定してください。".to_owned(),
        ));
    }
    let store = open_store(database).await?;
    let code = choose_municipality(store.as_ref(), args.municipality.as_deref()).await?;
    let bytes = edit::export_workbook(&Context::new(store.as_ref(), &code), operator, &plan)
        .await
        .map_err(|e| super::refused("書き出せません", e))?;
    match args.output {
        Some(path) => super::transfer::write_bytes(&path, &bytes),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Failure::Environment(format!("標準出力に書き出せません: {e}"))),
    }
}

/// The preview as lines: each changed field, each element added, what is left unchanged.
fn preview_text(p: &edit::WorkbookPreview) -> String {
    let mut out = format!(
        "計画「{}」: {}行を読みました。変更 {}件、追加 {}件。シートにない要素 {}件は変更しません。\n",
        p.plan_title,
        p.rows,
        p.changed.len(),
        p.added.len(),
        p.not_in_file
    );
    if p.changed_since_file() {
        let _ = writeln!(
            out,
            "（このファイルを作った後に、計画は変更されています。その後にほかの人が変更した要素のうち、ファイルで書き換えていない{}件は、いまの内容のまま残します。）",
            p.kept_newer
        );
    }
    let blank = |t: &str| {
        if t.is_empty() {
            "（空欄）".to_owned()
        } else {
            t.replace('\n', "⏎")
        }
    };
    for c in &p.changed {
        let _ = writeln!(
            out,
            "  変更 {} {}（{}、ID {}）",
            workbook::sheet_name(c.kind),
            c.label,
            c.place,
            c.id
        );
        for f in &c.fields {
            let _ = writeln!(
                out,
                "    {}: {} → {}",
                f.label,
                blank(&f.before),
                blank(&f.after)
            );
        }
    }
    for a in &p.added {
        let _ = writeln!(
            out,
            "  追加 {}（{}）{}",
            workbook::sheet_name(a.kind),
            a.place,
            if a.parent.is_empty() {
                String::new()
            } else {
                format!(" 「{}」の下", a.parent)
            }
        );
        for (label, value) in &a.fields {
            let _ = writeln!(out, "    {label}: {}", blank(value));
        }
    }
    for s in &p.missing_sheets {
        let _ = writeln!(
            out,
            "  ファイルにないシート「{s}」: その種類の要素は変更しません。"
        );
    }
    for s in &p.ignored_sheets {
        let _ = writeln!(out, "  読まなかったシート「{s}」");
    }
    out
}

#[allow(clippy::print_stdout)] // the preview is the command's output
async fn import(operator: &Operator, database: &str, args: ImportArgs) -> Result<(), Failure> {
    let plan = plan_id(&args.plan)?;
    let bytes = std::fs::read(&args.file).map_err(|e| {
        Failure::NotFound(format!(
            "ファイル「{}」を読めません: {e}",
            args.file.display()
        ))
    })?;
    let store = open_store(database).await?;
    let code = choose_municipality(store.as_ref(), args.municipality.as_deref()).await?;
    let cx = Context::new(store.as_ref(), &code);
    let name = args.file.display().to_string();
    let preview = edit::preview_workbook(&cx, operator, &plan, &name, &bytes)
        .await
        .map_err(|e| super::refused("要素一覧を取り込めません", e))?;
    let mut out = preview_text(&preview);
    if args.dry_run || preview.is_empty() {
        out.push_str(if preview.is_empty() {
            "保存されている内容と違う要素はありません。\n"
        } else {
            "--dry-run のため、保存していません。\n"
        });
        print!("{out}");
        return Ok(());
    }
    let applied = edit::apply_workbook(
        &cx,
        operator,
        &plan,
        &name,
        &bytes,
        &preview.revision,
        now()?,
    )
    .await
    .map_err(|e| super::refused("要素一覧を取り込めません", e))?;
    let _ = writeln!(
        out,
        "{}件を変更し、{}件を追加しました。",
        applied.changed, applied.added
    );
    print!("{out}");
    Ok(())
}
