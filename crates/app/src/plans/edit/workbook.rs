//! A plan's elements as a workbook (要素一覧, XLSX through the sheets crate): one sheet per
//! element kind of the plan, and 「説明」 with the plan's id and revision.
//!
//! A sheet's columns are 「ID」 (kept so that a row finds its element again), 「親要素ID」,
//! 「親要素（参考）」 (the parent's number and title, not read back), every field of the
//! kind's form by its label, and 「版」 (the element's version when the workbook was made).
//! Values are written as the form's reading accepts them back: years as
//! 「令和7年度（2025年度）」, choices and goals by their labels, the sample flag as 「はい」,
//! values by year as stored (「2021 105」, one line each).
//!
//! Reading it back ([`super::workbook_import`]) decides what a row means:
//! - a row with an ID changes that element's fields (nothing else: the parent, the position
//!   and the links stay as they are);
//! - a row without an ID adds an element of the sheet's kind at the end of the siblings under
//!   the parent named by 「親要素ID」 (an element already stored; blank for the kinds at the
//!   plan's top level);
//! - an element without a row (a row deleted, a sheet removed) is left unchanged — the sheet
//!   never deletes; the preview says how many were not in the file.

use keikaku_domain::era::FiscalYear;
use keikaku_domain::{ElementKind, PlanId, format};
use keikaku_sheets::elements::{
    self as sheet, ElementBook, ExpectedSheet, KindSheet, SheetColumn, Width,
};
use sha2::{Digest, Sha256};

use super::{Draft, Element, draft};
use crate::access::{Action, Authority, require};
use crate::forms::{self, FLAG_YES, FieldSpec, Input};
use crate::{AppError, Context};

/// The key of the plan's id in 「説明」.
pub const PLAN_ID_NOTE: &str = "計画ID";
/// The key of the plan's revision in 「説明」.
pub const REVISION_NOTE: &str = "計画の版";

/// A column of a kind's sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    /// 「ID」.
    Id,
    /// 「親要素ID」.
    Parent,
    /// 「親要素（参考）」: the parent's number and title, written only.
    ParentName,
    /// A field of the kind's form.
    Field(FieldSpec),
    /// 「版」.
    Version,
    /// 「照合用」 (hidden): a digest of the row's field cells as written, so that a row nobody
    /// touched is told from a corrected one when its element changed after the download.
    Check,
}

impl Column {
    pub(crate) fn header(self) -> &'static str {
        match self {
            Self::Id => "ID",
            Self::Parent => "親要素ID",
            Self::ParentName => "親要素（参考）",
            Self::Field(spec) => spec.label,
            Self::Version => "版",
            Self::Check => "照合用",
        }
    }

    fn width(self) -> Width {
        match self {
            Self::Id | Self::Parent | Self::Version => Width::Narrow,
            Self::ParentName => Width::Line,
            Self::Check => Width::Hidden,
            Self::Field(spec) => match spec.input {
                Input::Text | Input::YearValues | Input::YearNotes => Width::Text,
                Input::Line | Input::Goal => Width::Line,
                Input::Year | Input::Decimal | Input::Choice(_) | Input::Count | Input::Flag => {
                    Width::Narrow
                }
            },
        }
    }
}

/// The columns of a kind's sheet, left to right.
pub(crate) fn columns(kind: ElementKind) -> Vec<Column> {
    let mut out = vec![Column::Id, Column::Parent, Column::ParentName];
    out.extend(forms::fields(kind).into_iter().map(Column::Field));
    out.push(Column::Version);
    out.push(Column::Check);
    out
}

/// The digest of a row's field cells (each trimmed, as the reader gives them back).
pub(crate) fn row_check<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for c in cells {
        h.update(c.trim().replace("\r\n", "\n"));
        h.update("\u{1f}");
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A kind's sheet name; the two まちづくりの進め方 told apart.
pub fn sheet_name(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::VisionApproach => "まちづくりの進め方（基本構想）",
        ElementKind::PlanApproach => "まちづくりの進め方（基本計画）",
        other => other.label(),
    }
}

/// The kinds a plan of this kind has sheets for, in the order a plan presents them.
pub(crate) fn kinds(draft: &Draft) -> Vec<ElementKind> {
    ElementKind::ALL
        .into_iter()
        .filter(|k| k.plan_kind() == draft.plan.kind())
        .collect()
}

/// The sheets and headers the reader expects for this plan (scripts and tests that write a
/// workbook of their own use them).
pub fn expected_sheets(draft: &Draft) -> Vec<ExpectedSheet> {
    kinds(draft)
        .into_iter()
        .map(|k| ExpectedSheet {
            name: sheet_name(k).to_owned(),
            headers: columns(k)
                .into_iter()
                .map(|c| c.header().to_owned())
                .collect(),
        })
        .collect()
}

/// The plan's revision as the workbook and the preview carry it: the plan row's revision and
/// a digest of every element's version, parent and position, so that any save, addition,
/// deletion or reordering since makes it differ.
pub fn revision(draft: &Draft) -> String {
    let mut elements: Vec<&Element> = draft.elements.iter().collect();
    elements.sort_by(|a, b| a.id.cmp(&b.id));
    let mut h = Sha256::new();
    h.update(format!("{:?}\u{1e}", draft.plan.header().status));
    for e in elements {
        h.update(format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1e}",
            e.id,
            draft.version(&e.id),
            e.parent_id.as_deref().unwrap_or(""),
            e.position
        ));
    }
    let digest: String = h
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}-{digest}", draft.versions.revision)
}

/// A stored form value as the sheet writes it.
pub(crate) fn cell_text(spec: &FieldSpec, value: &str, goals: &[(String, String)]) -> String {
    if value.is_empty() {
        return String::new();
    }
    match spec.input {
        Input::Year => value
            .parse()
            .ok()
            .and_then(|y| FiscalYear::new(y).ok())
            .map_or_else(|| value.to_owned(), format::fiscal_year),
        Input::Choice(choices) => choices
            .iter()
            .find(|(c, _)| *c == value)
            .map_or(value, |(_, l)| l)
            .to_owned(),
        Input::Goal => goals
            .iter()
            .find(|(id, _)| id == value)
            .map_or(value, |(_, l)| l)
            .to_owned(),
        Input::Flag => {
            if value == FLAG_YES {
                "はい".to_owned()
            } else {
                String::new()
            }
        }
        Input::Line
        | Input::Text
        | Input::Decimal
        | Input::Count
        | Input::YearValues
        | Input::YearNotes => value.to_owned(),
    }
}

/// What a cell says, as the form's field reads it (choices and goals by label or code, the
/// flag as 「はい」 or blank); the error names the field and what it accepts.
pub(crate) fn form_text(
    spec: &FieldSpec,
    text: &str,
    goals: &[(String, String)],
) -> Result<String, String> {
    let t = text.trim();
    let choose = |names: Vec<&str>| {
        format!(
            "{}「{t}」は選べる値ではありません（{}のどれかを入力してください）。",
            spec.label,
            names
                .iter()
                .map(|n| format!("「{n}」"))
                .collect::<Vec<_>>()
                .join("、")
        )
    };
    match spec.input {
        Input::Choice(choices) if !t.is_empty() => choices
            .iter()
            .find(|(c, l)| *c == t || *l == t)
            .map(|(c, _)| (*c).to_owned())
            .ok_or_else(|| choose(choices.iter().map(|(_, l)| *l).collect())),
        Input::Goal if !t.is_empty() => goals
            .iter()
            .find(|(id, l)| id == t || l == t)
            .map(|(id, _)| id.clone())
            .ok_or_else(|| choose(goals.iter().map(|(_, l)| l.as_str()).collect())),
        Input::Flag => match t {
            "" | "いいえ" | "no" | "false" | "0" => Ok(String::new()),
            "はい" | "yes" | "true" | "1" | "○" | "〇" => Ok(FLAG_YES.to_owned()),
            _ => Err(format!(
                "{}は「はい」か空欄で入力してください（「{t}」は読めません）。",
                spec.label
            )),
        },
        _ => Ok(text.to_owned()),
    }
}

/// The parent as 「1-1 農業の振興」, for the reference column and the preview.
pub(crate) fn element_label(e: &Element) -> String {
    format!("{} {}", e.number, e.title).trim().to_owned()
}

fn kind_sheet(draft: &Draft, kind: ElementKind) -> KindSheet {
    let cols = columns(kind);
    let goals = draft.goals();
    let mut elements: Vec<&Element> = draft.elements.iter().filter(|e| e.kind == kind).collect();
    // Siblings together, in the order of their parents as stored, each group by position.
    let order = |e: &Element| {
        let parent = e
            .parent_id
            .as_deref()
            .and_then(|p| draft.elements.iter().position(|x| x.id == p));
        (parent, e.position)
    };
    elements.sort_by_key(|e| order(e));
    let rows = elements
        .into_iter()
        .map(|e| {
            let values = draft.values(&e.id);
            let parent = e.parent_id.as_deref().and_then(|p| draft.element(p));
            let mut row: Vec<String> = cols
                .iter()
                .map(|c| match c {
                    Column::Id => e.id.clone(),
                    Column::Parent => e.parent_id.clone().unwrap_or_default(),
                    Column::ParentName => parent.map(element_label).unwrap_or_default(),
                    Column::Field(spec) => cell_text(
                        spec,
                        values.get(spec.name).map_or("", String::as_str),
                        &goals,
                    ),
                    Column::Version | Column::Check => String::new(),
                })
                .collect();
            let check = row_check(
                cols.iter()
                    .zip(&row)
                    .filter(|(c, _)| matches!(c, Column::Field(_)))
                    .map(|(_, t)| t.as_str()),
            );
            for (c, cell) in cols.iter().zip(row.iter_mut()) {
                match c {
                    Column::Version => *cell = draft.version(&e.id).to_string(),
                    Column::Check => cell.clone_from(&check),
                    _ => {}
                }
            }
            row
        })
        .collect();
    KindSheet {
        name: sheet_name(kind).to_owned(),
        columns: cols
            .iter()
            .map(|c| SheetColumn {
                header: c.header().to_owned(),
                width: c.width(),
            })
            .collect(),
        rows,
    }
}

/// The lines of 「説明」.
fn notes(draft: &Draft) -> Vec<(String, String)> {
    let header = draft.plan.header();
    let line = |k: &str, v: String| (k.to_owned(), v);
    let say = |v: &str| (String::new(), v.to_owned());
    vec![
        line(PLAN_ID_NOTE, header.id.to_string()),
        line("計画の名称", header.title.clone()),
        line(REVISION_NOTE, revision(draft)),
        say(
            "このファイルは、計画の要素を種類ごとのシートにまとめたものです。値を直して、計画の編集画面の「Excelで取り込む」（または keikaku plan import-xlsx）で取り込めます。取り込む前に変更点の一覧が表示され、問題が1つでもあれば何も保存されません。",
        ),
        say(
            "「ID」はそのままにしてください。行を見分けるのに使います。「ID」が空欄の行は新しい要素として、「親要素ID」の要素の下（いちばん上の階層の種類では空欄）の最後に追加されます。",
        ),
        say(
            "行を消しても、要素は削除されません（変更しないものとして扱います）。親要素・並び順・関連する施策は、このファイルでは変えられません。",
        ),
        say(
            "「版」は、このファイルを作ったときの各要素の版です。その後にほかの人が変更した要素の行を書き換えると、取り込めません（ダウンロードし直してください）。",
        ),
        say(
            "年度は「令和7年度」「R7」「2025」のどれでも入力できます。年度ごとの値は1行に1年度（例: 2021 105）で入力します。",
        ),
    ]
}

/// The workbook of a plan's working copy: 「説明」 and one sheet per element kind of the plan
/// (empty kinds included, so elements can be added to them). Anyone who reads drafts (or
/// edits them).
pub async fn export_workbook(
    cx: &Context<'_>,
    authority: &impl Authority,
    plan_id: &PlanId,
) -> Result<Vec<u8>, AppError> {
    if !authority.allows(Action::EditPlan) {
        require(authority, Action::ReadDrafts)?;
    }
    let draft = draft(cx, plan_id).await?;
    workbook(&draft).map_err(|e| {
        AppError::Invalid(vec![keikaku_planfile::FileProblem {
            path: String::new(),
            message: e.to_string(),
        }])
    })
}

/// The workbook's bytes.
pub(crate) fn workbook(draft: &Draft) -> Result<Vec<u8>, keikaku_sheets::ExportError> {
    let book = ElementBook {
        notes: notes(draft),
        sheets: kinds(draft)
            .into_iter()
            .map(|k| kind_sheet(draft, k))
            .collect(),
    };
    sheet::to_xlsx(&book)
}
