//! `keikaku kpi import` and `keikaku kpi export`: the yearly values of indicators in and out
//! as the departments' sheets (XLSX, CSV in UTF-8 with BOM or Shift_JIS) and as JSON.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use keikaku_app::Context;
use keikaku_app::access::Operator;
use keikaku_app::kpi::sheets::{self, SheetFormat};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::{MunicipalityCode, PlanId, format};
use keikaku_storage::Store;

use super::{Failure, choose_municipality, now, open_store};

/// `keikaku kpi …`.
#[derive(Debug, Subcommand)]
pub(super) enum KpiCommand {
    /// 指標の年度ごとの値を、KPI評価シート（XLSX）・CSV・各課のシートから取り込みます。誤りがあれば全件を表示し、何も書き込みません / Import yearly values from a sheet
    Import(ImportArgs),
    /// KPI評価シートを書き出します / Export the KPI evaluation sheet
    Export(ExportArgs),
}

/// The options of `keikaku kpi import`.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// シートのファイル（.xlsx / .csv）
    file: PathBuf,
    /// 計画のID（指標のある計画が1つなら省略可）
    #[arg(long)]
    plan: Option<String>,
    /// 団体の市町村コード（団体が1つなら省略可）
    #[arg(long)]
    municipality: Option<String>,
    /// 変更点を表示するだけで、保存しません / Show the changes, store nothing
    #[arg(long)]
    dry_run: bool,
}

/// The format of `keikaku kpi export`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Excel（.xlsx）
    Xlsx,
    /// CSV（UTF-8、BOM付き）
    Csv,
    /// CSV（Shift_JIS）
    CsvSjis,
    /// JSON
    Json,
}

/// The options of `keikaku kpi export`.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// 計画のID（指標のある計画が1つなら省略可）
    #[arg(long)]
    plan: Option<String>,
    /// この年度までの実績で評価します（2019、R1、令和元年度など。省略すると計画期間の最後）
    #[arg(long)]
    year: Option<String>,
    /// 形式
    #[arg(long, value_enum)]
    format: Format,
    /// 出力先（省略すると標準出力）
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// 団体の市町村コード（団体が1つなら省略可）
    #[arg(long)]
    municipality: Option<String>,
}

pub(super) async fn kpi(
    operator: &Operator,
    database: &str,
    command: KpiCommand,
) -> Result<(), Failure> {
    match command {
        KpiCommand::Import(args) => import(operator, database, args).await,
        KpiCommand::Export(args) => export(operator, database, args).await,
    }
}

/// The plan named, or the only plan of the municipality that has indicators.
async fn choose_plan(
    store: &dyn Store,
    code: &MunicipalityCode,
    named: Option<&str>,
) -> Result<PlanId, Failure> {
    if let Some(id) = named {
        return PlanId::parse(id).map_err(|e| Failure::Invalid(e.0));
    }
    let mut with = Vec::new();
    for s in store.plan_summaries(code).await? {
        if let Some(p) = store.plan(code, &s.header.id).await?
            && !p.indicators().is_empty()
        {
            with.push((s.header.id.clone(), s.header.title.clone()));
        }
    }
    match with.as_slice() {
        [(only, _)] => Ok(only.clone()),
        [] => Err(Failure::NotFound("指標のある計画がありません。".to_owned())),
        many => Err(Failure::Invalid(format!(
            "指標のある計画が複数あります。--plan で計画のIDを指定してください（{}）。",
            many.iter()
                .map(|(id, title)| format!("{id} {title}"))
                .collect::<Vec<_>>()
                .join("、")
        ))),
    }
}

/// A progress bar on standard error for files worth waiting for; hidden when standard error
/// is not a terminal.
fn progress(bytes: usize, steps: u64) -> indicatif::ProgressBar {
    if bytes < 256 * 1024 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(steps);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

#[allow(clippy::print_stdout)] // the preview is the command's output
async fn import(operator: &Operator, database: &str, args: ImportArgs) -> Result<(), Failure> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        Failure::NotFound(format!(
            "ファイル「{}」を読めません: {e}",
            args.file.display()
        ))
    })?;
    let bar = progress(bytes.len(), 3);
    bar.set_message("データベースを開いています");
    let store = open_store(database).await?;
    let code = choose_municipality(store.as_ref(), args.municipality.as_deref()).await?;
    let plan = choose_plan(store.as_ref(), &code, args.plan.as_deref()).await?;
    let cx = Context::new(store.as_ref(), &code);
    let importer = operator;
    bar.inc(1);
    bar.set_message("シートを読み、指標と照合しています");
    let name = args.file.display().to_string();
    let preview = sheets::preview(&cx, importer, &plan, &name, &bytes)
        .await
        .map_err(|e| super::refused("シートを取り込めません", e))?;
    bar.inc(1);
    let mut out = format!(
        "シート「{}」: {}行（照合に使った列: {}）、変更 {}件\n",
        preview.sheet,
        preview.rows,
        preview.key_column,
        preview.changes.len()
    );
    // A sheet has a few fiscal years and thousands of cells: each year's label is made once.
    let mut years: std::collections::HashMap<_, String> = std::collections::HashMap::new();
    for c in &preview.changes {
        let year = years
            .entry(c.year)
            .or_insert_with(|| format::fiscal_year(c.year));
        let _ = writeln!(
            out,
            "  {} {} {}の{}: {} → {}",
            c.cell,
            c.title,
            year,
            c.column,
            c.old
                .map_or_else(|| "（なし）".to_owned(), |v| format::value(v, None)),
            format::value(c.new, None)
        );
    }
    if args.dry_run {
        bar.finish_and_clear();
        out.push_str("--dry-run のため、保存していません。\n");
        print!("{out}");
        return Ok(());
    }
    bar.set_message("保存しています");
    let saved = sheets::apply(&cx, importer, &plan, &preview, now()?).await?;
    bar.finish_and_clear();
    out.push_str(&format!("{saved}件（指標×年度）を保存しました。\n"));
    print!("{out}");
    Ok(())
}

async fn export(operator: &Operator, database: &str, args: ExportArgs) -> Result<(), Failure> {
    let store = open_store(database).await?;
    let code = choose_municipality(store.as_ref(), args.municipality.as_deref()).await?;
    let plan = choose_plan(store.as_ref(), &code, args.plan.as_deref()).await?;
    let year = args
        .year
        .as_deref()
        .map(|y| FiscalYear::parse(y).map_err(|e| Failure::Invalid(format!("--year: {e}"))))
        .transpose()?;
    let form = match args.format {
        Format::Xlsx => SheetFormat::Xlsx,
        Format::Csv => SheetFormat::Csv,
        Format::CsvSjis => SheetFormat::CsvShiftJis,
        Format::Json => SheetFormat::Json,
    };
    if matches!(form, SheetFormat::Xlsx) && args.output.is_none() && std::io::stdout().is_terminal()
    {
        return Err(Failure::Invalid(
            "XLSXは端末に表示できません。-o FILE.xlsx で出力先を指定してください。".to_owned(),
        ));
    }
    let bytes = sheets::export(
        &Context::new(store.as_ref(), &code),
        operator,
        &plan,
        year,
        form,
    )
    .await
    .map_err(|e| super::refused("書き出せません", e))?;
    match args.output {
        Some(path) => super::transfer::write_bytes(&path, &bytes),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Failure::Environment(format!("標準出力に書き出せません: {e}"))),
    }
}
