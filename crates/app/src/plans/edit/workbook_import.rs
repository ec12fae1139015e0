//! A workbook of elements read back ([`super::workbook`] says what a row means): every row
//! checked as the element form checks it, then the whole plan as a save validates it; every
//! problem named by its sheet and cell (「KPI」シート F12) and nothing stored unless there is
//! none. [`preview_workbook`] shows what would change; [`apply_workbook`] reads the same file
//! again and stores it in one edit (one transaction, one audit entry `element.import`) — only
//! when the plan's revision is still the one the preview was made at.

use std::collections::{BTreeMap, HashMap};

use keikaku_domain::audit::Timestamp;
use keikaku_domain::{ElementKind, PlanId};
use keikaku_planfile::FileProblem;
use keikaku_sheets::SheetError;
use keikaku_sheets::elements::{ReadBook, ReadRow, ReadSheet, read_book, read_notes};
use keikaku_storage::rows::ElementRow;
use keikaku_storage::{Author, Change, PlanEdit, UserChange};

use super::elements::{apply, new_id};
use super::workbook::{
    Column, PLAN_ID_NOTE, REVISION_NOTE, cell_text, columns, element_label, expected_sheets, kinds,
    revision, row_check, sheet_name,
};
use super::{
    Draft, Element, Submission, audit_text, check_status, conflict, draft, new_problems,
    row_values, still_a_draft,
};
use crate::access::{Action, Authority, require};
use crate::{AppError, Context};

/// What a workbook would change, as read against the working copy.
#[derive(Clone, Debug)]
pub struct WorkbookPreview {
    /// The plan.
    pub plan_id: PlanId,
    /// Its title.
    pub plan_title: String,
    /// The plan's revision the preview was made at ([`super::workbook::revision`]); applying
    /// is refused when it has moved.
    pub revision: String,
    /// The revision written in the file's 「説明」, when it has one.
    pub file_revision: Option<String>,
    /// The rows read.
    pub rows: usize,
    /// Elements whose fields change.
    pub changed: Vec<ElementChange>,
    /// Elements added (rows without an ID).
    pub added: Vec<NewElement>,
    /// The plan's elements the file has no row for: left unchanged.
    pub not_in_file: usize,
    /// Elements changed by someone else after the file was made whose rows the file leaves
    /// as they were: kept as they are now.
    pub kept_newer: usize,
    /// The sheets of the plan's kinds the file does not have.
    pub missing_sheets: Vec<String>,
    /// Sheets of the file that are not read.
    pub ignored_sheets: Vec<String>,
    updates: Vec<Update>,
    inserts: Vec<ElementRow>,
}

impl WorkbookPreview {
    /// Whether the file changes nothing.
    pub fn is_empty(&self) -> bool {
        self.updates.is_empty() && self.inserts.is_empty()
    }

    /// Whether the plan was changed after the file was made (the rows it changes are checked
    /// one by one; this is for the preview to say so).
    pub fn changed_since_file(&self) -> bool {
        self.file_revision
            .as_deref()
            .is_some_and(|r| r != self.revision)
    }
}

/// An element whose fields change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementChange {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: ElementKind,
    /// 「1-1 農業の振興」.
    pub label: String,
    /// Where its row is: 「「施策」シート 12行目」.
    pub place: String,
    /// Each field that changes.
    pub fields: Vec<FieldChange>,
}

/// One field's change, as the sheet writes values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's label.
    pub label: &'static str,
    /// The stored value.
    pub before: String,
    /// The value after the import.
    pub after: String,
}

/// An element a row without an ID adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewElement {
    /// Its kind.
    pub kind: ElementKind,
    /// The parent it goes under (「1-1 農業の振興」; empty at the top level).
    pub parent: String,
    /// Where its row is.
    pub place: String,
    /// Its fields that are not blank.
    pub fields: Vec<(&'static str, String)>,
}

/// What an apply stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    /// Elements changed.
    pub changed: usize,
    /// Elements added.
    pub added: usize,
}

#[derive(Clone, Debug)]
struct Update {
    before: ElementRow,
    after: ElementRow,
    version: u32,
}

/// 「「KPI」シート F12」.
fn place(sheet: &str, cell: &str) -> String {
    format!("「{sheet}」シート {cell}")
}

fn sheet_problem(e: SheetError) -> FileProblem {
    let path = match (&e.cell, e.row) {
        _ if e.sheet.is_empty() => String::new(),
        (Some(c), _) => place(&e.sheet, c),
        (None, Some(r)) => format!("「{}」シート {r}行目", e.sheet),
        (None, None) => format!("「{}」シート", e.sheet),
    };
    let message = match e.header {
        Some(h) if !e.message.contains(&h) => format!("{h}: {}", e.message),
        _ => e.message,
    };
    FileProblem { path, message }
}

/// Whether the authority may change this element: everything, or (a department's grant)
/// an element of a kind assigned to departments whose 所管課 it reaches.
fn may_change(authority: &impl Authority, element: &Element) -> bool {
    authority.own_department().is_none()
        || (element.kind.has_department() && authority.reaches(element.department.as_deref()))
}

/// Whether a row's field cells are as the file was written (its check cell says so).
fn untouched(cols: &[Column], row: &ReadRow, check: &str) -> bool {
    !check.is_empty()
        && row_check(
            cols.iter()
                .zip(&row.cells)
                .filter(|(c, _)| matches!(c, Column::Field(_)))
                .map(|(_, t)| t.as_str()),
        ) == check
}

/// Reads one sheet's rows into the preview, every problem kept.
struct Reading<'a, A: Authority> {
    draft: &'a Draft,
    authority: &'a A,
    goals: Vec<(String, String)>,
    seen: HashMap<String, String>,
    next_position: HashMap<(Option<String>, ElementKind), i32>,
    problems: Vec<FileProblem>,
    /// Where each update's row is, with its cells.
    update_origins: Vec<Origin>,
    /// Where each insert's row is, with its cells.
    insert_origins: Vec<Origin>,
    preview: WorkbookPreview,
}

#[derive(Clone, Debug)]
struct Origin {
    sheet: String,
    kind: ElementKind,
    /// Field name → cell; the ID's cell under "".
    cells: HashMap<&'static str, String>,
}

impl Origin {
    fn at(&self, field: &str) -> String {
        let cell = self
            .cells
            .get(field)
            .or_else(|| self.cells.get(""))
            .map_or("", String::as_str);
        place(&self.sheet, cell)
    }

    /// A problem's message with the field's label (this kind's) in front when it does not
    /// name it.
    fn message(&self, field: &str, message: String) -> String {
        let label = crate::forms::fields(self.kind)
            .into_iter()
            .find(|s| s.name == field)
            .map_or(field, |s| s.label);
        if message.contains(label) || label.is_empty() {
            message
        } else {
            format!("{label}: {message}")
        }
    }
}

impl<A: Authority> Reading<'_, A> {
    fn push(&mut self, at: String, message: String) {
        self.problems.push(FileProblem { path: at, message });
    }

    fn sheet(&mut self, sheet: &ReadSheet, kind: ElementKind) {
        let cols = columns(kind);
        for row in &sheet.rows {
            self.preview.rows += 1;
            self.row(sheet, &cols, kind, row);
        }
    }

    #[allow(clippy::too_many_lines)] // one row, checked in the order a clerk reads it
    fn row(&mut self, sheet: &ReadSheet, cols: &[Column], kind: ElementKind, row: &ReadRow) {
        let cell_of = |c: Column| {
            let i = cols.iter().position(|x| *x == c).unwrap_or(0);
            (
                sheet.cell(row, i),
                row.cells.get(i).map_or("", |t| t.trim()).to_owned(),
            )
        };
        let (id_cell, id) = cell_of(Column::Id);
        let (parent_cell, parent) = cell_of(Column::Parent);
        let (version_cell, version) = cell_of(Column::Version);
        let (_, check) = cell_of(Column::Check);
        let mut origin = Origin {
            sheet: sheet.name.clone(),
            kind,
            cells: HashMap::from([("", id_cell.clone())]),
        };
        let mut values = BTreeMap::new();
        let mut bad: Vec<&'static str> = Vec::new();
        for (i, c) in cols.iter().enumerate() {
            let Column::Field(spec) = c else { continue };
            let cell = sheet.cell(row, i);
            origin.cells.insert(spec.name, cell.clone());
            let text = row.cells.get(i).map_or("", String::as_str);
            match super::workbook::form_text(spec, text, &self.goals) {
                Ok(v) => {
                    values.insert(spec.name.to_owned(), v);
                }
                Err(m) => {
                    bad.push(spec.name);
                    self.push(place(&sheet.name, &cell), m);
                }
            }
        }
        let submission = Submission {
            version: 0,
            values,
            links: None,
        };
        let row_place = format!("「{}」シート {}行目", sheet.name, row.row);
        if id.is_empty() {
            self.new_row(
                kind,
                &parent,
                &parent_cell,
                &submission,
                origin,
                row_place,
                &bad,
            );
            return;
        }
        let at_id = place(&sheet.name, &id_cell);
        let Some(element) = self.draft.element(&id).cloned() else {
            self.push(at_id, format!("ID「{id}」の要素はこの計画にありません（新しい要素を追加するときは、IDを空欄にします）。"));
            return;
        };
        if element.kind != kind {
            self.push(
                at_id,
                format!(
                    "ID「{id}」は{}の要素です。「{}」シートではなく「{}」シートで直してください。",
                    element.kind.label(),
                    sheet.name,
                    sheet_name(element.kind)
                ),
            );
            return;
        }
        if let Some(first) = self.seen.insert(id.clone(), row_place.clone()) {
            self.push(
                at_id,
                format!("ID「{id}」の行が2つあります（{first}にもあります）。1つにしてください。"),
            );
            return;
        }
        if element.parent_id.as_deref().unwrap_or("") != parent {
            self.push(
                place(&sheet.name, &parent_cell),
                format!(
                    "親要素は、このファイルでは変えられません（もとの親要素ID: 「{}」）。要素を移すには、編集画面で追加し直してください。",
                    element.parent_id.as_deref().unwrap_or("")
                ),
            );
            return;
        }
        let Some(before) = self.draft.row(&id).cloned() else {
            return;
        };
        let everything = self.authority.own_department().is_none();
        let mut after = before.clone();
        let problems = apply(&mut after, kind, &submission, &self.goals, everything);
        if !problems.is_empty() || !bad.is_empty() {
            for p in problems
                .into_iter()
                .filter(|p| !bad.contains(&p.path.as_str()))
            {
                let message = origin.message(&p.path, p.message);
                self.push(origin.at(&p.path), message);
            }
            return;
        }
        let (old, new) = (row_values(&before), row_values(&after));
        let fields: Vec<FieldChange> = cols
            .iter()
            .filter_map(|c| match c {
                Column::Field(spec) => Some(spec),
                _ => None,
            })
            .filter(|spec| old.get(spec.name) != new.get(spec.name))
            .map(|spec| FieldChange {
                label: spec.label,
                before: cell_text(
                    spec,
                    old.get(spec.name).map_or("", String::as_str),
                    &self.goals,
                ),
                after: cell_text(
                    spec,
                    new.get(spec.name).map_or("", String::as_str),
                    &self.goals,
                ),
            })
            .collect();
        if fields.is_empty() {
            return;
        }
        if !may_change(self.authority, &element) {
            self.push(at_id, format!("{}を変更する権限がありません（所管課が自分の課の分野・施策・指標だけを変更できます）。この行を変更しないでください。", element.name()));
            return;
        }
        let now = self.draft.version(&id);
        match crate::forms::parse_revision(&version) {
            Ok(Some(v)) if v == i64::from(now) => {}
            Ok(Some(_)) if untouched(cols, row, &check) => {
                self.preview.kept_newer += 1;
                return;
            }
            Ok(Some(v)) => {
                self.push(place(&sheet.name, &version_cell), format!("{}は、このファイルを作った後に、ほかの人が変更しています（版{v} → 版{now}）。この行はいまの内容と違うため、取り込むとその変更を消してしまいます。ダウンロードし直して、変更をやり直してください。", element.name()));
                return;
            }
            Ok(None) | Err(_) => {
                self.push(place(&sheet.name, &version_cell), format!("版「{version}」が読めません。ダウンロードしたときの値のままにしてください。"));
                return;
            }
        }
        self.preview.changed.push(ElementChange {
            id: id.clone(),
            kind,
            label: element_label(&element),
            place: row_place,
            fields,
        });
        self.preview.updates.push(Update {
            before,
            after,
            version: now,
        });
        self.update_origins.push(origin);
    }

    #[allow(clippy::too_many_arguments)] // the row's parts
    fn new_row(
        &mut self,
        kind: ElementKind,
        parent: &str,
        parent_cell: &str,
        submission: &Submission,
        origin: Origin,
        row_place: String,
        bad: &[&'static str],
    ) {
        let at_id = origin.at("");
        if self.authority.own_department().is_some() {
            self.push(at_id, "IDが空欄の行は新しい要素として追加されますが、要素を追加できるのは企画（計画担当）と管理者です。".to_owned());
            return;
        }
        let at_parent = place(&origin.sheet, parent_cell);
        let parent_element = if parent.is_empty() {
            None
        } else {
            match self.draft.element(parent) {
                Some(p) => Some(p.clone()),
                None => {
                    self.push(at_parent, format!("親要素ID「{parent}」の要素はこの計画にありません（新しい要素の下に、同じファイルで要素を追加することはできません）。"));
                    return;
                }
            }
        };
        let plan_kind = self.draft.plan.kind();
        if !ElementKind::addable_under(plan_kind, parent_element.as_ref().map(|p| p.kind))
            .contains(&kind)
        {
            let message = match &parent_element {
                None if kind == ElementKind::BasicPlan => {
                    "基本計画は、このファイルでは追加できません。".to_owned()
                }
                None => format!(
                    "{}を追加するには、親要素IDを入力してください。",
                    kind.label()
                ),
                Some(p) => format!("{}の下には{}を追加できません。", p.name(), kind.label()),
            };
            self.push(at_parent, message);
            return;
        }
        let key = (parent_element.as_ref().map(|p| p.id.clone()), kind);
        let position = match self.next_position.get(&key) {
            Some(p) => *p,
            None => self
                .draft
                .children(key.0.as_deref(), kind)
                .iter()
                .map(|e| e.position.saturating_add(1))
                .max()
                .unwrap_or(0),
        };
        self.next_position.insert(key, position.saturating_add(1));
        let mut row = ElementRow {
            kind: kind.code().to_owned(),
            parent_id: parent_element.as_ref().map(|p| p.id.clone()),
            position,
            ..ElementRow::default()
        };
        let problems = apply(&mut row, kind, submission, &self.goals, true);
        if !problems.is_empty() || !bad.is_empty() {
            for p in problems
                .into_iter()
                .filter(|p| !bad.contains(&p.path.as_str()))
            {
                let message = origin.message(&p.path, p.message);
                self.push(origin.at(&p.path), message);
            }
            return;
        }
        let values = row_values(&row);
        self.preview.added.push(NewElement {
            kind,
            parent: parent_element
                .as_ref()
                .map(element_label)
                .unwrap_or_default(),
            place: row_place,
            fields: crate::forms::fields(kind)
                .iter()
                .filter_map(|spec| {
                    let v = values.get(spec.name).map_or("", String::as_str);
                    (!v.is_empty()).then(|| (spec.label, cell_text(spec, v, &self.goals)))
                })
                .collect(),
        });
        self.preview.inserts.push(row);
        self.insert_origins.push(origin);
    }
}

/// The rows after the first `n` writes of a preview (inserts with stand-in ids).
fn rows_after(
    draft: &Draft,
    preview: &WorkbookPreview,
    n: usize,
) -> keikaku_storage::rows::PlanRows {
    let mut rows = draft.rows.clone();
    let updates = preview.updates.len();
    for u in preview.updates.iter().take(n) {
        if let Some(r) = rows.elements.iter_mut().find(|r| r.id == u.after.id) {
            *r = u.after.clone();
        }
    }
    for (i, row) in preview
        .inserts
        .iter()
        .enumerate()
        .take(n.saturating_sub(updates))
    {
        let mut row = row.clone();
        row.id = format!("workbook-new-{i}");
        rows.elements.push(row);
    }
    rows
}

/// The whole plan's new problems, each at the row (and, when it names one, the field) of the
/// write that brought it: the writes are applied one by one only when there is a problem.
fn plan_problems(
    draft: &Draft,
    preview: &WorkbookPreview,
    origins: &[Origin],
) -> Result<Vec<FileProblem>, AppError> {
    let total = preview.updates.len() + preview.inserts.len();
    if new_problems(draft, &rows_after(draft, preview, total))?.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen: Vec<FileProblem> = Vec::new();
    let mut out = Vec::new();
    for (n, origin) in origins.iter().enumerate() {
        let now = new_problems(draft, &rows_after(draft, preview, n + 1))?;
        for p in &now {
            if !seen.contains(p) {
                out.push(FileProblem {
                    path: origin.at(&p.path),
                    message: origin.message(&p.path, p.message.clone()),
                });
            }
        }
        seen = now;
    }
    Ok(out)
}

/// Reads a workbook against the working copy: the preview, or every problem.
fn read(
    draft: &Draft,
    authority: &impl Authority,
    file_name: &str,
    bytes: &[u8],
) -> Result<WorkbookPreview, AppError> {
    let invalid = |problems: Vec<FileProblem>| AppError::Invalid(problems);
    // The plan the file is of first: another plan's sheets would only fail by their headers.
    let notes = read_notes(file_name, bytes)
        .map_err(|e| invalid(e.into_iter().map(sheet_problem).collect()))?;
    let plan_id = draft.plan.id().clone();
    if let Some((_, named)) = notes.iter().find(|(k, _)| k == PLAN_ID_NOTE)
        && named != plan_id.as_str()
    {
        return Err(invalid(vec![FileProblem {
            path: "「説明」シート".to_owned(),
            message: format!(
                "このファイルは計画「{named}」の要素です。計画「{}」（{plan_id}）には取り込めません。",
                draft.plan.header().title
            ),
        }]));
    }
    let book: ReadBook = read_book(file_name, bytes, &expected_sheets(draft))
        .map_err(|e| invalid(e.into_iter().map(sheet_problem).collect()))?;
    if book.sheets.is_empty() {
        return Err(invalid(vec![FileProblem {
            path: String::new(),
            message: format!(
                "このファイルには、計画「{}」の要素のシート（{}）がありません。計画の編集画面からダウンロードしたファイルを使ってください。",
                draft.plan.header().title,
                kinds(draft)
                    .iter()
                    .map(|k| format!("「{}」", sheet_name(*k)))
                    .collect::<Vec<_>>()
                    .join("・")
            ),
        }]));
    }
    let mut reading = Reading {
        draft,
        authority,
        goals: draft.goals(),
        seen: HashMap::new(),
        next_position: HashMap::new(),
        problems: Vec::new(),
        update_origins: Vec::new(),
        insert_origins: Vec::new(),
        preview: WorkbookPreview {
            plan_id,
            plan_title: draft.plan.header().title.clone(),
            revision: revision(draft),
            file_revision: book.note(REVISION_NOTE).map(str::to_owned),
            rows: 0,
            changed: Vec::new(),
            added: Vec::new(),
            not_in_file: 0,
            kept_newer: 0,
            missing_sheets: book.missing.clone(),
            ignored_sheets: book.ignored.clone(),
            updates: Vec::new(),
            inserts: Vec::new(),
        },
    };
    for sheet in &book.sheets {
        if let Some(kind) = kinds(draft)
            .into_iter()
            .find(|k| sheet_name(*k) == sheet.name)
        {
            reading.sheet(sheet, kind);
        }
    }
    if !reading.problems.is_empty() {
        return Err(invalid(reading.problems));
    }
    // Updates first, then inserts: the order of `rows_after`.
    let mut origins = reading.update_origins.clone();
    origins.extend(reading.insert_origins.iter().cloned());
    let problems = plan_problems(draft, &reading.preview, &origins)?;
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let mut preview = reading.preview;
    preview.not_in_file = draft
        .elements
        .iter()
        .filter(|e| !reading.seen.contains_key(&e.id))
        .count();
    Ok(preview)
}

/// Reads a workbook of a plan's elements and says what it would change; nothing is stored.
/// Refused (every problem with its sheet and cell) as [`AppError::Invalid`]; a plan that is
/// not a draft is a conflict.
pub async fn preview_workbook(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan_id: &PlanId,
    file_name: &str,
    bytes: &[u8],
) -> Result<WorkbookPreview, AppError> {
    require(authority, Action::EditPlan)?;
    let draft = draft(cx, plan_id).await?;
    check_status(&draft)?;
    read(&draft, authority, file_name, bytes)
}

/// Reads the workbook again and stores what it changes in one edit — if the plan's revision
/// is still `revision`, the one the preview was made at; otherwise nothing is stored and the
/// answer is a conflict saying so.
pub async fn apply_workbook(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan_id: &PlanId,
    file_name: &str,
    bytes: &[u8],
    revision: &str,
    at: Timestamp,
) -> Result<Applied, AppError> {
    require(authority, Action::EditPlan)?;
    let draft = draft(cx, plan_id).await?;
    check_status(&draft)?;
    let preview = read(&draft, authority, file_name, bytes)?;
    if preview.revision != revision {
        return Err(stale(&preview.plan_title));
    }
    let applied = Applied {
        changed: preview.updates.len(),
        added: preview.inserts.len(),
    };
    if preview.is_empty() {
        return Ok(applied);
    }
    let mut changes = vec![still_a_draft()];
    let mut before = Vec::new();
    let mut after = Vec::new();
    for u in &preview.updates {
        let links = draft.links(&u.before.id);
        before.push(audit_value(&u.before, &links));
        after.push(audit_value(&u.after, &links));
        changes.push(Change::Update {
            row: u.after.clone(),
            expected: u.version,
        });
    }
    let mut taken: Vec<String> = Vec::new();
    for row in &preview.inserts {
        let kind = ElementKind::from_code(&row.kind).unwrap_or(ElementKind::Goal);
        let mut id = new_id(&draft, kind)?;
        while taken.contains(&id) {
            id = new_id(&draft, kind)?;
        }
        taken.push(id.clone());
        let mut row = row.clone();
        row.id = id;
        after.push(audit_value(&row, &[]));
        changes.push(Change::Insert { row });
    }
    let edit = PlanEdit {
        plan: plan_id.clone(),
        changes,
        record: UserChange {
            action: "element.import".to_owned(),
            before: Some(serde_json::Value::Array(before).to_string()),
            after: Some(serde_json::Value::Array(after).to_string()),
        },
        target: plan_id.to_string(),
        freeze: None,
    };
    let author = Author {
        actor: authority.actor(),
        at,
    };
    cx.store
        .edit_plan(cx.municipality, &edit, &author)
        .await
        .map_err(|e| match conflict(e, "取り込む要素") {
            AppError::Conflict(_) => stale(&preview.plan_title),
            other => other,
        })?;
    Ok(applied)
}

fn stale(title: &str) -> AppError {
    AppError::Conflict(format!(
        "計画「{title}」は、変更点を確認した後に変更されました（ほかの人の保存や、同じ取り込みの二度目など）。上書きしないよう、何も保存していません。もう一度ファイルを選んで、いまの内容との変更点を確かめてください。"
    ))
}

fn audit_value(row: &ElementRow, links: &[String]) -> serde_json::Value {
    serde_json::from_str(&audit_text(row, links)).unwrap_or(serde_json::Value::Null)
}
