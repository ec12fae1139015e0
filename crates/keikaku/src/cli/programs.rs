//! `keikaku implementation-plan …`: the 実施計画 from the console — the editions listed, one
//! opened (empty or by rolling the last), the 一覧 written as XLSX, CSV or JSON, and a
//! department's sheet (or a JSON file) previewed (`--dry-run`) or stored.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use keikaku_app::Context;
use keikaku_app::access::Operator;
use keikaku_app::programs::{
    ImportPreview, ProgramFormat, apply_import, create_edition, edition, editions, export,
    preview_import, roll,
};
use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::{self, Rounding};
use keikaku_domain::program::{Amount, RolledProgram};
use keikaku_storage::Store;

use super::{Failure, choose_municipality, now, open_store, refused};

/// `keikaku implementation-plan …`.
#[derive(Debug, Subcommand)]
pub(super) enum ProgramCommand {
    /// 実施計画の版の一覧を表示します / List the editions
    List(MunicipalityArg),
    /// 前年度の版から次の版を作成します（ローリング） / Roll an edition into the next
    Roll(RollArgs),
    /// 空の版を作成します（最初の版など） / Open an empty edition
    Create(CreateArgs),
    /// 事業一覧（XLSX・CSV）またはJSONを取り込みます。誤りがあれば全件を表示し、何も書き込みません / Import a sheet or JSON
    Import(ImportArgs),
    /// 事業一覧を書き出します / Export the program list
    Export(ExportArgs),
}

/// The municipality option every subcommand has.
#[derive(Debug, Args)]
pub(super) struct MunicipalityArg {
    /// 団体の市町村コード（団体が1つなら省略可）
    #[arg(long)]
    municipality: Option<String>,
}

/// The options of `roll`.
#[derive(Debug, Args)]
pub(super) struct RollArgs {
    /// ローリングする版の作成年度（2025、令和7年度など）。その翌年度の版を作ります
    #[arg(long)]
    from: String,
    #[command(flatten)]
    municipality: MunicipalityArg,
}

/// The 千円 rounding rule of a new edition.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum RoundingArg {
    /// 四捨五入
    HalfUp,
    /// 切り捨て
    Down,
    /// 切り上げ
    Up,
}

/// The options of `create`.
#[derive(Debug, Args)]
pub(super) struct CreateArgs {
    /// 版の作成年度（2025、令和7年度など）。翌年度から3か年度分の版になります
    #[arg(long)]
    edition: String,
    /// 施策の体系に使う総合計画のID
    #[arg(long, default_value = "sogo-keikaku")]
    plan: String,
    /// 千円未満の端数処理
    #[arg(long, value_enum, default_value = "half-up")]
    rounding: RoundingArg,
    #[command(flatten)]
    municipality: MunicipalityArg,
}

/// The options of `import`.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// ファイル（.xlsx / .csv / .json）
    file: PathBuf,
    /// 取り込み先の版の作成年度（省略すると、JSONはファイルの版、シートは作成中の最新の版）
    #[arg(long)]
    edition: Option<String>,
    /// 変更点を表示するだけで、保存しません / Show the changes, store nothing
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    municipality: MunicipalityArg,
}

/// The format of `export`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Excel（.xlsx）
    Xlsx,
    /// CSV（UTF-8、BOM付き）
    Csv,
    /// CSV（Shift_JIS）
    CsvSjis,
    /// JSON（金額は円）
    Json,
}

/// The options of `export`.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// 版の作成年度（省略すると最新の版）
    #[arg(long)]
    edition: Option<String>,
    /// 形式
    #[arg(long, value_enum)]
    format: Format,
    /// この課の事業だけを書き出します（各課に配るシート）
    #[arg(long)]
    department: Option<String>,
    /// 出力先（省略すると標準出力）
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    municipality: MunicipalityArg,
}

pub(super) async fn programs(
    operator: &Operator,
    database: &str,
    command: ProgramCommand,
) -> Result<(), Failure> {
    match command {
        ProgramCommand::List(args) => list(operator, database, args).await,
        ProgramCommand::Roll(args) => roll_edition(operator, database, args).await,
        ProgramCommand::Create(args) => create(operator, database, args).await,
        ProgramCommand::Import(args) => import(operator, database, args).await,
        ProgramCommand::Export(args) => export_edition(operator, database, args).await,
    }
}

fn year(flag: &str, text: &str) -> Result<FiscalYear, Failure> {
    FiscalYear::parse(text).map_err(|e| Failure::Invalid(format!("{flag}: {e}")))
}

async fn open(
    database: &str,
    municipality: &MunicipalityArg,
) -> Result<(std::sync::Arc<dyn Store>, keikaku_domain::MunicipalityCode), Failure> {
    let store = open_store(database).await?;
    let code = choose_municipality(store.as_ref(), municipality.municipality.as_deref()).await?;
    Ok((store, code))
}

#[allow(clippy::print_stdout)] // the list is the command's output
async fn list(operator: &Operator, database: &str, args: MunicipalityArg) -> Result<(), Failure> {
    let (store, code) = open(database, &args).await?;
    let all = editions(&Context::new(store.as_ref(), &code), operator).await?;
    if all.is_empty() {
        println!("実施計画の版はまだありません。");
    }
    for e in all {
        let [first, _, last] = keikaku_domain::program::Edition {
            made_in: e.edition.made_in,
            programs: Vec::new(),
        }
        .covers();
        println!(
            "{}\t{}版（{}〜{}）\t{}\t事業{}件",
            e.edition.made_in.year(),
            format::fiscal_year(e.edition.made_in),
            first.year(),
            last.year(),
            e.edition.state.label(),
            e.programs
        );
    }
    Ok(())
}

#[allow(clippy::print_stdout)] // the summary is the command's output
async fn roll_edition(operator: &Operator, database: &str, args: RollArgs) -> Result<(), Failure> {
    let from = year("--from", &args.from)?;
    let (store, code) = open(database, &args.municipality).await?;
    let cx = Context::new(store.as_ref(), &code);
    let outcomes = roll(&cx, operator, from, now()?)
        .await
        .map_err(|e| refused("ローリングできません", e))?;
    let carried = outcomes
        .iter()
        .filter(|o| matches!(o, RolledProgram::Carried(_)))
        .count();
    let mut out = format!(
        "{}版から{}版を作成しました（作成中）。事業{}件を引き継ぎ、{}件は引き継いでいません。\n",
        format::fiscal_year(from),
        format::fiscal_year(from.next()),
        carried,
        outcomes.len() - carried
    );
    for o in outcomes
        .iter()
        .filter(|o| !matches!(o, RolledProgram::Carried(_)))
    {
        let _ = writeln!(out, "  {}", o.message());
    }
    print!("{out}");
    Ok(())
}

#[allow(clippy::print_stdout)] // the confirmation is the command's output
async fn create(operator: &Operator, database: &str, args: CreateArgs) -> Result<(), Failure> {
    let made_in = year("--edition", &args.edition)?;
    let (store, code) = open(database, &args.municipality).await?;
    let rounding = match args.rounding {
        RoundingArg::HalfUp => Rounding::HalfUp,
        RoundingArg::Down => Rounding::Down,
        RoundingArg::Up => Rounding::Up,
    };
    create_edition(
        &Context::new(store.as_ref(), &code),
        operator,
        made_in,
        &args.plan,
        rounding,
        now()?,
    )
    .await
    .map_err(|e| refused("版を作成できません", e))?;
    println!(
        "{}版の実施計画を作成しました（作成中）。",
        format::fiscal_year(made_in)
    );
    Ok(())
}

/// 「1,234千円」, or 「（なし）」.
fn thousands(y: Option<keikaku_domain::program::Yen>) -> String {
    y.map_or_else(|| "（なし）".to_owned(), |y| y.thousands_text())
}

/// The preview as text, one line per program and change.
fn preview_text(p: &ImportPreview) -> String {
    let mut out = format!(
        "{}版へ「{}」（{}件）: 追加 {}件、削除 {}件、変更 {}件\n",
        format::fiscal_year(p.made_in),
        p.sheet,
        p.rows,
        p.added.len(),
        p.removed.len(),
        p.changed.len()
    );
    for a in &p.added {
        let _ = writeln!(out, "  追加 {} {}（{}）", a.code, a.name, a.department);
    }
    for r in &p.removed {
        let _ = writeln!(out, "  削除 {} {}（{}）", r.code, r.name, r.department);
    }
    for c in &p.changed {
        let _ = writeln!(out, "  変更 {} {}", c.code, c.name);
        if let Some((old, new)) = c.category {
            let _ = writeln!(out, "    事業区分: {} → {}", old.label(), new.label());
        }
        for (label, old, new) in &c.fields {
            let _ = writeln!(out, "    {label}: {old} → {new}");
        }
        for a in &c.amounts {
            let label = match a.amount {
                Amount::Cost => "事業費",
                Amount::Part(part) => part.label(),
            };
            let _ = writeln!(
                out,
                "    {}の{label}: {} → {}",
                format::fiscal_year(a.fiscal_year),
                thousands(a.old),
                thousands(a.new)
            );
        }
        for (y, old, new) in &c.activity_targets {
            let v =
                |d: &Option<_>| d.map_or_else(|| "（なし）".to_owned(), |d| format::value(d, None));
            let _ = writeln!(
                out,
                "    {}の活動指標の目標値: {} → {}",
                format::fiscal_year(*y),
                v(old),
                v(new)
            );
        }
    }
    out
}

#[allow(clippy::print_stdout)] // the preview is the command's output
async fn import(operator: &Operator, database: &str, args: ImportArgs) -> Result<(), Failure> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        Failure::NotFound(format!(
            "ファイル「{}」を読めません: {e}",
            args.file.display()
        ))
    })?;
    let made_in = args
        .edition
        .as_deref()
        .map(|e| year("--edition", e))
        .transpose()?;
    let (store, code) = open(database, &args.municipality).await?;
    let cx = Context::new(store.as_ref(), &code);
    let name = args.file.display().to_string();
    let preview = preview_import(&cx, operator, made_in, &name, &bytes)
        .await
        .map_err(|e| refused("取り込めません", e))?;
    let mut out = preview_text(&preview);
    if args.dry_run {
        out.push_str("--dry-run のため、保存していません。\n");
    } else if preview.is_empty() {
        out.push_str("変更はありません。\n");
    } else {
        let n = apply_import(&cx, operator, &preview, now()?)
            .await
            .map_err(|e| refused("保存できません", e))?;
        let _ = writeln!(out, "{n}件の事業を保存しました。");
    }
    print!("{out}");
    Ok(())
}

async fn export_edition(
    operator: &Operator,
    database: &str,
    args: ExportArgs,
) -> Result<(), Failure> {
    let format = match args.format {
        Format::Xlsx => ProgramFormat::Xlsx,
        Format::Csv => ProgramFormat::Csv,
        Format::CsvSjis => ProgramFormat::CsvShiftJis,
        Format::Json => ProgramFormat::Json,
    };
    if format == ProgramFormat::Xlsx && args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Failure::Invalid(
            "XLSXは端末に表示できません。-o FILE.xlsx で出力先を指定してください。".to_owned(),
        ));
    }
    let (store, code) = open(database, &args.municipality).await?;
    let cx = Context::new(store.as_ref(), &code);
    let made_in = match args.edition.as_deref() {
        Some(e) => year("--edition", e)?,
        None => editions(&cx, operator)
            .await?
            .first()
            .map(|e| e.edition.made_in)
            .ok_or_else(|| Failure::NotFound("実施計画の版がありません。".to_owned()))?,
    };
    let view = edition(&cx, operator, made_in).await?;
    let city = store
        .municipality(&code)
        .await?
        .map(|m| m.name)
        .unwrap_or_default();
    let bytes = export(&view, &city, args.department.as_deref(), format)
        .map_err(|e| refused("書き出せません", e))?;
    match args.output {
        Some(path) => super::transfer::write_bytes(&path, &bytes),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Failure::Environment(format!("標準出力に書き出せません: {e}"))),
    }
}
