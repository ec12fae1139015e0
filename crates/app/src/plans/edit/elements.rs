//! The use cases that change elements of the working copy: save an element's fields (and
//! links), add one, delete one, move one among its siblings. Each reads the draft, applies the
//! submission to the element's row, validates the whole plan (reporting only the problems the
//! edit introduced, by field) and hands storage the changed rows with the version the user
//! started from.

use keikaku_domain::audit::Timestamp;
use keikaku_domain::{ElementKind, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_storage::rows::ElementRow;
use keikaku_storage::{Change, PlanEdit, StoreError, UserChange};

use super::links::{link_changes, with_links};
use super::{
    Draft, Saved, Submission, audit_text, author, check_granted, check_status, conflict, draft,
    forbidden, locked_for, may_edit, new_problems, require_everything, row_values, still_a_draft,
};
use crate::access::{Granted, Scope};
use crate::forms::{self, FormField, check_field, pair_problems, problem};
use crate::{AppError, Context};

fn missing(id: &str) -> AppError {
    AppError::NotFound(format!("要素「{id}」はこの計画にありません。"))
}

/// Applies a submission's fields to a row; problems by field. The 所管課 and the goal are the
/// planning office's to decide: for a department editor they stay as they are, and a
/// submission that changes them is refused with the field (sending the stored value, or
/// leaving the field out, is no change).
pub(super) fn apply(
    row: &mut ElementRow,
    kind: ElementKind,
    submission: &Submission,
    goals: &[(String, String)],
    everything: bool,
) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    for spec in forms::fields(kind) {
        let FormField::Element(field) = spec.field else {
            continue;
        };
        if locked_for(everything, spec.field) {
            if let Some(raw) = submission.values.get(spec.name)
                && !unchanged(row, field, &spec, raw, goals)
            {
                problems.push(problem(
                    spec.name,
                    format!(
                        "{}は企画（計画担当）と管理者だけが変更できます。変更せずに保存してください。",
                        spec.label
                    ),
                ));
            }
            continue;
        }
        // A flag left out stays as it is: a client that does not know the sample flag
        // (an older script) never clears it by saving (the form sends it always).
        if spec.input == forms::Input::Flag && !submission.values.contains_key(spec.name) {
            continue;
        }
        let raw = submission.values.get(spec.name).map_or("", String::as_str);
        match check_field(&spec, raw, goals) {
            Ok(v) => forms::set_element(row, field, v),
            Err(m) => problems.push(problem(spec.name, m)),
        }
    }
    if problems.is_empty() {
        problems.extend(pair_problems(row));
    }
    problems
}

/// Whether a submitted text leaves a field as stored: it reads as the stored value (the same
/// after the field's own normalisation, such as line endings and 和暦 years).
fn unchanged(
    row: &ElementRow,
    field: keikaku_domain::ElementField,
    spec: &forms::FieldSpec,
    raw: &str,
    goals: &[(String, String)],
) -> bool {
    let Ok(value) = check_field(spec, raw, goals) else {
        return false;
    };
    let mut written = row.clone();
    forms::set_element(&mut written, field, value);
    forms::element_value(&written, field) == forms::element_value(row, field)
}

/// Saves an element's fields (and links, for the planning office). Returns the element as
/// this save stored it (its new version, fields and links).
#[allow(clippy::too_many_lines)] // the order of the checks matters (a stale form is a conflict before its input is read)
pub async fn update_element(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    id: &str,
    submission: &Submission,
    at: Timestamp,
) -> Result<Saved, AppError> {
    check_granted(granted)?;
    let draft = draft(cx, plan_id).await?;
    let element = draft.element(id).cloned().ok_or_else(|| missing(id))?;
    let current = draft.row(id).cloned().ok_or_else(|| missing(id))?;
    if !may_edit(granted.user(), &element) {
        return Err(forbidden());
    }
    check_status(&draft)?;
    // A stale form is a conflict before anything else: its text must be compared with the
    // current one, whatever else is wrong with it.
    if submission.version != draft.version(id) {
        return Err(conflict(StoreError::Stale(id.to_owned()), &element.name()));
    }
    let everything = granted.scope() == Scope::All;
    if !everything
        && let Some(chosen) = &submission.links
        && *chosen != draft.links(id)
    {
        return Err(AppError::Forbidden(
            "関連する施策・重点プロジェクトを変更できるのは、企画（計画担当）と管理者です。"
                .to_owned(),
        ));
    }
    let mut row = current.clone();
    let mut problems = apply(
        &mut row,
        element.kind,
        submission,
        &draft.goals(),
        everything,
    );
    let mut changes = vec![
        still_a_draft(),
        Change::Update {
            row: row.clone(),
            expected: submission.version,
        },
    ];
    let mut links_after = draft.links(id);
    if let (Some(chosen), true) = (&submission.links, everything) {
        match link_changes(&draft, &row, element.kind, chosen) {
            Ok(c) => {
                changes.extend(c);
                links_after = chosen.clone();
            }
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        let mut changed = with_links(&draft.rows, &changes);
        if let Some(r) = changed.elements.iter_mut().find(|e| e.id == id) {
            *r = row.clone();
        }
        problems = new_problems(&draft, &changed)?;
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes,
        record: UserChange {
            action: "element.update".to_owned(),
            before: Some(audit_text(&current, &draft.links(id))),
            after: Some(audit_text(&row, &links_after)),
        },
        target: format!("{plan_id}/{id}"),
        freeze: None,
    };
    cx.store
        .edit_plan(cx.municipality, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, &element.name()))?;
    Ok(Saved {
        version: submission.version.saturating_add(1),
        values: row_values(&row),
        links: links_after,
    })
}

/// Where a new element goes: its kind, under which parent (`None`: the plan's top level).
#[derive(Clone, Copy, Debug)]
pub struct Placement<'a> {
    /// The new element's kind.
    pub kind: ElementKind,
    /// Its parent element.
    pub parent: Option<&'a str>,
}

/// A new element's id: the kind and a random suffix (`measure-3f9a0c1e`). Never a number
/// counted from the elements there are now: a deleted element's id must not come back, or an
/// old form or API call for the deleted element would reach the new one (same id, version 1).
/// `taken` says whether an id is in use already.
pub(super) fn fresh_id(
    kind: ElementKind,
    taken: impl Fn(&str) -> bool,
) -> Result<String, AppError> {
    let prefix = kind.code().replace('_', "-");
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| {
            AppError::Store(StoreError::Backend(
                format!("乱数を取得できません: {e}").into(),
            ))
        })?;
        let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let id = format!("{prefix}-{suffix}");
        if !taken(&id) {
            return Ok(id);
        }
    }
}

pub(super) fn new_id(draft: &Draft, kind: ElementKind) -> Result<String, AppError> {
    fresh_id(kind, |id| draft.element(id).is_some())
}

/// Adds an element of a kind under a parent (`None`: the plan's top level), at the end of
/// its siblings. Returns the new element's id. The planning office and administrators only.
pub async fn create_element(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    place: Placement<'_>,
    submission: &Submission,
    at: Timestamp,
) -> Result<String, AppError> {
    let Placement { kind, parent } = place;
    check_granted(granted)?;
    require_everything(granted, "要素を追加")?;
    let draft = draft(cx, plan_id).await?;
    check_status(&draft)?;
    let parent_kind = match parent {
        None => None,
        Some(p) => Some(draft.element(p).ok_or_else(|| missing(p))?.kind),
    };
    if !ElementKind::addable_under(draft.plan.kind(), parent_kind).contains(&kind) {
        return Err(AppError::Invalid(vec![problem(
            "kind",
            format!("ここには「{}」を追加できません。", kind.label()),
        )]));
    }
    let position = draft
        .children(parent, kind)
        .iter()
        .map(|e| e.position.saturating_add(1))
        .max()
        .unwrap_or(0);
    let mut row = ElementRow {
        id: new_id(&draft, kind)?,
        kind: kind.code().to_owned(),
        parent_id: parent.map(str::to_owned),
        position,
        ..ElementRow::default()
    };
    let mut problems = apply(&mut row, kind, submission, &draft.goals(), true);
    let mut changes = vec![still_a_draft(), Change::Insert { row: row.clone() }];
    let chosen = submission.links.clone().unwrap_or_default();
    if !kind.links().is_empty() {
        match link_changes(&draft, &row, kind, &chosen) {
            Ok(c) => changes.extend(c),
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        let mut changed = draft.rows.clone();
        changed.elements.push(row.clone());
        let changed = with_links(&changed, &changes);
        problems = new_problems(&draft, &changed)?;
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes,
        record: UserChange {
            action: "element.create".to_owned(),
            before: None,
            after: Some(audit_text(&row, &chosen)),
        },
        target: format!("{plan_id}/{}", row.id),
        freeze: None,
    };
    cx.store
        .edit_plan(cx.municipality, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, "追加先"))?;
    Ok(row.id)
}

/// What refers to an element: fields that belong to it (a goal) and links from any plan.
fn referrers(draft: &Draft, plan_id: &PlanId, id: &str) -> Vec<String> {
    let mut out: Vec<String> = draft
        .rows
        .elements
        .iter()
        .filter(|e| e.goal_id.as_deref() == Some(id))
        .filter_map(|e| draft.element(&e.id).map(super::Element::name))
        .collect();
    for p in std::iter::once(&draft.plan).chain(draft.others.iter()) {
        let rows = keikaku_storage::rows::flatten(p);
        for l in rows
            .links
            .iter()
            .filter(|l| l.to_plan_id == plan_id.as_str() && l.to_id == id)
        {
            if let Some(e) = rows.elements.iter().find(|e| e.id == l.from_id)
                && let Some(kind) = ElementKind::from_code(&e.kind)
            {
                out.push(format!("{}「{}」", kind.label(), e.title));
            }
        }
    }
    out
}

/// What refers to an element from outside the plans: the 実施計画's programs (in every
/// edition, fixed ones included — their pages name the measures they serve) and the
/// 人口ビジョン's links to the strategy's indicators. Named as a person reads them.
async fn outside_referrers(
    cx: &Context<'_>,
    plan_id: &PlanId,
    id: &str,
) -> Result<Vec<String>, AppError> {
    let refers = |r: &keikaku_domain::ElementRef| r.plan == *plan_id && r.element.as_str() == id;
    let mut out = Vec::new();
    for summary in cx.store.editions(cx.municipality).await? {
        let made_in = summary.edition.made_in;
        let Some(data) = cx.store.edition(cx.municipality, made_in).await? else {
            continue;
        };
        let names: Vec<&str> = data
            .programs
            .iter()
            .filter(|p| p.program.links.iter().any(refers))
            .map(|p| p.program.name.as_str())
            .collect();
        if let Some(first) = names.first() {
            let more = if names.len() > 1 {
                format!("ほか{}件", names.len() - 1)
            } else {
                String::new()
            };
            out.push(format!(
                "実施計画{}の事業「{first}」{more}",
                crate::programs::editions::title(made_in)
            ));
        }
    }
    let population = cx.store.population(cx.municipality).await?;
    if population
        .vision
        .as_ref()
        .is_some_and(|v| v.vision.links.iter().any(refers))
    {
        out.push("人口ビジョン".to_owned());
    }
    Ok(out)
}

/// Why an element cannot be deleted now: a basic plan, an element with children, or one that
/// something refers to (`None`: it can).
async fn why_kept(
    cx: &Context<'_>,
    draft: &Draft,
    plan_id: &PlanId,
    element: &super::Element,
) -> Result<Option<String>, AppError> {
    let name = element.name();
    if element.kind == ElementKind::BasicPlan {
        return Ok(Some(format!("{name}は削除できません。")));
    }
    let id = element.id.as_str();
    let children = draft
        .elements
        .iter()
        .filter(|e| e.parent_id.as_deref() == Some(id))
        .count();
    if children > 0 {
        return Ok(Some(format!(
            "{name}の下に{children}件の要素があるため削除できません。先に下の要素を削除してください。"
        )));
    }
    let mut referrers = referrers(draft, plan_id, id);
    referrers.extend(outside_referrers(cx, plan_id, id).await?);
    if !referrers.is_empty() {
        return Ok(Some(format!(
            "{name}は{}から参照されているため削除できません。先に参照を外してください。",
            referrers.join("、")
        )));
    }
    Ok(None)
}

/// What the confirmation of a deletion says: the element, and why it cannot be deleted now
/// (`None`: it can). Any reader of drafts; the deletion itself checks everything again.
pub async fn deletion_check(
    cx: &Context<'_>,
    plan_id: &PlanId,
    id: &str,
) -> Result<(super::Element, Option<String>), AppError> {
    let draft = draft(cx, plan_id).await?;
    let element = draft.element(id).cloned().ok_or_else(|| missing(id))?;
    let reason = match check_status(&draft) {
        Err(e) => Some(e.to_string()),
        Ok(()) => why_kept(cx, &draft, plan_id, &element).await?,
    };
    Ok((element, reason))
}

/// Deletes an element that has no children and that nothing refers to — another element,
/// a program of the 実施計画, the 人口ビジョン — (the planning office and administrators
/// only).
pub async fn delete_element(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    id: &str,
    version: u32,
    at: Timestamp,
) -> Result<(), AppError> {
    check_granted(granted)?;
    require_everything(granted, "要素を削除")?;
    let draft = draft(cx, plan_id).await?;
    let element = draft.element(id).cloned().ok_or_else(|| missing(id))?;
    let row = draft.row(id).cloned().ok_or_else(|| missing(id))?;
    check_status(&draft)?;
    let name = element.name();
    if let Some(reason) = why_kept(cx, &draft, plan_id, &element).await? {
        return Err(AppError::Conflict(reason));
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes: vec![
            still_a_draft(),
            Change::Delete {
                id: id.to_owned(),
                expected: version,
            },
        ],
        record: UserChange {
            action: "element.delete".to_owned(),
            before: Some(audit_text(&row, &draft.links(id))),
            after: None,
        },
        target: format!("{plan_id}/{id}"),
        freeze: None,
    };
    cx.store
        .edit_plan(cx.municipality, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, &name))
}

/// Which way an element moves among its siblings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// One place towards the first.
    Up,
    /// One place towards the last.
    Down,
}

/// Moves an element one place up or down among its siblings of the same kind (the planning
/// office and administrators only).
pub async fn move_element(
    cx: &Context<'_>,
    granted: &Granted,
    plan_id: &PlanId,
    id: &str,
    step: Step,
    at: Timestamp,
) -> Result<(), AppError> {
    check_granted(granted)?;
    require_everything(granted, "並べ替えが")?;
    let draft = draft(cx, plan_id).await?;
    let element = draft.element(id).cloned().ok_or_else(|| missing(id))?;
    check_status(&draft)?;
    let siblings = draft.children(element.parent_id.as_deref(), element.kind);
    let Some(i) = siblings.iter().position(|e| e.id == id) else {
        return Ok(());
    };
    let j = match step {
        Step::Up => i.checked_sub(1),
        Step::Down => Some(i + 1),
    };
    let Some(other) = j.and_then(|j| siblings.get(j)) else {
        return Ok(()); // already first (or last): nothing to do
    };
    let (a, b) = (siblings[i].position, other.position);
    // Equal positions (from a hand-made file) are separated by the index.
    let (a, b) = if a == b {
        let k = i32::try_from(i).unwrap_or(0);
        match step {
            Step::Up => (k - 1, k),
            Step::Down => (k + 1, k),
        }
    } else {
        (b, a)
    };
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes: vec![
            still_a_draft(),
            Change::Position {
                id: id.to_owned(),
                from: siblings[i].position,
                position: a,
            },
            Change::Position {
                id: other.id.clone(),
                from: other.position,
                position: b,
            },
        ],
        record: UserChange {
            action: "element.move".to_owned(),
            before: Some(format!("{}: {}", id, siblings[i].position)),
            after: Some(format!("{}: {}", id, a)),
        },
        target: format!("{plan_id}/{id}"),
        freeze: None,
    };
    cx.store
        .edit_plan(cx.municipality, &edit, &author(granted, at))
        .await
        .map_err(|e| conflict(e, &element.name()))
}
