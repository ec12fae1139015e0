//! Differences between two versions of a plan, for the diff page on which councils see what
//! changed after their remarks: added, removed, changed and moved elements, with the changed
//! characters of every changed text marked.
//!
//! Elements are matched by their stable [`ElementId`] and their [`ElementKind`] (ids never
//! change across versions); the plan header is matched when both plans have the same kind and
//! id. Plans of different kinds or ids share nothing: everything is removed, then added.
//!
//! Every attribute is compared as the text a page shows, under a Japanese label:
//!
//! | element | attributes |
//! |---|---|
//! | plan header | 名称, 目的, 範囲, 開始年度, 終了年度, 期間の説明, 状態; for a 総合計画 also 将来像, 将来像の説明 |
//! | まちづくりの考え方, 目標, 進め方 | 番号, 名称, 説明 |
//! | 基本計画 | 区分, 名称, 開始年度, 終了年度, 説明 |
//! | 重点プロジェクト | 番号, 名称, 施策の考え方・進め方, 関連する施策, サンプル |
//! | 分野 | 番号, 名称, まちづくりの目標, 現状と課題, 所管課, サンプル |
//! | 施策 (総合計画) | 番号, 名称, 展開方法, 市民の参画, 所管課, サンプル |
//! | 基本目標 | 番号, 名称, 説明, サンプル |
//! | 施策 (総合戦略) | 番号, 名称, 説明, 所管課, 関連する施策, 関連する重点プロジェクト, サンプル |
//! | 数値目標, KPI, 成果指標 | 名称, 指標コード, 単位, 方向, 種類, 基準値, 基準年度, 目標値, 目標年度, 中間目標値, 許容幅, 累計値の入力方法, 表示桁数, 算出方法, 出典, 把握方法, 把握時期, 定義の変更, 所管課, サンプル |
//!
//! Links are written as ids joined by 「, 」 (a reference into another plan as `plan/element`),
//! the goal of a field as its id, years as 「令和7年度（2025年度）」, a baseline or target as
//! two attributes, the value 「110」 and its year, interim targets as 「110（令和7年度・2025年度）」
//! (interim targets and definition changes one per line) and an absent value as the empty text,
//! the sample flag as はい / いいえ.
//!
//! Attributes are either **texts** (名称, 説明, 現状と課題, 展開方法, …), compared character by
//! character, or **values** (番号, years, numbers, units, choices such as 方向 or 所管課, codes,
//! lists of links, 所属), whose two sides are shown whole — 「0 → 5」, 「令和元年度（2019年度） →
//! 令和7年度（2025年度）」 — since a number with a struck-out digit reads as another number.
//! An added or removed element carries its place in the plan (「分野「子育て」の施策の2番目」)
//! and its content (every attribute that is not empty); [`outline`] gives the same for every
//! element of a plan, which is how a stored version is read as pages. An element whose attributes are unchanged but which stands elsewhere (in another
//! parent, or reordered among its siblings) is [`Change::Moved`]; one whose attributes changed
//! and whose parent changed too carries a [`FieldChange`] labelled 「所属」.
//!
//! Texts are compared character by character ([`text_diff`]), since Japanese has no word
//! boundaries; values never are.
//!
//! ```
//! use keikaku_domain::plan::diff::{TextPart, text_diff};
//! let (old, new) = text_diff("子育て世代への支援", "子育て世代への経済的支援");
//! assert!(old.iter().all(|p| !p.changed));
//! let changed: Vec<&str> = new.iter().filter(|p| p.changed).map(|p| p.text.as_str()).collect();
//! assert_eq!(changed, ["経済的"]);
//! ```

use std::collections::HashMap;

mod flat;
mod text;

pub use text::{TextPart, text_diff};

use crate::ids::ElementId;
use crate::plan::{ElementKind, Plan};
use flat::{Attr, Entry, Key, flatten, matching_kind, value};

/// One attribute of an element whose text changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The attribute's Japanese label, e.g. 名称, 現状と課題, 目標値 (see the module
    /// documentation for every label).
    pub field: &'static str,
    /// The old text.
    pub old: String,
    /// The new text.
    pub new: String,
    /// The old text split into unchanged and removed parts.
    pub old_parts: Vec<TextPart>,
    /// The new text split into unchanged and inserted parts.
    pub new_parts: Vec<TextPart>,
    /// Whether the attribute is a value (a number, a year, a choice, a code, a list of
    /// links): its two sides are shown whole, 「0 → 5」, never character by character.
    pub value: bool,
}

impl FieldChange {
    fn between(attr: &Attr, old: &str, new: &str) -> Self {
        let (old_parts, new_parts) = if attr.value {
            (whole(old), whole(new))
        } else {
            text_diff(old, new)
        };
        Self {
            field: attr.label,
            old: old.to_owned(),
            new: new.to_owned(),
            old_parts,
            new_parts,
            value: attr.value,
        }
    }
}

/// A value as one changed part (none when it is empty).
fn whole(text: &str) -> Vec<TextPart> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![TextPart {
            text: text.to_owned(),
            changed: true,
        }]
    }
}

/// What happened to an element between the two versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// 追加: only in the new version.
    Added,
    /// 削除: only in the old version.
    Removed,
    /// 変更: in both, with these attributes changed (in the order of the module documentation's
    /// table, 「所属」 last).
    Changed(Vec<FieldChange>),
    /// 移動: in both with the same text, but reordered among its siblings or moved to another
    /// parent. Positions are 0-based indexes among the siblings of the same kind (the list
    /// the element stands in), in the old and in the new version.
    Moved {
        /// Position in the old version.
        from_position: usize,
        /// Position in the new version.
        to_position: usize,
    },
}

impl Change {
    /// Japanese label: 追加, 削除, 変更 or 移動.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Added => "追加",
            Self::Removed => "削除",
            Self::Changed(_) => "変更",
            Self::Moved { .. } => "移動",
        }
    }
}

/// One element that differs between the two versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementChange {
    /// The kind of element; `None` for the plan header itself.
    pub kind: Option<ElementKind>,
    /// The element's id; `None` for the plan header.
    pub id: Option<ElementId>,
    /// The element's title in the new version, or in the old one when it was removed.
    pub title: String,
    /// Where it stands in the plan (in the new version, or in the old one when it was
    /// removed), e.g. 「分野「子育て」の施策の2番目」; empty for the plan header.
    pub place: String,
    /// What was added or removed: every attribute that is not empty, with its label, in the
    /// order of the module documentation's table; empty for changed and moved elements (their
    /// [`Change::Changed`] fields say what changed).
    pub content: Vec<Shown>,
    /// What happened to it.
    pub change: Change,
}

/// One attribute of an element as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// The attribute's Japanese label.
    pub label: &'static str,
    /// Its text.
    pub text: String,
    /// Whether it is a value (see [`FieldChange::value`]).
    pub value: bool,
}

/// The differences between two versions of a plan.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PlanDiff {
    /// The changed elements in the new version's display order (header, vision, then each
    /// basic plan with its projects, fields and measures; or each objective with its targets,
    /// measures and KPIs); a removed element stands after the element that preceded it in the
    /// old version.
    pub changes: Vec<ElementChange>,
}

impl PlanDiff {
    /// Whether the two versions are the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Numbers of added, removed, and changed (moved included) elements.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.changes
            .iter()
            .fold((0, 0, 0), |(a, r, c), e| match e.change {
                Change::Added => (a + 1, r, c),
                Change::Removed => (a, r + 1, c),
                Change::Changed(_) | Change::Moved { .. } => (a, r, c + 1),
            })
    }
}

/// Compares two versions of a plan.
pub fn diff_plans(old: &Plan, new: &Plan) -> PlanDiff {
    let olds = flatten(old);
    let news = flatten(new);
    let same_plan = old.kind() == new.kind() && old.id() == new.id();

    let mut old_match: Vec<Option<usize>> = vec![None; olds.len()];
    let mut new_match: Vec<Option<usize>> = vec![None; news.len()];
    if same_plan {
        let mut index: HashMap<Key<'_>, usize> = HashMap::new();
        for (i, e) in olds.iter().enumerate() {
            index.entry(e.key()).or_insert(i);
        }
        for (j, e) in news.iter().enumerate() {
            if let Some(&i) = index.get(&e.key())
                && old_match[i].is_none()
            {
                old_match[i] = Some(j);
                new_match[j] = Some(i);
            }
        }
    }
    let moved = moved(&olds, &news, &new_match);

    // A removed element goes after the (new place of the) matched element that preceded it.
    let mut removed_first = Vec::new();
    let mut removed_after: Vec<Vec<usize>> = vec![Vec::new(); news.len()];
    let mut last = None;
    for (i, m) in old_match.iter().enumerate() {
        match (m, last) {
            (Some(j), _) => last = Some(*j),
            (None, Some(j)) => removed_after[j].push(i),
            (None, None) => removed_first.push(i),
        }
    }

    let removed = |i: usize| {
        let e = &olds[i];
        ElementChange {
            kind: e.kind,
            id: e.id.clone(),
            title: e.title.clone(),
            place: e.place(),
            content: e.content(),
            change: Change::Removed,
        }
    };
    let mut changes: Vec<ElementChange> = removed_first.into_iter().map(removed).collect();
    for (j, e) in news.iter().enumerate() {
        let change = match new_match[j] {
            None => Some(Change::Added),
            Some(i) => compare(&olds[i], e, moved[j]),
        };
        if let Some(change) = change {
            changes.push(ElementChange {
                kind: e.kind,
                id: e.id.clone(),
                title: e.title.clone(),
                place: e.place(),
                content: if change == Change::Added {
                    e.content()
                } else {
                    Vec::new()
                },
                change,
            });
        }
        changes.extend(removed_after[j].iter().map(|&i| removed(i)));
    }
    PlanDiff { changes }
}

/// One element of a plan (or its header) as a version page shows it: its place in the tree and
/// every attribute that is not empty, under the same labels as the diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineEntry {
    /// The kind of element; `None` for the plan header.
    pub kind: Option<ElementKind>,
    /// The element's id; `None` for the plan header.
    pub id: Option<ElementId>,
    /// Its title.
    pub title: String,
    /// How deep it stands: 0 for the header, 1 at the top of the plan or of its 基本構想, one
    /// more under each parent.
    pub depth: usize,
    /// Where it stands (as [`ElementChange::place`]).
    pub place: String,
    /// Its attributes that are not empty.
    pub content: Vec<Shown>,
}

/// A whole plan in display order, as a version page reads it: the text of a version as it
/// stood, with values written as pages write them.
pub fn outline(plan: &Plan) -> Vec<OutlineEntry> {
    let entries = flatten(plan);
    let mut depths: HashMap<ElementId, usize> = HashMap::new();
    entries
        .iter()
        .map(|e| {
            let depth = match (&e.kind, &e.parent) {
                (None, _) => 0,
                (Some(_), None) => 1,
                (Some(_), Some(parent)) => depths.get(parent).map_or(1, |d| d + 1),
            };
            if let Some(id) = &e.id {
                depths.insert(id.clone(), depth);
            }
            OutlineEntry {
                kind: e.kind,
                id: e.id.clone(),
                title: e.title.clone(),
                depth,
                place: e.place(),
                content: e.content(),
            }
        })
        .collect()
}

/// The change between two matched elements, if any.
fn compare(old: &Entry, new: &Entry, moved: bool) -> Option<Change> {
    let mut fields: Vec<FieldChange> = old
        .fields
        .iter()
        .filter_map(|a| {
            let b = new.fields.iter().find(|b| b.label == a.label)?;
            (a.text != b.text).then(|| FieldChange::between(a, &a.text, &b.text))
        })
        .collect();
    if fields.is_empty() {
        return moved.then_some(Change::Moved {
            from_position: old.position,
            to_position: new.position,
        });
    }
    if old.parent != new.parent {
        fields.push(FieldChange::between(
            &value("所属", String::new()),
            &old.parent_label,
            &new.parent_label,
        ));
    }
    Some(Change::Changed(fields))
}

/// Which matched new elements moved: those whose parent changed, and among the siblings that
/// kept their parent, those outside a longest run that kept its relative order.
fn moved(olds: &[Entry], news: &[Entry], new_match: &[Option<usize>]) -> Vec<bool> {
    let mut moved = vec![false; news.len()];
    // Siblings: same parent, same kind; each with its new index and old position.
    let mut groups: HashMap<Key<'_>, Vec<(usize, usize)>> = HashMap::new();
    for (j, e) in news.iter().enumerate() {
        let Some(i) = new_match[j] else { continue };
        if olds[i].parent == e.parent {
            groups
                .entry((e.kind.map(matching_kind), e.parent.as_ref()))
                .or_default()
                .push((j, olds[i].position));
        } else {
            moved[j] = true;
        }
    }
    for members in groups.values() {
        let positions: Vec<usize> = members.iter().map(|&(_, p)| p).collect();
        let keep = longest_increasing(&positions);
        for (&(j, _), kept) in members.iter().zip(keep) {
            if !kept {
                moved[j] = true;
            }
        }
    }
    moved
}

/// Marks one longest strictly increasing subsequence of `values` (O(n log n)).
fn longest_increasing(values: &[usize]) -> Vec<bool> {
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; values.len()];
    for (k, &v) in values.iter().enumerate() {
        let len = tails.partition_point(|&t| values[t] < v);
        if len > 0 {
            prev[k] = Some(tails[len - 1]);
        }
        if len == tails.len() {
            tails.push(k);
        } else {
            tails[len] = k;
        }
    }
    let mut keep = vec![false; values.len()];
    let mut cur = tails.last().copied();
    while let Some(k) = cur {
        keep[k] = true;
        cur = prev[k];
    }
    keep
}

// ---------------------------------------------------------------------------------------------
// Text diff.

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_increasing_keeps_the_order_that_stayed() {
        assert_eq!(longest_increasing(&[3, 0, 1, 2]), [false, true, true, true]);
        assert_eq!(longest_increasing(&[]), Vec::<bool>::new());
        assert_eq!(longest_increasing(&[0, 1, 2]), [true, true, true]);
    }
}
