//! What the city-kept lists' pages (the department list, the theme list) share: a table of
//! rows with spare blank rows at the end and a 削除 box per row, saved whole.

/// The list as it is to be saved: the form's trailing spare rows (blank, not marked for
/// removal) dropped from `rows`, and each row marked 削除 saved as a blank item (the use
/// case leaves blank items out). `item` gives a row's item and whether the row is blank;
/// `removed` whether its 削除 box is ticked.
pub(crate) fn kept_items<R, T: Clone + Default>(
    rows: &mut Vec<R>,
    item: impl Fn(&R) -> (&T, bool),
    removed: impl Fn(&R) -> bool,
) -> Vec<T> {
    while rows.last().is_some_and(|r| item(r).1 && !removed(r)) {
        rows.pop();
    }
    rows.iter()
        .map(|r| {
            if removed(r) {
                T::default()
            } else {
                item(r).0.clone()
            }
        })
        .collect()
}

/// The id of the form field a problem belongs to: `{list}[{row}].{field}` →
/// `{prefix}-{row}-{field}`; any other path (the list's revision) → `{prefix}-revision`.
pub(crate) fn field_id(path: &str, list: &str, prefix: &str) -> String {
    path.strip_prefix(list)
        .and_then(|rest| rest.strip_prefix('['))
        .and_then(|rest| rest.split_once("]."))
        .map_or_else(
            || format!("{prefix}-revision"),
            |(row, field)| format!("{prefix}-{row}-{field}"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_find_their_fields() {
        assert_eq!(
            field_id("themes[2].name", "themes", "theme"),
            "theme-2-name"
        );
        assert_eq!(
            field_id("departments[0].phone", "departments", "dept"),
            "dept-0-phone"
        );
        assert_eq!(field_id("revision", "themes", "theme"), "theme-revision");
    }

    #[test]
    fn spare_rows_go_and_removed_rows_are_saved_blank() {
        // (text, removed)
        let mut rows = vec![
            ("a".to_owned(), false),
            ("b".to_owned(), true),
            (String::new(), true),
            (String::new(), false),
            (String::new(), false),
        ];
        let kept = kept_items(&mut rows, |r| (&r.0, r.0.is_empty()), |r| r.1);
        assert_eq!(kept, vec!["a".to_owned(), String::new(), String::new()]);
        assert_eq!(rows.len(), 3);
    }
}
