//! `keikaku backup` and `keikaku restore` as an operator runs them: SQLite → PostgreSQL →
//! SQLite with the same bytes at every step, the audit chain intact, and a restore into a
//! database that holds data refused.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;

use common::workdir;

/// Runs keikaku on a database with an optional standard input; fails the test with the
/// command's message unless it exits with `expect`.
fn keikaku(database: &str, args: &[&str], input: Option<&str>, expect: i32) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(args)
        .env("KEIKAKU_DATABASE_URL", database)
        .env("KEIKAKU_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    if let Some(text) = input {
        let mut stdin = stdin;
        stdin.write_all(text.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(expect),
        "keikaku {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn sqlite(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_city_moves_from_sqlite_to_postgresql_and_back_with_everything() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(pg) = runtime.block_on(keikaku_storage_tests::postgres::database()) else {
        return;
    };
    let dir = workdir("backup-move");
    let first = sqlite(&dir.0, "first.db");
    // A database with a history: imported, replaced with a change, two staff users.
    let example =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../planfile/examples/ichinoseki.json");
    keikaku(&first, &["import", path(&example)], None, 0);
    let changed = std::fs::read_to_string(&example).unwrap().replacen(
        "一関市総合計画",
        "一関市総合計画（改訂）",
        1,
    );
    let changed_path = dir.0.join("changed.json");
    std::fs::write(&changed_path, changed).unwrap();
    keikaku(
        &first,
        &["import", "--replace", path(&changed_path)],
        None,
        0,
    );
    for (login, role) in [("kikaku", "planning_office"), ("sato", "department_editor")] {
        keikaku(
            &first,
            &[
                "user",
                "add",
                login,
                "--name",
                "佐藤 花子",
                "--department",
                "農政課",
                "--role",
                role,
                "--password-stdin",
            ],
            Some("correct horse battery\n"),
            0,
        );
    }

    // SQLite → file → PostgreSQL → file → SQLite → file: the same bytes each time.
    let a = dir.0.join("a.json");
    keikaku(&first, &["backup", "-o", path(&a)], None, 0);
    let out = keikaku(&pg.url, &["restore", path(&a)], None, 0);
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("復元しました") && said.contains("audit_entry 6行"),
        "{said}"
    );
    keikaku(&pg.url, &["audit", "verify"], None, 0);
    let b = dir.0.join("b.json");
    keikaku(&pg.url, &["backup", "-o", path(&b)], None, 0);
    let third = sqlite(&dir.0, "third.db");
    keikaku(&third, &["restore", path(&b)], None, 0);
    let c = keikaku(&third, &["backup"], None, 0).stdout;
    let a = std::fs::read(&a).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(&b).unwrap()),
        String::from_utf8_lossy(&a)
    );
    assert_eq!(String::from_utf8_lossy(&c), String::from_utf8_lossy(&a));

    // What the restored databases hold is what the first held.
    let out = keikaku(&third, &["audit", "verify"], None, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("6件"));
    for args in [
        &["export"][..],
        &["user", "list"][..],
        &["audit", "list"][..],
    ] {
        assert_eq!(
            keikaku(&third, args, None, 0).stdout,
            keikaku(&first, args, None, 0).stdout,
            "{args:?}"
        );
        assert_eq!(
            keikaku(&pg.url, args, None, 0).stdout,
            keikaku(&first, args, None, 0).stdout,
            "{args:?}"
        );
    }

    // A database that holds data is not restored into (exit 4), and keeps what it held.
    let out = keikaku(&third, &["restore", path(&b)], None, 4);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("空ではありません"), "{err}");
    assert_eq!(keikaku(&third, &["backup"], None, 0).stdout, a);
}

#[test]
fn a_file_that_is_not_a_backup_is_refused_with_its_place() {
    let dir = workdir("backup-refused");
    let target = sqlite(&dir.0, "target.db");
    let example =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../planfile/examples/ichinoseki.json");
    let out = keikaku(&target, &["restore", path(&example)], None, 3);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("復元できません")
            && err.contains("$.format")
            && err.contains("keikaku import"),
        "{err}"
    );
    // A backup with a value of the wrong type: the place is named, nothing is written.
    let source = sqlite(&dir.0, "source.db");
    keikaku(&source, &["import", path(&example)], None, 0);
    let text = String::from_utf8(keikaku(&source, &["backup"], None, 0).stdout).unwrap();
    let broken = text.replacen("\"03209\"", "3209", 1);
    let file = dir.0.join("broken.json");
    std::fs::write(&file, broken).unwrap();
    let out = keikaku(&target, &["restore", path(&file)], None, 3);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("$.tables[0].rows[0][0]"), "{err}");
    let empty = String::from_utf8(keikaku(&target, &["backup"], None, 0).stdout).unwrap();
    assert!(!empty.contains("一関市"), "{empty}");
}
