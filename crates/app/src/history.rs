//! What happened to the plans: the audit log (and checking its hash chain), and the frozen
//! versions of each plan with their names and reasons, each readable whole, and the
//! differences between them.

use keikaku_domain::audit::{AuditEntry, ChainBreak, ChainVerifier, Timestamp};
use keikaku_domain::plan::diff::{PlanDiff, diff_plans};
use keikaku_domain::plan::version_note::VersionNote;
use keikaku_domain::{Plan, PlanId, PlanStatus};
use keikaku_planfile::FileProblem;
use keikaku_storage::{Author, StoreError, VersionSummary};

use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// Entries read per query while checking the chain: memory stays bounded however long the
/// log is.
const PAGE: u32 = 1000;

/// Checks the whole audit chain of a municipality, oldest entry first. `Ok(Ok(n))`: `n`
/// entries checked, all intact; `Ok(Err(b))`: the first broken entry.
pub async fn verify_audit(
    cx: &Context<'_>,
    authority: &impl Authority,
) -> Result<Result<u64, ChainBreak>, AppError> {
    require(authority, Action::ReadAudit)?;
    let mut verifier = ChainVerifier::new();
    let mut after = 0;
    loop {
        let page = cx.store.audit_entries(cx.municipality, after, PAGE).await?;
        for entry in &page {
            if let Err(broken) = verifier.check(entry) {
                return Ok(Err(broken));
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = last.sequence,
            _ => return Ok(Ok(verifier.checked())),
        }
    }
}

/// The latest audit entries, newest first, at most `limit`.
pub async fn recent_audit(
    cx: &Context<'_>,
    authority: &impl Authority,
    limit: u32,
) -> Result<Vec<AuditEntry>, AppError> {
    require(authority, Action::ReadAudit)?;
    // Entries are read oldest first; keep the last `limit` while paging.
    let mut kept: std::collections::VecDeque<AuditEntry> = std::collections::VecDeque::new();
    let mut after = 0;
    loop {
        let page = cx.store.audit_entries(cx.municipality, after, PAGE).await?;
        let full = page.len() == PAGE as usize;
        if let Some(last) = page.last() {
            after = last.sequence;
        }
        for e in page {
            kept.push_back(e);
            if kept.len() > limit as usize {
                kept.pop_front();
            }
        }
        if !full {
            break;
        }
    }
    Ok(kept.into_iter().rev().collect())
}

/// Audit entries with a sequence number above `after`, oldest first, at most `limit` (1 to
/// 1000): a page of the log for clients that read it incrementally.
pub async fn audit_entries(
    cx: &Context<'_>,
    authority: &impl Authority,
    after: u64,
    limit: u32,
) -> Result<Vec<AuditEntry>, AppError> {
    require(authority, Action::ReadAudit)?;
    Ok(cx
        .store
        .audit_entries(cx.municipality, after, limit.clamp(1, PAGE))
        .await?)
}

/// The published versions of a plan, oldest first (the public sees nothing else).
pub async fn published_versions(
    cx: &Context<'_>,
    plan: &PlanId,
) -> Result<Vec<VersionSummary>, AppError> {
    Ok(cx
        .store
        .plan_versions(cx.municipality, plan)
        .await?
        .into_iter()
        .filter(|v| v.status == PlanStatus::Published)
        .collect())
}

/// Two published versions of a plan and what changed between them.
#[derive(Clone, Debug)]
pub struct VersionComparison {
    /// The older side.
    pub from: VersionSummary,
    /// The newer side.
    pub to: VersionSummary,
    /// The plan as it was in `to`.
    pub plan: Plan,
    /// What changed from `from` to `to`.
    pub diff: PlanDiff,
}

/// Every version of a plan, drafts included, oldest first (for those who may read drafts).
pub async fn all_versions(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan: &PlanId,
) -> Result<Vec<VersionSummary>, AppError> {
    require(authority, Action::ReadDrafts)?;
    Ok(cx.store.plan_versions(cx.municipality, plan).await?)
}

/// One version of a plan, as a plan; `published_only` hides the others.
pub(crate) async fn version_of(
    cx: &Context<'_>,
    plan: &PlanId,
    number: u32,
    published_only: bool,
) -> Result<(VersionSummary, Plan), AppError> {
    let found = cx
        .store
        .plan_version(cx.municipality, plan, number)
        .await?
        .filter(|(summary, _)| !published_only || summary.status == PlanStatus::Published);
    let Some((summary, snapshot)) = found else {
        // Named by the plan's title when it is stored (its id otherwise: nothing else names it).
        let title = cx
            .store
            .plan_summaries(cx.municipality)
            .await?
            .into_iter()
            .find(|s| &s.header.id == plan)
            .map_or_else(|| plan.to_string(), |s| s.header.title);
        return Err(AppError::NotFound(if published_only {
            format!("計画「{title}」の第{number}版は公開されていません。")
        } else {
            format!("計画「{title}」に第{number}版はありません。")
        }));
    };
    let file = keikaku_planfile::read_snapshot(&snapshot).map_err(|problems| {
        AppError::Store(keikaku_storage::StoreError::Corrupt(format!(
            "第{number}版の保存内容を読めません: {}",
            problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        )))
    })?;
    let plan = file.plans.into_iter().next().ok_or_else(|| {
        AppError::Store(keikaku_storage::StoreError::Corrupt(format!(
            "第{number}版の保存内容に計画がありません。"
        )))
    })?;
    Ok((summary, plan))
}

/// A published version of a plan, as it was frozen (the public sees nothing else).
pub async fn published_version(
    cx: &Context<'_>,
    plan: &PlanId,
    number: u32,
) -> Result<(VersionSummary, Plan), AppError> {
    version_of(cx, plan, number, true).await
}

/// Any version of a plan, drafts included, as it was frozen (for those who may read drafts:
/// the draft as it stood on the day of the council's meeting).
pub async fn any_version(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan: &PlanId,
    number: u32,
) -> Result<(VersionSummary, Plan), AppError> {
    require(authority, Action::ReadDrafts)?;
    version_of(cx, plan, number, false).await
}

/// Names a frozen version and gives its reason (the planning office: 「パブコメ案」, 「答申反映」,
/// 「議決」 …). `expected` is the note revision the editor read: a note saved meanwhile is a
/// conflict, and nothing is written. Problems of what was typed come back by field (`label`,
/// `reason`), all at once. Returns the version as saved.
#[allow(clippy::too_many_arguments)] // the version, what was typed, the revision read and the time
pub async fn name_version(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan: &PlanId,
    number: u32,
    label: &str,
    reason: &str,
    expected: u32,
    at: Timestamp,
) -> Result<VersionSummary, AppError> {
    require(authority, Action::NameVersions)?;
    let note = VersionNote::check(label, reason).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|(field, message)| FileProblem {
                    path: field.name().to_owned(),
                    message,
                })
                .collect(),
        )
    })?;
    let author = Author {
        actor: authority.actor(),
        at,
    };
    let missing = || AppError::NotFound(format!("計画「{plan}」に第{number}版はありません。"));
    match cx
        .store
        .save_version_note(cx.municipality, plan, number, &note, expected, &author)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => return Err(missing()),
        Err(StoreError::Stale(_)) => {
            return Err(AppError::Conflict(format!(
                "第{number}版の名称と理由は、ほかの人が先に変更しています。画面を開き直して、今の内容を確かめてから保存してください。"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let (summary, _) = cx
        .store
        .plan_version(cx.municipality, plan, number)
        .await?
        .ok_or_else(missing)?;
    Ok(summary)
}

/// Compares two published versions of a plan.
pub async fn compare_versions(
    cx: &Context<'_>,
    plan: &PlanId,
    from: u32,
    to: u32,
) -> Result<VersionComparison, AppError> {
    compare(cx, plan, from, to, true).await
}

/// Compares any two versions of a plan, drafts included (for those who may read drafts:
/// councils see what changed after their remarks before anything is published).
pub async fn compare_any_versions(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan: &PlanId,
    from: u32,
    to: u32,
) -> Result<VersionComparison, AppError> {
    require(authority, Action::ReadDrafts)?;
    compare(cx, plan, from, to, false).await
}

/// Compares a version with the working copy as it is now (for those who may read drafts: what
/// changed since the version a council saw, before anything is frozen again). The `to`
/// summary of the result has number 0.
pub async fn compare_with_working_copy(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan: &PlanId,
    from: u32,
) -> Result<VersionComparison, AppError> {
    require(authority, Action::ReadDrafts)?;
    let (from_summary, old) = version_of(cx, plan, from, false).await?;
    let now = cx
        .store
        .plan(cx.municipality, plan)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("計画「{plan}」は登録されていません。")))?;
    Ok(VersionComparison {
        diff: diff_plans(&old, &now),
        to: VersionSummary {
            plan: plan.clone(),
            number: 0,
            status: now.header().status,
            at: from_summary.at,
            actor: String::new(),
            audit_sequence: 0,
            note: VersionNote::default(),
            note_revision: 0,
        },
        from: from_summary,
        plan: now,
    })
}

async fn compare(
    cx: &Context<'_>,
    plan: &PlanId,
    from: u32,
    to: u32,
    published_only: bool,
) -> Result<VersionComparison, AppError> {
    let (from_summary, old) = version_of(cx, plan, from, published_only).await?;
    let (to_summary, new) = version_of(cx, plan, to, published_only).await?;
    Ok(VersionComparison {
        diff: diff_plans(&old, &new),
        from: from_summary,
        to: to_summary,
        plan: new,
    })
}
