//! Editing a plan element by element: the working copy ([`Draft`]) as an editor sees it, who
//! may edit what, and the use cases that save, add, delete and reorder elements
//! ([`elements`]), edit the plan's own texts ([`header`]) and start an empty basic plan from
//! the one before it ([`successor`]); [`workbook`] writes the elements as an XLSX workbook (one
//! sheet per kind) and `workbook_import` reads one back — preview, then apply in one edit
//! against the revision the preview was made at. The forms' fields come from
//! [`crate::forms`].
//!
//! Every edit carries the version it started from (an element's `version`, the plan's
//! `revision`); storage refuses a stale one ([`keikaku_storage::StoreError::Stale`]), which
//! becomes [`AppError::Conflict`] — the transport then shows the user's text next to the
//! current one, so nothing typed is lost. Only drafts are edited (草案, 審議中): an adopted or
//! published plan is moved back a step first, and the public keeps seeing its last published
//! version meanwhile.
//!
//! The planning office and administrators edit everything; a department editor (所管課) edits
//! only the fields, measures, strategy measures and indicators whose 所管課 is their own
//! department, without changing the 所管課, links or structure — the reach comes from the
//! permission table ([`crate::access::Scope`]).

mod elements;
mod header;
mod links;
mod restore;
mod successor;
pub mod workbook;
mod workbook_import;

use std::collections::BTreeMap;

use keikaku_domain::account::User;
use keikaku_domain::audit::Timestamp;
use keikaku_domain::plan::validate::validate_plan;
use keikaku_domain::plan::warnings::{Warning, element_warnings};
use keikaku_domain::{ElementKind, Plan, PlanId, PlanKind, PlanStatus};
use keikaku_planfile::FileProblem;
use keikaku_storage::rows::{self, ElementRow, PlanRow, PlanRows};
use keikaku_storage::{Author, Change, EditVersions, StoreError};

pub use elements::{
    Placement, Step, create_element, delete_element, deletion_check, move_element, update_element,
};
pub use header::update_header;
pub use restore::{RestorePreview, Restored, VersionElement, restore_element, restore_preview};
pub use successor::{Started, SuccessorPreview, start_from_predecessor, successor_preview};
pub use workbook::export_workbook;
pub use workbook_import::{
    Applied, ElementChange, FieldChange, NewElement, WorkbookPreview, apply_workbook,
    preview_workbook,
};

use crate::access::{Action, Granted, Scope, scope_of};
use crate::forms::{self, FormField, field_of, problem};
use crate::{AppError, Context};

/// What a user submitted: the version they started from, the fields' texts, and (for kinds
/// with links) the chosen link targets as `plan/element`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Submission {
    /// The version (or, for the plan's own texts, the revision) the edit started from.
    pub version: u32,
    /// Field name → text, exactly as typed.
    pub values: BTreeMap<String, String>,
    /// Link targets (`plan/element`); `None` leaves the links as they are.
    pub links: Option<Vec<String>>,
}

/// One element of the working copy, as the outline and the forms show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: ElementKind,
    /// Its parent element (`None`: the plan's top level).
    pub parent_id: Option<String>,
    /// Its position among its siblings of the same kind.
    pub position: i32,
    /// 番号.
    pub number: String,
    /// 名称.
    pub title: String,
    /// 所管課, for kinds assigned to departments.
    pub department: Option<String>,
}

impl Element {
    fn of(row: &ElementRow) -> Option<Self> {
        Some(Self {
            id: row.id.clone(),
            kind: ElementKind::from_code(&row.kind)?,
            parent_id: row.parent_id.clone(),
            position: row.position,
            number: row.number.clone(),
            title: row.title.clone(),
            department: row.department.clone(),
        })
    }

    /// 「施策「農業の振興」」: the kind and title, for messages.
    pub fn name(&self) -> String {
        format!("{}「{}」", self.kind.label(), self.title)
    }
}

/// The working copy of a plan, as an editor sees it: the plan, its elements, and the versions.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The plan (any status).
    pub plan: Plan,
    /// Its elements, in stored order.
    pub elements: Vec<Element>,
    /// Plan revision and element versions.
    pub versions: EditVersions,
    /// The other plans of the municipality (link targets).
    pub others: Vec<Plan>,
    /// Its rows, from which edits are made.
    rows: PlanRows,
}

impl Draft {
    /// One element.
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.id == id)
    }

    /// The elements of a kind under a parent (`None`: the top level), by position.
    pub fn children(&self, parent: Option<&str>, kind: ElementKind) -> Vec<&Element> {
        let mut out: Vec<&Element> = self
            .elements
            .iter()
            .filter(|e| e.kind == kind && e.parent_id.as_deref() == parent)
            .collect();
        out.sort_by_key(|e| e.position);
        out
    }

    pub(crate) fn row(&self, id: &str) -> Option<&ElementRow> {
        self.rows.elements.iter().find(|e| e.id == id)
    }

    /// An element's version.
    pub fn version(&self, id: &str) -> u32 {
        self.versions.elements.get(id).copied().unwrap_or(1)
    }

    /// The values of an element's form fields, as stored (empty for an unknown element).
    pub fn values(&self, id: &str) -> BTreeMap<String, String> {
        self.row(id).map(row_values).unwrap_or_default()
    }

    /// The plan's own texts, as stored.
    pub fn header_values(&self) -> BTreeMap<String, String> {
        header_row_values(self.plan.kind(), &self.rows.plan)
    }

    /// What looks wrong, though valid, in an element as stored (a target year outside the
    /// period …), each with its field; empty for an element that is not an indicator.
    pub fn warnings(&self, id: &str) -> Vec<Warning> {
        keikaku_domain::ElementId::parse(id)
            .map(|id| element_warnings(&self.plan, &id))
            .unwrap_or_default()
    }

    /// The goals a field may belong to: `(id, label)`.
    pub fn goals(&self) -> Vec<(String, String)> {
        self.children(None, ElementKind::Goal)
            .iter()
            .map(|g| {
                (
                    g.id.clone(),
                    format!("{} {}", g.number, g.title).trim().to_owned(),
                )
            })
            .collect()
    }
}

/// Whether a plan in this status may be edited.
pub fn editable_status(status: PlanStatus) -> bool {
    matches!(status, PlanStatus::Draft | PlanStatus::UnderDeliberation)
}

/// Whether the user edits everything (the permission table gives them [`Scope::All`] for
/// editing: the planning office, administrators).
pub fn edits_everything(user: &User) -> bool {
    scope_of(user, Action::EditPlan) == Some(Scope::All)
}

/// Whether the user may edit this element's content: everything with [`Scope::All`]; with
/// [`Scope::OwnDepartment`], elements of a kind assigned to departments whose 所管課 is the
/// user's own.
pub fn may_edit(user: &User, element: &Element) -> bool {
    match scope_of(user, Action::EditPlan) {
        Some(Scope::All) => true,
        Some(Scope::OwnDepartment) => {
            element.kind.has_department()
                && Scope::OwnDepartment.reaches(user, element.department.as_deref())
        }
        None => false,
    }
}

/// The problems the changed plan has that the stored one did not, by form field.
fn new_problems(draft: &Draft, changed: &PlanRows) -> Result<Vec<FileProblem>, AppError> {
    let plan = rows::assemble(changed)
        .map_err(|e| AppError::Invalid(vec![problem("", format!("保存できません: {e}"))]))?;
    let others: Vec<&Plan> = draft.others.iter().collect();
    let before: Vec<String> = validate_plan(&draft.plan, &others)
        .into_iter()
        .map(|p| p.message)
        .collect();
    Ok(validate_plan(&plan, &others)
        .into_iter()
        .filter(|p| !before.contains(&p.message))
        .map(|p| problem(&field_of(&p.path), p.message))
        .collect())
}

/// Loads the working copy of a plan for editing (any signed-in reader of drafts).
pub async fn draft(cx: &Context<'_>, plan_id: &PlanId) -> Result<Draft, AppError> {
    let not_found = || AppError::NotFound(format!("計画「{plan_id}」は登録されていません。"));
    let versions = cx
        .store
        .edit_versions(cx.municipality, plan_id)
        .await?
        .ok_or_else(not_found)?;
    // Versions first: a write landing in between makes the edit stale (a needless 409 at
    // worst), never lets an old text pass for a newer version.
    let mut others = crate::stored_plans(cx).await?;
    let at = others
        .iter()
        .position(|p| p.id() == plan_id)
        .ok_or_else(not_found)?;
    let plan = others.remove(at);
    let rows = rows::flatten(&plan);
    Ok(Draft {
        elements: rows.elements.iter().filter_map(Element::of).collect(),
        rows,
        plan,
        versions,
        others,
    })
}

fn check_granted(granted: &Granted) -> Result<(), AppError> {
    if granted.action() == Action::EditPlan {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn forbidden() -> AppError {
    AppError::Forbidden("この要素を編集する権限がありません。".to_owned())
}

/// Refuses a use case that only the planning office (a grant reaching everything) may call.
fn require_everything(granted: &Granted, what: &str) -> Result<(), AppError> {
    if granted.scope() == Scope::All {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{what}できるのは、企画（計画担当）と管理者です。"
        )))
    }
}

fn check_status(draft: &Draft) -> Result<(), AppError> {
    let status = draft.plan.header().status;
    if editable_status(status) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "計画「{}」は「{}」のため編集できません。編集するには、計画の状態を「審議中」または「草案」に戻してください（市民向けのページには、次に公開するまで今の公開版が表示されます）。",
            draft.plan.header().title,
            status.label()
        )))
    }
}

/// The first change of every edit: the plan is still a draft when the edit commits.
fn still_a_draft() -> Change {
    Change::StatusIn(vec![PlanStatus::Draft, PlanStatus::UnderDeliberation])
}

fn author(granted: &Granted, at: Timestamp) -> Author {
    Author {
        actor: granted.user().login_id.to_string(),
        at,
    }
}

/// The audit text of an element: its kind, id and form values, and its links.
fn audit_text(row: &ElementRow, links: &[String]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), row.id.clone().into());
    map.insert("kind".into(), row.kind.clone().into());
    let kind = ElementKind::from_code(&row.kind);
    for def in kind.map_or(&[][..], ElementKind::fields) {
        map.insert(
            def.field.name().into(),
            forms::element_value(row, def.field).into(),
        );
    }
    if kind.is_some_and(|k| !k.links().is_empty()) {
        map.insert("links".into(), links.to_vec().into());
    }
    serde_json::Value::Object(map).to_string()
}

fn conflict(e: StoreError, what: &str) -> AppError {
    match e {
        StoreError::Stale(id) if id == "status" => AppError::Conflict(
            "計画の状態が、あなたが編集を始めた後に変わりました（決定・公開の計画は編集できません）。あなたの入力は保存されていません。".to_owned(),
        ),
        StoreError::Stale(_) => AppError::Conflict(format!(
            "{what}は、あなたが編集を始めた後に、ほかの人が変更（または削除）しています。あなたの入力は保存されていません。"
        )),
        other => AppError::from(other),
    }
}

/// Parses the version a form or request carries.
pub fn parse_version(text: &str) -> Result<u32, AppError> {
    crate::forms::parse_revision(text)
        .ok()
        .flatten()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            AppError::Invalid(vec![problem(
                "version",
                "編集を始めた版の番号がありません。画面を開き直してください。".to_owned(),
            )])
        })
}

/// Whether a form field is an element field a department editor leaves as it is.
fn locked_for(everything: bool, field: FormField) -> bool {
    !everything && matches!(field, FormField::Element(f) if f.decided_by_planning_office())
}

/// The values of a row's form fields (empty for a row of an unknown kind).
pub(crate) fn row_values(row: &ElementRow) -> BTreeMap<String, String> {
    let Some(kind) = ElementKind::from_code(&row.kind) else {
        return BTreeMap::new();
    };
    kind.fields()
        .iter()
        .map(|d| {
            (
                d.field.name().to_owned(),
                forms::element_value(row, d.field),
            )
        })
        .collect()
}

/// The values of a plan row's header fields.
pub(crate) fn header_row_values(kind: PlanKind, row: &PlanRow) -> BTreeMap<String, String> {
    kind.header_fields()
        .iter()
        .map(|d| (d.field.name().to_owned(), forms::header_value(row, d.field)))
        .collect()
}

/// An element (or a plan's header) as one save stored it: what the answer to that save shows, whatever another
/// save stored a moment later (a client that continues from this version gets a conflict,
/// never a silent overwrite of the later save).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The element's version after this save.
    pub version: u32,
    /// Its form fields as saved.
    pub values: BTreeMap<String, String>,
    /// Its links as saved (none for a header).
    pub links: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use keikaku_domain::account::Role;

    #[test]
    fn department_editors_edit_only_their_own() {
        let user = |roles: Vec<Role>, department: &str| User {
            login_id: keikaku_domain::account::LoginId::parse("tester")
                .unwrap_or_else(|_| panic!()),
            display_name: "u".into(),
            department: department.into(),
            roles,
            disabled: false,
        };
        let element = |kind: ElementKind, d: &str| Element {
            id: "x".into(),
            kind,
            parent_id: None,
            position: 0,
            number: String::new(),
            title: String::new(),
            department: Some(d.into()),
        };
        use ElementKind::{Goal, Kpi, Measure};
        let editor = user(vec![Role::DepartmentEditor], "農政課");
        assert!(may_edit(&editor, &element(Measure, "農政課")));
        assert!(may_edit(&editor, &element(Kpi, " 農政課")));
        assert!(!may_edit(&editor, &element(Measure, "商工課")));
        assert!(!may_edit(&editor, &element(Goal, "農政課")));
        assert!(!may_edit(
            &user(vec![Role::DepartmentEditor], ""),
            &element(Measure, "")
        ));
        assert!(!may_edit(
            &user(vec![Role::Member], "農政課"),
            &element(Measure, "農政課")
        ));
        assert!(may_edit(
            &user(vec![Role::PlanningOffice], ""),
            &element(Goal, "")
        ));
        assert!(edits_everything(&user(vec![Role::Administrator], "")));
        assert!(!edits_everything(&editor));
    }

    #[test]
    fn only_drafts_are_edited() {
        assert!(editable_status(PlanStatus::Draft));
        assert!(editable_status(PlanStatus::UnderDeliberation));
        assert!(!editable_status(PlanStatus::Adopted));
        assert!(!editable_status(PlanStatus::Published));
    }
}
