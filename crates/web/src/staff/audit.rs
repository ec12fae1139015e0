//! The audit log for administrators (`GET /staff/audit`): the latest entries, and the result
//! of checking the log's hash chain.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keikaku_app::history;

use crate::AppState;
use crate::clock::jst_label;
use crate::error::WebError;
use crate::routes::{Route, route};
use crate::staff::extract::StaffUser;
use crate::staff::{private_page, staff_layout};
use crate::views;

pub(crate) const ROUTES: &[Route] =
    &[route!(GET "/staff/audit" => audit, ReadAudit, "/staff/audit")];

/// Entries shown at most.
const AUDIT_LIMIT: u32 = 200;

/// The Japanese name of an audit action.
fn action_label(action: &str) -> &str {
    match action {
        "plan.import" => "計画の取り込み",
        "plan.replace" => "計画の置き換え",
        "plan.delete" => "計画の削除",
        "plan.status" => "計画の状態の変更",
        "plan.update" => "計画の基本事項の編集",
        "element.update" => "要素の編集",
        "element.create" => "要素の追加",
        "element.delete" => "要素の削除",
        "element.move" => "要素の並べ替え",
        "basic_plan.start" => "基本計画を前の基本計画から開始（写しの作成）",
        "token.create" => "APIトークンの作成",
        "token.revoke" => "APIトークンの失効",
        "user.create" => "利用者の登録",
        "user.update" => "利用者の変更",
        "user.disable" => "利用者の利用停止",
        "user.enable" => "利用者の利用再開",
        "user.password" => "パスワードの変更",
        "kpi.values" => "指標の値の入力",
        "kpi.settings" => "評価の設定の変更",
        "kpi.round.assessments" => "効果検証の入力（要因分析・委員評価・対応方針）",
        "kpi.round.submission" => "効果検証の提出・承認・差戻し",
        "kpi.round.opinion" => "有識者会議の総合意見",
        "kpi.round.publish" => "効果検証の結果の公表",
        "kpi.round.reopen" => "効果検証の再開",
        "implementation_plan.create" => "実施計画の版の作成",
        "implementation_plan.roll" => "実施計画のローリング（前年度の版から作成）",
        "implementation_plan.programs" => "実施計画の事業の入力・削除",
        "implementation_plan.delete" => "実施計画の版の削除",
        "implementation_plan.part" => "実施計画の提出・承認・差戻し",
        "implementation_plan.settings" => "実施計画の設定の変更",
        "implementation_plan.frames" => "実施計画の財政計画の枠の入力",
        "implementation_plan.state" => "実施計画の確定・公表",
        "population.vision" => "人口ビジョンの目標人口・実績人口の保存",
        "population.census" => "人口ビジョンの基準人口の入力",
        "population.census_delete" => "人口ビジョンの基準人口の削除",
        "population.scenario" => "人口ビジョンの推計の設定",
        "population.scenario_delete" => "人口ビジョンの推計の削除",
        "population.run" => "人口ビジョンの推計の計算",
        other => other,
    }
}

struct EntryRow {
    sequence: u64,
    at: String,
    actor: String,
    action: String,
    target: String,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: views::Layout,
    chain: String,
    limit: u32,
    entries: Vec<EntryRow>,
}

/// `GET /staff/audit`.
async fn audit(
    State(state): State<AppState>,
    StaffUser { granted, .. }: StaffUser,
) -> Result<Response, WebError> {
    let cx = state.catalog.context();
    let chain = match history::verify_audit(&cx, &granted).await? {
        Ok(n) => {
            format!("{n}件の記録を検証しました。ハッシュの連鎖に改ざんは見つかりませんでした。")
        }
        Err(broken) => format!(
            "警告: 記録 {} 番が壊れています（{broken}）。",
            broken.sequence()
        ),
    };
    let entries = history::recent_audit(&cx, &granted, AUDIT_LIMIT)
        .await?
        .into_iter()
        .map(|e| EntryRow {
            sequence: e.sequence,
            at: jst_label(e.at),
            actor: e.actor,
            action: action_label(&e.action).to_owned(),
            target: e.target,
        })
        .collect();
    let page = AuditPage {
        layout: staff_layout(&state, "監査ログ", &[]).await?,
        chain,
        limit: AUDIT_LIMIT,
        entries,
    };
    Ok(private_page(StatusCode::OK, page.render()?).into_response())
}
