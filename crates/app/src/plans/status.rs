//! Moving a plan through its statuses: 草案 → 審議中 → 決定 → 公開. Every change is audited
//! (`plan.status`) and freezes a version, so the published text can always be found again.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{Plan, PlanId, PlanStatus};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, Change, Freeze, PlanEdit, StoreError, UserChange};

use crate::access::{Action, Granted};
use crate::{AppError, Context};

/// Changes a plan's status from `from` (the status the user saw) to `to`.
///
/// Refused when the plan's status is no longer `from` (someone else changed it first: the
/// user is told, nothing is overwritten) or when `to` is not a next step of `from`.
pub async fn change_status(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    from: PlanStatus,
    to: PlanStatus,
    at: Timestamp,
) -> Result<Plan, AppError> {
    change_status_with_note(cx, granted, plan_id, from, to, &VersionNote::default(), at).await
}

/// Changes a plan's status as [`change_status`] does, giving the version it freezes a name
/// and a reason (checked by [`VersionNote::check`] by the caller's form or request: パブコメ案,
/// 答申反映, 議決 …).
#[allow(clippy::too_many_lines)] // the checks of a status change in the order they must run, then one edit
pub async fn change_status_with_note(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    from: PlanStatus,
    to: PlanStatus,
    note: &VersionNote,
    at: Timestamp,
) -> Result<Plan, AppError> {
    if granted.action() != Action::ChangePlanStatus {
        return Err(AppError::Forbidden(
            "この操作をする権限がありません。".to_owned(),
        ));
    }
    let municipality = cx
        .store
        .municipality(cx.municipality)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "市町村コード「{}」の団体は登録されていません。",
                cx.municipality
            ))
        })?;
    for _ in 0..5 {
        let since = cx.store.data_version(cx.municipality).await?;
        let current = cx
            .store
            .plan(cx.municipality, plan_id)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!("計画「{plan_id}」は登録されていません。"))
            })?;
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
        let before = keikaku_planfile::to_json(&municipality, std::slice::from_ref(&current));
        let after = keikaku_planfile::to_json(&municipality, std::slice::from_ref(&changed));
        let edit = PlanEdit {
            plan: plan_id.clone(),
            // Checked again inside the transaction: a change made meanwhile is refused there.
            changes: vec![Change::Unchanged { since }, Change::Status { from, to }],
            record: UserChange {
                action: "plan.status".to_owned(),
                before: Some(before),
                after: Some(after.clone()),
            },
            target: plan_id.to_string(),
            freeze: Some(Freeze {
                snapshot: after,
                note: note.clone(),
            }),
        };
        let author = Author {
            actor: granted.user().login_id.to_string(),
            at,
        };
        match cx.store.edit_plan(cx.municipality, &edit, &author).await {
            Ok(()) => return Ok(changed),
            // Something was written between reading the plan and writing: read it again, so
            // that the frozen version is exactly the stored plan.
            Err(StoreError::Stale(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict(
        "ほかの変更が続いているため、状態を変更できませんでした。少し待ってからもう一度お試しください。"
            .to_owned(),
    ))
}
