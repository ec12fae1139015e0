//! Links between elements in the working copy: what an element may link to, and the link
//! rows a submission asks for (priority project → measures; strategy measure → measures and
//! priority projects of a comprehensive plan).

use std::collections::HashMap;

use keikaku_domain::{ElementKind, LinkKind, Plan};
use keikaku_planfile::FileProblem;
use keikaku_storage::Change;
use keikaku_storage::rows::{self, ElementRow, LinkRow, PlanRows};

use super::Draft;
use crate::forms::problem;

impl Draft {
    /// An element's links (`plan/element`), by link kind.
    pub fn links(&self, from: &str) -> Vec<String> {
        let mut out: Vec<&LinkRow> = self
            .rows
            .links
            .iter()
            .filter(|l| l.from_id == from)
            .collect();
        out.sort_by_key(|l| (l.kind.clone(), l.position));
        out.iter()
            .map(|l| format!("{}/{}", l.to_plan_id, l.to_id))
            .collect()
    }

    /// What an element of this kind may link to: `(plan/element, label)` in plan order.
    pub fn link_choices(
        &self,
        element_kind: ElementKind,
        parent: Option<&str>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |plan: &Plan, kinds: &[ElementKind], under: Option<&str>| {
            let rows = rows::flatten(plan);
            for e in &rows.elements {
                let Some(kind) = ElementKind::from_code(&e.kind).filter(|k| kinds.contains(k))
                else {
                    continue;
                };
                if let Some(bp) = under
                    && basic_plan_of(&rows, &e.id) != Some(bp)
                {
                    continue;
                }
                let label = if e.number.is_empty() {
                    e.title.clone()
                } else {
                    format!("{} {}", e.number, e.title)
                };
                out.push((
                    format!("{}/{}", plan.id(), e.id),
                    format!("{}：{label}", kind.label()),
                ));
            }
        };
        let targets: Vec<ElementKind> = element_kind.links().iter().map(|l| l.target()).collect();
        match element_kind {
            ElementKind::PriorityProject => push(&self.plan, &targets, parent),
            ElementKind::StrategyMeasure => {
                for p in &self.others {
                    if matches!(p, Plan::Comprehensive(_)) {
                        push(
                            p,
                            &[ElementKind::PriorityProject, ElementKind::Measure],
                            None,
                        );
                    }
                }
            }
            _ => {}
        }
        out
    }
}

/// The basic plan an element sits in (itself, its parent, or its grandparent).
fn basic_plan_of<'a>(rows: &'a PlanRows, id: &str) -> Option<&'a str> {
    let basic_plan = ElementKind::BasicPlan.code();
    let mut current = rows.elements.iter().find(|e| e.id == id)?;
    for _ in 0..4 {
        if current.kind == basic_plan {
            return Some(&current.id);
        }
        let parent = current.parent_id.as_deref()?;
        current = rows.elements.iter().find(|e| e.id == parent)?;
    }
    None
}

/// The kind of an element of any of the draft's plans.
fn kind_of(draft: &Draft, plan: &str, id: &str) -> Option<ElementKind> {
    [&draft.plan]
        .into_iter()
        .chain(draft.others.iter())
        .find(|p| p.id().as_str() == plan)
        .and_then(|p| p.element_kind(&keikaku_domain::ElementId::parse(id).ok()?))
}

/// The link rows a submission asks for, checked against what this kind may link to.
pub(super) fn link_changes(
    draft: &Draft,
    row: &ElementRow,
    kind: ElementKind,
    chosen: &[String],
) -> Result<Vec<Change>, Vec<FileProblem>> {
    let choices = draft.link_choices(kind, row.parent_id.as_deref());
    let mut by_kind: HashMap<LinkKind, Vec<LinkRow>> = HashMap::new();
    let mut problems = Vec::new();
    for target in chosen {
        if !choices.iter().any(|(c, _)| c == target) {
            problems.push(problem(
                "links",
                format!("「{target}」はこの要素の関連先に選べません。"),
            ));
            continue;
        }
        let Some((to_plan, to_id)) = target.split_once('/') else {
            continue;
        };
        let target_kind = kind_of(draft, to_plan, to_id);
        let Some(link_kind) = kind
            .links()
            .iter()
            .copied()
            .find(|l| Some(l.target()) == target_kind)
        else {
            continue;
        };
        let list = by_kind.entry(link_kind).or_default();
        if list
            .iter()
            .any(|l| l.to_plan_id == to_plan && l.to_id == to_id)
        {
            continue;
        }
        let position = i32::try_from(list.len()).unwrap_or(i32::MAX);
        list.push(LinkRow {
            from_id: row.id.clone(),
            kind: link_kind.code().to_owned(),
            to_plan_id: to_plan.to_owned(),
            to_id: to_id.to_owned(),
            position,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(kind
        .links()
        .iter()
        .map(|k| Change::Links {
            from_id: row.id.clone(),
            kind: k.code().to_owned(),
            links: by_kind.remove(k).unwrap_or_default(),
        })
        .collect())
}

/// The rows with the link changes applied, for validating the plan after the edit.
pub(super) fn with_links(rows: &PlanRows, changes: &[Change]) -> PlanRows {
    let mut out = rows.clone();
    for c in changes {
        if let Change::Links {
            from_id,
            kind,
            links,
        } = c
        {
            out.links
                .retain(|l| !(l.from_id == *from_id && l.kind == *kind));
            out.links.extend(links.iter().cloned());
        }
    }
    out
}
