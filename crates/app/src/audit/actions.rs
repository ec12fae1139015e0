//! The audit log's vocabulary of actions: each action code the writers record, with its
//! Japanese name, in the order a filter offers them.

/// Every action the writers record, `(code, Japanese name)`, grouped as the filter shows them.
pub const ACTIONS: &[(&str, &str)] = &[
    ("plan.import", "計画の取り込み"),
    ("plan.replace", "計画の置き換え"),
    ("plan.delete", "計画の削除"),
    ("plan.status", "計画の状態の変更"),
    ("plan.update", "計画の基本事項の編集"),
    ("version.note", "版の名称・理由の変更"),
    ("element.update", "要素の編集"),
    ("element.create", "要素の追加"),
    ("element.delete", "要素の削除"),
    ("element.move", "要素の並べ替え"),
    ("element.restore", "要素の復元（版から）"),
    ("element.import", "要素の取り込み（Excel）"),
    ("element.themes", "要素のテーマの変更"),
    (
        "basic_plan.start",
        "基本計画を前の基本計画から開始（写しの作成）",
    ),
    ("token.create", "APIトークンの作成"),
    ("token.revoke", "APIトークンの失効"),
    ("user.create", "利用者の登録"),
    ("user.update", "利用者の変更"),
    ("user.disable", "利用者の利用停止"),
    ("user.enable", "利用者の利用再開"),
    ("user.password", "パスワードの変更"),
    ("departments", "所管課の一覧の変更"),
    ("themes", "テーマの一覧の変更"),
    ("kpi.values", "指標の値の入力"),
    ("kpi.settings", "評価の設定の変更"),
    (
        "kpi.round.assessments",
        "効果検証の入力（要因分析・委員評価・対応方針）",
    ),
    ("kpi.round.submission", "効果検証の提出・承認・差戻し"),
    ("kpi.round.opinion", "有識者会議の総合意見"),
    ("kpi.round.publish", "効果検証の結果の公表"),
    ("kpi.round.reopen", "効果検証の再開"),
    ("implementation_plan.create", "実施計画の版の作成"),
    (
        "implementation_plan.roll",
        "実施計画のローリング（前年度の版から作成）",
    ),
    ("implementation_plan.programs", "実施計画の事業の入力・削除"),
    ("implementation_plan.delete", "実施計画の版の削除"),
    ("implementation_plan.part", "実施計画の提出・承認・差戻し"),
    ("implementation_plan.settings", "実施計画の設定の変更"),
    ("implementation_plan.frames", "実施計画の財政計画の枠の入力"),
    ("implementation_plan.state", "実施計画の確定・公表"),
    (
        "population.vision",
        "人口ビジョンの目標人口・実績人口の保存",
    ),
    ("population.census", "人口ビジョンの基準人口の入力"),
    ("population.census_delete", "人口ビジョンの基準人口の削除"),
    ("population.scenario", "人口ビジョンの推計の設定"),
    ("population.scenario_delete", "人口ビジョンの推計の削除"),
    ("population.run", "人口ビジョンの推計の計算"),
];

/// The Japanese name of an action code; an unknown code (a later version's) is shown as is.
pub fn action_label(code: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, label)| label)
}

/// Whether an action's target names a plan (`plan` or `plan/…`): the plan filter looks only
/// at these, so a login id or token id equal to a plan id never matches.
pub(crate) fn targets_a_plan(code: &str) -> bool {
    code.starts_with("plan.") || code.starts_with("element.") || code.starts_with("kpi.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_named() {
        for (i, (code, label)) in ACTIONS.iter().enumerate() {
            assert!(!label.is_empty());
            assert!(
                ACTIONS[i + 1..].iter().all(|(c, _)| c != code),
                "{code} twice"
            );
            assert_eq!(action_label(code), *label);
        }
        assert_eq!(action_label("later.thing"), "later.thing");
    }
}
