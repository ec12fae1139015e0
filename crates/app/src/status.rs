//! Moving a plan through its statuses: 草案 → 審議中 → 決定 → 公開. Every change is audited
//! (`plan.status`) and freezes a version, so the published text can always be found again.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::{MunicipalityCode, Plan, PlanId, PlanStatus};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, ExistingPlan, PlanStore, PlanWrite};

use crate::AppError;
use crate::access::{Action, Granted};

/// Changes a plan's status from `from` (the status the user saw) to `to`.
///
/// Refused when the plan's status is no longer `from` (someone else changed it first: the
/// user is told, nothing is overwritten) or when `to` is not a next step of `from`.
pub async fn change_status(
    granted: &Granted,
    store: &dyn PlanStore,
    code: &MunicipalityCode,
    plan_id: &PlanId,
    from: PlanStatus,
    to: PlanStatus,
    at: Timestamp,
) -> Result<Plan, AppError> {
    if granted.action() != Action::ChangePlanStatus {
        return Err(AppError::Forbidden(
            "この操作をする権限がありません。".to_owned(),
        ));
    }
    let municipality = store.municipality(code).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "市町村コード「{code}」の団体は登録されていません。"
        ))
    })?;
    let current = store
        .plan(code, plan_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("計画「{plan_id}」は登録されていません。")))?;
    let now = current.header().status;
    if now != from {
        return Err(AppError::Conflict(format!(
            "計画「{}」の状態は、ほかの人が先に「{}」に変更しています（あなたが見ていた状態は「{}」）。画面を開き直して確かめてください。",
            current.header().title,
            now.label(),
            from.label()
        )));
    }
    if !from.next().contains(&to) {
        return Err(AppError::Invalid(vec![FileProblem {
            path: "status".to_owned(),
            message: format!(
                "「{}」から「{}」には変更できません（変更できるのは{}）。",
                from.label(),
                to.label(),
                from.next()
                    .iter()
                    .map(|s| format!("「{}」", s.label()))
                    .collect::<Vec<_>>()
                    .join("・")
            ),
        }]));
    }
    let mut changed = current.clone();
    match &mut changed {
        Plan::Comprehensive(p) => p.header.status = to,
        Plan::Strategy(s) => s.header.status = to,
    }
    let write = PlanWrite {
        before: Some(keikaku_planfile::to_json(
            &municipality,
            std::slice::from_ref(&current),
        )),
        after: keikaku_planfile::to_json(&municipality, std::slice::from_ref(&changed)),
        plan: changed.clone(),
        action: Some("plan.status".to_owned()),
    };
    let author = Author {
        actor: granted.user().login_id.to_string(),
        at,
    };
    store
        .insert_plans(&municipality, &[write], ExistingPlan::Replace, &author)
        .await?;
    Ok(changed)
}
