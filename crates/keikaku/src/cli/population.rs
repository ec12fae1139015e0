//! `keikaku population …`: the 人口ビジョン's projection from the console — one input given
//! whole as JSON, projected and printed as JSON, with no database.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use keikaku_app::AppError;
use keikaku_app::population::project_json;

use super::Failure;
use super::transfer::read_input;

/// `keikaku population …`.
#[derive(Debug, Subcommand)]
pub(super) enum PopulationCommand {
    /// 1つの推計の入力（JSON）を推計し、結果をJSONで標準出力に書き出します / Project one input given as JSON
    #[command(long_about = PROJECT_HELP)]
    Project(ProjectArgs),
}

/// The long help of `project`: the shapes of the input and the result.
const PROJECT_HELP: &str = "\
1つの推計の入力（JSON）をコーホート要因法で推計し、基準年と各期の結果をJSONで標準出力に書き出します。
データベースは使いません。入力に誤りがあれば、すべての誤りをJSONパス付きで標準エラーに表示し、
何も出力せずに終了コード3で終わります。

入力:
  {\"base_year\": 2015, \"steps\": 9,
   \"pop\": {\"M\": [19個], \"F\": [19個]},        基準人口（0〜4歳 … 85〜89歳、90歳以上）
   \"survival\": {\"M\": [19個], \"F\": [19個]},   生残率（90歳以上は90歳以上の5年後の生残率）
   \"migration\": {\"M\": [19個], \"F\": [19個]},  純移動率（期首の人口1人当たりの5年間の純移動数）
   \"cwr\": 0.21 または [期ごとに1つ],            子ども女性比
   \"sex_ratio\": 105.2}                          0〜4歳の性比（女100に対する男）
  ほかの項目は誤りとして扱います。

出力:
  [{\"year\": 2015, \"M\": [19個], \"F\": [19個], \"total\": 合計}, …]
  数値は読み戻すと同じ値になる最短の表記です。

Project one input: the base year and every five-year step as JSON on standard output.
See docs/population.md.";

/// The options of `project`.
#[derive(Debug, Args)]
pub(super) struct ProjectArgs {
    /// 入力のJSONファイル（「-」で標準入力） / The input ("-" for standard input)
    #[arg(long, short)]
    input: PathBuf,
}

pub(super) fn population(command: PopulationCommand) -> Result<(), Failure> {
    match command {
        PopulationCommand::Project(args) => project(&args),
    }
}

fn project(args: &ProjectArgs) -> Result<(), Failure> {
    let text = read_input(&args.input)?;
    let json = project_json(&text).map_err(|e| match e {
        AppError::Invalid(problems) => {
            let mut text = format!(
                "推計できません: 入力に{}件の問題があります。\n",
                problems.len()
            );
            for p in problems {
                let _ = writeln!(text, "  {}: {}", p.path, p.message);
            }
            Failure::Invalid(text.trim_end().to_owned())
        }
        other => Failure::from(other),
    })?;
    let mut out = std::io::stdout().lock();
    out.write_all(json.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Environment(format!("標準出力に書き出せません: {e}")))
}
