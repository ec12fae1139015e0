//! Restoring a deleted element from a frozen version: the element with its content as that
//! version holds it, under its parent if the parent is still in the working copy (else an
//! explained refusal), optionally with the elements below it; its links whose targets still
//! exist. One edit, checked against the data version read, with one `element.restore` audit
//! entry.

use std::collections::{BTreeMap, HashSet};

use keikaku_domain::audit::Timestamp;
use keikaku_domain::{ElementKind, PlanId};
use keikaku_storage::rows::{self, ElementRow, LinkRow, PlanRows};
use keikaku_storage::{Change, PlanEdit, StoreError, UserChange};

use super::links::with_links;
use super::{
    Draft, audit_text, author, check_granted, check_status, draft, new_problems,
    require_everything, still_a_draft,
};
use crate::access::{Action, Authority, Granted, require};
use crate::forms;
use crate::{AppError, Context};

/// An element as a version holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionElement {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: ElementKind,
    /// 「施策「農業の振興」」.
    pub name: String,
    /// Its fields as that version has them: `(label, value)`, empty values left out.
    pub values: Vec<(String, String)>,
}

/// What restoring an element from a version would do, or why it cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestorePreview {
    /// The plan's title now.
    pub plan_title: String,
    /// The version.
    pub number: u32,
    /// When the version was frozen.
    pub at: Timestamp,
    /// The element as the version holds it.
    pub element: VersionElement,
    /// Its parent's name, when it has one, and whether the working copy still has it.
    pub parent: Option<(String, bool)>,
    /// The elements below it in the version that the working copy lacks, by name, parents
    /// first.
    pub children: Vec<String>,
    /// Whether the working copy has the element (nothing to restore).
    pub exists: bool,
    /// Why it cannot be restored now, in Japanese; `None` when it can.
    pub refusal: Option<String>,
}

fn name_of(row: &ElementRow) -> String {
    ElementKind::from_code(&row.kind).map_or_else(
        || format!("「{}」", row.title),
        |k| format!("{}「{}」", k.label(), row.title),
    )
}

/// The rows below `id` in `rows`, parents first.
fn descendants<'a>(rows: &'a PlanRows, id: &str) -> Vec<&'a ElementRow> {
    let mut out: Vec<&ElementRow> = Vec::new();
    let mut frontier = vec![id.to_owned()];
    while let Some(parent) = frontier.pop() {
        let mut below: Vec<&ElementRow> = rows
            .elements
            .iter()
            .filter(|e| e.parent_id.as_deref() == Some(parent.as_str()))
            .collect();
        below.sort_by_key(|e| (e.kind.clone(), e.position));
        frontier.extend(below.iter().map(|e| e.id.clone()));
        out.extend(below);
    }
    out
}

struct Loaded {
    draft: Draft,
    version: PlanRows,
    at: Timestamp,
    row: ElementRow,
}

async fn load(
    cx: &Context<'_>,
    plan_id: &PlanId,
    number: u32,
    id: &str,
) -> Result<Loaded, AppError> {
    let draft = draft(cx, plan_id).await?;
    let (summary, plan) = crate::history::version_of(cx, plan_id, number, false).await?;
    let version = rows::flatten(&plan);
    let row = version
        .elements
        .iter()
        .find(|e| e.id == id)
        .cloned()
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "計画「{}」の第{number}版に、この要素はありません。",
                draft.plan.header().title
            ))
        })?;
    Ok(Loaded {
        draft,
        version,
        at: summary.at,
        row,
    })
}

fn preview_of(loaded: &Loaded, number: u32) -> RestorePreview {
    let Loaded {
        draft,
        version,
        row,
        ..
    } = loaded;
    let kind = ElementKind::from_code(&row.kind).unwrap_or(ElementKind::Goal);
    let values = kind
        .fields()
        .iter()
        .map(|d| (d.label.to_owned(), forms::element_value(row, d.field)))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let parent = row.parent_id.as_deref().map(|p| {
        let name = version
            .elements
            .iter()
            .find(|e| e.id == p)
            .map_or_else(|| p.to_owned(), name_of);
        (name, draft.element(p).is_some())
    });
    let goal_missing = row.goal_id.as_deref().and_then(|g| {
        draft.element(g).is_none().then(|| {
            version
                .elements
                .iter()
                .find(|e| e.id == g)
                .map_or_else(|| g.to_owned(), name_of)
        })
    });
    let children = descendants(version, &row.id)
        .into_iter()
        .filter(|e| draft.element(&e.id).is_none())
        .map(name_of)
        .collect();
    let exists = draft.element(&row.id).is_some();
    let name = name_of(row);
    let refusal = if exists {
        Some(format!(
            "{name}は現在の計画にあります。復元の必要はありません。"
        ))
    } else if let Some((parent, false)) = &parent {
        Some(format!(
            "{name}の上位の{parent}が現在の計画にないため、復元できません。先に上位の要素を復元するか、作り直してください。"
        ))
    } else if let Some(goal) = goal_missing {
        Some(format!(
            "{name}が属する{goal}が現在の計画にないため、復元できません。先にその要素を復元してください。"
        ))
    } else if !super::editable_status(draft.plan.header().status) {
        Some(format!(
            "計画「{}」は「{}」のため編集できません。復元するには、計画の状態を「審議中」または「草案」に戻してください。",
            draft.plan.header().title,
            draft.plan.header().status.label()
        ))
    } else {
        None
    };
    RestorePreview {
        plan_title: draft.plan.header().title.clone(),
        number,
        at: loaded.at,
        element: VersionElement {
            id: row.id.clone(),
            kind,
            name,
            values,
        },
        parent,
        children,
        exists,
        refusal,
    }
}

/// An element as version `number` of a plan holds it, with what restoring it would do (those
/// who may read drafts).
pub async fn restore_preview(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan_id: &PlanId,
    number: u32,
    id: &str,
) -> Result<RestorePreview, AppError> {
    // The confirmation page is reached with the restoring action; the version's page with
    // the reading one.
    if !authority.allows(Action::EditPlan) {
        require(authority, Action::ReadDrafts)?;
    }
    let loaded = load(cx, plan_id, number, id).await?;
    Ok(preview_of(&loaded, number))
}

/// What a restore did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// The elements restored, by name, the element first.
    pub elements: Vec<String>,
    /// Links the version had whose targets no longer exist, not restored, by name.
    pub dropped_links: Vec<String>,
}

/// Restores a deleted element from version `number` (the planning office and
/// administrators), with the elements below it when `with_children`. Refused with the
/// preview's reason when it cannot be restored; a write in between is a conflict.
pub async fn restore_element(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    number: u32,
    id: &str,
    with_children: bool,
    at: Timestamp,
) -> Result<Restored, AppError> {
    check_granted(granted)?;
    require_everything(granted, "要素の復元が")?;
    let since = cx.store.data_version(cx.municipality).await?;
    let loaded = load(cx, plan_id, number, id).await?;
    let preview = preview_of(&loaded, number);
    if let Some(refusal) = preview.refusal {
        return Err(AppError::Conflict(refusal));
    }
    check_status(&loaded.draft)?;
    let Loaded {
        draft,
        version,
        row,
        ..
    } = loaded;
    let mut restored: Vec<ElementRow> = vec![row.clone()];
    if with_children {
        restored.extend(
            descendants(&version, id)
                .into_iter()
                .filter(|e| draft.element(&e.id).is_none())
                .cloned(),
        );
    }
    // The element goes last among its siblings of its kind; those below it keep their order.
    let last = draft
        .children(
            row.parent_id.as_deref(),
            ElementKind::from_code(&row.kind).unwrap_or(ElementKind::Goal),
        )
        .iter()
        .map(|e| e.position)
        .max();
    restored[0].position = last.map_or(0, |p| p.saturating_add(1));
    let ids: HashSet<&str> = restored.iter().map(|e| e.id.as_str()).collect();
    let exists = |plan: &str, element: &str| {
        if plan == plan_id.as_str() {
            draft.element(element).is_some() || ids.contains(element)
        } else {
            draft.others.iter().any(|p| {
                p.id().as_str() == plan
                    && keikaku_domain::ElementId::parse(element)
                        .is_ok_and(|e| p.element_kind(&e).is_some())
            })
        }
    };
    let mut kept: BTreeMap<(String, String), Vec<LinkRow>> = BTreeMap::new();
    let mut dropped_links = Vec::new();
    for link in version
        .links
        .iter()
        .filter(|l| ids.contains(l.from_id.as_str()))
    {
        if exists(&link.to_plan_id, &link.to_id) {
            kept.entry((link.from_id.clone(), link.kind.clone()))
                .or_default()
                .push(link.clone());
        } else {
            dropped_links.push(
                version
                    .elements
                    .iter()
                    .find(|e| e.id == link.to_id)
                    .map_or_else(|| "ほかの計画の要素".to_owned(), name_of),
            );
        }
    }
    let mut changes = vec![still_a_draft(), Change::Unchanged { since }];
    changes.extend(restored.iter().map(|r| Change::Insert { row: r.clone() }));
    changes.extend(kept.iter().map(|((from_id, kind), links)| Change::Links {
        from_id: from_id.clone(),
        kind: kind.clone(),
        links: links.clone(),
    }));
    let mut changed = draft.rows.clone();
    changed.elements.extend(restored.iter().cloned());
    let changed = with_links(&changed, &changes);
    let problems = new_problems(&draft, &changed)?;
    if !problems.is_empty() {
        return Err(AppError::Conflict(format!(
            "{}を復元すると計画に問題が生じるため、復元できません: {}",
            preview.element.name,
            problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )));
    }
    let links_after: Vec<String> = kept
        .iter()
        .filter(|((from, _), _)| from == id)
        .flat_map(|(_, ls)| ls.iter().map(|l| format!("{}/{}", l.to_plan_id, l.to_id)))
        .collect();
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes,
        record: UserChange {
            action: "element.restore".to_owned(),
            before: None,
            after: Some(audit_text(&restored[0], &links_after)),
        },
        target: format!("{plan_id}/{id}"),
        freeze: None,
    };
    cx.store
        .edit_plan(cx.municipality, &edit, &author(granted, at))
        .await
        .map_err(|e| match e {
            StoreError::Stale(_) => AppError::Conflict(format!(
                "{}を復元する確認画面を開いた後に、計画が変更されています。復元していません。もう一度確認してください。",
                preview.element.name
            )),
            other => AppError::from(other),
        })?;
    Ok(Restored {
        elements: restored.iter().map(name_of).collect(),
        dropped_links,
    })
}
