//! What an audit entry changed, field by field: the entry's texts before and after, read in
//! the forms the writers record them in — an element's or a plan's fields as a JSON object,
//! a whole plan file, `key: value` lines (users, tokens, settings, a year's values) or plain
//! lines (the department list) — and compared, so the log shows 「名称: 旧 → 新」 rather
//! than two blobs.

use std::collections::BTreeMap;

use keikaku_domain::PlanStatus;
use serde_json::Value;

use crate::forms;

/// The longest value shown in the log; longer ones are cut with 「…」 (the whole text stays
/// in the entry, and the API and `keikaku audit list` give it).
const SHOWN: usize = 400;

/// One changed field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's Japanese name (or the key as recorded, when no name is known; empty for
    /// lines without a key).
    pub label: String,
    /// The value before; empty when there was none.
    pub before: String,
    /// The value after; empty when there is none.
    pub after: String,
}

/// What an entry changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The changed fields, in the order the entry records them.
    pub fields: Vec<FieldChange>,
    /// A sentence when the fields do not tell the whole story (a whole plan file, an entry
    /// recorded without its before/after).
    pub note: Option<String>,
}

/// The Japanese name of a key of the `key: value` texts the writers record.
fn key_label(key: &str) -> Option<&'static str> {
    Some(match key {
        "login_id" => "ログインID",
        "display_name" => "氏名",
        "department" => "所管課",
        "roles" => "役割",
        "disabled" => "利用停止",
        "id" => "ID",
        "name" => "名称",
        "expires_at" => "有効期限",
        "revoked_at" => "失効日時",
        "basis" => "評価する率",
        "lower_form" => "低いほど良い指標の達成率",
        "grades" => "評価の段階",
        "missing_label" => "実績がないときの表示",
        "links" => "関連付け",
        _ => return None,
    })
}

fn cut(text: &str) -> String {
    if text.chars().count() > SHOWN {
        let mut s: String = text.chars().take(SHOWN).collect();
        s.push('…');
        s
    } else {
        text.to_owned()
    }
}

fn json_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join("、"),
        other => other.to_string(),
    }
}

fn object(text: Option<&str>) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_str::<Value>(text?) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The status and title of a plan file's first plan.
fn plan_file_status(map: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    let plan = map.get("plans")?.as_array()?.first()?;
    let status = plan.get("status")?.as_str()?;
    let status =
        PlanStatus::from_code(status).map_or_else(|| status.to_owned(), |s| s.label().to_owned());
    let title = plan
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some((status, title.to_owned()))
}

/// Compares an entry's texts. `label` names a key the entry records (a field name, an
/// indicator and year); `None` falls back to the known keys, then to the key itself.
pub fn changes(
    before: Option<&str>,
    after: Option<&str>,
    label: &dyn Fn(&str) -> Option<String>,
) -> Changes {
    if before.is_none() && after.is_none() {
        return Changes {
            fields: Vec::new(),
            note: Some("この記録には変更前後の内容が保存されていません。".to_owned()),
        };
    }
    let (old, new) = (object(before), object(after));
    if old.is_some() || new.is_some() {
        let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
        if old.contains_key("plans") || new.contains_key("plans") {
            return plan_file(&old, &new);
        }
        return json_fields(&old, &new, label);
    }
    lines(before.unwrap_or_default(), after.unwrap_or_default(), label)
}

fn plan_file(
    old: &serde_json::Map<String, Value>,
    new: &serde_json::Map<String, Value>,
) -> Changes {
    let (before, after) = (plan_file_status(old), plan_file_status(new));
    let mut fields = Vec::new();
    let status = |s: &Option<(String, String)>| s.as_ref().map(|(s, _)| s.clone());
    if status(&before) != status(&after) {
        fields.push(FieldChange {
            label: "状態".to_owned(),
            before: status(&before).unwrap_or_default(),
            after: status(&after).unwrap_or_default(),
        });
    }
    Changes {
        fields,
        note: Some(
            "計画全体（計画ファイル）が記録されています。内容の違いは版の比較で確かめられます。"
                .to_owned(),
        ),
    }
}

fn json_fields(
    old: &serde_json::Map<String, Value>,
    new: &serde_json::Map<String, Value>,
    label: &dyn Fn(&str) -> Option<String>,
) -> Changes {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(*k));
    let fields = keys
        .into_iter()
        .filter(|k| !matches!(k.as_str(), "id" | "kind"))
        .filter_map(|k| {
            let b = old.get(k).map(json_text).unwrap_or_default();
            let a = new.get(k).map(json_text).unwrap_or_default();
            (b != a).then(|| FieldChange {
                label: label(k)
                    .or_else(|| key_label(k).map(str::to_owned))
                    .unwrap_or_else(|| forms::label_of(k).to_owned()),
                before: cut(&b),
                after: cut(&a),
            })
        })
        .collect();
    Changes { fields, note: None }
}

/// `key: value` lines compared by key; other lines as removed and added.
fn lines(before: &str, after: &str, label: &dyn Fn(&str) -> Option<String>) -> Changes {
    let keyed = |text: &str| -> Option<Vec<(String, String)>> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                l.split_once(": ")
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect()
    };
    if let (Some(old), Some(new)) = (keyed(before), keyed(after)) {
        let old_map: BTreeMap<&str, &str> =
            old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let new_map: BTreeMap<&str, &str> =
            new.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut order: Vec<&str> = old
            .iter()
            .chain(new.iter())
            .map(|(k, _)| k.as_str())
            .collect();
        let mut seen = std::collections::HashSet::new();
        order.retain(|k| seen.insert(*k));
        let fields = order
            .into_iter()
            .filter_map(|k| {
                let b = old_map.get(k).copied().unwrap_or_default();
                let a = new_map.get(k).copied().unwrap_or_default();
                (b != a).then(|| FieldChange {
                    label: label(k)
                        .or_else(|| key_label(k).map(str::to_owned))
                        .unwrap_or_else(|| k.to_owned()),
                    before: cut(b),
                    after: cut(a),
                })
            })
            .collect();
        return Changes { fields, note: None };
    }
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let removed: Vec<&str> = old.iter().filter(|l| !new.contains(l)).copied().collect();
    let added: Vec<&str> = new.iter().filter(|l| !old.contains(l)).copied().collect();
    let fields = if removed.is_empty() && added.is_empty() {
        Vec::new()
    } else {
        vec![FieldChange {
            label: String::new(),
            before: cut(&removed.join("\n")),
            after: cut(&added.join("\n")),
        }]
    };
    Changes { fields, note: None }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn element_fields_are_compared_by_name() {
        let c = changes(
            Some(r#"{"id":"m-1","kind":"measure","title":"農業の振興","number":"1-1"}"#),
            Some(r#"{"id":"m-1","kind":"measure","title":"農林業の振興","number":"1-1"}"#),
            &none,
        );
        assert_eq!(
            c.fields,
            vec![FieldChange {
                label: "名称".to_owned(),
                before: "農業の振興".to_owned(),
                after: "農林業の振興".to_owned(),
            }]
        );
        assert_eq!(c.note, None);
    }

    #[test]
    fn a_created_element_shows_its_values_after() {
        let c = changes(None, Some(r#"{"id":"m-1","title":"新しい施策"}"#), &none);
        assert_eq!(c.fields.len(), 1);
        assert_eq!(c.fields[0].before, "");
        assert_eq!(c.fields[0].after, "新しい施策");
    }

    #[test]
    fn keyed_lines_are_compared_by_key_with_their_names() {
        let c = changes(
            Some("login_id: sato\ndisplay_name: 佐藤\ndisabled: false"),
            Some("login_id: sato\ndisplay_name: 佐藤\ndisabled: true"),
            &none,
        );
        assert_eq!(c.fields.len(), 1);
        assert_eq!(c.fields[0].label, "利用停止");
        assert_eq!(
            (c.fields[0].before.as_str(), c.fields[0].after.as_str()),
            ("false", "true")
        );
    }

    #[test]
    fn a_label_function_names_keys() {
        let c = changes(
            Some("kpi-1 2020: target=- actual=3"),
            Some("kpi-1 2020: target=- actual=4"),
            &|k| (k == "kpi-1 2020").then(|| "観光客数（2020年度）".to_owned()),
        );
        assert_eq!(c.fields[0].label, "観光客数（2020年度）");
    }

    #[test]
    fn plain_lines_show_what_was_removed_and_added() {
        let c = changes(
            Some("農政課／1\n商工課／2"),
            Some("農政課／1\n観光課／3"),
            &none,
        );
        assert_eq!(c.fields.len(), 1);
        assert_eq!(c.fields[0].before, "商工課／2");
        assert_eq!(c.fields[0].after, "観光課／3");
    }

    #[test]
    fn a_plan_file_gives_its_status_and_a_note() {
        let c = changes(
            Some(r#"{"plans":[{"title":"総合計画","status":"draft"}]}"#),
            Some(r#"{"plans":[{"title":"総合計画","status":"published"}]}"#),
            &none,
        );
        assert_eq!(c.fields[0].label, "状態");
        assert_eq!(c.fields[0].before, "草案");
        assert!(c.note.is_some());
    }

    #[test]
    fn an_entry_without_texts_says_so() {
        let c = changes(None, None, &none);
        assert!(c.fields.is_empty());
        assert!(c.note.unwrap().contains("保存されていません"));
    }

    #[test]
    fn long_values_are_cut() {
        let long = "あ".repeat(SHOWN + 10);
        let c = changes(Some("x"), Some(&long), &none);
        assert!(c.fields[0].after.ends_with('…'));
    }
}
