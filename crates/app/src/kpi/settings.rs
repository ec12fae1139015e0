//! A plan's evaluation settings (評価の設定): the rate graded (進捗率 or 達成率), the form of
//! 達成率 for lower-is-better indicators, the grade scale (thresholds and labels, A–D by
//! default, the ◎ ○ △ × preset) and the word for a missing actual. Set by the planning office;
//! a change is audited and checked against the revision the form was opened at.

use keikaku_domain::PlanId;
use keikaku_domain::kpi::{GradeScale, LowerForm, PlanSettings, RateKind};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, StoreError};

use crate::access::{Action, Granted};
use crate::{AppError, Context};

/// What the settings form sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsInput {
    /// `progress` or `achievement`.
    pub basis: String,
    /// `target_over_actual` or `two_minus_ratio`.
    pub lower_form: String,
    /// One grade per line, best first: 「A=100」 …, the last label alone.
    pub grades: String,
    /// The word for a missing actual.
    pub missing_label: String,
    /// The revision the form was opened at (blank: the plan had no settings of its own).
    pub revision: String,
}

fn problem(path: &str, message: String) -> FileProblem {
    FileProblem {
        path: path.to_owned(),
        message,
    }
}

/// Checks the form; every problem by its field.
pub fn parse(input: &SettingsInput) -> Result<PlanSettings, Vec<FileProblem>> {
    let mut problems = Vec::new();
    let basis = RateKind::from_code(input.basis.trim()).unwrap_or_else(|| {
        problems.push(problem(
            "basis",
            "評価に使う率を選んでください。".to_owned(),
        ));
        RateKind::Progress
    });
    let lower_form = LowerForm::from_code(input.lower_form.trim()).unwrap_or_else(|| {
        problems.push(problem(
            "lower_form",
            "減少を目指す指標の達成率の式を選んでください。".to_owned(),
        ));
        LowerForm::TargetOverActual
    });
    let scale = match GradeScale::parse(basis, &input.grades) {
        Ok(s) => Some(s),
        Err(found) => {
            for p in found {
                problems.push(problem("grades", format!("評価の段階: {p}")));
            }
            None
        }
    };
    let missing = input.missing_label.trim();
    if missing.is_empty() || missing.chars().count() > 20 {
        problems.push(problem(
            "missing_label",
            "実績値がないときの表示は1〜20文字で入力してください（例: 未把握）。".to_owned(),
        ));
    }
    match scale {
        Some(scale) if problems.is_empty() => Ok(PlanSettings {
            scale,
            lower_form,
            missing_label: missing.to_owned(),
        }),
        _ => Err(problems),
    }
}

/// Stores a plan's evaluation settings (the planning office only).
pub async fn save_settings(
    cx: &Context<'_>,
    granted: &Granted,
    plan: &PlanId,
    input: &SettingsInput,
    at: keikaku_domain::audit::Timestamp,
) -> Result<i64, AppError> {
    if granted.action() != Action::ManageKpiSettings {
        return Err(AppError::Forbidden(
            "評価の設定を変更する権限がありません。".to_owned(),
        ));
    }
    if cx.store.plan(cx.municipality, plan).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "計画「{plan}」は登録されていません。"
        )));
    }
    let settings = parse(input).map_err(AppError::Invalid)?;
    let expected =
        crate::forms::parse_revision(&input.revision).map_err(|crate::forms::BadRevision| {
            AppError::Invalid(vec![problem("revision", "版の番号が不正です。".to_owned())])
        })?;
    let author = Author {
        actor: granted.user().login_id.to_string(),
        at,
    };
    match cx
        .store
        .save_kpi_settings(cx.municipality, plan, &settings, expected, &author)
        .await
    {
        Ok(r) => Ok(r),
        Err(StoreError::Stale(_)) => Err(AppError::Conflict(
            "あなたが設定を開いた後に、ほかの人が評価の設定を変更しています。あなたの入力は保存されていません。開き直して確かめてください。".to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}
