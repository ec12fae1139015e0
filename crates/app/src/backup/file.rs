//! The backup file: version 1 of a self-describing JSON document (`docs/backup.md`).
//!
//! ```text
//! {"format": "keikaku-backup", "version": 1, "schema": 4, "tables": [
//! {"name": "municipality", "columns": [["code", "text"], …], "rows": [
//! ["03209", "一関市", "岩手県", 12]
//! ]},
//! …
//! ]}
//! ```
//!
//! Written by hand, one row per line, so that the same snapshot always gives the same bytes
//! (and a diff of two backups shows rows); read with `serde_json`, every problem with its
//! JSON path.

use keikaku_planfile::FileProblem;
use keikaku_storage::backup::{Column, ColumnType, Snapshot, Table, Value};
use serde_json::Value as Json;

/// The `format` every backup file names.
pub const FORMAT: &str = "keikaku-backup";

/// The version of the backup file format this build writes and reads.
pub const VERSION: u64 = 1;

fn text(s: &str) -> String {
    // Serialising a string cannot fail.
    serde_json::to_string(s).unwrap_or_default()
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Text(t) => text(t),
    }
}

/// The text of the backup file of a snapshot.
pub(super) fn encode(snapshot: &Snapshot) -> String {
    let mut out = format!(
        "{{\"format\": {}, \"version\": {VERSION}, \"schema\": {}, \"tables\": [\n",
        text(FORMAT),
        snapshot.schema
    );
    for (t, table) in snapshot.tables.iter().enumerate() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("[{}, {}]", text(&c.name), text(c.kind.code())))
            .collect();
        out.push_str(&format!(
            "{{\"name\": {}, \"columns\": [{}], \"rows\": [",
            text(&table.name),
            columns.join(", ")
        ));
        for (r, row) in table.rows.iter().enumerate() {
            let values: Vec<String> = row.iter().map(value).collect();
            out.push_str(if r == 0 { "\n[" } else { ",\n[" });
            out.push_str(&values.join(", "));
            out.push(']');
        }
        out.push_str(if table.rows.is_empty() { "]}" } else { "\n]}" });
        out.push_str(if t + 1 == snapshot.tables.len() {
            "\n"
        } else {
            ",\n"
        });
    }
    out.push_str("]}\n");
    out
}

/// Collects the problems of a file, each with its path.
struct Problems(Vec<FileProblem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FileProblem {
            path: path.into(),
            message: message.into(),
        });
    }
}

fn array<'a>(json: &'a Json, path: &str, problems: &mut Problems) -> &'a [Json] {
    match json.as_array() {
        Some(items) => items,
        None => {
            problems.add(path, "配列ではありません。");
            &[]
        }
    }
}

fn read_column(json: &Json, path: &str, problems: &mut Problems) -> Option<Column> {
    let pair = json.as_array().filter(|a| a.len() == 2);
    let (Some(name), Some(kind)) = (
        pair.and_then(|a| a[0].as_str()),
        pair.and_then(|a| a[1].as_str()),
    ) else {
        problems.add(path, "列は [名前, 型] の形で書いてください。");
        return None;
    };
    let Some(kind) = ColumnType::from_code(kind) else {
        problems.add(
            format!("{path}[1]"),
            format!("列の型「{kind}」は使えません（integer・text・boolean）。"),
        );
        return None;
    };
    Some(Column {
        name: name.to_owned(),
        kind,
    })
}

fn read_value(json: &Json, kind: ColumnType, path: &str, problems: &mut Problems) -> Value {
    match (json, kind) {
        (Json::Null, _) => Value::Null,
        (Json::Bool(b), ColumnType::Boolean) => Value::Boolean(*b),
        (Json::String(s), ColumnType::Text) => Value::Text(s.clone()),
        (Json::Number(n), ColumnType::Integer) if n.as_i64().is_some() => {
            Value::Integer(n.as_i64().unwrap_or_default())
        }
        _ => {
            problems.add(path, format!("値が列の型（{}）と合いません。", kind.code()));
            Value::Null
        }
    }
}

fn read_table(json: &Json, path: &str, problems: &mut Problems) -> Table {
    let name = json.get("name").and_then(Json::as_str).unwrap_or_else(|| {
        problems.add(format!("{path}.name"), "表の名前がありません。");
        ""
    });
    let columns: Vec<Column> = match json.get("columns") {
        Some(c) => array(c, &format!("{path}.columns"), problems)
            .iter()
            .enumerate()
            .filter_map(|(i, c)| read_column(c, &format!("{path}.columns[{i}]"), problems))
            .collect(),
        None => {
            problems.add(format!("{path}.columns"), "列の一覧がありません。");
            Vec::new()
        }
    };
    let mut rows = Vec::new();
    match json.get("rows") {
        Some(r) => {
            for (i, row) in array(r, &format!("{path}.rows"), problems)
                .iter()
                .enumerate()
            {
                let at = format!("{path}.rows[{i}]");
                let values = array(row, &at, problems);
                if values.len() != columns.len() {
                    problems.add(
                        at.as_str(),
                        format!(
                            "値が{}個あります。列は{}個です。",
                            values.len(),
                            columns.len()
                        ),
                    );
                    continue;
                }
                rows.push(
                    values
                        .iter()
                        .zip(&columns)
                        .enumerate()
                        .map(|(j, (v, c))| read_value(v, c.kind, &format!("{at}[{j}]"), problems))
                        .collect(),
                );
            }
        }
        None => problems.add(format!("{path}.rows"), "行の一覧がありません。"),
    }
    Table {
        name: name.to_owned(),
        columns,
        rows,
    }
}

/// The snapshot in a backup file's text, or every problem with its JSON path.
pub(super) fn decode(text: &str) -> Result<Snapshot, Vec<FileProblem>> {
    let json: Json = serde_json::from_str(text).map_err(|e| {
        vec![FileProblem {
            path: "$".to_owned(),
            message: format!(
                "JSONとして読めません（{}行{}列）: {e}",
                e.line(),
                e.column()
            ),
        }]
    })?;
    let mut problems = Problems(Vec::new());
    if json.get("format").and_then(Json::as_str) != Some(FORMAT) {
        // Without the format there is nothing more worth saying about the rest.
        return Err(vec![FileProblem {
            path: "$.format".to_owned(),
            message: format!(
                "keikaku のバックアップファイルではありません（\"format\": \"{FORMAT}\" がありません）。計画ファイルは keikaku import で取り込みます。"
            ),
        }]);
    }
    match json.get("version").and_then(Json::as_u64) {
        Some(VERSION) => {}
        other => {
            problems.add(
                "$.version",
                format!(
                    "バックアップファイルの版{}は読めません。この keikaku が読めるのは第{VERSION}版です。",
                    other.map(|v| format!("（第{v}版）")).unwrap_or_default()
                ),
            );
            return Err(problems.0);
        }
    }
    let schema = json
        .get("schema")
        .and_then(Json::as_i64)
        .unwrap_or_else(|| {
            problems.add("$.schema", "データ構造の版（整数）がありません。");
            0
        });
    let tables = match json.get("tables") {
        Some(t) => array(t, "$.tables", &mut problems)
            .iter()
            .enumerate()
            .map(|(i, t)| read_table(t, &format!("$.tables[{i}]"), &mut problems))
            .collect(),
        None => {
            problems.add("$.tables", "表の一覧がありません。");
            Vec::new()
        }
    };
    if problems.0.is_empty() {
        Ok(Snapshot { schema, tables })
    } else {
        Err(problems.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        Snapshot {
            schema: 4,
            tables: vec![
                Table {
                    name: "a".to_owned(),
                    columns: vec![
                        Column {
                            name: "code".to_owned(),
                            kind: ColumnType::Text,
                        },
                        Column {
                            name: "n".to_owned(),
                            kind: ColumnType::Integer,
                        },
                        Column {
                            name: "flag".to_owned(),
                            kind: ColumnType::Boolean,
                        },
                    ],
                    rows: vec![
                        vec![
                            Value::Text("一関\n\"市\"\u{1}".to_owned()),
                            Value::Integer(i64::MIN),
                            Value::Boolean(true),
                        ],
                        vec![Value::Text(String::new()), Value::Null, Value::Null],
                    ],
                },
                Table {
                    name: "empty".to_owned(),
                    columns: Vec::new(),
                    rows: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn a_snapshot_is_written_one_row_a_line_and_read_back() {
        let text = encode(&sample());
        assert_eq!(
            text,
            "{\"format\": \"keikaku-backup\", \"version\": 1, \"schema\": 4, \"tables\": [\n\
             {\"name\": \"a\", \"columns\": [[\"code\", \"text\"], [\"n\", \"integer\"], [\"flag\", \"boolean\"]], \"rows\": [\n\
             [\"一関\\n\\\"市\\\"\\u0001\", -9223372036854775808, true],\n\
             [\"\", null, null]\n\
             ]},\n\
             {\"name\": \"empty\", \"columns\": [], \"rows\": []}\n\
             ]}\n"
        );
        assert_eq!(decode(&text).unwrap(), sample());
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let text = r#"{"format": "keikaku-backup", "version": 1, "schema": 4, "tables": [
            {"name": "a", "columns": [["code", "text"], ["n", "float"]], "rows": [["x", 1]]},
            {"name": "b", "columns": [["n", "integer"]], "rows": [["1"], [1, 2], [1.5]]}
        ]}"#;
        let problems = decode(text).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.tables[0].columns[1][1]",
                "$.tables[0].rows[0]",
                "$.tables[1].rows[0][0]",
                "$.tables[1].rows[1]",
                "$.tables[1].rows[2][0]"
            ],
            "{problems:?}"
        );
    }

    #[test]
    fn a_plan_file_or_a_later_version_is_refused_clearly() {
        let problems = decode(r#"{"format_version": 1, "plans": []}"#).unwrap_err();
        assert_eq!(problems[0].path, "$.format");
        assert!(problems[0].message.contains("keikaku import"));
        let problems = decode(r#"{"format": "keikaku-backup", "version": 2}"#).unwrap_err();
        assert_eq!(problems[0].path, "$.version");
        assert!(problems[0].message.contains("第2版"), "{problems:?}");
        let problems = decode("{").unwrap_err();
        assert!(problems[0].message.contains("1行"), "{problems:?}");
    }
}
