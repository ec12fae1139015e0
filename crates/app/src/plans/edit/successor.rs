//! Starting an empty basic plan from the one before it (前期 → 後期) in one action: what the
//! confirmation shows ([`successor_preview`]: the source, counts per kind, or why it cannot be
//! done), and the copy itself ([`start_from_predecessor`]: the domain's
//! [`keikaku_domain::plan::successor`] with new random ids, the rows inserted in one edit —
//! one transaction, one `basic_plan.start` audit entry with the plan file before and after, the
//! plan's revision one higher).
//!
//! The confirmation carries the plan's revision: a copy confirmed on a page opened before
//! another change of the plan's own texts, or before another copy, is a conflict. Everything
//! else written meanwhile is caught in the transaction (nothing of the municipality written
//! since the plan was read), and the copy is then made again from the plan as it is now —
//! or refused, if the target has content by then.

use std::collections::{BTreeMap, HashSet};

use keikaku_domain::audit::Timestamp;
use keikaku_domain::plan::successor::{
    SuccessorRefusal, start_from_predecessor as copy_from_predecessor, successor_source,
};
use keikaku_domain::{ComprehensivePlan, ElementId, ElementKind, Plan, PlanId};
use keikaku_storage::rows;
use keikaku_storage::{Change, PlanEdit, StoreError, UserChange};

use super::elements::fresh_id;
use super::{Draft, still_a_draft};
use super::{author, check_granted, check_status, draft, new_problems, require_everything};
use crate::access::Granted;
use crate::{AppError, Context};

/// What the confirmation of a copy says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuccessorPreview {
    /// The plan's title.
    pub plan_title: String,
    /// The empty basic plan (the 後期).
    pub target_id: String,
    /// Its title.
    pub target_title: String,
    /// The basic plan copied from (the 前期), when there is one.
    pub source_title: Option<String>,
    /// What would be copied, per kind (kinds with none left out).
    pub counts: Vec<(ElementKind, usize)>,
    /// The plan's revision the confirmation was made at.
    pub revision: u32,
    /// Why the copy cannot be made now (the target has content, nothing to copy, …).
    pub refusal: Option<String>,
}

/// A copy made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Started {
    /// The basic plan filled.
    pub target_id: String,
    /// The basic plan copied from.
    pub source_id: String,
    /// What was copied, per kind.
    pub counts: Vec<(ElementKind, usize)>,
    /// Every element copied: kind, source id, the copy's id.
    pub copied: Vec<(ElementKind, String, String)>,
    /// The plan's revision after the copy.
    pub revision: u32,
}

fn comprehensive<'a>(
    draft: &'a Draft,
    basic_plan: &str,
) -> Result<&'a ComprehensivePlan, AppError> {
    match &draft.plan {
        Plan::Comprehensive(p) => Ok(p),
        Plan::Strategy(_) => Err(AppError::NotFound(format!(
            "基本計画「{basic_plan}」はこの計画にありません。"
        ))),
    }
}

fn basic_plan_id(basic_plan: &str) -> Result<ElementId, AppError> {
    ElementId::parse(basic_plan).map_err(|_| {
        AppError::NotFound(format!("基本計画「{basic_plan}」はこの計画にありません。"))
    })
}

fn refused(r: SuccessorRefusal) -> AppError {
    match r {
        SuccessorRefusal::NoSuchBasicPlan(_) => AppError::NotFound(r.message()),
        _ => AppError::Conflict(r.message()),
    }
}

/// What starting `basic_plan` from its predecessor would copy, or why it cannot (any reader
/// of drafts; the refusal is part of the answer, not an error, so the page can explain it).
pub async fn successor_preview(
    cx: &Context<'_>,
    plan_id: &PlanId,
    basic_plan: &str,
) -> Result<SuccessorPreview, AppError> {
    let draft = draft(cx, plan_id).await?;
    let plan = comprehensive(&draft, basic_plan)?;
    let target_id = basic_plan_id(basic_plan)?;
    let target = plan
        .basic_plan(&target_id)
        .ok_or_else(|| refused(SuccessorRefusal::NoSuchBasicPlan(basic_plan.to_owned())))?;
    let source = plan.predecessor(&target_id);
    let refusal = match successor_source(plan, &target_id) {
        Ok(_) => check_status(&draft).err().map(|e| e.to_string()),
        Err(r) => Some(r.message()),
    };
    Ok(SuccessorPreview {
        plan_title: plan.header.title.clone(),
        target_id: basic_plan.to_owned(),
        target_title: target.title.clone(),
        source_title: source.map(|s| s.title.clone()),
        counts: source.map(|s| s.element_counts()).unwrap_or_default(),
        revision: draft.versions.revision,
        refusal,
    })
}

/// Fills the empty basic plan `basic_plan` with a copy of the one before it (the planning
/// office and administrators). `revision` is the plan's revision the user confirmed at.
pub async fn start_from_predecessor(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    basic_plan: &str,
    revision: u32,
    at: Timestamp,
) -> Result<Started, AppError> {
    check_granted(granted)?;
    require_everything(granted, "基本計画の写しを作成")?;
    let target_id = basic_plan_id(basic_plan)?;
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
        // Read before the plan: anything written after it makes the edit stale.
        let since = cx.store.data_version(cx.municipality).await?;
        let draft = draft(cx, plan_id).await?;
        let plan = comprehensive(&draft, basic_plan)?;
        check_status(&draft)?;
        if draft.versions.revision != revision {
            return Err(AppError::Conflict(format!(
                "計画「{}」は、あなたが確認の画面を開いた後に変更されています（版 {} → {}）。画面を開き直して、写す内容を確かめてください。",
                plan.header.title, revision, draft.versions.revision
            )));
        }
        let (edit, started) = copy_edit(&draft, plan, &target_id, since, &municipality)?;
        match cx
            .store
            .edit_plan(cx.municipality, &edit, &author(granted, at))
            .await
        {
            Ok(()) => return Ok(started),
            // Something else was written between reading and writing: read again.
            Err(StoreError::Stale(id)) if id == "plan" => continue,
            Err(StoreError::Stale(id)) if id == "status" => {
                return Err(AppError::Conflict(
                    "計画の状態が、確認の画面を開いた後に変わりました（決定・公開の計画は編集できません）。写しは作成していません。".to_owned(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict(
        "ほかの変更が続いているため、写しを作成できませんでした。少し待ってからもう一度お試しください。"
            .to_owned(),
    ))
}

/// The edit that stores the copy: the plan's revision checked and raised, nothing else
/// written since `since`, every new row inserted (parents first) and the copies' links.
fn copy_edit(
    draft: &Draft,
    plan: &ComprehensivePlan,
    target_id: &ElementId,
    since: i64,
    municipality: &keikaku_domain::Municipality,
) -> Result<(PlanEdit, Started), AppError> {
    let mut taken: HashSet<String> = draft.elements.iter().map(|e| e.id.clone()).collect();
    let mut failure = None;
    let successor = copy_from_predecessor(plan, target_id, |kind| {
        let id = fresh_id(kind, |id| taken.contains(id)).and_then(|id| {
            ElementId::parse(&id)
                .map_err(|e| AppError::Conflict(format!("要素IDを作れません: {e}")))
        });
        match id {
            Ok(id) => {
                taken.insert(id.to_string());
                id
            }
            Err(e) => {
                failure = Some(e);
                target_id.clone()
            }
        }
    })
    .map_err(refused)?;
    if let Some(e) = failure {
        return Err(e);
    }
    let after_plan = Plan::Comprehensive(successor.plan.clone());
    let after_rows = rows::flatten(&after_plan);
    let new: HashSet<&str> = successor.copied.iter().map(|c| c.copy.as_str()).collect();
    let problems = new_problems(draft, &after_rows)?;
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let mut changes = vec![
        still_a_draft(),
        Change::Unchanged { since },
        Change::Header {
            row: draft.rows.plan.clone(),
            expected: draft.versions.revision,
        },
    ];
    changes.extend(
        after_rows
            .elements
            .iter()
            .filter(|r| new.contains(r.id.as_str()))
            .map(|r| Change::Insert { row: r.clone() }),
    );
    let mut links: BTreeMap<(String, String), Vec<rows::LinkRow>> = BTreeMap::new();
    for l in after_rows
        .links
        .iter()
        .filter(|l| new.contains(l.from_id.as_str()))
    {
        links
            .entry((l.from_id.clone(), l.kind.clone()))
            .or_default()
            .push(l.clone());
    }
    changes.extend(
        links
            .into_iter()
            .map(|((from_id, kind), links)| Change::Links {
                from_id,
                kind,
                links,
            }),
    );
    let before = keikaku_planfile::to_json(municipality, std::slice::from_ref(&draft.plan));
    let after = keikaku_planfile::to_json(municipality, std::slice::from_ref(&after_plan));
    let plan_id = &plan.header.id;
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes,
        record: UserChange {
            action: "basic_plan.start".to_owned(),
            before: Some(before),
            after: Some(after),
        },
        target: format!("{plan_id}/{target_id}"),
        freeze: None,
    };
    let counts = successor
        .plan
        .basic_plan(target_id)
        .map(keikaku_domain::BasicPlan::element_counts)
        .unwrap_or_default();
    let started = Started {
        target_id: target_id.to_string(),
        source_id: successor.source.to_string(),
        counts,
        copied: successor
            .copied
            .iter()
            .map(|c| (c.kind, c.source.to_string(), c.copy.to_string()))
            .collect(),
        revision: draft.versions.revision.saturating_add(1),
    };
    Ok((edit, started))
}
